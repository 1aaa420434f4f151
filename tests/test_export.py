"""`empathy-sim export RESULTS --csv`: a sweep's tables as CSV anyone can read.

The oracle is the Parquet table the sweep wrote: every value must come through, with the three
documented changes (no offer as an empty cell, channels and strategies as text) and nothing else.
"""

import csv
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from sim.model.rules import CHANNEL_NAMES

CONFIG = (
    'name = "tiny"\nseed = 3\nreplicates = 40\n[model]\nscenario = "single"\nweeks = 8\n'
    '[design]\nkind = "strategies"\nstrategies = ["vague-gloomy", "specific-positive"]\n'
)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    here = tmp_path_factory.mktemp("export")
    (here / "tiny.toml").write_text(CONFIG)
    done = cli("run", str(here / "tiny.toml"), "--results", str(here), "--workers", "1")
    assert done.returncode == 0, done.stderr
    return here / "tiny"


def test_every_value_comes_through_with_missing_values_empty_and_codes_as_text(folder):
    done = cli("export", str(folder), "--csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {folder / 'runs.csv'} (80 rows)\n"
    source = pq.read_table(folder / "runs.parquet").to_pylist()
    with open(folder / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(source) == 80 and list(rows[0]) == list(source[0])
    for row, original in zip(rows, source, strict=True):
        week, code = original["weeks_to_offer"], original["hired_channel"]
        assert row["weeks_to_offer"] == ("" if week == 0 else str(week))
        assert row["hired_channel"] == ("" if code < 0 else CHANNEL_NAMES[code])
        assert (row["weeks_to_offer"] == "") == (row["hired_channel"] == "")  # hired iff offer
        assert row["strategy"] == original["strategy"] != ""
        assert int(row["run_index"]) == original["run_index"]
        assert float(row["specificity"]) == original["specificity"]
    # the sample has both: some hired within 8 weeks, some not
    assert {r["weeks_to_offer"] == "" for r in rows} == {True, False}
    assert {r["hired_channel"] for r in rows} - {""} <= set(CHANNEL_NAMES)


def test_out_writes_elsewhere_and_leaves_the_folder_alone(folder, tmp_path):
    done = cli("export", str(folder), "--csv", "--out", str(tmp_path))
    assert done.returncode == 0 and (tmp_path / "runs.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--csv"], "has no runs.parquet; allowed: the results folder of a finished sweep"),
        ([], "say which format: --csv"),
        (["--csv", "--out", "missing-folder"], "--out missing-folder is not a folder"),
    ],
)
def test_bad_exports_are_one_line(folder, tmp_path, args, message):
    target = str(tmp_path) if "has no" in message else str(folder)
    done = cli("export", target, *args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("empathy-sim: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1
