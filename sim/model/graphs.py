"""Graph builders and loaders: every graph comes out with nodes 0..n-1 and a tie class per edge.

Each edge carries ``tie`` (``rules.CLOSE``, ``REGULAR`` or ``DISTANT``). Where the source has edge
weights (karate club, Les Miserables, Davis women, a weighted file) the heaviest ties are close;
elsewhere the ties with the highest neighbourhood overlap are (or, on request, classes are drawn
at random with the given shares). Builders take ``seed`` like
NetworkX's own (an int, a ``random.Random`` or None), so one root seed fixes the graph.

Examples
--------
>>> G = personal_network(n_family=2, n_friends=2, n_colleagues=3, n_acquaintances=3, seed=1)
>>> G.number_of_nodes(), G.nodes[0]["role"], G.edges[0, 1]["tie"] == CLOSE
(11, 'seeker', True)
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
from networkx.utils import py_random_state

from sim.model.csr import CSRGraph, from_edges, reverse_edges
from sim.model.csr_builders import CSR_FAMILIES, build_csr, links_per_node, to_networkx
from sim.model.graphfile import GraphReading, read_graph_file
from sim.model.params import Params
from sim.model.rules import CLOSE, DISTANT, REGULAR

SEEKER = 0
ROLES = ("family", "friend", "colleague", "acquaintance")
# Tie of each role to the seeker, and how densely the role's members know each other.
ROLE_TIE = {"family": CLOSE, "friend": CLOSE, "colleague": REGULAR, "acquaintance": DISTANT}
WITHIN_ROLE = {
    "family": (1.0, CLOSE),  # a family all know each other well
    "friend": (0.5, REGULAR),
    "colleague": (0.4, REGULAR),
    "acquaintance": (0.05, DISTANT),
}
ACROSS_ROLES = 0.05  # any two contacts from different circles: rare, distant ties


# --- builders ---------------------------------------------------------------------------------
@py_random_state("seed")
def personal_network(
    n_family: int = 3,
    n_friends: int = 3,
    n_colleagues: int = 6,
    n_acquaintances: int = 8,
    seed: Any = None,
) -> nx.Graph:
    """The seeker (node 0) and their family, close friends, colleagues and acquaintances.

    Ties to the seeker: family and friends close, colleagues regular, acquaintances distant.
    Contacts know each other within their circle (family completely, acquaintances rarely) and
    occasionally across circles, so gossip about the seeker can travel out of earshot.
    """
    G = nx.Graph()
    G.add_node(SEEKER, role="seeker")
    members: dict[str, list[int]] = {}
    counts = zip(ROLES, (n_family, n_friends, n_colleagues, n_acquaintances), strict=True)
    for role, count in counts:
        members[role] = []
        for _ in range(count):
            node = G.number_of_nodes()
            G.add_node(node, role=role)
            G.add_edge(SEEKER, node, tie=ROLE_TIE[role])
            members[role].append(node)
    contacts = [node for role in ROLES for node in members[role]]
    for i, u in enumerate(contacts):
        for v in contacts[i + 1 :]:
            ru, rv = G.nodes[u]["role"], G.nodes[v]["role"]
            prob, tie = WITHIN_ROLE[ru] if ru == rv else (ACROSS_ROLES, DISTANT)
            if seed.random() < prob:
                G.add_edge(u, v, tie=tie)
    return G


def personal_network_csr(
    n_family: int = 3,
    n_friends: int = 3,
    n_colleagues: int = 6,
    n_acquaintances: int = 8,
    seed: int | None = None,
) -> CSRGraph:
    """:func:`personal_network` straight into the core's arrays: the same draws from
    ``random.Random(seed)`` in the same order, so the same graph (tested), without NetworkX: a
    single-seeker sweep builds thousands of these."""
    rng = random.Random(seed)
    sizes = (n_family, n_friends, n_colleagues, n_acquaintances)
    role = np.repeat(np.arange(len(ROLES)), sizes)  # each contact's circle, in node order
    m = len(role)
    nodes = np.arange(1, m + 1)
    i, j = np.triu_indices(m, 1)  # contact pairs in the builder's order: i outer, j inner
    draws = np.array([rng.random() for _ in range(len(i))])
    within = np.array([WITHIN_ROLE[r] for r in ROLES])  # (prob, tie) per circle
    same = role[i] == role[j]
    prob = np.where(same, within[role[i], 0], ACROSS_ROLES)
    tie = np.where(same, within[role[i], 1], DISTANT).astype(np.int64)
    keep = draws < prob
    u = np.concatenate([np.zeros(m, dtype=np.int64), nodes[i[keep]]])
    v = np.concatenate([nodes, nodes[j[keep]]])
    ties = np.concatenate([np.array([ROLE_TIE[ROLES[r]] for r in role], dtype=np.int64), tie[keep]])
    indptr, indices, ties = from_edges(m + 1, u, v, ties)
    return CSRGraph(indptr, indices, ties, reverse_edges(indptr, indices))


def erdos_renyi(n: int, mean_degree: float, seed: Any = None) -> nx.Graph:
    """G(n, p) with p chosen for the given mean degree."""
    p = min(1.0, mean_degree / max(n - 1, 1))
    return nx.fast_gnp_random_graph(n, p, seed=seed)


def watts_strogatz(n: int, mean_degree: float, rewire: float, seed: Any = None) -> nx.Graph:
    """Small world: a ring where each node links to its mean_degree nearest, then rewired."""
    k = min(2 * links_per_node(n, mean_degree), n - 1)
    return nx.watts_strogatz_graph(n, k, rewire, seed=seed)


def barabasi_albert(n: int, mean_degree: float, seed: Any = None) -> nx.Graph:
    """Preferential attachment with m = mean_degree / 2 links per new node."""
    return nx.barabasi_albert_graph(n, links_per_node(n, mean_degree), seed=seed)


def holme_kim(n: int, mean_degree: float, triad_prob: float, seed: Any = None) -> nx.Graph:
    """Preferential attachment with triad formation (Holme & Kim 2002, Phys. Rev. E 65, 026107):
    after each preferential link a new node closes a triangle with probability ``triad_prob``,
    so the degree distribution is scale-free and the clustering is tunable."""
    m = links_per_node(n, mean_degree)
    return nx.powerlaw_cluster_graph(n, m, triad_prob, seed=seed)


def communities(
    n: int, mean_degree: float, community_size: int, mixing: float, seed: Any = None
) -> nx.Graph:
    """A stochastic block model: ``n`` people in communities of ``community_size`` (the last
    one takes the remainder), each with expected degree ``mean_degree``, a share ``mixing`` of
    it to people outside their community (networkx ``stochastic_block_model``)."""
    size = min(community_size, n)
    sizes = [size] * (n // size)
    sizes[-1] += n - sum(sizes)
    k = len(sizes)
    p = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(k):
            if i == j:
                p[i][j] = min(1.0, (1 - mixing) * mean_degree / max(sizes[i] - 1, 1))
            else:  # one rate across communities, so the matrix is symmetric
                p[i][j] = min(1.0, mixing * mean_degree / max(n - size, 1))
    block = nx.stochastic_block_model(sizes, p, seed=seed)
    G = nx.Graph()  # keep each person's community, drop the model's partition metadata
    G.add_nodes_from((u, {"community": d["block"]}) for u, d in block.nodes(data=True))
    G.add_edges_from(block.edges())
    return G


def davis_women() -> nx.Graph:
    """Davis's southern women, projected onto the 18 women; weight = events shared."""
    B = nx.davis_southern_women_graph()
    women = [n for n, d in B.nodes(data=True) if d["bipartite"] == 0]
    return nx.bipartite.weighted_projected_graph(B, women)


NAMED_GRAPHS = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "les-miserables": nx.les_miserables_graph,
    "davis": davis_women,
}


# --- tie strength -----------------------------------------------------------------------------
def overlap(G: nx.Graph, u: Any, v: Any) -> float:
    """Neighbourhood overlap of the tie u-v (Onnela et al. 2007, PNAS 104, 7332):
    n_uv / ((k_u - 1) + (k_v - 1) - n_uv), n_uv their common neighbours; 0 when neither has
    another contact.

    >>> overlap(nx.complete_graph(4), 0, 1), overlap(nx.path_graph(3), 0, 1)
    (1.0, 0.0)
    """
    return _overlap(set(G.adj[u]), set(G.adj[v]), u, v)


def _overlap(adj_u: set[Any], adj_v: set[Any], u: Any, v: Any) -> float:
    common = len(adj_u & adj_v - {u, v})
    others = (len(adj_u) - 1) + (len(adj_v) - 1) - common
    return common / others if others > 0 else 0.0


@py_random_state("seed")
def assign_ties(
    G: nx.Graph,
    share_close: float = 0.2,
    share_regular: float = 0.4,
    seed: Any = None,
    strength: str = "overlap",
) -> nx.Graph:
    """Give every edge without a ``tie`` a class, by rank: the top ``share_close`` of edges are
    close, the next ``share_regular`` regular, the rest distant.

    Edges are ranked by weight where every one has a weight; otherwise by neighbourhood
    overlap (``strength="overlap"``: strong ties sit inside dense clusters, Onnela et al.
    2007), equal overlaps in random order; or classes are drawn at random with those shares
    (``strength="random"``). Works in place and returns ``G``.
    """
    todo = [(u, v) for u, v, d in G.edges(data=True) if "tie" not in d]
    if not todo:
        return G
    weighted = all("weight" in G.edges[e] for e in todo)
    if weighted or strength == "overlap":
        if weighted:  # stable sort: equal weights keep edge order, the split is deterministic
            todo.sort(key=lambda e: -float(G.edges[e]["weight"]))
        else:  # many edges share an overlap (often 0): ties broken at random, seeded
            adj = {u: set(G.adj[u]) for u in G}  # each node's neighbours, built once
            keys = {(u, v): (-_overlap(adj[u], adj[v], u, v), seed.random()) for u, v in todo}
            todo.sort(key=keys.__getitem__)
        n = len(todo)
        n_close = round(share_close * n)
        n_regular = round((share_close + share_regular) * n)
        for rank, e in enumerate(todo):
            G.edges[e]["tie"] = (
                CLOSE if rank < n_close else REGULAR if rank < n_regular else DISTANT
            )
    else:
        for e in todo:
            x = seed.random()
            G.edges[e]["tie"] = (
                CLOSE
                if x < share_close
                else REGULAR
                if x < share_close + share_regular
                else DISTANT
            )
    return G


# --- loading ----------------------------------------------------------------------------------
# The network in an edge list or GraphML file (docs/graph-files.md): sim.model.graphfile's reader.
load_graph = read_graph_file


def file_reading(params: Params) -> tuple[nx.Graph, GraphReading]:
    """:func:`load_graph` with the file and reading options of ``params``."""
    return read_graph_file(
        params.graph_file,
        seeker=params.seeker,
        delimiter=params.graph_delimiter,
        header=params.graph_header,
        encoding=params.graph_encoding,
    )


def describe_file_graph(params: Params, seed: Any = 0) -> tuple[str, GraphReading, nx.Graph]:
    """One line saying what a run on ``params.graph_file`` reads: people, ties, weights, ties
    per class and the seeker by label; with the reading and the prepared graph (``seed`` draws
    the tie classes where the file leaves them to chance)."""
    G, reading = file_reading(params)
    ties = (params.share_close, params.share_regular, random.Random(seed), params.tie_strength)
    H = prepare(G, *ties)
    counts = [sum(1 for *_, t in H.edges(data="tie") if t == c) for c in (CLOSE, REGULAR, DISTANT)]
    if reading.value == "weight":
        how = "the heaviest ties close"
    elif reading.value == "tie":
        how = "as the file gives them"
    elif params.tie_strength == "overlap":
        how = "by neighbourhood overlap"
    else:
        how = "drawn at random in each run, here"
    weights = {"weight": "weighted", "tie": "tie classes given", "none": "unweighted"}[
        reading.value
    ]
    if reading.value == "weight" and reading.decimal == ",":
        weights += " (decimal commas)"
    who = (
        f"seeker '{reading.seeker}' ({reading.seeker_rule})"
        if params.scenario == "single"
        else "everyone a job seeker (market)"
    )
    line = (
        f"graph file '{params.graph_file}': {G.number_of_nodes()} people, "
        f"{G.number_of_edges()} ties, {weights}; {counts[0]} close / {counts[1]} regular / "
        f"{counts[2]} distant ({how}); {who}"
    )
    return line, reading, H


def file_graph_lines(params: Params, seed: Any = 0) -> list[str]:
    """What a run on ``params.graph_file`` prints before it starts: the line of
    :func:`describe_file_graph`, then one line per repair."""
    line, reading, _ = describe_file_graph(params, seed)
    return [line] + [f"graph file: {repair}" for repair in reading.repairs()]


# --- one entry point ---------------------------------------------------------------------------
def build_graph(params: Params, seed: Any = None) -> tuple[nx.Graph, GraphReading | None]:
    """The graph a run uses, with ties assigned and nodes relabelled 0..n-1.

    ``seed`` (an int, a ``random.Random`` or None) fixes both the structure and the tie
    classes. The generated families (``sim.model.csr_builders.CSR_FAMILIES``) are drawn by the Numba
    builders of :mod:`sim.model.csr_builders` from ``numpy.random.default_rng(seed)``, exactly the
    arrays the Numba core runs on; the NetworkX builders above draw the same families and are
    kept as their reference (the tests compare the two).
    """
    kind = params.graph
    if kind in CSR_FAMILIES:
        if isinstance(seed, random.Random):
            seed = seed.getrandbits(128)
        csr, community = build_csr(params, np.random.default_rng(seed))
        return to_networkx(csr, community), None
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    reading = None
    if kind == "personal":
        G = personal_network(
            params.n_family, params.n_friends, params.n_colleagues, params.n_acquaintances, rng
        )
    elif kind == "file":
        G, reading = file_reading(params)
    else:
        G = NAMED_GRAPHS[kind]()
    ties = (params.share_close, params.share_regular, rng, params.tie_strength)
    return prepare(G, *ties), reading


def build_networkx(params: Params, seed: Any = None) -> nx.Graph:
    """A generated family (``CSR_FAMILIES``) drawn by the NetworkX builders above, before
    relabelling and ties (:func:`prepare`): the reference the Numba builders are tested and
    benchmarked against."""
    n, k = params.n_nodes, params.mean_degree
    if params.graph == "erdos-renyi":
        return erdos_renyi(n, k, seed=seed)
    if params.graph == "watts-strogatz":
        return watts_strogatz(n, k, params.rewire, seed=seed)
    if params.graph == "barabasi-albert":
        return barabasi_albert(n, k, seed=seed)
    if params.graph == "holme-kim":
        return holme_kim(n, k, params.triad_prob, seed=seed)
    if params.graph == "communities":
        return communities(n, k, params.community_size, params.mixing, seed=seed)
    generated = ", ".join(CSR_FAMILIES)
    raise ValueError(f"graph '{params.graph}' is not generated; generated: {generated}")


def _relabelling(G: nx.Graph) -> dict[Any, int]:
    """Old label -> 0..n-1. Integer labels (the built-in graphs) keep their order, so 0..n-1
    stays put and node 0 stays the seeker; other labels (a file's, seeker first) are numbered
    in the graph's node order."""
    nodes = list(G.nodes)
    if all(isinstance(n, int) for n in nodes):
        nodes.sort()
    return {old: new for new, old in enumerate(nodes)}


def prepare(
    G: nx.Graph,
    share_close: float = 0.2,
    share_regular: float = 0.4,
    seed: Any = None,
    strength: str = "overlap",
):
    """Relabel nodes to 0..n-1 (keeping the old label) and give every edge a tie class
    (:func:`assign_ties`)."""
    mapping = _relabelling(G)
    H = nx.Graph()
    for old, new in sorted(mapping.items(), key=lambda item: item[1]):
        H.add_node(new, **{**G.nodes[old], "label": old})
    H.add_edges_from((mapping[u], mapping[v], dict(d)) for u, v, d in G.edges(data=True))
    return assign_ties(H, share_close, share_regular, seed=seed, strength=strength)
