"""Experiment config files: TOML in, a validated experiment and its design points out.

A config names the base parameters, a design (which parameter values to run), how many
replicates per design point and one root seed. Run ``r`` of design point ``i`` has the stable
run index ``i * replicates + r``; its seeds come from that index alone (``sim.runs.streams``),
so a run's result never depends on how runs are batched or where they execute. With
``random_numbers = "common"`` the seeds come from ``r`` alone: every point's replicate ``r`` sees
the same graph and the same draws.

Example config (``configs/strategies.toml``)::

    name = "strategies"
    seed = 20260101
    replicates = 200

    [model]
    scenario = "single"

    [design]
    kind = "strategies"
    strategies = ["vague-gloomy", "specific-positive"]

Examples
--------
>>> experiment = parse_config('seed = 1\\n[design]\\nkind = "grid"\\n'
...                           '[design.values]\\nspecificity = [0.1, 0.9]\\npositivity = [0.5]\\n')
>>> [point.values for point in experiment.points()]
[{'specificity': 0.1, 'positivity': 0.5}, {'specificity': 0.9, 'positivity': 0.5}]
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from sim.params import PRESETS, ConfigError, Params

SAMPLED = ("lhs", "sobol", "morris")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Design(_Strict):
    """Which parameter values to run."""

    kind: Literal["strategies", "grid", "zip", "lhs", "sobol", "morris"] = Field(
        description="strategies: named presets; grid: every combination of values; zip: the "
        "i-th value of each list together; lhs/sobol/morris: samples over ranges"
    )
    strategies: list[str] = Field(default_factory=list, description="presets, for kind=strategies")
    values: dict[str, list[Any]] = Field(
        default_factory=dict, description="parameter -> list of values, for grid and zip"
    )
    ranges: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="parameter -> [low, high], for lhs, sobol and morris"
    )
    samples: int = Field(
        default=64, ge=1, le=10_000_000, description="points to sample (sobol: base samples)"
    )

    @model_validator(mode="after")
    def _complete(self) -> Design:
        if self.kind == "strategies" and not self.strategies:
            raise ValueError("design.strategies is empty; name at least one preset")
        if self.kind in ("grid", "zip") and not self.values:
            raise ValueError(f"design.values is empty; kind={self.kind} needs parameter lists")
        if any(len(v) == 0 for v in self.values.values()):
            raise ValueError("a list in design.values is empty")
        if self.kind == "zip" and len({len(v) for v in self.values.values()}) > 1:
            raise ValueError("kind=zip needs lists of equal length in design.values")
        if self.kind in SAMPLED and not self.ranges:
            raise ValueError(f"design.ranges is empty; kind={self.kind} needs [low, high] ranges")
        for name, (low, high) in self.ranges.items():
            if not low < high:
                raise ValueError(f"design.ranges.{name} = [{low}, {high}]: low must be < high")
        return self


class Outputs(_Strict):
    weekly: bool = Field(default=False, description="also keep per-week series (large)")


class Experiment(_Strict):
    """A validated experiment config."""

    name: str = Field(
        default="",
        pattern=r"^([A-Za-z0-9_][A-Za-z0-9_.-]*)?$",
        max_length=200,
        description="results go to results/<name>/ (default: file stem); letters, digits, "
        "'_', '-' and '.', not starting with '.' or '-'",
    )
    seed: int = Field(ge=0, description="root seed: fixes every run, graphs included")
    replicates: int = Field(default=100, ge=1, le=100_000_000, description="runs per point")
    engine: Literal["numba", "mesa"] = "numba"
    random_numbers: Literal["independent", "common"] = Field(
        default="independent",
        description="independent: every run has its own streams (seeded by its run index); "
        "common: replicate r of every design point uses the same streams, graph included "
        "(common random numbers: less noise between points, and inert parameters show no "
        "effect at all)",
    )
    model: dict[str, Any] = Field(default_factory=dict, description="base parameters")
    design: Design
    outputs: Outputs = Field(default_factory=Outputs)

    def base(self) -> dict[str, Any]:
        return dict(self.model)

    _points: list[DesignPoint] | None = PrivateAttr(default=None)

    def points(self) -> list[DesignPoint]:
        """The design points, in a fixed order (their index is part of every run's seed)."""
        if self._points is None:
            self._points = expand(self)
        return self._points

    def runs(self) -> int:
        return len(self.points()) * self.replicates

    def stream_index(self, run_index: int) -> int:
        """Which random streams a run uses: its run index, or its replicate under common
        random numbers."""
        if self.random_numbers == "common":
            return run_index % self.replicates
        return run_index


@dataclass(frozen=True)
class DesignPoint:
    """One design point: a strategy preset (or none) and parameter values over the base."""

    index: int
    strategy: str | None
    values: dict[str, Any]

    def params(self, base: dict[str, Any]) -> Params:
        return Params.from_dict({**base, **self.values}, strategy=self.strategy)


def expand(experiment: Experiment) -> list[DesignPoint]:
    design = experiment.design
    if design.kind == "strategies":
        combos: list[tuple[str | None, dict[str, Any]]] = [(s, {}) for s in design.strategies]
    elif design.kind == "grid":
        names = list(design.values)
        combos = [
            (None, dict(zip(names, values, strict=True)))
            for values in itertools.product(*design.values.values())
        ]
    elif design.kind == "zip":
        names = list(design.values)
        combos = [
            (None, dict(zip(names, values, strict=True)))
            for values in zip(*design.values.values(), strict=True)
        ]
    else:
        combos = [(None, values) for values in _sample(design, experiment.seed)]
    points = [DesignPoint(i, strategy, values) for i, (strategy, values) in enumerate(combos)]
    base = experiment.base()
    for point in points:  # every point must be valid before any run starts
        point.params(base)
    return points


def _sample_matrix(design: Design, seed: int) -> np.ndarray:
    """The sampled design as drawn: one row per point, one column per ``design.ranges`` entry
    (before whole-number parameters are rounded)."""
    names = list(design.ranges)
    lows = np.array([design.ranges[n][0] for n in names])
    highs = np.array([design.ranges[n][1] for n in names])
    if design.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(
            design.samples
        )
        rows = qmc.scale(unit, lows, highs)
    else:
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample

        bounds = [[low, high] for low, high in zip(lows, highs, strict=True)]
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        if design.kind == "sobol":
            rows = sobol_sample.sample(problem, design.samples, seed=seed)
        else:
            rows = morris_sample.sample(problem, design.samples, seed=seed)
    return np.asarray(rows, dtype=float)


def _sample(design: Design, seed: int) -> list[dict[str, Any]]:
    """Sampled designs: Latin hypercube or Sobol (scipy.stats.qmc), Morris (SALib)."""
    names = list(design.ranges)
    rows = _sample_matrix(design, seed)
    specs = Params.specs()
    types = {f: Params.defaults()[f].__class__ for f in names if f in specs}
    return [
        {
            n: (int(round(v)) if types.get(n) is int else float(v))
            for n, v in zip(names, row, strict=True)
        }
        for row in rows
    ]


# --- reading ------------------------------------------------------------------------------------
def read_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a dict (a leading byte-order mark, as some editors write, is not content);
    invalid TOML is one :class:`ConfigError` line."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def read_file(path: str | Path, what: str = "config file") -> str:
    """A UTF-8 text file's content, or one :class:`ConfigError` line saying why not."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{what} '{path}' not found; give the path of a .toml file")
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} '{path}' cannot be read ({exc})") from None


def parse_config(
    text: str, source: str = "config", stem: str = "", graph_files: dict[str, str] | None = None
) -> Experiment:
    """Validate config text; every problem becomes one :class:`ConfigError` line.

    ``graph_files`` maps graph files as the config names them to the files to read instead
    (a results folder's copies, :func:`sim.sweep.keep_graph_files`)."""
    raw = read_toml(text, source)
    if "priors" in raw and "design" not in raw:
        raise ConfigError(
            f"{source}: a calibration config (it has [priors], no [design]); run it with "
            "empathy-sim calibrate"
        )
    try:
        experiment = Experiment.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_first_error(exc)}") from None
    if not experiment.name:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip(".-")
        experiment.name = safe or "experiment"
    if graph_files:
        if "graph_file" in experiment.model:
            name = str(experiment.model["graph_file"])
            experiment.model["graph_file"] = graph_files.get(name, name)
        if "graph_file" in experiment.design.values:
            named = experiment.design.values["graph_file"]
            experiment.design.values["graph_file"] = [graph_files.get(str(n), n) for n in named]
    _check_parameters(experiment, source)
    return experiment


def load_config(path: str) -> Experiment:
    return parse_config(read_file(path), source=path, stem=Path(path).stem)


def _check_parameters(experiment: Experiment, source: str) -> None:
    design = experiment.design
    named = list(experiment.model) + list(design.values) + list(design.ranges)
    try:
        for name in design.strategies:
            if name not in PRESETS:
                raise ConfigError(f"unknown strategy '{name}'; allowed: {', '.join(PRESETS)}")
        Params.from_dict(
            {name: Params.defaults()[name] for name in named if name in Params.specs()}
        )
        # the base with the design's first values: a base may lean on the design (graph =
        # "file" with the files in design.values) and every point is checked below anyway
        first = {name: values[0] for name, values in design.values.items()}
        Params.from_dict({**experiment.model, **first})
        for name in named:
            if name not in Params.specs():
                Params.from_dict({name: 0})  # raises with a suggestion
        for name in design.ranges:
            spec = Params.specs()[name]
            low, high = design.ranges[name]
            numeric = spec.low is not None and spec.high is not None
            if not numeric or not (spec.low <= low and high <= spec.high):  # type: ignore[operator]
                raise ConfigError(
                    f"design.ranges.{name} = [{low:g}, {high:g}]; allowed: {spec.allowed()}"
                )
        for point in experiment.points():
            params = point.params(experiment.base())
            if params.graph == "file" and not os.path.isfile(params.graph_file):
                raise ConfigError(
                    f"graph file '{params.graph_file}' not found; give an existing edge list "
                    "or GraphML"
                )
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    # An unknown key explains a "missing" one next to it (a typo), so it is reported first.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        parent = error["loc"][:-1]
        allowed = _allowed_keys(parent)
        close = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{where}'{hint}; allowed: {', '.join(allowed)}"
    if error["type"] == "missing":
        return f"missing key '{where}'"
    if error["type"] == "string_pattern_mismatch" and where == "name":
        return (
            f"name = {error.get('input')!r} is not allowed (it names the results folder); use "
            "letters, digits, '_', '-' and '.', not starting with '.' or '-'"
        )
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"{where}: {message}{shown}" if where else message


def _allowed_keys(parent: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Experiment
    for part in parent:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            break
        if issubclass(field.annotation, BaseModel):
            model = field.annotation
    return list(model.model_fields)


def json_schema() -> str:
    """The config's JSON Schema, for editors that validate TOML as you type."""
    return json.dumps(Experiment.model_json_schema(), indent=2)
