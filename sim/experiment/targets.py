"""Calibration targets as data: observed moments of a labour market, and how a market is scored.

A targets file (``configs/targets/*.toml``) lists one moment per ``[[target]]`` entry::

    [[target]]
    name = "unemployment_rate"      # a moment this module computes (MOMENTS)
    value = 0.037                   # observed value
    tolerance = 0.01                # scale of the distance: one tolerance counts as 1
    source = "BLS, CPS annual average 2019"
    role = "fit"                    # fit: in the distance; held_out: checked afterwards only

``sign = "positive"`` (or ``"negative"``) instead of ``value`` states only a sign, for facts known
in sign but not in size on a comparable scale (the correlation of employment across ties): a
market of the wrong sign is ``|x| / tolerance`` away, one of the right sign 0.

The distance of a simulated market to the targets is the Euclidean norm of the scaled gaps
``(x - value) / tolerance`` over the fit targets: the usual ABC distance on summary statistics
scaled by their spread (Toni et al. 2009, J. R. Soc. Interface 6; the scale here is the
tolerance a user writes, not an adaptive one, so the distance means the same in every
generation and on resume). A moment the market leaves undefined (NaN) puts it at
``UNDEFINED``: accepted only if half a generation was, which stops the calibration.

Examples
--------
>>> t = parse_targets('[[target]]\\nname = "unemployment_rate"\\nvalue = 0.04\\n'
...                   'tolerance = 0.01\\nsource = "x"\\nrole = "fit"\\n')
>>> round(distance({"unemployment_rate": 0.06}, t), 6)
2.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.params import ConfigError

UNDEFINED = 1e6  # the distance of a market with an undefined fit moment

# The moments a target may name: a market's outcomes (sim.analysis.market.outcomes) and ratios of
# them.
MOMENTS: dict[str, str] = {
    "unemployment_rate": "U / (E + U), mean over the window",
    "exit_hazard": "weekly probability of leaving unemployment for a job",
    "median_elapsed_weeks": "median elapsed weeks of the unemployed stock (CPS)",
    "mean_elapsed_weeks": "mean elapsed weeks of the unemployed stock (CPS)",
    "share_long_term": "share of the unemployed out 27 weeks or more (CPS)",
    "median_spell_weeks": "Kaplan-Meier median of completed spells",
    "share_via_contacts": "hires through a contact (lead or introduction) / all hires",
    "tie_close_share": "contact hires through a close tie / those through a known tie",
    "tie_regular_share": "contact hires through a regular tie / those through a known tie",
    "tie_distant_share": "contact hires through a distant tie / those through a known tie",
    "relay_share": "contact hires through a relay (a helper who does not know the hired)",
    "hazard_ratio_long_short": "exit hazard after 27-52 weeks / after 1-26 weeks (pooled)",
    "neighbour_employment_correlation": "correlation of employment across the ends of ties",
    "gini_excess": "Gini of weeks unemployed minus its no-network null",
}
TIE_CLASSES = ("close", "regular", "distant")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """One observed moment."""

    name: str = Field(description="a moment the market reports: " + ", ".join(MOMENTS))
    value: float | None = Field(default=None, description="observed value (or give sign)")
    sign: Literal["positive", "negative"] | None = Field(
        default=None, description="only the sign is known (instead of value)"
    )
    tolerance: float = Field(gt=0, description="scale of the gap: one tolerance counts 1")
    source: str = Field(min_length=1, description="citation: publication, table or page")
    role: Literal["fit", "held_out"] = Field(description="fit: in the distance; held_out: not")
    note: str = Field(default="", description="how the value was derived from the source")

    @model_validator(mode="after")
    def _one_of_value_or_sign(self) -> Target:
        if self.name not in MOMENTS:
            import difflib

            close = difflib.get_close_matches(self.name, MOMENTS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"unknown moment '{self.name}'{hint}; allowed: {', '.join(MOMENTS)}")
        if (self.value is None) == (self.sign is None):
            raise ValueError(f"target '{self.name}': give either value or sign, not both")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"target '{self.name}': value must be a finite number")
        return self

    def gap(self, x: float) -> float:
        """The scaled gap of a simulated value ``x``: (x - value) / tolerance, or for a sign
        target the distance to the right side of zero over the tolerance."""
        if self.sign is not None:
            wrong = -x if self.sign == "positive" else x
            return max(0.0, wrong) / self.tolerance
        assert self.value is not None
        return (x - self.value) / self.tolerance

    def met(self, x: float) -> bool:
        """Within one tolerance of the value, or strictly of the right sign."""
        if not math.isfinite(x):
            return False
        if self.sign is not None:
            return x > 0 if self.sign == "positive" else x < 0
        return abs(self.gap(x)) <= 1.0

    def shown(self) -> str:
        return f"{self.sign} sign" if self.sign else f"{self.value:g} ± {self.tolerance:g}"


class Targets(_Strict):
    """A targets file."""

    title: str = Field(default="", description="what these targets describe")
    target: list[Target] = Field(min_length=1, description="one entry per moment")

    @model_validator(mode="after")
    def _distinct(self) -> Targets:
        names = [t.name for t in self.target]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"moment '{twice[0]}' is targeted twice; allowed: once each")
        if not any(t.role == "fit" for t in self.target):
            raise ValueError("no target has role = 'fit': the distance would be empty")
        return self

    def fit(self) -> list[Target]:
        return [t for t in self.target if t.role == "fit"]

    def held_out(self) -> list[Target]:
        return [t for t in self.target if t.role == "held_out"]

    def names(self) -> list[str]:
        return [t.name for t in self.target]


def parse_targets(text: str, source: str = "targets") -> Targets:
    """Validate the text of a targets file; a problem is one :class:`ConfigError` line."""
    from sim.experiment.config import read_toml

    raw = read_toml(text, source)
    try:
        return Targets.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        entries = raw.get("target") if isinstance(raw, dict) else None
        if (
            len(loc) >= 2
            and loc[0] == "target"
            and isinstance(loc[1], int)
            and isinstance(entries, list)
        ):  # name the entry by its moment (or its place, counting from 1)
            entry = entries[loc[1]] if loc[1] < len(entries) else {}
            name = entry.get("name") if isinstance(entry, dict) else None
            loc[1] = f"[{name}]" if isinstance(name, str) else f"[entry {loc[1] + 1}]"
        where = ".".join(str(p) for p in loc).replace(".[", "[")
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "missing"
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{message}") from None


def load_targets(path: str | Path) -> Targets:
    """Read and validate a calibration targets file (TOML). Raises ``ConfigError`` (one line)
    for an unreadable file or a bad target."""
    from sim.experiment.config import read_file

    return parse_targets(read_file(path, "targets file"), source=str(path))


def moments(outcomes: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """(R,) arrays of every moment in ``MOMENTS`` from a market's outcomes
    (``sim.analysis.market.outcomes``), one entry per run; NaN where undefined."""
    out = {name: np.asarray(outcomes[name], dtype=float) for name in MOMENTS if name in outcomes}
    known = sum(np.asarray(outcomes[f"via_{c}_share"], dtype=float) for c in TIE_CLASSES)
    for c in TIE_CLASSES:
        out[f"tie_{c}_share"] = _ratio(np.asarray(outcomes[f"via_{c}_share"]), known)
    out["relay_share"] = np.asarray(outcomes["via_relay_share"], dtype=float)
    short = ("1_4", "5_8", "9_13", "14_26")
    hazard_short = _ratio(
        sum(np.asarray(outcomes[f"exits_{b}"], dtype=float) for b in short),
        sum(np.asarray(outcomes[f"at_risk_{b}"], dtype=float) for b in short),
    )
    hazard_long = _ratio(
        np.asarray(outcomes["exits_27_52"], dtype=float),
        np.asarray(outcomes["at_risk_27_52"], dtype=float),
    )
    out["hazard_ratio_long_short"] = _ratio(hazard_long, hazard_short)
    out["gini_excess"] = np.asarray(outcomes["gini_unemployment"], dtype=float) - np.asarray(
        outcomes["gini_unemployment_null"], dtype=float
    )
    return {name: out[name] for name in MOMENTS}


def _ratio(a: Any, b: Any) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.shape(a), np.nan), where=b > 0)


def distance(x: Mapping[str, float], targets: Targets) -> float:
    """Euclidean norm of the fit targets' scaled gaps; ``UNDEFINED`` if a moment is NaN."""
    total = 0.0
    for target in targets.fit():
        value = float(x[target.name])
        if not math.isfinite(value):
            return UNDEFINED
        total += target.gap(value) ** 2
    return math.sqrt(total)
