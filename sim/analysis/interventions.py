"""A programme's effects, estimated as a randomised saturation design estimates them.

Markets get a treatment share from a set such as 0, 25, 50, 75 and 100% (Crepon, Duflo,
Gurgand, Rathelot & Zamora 2013, QJE 128; Baird, Bohren, McIntosh & Ozler 2018, REStat 100, on
the design). Every share runs on the same markets: market r has the same seed in every arm
(common random numbers: the same graph, population and dynamics draws), so up to the
programme's first week the arms are the very same run, and the treated at a low share are
among those at a higher one (``sim.model.interventions``). Each estimate is a mean over markets
of a paired difference, with a t interval over markets (SciPy), in percentage points of the
share of follow-up weeks spent unemployed (the weeks from the programme's first to the end of
the run; lower is better):

- **effect on the treated**: the treated's share minus that of the eligible in the pure control
  market (share 0) of the same seed;
- **spillover**: the eligible controls' share in a treated market minus the pure control's:
  negative spillover (a positive number here) is displacement, the openings the treated took;
- **total**: the whole market's share of person-weeks unemployed over the follow-up, minus the
  pure control market's;
- **within-market contrast**: treated minus controls in the same market, what a design with no
  pure control would report (the effect on the treated minus the spillover: with displacement
  it overstates the programme's benefit).

The treated must be a random share of the eligible (``treat_whom = "random"``): they are then
compared with all the eligible of the pure control, which is their counterfactual in
distribution. Under another order they would be a selected subset, and ``saturation`` refuses.

Examples
--------
>>> from sim.model.params import Params
>>> p = Params.from_dict({"scenario": "market", "n_nodes": 200, "weeks": 80, "burn_in": 40,
...                       "intervention": "coaching"})
>>> table = saturation(p, (0.0, 0.5), markets=4, seed=1)
>>> list(table.columns[:4])
['share', 'estimate', 'effect', 'low']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.interventions import ARM_NAMES
from sim.model.params import Params
from sim.model.results import ARM_COUNTS, Runs
from sim.model.runs import run

LEVEL = 0.95
ESTIMATES = ("effect on the treated", "spillover", "total", "within-market contrast")
_COL = {name: j for j, name in enumerate(ARM_COUNTS)}


def arm_outcomes(runs: Runs) -> dict[str, np.ndarray]:
    """(R,) arrays per arm (other, control, treated): ``people_<arm>`` at the programme's
    start and, over the follow-up, ``unemployed_<arm>`` (person-weeks ended unemployed /
    person-weeks in the labour force), ``exit_hazard_<arm>`` (exits / at risk) and
    ``via_contacts_<arm>`` (exits through a contact / exits); and ``market_unemployed``, the
    same share over everyone. NaN where an arm is empty."""
    counts = runs.by_arm.astype(float)  # (R, 3, len(ARM_COUNTS))
    out: dict[str, np.ndarray] = {}
    for a, arm in enumerate(ARM_NAMES):
        c = counts[:, a]
        out[f"people_{arm}"] = runs.by_arm[:, a, _COL["people"]].copy()
        out[f"unemployed_{arm}"] = _ratio(c[:, _COL["unemployed_weeks"]], c[:, _COL["weeks"]])
        out[f"exit_hazard_{arm}"] = _ratio(c[:, _COL["exits"]], c[:, _COL["at_risk"]])
        out[f"via_contacts_{arm}"] = _ratio(c[:, _COL["exits_via_contacts"]], c[:, _COL["exits"]])
    total = counts.sum(axis=1)
    out["market_unemployed"] = _ratio(total[:, _COL["unemployed_weeks"]], total[:, _COL["weeks"]])
    return out


def effects(control: Runs, treated: Runs) -> dict[str, np.ndarray]:
    """(R,) paired differences per market (module docstring), in shares (not points):
    ``treated`` at some share against ``control`` at share 0, the same seeds."""
    c, t = arm_outcomes(control), arm_outcomes(treated)
    pure = c["unemployed_control"]  # at share 0 every eligible person is a control
    return {
        "effect on the treated": t["unemployed_treated"] - pure,
        "spillover": t["unemployed_control"] - pure,
        "total": t["market_unemployed"] - c["market_unemployed"],
        "within-market contrast": t["unemployed_treated"] - t["unemployed_control"],
    }


def saturation(
    params: Params,
    shares: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    markets: int = 100,
    seed: int = 1,
) -> pd.DataFrame:
    """Run ``params``' programme at each treatment share on the same ``markets`` seeds, and
    estimate each effect at each share above 0 against share 0 (which is run if not given).

    Returns one row per (share, estimate): ``effect``, ``low``, ``high`` (a ``LEVEL`` t
    interval over markets, percentage points), ``se``, ``markets`` (with a value: an arm
    with nobody in it, such as the controls at 100%, gives none) and the mean arm sizes
    ``treated``, ``controls``. Raises ValueError for a run with no programme, or one that
    does not treat at random."""
    if params.intervention == "none":
        raise ValueError("saturation needs a programme: set intervention")
    if params.treat_whom != "random":
        raise ValueError("saturation compares with the whole pure control: treat_whom='random'")
    arms = {s: run(params.replace(treated_share=s), markets, seed, per_person=False)
            for s in sorted({0.0, *map(float, shares)})}  # fmt: skip
    rows = []
    for share, runs in arms.items():
        if share == 0.0:
            continue
        sizes = arm_outcomes(runs)
        for name, diff in effects(arms[0.0], runs).items():
            mean, low, high, se, count = interval(diff)
            rows.append({
                "share": share, "estimate": name, "effect": 100 * mean, "low": 100 * low,
                "high": 100 * high, "se": 100 * se, "markets": count,
                "treated": float(sizes["people_treated"].mean()),
                "controls": float(sizes["people_control"].mean()),
            })  # fmt: skip
    return pd.DataFrame(rows)


def interval(diff: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float, int]:
    """Mean of paired differences, its ``level`` t interval (``scipy.stats.ttest_1samp``), its
    standard error and the count of finite values; NaN with fewer than two."""
    x = np.asarray(diff, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.nan, math.nan, math.nan, math.nan, len(x)
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    return float(x.mean()), float(ci.low), float(ci.high), float(stats.sem(x)), len(x)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)
