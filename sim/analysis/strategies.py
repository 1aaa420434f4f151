"""Compare job-search strategies in the single-seeker scenario (the main job of ``make run``).

Replicate ``r`` of every strategy uses the same seeds (``sim.model.runs.streams``), so each strategy
meets the same network and the same luck: only the ask changes (common random numbers). Either
engine gives the same summary; the Numba core is the default.

Examples
--------
>>> rows = compare(["vague-gloomy", "specific-positive"], replicates=3, seed=1)
>>> [row["strategy"] for row in rows]
['vague-gloomy', 'specific-positive']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.model.params import Params
from sim.model.rules import CHANNEL_NAMES
from sim.model.runs import run

MAIN_STRATEGIES = ("vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive")
ANSWERS = ("action", "ears_open", "sympathy")


def censored_median(weeks: Sequence[float]) -> float:
    """Median weeks to an offer, with runs not hired (NaN, as pandas reads a null; or 0, as
    ``Runs.weeks_to_offer`` holds it) counted as later than the horizon.

    Returns ``inf`` when half or more of the runs were not hired.
    """
    values = sorted(w if w > 0 else math.inf for w in weeks)  # NaN > 0 is False
    return float(np.median(values)) if values else math.nan


def run_strategy(
    strategy: str,
    replicates: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    engine: str = "numba",
) -> dict[str, Any]:
    """Run ``replicates`` single-seeker runs of one strategy and summarise them."""
    return compare([strategy], replicates, seed, overrides, engine)[0]


def summarise(runs: pd.DataFrame, horizon: int, engine: str) -> list[dict[str, Any]]:
    """One summary row per strategy of a :func:`compare_runs` table (the CSV of ``compare``):
    median weeks (:func:`censored_median`), share hired, answer mix, hire channels."""
    out = []
    for strategy, rows in runs.groupby("strategy", sort=False):
        weeks = rows["weeks_to_offer"].to_numpy(dtype=float)
        answers = {a: int(rows[f"total_{a}"].sum()) for a in ANSWERS}
        total = sum(answers.values()) or 1
        hired = int((weeks > 0).sum())  # False for NaN (no offer)
        channels = _channels(rows["hired_channel"]).value_counts()
        channels = channels.reindex(CHANNEL_NAMES, fill_value=0)
        out.append({
            "strategy": strategy,
            "engine": engine,
            "replicates": len(rows),
            "horizon": horizon,
            "median_weeks": censored_median(weeks.tolist()),
            "hired_share": hired / len(rows),
            **{f"share_{a}": answers[a] / total for a in ANSWERS},
            **{f"via_{c}": channels[c] / max(hired, 1) for c in CHANNEL_NAMES},
        })  # fmt: skip
    return out


def _channels(column: pd.Series) -> pd.Series:
    """Hire channels as text: names as stored, or codes of ``Runs.hired_channel`` (-1: none)."""
    if pd.api.types.is_integer_dtype(column):
        names = dict(enumerate(CHANNEL_NAMES))
        return column.map(names)  # -1 maps to NaN
    return column


def compare_runs(
    strategies: Sequence[str],
    replicates: int = 200,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    engine: str = "numba",
) -> pd.DataFrame:
    """One row per run of every strategy, on the same replicate seeds: the columns
    :func:`strategy_table` reads (``strategy``, ``replicate``, ``weeks_to_offer``,
    ``weeks_run``, the answer totals), in the form ``pandas.read_parquet`` gives a sweep's
    ``runs.parquet``: ``weeks_to_offer`` missing (NaN, the column then float64) where there
    was no offer, ``hired_channel`` text, missing where nobody was hired."""
    import pyarrow as pa

    frames = []
    for strategy in strategies:
        params = Params.from_dict({**(overrides or {}), "scenario": "single"}, strategy=strategy)
        runs = run(params, replicates, seed, engine)
        frames.append(pa.table({
            "strategy": pa.array([strategy] * replicates, pa.string()),
            "replicate": np.arange(replicates),
            "weeks_run": runs.weeks_run,
            **runs.table_outcomes(),
            **{f"total_{a}": runs.totals(a) for a in ANSWERS},
        }).to_pandas())  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def compare(
    strategies: Sequence[str],
    replicates: int = 200,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    engine: str = "numba",
) -> list[dict[str, Any]]:
    """One summary row per strategy, all on the same replicate seeds."""
    runs = compare_runs(strategies, replicates, seed, overrides, engine)
    horizon = Params.from_dict({**(overrides or {}), "scenario": "single"}).weeks
    return summarise(runs, horizon, engine)


BASELINE = "vague-gloomy"  # the post's starting point: every other strategy is compared to it
ANSWER_COLUMNS = ("total_action", "total_ears_open", "total_sympathy")


def strategy_table(
    runs: pd.DataFrame, horizon: int, paired: bool, baseline: str = BASELINE
) -> list[str]:
    """The strategy comparison shared by ``compare``, ``plot`` and ``make run``, as lines of text.

    ``runs`` has one row per run: ``strategy``, ``replicate``, ``weeks_to_offer`` (NaN: no offer),
    ``weeks_run`` (weeks searched: the week of the offer, else the horizon) and the answer
    totals. Per strategy: the median weeks to an offer with its order-statistic interval (an
    unhired run counts as later than the horizon), the share hired by week ``horizon`` with
    Clopper-Pearson's interval, and the answer mix. Then each strategy against ``baseline``
    (when present): the change in the share hired (points) and in weeks searched, with 95%
    percentile bootstrap intervals, paired by replicate when ``paired`` (common random numbers:
    replicate r of every strategy met the same network and luck), else between independent
    samples. Raises ``KeyError`` if a column is missing.
    """
    from sim.analysis import stats

    head = (
        f"{'strategy':<18} {'runs':>6} {'median weeks (95% CI)':>22} "
        f"{f'hired by week {horizon} (95% CI)':>28} {'action':>7} {'ears open':>9} "
        f"{'sympathy':>9}"
    )
    lines = [head, "-" * len(head)]
    groups = {str(k): g for k, g in runs.groupby("strategy", sort=False)}
    for name, rows in groups.items():
        weeks = rows["weeks_to_offer"].to_numpy(dtype=float)
        median, low, high = stats.median_interval(np.where(weeks > 0, weeks, math.inf))
        k, n = int(_hired(rows, horizon).sum()), len(rows)
        p_low, p_high = stats.proportion_interval(k, n)
        answers = rows[list(ANSWER_COLUMNS)].to_numpy().sum(axis=0)
        shares = answers / max(answers.sum(), 1)
        share = f"{k / n:.1%} ({p_low:.1%}-{p_high:.1%})"
        lines.append(
            f"{name:<18} {n:>6,} {_weeks(median, low, high, horizon):>22} {share:>28} "
            f"{shares[0]:>7.0%} {shares[1]:>9.0%} {shares[2]:>9.0%}"
        )
    if baseline in groups and len(groups) > 1:
        how = ("paired by replicate (common random numbers)" if paired
               else "independent runs (no common random numbers)")  # fmt: skip
        lines += ["", f"Against {baseline}, {how}, 95% bootstrap:"]
        base = groups[baseline].sort_values("replicate")
        difference = stats.paired_difference if paired else stats.unpaired_difference
        for name, rows in groups.items():
            if name == baseline:
                continue
            rows = rows.sort_values("replicate")
            if paired and not np.array_equal(rows["replicate"], base["replicate"]):
                raise ValueError(f"{name} and {baseline} do not share their replicates")
            hired = difference(_hired(rows, horizon), _hired(base, horizon))
            searched = difference(rows["weeks_run"], base["weeks_run"])
            lines.append(
                f"  {name:<18} hired {100 * hired[0]:+.1f} points ({100 * hired[1]:+.1f} to "
                f"{100 * hired[2]:+.1f}); weeks searching {searched[0]:+.2f} "
                f"({searched[1]:+.2f} to {searched[2]:+.2f})"
            )
    return lines


def _hired(rows: pd.DataFrame, horizon: int) -> np.ndarray:
    weeks = rows["weeks_to_offer"].to_numpy(dtype=float)
    return (weeks > 0) & (weeks <= horizon)  # False for NaN (no offer)


def _weeks(median: float, low: float, high: float, horizon: int) -> str:
    def show(v: float) -> str:
        return f">{horizon}" if math.isinf(v) else f"{v:g}"

    return f"{show(median)} ({show(low)}-{show(high)})"


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """A plain-text table a person can read in a terminal."""
    horizon = rows[0]["horizon"] if rows else 0
    head = (
        f"{'strategy':<18} {'median weeks':>12} {f'hired <= {horizon} wk':>14} "
        f"{'action':>7} {'ears open':>9} {'sympathy':>9} {'via intro':>9} {'via lead':>8} "
        f"{'direct':>7}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        median = row["median_weeks"]
        shown = f">{row['horizon']}" if math.isinf(median) else f"{median:g}"
        lines.append(
            f"{row['strategy']:<18} {shown:>12} {row['hired_share']:>14.0%} "
            f"{row['share_action']:>7.0%} {row['share_ears_open']:>9.0%} "
            f"{row['share_sympathy']:>9.0%} {row['via_intro']:>9.0%} {row['via_lead']:>8.0%} "
            f"{row['via_direct']:>7.0%}"
        )
    return "\n".join(lines)
