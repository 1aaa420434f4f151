"""The Numba core: the Mesa model's rules (``sim.model.mesa_model``), compiled, in parallel.

The public wrapper :func:`simulate_graphs` validates nothing new (``Params`` already did),
converts each graph to int64 CSR arrays, gives every replicate its own ``numpy.random.Generator``
and allocates the outputs; the private ``@njit`` loops only read and write arrays. They call the
very rule functions of ``sim.model.rules`` that the Mesa agents call.

All per-pair state lives on directed edges, indexed by CSR position ``e`` of ``u -> v``:
``state[e]``/``pity[e]`` (u's answer to v's ask and the pity u heard about v), ``asked[e]``
(u asked v this spell), ``relay[e]`` (the seeker whose ask neighbour v told u about) and
``owes[e]`` (favours u owes v). ``rev[e]`` is the position of ``v -> u``. Per person: status,
spell (completed weeks) and the week it began, reputation, traits. What the window after the
burn-in measures (hazard, spells, elapsed, correlation: ``sim.model.results.Runs``) is counted as
the week runs; the correlation across ties keeps two running counts, updated whenever anyone's
status changes, instead of a pass over every tie each week.

Agents act in node order rather than Mesa's shuffled order: within each phase no agent's action
depends on another's in the same phase (hires are settled after all openings, eligibility uses
start-of-week status, and when several tellings in one week reach the same listener -> teller
tie, one is kept uniformly at random), so the order changes which random numbers are used, not
the distribution.

Numba's ``cache=True`` re-compiles when this file changes, not when ``sim/model/rules.py`` (or
``sim/model/interventions.py``) does, so a cached kernel could keep old rules while the Mesa
engine uses new ones: at import, the kernel's cache files are dropped whenever those files'
source differs from the one they were built with.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import namedtuple
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numba
import numpy as np
from numba import njit, objmode, prange
from numba.typed import List

from sim.model.csr import CSRGraph
from sim.model.graphs import SEEKER
from sim.model.interventions import (
    COACHING,
    CONTROL,
    JOB_CLUB,
    KINDS,
    NONE,
    OTHER,
    REFERRAL_BONUS,
    TREATED,
    WHOM,
    choose_treated,
    clipped,
    shifted,
)
from sim.model.params import Params
from sim.model.population import Population, draw, draws, groups
from sim.model.results import (
    A_AT_RISK,
    A_EXITS,
    A_PEOPLE,
    A_UNEMPLOYED,
    A_VIA,
    A_WEEKS,
    BANKER,
    COLUMN,
    EXPERIENCED,
    G_AT_RISK,
    G_EXITS,
    G_PEOPLE,
    G_UNEMPLOYED,
    G_VIA,
    REPLACED,
    Runs,
    empty,
    spell_bin_of,
)
from sim.model.rules import (
    ACTION,
    DIRECT,
    EARS_OPEN,
    INTRO,
    LEAD,
    SYMPATHY,
    UNAWARE,
    fit,
    p_action,
    p_ears_open,
    p_hire,
    p_pass,
    rules_from,
)


def _drop_stale_cache() -> None:
    here = Path(__file__).resolve().parent
    cache = Path(numba.config.CACHE_DIR) if numba.config.CACHE_DIR else here / "__pycache__"
    stamp = hashlib.sha256(
        b"".join(
            (here / name).read_bytes() for name in ("rules.py", "interventions.py", "results.py")
        )
    ).hexdigest()
    marker = cache / "kernel.rules.sha256"
    try:
        if marker.is_file() and marker.read_text() == stamp:
            return
        for stale in cache.rglob("kernel.*.nb[ic]"):
            stale.unlink()
        cache.mkdir(parents=True, exist_ok=True)
        marker.write_text(stamp)
    except OSError:  # a read-only install: Numba then compiles in memory anyway
        pass


_drop_stale_cache()

Setup = namedtuple(
    "Setup",
    [
        "single",
        "baseline",
        "weeks",
        "targeting",
        "arrival",
        "separation",
        "gossip",
        "decay",
        "initial_unemployed",
        "experienced_share",
        "banker_share",
        "banked_favours",
        "burn_in",
        "exit_rate",
        "entrant_unemployed",
        "relay",
        "kind",
        "whom",
        "treated_share",
        "start",
        "stop",
        "coaching_specificity",
        "coaching_positivity",
        "bonus",
    ],
)
# The graph as the phases read it: CSR arrays, reverse edges, and each row grouped by tie class.
Graph = namedtuple("Graph", ["indptr", "indices", "ties", "rev", "by_tie", "tie_ptr"])
# One replicate's slices of the outputs (``sim.model.results.Runs``) and its phase clock.
Outputs = namedtuple(
    "Outputs",
    [
        "weekly",
        "mean_reputation",
        "unemployed_weeks",
        "answer_state",
        "answer_week",
        "traits",
        "hazard",
        "spells",
        "elapsed",
        "correlation",
        "unemployed_hist",
        "by_group",
        "by_arm",
        "clock",
    ],
)
# Everything a replicate keeps between phases. Per person (n,): status, traits, reputation,
# strategy (``group``, ``specificity``, ``positivity``, ``asks_per_week``: the population) and
# the rules' probabilities that follow from it alone, looked up rather than recomputed
# (``ears`` (n, 3) P(EARS_OPEN | not ACTION) by tie class when asked, ``passes`` (n, 4, 2)
# P(pass to them) by the holder's view and banker habit, ``hired`` (n, 3) P(hire) by channel,
# ``fits`` P(a direct opening fits)),
# contacts not yet asked this spell, spell length and start, ``epoch`` (spells begun, so a
# relay of an ended spell's ask is recognised as dead), ``aware`` (contacts holding a SYMPATHY
# or ACTION view of them, listed in row order in ``aware_of[indptr[u] : indptr[u] + aware[u]]``
# as the positions of u -> contact), ``jobless_contacts`` (unemployed contacts),
# ``relays_held``, the gossip marks, and ``pool``/``pool_at`` (the unemployed, each one's place).
# Per directed edge (E,): the views, pity, asked, favours owed and relays of sim.model.kernel's
# module docstring. Then scratch arrays, ``counts`` (BOTH, EMPLOYED_DEGREE, POOL) and the
# geometric ``gaps`` carried from week to week (ARRIVAL, GOSSIP, SEPARATION, EXIT).
State = namedtuple(
    "State",
    [
        "employed",
        "experienced",
        "banker",
        "reputation",
        "group",
        "specificity",
        "positivity",
        "asks_per_week",
        "priority",
        "arm",
        "arm_size",
        "club",
        "ears",
        "passes",
        "hired",
        "fits",
        "unasked",
        "spell",
        "spell_start",
        "epoch",
        "aware",
        "aware_of",
        "jobless_contacts",
        "relays_held",
        "mark",
        "mark_edge",
        "pool",
        "pool_at",
        "spare",
        "state",
        "pity",
        "asked",
        "owes",
        "owing",
        "owing_at",
        "relay",
        "relay_epoch",
        "relay_week",
        "relay_count",
        "win",
        "candidates",
        "eligible",
        "eligible_channel",
        "eligible_edge",
        "helped",
        "targets",
        "counts",
        "gaps",
    ],
)
# The phases of a week (docs/model.md, section 4), in order: the columns of a timed run's clock.
PHASES = (
    "asks",
    "out_of_earshot",
    "openings",
    "hires",
    "separations",
    "help_bank",
    "demography",
    "end_of_week",
)
(
    PHASE_ASKS,
    PHASE_GOSSIP,
    PHASE_OPENINGS,
    PHASE_HIRES,
    PHASE_SEPARATIONS,
    PHASE_HELP_BANK,
    PHASE_DEMOGRAPHY,
    PHASE_END,
) = range(len(PHASES))
ARRIVAL, GOSSIP, SEPARATION, EXIT = 0, 1, 2, 3  # the trials drawn as geometric gaps
TARGETING_CODE = {"close": 0, "distant": 1, "random": 2}
NEVER = np.int64(2**62)  # a gap longer than any run
WINS, CHANNEL, HELPER, EDGE = 0, 1, 2, 3  # columns of the per-person offer table

# Column positions, frozen into the compiled code.
ASKS, ANSWERED = COLUMN["asks"], COLUMN["sympathy"] - SYMPATHY  # answer columns: ANSWERED + state
GOSSIP_PITY, GOSSIP_ASK = COLUMN["gossip_pity"], COLUMN["gossip_ask"]
OPENINGS, LOST, PASSES = COLUMN["openings"], COLUMN["lost_openings"], COLUMN["passes"]
HIRES = COLUMN["hires_direct"]  # hires by channel: HIRES + channel
VIA = COLUMN["hires_via_close"]  # hires by the helper's tie: VIA + tie, VIA + 3 for a relay
SEPARATIONS, EXITS = COLUMN["separations"], COLUMN["exits"]
# running counts: directed ties employed at both ends, employed ends' degree, the unemployed,
# ledger entries that may be non-zero, the pool's length with holes and its ordered prefix
BOTH, EMPLOYED_DEGREE, POOL, OWING, POOL_END, POOL_ORDERED = range(6)
EMPLOYED, UNEMPLOYED = COLUMN["employed"], COLUMN["unemployed"]
assert COLUMN["ears_open"] == ANSWERED + EARS_OPEN and COLUMN["action"] == ANSWERED + ACTION
assert COLUMN["hires_intro"] == HIRES + INTRO and COLUMN["hires_via_relay"] == VIA + 3


def setup_from(params: Params) -> Setup:
    single = params.scenario == "single"
    start = params.treat_start or params.burn_in + 1  # the programme's first week
    return Setup(
        single=single,
        baseline=params.baseline,
        weeks=params.weeks,
        targeting=TARGETING_CODE[params.targeting],
        arrival=params.arrival_rate,
        separation=0.0 if single else params.separation_rate,
        gossip=params.gossip_rate,
        decay=params.credit_decay,
        initial_unemployed=params.initial_unemployed,
        experienced_share=params.experienced_share,
        banker_share=params.help_banker_share,
        banked_favours=params.banked_favours,
        burn_in=params.burn_in,
        exit_rate=0.0 if single or params.baseline else params.exit_rate,
        entrant_unemployed=params.entrant_unemployed,
        relay=params.relay_rate,
        kind=KINDS[params.intervention],
        whom=WHOM[params.treat_whom],
        treated_share=params.treated_share,
        start=start,
        stop=start + params.treat_weeks if params.treat_weeks > 0 else params.weeks + 1,
        coaching_specificity=params.coaching_specificity,
        coaching_positivity=params.coaching_positivity,
        bonus=params.bonus_logit,
    )


def _csr(graph: nx.Graph | CSRGraph) -> CSRGraph:
    return graph if isinstance(graph, CSRGraph) else CSRGraph.of(graph)


def simulate_graphs(
    params: Params,
    graphs: Sequence[nx.Graph | CSRGraph],
    dynamics: Sequence[np.random.SeedSequence],
    threads: int | None = None,
    clock: np.ndarray | None = None,
    per_person: bool = True,
    timings: dict[str, float] | None = None,
    populations: Sequence[Population] | None = None,
) -> Runs:
    """Run one replicate per (graph, seed sequence), all replicates in parallel.

    ``populations`` gives each replicate's people their strategies
    (:func:`sim.model.population.draw`, one per replicate, or one shared by all); without it
    everyone asks as ``params`` says, which needs a population with one group and no spread
    (``sim.model.population.draws`` is false; ``sim.model.runs.run`` draws the others).

    Graphs are NetworkX graphs or :class:`~sim.model.csr.CSRGraph` arrays; replicates may share
    one (it is converted once) or each have their own; every graph must have the same number
    of people. Results do not depend on ``threads``: each
    replicate draws only from its own Generator.

    ``per_person=False`` leaves out the (R, n) outputs (``Runs.unemployed_weeks``,
    ``answer_state``, ``answer_week``, ``traits`` come back with n = 0): each replicate keeps
    them only while it runs, so memory grows with the threads, not with the replicates.

    ``timings``, if given, receives ``kernel_s``: the seconds inside the compiled core, the
    rest of this call being arrays and Generators (for the benchmark's sweep overhead).

    ``clock``, if given, is an (R, len(PHASES)) float64 array that receives each replicate's
    wall-clock seconds per phase (for the benchmark: reading the clock costs about a
    microsecond per phase and week, so leave it out of real runs).
    """
    unique: dict[int, int] = {}
    for graph in graphs:
        unique.setdefault(id(graph), len(unique))
    if len({graph.number_of_nodes() for graph in graphs}) > 1:
        raise ValueError("every replicate's graph must have the same number of people")
    arrays: list[Any] = [None] * len(unique)
    for graph in graphs:
        slot = unique[id(graph)]
        if arrays[slot] is None:
            arrays[slot] = _csr(graph)
    n = graphs[0].number_of_nodes()
    if populations is None:
        if draws(params):
            raise ValueError("a mix, a spread or a programme needs populations (see runs.run)")
        populations = [draw(params, n, np.random.default_rng(0))]  # draws nothing
    if len(populations) not in (1, len(graphs)):
        raise ValueError("give one population per replicate, or one for all")
    if any(pop.n_people != n for pop in populations):
        raise ValueError("every population must have as many people as the graphs")
    names = tuple(g.name for g in groups(params))
    if any(pop.names != names or pop.group.min() < 0 or pop.group.max() >= len(names)
           for pop in populations if n > 0):  # fmt: skip
        raise ValueError(f"every population must be drawn for this mix: groups {names}")
    if params.intervention != "none" and any(not pop.priority.any() for pop in populations if n):
        raise ValueError("a programme needs the population's priorities (draw it for params)")
    pop_of = np.zeros(len(graphs), dtype=np.int64)
    if len(populations) > 1:
        pop_of[:] = np.arange(len(graphs))
    people = [np.stack([getattr(pop, name) for pop in populations]) for name in STRATEGY]
    node_start = np.cumsum([0] + [len(a[0]) for a in arrays]).astype(np.int64)
    edge_start = np.cumsum([0] + [len(a[1]) for a in arrays]).astype(np.int64)
    graph_of = np.array([unique[id(graph)] for graph in graphs], dtype=np.int64)
    out = empty(params, "numba", len(graphs), n, per_person)
    previous = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    generators = List([np.random.default_rng(s) for s in dynamics])
    start = time.perf_counter()
    try:
        _simulate_batch(
            *(_joined([a[k] for a in arrays]) for k in range(4)),
            node_start,
            edge_start,
            graph_of,
            pop_of,
            *people,
            rules_from(params),
            setup_from(params),
            generators,
            out.weekly,
            out.mean_reputation,
            out.weeks_to_offer,
            out.hired_channel,
            out.unemployed_weeks,
            out.answer_state,
            out.answer_week,
            out.weeks_run,
            out.traits,
            out.hazard,
            out.spells,
            out.elapsed,
            out.correlation,
            out.unemployed_hist,
            out.by_group,
            out.by_arm,
            spell_bin_of(params.weeks),
            np.zeros((len(graphs), 0)) if clock is None else clock,
        )
    finally:
        numba.set_num_threads(previous)
    if timings is not None:
        timings["kernel_s"] = time.perf_counter() - start
    return out


STRATEGY = ("group", "specificity", "positivity", "asks_per_week", "priority")  # Population's


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """One array of every graph's part, without a copy when all replicates share one graph."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


@njit(parallel=True, cache=True)
def _simulate_batch(
    indptr_all,
    indices_all,
    ties_all,
    rev_all,
    node_start,
    edge_start,
    graph_of,
    pop_of,
    group_all,
    specificity_all,
    positivity_all,
    asks_all,
    priority_all,
    rules,
    setup,
    generators,
    weekly,
    mean_reputation,
    weeks_to_offer,
    hired_channel,
    unemployed_weeks,
    answer_state,
    answer_week,
    weeks_run,
    traits,
    hazard,
    spells,
    elapsed,
    correlation,
    unemployed_hist,
    by_group,
    by_arm,
    bin_of,
    clock,
):
    kept = unemployed_weeks.shape[1] > 0  # per-person outputs, or a replicate's own scratch
    for i in prange(len(generators)):
        r = np.int64(i)  # prange counts in uint64; typed-list indexing wants int64
        g = graph_of[r]
        nodes = slice(node_start[g], node_start[g + 1])
        edges = slice(edge_start[g], edge_start[g + 1])
        graph = _graph(indptr_all[nodes], indices_all[edges], ties_all[edges], rev_all[edges])
        n = len(graph.indptr) - 1
        out = Outputs(
            weekly[r],
            mean_reputation[r],
            unemployed_weeks[r] if kept else np.zeros(n, dtype=np.int64),
            answer_state[r] if kept else np.full(n, -1, dtype=np.int64),
            answer_week[r] if kept else np.full(n, -1, dtype=np.int64),
            traits[r] if kept else np.zeros(n, dtype=np.int8),
            hazard[r],
            spells[r],
            elapsed[r],
            correlation[r],
            unemployed_hist[r],
            by_group[r],
            by_arm[r],
            clock[r],
        )
        q = pop_of[r]
        people = (group_all[q], specificity_all[q], positivity_all[q], asks_all[q], priority_all[q])
        weeks_run[r], weeks_to_offer[r], hired_channel[r] = _replicate(
            graph, people, rules, setup, generators[r], out, bin_of
        )


@njit(cache=True)
def _graph(indptr, indices, ties, rev):
    """The graph arrays plus each row's edges grouped by tie class (``by_tie``, in row order
    within a class, classes from ``tie_ptr[u, t]`` to ``tie_ptr[u, t + 1]``): a targeted ask
    scans only the class it wants."""
    n = len(indptr) - 1
    by_tie = np.empty(len(indices), dtype=np.int64)
    tie_ptr = np.empty((n, 4), dtype=np.int64)
    fill = np.zeros(3, dtype=np.int64)
    for u in range(n):
        fill[:] = 0
        for e in range(indptr[u], indptr[u + 1]):
            fill[ties[e]] += 1
        tie_ptr[u, 0] = indptr[u]
        for t in range(3):
            tie_ptr[u, t + 1] = tie_ptr[u, t] + fill[t]
            fill[t] = tie_ptr[u, t]
        for e in range(indptr[u], indptr[u + 1]):
            by_tie[fill[ties[e]]] = e
            fill[ties[e]] += 1
    return Graph(indptr, indices, ties, rev, by_tie, tie_ptr)


@njit(cache=True)
def _now(clock):
    """Seconds on the wall clock in a timed run; an untimed run (a clock of length 0) reads no
    clock at all and gets 0."""
    if len(clock) == 0:
        return 0.0
    with objmode(now="float64"):
        now = time.perf_counter()
    return now


@njit(cache=True)
def _tick(clock, phase, since):
    """Add the time since ``since`` to ``phase`` of the clock (timed runs only); return now."""
    now = _now(clock)
    if len(clock) > 0:
        clock[phase] += now - since
    return now


@njit(cache=True)
def _replicate(graph, people, rules, setup, gen, out, bin_of):
    """One run: initialization, then the weekly schedule of docs/model.md (section 4), one
    private function per phase; returns (weeks run, the seeker's offer week, its channel)."""
    st = _initial_state(graph, people, rules, setup, gen, out, bin_of)
    # Bernoulli trials with a small success probability (hearing of an opening, separating,
    # gossiping, leaving the labour force) are drawn as geometric gaps between successes: the
    # same iid trials, but one draw per success instead of one per trial.
    log_keep = np.array(
        [
            _log_keep(setup.arrival),
            _log_keep(setup.gossip),
            _log_keep(setup.separation),
            _log_keep(setup.exit_rate),
        ]
    )
    for kind in range(4):
        st.gaps[kind] = _gap(gen, log_keep[kind])

    week_run, offer_week, offer_channel = 0, 0, -1
    timed = len(out.clock) > 0
    now = _now(out.clock)
    for week in range(1, setup.weeks + 1):
        row = out.weekly[week]
        measured = week > setup.burn_in
        followed = setup.kind != NONE and week >= setup.start  # counted by arm
        active = followed and week < setup.stop  # the programme runs this week
        if setup.kind != NONE and week == setup.start:
            _start_programme(graph, st, rules, setup, out)
        if setup.kind == COACHING and week == setup.stop:
            _end_programme(st, rules, people)
        club_size = _programme_week(st, setup, out, active) if followed else 0
        bonus = setup.bonus if active and setup.kind == REFERRAL_BONUS else 0.0
        if not setup.baseline:
            _asks(graph, st, rules, setup, gen, out, row, week, bonus)
            if timed:
                now = _tick(out.clock, PHASE_ASKS, now)
            _out_of_earshot(graph, st, setup, gen, row, week, log_keep[GOSSIP])
            if timed:
                now = _tick(out.clock, PHASE_GOSSIP, now)
        n_targets = _openings(graph, st, gen, row, log_keep[ARRIVAL], club_size)
        if timed:
            now = _tick(out.clock, PHASE_OPENINGS, now)
        # A phase with nothing to do this week is not entered (it would draw nothing): on a
        # single seeker's small network the calls cost more than the work.
        n_helped = 0
        if n_targets > 0:
            n_helped, offer = _hires(
                graph, st, setup, out, row, n_targets, measured, followed, bin_of
            )
            if offer >= 0:
                offer_week, offer_channel = week, offer
        if timed:
            now = _tick(out.clock, PHASE_HIRES, now)
        if setup.separation > 0.0:
            _separations(graph, st, gen, row, week, log_keep[SEPARATION])
        if timed:
            now = _tick(out.clock, PHASE_SEPARATIONS, now)
        if setup.decay > 0.0 or n_helped > 0:
            _help_bank(graph, st, setup, n_helped)
        if timed:
            now = _tick(out.clock, PHASE_HELP_BANK, now)
        if setup.exit_rate > 0.0:
            _demography(graph, st, rules, setup, gen, out, row, week, measured, log_keep[EXIT],
                        people)  # fmt: skip
        if timed:
            now = _tick(out.clock, PHASE_DEMOGRAPHY, now)
        _end_of_week(graph, st, setup, out, row, week, measured, followed, bin_of)
        if timed:
            now = _tick(out.clock, PHASE_END, now)
        week_run = week
        if setup.single and st.employed[SEEKER]:
            break
    _tie_products(
        graph.indptr, graph.indices, out.unemployed_weeks, week_run - setup.burn_in,
        out.correlation,
    )  # fmt: skip
    for u in range(len(graph.indptr) - 1):
        out.unemployed_hist[out.unemployed_weeks[u]] += 1
    for week in range(week_run + 1, setup.weeks + 1):  # after a hire: heads stay, no events
        out.weekly[week, EMPLOYED] = out.weekly[week_run, EMPLOYED]
        out.weekly[week, UNEMPLOYED] = out.weekly[week_run, UNEMPLOYED]
        out.mean_reputation[week] = out.mean_reputation[week_run]
    return week_run, offer_week, offer_channel


@njit(cache=True)
def _initial_state(graph, people, rules, setup, gen, out, bin_of):
    """Everyone's week-0 state (docs/model.md, section 5) and the bookkeeping the phases keep
    up to date: the unemployed pool, each person's unemployed contacts, employed ties; and
    the rules' probabilities that follow from each person's strategy."""
    group, specificity, positivity, asks_per_week, priority = people
    indptr, indices, rev = graph.indptr, graph.indices, graph.rev
    n, n_edges = len(indptr) - 1, len(indices)
    max_degree = 0
    for u in range(n):
        max_degree = max(max_degree, indptr[u + 1] - indptr[u])
    st = State(
        employed=np.ones(n, dtype=np.bool_),
        experienced=np.zeros(n, dtype=np.bool_),
        banker=np.zeros(n, dtype=np.bool_),
        reputation=np.zeros(n),
        group=group,
        specificity=specificity.copy(),  # a programme may change them (coaching)
        positivity=positivity.copy(),
        asks_per_week=asks_per_week,
        priority=priority,
        arm=np.zeros(n, dtype=np.int8),
        arm_size=np.array([n, 0, 0]),
        club=np.empty(n, dtype=np.int64),
        ears=np.empty((n, 3)),
        passes=np.empty((n, 4, 2)),
        hired=np.empty((n, 3)),
        fits=np.empty(n),
        unasked=np.diff(indptr),
        spell=np.zeros(n, dtype=np.int64),
        spell_start=np.zeros(n, dtype=np.int64),
        epoch=np.zeros(n, dtype=np.int64),
        aware=np.zeros(n, dtype=np.int64),
        aware_of=np.empty(n_edges, dtype=np.int64),
        jobless_contacts=np.zeros(n, dtype=np.int64),
        relays_held=np.zeros(n, dtype=np.int64),
        mark=np.full(n, -1, dtype=np.int64),
        mark_edge=np.empty(n, dtype=np.int64),
        pool=np.empty(2 * n, dtype=np.int64),  # members, holes, and a week's new spells
        spare=np.empty(n, dtype=np.int64),
        pool_at=np.full(n, -1, dtype=np.int64),
        state=np.zeros(n_edges, dtype=np.int8),
        pity=np.zeros(n_edges),
        asked=np.zeros(n_edges, dtype=np.bool_),
        owes=np.zeros(n_edges),
        owing=np.empty(n_edges, dtype=np.int64),
        owing_at=np.full(n_edges, -1, dtype=np.int64),
        relay=np.full(n_edges, -1, dtype=np.int64),
        relay_epoch=np.zeros(n_edges, dtype=np.int64),
        relay_week=np.full(n_edges, -1, dtype=np.int64),
        relay_count=np.zeros(n_edges, dtype=np.int64),
        win=np.zeros((n, 4), dtype=np.int64),
        candidates=np.empty(max_degree, dtype=np.int64),
        eligible=np.empty(2 * max_degree, dtype=np.int64),
        eligible_channel=np.empty(2 * max_degree, dtype=np.int64),
        eligible_edge=np.empty(2 * max_degree, dtype=np.int64),
        helped=np.empty(n, dtype=np.int64),
        targets=np.empty(n, dtype=np.int64),
        counts=np.array([n_edges, n_edges, 0, 0, 0, 0]),  # everyone employed until drawn otherwise
        gaps=np.zeros(4, dtype=np.int64),
    )
    for i in range(n):
        _strategy(st, rules, i, specificity[i], positivity[i])
        out.by_group[group[i], G_PEOPLE] += 1
    for i in range(n):
        employed = i != SEEKER if setup.single else gen.random() >= setup.initial_unemployed
        st.experienced[i] = gen.random() < setup.experienced_share or not employed
        st.banker[i] = gen.random() < setup.banker_share
        out.traits[i] = (BANKER if st.banker[i] else 0) | (EXPERIENCED if st.experienced[i] else 0)
        st.spell[i] = 0 if employed else 1  # unemployed at the end of week 0
        if setup.burn_in == 0 and not employed:  # at risk in week 1, the window's first
            out.hazard[0, bin_of[st.spell[i]]] += 1
            out.by_group[group[i], G_AT_RISK] += 1
        if not employed:
            _set_employed(
                graph.indptr, graph.indices, st.employed, st.jobless_contacts, st.pool, st.pool_at,
                st.counts, i, False,
            )  # fmt: skip
    seeker_degree = indptr[SEEKER + 1] - indptr[SEEKER]
    if setup.single and setup.banked_favours > 0 and seeker_degree > 0:
        for _ in range(setup.banked_favours):
            e = indptr[SEEKER] + _below(gen, seeker_degree)
            st.owes[rev[e]] += 1.0  # the contact owes the seeker
            _owing(st, rev[e])
        st.reputation[SEEKER] = setup.banked_favours
    _tidy_pool(st)
    out.weekly[0, EMPLOYED] = n - st.counts[POOL]
    out.weekly[0, UNEMPLOYED] = st.counts[POOL]
    out.mean_reputation[0] = st.reputation.mean()
    return st


@njit(cache=True)
def _strategy(st, rules, u, s, p):
    """Person u asks with specificity s and positivity p: their values and the rules'
    probabilities that follow from them alone."""
    st.specificity[u], st.positivity[u] = s, p
    for tie in range(3):
        st.ears[u, tie] = p_ears_open(rules, s, p, tie)
    for view in range(4):
        for habit in range(2):
            st.passes[u, view, habit] = p_pass(rules, view, s, habit == 1)
    for channel in range(3):
        st.hired[u, channel] = p_hire(rules, channel, p)
    st.fits[u] = fit(rules, s)


@njit(cache=True)
def _start_programme(graph, st, rules, setup, out):
    """The programme's first week, before anything happens in it: its eligible are the
    unemployed now (the pool), a share of them treated (``sim.model.interventions``)."""
    pool, counts, arm, by_arm = st.pool, st.counts, st.arm, out.by_arm
    eligible = pool[: counts[POOL]].copy()
    degree = np.diff(graph.indptr)
    treated = choose_treated(eligible, st.spell, degree, st.priority, setup.whom,
                             setup.treated_share)  # fmt: skip
    for u in eligible:
        arm[u] = CONTROL
    for u in treated:
        arm[u] = TREATED
        if setup.kind == COACHING:
            _strategy(
                st, rules, u,
                clipped(st.specificity[u], setup.coaching_specificity),
                clipped(st.positivity[u], setup.coaching_positivity),
            )  # fmt: skip
    st.arm_size[TREATED] = len(treated)
    st.arm_size[CONTROL] = len(eligible) - len(treated)
    st.arm_size[OTHER] = len(graph.indptr) - 1 - len(eligible)
    for a in range(3):
        by_arm[a, A_PEOPLE] = st.arm_size[a]


@njit(cache=True)
def _end_programme(st, rules, people):
    """After the programme's last week: the treated ask with their own values again."""
    for u in range(len(st.arm)):
        if st.arm[u] == TREATED:
            _strategy(st, rules, u, people[1][u], people[2][u])


@njit(cache=True)
def _programme_week(st, setup, out, active):
    """At a followed week's start: each arm's person-weeks and unemployed at risk; and, in a
    job club's week, its members (treated and unemployed now) listed in ``st.club``.
    Returns the club's size."""
    pool, counts, arm, by_arm, club = st.pool, st.counts, st.arm, out.by_arm, st.club
    for a in range(3):
        by_arm[a, A_WEEKS] += st.arm_size[a]
    members = 0
    for i in range(counts[POOL]):
        u = pool[i]
        by_arm[arm[u], A_AT_RISK] += 1
        if active and setup.kind == JOB_CLUB and arm[u] == TREATED:
            club[members] = u
            members += 1
    return members


@njit(cache=True)
def _set_employed(indptr, indices, status, jobless_contacts, pool, pool_at, counts, u, employed):
    """Change u's status and everything kept about it: the pool of the unemployed (and u's
    place in it), each contact's count of unemployed contacts, the employed-tie counts.

    Per-event helpers take arrays one by one, not the State tuple: a call that is not inlined
    copies the whole tuple, which cost several times the work done here."""
    if status[u] == employed:
        return
    sign = 1 if employed else -1
    if not employed:  # before: ties employed at both ends are counted while u still works
        _count_ties(indptr, indices, status, u, sign, counts)
    status[u] = employed
    if employed:
        _count_ties(indptr, indices, status, u, sign, counts)
    for e in range(indptr[u], indptr[u + 1]):
        jobless_contacts[indices[e]] -= sign
    if employed:  # out of the pool: a hole until the end of the week (_tidy_pool)
        pool[pool_at[u]] = -1
        pool_at[u] = -1
        counts[POOL] -= 1
    else:
        pool[counts[POOL_END]] = u
        pool_at[u] = counts[POOL_END]
        counts[POOL_END] += 1
        counts[POOL] += 1


@njit(cache=True)
def _owing(st, e):
    """List ledger entry e among those that may be non-zero (the ones that decay)."""
    if st.owing_at[e] < 0:
        st.owing_at[e] = st.counts[OWING]
        st.owing[st.counts[OWING]] = e
        st.counts[OWING] += 1


@njit(cache=True)
def _tidy_pool(st):
    """Put the pool of the unemployed back in node order, the order the rules visit them in.

    During a week, a hire leaves a hole (-1) in the pool and a new spell is appended at its
    end; here the holes go and the appended people are merged in: O(pool + k log k) for k
    new spells, where sorting the whole pool each week would cost O(pool log pool)."""
    pool, pool_at, counts, spare = st.pool, st.pool_at, st.counts, st.spare
    ordered, end = counts[POOL_ORDERED], counts[POOL_END]
    if ordered == end == counts[POOL]:  # no one came or went: still in order, no holes
        return
    tail = pool[ordered:end]
    tail.sort()  # in place; holes are -1: they sort first
    t = 0
    while t < len(tail) and tail[t] < 0:
        t += 1
    i = m = 0
    while True:
        while i < ordered and pool[i] < 0:
            i += 1
        if i < ordered and (t == len(tail) or pool[i] < tail[t]):
            spare[m] = pool[i]
            i += 1
        elif t < len(tail):
            spare[m] = tail[t]
            t += 1
        else:
            break
        m += 1
    for k in range(m):
        pool[k] = spare[k]
        pool_at[spare[k]] = k
    counts[POOL_END] = counts[POOL_ORDERED] = m


@njit(cache=True)
def _asks(graph, st, rules, setup, gen, out, row, week, bonus):
    """1. Each unemployed person asks up to k contacts not yet asked this spell; each contact
    answers (docs/model.md 7.1-7.2). ``bonus``: a referral bonus's shift in the logit of
    P(ACTION) of a treated seeker's employed contacts this week (0: none)."""
    answer_state, answer_week = out.answer_state, out.answer_week
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    counts, pool, unasked, asked = st.counts, st.pool, st.unasked, st.asked
    candidates, owes = st.candidates, st.owes
    reputation, experienced = st.reputation, st.experienced
    pity, banker, employed = st.pity, st.banker, st.employed
    aware, aware_of, state = st.aware, st.aware_of, st.state
    specificity, positivity, asks_per_week, ears = (
        st.specificity, st.positivity, st.asks_per_week, st.ears
    )  # fmt: skip
    arm = st.arm
    indptr, indices, ties, rev = graph.indptr, graph.indices, graph.ties, graph.rev
    for i in range(counts[POOL]):
        u = pool[i]
        if unasked[u] == 0 or asks_per_week[u] == 0:
            continue
        chosen = _choose_asks(
            gen, graph.indptr, graph.by_tie, graph.tie_ptr, asked, u, asks_per_week[u],
            setup.targeting, candidates,
        )  # fmt: skip
        s, p = specificity[u], positivity[u]
        for t in range(chosen):
            e = candidates[t]
            c = indices[e]
            ce = rev[e]  # c's view of u
            asked[e] = True
            unasked[u] -= 1
            pa = p_action(
                rules,
                s,
                p,
                owes[ce],
                reputation[u],
                1.0 if experienced[c] else 0.0,
                ties[e],
                pity[ce],
                1.0 if banker[c] and employed[c] else 0.0,
            )
            if bonus != 0.0 and arm[u] == TREATED and employed[c]:
                pa = shifted(pa, bonus)
            if gen.random() < pa:
                answer = ACTION
            elif gen.random() < ears[u, ties[e]]:
                answer = EARS_OPEN
            else:
                answer = SYMPATHY
            if _aware(answer) and not _aware(state[ce]):  # (an aware view is never undone
                _list_aware(indptr, aware, aware_of, u, e)  # by an ask: asked once a spell)
            state[ce] = answer
            row[ASKS] += 1
            row[ANSWERED + answer] += 1
            if setup.single and u == SEEKER:
                answer_state[c] = answer
                answer_week[c] = week


@njit(cache=True)
def _list_aware(indptr, aware, aware_of, u, e):
    """Add e = u -> c to u's aware contacts, kept in row order (an insertion: lists are short)."""
    first = indptr[u]
    j = first + aware[u]
    while j > first and aware_of[j - 1] > e:
        aware_of[j] = aware_of[j - 1]
        j -= 1
    aware_of[j] = e
    aware[u] += 1


@njit(cache=True)
def _unlist_aware(indptr, aware, aware_of, u, e):
    """Remove e = u -> c from u's aware contacts."""
    first = indptr[u]
    last = first + aware[u]
    j = first
    while aware_of[j] != e:
        j += 1
    for k in range(j, last - 1):
        aware_of[k] = aware_of[k + 1]
    aware[u] -= 1


@njit(cache=True)
def _aware(view):
    """1 for a view that gossip can carry (SYMPATHY or ACTION): an EARS_OPEN teller tells
    nothing, an UNAWARE one knows nothing."""
    return 1 if view in (SYMPATHY, ACTION) else 0


@njit(cache=True)
def _out_of_earshot(graph, st, setup, gen, row, week, log_keep_gossip):
    """2. Contacts aware of a seeker talk about them to one other contact of theirs
    (docs/model.md 7.3).

    Each SYMPATHY or ACTION view of an unemployed seeker is one trial a week, in node order of
    the seekers and row order of their contacts. The geometric gap leads straight to the next
    telling through each seeker's list of aware contacts (a seeker with fewer aware contacts
    than the gap is passed over whole), and "is the listener a contact of the seeker?" is one
    array read (the seeker's row is marked once, at its first telling).
    """
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    gaps, counts, pool, aware, state = st.gaps, st.counts, st.pool, st.aware, st.state
    aware_of = st.aware_of
    mark, mark_edge, pity = st.mark, st.mark_edge, st.pity
    relay_week, relay = st.relay_week, st.relay
    relay_count, relays_held = st.relay_count, st.relays_held
    relay_epoch, epoch = st.relay_epoch, st.epoch
    indptr, indices, rev = graph.indptr, graph.indices, graph.rev
    positivity = st.positivity
    gap = gaps[GOSSIP]
    for i in range(counts[POOL]):
        seeker = pool[i]
        first, known = indptr[seeker], aware[seeker]
        if gap >= known:  # every aware contact keeps quiet this week
            gap -= known
            continue
        marked = False
        k = gap  # the next teller: the k-th aware contact in row order
        while k < known:
            se = aware_of[first + k]
            e = rev[se]  # c's view of the seeker
            view = state[e]
            gap = _gap(gen, log_keep_gossip)
            k += 1 + gap
            c = indices[se]
            degree = indptr[c + 1] - indptr[c]
            if degree < 2:
                continue
            le = indptr[c] + _below(gen, degree - 1)
            if le >= e:  # skip the seeker's own slot: uniform over the others
                le += 1
            listener = indices[le]
            if not marked:  # mark[v] == seeker: v is a contact, mark_edge[v] its view
                for x in range(indptr[seeker], indptr[seeker + 1]):
                    mark[indices[x]] = seeker
                    mark_edge[indices[x]] = rev[x]
                marked = True
            heard = mark_edge[listener] if mark[listener] == seeker else -1
            if view == SYMPATHY:
                row[GOSSIP_PITY] += 1
                if heard >= 0:  # a positive seeker leaves the teller less pity to pass on
                    pity[heard] += 1.0 - positivity[seeker]
            elif heard >= 0:
                if state[heard] == UNAWARE:
                    state[heard] = EARS_OPEN
                    row[GOSSIP_ASK] += 1
            elif setup.relay >= 1.0 or gen.random() < setup.relay:
                told = rev[le]  # listener -> teller carries the ask
                if relay_week[told] != week:
                    relay_week[told], relay_count[told] = week, 0
                relay_count[told] += 1
                # one of this week's tellings on the tie, uniformly (order-free)
                if relay_count[told] == 1 or gen.random() * relay_count[told] < 1.0:
                    if relay[told] < 0:
                        relays_held[listener] += 1
                    relay[told] = seeker
                    relay_epoch[told] = epoch[seeker]
                row[GOSSIP_ASK] += 1
            else:  # told, but not kept: the ask goes no further
                row[GOSSIP_ASK] += 1
        gap = k - known  # the gap runs on into the next seeker's trials
    gaps[GOSSIP] = gap


@njit(cache=True)
def _openings(graph, st, gen, row, log_keep_arrival, club_size):
    """3. Openings: whoever hears of one applies if unemployed, or passes it to one contact
    who would take it (docs/model.md 7.4). Returns the number of people with an offer.

    Nothing changes anyone's status before the hires, so ``employed`` is still the status at
    the start of the week. A hearer with no unemployed contact and no relayed ask loses the
    opening without a look at their contacts (the look draws nothing then either). In a job
    club's week (``club_size`` members in ``st.club``), a member whom an opening does not fit
    passes it to another member (``sim.model.interventions``)."""
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    gaps, employed, win, targets = st.gaps, st.employed, st.win, st.targets
    jobless_contacts, state = st.jobless_contacts, st.state
    banker, eligible = st.banker, st.eligible
    eligible_channel, eligible_edge = st.eligible_channel, st.eligible_edge
    relays_held, relay = st.relays_held, st.relay
    relay_epoch, epoch = st.relay_epoch, st.epoch
    indptr, indices = graph.indptr, graph.indices
    # the rules' probabilities, per person and a handful of codes: looked up, not recomputed
    passes, hired, fits = st.passes, st.hired, st.fits
    arm, club = st.arm, st.club
    n = len(indptr) - 1
    n_targets = 0
    u, skip = -1, gaps[ARRIVAL]  # skip: trials that fail before the next success
    while True:
        u += 1 + skip  # straight to the next person who hears of an opening
        if u >= n:
            gaps[ARRIVAL] = u - n  # the gap runs on into next week's trials
            break
        skip = _gap(gen, log_keep_arrival)
        row[OPENINGS] += 1
        if not employed[u]:
            if gen.random() < fits[u]:
                if gen.random() < hired[u, DIRECT]:
                    n_targets = _offer(gen, win, targets, n_targets, u, DIRECT, -1, -1)
            elif club_size > 1 and arm[u] == TREATED:
                v = club[_below(gen, club_size - 1)]  # uniform over the other members
                if v == u:
                    v = club[club_size - 1]
                if gen.random() < fits[v]:
                    row[PASSES] += 1
                    if gen.random() < hired[v, LEAD]:
                        n_targets = _offer(gen, win, targets, n_targets, v, LEAD, u, -1)
            continue
        m = 0
        habit = 1 if banker[u] else 0
        if jobless_contacts[u] > 0:
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if employed[v]:
                    continue
                if gen.random() < passes[v, state[e], habit]:
                    eligible[m] = v
                    eligible_channel[m] = INTRO if state[e] == ACTION else LEAD
                    eligible_edge[m] = e
                    m += 1
        if relays_held[u] > 0:
            for e in range(indptr[u], indptr[u + 1]):
                seeker = relay[e]
                if seeker < 0:
                    continue
                if employed[seeker] or relay_epoch[e] != epoch[seeker]:
                    # the seeker's spell has ended: the relay is dead for good, drop it now
                    relay[e] = -1
                    relays_held[u] -= 1
                    continue
                if gen.random() < passes[seeker, EARS_OPEN, habit]:
                    eligible[m] = seeker
                    eligible_channel[m] = LEAD
                    eligible_edge[m] = -1
                    m += 1
        if m == 0:
            row[LOST] += 1
            continue
        j = _below(gen, m)
        row[PASSES] += 1
        channel = eligible_channel[j]
        if gen.random() < hired[eligible[j], channel]:
            n_targets = _offer(
                gen, win, targets, n_targets, eligible[j], channel, u,
                eligible_edge[j],
            )  # fmt: skip
    return n_targets


@njit(cache=True)
def _hires(graph, st, setup, out, row, n_targets, measured, followed, bin_of):
    """4. Everyone with an offer is hired through the one kept (docs/model.md 7.5). Returns
    the number hired through a contact and, for a single seeker hired now, the channel."""
    hazard, spells = out.hazard, out.spells
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    targets, win, employed, jobless_contacts = st.targets, st.win, st.employed, st.jobless_contacts
    pool, pool_at, counts, spell = st.pool, st.pool_at, st.counts, st.spell
    spell_start, helped, group, by_group = st.spell_start, st.helped, st.group, out.by_group
    n_helped, offer = 0, -1
    for i in range(n_targets):
        t = targets[i]
        win[t, WINS] = 0  # ready for next week
        _set_employed(
            graph.indptr, graph.indices, employed, jobless_contacts, pool, pool_at,
            counts, t, True,
        )  # fmt: skip
        if measured:
            hazard[1, bin_of[spell[t]]] += 1
            by_group[group[t], G_EXITS] += 1
            if win[t, HELPER] >= 0:
                by_group[group[t], G_VIA] += 1
            if spell_start[t] > setup.burn_in:
                spells[0, spell[t]] += 1
        if followed:
            out.by_arm[st.arm[t], A_EXITS] += 1
            if win[t, HELPER] >= 0:
                out.by_arm[st.arm[t], A_VIA] += 1
        spell[t] = 0
        row[HIRES + win[t, CHANNEL]] += 1
        if win[t, HELPER] >= 0:
            helped[n_helped] = t
            n_helped += 1
            edge = win[t, EDGE]
            row[VIA + (graph.ties[edge] if edge >= 0 else 3)] += 1
        if setup.single and t == SEEKER:
            offer = win[t, CHANNEL]
    return n_helped, offer


@njit(cache=True)
def _separations(graph, st, gen, row, week, log_keep_separation):
    """5. Each employed person loses the job with probability b (docs/model.md 7.6).

    Trials run over everyone; a hit on someone unemployed changes nothing, so each employed
    person still leaves with probability b, independently."""
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    gaps, employed, jobless_contacts, pool = st.gaps, st.employed, st.jobless_contacts, st.pool
    pool_at, counts, spell, spell_start = st.pool_at, st.counts, st.spell, st.spell_start
    experienced, asked, state, pity, aware = st.experienced, st.asked, st.state, st.pity, st.aware
    unasked, epoch = st.unasked, st.epoch
    indptr = graph.indptr
    n = len(indptr) - 1
    u, skip = -1, gaps[SEPARATION]
    while True:
        u += 1 + skip
        if u >= n:
            gaps[SEPARATION] = u - n
            break
        skip = _gap(gen, log_keep_separation)
        if employed[u]:
            _set_employed(
                graph.indptr, graph.indices, employed, jobless_contacts, pool, pool_at,
                counts, u, False,
            )  # fmt: skip
            spell[u], spell_start[u] = 0, week
            row[SEPARATIONS] += 1
            _start_spell(
                graph.indptr, graph.rev, u, experienced, asked, state, pity, aware,
                unasked, epoch,
            )  # fmt: skip


@njit(cache=True)
def _help_bank(graph, st, setup, n_helped):
    """6. Credit decays; each helper gains reputation and the ledger between helper and hired
    moves by one favour (docs/model.md 7.7)."""
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    counts, owing, owes, owing_at, helped = st.counts, st.owing, st.owes, st.owing_at, st.helped
    reputation, win = st.reputation, st.win
    if setup.decay > 0.0:
        keep = 1.0 - setup.decay
        reputation *= keep
        # Only ledger entries that may be non-zero decay (0 * keep is 0): the same products
        # as decaying every tie, at the cost of the ledger's size. Entries settled to zero
        # leave the list here.
        kept = 0
        for i in range(counts[OWING]):
            e = owing[i]
            if owes[e] == 0.0:
                owing_at[e] = -1
                continue
            owes[e] *= keep
            owing[kept] = e
            owing_at[e] = kept
            kept += 1
        counts[OWING] = kept
    for h in range(n_helped):
        t = helped[h]
        reputation[win[t, HELPER]] += 1.0
        e = win[t, EDGE]  # helper -> hired; -1 for a relay: no tie, no ledger entry
        if e >= 0:
            repaid = min(1.0, owes[e])
            owes[e] -= repaid
            if repaid < 1.0:
                owes[graph.rev[e]] += 1.0 - repaid
                _owing(st, graph.rev[e])


@njit(cache=True)
def _demography(graph, st, rules, setup, gen, out, row, week, measured, log_keep_exit, people):
    """7. Leavers are replaced at their node by entrants (docs/model.md 7.9)."""
    n = len(graph.indptr) - 1
    u, skip = -1, st.gaps[EXIT]
    while True:
        u += 1 + skip
        if u >= n:
            st.gaps[EXIT] = u - n
            break
        skip = _gap(gen, log_keep_exit)
        row[EXITS] += 1
        out.traits[u] |= REPLACED
        if not st.employed[u] and measured and st.spell_start[u] > setup.burn_in:
            out.spells[1, st.spell[u]] += 1  # censored: gone after surviving spell[u] weeks
        _replace_person(graph, st, u)
        if st.arm[u] != OTHER:  # the entrant is in no arm of the programme, and untreated
            if st.arm[u] == TREATED and setup.kind == COACHING:
                _strategy(st, rules, u, people[1][u], people[2][u])
            st.arm_size[st.arm[u]] -= 1
            st.arm_size[OTHER] += 1
            st.arm[u] = OTHER
        st.reputation[u] = 0.0
        employed = gen.random() >= setup.entrant_unemployed
        st.banker[u] = gen.random() < setup.banker_share
        st.experienced[u] = not employed  # an entrant looking for work is searching now
        st.spell[u], st.spell_start[u] = 0, week
        _set_employed(
            graph.indptr, graph.indices, st.employed, st.jobless_contacts, st.pool, st.pool_at,
            st.counts, u, employed,
        )  # fmt: skip


@njit(cache=True)
def _end_of_week(graph, st, setup, out, row, week, measured, followed, bin_of):
    """8. Head counts, reputation, and the window's spell and duration counts."""
    unemployed_weeks, spells, elapsed = out.unemployed_weeks, out.spells, out.elapsed
    hazard, correlation, mean_reputation = out.hazard, out.correlation, out.mean_reputation
    # the state's arrays as locals: a tuple field read in a loop costs a reference count
    employed, counts, pool, spell_start = st.employed, st.counts, st.pool, st.spell_start
    spell, reputation, group, by_group = st.spell, st.reputation, st.group, out.by_group
    n = len(graph.indptr) - 1
    n_edges = len(graph.indices)
    last = week == setup.weeks
    # the unemployed now are those at risk at the start of next week, if it is measured
    at_risk_next = not last and week + 1 > setup.burn_in
    at_risk_next = at_risk_next and not (setup.single and employed[SEEKER])  # no next week
    _tidy_pool(st)  # in node order again for next week's asks and gossip
    idle = 0
    for i in range(counts[POOL]):
        u = pool[i]
        idle += 1
        if measured:
            unemployed_weeks[u] += 1
            by_group[group[u], G_UNEMPLOYED] += 1
            if followed:
                out.by_arm[st.arm[u], A_UNEMPLOYED] += 1
            if last and spell_start[u] > setup.burn_in:
                spells[1, spell[u]] += 1  # censored at the window's end
        spell[u] += 1
        if measured:
            elapsed[spell[u]] += 1
        if at_risk_next:
            hazard[0, bin_of[spell[u]]] += 1
            by_group[group[u], G_AT_RISK] += 1
    total_reputation = 0.0
    working = 0  # counted from status, apart from the pool, so conservation is a real check
    for u in range(n):
        total_reputation += reputation[u]
        working += employed[u]
    if measured and n_edges > 0:
        employed_ends = counts[EMPLOYED_DEGREE] / n_edges  # degree-weighted mean status
        both = counts[BOTH] / n_edges
        if 0.0 < employed_ends < 1.0:
            spread = employed_ends * (1.0 - employed_ends)
            correlation[0] += (both - employed_ends**2) / spread
            correlation[1] += 1.0
        correlation[2] += both
    row[EMPLOYED] = working
    row[UNEMPLOYED] = idle
    mean_reputation[week] = total_reputation / n


@njit(cache=True)
def _choose_asks(gen, indptr, by_tie, tie_ptr, asked, u, k, targeting, chosen):
    """Fill chosen[:j] with the j <= k contacts u asks this week and return j.

    The preferred tie class first (targeting 0: close first, 1: distant first, 2: no order),
    uniformly at random within a class: a partial Fisher-Yates shuffle, one draw per ask.
    """
    j = 0
    for step in range(1 if targeting == 2 else 3):
        if j == k:
            break
        m = j
        if targeting == 2:
            for e in range(indptr[u], indptr[u + 1]):
                if not asked[e]:
                    chosen[m] = e
                    m += 1
        else:
            tie = step if targeting == 0 else 2 - step
            for q in range(tie_ptr[u, tie], tie_ptr[u, tie + 1]):
                e = by_tie[q]
                if not asked[e]:
                    chosen[m] = e
                    m += 1
        take = min(k - j, m - j)
        if take < m - j:
            for t in range(take):
                pick = j + t + _below(gen, m - j - t)
                chosen[j + t], chosen[pick] = chosen[pick], chosen[j + t]
        j += take
    return j


@njit(cache=True)
def _below(gen, m):
    """A uniform integer in [0, m): one double per draw, several times faster than
    Generator.integers in compiled code; the bias is below m / 2**53."""
    return min(np.int64(gen.random() * m), m - 1)


@njit(cache=True)
def _log_keep(p):
    """log(1 - p), the constant of the geometric gaps; 0 means "never", -inf "always"."""
    if p >= 1.0:
        return -np.inf
    return math.log1p(-p)


@njit(cache=True)
def _gap(gen, log_keep):
    """Failures before the next success of iid Bernoulli(p) trials, p = 1 - exp(log_keep)."""
    if log_keep == 0.0:
        return NEVER
    if log_keep == -np.inf:
        return 0
    gap = math.log(1.0 - gen.random()) / log_keep  # log is cheaper than log1p here
    return NEVER if gap >= NEVER else np.int64(gap)


@njit(cache=True)
def _offer(gen, win, targets, n_targets, target, channel, helper, edge):
    """Keep one successful offer per person, uniformly among them (reservoir sampling).

    ``st.win[t]`` holds (offers won, channel, helper, helper -> t edge) of the kept offer.
    Returns the number of distinct people with an offer this week (listed in ``st.targets``).
    """
    if win[target, WINS] == 0:
        targets[n_targets] = target
        n_targets += 1
    win[target, WINS] += 1
    if win[target, WINS] == 1 or gen.random() * win[target, WINS] < 1.0:
        win[target, CHANNEL] = channel
        win[target, HELPER] = helper
        win[target, EDGE] = edge
    return n_targets


@njit(cache=True)
def _start_spell(indptr, rev, u, experienced, asked, state, pity, aware, unasked, epoch):
    """A new spell for u: contacts forget their answers and pity; relays of u's ask die (the
    new epoch marks them, and openings drop them when they meet them)."""
    experienced[u] = True
    for e in range(indptr[u], indptr[u + 1]):
        asked[e] = False
        state[rev[e]] = UNAWARE
        pity[rev[e]] = 0.0
    aware[u] = 0
    unasked[u] = indptr[u + 1] - indptr[u]
    epoch[u] += 1


@njit(cache=True)
def _tie_products(indptr, indices, unemployed_weeks, window, correlation):
    """Over directed ties: the mean product of the ends' window employment rates, and of their
    standard deviations (for the correlation with each person's own long-run mean)."""
    n_edges = len(indices)
    if window <= 0 or n_edges == 0:
        return
    product = spread = 0.0
    for u in range(len(indptr) - 1):
        eu = 1.0 - unemployed_weeks[u] / window
        for e in range(indptr[u], indptr[u + 1]):
            ev = 1.0 - unemployed_weeks[indices[e]] / window
            product += eu * ev
            spread += math.sqrt(eu * (1.0 - eu) * ev * (1.0 - ev))
    correlation[3] = product / n_edges
    correlation[4] = spread / n_edges


@njit(cache=True)
def _count_ties(indptr, indices, employed, u, sign, counts):
    """Before u's status changes (sign -1: leaves work) or after (+1: starts): update the
    directed ties employed at both ends and the employed ends' total degree."""
    for e in range(indptr[u], indptr[u + 1]):
        if employed[indices[e]]:
            counts[BOTH] += 2 * sign  # u -> v and v -> u
    counts[EMPLOYED_DEGREE] += sign * (indptr[u + 1] - indptr[u])


@njit(cache=True)
def _replace_person(graph, st, u):
    """A newcomer at node u: no views held or about them, no ledger, not asked, asks no one,
    holds no one's relayed ask, and no relay of u's own ask survives (a new epoch)."""
    indices, rev = graph.indices, graph.rev
    st.unasked[u] = graph.indptr[u + 1] - graph.indptr[u]
    for e in range(graph.indptr[u], graph.indptr[u + 1]):
        back = rev[e]
        v = indices[e]
        if st.asked[back]:  # the neighbour may ask the newcomer
            st.asked[back] = False
            st.unasked[v] += 1
        if _aware(st.state[e]):  # u's view of v goes with u
            _unlist_aware(graph.indptr, st.aware, st.aware_of, v, back)
        st.asked[e] = False
        st.state[e] = st.state[back] = UNAWARE
        st.pity[e] = st.pity[back] = 0.0
        st.owes[e] = st.owes[back] = 0.0
        st.relay[e], st.relay_week[e], st.relay_count[e] = -1, -1, 0
    st.aware[u] = 0
    st.relays_held[u] = 0
    st.epoch[u] += 1
