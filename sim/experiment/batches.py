"""What a sweep's workers do: run one batch of runs and turn it into result tables.

A batch is a contiguous range of run indices ``[start, stop)``; it may span several design
points. Workers (a process pool or Dask) get a :class:`Job` (the little they need from the
config) and a :class:`Batch`, and send back Arrow tables; only the parent process writes files.
Run ``i``'s random streams depend on ``i`` alone (or on its replicate, with common random
numbers), so which worker runs a batch, and how runs are cut into batches, never changes a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.experiment.config import DesignPoint, Experiment
from sim.model.results import COLUMNS, Runs
from sim.model.runs import as_int_seed, run, streams


@dataclass(frozen=True)
class Job:
    """The part of an experiment that running a batch needs (small, cheap to send)."""

    seed: int
    engine: str
    base: dict[str, Any]
    replicates: int
    common: bool  # common random numbers: streams by replicate, not by run index
    weekly: bool
    columns: tuple[str, ...] = ()  # the parameters the design sets: a column each

    @classmethod
    def of(cls, experiment: Experiment) -> Job:
        return cls(
            seed=experiment.seed,
            engine=experiment.engine,
            base=experiment.base(),
            replicates=experiment.replicates,
            common=experiment.random_numbers == "common",
            weekly=experiment.outputs.weekly,
            columns=tuple(experiment.design.sets()),
        )

    def stream(self, run_index: int) -> int:
        return run_index % self.replicates if self.common else run_index


@dataclass(frozen=True)
class Segment:
    """Replicates ``first .. first + size - 1`` of one design point."""

    point: DesignPoint
    first: int
    size: int


@dataclass(frozen=True)
class Batch:
    start: int  # first run index
    stop: int  # one past the last
    segments: tuple[Segment, ...]

    @property
    def size(self) -> int:
        return self.stop - self.start

    def name(self, kind: str = "runs") -> str:
        return f"{kind}-{self.start:012d}-{self.stop:012d}.parquet"


def plan(
    points: Sequence[DesignPoint], replicates: int, gaps: list[tuple[int, int]], batch_size: int
) -> list[Batch]:
    """Cut the run-index ranges still to do into batches of at most ``batch_size`` runs."""
    out = []
    for gap_start, gap_stop in gaps:
        for start in range(gap_start, gap_stop, batch_size):
            stop = min(start + batch_size, gap_stop)
            segments = []
            index = start
            while index < stop:
                point, replicate = divmod(index, replicates)
                size = min(stop - index, replicates - replicate)
                segments.append(Segment(points[point], replicate, size))
                index += size
            out.append(Batch(start, stop, tuple(segments)))
    return out


def run_batch(job: Job, batch: Batch, threads: int | None = 1) -> dict[str, Any]:
    """Run a batch; returns ``{"runs": table, "weekly": table or None}`` (pyarrow tables)."""
    import pyarrow as pa

    runs_parts, weekly_parts = [], []
    index = batch.start
    for segment in batch.segments:
        params = segment.point.params(job.base)
        runs = run(
            params,
            segment.size,
            job.seed,
            job.engine,
            first=job.stream(index),
            threads=threads,
            per_person=False,  # a sweep's tables need only per-run outcomes (memory: threads x n)
        )
        runs_parts.append(pa.table(summarise(job, segment, index, runs)))
        if job.weekly:
            weekly_parts.append(pa.table(weekly_rows(index, runs)))
        index += segment.size
    return {
        "runs": pa.concat_tables(runs_parts, promote_options="default").combine_chunks(),
        "weekly": pa.concat_tables(weekly_parts).combine_chunks() if job.weekly else None,
    }


def summarise(job: Job, segment: Segment, start: int, runs: Runs) -> dict[str, Any]:
    """One row per run: run index, design values, seed, outcomes: totals of every event (over
    the window after the burn-in: the whole run for a single seeker) and, for a market, the
    outcomes of ``sim.analysis.market``. No offer and nobody hired are nulls, the hire channel
    and strategy text (:meth:`Runs.table_outcomes <sim.model.results.Runs.table_outcomes>`)."""
    import pyarrow as pa

    size = segment.size
    params = runs.params
    index = np.arange(start, start + size, dtype=np.int64)
    columns: dict[str, Any] = {
        "run_index": index,
        "point": np.full(size, segment.point.index, dtype=np.int64),
        "replicate": np.arange(segment.first, segment.first + size, dtype=np.int64),
        # the 128-bit seed of the run's dynamics, as text (Parquet has no 128-bit integers)
        "seed": [str(as_int_seed(streams(job.seed, job.stream(int(i)))[1])) for i in index],
        # the preset's name; null when the design point names none
        "strategy": pa.array([segment.point.strategy] * size, pa.string()),
    }
    # every parameter the design sets (a strategy's preset values too), with the value that
    # ran: as validated, so 0 in a list of floats is 0.0
    for name in job.columns:
        columns[name] = np.full(size, getattr(params, name))
    columns["weeks_run"] = runs.weeks_run
    columns.update(runs.table_outcomes())  # null: no offer, nobody hired; channels as text
    if params.scenario == "market":  # measured over the window after the burn-in
        from sim.analysis.market import outcomes

        columns.update(outcomes(runs))
    else:
        n = runs.n_people
        weeks = np.maximum(runs.weeks_run, 1)
        columns["mean_unemployment"] = runs.column("unemployed")[:, 1:].sum(axis=1) / (weeks * n)
    columns["final_mean_reputation"] = runs.mean_reputation[np.arange(size), runs.weeks_run]
    counted = runs.weekly[:, params.burn_in + 1 :, :].sum(axis=1)  # a market's window only
    for j, event in enumerate(runs.columns[:-2]):
        columns[f"total_{event}"] = counted[:, j]
    return columns


def weekly_rows(start: int, runs: Runs) -> dict[str, np.ndarray]:
    """One row per run and week simulated (week 0 is the start): every count, and the mean
    reputation."""
    weeks = runs.weekly.shape[1]
    keep = np.arange(weeks)[None, :] <= runs.weeks_run[:, None]  # (R, weeks + 1)
    replicate, week = np.nonzero(keep)
    columns = {
        "run_index": (start + replicate).astype(np.int64),
        "week": week.astype(np.int64),
    }
    values = runs.weekly[keep]  # (rows, len(COLUMNS)), in run then week order
    for j, name in enumerate(COLUMNS):
        columns[name] = values[:, j]
    columns["mean_reputation"] = runs.mean_reputation[keep]
    return columns
