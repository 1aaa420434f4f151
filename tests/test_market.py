"""Market outcomes against oracles from outside the code: closed forms for people with no ties,
the exact Markov chain for small graphs, SciPy's Kaplan-Meier, and simulated two-state chains.

Statistical tolerances are 4.5 standard errors (two-sided false-failure rate 7e-6 per check
under normality; 14 checks here, so below 1e-4 together); seeds are fixed, so a run is
deterministic.
"""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis import market
from sim.analysis.stats import gini
from sim.model import exact
from sim.model.params import Params
from sim.model.runs import run

Z = 4.5
A, B = 0.1, 0.015  # Calvo-Armengol & Jackson's example rates


def isolated(replicates=8, n=400, weeks=3000, burn_in=200, seed=5):
    """People with no ties and the levers off: each is the two-state chain of the null model."""
    params = Params.from_dict(
        {
            "scenario": "market",
            "baseline": True,
            "weeks": weeks,
            "burn_in": burn_in,
            "arrival_rate": A,
            "separation_rate": B,
        }
    )
    runs = run(params, replicates, seed, network=nx.empty_graph(n))
    return runs, pd.DataFrame(market.outcomes(runs))


@pytest.fixture(scope="module")
def alone():
    return isolated()


def within(values, truth):
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - truth) < Z * se + 1e-12, (values.mean(), truth, se)


def test_unemployment_rate_of_isolated_people_is_the_closed_form(alone):
    _, table = alone
    within(table.unemployment_rate, exact.isolated_unemployment(A, B))


def test_exit_hazard_of_isolated_people_is_the_arrival_rate_at_every_spell_length(alone):
    runs, table = alone
    at_risk, exits = runs.hazard[:, 0].sum(axis=0), runs.hazard[:, 1].sum(axis=0)
    assert (at_risk > 1000).all()
    for j in range(len(market.SPELL_LABELS)):  # binomial: exits ~ Bin(at risk, a)
        se = math.sqrt(A * (1 - A) / at_risk[j])
        assert abs(exits[j] / at_risk[j] - A) < Z * se, (j, exits[j] / at_risk[j])
    within(table.exit_hazard, A)


def test_spell_and_stock_durations_of_isolated_people_are_geometric(alone):
    runs, table = alone
    # P(spell > d) = (1 - a)^d: the median is the first d with (1 - a)^d <= 1/2, 7 for a = 0.1
    # ((1 - a)^6 = 0.531, (1 - a)^7 = 0.478: many standard errors either side).
    assert (table.median_spell_weeks == math.ceil(math.log(0.5) / math.log(1 - A))).all()
    # The stock's elapsed duration is geometric from 1: mean 1/a, P(d >= 27) = (1 - a)^26.
    assert (table.median_elapsed_weeks == 7).all()
    within(table.mean_elapsed_weeks, 1 / A)
    within(table.share_long_term, (1 - A) ** 26)


def test_no_ties_no_contact_hires_and_no_correlation_defined(alone):
    _, table = alone
    assert (table.share_via_contacts == 0).all()
    assert table.neighbour_employment_correlation.isna().all()  # no ties, nothing to correlate


def test_isolated_people_are_exactly_the_gini_null(alone):
    _, table = alone
    within(table.gini_unemployment - table.gini_unemployment_null, 0.0)


def _weeks_unemployed_by_dynamic_programming(rate, b, weeks):
    """P(K = k) for the two-state chain, by stepping (status, weeks so far) forward: O(weeks^2),
    independent of the generating function that gini_null inverts."""
    find = min(1.0, b * (1.0 - rate) / rate)
    unemployed, employed = np.zeros(weeks + 1), np.zeros(weeks + 1)
    unemployed[0] = b / (b + find)
    employed[0] = 1.0 - unemployed[0]
    for _ in range(weeks):
        moved = np.zeros(weeks + 1)
        moved[1:] = unemployed[:-1] * (1.0 - find) + employed[:-1] * b
        employed = unemployed * find + employed * (1.0 - b)
        unemployed = moved
    return unemployed + employed


@pytest.mark.parametrize(
    "rate, b, weeks",
    # rate 0.01 and b = 1.0 cap the finding rate at 1
    [
        (0.2, 0.05, 1),
        (0.3, 0.015, 2),
        (0.05, 0.1, 60),
        (0.6, 0.5, 37),
        (0.01, 0.9, 200),
        (0.99, 0.02, 500),
        (0.4, 1.0, 25),
    ],
)
def test_gini_null_matches_dynamic_programming(rate, b, weeks):
    p = _weeks_unemployed_by_dynamic_programming(rate, b, weeks)
    F = np.cumsum(p)[:-1]
    n = 500
    expected = (F * (1 - F)).sum() / (p * np.arange(weeks + 1)).sum() * (n - 1) / n
    # both are exact; what differs is rounding in an FFT of weeks + 1 terms (measured below
    # 3e-12 over 240 cases up to 2,000 weeks)
    assert market.gini_null(rate, b, weeks, n) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_gini_null_matches_simulated_two_state_chains():
    rate, b, weeks, n = 0.3, 0.05, 150, 20_000
    find = b * (1 - rate) / rate
    rng = np.random.default_rng(3)
    status = rng.random(n) < rate  # unemployed, from the stationary state
    count = np.zeros(n)
    for _ in range(weeks):
        draw = rng.random(n)
        status = np.where(status, draw >= find, draw < b)
        count += status
    # The sample Gini of 20,000 people has a standard error near 0.002 (checked by the
    # spread over seeds); 0.01 is about five of them.
    assert abs(gini(count) - market.gini_null(rate, b, weeks, n)) < 0.01


def test_gini_null_undefined_cases_are_nan():
    assert math.isnan(market.gini_null(0.0, 0.05, 10, 100))
    assert math.isnan(market.gini_null(0.3, 0.0, 10, 100))
    assert math.isnan(market.gini_null(0.3, 0.05, 0, 100))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_km_median_matches_scipy_kaplan_meier(seed):
    rng = np.random.default_rng(seed)
    completed = rng.integers(0, 30, size=40)
    censored = rng.integers(0, 30, size=40)
    completed[0] = 0  # no spell completes after 0 weeks
    times = np.repeat(np.arange(40), completed)
    right = np.repeat(np.arange(40), censored)
    fit = sps.ecdf(sps.CensoredData(uncensored=times, right=right))
    grid = np.arange(40)
    expected = grid[fit.sf.evaluate(grid) <= 0.5][0]
    assert market.km_median(completed, censored) == expected


def test_km_median_is_nan_when_half_the_spells_outlast_the_window():
    assert math.isnan(market.km_median(np.array([0, 1, 0]), np.array([0, 0, 5])))


@pytest.mark.slow
@pytest.mark.parametrize(
    "graph", [nx.path_graph(5), nx.star_graph(4), nx.house_graph()], ids=["path", "star", "house"]
)
def test_neighbour_correlation_matches_the_exact_chain(graph):
    a, b = 0.3, 0.1  # a fast market, so 20,000 weeks hold many independent stretches
    params = Params.from_dict(
        {
            "scenario": "market",
            "baseline": True,
            "weeks": 20_000,
            "burn_in": 100,
            "arrival_rate": a,
            "separation_rate": b,
        }
    )
    runs = run(params, 12, seed=9, network=graph)
    table = pd.DataFrame(market.outcomes(runs))
    truth = exact.neighbour_correlation(graph, a, b)
    assert truth > 0.0  # Calvo-Armengol & Jackson: positive on every connected graph
    within(table.neighbour_employment_correlation, truth)


def test_employment_is_positively_correlated_across_ties_in_a_large_market():
    params = Params.from_dict(
        # CAJ (2004) prove the correlation positive; their example's a and b
        {
            "scenario": "market",
            "baseline": True,
            "n_nodes": 400,
            "weeks": 600,
            "burn_in": 100,
            "arrival_rate": 0.1,
            "separation_rate": 0.015,
        }  # fmt: skip
    )
    table = pd.DataFrame(market.outcomes(run(params, 10, seed=2)))
    values = table.neighbour_employment_correlation
    assert values.mean() > Z * values.std(ddof=1) / math.sqrt(len(values))


def test_drift_detects_a_step_and_passes_white_noise():
    rng = np.random.default_rng(4)
    R, W = 2000, 400
    noise = rng.normal(size=(R, W))
    drift, se = market._drift(noise, np.ones((R, W)))
    # batch means of iid weeks: E[se^2] = 2 / 200 (each half's mean has variance 1 / 200); the
    # estimate's relative standard error over 2,000 runs is about 0.022, so 0.1 is 4.5 of them
    assert np.allclose((se**2).mean(), 2 / 200, rtol=0.1)
    # Welch t on the halves' batch means: two-sided p < 0.01 for about 1% of stationary runs.
    p = 2 * sps.t.sf(np.abs(drift / se), 2 * (market.HALF_BATCHES - 1))
    assert abs((p < 0.01).mean() - 0.01) < Z * math.sqrt(0.01 * 0.99 / R) + 0.005
    stepped = noise + np.where(np.arange(W) >= W // 2, 1.0, 0.0)
    drift, _ = market._drift(stepped, np.ones((R, W)))
    within(drift, 1.0)


def test_stationarity_verdict_over_replicates():
    rng = np.random.default_rng(6)
    rows = []
    for point, shift in ((0, 0.0), (1, 0.05)):
        for _ in range(200):
            row = {"point": point}
            for name in market.SERIES:
                row[f"drift_{name}"] = rng.normal(shift, 0.1)
                row[f"drift_{name}_se"] = 0.1
            rows.append(row)
    verdict = market.stationarity(pd.DataFrame(rows)).set_index("point")
    # point 1: a shift of 0.05 against a standard error of 0.1 / sqrt(200) = 0.007
    assert bool(verdict.loc[0, "stationary"]) and not bool(verdict.loc[1, "stationary"])
    lines = market.describe(pd.DataFrame(rows))
    assert lines[-1].startswith("stationarity: 1 of 2 design point(s) pass")


@pytest.mark.slow
def test_the_default_market_is_stationary_after_its_burn_in():
    # 20 markets of 1,000 at every default: the diagnostic's false-alarm rate is 1% by
    # construction (alpha 0.01, Bonferroni over 3 series), and a drift as large as the one
    # still left at year 5 (reputation +0.03 between the halves) would fail it.
    runs = run(Params.from_dict({"scenario": "market"}), 20, seed=11)
    table = pd.DataFrame(market.outcomes(runs)).assign(point=0)
    verdict = market.stationarity(table)
    assert bool(verdict.stationary.iloc[0]), verdict.to_dict("records")
    early = Params.from_dict({"scenario": "market", "weeks": 520, "burn_in": 130})
    table = pd.DataFrame(market.outcomes(run(early, 20, seed=11))).assign(point=0)
    assert not bool(market.stationarity(table).stationary.iloc[0])  # the diagnostic has power


def test_a_window_too_short_to_judge_is_not_called_stationary():
    nan = float("nan")
    table = pd.DataFrame(
        [
            {
                "point": 0,
                **{f"drift_{s}": nan for s in market.SERIES},
                **{f"drift_{s}_se": nan for s in market.SERIES},
            }
        ]  # fmt: skip
    )
    verdict = market.stationarity(table).iloc[0]
    assert not verdict.judged and not verdict.stationary
    assert "cannot judge" in market.describe(table)[0]
    assert market.describe(table)[-1].endswith("1 cannot be judged")


def test_batched_medians_and_null_gini_equal_one_run_at_a_time():
    rng = np.random.default_rng(2)
    completed = rng.integers(0, 5, size=(12, 30))
    censored = rng.integers(0, 3, size=(12, 30))
    completed[3] = 0  # no spell ends: no median
    censored[3] = 4
    batched = market.km_median(completed, censored)
    for r in range(12):
        one = market.km_median(completed[r], censored[r])
        assert (math.isnan(one) and math.isnan(batched[r])) or one == batched[r]
    assert math.isnan(batched[3])
    rates = np.array([0.05, 0.3, 0.0, 0.6, 1.0, np.nan])
    together = market.gini_null(rates, 0.02, 400, 500)
    for rate, value in zip(rates, together, strict=True):
        alone = market.gini_null(float(rate), 0.02, 400, 500)
        assert (math.isnan(alone) and math.isnan(value)) or alone == value
    assert np.isnan(together[[2, 4, 5]]).all() and (together[[0, 1, 3]] > 0).all()
