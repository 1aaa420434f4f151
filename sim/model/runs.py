"""Replicated runs on either engine, with one result shape: the entry point for experiments.

``run(params, replicates, seed, engine="numba")`` gives replicate ``r`` streams derived
from the root seed with ``numpy.random.SeedSequence``: one builds its graph, one drives its
dynamics, and a third draws who asks how when the population is mixed
(``sim.model.population``). Replicate ``r``'s streams depend only on ``(seed, r)``, never on
how replicates are batched or how many threads run them; both engines get the same graph and
the same population for it.

Examples
--------
>>> from sim.model.params import Params
>>> runs = run(Params.from_dict({}, strategy="specific-positive"), replicates=4, seed=1)
>>> runs.weekly.shape[0], runs.columns[-2:]
(4, ('employed', 'unemployed'))
"""

from __future__ import annotations

import os
from typing import Any

import networkx as nx
import numpy as np
from cachetools import LRUCache, cached

from sim.model.csr import CSRGraph
from sim.model.csr_builders import CSR_FAMILIES, build_csr
from sim.model.graphs import build_graph, personal_network_csr, prepare
from sim.model.params import ConfigError, Params, check_seed
from sim.model.population import Population, draw, draws
from sim.model.results import (
    BANKER,
    COLUMN,
    COLUMNS,
    EXPERIENCED,
    REPLACED,
    Runs,
    empty,
)
from sim.model.rules import CHANNEL_NAMES, STATE_NAMES

ENGINES = ("numba", "mesa")


def streams(seed: int, replicate: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The (graph, dynamics) seed sequences of one replicate: a pure function of (seed, r).

    They are the two children of ``SeedSequence(seed, spawn_key=(r,))`` (``.spawn(2)``),
    built directly (the same sequences, a third of the cost)."""
    return _stream(seed, replicate, 0), _stream(seed, replicate, 1)


def population_of(params: Params, seed: int, replicate: int, n: int) -> Population:
    """Replicate ``r``'s population: drawn from the third stream of ``(seed, r)``, so that the
    graph and dynamics streams are those of a run without a mix."""
    return draw(params, n, np.random.default_rng(_stream(seed, replicate, 2)))


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
    n = graphs[0].number_of_nodes()
    populations = None if not draws(params) else [
        population_of(params, seed, r, n) for r in indices
    ]  # fmt: skip
    if engine == "mesa":
        return _run_mesa(params, graphs, dynamics, populations)
    from sim.model.kernel import simulate_graphs

    return simulate_graphs(
        params, graphs, dynamics, threads=threads, per_person=per_person, populations=populations
    )


def _run_mesa(
    params: Params,
    graphs: list[nx.Graph],
    dynamics: list[Any],
    populations: list[Population] | None,
) -> Runs:
    from sim.model.mesa_model import JobSearchModel

    values = params.as_dict()
    out = empty(params, "mesa", len(graphs), graphs[0].number_of_nodes())
    for r, (graph, stream) in enumerate(zip(graphs, dynamics, strict=True)):
        population = None if populations is None else populations[r]
        model = JobSearchModel(
            seed=as_int_seed(stream), network=graph, population=population, **values
        )
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
        out.by_group[r] = model.by_group
        out.by_arm[r] = model.by_arm
        for week, _, contact, answer in model.answers:
            out.answer_state[r, contact] = STATE_NAMES.index(answer)
            out.answer_week[r, contact] = week
    return out
