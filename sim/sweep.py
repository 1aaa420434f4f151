"""Run an experiment config: batches of runs to Parquet, a manifest, and resume.

Results go to ``results/<name>/``: ``batches/point-<i>-<first>.parquet`` (one file per batch,
written to a temporary file and renamed, so a file that exists is complete), ``runs.parquet``
(every run, one row each, in run-index order) and ``manifest.json`` (the config, its hash, the
versions, the machine and the times). Rerunning the same config skips the batches already
written; a different config aimed at the same folder is refused unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import DesignPoint, Experiment, load_config
from sim.params import ConfigError
from sim.runs import Runs, as_int_seed, run, streams

SUMMARY = (
    "weeks_run",
    "weeks_to_offer",
    "hired_channel",
    "mean_unemployment",
    "final_mean_reputation",
)


@dataclass(frozen=True)
class Batch:
    point: DesignPoint
    first: int  # replicate index within the point
    size: int

    def name(self) -> str:
        return f"point-{self.point.index:06d}-{self.first:09d}.parquet"


def batches(experiment: Experiment, batch_size: int) -> list[Batch]:
    out = []
    for point in experiment.points():
        for first in range(0, experiment.replicates, batch_size):
            out.append(Batch(point, first, min(batch_size, experiment.replicates - first)))
    return out


def summarise(batch: Batch, experiment: Experiment, runs: Runs) -> dict[str, np.ndarray]:
    """One row per run: design values, run index, seed, outcomes (totals of every event)."""
    size = batch.size
    base = batch.point.index * experiment.replicates + batch.first
    index = np.arange(base, base + size, dtype=np.int64)
    columns: dict[str, Any] = {
        "run_index": index,
        "point": np.full(size, batch.point.index, dtype=np.int64),
        "replicate": np.arange(batch.first, batch.first + size, dtype=np.int64),
        "seed": [str(as_int_seed(streams(experiment.seed, int(i))[1])) for i in index],
        "strategy": [batch.point.strategy or ""] * size,
    }
    for name, value in batch.point.values.items():
        columns[name] = np.full(size, value)
    columns["weeks_run"] = runs.weeks_run
    columns["weeks_to_offer"] = runs.weeks_to_offer
    columns["hired_channel"] = runs.hired_channel
    n = runs.unemployed_weeks.shape[1]
    weeks = np.maximum(runs.weeks_run, 1)
    columns["mean_unemployment"] = runs.column("unemployed")[:, 1:].sum(axis=1) / (weeks * n)
    columns["final_mean_reputation"] = runs.mean_reputation[np.arange(size), runs.weeks_run]
    for event in runs.columns[:-2]:
        columns[f"total_{event}"] = runs.totals(event)
    return columns


def _write_parquet(table: Any, path: Path) -> None:
    """Write a pyarrow table atomically: a file that exists is complete."""
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _readable(path: Path) -> bool:
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        pq.read_metadata(path)
        return True
    except Exception:  # a truncated or foreign file: redo the batch
        return False


def config_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _manifest(experiment: Experiment, text: str, started: float) -> dict[str, Any]:
    import mesa
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
        "runs": experiment.runs(),
        "package_version": __version__,
        "git_commit": commit,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "cpu_count": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def sweep(
    config_path: str,
    results: str = "results",
    batch_size: int = 1000,
    force: bool = False,
    dry_run: bool = False,
    progress: Any = sys.stdout,
    workers: int = 1,
) -> Path:
    """Run every batch of a config that is not on disk yet; return the results folder."""
    text = Path(config_path).read_text(encoding="utf-8") if Path(config_path).is_file() else ""
    experiment = load_config(config_path)
    if batch_size < 1:
        raise ConfigError(f"--batch-size={batch_size}; allowed: a whole number >= 1")
    if workers < 1:
        raise ConfigError(f"--workers={workers}; allowed: a whole number >= 1")
    folder = Path(results) / experiment.name
    todo = batches(experiment, batch_size)
    if dry_run:
        print(
            f"{experiment.name}: {experiment.runs():,} runs in {len(todo):,} batches -> {folder}",
            file=progress,
        )
        return folder
    manifest_path = folder / "manifest.json"
    same_config = False
    if manifest_path.is_file():
        previous = json.loads(manifest_path.read_text())
        same_config = previous.get("config_sha256") == config_hash(text)
        if not same_config and not force:
            raise ConfigError(
                f"{folder} holds results of a different config; use another name or --force"
            )
    if not same_config:  # --force, or a new folder: nothing from another config is reused
        for stale in (folder / "batches").glob("*.parquet"):
            stale.unlink()
        (folder / "runs.parquet").unlink(missing_ok=True)
    (folder / "batches").mkdir(parents=True, exist_ok=True)
    started = time.time()
    if not same_config:
        _write_json(manifest_path, _manifest(experiment, text, started))
    pending = [b for b in todo if not _readable(folder / "batches" / b.name())]
    done_runs, total = experiment.runs() - sum(b.size for b in pending), experiment.runs()
    for number, size in enumerate(_execute(experiment, pending, folder, workers), start=1):
        done_runs += size
        rate = done_runs / max(time.time() - started, 1e-9)
        print(
            f"\r{done_runs:,}/{total:,} runs, batch {number}/{len(pending)} to do, "
            f"{rate:,.0f} runs/s, {(total - done_runs) / rate:,.0f} s left ",
            end="",
            file=progress,
            flush=True,
        )
    print(file=progress)
    _combine(folder, todo)
    _write_json(manifest_path, _manifest(experiment, text, started))
    return folder


def run_batch(experiment: Experiment, batch: Batch, folder: Path, threads: int | None) -> int:
    """Run one batch and write its Parquet file; returns the number of runs."""
    params = batch.point.params(experiment.base())
    first = batch.point.index * experiment.replicates + batch.first
    runs = run(params, batch.size, experiment.seed, experiment.engine, first=first, threads=threads)
    import pyarrow as pa

    table = pa.table(summarise(batch, experiment, runs))
    _write_parquet(table, folder / "batches" / batch.name())
    return batch.size


def _execute(experiment: Experiment, pending: list[Batch], folder: Path, workers: int):
    """Yield each batch's size as it finishes: in this process, or on a pool of processes.

    Each worker runs its batch on one thread, so N workers use N cores. Which worker runs a
    batch never changes its file: a run's seeds come from its run index alone.
    """
    if workers <= 1 or len(pending) <= 1:
        for batch in pending:
            yield run_batch(experiment, batch, folder, None)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # what importing Mesa sets anyway
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_batch, experiment, b, folder, 1) for b in pending]
        for future in as_completed(futures):
            yield future.result()


def _combine(folder: Path, todo: list[Batch]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(folder / "batches" / b.name()) for b in todo]
    _write_parquet(pa.concat_tables(tables, promote_options="default"), folder / "runs.parquet")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)
