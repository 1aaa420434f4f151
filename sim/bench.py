"""Benchmark: the Mesa engine and the Numba core side by side, in one process, on one scenario.

Scenario: the labour market on a Barabasi-Albert graph, n = 1,000, m = 3, 52 weeks, default
parameters, one graph for all replicates. Throughput is agent-steps per second (persons x weeks
per second of wall time). Machines here are shared and noisy: the Numba figures are medians
over repeats, and the ratios compare figures measured minutes apart in the same process.

Run with ``empathy-sim bench`` (``--quick`` for a one-minute version); results are printed and
written to ``results/benchmark.json``.
"""

from __future__ import annotations

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

from sim.params import Params
from sim.runs import run

SCENARIO = {
    "scenario": "market",
    "graph": "barabasi-albert",
    "n_nodes": 1000,
    "mean_degree": 6,
    "weeks": 52,
}
FIRST_RESULT = (
    "import time; t = time.perf_counter();"
    "from sim.params import Params; from sim.runs import run;"
    "run(Params.from_dict({'scenario': 'market', 'graph': 'barabasi-albert', 'n_nodes': 200,"
    " 'weeks': 5}), 2, seed=1, same_graph=True);"
    "print(time.perf_counter() - t)"
)
LARGE = (
    "import json, resource, sys, time; from sim.params import Params;"
    "from sim.runs import replicate_graph, streams; from sim.kernel import simulate_graphs;"
    "n, weeks, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]);"
    "p = Params.from_dict({'scenario': 'market', 'graph': 'barabasi-albert', 'n_nodes': n,"
    " 'mean_degree': 10, 'weeks': weeks});"
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
    folder = os.path.dirname(out) or "."
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as handle:
        json.dump(report, handle, indent=2)
    os.replace(handle.name, out)
    print(f"wrote {out}")
    return report
