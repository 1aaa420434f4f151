"""Effects over posterior draws: draws by weight, paired markets, summaries against hand values."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import uncertainty

SMALL = {"scenario": "market", "n_nodes": 200, "weeks": 260, "burn_in": 104}


def test_draws_follow_the_weights():
    table = pd.DataFrame({"a": [0.0, 1.0], "weight": [0.2, 0.8], "distance": [1, 2]})
    draws = uncertainty.posterior_draws(table, 4000, seed=3)
    share = np.mean([d["a"] for d in draws])
    # binomial sd of the share over 4,000 draws is 0.0063: 0.03 is nearly five of them
    assert share == pytest.approx(0.8, abs=0.03)
    assert set(draws[0]) == {"a"}  # weight and distance are not parameters


def test_identical_arms_give_exactly_zero_on_common_random_numbers():
    diff = uncertainty.paired_effect(SMALL, ({}, {}), replicates=3, seed=1)
    assert np.array_equal(diff, np.zeros(3))


def test_more_separations_raise_unemployment_at_every_draw():
    draws = [{"arrival_rate": 0.2}, {"arrival_rate": 0.4}]
    arms = ({"separation_rate": 0.002}, {"separation_rate": 0.02})
    table = uncertainty.effect_over_posterior(SMALL, draws, arms, replicates=2, seed=5)
    assert list(table.columns) == ["draw", "arrival_rate", "effect"]
    assert (table.effect > 0.02).all()  # ten times the separations: several points more


def test_summary_of_draws_by_hand():
    s = uncertainty.summarize(np.arange(-10, 91, dtype=float) / 100)  # -0.10 ... 0.90
    assert s["median"] == pytest.approx(0.40)
    assert s["low"] == pytest.approx(-0.05) and s["high"] == pytest.approx(0.85)
    assert s["p_negative"] == pytest.approx(10 / 101)
    assert math.isnan(uncertainty.summarize(np.array([math.nan]))["median"])


def test_monte_carlo_interval_against_a_t_table():
    # mean 3, sd sqrt(2.5), n = 5; t(0.95, 4 df) = 2.132 (any t table): half-width 1.5074
    mean, low, high = uncertainty.monte_carlo_interval(np.array([1.0, 2, 3, 4, 5]))
    assert mean == 3.0 and high - mean == pytest.approx(2.1318 * math.sqrt(2.5 / 5), rel=1e-4)
    assert mean - low == pytest.approx(high - mean)


def test_driver_is_the_parameter_that_orders_the_effect():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"fit_cost": rng.uniform(size=50), "gossip_rate": rng.uniform(size=50)})
    table["effect"] = table.fit_cost**3  # monotone in fit_cost: rank correlation 1
    name, rho = uncertainty.driver(table, ["gossip_rate", "fit_cost"])
    assert name == "fit_cost" and rho == pytest.approx(1.0)


def test_effects_chart_draws_a_row_per_effect_and_both_intervals():
    import matplotlib

    matplotlib.use("Agg")
    from sim.studies import plots

    fig, ax = plots.figure()
    plots.effects_under_uncertainty(
        {"a": np.array([-0.01, 0.0, 0.02]), "b": np.array([0.01, 0.02, 0.03])},
        ax,
        monte_carlo={"a": (0.001, -0.001, 0.003)},
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    # per effect one posterior bar and median; one Monte Carlo bar and mean for "a"
    assert len(ax.lines) == 2 + 2 + 2 + 1  # and the zero line
    assert len(ax.collections) == 2  # the draws' dots
