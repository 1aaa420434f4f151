"""The study scripts in experiments/ run, draw their figure, and docs/findings.md matches them."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
STUDIES = sorted(
    p.stem for p in (ROOT / "experiments").glob("*.py")
    if p.stem not in ("benchmark", "measure_sweep", "classroom_screenshots",
                      "calibration_recovery")
)  # fmt: skip
FINDINGS = (ROOT / "docs" / "findings.md").read_text()


def study(name, tmp_path, *extra):
    return subprocess.run(
        [sys.executable, f"experiments/{name}.py", "--results", str(tmp_path / "r"),
         "--figures", str(tmp_path / "f"), "--workers", "1", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.mark.parametrize("name", STUDIES)
def test_each_study_runs_quick_and_draws_its_figure(tmp_path, name):
    done = study(name, tmp_path, "--quick")
    assert done.returncode == 0, done.stderr
    figures = list((tmp_path / "f").glob("*.png"))
    assert figures and all(f.stat().st_size > 10_000 for f in figures)
    # effect sizes are printed with their intervals (95%; 90% for posterior intervals)
    assert "95%" in done.stdout or "90%" in done.stdout, done.stdout


def test_findings_show_every_study_its_command_and_figure():
    for name in STUDIES:
        assert f"python experiments/{name}.py" in FINDINGS, name
    for figure in re.findall(r"\]\((figures/[^)]+)\)", FINDINGS):
        assert (ROOT / "docs" / figure).is_file(), figure
    assert (ROOT / "docs/figures/strategies.png").is_file()
    assert "docs/figures/strategies.png" in (ROOT / "README.md").read_text()


def test_the_strategy_numbers_in_the_findings_are_what_the_command_prints(tmp_path):
    # one seed fixes every run: the full study reproduces the table in docs/findings.md
    done = study("strategies", tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for line in lines[2:7]:
        name, runs, median, hired = re.match(
            r"(\S+)\s+([\d,]+)\s+(\S+) \(\S+\)\s+(\S+)", line
        ).group(1, 2, 3, 4)
        row = next(r for r in FINDINGS.splitlines() if r.startswith(f"| {name} "))
        assert runs == "2,000" and f"| {median} (" in row and f"| {hired} (" in row, (line, row)
    # the paired difference the findings quote for specific-positive
    paired = next(line for line in lines if line.strip().startswith("specific-positive  hired"))
    points, low, high, weeks = re.search(
        r"hired \+(\S+) points \(\+(\S+) to \+(\S+)\); weeks searching -(\S+) ", paired
    ).groups()
    assert f"**+{points} points** more often (+{low} to +{high})" in " ".join(FINDINGS.split())
    assert f"**{weeks} fewer weeks**" in FINDINGS


def test_a_bad_option_is_one_line_and_writes_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, "experiments/gossip.py", "--results", str(tmp_path / "r"),
         "--figures", str(tmp_path / "f"), "--workers", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "error: --workers=0; allowed: a whole number >= 1\n"
    assert not (tmp_path / "r").exists() and not (tmp_path / "f").exists()


def test_a_figures_path_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "f").write_text("not a folder")
    done = study("favours", tmp_path, "--quick")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
