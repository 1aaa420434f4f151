"""Replicated runs on either engine, with one result shape: the entry point for experiments.

``run(params, replicates, seed, engine="numba")`` gives replicate ``r`` two streams derived
from the root seed with ``numpy.random.SeedSequence``: one builds its graph, one drives its
dynamics. Replicate ``r``'s streams depend only on ``(seed, r)``, never on how replicates are
batched or how many threads run them.

Examples
--------
>>> from sim.params import Params
>>> runs = run(Params.from_dict({}, strategy="specific-positive"), replicates=4, seed=1)
>>> runs.weekly.shape[0], runs.columns[-2:]
(4, ('employed', 'unemployed'))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from cachetools import LRUCache, cached

from sim.csr import CSRGraph
from sim.csr_builders import CSR_FAMILIES, build_csr
from sim.graphs import build_graph, personal_network_csr, prepare
from sim.params import ConfigError, Params, check_seed
from sim.rules import CHANNEL_NAMES, STATE_NAMES

# Per-week columns of ``Runs.weekly``: events counted during the week, then the head counts.
EVENTS = (
    "asks",
    "sympathy",  # answers in the order of their codes in sim.rules
    "ears_open",
    "action",
    "gossip_pity",
    "gossip_ask",
    "openings",
    "lost_openings",
    "passes",
    "hires_direct",
    "hires_lead",
    "hires_intro",
    "hires_via_close",
    "hires_via_regular",
    "hires_via_distant",
    "hires_via_relay",
    "separations",
    "exits",  # market: people who left the labour force (each replaced by an entrant)
)
COLUMNS = EVENTS + ("employed", "unemployed")
COLUMN = {name: i for i, name in enumerate(COLUMNS)}
# Bins of completed weeks of a spell for the exit hazard: 1-4, 5-8, 9-13, 14-26, 27-52, 53+.
SPELL_BINS = ((1, 4), (5, 8), (9, 13), (14, 26), (27, 52), (53, None))
# Bits of ``Runs.traits``: what each person was at week 0.
# REPLACED: the node's first occupant left the labour force during the run (market demography).
BANKER, EXPERIENCED, REPLACED = 1, 2, 4
ENGINES = ("numba", "mesa")


@dataclass
class Runs:
    """Outcomes of R replicates; the same arrays whichever engine made them.

    weekly : (R, weeks + 1, len(COLUMNS)) int64
        Row 0 is the start; row t holds week t's events and the head counts at its end. Rows after
        a single seeker's hire repeat the last head counts with no events.
    mean_reputation : (R, weeks + 1) float64
    weeks_to_offer : (R,) int64, the week of the single seeker's offer, 0 if none by the horizon.
    hired_channel : (R,) int64, index into ``rules.CHANNEL_NAMES``, -1 if not hired.
    unemployed_weeks : (R, n) int64, weeks each person ended unemployed (n of replicate 0's graph).
    answer_state, answer_week : (R, n) int64, each contact's answer to the single seeker and the
        week it was given; -1 where the contact was never asked.
    traits : (R, n) int8, each person at week 0: ``BANKER`` bit if a help-banker,
        ``EXPERIENCED`` bit if ever unemployed before (the job-search fraternity); and the
        ``REPLACED`` bit if that person left during the run (an entrant took the node).

    The rest is measured over the window, the weeks after ``params.burn_in`` (all weeks for a
    single seeker); ``sim.market`` turns it into the outcomes a labour economist reads:

    unemployed_weeks : (R, n) int64, window weeks each node ended unemployed (a node's
        successive occupants, in a market with demography, add up).
    hazard : (R, 2, len(SPELL_BINS)) int64, per bin of completed spell weeks at the start of a
        window week: [0] unemployed at risk, [1] of them hired that week.
    spells : (R, 2, weeks + 2) int64, spells begun in the window by length d in weeks:
        [0] completed (hired after d weeks), [1] censored (still unemployed, or gone, after
        surviving d weeks: at the window's end or on leaving the labour force).
    elapsed : (R, weeks + 2) int64, the unemployed at each window week's end by elapsed weeks
        of their spell (the CPS's duration of the stock), pooled over the window.
    unemployed_hist : (R, weeks + 2) int64, how many nodes ended k window weeks unemployed
        (k = 0, 1, ...): the distribution of ``unemployed_weeks``, kept even when the per-person
        outputs are not (``per_person=False``; their arrays then have n = 0).
    correlation : (R, 5) float64, employment across the ends of ties (both directions):
        [0] sum over window weeks of that week's correlation, [1] weeks where it is defined,
        [2] sum over window weeks of the share of ties employed at both ends, [3] the mean over
        ties of the product of the ends' window employment rates, [4] of their standard
        deviations (sqrt(e (1 - e)) of each end's rate).
    """

    engine: str
    params: Params
    weekly: np.ndarray
    mean_reputation: np.ndarray
    weeks_to_offer: np.ndarray
    hired_channel: np.ndarray
    unemployed_weeks: np.ndarray
    answer_state: np.ndarray
    answer_week: np.ndarray
    weeks_run: np.ndarray
    traits: np.ndarray
    hazard: np.ndarray
    spells: np.ndarray
    elapsed: np.ndarray
    correlation: np.ndarray
    unemployed_hist: np.ndarray
    columns: tuple[str, ...] = COLUMNS

    @property
    def n_people(self) -> int:
        """People in each replicate's market (the head counts at week 0)."""
        if len(self.weekly) == 0:  # no replicates: the per-person arrays say, if kept
            return int(self.unemployed_weeks.shape[1])
        return int(self.weekly[0, 0, COLUMN["employed"]] + self.weekly[0, 0, COLUMN["unemployed"]])

    @property
    def per_person(self) -> bool:
        """Whether the (R, n) per-person outputs were kept."""
        return self.unemployed_weeks.shape[1] > 0 or self.n_people == 0

    def column(self, name: str) -> np.ndarray:
        """(R, weeks + 1) series of one column."""
        return self.weekly[:, :, COLUMN[name]]

    def totals(self, name: str) -> np.ndarray:
        """(R,) sum of an event column over the run."""
        return self.column(name)[:, 1:].sum(axis=1)

    def window_weeks(self) -> np.ndarray:
        """(R,) weeks measured: those run after the burn-in."""
        return np.maximum(self.weeks_run - self.params.burn_in, 0)

    def unemployment_by_node(self) -> np.ndarray:
        """(R, n) share of the window's weeks that each node ended unemployed.

        Raises ValueError when the per-person outputs were not kept."""
        if not self.per_person:
            raise ValueError("per-person outputs were not kept (per_person=False)")
        return self.unemployed_weeks / np.maximum(self.window_weeks(), 1)[:, None]

    def answer_names(self) -> list[list[str]]:
        return [[STATE_NAMES[s] if s >= 0 else "" for s in row] for row in self.answer_state]

    def is_banker(self) -> np.ndarray:
        """(R, n) bool: help-bankers at week 0."""
        return (self.traits & BANKER) != 0

    def was_replaced(self) -> np.ndarray:
        """(R, n) bool: the node's week-0 occupant left the labour force during the run, so the
        node's outcomes mix people (and its week-0 traits describe only the first)."""
        return (self.traits & REPLACED) != 0

    def was_experienced(self) -> np.ndarray:
        """(R, n) bool: ever unemployed before week 0 (the seeker of a single run included)."""
        return (self.traits & EXPERIENCED) != 0

    def channel_names(self) -> list[str]:
        return [CHANNEL_NAMES[c] if c >= 0 else "" for c in self.hired_channel]


def streams(seed: int, replicate: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The (graph, dynamics) seed sequences of one replicate: a pure function of (seed, r).

    They are the two children of ``SeedSequence(seed, spawn_key=(r,))`` (``.spawn(2)``),
    built directly (the same sequences, a third of the cost)."""
    return _stream(seed, replicate, 0), _stream(seed, replicate, 1)


def _stream(seed: int, replicate: int, kind: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replicate, kind))


def as_int_seed(sequence: np.random.SeedSequence) -> int:
    """A 128-bit integer seed (for ``random.Random`` and Mesa): collisions between replicates
    are negligible even over billions of runs, unlike 32-bit seeds."""
    return int.from_bytes(sequence.generate_state(4, dtype=np.uint32).tobytes(), "little")


def replicate_graph(params: Params, seed: int, replicate: int, same_graph: bool) -> nx.Graph:
    """The graph replicate ``r`` runs on: its own, or replicate 0's for every run."""
    graph_stream, _ = streams(seed, 0 if same_graph else replicate)
    graph, _ = build_graph(params, seed=as_int_seed(graph_stream))
    return graph


# What a graph depends on besides its seed: runs that agree on these share cached graphs.
GRAPH_FIELDS = (
    "graph",
    "n_nodes",
    "mean_degree",
    "rewire",
    "triad_prob",
    "community_size",
    "mixing",
    "graph_file",
    "seeker",
    "graph_delimiter",
    "graph_header",
    "graph_encoding",
    "n_family",
    "n_friends",
    "n_colleagues",
    "n_acquaintances",
    "share_close",
    "share_regular",
    "tie_strength",
)
# Graphs kept per process as CSR arrays, bounded by bytes rather than by count: about 150 kB
# for 1,000 people and 3,000 ties, 3 kB for a personal network, 150 MB for a million people (the
# NetworkX graph each comes from is ~20 times that, and is not kept). 256 MiB holds the 2,000
# personal networks that a strategies sweep with common random numbers reuses for every
# strategy (a 256-graph cache rebuilt them per strategy: 6.0 s against 3.0 s for
# configs/strategies.toml on one worker), or 1,700 markets of 1,000, or one of a million.
GRAPH_CACHE_BYTES = 256 * 2**20
_graph_cache: LRUCache = LRUCache(
    maxsize=GRAPH_CACHE_BYTES, getsizeof=lambda csr: sum(a.nbytes for a in csr)
)


@cached(_graph_cache)  # a graph larger than the whole budget is built and not kept
def _cached_csr(key: tuple[Any, ...], seed: int, replicate: int, version: Any) -> CSRGraph:
    params = Params.from_dict(dict(zip(GRAPH_FIELDS, key, strict=True)))
    if params.graph == "personal":  # the same graph as build_graph's, without NetworkX
        graph_stream, _ = streams(seed, replicate)
        return personal_network_csr(
            params.n_family, params.n_friends, params.n_colleagues, params.n_acquaintances,
            as_int_seed(graph_stream),
        )  # fmt: skip
    if params.graph in CSR_FAMILIES:  # straight into arrays: the graph build_graph would give
        graph_stream, _ = streams(seed, replicate)
        return build_csr(params, np.random.default_rng(as_int_seed(graph_stream)))[0]
    return CSRGraph.of(replicate_graph(params, seed, replicate, same_graph=False))


def replicate_csr(params: Params, seed: int, replicate: int, same_graph: bool) -> CSRGraph:
    """:func:`replicate_graph` as the Numba core's arrays, built once per process and reused
    by every run that asks for the same graph parameters, seed and replicate (sweeps with
    common random numbers build each replicate's graph once, not once per design point)."""
    key, version = _graph_key(params)
    return _cached_csr(key, seed, 0 if same_graph else replicate, version)


def _graph_key(params: Params) -> tuple[tuple[Any, ...], Any]:
    """What a cached graph is looked up by, besides seed and replicate."""
    key = tuple(getattr(params, name) for name in GRAPH_FIELDS)
    version = None
    if params.graph == "file":  # a file edited since it was cached is read again
        stat = os.stat(params.graph_file)
        version = (stat.st_mtime_ns, stat.st_size)
    return key, version


def run(
    params: Params,
    replicates: int,
    seed: int,
    engine: str = "numba",
    *,
    network: nx.Graph | None = None,
    same_graph: bool = False,
    first: int = 0,
    threads: int | None = None,
    per_person: bool = True,
) -> Runs:
    """Run replicates ``first .. first + replicates - 1`` of a design point.

    ``network`` fixes the graph for every replicate (tie classes drawn once from the seed);
    ``same_graph`` uses replicate 0's graph for all, as large sweeps on one network want.
    """
    if engine not in ENGINES:
        raise ConfigError(f"engine='{engine}' is not allowed; allowed: {', '.join(ENGINES)}")
    if replicates < 1:
        raise ConfigError(f"replicates={replicates}; allowed: a whole number >= 1")
    checked = check_seed(seed)
    if checked is None:  # a sweep is always reproducible: no seed from the OS here
        raise ConfigError("seed=None is not allowed; allowed: a whole number >= 0")
    seed = checked
    indices = range(first, first + replicates)
    dynamics = [_stream(seed, r, 1) for r in indices]  # the dynamics half of streams()
    if network is not None:
        graph_stream, _ = streams(seed, 0)
        fixed = prepare(
            network,
            params.share_close,
            params.share_regular,
            as_int_seed(graph_stream),
            params.tie_strength,
        )
        graphs: list[Any] = [fixed] * replicates
    elif engine == "mesa":
        graphs = [replicate_graph(params, seed, r, same_graph) for r in indices]
    else:
        key, version = _graph_key(params)  # once for the call, not per replicate
        graphs = [_cached_csr(key, seed, 0 if same_graph else r, version) for r in indices]
    if engine == "mesa":
        return _run_mesa(params, graphs, dynamics)
    from sim.kernel import simulate_graphs

    return simulate_graphs(params, graphs, dynamics, threads=threads, per_person=per_person)


def empty(params: Params, engine: str, replicates: int, n: int, per_person: bool = True) -> Runs:
    weeks = params.weeks
    people = n if per_person else 0
    return Runs(
        engine=engine,
        params=params,
        weekly=np.zeros((replicates, weeks + 1, len(COLUMNS)), dtype=np.int64),
        mean_reputation=np.zeros((replicates, weeks + 1)),
        weeks_to_offer=np.zeros(replicates, dtype=np.int64),
        hired_channel=np.full(replicates, -1, dtype=np.int64),
        unemployed_weeks=np.zeros((replicates, people), dtype=np.int64),
        answer_state=np.full((replicates, people), -1, dtype=np.int64),
        answer_week=np.full((replicates, people), -1, dtype=np.int64),
        weeks_run=np.zeros(replicates, dtype=np.int64),
        traits=np.zeros((replicates, people), dtype=np.int8),
        hazard=np.zeros((replicates, 2, len(SPELL_BINS)), dtype=np.int64),
        spells=np.zeros((replicates, 2, weeks + 2), dtype=np.int64),
        elapsed=np.zeros((replicates, weeks + 2), dtype=np.int64),
        correlation=np.zeros((replicates, 5)),
        unemployed_hist=np.zeros((replicates, weeks + 2), dtype=np.int64),
    )


def spell_bin_of(weeks: int) -> np.ndarray:
    """(weeks + 2,) int64: the ``SPELL_BINS`` index of a spell of d completed weeks (every
    spell has d >= 1 at the start of a week; d = 0 falls in the first bin)."""
    d = np.arange(weeks + 2)
    upper = np.array([high for _, high in SPELL_BINS[:-1]])
    return np.searchsorted(upper, d, side="left").astype(np.int64)


def _run_mesa(params: Params, graphs: list[nx.Graph], dynamics: list[Any]) -> Runs:
    from sim.model import JobSearchModel

    values = params.as_dict()
    out = empty(params, "mesa", len(graphs), graphs[0].number_of_nodes())
    for r, (graph, stream) in enumerate(zip(graphs, dynamics, strict=True)):
        model = JobSearchModel(seed=as_int_seed(stream), network=graph, **values)
        model.run()
        frame = model.datacollector.get_model_vars_dataframe()  # weeks 1.., week 0 in start
        start = [model.start[name] for name in COLUMNS]
        rows = np.vstack([start, frame[list(COLUMNS)].to_numpy()]).astype(np.int64)
        reputation = [model.start["mean_reputation"], *frame["mean_reputation"]]
        out.weekly[r, : len(rows)] = rows
        out.weekly[r, len(rows) :, COLUMN["employed"] :] = rows[-1, COLUMN["employed"] :]
        out.mean_reputation[r, : len(rows)] = reputation
        out.mean_reputation[r, len(rows) :] = reputation[-1]
        out.weeks_run[r] = model.steps
        out.weeks_to_offer[r] = model.weeks_to_offer
        if model.hired_channel:
            out.hired_channel[r] = CHANNEL_NAMES.index(model.hired_channel)
        out.unemployed_weeks[r] = [p.unemployed_weeks_total for p in model.person]
        out.traits[r] = [
            (BANKER if p.help_banker_at_start else 0)
            | (EXPERIENCED if p.experienced_at_start else 0)
            | (REPLACED if p.replaced else 0)
            for p in model.person
        ]
        out.hazard[r] = model.hazard
        out.spells[r] = model.spells
        out.elapsed[r] = model.elapsed
        out.correlation[r] = model.correlation
        out.unemployed_hist[r] = np.bincount(out.unemployed_weeks[r], minlength=params.weeks + 2)
        for week, _, contact, answer in model.answers:
            out.answer_state[r, contact] = STATE_NAMES.index(answer)
            out.answer_week[r, contact] = week
    return out
