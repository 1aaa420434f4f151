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

from sim.model.params import Params
from sim.model.rules import CHANNEL_NAMES
from sim.model.runs import run

MAIN_STRATEGIES = ("vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive")
ANSWERS = ("action", "ears_open", "sympathy")


def censored_median(weeks: Sequence[int]) -> float:
    """Median weeks to an offer, with runs not hired (0) counted as later than the horizon.

    Returns ``inf`` when half or more of the runs were not hired.
    """
    values = sorted(w if w > 0 else math.inf for w in weeks)
    return float(np.median(values)) if values else math.nan


def run_strategy(
    strategy: str,
    replicates: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    engine: str = "numba",
) -> dict[str, Any]:
    """Run ``replicates`` single-seeker runs of one strategy and summarise them."""
    params = Params.from_dict({**(overrides or {}), "scenario": "single"}, strategy=strategy)
    runs = run(params, replicates, seed, engine)
    weeks = runs.weeks_to_offer
    answers = {a: int(runs.totals(a).sum()) for a in ANSWERS}
    total = sum(answers.values()) or 1
    hired = int((weeks > 0).sum())
    channels = np.bincount(runs.hired_channel[runs.hired_channel >= 0], minlength=3)
    return {
        "strategy": strategy,
        "engine": engine,
        "replicates": replicates,
        "horizon": params.weeks,
        "median_weeks": censored_median(weeks.tolist()),
        "hired_share": hired / replicates,
        **{f"share_{a}": answers[a] / total for a in ANSWERS},
        **{f"via_{c}": channels[i] / max(hired, 1) for i, c in enumerate(CHANNEL_NAMES)},
    }


def compare(
    strategies: Sequence[str],
    replicates: int = 200,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    engine: str = "numba",
) -> list[dict[str, Any]]:
    """One summary row per strategy, all on the same replicate seeds."""
    return [run_strategy(s, replicates, seed, overrides, engine) for s in strategies]


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
