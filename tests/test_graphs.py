import random

import networkx as nx
import numpy as np
import pytest

from sim.model.csr import to_csr
from sim.model.graphs import (
    NAMED_GRAPHS,
    SEEKER,
    barabasi_albert,
    build_graph,
    communities,
    holme_kim,
    overlap,
    personal_network,
    prepare,
)
from sim.model.params import GRAPHS, Params
from sim.model.rules import CLOSE, DISTANT, REGULAR

BUILT = [g for g in GRAPHS if g != "file"]


def small(graph, **extra):
    return Params.from_dict({"graph": graph, "n_nodes": 60, "mean_degree": 4, **extra})


def signature(G):
    return sorted(G.nodes), sorted((u, v, d["tie"]) for u, v, d in G.edges(data=True))


@pytest.mark.parametrize("graph", BUILT)
def test_every_graph_has_nodes_0_to_n_and_a_tie_on_every_edge(graph):
    G, report = build_graph(small(graph), seed=3)
    assert report is None
    assert sorted(G.nodes) == list(range(G.number_of_nodes()))
    assert G.number_of_edges() > 0
    assert all(d["tie"] in (CLOSE, REGULAR, DISTANT) for *_, d in G.edges(data=True))
    assert nx.number_of_selfloops(G) == 0


@pytest.mark.parametrize("graph", BUILT)
def test_same_seed_gives_the_same_graph(graph):
    assert signature(build_graph(small(graph), seed=11)[0]) == signature(
        build_graph(small(graph), seed=11)[0]
    )


@pytest.mark.parametrize("graph", ["personal", "erdos-renyi", "watts-strogatz", "barabasi-albert"])
def test_different_seeds_give_different_random_graphs(graph):
    assert signature(build_graph(small(graph), seed=1)[0]) != signature(
        build_graph(small(graph), seed=2)[0]
    )


def test_generated_graphs_have_the_requested_size_and_mean_degree():
    for graph in ("erdos-renyi", "watts-strogatz", "barabasi-albert"):
        G, _ = build_graph(small(graph, n_nodes=2000, mean_degree=6), seed=5)
        mean_degree = 2 * G.number_of_edges() / G.number_of_nodes()
        assert G.number_of_nodes() == 2000
        # ER's degree sum is binomial with sd ~ 0.08 here; the others are within m of exact.
        assert 5.5 < mean_degree < 6.5, graph


def test_personal_network_has_the_roles_and_tie_classes_of_the_story():
    G = personal_network(3, 2, 5, 7, seed=4)
    roles = [G.nodes[n]["role"] for n in G]
    assert roles.count("family") == 3 and roles.count("friend") == 2
    assert roles.count("colleague") == 5 and roles.count("acquaintance") == 7
    assert G.nodes[SEEKER]["role"] == "seeker"
    assert G.degree(SEEKER) == 17
    expected = {"family": CLOSE, "friend": CLOSE, "colleague": REGULAR, "acquaintance": DISTANT}
    for contact in G.adj[SEEKER]:
        assert G.edges[SEEKER, contact]["tie"] == expected[G.nodes[contact]["role"]]
    family = [n for n in G if G.nodes[n]["role"] == "family"]
    assert all(G.has_edge(u, v) for u in family for v in family if u < v)


def test_weighted_graphs_make_the_heaviest_ties_close():
    G, _ = build_graph(small("les-miserables"), seed=0)
    weight = {t: [d["weight"] for *_, d in G.edges(data=True) if d["tie"] == t] for t in (0, 1, 2)}
    assert min(weight[CLOSE]) >= max(weight[REGULAR]) >= 0
    assert min(weight[REGULAR]) >= max(weight[DISTANT])
    share_close = len(weight[CLOSE]) / G.number_of_edges()
    assert abs(share_close - 0.2) < 0.01


def test_unweighted_ties_follow_the_requested_shares():
    G, _ = build_graph(small("erdos-renyi", n_nodes=3000, mean_degree=8), seed=9)
    ties = np.array([d["tie"] for *_, d in G.edges(data=True)])
    n = len(ties)
    # Binomial sd of a share of ~12,000 edges is <= 0.0046; 0.03 is more than 6 sd.
    assert abs((ties == CLOSE).mean() - 0.2) < 0.03
    assert abs((ties == REGULAR).mean() - 0.4) < 0.03
    assert n > 10_000


def test_named_real_graphs_keep_their_size():
    sizes = {"karate": 34, "florentine": 15, "les-miserables": 77, "davis": 18}
    for name, size in sizes.items():
        assert NAMED_GRAPHS[name]().number_of_nodes() == size


def test_csr_is_symmetric_and_matches_the_graph():
    G = prepare(nx.karate_club_graph(), seed=random.Random(2))
    indptr, indices, ties = to_csr(G)
    assert indptr.dtype == indices.dtype == ties.dtype == np.int64
    assert indptr[-1] == 2 * G.number_of_edges()
    for u in G:
        row = slice(indptr[u], indptr[u + 1])
        assert list(indices[row]) == sorted(G.adj[u])
        for v, t in zip(indices[row], ties[row], strict=True):
            assert G.edges[u, v]["tie"] == t


def test_integer_labels_keep_their_order_so_node_0_stays_the_seeker():
    G = prepare(nx.Graph([(1, 0), (2, 0), (3, 0)]))
    assert list(G.nodes) == [0, 1, 2, 3] and G.degree(0) == 3


@pytest.mark.parametrize(("mean_degree", "m"), [(2, 1), (3, 2), (4, 2), (5, 3), (6, 3)])
def test_barabasi_albert_links_per_node_round_half_up(mean_degree, m):
    G, _ = build_graph(small("barabasi-albert", n_nodes=50, mean_degree=mean_degree), seed=1)
    assert G.number_of_edges() == m * (50 - m)


def test_overlap_is_onnelas_formula():
    G = nx.Graph([(0, 1), (0, 2), (1, 2), (1, 3), (0, 4)])
    # tie 0-1: one common neighbour (2); k0 = 3, k1 = 3: 1 / (2 + 2 - 1)
    assert overlap(G, 0, 1) == pytest.approx(1 / 3)
    assert overlap(G, 0, 4) == 0.0 and overlap(nx.path_graph(2), 0, 1) == 0.0


def test_overlap_ties_put_strong_ties_inside_clusters():
    G = holme_kim(1000, 6, 0.8, seed=1)
    H = prepare(G, 0.2, 0.4, random.Random(1), "overlap")
    mean = {}
    for tie in (CLOSE, REGULAR, DISTANT):
        values = [overlap(H, u, v) for u, v, t in H.edges(data="tie") if t == tie]
        mean[tie] = np.mean(values)
        share = len(values) / H.number_of_edges()
        assert share == pytest.approx((0.2, 0.4, 0.4)[tie], abs=1 / H.number_of_edges())
    assert mean[CLOSE] > mean[REGULAR] > mean[DISTANT]
    # every close tie overlaps at least as much as any distant one (ranked, not drawn)
    close = min(overlap(H, u, v) for u, v, t in H.edges(data="tie") if t == CLOSE)
    distant = max(overlap(H, u, v) for u, v, t in H.edges(data="tie") if t == DISTANT)
    assert close >= distant


def test_holme_kim_is_clustered_like_a_social_network_and_ba_is_not():
    # Newman 2003 (SIAM Review 45, table 3.1): mean local clustering 0.34-0.88 in the networks
    # of film actors, company directors and coauthors
    assert 0.34 <= nx.average_clustering(holme_kim(1000, 6, 0.8, seed=2)) <= 0.88
    assert nx.average_clustering(barabasi_albert(1000, 6, seed=2)) < 0.1


def test_communities_have_the_requested_size_degree_and_mixing():
    G = communities(1000, 6.0, 25, 0.2, seed=3)
    assert G.number_of_nodes() == 1000
    block = nx.get_node_attributes(G, "community")
    assert len(set(block.values())) == 40
    across = sum(block[u] != block[v] for u, v in G.edges) / G.number_of_edges()
    # ~3,000 ties: the binomial sd of the share across is 0.007; 0.035 is five of them
    assert across == pytest.approx(0.2, abs=0.035)
    assert 2 * G.number_of_edges() / 1000 == pytest.approx(6.0, rel=0.06)


@pytest.mark.parametrize("sizes", [(3, 3, 6, 8), (0, 2, 0, 5), (1, 0, 0, 0), (5, 5, 5, 5)])
def test_personal_network_arrays_are_the_networkx_builders_graph(sizes):
    from sim.model.csr import CSRGraph
    from sim.model.graphs import personal_network_csr

    names = ("n_family", "n_friends", "n_colleagues", "n_acquaintances")
    params = Params.from_dict(dict(zip(names, sizes, strict=True)))
    for seed in range(60):
        fast = personal_network_csr(*sizes, seed=seed)
        reference = CSRGraph.of(build_graph(params, seed=seed)[0])
        assert all(np.array_equal(a, b) for a, b in zip(fast, reference, strict=True)), seed


def test_csr_arrays_are_each_nodes_sorted_neighbours_and_refuse_self_loops():
    from sim.model.csr import CSRGraph, from_edges

    G = nx.gnm_random_graph(60, 200, seed=3)
    for k, (u, v) in enumerate(G.edges):
        G.edges[u, v]["tie"] = k % 3
    csr = CSRGraph.of(G)
    for u in G:  # the oracle: NetworkX's adjacency, sorted
        row = slice(csr.indptr[u], csr.indptr[u + 1])
        assert csr.indices[row].tolist() == sorted(G.adj[u])
        assert csr.ties[row].tolist() == [G.edges[u, v]["tie"] for v in sorted(G.adj[u])]
        for e in range(csr.indptr[u], csr.indptr[u + 1]):
            assert csr.indices[csr.rev[e]] == u and csr.rev[csr.rev[e]] == e
    with pytest.raises(ValueError, match="1 self-loop"):
        from_edges(3, np.array([0, 1]), np.array([1, 1]), np.array([0, 0]))
    looped = nx.Graph([(0, 1), (1, 1), (1, 2)])
    nx.set_edge_attributes(looped, 0, "tie")
    with pytest.raises(ValueError, match="self-loop"):
        CSRGraph.of(looped)


def test_networkx_reference_builders_draw_the_named_family():
    from sim.model.graphs import build_networkx

    for graph in ("erdos-renyi", "watts-strogatz", "barabasi-albert", "holme-kim", "communities"):
        G = build_networkx(small(graph, n_nodes=300, mean_degree=6), seed=2)
        assert G.number_of_nodes() == 300 and nx.number_of_selfloops(G) == 0
        assert 4.0 < 2 * G.number_of_edges() / 300 < 8.0, graph
    assert nx.transitivity(build_networkx(small("holme-kim", n_nodes=300), seed=2)) > 0.1
    with pytest.raises(ValueError, match="'karate' is not generated"):
        build_networkx(small("karate"), seed=2)
