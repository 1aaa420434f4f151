"""Exact long-run unemployment of the Calvo-Armengol & Jackson (2004) model on small graphs.

The state is the set of unemployed persons at the start of a week, a bitmask over n <= 8 nodes,
so the chain has 2^n states. One week, as in the brief's schedule: each person hears of an
opening with probability ``a``; an unemployed hearer takes it; an employed hearer passes it to a
uniformly chosen neighbour unemployed at the start of the week (lost if none); then everyone
employed loses the job with probability ``b``. The stationary distribution of this chain gives
every node's long-run unemployment rate exactly: the oracle for both simulation engines.

Examples
--------
>>> import networkx as nx
>>> u = long_run_unemployment(nx.empty_graph(1), a=0.1, b=0.015)
>>> bool(abs(u[0] - isolated_unemployment(0.1, 0.015)) < 1e-12)
True
"""

from __future__ import annotations

import networkx as nx
import numpy as np

MAX_NODES = 8


def isolated_unemployment(a: float, b: float) -> float:
    """Closed form for a person with no ties: b / (b + a (1 - b))."""
    return b / (b + a * (1.0 - b))


def _check(G: nx.Graph, a: float, b: float) -> int:
    n = G.number_of_nodes()
    if not 1 <= n <= MAX_NODES:
        raise ValueError(f"exact solver takes 1 to {MAX_NODES} nodes, got {n}")
    if sorted(G.nodes) != list(range(n)):
        raise ValueError("nodes must be labelled 0..n-1 (use sim.model.graphs.prepare)")
    if not (0.0 <= a <= 1.0 and 0.0 < b <= 1.0):
        raise ValueError(f"need 0 <= a <= 1 and 0 < b <= 1, got a={a}, b={b}")
    return n


def _hired_distribution(G: nx.Graph, unemployed: int, a: float) -> dict[int, float]:
    """Distribution of the set of people hired in one week, from one start state."""
    dist = {0: 1.0}
    for i in G.nodes:
        if unemployed >> i & 1:
            options = [(1 << i, a)]
        else:
            seekers = [j for j in G.adj[i] if unemployed >> j & 1]
            if not seekers:
                continue
            options = [(1 << j, a / len(seekers)) for j in seekers]
        stay = 1.0 - a
        new: dict[int, float] = {}
        for hired, q in dist.items():
            new[hired] = new.get(hired, 0.0) + q * stay
            for bit, w in options:
                key = hired | bit
                new[key] = new.get(key, 0.0) + q * w
        dist = new
    return dist


def transition_matrix(G: nx.Graph, a: float, b: float) -> np.ndarray:
    """The 2^n x 2^n matrix P[x, y] = P(unemployed set y next week | x this week)."""
    n = _check(G, a, b)
    size = 1 << n
    popcount = np.array([bin(x).count("1") for x in range(size)])
    # Separations: from x unemployed after hiring, each of the n - |x| employed leaves w.p. b.
    states = np.arange(size)
    superset = (states[None, :] & states[:, None]) == states[:, None]
    gained = popcount[None, :] - popcount[:, None]
    separation = np.where(superset, b**gained * (1.0 - b) ** (n - popcount[None, :]), 0.0)
    hiring = np.zeros((size, size))
    for x in range(size):
        for hired, q in _hired_distribution(G, x, a).items():
            hiring[x, x & ~hired] += q
    return hiring @ separation


def stationary(P: np.ndarray) -> np.ndarray:
    """Stationary distribution of an irreducible transition matrix."""
    size = P.shape[0]
    A = P.T - np.eye(size)
    A[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.linalg.solve(A, rhs)


def unemployed_indicator(n: int, node: int) -> np.ndarray:
    """(2**n,) float: 1 in the states (bit i set: node i unemployed) where ``node`` is
    unemployed, else 0."""
    return ((np.arange(1 << n) >> node) & 1).astype(float)


def long_run_unemployment(G: nx.Graph, a: float, b: float) -> np.ndarray:
    """Exact long-run share of weeks each node is unemployed (at the start of a week)."""
    n = _check(G, a, b)
    pi = stationary(transition_matrix(G, a, b))
    return np.array([pi @ unemployed_indicator(n, i) for i in range(n)])


def time_average_variance(G: nx.Graph, a: float, b: float) -> np.ndarray:
    """Asymptotic variance of each node's time-averaged unemployment, per week simulated.

    For a run of T weeks the standard error of the simulated share is sqrt(v / T). Computed
    from the fundamental matrix Z = (I - P + 1 pi)^-1: v = sum_x pi(x) g(x) (2 (Z g)(x) - g(x))
    with g = f - pi f (Kemeny & Snell), so test tolerances come from the chain itself.
    """
    n = _check(G, a, b)
    P = transition_matrix(G, a, b)
    pi = stationary(P)
    size = P.shape[0]
    Z = np.linalg.inv(np.eye(size) - P + np.outer(np.ones(size), pi))
    out = np.empty(n)
    for i in range(n):
        g = unemployed_indicator(n, i)
        g = g - pi @ g
        out[i] = pi @ (g * (2.0 * (Z @ g) - g))
    return out


def neighbour_correlation(G: nx.Graph, a: float, b: float) -> float:
    """Exact long-run correlation of employment across ties, as ``sim.analysis.market`` measures it:
    sum over ties of Cov(e_i, e_j) / sum over ties of sd(e_i) sd(e_j), under the stationary
    distribution (Calvo-Armengol & Jackson 2004 prove each covariance positive)."""
    n = _check(G, a, b)
    if G.number_of_edges() == 0:
        raise ValueError("the correlation across ties needs at least one tie")
    pi = stationary(transition_matrix(G, a, b))
    employed = np.stack([1.0 - unemployed_indicator(n, i) for i in range(n)], axis=1)
    rate = pi @ employed  # (n,) long-run employment rates
    cov = spread = 0.0
    for i, j in G.edges:
        cov += pi @ (employed[:, i] * employed[:, j]) - rate[i] * rate[j]
        spread += np.sqrt(rate[i] * (1 - rate[i]) * rate[j] * (1 - rate[j]))
    return float(cov / spread)
