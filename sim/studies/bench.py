"""Benchmark: the Numba core, its phases, its scaling, and what a user would run instead.

Everything is measured side by side in one process (the scaling rows each in a fresh one, for
their peak memory). Machines here are shared and noisy: throughputs are medians over
interleaved repeats, and the ratios compare figures measured seconds apart.

- **Reference scenario**, frozen in ``configs/benchmark.toml`` (a labour market of 1,000 on a
  Barabasi-Albert graph, m = 3, 52 weeks, every parameter written out): agent-steps per second
  (persons x weeks per second of wall time) on one thread and on all, the parallel efficiency,
  and the share of kernel time in each phase of the week.
- **Current market defaults** (``scenario = "market"``): the same on what users run today.
- **Levers off** (the reference with ``baseline = true``): the core against a batched,
  vectorised NumPy implementation of the same model (``sim.model.numpy_reference``): what a user
  would write instead.
- **Mesa**, the readable reference engine, on the reference scenario.
- **Scaling**: one replicate of the reference at n = 1e3 .. 1e6 (1e7 with ``--large``): graph
  building, CSR arrays and tie classes, the simulation, and peak memory, each separately;
  the NetworkX builder beside it up to 1e5 (1e6 with ``--large``).
- **Sweep overhead**: what a single-seeker run costs outside the kernel.

Run with ``empathy-sim bench`` (``--quick`` for a version of a few minutes); results are
printed and written to ``results/benchmark.json``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np

from sim.experiment.config import load_config
from sim.model.params import FILE_READING, Params
from sim.model.runs import replicate_csr, run, streams

REFERENCE_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "benchmark.toml"
SCALING_N = (1_000, 10_000, 100_000, 1_000_000)
LARGE_N = 10_000_000
FIRST_RESULT = (
    "import time; t = time.perf_counter();"
    "from sim.model.params import Params; from sim.model.runs import run;"
    "run(Params.from_dict({'scenario': 'market', 'burn_in': 0,"
    " 'graph': 'barabasi-albert', 'n_nodes': 200, 'weeks': 5}), 2, seed=1, same_graph=True);"
    "print(time.perf_counter() - t)"
)
# One replicate of a market at size n in a fresh process: build, CSR, ties, simulate, memory.
SCALING = """
import json, resource, sys, time
import numpy as np
from sim.model.params import Params
from sim.model.runs import streams
from sim.model.kernel import simulate_graphs
values, builder = json.loads(sys.argv[1]), sys.argv[2]
p = Params.from_dict(values)
small = p.replace(n_nodes=200, weeks=2)
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def graph(params):
    seed = np.random.default_rng(streams(1, 0)[0])
    if builder == "csr":
        from sim.model.csr_builders import build_csr
        timings = {}
        csr, _ = build_csr(params, seed, timings=timings)
        return csr, timings
    from sim.model.csr import CSRGraph
    from sim.model.graphs import build_networkx, prepare
    t = time.perf_counter()
    G = build_networkx(params, seed=1)
    built = time.perf_counter()
    G = prepare(G, params.share_close, params.share_regular, 1, params.tie_strength)
    tied = time.perf_counter()
    csr = CSRGraph.of(G)
    return csr, {"build_s": built - t, "ties_s": tied - built, "csr_s": time.perf_counter() - tied}
simulate_graphs(small, [graph(small)[0]], [streams(1, 0)[1]])  # compiled (cached) first
before = rss()
csr, timings = graph(p)
after_graph = rss()
t = time.perf_counter()
simulate_graphs(p, [csr], [streams(1, 0)[1]], per_person=False)
simulated = time.perf_counter() - t
print(json.dumps({**timings, "simulate_s": simulated, "rss_before_mb": before,
                  "rss_graph_mb": after_graph, "peak_rss_mb": rss()}))
"""


def reference() -> tuple[Params, list[str]]:
    """The frozen reference scenario, and the parameters its file does not pin (added to the
    model since: they take today's defaults, so figures may drift through them)."""
    experiment = load_config(str(REFERENCE_CONFIG))
    point = experiment.points()[0]
    # a graph file and how it is read cannot apply to the reference's generated graph
    pinned = set(experiment.model) | set(point.values) | {"graph_file", *FILE_READING}
    unpinned = [f.name for f in dataclasses.fields(Params) if f.name not in pinned]
    return point.params(experiment.base()), unpinned


def agent_steps_per_s(params: Params, replicates: int, engine: str, threads: int | None) -> float:
    start = time.perf_counter()
    run(params, replicates, seed=1, engine=engine, same_graph=True, threads=threads)
    return replicates * params.n_nodes * params.weeks / (time.perf_counter() - start)


def _numpy_steps_per_s(params: Params, replicates: int) -> float:
    from sim.model.numpy_reference import simulate_baseline_numpy

    csr = replicate_csr(params, 1, 0, True)
    start = time.perf_counter()
    simulate_baseline_numpy(params, csr, replicates, 1)
    return replicates * params.n_nodes * params.weeks / (time.perf_counter() - start)


def _replicates_for(params: Params, seconds: float, threads: int = 1) -> int:
    """Enough replicates for a measurement of about ``seconds`` on one thread."""
    probe = agent_steps_per_s(params, 4, "numba", threads)
    return max(4, int(seconds * probe / (params.n_nodes * params.weeks)))


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


def phase_shares(params: Params, replicates: int) -> dict[str, float]:
    """Share of kernel time in each phase of the week (one thread, the kernel's own clock)."""
    from sim.model.kernel import PHASES, simulate_graphs

    csr = replicate_csr(params, 1, 0, True)
    seqs = [streams(1, r)[1] for r in range(replicates)]
    clock = np.zeros((replicates, len(PHASES)))
    simulate_graphs(params, [csr] * replicates, seqs, threads=1, clock=clock)
    total = clock.sum()
    return {name: float(clock[:, i].sum() / total) for i, name in enumerate(PHASES)}


def scaling(sizes: tuple[int, ...], params: Params, nx_up_to: int) -> list[dict[str, Any]]:
    """One replicate of ``params`` at each size n, each in a fresh process."""
    rows = []
    for builder in ("csr", "networkx"):
        for n in sizes:
            if builder == "networkx" and n > nx_up_to:
                continue
            values = {**params.as_dict(), "n_nodes": n}
            values.pop("graph_file")
            figures = json.loads(_python(SCALING, json.dumps(values), builder))
            rows.append(
                {
                    "builder": builder,
                    "n": n,
                    "weeks": params.weeks,
                    **figures,
                    "ns_per_agent_step": 1e9 * figures["simulate_s"] / (n * params.weeks),
                    "bytes_per_person_run": 2**20
                    * (figures["peak_rss_mb"] - figures["rss_graph_mb"])
                    / n,
                }
            )
    return rows


def sweep_overhead(runs: int = 2000) -> dict[str, float]:
    """Microseconds per single-seeker run (the README's first command): the whole ``run`` with
    its graphs cached; of it, the compiled kernel alone (the call into it, given arrays and
    Generators ready), and the rest (seeding, the typed list of Generators, graph lookups,
    the result arrays)."""
    from sim.model.kernel import simulate_graphs

    params = Params.from_dict({"scenario": "single"})
    run(params, runs, seed=1)  # graphs built and cached, kernel compiled
    start = time.perf_counter()
    run(params, runs, seed=1)
    whole = (time.perf_counter() - start) / runs
    graphs = [replicate_csr(params, 1, r, False) for r in range(runs)]
    timings: dict[str, float] = {}
    simulate_graphs(params, graphs, [streams(1, r)[1] for r in range(runs)], timings=timings)
    kernel = timings["kernel_s"] / runs
    return {
        "us_per_run": 1e6 * whole,
        "kernel_us_per_run": 1e6 * kernel,
        "outside_kernel_us_per_run": 1e6 * (whole - kernel),
    }


def measure(
    quick: bool = False, large: bool = False, sizes: tuple[int, ...] = SCALING_N
) -> dict[str, Any]:
    """Every figure of the benchmark; ``sizes`` are the scaling table's population sizes
    (persons; ``large`` adds ten million)."""
    params, unpinned = reference()
    market = Params.from_dict({"scenario": "market"})
    cores = os.cpu_count() or 1
    threads_all = min(cores, numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    compile_s, cached_start_s = start_up_times()
    run(params, 2, seed=0, same_graph=True)  # compile in this process too
    run(params.replace(weeks=1), 1, seed=0, engine="mesa")  # import Mesa outside the timing
    seconds = 1.0 if quick else 4.0
    repeats = 3

    replicates = _replicates_for(params, seconds)
    one, every = [], []
    for _ in range(repeats):  # interleaved, so drift in the machine's load hits both alike
        one.append(agent_steps_per_s(params, replicates, "numba", 1))
        every.append(agent_steps_per_s(params, replicates * threads_all, "numba", threads_all))
    numba_one, numba_all = statistics.median(one), statistics.median(every)

    market_replicates = max(2, _replicates_for(market, seconds / 2))
    market_rate = statistics.median(
        agent_steps_per_s(market, market_replicates, "numba", 1) for _ in range(repeats)
    )

    levers_off = params.replace(baseline=True)
    _numpy_steps_per_s(levers_off, 2)  # import and warm up
    off_replicates = _replicates_for(levers_off, seconds)
    core_off, numpy_off = [], []
    for _ in range(repeats):
        core_off.append(agent_steps_per_s(levers_off, off_replicates, "numba", 1))
        numpy_off.append(_numpy_steps_per_s(levers_off, off_replicates))

    mesa_replicates = 1 if quick else 3
    mesa = agent_steps_per_s(params, mesa_replicates, "mesa", None)
    phases = phase_shares(params, replicates)
    sizes = tuple(sizes) + ((LARGE_N,) if large else ())
    rows = scaling(sizes, params, nx_up_to=1_000_000 if large else 100_000)
    return {
        "reference_config": "configs/benchmark.toml",
        "reference_unpinned": unpinned,
        "scenario": {"graph": params.graph, "n_nodes": params.n_nodes, "weeks": params.weeks},
        "cpu_count": cores,
        "threads_all": threads_all,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "quick": quick,
        "repeats": repeats,
        "numba_replicates": replicates,
        "numba_agent_steps_per_s_1thread": numba_one,
        "numba_agent_steps_per_s_all": numba_all,
        "numba_1thread_repeats": one,
        "numba_all_repeats": every,
        "parallel_efficiency": numba_all / (numba_one * threads_all),
        "phase_share": phases,
        "market_defaults": {
            "graph": market.graph,
            "n_nodes": market.n_nodes,
            "weeks": market.weeks,
            "replicates": market_replicates,
            "numba_agent_steps_per_s_1thread": market_rate,
        },
        "levers_off": {
            "replicates": off_replicates,
            "numba_agent_steps_per_s_1thread": statistics.median(core_off),
            "numpy_agent_steps_per_s": statistics.median(numpy_off),
            "numba_over_numpy": statistics.median(core_off) / statistics.median(numpy_off),
        },
        "mesa_replicates": mesa_replicates,
        "mesa_agent_steps_per_s": mesa,
        "mesa_us_per_agent_step": 1e6 / mesa,
        "speedup_vs_mesa": numba_one / mesa,
        "compile_s": compile_s,
        "cached_start_s": cached_start_s,
        "scaling": rows,
        # in a fresh process, as a sweep's worker sees it (not after this one's many objects)
        "sweep_overhead": json.loads(
            _python(
                "import json; from sim.studies.bench import sweep_overhead;"
                f"print(json.dumps(sweep_overhead({500 if quick else 2000})))"
            )
        ),
    }


def format_report(r: dict[str, Any]) -> str:
    m, off, o = r["market_defaults"], r["levers_off"], r["sweep_overhead"]
    all_threads = f"Numba, {r['threads_all']} threads"
    lines = [
        f"Reference scenario ({r['reference_config']}): labour market, {r['scenario']['graph']} "
        f"n={r['scenario']['n_nodes']:,}, {r['scenario']['weeks']} weeks; {r['cpu_count']} CPUs",
        f"{'engine':<34} {'agent-steps/s':>14} {'vs Mesa':>9}",
        f"{'Mesa (reference engine)':<34} {r['mesa_agent_steps_per_s']:>14,.0f} {1:>9.0f}x",
        f"{'Numba, 1 thread':<34} {r['numba_agent_steps_per_s_1thread']:>14,.0f} "
        f"{r['speedup_vs_mesa']:>9.0f}x",
        f"{all_threads:<34} {r['numba_agent_steps_per_s_all']:>14,.0f} "
        f"{r['numba_agent_steps_per_s_all'] / r['mesa_agent_steps_per_s']:>9.0f}x",
        f"parallel efficiency {r['parallel_efficiency']:.2f}; Numba medians of {r['repeats']} "
        f"interleaved repeats x {r['numba_replicates']} replicates per thread",
        "kernel time by phase: "
        + ", ".join(f"{name} {100 * share:.0f}%" for name, share in r["phase_share"].items()),
        f"current market defaults ({m['graph']} n={m['n_nodes']:,}, {m['weeks']} weeks): "
        f"{m['numba_agent_steps_per_s_1thread']:,.0f} agent-steps/s on 1 thread",
        f"levers off, 1 thread: Numba {off['numba_agent_steps_per_s_1thread']:,.0f}, "
        f"vectorised NumPy {off['numpy_agent_steps_per_s']:,.0f} agent-steps/s "
        f"(Numba/NumPy {off['numba_over_numpy']:.2f})",
        f"start-up to a first result: {r['compile_s']:.1f} s with an empty cache (compiling), "
        f"{r['cached_start_s']:.1f} s with a warm cache",
        f"single-seeker sweep: {o['us_per_run']:.0f} us per run, of which the compiled kernel "
        f"{o['kernel_us_per_run']:.0f} us and everything around it "
        f"{o['outside_kernel_us_per_run']:.0f} us",
        "scaling, one replicate of the reference scenario (1 thread):",
        f"{'builder':>9} {'n':>11} {'build s':>8} {'CSR s':>7} {'ties s':>7} {'simulate s':>10} "
        f"{'ns/agent-step':>13} {'peak MB':>8} {'run B/person':>12}",
    ]
    for row in r["scaling"]:
        lines.append(
            f"{row['builder']:>9} {row['n']:>11,} {row['build_s']:>8.2f} {row['csr_s']:>7.2f} "
            f"{row['ties_s']:>7.2f} {row['simulate_s']:>10.2f} {row['ns_per_agent_step']:>13.0f} "
            f"{row['peak_rss_mb']:>8.0f} {row['bytes_per_person_run']:>12.0f}"
        )
    if r["reference_unpinned"]:
        lines.append(
            "not pinned by the reference file (today's defaults used): "
            + ", ".join(r["reference_unpinned"])
        )
    return "\n".join(lines)


def main(
    quick: bool = False,
    out: str = "results/benchmark.json",
    large: bool = False,
    sizes: tuple[int, ...] = SCALING_N,
) -> dict[str, Any]:
    report = measure(quick, large, sizes)
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
    from sim.experiment.batches import Job
    from sim.experiment.config import parse_config

    params, _ = reference()
    model = {k: v for k, v in params.as_dict().items() if k not in ("specificity", "graph_file")}
    values = ", ".join(f"{v:.4f}" for v in np.linspace(0.0, 1.0, points))
    experiment = parse_config(
        "seed = 1\nreplicates = 100\nrandom_numbers = 'common'\n[model]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in model.items())
        + f"[design]\nkind = 'grid'\n[design.values]\nspecificity = [{values}]\n"
    )
    return Job.of(experiment), experiment


def _timed_batch(job: Any, batch: Any) -> tuple[float, Any]:
    from sim.experiment.batches import run_batch

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

    from sim.experiment.batches import plan, run_batch

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
        "reference_config": "configs/benchmark.toml",
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
