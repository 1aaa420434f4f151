"""Sweeps on Dask: a real LocalCluster on loopback, started by the sweep or by the test."""

import hashlib
import io
import os

import pytest
from distributed import LocalCluster

from sim.cli import main
from sim.sweep import sweep

CONFIG = """
name = "dask"
seed = 21
replicates = 9
[model]
scenario = "market"
burn_in = 0
graph = "erdos-renyi"
n_nodes = 80
weeks = 20
[design]
kind = "strategies"
strategies = ["vague-gloomy", "specific-positive"]
[outputs]
weekly = true
"""


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def quiet(*args, **kwargs):
    return sweep(*args, progress=io.StringIO(), **kwargs)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "dask.toml"
    path.write_text(CONFIG)
    return str(path)


@pytest.fixture(scope="module")
def reference(config, tmp_path_factory):
    return quiet(config, str(tmp_path_factory.mktemp("processes")), batch_size=4, workers=2)


def test_a_local_dask_cluster_gives_the_same_bytes_as_the_process_pool(config, reference, tmp_path):
    folder = quiet(config, str(tmp_path), batch_size=5, workers=2, backend="dask")
    for name in ("runs.parquet", "weekly.parquet"):
        assert digest(folder / name) == digest(reference / name)


def test_an_existing_cluster_at_an_address_gives_the_same_bytes(config, reference, tmp_path):
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        folder = quiet(config, str(tmp_path), batch_size=3, scheduler=cluster.scheduler_address)
    assert digest(folder / "runs.parquet") == digest(reference / "runs.parquet")


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(config, tmp_path, capsys):
    code = main(
        ["run", config, "--results", str(tmp_path / "r"), "--scheduler", "tcp://127.0.0.1:9"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answers there" in err
    assert not (tmp_path / "r").exists()


def test_a_dead_dask_worker_is_replaced_and_its_batch_rerun(tmp_path):
    import signal
    import threading
    import time

    from distributed import Client
    from test_faults import BATCH_SIZE, BATCHES
    from test_faults import CONFIG as SLOW

    config = tmp_path / "faults.toml"
    config.write_text(SLOW)
    reference = quiet(str(config), str(tmp_path / "reference"), batch_size=17)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        before = client.run(os.getpid)
        failure = []

        def sweep_on_the_cluster():
            try:
                quiet(
                    str(config),
                    str(tmp_path / "dask"),
                    batch_size=BATCH_SIZE,
                    scheduler=cluster.scheduler_address,
                )
            except BaseException as exc:  # reported by the test, not lost in the thread
                failure.append(exc)

        thread = threading.Thread(target=sweep_on_the_cluster)
        thread.start()
        batches = tmp_path / "dask" / "faults" / "batches"
        deadline = time.monotonic() + 120
        while len(list(batches.glob("runs-*.parquet"))) < 1:
            assert thread.is_alive() and time.monotonic() < deadline, failure
            time.sleep(0.02)
        os.kill(next(iter(before.values())), signal.SIGKILL)
        assert len(list(batches.glob("runs-*.parquet"))) < BATCHES, "killed after the end"
        thread.join(timeout=300)
        assert not thread.is_alive() and failure == []
        after = client.run(os.getpid)
    assert len(after) == 2 and set(after.values()) != set(before.values())  # replaced
    assert digest(tmp_path / "dask" / "faults" / "runs.parquet") == digest(
        reference / "runs.parquet"
    )
