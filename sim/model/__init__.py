"""The model and its engines: parameters, decision rules, graphs, the Mesa reference model, the
Numba core, the exact solver, and the result shape both engines fill.

Imports nothing from the rest of the package. The names a first script needs are importable from
here (loaded on first use, so that importing ``sim.model`` loads neither Mesa nor Numba):

>>> from sim.model import Params, run
>>> run(Params.from_dict({"weeks": 4}), replicates=2, seed=1).weekly.shape
(2, 5, 20)
"""

from typing import Any

_PUBLIC = {
    "Params": "sim.model.params",
    "PRESETS": "sim.model.params",
    "ConfigError": "sim.model.params",
    "run": "sim.model.runs",
    "Runs": "sim.model.results",
    "JobSearchModel": "sim.model.mesa_model",
    "build_graph": "sim.model.graphs",
    "long_run_unemployment": "sim.model.exact",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:  # PEP 562: import the defining module on first use
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sim.model' has no attribute '{name}'")
