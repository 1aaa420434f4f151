"""Config sweeps: results that depend only on the config, resume, refusal, dry runs."""

import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.params import ConfigError
from sim.sweep import sweep

CONFIGS = sorted((Path(__file__).parents[1] / "configs").glob("*.toml"))
SMALL = """
name = "small"
seed = 5
replicates = 7
[model]
scenario = "market"
graph = "watts-strogatz"
n_nodes = 60
weeks = 12
[design]
kind = "grid"
[design.values]
specificity = [0.1, 0.9]
positivity = [0.5]
"""


def write(tmp_path, text=SMALL, name="small.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def table(folder):
    return pq.read_table(Path(folder) / "runs.parquet")


def quiet(*args, **kwargs):
    return sweep(*args, progress=open("/dev/null", "w"), **kwargs)  # noqa: SIM115


def test_results_do_not_depend_on_the_batch_size(tmp_path):
    config = write(tmp_path)
    a = table(quiet(config, str(tmp_path / "a"), batch_size=3))
    b = table(quiet(config, str(tmp_path / "b"), batch_size=7))
    assert a.num_rows == 14 and a.equals(b)
    assert a.column("run_index").to_pylist() == list(range(14))


def test_resume_redoes_only_missing_or_truncated_batches(tmp_path):
    config = write(tmp_path)
    folder = quiet(config, str(tmp_path / "r"), batch_size=3)
    whole = table(folder)
    files = sorted((folder / "batches").glob("*.parquet"))
    kept = files[0].stat().st_mtime_ns
    files[1].unlink()  # an interrupted sweep: a batch never written
    files[2].write_bytes(files[2].read_bytes()[:40])  # a truncated file left behind
    again = table(quiet(config, str(tmp_path / "r"), batch_size=3))
    assert again.equals(whole)
    assert files[0].stat().st_mtime_ns == kept  # finished batches are not redone


def test_a_different_config_is_refused_unless_forced(tmp_path):
    quiet(write(tmp_path), str(tmp_path / "x"), batch_size=5)
    other = write(tmp_path, SMALL.replace("seed = 5", "seed = 6"), "other.toml")
    with pytest.raises(ConfigError, match="holds results of a different config"):
        quiet(other, str(tmp_path / "x"), batch_size=5)
    before = table(tmp_path / "x" / "small")
    assert quiet(other, str(tmp_path / "x"), batch_size=5, force=True)
    assert not table(tmp_path / "x" / "small").equals(before)


def test_dry_run_counts_and_writes_nothing(tmp_path):
    config = write(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            config,
            "--results",
            str(tmp_path / "d"),
            "--batch-size",
            "4",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "14 runs in 4 batches" in result.stdout
    assert not (tmp_path / "d").exists()


def test_manifest_records_the_config_and_versions(tmp_path):
    import json

    folder = quiet(write(tmp_path), str(tmp_path / "m"), batch_size=7)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["config"] == SMALL and len(manifest["config_sha256"]) == 64
    for key in ("numba", "mesa", "numpy", "python", "cpu_count", "started", "finished"):
        assert manifest[key]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_runs_at_reduced_size(tmp_path, path):
    text = re.sub(r"replicates = \d+", "replicates = 1", path.read_text())
    text = re.sub(r"samples = \d+", "samples = 2", text)
    text = re.sub(r"\[0\.0, 0\.2, 0\.4, 0\.6, 0\.8, 1\.0\]", "[0.0, 1.0]", text)
    folder = quiet(write(tmp_path, text, path.name), str(tmp_path / "s"), batch_size=50)
    runs = table(folder)
    assert runs.num_rows >= 2 and "total_asks" in runs.column_names


def test_results_do_not_depend_on_the_number_of_worker_processes(tmp_path):
    config = write(tmp_path)
    one = table(quiet(config, str(tmp_path / "w1"), batch_size=3, workers=1))
    two = table(quiet(config, str(tmp_path / "w2"), batch_size=3, workers=2))
    assert one.equals(two)


def test_bad_sweep_options_are_named(tmp_path):
    with pytest.raises(ConfigError, match="--workers=0; allowed: a whole number >= 1"):
        quiet(write(tmp_path), str(tmp_path / "o"), workers=0)
    with pytest.raises(ConfigError, match="--batch-size=0"):
        quiet(write(tmp_path), str(tmp_path / "o"), batch_size=0)
