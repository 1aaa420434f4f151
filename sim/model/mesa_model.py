"""The Mesa reference model: job search on a network, one week per step.

The schedule of a week (``docs/model.md``, Process overview) is, in this order: asks, gossip out
of earshot, openings (direct applications and passing), hires, separations, help bank. With
``baseline=True`` the behavioural levers are off and the model is exactly the job-information
model of Calvo-Armengol & Jackson (2004), which ``sim.model.exact`` solves for small graphs.

Examples
--------
>>> m = JobSearchModel(seed=7, strategy="specific-positive")
>>> m.run()
>>> m.seeker.employed == (m.weeks_to_offer > 0)
True
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from sim.model.agents import Person
from sim.model.graphs import SEEKER, build_graph, prepare
from sim.model.interventions import (
    CONTROL,
    OTHER,
    TREATED,
    WHOM,
    choose_treated,
    clipped,
)
from sim.model.params import Params, check_seed
from sim.model.population import Population, draw, draws
from sim.model.results import (
    A_AT_RISK,
    A_EXITS,
    A_PEOPLE,
    A_VIA,
    A_WEEKS,
    ARM_COUNTS,
    EVENTS,
    G_AT_RISK,
    G_EXITS,
    G_PEOPLE,
    G_VIA,
    GROUP_COUNTS,
    SPELL_BINS,
    spell_bin_of,
)
from sim.model.rules import CHANNEL_NAMES, STATE_NAMES, TIE_NAMES, rules_from

# Counts collected every week (one list for both engines); each is reset at the start of a week.
WEEKLY_COUNTS = EVENTS


def _weekly(key: str):
    def report(model: JobSearchModel) -> int:
        return model.week[key]

    return report


class JobSearchModel(mesa.Model):
    """Job search on a social network, with sympathy, productive empathy and a help bank.

    Parameters
    ----------
    seed : int, optional
        Fixes everything: the graph, tie classes, initial states and every draw.
    strategy : str, optional
        A named preset from ``sim.model.params.PRESETS`` applied before ``params``.
    network : networkx.Graph, optional
        Use this graph instead of building one from ``params`` (it is copied and relabelled).
    population : sim.model.population.Population, optional
        Each person's strategy group and values (``sim.model.runs.run`` passes the one the
        Numba engine gets too); without it, a mixed population (``mix``, spreads) is drawn
        from this model's own random stream.
    **params
        Any parameter of :class:`sim.model.params.Params`; unknown names and out-of-range values
        raise :class:`sim.model.params.ConfigError`. Every keyword has a default, so the class works
        with ``mesa.batch_run`` and SolaraViz as it is.

    Notes
    -----
    ``datacollector`` records one row at the end of every week, none before the first: row
    ``k - 1`` is week ``k`` (its ``week`` column says so), so the last row, at index
    ``steps - 1``, is always the current state. That is the row Mesa 3.3's ``batch_run`` reads
    as a run's result (``model_vars[steps - 1]``, labelled ``Step = steps - 1``); with a row at
    week 0 as well it would report the week before the last, and miss a hire made in the last
    week (mesa#2514; Mesa 3.5 reads the last row collected instead). The state at week 0 is in
    ``start``, one value per reporter. ``steps`` stays the number of weeks run, which the
    classroom page shows. Mesa 3.3's ``batch_run`` steps while ``steps <= max_steps``: with
    ``max_steps >= weeks`` the model stops itself first, at ``weeks`` or at the hire; with a
    smaller ``max_steps`` it runs ``max_steps + 1`` weeks, and the row's ``week`` says so.
    """

    def __init__(
        self,
        seed: int | None = None,
        strategy: str | None = None,
        network: nx.Graph | None = None,
        population: Population | None = None,
        **params: Any,
    ) -> None:
        # rng=, not seed= (deprecated from Mesa 3.5): for a whole number the very same streams
        super().__init__(rng=check_seed(seed))
        self.params = Params.from_dict(params, strategy=strategy)
        p = self.params
        self.rules = rules_from(p)
        self.single = p.scenario == "single"
        self.separation_rate = 0.0 if self.single else p.separation_rate
        self.exit_rate = 0.0 if self.single or p.baseline else p.exit_rate
        if network is None:
            self.graph, self.graph_reading = build_graph(p, seed=self.random)
        else:
            self.graph = prepare(
                network, p.share_close, p.share_regular, self.random, p.tie_strength
            )
            self.graph_reading = None
        self.grid = Network(self.graph, random=self.random)

        rnd = self.random
        n = self.graph.number_of_nodes()
        if population is None:  # from a stream of the seed's own, as sim.model.runs does
            stream = np.random.SeedSequence(seed, spawn_key=(0, 2)) if draws(p) else 0
            population = draw(p, n, np.random.default_rng(stream))
        if population.n_people != n:
            raise ValueError(f"the population has {population.n_people} people, the graph {n}")
        self.population = population
        self.by_group = np.zeros((len(population.names), len(GROUP_COUNTS)), dtype=np.int64)
        # a programme (sim.model.interventions): its weeks, arms and this week's state
        self.programme_start = p.treat_start or p.burn_in + 1
        self.programme_stop = (
            self.programme_start + p.treat_weeks if p.treat_weeks > 0 else p.weeks + 1
        )
        self.by_arm = np.zeros((3, len(ARM_COUNTS)), dtype=np.int64)
        self.arm_size = np.array([n, 0, 0])
        self.followed = self.active = False
        self.bonus = 0.0
        self.club: list[Person] = []
        self.person: list[Person] = []
        for node in range(n):
            employed = node != SEEKER if self.single else rnd.random() >= p.initial_unemployed
            experienced = rnd.random() < p.experienced_share
            banker = rnd.random() < p.help_banker_share
            cell = self.grid[node]
            self.person.append(
                Person(self, cell, employed=employed, experienced=experienced, help_banker=banker)
            )
            self.by_group[population.group[node], G_PEOPLE] += 1
        for person in self.person:
            for neighbour, data in sorted(self.graph.adj[person.node].items()):
                person.contacts.append(self.person[neighbour])
                person.tie[neighbour] = data["tie"]

        self.seeker: Person = self.person[SEEKER]
        self.weeks_to_offer = 0  # week of the seeker's offer; 0 while none (single scenario)
        self.hired_channel = ""
        self.answers: list[tuple[int, int, int, str]] = []  # (week, seeker, contact, answer)
        if self.single and p.banked_favours and self.seeker.contacts:
            # The seeker's help bank: favours done for random contacts over the years.
            for _ in range(p.banked_favours):
                debtor = rnd.choice(self.seeker.contacts)
                debtor.owes[SEEKER] = debtor.owes.get(SEEKER, 0.0) + 1.0
            self.seeker.reputation = float(p.banked_favours)

        # Measured over the window (weeks after burn_in); shapes as in sim.model.results.Runs.
        self.measured = False
        self.spell_bin = spell_bin_of(p.weeks)
        self.hazard = np.zeros((2, len(SPELL_BINS)), dtype=np.int64)
        self.spells = np.zeros((2, p.weeks + 2), dtype=np.int64)
        self.elapsed = np.zeros(p.weeks + 2, dtype=np.int64)
        self.correlation = np.zeros(5)
        self.week: Counter[str] = Counter()
        self.offers: dict[Person, list[tuple[int, Person | None, bool, bool]]] = {}
        self.helped: list[tuple[Person, Person, bool]] = []
        reporters: dict[str, Any] = {key: _weekly(key) for key in WEEKLY_COUNTS}
        reporters["employed"] = lambda m: m.count_employed()
        reporters["unemployed"] = lambda m: sum(not person.employed for person in m.person)
        reporters["mean_reputation"] = lambda m: m.mean_reputation()
        reporters["seeker_hired"] = lambda m: int(m.seeker.employed) if m.single else -1
        reporters["week"] = lambda m: m.steps
        # Week 0 is kept here, not collected: batch_run takes row steps - 1 (see Notes).
        self.start: dict[str, float] = {name: report(self) for name, report in reporters.items()}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    # --- one week ---------------------------------------------------------------------------
    def step(self) -> None:
        self.week = Counter()
        self.measured = self.steps > self.params.burn_in
        self._programme_week()
        for person in self.person:
            person.employed_at_start = person.employed
            if self.measured and not person.employed:
                self.hazard[0, self.spell_bin[person.weeks_unemployed]] += 1
                self.by_group[person.group, G_AT_RISK] += 1
        if not self.params.baseline:
            self.agents.shuffle_do("ask")
            self.agents.shuffle_do("gossip")
        self.offers = {}
        self.helped = []
        self.agents.shuffle_do("hear_opening")
        self._hire()
        self.agents.shuffle_do("separate")
        self._settle_help_bank()
        if self.exit_rate > 0.0:
            self.agents.shuffle_do("age")
        self.agents.do("end_week")
        if self.measured:
            self._measure_correlation()
        self.datacollector.collect(self)
        done = self.single and self.seeker.employed
        if done or self.steps >= self.params.weeks:
            self.running = False
            self.tie_products()  # here, not in run(): batch_run and SolaraViz step by hand

    def _programme_week(self) -> None:
        """A programme's business at the start of a week: it starts or ends; each arm's
        person-weeks and unemployed at risk; the job club's members; the referral bonus."""
        p, week = self.params, self.steps
        if p.intervention == "none":
            return
        if week == self.programme_start:
            self._start_programme()
        if p.intervention == "coaching" and week == self.programme_stop:
            for person in self.person:
                if person.arm == TREATED:
                    person.ask_as(self.population)
        self.followed = week >= self.programme_start
        self.active = self.followed and week < self.programme_stop
        if not self.followed:
            return
        self.by_arm[:, A_WEEKS] += self.arm_size
        for person in self.person:
            if not person.employed:
                self.by_arm[person.arm, A_AT_RISK] += 1
        self.club = [
            person for person in self.person
            if self.active and p.intervention == "job-club" and person.arm == TREATED
            and not person.employed
        ]  # fmt: skip
        self.bonus = p.bonus_logit if self.active and p.intervention == "referral-bonus" else 0.0

    def _start_programme(self) -> None:
        """Its eligible are the unemployed now; a share of them treated, in the order
        ``treat_whom`` sets (``sim.model.interventions.choose_treated``)."""
        p = self.params
        eligible = np.array([q.node for q in self.person if not q.employed], dtype=np.int64)
        spell = np.array([q.weeks_unemployed for q in self.person], dtype=np.int64)
        degree = np.array([len(q.contacts) for q in self.person], dtype=np.int64)
        treated = choose_treated(
            eligible, spell, degree, self.population.priority, WHOM[p.treat_whom],
            p.treated_share,
        )  # fmt: skip
        for node in eligible:
            self.person[node].arm = CONTROL
        for node in treated:
            person = self.person[node]
            person.arm = TREATED
            if p.intervention == "coaching":
                person.specificity = clipped(person.specificity, p.coaching_specificity)
                person.positivity = clipped(person.positivity, p.coaching_positivity)
        self.arm_size[:] = [len(self.person) - len(eligible), len(eligible) - len(treated),
                            len(treated)]  # fmt: skip
        self.by_arm[:, A_PEOPLE] = self.arm_size

    def leave_arm(self, person: Person) -> None:
        """A member of an arm left the labour force: the entrant is untreated, in no arm."""
        if person.arm == OTHER:
            return
        if person.arm == TREATED and self.params.intervention == "coaching":
            person.ask_as(self.population)
        self.arm_size[person.arm] -= 1
        self.arm_size[OTHER] += 1
        person.arm = OTHER

    def run(self) -> None:
        """Step until the seeker is hired (single scenario) or the horizon is reached."""
        while self.running:
            self.step()

    # --- called by agents ---------------------------------------------------------------------
    def record_answer(self, seeker: Person, contact: Person, state: int) -> None:
        name = STATE_NAMES[state]
        self.week["asks"] += 1
        self.week[name] += 1
        if self.single:
            self.answers.append((self.steps, seeker.node, contact.node, name))

    def offer(
        self, target: Person, channel: int, helper: Person | None, hired: bool, club: bool = False
    ) -> None:
        """An opening reached ``target``; ``hired`` says whether it turned into an offer;
        ``club``: passed by a fellow job-club member (credited as a relay: no tie)."""
        if helper is not None:
            self.week["passes"] += 1
        self.offers.setdefault(target, []).append((channel, helper, hired, club))

    # --- model-level phases ---------------------------------------------------------------------
    def _hire(self) -> None:
        """A person with several offers this week takes one, chosen at random."""
        for target, offers in self.offers.items():
            wins = [o for o in offers if o[2]]
            if not wins:
                continue
            channel, helper, _, club = wins[0] if len(wins) == 1 else self.random.choice(wins)
            target.employed = True
            if self.measured:
                self.hazard[1, self.spell_bin[target.weeks_unemployed]] += 1
                self.by_group[target.group, G_EXITS] += 1
                if helper is not None:
                    self.by_group[target.group, G_VIA] += 1
                if target.spell_start > self.params.burn_in:
                    self.spells[0, target.weeks_unemployed] += 1
            if self.followed:
                self.by_arm[target.arm, A_EXITS] += 1
                if helper is not None:
                    self.by_arm[target.arm, A_VIA] += 1
            target.weeks_unemployed = 0
            self.week["hires_" + CHANNEL_NAMES[channel]] += 1
            if helper is not None:
                self.helped.append((target, helper, club))
                tie = None if club else helper.tie.get(target.node)
                self.week["hires_via_" + ("relay" if tie is None else TIE_NAMES[tie])] += 1
            if self.single and target is self.seeker:
                self.weeks_to_offer = self.steps
                self.hired_channel = CHANNEL_NAMES[channel]

    def keeps_relay(self) -> bool:
        """Whether a listener who does not know the seeker keeps a told ask (relay_rate)."""
        rate = self.params.relay_rate
        return rate >= 1.0 or self.random.random() < rate

    def censor(self, person: Person) -> None:
        """A spell begun in the window ends unobserved after ``weeks_unemployed`` weeks."""
        if self.measured and person.spell_start > self.params.burn_in:
            self.spells[1, person.weeks_unemployed] += 1

    def _measure_correlation(self) -> None:
        """Pearson correlation of employment across the two ends of every tie (both
        directions), counted directly from the graph each week."""
        ends = [(u.employed, v.employed) for u in self.person for v in u.contacts]
        if not ends:
            return
        x = np.array(ends, dtype=float)
        mean, both = x[:, 0].mean(), (x[:, 0] * x[:, 1]).mean()
        if 0.0 < mean < 1.0:
            self.correlation[0] += (both - mean**2) / (mean * (1 - mean))
            self.correlation[1] += 1.0
        self.correlation[2] += both

    def tie_products(self) -> None:
        """At the end of a run: over directed ties, the mean product of the ends' window
        employment rates and of their standard deviations."""
        window = self.steps - self.params.burn_in
        pairs = [(u, v) for u in self.person for v in u.contacts]
        if window <= 0 or not pairs:
            return
        rate = {p.node: 1.0 - p.unemployed_weeks_total / window for p in self.person}
        eu = np.array([rate[u.node] for u, _ in pairs])
        ev = np.array([rate[v.node] for _, v in pairs])
        self.correlation[3] = (eu * ev).mean()
        self.correlation[4] = np.sqrt(eu * (1 - eu) * ev * (1 - ev)).mean()

    def _settle_help_bank(self) -> None:
        decay = self.params.credit_decay
        if decay > 0.0:
            for person in self.person:
                person.decay_credit(1.0 - decay)
        for hired, helper, club in self.helped:
            hired.credit(helper, tied=not club)

    # --- what a researcher reads off ------------------------------------------------------------
    def count_employed(self) -> int:
        return sum(person.employed for person in self.person)

    def mean_reputation(self) -> float:
        return sum(person.reputation for person in self.person) / len(self.person)

    def unemployment_by_node(self) -> np.ndarray:
        """Share of the window's weeks (those after the burn-in) each node ended unemployed."""
        weeks = max(self.steps - self.params.burn_in, 1)
        return np.array([p.unemployed_weeks_total for p in self.person], dtype=float) / weeks
