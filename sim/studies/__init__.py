"""Charts and studies built on results: one function per chart, the charts that fit a results
folder, what the study scripts in ``experiments/`` share, and the engine benchmark. Imports
``sim.model``, ``sim.analysis`` and ``sim.experiment``."""
