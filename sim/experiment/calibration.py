"""Calibration of the market to observed moments: ABC-SMC through pyabc.

A calibration config names the targets file, the base parameters of the market, a prior per
calibrated parameter and the sampler's settings::

    name = "calibrate-market"
    seed = 20261202
    targets = "targets/us-2019.toml"        # relative to the config file

    [model]
    scenario = "market"

    [priors]
    arrival_rate = [0.05, 0.8]              # uniform on [low, high]
    separation_rate = { distribution = "loguniform", low = 0.001, high = 0.02 }

    [abc]
    population_size = 200
    generations = 8
    min_epsilon = 0.5
    max_minutes = 55

Approximate Bayesian computation with sequential Monte Carlo (Toni et al. 2009, J. R. Soc.
Interface 6) as pyabc implements it (Klinger, Rickert & Hasenauer 2018, Bioinformatics 34;
Schaelte et al. 2022, JOSS 7): a population of parameter particles, each accepted when the
simulated market's distance to the targets (``sim.experiment.targets.distance``) is below the
generation's epsilon, the median of the previous generation's distances (pyabc's
``QuantileEpsilon``); particles perturbed by pyabc's multivariate normal kernel and weighted by
prior over proposal.

Reproducible: pyabc's ``MappingSampler`` draws one particle per task; here each task gets its
own seed from ``SeedSequence([seed, generation + 1]).spawn(population_size)``, and a task's
result depends on that seed alone. So the posterior is the same whatever the number of workers
or the backend (here, processes, Dask), and a calibration that is interrupted and resumed from
its pyabc history (generation by generation) gives the same particles as one run straight
through. (pyabc's own multicore and Dask samplers keep whichever particles finish first, so
their results depend on timing.)

Results go to ``results/<name>/``: ``history.db`` (pyabc's SQLite history), ``manifest.json``,
``posterior.parquet`` (the last generation's particles and weights), ``summary.csv``
(posterior median and 90% interval per parameter, and the ratio of the posterior's 90% width
to the prior's: near 1, the targets do not identify the parameter), ``predictive.parquet``
and ``predictive.csv`` (each moment simulated under posterior draws against its target, fit
and held-out apart) and ``calibrated.toml`` (the calibrated point, :func:`calibrated_point`,
as a ``[model]`` block). The manifest's ``status`` is written last: ``finished``, or ``stopped
by its budget`` (a posterior of the generations done; run again with a larger budget to go on).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import math
import random
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import MappingSampler
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiment.config import read_file, read_toml
from sim.experiment.progress import duration
from sim.experiment.targets import MOMENTS, UNDEFINED, Targets, distance, load_targets, moments
from sim.model.params import ConfigError, Params

HISTORY = "history.db"
QUANTILES = (0.05, 0.5, 0.95)  # the summary's 90% interval and median


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prior(_Strict):
    """A prior over one parameter; uniform on [low, high] unless told otherwise."""

    distribution: Literal["uniform", "loguniform", "normal"] = Field(
        default="uniform",
        description="uniform or loguniform on [low, high]; normal(mean, sd) truncated to "
        "[low, high]",
    )
    low: float
    high: float
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"[{self.low:g}, {self.high:g}]: low must be < high")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform prior needs low > 0")
        if self.distribution == "normal" and (self.mean is None or self.sd is None):
            raise ValueError("a normal prior needs mean and sd (and low, high to truncate)")
        if self.distribution != "normal" and (self.mean is not None or self.sd is not None):
            raise ValueError(f"mean and sd apply to a normal prior, not {self.distribution}")
        return self

    def rv(self) -> Any:
        """The prior as a pyabc random variable (a frozen scipy.stats distribution)."""
        if self.distribution == "uniform":
            return pyabc.RV("uniform", self.low, self.high - self.low)
        if self.distribution == "loguniform":
            return pyabc.RV("loguniform", self.low, self.high)
        assert self.mean is not None and self.sd is not None
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return pyabc.RV("truncnorm", a, b, self.mean, self.sd)

    def quantiles(self, qs: tuple[float, ...] = QUANTILES) -> list[float]:
        return [float(self.rv().distribution.ppf(q)) for q in qs]


class ABCSettings(_Strict):
    """The ``[abc]`` table of a calibration config: the ABC-SMC sampler's budget (particles,
    generations, the epsilon to stop at, wall-time)."""

    population_size: int = Field(default=200, ge=10, le=100_000, description="particles")
    generations: int = Field(default=8, ge=1, le=100, description="at most this many")
    min_epsilon: float = Field(
        default=0.0, ge=0, description="stop once a generation's epsilon is at or below it"
    )
    max_minutes: float = Field(
        default=60.0,
        gt=0,
        le=10_080,
        description="wall-time budget: no generation starts past it (at most a week)",
    )
    predictive_draws: int = Field(
        default=100, ge=1, le=100_000, description="posterior draws for the predictive check"
    )
    replicates: int = Field(
        default=1, ge=1, le=100, description="markets per simulation (their moments pooled)"
    )


class Calibration(_Strict):
    """A validated calibration config."""

    name: str = Field(default="", pattern=r"^([A-Za-z0-9_][A-Za-z0-9_.-]*)?$", max_length=200)
    seed: int = Field(ge=0, description="root seed: fixes every simulation and the sampler")
    targets: str = Field(description="targets file, relative to the config file")
    model: dict[str, Any] = Field(default_factory=dict, description="base parameters")
    priors: dict[str, list[float] | dict[str, Any]] = Field(
        min_length=1, description="parameter -> [low, high] (uniform), or a Prior table"
    )
    abc: ABCSettings = Field(default_factory=ABCSettings)

    def prior(self, name: str) -> Prior:
        value = self.priors[name]
        try:
            if isinstance(value, dict):
                return Prior.model_validate(value)
            if len(value) != 2:
                raise ValueError("give [low, high]")
            return Prior(low=value[0], high=value[1])
        except (ValidationError, ValueError) as exc:
            raise ValueError(f"priors.{name}: {_error_line(exc)}") from None


def parse_calibration(text: str, source: str = "config", folder: Path | None = None):
    """Validate a calibration config into ``(Calibration, Targets, targets path)``; every
    problem is one :class:`ConfigError` line."""
    raw = read_toml(text, source)
    if "design" in raw and "priors" not in raw:
        raise ConfigError(
            f"{source}: a sweep config (it has [design], no [priors]); run it with empathy-sim run"
        )
    try:
        config = Calibration.model_validate(raw)
        priors = {name: config.prior(name) for name in config.priors}
    except (ValidationError, ValueError) as exc:
        raise ConfigError(f"{source}: {_error_line(exc)}") from None
    if not config.name:
        config.name = Path(source).stem
    specs = Params.specs()
    types = {name: type(value) for name, value in Params.defaults().items()}
    for name, prior in priors.items():
        if name not in specs:
            try:
                Params.from_dict({name: 0})
            except ConfigError as exc:
                raise ConfigError(f"{source}: priors: {exc}") from None
        spec = specs[name]
        if types[name] is not float or spec.low is None or spec.high is None:
            raise ConfigError(
                f"{source}: priors.{name}: only parameters with real values can be calibrated "
                f"({name} is {'a whole number' if types[name] is int else spec.allowed()})"
            )
        if not (spec.low <= prior.low and prior.high <= spec.high):
            raise ConfigError(
                f"{source}: priors.{name} = [{prior.low:g}, {prior.high:g}]; allowed: within "
                f"[{spec.low:g}, {spec.high:g}]"
            )
        if name in config.model:
            raise ConfigError(
                f"{source}: {name} is both in [model] and in [priors]; allowed: one of them"
            )
    try:
        base = Params.from_dict(config.model)
        Params.from_dict({**config.model, **{n: p.quantiles((0.5,))[0] for n, p in priors.items()}})
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    if base.scenario != "market":
        raise ConfigError(
            f"{source}: [model] scenario = '{base.scenario}'; allowed: 'market' (the targets "
            "are moments of a labour market)"
        )
    path = (folder or Path(".")) / config.targets
    targets = load_targets(path)
    return config, targets, path


def _error_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"] if not str(p).startswith("list["))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "missing"
        return f"{where}: {message}" if where else message
    return str(exc)


def load_calibration(path: str):
    """``(Calibration, Targets, targets path, config text)`` of a calibration config file."""
    text = read_file(path)
    return (*parse_calibration(text, source=path, folder=Path(path).parent), text)


# --- the simulator pyabc calls -----------------------------------------------------------------
class MarketSimulator:
    """``simulator(parameter) -> moments``: the markets of one particle, on the Numba core.

    The seed of the simulation is drawn from ``np.random``, which the sampler seeds per task,
    so a particle's moments depend on its task's seed alone. Parameters that break a joint rule
    of :class:`Params` (none of the shipped priors can) give undefined moments: rejected.
    """

    def __init__(self, base: dict[str, Any], replicates: int = 1) -> None:
        self.base, self.replicates = dict(base), replicates

    def __call__(self, parameter: Any) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        return self.simulate(dict(parameter), seed)

    def simulate(self, values: dict[str, float], seed: int) -> dict[str, float]:
        from sim.analysis.market import outcomes
        from sim.model.runs import run

        try:
            params = Params.from_dict({**self.base, **{k: float(v) for k, v in values.items()}})
        except ConfigError:
            return {name: math.nan for name in MOMENTS}
        runs = run(params, self.replicates, seed, threads=1, per_person=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # undefined ratios are NaN
            table = moments(outcomes(runs))
        return {name: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan
                for name, v in table.items()}  # fmt: skip


class TargetDistance:
    """pyabc's distance callable: :func:`sim.experiment.targets.distance`, the observed data
    aside."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def __call__(self, x: dict[str, float], x_0: dict[str, float]) -> float:
        return distance(x, self.targets)


class SeededMappingSampler(MappingSampler):
    """pyabc's MappingSampler with one seed per task, from the root seed and the generation
    (``SeedSequence([seed, t + 1]).spawn(n)``; t = -1 is pyabc's calibration sample from the
    prior), instead of a seed from the operating system: each task samples until it has one
    accepted particle, so the particle of task i depends only on (seed, t, i)."""

    def __init__(self, map_: Callable, seed: int) -> None:
        super().__init__(map_=map_)
        self.root_seed = seed

    def map_function(self, simulate_one: Any, seed: Any) -> Any:
        simulate_one = self.unpickle(simulate_one)
        np.random.seed(seed)
        random.seed(seed)
        evaluations, sample = 0, self._create_empty_sample()
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):  # type: ignore[override]
        children = np.random.SeedSequence([self.root_seed, t + 1]).spawn(n)
        seeds = [int(c.generate_state(1)[0]) for c in children]
        real_map = self.map_
        # the base class maps over [None] * n: map over the tasks' seeds instead
        self.map_ = lambda function, _: list(real_map(function, seeds))
        try:
            return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
        finally:
            self.map_ = real_map


# --- where simulations run ---------------------------------------------------------------------
def _init_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


@contextlib.contextmanager
def mapper(workers: int, backend: str = "processes", scheduler: str = "") -> Iterator[Callable]:
    """A ``map(function, items) -> list`` over worker processes, Dask, or here (1 worker)."""
    if backend == "dask":
        from sim.experiment.executors import dask_client

        client, cluster = dask_client(workers, scheduler)
        try:
            yield lambda f, items: client.gather(client.map(f, list(items), pure=False))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif workers <= 1:
        yield lambda f, items: list(map(f, items))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
        )
        try:
            yield lambda f, items: list(pool.map(f, list(items)))
        finally:
            from sim.experiment.executors import stop_pool

            stop_pool(pool)  # Ctrl-C: running tasks are killed, not waited for


# --- the calibration -----------------------------------------------------------------------------
def config_hash(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of a calibration config's text: what a resume
    checks to be the same calibration (sweeps keep all 64, ``sim.experiment.sweep``)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _quiet_pyabc() -> None:
    """pyabc logs an INFO block per generation: this module prints its own progress line."""
    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "History", "Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("ABC.History", "ABC.Sampler", "ABC.Epsilon", "ABC.Distance", "ABC.Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _abcsmc(config: Calibration, targets: Targets, map_: Callable, t: int) -> Any:
    priors = pyabc.Distribution(**{name: config.prior(name).rv() for name in config.priors})
    return pyabc.ABCSMC(
        MarketSimulator(config.model, config.abc.replicates),
        priors,
        pyabc.distance.FunctionDistance(TargetDistance(targets)),
        population_size=config.abc.population_size,
        sampler=SeededMappingSampler(map_, config.seed),
        eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
    )


def observed(targets: Targets) -> dict[str, float]:
    """What pyabc stores as the observed data: each target's value (0 for a sign target)."""
    return {t.name: float(t.value) if t.value is not None else 0.0 for t in targets.target}


def calibrate(
    config_path: str,
    results: str = "results",
    workers: int = 1,
    backend: str = "processes",
    scheduler: str = "",
    force: bool = False,
    dry_run: bool = False,
    stream: Any = sys.stdout,
    max_minutes: float | None = None,
    settings: ABCSettings | None = None,
) -> Path:
    """Run (or resume) a calibration; write its tables; return the results folder.

    ``settings`` replace the config's ``[abc]`` (``--quick``), the results then going to
    ``<name>-quick``; ``max_minutes`` replaces its budget alone (the results stay comparable:
    a calibration stopped by its budget resumes with a larger one).
    """
    config, targets, targets_path, text = load_calibration(config_path)
    if max_minutes is not None and not 0 < max_minutes <= 10_080:
        raise ConfigError(
            f"--max-minutes {max_minutes:g}; allowed: a number of minutes > 0, at most 10080"
        )
    if settings is not None:
        config = config.model_copy(update={"abc": settings, "name": config.name + "-quick"})
    folder = Path(results) / config.name
    budget = 60 * (config.abc.max_minutes if max_minutes is None else max_minutes)
    say = functools.partial(print, file=stream, flush=True)
    say(
        f"{config_path}: calibrating {', '.join(config.priors)} to {len(targets.fit())} fit "
        f"moments of {targets_path} ({len(targets.held_out())} held out); population "
        f"{config.abc.population_size}, at most {config.abc.generations} generations, budget "
        f"{duration(budget)}, root seed {config.seed}"
    )
    graph_bytes = b""
    if config.model.get("graph") == "file":  # say what it reads; a changed file is new input
        from sim.model.graphs import file_graph_lines

        base = Params.from_dict(config.model)
        for line in file_graph_lines(base, config.seed):
            say(line)
        graph_bytes = Path(base.graph_file).read_bytes()
    manifest = folder / "manifest.json"
    settings_used = config.abc.model_dump(exclude={"max_minutes"})
    targets_text = targets_path.read_text(encoding="utf-8")
    digest = config_hash(text + targets_text + json.dumps(settings_used))
    if graph_bytes:
        digest = config_hash(digest + hashlib.sha256(graph_bytes).hexdigest())
    if manifest.is_file() and not force:
        previous = json.loads(manifest.read_text()).get("config_hash")
        if previous != digest:
            raise ConfigError(
                f"{folder} holds a calibration of another config or targets file; allowed: "
                "the same config (to resume), another name, or --force to start afresh"
            )
    simulator = MarketSimulator(config.model, config.abc.replicates)
    if not dry_run and not force and _complete(folder, config):
        say(f"{folder}: this calibration has finished; its outputs are there (--force to redo)")
        for line in format_summary(pd.read_csv(folder / "summary.csv"), ess(folder)):
            say(line)
        return folder
    if dry_run:
        _estimate(config, simulator, workers, say)
        return folder
    if scheduler:  # a wrong address is found out before anything is removed, written or compiled
        from sim.experiment.executors import connect

        connect(scheduler).close()
    folder.mkdir(parents=True, exist_ok=True)
    # A calibration's outputs describe its last finished run: none survive into a new one
    # (they are written again at its end, the manifest's status last).
    for path in [*(folder / name for name in OUTPUTS), *folder.glob("calibration-*.*")]:
        path.unlink(missing_ok=True)
    if force or _generations_done(folder) == 0:
        # nothing to resume: a history without a finished generation is begun again (its
        # prior sample is drawn again from the same seeds)
        for path in folder.glob(HISTORY + "*"):
            path.unlink()
    _write_manifest(manifest, config, text, digest, targets, targets_path, "running")
    _quiet_pyabc()
    database = "sqlite:///" + str((folder / HISTORY).resolve())
    started = time.monotonic()
    say("loading the Numba core (the first time on a machine it compiles: about a minute) ...")
    simulator.simulate({n: config.prior(n).quantiles((0.5,))[0] for n in config.priors}, 0)
    with mapper(workers, backend, scheduler) as map_:
        done, last = _generations_done(folder), None
        if done:
            say(f"resuming: {done} generation(s) already in {folder / HISTORY}")
        while True:
            history = _history(database) if done else None
            if history is not None and _finished(history, config):
                break
            elapsed = time.monotonic() - started
            if last is not None and elapsed + last > budget:
                say(f"stopping: another generation would pass the budget of {duration(budget)}")
                break
            if done >= config.abc.generations:
                break
            abc = _abcsmc(config, targets, map_, done)
            if done == 0:
                abc.new(database, observed(targets))
            else:
                abc.load(database, 1)
            begun = time.monotonic()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pyabc's and pandas' library warnings
                history = abc.run(max_nr_populations=1)
            last = time.monotonic() - begun
            done = int(history.max_t) + 1
            _tell(history, config, last, budget - (time.monotonic() - started), say)
            _check_epsilon(history)
        state = DONE[0] if _finished(_history(database), config) else DONE[1]
    write_outputs(folder, config, targets, workers, backend, scheduler, say)
    _write_manifest(manifest, config, text, digest, targets, targets_path, state, done)
    if state != DONE[0]:
        say(f"stopped by its budget after {done} generation(s): run it again to go on")
    say(f"calibration took {duration(time.monotonic() - started)} (this session)")
    return folder


def quick_settings() -> ABCSettings:
    """``--quick``: a population of 40 over 2 generations and 20 predictive draws (a minute)."""
    return ABCSettings(population_size=40, generations=2, predictive_draws=20, max_minutes=10)


def summary_table(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished calibration's summary.csv and predictive.csv."""
    check_done(folder)
    paths = [Path(folder) / "summary.csv", Path(folder) / "predictive.csv"]
    summary_csv, check = (pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in paths)
    return summary_csv, check


def _estimate(config: Calibration, simulator: MarketSimulator, workers: int, say: Any) -> None:
    point = {n: config.prior(n).quantiles((0.5,))[0] for n in config.priors}
    simulator.simulate(point, 0)  # compile
    times = []
    for seed in range(1, 6):
        begun = time.perf_counter()
        simulator.simulate(point, seed)
        times.append(time.perf_counter() - begun)
    each = float(np.median(times))
    n, g = config.abc.population_size, config.abc.generations
    say(f"one simulation at the priors' medians: {each * 1000:.0f} ms (median of 5)")
    for rate in (1.0, 0.2, 0.05):
        total = n * (1 + g / rate) * each / max(workers, 1)
        say(
            f"  at an acceptance rate of {rate:.0%}: {duration(n / rate * each / workers)} a "
            f"generation, {duration(total)} for {g} generations on {workers} worker(s)"
        )
    say(
        "ABC's acceptance rate falls as epsilon shrinks (often to 5-20%); the budget of "
        f"{duration(60 * config.abc.max_minutes)} stops it before a generation would pass it"
    )


def _check_epsilon(history: Any) -> None:
    """Markets with an undefined fit moment score UNDEFINED: if half of a generation did, the
    next epsilon would accept them; stop instead."""
    populations = history.get_all_populations()
    if float(populations.epsilon.iloc[-1]) >= UNDEFINED:
        raise ConfigError(
            "more than half of the simulated markets leave a fit moment undefined (no hires, "
            "say); allowed: priors under which markets hire, or other fit moments"
        )


OUTPUTS = ("posterior.parquet", "summary.csv", "predictive.parquet", "predictive.csv",
           "calibrated.toml")  # fmt: skip
DONE = ("finished", "stopped by its budget")


def status(folder: Path) -> str:
    """A calibration folder's status from its manifest: running, finished or stopped by its
    budget ('' if there is no calibration manifest)."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(manifest.get("status", "")) if isinstance(manifest, dict) else ""


def _complete(folder: Path, config: Calibration) -> bool:
    """Finished (not stopped by its budget) with every output in place."""
    if status(folder) != DONE[0] or any(not (folder / n).is_file() for n in OUTPUTS):
        return False
    return _finished(_history("sqlite:///" + str((folder / HISTORY).resolve())), config)


def ess(folder: Path) -> float:
    """The effective sample size of the posterior's weights, 1 / sum(w^2) (Kish)."""
    w = pd.read_parquet(Path(folder) / "posterior.parquet", columns=["weight"]).weight
    w = w.to_numpy() / w.sum()
    return float(1.0 / np.sum(w**2))


def check_done(folder: Path) -> str:
    """The status of a calibration whose outputs are complete, or one line saying why not."""
    state = status(folder)
    missing = [name for name in OUTPUTS if not (Path(folder) / name).is_file()]
    if state not in DONE or missing:
        raise ConfigError(
            f"{folder}: the calibration has not finished (status '{state or 'unknown'}'"
            + (f", no {missing[0]}" if missing else "")
            + "); run `empathy-sim calibrate` with its config again to resume"
        )
    return state


def _write_manifest(
    path: Path,
    config: Calibration,
    text: str,
    digest: str,
    targets: Targets,
    file: Path,
    state: str,
    generations: int = 0,
) -> None:
    import importlib.metadata as md

    versions = {p: md.version(p) for p in ("pyabc", "numba", "numpy", "networkx")}
    payload = {
        "kind": "calibration",
        "name": config.name,
        "config_hash": digest,
        "config": text,
        "targets_file": str(file),
        "targets": targets.model_dump(),
        "versions": versions,
        "python": sys.version.split()[0],
        "status": state,
        "generations_done": generations,
    }
    _atomic(path, lambda tmp: Path(tmp).write_text(json.dumps(payload, indent=2)))


def _history(database: str) -> Any:
    history = pyabc.History(database)
    history.id = 1
    return history


def _generations_done(folder: Path) -> int:
    if not (folder / HISTORY).is_file():
        return 0
    history = _history("sqlite:///" + str((folder / HISTORY).resolve()))
    try:
        return int(history.max_t) + 1
    except Exception:  # an empty database (stopped before its first generation)
        return 0


def _finished(history: Any, config: Calibration) -> bool:
    populations = history.get_all_populations()
    populations = populations[populations.t >= 0]
    if len(populations) >= config.abc.generations:
        return True
    return bool(len(populations)) and float(populations.epsilon.iloc[-1]) <= config.abc.min_epsilon


def _tell(history: Any, config: Calibration, seconds: float, left: float, say: Any) -> None:
    populations = history.get_all_populations()
    row = populations[populations.t >= 0].iloc[-1]
    t = int(row.t)
    accepted = config.abc.population_size
    rate = accepted / max(int(row.samples), 1)
    remaining = config.abc.generations - t - 1
    pace = f"{duration(min(remaining * seconds, max(left, 0)))} left" if remaining else "done"
    say(
        f"generation {t + 1}/{config.abc.generations}: epsilon {row.epsilon:.3g}, "
        f"{accepted} accepted of {int(row.samples):,} simulations ({rate:.1%}), "
        f"{duration(seconds)}; {pace} (at this generation's pace, within the budget)"
    )


# --- what a calibration writes -------------------------------------------------------------------
def posterior(folder: Path) -> pd.DataFrame:
    """The last generation's particles: one column per parameter, ``weight`` (summing to 1),
    ``distance`` and ``generation``."""
    history = _history("sqlite:///" + str((Path(folder) / HISTORY).resolve()))
    t = int(history.max_t)
    frame, weights = history.get_distribution(m=0, t=t)
    frame = frame.reset_index(drop=True)
    population = history.get_population(t=t)
    frame["weight"] = np.asarray(weights, dtype=float)
    frame["distance"] = [p.distance for p in population.particles]
    frame["generation"] = t + 1
    return frame


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs=QUANTILES) -> list[float]:
    """Quantiles ``qs`` of weighted particles ((N,) values and weights), by pyabc's
    ``weighted_quantile``: the posterior's median and 90% interval by default."""
    from pyabc.weighted_statistics import weighted_quantile

    return [float(weighted_quantile(values, weights, alpha=q)) for q in qs]


def summary(particles: pd.DataFrame, config: Calibration) -> pd.DataFrame:
    """Per parameter: prior 90% interval, posterior median and 90% interval, and the width
    ratio (posterior 90% width / prior 90% width)."""
    rows = []
    for name in config.priors:
        prior = config.prior(name)
        p05, _, p95 = prior.quantiles()
        q05, q50, q95 = weighted_quantiles(
            particles[name].to_numpy(), particles["weight"].to_numpy()
        )
        rows.append(
            {
                "parameter": name,
                "prior": f"{prior.distribution} [{prior.low:g}, {prior.high:g}]"
                + (
                    f" mean {prior.mean:g} sd {prior.sd:g}"
                    if prior.distribution == "normal"
                    else ""
                ),
                "prior_q05": p05,
                "prior_q95": p95,
                "posterior_median": q50,
                "posterior_q05": q05,
                "posterior_q95": q95,
                "width_ratio": (q95 - q05) / (p95 - p05),
            }
        )
    return pd.DataFrame(rows)


def predictive(particles: pd.DataFrame, config: Calibration, map_: Callable) -> pd.DataFrame:
    """Moments simulated under ``predictive_draws`` posterior draws (drawn by weight), each on
    seeds of its own (``SeedSequence([seed, 10**6])``): one row per draw."""
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 10**6]))
    draws = config.abc.predictive_draws
    index = rng.choice(len(particles), size=draws, p=particles["weight"].to_numpy())
    names = list(config.priors)
    points = [{n: float(particles[n].iloc[i]) for n in names} for i in index]
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=draws)]
    simulator = MarketSimulator(config.model, config.abc.replicates)
    rows = map_(functools.partial(_predict_one, simulator), list(zip(points, seeds, strict=True)))
    table = pd.DataFrame([{**p, **m} for p, m in zip(points, rows, strict=True)])
    table.insert(0, "draw", range(draws))
    return table


def _predict_one(simulator: MarketSimulator, item: tuple[dict[str, float], int]) -> dict:
    return simulator.simulate(*item)


def predictive_check(table: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Per target: its value, role, the predictive median and 90% interval, and whether it is
    met (median within one tolerance; for a sign target, the median of the right sign)."""
    rows = []
    for t in targets.target:
        x = table[t.name].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        q05, q50, q95 = np.quantile(x, QUANTILES) if len(x) else [math.nan] * 3
        right_sign = (
            float(np.mean(x > 0) if t.sign == "positive" else np.mean(x < 0))
            if t.sign and len(x)
            else math.nan
        )
        rows.append(
            {
                "moment": t.name,
                "role": t.role,
                "target": t.shown(),
                "value": math.nan if t.value is None else t.value,
                "sign": t.sign or "",
                "tolerance": t.tolerance,
                "predictive_median": float(q50),
                "predictive_q05": float(q05),
                "predictive_q95": float(q95),
                "share_right_sign": right_sign,
                "met": bool(t.met(float(q50))),
                "defined_draws": len(x),
            }
        )
    return pd.DataFrame(rows)


def write_outputs(
    folder: Path,
    config: Calibration,
    targets: Targets,
    workers: int = 1,
    backend: str = "processes",
    scheduler: str = "",
    say: Any = print,
) -> None:
    """posterior.parquet, summary.csv, predictive.parquet, predictive.csv, calibrated.toml."""
    particles = posterior(folder)
    _atomic(folder / "posterior.parquet", lambda p: particles.to_parquet(p, index=False))
    table = summary(particles, config)
    _atomic(folder / "summary.csv", lambda p: table.to_csv(p, index=False, float_format="%.6g"))
    for line in format_summary(table, ess(folder)):
        say(line)
    say(f"posterior predictive: {config.abc.predictive_draws} markets under posterior draws ...")
    with mapper(workers, backend, scheduler) as map_:
        draws = predictive(particles, config, map_)
        check = predictive_check(draws, targets)
        _atomic(folder / "predictive.parquet", lambda p: draws.to_parquet(p, index=False))
        _atomic(
            folder / "predictive.csv",
            lambda p: check.to_csv(p, index=False, float_format="%.6g"),
        )
        for line in format_check(check):
            say(line)
        point, score = calibrated_point(particles, config, targets, map_)
    block = "\n".join(f"{k} = {_round(v)}" for k, v in point.items())
    _atomic(
        folder / "calibrated.toml",
        lambda p: Path(p).write_text(
            f"# the calibrated point of {config.name} (generation {int(particles.generation[0])})"
            ":\n# of the last generation's particles, the one with the smallest mean distance "
            f"to the targets\n# over {POINT_REPLICATES} fresh markets; scored on "
            f"{POINT_REPLICATES} others, its mean distance is {score:.3g}\n"
            f"[model]\n{block}\n"
        ),
    )
    say(f"calibrated point (mean distance {score:.3g} over {POINT_REPLICATES} fresh markets): "
        + ", ".join(f"{k} = {_round(v)}" for k, v in point.items()))  # fmt: skip
    say(f"wrote posterior.parquet, summary.csv, predictive.parquet, predictive.csv, "
        f"calibrated.toml in {folder}")  # fmt: skip


POINT_REPLICATES = 8


def calibrated_point(
    particles: pd.DataFrame, config: Calibration, targets: Targets, map_: Callable
) -> tuple[dict[str, float], float]:
    """One parameter set to run as the calibrated market: of the last generation's particles,
    the one whose mean distance over ``POINT_REPLICATES`` fresh markets (seeds from
    ``SeedSequence([seed, 2 * 10**6])``, the same for every particle) is smallest.

    Why not the marginal medians: the posterior is a ridge (arrival rate, fit and direct hiring
    trade off), and the point of marginal medians can sit off it. Why fresh markets: a
    particle's own distance is one simulation's, selected for being small (its luck included).
    """
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 2 * 10**6]))
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=POINT_REPLICATES)]
    names = list(config.priors)
    points = [{n: float(row[n]) for n in names} for _, row in particles.iterrows()]
    simulator = MarketSimulator(config.model, config.abc.replicates)
    items = [(p, seed) for p in points for seed in seeds]
    rows = map_(functools.partial(_predict_one, simulator), items)
    scores = np.array([distance(m, targets) for m in rows]).reshape(len(points), len(seeds))
    best = int(np.argmin(scores.mean(axis=1)))
    # the minimum of 500 noisy means is itself selected for being small: score it afresh
    fresh = rng.integers(0, 2**31 - 1, size=POINT_REPLICATES)
    again = map_(
        functools.partial(_predict_one, simulator), [(points[best], int(s)) for s in fresh]
    )
    return points[best], float(np.mean([distance(m, targets) for m in again]))


def _round(x: float) -> str:
    return f"{float(f'{x:.3g}'):g}"


def _atomic(path: Path, write: Callable[[str], Any]) -> None:
    """``write(tmp)``, then ``tmp`` becomes ``path`` in one rename
    (``sim.experiment.storage.atomic``)."""
    from sim.experiment.storage import atomic

    with atomic(path) as tmp:
        write(tmp)


def format_summary(table: pd.DataFrame, effective: float | None = None) -> list[str]:
    """The summary table as text; with the posterior's effective sample size, a warning when it
    is too small for intervals and widths to mean much (below ``FEW``)."""
    lines = [
        f"{'parameter':<18} {'prior 90%':>20} {'posterior median':>17} {'posterior 90%':>22} "
        f"{'width ratio':>11}"
    ]
    for r in table.itertuples():
        lines.append(
            f"{r.parameter:<18} {f'{r.prior_q05:.3g} to {r.prior_q95:.3g}':>20} "
            f"{r.posterior_median:>17.3g} "
            f"{f'{r.posterior_q05:.3g} to {r.posterior_q95:.3g}':>22} {r.width_ratio:>11.2f}"
        )
    lines.append("width ratio: posterior 90% width / prior 90% width (near 1: not identified)")
    if effective is not None:
        line = f"effective sample size of the posterior's weights: {effective:.0f}"
        if effective < FEW:
            line += f" (below {FEW}: too few for intervals, widths and correlations to mean much)"
        lines.append(line)
    return lines


FEW = 50


def format_check(check: pd.DataFrame) -> list[str]:
    """The posterior predictive check as lines of text: each moment, whether it was fitted or
    held out, its target, the predictive median with its 90% interval, and whether it is met."""
    lines = [f"{'moment':<34} {'role':<9} {'target':>16} {'predictive median (90%)':>30}  met"]
    for r in check.itertuples():
        interval = f"{r.predictive_median:.3g} ({r.predictive_q05:.3g} to {r.predictive_q95:.3g})"
        lines.append(
            f"{r.moment:<34} {r.role:<9} {r.target:>16} {interval:>30}  {'yes' if r.met else 'no'}"
        )
    return lines
