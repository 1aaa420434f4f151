"""Experiments: configs and designs, batches and where they run (processes, Dask), sweeps with
resume, sensitivity indices, calibration targets and ABC-SMC calibration, progress and atomic
writes. Imports ``sim.model`` and ``sim.analysis``."""
