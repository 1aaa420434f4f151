"""Sweeps on Dask: a real LocalCluster on loopback, started by the sweep or by the test."""

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import not_a_scheduler
from distributed import LocalCluster

from sim.cli import main
from sim.experiment.executors import TIMEOUT, check_address, connect
from sim.experiment.sweep import sweep
from sim.model.params import ConfigError

ROOT = Path(__file__).resolve().parents[1]
# What each kind of listener is told apart by (sim.experiment.executors._identify).
NOT_DASK = {
    "http": "something accepted the connection but sent no Dask reply within 10 s",
    "silent": "something accepted the connection but sent no Dask reply within 10 s",
    "garbage": "what answers does not speak Dask's protocol",
}

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
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answers there (nothing accepted" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("kind", sorted(NOT_DASK))
def test_a_listener_that_is_not_a_scheduler_is_one_line_within_the_timeout(kind, capfd):
    with not_a_scheduler(kind) as port:
        address = f"tcp://127.0.0.1:{port}"
        started = time.monotonic()
        with pytest.raises(ConfigError) as error:
            connect(address)
        elapsed = time.monotonic() - started
    message = str(error.value)
    assert message.startswith(f"--scheduler {address}: no Dask scheduler answers there (")
    assert NOT_DASK[kind] in message and "\n" not in message
    assert elapsed < TIMEOUT + 5  # was: no end (http, silent), a MemoryError (garbage)
    assert capfd.readouterr() == ("", "")  # nothing of Dask's logging reaches the user


@pytest.mark.parametrize("kind", sorted(NOT_DASK))
def test_the_command_line_refuses_a_listener_that_is_not_a_scheduler(kind, config, tmp_path):
    with not_a_scheduler(kind) as port:
        address = f"tcp://127.0.0.1:{port}"
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "sim", "run", config, "--results", str(tmp_path / "r"),
             "--scheduler", address],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"--scheduler {address}: no Dask scheduler answers there" in result.stderr
    assert NOT_DASK[kind] in result.stderr
    assert elapsed < 30  # the 10 s timeout, plus start-up, with margin on a loaded machine
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("tcp://", "not an address (missing port number in address ''); allowed: [tcp://]"),
        ("foo:bar", "not an address (invalid literal for int() with base 10: 'bar'); allowed:"),
        ("tcp://10.0.0.5", "not an address (missing port number"),
        ("tcp://10.0.0.5:8786/status", "not an address (invalid literal for int()"),
        ("tcp://127.0.0.1:99999", "port 99999 is not in 1-65535; allowed: [tcp://]HOST:PORT"),
        ("tcp://127.0.0.1:0", "port 0 is not in 1-65535"),
        ("tcp://:8786", "no host; allowed"),
        ("http://10.0.0.5:8787/status", "scheme 'http' is not allowed (a web address, such as"),
        ("udp://10.0.0.5:8786", "scheme 'udp' is not allowed; allowed: [tcp://]HOST:PORT (or"),
        ("inproc://10.0.0.5/1/1", "scheme 'inproc' is not allowed"),
        ("ucx://10.0.0.5:8786", "scheme 'ucx' is not allowed"),  # not installed: no UCX
    ],
)
def test_a_malformed_address_or_another_scheme_is_refused_at_once(address, message):
    started = time.monotonic()
    with pytest.raises(ConfigError) as error:
        connect(address)
    assert str(error.value).startswith(f"--scheduler {address}: ") and message in str(error.value)
    assert time.monotonic() - started < 2  # nothing is tried


def test_an_address_without_a_scheme_is_tcp_as_for_dask():
    assert check_address("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_address("tcp://[::1]:8786") == "tcp://[::1]:8786"


@pytest.mark.parametrize("scheme", ["tls", "wss"])
def test_tls_without_dask_tls_settings_is_one_line(scheme):
    with pytest.raises(ConfigError, match=f"{scheme}:// needs Dask's TLS settings"):
        connect(f"{scheme}://127.0.0.1:8786")


def test_an_empty_scheduler_is_refused_not_taken_for_this_machine(config, tmp_path, capsys):
    code = main(["run", config, "--results", str(tmp_path / "r"), "--scheduler", " "])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--scheduler is empty; allowed: the address a Dask scheduler printed" in err
    assert not (tmp_path / "r").exists()  # before: it ran on this machine's processes


def test_a_workers_address_is_refused_naming_the_scheduler():
    with LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        worker = next(iter(cluster.scheduler_info["workers"]))
        with pytest.raises(ConfigError) as error:
            connect(worker)
        client = connect(cluster.scheduler_address)  # the scheduler itself is accepted
        assert client.submit(sum, [1, 2]).result() == 3
        client.close()
    assert str(error.value) == (
        f"--scheduler {worker}: a Dask Worker answers there, not a scheduler; give the "
        f"scheduler's address, {cluster.scheduler_address}"
    )


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
