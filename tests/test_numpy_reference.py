"""The NumPy reference of the market baseline: same distribution as the Numba core and as the
exact CAJ oracle, exact schedule cases, and seeds.

Statistical tolerances, all with fixed seeds (so a pass is a pass on every machine):
- against the Numba core, four families of Welch t-tests at ALPHA = 1e-3 each (the per-replicate
  time-averaged rate; the mean path week by week, Bonferroni over its 53 weeks; total direct
  and total lead hires): false failure below 4e-3 by the union bound;
- against the exact oracle, |z| < 4.5 on 10 graph and rate settings: below 7e-5;
- the Bernoulli helper's chi-square at 1e-4 on 3 settings: 3e-4.
"""

import itertools

import networkx as nx
import numpy as np
import pytest
from conftest import CAJ_GRAPHS, CAJ_SETTINGS
from scipy import stats

from sim.model.csr import CSRGraph
from sim.model.exact import isolated_unemployment, stationary, transition_matrix
from sim.model.graphs import prepare
from sim.model.numpy_reference import _successes, simulate_baseline_numpy
from sim.model.params import Params
from sim.model.runs import replicate_csr, run

MARKET = {
    "scenario": "market",
    "baseline": True,
    "burn_in": 0,
    "graph": "barabasi-albert",
    "n_nodes": 200,
    "mean_degree": 6,
    "weeks": 52,
}
REPLICATES = 400
ALPHA = 1e-3


def market(**changes):
    return Params.from_dict({**MARKET, **changes})


def simulate(params, csr, replicates, seed):
    """(unemployed path, hires by channel) of the NumPy reference."""
    hires = np.zeros((replicates, params.weeks + 1, 2), dtype=np.int64)
    path = simulate_baseline_numpy(params, csr, replicates, seed, hires=hires)
    return path, hires


def welch_p(x, y):
    return stats.ttest_ind(x, y, equal_var=False, axis=0).pvalue


def test_reference_matches_the_numba_core_in_distribution():
    params = market()
    csr = replicate_csr(params, 11, 0, True)
    runs = run(params, REPLICATES, seed=11, same_graph=True)
    core = runs.column("unemployed")
    path, hires = simulate(params, csr, REPLICATES, seed=12)
    n = params.n_nodes
    assert welch_p(core[:, 1:].mean(axis=1) / n, path[:, 1:].mean(axis=1) / n) > ALPHA
    assert np.min(welch_p(core, path)) > ALPHA / core.shape[1]  # every week, the last included
    for column, channel in (("hires_direct", 0), ("hires_lead", 1)):
        assert welch_p(runs.totals(column), hires[:, 1:, channel].sum(axis=1)) > ALPHA, column
    # Power: a reference whose openings arrive 10% less often fails the same test.
    slower, _ = simulate(market(arrival_rate=0.09), csr, REPLICATES, seed=12)
    assert welch_p(core[:, 1:].mean(axis=1), slower[:, 1:].mean(axis=1)) < ALPHA


def head_count_oracle(G, a, b):
    """Exact long-run mean of the unemployed head count and the asymptotic variance of its
    time average per week simulated (Kemeny & Snell, as ``sim.model.exact.time_average_variance``
    does per node)."""
    P = transition_matrix(G, a, b)
    pi = stationary(P)
    size = P.shape[0]
    count = np.array([bin(x).count("1") for x in range(size)], dtype=float)
    g = count - pi @ count
    Z = np.linalg.inv(np.eye(size) - P + np.outer(np.ones(size), pi))
    return pi @ count, pi @ (g * (2.0 * (Z @ g) - g))


@pytest.mark.slow
@pytest.mark.parametrize(("a", "b"), CAJ_SETTINGS)
@pytest.mark.parametrize("name", list(CAJ_GRAPHS))
def test_reference_matches_exact_long_run_unemployment(name, a, b):
    """R runs of T weeks started near the stationary share (as tests/test_kernel.py does):
    the mean head count has standard error sqrt(v / (R T)) from the chain's exact variance."""
    G = CAJ_GRAPHS[name]
    replicates, weeks = 20, 20_000
    mean, v = head_count_oracle(G, a, b)
    n = G.number_of_nodes()
    params = market(
        arrival_rate=a, separation_rate=b, weeks=weeks, initial_unemployed=mean / n, n_nodes=n
    )
    path = simulate_baseline_numpy(params, CSRGraph.of(prepare(G, seed=0)), replicates, seed=n)
    se = np.sqrt(v / (replicates * weeks))
    assert abs(mean - n * isolated_unemployment(a, b)) > 8 * se, "test has no power"
    z = (path[:, 1:].mean() - mean) / se
    assert abs(z) < 4.5, f"exact {mean:.4f} simulated {path[:, 1:].mean():.4f} z {z:.2f}"


def graph(params=None):
    params = params or market()
    return replicate_csr(params, 1, 0, True)


def test_no_openings_means_no_hires_and_unemployment_never_falls():
    path, hires = simulate(market(arrival_rate=0.0, separation_rate=0.05), graph(), 20, seed=3)
    assert (hires == 0).all()
    assert (np.diff(path, axis=1) >= 0).all()
    assert (path[:, -1] > path[:, 0]).all()  # 52 weeks at b = 0.05: every count rises
    still, _ = simulate(market(arrival_rate=0.0, separation_rate=0.0), graph(), 20, seed=3)
    assert (still == still[:, :1]).all()


def test_full_employment_without_separations_stays_full():
    path, hires = simulate(market(separation_rate=0.0, initial_unemployed=0.0), graph(), 20, seed=4)
    assert (path == 0).all() and (hires == 0).all()


def test_without_separations_each_person_is_hired_once_however_many_offers():
    """b = 0: the fall in unemployment each week is the week's hires, so a person with several
    offers (a direct one and leads from several neighbours) is counted once."""
    params = market(separation_rate=0.0, initial_unemployed=0.5, arrival_rate=0.5)
    path, hires = simulate(params, graph(), 50, seed=5)
    assert np.array_equal(-np.diff(path, axis=1), hires[:, 1:].sum(axis=2))
    assert hires[:, 1:, 1].sum() > 0 and hires[:, 1:, 0].sum() > 0


def test_a_graph_without_ties_hires_only_directly():
    n = 100
    empty = CSRGraph.of(nx.empty_graph(n))
    params = market(n_nodes=n, initial_unemployed=0.5, separation_rate=0.05)
    path, hires = simulate(params, empty, 30, seed=6)
    assert (hires[..., 1] == 0).all() and hires[..., 0].sum() > 0
    # everyone unemployed hears of an opening and is hired at once; nobody leaves
    everyone = market(n_nodes=n, initial_unemployed=1.0, arrival_rate=1.0, separation_rate=0.0)
    path, hires = simulate(everyone, empty, 3, seed=7)
    assert (path[:, 0] == n).all() and (path[:, 1:] == 0).all()
    assert (hires[:, 1, 0] == n).all() and (hires[:, 2:] == 0).all()


def test_separations_follow_the_hires_of_the_same_week():
    """a = b = 1: everyone unemployed is hired in the week and everyone employed then leaves,
    the newly hired included, so the whole population ends every week unemployed."""
    params = market(initial_unemployed=0.0, arrival_rate=1.0, separation_rate=1.0)
    path, hires = simulate(params, graph(params), 4, seed=8)
    n = params.n_nodes
    assert (path[:, 0] == 0).all() and (path[:, 1:] == n).all()
    assert (hires[:, 1] == 0).all()  # week 1: nobody was unemployed at its start
    assert (hires[:, 2:, 0] == n).all() and (hires[:, 2:, 1] == 0).all()


def test_same_seed_same_paths_and_another_seed_other_paths():
    params = market()
    csr = graph(params)
    first, first_hires = simulate(params, csr, 10, seed=9)
    again, again_hires = simulate(params, csr, 10, seed=9)
    assert np.array_equal(first, again) and np.array_equal(first_hires, again_hires)
    assert np.array_equal(first, simulate_baseline_numpy(params, csr, 10, seed=9))
    assert not np.array_equal(first, simulate(params, csr, 10, seed=10)[0])
    assert first.shape == (10, params.weeks + 1) and first.dtype == np.int64


@pytest.mark.parametrize(
    "values",
    [{**MARKET, "baseline": False}, {"baseline": True}],
    ids=["levers-on market", "single seeker"],
)
def test_only_the_market_baseline_is_accepted(values):
    params = Params.from_dict(values)
    with pytest.raises(ValueError, match="market baseline only"):
        simulate_baseline_numpy(params, graph(), 2, seed=1)


@pytest.mark.parametrize(("trials", "p"), [(3, 0.4), (3, 0.1), (4, 0.8)])
def test_successes_are_independent_bernoulli_trials(trials, p):
    """Every one of the 2^trials outcome patterns at its exact probability (chi-square)."""
    rng = np.random.default_rng(int(100 * p) + trials)
    draws = 40_000
    patterns = np.zeros(2**trials)
    for _ in range(draws):
        patterns[np.sum(2 ** _successes(rng, trials, p))] += 1
    hits = np.array(list(itertools.product([0, 1], repeat=trials)))[:, ::-1]
    expected = draws * np.prod(np.where(hits == 1, p, 1 - p), axis=1)
    assert stats.chisquare(patterns, expected).pvalue > 1e-4
