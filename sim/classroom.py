"""The classroom demo's model: one personal network, the same seed, two strategies side by side.

:class:`Classroom` holds two single-seeker :class:`~sim.model.JobSearchModel` runs built from
one seed, so both panels show the same people with the same ties and histories: only the ask
differs. Each week it steps both, and keeps what the page shows: each contact's current answer,
the counts, the running totals of answers, leads and introductions, and what people said in
plain words. The Solara page (``sim/app.py``) only draws these.

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

from sim.graphs import SEEKER
from sim.model import JobSearchModel
from sim.params import PRESETS, ConfigError
from sim.rules import INTRO, STATE_NAMES

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
            return f"hired in week {m.weeks_to_offer} ({m.hired_channel})"
        return f"week {m.steps}: still searching" if m.steps else "week 0: just lost the job"

    def annotated(self, answers: dict[int, str] | None = None) -> nx.Graph:
        """The network with each contact's ``answer`` (for ``sim.plots.network_snapshot``)."""
        graph = self.graph.copy()
        nx.set_node_attributes(graph, self.answers() if answers is None else answers, "answer")
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
        for channel, helper, hired in m.offers.get(m.seeker, []):
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
    read as :mod:`sim.graphfile` specifies, ``seeker`` a label in it), whose labels the log uses.

    Every keyword has a default, as SolaraViz's Reset needs. ``seed`` may be text (from the
    page's seed box); anything but a whole number >= 0 falls back to 0 with a notice.
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
            self.notice = f"seed '{shown}' is not a whole number >= 0; using 0"
            number = 0
        super().__init__(seed=number)
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

    def view(self, index: int) -> View:
        """What the page draws of panel ``index``, copied under the lock."""
        with self.lock:
            panel = self.panels[index]
            answers = panel.answers()
            return View(
                label=panel.label,
                status=panel.status(),
                summary=panel.summary(answers),
                graph=panel.annotated(answers),
                history=[dict(row) for row in panel.history],
                log=list(panel.log[:12]),
                contacts=panel.graph.number_of_nodes() - 1,
                weeks=panel.model.params.weeks,
            )


@dataclass(frozen=True)
class View:
    """One panel at one moment, for drawing."""

    label: str
    status: str
    summary: str
    graph: nx.Graph
    history: list[dict[str, int]]
    log: list[str]
    contacts: int
    weeks: int
