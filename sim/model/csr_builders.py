"""Random graphs built straight into int64 CSR arrays by Numba, without NetworkX.

The five generated families of :mod:`sim.model.graphs` (``CSR_FAMILIES``) are drawn by the same
random processes as the NetworkX generators that module calls (networkx 3.6.1), so each family has
the same distribution; only the stream of random numbers differs. One ``numpy.random.Generator``
draws the structure and then the tie classes, so one seed fixes everything. A million-node
Barabasi-Albert or Holme-Kim graph with ties takes 1-4 s and under 0.7 GB here, against 70-240 s
and 3.4-5 GB through NetworkX (sim.model.graphs.build_graph, then CSRGraph.of).

The kernels are private ``@njit(cache=True)`` loops that draw scalars from the Generator passed
in; the public :func:`build_csr` picks the family, converts the edge list to CSR, finds each
edge's reverse and ranks the ties. :func:`to_networkx` turns the arrays back into the graph that
:func:`sim.model.graphs.build_graph` would return, so the Mesa engine can run on the identical
graph.

Examples
--------
>>> import numpy as np
>>> from sim.model.params import Params
>>> p = Params.from_dict({"graph": "barabasi-albert", "n_nodes": 100, "mean_degree": 4})
>>> csr, community = build_csr(p, np.random.default_rng(1))
>>> csr.number_of_nodes(), len(csr.indices) // 2, community is None  # m (n - m) edges
(100, 196, True)
"""

from __future__ import annotations

import math
import time

import networkx as nx
import numpy as np
from numba import njit

from sim.model.csr import CSRGraph, reverse_edges
from sim.model.params import TIE_STRENGTHS, Params
from sim.model.rules import CLOSE, DISTANT, REGULAR

CSR_FAMILIES = ("erdos-renyi", "watts-strogatz", "barabasi-albert", "holme-kim", "communities")


def links_per_node(n: int, mean_degree: float) -> int:
    """m, the links each new node makes (Barabasi-Albert, Holme-Kim; Watts-Strogatz joins each
    node to 2m ring neighbours): mean_degree / 2 rounded half up, within [1, n - 1]."""
    # floor(x + 1/2), not round(): round() sends 1.5 and 2.5 both to 2.
    return int(min(max(1, math.floor(mean_degree / 2 + 0.5)), n - 1))


# --- small helpers inside the kernels ----------------------------------------------------------
@njit(cache=True)
def _below(gen, m):
    """A uniform integer in 0..m-1 from one uniform double (the min guards against rounding)."""
    return min(np.int64(gen.random() * m), m - 1)


@njit(cache=True)
def _grown(a, need):
    """``a`` copied into an array at least ``need`` long (doubling, so appends stay O(1))."""
    if need <= len(a):
        return a
    out = np.empty(max(need, 2 * len(a)), dtype=a.dtype)
    out[: len(a)] = a
    return out


@njit(cache=True)
def _set_insert(table, size, x):
    """Put x >= 0 into the open-addressing table[:size] (-1 = empty) as CPython 3.11's
    ``set.add`` probes for an int (hash(x) == x): 9 linear probes when they fit, then
    ``i = 5 i + 1 + perturb`` with ``perturb`` shifted right by 5 each round."""
    mask = size - 1
    i = x & mask
    perturb = x
    while True:
        probes = 9 if i + 9 <= mask else 0
        j = i
        while True:
            if table[j] == -1:
                table[j] = x
                return
            if table[j] == x:
                return
            if probes == 0:
                break
            probes -= 1
            j += 1
        perturb >>= 5
        i = (i * 5 + 1 + perturb) & mask


@njit(cache=True)
def _python_set_order(items, m, table, spare):
    """Reorder the distinct ints items[:m] >= 0 into the order ``set.pop()`` returns them after
    they were added in this order to an empty set (CPython 3.10-3.13: a table of 8 grown to the
    smallest power of two above 4 * used once 5 fill >= 3 mask; pop scans on from the slot after
    the last one popped). networkx's powerlaw_cluster_graph pops its candidates in this order,
    which prefers small ``label mod table size`` (node 0 whenever drawn), so the degrees depend
    on it. ``table`` and ``spare`` hold at least 8 m slots."""
    size = 8
    table[:size] = -1
    for a in range(m):
        _set_insert(table, size, items[a])
        fill = a + 1
        if fill * 5 >= (size - 1) * 3:
            grow = fill * 2 if fill > 50000 else fill * 4
            new = 8
            while new <= grow:
                new <<= 1
            spare[:size] = table[:size]
            old = size
            size = new
            table[:size] = -1
            for b in range(old):
                if spare[b] != -1:
                    _set_insert(table, size, spare[b])
    finger = 0
    for a in range(m):
        i = finger & (size - 1)
        while table[i] == -1:
            i = (i + 1) & (size - 1)
        items[a] = table[i]
        table[i] = -1
        finger = i + 1


@njit(cache=True)
def _random_subset(gen, repeated, ends, m, chosen, source, out):
    """Fill out[:m] with m distinct nodes drawn from repeated[:ends], in the order drawn: each
    draw uniform over the list, so in proportion to degree (networkx's ``_random_subset``).
    ``chosen[x] == source`` marks x as already drawn for this source."""
    got = 0
    while got < m:
        x = repeated[_below(gen, ends)]
        if chosen[x] != source:
            chosen[x] = source
            out[got] = x
            got += 1


@njit(cache=True)
def _gnp_pairs(n, p, offset, gen, src, dst, count):
    """Append each pair w < v of nodes ``offset + 0..n-1`` with probability ``p``, by the
    geometric skipping of ``nx.fast_gnp_random_graph`` (Batagelj & Brandes 2005): the gap to the
    next chosen pair is ``floor(log(1 - r) / log(1 - p))``. Returns ``(src, dst, count)``."""
    if n < 2 or p <= 0.0:
        return src, dst, count
    if p >= 1.0:  # networkx returns the complete graph here
        src = _grown(src, count + n * (n - 1) // 2)
        dst = _grown(dst, count + n * (n - 1) // 2)
        for v in range(1, n):
            for w in range(v):
                src[count] = offset + v
                dst[count] = offset + w
                count += 1
        return src, dst, count
    lp = math.log(1.0 - p)
    pairs = n * (n - 1) // 2
    v = 1
    w = -1
    while v < n:
        skip = math.log(1.0 - gen.random()) / lp
        if skip >= pairs:  # beyond the last pair; also keeps the int64 cast in range
            break
        w = w + 1 + np.int64(skip)
        while w >= v and v < n:
            w = w - v
            v = v + 1
        if v < n:
            if count == len(src):
                src = _grown(src, count + 1)
                dst = _grown(dst, count + 1)
            src[count] = offset + v
            dst[count] = offset + w
            count += 1
    return src, dst, count


# --- the five families -------------------------------------------------------------------------
@njit(cache=True)
def _barabasi_albert(n, m, gen):
    """Edge list of ``nx.barabasi_albert_graph(n, m)``: a star on m + 1 nodes (centre 0), then
    each new node links to m distinct nodes drawn uniformly from the list of edge ends, redrawing
    repeats (networkx's ``_random_subset``)."""
    n_edges = m * (n - m)
    src = np.empty(n_edges, dtype=np.int64)
    dst = np.empty(n_edges, dtype=np.int64)
    repeated = np.empty(2 * n_edges, dtype=np.int64)  # each node once per edge end
    for leaf in range(1, m + 1):
        src[leaf - 1] = leaf
        dst[leaf - 1] = 0
        repeated[leaf - 1] = 0
        repeated[m + leaf - 1] = leaf
    length = 2 * m
    count = m
    chosen = np.full(n, -1, dtype=np.int64)  # chosen[x] == source: x already drawn this step
    picked = np.empty(m, dtype=np.int64)
    for source in range(m + 1, n):
        # draw from the list as it was before this node's edges
        _random_subset(gen, repeated, length, m, chosen, source, picked)
        for x in picked:
            src[count] = source
            dst[count] = x
            repeated[length] = x
            count += 1
            length += 1
        for _ in range(m):
            repeated[length] = source
            length += 1
    return src, dst


@njit(cache=True)
def _holme_kim(n, m, p, gen):
    """Edge list of ``nx.powerlaw_cluster_graph(n, m, p)`` (Holme & Kim 2002): m isolated nodes;
    each new node draws m distinct candidates as in Barabasi-Albert, links to one, then for each
    further link with probability p closes a triangle with a random neighbour of the last
    candidate it linked to (one not yet its neighbour), otherwise links to the next candidate.
    Candidates are taken in the order a Python set pops them, as networkx does
    (:func:`_python_set_order`).

    As in networkx, a candidate already reached by a triangle adds no edge but still counts as
    a link and enters the list of edge ends, so a node can end with fewer than m edges. Returns
    ``(src, dst, count)``: the first ``count`` entries are the edges (src the newer node)."""
    cap = m * max(n - m, 0)
    src = np.empty(cap, dtype=np.int64)
    dst = np.empty(cap, dtype=np.int64)
    # Neighbours of t: its own links dst[first[t]:first[t+1]] (made when t arrived), then the
    # later nodes linking to it, pool[in_start[t]:in_start[t] + in_len[t]]. Both contiguous, so a
    # hub's neighbour can be drawn at random instead of walking its whole list.
    first = np.zeros(n + 1, dtype=np.int64)
    in_start = np.zeros(n, dtype=np.int64)
    in_len = np.zeros(n, dtype=np.int64)
    in_room = np.zeros(n, dtype=np.int64)
    pool = np.empty(2 * cap + 16, dtype=np.int64)
    used = 0
    repeated = np.empty(m + 2 * cap, dtype=np.int64)
    for i in range(m):
        repeated[i] = i
    length = m
    count = 0
    chosen = np.full(n, -1, dtype=np.int64)  # chosen[x] == source: x is a candidate
    linked = np.full(n, -1, dtype=np.int64)  # linked[x] == source: edge source-x exists
    candidates = np.empty(m, dtype=np.int64)
    table = np.empty(max(8, 8 * m), dtype=np.int64)
    spare = np.empty(max(8, 8 * m), dtype=np.int64)
    triad = np.empty(16, dtype=np.int64)
    for source in range(m, n):
        first[source] = count
        _random_subset(gen, repeated, length, m, chosen, source, candidates)
        _python_set_order(candidates, m, table, spare)
        popped = 0
        count_links = 0
        target = -1
        while count_links < m:
            y = -1
            if count_links > 0 and gen.random() < p:
                n_out = first[target + 1] - first[target]
                degree = n_out + in_len[target]
                # A neighbour of target drawn at random until it is allowed (not source, not
                # yet linked to it) is uniform over the allowed ones, as networkx's choice from
                # the filtered list is; after 4m misses (rare: at most count_links < m are
                # barred) scan the whole list, which also finds when none is allowed.
                for _ in range(4 * m):
                    i = _below(gen, degree)
                    z = dst[first[target] + i] if i < n_out else pool[in_start[target] + i - n_out]
                    if z != source and linked[z] != source:
                        y = z
                        break
                if y == -1:
                    k = 0
                    for i in range(degree):
                        z = (
                            dst[first[target] + i]
                            if i < n_out
                            else pool[in_start[target] + i - n_out]
                        )
                        if z != source and linked[z] != source:
                            triad = _grown(triad, k + 1)
                            triad[k] = z
                            k += 1
                    if k > 0:
                        y = triad[_below(gen, k)]
            if y == -1:  # no triangle to close (or not tried): the next candidate
                target = candidates[popped]
                popped += 1
                y = target
            if linked[y] != source:
                linked[y] = source
                src[count] = source
                dst[count] = y
                count += 1
                if in_len[y] == in_room[y]:  # move y's block to the end with twice the room
                    room = max(4, 2 * in_room[y])
                    pool = _grown(pool, used + room)
                    pool[used : used + in_len[y]] = pool[in_start[y] : in_start[y] + in_len[y]]
                    in_start[y] = used
                    in_room[y] = room
                    used += room
                pool[in_start[y] + in_len[y]] = source
                in_len[y] += 1
            repeated[length] = y
            length += 1
            count_links += 1
        for _ in range(m):
            repeated[length] = source
            length += 1
    first[n] = count
    return src, dst, count


@njit(cache=True)
def _erdos_renyi(n, p, gen):
    """Edge list of ``nx.fast_gnp_random_graph(n, p)``. Returns ``(src, dst, count)``."""
    mean = p * (n * (n - 1) / 2)
    cap = np.int64(mean + 6.0 * math.sqrt(mean) + 16.0)
    src = np.empty(cap, dtype=np.int64)
    dst = np.empty(cap, dtype=np.int64)
    return _gnp_pairs(n, p, 0, gen, src, dst, 0)


@njit(cache=True)
def _has_edge_ws(u, w, n, half, alive, head, nxt, other):
    d = (w - u) % n
    if 1 <= d <= half and alive[u * half + d - 1]:
        return True
    d = n - d
    if 1 <= d <= half and alive[w * half + d - 1]:
        return True
    e = head[u]
    while e != -1:
        if other[e] == w:
            return True
        e = nxt[e]
    return False


@njit(cache=True)
def _watts_strogatz(n, k, p, gen):
    """Edge list of ``nx.watts_strogatz_graph(n, k, p)`` (Watts & Strogatz 1998): a ring where
    each node links to its k // 2 nearest on each side; then for j = 1..k//2 and each node u in
    order, with probability p the edge u-(u+j) moves to u-w, w uniform, redrawn while it is u or
    already a neighbour, the move skipped once u has degree >= n - 1.

    Lattice edge u-(u+j) is ``alive[u * half + j - 1]``; moved edges sit in per-node linked
    lists (both ends). Returns ``(src, dst, count)``."""
    half = k // 2
    alive = np.ones(n * half, dtype=np.bool_)
    degree = np.full(n, 2 * half, dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)
    cap = np.int64(2.0 * p * n * half + 64.0)
    nxt = np.empty(cap, dtype=np.int64)
    other = np.empty(cap, dtype=np.int64)
    moved = 0  # entries in the linked lists, two per moved edge
    for j in range(1, half + 1):
        for u in range(n):
            if gen.random() < p:
                w = _below(gen, n)
                skipped = False
                while w == u or _has_edge_ws(u, w, n, half, alive, head, nxt, other):
                    w = _below(gen, n)
                    if degree[u] >= n - 1:
                        skipped = True
                        break
                if not skipped:
                    alive[u * half + j - 1] = False
                    degree[(u + j) % n] -= 1
                    degree[w] += 1
                    nxt = _grown(nxt, moved + 2)
                    other = _grown(other, moved + 2)
                    other[moved] = w
                    nxt[moved] = head[u]
                    head[u] = moved
                    other[moved + 1] = u
                    nxt[moved + 1] = head[w]
                    head[w] = moved + 1
                    moved += 2
    n_edges = n * half
    src = np.empty(n_edges, dtype=np.int64)
    dst = np.empty(n_edges, dtype=np.int64)
    count = 0
    for i in range(n * half):
        if alive[i]:
            u = i // half
            src[count] = u
            dst[count] = (u + i % half + 1) % n
            count += 1
    for u in range(n):
        e = head[u]
        while e != -1:
            if other[e] > u:  # each moved edge once
                src[count] = u
                dst[count] = other[e]
                count += 1
            e = nxt[e]
    return src, dst, count


@njit(cache=True)
def _communities(n, size, p_in, p_out, gen):
    """Edge list of the stochastic block model of :func:`sim.model.graphs.communities` (Holland,
    Laskey & Leinhardt 1983): blocks of ``size`` consecutive nodes, the last taking the
    remainder; pairs inside block b with probability ``p_in[b]``, across blocks ``p_out``.

    Every block's pairs are skipped through geometrically, then all n(n-1)/2 pairs at rate
    p_out keeping only those across blocks: no loop over pairs of blocks (40,000 blocks at a
    million people), and each pair is still an independent draw. Returns ``(src, dst, count)``."""
    n_blocks = len(p_in)
    mean = p_out * n * (n - 1) / 2.0
    for b in range(n_blocks):
        s = size if b < n_blocks - 1 else n - size * (n_blocks - 1)
        mean += p_in[b] * s * (s - 1) / 2.0
    cap = np.int64(mean + 6.0 * math.sqrt(mean) + 16.0)
    src = np.empty(cap, dtype=np.int64)
    dst = np.empty(cap, dtype=np.int64)
    count = 0
    for b in range(n_blocks):
        s = size if b < n_blocks - 1 else n - size * (n_blocks - 1)
        src, dst, count = _gnp_pairs(s, p_in[b], b * size, gen, src, dst, count)
    start = count
    src, dst, count = _gnp_pairs(n, p_out, 0, gen, src, dst, count)
    kept = start
    for i in range(start, count):
        if min(src[i] // size, n_blocks - 1) != min(dst[i] // size, n_blocks - 1):
            src[kept] = src[i]
            dst[kept] = dst[i]
            kept += 1
    return src, dst, kept


# --- edge list -> CSR --------------------------------------------------------------------------
@njit(cache=True)
def _edges_to_csr(n, src, dst):
    """int64 CSR (indptr, indices) of the undirected edges src[i]-dst[i]: each row sorted
    ascending, self-loops and repeated edges dropped. A counting sort by source, then each row
    sorted in place (rows are short; insertion sort below 32 entries)."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(len(src)):
        if src[i] != dst[i]:
            indptr[src[i] + 1] += 1
            indptr[dst[i] + 1] += 1
    for u in range(n):
        indptr[u + 1] += indptr[u]
    indices = np.empty(indptr[n], dtype=np.int64)
    fill = indptr[:-1].copy()
    for i in range(len(src)):
        u = src[i]
        v = dst[i]
        if u != v:
            indices[fill[u]] = v
            fill[u] += 1
            indices[fill[v]] = u
            fill[v] += 1
    kept = 0
    start = 0
    for u in range(n):
        end = indptr[u + 1]
        row = indices[start:end]
        if end - start < 32:
            for a in range(1, end - start):
                x = row[a]
                b = a - 1
                while b >= 0 and row[b] > x:
                    row[b + 1] = row[b]
                    b -= 1
                row[b + 1] = x
        else:
            row.sort()
        for a in range(end - start):  # compact in place, dropping repeats
            if a == 0 or row[a] != row[a - 1]:
                indices[kept] = row[a]
                kept += 1
        start = end
        indptr[u + 1] = kept
    if kept < len(indices):  # only when there was a self-loop or repeat to drop
        indices = indices[:kept].copy()
    return indptr, indices


# --- tie strength ------------------------------------------------------------------------------
@njit(cache=True)
def _common_neighbours(indptr, indices):
    """common[e]: the number of common neighbours of u and v for the edge e = u -> v, for
    whichever of u, v ranks lower by (degree, id); 0 at the other direction.

    Each triangle is listed once by the "forward" algorithm: every node keeps only its
    neighbours of higher rank, so no list is longer than sqrt(2E) and a hub's huge row is never
    merged with its leaves' (2-3x faster than merging the two full rows per edge)."""
    n = len(indptr) - 1
    degree = indptr[1:] - indptr[:-1]
    up_ptr = np.zeros(n + 1, dtype=np.int64)
    for u in range(n):
        c = 0
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if degree[v] > degree[u] or (degree[v] == degree[u] and v > u):
                c += 1
        up_ptr[u + 1] = up_ptr[u] + c
    up = np.empty(up_ptr[n], dtype=np.int64)  # higher neighbours, ascending id
    up_pos = np.empty(up_ptr[n], dtype=np.int64)  # their CSR positions
    for u in range(n):
        k = up_ptr[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if degree[v] > degree[u] or (degree[v] == degree[u] and v > u):
                up[k] = v
                up_pos[k] = e
                k += 1
    common = np.zeros(len(indices), dtype=np.int64)
    for u in range(n):
        for a in range(up_ptr[u], up_ptr[u + 1]):
            v = up[a]
            i = up_ptr[u]
            j = up_ptr[v]
            while i < up_ptr[u + 1] and j < up_ptr[v + 1]:
                if up[i] < up[j]:
                    i += 1
                elif up[i] > up[j]:
                    j += 1
                else:  # the triangle u < v < w: one common neighbour for each of its edges
                    common[up_pos[a]] += 1
                    common[up_pos[i]] += 1
                    common[up_pos[j]] += 1
                    i += 1
                    j += 1
    return common


@njit(cache=True)
def _overlaps(indptr, indices, rev):
    """Each undirected edge u < v once, in CSR order: its position and its neighbourhood overlap
    n_uv / ((k_u - 1) + (k_v - 1) - n_uv), 0 when that denominator is 0 (Onnela et al. 2007)."""
    common = _common_neighbours(indptr, indices)
    n = len(indptr) - 1
    n_edges = len(indices) // 2
    position = np.empty(n_edges, dtype=np.int64)
    overlap = np.empty(n_edges, dtype=np.float64)
    i = 0
    for u in range(n):
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if v > u:
                shared = common[e] + common[rev[e]]
                others = (indptr[u + 1] - indptr[u] - 1) + (indptr[v + 1] - indptr[v] - 1)
                others -= shared
                position[i] = e
                overlap[i] = shared / others if others > 0 else 0.0
                i += 1
    return position, overlap


@njit(cache=True)
def _mark_top(overlap, keys, threshold, cut, label, classes):
    """Set ``classes`` to ``label`` for the ``cut`` edges ranked first by descending overlap,
    then ascending key, given the overlap ``threshold`` at rank ``cut - 1``: every edge above
    it, and of those at it the ones with the smallest keys (equal keys: lower index first)."""
    above = 0
    tied = 0
    for i in range(len(overlap)):
        if overlap[i] > threshold:
            above += 1
        elif overlap[i] == threshold:
            tied += 1
    need = cut - above
    key_cut = np.inf
    if need < tied:
        tied_keys = np.empty(tied, dtype=np.float64)
        t = 0
        for i in range(len(overlap)):
            if overlap[i] == threshold:
                tied_keys[t] = keys[i]
                t += 1
        key_cut = np.partition(tied_keys, need - 1)[need - 1]
        need -= np.sum(tied_keys < key_cut)  # what is left for keys equal to key_cut
    for i in range(len(overlap)):
        if overlap[i] > threshold or (overlap[i] == threshold and keys[i] < key_cut):
            classes[i] = label
        elif overlap[i] == threshold and keys[i] == key_cut and need > 0:
            classes[i] = label
            need -= 1


def _rank_classes(overlap: np.ndarray, keys: np.ndarray, n_close: int, n_regular: int):
    """Tie class per edge when edges are ranked by descending overlap, equal overlaps by
    ascending ``keys``: ranks below ``n_close`` close, below ``n_regular`` regular, the rest
    distant. The same classes as ranking by ``np.lexsort((keys, -overlap))``, found from the
    overlaps at the two cut points (``np.partition``) in O(E) instead of sorting (10 s at 3e7).
    """
    n_edges = len(overlap)
    classes = np.full(n_edges, DISTANT, dtype=np.int64)
    cuts = [(c, label) for c, label in ((n_regular, REGULAR), (n_close, CLOSE)) if c > 0]
    if not cuts:
        return classes
    at = np.partition(overlap, sorted({n_edges - min(c, n_edges) for c, _ in cuts}))
    for cut, label in cuts:  # regular first: close overwrites the top of it
        c = min(cut, n_edges)
        _mark_top(overlap, keys, at[n_edges - c], c, label, classes)
    return classes


def _tie_classes(
    indptr: np.ndarray,
    indices: np.ndarray,
    rev: np.ndarray,
    rng: np.random.Generator,
    share_close: float,
    share_regular: float,
    strength: str,
) -> np.ndarray:
    """The tie class of every directed edge (both directions alike), by the rule of
    :func:`sim.model.graphs.assign_ties`."""
    if strength == "overlap":
        position, overlap = _overlaps(indptr, indices, rev)
        n_edges = len(position)
        keys = rng.random(n_edges)
        classes = _rank_classes(
            overlap,
            keys,
            round(share_close * n_edges),
            round((share_close + share_regular) * n_edges),
        )
    elif strength == "random":
        upper = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr)) < indices
        position = np.flatnonzero(upper)
        x = rng.random(len(position))
        classes = np.where(
            x < share_close, CLOSE, np.where(x < share_close + share_regular, REGULAR, DISTANT)
        ).astype(np.int64)
    else:
        raise ValueError(f"unknown tie strength '{strength}'; allowed: {', '.join(TIE_STRENGTHS)}")
    ties = np.empty(len(indices), dtype=np.int64)
    ties[position] = classes
    ties[rev[position]] = classes
    return ties


# --- public ------------------------------------------------------------------------------------
def _edge_list(
    params: Params, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The raw edge list of one graph of ``params.graph``: ``(src, dst, community)``, int64
    arrays of equal length (each edge once, no self-loops or repeats) and the int64 community
    of every node (``None`` but for communities)."""
    n, mean_degree = params.n_nodes, params.mean_degree
    kind = params.graph
    community = None
    if kind == "barabasi-albert":
        src, dst = _barabasi_albert(n, links_per_node(n, mean_degree), rng)
        count = len(src)
    elif kind == "holme-kim":
        m = links_per_node(n, mean_degree)
        src, dst, count = _holme_kim(n, m, float(params.triad_prob), rng)
    elif kind == "erdos-renyi":
        src, dst, count = _erdos_renyi(n, min(1.0, mean_degree / max(n - 1, 1)), rng)
    elif kind == "watts-strogatz":
        k = min(2 * links_per_node(n, mean_degree), n - 1)
        src, dst, count = _watts_strogatz(n, k, float(params.rewire), rng)
    elif kind == "communities":
        size = min(params.community_size, n)
        sizes = np.full(n // size, size, dtype=np.int64)
        sizes[-1] += n - sizes.sum()
        p_in = np.minimum(1.0, (1 - params.mixing) * mean_degree / np.maximum(sizes - 1, 1))
        p_out = min(1.0, params.mixing * mean_degree / max(n - size, 1))
        src, dst, count = _communities(n, size, p_in.astype(np.float64), p_out, rng)
        community = np.minimum(np.arange(n, dtype=np.int64) // size, len(sizes) - 1)
    else:
        raise ValueError(
            f"build_csr cannot build graph '{kind}'; it builds: {', '.join(CSR_FAMILIES)}"
        )
    return src[:count], dst[:count], community


def build_csr(
    params: Params, rng: np.random.Generator, timings: dict[str, float] | None = None
) -> tuple[CSRGraph, np.ndarray | None]:
    """One graph of ``params.graph`` (one of ``CSR_FAMILIES``) as int64 CSR arrays with ties.

    Parameters
    ----------
    params : Params
        ``graph``, ``n_nodes``, ``mean_degree`` and the family's own parameters (``rewire``,
        ``triad_prob``, ``community_size``, ``mixing``), and for the ties ``share_close``,
        ``share_regular`` and ``tie_strength``. ``m = links_per_node(n, mean_degree)`` links
        per node for Barabasi-Albert and Holme-Kim, ``k = min(2m, n - 1)`` for Watts-Strogatz,
        ``p = min(1, mean_degree / (n - 1))`` for Erdos-Renyi, as in :mod:`sim.model.graphs`.
    rng : numpy.random.Generator
        Draws the structure, then the tie classes.
    timings : dict, optional
        Receives the seconds spent drawing the edges (``build_s``), making the CSR arrays and
        reverse edges (``csr_s``) and ranking the ties (``ties_s``): for the benchmark.

    Returns
    -------
    csr : CSRGraph
        ``indptr`` (n + 1,), ``indices`` (2E,) with each row sorted ascending, ``ties`` (2E,)
        the class of each directed edge (the same both ways) and ``rev`` (2E,), all int64.
    community : numpy.ndarray or None
        int64 (n,) community of each node for ``communities``, else None.

    The processes, each as networkx 3.6.1 draws it: Barabasi-Albert is
    ``nx.barabasi_albert_graph`` (Barabasi & Albert 1999, Science 286:509), Holme-Kim
    ``nx.powerlaw_cluster_graph`` (Holme & Kim 2002, Phys Rev E 65:026107), Watts-Strogatz
    ``nx.watts_strogatz_graph`` (Watts & Strogatz 1998, Nature 393:440), Erdos-Renyi
    ``nx.fast_gnp_random_graph`` (Batagelj & Brandes 2005, Phys Rev E 71:036113), communities
    the stochastic block model of :func:`sim.model.graphs.communities` (Holland, Laskey & Leinhardt
    1983). Ties follow :func:`sim.model.graphs.assign_ties`: by neighbourhood overlap (Onnela et al.
    2007, PNAS 104:7332), equal overlaps in random order, or drawn at random.

    Raises
    ------
    ValueError
        For a graph kind outside ``CSR_FAMILIES`` or an unknown tie strength.
    """
    if params.graph not in CSR_FAMILIES:
        raise ValueError(
            f"build_csr cannot build graph '{params.graph}'; it builds: {', '.join(CSR_FAMILIES)}"
        )
    if params.tie_strength not in TIE_STRENGTHS:
        raise ValueError(
            f"unknown tie strength '{params.tie_strength}'; allowed: {', '.join(TIE_STRENGTHS)}"
        )
    clock = time.perf_counter()
    src, dst, community = _edge_list(params, rng)
    built = time.perf_counter()
    indptr, indices = _edges_to_csr(params.n_nodes, src, dst)
    del src, dst
    rev = reverse_edges(indptr, indices)
    arrays = time.perf_counter()
    ties = _tie_classes(
        indptr,
        indices,
        rev,
        rng,
        params.share_close,
        params.share_regular,
        params.tie_strength,
    )
    if timings is not None:
        timings["build_s"] = built - clock
        timings["csr_s"] = arrays - built
        timings["ties_s"] = time.perf_counter() - arrays
    return CSRGraph(indptr, indices, ties, rev), community


def to_networkx(csr: CSRGraph, community: np.ndarray | None = None) -> nx.Graph:
    """The NetworkX graph of ``csr``: nodes 0..n-1 with ``label`` (the node itself, as
    :func:`sim.model.graphs.prepare` sets it) and ``community`` when given, edges with ``tie``.

    Edges go in CSR order, so each node's neighbours come out in ascending order and
    ``CSRGraph.of(to_networkx(csr))`` gives back the same arrays.
    """
    n = csr.number_of_nodes()
    G = nx.Graph()
    if community is None:
        G.add_nodes_from((u, {"label": u}) for u in range(n))
    else:
        blocks = np.asarray(community).tolist()
        G.add_nodes_from((u, {"community": blocks[u], "label": u}) for u in range(n))
    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(csr.indptr))
    upper = sources < csr.indices
    G.add_edges_from(
        zip(
            sources[upper].tolist(),
            csr.indices[upper].tolist(),
            ({"tie": t} for t in csr.ties[upper].tolist()),
            strict=True,
        )
    )
    return G
