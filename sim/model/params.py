"""One source of truth for every model parameter.

Each field of :class:`Params` carries its default, allowed range (or choices), unit and a one-line
meaning. Validation, the CLI's parameter listing, the strategy presets and ``docs/model.md`` all
read from here; nothing else states a default.

Examples
--------
>>> p = Params.from_dict({"specificity": 0.9, "positivity": 0.9})
>>> p.specificity, p.arrival_rate
(0.9, 0.1)
>>> Params.from_dict({"specifity": 0.9})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
sim.model.params.ConfigError: unknown parameter 'specifity' (did you mean 'specificity'?); ...
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import functools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NoReturn, get_args

import annotated_types
from pydantic import BeforeValidator, ConfigDict, Field, StrictStr, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError


class ConfigError(ValueError):
    """A parameter, config or input file is wrong. The message is one line meant for the user."""


class SweepError(RuntimeError):
    """A sweep cannot go on, through no fault of its input (workers keep dying). One line."""


@dataclass(frozen=True)
class Spec:
    """What a parameter means and which values it allows: a read-only view of its pydantic field
    (:meth:`Params.specs`), for tables and messages."""

    unit: str
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    anchor: str = ""
    rule: str = ""  # what a text parameter allows, where it is not any text

    def allowed(self) -> str:
        if self.rule:
            return self.rule
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        if self.low is None or self.high is None:
            return "any text"
        return f"a number in [{_num(self.low)}, {_num(self.high)}]"


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _p(
    default: Any, unit: str, doc: str, low=None, high=None, anchor: str = "", rule: str = ""
) -> Any:
    """A parameter's pydantic field: default, range (``ge``/``le``; choices are its ``Literal``
    type), meaning (``description``), and unit, source and the rule a text value follows in
    the JSON Schema (``unit``, ``source``, ``allowed``)."""
    extra: dict[str, Any] = {
        "unit": unit,
        **({"source": anchor} if anchor else {}),
        **({"allowed": rule} if rule else {}),
    }
    return Field(default=default, ge=low, le=high, description=doc, json_schema_extra=extra)


def _number(value: Any) -> Any:
    """Before pydantic's own parsing: a bool or a NaN is not a number (pydantic's lax mode
    would read True as 1 and compare NaN with the range)."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_a_number", "not a number")
    try:
        nan = math.isnan(float(value))
    except (TypeError, ValueError, OverflowError):
        return value  # pydantic names what is wrong with it
    if nan:
        raise PydanticCustomError("not_a_number", "not a number")
    return value


def _whole(value: Any) -> Any:
    """A whole number written as text the way float() reads it ("52", "52.0", "1e3") is that
    int; pydantic's own int parsing takes only digits."""
    value = _number(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, float):  # 1e300 is whole (then out of range); inf is not
        if value.is_integer():
            return int(value)
        raise PydanticCustomError("int_from_float", "not a whole number")
    return value


def _switch(value: Any) -> Any:
    """A switch: true or false, as TOML writes them, or the text true/false, yes/no, on/off,
    1/0 (any case, spaces around ignored: the CLI's ``--set baseline=yes``)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise PydanticCustomError("bool_parsing", "not true or false")


# Numbers as the config, the CLI and Python give them: 0.8, "0.8", 52, "52", 52.0 (a whole
# number); not True, not NaN (pydantic's lax mode, Python's float() syntax).
Real = Annotated[float, BeforeValidator(_number)]
Whole = Annotated[int, BeforeValidator(_whole)]
Switch = Annotated[bool, BeforeValidator(_switch)]
Text = StrictStr  # a str, not bytes or a number

MIX_RULE = (
    "empty, or groups 'name: share' separated by commas, each name a strategy preset "
    "(vague-gloomy, vague-positive, specific-gloomy, specific-positive) or own, the shares "
    "in [0, 1] and summing to 1"
)
MIX_NAMES = ("own", "vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive")


def mix_groups(text: str) -> tuple[tuple[str, float], ...]:
    """The (name, share) groups of a population mix as written, in its order: ``"a: 0.25,
    b: 0.75"`` (``=`` also separates a name from its share). Raises ValueError (the reason)
    on anything else; see ``sim.model.population`` for what the groups mean."""
    groups: list[tuple[str, float]] = []
    if not text.strip():
        return ()
    for part in text.split(","):
        name, sep, share = part.replace("=", ":").partition(":")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"'{part.strip()}' is not 'name: share'")
        if name not in MIX_NAMES:
            raise ValueError(f"unknown group '{name}'")
        if name in (seen[0] for seen in groups):
            raise ValueError(f"group '{name}' is named twice")
        try:
            value = float(share)
        except ValueError:
            raise ValueError(f"the share of '{name}' is not a number") from None
        if not 0.0 <= value <= 1.0:  # NaN fails this too
            raise ValueError(f"the share of '{name}' is outside [0, 1]")
        groups.append((name, value))
    total = math.fsum(share for _, share in groups)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"the shares sum to {total:g}")
    return tuple(groups)


def _mix(value: Any) -> Any:
    """A population mix in one spelling: "name: share, ..." (shares as Python writes them)."""
    if not isinstance(value, str):
        return value  # pydantic refuses it: not text
    try:
        groups = mix_groups(value)
    except ValueError as exc:
        raise PydanticCustomError("mix", "{reason}", {"reason": str(exc)}) from None
    return ", ".join(f"{name}: {share!r}" for name, share in groups)


Mix = Annotated[StrictStr, BeforeValidator(_mix)]

Scenario = Literal["single", "market"]
Graph = Literal[
    "personal",
    "erdos-renyi",
    "watts-strogatz",
    "barabasi-albert",
    "holme-kim",
    "communities",
    "karate",
    "florentine",
    "les-miserables",
    "davis",
    "file",
]
Targeting = Literal["close", "distant", "random"]
Intervention = Literal["none", "coaching", "job-club", "referral-bonus"]
TreatWhom = Literal["random", "long-term", "highest-degree"]
TieStrength = Literal["overlap", "random"]
GraphDelimiter = Literal["auto", "tab", "comma", "semicolon", "space"]
Header = Literal["auto", "yes", "no"]
GRAPHS: tuple[str, ...] = get_args(Graph)
SCENARIOS: tuple[str, ...] = get_args(Scenario)
TARGETING: tuple[str, ...] = get_args(Targeting)
INTERVENTIONS: tuple[str, ...] = get_args(Intervention)
TIE_STRENGTHS: tuple[str, ...] = get_args(TieStrength)
GRAPH_DELIMITERS: tuple[str, ...] = get_args(GraphDelimiter)
HEADERS: tuple[str, ...] = get_args(Header)
FILE_READING = {"seeker": "", "graph_delimiter": "auto", "graph_header": "auto",
                "graph_encoding": "utf-8"}  # fmt: skip
DEMOGRAPHY = ("exit_rate", "entrant_unemployed")  # market only, and off in baseline
POPULATION = ("mix", "specificity_spread", "positivity_spread")  # market only
# a programme's parameters (sim.model.interventions): market only, and only with a programme
PROGRAMME = ("treated_share", "treat_whom", "treat_start", "treat_weeks")
KIND_PARAMETERS = {"coaching": ("coaching_specificity", "coaching_positivity"),
                   "referral-bonus": ("bonus_logit",)}  # fmt: skip
WORKING_LIFE_WEEKS = 40 * 52  # a ~40-year working life (docs/model.md, 8.4)


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Params:
    """All parameters of one run, as a frozen pydantic dataclass.

    Each field holds a parameter's default, range (``ge``, ``le``) or choices (a ``Literal``
    type), unit and meaning.

    Build with :meth:`from_dict`, which adds the scenario's defaults, checks the rules over
    several parameters and raises :class:`ConfigError` (one line). ``Params(...)`` itself
    validates each field but raises pydantic's ``ValidationError``, and skips those rules.
    ``TypeAdapter(Params).json_schema()`` is the parameters' JSON Schema (``empathy-sim
    schema`` shows it inside the config's).
    """

    # --- scenario and time ---------------------------------------------------------------
    scenario: Scenario = _p(
        "single", "-", "single seeker in a personal network, or a labour market"
    )
    weeks: Whole = _p(
        26, "weeks", "horizon of one run", 1, 10_000_000, anchor="post: 26 or 52 weeks"
    )
    burn_in: Whole = _p(
        0,
        "weeks",
        "market: weeks before the measuring window; outcomes are measured after them",
        0,
        10_000_000,
    )
    baseline: Switch = _p(
        False,
        "-",
        "levers off: the Calvo-Armengol & Jackson (2004) job-information model",
    )
    # --- graph -----------------------------------------------------------------------------
    graph: Graph = _p("personal", "-", "network builder")
    n_nodes: Whole = _p(1000, "persons", "size of a generated graph (random graphs)", 2, 10_000_000)
    mean_degree: Real = _p(6.0, "ties", "mean degree of a generated graph", 1, 1000)
    rewire: Real = _p(0.1, "-", "Watts-Strogatz rewiring probability", 0, 1)
    triad_prob: Real = _p(
        0.8,
        "-",
        "Holme-Kim: P(a new tie closes a triangle)",
        0,
        1,
        anchor="Holme & Kim 2002",
    )
    community_size: Whole = _p(
        25, "persons", "communities graph: people per community", 2, 10_000_000
    )
    mixing: Real = _p(
        0.2, "-", "communities graph: expected share of a person's ties outside it", 0, 1
    )
    graph_file: Text = _p("", "path", "edge list (.edges/.txt/.csv) or GraphML file for graph=file")
    # How a graph file is read (docs/graph-files.md): the defaults detect by a stated rule.
    seeker: Text = _p(
        "", "label", "graph=file: label of the single seeker; empty: the first label in the file"
    )
    graph_delimiter: GraphDelimiter = _p("auto", "-", "graph=file: an edge list's field separator")
    graph_header: Header = _p(
        "auto", "-", "graph=file: whether an edge list's first line is a header"
    )
    graph_encoding: Text = _p("utf-8", "-", "graph=file: the file's text encoding (a codec name)")
    n_family: Whole = _p(3, "persons", "personal network: family (close ties)", 0, 1000)
    n_friends: Whole = _p(3, "persons", "personal network: close friends (close ties)", 0, 1000)
    n_colleagues: Whole = _p(6, "persons", "personal network: colleagues (regular ties)", 0, 1000)
    n_acquaintances: Whole = _p(
        8, "persons", "personal network: acquaintances (distant ties)", 0, 1000
    )
    share_close: Real = _p(
        0.2, "-", "unweighted graphs: share of ties drawn as close", 0, 1, anchor="assumption"
    )
    share_regular: Real = _p(
        0.4, "-", "unweighted graphs: share of ties drawn as regular (rest distant)", 0, 1
    )
    tie_strength: TieStrength = _p(
        "overlap",
        "-",
        "unweighted graphs: classes by neighbourhood overlap (highest closest) or at random",
        anchor="Onnela et al. 2007",
    )
    # --- strategy of a seeker ------------------------------------------------------------
    specificity: Real = _p(0.5, "-", "how concrete the ask is (0 vague, 1 one named target)", 0, 1)
    positivity: Real = _p(0.5, "-", "how capable and upbeat the seeker seems", 0, 1)
    asks_per_week: Whole = _p(3, "asks/week", "contacts asked per week (k)", 0, 1000)
    targeting: Targeting = _p("close", "-", "which ties a seeker asks first")
    banked_favours: Whole = _p(
        0, "favours", "single seeker: favours done for contacts before the job loss", 0, 1000
    )
    help_banker_share: Real = _p(
        0.0, "-", "share of persons with the help-banker habit", 0, 1, anchor="reader comment"
    )
    # --- a market's mix of strategies (sim.model.population) -------------------------------
    mix: Mix = _p(
        "",
        "-",
        "market: strategy groups and their shares of the people, e.g. 'specific-positive: "
        "0.25, own: 0.75' (own: this run's specificity and positivity); empty: one group, own",
        rule=MIX_RULE,
    )
    specificity_spread: Real = _p(
        0.0,
        "-",
        "market: spread of each person's specificity around their group's, a Beta's standard "
        "deviation as a share of the largest one its mean allows; 0: all alike",
        0,
        0.95,
    )
    positivity_spread: Real = _p(
        0.0, "-", "market: the same spread for each person's positivity", 0, 0.95
    )
    # --- an intervention in a market (sim.model.interventions) ------------------------------
    intervention: Intervention = _p(
        "none", "-", "market: a programme for some of the unemployed (docs/model.md 7.13)"
    )
    treated_share: Real = _p(
        0.5, "-", "programme: share of the eligible (unemployed when it starts) treated", 0, 1
    )
    treat_whom: TreatWhom = _p("random", "-", "programme: which of the eligible are treated first")
    treat_start: Whole = _p(
        0, "week", "programme: its first week; 0: the first week after the burn-in", 0, 10_000_000
    )
    treat_weeks: Whole = _p(
        0, "weeks", "programme: how long it runs; 0: to the end of the run", 0, 10_000_000
    )
    coaching_specificity: Real = _p(
        0.4, "-", "coaching: added to a treated seeker's specificity (kept in [0, 1])", -1, 1
    )
    coaching_positivity: Real = _p(
        0.4, "-", "coaching: added to a treated seeker's positivity (kept in [0, 1])", -1, 1
    )
    bonus_logit: Real = _p(
        1.0,
        "logit",
        "referral bonus: added to the logit of P(ACTION) of a treated seeker's employed contacts",
        -10,
        10,
    )
    # --- openings and labour market --------------------------------------------------------
    arrival_rate: Real = _p(
        0.1, "1/week", "a: probability a person hears of an opening", 0, 1, anchor="CAJ 2004"
    )
    separation_rate: Real = _p(
        0.015,
        "1/week",
        "b: probability an employed person loses the job (market)",
        0,
        1,
        anchor="CAJ 2004",
    )
    initial_unemployed: Real = _p(0.1, "-", "market: share unemployed at week 0", 0, 1)
    exit_rate: Real = _p(
        round(1 / WORKING_LIFE_WEEKS, 6),
        "1/week",
        "market: P(a person retires and a new entrant takes the node)",
        0,
        1,
        anchor="~40-year working life",
    )
    entrant_unemployed: Real = _p(
        1.0, "-", "market: share of entrants who start out looking for work", 0, 1
    )
    experienced_share: Real = _p(
        0.5, "-", "share who have been unemployed before (job-search fraternity)", 0, 1
    )
    # --- answers to an ask: P(ACTION) is logistic in these terms ---------------------------
    action_base: Real = _p(-2.5, "logit", "P(ACTION) intercept: vague, gloomy, no credit", -10, 10)
    w_specificity: Real = _p(2.0, "logit", "P(ACTION) gain from a fully specific ask", 0, 10)
    w_positivity: Real = _p(1.5, "logit", "P(ACTION) gain from full positivity", 0, 10)
    w_owed: Real = _p(1.0, "logit/log1p(favour)", "direct reciprocity: gain per owed favour", 0, 10)
    w_reputation: Real = _p(
        0.5, "logit/log1p(help)", "indirect reciprocity: gain per public help", 0, 10
    )
    w_experience: Real = _p(0.75, "logit", "gain if the contact was ever unemployed", 0, 10)
    w_pity: Real = _p(1.0, "logit/pity", "loss per unit of pity heard in gossip", 0, 10)
    w_banker: Real = _p(1.0, "logit", "gain if the contact is a help-banker", 0, 10)
    motivation_close: Real = _p(-1.5, "logit", "tie motivation, close ties", -5, 5)
    motivation_regular: Real = _p(1.5, "logit", "tie motivation, regular ties", -5, 5)
    motivation_distant: Real = _p(-0.5, "logit", "tie motivation, distant ties", -5, 5)
    ears_base: Real = _p(0.5, "logit", "P(EARS_OPEN | not ACTION) intercept", -10, 10)
    ears_w_specificity: Real = _p(1.5, "logit", "vaguer asks give more EARS_OPEN", 0, 10)
    ears_w_positivity: Real = _p(1.5, "logit", "gloomier asks give more SYMPATHY", 0, 10)
    ears_w_close: Real = _p(1.0, "logit", "close ties lean to SYMPATHY", 0, 10)
    # --- out of earshot --------------------------------------------------------------------
    gossip_rate: Real = _p(0.2, "1/week", "P(an aware contact talks about the seeker)", 0, 1)
    relay_rate: Real = _p(
        1.0,
        "-",
        "P(a listener who does not know the seeker keeps a told ask: reach beyond one hop)",
        0,
        1,
        anchor="unestimated",
    )
    # --- passing and hiring ----------------------------------------------------------------
    fit_base: Real = _p(0.2, "-", "P(an opening suits a seeker open to everything)", 0, 1)
    fit_cost: Real = _p(0.3, "-", "share of that fit lost with a fully specific target", 0, 1)
    pass_base: Real = _p(
        0.27,
        "-",
        "P(pass a fitting opening) for UNAWARE and SYMPATHY contacts",
        0,
        1,
        anchor="Marin 2012",
    )
    banker_pass: Real = _p(0.6, "-", "the same base rate for a help-banker", 0, 1)
    recognise_vague: Real = _p(0.3, "-", "EARS_OPEN: P(recognise the fit) of a vague ask", 0, 1)
    recognise_specific: Real = _p(
        0.9, "-", "EARS_OPEN: P(recognise the fit) of a fully specific ask", 0, 1
    )
    hire_intro: Real = _p(0.6, "-", "P(hire) for an introduction (ACTION), positive seeker", 0, 1)
    hire_lead: Real = _p(0.3, "-", "P(hire) for a bare lead, positive seeker", 0, 1)
    hire_direct: Real = _p(0.3, "-", "P(hire) for a direct application that fits", 0, 1)
    gloom_penalty: Real = _p(
        0.3, "-", "share of a passed opening's hire chance lost by a fully gloomy seeker", 0, 1
    )
    credit_decay: Real = _p(
        0.0,
        "1/week",
        "weekly decay of favours owed and reputation (market default: half-life of a year)",
        0,
        1,
    )

    # ------------------------------------------------------------------------------------
    @classmethod
    def specs(cls) -> dict[str, Spec]:
        """Each parameter's :class:`Spec`, read from its pydantic field (``_SPECS`` caches it)."""
        return {name: _spec(info) for name, info in _fields(cls).items()}

    @classmethod
    def defaults(cls, scenario: str = "single") -> dict[str, Any]:
        """Every parameter's default in a scenario (``SCENARIO_DEFAULTS`` over the field's)."""
        values = {name: info.default for name, info in _fields(cls).items()}
        values.update(SCENARIO_DEFAULTS[scenario])
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None = None, *, strategy: str | None = None):
        """Validate ``values`` (on top of a named ``strategy`` preset) into a :class:`Params`.

        Raises :class:`ConfigError` with one line naming the problem and what is allowed.
        """
        merged: dict[str, Any] = {}
        if strategy is not None:
            merged.update(preset(strategy))
        merged.update(values or {})
        scenario = _coerce("scenario", merged.get("scenario", "single"))
        try:  # pydantic validates every field once; the first refusal in the user's order
            params = cls(**{**SCENARIO_DEFAULTS[scenario], **merged})
        except ValidationError as exc:
            refused = {str(error["loc"][0]): error for error in exc.errors()}
            name = next(name for name in merged if name in refused)
            if name not in _SPECS:
                _unknown(name)
            raise ConfigError(_message(refused[name], name, merged[name])) from None
        if scenario == "market" and "burn_in" not in merged and params.burn_in >= params.weeks:
            raise ConfigError(
                f"weeks={params.weeks} leaves no measuring window after the market's default "
                f"burn_in of {params.burn_in} weeks; allowed: weeks > {params.burn_in}, or set "
                "burn_in below weeks (burn_in=0 measures from week 1, start-up included)"
            )
        params._check_joint()
        return params

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes``. A new ``scenario`` also brings its own defaults for the
        parameters that still hold the old scenario's default (a market's graph and burn-in)."""
        values = self.as_dict()
        scenario = changes.get("scenario", self.scenario)
        if scenario != self.scenario and scenario in SCENARIO_DEFAULTS:
            old = Params.defaults(self.scenario)
            for name in set(SCENARIO_DEFAULTS[scenario]) | set(SCENARIO_DEFAULTS[self.scenario]):
                if values[name] == old[name]:
                    del values[name]
        return Params.from_dict({**values, **changes})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def _check_joint(self) -> None:
        if self.recognise_specific < self.recognise_vague:
            raise ConfigError(
                f"recognise_specific ({self.recognise_specific:g}) must be >= recognise_vague "
                f"({self.recognise_vague:g}): recognition never falls as the ask gets specific"
            )
        if self.hire_intro < self.hire_lead:
            raise ConfigError(
                f"hire_intro ({self.hire_intro:g}) must be >= hire_lead ({self.hire_lead:g}): "
                "an introduction is never worth less than a bare lead"
            )
        if self.share_close + self.share_regular > 1:
            raise ConfigError(
                f"share_close + share_regular is {self.share_close + self.share_regular:g}; "
                "allowed: at most 1 (the rest are distant ties)"
            )
        if self.scenario == "single" and self.burn_in > 0:
            raise ConfigError(
                f"burn_in={self.burn_in} applies to the market scenario only; allowed for a "
                "single seeker: 0 (every week of the search is measured)"
            )
        if self.burn_in >= self.weeks:
            raise ConfigError(
                f"burn_in ({self.burn_in}) must be below weeks ({self.weeks}): the measuring "
                "window (weeks after the burn-in) would be empty"
            )
        defaults = Params.defaults(self.scenario)
        for name in DEMOGRAPHY:
            if getattr(self, name) != defaults[name] and (
                self.scenario == "single" or self.baseline
            ):
                why = (
                    "a single seeker has no" if self.scenario == "single" else "baseline turns off"
                )
                raise ConfigError(
                    f"{name}={getattr(self, name):g} has no effect: {why} demography; allowed: "
                    "scenario=market without baseline, or leave it at its default"
                )
        if self.graph == "communities" and self.community_size >= self.n_nodes:
            raise ConfigError(
                f"community_size ({self.community_size}) must be below n_nodes ({self.n_nodes}): "
                "the communities graph needs at least two communities"
            )
        if self.graph == "file" and not self.graph_file:
            raise ConfigError("graph=file needs graph_file: the path of an edge list or GraphML")
        for name, default in FILE_READING.items():
            if self.graph != "file" and getattr(self, name) != default:
                raise ConfigError(
                    f"{name}={getattr(self, name)!r} has no effect: it says how a graph file is "
                    f"read; allowed: graph=file, or leave it at {default!r}"
                )
        check_encoding(self.graph_encoding)
        self._check_programme()
        for name in (*POPULATION, "intervention"):
            if self.baseline and getattr(self, name) != Params.defaults()[name]:
                raise ConfigError(
                    f"{name}={getattr(self, name)!r} has no effect: baseline turns off the "
                    "levers it acts through; allowed: baseline=false, or leave it at its default"
                )
        for name in POPULATION:
            if self.scenario == "single" and getattr(self, name) != Params.defaults()[name]:
                raise ConfigError(
                    f"{name}={getattr(self, name)!r} has no effect: a single seeker asks with "
                    "specificity and positivity alone; allowed: scenario=market, or leave it at "
                    "its default"
                )

    def _check_programme(self) -> None:
        defaults = Params.defaults()
        if self.intervention != "none" and self.scenario == "single":
            raise ConfigError(
                f"intervention={self.intervention!r} applies to the market scenario only; "
                "allowed: scenario=market, or intervention='none'"
            )
        owned = {name: kind for kind, names in KIND_PARAMETERS.items() for name in names}
        for name in (*PROGRAMME, *owned):
            if getattr(self, name) == defaults[name]:
                continue
            needs = owned.get(name)
            if self.intervention == "none" or (needs is not None and self.intervention != needs):
                wanted = f"intervention={needs!r}" if needs else "an intervention"
                raise ConfigError(
                    f"{name}={getattr(self, name)!r} has no effect with "
                    f"intervention={self.intervention!r}; allowed: {wanted}, or leave it at "
                    "its default"
                )
        start = self.treat_start or self.burn_in + 1
        if self.intervention != "none" and not self.burn_in < start <= self.weeks:
            raise ConfigError(
                f"treat_start={self.treat_start} is outside the measuring window; allowed: a "
                f"week in [{self.burn_in + 1}, {self.weeks}], or 0 for week {self.burn_in + 1}"
            )


# The parameters that Params.from_dict checks together: a rule over two or more of them
# (_check_joint, the market's burn-in) or a default that follows the scenario. Any other
# parameter is valid or not on its own (check_value), so a design is checked value by value
# and over the combinations of these alone (sim.experiment.config). Every rule over them is an
# inequality, linear in each (a <= b, a + b <= 1, a < b), or a value other than the default:
# it holds over a box of ranges if it holds at the box's corners. tests/test_params.py reads
# the rules' code to keep this set complete.
JOINT = frozenset(
    {
        "scenario", "weeks", "burn_in", "baseline", "recognise_vague", "recognise_specific",
        "hire_intro", "hire_lead", "share_close", "share_regular", "graph", "graph_file",
        "community_size", "n_nodes", *DEMOGRAPHY, *FILE_READING, *POPULATION, "intervention",
        *PROGRAMME, *(name for names in KIND_PARAMETERS.values() for name in names),
    }
)  # fmt: skip


# Defaults that follow the scenario. A market is a population over years: it runs on a clustered
# population graph, favours fade (a half-life of one year: 1 - 0.5 ** (1 / 52)), and outcomes
# are measured after a burn-in long enough for the stationarity diagnostic to pass at defaults
# (docs/model.md, 7.11 and 8.4). A single seeker keeps the field defaults.
# The market's CALIBRATED values come from `empathy-sim calibrate configs/calibrate-market.toml`
# (ABC-SMC on US moments before 2020, configs/targets/us-2019.toml): the calibrated point of
# docs/calibration/calibrated.toml, the posterior in docs/calibration/ (docs/calibration.md).
CALIBRATED_MARKET: dict[str, Any] = {
    "arrival_rate": 0.257,
    "separation_rate": 0.00184,
    "fit_base": 0.227,
    "fit_cost": 0.665,
    "hire_direct": 0.824,
    "pass_base": 0.154,
    "action_base": -4.06,
    "gossip_rate": 0.381,
    "relay_rate": 0.981,
}
SCENARIO_DEFAULTS: dict[str, dict[str, Any]] = {
    "single": {},
    "market": {
        "graph": "holme-kim",
        "weeks": 1040,
        "burn_in": 520,
        "credit_decay": 0.0133,
        **CALIBRATED_MARKET,
    },
}


def check_encoding(encoding: str) -> None:
    """Refuse (one line) a name that is not a text encoding Python knows (``rot13`` and ``hex``
    are codecs, but not of text)."""
    try:
        # CodecInfo._is_text_encoding is what bytes.decode itself checks (CPython's codecs)
        text = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
    except LookupError:
        text = False
    if not text:
        raise ConfigError(
            f"graph_encoding={encoding!r} is not a text encoding; allowed: a Python codec name "
            "such as utf-8, latin-1, cp1252, utf-16"
        )


def check_seed(seed: Any) -> int | None:
    """A seed is None or a whole number >= 0 (NumPy integers included, as batch_run may pass)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ConfigError(f"seed={seed!r} is not allowed; allowed: a whole number >= 0")
    return int(seed)


def _fields(cls: type) -> dict[str, FieldInfo]:
    """A pydantic dataclass's fields by name (the attribute pydantic sets on the class)."""
    return cls.__pydantic_fields__  # type: ignore[attr-defined]


def _spec(info: Any) -> Spec:
    """A pydantic field as a :class:`Spec`: range from its ``Ge``/``Le`` metadata, choices from
    its ``Literal`` type (a bool's are false and true), unit and source from its schema extra."""
    extra = info.json_schema_extra or {}
    low: Any = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    high: Any = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    choices = get_args(info.annotation) or None
    if info.annotation is bool:
        choices = ("false", "true")
    return Spec(
        extra["unit"],
        info.description,
        low,
        high,
        choices,
        extra.get("source", ""),
        extra.get("allowed", ""),
    )


_SPECS = Params.specs()


@functools.cache
def _adapter(name: str) -> TypeAdapter:
    """A validator of one parameter alone: its field's type with the field's constraints."""
    info = _fields(Params)[name]
    if not info.metadata:
        return TypeAdapter(info.annotation)  # type: ignore[arg-type]
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)])  # type: ignore[arg-type]


def check_value(name: str, value: Any) -> Any:
    """One parameter's value checked on its own (name, type, range or choices) and returned
    with the declared type; rules over several parameters are :meth:`Params.from_dict`'s.

    Raises :class:`ConfigError` (one line: the name, the value, what is allowed)."""
    return _coerce(name, value)


def _coerce(name: str, value: Any) -> Any:
    """Check one value with its field's pydantic validator; translate a refusal to one line."""
    if name not in _SPECS:
        _unknown(name)
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as exc:
        raise ConfigError(_message(exc.errors()[0], name, value)) from None


def _unknown(name: str) -> NoReturn:
    close = difflib.get_close_matches(name, _SPECS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ConfigError(
        f"unknown parameter '{name}'{hint}; see `empathy-sim params` for the allowed names"
    )


# pydantic's error types, grouped by the one-line message a user gets for them.
_NOT_A_NUMBER = {"float_parsing", "int_parsing", "not_a_number", "float_type", "int_type",
                 "finite_number"}  # fmt: skip
_NOT_WHOLE = {"int_from_float"}
_OUT_OF_RANGE = {"greater_than_equal", "less_than_equal", "int_parsing_size"}
_NOT_A_BOOL = {"bool_parsing", "bool_type"}


def _message(error: ErrorDetails, name: str, value: Any) -> str:
    """pydantic's refusal of ``value`` for parameter ``name`` as this package's one line."""
    spec, kind = _SPECS[name], error["type"]
    if kind == "mix":
        return f"{name}={value!r} is not allowed ({error['msg']}); allowed: {spec.allowed()}"
    if kind in _NOT_A_BOOL:
        return f"{name}={value!r} is not allowed; allowed: true or false"
    if kind in _OUT_OF_RANGE:
        return f"{name}={value!r} is out of range; allowed: {spec.allowed()}"
    if kind in _NOT_WHOLE:
        return f"{name}={value!r} must be a whole number; allowed: {spec.allowed()}"
    if kind in _NOT_A_NUMBER:
        return f"{name}={value!r} is not a number; allowed: {spec.allowed()}"
    return f"{name}={value!r} is not allowed; allowed: {spec.allowed()}"


# Strategy presets: what a seeker does. "Vague" and "gloomy" sit at 0.1, not 0: nobody asks
# with no content at all, and the post's examples are strong but not absolute.
PRESETS: dict[str, dict[str, Any]] = {
    "vague-gloomy": {"specificity": 0.1, "positivity": 0.1},
    "vague-positive": {"specificity": 0.1, "positivity": 0.9},
    "specific-gloomy": {"specificity": 0.9, "positivity": 0.1},
    "specific-positive": {"specificity": 0.9, "positivity": 0.9},
    # The seeker's own bank of favours; the habit in a population is help_banker_share.
    "help-banker": {"specificity": 0.5, "positivity": 0.5, "banked_favours": 8},
}


def preset(name: str) -> dict[str, Any]:
    """The parameter values of a named strategy preset."""
    if name not in PRESETS:
        raise ConfigError(f"unknown strategy '{name}'; allowed: {', '.join(PRESETS)}")
    return dict(PRESETS[name])
