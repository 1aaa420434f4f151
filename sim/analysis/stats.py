"""The statistics behind the charts: survival curves, exact intervals, bootstrap, inequality.

Every interval here is a 95% interval unless ``level`` says otherwise, and each function says
which kind it is, so a chart can state it.

- :func:`kaplan_meier`: the product-limit survival curve with Greenwood's variance on the
  log(-log) scale (Kalbfleisch & Prentice), which keeps the band inside [0, 1] (SciPy's
  ``ecdf``).
- :func:`median_interval`: the median of a sample whose values past the horizon are censored,
  with the exact distribution-free interval from order statistics (SciPy's ``quantile_test``;
  its coverage is at least ``level`` for any continuous distribution).
- :func:`proportion_interval`: Clopper-Pearson's exact binomial interval.
- :func:`ratio_interval`: a share of counts over runs (delta method, at least Clopper-Pearson).
- :func:`mean_interval`: Student's t interval of a mean.
- :func:`bootstrap_interval`: SciPy's percentile bootstrap over runs; :func:`paired_difference`
  (common random numbers), :func:`unpaired_difference` (independent arms) and
  :func:`best_level` (which level is best) are built on resampling.
- :func:`gini`: the Gini coefficient of a non-negative sample.

Examples
--------
>>> round(proportion_interval(0, 10)[1], 6)  # 1 - 0.025 ** (1 / 10)
0.308497
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

# scipy.stats is imported inside the functions that use it: importing it takes about a second,
# which every command that imports this module (plots, sweeps) would otherwise pay.
LEVEL = 0.95
RESAMPLES = 2000  # bootstrap resamples: the interval ends move by < 1% of their width between seeds
BOOTSTRAP_SEED = 20261126  # a fixed seed: the same table gives the same chart
BATCH_INDICES = 20_000_000


class Survival(NamedTuple):
    """A step function: ``survival[i]`` holds from ``time[i]`` until ``time[i + 1]``."""

    time: np.ndarray  # 0, then each time with at least one event
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    at_risk: np.ndarray


def kaplan_meier(
    times: ArrayLike, events: ArrayLike, level: float = LEVEL, counts: ArrayLike | None = None
) -> Survival:
    """Kaplan-Meier estimate of P(T > t) from times and event flags (False: censored at that
    time; a censored time equal to an event time counts as still at risk then), with its
    pointwise band: SciPy's ``scipy.stats.ecdf`` on ``CensoredData`` and its ``log-log``
    confidence interval (Greenwood's variance on the log(-log) scale, Kalbfleisch & Prentice),
    which keeps the band inside [0, 1]. Where the curve reaches 0 the band is [0, 0].

    ``counts`` (optional, whole numbers) says how many spells each (time, flag) entry stands
    for (a histogram of spells). Returns the curve at 0 and at each time with an event.
    Raises ``ValueError`` for arrays of different shapes."""
    from scipy import stats

    t = np.asarray(times, dtype=float)
    d = np.asarray(events, dtype=bool)
    if t.shape != d.shape or t.ndim != 1:
        raise ValueError("times and events must be 1-d and of equal length")
    w = np.ones(len(t), dtype=np.int64) if counts is None else np.asarray(counts)
    if w.shape != t.shape:
        raise ValueError("counts must be 1-d and as long as times")
    w = w.astype(np.int64)
    event_times = np.unique(t[d & (w > 0)])
    spells = np.repeat(t, w)
    ended = np.repeat(d, w)
    if not len(event_times):  # nothing happened: the curve stays at 1
        return Survival(*(np.array([value]) for value in (0.0, 1.0, 1.0, 1.0, float(w.sum()))))
    fit = stats.ecdf(stats.CensoredData(uncensored=spells[ended], right=spells[~ended])).sf
    with warnings.catch_warnings():  # "undefined at some observations": where S = 0, as said
        warnings.simplefilter("ignore", RuntimeWarning)
        band = fit.confidence_interval(level, method="log-log")
    surv = fit.evaluate(event_times)
    low, high = (np.nan_to_num(b.evaluate(event_times), nan=0.0) for b in (band.low, band.high))
    at_risk = len(spells) - np.searchsorted(np.sort(spells), event_times, side="left")
    return Survival(
        np.concatenate([[0.0], event_times]),
        np.concatenate([[1.0], surv]),
        np.concatenate([[1.0], np.where(surv == 0.0, 0.0, low)]),
        np.concatenate([[1.0], np.where(surv == 0.0, 0.0, high)]),
        np.concatenate([[float(len(spells))], at_risk.astype(float)]),
    )


def kaplan_meier_hist(completed: ArrayLike, censored: ArrayLike) -> np.ndarray:
    """Kaplan-Meier survival P(T > d) at d = 0, 1, 2, ... from histograms of spell lengths
    (``completed[..., d]`` spells ended at d, ``censored[..., d]`` last seen at risk at d), for
    one histogram or a stack of them at once: the curve of :func:`kaplan_meier` at each whole
    d, without the bands (a week with no event multiplies by exactly 1)."""
    done = np.asarray(completed, dtype=float)
    at_risk = np.cumsum((done + np.asarray(censored, dtype=float))[..., ::-1], axis=-1)[..., ::-1]
    factor = 1.0 - np.divide(done, at_risk, out=np.zeros_like(done), where=at_risk > 0)
    return np.cumprod(factor, axis=-1)


def km_median(survival: Survival) -> float:
    """The Kaplan-Meier median: the first time the curve reaches 1/2 or below; NaN if it never
    does (more than half outlast the data)."""
    below = np.nonzero(survival.survival <= 0.5)[0]
    return float(survival.time[below[0]]) if len(below) else math.nan


def median_interval(values: ArrayLike, level: float = LEVEL) -> tuple[float, float, float]:
    """(median, low, high) of a sample; ``inf`` stands for a value censored past the horizon.

    The interval is SciPy's distribution-free interval for the median from order statistics
    (``scipy.stats.quantile_test(...).confidence_interval``): ``[x_(j), x_(n - j + 1)]`` with
    the largest ``j`` whose binomial coverage is at least ``level``. With fewer than 6 values no
    such ``j`` exists and the interval is the whole line. A median past the horizon is ``inf``.
    """
    from scipy import stats

    x = np.sort(np.asarray(values, dtype=float))
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    median = float(np.median(x)) if np.isfinite(np.median(x)) else math.inf
    ci = stats.quantile_test(x, q=median if np.isfinite(median) else x[-1], p=0.5)
    interval = ci.confidence_interval(level)
    low, high = float(interval.low), float(interval.high)
    if math.isnan(low) or math.isnan(high):  # too few values for any order statistic to do
        return median, -math.inf, math.inf
    return median, low, high


def proportion_interval(successes: int, trials: int, level: float = LEVEL) -> tuple[float, float]:
    """Clopper-Pearson exact interval for a binomial proportion."""
    from scipy import stats

    if trials == 0:
        return math.nan, math.nan
    result = stats.binomtest(int(successes), int(trials)).proportion_ci(level, method="exact")
    return float(result.low), float(result.high)


def bootstrap_interval(
    statistic: Callable[..., float],
    *columns: np.ndarray,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(*columns)``, resampling rows (runs) together."""
    from scipy import stats

    if len(columns[0]) < 2:
        return math.nan, math.nan
    result = stats.bootstrap(
        columns,
        statistic,
        paired=True,
        vectorized=False,
        confidence_level=level,
        n_resamples=resamples,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
        # resamples drawn a batch at a time: at most ~160 MB of indices for any table size
        # (all at once, a million runs would need 2,000 x 1,000,000 indices: 16 GB)
        batch=max(1, BATCH_INDICES // len(columns[0])),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def ratio_interval(
    top: ArrayLike, bottom: ArrayLike, level: float = LEVEL
) -> tuple[float, float, float]:
    """(sum(top) / sum(bottom), low, high): a share of counts over runs (actions among asks,
    close-tie hires among contact hires), where runs are the independent units.

    The interval is the wider of two: the delta-method (linearised) interval of a ratio
    estimator (Cochran, Sampling Techniques, 6.3), which accounts for events clustering in
    runs, and Clopper-Pearson's on the pooled counts, which stays honest when there are few
    events (3 hires of 3, say, where the delta method's width is 0). Clipped to [0, 1].
    """
    from scipy import stats

    y = np.asarray(top, dtype=float)
    x = np.asarray(bottom, dtype=float)
    n, total = len(y), x.sum()
    if n == 0 or total == 0:
        return math.nan, math.nan, math.nan
    ratio = float(y.sum() / total)
    exact_low, exact_high = proportion_interval(round(y.sum()), round(total), level)
    if n < 2:
        return ratio, exact_low, exact_high
    residual = y - ratio * x
    se = math.sqrt(float(residual @ residual) * n / (n - 1)) / total
    half = float(stats.norm.ppf(0.5 + level / 2)) * se
    low, high = max(0.0, ratio - half), min(1.0, ratio + half)
    return ratio, min(low, exact_low), max(high, exact_high)


def mean_interval(values: ArrayLike, level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, low, high) with Student's t interval."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    mean = float(x.mean()) if len(x) else math.nan
    if len(x) < 2 or np.ptp(x) == 0:
        return mean, mean, mean
    low, high = stats.t.interval(level, len(x) - 1, loc=mean, scale=stats.sem(x))
    return mean, float(low), float(high)


def gini(values: ArrayLike) -> float:
    """Gini coefficient: 0 when everyone has the same, (n - 1) / n when one has everything."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return max(0.0, float((2 * ranks - n - 1) @ x / (n * x.sum())))  # no -1e-17 for equal values


def gini_of_counts(counts: ArrayLike) -> float:
    """:func:`gini` of values 0, 1, 2, ... held by ``counts[k]`` people each: the same sum over
    ranks, a block of equal values at a time (O(len(counts)), not O(n log n))."""
    h = np.asarray(counts, dtype=float)
    n = h.sum()
    k = np.arange(len(h), dtype=float)
    total = float(k @ h)
    if n == 0 or total == 0:
        return 0.0
    above = np.cumsum(h)  # ranks of value k run from above[k] - h[k] + 1 to above[k]
    rank_sums = h * (2 * above - h + 1)  # sum of 2 * rank over the block
    return max(0.0, float((k * (rank_sums - h * (n + 1))).sum() / (n * total)))


def paired_difference(
    a: ArrayLike, b: ArrayLike, level: float = LEVEL
) -> tuple[float, float, float]:
    """(mean of a - b, low, high): the percentile bootstrap of a paired difference, as common
    random numbers give it (replicate r of both arms saw the same network and luck)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    low, high = bootstrap_interval(
        lambda i: float(diff[i].mean()), np.arange(len(diff)), level=level
    )
    return float(diff.mean()), low, high


def unpaired_difference(
    a: ArrayLike, b: ArrayLike, level: float = LEVEL
) -> tuple[float, float, float]:
    """(mean of a - mean of b, low, high): SciPy's percentile bootstrap of a difference of means
    between independent samples (each resampled on its own), for arms without common random
    numbers."""
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    estimate = float(x.mean() - y.mean()) if len(x) and len(y) else math.nan
    if len(x) < 2 or len(y) < 2:
        return estimate, math.nan, math.nan
    result = stats.bootstrap(
        (x, y),
        lambda u, v, axis=-1: u.mean(axis=axis) - v.mean(axis=axis),
        paired=False,
        confidence_level=level,
        n_resamples=RESAMPLES,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
    )
    return estimate, float(result.confidence_interval.low), float(result.confidence_interval.high)


def best_level(values: ArrayLike, level: float = LEVEL) -> tuple[int, int, int]:
    """Which column of a (replicates, levels) matrix has the smallest mean, with a percentile
    bootstrap interval for that column index (rows resampled together: paired replicates).

    Returns (best, low, high) column indices; a flat optimum shows as a wide interval.
    """
    x = np.asarray(values, dtype=float)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = rng.integers(0, len(x), size=(RESAMPLES, len(x)))
    best = np.array([int(np.argmin(x[r].mean(axis=0))) for r in rows])
    low, high = np.quantile(best, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return int(np.argmin(x.mean(axis=0))), int(low), int(high)
