"""A graph as the Numba core reads it: int64 CSR arrays, each edge's reverse and tie class.

Nodes are 0..n-1; row u of ``indices`` lists u's neighbours in ascending order, so the arrays
depend only on the graph, not on the order its edges were added; ``ties[e]`` is the class of the
tie (``sim.model.rules.CLOSE``, ``REGULAR``, ``DISTANT``), the same in both directions; ``rev[e]``
is the position of v -> u for e = u -> v.
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np
from numba import njit


class CSRGraph(NamedTuple):
    """A graph as the Numba core reads it: int64 CSR arrays and each edge's reverse."""

    indptr: np.ndarray
    indices: np.ndarray
    ties: np.ndarray
    rev: np.ndarray  # rev[e]: position of v -> u for the edge e = u -> v

    @classmethod
    def of(cls, G: nx.Graph) -> CSRGraph:
        indptr, indices, ties = to_csr(G)
        return cls(indptr, indices, ties, reverse_edges(indptr, indices))

    def number_of_nodes(self) -> int:
        return len(self.indptr) - 1


def reverse_edges(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """rev[e] = CSR position of v -> u for the edge e = u -> v (neighbours sorted): int64 (2E,)."""
    return _reverse_edges(np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64))


@njit(cache=True)
def _reverse_edges(indptr, indices):
    """rev[e]: CSR position of v -> u for e = u -> v, in one pass: rows are sorted, so walking
    the sources in order meets row v's entries u < v in order too."""
    n = len(indptr) - 1
    rev = np.empty(len(indices), dtype=np.int64)
    cursor = indptr[:-1].copy()
    for u in range(n):
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if v > u:
                r = cursor[v]
                rev[e] = r
                rev[r] = e
                cursor[v] = r + 1
    return rev


def to_csr(G: nx.Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int64 CSR arrays (indptr, indices, tie) of a graph with nodes 0..n-1.

    Neighbours are sorted, so the arrays depend only on the graph, not on insertion order.
    """
    edges = np.array([(u, v, t) for u, v, t in G.edges(data="tie")], dtype=np.int64)
    edges = edges.reshape(-1, 3)
    return from_edges(G.number_of_nodes(), edges[:, 0], edges[:, 1], edges[:, 2])


def from_edges(
    n: int, u: np.ndarray, v: np.ndarray, tie: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int64 CSR arrays (indptr, indices, tie) of the undirected edges u[i] - v[i] with class
    tie[i] on nodes 0..n-1, rows sorted: each of shape (n + 1,), (2E,), (2E,).

    Each edge must come once (no repeats). Raises ValueError for a self-loop: nobody is their
    own contact, and the core's reverse edges assume none."""
    loops = int(np.count_nonzero(np.asarray(u) == np.asarray(v)))
    if loops:
        raise ValueError(
            f"the graph has {loops} self-loop(s); remove them first "
            "(networkx: G.remove_edges_from(nx.selfloop_edges(G)))"
        )
    sources = np.concatenate([u, v]).astype(np.int64)
    targets = np.concatenate([v, u]).astype(np.int64)
    ties = np.concatenate([tie, tie]).astype(np.int64)
    order = np.lexsort((targets, sources))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n), out=indptr[1:])
    return indptr, targets[order], ties[order]
