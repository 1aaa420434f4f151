"""Config sweeps: results that depend only on the config, resume, refusal, dry runs, bad input."""

import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.experiment.config import parse_config
from sim.experiment.sweep import ROW_GROUP, sweep
from sim.model.params import ConfigError
from sim.model.results import EVENTS
from sim.studies.figures import charts_for

CONFIGS = sorted(  # calibration configs are not sweeps: tests/test_calibration.py has them
    p for p in (Path(__file__).parents[1] / "configs").glob("*.toml")
    if not p.name.startswith("calibrate-")
)  # fmt: skip
SMALL = """
name = "small"
seed = 5
replicates = 7
[model]
scenario = "market"
burn_in = 0
graph = "watts-strogatz"
n_nodes = 60
weeks = 12
[design]
kind = "grid"
[design.values]
specificity = [0.1, 0.9]
positivity = [0.5]
"""
WEEKLY = SMALL + "[outputs]\nweekly = true\n"


def write(tmp_path, text=SMALL, name="small.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def table(folder, name="runs.parquet"):
    return pq.read_table(Path(folder) / name)


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def quiet(*args, **kwargs):
    return sweep(*args, progress=io.StringIO(), **kwargs)


def snapshot(folder):
    """Every file under a folder with its bytes' hash: to show nothing was written or damaged."""
    root = Path(folder)
    return {str(p.relative_to(root)): digest(p) for p in root.rglob("*") if p.is_file()}


def test_the_file_does_not_depend_on_batch_size_or_workers(tmp_path):
    config = write(tmp_path)
    a = quiet(config, str(tmp_path / "a"), batch_size=3)
    b = quiet(config, str(tmp_path / "b"), batch_size=7)
    c = quiet(config, str(tmp_path / "c"), batch_size=2, workers=2)
    assert table(a).num_rows == 14
    assert table(a).column("run_index").to_pylist() == list(range(14))
    assert digest(a / "runs.parquet") == digest(b / "runs.parquet") == digest(c / "runs.parquet")


def test_a_small_sweep_runs_here_and_a_large_one_on_workers_with_the_same_bytes(
    tmp_path, monkeypatch
):
    config = write(tmp_path)
    reference = quiet(config, str(tmp_path / "a"), batch_size=2)
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)
    here = quiet(config, str(tmp_path / "b"), batch_size=2, workers=2, small_here=True)
    assert "running the rest here" in log.getvalue()
    # workers free to start: use them
    monkeypatch.setattr("sim.experiment.sweep.WORKER_START_S", 0.0)
    pool = quiet(config, str(tmp_path / "c"), batch_size=2, workers=2, small_here=True)
    assert log.getvalue().count("running the rest here") == 1
    assert digest(reference / "runs.parquet") == digest(here / "runs.parquet")
    assert digest(reference / "runs.parquet") == digest(pool / "runs.parquet")


def test_row_groups_have_a_fixed_size_whatever_the_batches(tmp_path, monkeypatch):
    monkeypatch.setattr("sim.experiment.sweep.ROW_GROUP", 5)
    config = write(tmp_path)
    a = quiet(config, str(tmp_path / "a"), batch_size=3)
    b = quiet(config, str(tmp_path / "b"), batch_size=4)
    meta = pq.read_metadata(a / "runs.parquet")
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [5, 5, 4] and ROW_GROUP == 65_536
    assert digest(a / "runs.parquet") == digest(b / "runs.parquet")


def test_resume_redoes_only_missing_or_truncated_batches(tmp_path):
    config = write(tmp_path)
    folder = quiet(config, str(tmp_path / "r"), batch_size=3)
    whole = digest(folder / "runs.parquet")
    files = sorted((folder / "batches").glob("runs-*.parquet"))
    kept = files[0].stat().st_mtime_ns
    files[1].unlink()  # an interrupted sweep: a batch never written
    files[2].write_bytes(files[2].read_bytes()[:40])  # a truncated file left behind
    (folder / "batches" / "tmpabc.tmp").write_bytes(b"half a file")  # a write cut short
    quiet(config, str(tmp_path / "r"), batch_size=3)
    assert digest(folder / "runs.parquet") == whole
    assert files[0].stat().st_mtime_ns == kept  # finished batches are not redone
    assert not list((folder / "batches").glob("*.tmp"))


def test_resume_with_another_batch_size_keeps_what_is_done(tmp_path):
    config = write(tmp_path)
    folder = quiet(config, str(tmp_path / "r"), batch_size=4)
    whole = digest(folder / "runs.parquet")
    files = sorted((folder / "batches").glob("runs-*.parquet"))
    for path in files[1:]:
        path.unlink()
    quiet(config, str(tmp_path / "r"), batch_size=5)
    names = sorted(p.name for p in (folder / "batches").glob("runs-*.parquet"))
    assert names[0] == files[0].name and len(names) == 3  # 0-4 kept; 4-9 and 9-14 new
    assert digest(folder / "runs.parquet") == whole


def test_a_different_config_is_refused_unless_forced(tmp_path):
    quiet(write(tmp_path), str(tmp_path / "x"), batch_size=5)
    other = write(tmp_path, SMALL.replace("seed = 5", "seed = 6"), "other.toml")
    before = snapshot(tmp_path / "x")
    with pytest.raises(ConfigError, match="holds results of a different config"):
        quiet(other, str(tmp_path / "x"), batch_size=5)
    assert snapshot(tmp_path / "x") == before
    assert quiet(other, str(tmp_path / "x"), batch_size=5, force=True)
    assert snapshot(tmp_path / "x")["small/runs.parquet"] != before["small/runs.parquet"]


def test_dry_run_counts_estimates_and_writes_nothing(tmp_path):
    config = write(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "sim", "run", config, "--results", str(tmp_path / "d")]
        + ["--batch-size", "4", "--dry-run", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "14 runs (2 design points x 7 replicates) in 4 batches" in result.stdout
    assert re.search(
        r"ms per run on one core, about \S+ on 2 workers; at most [\d,]+ kB", result.stdout
    )
    assert not (tmp_path / "d").exists()


def test_manifest_records_the_config_versions_and_each_session(tmp_path):
    config = write(tmp_path)
    folder = quiet(config, str(tmp_path / "m"), batch_size=7)
    quiet(config, str(tmp_path / "m"), batch_size=7)  # nothing left to do: a second session
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["config"] == SMALL and len(manifest["config_sha256"]) == 64
    for key in ("numba", "mesa", "numpy", "python", "cpu_count", "started", "finished"):
        assert manifest[key]
    assert [s["runs_done"] for s in manifest["sessions"]] == [14, 0]


def test_weekly_series_add_up_to_the_run_totals(tmp_path):
    folder = quiet(write(tmp_path, WEEKLY), str(tmp_path / "w"), batch_size=3)
    runs = table(folder).to_pandas().set_index("run_index")
    weekly = table(folder, "weekly.parquet").to_pandas()
    assert len(weekly) == int((runs["weeks_run"] + 1).sum())
    sums = weekly[weekly.week > 0].groupby("run_index")[list(EVENTS)].sum()
    for event in EVENTS:
        assert np.array_equal(sums[event].to_numpy(), runs[f"total_{event}"].to_numpy()), event
    heads = weekly.employed + weekly.unemployed
    assert (heads == 60).all()


def test_common_random_numbers_share_streams_across_points(tmp_path):
    text = SMALL.replace('kind = "grid"', 'kind = "grid"').replace(
        "replicates = 7", 'replicates = 3\nrandom_numbers = "common"'
    )
    text = text.replace("specificity = [0.1, 0.9]", "initial_unemployed = [0.1, 0.1]")
    runs = table(quiet(write(tmp_path, text), str(tmp_path / "c"), batch_size=2)).to_pandas()
    first, second = runs[runs.point == 0], runs[runs.point == 1]
    assert list(first.seed) == list(second.seed) and len(set(first.seed)) == 3
    outcomes = [c for c in runs.columns if c.startswith("total_")]
    assert np.array_equal(first[outcomes].to_numpy(), second[outcomes].to_numpy())


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_runs_at_reduced_size(tmp_path, path):
    text = re.sub(r"replicates = \d+", "replicates = 2", path.read_text())
    text = re.sub(r"samples = \d+", "samples = 8", text)  # the least Sobol and Morris allow
    text = re.sub(r"n_nodes = \d+", "n_nodes = 100", text)
    text = re.sub(r"\[0\.0, 0\.2, 0\.4, 0\.6, 0\.8, 1\.0\]", "[0.0, 1.0]", text)
    folder = quiet(write(tmp_path, text, path.name), str(tmp_path / "s"), batch_size=50)
    runs = table(folder)
    points = len(parse_config(text).points())  # the benchmark's one point, or several
    assert runs.num_rows == 2 * points and "total_asks" in runs.column_names
    assert runs.column("run_index").to_pylist() == list(range(runs.num_rows))
    # `empathy-sim plot` draws every chart that fits, beside the tables
    charts = charts_for(folder)
    assert "ties" in charts and len(charts) >= 2, charts
    assert main(["plot", str(folder), "--format", "png"]) == 0
    drawn = {p.stem.split("-")[0] if p.stem.startswith("sensitivity") else p.stem
             for p in folder.glob("*.png")}  # fmt: skip
    assert drawn == set(charts)


def test_bad_sweep_options_are_named(tmp_path):
    with pytest.raises(ConfigError, match="--workers=0; allowed: a whole number >= 1"):
        quiet(write(tmp_path), str(tmp_path / "o"), workers=0)
    with pytest.raises(ConfigError, match="--batch-size=0"):
        quiet(write(tmp_path), str(tmp_path / "o"), batch_size=0)
    assert not (tmp_path / "o").exists()


BAD = [
    ("malformed", SMALL.replace("[design]", "[design"), r"not valid TOML: .*at line 11"),
    (
        "unknown key",
        SMALL.replace("seed = 5", "sed = 5"),
        r"unknown key 'sed' \(did you mean 'seed'\?\)",
    ),
    (
        "wrong type",
        SMALL.replace("replicates = 7", "replicates = 'many'"),
        r"replicates: Input should be a valid integer",
    ),
    (
        "out of range",
        SMALL.replace("positivity = [0.5]", "positivity = [1.5]"),
        r"positivity=1.5 is out of range; allowed: a number in \[0, 1\]",
    ),
    (
        "empty design",
        SMALL.replace("specificity = [0.1, 0.9]", "specificity = []"),
        r"a list in design.values is empty",
    ),
    (
        "missing graph",
        SMALL.replace('graph = "watts-strogatz"', 'graph = "file"\ngraph_file = "nowhere.edges"'),
        r"graph file 'nowhere.edges' not found",
    ),
    (
        "another config",
        SMALL.replace("seed = 5", "seed = 9"),
        r"results/small holds results of a different config; use another name or --force",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_exit_2_and_damages_nothing(
    tmp_path, capsys, monkeypatch, case, text, message
):
    monkeypatch.chdir(tmp_path)
    quiet(write(tmp_path), "results", batch_size=5)  # an earlier sweep's results
    before = snapshot(tmp_path / "results")
    capsys.readouterr()
    code = main(["run", write(tmp_path, text), "--results", "results", "--workers", "1"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("empathy-sim: error: ") and out == ""
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert snapshot(tmp_path / "results") == before


def test_mixed_whole_and_decimal_values_run_as_the_parameter_type(tmp_path):
    text = SMALL.replace("specificity = [0.1, 0.9]", "specificity = [0, 0.9]")
    runs = table(quiet(write(tmp_path, text), str(tmp_path / "m"), batch_size=5))
    assert runs.schema.field("specificity").type == "double"
    assert sorted(set(runs.column("specificity").to_pylist())) == [0.0, 0.9]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "3"], r"--seed cannot be used with a config"),
        (["--set", "weeks=3", "--engine", "mesa"], r"--engine, --set cannot be used with a config"),
    ],
)
def test_single_run_options_are_refused_with_a_config(tmp_path, capsys, args, message):
    code = main(["run", write(tmp_path), "--results", str(tmp_path / "r"), *args])
    err = capsys.readouterr().err
    assert code == 2 and re.search(message, err) and not (tmp_path / "r").exists()


def test_sweep_options_are_refused_without_a_config(capsys):
    assert main(["run", "--workers", "2", "--dry-run"]) == 2
    assert "--dry-run, --workers only apply to a sweep" in capsys.readouterr().err


def test_a_config_that_is_not_text_is_one_line(tmp_path, capsys):
    path = tmp_path / "binary.toml"
    path.write_bytes(b'name = "x"\n\xff\xfe\n')
    assert main(["run", str(path), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be read" in err and not (tmp_path / "r").exists()


def test_a_folder_in_use_by_a_live_sweep_is_refused_and_a_dead_ones_lock_taken(tmp_path):
    config = write(tmp_path)
    folder = tmp_path / "l" / "small"
    folder.mkdir(parents=True)
    (folder / ".lock").write_text(str(os.getppid()))  # a live process that is not this one
    with pytest.raises(ConfigError, match=r"is in use by another sweep \(process \d+\)"):
        quiet(config, str(tmp_path / "l"))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    (folder / ".lock").write_text(dead)  # its process has exited: a killed sweep's lock
    assert table(quiet(config, str(tmp_path / "l"))).num_rows == 14
    assert not (folder / ".lock").exists()


def test_results_get_the_usual_file_permissions(tmp_path):
    folder = quiet(write(tmp_path), str(tmp_path / "p"), batch_size=5)
    umask = os.umask(0)
    os.umask(umask)
    for path in (folder / "runs.parquet", folder / "manifest.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_closed_output_does_not_stop_the_sweep(tmp_path):
    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    folder = sweep(write(tmp_path), str(tmp_path / "c"), batch_size=2, progress=Closed())
    assert table(folder).num_rows == 14


def test_weekly_halves_of_batches_not_kept_are_removed(tmp_path):
    config = write(tmp_path, WEEKLY)
    folder = quiet(config, str(tmp_path / "w"), batch_size=3)
    whole = digest(folder / "weekly.parquet")
    runs_file = sorted((folder / "batches").glob("runs-*.parquet"))[2]
    runs_file.unlink()  # stopped between writing a batch's weekly and runs files
    quiet(config, str(tmp_path / "w"), batch_size=2)
    runs_names = {p.name[5:] for p in (folder / "batches").glob("runs-*.parquet")}
    weekly_names = {p.name[7:] for p in (folder / "batches").glob("weekly-*.parquet")}
    assert runs_names == weekly_names and digest(folder / "weekly.parquet") == whole


def test_resume_refuses_results_made_with_another_graph_file(tmp_path):
    graph = tmp_path / "g.edges"
    graph.write_text("".join(f"{i} {i + 1}\n" for i in range(30)))
    text = SMALL.replace('graph = "watts-strogatz"', f'graph = "file"\ngraph_file = "{graph}"')
    config = write(tmp_path, text)
    folder = quiet(config, str(tmp_path / "g"), batch_size=7)
    on_the_old_graph = digest(folder / "runs.parquet")
    (folder / "batches" / "runs-000000000007-000000000014.parquet").unlink()
    graph.write_text("".join(f"{i} {i + 1}\n" for i in range(80)))  # the file changed since
    before = snapshot(folder)
    with pytest.raises(ConfigError, match="made with other inputs"):
        quiet(config, str(tmp_path / "g"), batch_size=7)
    assert snapshot(folder) == before
    quiet(config, str(tmp_path / "g"), batch_size=7, force=True)  # starts over on the new graph
    assert table(folder).num_rows == 14 and digest(folder / "runs.parquet") != on_the_old_graph


def test_the_inputs_hash_covers_the_model_and_what_a_batch_runs():
    # a misspelt pattern would hash nothing, silently: each must match, and together they
    # must cover every module of sim/model (the engines and rules) and nothing shown-only
    from sim.experiment.sweep import _RESULT_CODE

    package = Path(__file__).parents[1] / "sim"
    hashed = {path for pattern in _RESULT_CODE for path in package.glob(pattern)}
    assert all(list(package.glob(pattern)) for pattern in _RESULT_CODE)
    assert set(package.glob("model/*.py")) <= hashed
    assert package / "experiment" / "batches.py" in hashed
    assert not {package / "cli.py", package / "analysis" / "plots.py"} & hashed


def test_a_strategies_sweep_has_a_column_for_every_value_its_presets_set(tmp_path):
    # 07-preset-overridden.toml ran vague-gloomy and specific-positive with [model]'s 0.5 and
    # 0.5 (now refused), and runs.parquet had no column to show it: now it has the values run
    text = (
        'name = "presets"\nseed = 4\nreplicates = 3\n[model]\nweeks = 4\n[design]\n'
        'kind = "strategies"\nstrategies = ["vague-gloomy", "specific-positive", "help-banker"]\n'
    )
    runs = table(quiet(write(tmp_path, text), str(tmp_path / "p"), batch_size=4)).to_pandas()
    shown = runs.groupby("strategy", sort=False)[["specificity", "positivity", "banked_favours"]]
    assert shown.first().reset_index().values.tolist() == [
        ["vague-gloomy", 0.1, 0.1, 0],
        ["specific-positive", 0.9, 0.9, 0],
        ["help-banker", 0.5, 0.5, 8],
    ]
    assert (shown.nunique() == 1).all().all()  # every replicate of a strategy ran its values
