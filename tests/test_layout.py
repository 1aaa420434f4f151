"""The package's layout: every module in a subpackage named for its role, imports that only
point down, and no import cycle.

The import graph is read from the source (``ast``), every ``import`` counted wherever it sits
(a function-level import closes a cycle as surely as a top-level one), except those under
``if TYPE_CHECKING:``, which never run.
"""

import ast
from pathlib import Path

import networkx as nx

SIM = Path(__file__).parents[1] / "sim"
# Bottom to top: a module may import from its own layer or any layer below, never above.
LAYERS = ("model", "analysis", "experiment", "studies", "classroom", "cli")
TOP = {"sim/__init__.py", "sim/__main__.py", "sim/cli.py"}


def module_name(path):
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """The sim modules ``path`` imports (``from sim.x import y`` counts ``sim.x.y`` if that is a
    module, else ``sim.x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sim")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "") \
                .startswith("sim"):  # fmt: skip
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return found - {"sim"}  # the package itself: __version__


FILES = sorted(SIM.rglob("*.py"))
MODULES = {module_name(f) for f in FILES}
GRAPH = nx.DiGraph([(module_name(f), target) for f in FILES for target in imports(f)])


def layer(module):
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def test_every_module_sits_in_a_subpackage_named_for_its_role():
    loose = [str(f.relative_to(SIM.parent)) for f in FILES if f.parent == SIM]
    assert sorted(loose) == sorted(TOP)
    for folder in {f.parent for f in FILES} - {SIM}:
        assert folder.name in LAYERS and (folder / "__init__.py").is_file(), folder


def test_the_import_graph_was_read():
    # an oracle for the reader itself: edges known from the source
    assert ("sim.model.runs", "sim.model.kernel") in GRAPH.edges  # a function-level import
    assert ("sim.model.kernel", "sim.model.results") in GRAPH.edges
    assert ("sim.cli", "sim.experiment.sweep") in GRAPH.edges
    assert set(GRAPH) - {"sim.__main__"} <= MODULES | {"sim"}


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(GRAPH))
    assert cycles == [], " ; ".join(" -> ".join(c + c[:1]) for c in cycles)


def test_imports_only_point_down():
    upward = [(a, b) for a, b in GRAPH.edges if layer(b) > layer(a)]
    assert upward == []


def test_the_model_loads_without_mesa_or_numba():
    # the names sim.model offers are loaded on first use: importing it is cheap, and importing
    # Mesa (which sets multiprocessing's start method) happens only where the Mesa model is used
    import subprocess
    import sys

    code = ("import sys, sim.model; from sim.model import Params; "
            "print('mesa' in sys.modules, 'numba' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    import sim.model
    from sim.model import mesa_model, params, runs

    assert sim.model.JobSearchModel is mesa_model.JobSearchModel
    assert sim.model.Params is params.Params and sim.model.run is runs.run
