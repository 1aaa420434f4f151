import networkx as nx
import numpy as np
import pytest

from sim.model.params import ConfigError, Params
from sim.model.results import COLUMNS
from sim.model.runs import run, streams


def test_streams_are_a_pure_function_of_seed_and_replicate():
    graph, dynamics = streams(7, 3)
    again = streams(7, 3)
    assert graph.generate_state(2).tolist() == again[0].generate_state(2).tolist()
    assert dynamics.generate_state(2).tolist() == again[1].generate_state(2).tolist()
    assert graph.generate_state(2).tolist() != dynamics.generate_state(2).tolist()
    assert streams(7, 4)[1].generate_state(2).tolist() != dynamics.generate_state(2).tolist()
    assert streams(8, 3)[1].generate_state(2).tolist() != dynamics.generate_state(2).tolist()


@pytest.mark.parametrize("engine", ["numba", "mesa"])
def test_both_engines_fill_the_same_shapes(engine):
    params = Params.from_dict({"weeks": 12}, strategy="vague-gloomy")
    runs = run(params, 3, seed=4, engine=engine)
    n = 21
    assert runs.weekly.shape == (3, 13, len(COLUMNS))
    assert runs.mean_reputation.shape == (3, 13)
    assert runs.unemployed_weeks.shape == runs.answer_state.shape == (3, n)
    assert runs.weeks_to_offer.shape == runs.hired_channel.shape == runs.weeks_run.shape == (3,)
    employed = runs.column("employed") + runs.column("unemployed")
    assert (employed == n).all()


def test_each_replicate_gets_its_own_graph_unless_asked_not_to():
    params = Params.from_dict(
        {"scenario": "market", "burn_in": 0, "graph": "erdos-renyi", "n_nodes": 60, "weeks": 5}
    )
    from sim.model.runs import replicate_graph

    g0 = replicate_graph(params, 1, 0, False)
    g1 = replicate_graph(params, 1, 1, False)
    assert sorted(g0.edges) != sorted(g1.edges)
    assert sorted(replicate_graph(params, 1, 1, True).edges) == sorted(g0.edges)


def test_a_given_network_is_used_for_every_replicate():
    params = Params.from_dict({"scenario": "market", "burn_in": 0, "weeks": 20})
    runs = run(params, 4, seed=2, network=nx.path_graph(5))
    assert runs.unemployed_weeks.shape == (4, 5)
    assert np.all(runs.unemployment_by_node() <= 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "java"}, "engine='java' is not allowed; allowed: numba, mesa"),
        ({"replicates": 0}, "replicates=0"),
        ({"seed": -1}, "seed=-1 is not allowed"),
    ],
)
def test_bad_run_arguments_are_named(kwargs, message):
    args = {"replicates": 1, "seed": 0, **kwargs}
    with pytest.raises(ConfigError, match=message):
        run(Params(), args.pop("replicates"), args.pop("seed"), **args)


def test_a_runs_streams_are_the_root_seed_sequences_spawned_child_of_its_index():
    children = np.random.SeedSequence(42).spawn(6)
    for index in (0, 5):
        graph, dynamics = streams(42, index)
        expected_graph, expected_dynamics = children[index].spawn(2)
        assert np.array_equal(graph.generate_state(4), expected_graph.generate_state(4))
        assert np.array_equal(dynamics.generate_state(4), expected_dynamics.generate_state(4))


@pytest.mark.parametrize("engine", ["numba", "mesa"])
def test_traits_record_bankers_and_the_experienced_at_week_zero(engine):
    # 20 markets of 100: 2,000 Bernoulli draws per share. Expected shares: bankers 0.3;
    # experienced = experienced_share + (1 - experienced_share) * initial_unemployed = 0.6.
    # Tolerance 0.05 is > 4.8 standard errors (sd <= 0.0110): false-failure rate < 2e-6.
    params = Params.from_dict(
        {
            "scenario": "market",
            "burn_in": 0,
            "graph": "erdos-renyi",
            "n_nodes": 100,
            "weeks": 2,
            "help_banker_share": 0.3,
            "experienced_share": 0.5,
            "initial_unemployed": 0.2,
        }
    )
    runs = run(params, replicates=20, seed=5, engine=engine)
    assert runs.traits.shape == (20, 100)
    assert abs(runs.is_banker().mean() - 0.3) < 0.05
    assert abs(runs.was_experienced().mean() - 0.6) < 0.05
    # with no help-bankers the bit is never set
    none = run(params.replace(help_banker_share=0.0), replicates=2, seed=5, engine=engine)
    assert not none.is_banker().any()


def test_the_graph_cache_keeps_every_graph_a_common_numbers_sweep_reuses():
    from sim.model import runs as module

    module._graph_cache.clear()
    gloomy = Params.from_dict({}, strategy="vague-gloomy")
    positive = Params.from_dict({}, strategy="specific-positive")
    run(gloomy, 400, seed=3)
    built = len(module._graph_cache)
    run(positive, 400, seed=3)  # the same 400 networks: found, not rebuilt
    assert built == len(module._graph_cache) == 400  # more than the old 256-graph cache held
    assert 0 < module._graph_cache.currsize <= module.GRAPH_CACHE_BYTES


def test_without_per_person_outputs_every_per_run_outcome_is_the_same():
    from sim.analysis.market import outcomes

    params = Params.from_dict(
        {"scenario": "market", "n_nodes": 150, "weeks": 80, "burn_in": 30, "graph": "holme-kim"}
    )
    full = run(params, 3, seed=4)
    lean = run(params, 3, seed=4, per_person=False)
    assert full.unemployed_weeks.shape == (3, 150) and lean.unemployed_weeks.shape == (3, 0)
    assert lean.traits.shape == lean.answer_state.shape == (3, 0) and not lean.per_person
    for name in ("weekly", "hazard", "spells", "elapsed", "correlation", "unemployed_hist"):
        assert np.array_equal(getattr(full, name), getattr(lean, name)), name
    a, b = outcomes(full), outcomes(lean)
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=True), name
    # the histogram is the per-node counts, and the Gini is theirs
    for r in range(3):
        assert np.array_equal(
            np.bincount(full.unemployed_weeks[r], minlength=82), full.unemployed_hist[r]
        )
    with pytest.raises(ValueError, match="per_person=False"):
        lean.unemployment_by_node()


def test_streams_are_the_children_numpy_spawns():
    for seed, replicate in [(1, 0), (20260101, 1999), (2**70, 5)]:
        spawned = np.random.SeedSequence(seed, spawn_key=(replicate,)).spawn(2)
        for ours, theirs in zip(streams(seed, replicate), spawned, strict=True):
            assert np.array_equal(ours.generate_state(8), theirs.generate_state(8))


@pytest.mark.parametrize("graph", ["barabasi-albert", "holme-kim", "communities"])
def test_both_engines_get_the_same_generated_graph(graph):
    from sim.model.csr import CSRGraph
    from sim.model.runs import replicate_csr, replicate_graph

    params = Params.from_dict({"scenario": "market", "graph": graph, "n_nodes": 300})
    for replicate in (0, 3):
        arrays = replicate_csr(params, 9, replicate, False)
        mesa = CSRGraph.of(replicate_graph(params, 9, replicate, False))
        assert all(np.array_equal(a, b) for a, b in zip(arrays, mesa, strict=True))
