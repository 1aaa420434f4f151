"""Run an experiment config: batches of runs to Parquet, a manifest, resume, and analysis.

Results go to ``results/<name>/``:

- ``batches/runs-<start>-<stop>.parquet``: one file per batch of run indices, written to a
  temporary file and renamed, so a file that exists is complete (``weekly-...`` beside it when
  the config keeps weekly series);
- ``runs.parquet``: every run, one row each, in run-index order, in row groups of a fixed size,
  so the file's bytes depend only on the config (not on batch sizes, workers or backend);
- ``weekly.parquet`` when ``outputs.weekly``; ``sensitivity.csv`` for Sobol and Morris designs;
- ``manifest.json``: the config as given and its hash, versions, machine and times.

Rerunning the same config resumes: the run indices already on disk are skipped, whatever batch
size wrote them. A different config aimed at the same folder is refused unless ``force``.
Results stream to disk batch by batch, and the final files are assembled one row group at a
time, so memory does not grow with the number of runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.batches import Batch, Job, plan, run_batch
from sim.experiment.config import Experiment, design_warnings, load_config
from sim.experiment.progress import Progress, duration
from sim.experiment.storage import atomic
from sim.model.params import ConfigError, SweepError

ROW_GROUP = 65_536  # rows per row group of runs.parquet and weekly.parquet
BACKENDS = ("processes", "dask")
_BATCH_FILE = re.compile(r"(runs|weekly)-(\d{12,})-(\d{12,})\.parquet$")


def sweep(
    config_path: str,
    results: str = "results",
    batch_size: int = 1000,
    force: bool = False,
    dry_run: bool = False,
    progress: Any = None,
    workers: int = 1,
    backend: str = "processes",
    scheduler: str = "",
    small_here: bool = False,
) -> Path:
    """Run every batch of a config that is not on disk yet; return the results folder.

    ``small_here``: with more than one worker, run the batches in this process anyway when
    they would finish before worker processes could start (the command line's default when
    ``--workers`` is not given). ``progress``: where the progress goes (standard output, as it
    is when the sweep starts)."""
    progress = sys.stdout if progress is None else progress
    experiment = load_config(config_path)
    for line in design_warnings(experiment):
        _tell(sys.stderr, f"empathy-sim: warning: {config_path}: {line}")
    text = Path(config_path).read_text(encoding="utf-8")  # readable: load_config read it
    if batch_size < 1:
        raise ConfigError(f"--batch-size={batch_size}; allowed: a whole number >= 1")
    if workers < 1:
        raise ConfigError(f"--workers={workers}; allowed: a whole number >= 1")
    if backend not in BACKENDS:
        raise ConfigError(f"backend '{backend}'; allowed: {', '.join(BACKENDS)}")
    folder = Path(results) / experiment.name
    for line in describe_graph_files(experiment):
        print(line, file=progress)
    if dry_run:
        print(dry_run_report(experiment, folder, batch_size, workers), file=progress)
        return folder
    if scheduler:  # an unreachable cluster is found out before anything is written
        from sim.experiment.executors import connect

        connect(scheduler).close()
    folder.mkdir(parents=True, exist_ok=True)
    with _Lock(folder):
        return _sweep(
            experiment, text, folder, batch_size, force, progress, workers, backend, scheduler,
            small_here,
        )  # fmt: skip


def _sweep(
    experiment: Experiment,
    text: str,
    folder: Path,
    batch_size: int,
    force: bool,
    progress: Any,
    workers: int,
    backend: str,
    scheduler: str,
    small_here: bool = False,
) -> Path:
    total = experiment.runs()
    for leftover in [*folder.glob("*.tmp"), *folder.glob("batches/*.tmp")]:
        leftover.unlink()  # a write cut short by a kill
    _claim(folder, experiment, text, force)
    batch_dir = folder / "batches"
    batch_dir.mkdir(exist_ok=True)
    done, gaps = _on_disk(batch_dir, total, experiment.outputs.weekly)
    pending = plan(experiment.points(), experiment.replicates, gaps, batch_size)
    started = time.time()
    job = Job.of(experiment)
    bar = Progress(total, total - sum(b.size for b in pending), progress)
    if pending:
        _tell(
            progress,
            f"{experiment.name}: {total:,} runs, {_plural(len(pending), 'batch')} to run on "
            f"{_where(backend, workers, scheduler)}"
            + (f" ({_plural(len(done), 'batch')} already on disk)" if done else ""),
        )
    for batch, tables in _execute(
        job, pending, backend, workers, scheduler, sys.stderr, small_here
    ):
        if tables["weekly"] is not None:  # weekly first: the runs file marks a batch done
            _write_parquet(tables["weekly"], batch_dir / batch.name("weekly"))
        _write_parquet(tables["runs"], batch_dir / batch.name())
        bar.advance(batch.size)
    finished, missing = _on_disk(batch_dir, total, experiment.outputs.weekly)
    if missing:  # cannot happen unless files vanish under a running sweep
        raise SweepError(
            f"batch files for run indices {missing[0]} went missing; rerun to redo them"
        )
    _assemble(
        [batch_dir / _name("runs", a, b) for a, b in finished],
        folder / "runs.parquet",
    )
    if experiment.outputs.weekly:
        _assemble(
            [batch_dir / _name("weekly", a, b) for a, b in finished],
            folder / "weekly.parquet",
        )
    if experiment.design.kind in ("sobol", "morris"):
        from sim.experiment.sensitivity import analyse, format_indices, write_indices

        notes: list[str] = []
        indices = analyse(folder / "runs.parquet", experiment, notes)
        write_indices(indices, folder / "sensitivity.csv")
        _tell(progress, format_indices(indices))
        for note in notes:  # outcomes left out, and why
            _tell(progress, note)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["finished"] = _now()
    manifest.setdefault("sessions", []).append(
        {
            "started": _now(started),
            "finished": _now(),
            "runs_done": sum(b.size for b in pending),
            "backend": backend if not scheduler else f"dask at {scheduler}",
            "workers": workers,
            "batch_size": batch_size,
        }
    )
    _write_json(folder / "manifest.json", manifest)
    return folder


def _tell(stream: Any, text: str) -> None:
    """Print a line; output piped to a command that stopped reading does not stop the sweep."""
    with contextlib.suppress(BrokenPipeError, ValueError):
        print(text, file=stream, flush=True)


def _plural(count: int, noun: str) -> str:
    suffix = "es" if noun.endswith(("ch", "ss")) else "s"
    return f"{count:,} {noun}{'' if count == 1 else suffix}"


def _where(backend: str, workers: int, scheduler: str) -> str:
    if scheduler:
        return f"the Dask cluster at {scheduler}"
    if backend == "dask":
        return f"a local Dask cluster of {workers} workers"
    return _plural(workers, "worker process") if workers > 1 else "1 core"


def _execute(
    job: Job,
    pending: list[Batch],
    backend: str,
    workers: int,
    scheduler: str,
    log: Any,
    small_here: bool = False,
) -> Iterator[tuple[Batch, dict[str, Any]]]:
    from sim.experiment import executors

    if not pending:
        return iter(())
    if backend == "dask" or scheduler:
        return executors.dask(job, pending, workers, scheduler)
    if workers == 1 or len(pending) == 1:
        return executors.in_process(job, pending)
    if small_here:
        return _here_or_pool(job, pending, min(workers, len(pending)), log)
    return executors.process_pool(job, pending, min(workers, len(pending)), log)


# Seconds for a spawned worker to start (import the project, load the compiled kernel): 1.5-2.5
# measured on this project's 2-core machine. A sweep whose remaining batches would take less
# than twice that here gains nothing from a pool.
WORKER_START_S = 2.0


def _here_or_pool(
    job: Job, pending: list[Batch], workers: int, log: Any
) -> Iterator[tuple[Batch, dict[str, Any]]]:
    """The first two batches in this process (the second one timed: the first loads the
    kernel); the rest here too when they would finish sooner than workers could start, else on
    a pool of ``workers`` processes. The batches, and so the results, are the same either way."""
    from sim.experiment import executors

    clock = time.perf_counter()
    for i, batch in enumerate(pending[:2]):
        if i == 1:
            clock = time.perf_counter()
        yield batch, run_batch(job, batch, threads=1)
    rest = pending[2:]
    if not rest:
        return
    per_run = (time.perf_counter() - clock) / pending[1].size
    here = per_run * sum(batch.size for batch in rest)
    if here < 2 * WORKER_START_S:
        print(f"running the rest here: about {here:.1f} s, less than starting workers", file=log)
        yield from executors.in_process(job, rest)
    else:
        yield from executors.process_pool(job, rest, workers, log)


# --- the results folder -------------------------------------------------------------------------
class _Lock:
    """One sweep at a time per results folder: a second one is refused, with the first's pid.

    The lock file holds the owner's pid; a lock whose process is gone (killed) is taken over.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"

    def __enter__(self) -> _Lock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    owner = int(self.path.read_text() or "0")
                except (OSError, ValueError):
                    owner = 0
                if owner and owner != os.getpid() and _alive(owner):
                    raise ConfigError(
                        f"{self.path.parent} is in use by another sweep (process {owner}); "
                        "wait for it, or stop it and rerun to resume"
                    ) from None
                self.path.unlink(missing_ok=True)  # left by a sweep that was killed
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            return self
        raise ConfigError(f"cannot lock {self.path.parent}; another sweep keeps taking it")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def config_hash(text: str) -> str:
    """The SHA-256 of a config's text (64 hex digits): a results folder belongs to it."""
    return hashlib.sha256(text.encode()).hexdigest()


# Modules that only run, schedule or report sweeps: editing them cannot change a result.
# (stats.py is not one: the Gini of sim.analysis.market, a column of runs.parquet, comes from it.)
# The code that decides what a run gives: the model and its engines, the outcomes measured per
# run, the design's expansion into points, and what a worker runs for a batch (not where it
# runs, nor how it is shown).
_RESULT_CODE = ("model/*.py", "analysis/market.py", "analysis/stats.py", "experiment/config.py",
                "experiment/batches.py")  # fmt: skip


def graph_files(experiment: Experiment) -> list[str]:
    """The graph files a config names (its base and its design), as written, sorted."""
    named = [experiment.base().get("graph_file", "")]
    named += experiment.design.values.get("graph_file", [])
    return sorted({str(name) for name in named} - {""})


def describe_graph_files(experiment: Experiment) -> list[str]:
    """What each graph file of the config reads as (:func:`sim.model.graphs.describe_file_graph`)
    with the config's base parameters, and what had to be repaired: said before any run."""
    from sim.model.graphs import file_graph_lines
    from sim.model.params import Params

    lines = []
    for name in graph_files(experiment):
        params = Params.from_dict({**experiment.base(), "graph": "file", "graph_file": name})
        lines += file_graph_lines(params, experiment.seed)
    return lines


def keep_graph_files(experiment: Experiment, folder: Path) -> list[dict[str, str]]:
    """Copy each graph file the config names into ``folder/inputs/``, so that the results
    stay readable (``empathy-sim plot``) when the original moves or changes; returns the
    manifest's ``graph_files`` entries: the path as given, the copy (relative to the folder)
    and the SHA-256 of the bytes the sweep read."""
    kept = []
    for i, name in enumerate(graph_files(experiment)):
        data = Path(name).read_bytes()
        copy = Path("inputs") / f"{i}-{Path(name).name}"
        (folder / "inputs").mkdir(exist_ok=True)
        with atomic(folder / copy) as tmp:
            Path(tmp).write_bytes(data)
        kept.append(
            {"given": name, "copy": copy.as_posix(), "sha256": hashlib.sha256(data).hexdigest()}
        )
    return kept


def inputs_hash(experiment: Experiment, text: str) -> str:
    """What results depend on besides the config text: graph files' contents, the model's code
    and the versions of NumPy (its random streams) and Numba. Resuming with any of them changed
    would mix runs made by different models."""
    import numba

    digest = hashlib.sha256(text.encode())
    for name in graph_files(experiment):
        digest.update(Path(name).read_bytes())
    package = Path(__file__).parents[1]
    for source in sorted(path for pattern in _RESULT_CODE for path in package.glob(pattern)):
        digest.update(source.read_bytes())
    digest.update(f"numpy {np.__version__} numba {numba.__version__}".encode())
    return digest.hexdigest()


def _claim(folder: Path, experiment: Experiment, text: str, force: bool) -> None:
    """Make the folder this config's: new, the same config's (resume), or --force."""
    manifest_path = folder / "manifest.json"
    batch_dir = folder / "batches"
    has_runs = any(batch_dir.glob("*.parquet")) or (folder / "runs.parquet").exists()
    if manifest_path.is_file():
        try:
            previous = json.loads(manifest_path.read_text())
        except (OSError, ValueError):
            previous = {}
        if previous.get("config_sha256") == config_hash(text):
            if previous.get("inputs_sha256") == inputs_hash(experiment, text):
                return
            if has_runs and not force:
                raise ConfigError(
                    f"{folder} holds results of this config made with other inputs (a graph "
                    "file, the model's code, NumPy or Numba changed since); use another name "
                    "or --force to start over"
                )
        if has_runs and not force:
            raise ConfigError(
                f"{folder} holds results of a different config; use another name or --force"
            )
    else:
        ours = {"batches", ".lock"}  # a sweep stopped before its manifest was written
        foreign = (
            [p.name for p in folder.iterdir() if p.name not in ours] if folder.is_dir() else []
        )
        if (foreign or has_runs) and not force:
            raise ConfigError(
                f"{folder} exists and holds no manifest.json of a sweep; use another name or "
                "--force"
            )
    for stale in (folder / "batches").glob("*.parquet"):  # nothing of another config is reused
        stale.unlink()
    for name in ("runs.parquet", "weekly.parquet", "sensitivity.csv"):
        (folder / name).unlink(missing_ok=True)
    (folder / "batches").mkdir(parents=True, exist_ok=True)
    manifest = _manifest(experiment, text)
    manifest["graph_files"] = keep_graph_files(experiment, folder)
    _write_json(manifest_path, manifest)


def _on_disk(
    batch_dir: Path, total: int, weekly: bool
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(ranges of run indices whose batch files are complete, ranges still to run).

    A file that cannot be read (cut short) does not count; of overlapping files (left by an
    earlier batch size) the first kept wins and the others are removed.
    """
    ranges = []
    for path in batch_dir.glob("runs-*.parquet"):
        match = _BATCH_FILE.search(path.name)
        if not match:
            continue
        start, stop = int(match[2]), int(match[3])
        complete = _readable(path, stop - start) and (
            not weekly or _readable(batch_dir / _name("weekly", start, stop))
        )
        if complete and 0 <= start < stop <= total:
            ranges.append((start, stop))
        else:
            path.unlink()
    ranges.sort()
    done, gaps, reached = [], [], 0
    for start, stop in ranges:
        if start < reached:  # overlaps a range already kept
            (batch_dir / _name("runs", start, stop)).unlink()
            continue
        if start > reached:
            gaps.append((reached, start))
        done.append((start, stop))
        reached = stop
    if reached < total:
        gaps.append((reached, total))
    kept = {_name("weekly", start, stop) for start, stop in done}
    for path in batch_dir.glob("weekly-*.parquet"):  # weekly halves of batches not kept
        if path.name not in kept:
            path.unlink()
    return done, gaps


def _name(kind: str, start: int, stop: int) -> str:
    return f"{kind}-{start:012d}-{stop:012d}.parquet"


def _readable(path: Path, rows: int | None = None) -> bool:
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        metadata = pq.read_metadata(path)
    except Exception:  # a truncated or foreign file: redo the batch
        return False
    return rows is None or metadata.num_rows == rows


def _write_parquet(table: Any, path: Path) -> None:
    """Write a pyarrow table atomically: a file that exists is complete."""
    import pyarrow.parquet as pq

    with atomic(path) as tmp:
        pq.write_table(table, tmp)


def _assemble(files: list[Path], out: Path) -> None:
    """Concatenate batch files into one file, one row group at a time (memory stays flat).

    Row groups hold exactly ``ROW_GROUP`` rows (the last fewer), so the bytes written do not
    depend on how the runs were cut into batches.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    with atomic(out) as tmp:
        writer = None
        try:
            buffer: list[Any] = []
            buffered = 0
            for path in files:
                table = pq.read_table(path)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                buffer.append(table)
                buffered += table.num_rows
                while buffered >= ROW_GROUP:
                    whole = pa.concat_tables(buffer)
                    writer.write_table(whole.slice(0, ROW_GROUP).combine_chunks(), ROW_GROUP)
                    rest = whole.slice(ROW_GROUP)
                    buffer, buffered = [rest], rest.num_rows
            if buffered and writer is not None:
                writer.write_table(pa.concat_tables(buffer).combine_chunks(), ROW_GROUP)
        finally:
            if writer is not None:
                writer.close()


# --- provenance ---------------------------------------------------------------------------------
def _now(when: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(when))


def _manifest(experiment: Experiment, text: str) -> dict[str, Any]:
    from importlib.metadata import version  # Mesa's version without importing Mesa (1 s)

    import numba

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    from sim import __version__

    return {
        "name": experiment.name,
        "config": text,
        "config_sha256": config_hash(text),
        "inputs_sha256": inputs_hash(experiment, text),
        "runs": experiment.runs(),
        "design_points": experiment.design.count(),
        "replicates": experiment.replicates,
        "package_version": __version__,
        "git_commit": commit,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": version("mesa"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "started": _now(),
        "finished": None,
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic(path) as tmp, open(tmp, "w") as handle:
        json.dump(data, handle, indent=2)


# --- dry run ------------------------------------------------------------------------------------
def dry_run_report(experiment: Experiment, folder: Path, batch_size: int, workers: int) -> str:
    """How many runs and batches, and an estimate of time and disk from a few timed runs."""
    points = experiment.points()
    total = experiment.runs()
    batches = -(-total // batch_size)
    job = Job.of(experiment)
    probe_points = sorted({0, len(points) // 2, len(points) - 1})
    per_point = min(experiment.replicates, 4)
    gaps = [
        (p * experiment.replicates, p * experiment.replicates + per_point) for p in probe_points
    ]
    probes = plan(points, experiment.replicates, gaps, batch_size)
    run_batch(job, probes[0], threads=1)  # compiles or loads the kernel; not timed
    seconds, runs_bytes, weekly_bytes, probed = 0.0, 0, 0, 0
    for probe in probes:
        clock = time.perf_counter()
        tables = run_batch(job, probe, threads=1)
        seconds += time.perf_counter() - clock
        probed += probe.size
        for kind in ("runs", "weekly"):
            if tables[kind] is not None:
                size = tables[kind].nbytes  # uncompressed: Parquet files are smaller
                if kind == "runs":
                    runs_bytes += size
                else:
                    weekly_bytes += size
    per_run = seconds / probed
    # Uncompressed bytes per run, twice (batch files plus the assembled file): an upper bound.
    disk = 2 * (runs_bytes + weekly_bytes) / probed * total
    return (
        f"{experiment.name}: {total:,} runs ({len(points):,} design points x "
        f"{experiment.replicates:,} replicates) in {batches:,} batches -> {folder}\n"
        f"estimate from {probed} timed runs: {1e3 * per_run:,.2f} ms per run on one core, "
        f"about {duration(per_run * total / workers)} on {workers} worker"
        f"{'s' if workers > 1 else ''}; at most {_size(disk)} on disk"
    )


def _size(nbytes: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if nbytes < 1000:
            return f"{nbytes:,.0f} {unit}"
        nbytes /= 1000
    return f"{nbytes:,.1f} TB"
