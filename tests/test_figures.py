"""`empathy-sim plot`: the charts that fit a results folder, and one line for bad input."""

import hashlib
import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment.sweep import sweep
from sim.studies.figures import charts_for, load

CONFIG = """
name = "strategies"
seed = 21
replicates = 40
random_numbers = "common"
[design]
kind = "strategies"
strategies = ["vague-gloomy", "specific-positive"]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("figures")
    (root / "strategies.toml").write_text(CONFIG)
    return sweep(str(root / "strategies.toml"), str(root / "results"), progress=None)


def snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in Path(folder).iterdir()
            if p.is_file()}  # fmt: skip


def test_a_strategies_design_gets_its_charts_and_a_table(folder, capsys):
    assert charts_for(folder) == ["strategies", "survival", "answer-mix", "network", "ties"]
    assert main(["plot", str(folder)]) == 0
    out = capsys.readouterr().out
    for name in charts_for(folder):
        assert (folder / f"{name}.png").stat().st_size > 1000
        assert (folder / f"{name}.svg").read_text().startswith("<?xml")
        assert f"wrote {folder / name}.png" in out
    assert "median weeks (95% CI)" in out and "vague-gloomy" in out


def test_one_chart_in_one_format(folder, tmp_path, capsys):
    assert main(["plot", str(folder), "--chart", "survival", "--format", "pdf"]) == 0
    assert (folder / "survival.pdf").read_bytes()[:5] == b"%PDF-"
    assert capsys.readouterr().out.count("wrote ") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chart", "pie"], "--chart pie: unknown chart; allowed here: strategies, survival"),
        (["--chart", "heatmap"], "--chart heatmap: does not fit these results; allowed here:"),
        (["--format", "gif"], "format 'gif' is not allowed; allowed: png, svg, pdf"),
        (["--size", "poster"], "--size poster is not allowed; allowed: paper, slide"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(folder, capsys, args, message):
    before = snapshot(folder)
    assert main(["plot", str(folder), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(folder) == before


def test_folders_that_are_not_finished_sweeps(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "none")]) == 2
    assert (
        "no results here (no manifest.json); run a sweep or a calibration first"
        in capsys.readouterr().err
    )
    half = tmp_path / "half"
    half.mkdir()
    (half / "manifest.json").write_text(json.dumps({"name": "x", "config": CONFIG}))
    assert main(["plot", str(half)]) == 2
    assert "the sweep has not finished" in capsys.readouterr().err
    (half / "manifest.json").write_text("{not json")
    assert main(["plot", str(half)]) == 2
    assert "not a sweep manifest" in capsys.readouterr().err


def test_a_damaged_runs_file_is_named_and_left_alone(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "manifest.json").write_bytes((folder / "manifest.json").read_bytes())
    (copy / "runs.parquet").write_bytes((folder / "runs.parquet").read_bytes()[:500])
    before = snapshot(copy)
    assert main(["plot", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "runs.parquet: not a readable Parquet file" in err and err.count("\n") == 1
    assert snapshot(copy) == before


def copy_of(folder, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("manifest.json", "runs.parquet"):
        (copy / name).write_bytes((folder / name).read_bytes())
    return copy


def test_an_empty_sensitivity_table_means_no_indices(folder, tmp_path):
    # a Sobol sweep in which no outcome varied writes an empty sensitivity.csv
    copy = copy_of(folder, tmp_path)
    (copy / "sensitivity.csv").write_text("")
    assert load(copy).indices is None and "sensitivity" not in charts_for(copy)
    # the same folder with a table of indices does get the chart: the check above is live
    (copy / "sensitivity.csv").write_text("outcome,parameter,ST\nhired,fit_cost,0.3\n")
    assert "sensitivity" in charts_for(copy)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("csv", "sensitivity.csv: not a sensitivity table"),
        ("column", "runs.parquet: not a sweep's runs table (no column total_hires_via_relay)"),
        ("config", "manifest.json: not a sweep manifest"),
    ],
)
def test_damaged_tables_are_one_line(folder, tmp_path, capsys, damage, message):
    import pandas as pd

    copy = copy_of(folder, tmp_path)
    if damage == "csv":
        (copy / "sensitivity.csv").write_text("a,b\n1,2\n")
    elif damage == "column":
        runs = pd.read_parquet(copy / "runs.parquet").drop(columns="total_hires_via_relay")
        runs.to_parquet(copy / "runs.parquet")
    else:
        (copy / "manifest.json").write_text('{"name": "x", "config": 5, "finished": true}')
    before = snapshot(copy)
    assert main(["plot", str(copy)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert snapshot(copy) == before


MARKET = """
name = "market"
seed = 5
replicates = 6
[model]
scenario = "market"
graph = "holme-kim"
n_nodes = 150
weeks = 120
burn_in = 40
[design]
kind = "grid"
[design.values]
specificity = [0.2, 0.8]
[outputs]
weekly = {weekly}
"""


@pytest.mark.parametrize("weekly", ["true", "false"])
def test_a_market_design_gets_the_exit_hazard_and_with_weekly_series_the_stationarity_chart(
    tmp_path, weekly, capsys
):
    (tmp_path / "market.toml").write_text(MARKET.format(weekly=weekly))
    folder = sweep(str(tmp_path / "market.toml"), str(tmp_path / "results"), progress=None)
    charts = charts_for(folder)
    assert "exit-hazard" in charts and ("stationarity" in charts) == (weekly == "true")
    assert main(["plot", str(folder), "--format", "png"]) == 0
    assert (folder / "exit-hazard.png").stat().st_size > 1000
    if weekly == "true":
        assert (folder / "stationarity.png").stat().st_size > 1000
    else:
        assert main(["plot", str(folder), "--chart", "stationarity"]) == 2
        assert "does not fit these results" in capsys.readouterr().err
