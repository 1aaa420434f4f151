"""Loaded by each worker of a LocalCluster that a sweep starts (Dask's ``preload``).

Ctrl-C reaches every process of the terminal's group; only the sweep's own process handles it
(closing the cluster), so workers ignore it instead of each printing a traceback.
"""

import signal


def dask_setup(worker: object) -> None:
    from sim.experiment.progress import one_line_warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_line_warnings()  # a warning in a worker is one line of ours on the terminal too
