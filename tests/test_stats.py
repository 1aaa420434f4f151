"""The statistics behind the charts, against published numbers and closed forms."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from sim.analysis import stats

# Freireich et al. (1963) 6-MP arm: weeks in remission, False = censored. Kaplan-Meier estimates
# as published in Kleinbaum & Klein, Survival Analysis (3rd ed.), table 2.x:
# S(6) = 0.857, S(7) = 0.807, S(10) = 0.753, S(13) = 0.690, S(16) = 0.627, S(22) = 0.538,
# S(23) = 0.448.
SIX_MP = [
    (6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True), (10, False),
    (11, False), (13, True), (16, True), (17, False), (19, False), (20, False), (22, True),
    (23, True), (25, False), (32, False), (32, False), (34, False), (35, False),
]  # fmt: skip
PUBLISHED = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}


def test_kaplan_meier_matches_the_published_six_mp_estimates():
    times, events = zip(*SIX_MP, strict=True)
    curve = stats.kaplan_meier(times, events)
    assert list(curve.time) == [0, 6, 7, 10, 13, 16, 22, 23]
    for t, expected in PUBLISHED.items():
        i = list(curve.time).index(t)
        assert curve.survival[i] == pytest.approx(expected, abs=5e-4)
    assert list(curve.at_risk[1:]) == [21, 17, 15, 12, 11, 7, 6]
    # log-log Greenwood band at t = 6, as R survival's survfit(conf.type = "log-log") gives it
    assert curve.lower[1] == pytest.approx(0.620, abs=2e-3)
    assert curve.upper[1] == pytest.approx(0.952, abs=2e-3)
    assert np.all(curve.lower <= curve.survival) and np.all(curve.survival <= curve.upper)


def test_kaplan_meier_without_censoring_is_the_empirical_survival_function():
    t = np.array([1, 2, 2, 3, 5, 5, 5, 8])
    curve = stats.kaplan_meier(t, np.ones(len(t), bool))
    for u, s in zip(curve.time, curve.survival, strict=True):
        assert s == pytest.approx((t > u).mean())
    assert curve.survival[-1] == 0.0


def test_median_interval_uses_the_order_statistics_of_the_binomial_table():
    # n = 10: the 95% distribution-free interval is [x(2), x(9)], coverage 1 - 2 * 11/1024
    # (Conover, Practical Nonparametric Statistics, table A3).
    x = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    median, low, high = stats.median_interval(x)
    assert (median, low, high) == (5.5, 2.0, 9.0)
    # n = 100: [x(40), x(61)] (P(Bin(100, 1/2) <= 39) = 0.0176 <= 0.025 < P(<= 40) = 0.0284)
    median, low, high = stats.median_interval(np.arange(1, 101))
    assert (low, high) == (40.0, 61.0)
    # five values cannot reach 95%: the interval is unbounded; censored values sort last
    assert stats.median_interval([1, 2, 3, 4, 5])[1:] == (-math.inf, math.inf)
    assert stats.median_interval([1, math.inf, math.inf])[0] == math.inf


def test_median_interval_covers_at_least_95_percent():
    # 2,000 samples of 40 exponential values (true median log 2): the interval's exact coverage
    # is 1 - 2 P(Bin(40, .5) <= 13) = 0.9615; a binomial test at 0.9615 has sd 0.0043, and the
    # threshold 0.945 is 3.8 sd below: false-failure rate ~1e-4.
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(2000):
        _, low, high = stats.median_interval(rng.exponential(size=40))
        hits += low <= math.log(2) <= high
    assert hits / 2000 > 0.945


def test_clopper_pearson_matches_closed_forms():
    # k = 0: upper = 1 - (alpha/2)^(1/n); k = n: lower = (alpha/2)^(1/n)
    assert stats.proportion_interval(0, 10) == (0.0, pytest.approx(1 - 0.025**0.1))
    assert stats.proportion_interval(10, 10) == (pytest.approx(0.025**0.1), 1.0)
    # the beta-quantile form of the interval
    low, high = stats.proportion_interval(7, 20)
    assert low == pytest.approx(sps.beta.ppf(0.025, 7, 14))
    assert high == pytest.approx(sps.beta.ppf(0.975, 8, 13))


def test_bootstrap_interval_of_a_mean_is_close_to_the_t_interval():
    # 400 normal values: percentile bootstrap and t intervals agree to a few % of their width
    x = np.random.default_rng(2).normal(10, 2, size=400)
    low, high = stats.bootstrap_interval(lambda i: float(x[i].mean()), np.arange(len(x)))
    mean, t_low, t_high = stats.mean_interval(x)
    width = t_high - t_low
    assert abs(low - t_low) < 0.1 * width and abs(high - t_high) < 0.1 * width
    assert low < mean < high
    # fixed seed: the same data give the same interval
    again = stats.bootstrap_interval(lambda i: float(x[i].mean()), np.arange(len(x)))
    assert again == (low, high)


def test_gini_closed_forms():
    assert stats.gini([3, 3, 3, 3]) == 0.0
    assert stats.gini([0.1] * 4) == 0.0  # rounding must not make it negative
    assert stats.gini([0, 0, 0, 1]) == pytest.approx(3 / 4)  # (n - 1) / n
    # uniform on [0, 1]: Gini 1/3; 100,001 evenly spaced values are within 1e-5
    assert stats.gini(np.linspace(0, 1, 100_001)) == pytest.approx(1 / 3, abs=1e-5)


def test_paired_difference_of_common_noise_is_exact():
    # b = a + 0.1 with the same noise: the difference is 0.1 with a zero-width interval
    a = np.random.default_rng(3).normal(size=500)
    assert stats.paired_difference(a + 0.1, a) == pytest.approx((0.1, 0.1, 0.1))


def test_best_level_finds_a_clear_minimum_and_widens_on_a_flat_one():
    rng = np.random.default_rng(4)
    noise = rng.normal(0, 0.1, size=(400, 5))
    clear = noise + np.array([3.0, 2.0, 1.0, 2.0, 3.0])  # minimum at 2, 10 sd from the next
    assert stats.best_level(clear) == (2, 2, 2)
    flat = noise + 1.0  # no column is better: the interval spans most of the levels
    _, low, high = stats.best_level(flat)
    assert high - low >= 3


def test_bootstrap_memory_is_bounded_by_batches(monkeypatch):
    # with a tiny budget every resample is its own batch; the interval is the same
    x = np.random.default_rng(5).normal(size=300)
    whole = stats.bootstrap_interval(lambda i: float(x[i].mean()), np.arange(len(x)))
    monkeypatch.setattr(stats, "BATCH_INDICES", 1)
    assert stats.bootstrap_interval(lambda i: float(x[i].mean()), np.arange(len(x))) == whole


def test_ratio_interval_is_the_delta_method_when_events_cluster_in_runs():
    # every run has 10 asks, all actions or none (p = 0.3 per run): the runs, not the 10 asks,
    # are the units. Delta method: se = s / sqrt(n) of the per-run shares (Cochran 6.3, with
    # equal denominators), wider than Clopper-Pearson on 10 n pooled asks, so it is the one.
    runs = np.random.default_rng(6).random(250) < 0.3
    share, low, high = stats.ratio_interval(10.0 * runs, np.full(250, 10.0))
    half = sps.norm.ppf(0.975) * runs.std(ddof=1) / np.sqrt(250)
    assert (share, low, high) == pytest.approx(
        (runs.mean(), runs.mean() - half, runs.mean() + half)
    )


def test_ratio_interval_with_few_events_falls_back_to_clopper_pearson():
    # 3 hires of 3 in three runs: the delta method's width is 0; Clopper-Pearson's is not
    share, low, high = stats.ratio_interval([1, 1, 1], [1, 1, 1])
    assert (share, low, high) == (1.0, pytest.approx(0.025 ** (1 / 3)), 1.0)


def test_ratio_interval_covers_the_true_ratio():
    # runs with Poisson(2) asks, each an action with p = 0.3: the ratio of sums estimates 0.3.
    # 1,000 tables of 200 runs; a binomial test of coverage at 0.95 has sd 0.0069, and the
    # band 0.925-0.975 is 3.6 sd each side: false-failure rate ~3e-4.
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(1000):
        asks = rng.poisson(2, size=200)
        actions = rng.binomial(asks, 0.3)
        _, low, high = stats.ratio_interval(actions, asks)
        hits += low <= 0.3 <= high
    assert 0.925 < hits / 1000 < 0.975


def test_kaplan_meier_with_counts_is_the_curve_of_the_expanded_spells():
    rng = np.random.default_rng(8)
    times = rng.integers(0, 20, size=30).astype(float)
    events = rng.random(30) < 0.6
    counts = rng.integers(0, 5, size=30)
    weighted = stats.kaplan_meier(times, events, counts=counts)
    expanded = stats.kaplan_meier(np.repeat(times, counts), np.repeat(events, counts))
    for a, b in zip(weighted, expanded, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_gini_of_counts_is_the_gini_of_the_values_the_counts_stand_for():
    rng = np.random.default_rng(5)
    for _ in range(20):
        values = rng.integers(0, rng.integers(1, 60), size=rng.integers(1, 2000))
        assert stats.gini_of_counts(np.bincount(values)) == pytest.approx(
            stats.gini(values), abs=1e-12
        )
    assert stats.gini_of_counts([3, 1]) == pytest.approx(3 / 4)  # one of four has everything
    assert stats.gini_of_counts([0, 0, 5]) == 0.0 and stats.gini_of_counts([7]) == 0.0


def test_kaplan_meier_from_histograms_is_the_kaplan_meier_curve():
    rng = np.random.default_rng(8)
    completed = rng.integers(0, 6, size=(30, 40))
    censored = rng.integers(0, 3, size=(30, 40))
    curves = stats.kaplan_meier_hist(completed, censored)
    weeks = np.arange(40, dtype=float)
    for r in range(30):
        curve = stats.kaplan_meier(
            np.concatenate([weeks, weeks]),
            np.concatenate([np.ones(40, bool), np.zeros(40, bool)]),
            counts=np.concatenate([completed[r], censored[r]]),
        )
        # the step function at each whole week: the last step at or before it
        at = np.searchsorted(curve.time, weeks, side="right") - 1
        assert np.allclose(curves[r], curve.survival[at], rtol=0, atol=1e-12)
