"""Which charts fit a results folder, and writing them there (``empathy-sim plot``).

A sweep's folder holds ``manifest.json`` (with the config that made it), ``runs.parquet`` and,
for Sobol and Morris designs, ``sensitivity.csv``. The design decides the charts:

============== =====================================================================
chart          made when
============== =====================================================================
strategies     named strategies, single seeker: median weeks and share hired
survival       named strategies, single seeker: Kaplan-Meier time to an offer
answer-mix     named strategies: how contacts answered
network        named strategies, single seeker: replicate 0's network, first and last
               strategy, each contact coloured by its answer (the run is repeated)
heatmap        the design varies specificity and positivity
effect         a grid or zip over one or two parameters: the outcome against the first,
               one line per value of the second
ties           always: the tie behind each contact-made hire, against Granovetter
sensitivity    Sobol or Morris designs: the indices of every outcome
============== =====================================================================

Examples
--------
>>> from pathlib import Path
>>> charts_for(Path("no-such-folder"))
Traceback (most recent call last):
...
sim.model.params.ConfigError: no-such-folder: no results here (no manifest.json); run a sweep or ...
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.config import Experiment, parse_config
from sim.model.params import ConfigError

# Columns every chart may read (runs.parquet of any sweep has them).
REQUIRED = ("run_index", "point", "replicate", "strategy", "weeks_run", "weeks_to_offer",
            "total_asks", "total_sympathy", "total_ears_open",
            "total_action", "total_hires_direct", "total_hires_lead", "total_hires_intro",
            "total_hires_via_close", "total_hires_via_regular", "total_hires_via_distant",
            "total_hires_via_relay")  # fmt: skip
CHARTS = (
    "strategies",
    "survival",
    "answer-mix",
    "network",
    "heatmap",
    "effect",
    "ties",
    "sensitivity",
    "exit-hazard",
    "stationarity",
)
MAX_LINES = 6  # more design points than this are pooled into one line


@dataclass
class Results:
    """A finished sweep's folder, read once."""

    folder: Path
    experiment: Experiment
    runs: pd.DataFrame
    indices: pd.DataFrame | None

    @property
    def single(self) -> bool:
        return self.experiment.base().get("scenario", "single") == "single"

    @property
    def varied(self) -> list[str]:
        """Parameters the design varies (columns of runs.parquet)."""
        design = self.experiment.design
        names = list(design.values) if design.kind in ("grid", "zip") else list(design.ranges)
        return [n for n in names if n in self.runs.columns and self.runs[n].nunique() > 1]

    @property
    def outcome(self) -> str:
        return "hired" if self.single else "unemployment_rate"


def load(folder: Path) -> Results:
    """Read a results folder; a folder that is not a finished sweep is one :class:`ConfigError`."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ConfigError(
            f"{folder}: no results here (no manifest.json); run a sweep or a calibration first"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest.get("config"), str) or not isinstance(manifest["name"], str):
            raise ValueError("no config text and name")
    except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ConfigError(f"{manifest_path}: not a sweep manifest ({exc})") from None
    # the config as the sweep ran it, on the copies of its graph files the sweep kept
    kept = {
        entry["given"]: str(folder / entry["copy"]) for entry in manifest.get("graph_files", [])
    }
    experiment = parse_config(manifest["config"], str(manifest_path), manifest["name"], kept)
    runs_path = folder / "runs.parquet"
    if not manifest.get("finished") or not runs_path.is_file():
        raise ConfigError(
            f"{folder}: the sweep has not finished (no runs.parquet); run it again to resume"
        )
    try:
        runs = pd.read_parquet(runs_path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ConfigError(f"{runs_path}: not a readable Parquet file ({exc})") from None
    missing = [c for c in REQUIRED if c not in runs.columns]
    if missing:
        raise ConfigError(f"{runs_path}: not a sweep's runs table (no column {missing[0]})")
    return Results(folder, experiment, runs, _indices(folder / "sensitivity.csv"))


def _indices(path: Path) -> pd.DataFrame | None:
    """sensitivity.csv, or None when there is none or it is empty (no outcome varied)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        indices = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError):
        indices = pd.DataFrame()
    if indices.empty:
        return None
    if not {"outcome", "parameter"} <= set(indices.columns):
        raise ConfigError(f"{path}: not a sensitivity table (no outcome and parameter columns)")
    return indices


def charts_for(folder: Path | Results) -> list[str]:
    """The charts that fit the results in ``folder``, in :data:`CHARTS` order."""
    results = folder if isinstance(folder, Results) else load(folder)
    return [name for name in CHARTS if _fits(name, results)]


def _fits(name: str, r: Results) -> bool:
    named = r.experiment.design.kind == "strategies"
    if name in ("strategies", "survival", "network"):
        return named and r.single
    if name == "answer-mix":
        return named
    if name == "heatmap":
        return {"specificity", "positivity"} <= set(r.varied)
    if name == "effect":
        return r.experiment.design.kind in ("grid", "zip") and len(r.varied) in (1, 2)
    if name == "ties":
        return True
    if name == "sensitivity":
        return r.indices is not None and not r.indices.empty
    if name == "exit-hazard":
        return not r.single and "at_risk_1_4" in r.runs.columns
    if name == "stationarity":
        return not r.single and (r.folder / "weekly.parquet").is_file()
    return False


def plot(
    results: Results,
    chart: str = "",
    formats: tuple[str, ...] = ("png", "svg"),
    size: str = "paper",
) -> list[Path]:
    """Write the charts that fit ``results`` (or just ``chart``) beside its tables."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.studies import plots

    fitting = charts_for(results)
    if chart and chart not in fitting:
        why = "unknown chart" if chart not in CHARTS else "does not fit these results"
        if chart == "stationarity" and not results.single:
            why += " (it draws the weekly series: set [outputs] weekly = true and run again)"
        raise ConfigError(f"--chart {chart}: {why}; allowed here: {', '.join(fitting) or 'none'}")
    for fmt in formats:
        if fmt not in plots.FORMATS:
            raise ConfigError(f"format '{fmt}' is not allowed; allowed: {', '.join(plots.FORMATS)}")
    if size not in plots.SIZES:
        raise ConfigError(f"--size {size} is not allowed; allowed: {', '.join(plots.SIZES)}")
    written = []
    for name in [chart] if chart else fitting:
        for stem, draw in _DRAW[name](results):
            fig, _ = draw(size)
            written += plots.save(fig, results.folder / stem, formats)
            plt.close(fig)
    return written


# --- one drawing function per chart: results -> [(file stem, size -> (figure, axes))] --------

Drawing = list[tuple[str, Callable[[str], tuple[Any, Any]]]]


def _one(stem: str, draw: Callable[[Any], Any], ncols: int = 1) -> Drawing:
    from sim.studies import plots

    def make(size: str) -> tuple[Any, Any]:
        fig, ax = plots.figure(size, ncols=ncols)
        draw(ax)
        return fig, ax

    return [(stem, make)]


def _strategies(r: Results) -> Drawing:
    from sim.studies import plots

    week = int(r.experiment.base().get("weeks", 26))
    return _one("strategies", lambda axes: plots.strategy_comparison(r.runs, axes, week=week), 2)


def _survival(r: Results) -> Drawing:
    from sim.studies import plots

    return _one("survival", lambda ax: plots.survival(r.runs, ax))


def _answer_mix(r: Results) -> Drawing:
    from sim.studies import plots

    return _one("answer-mix", lambda ax: plots.answer_mix(r.runs, ax))


def _network(r: Results) -> Drawing:
    from sim.experiment.batches import Job
    from sim.studies import plots

    points = r.experiment.points()
    chosen = [points[0], points[-1]] if len(points) > 1 else points[:1]
    job = Job.of(r.experiment)

    def draw(axes: Any) -> None:
        panels = list(np.atleast_1d(axes))
        for ax, point in zip(panels, chosen, strict=True):
            params = point.params(job.base)
            stream = job.stream(point.index * r.experiment.replicates)  # replicate 0
            graph = plots.seeker_network(params, job.seed, stream, job.engine)
            plots.network_snapshot(graph, ax)
            ax.set_title(str(point.strategy))
            if ax is not panels[-1]:
                ax.get_legend().remove()

    def titled(axes: Any) -> None:
        draw(axes)
        title = (
            "Who answered what: the same network, two strategies"
            if job.common
            else "Who answered what: each strategy's first run (different networks)"
        )
        np.atleast_1d(axes)[0].figure.suptitle(title)

    return _one("network", titled, len(chosen))


def _heatmap(r: Results) -> Drawing:
    from sim.studies import plots

    sampled = r.experiment.design.kind not in ("grid", "zip")
    others = [n for n in r.varied if n not in ("specificity", "positivity")]
    return _one(
        "heatmap",
        lambda ax: plots.heatmap(
            r.runs, ax, outcome=r.outcome, bins=8 if sampled else None, averaged=others
        ),
    )


def _effect(r: Results) -> Drawing:
    from sim.studies import plots

    x, by = r.varied[0], (r.varied[1] if len(r.varied) > 1 else None)
    return _one("effect", lambda ax: plots.effect(r.runs, ax, x=x, outcome=r.outcome, by=by))


def _ties(r: Results) -> Drawing:
    from sim.studies import plots

    return _one("ties", lambda ax: plots.tie_classes(r.runs, ax))


def _sensitivity(r: Results) -> Drawing:
    from sim.studies import plots

    assert r.indices is not None
    indices = r.indices
    drawings: Drawing = []
    for outcome in dict.fromkeys(indices["outcome"]):

        def draw(ax: Any, outcome: str = outcome) -> None:
            plots.sensitivity_indices(indices, ax, outcome)

        drawings += _one(f"sensitivity-{outcome}", draw)
    return drawings


def _grouping(r: Results) -> str:
    """Group by strategy (a strategies design) or design point, or pool every run when there
    are too many points to tell apart."""
    if r.experiment.design.kind == "strategies":
        return "strategy"
    return "point" if r.runs["point"].nunique() <= MAX_LINES else "pooled"


def _exit_hazard(r: Results) -> Drawing:
    from sim.studies import plots

    runs = r.runs.assign(pooled="all runs")
    by = _grouping(r)
    return _one("exit-hazard", lambda ax: plots.exit_hazard_by_spell(runs, ax, by=by))


def _stationarity(r: Results) -> Drawing:
    from sim.studies import plots

    columns = ["run_index", "week", "employed", "unemployed", "action", "asks", "mean_reputation"]
    try:
        weekly = pd.read_parquet(r.folder / "weekly.parquet", columns=columns)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ConfigError(f"{r.folder / 'weekly.parquet'}: not readable ({exc})") from None
    of_run = r.runs.set_index("run_index")
    weekly = weekly.assign(
        point=of_run["point"].reindex(weekly.run_index).to_numpy(),
        strategy=of_run["strategy"].reindex(weekly.run_index).to_numpy(),
        pooled="all runs",
    )
    by = _grouping(r)
    base = r.experiment.base()  # burn_in may be a design value: each point's is marked
    points: Sequence[Any] = r.experiment.points()
    if not {"burn_in", "scenario"} & set(r.experiment.design.sets()):
        points = points[:1]  # the same at every point: not a million points' parameters
    burn_in = sorted({point.params(base).burn_in for point in points})

    def draw(axes: Any) -> None:
        plots.stationarity(weekly, list(axes), burn_in=burn_in, by=by)

    return _one("stationarity", draw, ncols=3)


_DRAW: dict[str, Callable[[Results], Drawing]] = {
    "strategies": _strategies,
    "survival": _survival,
    "answer-mix": _answer_mix,
    "network": _network,
    "heatmap": _heatmap,
    "effect": _effect,
    "ties": _ties,
    "sensitivity": _sensitivity,
    "exit-hazard": _exit_hazard,
    "stationarity": _stationarity,
}


# --- a calibration's folder (``empathy-sim calibrate``) -------------------------------------------
CALIBRATION_CHARTS = ("posterior", "pairs", "predictive")
TOP_PAIRS = 3  # the pairs with the largest weighted |correlation| in the posterior


def is_calibration(folder: Path) -> bool:
    """Whether ``folder`` holds a calibration (its manifest says so)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") == "calibration"


def plot_calibration(
    folder: Path, chart: str = "", formats: tuple[str, ...] = ("png", "svg"), size: str = "paper"
) -> list[Path]:
    """Draw a calibration's charts beside its tables: ``posterior`` (marginals against priors),
    ``pairs`` (the most correlated pairs) and ``predictive`` (the posterior predictive check)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.studies import plots

    if chart and chart not in CALIBRATION_CHARTS:
        raise ConfigError(
            f"--chart {chart}: does not fit a calibration; allowed here: "
            + ", ".join(CALIBRATION_CHARTS)
        )
    for fmt in formats:
        if fmt not in plots.FORMATS:
            raise ConfigError(f"format '{fmt}' is not allowed; allowed: {', '.join(plots.FORMATS)}")
    if size not in plots.SIZES:
        raise ConfigError(f"--size {size} is not allowed; allowed: {', '.join(plots.SIZES)}")
    from sim.experiment.calibration import check_done

    check_done(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = {name: folder / name for name in ("posterior.parquet", "predictive.parquet",
                                                "predictive.csv")}  # fmt: skip
    # the config as run: its targets file is not needed again (the check table has the targets)
    config = _calibration_config(manifest)
    particles = pd.read_parquet(tables["posterior.parquet"])
    draws = pd.read_parquet(tables["predictive.parquet"])
    check = pd.read_csv(tables["predictive.csv"], keep_default_na=False, na_values=[""])
    names = list(config.priors)
    written: list[Path] = []
    for name in [chart] if chart else CALIBRATION_CHARTS:
        if name == "posterior":
            priors = {}
            for n in names:
                prior = config.prior(n)
                grid = np.linspace(prior.low, prior.high, 200)
                priors[n] = (grid, prior.rv().distribution.pdf(grid))
            ncols = 3
            nrows = math.ceil(len(names) / ncols)
            fig, axes = plots.figure(size, ncols=ncols, nrows=nrows)
            plots.posterior_marginals(particles, axes, priors)
        elif name == "pairs":
            if len(names) < 2:
                continue
            pairs = top_pairs(particles, names)
            fig, axes = plots.figure(size, ncols=len(pairs))
            plots.posterior_pairs(particles, np.atleast_1d(axes), pairs)
        else:
            fig, ax = plots.figure(size)
            fig.set_figheight(1.6 * fig.get_figheight())  # a row per moment
            plots.predictive_check(draws, ax, check)
        written += plots.save(fig, folder / f"calibration-{name}", formats)
        plt.close(fig)
    return written


def _calibration_config(manifest: dict[str, Any]) -> Any:
    """The manifest's config, validated without reading its targets file again."""
    import tomllib

    from sim.experiment.calibration import Calibration

    try:
        return Calibration.model_validate(tomllib.loads(manifest["config"]))
    except Exception as exc:
        raise ConfigError(f"manifest.json: not a calibration's config ({exc})") from None


def top_pairs(particles: pd.DataFrame, names: list[str], k: int = TOP_PAIRS) -> list[tuple]:
    """The ``k`` parameter pairs with the largest weighted |correlation| in the posterior."""
    from sim.studies.plots import weighted_correlation

    w = particles["weight"].to_numpy()
    scored = [
        (abs(weighted_correlation(particles[a].to_numpy(), particles[b].to_numpy(), w)), a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    ]
    scored.sort(key=lambda s: -np.nan_to_num(s[0], nan=-1.0))
    return [(a, b) for _, a, b in scored[:k]]
