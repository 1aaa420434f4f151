"""docs/tutorial.md runs: converted with jupytext, executed cell by cell with nbclient on a
kernel of this interpreter (the project's venv), in a temporary working directory.

A cell that raises fails the test with the cell's source and traceback. After the last cell the
test adds one of its own that reports what the notebook made (the sweep's table, the chart's
file, the calibration's outputs), so the checks read the notebook's state, not its prose.
"""

import json
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
# Per cell. Warm (the Numba core compiled and cached on disk) the slowest cell takes about 10 s;
# on a fresh clone the first run of each engine compiles it first, about a minute.
CELL_TIMEOUT = 300
ANSI = re.compile(r"\x1b\[[0-9;]*m")

FACTS = """\
import json
print(json.dumps({
    "runs": len(runs_table),
    "planned": experiment.runs(),
    "strategies": runs_table["strategy"].unique().tolist(),
    "columns": runs_table.columns.tolist(),
    "chart": [str(p) for p in saved],
    "calibrated": sorted(p.name for p in calibrated.iterdir()),
    "posterior": len(pd.read_parquet(calibrated / "posterior.parquet")),
    "work": str(WORK),
}))
"""


class ThisPython(KernelManager):
    """A kernel of the interpreter running the tests, importing the ``sim`` beside this file:
    no kernelspec is looked up or installed, so no other Python on the machine can be picked."""

    def __init__(self, env: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self._spec = KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="empathy-sim tests",
            language="python",
            env=env,
        )

    @property
    def kernel_spec(self):
        return self._spec


def execute(notebook, workdir: Path):
    """Run every cell in ``workdir``; raise CellExecutionError at the first that fails."""
    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        "TMPDIR": str(workdir),  # the notebook's tempfile folders land under pytest's tmp_path
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    client = NotebookClient(
        notebook,
        km=ThisPython(env),
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    return client.execute()


def text_of(cell) -> str:
    """Everything a code cell showed: its printed text and its results' plain text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tutorial")
    notebook = jupytext.read(TUTORIAL)
    notebook.cells.append(nbformat.v4.new_code_cell(FACTS))
    try:
        execute(notebook, workdir)
    except CellExecutionError as exc:  # the failing cell and its traceback, without colours
        pytest.fail(f"{TUTORIAL.name}: {ANSI.sub('', str(exc))}", pytrace=False)
    facts = json.loads(text_of(notebook.cells[-1]))
    return notebook, facts, workdir


def test_every_cell_runs_and_shows_something(executed):
    notebook, _, _ = executed
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) >= 15
    for cell in code:
        assert cell.execution_count is not None, cell.source
        # the prose refers to what the cell above it printed: every cell shows something
        assert cell.outputs, f"a cell shows nothing:\n{cell.source}"
        assert all(o.output_type != "error" for o in cell.outputs), cell.source


def test_the_sweep_made_the_runs_it_planned(executed):
    _, facts, workdir = executed
    assert facts["runs"] == facts["planned"] == 300
    assert facts["strategies"] == ["vague-gloomy", "specific-gloomy", "specific-positive"]
    for column in ("strategy", "weeks_to_offer", "total_action", "specificity", "positivity"):
        assert column in facts["columns"], column
    assert Path(facts["work"]).is_relative_to(workdir)  # nothing written outside the test's tmp


def test_the_chart_is_saved_and_shown_inline(executed):
    notebook, facts, _ = executed
    (png,) = facts["chart"]
    assert png.endswith(".png") and Path(png).stat().st_size > 10_000
    shown = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in shown)


def test_the_small_calibration_writes_its_posterior(executed):
    notebook, facts, _ = executed
    assert {"posterior.parquet", "summary.csv", "predictive.csv", "calibrated.toml"} <= set(
        facts["calibrated"]
    )
    assert facts["posterior"] == 20
    printed = "".join(text_of(c) for c in notebook.cells if c.cell_type == "code")
    assert "generation 2/2" in printed
    assert "one simulation at the priors' medians" in printed  # the dry-run estimate


def test_a_failing_cell_fails_the_run(tmp_path):
    """The harness is not vacuous: a notebook whose cell raises is reported as failing."""
    broken = jupytext.reads(
        "```python\nprint('ran')\nraise RuntimeError('broken cell')\n```\n", fmt="md"
    )
    with pytest.raises(CellExecutionError, match="broken cell"):
        execute(broken, tmp_path)
    assert "ran" in text_of(broken.cells[0])
