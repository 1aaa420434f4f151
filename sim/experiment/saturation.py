"""A randomised saturation study's config: which programmes, at which shares, on how many markets.

The file (``experiments/interventions.toml``) is TOML::

    name = "interventions"
    seed = 20261203
    markets = 400                          # market seeds, each run at every share
    shares = [0.0, 0.25, 0.5, 0.75, 1.0]   # 0 (the pure control) is always run
    programmes = ["coaching", "job-club", "referral-bonus"]

    [model]                                # the market: any parameter of Params
    scenario = "market"
    weeks = 572

    [posterior]                            # optional: effects over a calibration's posterior
    file = "docs/calibration/posterior.parquet"
    draws = 40
    markets = 20
    share = 0.5

Every key is read as written or refused with one line (:class:`ConfigError`) naming the key and
what is allowed; ``[model]`` is checked by :meth:`Params.from_dict` with each programme in turn.

Examples
--------
>>> study = loads('name = "s"\\nseed = 1\\nmarkets = 10\\nshares = [0.5]\\n'
...               'programmes = ["coaching"]\\n[model]\\nscenario = "market"\\n')
>>> study.shares, study.params("coaching").intervention
((0.0, 0.5), 'coaching')
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.model.params import INTERVENTIONS, KIND_PARAMETERS, ConfigError, Params

PROGRAMMES = tuple(kind for kind in INTERVENTIONS if kind != "none")
_TOP = {"name", "seed", "markets", "shares", "programmes", "model", "posterior"}
_POSTERIOR = {"file", "draws", "markets", "share"}


@dataclass(frozen=True)
class Posterior:
    """Effects at ``share`` over ``draws`` posterior draws, ``markets`` paired markets each."""

    file: str
    draws: int
    markets: int
    share: float


@dataclass(frozen=True)
class SaturationStudy:
    name: str
    seed: int
    markets: int
    shares: tuple[float, ...]  # sorted, 0 first
    programmes: tuple[str, ...]
    model: dict[str, Any] = field(default_factory=dict)
    posterior: Posterior | None = None

    def params(self, programme: str, **changes: Any) -> Params:
        """The market of ``[model]`` with ``programme`` (and ``changes``) on top; the amounts
        of other kinds of programme (``coaching_specificity`` for a job club) are left out."""
        others = {name for kind, names in KIND_PARAMETERS.items() if kind != programme
                  for name in names}  # fmt: skip
        model = {k: v for k, v in self.model.items() if k not in others}
        return Params.from_dict({**model, "intervention": programme, **changes})

    def quick(self) -> SaturationStudy:
        """A tenth of the markets (at least 10, at most all), for a look; posterior draws 5 x 4
        markets."""
        posterior = None
        if self.posterior is not None:
            posterior = Posterior(self.posterior.file, 5, 4, self.posterior.share)
        markets = min(self.markets, max(10, self.markets // 10))
        return SaturationStudy(self.name + "-quick", self.seed, markets,
                               self.shares, self.programmes, self.model, posterior)  # fmt: skip


def load(path: str | Path) -> SaturationStudy:
    """Read a saturation study's config file. Raises :class:`ConfigError` (one line)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        return loads(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def loads(text: str) -> SaturationStudy:
    """A saturation study from TOML text (see the module docstring)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})") from None
    _known(raw, _TOP, "")
    for key in ("name", "seed", "markets", "shares", "programmes", "model"):
        if key not in raw:
            raise ConfigError(f"missing key '{key}'; allowed keys: {', '.join(sorted(_TOP))}")
    name = raw["name"]
    if not isinstance(name, str) or not name or any(c in name for c in "/\\"):
        raise ConfigError(f"name={name!r}; allowed: a non-empty text with no / or \\")
    seed = _whole("seed", raw["seed"], 0)
    markets = _whole("markets", raw["markets"], 2)
    shares = raw["shares"]
    if (
        not isinstance(shares, list)
        or not all(_share(s) for s in shares)
        or not any(s > 0 for s in shares)
    ):
        raise ConfigError(
            f"shares={shares!r}; allowed: a list of numbers in [0, 1], one of them above 0"
        )
    programmes = raw["programmes"]
    if (
        not isinstance(programmes, list)
        or not programmes
        or not all(p in PROGRAMMES for p in programmes)
        or len(set(programmes)) < len(programmes)
    ):
        raise ConfigError(
            f"programmes={programmes!r}; allowed: a list of distinct names among "
            f"{', '.join(PROGRAMMES)}"
        )
    model = raw["model"]
    if not isinstance(model, dict):
        raise ConfigError("[model] must be a table of parameters")
    if "intervention" in model or "treated_share" in model:
        raise ConfigError(
            "[model] sets intervention or treated_share; allowed: neither (programmes and "
            "shares say them)"
        )
    if model.get("treat_whom", "random") != "random":
        raise ConfigError(
            f"[model] treat_whom={model['treat_whom']!r}; allowed: 'random' (the estimates "
            "compare the treated with all the eligible of the pure control)"
        )
    if model.get("scenario") != "market":
        raise ConfigError("[model] needs scenario = 'market': programmes run in a market")
    posterior = None
    if "posterior" in raw:
        section = raw["posterior"]
        if not isinstance(section, dict):
            raise ConfigError("[posterior] must be a table")
        _known(section, _POSTERIOR, "posterior.")
        if not isinstance(section.get("file"), str) or not Path(section["file"]).is_file():
            raise ConfigError(
                f"posterior.file={section.get('file')!r}; allowed: the path of a "
                "posterior.parquet (docs/calibration/posterior.parquet)"
            )
        share = section.get("share", 0.5)
        if not _share(share) or share == 0:
            raise ConfigError(f"posterior.share={share!r}; allowed: a number in (0, 1]")
        posterior = Posterior(
            section["file"],
            _whole("posterior.draws", section.get("draws", 40), 2),
            _whole("posterior.markets", section.get("markets", 20), 2),
            float(share),
        )
    study = SaturationStudy(
        name, seed, markets, tuple(sorted({0.0, *map(float, shares)})), tuple(programmes),
        dict(model), posterior,
    )  # fmt: skip
    for programme in study.programmes:  # [model] is a valid market with each programme
        study.params(programme)
    return study


def _known(table: dict[str, Any], allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"unknown key '{prefix}{key}'; allowed: {', '.join(sorted(allowed))}")


def _whole(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name}={value!r}; allowed: a whole number >= {low}")
    return value


def _share(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and 0 <= value <= 1
    )
