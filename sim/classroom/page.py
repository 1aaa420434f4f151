"""The classroom page: one job seeker's personal network, two ways of asking, week by week.

Serve it with ``empathy-sim demo`` (or ``solara run sim/classroom/page.py``). The page is built for
a lesson, not for a modeller: a title, "Next week" / "Play" / "Start again", the two networks side
by side (stacked on a phone), a key to the colours, the answers and the openings so far, and what
people said. Settings sit in a panel that opens and closes; a changed setting starts both runs again
at week 0 with the same seed, and the page says so. An About panel explains the model in plain
words and offers three things to try. Projector mode (the "Projector" button, or ``?projector=1``
in the address) draws large type and thick lines.

The model behind it is :class:`sim.classroom.model.Classroom`; this module only draws it. Each
browser session gets its own model, so pupils on their own phones do not move each other's pages.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import markdown
import reacton.ipyvuetify as rv
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.classroom.model import (
    NONE,
    SETTINGS,
    STRATEGY_WORDS,
    TRY_THIS,
    Classroom,
    Try,
    View,
    in_words,
)
from sim.model.params import PRESETS
from sim.studies import plots

TITLE = "Sympathy or help?"
SUBTITLE = (
    "One job seeker asks their network for help. Same people, same luck: only the ask differs."
)
PLAY_SECONDS = 1.0  # one week a second while playing: time to read a line of the log aloud
DEFAULTS: dict[str, Any] = {"seed": "1", "compare": "vague-gloomy"} | {
    name: default for name, *_, default in SETTINGS
}
MODEL_DOC = Path(__file__).parents[2] / "docs" / "model.md"  # served at /model, offline

# Phones (< 700 px): networks stacked, each small enough that both fit under the header.
# Wider: side by side, as tall as the window allows, with the settings (when open) beside them;
# on a phone the settings open above the networks. Projector mode: larger type everywhere.
CSS = """
.v-application--wrap > div, .v-content__wrap, .container { padding: 0 !important; }
.classroom { font-size: 16px; line-height: 1.35; padding: 8px 12px 24px; max-width: 2000px;
             margin: 0 auto; }
.classroom h1 { font-size: 1.6em; margin: 0; line-height: 1.2; }
.classroom .subtitle { color: #444; margin: 2px 0 6px; }
.classroom .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
.classroom .v-btn { text-transform: none; letter-spacing: 0; font-size: 1em; }
.classroom .status { display: block; font-weight: 600; margin: 2px 0; }
.classroom .changed { display: block; color: #005a8c; margin: 2px 0; }
.classroom .legend { display: flex; flex-wrap: wrap; gap: 2px 14px; margin: 4px 0 6px;
                     font-size: 0.95em; padding: 0; list-style: none; }
.classroom .legend li { display: flex; align-items: center; gap: 5px; }
.classroom .dot { width: 0.9em; height: 0.9em; border-radius: 50%; display: inline-block;
                  border: 1px solid #0003; }
.classroom .tie { display: inline-block; width: 1.8em; background: #777; }
.classroom .main { display: flex; gap: 16px; align-items: flex-start; }
.classroom .settings { flex: 0 0 300px; border: 1px solid #ccc; border-radius: 6px;
                       padding: 8px 12px; background: #fafafa; }
.classroom .setting { margin-bottom: 2px; }
.classroom .setting .v-input { margin-top: 0; padding-top: 0; }
.classroom .setting .v-messages { display: none; }
.classroom .setting-label { font-size: 0.95em; }
.classroom .hint { display: block; font-size: 0.85em; color: #555; margin: 0 0 6px; }
.classroom .networks { flex: 1 1 auto; min-width: 0; display: grid;
                       grid-template-columns: 1fr 1fr; gap: 12px; }
.classroom .network { min-width: 0; }
.classroom .network-title, .classroom .history-title { font-weight: 600; }
.classroom .network > div, .classroom .history > div { height: auto !important; }
.classroom .network img { width: 100%; height: auto; object-fit: contain;
                          max-height: calc(100vh - 250px); display: block; }
.classroom .answer-counts { display: block; font-size: 0.95em; }
.classroom .histories { display: grid; grid-template-columns: 1fr 1fr; gap: 12px;
                        margin-top: 14px; }
.classroom .history img { width: 100%; height: auto; display: block; }
.classroom .said { display: block; margin-bottom: 4px; }
.classroom .said-count { display: block; color: #555; font-size: 0.9em; margin-bottom: 4px; }
.classroom .about { border: 1px solid #ccc; border-radius: 6px; padding: 4px 14px 10px;
                    margin: 6px 0; background: #fffdf5; max-width: 70em; }
.classroom .about h2 { font-size: 1.25em; margin: 10px 0 4px; }
.classroom .about h3 { font-size: 1.05em; margin: 8px 0 2px; }
.classroom .about p, .classroom .about ul { margin: 2px 0 6px; }
.model-doc { max-width: 60em; }
.model-doc table { border-collapse: collapse; font-size: 0.9em; }
.model-doc td, .model-doc th { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }
.model-doc code { font-size: 0.92em; }
@media (min-width: 1600px) { .classroom { font-size: 18px; } }
@media (max-width: 699px) {
  .classroom .main { flex-direction: column; align-items: stretch; }
  .classroom .settings { flex: none; }
  .classroom { font-size: 14px; padding: 4px 8px 16px; }
  .classroom h1 { font-size: 1.35em; }
  .classroom .subtitle, .classroom .projector-toggle { display: none; }
  .classroom .networks, .classroom .histories { grid-template-columns: 1fr; gap: 4px; }
  .classroom .network > div, .classroom .history > div { height: auto !important; }
  .classroom .network img { max-height: calc(50vh - 150px); }
  .classroom .legend { font-size: 0.85em; gap: 0 10px; margin: 2px 0; }
  .classroom .bar { gap: 4px; }
  .classroom .bar .v-btn { padding: 0 8px !important; min-width: 0 !important; height: 32px; }
}
.classroom.projector { font-size: 24px; }
.classroom.projector .network img { max-height: calc(100vh - 330px); }
.classroom.projector .settings { flex-basis: 440px; }
"""


def _network_figure(view: View, thick: float) -> Figure:
    fig = Figure(figsize=(6.0, 4.5), layout="constrained")  # not pyplot: nothing to leak
    plots.network_snapshot(view.graph, fig.add_subplot(), legend=False, thick=thick,
                           pos=view.pos)  # fmt: skip
    return fig


def _history_figure(view: View, thick: float) -> Figure:
    fig = Figure(figsize=(6.4, 2.8), layout="constrained")
    answers, passes = fig.subplots(1, 2)
    weeks = [0] + [row["week"] for row in view.history]
    style = {"ms": 3 * thick, "lw": 2 * thick}
    for key in ("sympathy", "ears_open", "action"):
        values = [0] + [row[key] for row in view.history]
        answers.plot(weeks, values, "o-", color=plots.ANSWER_COLOURS[key],
                     label=plots.ANSWER_LABELS[key], **style)  # fmt: skip
    answers.set_ylabel("answers so far")
    for key, colour in (("leads", plots.OKABE_ITO[4]), ("introductions", plots.OKABE_ITO[2])):
        values = [0] + [row[key] for row in view.history]
        passes.plot(weeks, values, "o-", color=colour, label=key, **style)
    passes.set_ylabel("openings passed to you")
    for ax in (answers, passes):
        ax.set_xlabel("week")
        ax.set_xlim(0, view.weeks)  # the same scale on both panels, whoever is hired first
        ax.set_ylim(0, max(2, ax.get_ylim()[1]))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize="small", loc="upper left")
        ax.spines[["top", "right"]].set_visible(False)
        if thick > 1:
            ax.tick_params(labelsize=9 * thick, width=thick)
            ax.xaxis.label.set_size(9 * thick)
            ax.yaxis.label.set_size(9 * thick)
    return fig


def _legend_html() -> str:
    items = [
        f'<li><span class="dot" style="background:{plots.ANSWER_COLOURS[key]}"></span>'
        f"{plots.ANSWER_LABELS[key]}</li>"
        for key in ("unaware", "sympathy", "ears_open", "action", "heard")
    ]
    items.insert(0, '<li><span style="color:#0072B2;font-size:1.3em">&#9733;</span>job seeker</li>')
    items += [
        f'<li><span class="tie" style="height:{height}px"></span>{name} tie</li>'
        for name, height in (("close", 4), ("distant", 1))
    ]
    return "".join(items)


@solara.component
def NetworkCard(view: View, index: int, thick: float, frame: Any) -> None:
    """One run's network, coloured by each contact's answer, with its status and counts.
    ``frame`` names the run and week drawn: the picture is made again only when it changes."""
    with solara.Div(classes=["network", f"network-{index}"]):
        solara.Text(f"{view.title}: {view.status}", classes=["network-title"])
        figure = solara.use_memo(lambda: _network_figure(view, thick), dependencies=[frame, thick])
        solara.FigureMatplotlib(figure, dependencies=[frame, thick], format="png", dpi=150)
        solara.Text(view.summary, classes=["answer-counts"])


@solara.component
def History(view: View, index: int, thick: float, frame: Any) -> None:
    """One run's weeks so far: the running charts, then what people said, newest first."""
    with solara.Div(classes=["history", f"panel-{index}"]):
        solara.Text(f"{view.title}: the weeks so far", classes=["history-title"])
        figure = solara.use_memo(lambda: _history_figure(view, thick), dependencies=[frame, thick])
        solara.FigureMatplotlib(figure, dependencies=[frame, thick], format="png", dpi=120)
        with solara.Card(f"What people said: {view.title[0].lower() + view.title[1:]}"):
            if not view.contacts:
                empty = "No contacts to ask: add family, friends or others in Settings."
            else:
                empty = "Nobody has been asked yet: press Next week."
            if view.log:
                n = len(view.log)
                solara.Text(f"{n} line{'' if n == 1 else 's'}, newest first",
                            classes=["said-count"])  # fmt: skip
            # plain text, not Markdown: Solara's Markdown would fetch a maths renderer
            for line in view.log or [empty]:
                solara.Text(f"• {line}", classes=["said"])


@solara.component
def Setting(name: str, value: float, change: Any) -> None:
    """One slider with its value in words. The words follow the thumb while it moves; the
    change is made once, when the thumb is let go (or a key moves it): restarting both runs at
    every step of a drag would redraw the page a dozen times."""
    _, _, low, high, step, _ = next(row for row in SETTINGS if row[0] == name)
    cast = int if isinstance(step, int) else float
    moving = solara.use_reactive(cast(value))
    solara.use_effect(lambda: moving.set(cast(value)), [value])  # a restart or a Try it
    with solara.Div(classes=["setting", f"setting-{name}"]):
        solara.Text(in_words(name, moving.value), classes=["setting-label"])
        slider = rv.Slider(v_model=moving.value, on_v_model=lambda v: moving.set(cast(v)),
                           min=low, max=high, step=step, hide_details=True,
                           thumb_label=False)  # fmt: skip

        def let_go(*args: Any) -> None:  # Vuetify's "change": (widget, event, value let go at)
            change(name, cast(args[-1]))

        rv.use_event(slider, "change", let_go)


@solara.component
def Settings(values: dict[str, Any], change: Any, close: Any) -> None:
    """The settings panel. Every change starts both runs again (the page says so)."""
    with solara.Div(classes=["settings"]):
        solara.InputText(
            "Seed",
            value=str(values["seed"]),
            on_value=lambda v: change("seed", v),
            continuous_update=False,
        )
        solara.Text("The same seed gives the same people and the same luck.", classes=["hint"])
        for name, *_ in SETTINGS:
            Setting(name=name, value=values[name], change=change)
        with solara.Div(classes=["setting", "setting-compare"]):
            by_words = {words: name for name, words in STRATEGY_WORDS.items()}
            solara.Select(
                "Side by side with",
                value=STRATEGY_WORDS[values["compare"]],
                values=[STRATEGY_WORDS[name] for name in (NONE, *PRESETS)],
                on_value=lambda words: change("compare", by_words[words]),
            )
            if values["compare"] != NONE:
                solara.Text(_preset_in_numbers(values["compare"]), classes=["setting-label"])
        solara.Button("Close settings", on_click=close, outlined=True, classes=["close-settings"])


def _preset_in_numbers(name: str) -> str:
    """What a compared strategy sets, e.g. 'specificity 0.10, positivity 0.10, 0 favours'."""
    values = PRESETS[name]
    favours = values.get("banked_favours", 0)
    return (
        f"(specificity {values['specificity']:.2f}, positivity {values['positivity']:.2f}, "
        f"{favours} favours banked; everything else as in your settings)"
    )


@solara.component
def About(try_it: Any, close: Any) -> None:
    """What the page shows and what the model assumes, in plain words for a class."""
    with solara.Div(classes=["about"]):
        solara.HTML(tag="h2", unsafe_innerHTML="About this model")
        solara.HTML(
            tag="p",
            unsafe_innerHTML=(
                "Someone has lost their job. Each week they ask three people they know for help, "
                "closest first. Each person answers in one of three ways: <b>sympathy</b> "
                "(\"That's a shame. What's for dinner?\"), <b>'ears open'</b> (\"I'll keep my "
                'ears open", which often means "I don\'t know how to help"), or <b>action</b>: '
                "a lead, an introduction, a word with someone who is hiring. The first network "
                "(on the left, or on top on a phone) is <b>your ask</b>, set in Settings; the "
                "second is the same people asked in another way. Same seed, same people, same "
                "luck: only the ask differs."
            ),
        )
        solara.HTML(tag="h3", unsafe_innerHTML="What the colours mean")
        solara.HTML(
            tag="p",
            unsafe_innerHTML=(
                "Grey: not asked yet. Dark orange-red: sympathy. Yellow-orange: 'ears open'. "
                "Green: action. Light blue: never asked, but someone who is helping passed the "
                "ask on to them, so they keep their ears open too. The blue star is the job "
                "seeker. Thick lines are close ties (family, close friends), thin lines people "
                "seen less often."
            ),
        )
        solara.HTML(tag="h3", unsafe_innerHTML="Three things to try")
        with solara.Div(classes=["try-this"]):
            for i, item in enumerate(TRY_THIS):
                solara.HTML(tag="p", unsafe_innerHTML=f"<b>{i + 1}. {item.title}.</b> {item.see}")
                solara.Button(f"Try it: {item.title.lower()}",
                              on_click=lambda item=item: try_it(item), outlined=True,
                              small=True, classes=[f"try-{i + 1}"])  # fmt: skip
        solara.HTML(tag="h3", unsafe_innerHTML="What the model assumes, and what it cannot show")
        solara.HTML(
            tag="ul",
            unsafe_innerHTML=(
                "<li>The people follow simple rules, chosen to match a career coach's advice "
                "and a few studies. They are not measurements of real people.</li>"
                "<li>A clearer, more upbeat ask makes each person a bit more likely to act; "
                "favours you did for people make them more likely to help back. How much more "
                "is a guess: nobody has measured it for real job seekers.</li>"
                "<li>Openings come by luck. A better ask changes the chances, not one "
                "person's story: try other seeds.</li>"
                "<li>It cannot show feelings, skills, discrimination, or what an interview is "
                "like. It is one network of about twenty people, not a whole town.</li>"
            ),
        )
        solara.HTML(
            tag="p",
            unsafe_innerHTML=(
                'The full description, for teachers and researchers: <a href="model" '
                'target="_blank" rel="noopener">docs/model.md</a> (every rule and number; it '
                "opens in a new tab, and the file is in the project's docs folder)."
            ),
        )
        solara.Button("Close About", on_click=close, outlined=True, classes=["close-about"])


def _projector_from(search: str | None) -> bool:
    """``?projector=1`` (or yes, on, true) in the address starts the page in projector mode."""
    value = parse_qs(search or "").get("projector", ["0"])[-1].strip().lower()
    return value in ("1", "yes", "on", "true")


@solara.component
def Page() -> None:
    """The page. Each browser session builds its own model (a module-level model would be
    shared: one pupil's Next week would move everyone's page)."""
    router = solara.use_router()
    projector = solara.use_reactive(_projector_from(router.search))
    values = solara.use_reactive(dict(DEFAULTS))
    restarts = solara.use_reactive(0)  # "Start again": a new pair of runs, the same settings
    key = (tuple(sorted(values.value.items())), restarts.value)
    room = solara.use_memo(lambda: Classroom(**values.value), dependencies=[key])
    # the run and week last stepped: setting it draws the page again (a new run after a restart
    # is a new value even at the same week)
    drawn = solara.use_reactive((key, 0))
    playing = solara.use_reactive(False)
    settings_open = solara.use_reactive(False)
    about_open = solara.use_reactive(False)
    changed = solara.use_reactive("")

    def play(cancel: threading.Event) -> None:
        # a week every PLAY_SECONDS until paused, restarted, or both searches end; the wait
        # counts from the last week's start, so drawing it does not slow the pace
        due = time.monotonic() + PLAY_SECONDS
        while playing.value and room.running and not cancel.wait(due - time.monotonic()):
            due = time.monotonic() + PLAY_SECONDS
            room.step()
            drawn.set((key, room.week))
        if not room.running:
            playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, room], intrusive_cancel=False)

    def next_week() -> None:
        changed.set("")  # what was said about the last change is history now
        room.step()
        drawn.set((key, room.week))

    def toggle_play() -> None:
        changed.set("")
        playing.set(not playing.value)

    def start_again(message: str = "") -> None:
        playing.set(False)
        restarts.set(restarts.value + 1)
        changed.set(message or "Started again: both runs are back at week 0 (the same seed).")

    def change(name: str, value: Any) -> None:
        if values.value.get(name) == value:
            return
        paused = " Play is paused: press Play to go on." if playing.value else ""
        playing.set(False)
        values.set({**values.value, name: value})
        shown = in_words(name, value) if name not in ("seed", "compare") else (
            f"Seed {value}" if name == "seed"
            else f"Side by side with {STRATEGY_WORDS[value]}"
        )  # fmt: skip
        runs = "Started again" if values.value["compare"] == NONE else "Both runs started again"
        changed.set(f"{shown}. {runs} at week 0.{paused}")

    def try_it(item: Try) -> None:
        # always a fresh pair of runs, even when the settings are already these
        playing.set(False)
        values.set(dict(DEFAULTS) | {k: (str(v) if k == "seed" else v)
                                     for k, v in item.settings.items()})  # fmt: skip
        restarts.set(restarts.value + 1)
        changed.set(
            f"Set up '{item.title}': seed {item.settings['seed']}, everything else back to its "
            f"starting value. Press Next week {item.weeks} times."
        )
        about_open.set(False)

    thick = 2.0 if projector.value else 1.0
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Div(classes=["classroom"] + (["projector"] if projector.value else [])):
        solara.HTML(tag="h1", unsafe_innerHTML=TITLE)
        solara.Text(SUBTITLE, classes=["subtitle"])
        with solara.Div(classes=["bar"]):
            solara.Button("Next week", on_click=next_week, color="primary",
                          disabled=playing.value or not room.running,
                          classes=["next-week"])  # fmt: skip
            solara.Button("Pause" if playing.value else "Play",
                          on_click=toggle_play,
                          disabled=not room.running and not playing.value,
                          classes=["play"])  # fmt: skip
            solara.Button("Start again", on_click=lambda: start_again(), classes=["start-again"])
            solara.Button("Close settings" if settings_open.value else "Settings",
                          on_click=lambda: settings_open.set(not settings_open.value),
                          outlined=True, classes=["settings-toggle"])  # fmt: skip
            solara.Button("Close About" if about_open.value else "About",
                          on_click=lambda: about_open.set(not about_open.value),
                          outlined=True, classes=["about-toggle"])  # fmt: skip
            solara.Button("Normal size" if projector.value else "Projector",
                          on_click=lambda: projector.set(not projector.value),
                          outlined=True, classes=["projector-toggle"])  # fmt: skip
        week = f"Week {room.week} of {room.panels[0].model.params.weeks}"
        if not room.running:
            week += ": both searches are over. Press Start again, or change a setting."
        solara.Text(week, classes=["status", "week"])
        if changed.value:
            solara.Text(changed.value, classes=["changed"])
        if room.notice:
            solara.Warning(room.notice)
        if about_open.value:
            About(try_it=try_it, close=lambda: about_open.set(False))
        solara.HTML(tag="ul", unsafe_innerHTML=_legend_html(), classes=["legend"])
        views = [room.view(i) for i in range(len(room.panels))]
        frame = (key, room.week, drawn.value)  # the run and week drawn: redraw when it changes
        with solara.Div(classes=["main"]):
            if settings_open.value:
                Settings(values=values.value, change=change,
                         close=lambda: settings_open.set(False))  # fmt: skip
            with solara.Div(classes=["networks"]):
                for i, view in enumerate(views):
                    NetworkCard(view=view, index=i, thick=thick, frame=frame)
                if len(views) == 1:
                    solara.Info("Nothing side by side: choose a strategy in Settings.")
        with solara.Div(classes=["histories"]):
            for i, view in enumerate(views):
                History(view=view, index=i, thick=thick, frame=frame)


def model_description_html(path: Path = MODEL_DOC) -> str:
    """docs/model.md as HTML for the page at ``/model``: headings keep their anchors (the
    contents list works), links to other files of the project become plain text (this server
    does not serve them). Raises ``OSError`` if the file cannot be read."""
    html = markdown.markdown(path.read_text(encoding="utf-8"),
                             extensions=["tables", "fenced_code", "toc"])  # fmt: skip
    return re.sub(r'<a href="(?!#|https?:)[^"]*">(.*?)</a>', r"\1", html)


@solara.component
def ModelDescription() -> None:
    """The About panel's link: the full model description, served by this computer."""
    solara.Title("The model: docs/model.md")
    solara.Style(CSS)
    try:
        html = model_description_html()
    except OSError:  # an installed package without the project folder beside it
        html = "<p>docs/model.md is in the project's docs folder, beside this program.</p>"
    with solara.Div(classes=["classroom", "model-doc"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)


@solara.component
def Layout(children: list[Any] | None = None) -> Any:
    """No app bar, no drawer: the page is the whole window."""
    return solara.Div(children=children or [])


# The first route's layout frames every route: without it Solara adds an app bar with a tab per
# route.
routes = [
    solara.Route(path="/", component=Page, label=TITLE, layout=Layout),
    solara.Route(path="model", component=ModelDescription, label="The model"),
]
