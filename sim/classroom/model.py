"""The classroom demo's model: one personal network, the same seed, two strategies side by side.

:class:`Classroom` holds two single-seeker :class:`~sim.model.mesa_model.JobSearchModel` runs built
from one seed, so both panels show the same people with the same ties and histories: only the ask
differs. Each week it steps both, and keeps what the page shows: each contact's current answer,
the counts, the running totals of answers, leads and introductions, and what people said in
plain words. The Solara page (``sim/classroom/page.py``) only draws these.

Examples
--------
>>> room = Classroom(seed=3, compare="vague-gloomy")
>>> [panel.label for panel in room.panels]
['your ask', 'vague-gloomy']
>>> room.step()
>>> room.panels[0].graph.number_of_nodes() == room.panels[1].graph.number_of_nodes()
True
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any

import mesa
import networkx as nx

from sim.model.graphs import SEEKER
from sim.model.mesa_model import JobSearchModel
from sim.model.params import PRESETS, ConfigError
from sim.model.rules import INTRO, STATE_NAMES

NONE = "none"  # no comparison panel
HEARD = "heard"  # never asked, but heard of the search through gossip
WEEKS = 26
# What each contact is called in the log, by role, in order of appearance.
NAMES = {
    "family": ["Mum", "Aunt", "Brother", "Cousin", "Uncle", "Sister", "Grandad", "Niece"],
    "friend": ["Sam (friend)", "Ana (friend)", "Jo (friend)", "Priya (friend)", "Tom (friend)"],
    "colleague": ["Lee (former colleague)", "Kim (former colleague)", "Raj (former colleague)",
                  "Eva (former colleague)", "Ben (former colleague)", "Mia (former colleague)"],
    "acquaintance": ["A neighbour", "A gym buddy", "An old classmate", "A parent at school",
                     "A friend of a friend", "The barber", "A former client", "A choir member"],
}  # fmt: skip
HOW_HIRED = {  # the channel of the hire, as the page says it
    "direct": "found the job alone",
    "lead": "through a lead",
    "intro": "through an introduction",
}
SAID = {
    "sympathy": [
        "'That's a shame. What's for dinner?'",
        "'Oh no, how awful. Something will turn up.'",
        "'Poor you. It's a tough market out there.'",
    ],
    "ears_open": [
        "'I'll keep my ears open.'",
        "'I'll let you know if I hear of anything.'",
    ],
    "action": [
        "'I know the hiring manager there. I'll introduce you.'",
        "'Send me your CV: I'll pass it to a friend who is hiring.'",
        "'Let me ask around at my firm for that exact role.'",
    ],
}


# The page's settings, in its order: (name, label, lowest, highest, step, default). The defaults
# are Classroom's own keyword defaults (a test checks that they agree).
SETTINGS: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("specificity", "Specificity of your ask", 0.0, 1.0, 0.05, 0.5),
    ("positivity", "Positivity", 0.0, 1.0, 0.05, 0.5),
    ("banked_favours", "Favours banked", 0, 16, 1, 0),
    ("gossip_rate", "Gossip out of earshot", 0.0, 0.6, 0.05, 0.2),
    ("n_family", "Family", 0, 8, 1, 3),
    ("n_friends", "Close friends", 0, 8, 1, 3),
    ("n_colleagues", "Former colleagues", 0, 12, 1, 6),
    ("n_acquaintances", "Acquaintances", 0, 16, 1, 8),
)
# Plain words for the two sliders of the ask, in five even bands of [0, 1]. They are labels for
# a class, not part of the model (which uses only the number); the examples follow the post
# ("open to everything" is its vague ask, "introduce you to a target company" its specific one).
SPECIFICITY_WORDS = (
    "'open to anything'",
    "a field, no role",
    "a kind of job in a field",
    "a named role",
    "a named role at a named company",
)
POSITIVITY_WORDS = (
    "gloomy: 'nobody is hiring'",
    "downbeat",
    "matter-of-fact",
    "upbeat",
    "upbeat and confident",
)
STRATEGY_WORDS = {
    NONE: "nothing (one network only)",
    "vague-gloomy": "a vague, gloomy ask",
    "vague-positive": "a vague, positive ask",
    "specific-gloomy": "a specific, gloomy ask",
    "specific-positive": "a specific, positive ask",
    "help-banker": "a middling ask with 8 favours banked",
}


def in_words(name: str, value: float) -> str:
    """A setting's value in numbers and plain words, as the page's slider shows it.

    >>> in_words("specificity", 0.8)
    'Specificity: 0.80, a named role at a named company'
    >>> in_words("gossip_rate", 0.2)
    'Gossip out of earshot: 0.20 a week (each contact who knows talks about you 2 weeks in 10)'

    Raises ``KeyError`` for a name that is not in :data:`SETTINGS`.
    """
    if name in ("specificity", "positivity"):
        words = SPECIFICITY_WORDS if name == "specificity" else POSITIVITY_WORDS
        band = words[min(int(round(value * len(words), 9)), len(words) - 1)]  # 0.6 in its band
        return f"{name.capitalize()}: {value:.2f}, {band}"
    if name == "gossip_rate":
        if value == 0:
            return "Gossip out of earshot: 0.00, nobody talks about you behind your back"
        tenths = round(value * 10, 1)
        shown = f"{tenths:g}"
        return (
            f"Gossip out of earshot: {value:.2f} a week (each contact who knows talks about you "
            f"{shown} week{'' if tenths == 1 else 's'} in 10)"
        )
    if name == "banked_favours":
        n = int(value)
        if n == 0:
            return "Favours banked: 0, no favours done for others before the job loss"
        return f"Favours banked: {n}, favour{'' if n == 1 else 's'} you did for contacts before"
    label = {row[0]: row[1] for row in SETTINGS}[name]
    n = int(value)
    return f"{label}: {n} {'person' if n == 1 else 'people'}"


@dataclass(frozen=True)
class Try:
    """One of the About panel's things to try: the settings that show it and what to see."""

    title: str
    settings: dict[str, Any]  # Classroom keywords; the rest keep their defaults
    weeks: int  # presses of "Next week" that show it
    see: str  # what the class sees, in plain words (tests/test_classroom.py checks each claim)


TRY_THIS = (
    Try(
        "A specific, positive ask",
        {"seed": 1, "specificity": 1.0, "positivity": 1.0},
        8,
        "Seed 1, specificity and positivity at 1.0, eight weeks: 11 of the 20 contacts act on "
        "your ask, only 3 on the vague, gloomy one. Same people, same luck: only the ask changed.",
    ),
    Try(
        "Luck still matters",
        {"seed": 16, "specificity": 1.0, "positivity": 1.0},
        7,
        "Seed 16, the same strong ask: the vague, gloomy seeker finds a job on their own in "
        "week 1, while the strong ask needs until week 7. A better ask changes the odds, not "
        "every story.",
    ),
    Try(
        "Favours come back",
        {"seed": 1, "banked_favours": 8},
        4,
        "Seed 1, a middling ask, 8 favours banked: hired in week 4 through an introduction. "
        "Then slide 'Favours banked' back to 0 in Settings and press Play: the same seeker, asking "
        "the same way, waits until week 12.",
    ),
)


@dataclass
class Panel:
    """One strategy's run, and what the page shows of it."""

    label: str
    model: JobSearchModel
    history: list[dict[str, int]] = field(default_factory=list)  # running totals per week
    log: list[str] = field(default_factory=list)  # what people said, newest week first

    @property
    def graph(self) -> nx.Graph:
        return self.model.graph

    @functools.cached_property
    def names(self) -> dict[int, str]:
        """A plain name for every contact: the label a file gives them, else one by role (the
        network never changes)."""
        seen: dict[str, int] = {}
        out = {}
        for node in sorted(self.graph.nodes):
            if node == SEEKER:
                continue
            label = self.graph.nodes[node].get("label")
            if isinstance(label, str):  # a file's (or a named graph's) own name for them
                out[node] = label
                continue
            role = self.graph.nodes[node].get("role", "acquaintance")
            i = seen[role] = seen.get(role, -1) + 1
            pool = NAMES.get(role, NAMES["acquaintance"])
            out[node] = pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "")
        return out

    def answers(self) -> dict[int, str]:
        """Each contact's current answer to the seeker: unaware, sympathy, ears_open, action,
        or heard (never asked, but told of the search by another contact, out of earshot)."""
        asked = {contact for _, _, contact, _ in self.model.answers}
        out = {}
        for person in self.model.person:
            if person.node == SEEKER:
                continue
            view = person.views.get(SEEKER)
            state = STATE_NAMES[view.state] if view is not None else "unaware"
            out[person.node] = state if person.node in asked or state == "unaware" else HEARD
        return out

    def counts(self, answers: dict[int, str] | None = None) -> dict[str, int]:
        counts = dict.fromkeys((*STATE_NAMES, HEARD), 0)
        for answer in (self.answers() if answers is None else answers).values():
            counts[answer] += 1
        return counts

    def summary(self, answers: dict[int, str] | None = None) -> str:
        """The line the page shows under the network, e.g. '20 contacts: 14 not asked, ...'."""
        c = self.counts(answers)
        total = sum(c.values())
        heard = f", {c[HEARD]} heard second-hand" if c[HEARD] else ""
        return (
            f"{total} contact{'' if total == 1 else 's'}: {c['unaware']} not asked{heard}, "
            f"{c['sympathy']} sympathy, {c['ears_open']} ears open, {c['action']} action"
        )

    def status(self) -> str:
        m = self.model
        if m.weeks_to_offer:
            how = HOW_HIRED.get(m.hired_channel, m.hired_channel)
            return f"hired in week {m.weeks_to_offer} ({how})"
        if not m.steps:
            return "just lost the job"
        return f"still searching after {m.steps} week{'' if m.steps == 1 else 's'}"

    @property
    def title(self) -> str:
        """The panel's name as the page shows it: 'Your ask', 'A vague, gloomy ask', ..."""
        words = "your ask" if self.label == "your ask" else STRATEGY_WORDS[self.label]
        return words[0].upper() + words[1:]

    @functools.cached_property
    def layout(self) -> dict[int, Any]:
        """Where each person is drawn: computed once (the network never changes), seeded."""
        return nx.spring_layout(self.graph, seed=0)

    def annotated(self, answers: dict[int, str] | None = None) -> nx.Graph:
        """The network with each contact's ``answer`` and the ``name`` the log calls them
        ("Lee", not "Lee (former colleague)": the picture has little room), for
        ``sim.studies.plots.network_snapshot``."""
        graph = self.graph.copy()
        nx.set_node_attributes(graph, self.answers() if answers is None else answers, "answer")
        short = {node: name.split(" (")[0] for node, name in self.names.items()}
        nx.set_node_attributes(graph, short, "name")
        return graph

    def record(self) -> None:
        """After a week: add to the running totals and put the week's words in the log."""
        m, week = self.model, self.model.steps
        names = self.names
        said = []
        for w, _, contact, answer in m.answers:
            if w == week:
                line = SAID[answer][(contact + week) % len(SAID[answer])]
                said.append(f"{names[contact]}: {line}")
        leads = intros = 0
        for channel, helper, hired, _ in m.offers.get(m.seeker, []):
            if helper is None:
                what = "You applied for an opening you found yourself"
            elif channel == INTRO:
                intros += 1
                what = f"{names.get(helper.node, 'Someone')} introduced you for an opening"
            else:  # a helper who is not introducing passes a bare lead
                leads += 1
                what = f"{names.get(helper.node, 'Someone')} passed on a lead"
            said.append(what + (": an offer!" if hired else ": no offer this time."))
        if m.weeks_to_offer == week and week:
            said.append(f"You start a new job (week {week}).")
        last = self.history[-1] if self.history else dict.fromkeys(
            ("sympathy", "ears_open", "action", "leads", "introductions"), 0
        )  # fmt: skip
        row = {key: last[key] + m.week[key] for key in ("sympathy", "ears_open", "action")}
        row |= {"week": week, "leads": last["leads"] + leads,
                "introductions": last["introductions"] + intros}  # fmt: skip
        self.history.append(row)
        self.log = [f"Week {week}: {line}" for line in said] + self.log


class Classroom(mesa.Model):
    """Two single-seeker runs on one seed: the ask set by the sliders, and a named strategy.

    On the built-in personal network by default, or on ``graph_file`` (an edge list or GraphML
    read as :mod:`sim.model.graphfile` specifies, ``seeker`` a label in it), whose labels the log
    uses.

    Every keyword has a default (the page rebuilds it from its settings, as Mesa's SolaraViz
    would). ``seed`` may be text (from the page's seed box); anything but a whole number >= 0
    falls back to 0 with a notice.
    """

    def __init__(
        self,
        seed: Any = 1,
        specificity: float = 0.5,
        positivity: float = 0.5,
        banked_favours: int = 0,
        gossip_rate: float = 0.2,
        n_family: int = 3,
        n_friends: int = 3,
        n_colleagues: int = 6,
        n_acquaintances: int = 8,
        compare: str = "vague-gloomy",
        weeks: int = WEEKS,
        graph_file: str = "",
        seeker: str = "",
    ) -> None:
        self.notice = ""
        try:
            number = int(str(seed).strip())
            if number < 0:
                raise ValueError
        except ValueError:
            shown = str(seed) if len(str(seed)) <= 24 else str(seed)[:20] + "..."
            self.notice = f"Seed '{shown}' is not a whole number (0, 1, 2, ...): using seed 0."
            number = 0
        super().__init__(rng=number)  # Mesa 3.5 deprecates seed=; for an int the same streams
        self.seed_used = number
        if compare != NONE and compare not in PRESETS:
            raise ConfigError(f"compare='{compare}'; allowed: none, {', '.join(PRESETS)}")
        shared: dict[str, Any] = {
            "scenario": "single",
            "weeks": weeks,
            "gossip_rate": gossip_rate,
            "n_family": n_family,
            "n_friends": n_friends,
            "n_colleagues": n_colleagues,
            "n_acquaintances": n_acquaintances,
        }
        if graph_file:  # the class's own network (docs/graph-files.md); people keep their names
            shared.update(graph="file", graph_file=graph_file, seeker=seeker)
            for name in ("n_family", "n_friends", "n_colleagues", "n_acquaintances"):
                del shared[name]
        yours = JobSearchModel(
            seed=number, specificity=specificity, positivity=positivity,
            banked_favours=banked_favours, **shared,
        )  # fmt: skip
        self.panels = [Panel("your ask", yours)]
        if compare != NONE:  # the same seed: the same network, ties and histories
            self.panels.append(
                Panel(compare, JobSearchModel(seed=number, strategy=compare, **shared))
            )
        self.running = True
        # The page draws in one thread while Play steps in another: both hold this lock, so a
        # drawing never mixes two weeks.
        self.lock = threading.Lock()

    def step(self) -> None:
        with self.lock:
            for panel in self.panels:
                if panel.model.running:
                    panel.model.step()
                    panel.record()
            self.running = any(panel.model.running for panel in self.panels)

    @property
    def week(self) -> int:
        """Weeks stepped so far: the page's week counter (a run that has ended stops at its
        hire, the other goes on)."""
        return max(panel.model.steps for panel in self.panels)

    def view(self, index: int) -> View:
        """What the page draws of panel ``index``, copied under the lock."""
        with self.lock:
            panel = self.panels[index]
            answers = panel.answers()
            return View(
                label=panel.label,
                title=panel.title,
                status=panel.status(),
                summary=panel.summary(answers),
                graph=panel.annotated(answers),
                history=[dict(row) for row in panel.history],
                log=list(panel.log),
                pos=panel.layout,
                contacts=panel.graph.number_of_nodes() - 1,
                weeks=panel.model.params.weeks,
            )


@dataclass(frozen=True)
class View:
    """One panel at one moment, for drawing."""

    label: str  # "your ask" or the compared preset's name
    title: str  # the same in words: "Your ask", "A vague, gloomy ask"
    status: str
    summary: str
    graph: nx.Graph
    history: list[dict[str, int]]
    log: list[str]  # everything said so far, newest week first
    contacts: int
    weeks: int
    pos: dict[int, Any]  # the drawing's layout, the same every week
