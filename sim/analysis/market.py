"""Labour-market outcomes measured the way labour economists measure them, over the window.

The window is the weeks after ``burn_in``. Per run (one value each, NaN where undefined):

- ``unemployment_rate``: U / (E + U) at each window week's end, averaged over the window;
- ``exit_hazard``: hires in window weeks / unemployed at the start of those weeks (the weekly
  probability of leaving unemployment for a job; the counts are ``window_exits`` and
  ``window_at_risk``); ``exit_hazard_1_4`` ... ``exit_hazard_53_plus``
  the same for spells with that many completed weeks at the start of the week, beside the counts
  ``at_risk_*`` and ``exits_*`` (pool runs as a ratio of sums);
- ``median_spell_weeks``: Kaplan-Meier median length of spells begun in the window (censored
  at the window's end or when the person leaves the labour force);
- ``median_elapsed_weeks``, ``mean_elapsed_weeks``, ``share_long_term``: the elapsed durations
  of the unemployed stock at each window week's end, pooled over the window (what the CPS
  reports: BLS Employment Situation, table A-12), long term meaning 27 weeks or more;
- ``share_via_contacts``: hires through a contact (a lead or an introduction) / all hires;
  ``via_close_share`` ... ``via_relay_share``: contact hires by the helper's tie, relays (a
  helper who does not know the hired person) as their own class (the counts are the run's
  ``total_hires_via_*``, which a sweep counts over the window too);
- ``neighbour_employment_correlation``: the correlation of employment status across the two
  ends of a tie over the window, each person measured against their own window employment
  rate: sum over ties of Cov(e_i, e_j) / sum over ties of sd(e_i) sd(e_j), Cov the mean over
  window weeks of e_i e_j minus the product of the two rates. This is the dependence that
  Calvo-Armengol & Jackson (2004) prove positive; unlike a within-week correlation it does not
  mistake differences in rates (hubs work more than the people they know) for dependence.
  ``employment_assortativity`` is that within-week figure (Pearson over the ends of every
  tie, one common mean), averaged over window weeks, for comparison;
- ``gini_unemployment``: Gini coefficient of window weeks unemployed across nodes, beside
  ``gini_unemployment_null``: the same for identical persons with no network at the same
  unemployment rate and the same flow into unemployment (separations, and retirements whose
  entrant looks for work), computed exactly (:func:`gini_null`);
- stationarity: ``drift_unemployment``, ``drift_reputation``, ``drift_action_share`` (second
  half of the window minus the first) and their batch-means standard errors ``*_se``.

Examples
--------
>>> round(gini_null(0.2, 0.05, 1, n=10**9), 3)  # one week: unemployed or not, Bernoulli(0.2)
0.8
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as sps

from sim.analysis.stats import gini_of_counts, kaplan_meier_hist, proportion_interval
from sim.model.results import GROUP_COUNTS, SPELL_BINS, Runs

SPELL_LABELS = tuple(f"{low}_{high}" if high else f"{low}_plus" for low, high in SPELL_BINS)
TIE_CLASSES = ("close", "regular", "distant", "relay")
SERIES = ("unemployment", "reputation", "action_share")
# Batch means per half of the window in the one-run diagnostic. Two (130-week batches at the
# defaults): with four, batches shorter than the reputation's memory (a year's half-life) made
# 4.9% of 1,000 stationary default markets fail against the nominal 1%; with two, 1.9% (docs 7.11).
HALF_BATCHES = 2
LONG_TERM = 27  # weeks: the CPS's long-term unemployed


def outcomes(runs: Runs) -> dict[str, np.ndarray]:
    """(R,) arrays of every market outcome and diagnostic, named as in the module docstring."""
    burn_in = runs.params.burn_in
    n = runs.n_people
    out: dict[str, np.ndarray] = {}
    weeks = runs.window_weeks()
    R = len(weeks)
    unemployed = runs.column("unemployed")[:, burn_in + 1 :]
    out["unemployment_rate"] = unemployed.sum(axis=1) / (np.maximum(weeks, 1) * n)
    window = runs.weekly[:, burn_in + 1 :, :]

    def total(name: str) -> np.ndarray:
        return window[:, :, runs.columns.index(name)].sum(axis=1)

    at_risk, exits = runs.hazard[:, 0, :], runs.hazard[:, 1, :]
    out["window_at_risk"], out["window_exits"] = at_risk.sum(axis=1), exits.sum(axis=1)
    out["exit_hazard"] = _ratio(out["window_exits"], out["window_at_risk"])
    for j, label in enumerate(SPELL_LABELS):
        out[f"exit_hazard_{label}"] = _ratio(exits[:, j], at_risk[:, j])
    for j, label in enumerate(SPELL_LABELS):
        out[f"at_risk_{label}"] = at_risk[:, j].copy()
        out[f"exits_{label}"] = exits[:, j].copy()
    out["median_spell_weeks"] = km_median(runs.spells[:, 0], runs.spells[:, 1])
    stock = runs.elapsed
    durations = np.arange(stock.shape[1])
    count = stock.sum(axis=1)
    out["median_elapsed_weeks"] = np.array([_hist_median(stock[r]) for r in range(R)])
    out["mean_elapsed_weeks"] = _ratio(stock @ durations, count)
    out["share_long_term"] = _ratio(stock[:, LONG_TERM:].sum(axis=1), count)
    hires = total("hires_direct") + total("hires_lead") + total("hires_intro")
    contact = total("hires_lead") + total("hires_intro")
    out["share_via_contacts"] = _ratio(contact, hires)
    via = np.stack([total(f"hires_via_{c}") for c in TIE_CLASSES], axis=1)
    for j, name in enumerate(TIE_CLASSES):
        out[f"via_{name}_share"] = _ratio(via[:, j], via.sum(axis=1))
    c = runs.correlation
    joint = _ratio(c[:, 2], weeks)  # share of ties employed at both ends, window mean
    out["neighbour_employment_correlation"] = _ratio(joint - c[:, 3], c[:, 4])
    out["employment_assortativity"] = _ratio(c[:, 0], c[:, 1])
    out["gini_unemployment"] = np.array([gini_of_counts(runs.unemployed_hist[r]) for r in range(R)])
    p = runs.params
    # an employed node turns unemployed by a separation, or by a retirement whose entrant
    # looks for work (demography is off in baseline)
    entry = 0.0 if p.baseline else p.exit_rate * p.entrant_unemployed
    leave = p.separation_rate + (1.0 - p.separation_rate) * entry
    out["gini_unemployment_null"] = np.full(R, math.nan)
    for window in np.unique(weeks):  # one window length in a market sweep: one batched call
        same = weeks == window
        out["gini_unemployment_null"][same] = gini_null(
            out["unemployment_rate"][same], leave, int(window), n
        )
    out["mean_reputation"] = runs.mean_reputation[:, burn_in + 1 :].mean(axis=1)
    for name, series in _series(runs).items():
        drift, se = _drift(*series)
        out[f"drift_{name}"], out[f"drift_{name}_se"] = drift, se
    return out


def by_group(runs: Runs) -> dict[str, np.ndarray]:
    """Outcomes by strategy group (``sim.model.population``), one row per (run, group) in run
    then group order, as arrays of shape (R * G,): ``replicate`` (0 .. R - 1 in ``runs``),
    ``group`` (its name), ``people``, and over the window ``unemployment_rate`` (the group's
    person-weeks ending unemployed / (people * window weeks)), ``exit_hazard`` (exits /
    unemployed at risk), ``share_via_contacts`` (exits through a lead or an introduction /
    exits; relays included), with the counts ``unemployed_weeks``, ``at_risk``, ``exits``,
    ``exits_via_contacts`` for pooling as ratios of sums. NaN where a group has no one (a
    share of 0), no one at risk or no exit. Summed over the groups, the counts are the run's
    own (``outcomes``)."""
    counts = runs.by_group  # (R, G, len(GROUP_COUNTS))
    R, G = counts.shape[:2]
    flat = counts.reshape(R * G, -1)
    weeks = np.repeat(runs.window_weeks(), G)
    out: dict[str, np.ndarray] = {
        "replicate": np.repeat(np.arange(R, dtype=np.int64), G),
        "group": np.tile(np.array(runs.group_names(), dtype=object), R),
    }
    for j, name in enumerate(GROUP_COUNTS):
        out[name] = flat[:, j].copy()
    out["unemployment_rate"] = _ratio(out["unemployed_weeks"], out["people"] * weeks)
    out["exit_hazard"] = _ratio(out["exits"], out["at_risk"])
    out["share_via_contacts"] = _ratio(out["exits_via_contacts"], out["exits"])
    return out


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)


def _hist_median(counts: np.ndarray) -> float:
    """The median of a histogram over 0, 1, 2, ...: the smallest d with F(d) >= 1/2."""
    total = counts.sum()
    if total == 0:
        return math.nan
    return float(np.searchsorted(np.cumsum(counts), total / 2, side="left"))


def km_median(completed: np.ndarray, censored: np.ndarray) -> Any:
    """Kaplan-Meier median from histograms of spell lengths: ``completed[d]`` spells ended
    after d weeks, ``censored[d]`` were last seen having survived d weeks (at risk at d). NaN
    if more than half the spells outlast the window. Given (R, D) histograms, one median per
    row (:func:`sim.analysis.stats.kaplan_meier_hist`, the same curve as
    :func:`sim.analysis.stats.kaplan_meier`)."""
    curve = kaplan_meier_hist(completed, censored)
    reached = curve <= 0.5
    first = np.argmax(reached, axis=-1).astype(float)
    medians = np.where(reached.any(axis=-1), first, math.nan)
    return float(medians) if np.ndim(medians) == 0 else medians


def gini_null(rate: ArrayLike, separation: float, weeks: int, n: int) -> Any:
    """Gini of weeks unemployed over a window of ``weeks`` among ``n`` identical people with no
    network: each follows a two-state chain (employed -> unemployed with probability
    ``separation`` b a week: in a market with demography, separations and retirements whose
    entrant looks for work; unemployed -> employed with probability f), started from its
    stationary state, with f set so that its long-run unemployment rate is ``rate``
    (f = b (1 - rate) / rate).

    Exact: with D(z) = diag(z, 1) marking a week unemployed and P the weekly transition matrix
    over (unemployed, employed), the weeks unemployed K have the generating function
    E[z^K] = pi (P D(z))^weeks 1 (pi the stationary start). Evaluated at the ``weeks + 1``
    roots of unity it is the discrete Fourier transform of K's distribution, which an inverse
    FFT returns: O(weeks log weeks), where dynamic programming over (status, weeks so far) is
    O(weeks^2) (the two agree to 1e-11; ``tests/test_market.py`` checks it). The Gini is
    sum_k F(k) (1 - F(k)) / mean (mean difference over twice the mean), times (n - 1) / n, the
    expectation of the sample mean difference that ``sim.analysis.stats.gini`` computes. NaN
    when undefined (no weeks, a rate of 0 or 1, b = 0). ``rate`` may be an array (one market per
    entry, all with the same ``weeks``): the result is an array of the same shape, each entry
    the same as computed alone.
    """
    rates = np.atleast_1d(np.asarray(rate, dtype=float))
    result = np.full(rates.shape, math.nan)
    ok = (rates > 0.0) & (rates < 1.0) & np.isfinite(rates)
    if weeks >= 1 and separation > 0.0 and ok.any():
        leave = separation  # E -> U
        find = np.minimum(1.0, separation * (1.0 - rates[ok]) / rates[ok])  # U -> E
        stationary = leave / (leave + find)  # the chain's own rate (differs if find was capped)
        size = weeks + 1  # K takes the values 0 ... weeks
        z = np.exp(-2j * np.pi * np.arange(size) / size)
        step = np.empty((len(find), size, 2, 2), dtype=complex)  # P D(z), one per (market, z)
        step[..., 0, 0] = (1.0 - find)[:, None] * z
        step[..., 0, 1] = find[:, None]
        step[..., 1, 0] = leave * z
        step[..., 1, 1] = 1.0 - leave
        start = np.stack([stationary, 1.0 - stationary], axis=-1)[:, None, None, :]
        pgf = (start @ np.linalg.matrix_power(step, weeks)).sum(axis=(-1, -2))
        p = np.fft.ifft(pgf, axis=-1).real
        F = np.cumsum(p, axis=1)
        # row sums, not a matrix product: BLAS's result would depend on how many rows there are
        mean = (p * np.arange(size, dtype=float)).sum(axis=1)
        result[ok] = (F[:, :-1] * (1.0 - F[:, :-1])).sum(axis=1) / mean * (n - 1) / n
    return float(result[0]) if np.ndim(rate) == 0 else result.reshape(np.shape(rate))


# --- stationarity -------------------------------------------------------------------------------
def _series(runs: Runs) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each diagnostic series over the window as (numerator, denominator) per week, (R, W)."""
    burn_in = runs.params.burn_in
    n = runs.n_people
    unemployed = runs.column("unemployed")[:, burn_in + 1 :].astype(float)
    reputation = runs.mean_reputation[:, burn_in + 1 :]
    ones = np.ones_like(unemployed)
    return {
        "unemployment": (unemployed, ones * n),
        "reputation": (reputation, ones),
        "action_share": (
            runs.column("action")[:, burn_in + 1 :].astype(float),
            runs.column("asks")[:, burn_in + 1 :].astype(float),
        ),
    }


def _drift(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per run: the second half of the window's mean minus the first half's (ratios of sums),
    and a batch-means standard error of that difference: each half cut into ``HALF_BATCHES``
    batches, whose means are taken as independent (Welch). The weeks left over when the window
    does not divide evenly are dropped from its start."""
    R, W = num.shape
    size = W // (2 * HALF_BATCHES)
    if size == 0:
        nan = np.full(R, np.nan)
        return nan, nan.copy()
    start = W - size * 2 * HALF_BATCHES
    shape = (R, 2, HALF_BATCHES, size)
    bnum = num[:, start:].reshape(shape).sum(axis=3)
    bden = den[:, start:].reshape(shape).sum(axis=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        halves = bnum.sum(axis=2) / bden.sum(axis=2)
        batches = bnum / bden
    drift = halves[:, 1] - halves[:, 0]
    with warnings.catch_warnings():  # a series with no values (no asks at all) stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        var = np.nanvar(batches, axis=2, ddof=1) / HALF_BATCHES
    return drift, np.sqrt(var.sum(axis=1))


def stationarity(table: pd.DataFrame, alpha: float = 0.01) -> pd.DataFrame:
    """The diagnostic per design point: for each series, the mean drift (second half of the
    window minus the first), its Monte Carlo standard error and a two-sided p-value.

    With two or more replicates the error is over replicates (independent runs: a one-sample
    t-test of the drifts); with one, the run's batch-means error (Welch's t with
    2 (HALF_BATCHES - 1) degrees of freedom, a rough figure). A point passes when no series'
    p-value falls below ``alpha`` / 3 (Bonferroni over the three series), so a stationary
    market fails at most ``alpha`` of the time.
    """
    rows = []
    for point, group in table.groupby("point", sort=True):
        row: dict[str, Any] = {"point": point, "replicates": len(group)}
        worst = 1.0
        for name in SERIES:
            drift = group[f"drift_{name}"].to_numpy(dtype=float)
            drift = drift[np.isfinite(drift)]
            if len(drift) >= 2:
                mean, se = float(drift.mean()), float(drift.std(ddof=1) / math.sqrt(len(drift)))
                dof = len(drift) - 1
            elif len(drift) == 1:
                mean = float(drift[0])
                se = float(group[f"drift_{name}_se"].to_numpy(dtype=float)[0])
                dof = 2 * (HALF_BATCHES - 1)
            else:
                mean, se, dof = math.nan, math.nan, 1
            if not math.isfinite(mean):
                p = math.nan
            elif se > 0:
                p = float(2 * sps.t.sf(abs(mean / se), dof))
            else:  # no spread at all: any drift is real
                p = 1.0 if mean == 0 else 0.0
            row[f"drift_{name}"], row[f"drift_{name}_se"], row[f"p_{name}"] = mean, se, p
            worst = min(worst, p) if math.isfinite(p) else worst
        judged = all(math.isfinite(row[f"p_{name}"]) for name in SERIES)
        row["judged"] = judged  # False: a window too short for batch means (or no asks)
        row["stationary"] = judged and worst >= alpha / len(SERIES)
        rows.append(row)
    return pd.DataFrame(rows)


def describe(table: pd.DataFrame, alpha: float = 0.01) -> list[str]:
    """Lines for the user: the diagnostic per design point (the first few), and a tally."""
    verdicts = stationarity(table, alpha)
    lines = []
    for _, row in verdicts.head(5).iterrows():
        parts = [
            f"{name.replace('_', ' ')} {row[f'drift_{name}']:+.3g} "
            f"(se {row[f'drift_{name}_se']:.2g})"
            for name in SERIES
        ]
        if not row["judged"]:
            verdict = "cannot judge (a window too short for batch means, or a series empty)"
        elif row["replicates"] == 1:  # batch means of one run: a rough check, little power
            verdict = "no drift detected" if row["stationary"] else "drift detected"
        else:
            verdict = "stationary" if row["stationary"] else "NOT stationary"
        lines.append(
            f"  point {row['point']}: {verdict}; second half minus first: " + ", ".join(parts)
        )
    passed = int(verdicts["stationary"].sum())
    unjudged = int((~verdicts["judged"].astype(bool)).sum())
    lines.append(
        f"stationarity: {passed} of {len(verdicts)} design point(s) pass (no drift between the "
        f"window's halves beyond Monte Carlo error, p >= {alpha:g}/{len(SERIES)} per series)"
        + (f"; {unjudged} cannot be judged" if unjudged else "")
    )
    return lines


def format_outcomes(runs: Runs) -> list[str]:
    """Lines for the user: each outcome of one run (the first replicate), then the diagnostic.
    Exit hazards carry exact (Clopper-Pearson) 95% intervals: hires among those at risk."""
    values = {k: float(v[0]) for k, v in outcomes(runs).items()}
    window = runs.weekly[0, runs.params.burn_in + 1 :, :].sum(axis=0)
    values["hires"] = float(sum(window[runs.columns.index(f"hires_{c}")]
                                for c in ("direct", "lead", "intro")))  # fmt: skip

    def pct(x: float) -> str:
        return "undefined" if math.isnan(x) else f"{100 * x:.1f}%"

    def weeks(x: float) -> str:
        return "undefined" if math.isnan(x) else f"{x:.3g} weeks"

    def number(x: float, form: str) -> str:
        return "undefined" if math.isnan(x) else format(x, form)

    def hazard(exits: float, at_risk: float) -> str:
        if at_risk == 0:
            return "undefined (no one at risk)"
        low, high = proportion_interval(int(exits), int(at_risk))
        return f"{exits / at_risk:.4f} ({low:.4f} to {high:.4f}; {int(at_risk):,} at risk)"

    lines = [
        f"  unemployment rate            {pct(values['unemployment_rate'])}",
        "  weekly exit hazard           "
        + hazard(values["window_exits"], values["window_at_risk"]),
    ]
    for low_high, label in zip(SPELL_BINS, SPELL_LABELS, strict=True):
        low, high = low_high
        span = f"{low}-{high}" if high else f"{low}+"
        lines.append(
            f"    after {span:>5} weeks          "
            + hazard(values[f"exits_{label}"], values[f"at_risk_{label}"])
        )
    lines += [
        f"  median completed spell       {weeks(values['median_spell_weeks'])} (Kaplan-Meier)",
        f"  unemployed stock: median     {weeks(values['median_elapsed_weeks'])} elapsed, "
        f"mean {weeks(values['mean_elapsed_weeks'])}, 27+ weeks "
        f"{pct(values['share_long_term'])}",
        f"  hires via contacts           {pct(values['share_via_contacts'])} of "
        f"{int(values['hires']):,}; by the helper's tie, close / regular / distant / "
        "relay: " + " / ".join(pct(values[f"via_{c}_share"]) for c in TIE_CLASSES),
        "  correlation across ties      "
        f"{number(values['neighbour_employment_correlation'], '+.4f')} (within-week "
        f"assortativity {number(values['employment_assortativity'], '+.4f')})",
        f"  Gini of weeks unemployed     {number(values['gini_unemployment'], '.3f')} (identical "
        f"people with no network at this rate: "
        f"{number(values['gini_unemployment_null'], '.3f')})",
        f"  mean reputation              {values['mean_reputation']:.3f}",
    ]
    table = pd.DataFrame({k: [v] for k, v in values.items()}).assign(point=0)
    return (
        lines
        + describe(table)[-2:-1]
        + [
            "  (one run: batch-means standard errors, 2 per half of the window, a rough check with "
            "little power; the replicates of a sweep, e.g. configs/market.toml, give a sharp one)"
        ]
    )
