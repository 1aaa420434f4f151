"""Sensitivity analysis of a Sobol or Morris sweep with SALib: indices with 95% intervals.

Each design point's outcome is the mean over its replicates (shares for rates); SALib then
analyses the points in design order. Outcomes that do not vary over the design, or are undefined
at some point (a share of hires where a point had none), have no indices and are left out, each
named in one line with the reason (``analyse``'s ``notes``); so is anything SALib warns about.

Sobol (Saltelli's scheme, second-order sampling as in ``sim.experiment.config``): first-order ``S1``
and total ``ST`` indices with bootstrap 95% half-widths ``S1_conf`` and ``ST_conf``. Morris:
``mu_star`` (mean absolute elementary effect) with its 95% half-width, ``mu`` and ``sigma``.
Replicate noise inflates indices of inert parameters unless the config uses common random
numbers (``random_numbers = "common"``), with which an inert parameter's effects are exactly 0.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.config import Experiment

RESAMPLES = 1000
CONF_LEVEL = 0.95


def _ratio(top: str, bottom: str) -> Callable[[pd.DataFrame], pd.Series]:
    def share(frame: pd.DataFrame) -> pd.Series:
        sums = frame.groupby("point")[[top, bottom]].sum()
        return sums[top] / sums[bottom].where(sums[bottom] > 0)

    return share


def _mean(column: str, transform: Callable[[pd.Series], pd.Series] | None = None):
    def mean(frame: pd.DataFrame) -> pd.Series:
        values = frame[column] if transform is None else transform(frame[column])
        return values.groupby(frame["point"]).mean()

    return mean


# outcome -> (meaning, per-point value)
OUTCOMES: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "hired": (
        "share of runs where the single seeker got an offer",
        _mean("weeks_to_offer", lambda w: (w > 0).astype(float)),
    ),
    "weeks_searching": (
        "mean weeks to an offer, censored runs counted at the horizon (restricted mean)",
        lambda f: f["weeks_run"].groupby(f["point"]).mean(),
    ),
    "mean_unemployment": ("share of person-weeks unemployed", _mean("mean_unemployment")),
    "unemployment_rate": (
        "unemployment rate over the measuring window (market)",
        _mean("unemployment_rate"),
    ),
    "exit_hazard": (
        "weekly exit hazard from unemployment over the window (market)",
        _ratio("window_exits", "window_at_risk"),
    ),
    "share_action": ("share of answers that were action", _ratio("total_action", "total_asks")),
    "share_sympathy": (
        "share of answers that were sympathy",
        _ratio("total_sympathy", "total_asks"),
    ),
    "hires_via_contacts": (
        "share of hires that came through a contact (lead or introduction)",
        lambda f: _ratio("contact_hires", "all_hires")(
            f.assign(
                contact_hires=f["total_hires_lead"] + f["total_hires_intro"],
                all_hires=f["total_hires_direct"] + f["total_hires_lead"] + f["total_hires_intro"],
            )
        ),
    ),
}
# why a per-point value can be undefined (a ratio over nothing)
UNDEFINED = {
    "exit_hazard": "nobody was unemployed in the window",
    "share_action": "no asks were made",
    "share_sympathy": "no asks were made",
    "hires_via_contacts": "nobody was hired",
}
NEEDED = (
    "point",
    "weeks_run",
    "weeks_to_offer",
    "mean_unemployment",
    "unemployment_rate",
    "window_exits",
    "window_at_risk",
    "total_action",
    "total_sympathy",
    "total_asks",
    "total_hires_direct",
    "total_hires_lead",
    "total_hires_intro",
)


def point_outcomes(
    runs: pd.DataFrame, points: int, left_out: list[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """One row per design point (in design order), one column per outcome that varies. An
    outcome undefined at some point, or the same at all, is left out, and named in
    ``left_out`` with the reason; an outcome of the other scenario (a single seeker has no
    window) is not an outcome here at all."""
    out = {}
    for name, (_, value) in OUTCOMES.items():
        try:
            series = value(runs).reindex(range(points))
        except KeyError:  # an outcome of the other scenario
            continue
        undefined = int(series.isna().sum())
        if undefined:
            why = UNDEFINED.get(name, "no value")
            if left_out is not None:
                left_out.append(
                    (name, f"undefined at {undefined:,} of {points:,} design points ({why} there)")
                )
            continue
        if np.ptp(series.to_numpy()) == 0:
            if left_out is not None:
                left_out.append(
                    (name, f"the same at every design point ({series.iloc[0]:.4g}): no variance")
                )
            continue
        out[name] = series.to_numpy(dtype=float)
    return pd.DataFrame(out)


def analyse(
    runs: Path | pd.DataFrame, experiment: Experiment, notes: list[str] | None = None
) -> pd.DataFrame:
    """Sobol or Morris indices of every outcome, one row per (outcome, parameter). ``notes``
    gets one line per outcome left out (and why) and per warning SALib gave, in our words."""
    design = experiment.design
    if design.kind not in ("sobol", "morris"):
        raise ValueError(f"design kind '{design.kind}' has no sensitivity analysis")
    if isinstance(runs, Path):
        import pyarrow.parquet as pq

        present = set(pq.read_schema(runs).names)
        runs = pq.read_table(runs, columns=[c for c in NEEDED if c in present]).to_pandas()
    names = list(design.ranges)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(design.ranges[n]) for n in names],
    }
    method = "Sobol" if design.kind == "sobol" else "Morris"
    left_out: list[tuple[str, str]] = []
    outcomes = point_outcomes(runs, design.count(), left_out)
    said = [f"left out of the {method} analysis: {name}, {why}" for name, why in left_out]
    rows: list[dict[str, Any]] = []
    for outcome in outcomes.columns:
        y = outcomes[outcome].to_numpy()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # each one becomes a line of ours, below
            if design.kind == "sobol":
                from SALib.analyze import sobol

                result = sobol.analyze(
                    problem,
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    seed=experiment.seed,
                )
                keys = ("S1", "S1_conf", "ST", "ST_conf")
            else:
                from SALib.analyze import morris

                # the values that ran (whole-number parameters as run), not the unit grid
                x = np.asarray(experiment.points().matrix(), dtype=float)
                result = morris.analyze(
                    problem,
                    x,
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    num_levels=design.levels,
                    seed=experiment.seed,
                )
                keys = ("mu", "mu_star", "mu_star_conf", "sigma")
                result = _per_range_moved(result, design, names)
        for message in dict.fromkeys(_reworded(w.message) for w in caught):
            said.append(f"{outcome}: {message}")
        for j, name in enumerate(names):
            rows.append(
                {"outcome": outcome, "parameter": name}
                | {key: float(np.asarray(result[key])[j]) for key in keys}
            )
    if notes is not None:
        notes.extend(said)
    return pd.DataFrame(rows)


def _per_range_moved(result: Any, design: Any, names: list[str]) -> dict[str, np.ndarray]:
    """Morris effects of whole-number parameters per share of their range actually moved.

    SALib divides every elementary effect by the unit grid's step, delta = p / (2 (p - 1)) of
    the range for p levels (Morris 1991; SALib's ``_compute_delta``). A range of m whole
    numbers on p levels (m divides p, sim.experiment.config) moves m / 2 of them per step, (m / 2) /
    (m - 1) of the range: SALib's effects are m (p - 1) / (p (m - 1)) times too large (1.5 for [0,
    1] on 4 levels), so they are divided by that, and every parameter's effect is per its range.
    """
    from sim.experiment.config import is_whole

    out = {key: np.array(result[key], dtype=float) for key in result if key != "names"}
    p = design.levels
    for j, name in enumerate(names):
        low, high = design.ranges[name]
        m = int(high - low + 1)
        if is_whole(name) and m > 1:
            ratio = m * (p - 1) / (p * (m - 1))
            for key in ("mu", "mu_star", "mu_star_conf", "sigma"):
                out[key][j] /= ratio
    return out


def _reworded(message: Warning | str) -> str:
    """A warning of SALib's (or NumPy's, inside SALib) as one line of ours, without the file
    path and source line that Python's warnings show."""
    text = " ".join(str(message).split())
    if "invalid value" in text or "divide by zero" in text or "Degrees of freedom" in text:
        return (
            "some bootstrap resamples had no spread, so an index or its interval is undefined "
            "(nan); more samples or replicates help"
        )
    return f"SALib warned: {text}"


def write_indices(indices: pd.DataFrame, path: Path) -> None:
    """Write the indices as CSV, atomically."""
    from sim.experiment.storage import atomic

    with atomic(path) as tmp, open(tmp, "w", newline="") as handle:
        indices.to_csv(handle, index=False, quoting=csv.QUOTE_MINIMAL, float_format="%.6g")


def format_indices(indices: pd.DataFrame) -> str:
    """A plain-text table: each index with its 95% interval."""
    if indices.empty:
        return "sensitivity: no outcome varies over the design"
    lines = []
    sobol = "ST" in indices.columns
    header = ("first-order S1", "total ST") if sobol else ("mu*", "sigma")
    lines.append(f"{'outcome':<20}{'parameter':<22}{header[0]:>22}{header[1]:>22}")
    for row in indices.itertuples(index=False):
        if sobol:
            first = f"{row.S1:.3f} ± {row.S1_conf:.3f}"
            second = f"{row.ST:.3f} ± {row.ST_conf:.3f}"
        else:
            first = f"{row.mu_star:.4g} ± {row.mu_star_conf:.2g}"
            second = f"{row.sigma:.4g}"
        lines.append(f"{row.outcome:<20}{row.parameter:<22}{first:>22}{second:>22}")
    return "\n".join(lines)
