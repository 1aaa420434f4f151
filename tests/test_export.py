"""Results anyone can read: nulls and text in ``runs.parquet``, and `empathy-sim export --csv`.

The oracles are the same runs made in memory (``Runs``: 0 for no offer, -1 for nobody hired,
channel codes), which the table must hold as nulls and text, and the Parquet table itself, whose
every value the CSV must carry, a null as an empty cell.
"""

import csv
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.model.params import Params
from sim.model.rules import CHANNEL_NAMES
from sim.model.runs import run

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


def test_runs_parquet_holds_no_offer_as_null_and_channels_and_strategies_as_text(folder):
    table = pq.read_table(folder / "runs.parquet")
    assert table.schema.field("weeks_to_offer").type == pa.int64()
    assert table.schema.field("hired_channel").type == pa.string()
    assert table.schema.field("strategy").type == pa.string()
    rows = table.to_pylist()
    for point, strategy in enumerate(["vague-gloomy", "specific-positive"]):
        params = Params.from_dict({"scenario": "single", "weeks": 8}, strategy=strategy)
        runs = run(params, 40, 3, first=40 * point)  # run index i has the streams of index i
        mine = rows[40 * point : 40 * (point + 1)]
        assert [r["strategy"] for r in mine] == [strategy] * 40
        assert [r["weeks_to_offer"] for r in mine] == [w or None for w in runs.weeks_to_offer]
        assert [r["hired_channel"] for r in mine] == [
            CHANNEL_NAMES[c] if c >= 0 else None for c in runs.hired_channel
        ]
    # the sample has both: some hired within 8 weeks, some not
    assert {r["weeks_to_offer"] is None for r in rows} == {True, False}


def test_every_value_comes_through_with_missing_values_empty_and_codes_as_text(folder):
    done = cli("export", str(folder), "--csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {folder / 'runs.csv'} (80 rows)\n"
    source = pq.read_table(folder / "runs.parquet").to_pylist()
    with open(folder / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(source) == 80 and list(rows[0]) == list(source[0])
    for row, original in zip(rows, source, strict=True):
        week, channel = original["weeks_to_offer"], original["hired_channel"]
        assert row["weeks_to_offer"] == ("" if week is None else str(week))
        assert row["hired_channel"] == ("" if channel is None else channel)
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
        (["--csv"], "stores hire channels as codes"),
    ],
)
def test_bad_exports_are_one_line(folder, tmp_path, args, message):
    target = str(tmp_path) if "has no" in message else str(folder)
    if "codes" in message:  # a table of an earlier version: channel codes, 0 for no offer
        pq.write_table(pa.table({"weeks_to_offer": [0, 3], "hired_channel": [-1, 2]}),
                       tmp_path / "runs.parquet")  # fmt: skip
        target = str(tmp_path)
    done = cli("export", target, *args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("empathy-sim: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1
