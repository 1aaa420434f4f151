"""sim.model.csr_builders: graphs drawn straight into CSR arrays, checked against NetworkX.

Oracles come from outside the code under test: the NetworkX generators themselves (exact graphs
where the process has no randomness left, per-graph statistics of many independent graphs
otherwise), sim.model.graphs (overlap, assign_ties, the communities builder, reverse_edges),
CPython's own set, np.lexsort and the binomial law.

Statistical tests compare per-graph statistics of independent graphs (one graph, one value, so
no dependence between the values) with two-sided Mann-Whitney U tests at ALPHA = 1e-4 each, and
pooled edge counts with binomial z-tests at |z| < Z (two-sided 1e-5 each). The file makes about
40 such comparisons, so under the null a fresh choice of seeds fails it with probability below
4e-3 (Bonferroni); the seeds are fixed, so a given checkout passes or fails every time.
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from sim.model import graphs
from sim.model.csr import CSRGraph
from sim.model.csr_builders import (
    CSR_FAMILIES,
    _overlaps,
    _python_set_order,
    _rank_classes,
    build_csr,
    links_per_node,
    to_networkx,
)
from sim.model.graphs import assign_ties, overlap, prepare
from sim.model.params import GRAPHS, Params
from sim.model.rules import CLOSE, DISTANT, REGULAR

ALPHA = 1e-4  # per Mann-Whitney comparison
Z = 4.42  # two-sided normal quantile for 1e-5
GRAPHS_PER_SAMPLE = 120  # independent graphs per generator in each comparison
N = 500


def params(graph, **extra):
    return Params.from_dict({"graph": graph, "n_nodes": N, "mean_degree": 6, **extra})


def build(graph, seed=0, **extra):
    return build_csr(params(graph, **extra), np.random.default_rng(seed))


def edge_set(csr):
    sources = np.repeat(np.arange(csr.number_of_nodes()), np.diff(csr.indptr))
    upper = sources < csr.indices
    return set(zip(sources[upper].tolist(), csr.indices[upper].tolist(), strict=True))


def row(csr, u):
    return csr.indices[csr.indptr[u] : csr.indptr[u + 1]].tolist()


def assert_csr_invariants(csr, n):
    indptr, indices, ties, rev = csr
    assert all(a.dtype == np.int64 for a in csr)
    assert len(indptr) == n + 1 and indptr[0] == 0 and indptr[-1] == len(indices)
    assert np.all(np.diff(indptr) >= 0)
    sources = np.repeat(np.arange(n), np.diff(indptr))
    same_row = sources[1:] == sources[:-1]
    assert np.all(indices[1:][same_row] > indices[:-1][same_row])  # sorted, no duplicates
    assert np.all((indices >= 0) & (indices < n))
    assert np.all(indices != sources)  # no self-loops
    assert np.array_equal(rev[rev], np.arange(len(indices)))
    assert np.array_equal(indices[rev], sources)  # rev[e] is v -> u, so the graph is symmetric
    # the reverse by a different route: where (v, u) sits among the sorted (u, v) keys
    assert np.array_equal(rev, np.searchsorted(sources * n + indices, indices * n + sources))
    assert np.array_equal(ties[rev], ties)
    assert set(np.unique(ties).tolist()) <= {CLOSE, REGULAR, DISTANT}


# --- the public surface ------------------------------------------------------------------------
def test_families_are_the_generated_graph_kinds_of_params():
    assert set(CSR_FAMILIES) <= set(GRAPHS)
    assert set(GRAPHS) - set(CSR_FAMILIES) == {
        "personal",
        "karate",
        "florentine",
        "les-miserables",
        "davis",
        "file",
    }


@pytest.mark.parametrize("graph", ["personal", "karate", "davis"])
def test_other_graph_kinds_are_refused_with_the_list_of_kinds(graph):
    with pytest.raises(ValueError, match="barabasi-albert") as info:
        build_csr(Params.from_dict({"graph": graph}), np.random.default_rng(0))
    assert "\n" not in str(info.value) and graph in str(info.value)


# --- exact structure ---------------------------------------------------------------------------
SIZES = [(2, 1), (7, 20), (300, 6), (1000, 11)]  # (n, mean degree): the smallest, dense, usual


@pytest.mark.parametrize(
    ("graph", "n", "mean_degree"),
    [(g, n, d) for g in CSR_FAMILIES for n, d in SIZES if g != "communities" or n > 2],
)
@pytest.mark.parametrize("strength", ["overlap", "random"])
def test_csr_invariants_hold_for_every_family(graph, strength, n, mean_degree):
    values = {"graph": graph, "n_nodes": n, "mean_degree": mean_degree, "tie_strength": strength}
    if graph == "communities":
        values["community_size"] = min(25, n // 2)  # blocks of 3, the last of 4, when n = 7
    p = Params.from_dict(values)
    csr, community = build_csr(p, np.random.default_rng(n))
    assert_csr_invariants(csr, n)
    assert (community is not None) == (graph == "communities")


@pytest.mark.parametrize(("n", "mean_degree"), [(2, 1), (10, 2), (50, 6), (200, 10), (7, 20)])
def test_barabasi_albert_has_the_networkx_edge_count(n, mean_degree):
    m = links_per_node(n, mean_degree)
    expected = nx.barabasi_albert_graph(n, m, seed=1).number_of_edges()
    assert expected == m * (n - m)  # networkx starts from a star on m + 1 nodes
    csr, _ = build_csr(
        Params.from_dict({"graph": "barabasi-albert", "n_nodes": n, "mean_degree": mean_degree}),
        np.random.default_rng(1),
    )
    assert len(csr.indices) // 2 == expected
    star = set(range(1, m + 1))  # centre 0 and its leaves 1..m, before anyone attaches
    assert star <= set(nx.barabasi_albert_graph(n, m, seed=1)[0]) and star <= set(row(csr, 0))


@pytest.mark.parametrize(("n", "mean_degree"), [(10, 2), (60, 6), (300, 10)])
def test_holme_kim_without_triads_has_the_networkx_edge_count(n, mean_degree):
    m = links_per_node(n, mean_degree)
    expected = nx.powerlaw_cluster_graph(n, m, 0.0, seed=2).number_of_edges()
    p = Params.from_dict(
        {"graph": "holme-kim", "n_nodes": n, "mean_degree": mean_degree, "triad_prob": 0.0}
    )
    csr, _ = build_csr(p, np.random.default_rng(2))
    assert len(csr.indices) // 2 == expected


def test_holme_kim_first_newcomer_links_to_every_initial_node_as_in_networkx():
    m = 5
    G = nx.powerlaw_cluster_graph(100, m, 0.9, seed=3)
    csr, _ = build("holme-kim", seed=3, mean_degree=10, triad_prob=0.9, n_nodes=100)
    assert sorted(G[m])[:m] == list(range(m)) == row(csr, m)[:m]
    assert len(csr.indices) // 2 <= m * (100 - m)  # a repeat link adds no edge


@pytest.mark.parametrize(("n", "mean_degree"), [(5, 2), (6, 10), (7, 6), (100, 6), (101, 9)])
def test_watts_strogatz_without_rewiring_is_the_networkx_ring(n, mean_degree):
    k = min(2 * links_per_node(n, mean_degree), n - 1)  # (6, 10): k = 5, odd
    ring = {tuple(sorted(e)) for e in nx.watts_strogatz_graph(n, k, 0.0, seed=0).edges}
    p = Params.from_dict(
        {"graph": "watts-strogatz", "n_nodes": n, "mean_degree": mean_degree, "rewire": 0.0}
    )
    assert edge_set(build_csr(p, np.random.default_rng(0))[0]) == ring


def test_watts_strogatz_rewiring_keeps_the_edge_count():
    for rewire in (0.3, 1.0):
        csr, _ = build("watts-strogatz", seed=4, rewire=rewire)
        assert len(csr.indices) // 2 == N * 3


@pytest.mark.parametrize("n", [2, 3, 40])
def test_erdos_renyi_with_mean_degree_n_minus_1_is_complete(n):
    csr, _ = build("erdos-renyi", n_nodes=n, mean_degree=n - 1)
    assert edge_set(csr) == {tuple(sorted(e)) for e in nx.complete_graph(n).edges}


def test_communities_without_mixing_have_no_edge_across_communities():
    csr, community = build("communities", seed=5, n_nodes=510, mixing=0.0)
    oracle = graphs.communities(510, 6, 25, 0.0, seed=5)  # 20 blocks, the last of 35
    assert community.tolist() == [oracle.nodes[u]["community"] for u in range(510)]
    sources = np.repeat(np.arange(510), np.diff(csr.indptr))
    assert len(csr.indices) > 0
    assert np.array_equal(community[sources], community[csr.indices])


def test_python_set_order_is_the_order_cpython_pops_a_set():
    rng = np.random.default_rng(6)
    for _ in range(3000):
        m = int(rng.choice([1, 2, 3, 4, 5, 6, 9, 20, 60]))
        high = int(rng.choice([m + 1, 64, 10**4, 10**7]))
        drawn = []
        seen = set()
        while len(seen) < m:
            x = int(rng.integers(high))
            if x not in seen:
                drawn.append(x)
            seen.add(x)
        popped = [seen.pop() for _ in range(m)]
        items = np.array(drawn, dtype=np.int64)
        scratch = np.empty(8 * m + 8, dtype=np.int64), np.empty(8 * m + 8, dtype=np.int64)
        _python_set_order(items, m, *scratch)
        assert items.tolist() == popped


# --- the same families as NetworkX -------------------------------------------------------------
def summary(G):
    degree = np.array([d for _, d in G.degree()])
    return {
        "edges": G.number_of_edges(),
        "max degree": degree.max(),
        "degree variance": degree.var(),
        "share at min degree": np.mean(degree == degree.min()),
        "degree of node 0": degree[0],
        "clustering": nx.average_clustering(G),
        "transitivity": nx.transitivity(G),
    }


def compare(graph, networkx_graph, names, **extra):
    """Per-graph statistics of GRAPHS_PER_SAMPLE graphs from each generator, one Mann-Whitney
    test per statistic; returns the mean of each for further checks."""
    ours = [summary(to_networkx(build(graph, seed, **extra)[0])) for seed in range(120)]
    theirs = [summary(networkx_graph(seed)) for seed in range(10_000, 10_120)]
    means = {}
    for name in names:
        a = [s[name] for s in ours]
        b = [s[name] for s in theirs]
        p = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
        assert p > ALPHA, f"{graph} {extra}: {name} differs from networkx (p = {p:.2g})"
        means[name] = (np.mean(a), np.mean(b))
    return means


def test_barabasi_albert_is_networkx_barabasi_albert_in_distribution():
    compare(
        "barabasi-albert",
        lambda s: nx.barabasi_albert_graph(N, 3, seed=s),
        ["max degree", "degree variance", "share at min degree", "degree of node 0", "clustering"],
    )


def test_holme_kim_is_networkx_powerlaw_cluster_in_distribution_and_clusters_with_triads():
    names = [
        "edges",
        "max degree",
        "degree variance",
        "degree of node 0",
        "clustering",
        "transitivity",
    ]
    low = compare(
        "holme-kim",
        lambda s: nx.powerlaw_cluster_graph(N, 3, 0.2, seed=s),
        names,
        triad_prob=0.2,
    )
    high = compare(
        "holme-kim",
        lambda s: nx.powerlaw_cluster_graph(N, 3, 0.8, seed=s),
        names,
        triad_prob=0.8,
    )
    for side in (0, 1):  # ours and networkx's alike: more triads, more clustering
        assert high["clustering"][side] > low["clustering"][side] + 0.2


def test_erdos_renyi_is_networkx_gnp_in_distribution():
    p = 6 / (N - 1)
    compare(
        "erdos-renyi",
        lambda s: nx.fast_gnp_random_graph(N, p, seed=s),
        ["edges", "max degree", "degree variance", "clustering"],
    )
    pairs = N * (N - 1) // 2
    total = sum(len(build("erdos-renyi", seed)[0].indices) // 2 for seed in range(200))
    z = (total - 200 * pairs * p) / math.sqrt(200 * pairs * p * (1 - p))
    assert abs(z) < Z


@pytest.mark.parametrize("rewire", [0.1, 0.5])
def test_watts_strogatz_is_networkx_watts_strogatz_in_distribution(rewire):
    compare(
        "watts-strogatz",
        lambda s: nx.watts_strogatz_graph(N, 6, rewire, seed=s),
        ["max degree", "degree variance", "clustering", "transitivity"],
        rewire=rewire,
    )


def test_communities_have_the_block_model_edge_counts():
    n, size, mixing, mean_degree = 510, 25, 0.3, 6.0  # 19 blocks of 25, the last of 35
    p_in = min(1.0, (1 - mixing) * mean_degree / (size - 1))
    p_last = min(1.0, (1 - mixing) * mean_degree / (35 - 1))
    p_out = min(1.0, mixing * mean_degree / (n - size))
    pairs_in = 19 * size * (size - 1) // 2
    pairs_last = 35 * 34 // 2
    pairs_out = n * (n - 1) // 2 - pairs_in - pairs_last
    counts = {"within": [], "last": [], "across": []}
    oracle_counts = {"within": [], "last": [], "across": []}

    def count(G_edges, block, into):
        u, v = G_edges[:, 0], G_edges[:, 1]
        same = block[u] == block[v]
        last = same & (block[u] == 19)
        into["within"].append(int(np.sum(same & ~last)))
        into["last"].append(int(np.sum(last)))
        into["across"].append(int(np.sum(~same)))

    for seed in range(150):
        csr, block = build("communities", seed, n_nodes=n, mixing=mixing)
        count(np.array(sorted(edge_set(csr))), block, counts)
        G = graphs.communities(n, mean_degree, size, mixing, seed=seed + 10_000)
        oracle_block = np.array([G.nodes[u]["community"] for u in range(n)])
        count(np.array(G.edges).reshape(-1, 2), oracle_block, oracle_counts)
    for name, pairs, p in (
        ("within", pairs_in, p_in),
        ("last", pairs_last, p_last),
        ("across", pairs_out, p_out),
    ):
        trials = 150 * pairs  # a sum of independent Bernoulli(p) pairs: binomial
        z = (sum(counts[name]) - trials * p) / math.sqrt(trials * p * (1 - p))
        assert abs(z) < Z, f"{name}: z = {z:.2f}"
        mw = stats.mannwhitneyu(counts[name], oracle_counts[name], alternative="two-sided")
        assert mw.pvalue > ALPHA, f"{name} differs from sim.model.graphs.communities"


def test_communities_scale_to_a_million_people_in_blocks_of_25():
    csr, community = build("communities", seed=7, n_nodes=1_000_000, community_size=25)
    assert community.max() == 39_999
    mean_degree = len(csr.indices) / 1_000_000
    assert abs(mean_degree - 6) < 0.02  # sd of the mean degree is about 0.0035


# --- tie classes -------------------------------------------------------------------------------
def test_overlap_ties_rank_like_assign_ties():
    csr, _ = build("holme-kim", seed=8, n_nodes=300)
    G = to_networkx(csr)
    position, values = _overlaps(csr.indptr, csr.indices, csr.rev)
    sources = np.repeat(np.arange(300), np.diff(csr.indptr))
    for e, value in zip(position.tolist(), values.tolist(), strict=True):
        assert value == overlap(G, int(sources[e]), int(csr.indices[e]))  # bit for bit
    by_class = {c: [] for c in (CLOSE, REGULAR, DISTANT)}
    for u, v, tie in G.edges(data="tie"):
        by_class[tie].append(overlap(G, u, v))
    assert min(by_class[CLOSE]) >= max(by_class[REGULAR])
    assert min(by_class[REGULAR]) >= max(by_class[DISTANT])
    bare = nx.Graph(G.edges)  # the same graph without ties, classed by sim.model.graphs
    assign_ties(bare, 0.2, 0.4, seed=1)
    assert Counter(t for *_, t in bare.edges(data="tie")) == Counter(
        t for *_, t in G.edges(data="tie")
    )


def test_rank_classes_equal_a_full_lexsort_ranking():
    rng = np.random.default_rng(9)
    for size in (1, 2, 10, 1000):
        values = rng.integers(0, 4, size) / 4.0  # few distinct overlaps: many ties at the cuts
        for keys in (rng.random(size), rng.integers(0, 3, size) / 3.0):  # distinct, and equal
            rank = np.empty(size, dtype=np.int64)
            rank[np.lexsort((keys, -values))] = np.arange(size)  # stable: equal keys by index
            for share_close, share_regular in ((0.2, 0.4), (0.0, 0.5), (0.5, 0.5), (1.0, 0.0)):
                n_close = round(share_close * size)
                n_regular = round((share_close + share_regular) * size)
                expected = np.where(
                    rank < n_close, CLOSE, np.where(rank < n_regular, REGULAR, DISTANT)
                )
                got = _rank_classes(values, keys, n_close, n_regular)
                assert np.array_equal(got, expected), (size, share_close, share_regular)


def test_random_ties_have_the_requested_shares():
    csr, _ = build("erdos-renyi", seed=10, n_nodes=20_000, mean_degree=10, tie_strength="random")
    ties = csr.ties[csr.indices > np.repeat(np.arange(20_000), np.diff(csr.indptr))]
    for tie, share in ((CLOSE, 0.2), (REGULAR, 0.4), (DISTANT, 0.4)):
        z = (np.sum(ties == tie) - len(ties) * share) / math.sqrt(len(ties) * share * (1 - share))
        assert abs(z) < Z, f"tie {tie}: z = {z:.2f}"


# --- seeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("graph", CSR_FAMILIES)
def test_same_seed_gives_identical_arrays_and_different_seeds_differ(graph):
    a, ca = build(graph, seed=11)
    b, cb = build(graph, seed=11)
    c, _ = build(graph, seed=12)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert (ca is None and cb is None) or np.array_equal(ca, cb)
    assert not np.array_equal(a.indices, c.indices) or not np.array_equal(a.ties, c.ties)


@pytest.mark.parametrize("graph", CSR_FAMILIES)
def test_structure_is_drawn_before_ties_from_the_one_generator(graph):
    a, _ = build(graph, seed=13, share_close=0.1)
    b, _ = build(graph, seed=13, share_close=0.3, tie_strength="random")
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.ties, b.ties)


# --- to NetworkX and back ----------------------------------------------------------------------
@pytest.mark.parametrize("graph", CSR_FAMILIES)
def test_to_networkx_round_trips_and_prepare_keeps_it(graph):
    csr, community = build(graph, seed=14)
    G = to_networkx(csr, community)
    assert list(G.nodes) == list(range(N))
    assert all(G.nodes[u]["label"] == u for u in G)
    if community is not None:
        assert [G.nodes[u]["community"] for u in G] == community.tolist()
    for back in (CSRGraph.of(G), CSRGraph.of(prepare(G, seed=0))):  # as the Mesa model does
        assert all(np.array_equal(x, y) for x, y in zip(csr, back, strict=True))
