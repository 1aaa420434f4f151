"""Command line: argument parsing only; the work is done by the modules it calls.

Every user error (an unknown parameter, a value out of range, a bad graph file) ends in one line
on stderr naming the problem and what is allowed, and exit code 2, with no traceback.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from sim.model.params import PRESETS, ConfigError, Params, SweepError
from sim.model.runs import ENGINES

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _assignments(items: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set takes name=value, got '{item}'")
        values[name.strip()] = value.strip()
    return values


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number >= 0")
    return value


def _check_out(path: str) -> None:
    """Refuse an unusable output path before any work is done, not after."""
    if not path:
        return
    if os.path.isdir(path):
        raise ConfigError(f"--out '{path}' is a folder; give a file path such as results/x.csv")
    folder = os.path.dirname(path) or "."
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ConfigError(f"--out '{path}': '{folder}' is a file, not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--out '{path}': cannot create folder '{folder}' ({exc.strerror})"
        ) from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"--out '{path}': folder '{folder}' is not writable")


def _write_csv(path: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write atomically: a failed or interrupted write never leaves a damaged file behind."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _refuse_set_over_presets(overrides: dict[str, Any], strategies: Sequence[str]) -> None:
    """A --set value for a parameter a chosen preset sets is refused: it would override the
    preset silently (every strategy of a comparison running the same ask)."""
    from sim.model.params import preset

    for strategy in strategies:
        for name, value in preset(strategy).items():
            if name in overrides:
                raise ConfigError(
                    f"--set {name}={overrides[name]} would override the strategy '{strategy}' "
                    f"({name}={value}); allowed: --set for parameters the presets leave alone "
                    "(they set "
                    + ", ".join(dict.fromkeys(k for v in PRESETS.values() for k in v))
                    + "), or values without a strategy"
                )


def _refuse_unused_file(overrides: dict[str, Any], params: Params) -> None:
    """--set graph_file without graph=file would run another graph while naming a file."""
    if "graph_file" in overrides and params.graph != "file":
        raise ConfigError(
            f"graph_file={overrides['graph_file']!r} has no effect: graph is '{params.graph}'; "
            "allowed: add --set graph=file, or leave graph_file out"
        )


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.analysis.strategies import compare_runs, strategy_table, summarise

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if not strategies:
        raise ConfigError(f"--strategies is empty; allowed: a comma list of {', '.join(PRESETS)}")
    overrides = _assignments(args.set)
    _refuse_set_over_presets(overrides, strategies)
    _check_out(args.out)
    for name in strategies:  # validate everything before the first run
        params = Params.from_dict({**overrides, "scenario": "single"}, strategy=name)
    if args.replicates < 1:
        raise ConfigError(f"--replicates={args.replicates}; allowed: a whole number >= 1")
    _refuse_unused_file(overrides, params)
    if params.graph == "file":
        from sim.model.graphs import file_graph_lines

        print("\n".join(file_graph_lines(params, args.seed)))
    runs = compare_runs(strategies, args.replicates, args.seed, overrides, args.engine)
    print(
        f"Single seeker, {args.replicates} replicates per strategy, root seed {args.seed} "
        f"({args.engine} engine; same seeds for every strategy)"
    )
    print("\n".join(strategy_table(runs, params.weeks, paired=True)))
    rows = summarise(runs, params.weeks, args.engine)
    if args.out:
        _write_csv(args.out, rows)
        print(f"wrote {args.out}")
    return 0


def _scheduler(args: argparse.Namespace) -> str:
    """The --scheduler address, "" when not given. Given empty (an unset shell variable) it is
    refused, not taken to mean: run on this machine."""
    if args.scheduler is None:
        return ""
    if not args.scheduler.strip():
        raise ConfigError(
            "--scheduler is empty; allowed: the address a Dask scheduler printed, "
            "e.g. tcp://10.0.0.5:8786"
        )
    return str(args.scheduler)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.model.graphs import file_graph_lines
    from sim.model.results import COLUMNS
    from sim.model.runs import replicate_graph, run

    scheduler = _scheduler(args)
    single = {
        "--seed": args.seed is not None,
        "--engine": args.engine is not None,
        "--set": bool(args.set),
        "--strategy": args.strategy is not None,
        "--out": bool(args.out),
    }
    sweep_only = {
        "--results": args.results is not None,
        "--batch-size": args.batch_size is not None,
        "--force": args.force,
        "--dry-run": args.dry_run,
        "--workers": args.workers is not None,
        "--dask": args.dask,
        "--scheduler": bool(scheduler),
    }
    if args.config:
        misplaced = [name for name, given in single.items() if given]
        if misplaced:
            raise ConfigError(
                f"{', '.join(misplaced)} cannot be used with a config (it sets the seed, engine "
                "and parameters itself); allowed with CONFIG: " + ", ".join(sweep_only)
            )
        from sim.experiment.sweep import sweep

        workers = args.workers if args.workers is not None else os.cpu_count() or 1
        folder = sweep(
            args.config,
            args.results or "results",
            1000 if args.batch_size is None else args.batch_size,
            args.force,
            args.dry_run,
            workers=workers,
            backend="dask" if args.dask or scheduler else "processes",
            scheduler=scheduler,
            small_here=args.workers is None,
        )
        if not args.dry_run:
            tables = ("manifest.json", "runs.parquet", "weekly.parquet", "sensitivity.csv")
            written = [name for name in tables if (folder / name).is_file()]
            print(f"wrote {', '.join(written)} in {folder}")
            _tell_stationarity(folder)
        return 0

    misplaced = [name for name, given in sweep_only.items() if given]
    if misplaced:
        raise ConfigError(
            f"{', '.join(misplaced)} only apply to a sweep: give a config, "
            "e.g. empathy-sim run configs/strategies.toml"
        )
    args.seed = 0 if args.seed is None else args.seed
    args.engine = args.engine or "numba"
    overrides = _assignments(args.set)
    if args.strategy is not None:
        _refuse_set_over_presets(overrides, [args.strategy])
    params = Params.from_dict(overrides, strategy=args.strategy)
    _refuse_unused_file(overrides, params)
    _check_out(args.out)
    if params.graph == "file":
        print("\n".join(file_graph_lines(params, args.seed)))
    runs = run(params, 1, args.seed, args.engine)
    if params.scenario == "single":
        graph = replicate_graph(params, args.seed, 0, same_graph=False)
        week, channel = int(runs.weeks_to_offer[0]), runs.channel_names()[0]
        got = f"an offer in week {week} via {channel}" if week else "no offer by the horizon"
        print(f"seeker: {got} ({args.engine} engine, seed {args.seed})")
        answered = [(w, c) for c, w in enumerate(runs.answer_week[0]) if w >= 0]
        for week, contact in sorted(answered):
            answer = runs.answer_names()[0][contact]
            print(f"  week {week:>3}: {_who(graph, contact)} answered {answer}")
    else:
        shown = ("employed", "unemployed", "hires_direct", "hires_lead", "hires_intro")
        print("week " + " ".join(f"{name:>12}" for name in shown))
        for week in range(max(0, int(runs.weeks_run[0]) - 4), int(runs.weeks_run[0]) + 1):
            row = runs.weekly[0, week]
            print(f"{week:>4} " + " ".join(f"{row[COLUMNS.index(n)]:>12}" for n in shown))
        from sim.analysis.market import format_outcomes

        print(
            f"market of {runs.n_people:,} people on '{params.graph}' "
            f"({args.engine} engine, seed {args.seed}); measured over weeks "
            f"{params.burn_in + 1}-{params.weeks} (burn-in {params.burn_in} weeks):"
        )
        for line in format_outcomes(runs):
            print(line)
    if args.out:
        rows = [
            {"week": week, **dict(zip(COLUMNS, map(int, values), strict=True))}
            for week, values in enumerate(runs.weekly[0, : runs.weeks_run[0] + 1])
        ]
        _write_csv(args.out, rows)
        print(f"wrote {args.out}")
    return 0


def _who(graph: Any, node: int) -> str:
    """A contact as the user knows them: the label a file (or a named graph) gives, or the
    role and number of the built-in personal network."""
    label = graph.nodes[node].get("label", node)
    if isinstance(label, str):
        return repr(label)
    return f"{graph.nodes[node].get('role', 'contact')} {node}"


def cmd_graph(args: argparse.Namespace) -> int:
    """What a graph file reads as: the summary line, how it was parsed, every person."""
    from sim.model.graphs import describe_file_graph

    overrides = _assignments(args.set)
    for name in ("graph", "graph_file"):
        if name in overrides:
            raise ConfigError(f"--set {name}= cannot be used here: the FILE argument is the graph")
    flags = {"graph_encoding": args.encoding or None, "graph_delimiter": args.delimiter or None,
             "graph_header": args.header or None, "seeker": args.seeker}  # fmt: skip
    for name, value in flags.items():
        if value is not None:
            if name in overrides:
                raise ConfigError(f"--set {name}= and its option both given; allowed: one of them")
            overrides[name] = value
    overrides.update(graph="file", graph_file=args.file)
    params = Params.from_dict(overrides)
    if args.draw:
        _check_out(args.draw)
        suffix = os.path.splitext(args.draw)[1].lstrip(".").lower()
        if suffix not in ("png", "svg", "pdf"):
            raise ConfigError(f"--draw '{args.draw}': allowed: a .png, .svg or .pdf path")
    summary, reading, graph = describe_file_graph(params, args.seed)
    print(summary)
    print(f"read as: {reading.how()}")
    for line in reading.repairs():
        print(f"repaired: {line}")
    names = ("close", "regular", "distant")
    print(f"{'node':>5}  {'ties':>4}  {'close':>5} {'regular':>7} {'distant':>7}  label")
    shown = graph.nodes if args.all else list(graph.nodes)[: args.show]
    for node in shown:
        ties = [graph.edges[node, other]["tie"] for other in graph.adj[node]]
        by = [sum(1 for t in ties if t == c) for c in range(len(names))]
        seeker = "   (seeker)" if node == 0 and params.scenario == "single" else ""
        print(
            f"{node:>5}  {len(ties):>4}  {by[0]:>5} {by[1]:>7} {by[2]:>7}  "
            f"{graph.nodes[node]['label']!r}{seeker}"
        )
    if len(shown) < graph.number_of_nodes():
        print(f"  ... {graph.number_of_nodes() - len(shown)} more (--all lists everyone)")
    if args.draw:
        from sim.studies import plots

        stem, suffix = os.path.splitext(args.draw)
        plots.save(plots.file_network(graph), stem, (suffix.lstrip(".").lower() or "png",))
        print(f"wrote {args.draw}")
    return 0


def _tell_stationarity(folder: Any) -> None:
    """After a market sweep: does each design point's window look stationary?"""
    import pyarrow.parquet as pq

    from sim.analysis.market import SERIES, describe

    path = folder / "runs.parquet"
    wanted = ["point"] + [f"drift_{s}{e}" for s in SERIES for e in ("", "_se")]
    if not path.is_file() or not set(wanted) <= set(pq.read_schema(path).names):
        return  # not a market sweep
    for line in describe(pq.read_table(path, columns=wanted).to_pandas()):
        print(line)


def cmd_bench(args: argparse.Namespace) -> int:
    from sim.studies.bench import main as bench

    _check_out(args.out)
    if args.dask:
        from sim.studies.bench import main_dask

        main_dask(out=args.out.replace("benchmark.json", "benchmark-dask.json"), quick=args.quick)
        return 0
    sizes = []
    for text in args.sizes.split(","):
        try:
            size = int(text.strip().replace("_", ""))
        except ValueError:
            size = 0
        if not 100 <= size <= 100_000_000:
            raise ConfigError(
                f"--sizes {args.sizes}: '{text}' is not allowed; allowed: a comma list of whole "
                "numbers from 100 to 100,000,000 (persons)"
            )
        sizes.append(size)
    bench(quick=args.quick, out=args.out, large=args.large, sizes=tuple(sizes))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a config as ``run`` (or, for a calibration config, ``calibrate``) reads it, and
    say what it read: the design's size, counted without building it, and its first points."""
    from sim.experiment.config import design_warnings, is_calibration, load_config, read_file

    if is_calibration(read_file(args.config), args.config):
        return _check_calibration(args.config)
    from sim.experiment.sweep import describe_graph_files

    experiment = load_config(args.config)
    for line in design_warnings(experiment):
        print(f"empathy-sim: warning: {args.config}: {line}", file=sys.stderr)
    read = describe_graph_files(experiment)  # a graph file run would refuse is refused here
    points = experiment.points()
    print(
        f"{args.config}: valid. '{experiment.name}': {len(points):,} design point(s) x "
        f"{experiment.replicates:,} replicates = {experiment.runs():,} runs "
        f"({experiment.design.kind} design, root seed {experiment.seed}, {experiment.engine})"
    )
    for line in read:
        print(f"  {line}")
    sampled = experiment.design.kind in ("lhs", "sobol", "morris")
    for point in points[: args.show]:
        print(f"  point {point.index}: {_label(point, sampled)}")
    if len(points) > args.show:
        print(f"  ... {len(points) - args.show:,} more")
    return 0


def _label(point: Any, sampled: bool) -> str:
    """A design point as read: a preset with the values it sets; values as written (text as
    text, true/false as in TOML), sampled decimals to 4 significant digits."""
    from sim.model.params import preset

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, float) and sampled:
            return f"{value:.4g}"
        return str(value)

    if point.strategy is not None:
        values = ", ".join(f"{k}={shown(v)}" for k, v in preset(point.strategy).items())
        return f"{point.strategy} ({values})"
    return ", ".join(f"{k}={shown(v)}" for k, v in point.values.items())


def _check_calibration(path: str) -> int:
    from sim.experiment.calibration import load_calibration

    config, targets, targets_path, _ = load_calibration(path)
    read = []
    if config.model.get("graph") == "file":  # as calibrate reads it
        from sim.model.graphs import file_graph_lines

        read = file_graph_lines(Params.from_dict(config.model), config.seed)
    print(
        f"{path}: valid calibration config. '{config.name}': {', '.join(config.priors)} fitted "
        f"to {len(targets.fit())} moments of {targets_path} ({len(targets.held_out())} held "
        f"out); population {config.abc.population_size}, at most {config.abc.generations} "
        f"generations, root seed {config.seed}; run it with empathy-sim calibrate"
    )
    for line in read:
        print(f"  {line}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.analysis.strategies import strategy_table
    from sim.studies.figures import load, plot

    folder = Path(args.results_dir)
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    if not formats:
        raise ConfigError("--format is empty; allowed: a comma list of png, svg, pdf")
    from sim.studies.figures import is_calibration

    if is_calibration(folder):
        from sim.experiment.calibration import format_check, format_summary, summary_table
        from sim.studies.figures import plot_calibration

        written = plot_calibration(folder, args.chart, formats, args.size)
        table, check = summary_table(folder)
        from sim.experiment.calibration import ess, status

        print(f"{folder}: calibration {status(folder)}")
        for line in format_summary(table, ess(folder)) + format_check(check):
            print(line)
        for path in written:
            print(f"wrote {path}")
        return 0
    results = load(folder)  # the runs table is read once, for the charts and the table
    written = plot(results, args.chart, formats, args.size)
    if results.experiment.design.kind == "strategies" and results.single:
        week = int(results.experiment.base().get("weeks", 26))
        print(f"{results.experiment.name}: {len(results.runs):,} runs, single seeker")
        common = results.experiment.random_numbers == "common"
        print("\n".join(strategy_table(results.runs, week, paired=common)))
    for path in written:
        print(f"wrote {path}")
    return 0


def _die_with_parent() -> None:
    """In the demo server's process (Linux): get SIGTERM when the parent dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.experiment.export import export_csv

    if not args.csv:
        raise ConfigError("say which format: --csv (the one format so far)")
    written = export_csv(Path(args.results_dir), Path(args.out) if args.out else None)
    for path, rows in written:
        print(f"wrote {path} ({rows:,} rows)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the classroom demo (``sim/classroom/page.py``) with Solara until Ctrl-C."""
    import importlib.util
    import socket
    import subprocess
    from pathlib import Path

    missing = [m for m in DEMO_MODULES if importlib.util.find_spec(m) is None]
    if missing:  # a headless install: the page's web stack is the demo extra
        raise ConfigError(
            f"the classroom demo needs {', '.join(missing)}: install the demo extra, "
            "pip install 'empathy-sim[demo]' (make run installs it)"
        )

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port}; allowed: a whole number from 1 to 65535")
    if not args.host.strip():
        raise ConfigError("--host is empty; allowed: 127.0.0.1 (default), or an address to share")
    try:  # a port in use is one line now, not a web-server traceback after the address
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise ConfigError(
            f"--host {args.host} --port {args.port}: cannot listen there ({exc.strerror or exc}); "
            "try another --port"
        ) from None
    app = Path(__file__).parent / "classroom" / "page.py"
    command = [
        sys.executable, "-m", "solara", "run", str(app), "--host", args.host,
        "--port", str(args.port), "--production", "--no-open", "--no-check-version",
        "--log-level", "warning", "--log-level-uvicorn", "warning", "--no-access-log",
    ]  # fmt: skip
    # nothing leaves the machine: no usage statistics, no version check
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "PYTHONWARNINGS": "ignore",
        "SOLARA_THEME_SHOW_BANNER": "false",
    }  # fmt: skip (no "runs on Solara" over the log)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Classroom demo at http://{shown}:{args.port}/ (Ctrl-C stops it)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "Listening beyond this computer: anyone on the network can open it at "
            f"http://<this computer's address>:{args.port}/",
            flush=True,
        )
    # The server runs in a session of its own, so Ctrl-C reaches only this process, which then
    # stops the server with SIGTERM: a clean shutdown, where SIGINT mid-request makes the web
    # server print tracebacks. The server also stops if this process is killed outright.
    server = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        print("demo stopped", file=sys.stderr)
        return 0
    if code != 0:
        print(f"empathy-sim: error: the demo server stopped (exit {code})", file=sys.stderr)
        return 1
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.experiment.calibration import calibrate, quick_settings

    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers {args.workers}; allowed: a whole number >= 1")
    workers = args.workers if args.workers is not None else os.cpu_count() or 1
    scheduler = _scheduler(args)
    folder = calibrate(
        args.config,
        results=args.results,
        workers=workers,
        backend="dask" if args.dask or scheduler else "processes",
        scheduler=scheduler,
        force=args.force,
        dry_run=args.dry_run,
        max_minutes=args.max_minutes,
        settings=quick_settings() if args.quick else None,
    )
    if not args.dry_run:
        print(f"charts: empathy-sim plot {folder}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.experiment.config import json_schema

    print(json_schema())
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    defaults = Params.defaults()
    for name, spec in Params.specs().items():
        print(f"{name:<20} {defaults[name]!s:<10} {spec.allowed():<34} {spec.unit:<18} {spec.doc}")
    from sim.model.params import SCENARIO_DEFAULTS

    market = ", ".join(f"{k}={v}" for k, v in SCENARIO_DEFAULTS["market"].items())
    print(f"\nscenario=market changes these defaults: {market}")
    print("strategy presets: " + ", ".join(PRESETS))
    return 0


def _run_options(p: argparse.ArgumentParser, seed_help: str, out_help: str) -> None:
    """Options shared by every command that runs the model."""
    p.add_argument("--seed", type=_seed, default=0, help=seed_help)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter, e.g. --set positivity=0.8 (repeatable)",
    )
    p.add_argument("--out", default="", help=out_help)
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="numba",
        help="numba (fast, default) or mesa (the readable reference): the same model",
    )


DEMO_MODULES = ("solara", "markdown")  # what `pip install empathy-sim[demo]` adds for the page
DESCRIPTION = (
    "empathy-sim: an agent-based simulation of job-search networking. A job seeker asks contacts "
    "for help; each answers with sympathy, 'ears open' or action (a lead, an introduction), "
    "depending on how specific and positive the ask is and on favours banked."
)
EPILOG = """examples:
  empathy-sim run --strategy specific-positive --seed 7   one run, week by week
  empathy-sim run configs/strategies.toml                 a config's sweep (resumes)
  empathy-sim plot results/strategies                     its charts and table
  empathy-sim params                                      every parameter, range and unit
  empathy-sim demo                                        the classroom page

`empathy-sim COMMAND --help` shows a command's options; docs/ has the guides."""
# One example per command, shown under its --help.
EXAMPLES = {
    "compare": "empathy-sim compare --replicates 1000 --seed 1 --out results/compare.csv",
    "run": "empathy-sim run --strategy specific-positive --seed 7 --out results/one.csv\n"
           "  empathy-sim run configs/strategies.toml --workers 2",
    "graph": "empathy-sim graph results/mine.txt --draw results/mine.png",
    "bench": "empathy-sim bench --quick",
    "check": "empathy-sim check configs/sobol.toml --show 5",
    "plot": "empathy-sim plot results/strategies --format png --size slide",
    "demo": "empathy-sim demo --port 9000",
    "export": "empathy-sim export results/strategies --csv",
    "calibrate": "empathy-sim calibrate configs/calibrate-market.toml --dry-run",
    "schema": "empathy-sim schema > config.schema.json",
    "params": "empathy-sim params | grep specificity",
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    from sim import __version__

    parser = _Parser(
        prog="empathy-sim",
        description=textwrap.fill(DESCRIPTION, 79),  # the raw formatter keeps the examples' lines
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"empathy-sim {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )

    p = sub.add_parser("compare", help="compare strategies in the single-seeker scenario")
    p.add_argument(
        "--strategies", default="vague-gloomy,vague-positive,specific-gloomy,specific-positive"
    )
    p.add_argument("--replicates", type=int, default=200)
    _run_options(p, "root seed: fixes every run", "also write the table as CSV to this path")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("run", help="one run, printed week by week; or a config's sweep")
    p.add_argument("config", nargs="?", default="", help="an experiment config to run (TOML)")
    p.add_argument("--results", default=None, help="sweep: folder for <name>/ (default: results)")
    p.add_argument("--batch-size", type=int, default=None, help="sweep: runs per batch (1000)")
    p.add_argument("--force", action="store_true", help="sweep: overwrite another config's results")
    p.add_argument("--dry-run", action="store_true", help="sweep: count runs and batches, stop")
    p.add_argument(
        "--workers", type=int, default=None, help="sweep: processes (default: all cores)"
    )
    p.add_argument("--dask", action="store_true", help="sweep: run on a local Dask cluster")
    p.add_argument("--scheduler", help="sweep: run on the Dask cluster at this address")
    p.add_argument("--strategy", default=None, choices=sorted(PRESETS))
    _run_options(p, "fixes the run, graph included", "write the weekly counts as CSV to this path")
    p.set_defaults(seed=None, engine=None)  # None: not given (refused with a config)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "graph",
        help="show how a graph file reads: people, ties, weights, tie classes, the seeker",
        description="Read a graph file as a run would (docs/graph-files.md) and show what was "
        "read. Example: empathy-sim graph results/mine.txt --draw results/mine.png",
    )
    p.add_argument("file", help="an edge list (.txt/.csv/.tsv/.edges) or GraphML file")
    p.add_argument("--seeker", default=None, help="the seeker's label (default: the first label)")
    p.add_argument("--delimiter", default="", help="auto (default), tab, comma, semicolon, space")
    p.add_argument("--header", default="", help="auto (default), yes or no")
    p.add_argument("--encoding", default="", help="the file's encoding (default: utf-8)")
    p.add_argument("--seed", type=_seed, default=0, help="draws tie classes left to chance")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another parameter, e.g. --set share_close=0.3 (repeatable)",
    )
    p.add_argument("--show", type=_seed, default=30, help="people to list (30)")
    p.add_argument("--all", action="store_true", help="list everyone")
    p.add_argument("--draw", default="", metavar="OUT.png", help="also draw the network here")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("bench", help="benchmark the Numba core: phases, scaling, Mesa, NumPy")
    p.add_argument("--quick", action="store_true", help="a version that takes about a minute")
    p.add_argument(
        "--large",
        action="store_true",
        help="add 10 million people to the scaling table (about 8 GB and several minutes), "
        "and NetworkX's builder at a million",
    )
    p.add_argument(
        "--sizes",
        default="1000,10000,100000,1000000",
        help="the scaling table's population sizes, a comma list (1000,10000,100000,1000000)",
    )
    p.add_argument("--out", default="results/benchmark.json", help="where to write the figures")
    p.add_argument("--dask", action="store_true", help="measure Dask's overhead per task instead")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("check", help="validate an experiment config and show its design")
    p.add_argument("config", help="a TOML experiment config, e.g. configs/strategies.toml")
    p.add_argument("--show", type=_seed, default=10, help="design points to list")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("plot", help="draw the charts that fit a sweep's results, beside them")
    p.add_argument(
        "results_dir", metavar="RESULTS_DIR", help="a sweep's folder, e.g. results/strategies"
    )
    p.add_argument(
        "--chart", default="", help="only this chart (the default: every chart that fits)"
    )
    p.add_argument("--format", default="png,svg", help="comma list of png, svg, pdf (png,svg)")
    p.add_argument("--size", default="paper", help="paper (6.5 in wide) or slide (11 in wide)")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser(
        "export", help="write a sweep's results as CSV: nulls (no offer, no hire) as empty cells"
    )
    p.add_argument("results_dir", metavar="RESULTS_DIR", help="a finished sweep's folder")
    p.add_argument("--csv", action="store_true", help="CSV (the one format so far; required)")
    p.add_argument("--out", default="", help="folder for the CSV files (default: RESULTS_DIR)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="serve the classroom demo in the browser (Ctrl-C stops it)")
    p.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (this computer only, default); "
                   "0.0.0.0 to share it on a classroom network")  # fmt: skip
    p.add_argument("--port", type=int, default=8765, help="port (8765)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "calibrate", help="fit the market to observed moments (ABC-SMC with pyabc); resumes"
    )
    p.add_argument("config", help="a calibration config, e.g. configs/calibrate-market.toml")
    p.add_argument("--results", default="results", help="folder for <name>/ (default: results)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    p.add_argument("--scheduler", help="run on the Dask cluster at this address")
    p.add_argument("--force", action="store_true", help="start afresh over another calibration")
    p.add_argument("--dry-run", action="store_true", help="time one simulation, estimate, stop")
    p.add_argument("--max-minutes", type=float, default=None, help="override the wall-time budget")
    p.add_argument(
        "--quick", action="store_true", help="a small population and 2 generations, to try it"
    )
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("schema", help="print the JSON Schema of experiment configs")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("params", help="list every parameter: default, range, unit, meaning")
    p.set_defaults(func=cmd_params)
    for name, command in sub.choices.items():
        helped = next(str(a.help) for a in sub._choices_actions if a.dest == name)
        command.description = textwrap.fill(
            command.description or f"{helped[0].upper()}{helped[1:]}.", 79
        )
        command.epilog = f"example:\n  {EXAMPLES[name]}"
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():  # the caller's warning display is left as it was
        from sim.experiment.progress import one_line_warnings

        one_line_warnings()
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"empathy-sim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `empathy-sim params | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:  # e.g. the disk filled while writing --out; nothing was replaced
        print(f"empathy-sim: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_USAGE
    except SweepError as exc:
        print(f"empathy-sim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "empathy-sim: interrupted; finished batches are kept: rerun the same command to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def entry() -> NoReturn:
    """The ``empathy-sim`` command and ``python -m sim``: :func:`main`, then exit.

    After Ctrl-C, a second interrupt during interpreter shutdown (a second Ctrl-C, or one
    that lands while the stopped process pool's manager thread is joined) would print a
    threading traceback under the one line; the command ignores it. Callers of :func:`main`
    in a process of their own (tests, notebooks) keep their handler.
    """
    code = main()
    if code == EXIT_INTERRUPTED:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise SystemExit(code)
