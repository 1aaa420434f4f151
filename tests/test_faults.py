"""Faults: a sweep killed mid-run resumes to the same bytes; a dead worker is replaced.

Each test starts a real sweep in a child process and hits it while batches are being written.
The sweep is sized (20 batches of about 0.4 s each on 2 workers) so the signal lands mid-run;
each test asserts that it did (some batches written, not all), so a sweep that ran too fast
to be interrupted fails the test instead of passing it vacuously.
"""

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from sim.experiment.sweep import sweep

CONFIG = """
name = "faults"
seed = 11
replicates = 60
[model]
scenario = "market"
burn_in = 0
graph = "barabasi-albert"
n_nodes = 2000
weeks = 600
[design]
kind = "grid"
[design.values]
positivity = [0.2, 0.8]
"""
BATCHES = 20
BATCH_SIZE = 6


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep, in this process, in other batches: the bytes to get back."""
    root = tmp_path_factory.mktemp("reference")
    config = root / "faults.toml"
    config.write_text(CONFIG)
    folder = sweep(str(config), str(root), batch_size=17, progress=io.StringIO())
    return hashlib.sha256((folder / "runs.parquet").read_bytes()).hexdigest()


STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _kill_leftovers():
    """Whatever happens in a test, none of its sweeps outlives it."""
    yield
    while STARTED:
        process = STARTED.pop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start(tmp_path, *extra):
    config = tmp_path / "faults.toml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "sim", "run", str(config), "--results", str(tmp_path)]
    command += ["--batch-size", str(BATCH_SIZE), *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    STARTED.append(process)
    return process


def written(tmp_path):
    return len(list((tmp_path / "faults" / "batches").glob("runs-*.parquet")))


def wait_for_batches(tmp_path, process, count, timeout=120):
    deadline = time.monotonic() + timeout
    while written(tmp_path) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep wrote no batch in time"
        time.sleep(0.02)


def finish(tmp_path, *extra):
    """Rerun the same command to the end (a resume) and return the bytes' hash."""
    process = start(tmp_path, "--workers", "2", *extra)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return hashlib.sha256((tmp_path / "faults" / "runs.parquet").read_bytes()).hexdigest(), out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_sweep_killed_mid_run_resumes_to_the_same_results(tmp_path, reference, sig):
    process = start(tmp_path, "--workers", "2")
    wait_for_batches(tmp_path, process, 2)
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 2  # the workers (and multiprocessing's resource tracker)
    process.send_signal(sig)  # the sweep's own process; its workers see what follows
    out, err = process.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert process.returncode == 130
        assert err.strip().splitlines() == [
            "empathy-sim: interrupted; finished batches are kept: rerun the same command to resume"
        ]
    else:
        assert process.returncode == -signal.SIGKILL
    # no worker outlives the sweep (to use the cores the resumed sweep needs)
    _, alive = psutil.wait_procs(children, timeout=30)
    assert alive == []
    before = written(tmp_path)
    assert 2 <= before < BATCHES, "the signal did not land mid-run"
    digest, out = finish(tmp_path)
    assert f"({before} batches already on disk)" in out
    assert digest == reference


def test_a_dead_worker_is_replaced_and_its_batch_rerun(tmp_path, reference):
    process = start(tmp_path, "--workers", "2")
    wait_for_batches(tmp_path, process, 1)
    workers = [
        child
        for child in psutil.Process(process.pid).children()
        if "spawn_main" in " ".join(child.cmdline())
    ]
    assert len(workers) == 2
    workers[0].send_signal(signal.SIGKILL)
    assert written(tmp_path) < BATCHES, "the worker died after the sweep's end"
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "a worker process died; starting new workers" in err
    digest = hashlib.sha256((tmp_path / "faults" / "runs.parquet").read_bytes()).hexdigest()
    assert digest == reference


def test_a_truncated_batch_file_is_detected_and_redone(tmp_path, reference):
    config = tmp_path / "faults.toml"
    config.write_text(CONFIG)
    folder = sweep(str(config), str(tmp_path), batch_size=BATCH_SIZE * 4, progress=io.StringIO())
    victim = sorted((folder / "batches").glob("runs-*.parquet"))[2]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    (folder / "runs.parquet").unlink()
    digest, out = finish(tmp_path, "--batch-size", str(BATCH_SIZE * 4))
    assert "1 batch to run" in out and digest == reference
    assert Path(victim).stat().st_size > 0
