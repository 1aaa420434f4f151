"""Effects under parameter uncertainty: a market effect over draws from a calibration's posterior.

A Monte Carlo interval at one parameter point says how well the simulations pin the effect down
*there*; it says nothing about the parameters the targets could not pin down. Here each effect
is computed at many posterior draws: for draw k (particles drawn by weight), ``replicates``
markets under arm A and the same markets (common random numbers: the same seeds, graphs
included) under arm B; the draw's effect is the mean of B minus A over its markets. Reported:
the posterior median of the effect, its 90% interval and P(effect < 0), beside the Monte Carlo
interval at the calibrated point, and which calibrated parameter moves the effect most
(Spearman rank correlation across draws, SciPy).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"a": [1.0, 2.0, 3.0], "weight": [0.0, 0.0, 1.0]})
>>> posterior_draws(table, 3, seed=1)
[{'a': 3.0}, {'a': 3.0}, {'a': 3.0}]
>>> s = summarize(np.array([-1.0, 1.0, 2.0, 3.0]))
>>> s["median"], s["p_negative"]
(1.5, 0.25)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.model.params import Params
from sim.model.results import Runs
from sim.model.runs import run

LEVEL = 0.90


def posterior_draws(particles: pd.DataFrame, k: int, seed: int) -> list[dict[str, float]]:
    """``k`` parameter sets drawn from a posterior table (one column per parameter and a
    ``weight`` column summing to 1, as ``posterior.parquet``), with replacement, by weight."""
    names = [c for c in particles.columns if c not in ("weight", "distance", "generation")]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    weights = particles["weight"].to_numpy(dtype=float)
    index = rng.choice(len(particles), size=k, p=weights / weights.sum())
    return [{n: float(particles[n].iloc[i]) for n in names} for i in index]


def unemployment(runs: Runs) -> np.ndarray:
    """(R,) each market's unemployment rate over the window."""
    from sim.analysis.market import outcomes

    return outcomes(runs)["unemployment_rate"]


def paired_effect(
    base: Mapping[str, Any],
    arms: tuple[Mapping[str, Any], Mapping[str, Any]],
    replicates: int,
    seed: int,
    outcome: Callable[[Runs], np.ndarray] = unemployment,
) -> np.ndarray:
    """(replicates,) arm B minus arm A per market, both on the same seeds (graphs included)."""
    values = []
    for arm in arms:
        params = Params.from_dict({**base, **arm})
        values.append(outcome(run(params, replicates, seed, per_person=False)))
    return values[1] - values[0]


def effect_over_posterior(
    base: Mapping[str, Any],
    draws: list[dict[str, float]],
    arms: tuple[Mapping[str, Any], Mapping[str, Any]],
    replicates: int,
    seed: int,
    outcome: Callable[[Runs], np.ndarray] = unemployment,
) -> pd.DataFrame:
    """One row per draw: its parameters and ``effect``, the mean over ``replicates`` paired
    markets of B minus A. Draw k's markets are seeded by ``SeedSequence([seed, k + 1])``."""
    rows = []
    for k, draw in enumerate(draws):
        draw_seed = int(np.random.SeedSequence([seed, k + 1]).generate_state(1)[0])
        diff = paired_effect({**base, **draw}, arms, replicates, draw_seed, outcome)
        rows.append({"draw": k, **draw, "effect": float(np.nanmean(diff))})
    return pd.DataFrame(rows)


def summarize(effects: np.ndarray, level: float = LEVEL) -> dict[str, float]:
    """Posterior median, ``level`` interval (equal tails) and P(effect < 0) of draws' effects."""
    x = np.asarray(effects, dtype=float)
    x = x[np.isfinite(x)]
    tail = (1 - level) / 2
    if not len(x):
        return {"median": math.nan, "low": math.nan, "high": math.nan, "p_negative": math.nan}
    low, median, high = np.quantile(x, (tail, 0.5, 1 - tail))
    return {"median": float(median), "low": float(low), "high": float(high),
            "p_negative": float(np.mean(x < 0))}  # fmt: skip


def monte_carlo_interval(diff: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean of paired differences and its ``level`` t interval (SciPy)."""
    from scipy import stats

    x = np.asarray(diff, dtype=float)
    x = x[np.isfinite(x)]
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def driver(table: pd.DataFrame, names: list[str]) -> tuple[str, float]:
    """The parameter whose rank correlation with the effect across draws is largest in size."""
    from scipy import stats

    scored = []
    for name in names:
        rho = stats.spearmanr(table[name], table["effect"]).statistic
        scored.append((abs(float(rho)) if np.isfinite(rho) else -1.0, name, float(rho)))
    _, name, rho = max(scored)
    return name, rho
