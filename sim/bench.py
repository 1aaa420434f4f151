"""Benchmark: the Mesa engine and the Numba core side by side, in one process, on one scenario.

Scenario: the labour market on a Barabasi-Albert graph, n = 1,000, m = 3, 52 weeks, default
parameters, one graph for all replicates. Throughput is agent-steps per second (persons x weeks
per second of wall time). Machines here are shared and noisy: the Numba figures are medians
over repeats, and the ratios compare figures measured minutes apart in the same process.

Run with ``empathy-sim bench`` (``--quick`` for a one-minute version); results are printed and
written to ``results/benchmark.json``.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numba
import numpy as np

from sim.params import Params
from sim.runs import run

SCENARIO = {
    "scenario": "market",
    "burn_in": 0,
    "graph": "barabasi-albert",
    "n_nodes": 1000,
    "mean_degree": 6,
    "weeks": 52,
}
FIRST_RESULT = (
    "import time; t = time.perf_counter();"
    "from sim.params import Params; from sim.runs import run;"
    "run(Params.from_dict({'scenario': 'market', 'burn_in': 0,"
    " 'graph': 'barabasi-albert', 'n_nodes': 200, 'weeks': 5}), 2, seed=1, same_graph=True);"
    "print(time.perf_counter() - t)"
)
LARGE = (
    "import json, resource, sys, time; from sim.params import Params;"
    "from sim.runs import replicate_graph, streams; from sim.kernel import simulate_graphs;"
    "n, weeks, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]);"
    "p = Params.from_dict({'scenario': 'market', 'burn_in': 0,"
    " 'graph': 'barabasi-albert', 'n_nodes': n, 'mean_degree': 10, 'weeks': weeks});"
    "g = replicate_graph(p, 1, 0, True);"  # built outside the timing: NetworkX, not the core
    "seqs = [streams(1, r)[1] for r in range(reps)];"
    "simulate_graphs(p.replace(n_nodes=200, weeks=2), [replicate_graph(p.replace(n_nodes=200),"
    " 1, 0, True)], seqs[:1]);"  # compile before measuring
    "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
    "t = time.perf_counter(); simulate_graphs(p, [g] * reps, seqs);"
    "dt = time.perf_counter() - t;"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
    "print(json.dumps({'seconds': dt, 'peak_kb': peak, 'before_kb': before}))"
)


def agent_steps_per_s(params: Params, replicates: int, engine: str, threads: int | None) -> float:
    start = time.perf_counter()
    run(params, replicates, seed=1, engine=engine, same_graph=True, threads=threads)
    return replicates * params.n_nodes * params.weeks / (time.perf_counter() - start)


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def start_up_times() -> tuple[float, float]:
    """Seconds to a first result in a fresh process: with an empty cache, then a warm one."""
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = time.perf_counter()
        _python(FIRST_RESULT, env=env)
        cold = time.perf_counter() - cold
        warm = time.perf_counter()
        _python(FIRST_RESULT, env=env)
        warm = time.perf_counter() - warm
    return cold, warm


def measure(quick: bool = False) -> dict[str, Any]:
    params = Params.from_dict(SCENARIO)
    cores = os.cpu_count() or 1
    threads_all = min(cores, numba.config.NUMBA_NUM_THREADS)
    compile_s, cached_start_s = start_up_times()
    run(params, 2, seed=0, same_graph=True)  # compile in this process too
    run(params.replace(weeks=1), 1, seed=0, engine="mesa")  # import Mesa outside the timing
    mesa_replicates = 1 if quick else 3
    mesa = agent_steps_per_s(params, mesa_replicates, "mesa", None)
    # Enough Numba replicates to run for several seconds (about 1 s in --quick).
    probe = agent_steps_per_s(params, 20, "numba", 1)
    seconds = 1.0 if quick else 4.0
    replicates = max(20, int(seconds * probe / (params.n_nodes * params.weeks)))
    repeats = 3
    one, every = [], []
    for _ in range(repeats):  # interleaved, so drift in the machine's load hits both alike
        one.append(agent_steps_per_s(params, replicates, "numba", 1))
        every.append(agent_steps_per_s(params, replicates, "numba", threads_all))
    numba_one, numba_all = statistics.median(one), statistics.median(every)
    large_n, large_weeks, large_reps = (100_000, 10 if quick else 52, 2)
    large = json.loads(_python(LARGE, str(large_n), str(large_weeks), str(large_reps)))
    large_rate = large_reps * large_n * large_weeks / large["seconds"]
    return {
        "scenario": {**SCENARIO, "m": 3, "defaults": "all other parameters"},
        "cpu_count": cores,
        "threads_all": threads_all,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "quick": quick,
        "mesa_replicates": mesa_replicates,
        "numba_replicates": replicates,
        "repeats": repeats,
        "mesa_agent_steps_per_s": mesa,
        "mesa_us_per_agent_step": 1e6 / mesa,
        "numba_agent_steps_per_s_1thread": numba_one,
        "numba_agent_steps_per_s_all": numba_all,
        "numba_1thread_repeats": one,
        "numba_all_repeats": every,
        "speedup_vs_mesa": numba_one / mesa,
        "parallel_efficiency": numba_all / (numba_one * threads_all),
        "compile_s": compile_s,
        "cached_start_s": cached_start_s,
        "large_n": large_n,
        "large_mean_degree": 10,
        "large_weeks": large_weeks,
        "large_replicates": large_reps,
        "large_agent_steps_per_s": large_rate,
        "large_peak_rss_mb": large["peak_kb"] / 1024,
        "large_bytes_per_agent": (large["peak_kb"] - large["before_kb"]) * 1024 / large_n,
    }


def format_report(r: dict[str, Any]) -> str:
    all_threads = f"Numba, {r['threads_all']} threads"
    lines = [
        f"Labour market, Barabasi-Albert n=1,000 m=3, 52 weeks, defaults; {r['cpu_count']} CPUs",
        f"{'engine':<26} {'agent-steps/s':>14} {'vs Mesa':>9}",
        f"{'Mesa (reference)':<26} {r['mesa_agent_steps_per_s']:>14,.0f} {1:>9.0f}x",
        f"{'Numba, 1 thread':<26} {r['numba_agent_steps_per_s_1thread']:>14,.0f} "
        f"{r['speedup_vs_mesa']:>9.0f}x",
        f"{all_threads:<26} "
        f"{r['numba_agent_steps_per_s_all']:>14,.0f} "
        f"{r['numba_agent_steps_per_s_all'] / r['mesa_agent_steps_per_s']:>9.0f}x",
        f"parallel efficiency {r['parallel_efficiency']:.2f}; Mesa "
        f"{r['mesa_us_per_agent_step']:.1f} us per agent-step ({r['mesa_replicates']} replicates); "
        f"Numba medians of {r['repeats']} repeats x {r['numba_replicates']} replicates",
        f"start-up to a first result: {r['compile_s']:.1f} s with an empty cache (compiling), "
        f"{r['cached_start_s']:.1f} s with a warm cache",
        f"n={r['large_n']:,} (mean degree 10, {r['large_weeks']} weeks, "
        f"{r['large_replicates']} replicates): {r['large_agent_steps_per_s']:,.0f} agent-steps/s, "
        f"peak memory {r['large_peak_rss_mb']:.0f} MB "
        f"({r['large_bytes_per_agent']:,.0f} bytes per agent for the run itself, graph built)",
    ]
    return "\n".join(lines)


def main(quick: bool = False, out: str = "results/benchmark.json") -> dict[str, Any]:
    report = measure(quick)
    print(format_report(report))
    _save(report, out)
    return report


def _save(report: dict[str, Any], out: str) -> None:
    folder = os.path.dirname(out) or "."
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as handle:
        json.dump(report, handle, indent=2)
    os.replace(handle.name, out)
    print(f"wrote {out}")


# --- Dask: scheduling overhead per task -------------------------------------------------------
def _market_job(points: int) -> tuple[Any, Any]:
    """The benchmark market as a sweep: ``points`` values of specificity x 100 replicates,
    common random numbers (as in configs/flagship.toml)."""
    from sim.batches import Job
    from sim.config import parse_config

    values = ", ".join(f"{v:.4f}" for v in np.linspace(0.0, 1.0, points))
    experiment = parse_config(
        "seed = 1\nreplicates = 100\nrandom_numbers = 'common'\n[model]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in SCENARIO.items())
        + f"[design]\nkind = 'grid'\n[design.values]\nspecificity = [{values}]\n"
    )
    return Job.of(experiment), experiment


def _timed_batch(job: Any, batch: Any) -> tuple[float, Any]:
    from sim.batches import run_batch

    clock = time.perf_counter()
    tables = run_batch(job, batch)
    return time.perf_counter() - clock, tables


def dask_overhead(
    batch_sizes: tuple[int, ...] = (10, 100, 1000), tasks: int = 8, repeats: int = 3
) -> dict[str, Any]:
    """Seconds per task that Dask adds to a batch, measured against the same batches run in
    this process, one worker and one thread on both sides (so the difference is Dask's:
    sending the task, pickling the result tables, scheduling)."""
    from distributed import Client, LocalCluster

    from sim.batches import plan, run_batch

    rows = []
    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        for size in batch_sizes:
            job, experiment = _market_job(-(-size * tasks // 100))
            batches = plan(experiment.points(), 100, [(0, size * tasks)], size)
            task = functools.partial(_timed_batch, job)
            # warm-up on both sides: compiled kernel loaded, the 100 networks built and cached
            warm = plan(experiment.points(), 100, [(0, 100)], 100)[0]
            run_batch(job, warm)
            client.submit(task, warm, pure=False).result()
            local, remote, inside = [], [], []
            for _ in range(repeats):  # interleaved, so both see the same machine load
                clock = time.perf_counter()
                for batch in batches:
                    run_batch(job, batch)
                local.append(time.perf_counter() - clock)
                clock = time.perf_counter()
                futures = client.map(task, batches, pure=False)
                done = client.gather(futures)
                remote.append(time.perf_counter() - clock)
                inside.append(sum(seconds for seconds, _ in done))
            per_task = statistics.median(local) / tasks
            extra = (statistics.median(remote) - statistics.median(local)) / tasks
            scheduling = (statistics.median(remote) - statistics.median(inside)) / tasks
            rows.append(
                {
                    "batch_size": size,
                    "tasks": tasks,
                    "seconds_per_task_in_process": per_task,
                    "seconds_per_task_computing_on_worker": statistics.median(inside) / tasks,
                    "dask_overhead_seconds_per_task": extra,
                    "dask_overhead_share": extra / per_task,
                    "scheduling_seconds_per_task": scheduling,
                    "scheduling_share": scheduling / per_task,
                }
            )
    return {
        "scenario": SCENARIO,
        "what": "Dask LocalCluster, 1 worker x 1 thread, against the same batches in process; "
        f"medians of {repeats} interleaved repeats",
        "rows": rows,
        "cpu_count": os.cpu_count(),
    }


def format_dask(report: dict[str, Any]) -> str:
    lines = [
        "Dask overhead per task (" + report["what"] + ")",
        f"{'runs per task':>14} {'in process':>11} {'on worker':>10} {'Dask adds':>10} "
        f"{'share':>6} {'of which scheduling':>20}",
    ]
    for row in report["rows"]:
        lines.append(
            f"{row['batch_size']:>14,} {row['seconds_per_task_in_process']:>10.3f}s "
            f"{row['seconds_per_task_computing_on_worker']:>9.3f}s "
            f"{1e3 * row['dask_overhead_seconds_per_task']:>8.1f}ms "
            f"{100 * row['dask_overhead_share']:>5.1f}% "
            f"{1e3 * row['scheduling_seconds_per_task']:>9.1f}ms "
            f"({100 * row['scheduling_share']:.1f}%)"
        )
    return "\n".join(lines)


def main_dask(out: str = "results/benchmark-dask.json", quick: bool = False) -> dict[str, Any]:
    report = dask_overhead(batch_sizes=(10, 100) if quick else (10, 100, 1000))
    print(format_dask(report))
    _save(report, out)
    return report
