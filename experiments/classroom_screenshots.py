"""The screenshots in docs/classroom.md: the demo served, driven in Debian's Chromium.

Each picture is what a visitor sees in the browser window (not the whole scrolled page) at the
size named: a phone (400 x 800), an old projector (1024 x 768) and a full-HD screen
(1920 x 1080), walking through the lesson in docs/classroom.md.

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
PHONE, PROJECTOR, FULL_HD = (400, 800), (1024, 768), (1920, 1080)


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
            shots = Shots(browser, url, args.figures)
            page = shots.open(FULL_HD)  # the lesson's opening: week 0 on a big screen
            shots.take(page, "classroom-start")
            next_week(page, 5)  # step 2: five weeks of a middling ask
            shots.take(page, "classroom-week-5")
            page = shots.open(PROJECTOR)  # step 3: settings open, the ask made specific
            page.get_by_role("button", name="Settings").click()
            for name in ("Specificity", "Positivity"):  # the keyboard, as in the tests
                page.locator(f".setting-{name.lower()} [role=slider]").focus()
                page.keyboard.press("End")
                page.wait_for_function(
                    "t => document.querySelector('.changed')?.innerText.startsWith(t)",
                    arg=f"{name}: 1.00",
                )
            shots.take(page, "classroom-settings")
            page.get_by_role("button", name="Close settings").first.click()
            next_week(page, 8)
            shots.take(page, "classroom-specific-positive")
            page = shots.open(PHONE)  # a pupil's phone: both networks, Next week at hand
            next_week(page, 3)
            shots.take(page, "classroom-phone")
            page.get_by_role("button", name="About", exact=True).click()
            page.wait_for_selector(".about")
            shots.take(page, "classroom-phone-about")
            page = shots.open(PROJECTOR, "?projector=1")  # projector mode
            next_week(page, 5)
            shots.take(page, "classroom-projector-mode")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


class Shots:
    def __init__(self, browser, url, folder):
        self.browser, self.url, self.folder = browser, url, folder
        os.makedirs(folder, exist_ok=True)

    def open(self, size, query=""):
        page = self.browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.goto(self.url + query, wait_until="networkidle")
        page.wait_for_selector(".answer-counts")
        time.sleep(2)  # the layout settles after the first paint
        return page

    def take(self, page, name):
        time.sleep(1.5)  # the pictures redraw a moment after the week counter
        path = os.path.join(self.folder, f"{name}.png")
        page.screenshot(path=path)
        size = page.viewport_size
        print(f"wrote {path} ({size['width']} x {size['height']})")


def next_week(page, count):
    for _ in range(count):
        want = int(page.locator(".week").inner_text().split()[1]) + 1
        page.get_by_role("button", name="Next week").click()
        page.wait_for_function(
            "w => document.querySelector('.week').innerText.startsWith(`Week ${w} `)", arg=want
        )


if __name__ == "__main__":
    main()
