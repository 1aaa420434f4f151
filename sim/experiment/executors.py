"""Where a sweep's batches run: in this process, on a pool of processes, or on Dask.

Each executor yields ``(batch, tables)`` as batches finish, in any order; the sweep writes the
files. Every worker runs one batch at a time on one thread, so N workers use N cores.

A worker process that dies (killed, out of memory) is replaced and its batch run again: the
process pool is rebuilt, Dask's nanny restarts the worker. A batch that keeps killing its
workers stops the sweep with one line after ``MAX_CRASHES`` deaths in a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import re
import signal
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

from sim.experiment.batches import Batch, Job, run_batch
from sim.model.params import ConfigError, SweepError

MAX_CRASHES = 3


def in_process(job: Job, pending: list[Batch]) -> Iterator[tuple[Batch, dict[str, Any]]]:
    for batch in pending:
        yield batch, run_batch(job, batch, threads=1)


def _init_worker(parent: int) -> None:
    from sim.experiment.progress import one_line_warnings

    one_line_warnings()  # a worker's stderr is the terminal's: one line per warning there too
    # Ctrl-C reaches the whole process group; only the parent handles it (and stops the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (SIGKILL, out of memory) cannot stop its workers: they notice
    # and leave, rather than hold the cores the resumed sweep needs.
    threading.Thread(target=_leave_with, args=(parent,), daemon=True).start()


def _leave_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def process_pool(
    job: Job, pending: list[Batch], workers: int, log: Any = sys.stderr
) -> Iterator[tuple[Batch, dict[str, Any]]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    remaining = {batch.start: batch for batch in pending}
    crashes = 0
    context = multiprocessing.get_context("spawn")  # what importing Mesa sets anyway
    while remaining:
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
        )
        queue = iter(list(remaining.values()))
        running: dict[Any, Batch] = {}
        try:
            # A few batches in flight per worker, not all of them: a finished batch's tables
            # are dropped once written, so memory does not grow with the number of batches.
            while True:
                while len(running) < 2 * workers:
                    batch = next(queue, None)
                    if batch is None:
                        break
                    running[pool.submit(run_batch, job, batch, 1)] = batch
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = running.pop(future)
                    tables = future.result()
                    del remaining[batch.start]
                    crashes = 0
                    yield batch, tables
        except BrokenProcessPool:
            crashes += 1
            if crashes >= MAX_CRASHES:
                raise SweepError(
                    f"worker processes died {crashes} times in a row with no batch finished "
                    "(out of memory?); finished batches are kept: rerun to resume, perhaps with "
                    "a smaller --batch-size or fewer --workers"
                ) from None
            print(
                f"a worker process died; starting new workers, {len(remaining)} batches to go",
                file=log,
            )
        finally:
            stop_pool(pool)


def stop_pool(pool: Any) -> None:
    """Stop a pool now: queued batches are dropped, running ones killed (they are rerun on
    resume; nothing of theirs was written)."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


# Seconds a --scheduler address has to accept a connection and say it is a Dask scheduler
# (docs/sweeps.md): Dask's own connect waits for the handshake without a time limit.
TIMEOUT = 10
NETWORK_SCHEMES = ("tcp", "tls", "ws", "wss")  # Dask's that work here, each with HOST:PORT
ALLOWED = "allowed: [tcp://]HOST:PORT (or tls, ws, wss), e.g. tcp://10.0.0.5:8786"
GIVE = "give the address a scheduler printed, e.g. tcp://10.0.0.5:8786"


def connect(scheduler: str) -> Any:
    """A client of the Dask scheduler at ``scheduler`` (``[SCHEME://]HOST:PORT``, tcp by default).

    Raises :class:`sim.model.params.ConfigError`, one line, when the address is malformed, or when
    what answers there is not a Dask scheduler: nothing (a refused connection is retried, as
    Dask does, for a scheduler still starting), a web server (a dashboard's port), a listener
    that says nothing or garbage, a Dask worker. It gives up after ``TIMEOUT`` (10) seconds.
    Dask's log messages about a failed attempt are kept from the user.
    """
    from distributed import Client
    from distributed.security import Security

    address = check_address(scheduler)
    scheme = address.split("://")[0]
    if scheme in ("tls", "wss") and Security().get_connection_args("client")["ssl_context"] is None:
        raise ConfigError(
            f"--scheduler {scheduler}: {scheme}:// needs Dask's TLS settings "
            "(distributed.comm.tls in the Dask config) and none are set; or give a tcp:// address"
        )
    kind, identity = _identify(scheduler, address)
    if kind != "Scheduler":
        told = identity.get("scheduler") if kind == "Worker" else None
        raise ConfigError(
            f"--scheduler {scheduler}: a Dask {kind} answers there, not a scheduler; give the "
            + (f"scheduler's address, {told}" if told else "address the scheduler printed")
        )
    try:
        with _dask_warnings(f"the Dask cluster at {scheduler}"):
            return Client(address, timeout=f"{TIMEOUT}s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:  # it stopped since the probe
        raise ConfigError(
            f"--scheduler {scheduler}: no Dask scheduler answers there ({_reason(exc)}); {GIVE}"
        ) from None


def check_address(scheduler: str) -> str:
    """``scheduler`` with its scheme (Dask's default, tcp, if none is given); a malformed
    address, another scheme or a port outside 1-65535 raise ConfigError."""
    from distributed.comm.addressing import parse_address, parse_host_port, unparse_address

    scheme, location = parse_address(scheduler)
    if scheme not in NETWORK_SCHEMES:
        web = " (a web address, such as the dashboard's?)" if scheme in ("http", "https") else ""
        wrong = f"scheme '{scheme}' is not allowed{web}"
        raise ConfigError(f"--scheduler {scheduler}: {wrong}; {ALLOWED}")
    try:
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise ConfigError(f"--scheduler {scheduler}: not an address ({exc}); {ALLOWED}") from None
    if not host or not 1 <= port <= 65_535:
        wrong = "no host" if not host else f"port {port} is not in 1-65535"
        raise ConfigError(f"--scheduler {scheduler}: {wrong}; {ALLOWED}")
    return unparse_address(scheme, location)


def _identify(scheduler: str, address: str) -> tuple[str, dict[str, Any]]:
    """``(type, identity)`` of the Dask server at ``address`` ('Scheduler', 'Worker', ...),
    asked within TIMEOUT seconds, on a thread with an event loop of its own (whoever calls,
    a notebook's running loop included). Anything else there raises ConfigError saying what
    happened."""
    result: dict[str, Any] = {}

    def ask() -> None:
        try:
            result["identity"] = asyncio.run(asyncio.wait_for(_identity(address), TIMEOUT))
        except BaseException as exc:  # reported below, in the caller's thread
            result["error"] = exc

    with _dask_quiet():
        thread = threading.Thread(target=ask, daemon=True)  # daemon: a hung DNS lookup stays
        thread.start()
        thread.join(TIMEOUT + 2)
        gc.collect()  # the comm of a cut-off handshake logs 'dangling stream' when freed
    identity, error = result.get("identity"), result.get("error")
    if isinstance(identity, dict) and isinstance(identity.get("type"), str):
        return identity["type"], identity
    if thread.is_alive() or error is None:
        why = f"no answer within {TIMEOUT} s"
    elif isinstance(error, OSError) and "Timed out trying to connect" in str(error):
        why = f"nothing accepted a connection within {TIMEOUT} s: {_reason(error.__cause__)}"
    elif isinstance(error, TimeoutError):
        why = f"something accepted the connection but sent no Dask reply within {TIMEOUT} s"
    else:
        why = f"what answers does not speak Dask's protocol: {_reason(error)}"
    raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there ({why}); {GIVE}")


async def _identity(address: str) -> Any:
    from distributed.comm import connect as open_comm
    from distributed.security import Security

    # Connecting gives up a second before the caller's deadline, so that its reason is kept.
    args = Security().get_connection_args("client")
    comm = await open_comm(address, timeout=TIMEOUT - 1, **args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


@contextlib.contextmanager
def _dask_quiet() -> Iterator[None]:
    """No log records (Dask's, asyncio's, tornado's) while an address is probed: the caller
    reports a failure in one line instead."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def _reason(exc: BaseException | None) -> str:
    """The first exception in ``exc``'s chain that says something, on one short line."""
    while exc is not None and not str(exc).strip():
        exc = exc.__cause__ or exc.__context__
    if exc is None:  # Dask keeps the last attempt's error, which may be its own time-out
        return "refused or unreachable at each attempt"
    text = re.sub(r"^in <[^>]*>: ", "", " ".join(str(exc).split()))  # Dask's connector repr
    named = re.match(r"\w+(Error|Exception): ", text)
    return (text if named else f"{type(exc).__name__}: {text}")[:160]


def dask_client(workers: int, scheduler: str = "") -> tuple[Any, Any]:
    """``(client, cluster)``: a client of the scheduler at ``scheduler``, or of a new
    :func:`local_cluster` (then also returned, for the caller to close; else None)."""
    from distributed import Client

    if scheduler:
        return connect(scheduler), None
    cluster = local_cluster(workers)
    return Client(cluster), cluster


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` on loopback: ``workers`` processes of one thread each, no
    dashboard, Ctrl-C left to this process (``sim.experiment.dask_worker``)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
        preload=["sim.experiment.dask_worker"],
    )


def dask(
    job: Job, pending: list[Batch], workers: int, scheduler: str = ""
) -> Iterator[tuple[Batch, dict[str, Any]]]:
    """Run batches on Dask: a new ``LocalCluster`` on loopback, or the cluster at ``scheduler``.

    On a cluster, tables come back to this process, which writes them: workers need the
    package installed but no shared file system.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    client, cluster = dask_client(workers, scheduler)
    try:
        task = functools.partial(run_batch, job, threads=1)
        token = uuid.uuid4().hex[:8]  # keys unique on a shared scheduler
        keys = [f"empathy-sim-{token}-{b.start}" for b in pending]
        with _dask_warnings("the Dask cluster"):
            futures = client.map(task, pending, pure=False, key=keys)
        starts = {future.key: batch for future, batch in zip(futures, pending, strict=True)}
        for future in as_completed(futures):
            try:
                tables = future.result()
            except KilledWorker as exc:
                raise SweepError(
                    f"Dask workers died running a batch ({exc}); finished batches are kept: "
                    "rerun to resume"
                ) from None
            batch = starts[future.key]
            future.release()
            yield batch, tables
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def _dask_warnings(where: str, log: Any = None) -> Iterator[None]:
    """Dask's warnings as one line each of ours (Dask prints tables and file paths): other
    package versions on a cluster, a task graph large enough to slow the scheduler."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        print(f"empathy-sim: warning: {_dask_line(warning.message, where)}", file=log or sys.stderr)


def _dask_line(message: Warning | str, where: str) -> str:
    text = str(message)
    if "Mismatched versions" in text or type(message).__name__ == "VersionMismatchWarning":
        rows = re.findall(r"^\|\s*([A-Za-z][\w.-]*)\s*\|", text, flags=re.MULTILINE)
        names = [name for name in dict.fromkeys(rows) if name.lower() != "package"]
        return (
            f"{where} runs other versions of {', '.join(names) or 'some packages'} than this "
            "process; results depend on NumPy's and Numba's versions: install the same there"
        )
    size = re.search(r"Sending large graph of size ([\d.]+ \w+)", text)
    if size:
        return (
            f"the batches sent to {where} take {size[1]} (each carries its design points): a "
            "slower start for a large design, nothing wrong"
        )
    return f"{where}: " + " ".join(text.split())
