"""The command line as a user meets it: real subprocesses, exit codes, one-line errors."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "specifity=0.5"], "unknown parameter 'specifity'"),
        (["run", "--set", "positivity=2"], "positivity='2' is out of range; allowed: a number in"),
        (["run", "--set", "positivity"], "--set takes name=value"),
        (
            ["run", "--set", "graph=file", "--set", "graph_file=missing.txt"],
            "'missing.txt' not found",
        ),
        (["compare", "--strategies", "hopeful"], "unknown strategy 'hopeful'; allowed:"),
        (["compare", "--replicates", "0"], "--replicates=0; allowed"),
        (["run", "--seed", "x"], "'x' is not a whole number >= 0"),
        (["compare", "--seed", "-1"], "'-1' is not a whole number >= 0"),
        (["run", "--out", "."], "is a folder"),
        (["compare", "--strategies", ","], "--strategies is empty"),
        (["compare", "--engine", "java"], "invalid choice: 'java'"),
        (["bench", "--sizes", "1000,10"], "--sizes 1000,10: '10' is not allowed; allowed: a"),
    ],
)
def test_bad_input_gives_one_line_exit_2_and_no_traceback(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_malformed_graph_file_is_reported_by_line(tmp_path):
    bad = tmp_path / "net.txt"
    bad.write_text("a b\nc\n")
    result = cli("run", "--set", "graph=file", "--set", f"graph_file={bad}")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "line 2: expected 2 fields (u v) or 3 (u v value) separated by blanks, got 1: c" in (
        result.stderr
    )


def test_run_on_a_loaded_file_reports_its_repairs(tmp_path):
    net = tmp_path / "net.txt"
    net.write_text("me mum\nmum me\nme me\nme pal\npal mum\n")
    result = cli("run", "--set", "graph=file", "--set", f"graph_file={net}", "--set", "weeks=3")
    assert result.returncode == 0, result.stderr
    assert "graph file: dropped 1 self-tie(s)" in result.stdout
    assert "graph file: merged 1 repeated tie(s)" in result.stdout


def test_compare_prints_the_table_and_writes_csv(tmp_path):
    out = tmp_path / "table.csv"
    result = cli("compare", "--replicates", "4", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive"):
        assert name in result.stdout
    rows = list(csv.DictReader(out.open()))
    assert [r["strategy"] for r in rows][0] == "vague-gloomy" and len(rows) == 4


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path):
    out = tmp_path / "table.csv"
    out.write_text("precious\n")
    result = cli("compare", "--replicates", "2", "--set", "weeks=-1", "--out", str(out))
    assert result.returncode == 2
    assert out.read_text() == "precious\n"


def test_params_lists_every_parameter_with_its_range():
    result = cli("params")
    assert result.returncode == 0
    assert "specificity" in result.stdout and "[0, 1]" in result.stdout
    assert "help-banker" in result.stdout


def test_console_script_is_installed_beside_python():
    script = Path(sys.executable).parent / "empathy-sim"
    result = subprocess.run([str(script), "params"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "arrival_rate" in result.stdout


@pytest.mark.parametrize("engine", ["numba", "mesa"])
def test_run_works_on_both_engines(engine):
    result = cli("run", "--strategy", "specific-positive", "--seed", "3", "--engine", engine)
    assert result.returncode == 0, result.stderr
    assert f"({engine} engine, seed 3)" in result.stdout and "answered" in result.stdout


@pytest.mark.slow
def test_bench_quick_writes_every_figure(tmp_path):
    # Speed is not asserted (machines are shared and noisy): only that every figure is there.
    out = tmp_path / "bench.json"
    # the scaling table's default sizes run to a million people (about a minute here): two
    # small sizes show the table is made for whatever sizes are asked for
    result = cli("bench", "--quick", "--sizes", "1000,20000", "--out", str(out))
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    for key in (
        "mesa_agent_steps_per_s",
        "numba_agent_steps_per_s_1thread",
        "numba_agent_steps_per_s_all",
        "speedup_vs_mesa",
        "parallel_efficiency",
        "compile_s",
        "cached_start_s",
        "cpu_count",
    ):
        assert figures[key] > 0, key
    assert figures["market_defaults"]["numba_agent_steps_per_s_1thread"] > 0
    assert figures["levers_off"]["numba_over_numpy"] > 0
    from sim.model.kernel import PHASES

    assert list(figures["phase_share"]) == list(PHASES)  # every phase of the week, in order
    assert figures["phase_share"]["asks"] > 0 and figures["phase_share"]["out_of_earshot"] > 0
    assert figures["sweep_overhead"]["us_per_run"] > 0
    rows = {(row["builder"], row["n"]): row for row in figures["scaling"]}
    assert {n for builder, n in rows if builder == "csr"} == {1_000, 20_000}
    for row in rows.values():
        for key in ("build_s", "csr_s", "ties_s", "simulate_s", "peak_rss_mb"):
            assert row[key] >= 0, (row["builder"], row["n"], key)
        assert row["peak_rss_mb"] > 0 and row["ns_per_agent_step"] > 0
    assert figures["reference_unpinned"] == []  # configs/benchmark.toml pins every parameter
    assert "vs Mesa" in result.stdout and "scaling" in result.stdout


def test_ctrl_c_is_one_line_and_main_leaves_the_callers_handler_alone(monkeypatch, capsys):
    import signal

    import sim.cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.cli, "cmd_params", interrupted)
    before = signal.getsignal(signal.SIGINT)
    assert sim.cli.main(["params"]) == 130
    assert capsys.readouterr().err.count("\n") == 1
    assert signal.getsignal(signal.SIGINT) is before  # only the command ignores a second one


def test_a_market_run_prints_every_outcome_and_the_diagnostic():
    result = cli("run", "--set", "scenario=market", "--set", "n_nodes=200", "--seed", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "on 'holme-kim'" in out and "measured over weeks 521-1040 (burn-in 520 weeks)" in out
    labels = ("unemployment rate", "weekly exit hazard", "after   53+ weeks",
              "median completed spell", "27+ weeks", "hires via contacts", "relay",
              "correlation across ties", "Gini of weeks unemployed", "point 0: ")  # fmt: skip
    for label in labels:
        assert label in out, label


def test_a_market_too_short_for_its_burn_in_is_one_line():
    result = cli("run", "--set", "scenario=market", "--set", "weeks=104")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "weeks=104 leaves no measuring window" in result.stderr


def test_a_small_sweep_without_workers_given_runs_here(tmp_path):
    config = tmp_path / "tiny.toml"
    config.write_text(
        'seed = 1\nreplicates = 30\n[model]\nscenario = "single"\n[design]\n'
        'kind = "strategies"\nstrategies = ["vague-gloomy", "specific-positive"]\n'
    )
    given = cli("run", str(config), "--results", str(tmp_path / "a"), "--batch-size", "10")
    assert given.returncode == 0, given.stderr
    assert "running the rest here" in given.stderr  # 4 batches after the first two: tiny
    pinned = cli(
        "run", str(config), "--results", str(tmp_path / "b"), "--batch-size", "10",
        "--workers", "2",
    )  # fmt: skip
    assert pinned.returncode == 0 and "running the rest here" not in pinned.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["compare", "--set", "specificity=0.5", "--replicates", "2"],
            "--set specificity=0.5 would override the strategy 'vague-gloomy' "
            "(specificity=0.1); allowed: --set for parameters the presets leave alone (they "
            "set specificity, positivity, banked_favours), or values without a strategy",
        ),
        (
            ["run", "--strategy", "help-banker", "--set", "banked_favours=2"],
            "--set banked_favours=2 would override the strategy 'help-banker' "
            "(banked_favours=8); allowed:",
        ),
    ],
)
def test_set_over_a_strategy_preset_is_refused(args, message):
    # every strategy of a comparison ran the same ask: the --set value silently won
    result = cli(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"empathy-sim: error: {message}")
    assert result.stderr.count("\n") == 1


def test_set_beside_a_strategy_is_fine_for_what_the_preset_leaves_alone():
    result = cli("run", "--strategy", "vague-gloomy", "--set", "weeks=3", "--seed", "1")
    assert result.returncode == 0, result.stderr


def test_a_warning_from_a_library_is_one_line_of_ours(monkeypatch, capsys):
    import warnings

    import sim.cli

    def warns(args):
        warnings.warn("something odd\n  in two lines", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(sim.cli, "cmd_params", warns)
    assert sim.cli.main(["params"]) == 0
    assert capsys.readouterr().err == "empathy-sim: warning: something odd in two lines\n"


def test_dask_warnings_become_lines_of_ours():
    from sim.experiment.executors import _dask_line

    mismatch = (
        "Mismatched versions found\n\n+---------+--------+-----------+\n| Package | Client | "
        "Scheduler |\n+---------+--------+-----------+\n| numpy   | 2.4.6  | 2.3.0     |\n"
        "| numba   | 0.62.0 | 0.61.0    |\n+---------+--------+-----------+"
    )
    assert _dask_line(mismatch, "the Dask cluster at tcp://h:1") == (
        "the Dask cluster at tcp://h:1 runs other versions of numpy, numba than this process; "
        "results depend on NumPy's and Numba's versions: install the same there"
    )
    large = "Sending large graph of size 12.50 MiB.\nThis may cause some slowdown.\n"
    assert _dask_line(large, "the Dask cluster") == (
        "the batches sent to the Dask cluster take 12.50 MiB (each carries its design points): "
        "a slower start for a large design, nothing wrong"
    )
