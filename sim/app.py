"""The classroom demo: a Mesa SolaraViz page of one seeker's personal network, live.

Serve it with ``empathy-sim demo`` (or ``solara run sim/app.py``). The left panel is the ask set
by the sliders; the right one a named strategy on the same network and seed (``compare``), so a
class sees that only the ask changed. Each contact is coloured by its current answer, tie
strength is line weight, the seeker is the star. Below: the answers and the leads and
introductions over the weeks, and what people said, in plain words. The model behind it is
:class:`sim.classroom.Classroom`; this module only draws it.
"""

from __future__ import annotations

from typing import Any

import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mesa.visualization import Slider, SolaraViz

from sim import plots
from sim.classroom import NONE, Classroom, View
from sim.params import PRESETS

MODEL_PARAMS: dict[str, Any] = {
    "seed": {"type": "InputText", "value": "1", "label": "Seed (the same seed: the same network)"},
    "specificity": Slider("Specificity of your ask", 0.5, 0.0, 1.0, 0.05),
    "positivity": Slider("Positivity", 0.5, 0.0, 1.0, 0.05),
    "banked_favours": Slider("Favours banked before the job loss", 0, 0, 16, 1),
    "gossip_rate": Slider("Gossip out of earshot (per week)", 0.2, 0.0, 0.6, 0.05),
    "n_family": Slider("Family", 3, 0, 8, 1),
    "n_friends": Slider("Close friends", 3, 0, 8, 1),
    "n_colleagues": Slider("Former colleagues", 6, 0, 12, 1),
    "n_acquaintances": Slider("Acquaintances", 8, 0, 16, 1),
    "compare": {
        "type": "Select",
        "value": "vague-gloomy",
        "values": [NONE, *PRESETS],
        "label": "Side by side with",
    },
}


def _network_figure(view: View) -> Figure:
    fig = Figure(figsize=(5.6, 4.2), layout="constrained")  # not pyplot: nothing to leak
    ax = fig.add_subplot()
    plots.network_snapshot(view.graph, ax)
    ax.set_title(f"{view.label}: {view.status}")
    return fig


def _history_figure(view: View) -> Figure:
    fig = Figure(figsize=(5.6, 2.8), layout="constrained")
    answers, passes = fig.subplots(1, 2)
    weeks = [0] + [row["week"] for row in view.history]
    for key in ("sympathy", "ears_open", "action"):
        values = [0] + [row[key] for row in view.history]
        answers.plot(weeks, values, "o-", ms=3, color=plots.ANSWER_COLOURS[key], lw=2,
                     label=plots.ANSWER_LABELS[key])  # fmt: skip
    answers.set_ylabel("answers so far")
    for key, colour in (("leads", plots.OKABE_ITO[4]), ("introductions", plots.OKABE_ITO[2])):
        values = [0] + [row[key] for row in view.history]
        passes.plot(weeks, values, "o-", ms=3, color=colour, lw=2, label=key)
    passes.set_ylabel("openings passed to you")
    for ax in (answers, passes):
        ax.set_xlabel("week")
        ax.set_xlim(0, view.weeks)  # the same scale on both panels, whoever is hired first
        ax.set_ylim(0, max(2, ax.get_ylim()[1]))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False, fontsize="small", loc="upper left")
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def _panel(model: Classroom, index: int) -> Any:
    """One strategy's column: the network coloured by answer, the counts, the weeks so far and
    what people said. Panel 1 is empty when nothing is chosen to compare with."""
    with solara.Column(classes=[f"panel-{index}"]) as column:
        if index == 0 and model.notice:
            solara.Warning(model.notice)
        if index >= len(model.panels):
            solara.Info("Choose a strategy under 'Side by side with' and press Reset.")
            return column
        view = model.view(index)  # one consistent week, even while Play steps the model
        solara.FigureMatplotlib(_network_figure(view), format="png")
        solara.Text(view.summary, classes=["answer-counts"])
        solara.FigureMatplotlib(_history_figure(view), format="png")
        with solara.Card(f"What people said: {view.label}"):
            if not view.contacts:
                empty = "No contacts to ask: add family, friends or others and press Reset."
            else:
                empty = "Nobody has been asked yet: press Step."
            # plain text, not Markdown: Solara's Markdown would fetch a maths renderer
            for line in view.log or [empty]:
                solara.Text(f"• {line}", style={"display": "block", "margin-bottom": "4px"})
    return column


def your_ask(model: Classroom) -> Any:
    return _panel(model, 0)


def compared(model: Classroom) -> Any:
    return _panel(model, 1)


@solara.component
def Page() -> None:  # noqa: N802 (Solara names components like classes)
    """The page. Each browser session builds its own model (a module-level model would be
    shared: one pupil's Step would move everyone's page)."""
    model = solara.use_memo(Classroom, dependencies=[])
    SolaraViz(
        model,
        components=[(your_ask, 0), (compared, 0)],
        model_params=MODEL_PARAMS,
        name="Sympathy or help? One job seeker's network",
        play_interval=500,  # the most the page's Play Interval slider offers
    )


page = Page
