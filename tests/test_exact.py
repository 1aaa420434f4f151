"""The exact solver against outside oracles: closed forms and a brute-force enumeration."""

import itertools

import networkx as nx
import numpy as np
import pytest

from sim.model.exact import (
    isolated_unemployment,
    long_run_unemployment,
    stationary,
    time_average_variance,
    transition_matrix,
)

SETTINGS = [(0.1, 0.015), (0.3, 0.1), (0.9, 0.5)]


@pytest.mark.parametrize(("a", "b"), SETTINGS)
def test_isolated_node_matches_the_closed_form(a, b):
    u = long_run_unemployment(nx.empty_graph(3), a, b)
    np.testing.assert_allclose(u, isolated_unemployment(a, b), rtol=1e-12)


@pytest.mark.parametrize(("a", "b"), SETTINGS)
def test_isolated_time_average_variance_matches_the_two_state_closed_form(a, b):
    # Two-state chain, up = P(U->E) = a(1-b), down = P(E->U) = b, lambda = 1 - up - down:
    # asymptotic variance of the time average = pi_U pi_E (1 + lambda) / (1 - lambda).
    up, down = a * (1 - b), b
    lam = 1 - up - down
    pi_u = down / (up + down)
    expected = pi_u * (1 - pi_u) * (1 + lam) / (1 - lam)
    assert time_average_variance(nx.empty_graph(1), a, b)[0] == pytest.approx(expected, rel=1e-9)


def brute_force_matrix(G, a, b):
    """Enumerate every node's opening and every choice of recipient, then every separation."""
    n = G.number_of_nodes()
    P = np.zeros((1 << n, 1 << n))
    for x in range(1 << n):
        unemployed = {i for i in range(n) if x >> i & 1}
        per_node = []
        for i in range(n):
            if i in unemployed:
                per_node.append([(("self", i), a), (None, 1 - a)])
            else:
                seekers = [j for j in G.adj[i] if j in unemployed]
                outcomes = [(("pass", j), a / len(seekers)) for j in seekers] if seekers else []
                per_node.append(outcomes + [(None, 1 - a if seekers else 1.0)])
        for combo in itertools.product(*per_node):
            q = np.prod([w for _, w in combo])
            hired = {event[1] for event, _ in combo if event is not None}
            after = unemployed - hired
            employed = [i for i in range(n) if i not in after]
            for lost in itertools.product([0, 1], repeat=len(employed)):
                y = set(after) | {i for i, gone in zip(employed, lost, strict=True) if gone}
                w = np.prod([b if gone else 1 - b for gone in lost])
                P[x, sum(1 << i for i in y)] += q * w
    return P


@pytest.mark.parametrize(
    "G", [nx.path_graph(2), nx.path_graph(3), nx.star_graph(3), nx.cycle_graph(4)]
)
def test_transition_matrix_matches_brute_force_enumeration(G):
    np.testing.assert_allclose(transition_matrix(G, 0.3, 0.1), brute_force_matrix(G, 0.3, 0.1))


def test_rows_sum_to_one_and_stationary_is_a_distribution_on_eight_nodes():
    G = nx.barabasi_albert_graph(8, 2, seed=1)
    P = transition_matrix(G, 0.1, 0.015)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    pi = stationary(P)
    assert pi.min() >= -1e-12 and pi.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)


def test_ties_lower_unemployment_and_symmetric_nodes_agree():
    a, b = 0.1, 0.015
    iso = isolated_unemployment(a, b)
    star = long_run_unemployment(nx.star_graph(3), a, b)
    assert star[0] < star[1] < iso  # the hub hears from three leaves
    np.testing.assert_allclose(star[1:], star[1])
    cycle = long_run_unemployment(nx.cycle_graph(4), a, b)
    np.testing.assert_allclose(cycle, cycle[0])


def test_rejects_graphs_it_cannot_solve():
    with pytest.raises(ValueError, match="1 to 8 nodes"):
        long_run_unemployment(nx.path_graph(9), 0.1, 0.015)
    with pytest.raises(ValueError, match="0..n-1"):
        long_run_unemployment(nx.relabel_nodes(nx.path_graph(2), {0: "a", 1: "b"}), 0.1, 0.015)
