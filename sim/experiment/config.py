"""Experiment config files: TOML in, a validated experiment and its design points out.

A config names the base parameters, a design (which parameter values to run), how many
replicates per design point and one root seed. Run ``r`` of design point ``i`` has the stable
run index ``i * replicates + r``; its seeds come from that index alone (``sim.model.runs.streams``),
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
import functools
import itertools
import json
import math
import os
import re
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from sim.model.params import (
    FILE_READING,
    JOINT,
    PRESETS,
    SCENARIO_DEFAULTS,
    ConfigError,
    Params,
    check_value,
    preset,
)

SAMPLED = ("lhs", "sobol", "morris")
# What each kind of design reads besides ``kind``; a field it does not read is refused, not
# ignored (ranges beside a grid, samples beside strategies).
READS = {
    "strategies": ("strategies",),
    "grid": ("values",),
    "zip": ("values",),
    "lhs": ("ranges", "samples"),
    "sobol": ("ranges", "samples"),
    "morris": ("ranges", "samples", "levels"),
}
# At most 2^20 design points per config (docs/sweeps.md, "How large a design"): a sweep keeps
# its points as a compact sample (8 bytes a parameter a point) and makes them one at a time,
# but SALib draws a Sobol or Morris sample whole (about 10 s for a million Morris points on this
# project's machine) and bootstraps its analysis with N x 1,000 resamples in memory, and a
# million points at one replicate each is already a million runs, the flagship's size.
MAX_POINTS = 2**20
# Sobol and Morris need at least 8 base samples (trajectories): each 95% interval comes from
# 1,000 bootstrap resamples of the N samples, and N items have only C(2N - 1, N) distinct
# resamples: 6,435 at N = 8, 462 at N = 6, 35 at N = 4, 1 at N = 1 (an interval of +- 0).
# 7 is the least N with more distinct resamples than 1,000 are drawn; 8 is the next power of
# two, which Sobol's sequence wants (docs/sweeps.md, "Sensitivity analysis").
MIN_SAMPLES = 8
MAX_LEVELS = 1000  # Morris screens on a coarse grid; Saltelli et al. (2008) use 4 to 8 levels


def _parameter_schemas() -> dict[str, dict[str, Any]]:
    """Each parameter's JSON Schema, from :class:`~sim.model.params.Params`' pydantic fields:
    type, range (``minimum``/``maximum``) or ``enum``, ``unit``, ``description``, ``default``,
    ``source`` where the default has one, and ``market_default`` where the market changes it."""
    properties: dict[str, dict[str, Any]] = TypeAdapter(Params).json_schema()["properties"]
    for name, schema in properties.items():
        schema.pop("title", None)
        if name in SCENARIO_DEFAULTS["market"]:
            schema["market_default"] = SCENARIO_DEFAULTS["market"][name]
    return properties


_PARAMETERS = _parameter_schemas()
_BOUNDS = ("minimum", "maximum")
_VALUE = ("type", *_BOUNDS, "enum")  # what a value in a design's list must satisfy


def _table(of: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A TOML table whose keys are parameter names, each value with its own schema."""
    return {"propertyNames": {"enum": list(of)}, "properties": of, "additionalProperties": False}


# In the JSON Schema (``empathy-sim schema``), [model], design.values and design.ranges name
# parameters: each lists every parameter with its range and unit, and no other key.
MODEL_SCHEMA = _table(_PARAMETERS)
VALUES_SCHEMA = _table(
    {
        name: {"type": "array", "minItems": 1, "items": {k: s[k] for k in _VALUE if k in s}}
        for name, s in _PARAMETERS.items()
    }
)
RANGES_SCHEMA = _table(
    {
        name: {
            "type": "array",
            "prefixItems": [{"type": "number"} | {k: s[k] for k in _BOUNDS}] * 2,
            "minItems": 2,
            "maxItems": 2,
            "description": f"[low, high] of {name} ({s['unit']})",
        }
        for name, s in _PARAMETERS.items()
        if s["type"] in ("number", "integer")  # every number has both bounds
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Design(_Strict):
    """Which parameter values to run.

    Defaults: ``samples = 64``, a first look to be set for the study at hand (the shipped
    configs use 256 for Sobol, 20 for Morris, 10,000 for the flagship's LHS); ``levels = 4``,
    SALib's default for Morris (``num_levels``). Limits: :data:`MAX_POINTS`, :data:`MIN_SAMPLES`
    (reasons beside them and in docs/sweeps.md)."""

    kind: Literal["strategies", "grid", "zip", "lhs", "sobol", "morris"] = Field(
        description="strategies: named presets; grid: every combination of values; zip: the "
        "i-th value of each list together; lhs/sobol/morris: samples over ranges"
    )
    strategies: list[str] = Field(
        default_factory=list,
        description="presets, for kind=strategies",
        json_schema_extra={"items": {"enum": list(PRESETS)}},
    )
    values: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="parameter -> list of values, for grid and zip",
        json_schema_extra=VALUES_SCHEMA,
    )
    ranges: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        json_schema_extra=RANGES_SCHEMA,
        description="parameter -> [low, high], for lhs, sobol and morris (whole-number "
        "parameters: whole-number bounds, every whole number in them drawn equally often)",
    )
    samples: int = Field(
        default=64,
        ge=1,
        le=10_000_000,
        description="lhs: points; sobol: base samples N (N (2D + 2) points, at least 8, best a "
        "power of two); morris: trajectories r (r (D + 1) points, at least 8)",
    )
    levels: int = Field(
        default=4,
        ge=2,
        le=MAX_LEVELS,
        description="morris: levels of each range's grid, an even number (SALib's default 4)",
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
        unread = [f for f in type(self).model_fields if f in self.model_fields_set]
        unread = [f for f in unread if f != "kind" and f not in READS[self.kind]]
        if unread:
            reads = " and ".join(f"design.{f}" for f in READS[self.kind])
            raise ValueError(
                f"design.{unread[0]} is not read by kind = '{self.kind}', which reads {reads}; "
                f"allowed: remove it, or a kind that reads it"
            )
        if self.kind == "morris" and self.levels % 2:
            raise ValueError(
                f"design.levels = {self.levels}; allowed: an even number from 2 to "
                f"{MAX_LEVELS:,} (Morris steps each parameter by half of its levels)"
            )
        if self.kind in ("sobol", "morris") and self.samples < MIN_SAMPLES:
            what = "base samples" if self.kind == "sobol" else "trajectories"
            raise ValueError(
                f"design.samples = {self.samples} is too few for {self.kind.title()} indices: "
                f"their 95% intervals need at least {MIN_SAMPLES} {what} (docs/sweeps.md); "
                f"allowed: a whole number >= {MIN_SAMPLES}"
                + (", best a power of two (8, 16, 32, ...)" if self.kind == "sobol" else "")
            )
        if self.count() > MAX_POINTS:
            raise ValueError(
                f"the design has {self.count():,} points ({self.formula()}); allowed: at most "
                f"{MAX_POINTS:,} (2^20) design points per config (docs/sweeps.md): fewer "
                "samples or values, or several configs with their own seeds"
            )
        return self

    def count(self) -> int:
        """How many design points, in closed form (nothing is drawn or built): the number of
        strategies; the product of the lists' lengths (grid); their common length (zip); the
        samples (lhs); N (2D + 2) for Sobol with D ranges (Saltelli's scheme with second-order
        indices, as SALib's ``sobol.sample`` draws it); r (D + 1) for Morris's r trajectories
        (SALib's ``morris.sample``)."""
        d = len(self.ranges)
        if self.kind == "strategies":
            return len(self.strategies)
        if self.kind == "grid":
            return math.prod(len(v) for v in self.values.values())
        if self.kind == "zip":
            return len(next(iter(self.values.values())))
        if self.kind == "lhs":
            return self.samples
        if self.kind == "sobol":
            return self.samples * (2 * d + 2)
        return self.samples * (d + 1)

    def formula(self) -> str:
        """How :meth:`count` is made, in words (for messages)."""
        d = len(self.ranges)
        if self.kind == "grid":
            return "grid: " + " x ".join(f"{len(v):,}" for v in self.values.values())
        if self.kind == "sobol":
            return f"sobol: samples {self.samples:,} x (2 x {d} ranges + 2)"
        if self.kind == "morris":
            return f"morris: samples {self.samples:,} x ({d} ranges + 1)"
        return f"{self.kind}: {self.count():,}"

    def sets(self) -> list[str]:
        """The parameters the design sets, in order: a strategies design's presets' (every
        parameter any of them sets), the lists' (grid, zip) or the ranges' (sampled)."""
        if self.kind == "strategies":
            named = [name for strategy in self.strategies for name in PRESETS.get(strategy, {})]
            return list(dict.fromkeys(named))
        return list(self.values) if self.kind in ("grid", "zip") else list(self.ranges)


class Outputs(_Strict):
    """The ``[outputs]`` table: what a sweep keeps besides one row per run."""

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
    model: dict[str, Any] = Field(
        default_factory=dict,
        description="base parameters; a parameter the design sets (a list, a range or a "
        "strategy preset's value) cannot also be here",
        json_schema_extra=MODEL_SCHEMA,
    )
    design: Design
    outputs: Outputs = Field(default_factory=Outputs)

    def base(self) -> dict[str, Any]:
        return dict(self.model)

    _points: Points | None = PrivateAttr(default=None)

    def points(self) -> Points:
        """The design points, in a fixed order (their index is part of every run's seed),
        made one at a time when asked for."""
        if self._points is None:
            self._points = Points(self.design, self.seed)
        return self._points

    def runs(self) -> int:
        return self.design.count() * self.replicates

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


class Points(Sequence[DesignPoint]):
    """An experiment's design points, each made when asked for: ``len`` is
    :meth:`Design.count` and a grid's point ``i`` is decoded from ``i`` (the last list varies
    fastest, as in :func:`itertools.product`), so a design of a million points is not a million
    objects. A sampled design's points are rows of one array (:meth:`matrix`), drawn once."""

    def __init__(self, design: Design, seed: int) -> None:
        self._design = design
        self._seed = seed
        self._count = design.count()
        self._matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> DesignPoint: ...

    @overload
    def __getitem__(self, index: slice) -> list[DesignPoint]: ...

    def __getitem__(self, index: int | slice) -> DesignPoint | list[DesignPoint]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(f"design point {index} of {self._count}")
        design = self._design
        if design.kind == "strategies":
            return DesignPoint(index, design.strategies[index], {})
        return DesignPoint(index, None, self._values(index))

    def _values(self, index: int) -> dict[str, Any]:
        design = self._design
        if design.kind == "zip":
            return {name: values[index] for name, values in design.values.items()}
        if design.kind == "grid":
            chosen: dict[str, Any] = {}
            rest = index
            for name, values in reversed(design.values.items()):
                rest, k = divmod(rest, len(values))
                chosen[name] = values[k]
            return {name: chosen[name] for name in design.values}
        row = self.matrix()[index]
        return {
            name: int(row[j]) if is_whole(name) else float(row[j])
            for j, name in enumerate(design.ranges)
        }

    def matrix(self) -> np.ndarray:
        """A sampled design's values as run: one row per point, one column per range."""
        if self._matrix is None:
            self._matrix = _sample_matrix(self._design, self._seed)
        return self._matrix


_DEFAULTS = Params.defaults()


def is_whole(name: str) -> bool:
    """Whether a parameter takes whole numbers only (its default is an int)."""
    return type(_DEFAULTS.get(name)) is int


def _sample_matrix(design: Design, seed: int) -> np.ndarray:
    """The values a sampled design runs: one row per point, one column per ``design.ranges``
    entry. Latin hypercube: scipy.stats.qmc; Sobol (Saltelli's scheme) and Morris: SALib.

    A whole-number parameter's range ``[lo, hi]`` is drawn over ``[lo, hi + 1)`` and rounded
    down, so each of its ``hi - lo + 1`` whole numbers gets an equal share of the unit interval
    (rounding ``[lo, hi]`` to the nearest would give the two ends half a share). Morris draws it
    on the unit grid of ``levels`` levels, level ``k`` becoming ``lo + floor(k m / levels)``
    for ``m`` whole numbers: ``levels / m`` levels each (``m`` divides ``levels``: checked)."""
    names = list(design.ranges)
    whole = np.array([is_whole(n) for n in names], dtype=bool)
    lows = np.array([design.ranges[n][0] for n in names], dtype=float)
    highs = np.array([design.ranges[n][1] for n in names], dtype=float)
    tops = np.where(whole, highs + 1, highs)
    if design.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(
            design.samples
        )
        rows = qmc.scale(unit, lows, tops)
    elif design.kind == "sobol":
        from SALib.sample import sobol as sobol_sample

        bounds = [[low, top] for low, top in zip(lows, tops, strict=True)]
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        with warnings.catch_warnings():
            # scipy's "balance properties of Sobol' points require n to be a power of 2", with
            # a file path: design_warnings() says it in one line of our own instead
            warnings.filterwarnings("ignore", "The balance properties of Sobol", UserWarning)
            rows = sobol_sample.sample(problem, design.samples, seed=seed)
    else:
        from SALib.sample import morris as morris_sample

        bounds = [
            [0.0, 1.0] if w else [low, high]
            for w, low, high in zip(whole, lows, highs, strict=True)
        ]
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        rows = morris_sample.sample(problem, design.samples, num_levels=design.levels, seed=seed)
        rows = np.asarray(rows, dtype=float)
        level = np.rint(rows[:, whole] * (design.levels - 1)).astype(np.int64)
        count = (highs[whole] - lows[whole] + 1).astype(np.int64)
        rows[:, whole] = lows[whole] + level * count // design.levels
        return rows
    rows = np.asarray(rows, dtype=float)
    rows[:, whole] = np.minimum(np.floor(rows[:, whole]), highs[whole])
    return rows


def design_warnings(experiment: Experiment) -> list[str]:
    """One line per thing a valid design does that its user should know (check and run print
    them): a Sobol sample size that is not a power of two."""
    design = experiment.design
    lines = []
    n = design.samples
    if design.kind == "sobol" and n & (n - 1):
        below = 1 << (n.bit_length() - 1)
        lines.append(
            f"design.samples = {n:,} is not a power of two: Sobol's sequence is balanced only "
            f"at powers of two, so the indices converge more slowly; {below:,} or {2 * below:,} "
            "would keep the balance"
        )
    return lines


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


def is_calibration(text: str, source: str = "config") -> bool:
    """Whether config text is a calibration config ([priors], no [design])."""
    raw = read_toml(text, source)
    return "priors" in raw and "design" not in raw


def parse_config(
    text: str, source: str = "config", stem: str = "", graph_files: dict[str, str] | None = None
) -> Experiment:
    """Validate config text; every problem becomes one :class:`ConfigError` line. Nothing is
    built: the design is counted in closed form and checked value by value and over the
    combinations of the parameters that are checked together (``sim.model.params.JOINT``), which is
    what checking every point would find.

    ``graph_files`` maps graph files as the config names them to the files to read instead
    (a results folder's copies, :func:`sim.experiment.sweep.keep_graph_files`)."""
    if is_calibration(text, source):
        raise ConfigError(
            f"{source}: a calibration config (it has [priors], no [design]); run it with "
            "empathy-sim calibrate"
        )
    raw = read_toml(text, source)
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
    """Read and validate an experiment config (TOML) from ``path``; its name defaults to the
    file's stem. Raises ``ConfigError`` (one line) for an unreadable file or a bad config."""
    return parse_config(read_file(path), source=path, stem=Path(path).stem)


def _check_parameters(experiment: Experiment, source: str) -> None:
    design = experiment.design
    base = experiment.base()
    try:
        for name in design.strategies:
            preset(name)  # an unknown one raises, naming the presets
        for name in [*base, *design.values, *design.ranges]:
            check_value(name, Params.defaults().get(name, 0))  # an unknown name raises
        for name, value in base.items():
            check_value(name, value)
        for name, values in design.values.items():
            for value in values:
                check_value(name, value)
        _check_set_twice(experiment)
        _check_file_graph_named(experiment)
        _check_ranges(design)
        _check_combinations(experiment)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _check_file_graph_named(experiment: Experiment) -> None:
    """A graph file, or how to read one, given where no point runs on a file graph: refused
    (the runs would use another graph while the config names a file)."""
    scenario = experiment.base().get("scenario", "single")
    graphs = [experiment.base().get("graph", Params.defaults(scenario)["graph"])]
    graphs += experiment.design.values.get("graph", [])
    if "file" in graphs:
        return
    named = [n for n in ("graph_file", *FILE_READING) if n in experiment.base()]
    named += [n for n in ("graph_file", *FILE_READING) if n in experiment.design.values]
    if named:
        raise ConfigError(
            f"{named[0]} has no effect: no design point runs on a graph file (graph is "
            f'{", ".join(repr(g) for g in dict.fromkeys(graphs))}); allowed: add graph = "file" '
            "to [model], or remove it"
        )


def _toml(value: Any) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _check_set_twice(experiment: Experiment) -> None:
    """A parameter in [model] and in the design is refused: the design's value would win
    silently (a preset's values over [model]'s did: every strategy ran the same)."""
    design, base = experiment.design, experiment.model
    for strategy in design.strategies if design.kind == "strategies" else []:
        for name, value in preset(strategy).items():
            if name in base:
                raise ConfigError(
                    f"{name} is set twice: [model] {name} = {_toml(base[name])} and the "
                    f"strategy '{strategy}' ({name} = {_toml(value)}); allowed: one of them "
                    f"(remove {name} from [model] to run the presets as they are)"
                )
    table = "values" if design.kind in ("grid", "zip") else "ranges"
    given: dict[str, Any] = design.values if table == "values" else design.ranges
    for name, value in given.items():
        if name in base:
            raise ConfigError(
                f"{name} is set twice: [model] {name} = {_toml(base[name])} and "
                f"design.{table}.{name} = {_toml(value)}; allowed: one of them"
            )


def _check_ranges(design: Design) -> None:
    for name, (low, high) in design.ranges.items():
        spec = Params.specs()[name]
        numeric = spec.low is not None and spec.high is not None
        if not numeric or not (spec.low <= low and high <= spec.high):  # type: ignore[operator]
            raise ConfigError(
                f"design.ranges.{name} = [{low:g}, {high:g}]; allowed: {spec.allowed()}"
            )
        if not is_whole(name):
            continue
        if not (float(low).is_integer() and float(high).is_integer()):
            raise ConfigError(
                f"design.ranges.{name} = [{low:g}, {high:g}]: {name} is a whole number; "
                "allowed: whole-number bounds (every whole number from low to high is drawn "
                "equally often)"
            )
        count, levels = int(high - low) + 1, design.levels
        if design.kind == "morris" and (count % 2 or levels % count):
            fits = " or ".join(str(d) for d in range(2, levels + 1, 2) if levels % d == 0)
            more = math.lcm(count, levels)
            other = f", or design.levels = {more}" if count % 2 == 0 and more <= MAX_LEVELS else ""
            raise ConfigError(
                f"design.ranges.{name} = [{low:g}, {high:g}] holds {count} whole numbers, "
                f"which Morris's {levels} levels, stepped half at a time, cannot share "
                f"equally; allowed: a range of {fits} whole numbers (an even count that "
                f"divides design.levels){other}"
            )


def _check_combinations(experiment: Experiment) -> None:
    """Every point's parameters valid together. Values were checked one by one; what is left
    are the rules over several parameters (``sim.model.params.JOINT``), so only the combinations of
    those are tried: for a grid their product, for a zip its rows, for sampled ranges the
    corners of the box they span (the rules are linear inequalities or 'not the default':
    they hold over the box if they hold at its corners)."""
    design, base = experiment.design, experiment.base()
    if design.kind == "strategies":
        for strategy in design.strategies:
            _check_point(base, {}, strategy)
        return
    if design.kind in ("grid", "zip"):
        joint = [name for name in design.values if name in JOINT]
        rest = {name: v[0] for name, v in design.values.items() if name not in JOINT}
        lists = [design.values[name] for name in joint]
        if not joint:
            combos: Any = [()]
        elif design.kind == "grid":
            combos = itertools.product(*lists)
        else:
            combos = dict.fromkeys(zip(*lists, strict=True))
        for combo in combos:
            _check_point(base, {**rest, **dict(zip(joint, combo, strict=True))})
        return
    joint = [name for name in design.ranges if name in JOINT]
    if "treat_start" in design.ranges and design.ranges["treat_start"][0] == 0:
        # 0 stands for "the first week after the burn-in": not a corner the rule is linear in
        raise ConfigError(
            "design.ranges.treat_start starts at 0 (the first week after the burn-in, a special "
            "value); allowed: a range of weeks after burn_in"
        )

    def typed(name: str, value: float) -> int | float:
        return int(value) if is_whole(name) else float(value)

    rest = {n: typed(n, low) for n, (low, _) in design.ranges.items() if n not in JOINT}
    for corner in itertools.product(*(design.ranges[name] for name in joint)):
        values = {name: typed(name, v) for name, v in zip(joint, corner, strict=True)}
        try:
            _check_point(base, {**rest, **values})
        except ConfigError as exc:
            at = ", ".join(f"{name} = {_toml(v)}" for name, v in values.items())
            raise ConfigError(
                f"design.ranges reach a combination that cannot run ({at}): {exc}"
            ) from None


def _check_point(base: dict[str, Any], values: dict[str, Any], strategy: str | None = None) -> None:
    params = Params.from_dict({**base, **values}, strategy=strategy)
    if params.graph == "file":  # read as run reads it, with this point's reading options
        try:
            stat = os.stat(params.graph_file)
            version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            version = None
        options = (params.seeker, params.graph_delimiter, params.graph_header)
        _read_graph_file(params.graph_file, version, *options, params.graph_encoding)


@functools.lru_cache(maxsize=64)
def _read_graph_file(
    path: str, version: Any, seeker: str, delimiter: str, header: str, encoding: str
) -> None:
    """Read a graph file once per (path, its version, reading options): a design checks each
    of its points, most on the same file; errors raise ConfigError and are not cached."""
    from sim.model.graphfile import read_graph_file

    read_graph_file(path, seeker=seeker, delimiter=delimiter, header=header, encoding=encoding)


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
    if where == "design" and error["type"] == "value_error":
        return message  # the design's own checks name the field they are about
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
