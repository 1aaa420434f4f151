"""The screenshots in docs/classroom.md: the demo served, driven in Debian's Chromium.

Run: python experiments/classroom_screenshots.py [--figures docs/figures]
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", default="docs/figures")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "sim", "demo", "--port", str(port)],
                              start_new_session=True, stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1250})
            page.goto(url, wait_until="networkidle")
            page.wait_for_selector(".answer-counts")
            time.sleep(3)  # the panels' layout settles after the first paint
            shoot(page, args.figures, "classroom-start")
            steps(page, 5)
            shoot(page, args.figures, "classroom-week-5")
            for label in ("Specificity of your ask", "Positivity"):
                page.get_by_text(label).locator("xpath=..").locator(".v-slider").click()
                page.keyboard.press("End")
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function("() => document.body.innerText.includes('Step: 0')")
            steps(page, 8)
            shoot(page, args.figures, "classroom-specific-positive")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


def steps(page, count):
    for _ in range(count):
        before = page.locator("text=Step:").inner_text()
        page.get_by_role("button", name="Step").click()
        page.wait_for_function("b => !document.body.innerText.includes(b)", arg=before)
    time.sleep(2)  # the figures redraw a moment after the step counter


def shoot(page, folder, name):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
