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

from sim.classroom.model import Classroom

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


# The three screens the lesson is for: a phone, an old projector, a full-HD screen.
SIZES = {"phone": (400, 800), "projector": (1024, 768), "full-hd": (1920, 1080)}
START = ["20 contacts: 20 not asked, 0 sympathy, 0 ears open, 0 action"] * 2


@pytest.fixture
def open_page(browser, server, request):
    """Open the page at a named size (optionally with a query string); after the test, save a
    screenshot of what the visitor last saw, and of the whole page, as test artefacts."""
    opened = []

    def opener(size="full-hd", query=""):
        width, height = SIZES[size]
        page = browser.new_page(viewport={"width": width, "height": height})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server + query, wait_until="networkidle", timeout=120_000)
        page.wait_for_selector(".answer-counts", timeout=120_000)
        page.errors = errors
        opened.append(page)
        return page

    yield opener
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(opened):
        name = request.node.name.replace("[", "-").strip("]") + (f"-{i}" if i else "")
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"))
        page.screenshot(path=str(ARTEFACTS / f"{name}-full.png"), full_page=True)
        page.close()


def counts(page):
    return page.locator(".answer-counts").all_inner_texts()


def week_shown(page):
    return page.locator(".week").inner_text()


def next_week(page, times):
    for _ in range(times):
        want = int(week_shown(page).split()[1]) + 1
        page.get_by_role("button", name="Next week").click()
        page.wait_for_function(
            "w => document.querySelector('.week').innerText.startsWith(`Week ${w} `)",
            arg=want, timeout=30_000,
        )  # fmt: skip


def eventually(read, want, timeout=30.0):
    """``read()``, once it equals ``want`` or ``timeout`` seconds have passed: the page's parts
    (counts, each run's log) redraw one after another, so one may lag another."""
    deadline = time.monotonic() + timeout
    while read() != want and time.monotonic() < deadline:
        time.sleep(0.2)
    return read()


def settled(page, want, timeout=30.0):
    """The counts shown, once they equal ``want`` or ``timeout`` seconds have passed."""
    return eventually(lambda: counts(page), want, timeout)


def model_after(steps, **settings):
    room = Classroom(**settings)
    for _ in range(steps):
        room.step()
    return room


def expected(steps, **settings):
    return [panel.summary() for panel in model_after(steps, **settings).panels]


def titles(steps, **settings):
    """The network headings the page should show: each run's label and status."""
    room = model_after(steps, **settings)
    return [f"{p.title}: {p.status()}" for p in room.panels]


def inside(page, selector):
    """Whether every element matching ``selector`` lies wholly inside the viewport."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    boxes = [page.locator(selector).nth(i).bounding_box()
             for i in range(page.locator(selector).count())]  # fmt: skip
    assert boxes, f"nothing matches {selector}"
    return all(b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width
               and b["y"] + b["height"] <= height for b in boxes)  # fmt: skip


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def move_slider(page, name, key):
    """Move a setting's slider with the keyboard, as a pupil can: its thumb focused (Tab
    reaches it), then ``key`` (End, Home, an arrow)."""
    page.locator(f".setting-{name} [role=slider]").focus()
    page.keyboard.press(key)


def steady_week(page, seconds=2.5):
    """The week shown once it has not changed for ``seconds`` (a week under way when Play was
    paused finishes first; PLAY_SECONDS is 1)."""
    last, since = week_shown(page), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        if (now := week_shown(page)) != last:
            last, since = now, time.monotonic()
    return int(last.split()[1])


def said(page, panel):
    text = page.locator(f".panel-{panel}").inner_text()
    return [line[2:] for line in text.splitlines() if line.startswith("• ")]


@pytest.mark.parametrize("size", SIZES)
def test_a_first_visit_shows_both_networks_and_nothing_to_explain(open_page, size):
    page = open_page(size)
    text = page.inner_text("body")
    assert text.startswith("Sympathy or help?") and page.title() == "Sympathy or help?"
    for stray in ("PAGE 0", "Play Interval", "Render Interval", "Use Threads", "runs on Solara",
                  "Made with Solara", "Traceback", "Error"):  # fmt: skip
        assert stray not in text, stray
    # no framework chrome: no app bar, no tabs, no drawer
    assert page.locator(".v-app-bar, .v-toolbar, .v-tabs, .v-navigation-drawer").count() == 0
    assert counts(page) == START and week_shown(page) == "Week 0 of 26"
    # with the settings closed (as a first visit finds them) both networks are on screen,
    # with Next week, and nothing scrolls sideways
    assert page.locator(".settings").count() == 0
    assert page.locator(".network img").count() == 2
    assert inside(page, ".network img") and inside(page, ".next-week") and no_sideways_scroll(page)
    if size == "phone":  # stacked: one above the other
        first, second = (page.locator(".network img").nth(i).bounding_box() for i in (0, 1))
        assert second["y"] >= first["y"] + first["height"]
    # the key to the colours is there in words
    legend = page.inner_text(".legend")
    for words in ("job seeker", "not asked", "sympathy", "'ears open'", "action",
                  "heard second-hand", "close tie", "distant tie"):  # fmt: skip
        assert words in legend
    # the About panel opens and closes
    page.get_by_role("button", name="About", exact=True).click()
    page.wait_for_selector(".about", timeout=30_000)
    about = page.inner_text(".about")
    assert "Three things to try" in about and "What the colours mean" in about
    assert "docs/model.md" in about
    page.get_by_role("button", name="Close About").first.click()
    page.wait_for_selector(".about", state="detached", timeout=30_000)
    # the settings open and close, and the networks are back on screen
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".settings", timeout=30_000)
    assert "Specificity: 0.50, a kind of job in a field" in page.inner_text(".settings")
    page.get_by_role("button", name="Close settings").first.click()
    page.wait_for_selector(".settings", state="detached", timeout=30_000)
    assert inside(page, ".network img") and no_sideways_scroll(page)
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_next_week_and_a_slider_give_what_the_model_gives(open_page, size):
    page = open_page(size)
    next_week(page, 3)
    default = settled(page, expected(3, seed=1))
    assert default == expected(3, seed=1)
    assert page.locator(".network-title").all_inner_texts() == titles(3, seed=1)
    assert week_shown(page) == "Week 3 of 26"
    # a changed slider applies at once: both runs start again at week 0, and the page says so
    page.get_by_role("button", name="Settings").click()
    move_slider(page, "specificity", "End")
    page.wait_for_function(
        "() => document.body.innerText.includes('Both runs started again at week 0')"
    )
    assert "Specificity: 1.00, a named role at a named company" in page.inner_text(".settings")
    assert settled(page, START) == START and week_shown(page) == "Week 0 of 26"
    move_slider(page, "positivity", "Home")  # a second change adds to the first
    page.wait_for_function("() => document.body.innerText.includes('Positivity: 0.00, gloomy')")
    page.get_by_role("button", name="Close settings").first.click()
    next_week(page, 3)
    ask = {"seed": 1, "specificity": 1.0, "positivity": 0.0}
    changed = settled(page, expected(3, **ask))
    assert changed == expected(3, **ask)
    assert changed[0] != default[0] and changed[1] == default[1]  # only your ask changed
    assert "started again" not in page.inner_text("body")  # the notice went with week 1
    room = model_after(3, **ask)
    for i in (0, 1):  # each run's log is its own model's, all of it, in the model's words
        log = room.panels[i].log
        assert eventually(lambda i=i: said(page, i), log) == log
    assert inside(page, ".network img")
    assert page.errors == []


def test_play_and_pause_run_weeks_that_match_the_model(open_page):
    page = open_page()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => /Week ([3-9]|[1-9][0-9]) /.test(document.querySelector('.week').innerText)",
        timeout=60_000,
    )
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    week = steady_week(page)
    assert week >= 3
    want = expected(week, seed=1)
    assert settled(page, want) == want
    assert page.get_by_role("button", name="Next week").is_enabled()
    page.get_by_role("button", name="Start again").click()
    assert settled(page, START) == START and week_shown(page) == "Week 0 of 26"
    # after a restart, Play shows every week again from week 1 (none skipped undrawn)
    next_week(page, 1)
    page.get_by_role("button", name="Start again").click()
    page.wait_for_function("() => document.querySelector('.week').innerText.startsWith('Week 0 ')")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => document.querySelector('.week').innerText.startsWith('Week 1 ')",
                           timeout=30_000)  # fmt: skip
    page.get_by_role("button", name="Pause").click()
    assert page.errors == []


def test_side_by_side_follows_the_choice_and_can_be_left_empty(open_page):
    page = open_page("projector")
    page.get_by_role("button", name="Settings").click()
    page.locator(".setting-compare .v-select__slot").click()
    page.get_by_role("option", name="a specific, positive ask").click()
    page.wait_for_function(
        "() => document.body.innerText.includes('What people said: a specific, positive ask')"
    )
    assert "(specificity 0.90, positivity 0.90, 0 favours banked" in page.inner_text(".settings")
    assert "Side by side with a specific, positive ask. Both runs" in page.inner_text(".changed")
    next_week(page, 2)
    want = expected(2, seed=1, compare="specific-positive")
    assert settled(page, want) == want
    page.locator(".setting-compare .v-select__slot").click()
    page.get_by_role("option", name="nothing (one network only)").click()
    page.wait_for_selector("text=Nothing side by side", timeout=30_000)
    assert page.locator(".network img").count() == 1 and len(counts(page)) == 1
    assert page.errors == []


def test_try_it_sets_up_the_about_panels_first_experiment(open_page):
    from sim.classroom.model import TRY_THIS

    page = open_page("phone")
    page.get_by_role("button", name="About", exact=True).click()
    labels = [page.locator(f".try-{i}").inner_text() for i in (1, 2, 3)]
    assert labels == [f"Try it: {item.title.lower()}" for item in TRY_THIS]  # each its own
    page.locator(".try-1").click()
    page.wait_for_selector(".about", state="detached", timeout=30_000)
    item = TRY_THIS[0]
    assert f"Press Next week {item.weeks} times." in page.inner_text(".changed")
    next_week(page, item.weeks)
    want = expected(item.weeks, **item.settings)
    assert settled(page, want) == want
    assert [line.split(", ")[-1] for line in want] == ["11 action", "3 action"]  # as it says
    # the same Try it again starts a fresh pair of runs, though the settings are the same
    page.get_by_role("button", name="About", exact=True).click()
    page.locator(".try-1").click()
    page.wait_for_function("() => document.querySelector('.week').innerText.startsWith('Week 0 ')")
    assert settled(page, START) == START
    assert page.errors == []


def test_a_change_while_playing_pauses_and_starts_both_runs_again(open_page):
    page = open_page("projector")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => /Week ([2-9]|[1-9][0-9]) /.test(document.querySelector('.week').innerText)",
        timeout=60_000,
    )
    move_slider(page, "positivity", "End")
    page.wait_for_selector("text=Play is paused: press Play to go on.", timeout=30_000)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert steady_week(page) == 0  # paused at week 0, not playing on with the old settings
    assert settled(page, START) == START
    next_week(page, 2)
    want = expected(2, seed=1, positivity=1.0)
    assert settled(page, want) == want
    assert page.errors == []


def test_dragging_a_slider_applies_once_it_is_let_go(open_page):
    page = open_page("phone")
    next_week(page, 2)
    page.get_by_role("button", name="Settings").click()
    thumb = page.locator(".setting-specificity [role=slider]").bounding_box()
    track = page.locator(".setting-specificity .v-slider").bounding_box()
    y = thumb["y"] + thumb["height"] / 2
    page.mouse.move(thumb["x"] + thumb["width"] / 2, y)
    page.mouse.down()
    for fraction in (0.6, 0.7, 0.8, 0.9, 1.0):  # a drag through several values, to the end
        page.mouse.move(track["x"] + fraction * track["width"] - 1, y, steps=3)
    # while the thumb is held, the words follow it and nothing has started again
    page.wait_for_function(
        "() => document.querySelector('.setting-specificity').innerText.includes('1.00')"
    )
    assert week_shown(page) == "Week 2 of 26" and page.locator(".changed").count() == 0
    page.mouse.up()
    page.wait_for_selector("text=Specificity: 1.00, a named role at a named company. Both runs",
                           timeout=30_000)  # fmt: skip
    assert week_shown(page) == "Week 0 of 26" and settled(page, START) == START
    next_week(page, 1)
    want = expected(1, seed=1, specificity=1.0)
    assert settled(page, want) == want
    assert page.errors == []


def test_settings_open_in_projector_mode_on_an_old_projector_keep_the_networks_on_screen(
    open_page,
):
    page = open_page("projector", "?projector=1")
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".settings", timeout=30_000)
    settings = page.locator(".settings").bounding_box()
    networks = page.locator(".networks").bounding_box()
    assert settings["x"] + settings["width"] <= networks["x"]  # beside them, not over them
    assert inside(page, ".network img") and no_sideways_scroll(page)
    assert page.errors == []


def test_projector_mode_from_the_address_and_the_button(open_page):
    page = open_page("projector", "?projector=1")
    size = page.evaluate("() => getComputedStyle(document.querySelector('.classroom')).fontSize")
    assert page.locator(".classroom.projector").count() == 1 and size == "24px"
    assert inside(page, ".network img")
    page.get_by_role("button", name="Normal size").click()
    page.wait_for_selector(".classroom.projector", state="detached", timeout=30_000)
    size = page.evaluate("() => getComputedStyle(document.querySelector('.classroom')).fontSize")
    assert size == "16px"
    assert page.errors == []


def test_the_about_panels_link_opens_the_model_description_from_this_computer(open_page):
    page = open_page("projector")
    page.get_by_role("button", name="About", exact=True).click()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="docs/model.md").click()
    doc = opened.value
    doc.wait_for_selector(".model-doc h1", timeout=60_000)
    assert doc.url == page.url.rstrip("/") + "/model"
    assert doc.inner_text(".model-doc h1") == "empathy-sim: model description (ODD)"
    assert "Submodels" in doc.inner_text(".model-doc")
    assert doc.locator(".model-doc table").count() >= 3  # the parameter tables came through
    doc.get_by_role("link", name="Submodels", exact=True).click()  # the contents list works
    assert doc.url.endswith("/model#7-submodels")
    doc.wait_for_function("() => Math.abs(document.getElementById('7-submodels')"
                          ".getBoundingClientRect().y) < 200")  # fmt: skip
    doc.close()
    assert page.errors == []


def test_a_seed_that_is_not_a_number_says_so(open_page):
    page = open_page()
    page.get_by_role("button", name="Settings").click()
    box = page.get_by_label("Seed", exact=True)
    box.fill("abc")
    box.press("Enter")
    page.wait_for_selector("text=Seed 'abc' is not a whole number (0, 1, 2, ...): using seed 0.",
                           timeout=30_000)  # fmt: skip
    assert settled(page, START) == START
    next_week(page, 1)
    want = expected(1, seed=0)
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
