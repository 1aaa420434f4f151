"""The classroom demo in a real browser: `empathy-sim demo` served, Debian's Chromium driven by
Playwright (its executable path set: nothing downloads a browser).

What the page shows is checked against the model run outside the browser: the same
``Classroom`` with the same seed and settings must give the same counts, so the page cannot
pass by showing something plausible but wrong. A screenshot of each test's last state is kept
in ``results/test-artefacts/``.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import sync_playwright

from sim.classroom import Classroom

ROOT = Path(__file__).parents[1]
ARTEFACTS = ROOT / "results" / "test-artefacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium headless on a machine with no outside network: no background connections at all.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port, log_dir=None):
    """Start `empathy-sim demo` (output to files: a full pipe could block the server)."""
    log_dir = Path(log_dir or ARTEFACTS)
    log_dir.mkdir(parents=True, exist_ok=True)
    out = open(log_dir / f"demo-{port}.out", "w+")  # noqa: SIM115 (closed by stop)
    err = open(log_dir / f"demo-{port}.err", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "demo", "--port", str(port)],
        stdout=out, stderr=err, text=True, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    process.logs = (out, err)
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, Path(process.logs[1].name).read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        assert time.monotonic() < deadline, "the demo did not answer within 120 s"
        time.sleep(0.5)


def stop(process):
    """Ctrl-C as a terminal sends it (to the whole process group); returns (stdout, stderr)."""
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)
    texts = []
    for handle in process.logs:
        handle.seek(0)
        texts.append(handle.read())
        handle.close()
    return texts


def test_ctrl_c_with_a_page_open_is_still_one_line(browser):
    # the web server must not print tracebacks when stopped while a browser is connected
    port = free_port()
    process = serve(port)
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle", timeout=120_000)
    page.wait_for_selector(".answer-counts", timeout=120_000)
    out, err = stop(process)
    page.close()
    assert process.returncode == 0
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "demo stopped"


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = serve(port)
    yield f"http://127.0.0.1:{port}/"
    if process.poll() is None:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, request):
    page = browser.new_page(viewport={"width": 1500, "height": 1200})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server, wait_until="networkidle", timeout=120_000)
    page.wait_for_selector(".answer-counts", timeout=120_000)
    page.errors = errors
    yield page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    page.close()


def counts(page):
    return page.locator(".answer-counts").all_inner_texts()


def step(page, times):
    for _ in range(times):
        before = page.locator("text=Step:").inner_text()
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            "b => !document.body.innerText.includes(b)", arg=before, timeout=30_000
        )


def settled(page, want, timeout=30.0):
    """The counts shown, once they equal ``want`` or ``timeout`` seconds have passed (the page
    redraws a moment after the step counter moves)."""
    deadline = time.monotonic() + timeout
    while counts(page) != want and time.monotonic() < deadline:
        time.sleep(0.2)
    return counts(page)


def model_after(steps, **settings):
    room = Classroom(**settings)
    for _ in range(steps):
        room.step()
    return room


def expected(steps, **settings):
    return [panel.summary() for panel in model_after(steps, **settings).panels]


def images(page, panel):
    """The data of a panel's two pictures: the network, then the weeks so far."""
    return page.locator(f".panel-{panel} img").evaluate_all("els => els.map(e => e.src)")


def said(page, panel):
    text = page.locator(f".panel-{panel}").inner_text()
    return [line[2:] for line in text.splitlines() if line.startswith("• ")]


def test_the_page_loads_with_no_error_and_shows_every_contact(page):
    text = page.inner_text("body")
    assert "Traceback" not in text and "Error" not in text
    assert page.errors == []
    # default network: 3 family, 3 friends, 6 colleagues, 8 acquaintances, nobody asked yet
    assert counts(page) == ["20 contacts: 20 not asked, 0 sympathy, 0 ears open, 0 action"] * 2
    assert page.locator(".panel-0 img").count() == 2  # the network and the weeks so far
    assert "Nobody has been asked yet" in text


def test_stepping_shows_what_the_model_computes(page):
    start = [images(page, 0), images(page, 1)]
    step(page, 3)
    assert settled(page, expected(3, seed=1)) == expected(3, seed=1)
    room = model_after(3, seed=1)
    for i in (0, 1):  # each panel's log is its own model's, in the model's words
        assert said(page, i) == room.panels[i].log[:12]
        network, weeks = images(page, i)
        assert network != start[i][0] and weeks != start[i][1]  # both pictures were redrawn
    assert images(page, 0)[0] != images(page, 1)[0]  # the two asks drew different networks


def test_a_more_specific_ask_changes_the_answers_shown(page):
    # a new browser session gets its own model: the steps of other tests do not show here
    assert counts(page) == ["20 contacts: 20 not asked, 0 sympathy, 0 ears open, 0 action"] * 2
    step(page, 3)
    default = settled(page, expected(3, seed=1))
    slider = page.get_by_text("Specificity of your ask").locator("xpath=..").locator(".v-slider")
    slider.click()
    page.keyboard.press("End")  # specificity 1.0
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => document.body.innerText.includes('Step: 0')")
    step(page, 3)
    changed = settled(page, expected(3, seed=1, specificity=1.0))
    assert changed == expected(3, seed=1, specificity=1.0)
    assert changed[0] != default[0] and changed[1] == default[1]  # only your ask changed


def test_side_by_side_renders_both_panels_and_follows_the_choice(page):
    assert page.locator(".panel-0 img").count() == 2 and page.locator(".panel-1 img").count() == 2
    assert "What people said: your ask" in page.inner_text(".panel-0")
    assert "What people said: vague-gloomy" in page.inner_text(".panel-1")
    page.get_by_text("Side by side with").locator("xpath=..").click()
    page.get_by_role("option", name="specific-positive").click()
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => document.body.innerText.includes('What people said: specific-positive')"
    )
    step(page, 2)
    want = expected(2, seed=1, compare="specific-positive")
    assert settled(page, want) == want


def test_ctrl_c_stops_the_demo_cleanly():
    process = serve(free_port())
    children = psutil.Process(process.pid).children(recursive=True)
    out, err = stop(process)
    assert process.returncode == 0
    assert out.startswith("Classroom demo at http://127.0.0.1:")
    assert err.strip().splitlines()[-1] == "demo stopped" and "Traceback" not in err
    time.sleep(1)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_without_a_comparison_the_right_panel_says_how_to_get_one(page):
    page.get_by_text("Side by side with").locator("xpath=..").click()
    page.get_by_role("option", name="none").click()
    page.get_by_role("button", name="Reset").click()
    page.wait_for_selector("text=Choose a strategy under 'Side by side with'", timeout=30_000)
    assert page.locator(".panel-1 img").count() == 0
    assert len(counts(page)) == 1


def test_play_runs_weeks_that_match_the_model(page):
    page.get_by_role("button", name="▶").click()
    page.wait_for_function(
        "() => /Step: ([4-9]|[1-9][0-9])/.test(document.body.innerText)", timeout=60_000
    )
    page.get_by_role("button", name="❚❚").click()
    time.sleep(1.5)  # a step already under way finishes
    week = int(page.locator("text=Step:").inner_text().split(":")[1])
    want = expected(week, seed=1)
    assert settled(page, want) == want
    assert page.errors == []


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sim", "demo", "--port", str(port)],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"empathy-sim: error: --host 127.0.0.1 --port {port}: cannot")
    assert done.stderr.count("\n") == 1
    for bad, message in (("0", "--port 0; allowed: a whole number from 1 to 65535"),):
        done = subprocess.run([sys.executable, "-m", "sim", "demo", "--port", bad],
                              capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
        assert done.returncode == 2 and message in done.stderr
