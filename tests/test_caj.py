"""The Mesa model with the levers off against the exact Calvo-Armengol & Jackson oracle.

Tolerance: each node's simulated long-run unemployment (a time average over WEEKS weeks after a
burn-in) has standard error sqrt(v / WEEKS), with v the asymptotic variance of the time average
computed exactly from the chain (``sim.model.exact.time_average_variance``). A node fails if it is
more than Z = 4.5 standard errors off. Under a correct model the chance of one such failure is
6.8e-6 per node; with 34 node comparisons below the false-failure rate of the file is below
2.5e-4 (union bound), and with fixed seeds the outcome is the same on every machine.
Power: for every graph we also assert that the exact network value is at least 8 standard
errors away from the isolated closed form, so a model that ignored the network would fail.
"""

import zlib

import networkx as nx
import numpy as np
import pytest
from conftest import CAJ_GRAPHS, CAJ_SETTINGS

from sim.model.exact import isolated_unemployment, long_run_unemployment, time_average_variance
from sim.model.mesa_model import JobSearchModel

Z = 4.5
WEEKS = 60_000
BURN_IN = 500
GRAPHS, AB = CAJ_GRAPHS, CAJ_SETTINGS


def simulate(G, a, b, seed):
    model = JobSearchModel(
        seed=seed,
        network=G,
        scenario="market",
        burn_in=0,
        baseline=True,
        arrival_rate=a,
        separation_rate=b,
        initial_unemployed=0.0,
        weeks=BURN_IN + WEEKS,
    )
    for _ in range(BURN_IN):
        model.step()
    before = np.array([p.unemployed_weeks_total for p in model.person])
    model.run()
    after = np.array([p.unemployed_weeks_total for p in model.person])
    return (after - before) / WEEKS


@pytest.mark.slow
@pytest.mark.parametrize(("a", "b"), AB)
@pytest.mark.parametrize("name", list(GRAPHS))
def test_mesa_baseline_matches_exact_long_run_unemployment(name, a, b):
    G = GRAPHS[name]
    exact = long_run_unemployment(G, a, b)
    se = np.sqrt(time_average_variance(G, a, b) / WEEKS)
    assert np.all(np.abs(exact - isolated_unemployment(a, b)) > 8 * se), "test has no power"
    simulated = simulate(G, a, b, seed=zlib.crc32(f"{name}-{a}".encode()))
    z = (simulated - exact) / se
    print(f"{name} a={a} b={b}: exact {np.round(exact, 4)} simulated {np.round(simulated, 4)}")
    assert np.all(np.abs(z) < Z), f"z-scores {np.round(z, 2)}"


def test_isolated_persons_in_a_graph_match_the_closed_form():
    a, b = 0.3, 0.1
    G = nx.empty_graph(4)
    G.add_edge(0, 1)
    simulated = simulate(G, a, b, seed=5)[2:]
    se = np.sqrt(time_average_variance(nx.empty_graph(1), a, b)[0] / WEEKS)
    assert np.all(np.abs(simulated - isolated_unemployment(a, b)) < Z * se)
