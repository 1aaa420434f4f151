"""Release hygiene: the wheel and sdist build, install into a clean environment and run; the
version is written once; a headless install says what the demo needs.

The clean environment is a new venv without pip and without this project; it sees the already
installed dependencies through a ``.pth`` file (so nothing downloads), and the wheel is
installed into it with ``--no-deps --no-index``: what runs there is only what the wheel holds.
"""

import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import sim
from sim import cli

ROOT = Path(__file__).parents[1]
# setuptools' own notice when the environment turns byte-compiling off (PYTHONDONTWRITEBYTECODE)
NOT_OURS = "byte-compiling is disabled"


def warnings_in(log):
    return [line for line in log.splitlines()
            if re.search(r"(?i)deprecat|warning", line) and NOT_OURS not in line]  # fmt: skip


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The wheel and the sdist, built from this checkout (no build isolation: no download)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    done.log = done.stdout + done.stderr
    return out, done


def clean_venv(where):
    """A venv with no pip and no empathy-sim, seeing the installed dependencies."""
    venv.create(where, with_pip=False)
    site = Path(
        subprocess.run([str(where / "bin" / "python"), "-c",
                        "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )  # fmt: skip
    # the dependencies' folder only: its own .pth files (the editable install's) are not read
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return where / "bin" / "python", site


def install(python, target, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--no-build-isolation", "--quiet", str(target)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_the_wheel_holds_the_package_and_its_metadata(dist):
    out, done = dist
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    assert wheel.name == f"empathy_sim-{sim.__version__}-py3-none-any.whl"
    assert sdist.name == f"empathy_sim-{sim.__version__}.tar.gz"
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("sim/py.typed", "sim/cli.py", "sim/model/kernel.py", "sim/model/results.py",
                   "sim/experiment/sweep.py", "sim/classroom/page.py"):  # fmt: skip
        assert module in names, module
    assert not [n for n in names if n.startswith("tests/")]
    metadata = zipfile.ZipFile(wheel).read(
        f"empathy_sim-{sim.__version__}.dist-info/METADATA"
    ).decode()  # fmt: skip
    assert f"Version: {sim.__version__}\n" in metadata
    assert "License-Expression: MIT\n" in metadata
    assert "Provides-Extra: demo\n" in metadata
    assert any(n.endswith("licenses/LICENSE") for n in names)
    # no warning of our own making (the setuptools licence deprecation, for one)
    assert warnings_in(done.log) == []


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_it_installs_in_a_clean_venv_and_runs(dist, kind, tmp_path):
    out, _ = dist
    target = next(out.glob("*.whl" if kind == "wheel" else "*.tar.gz"))
    python, site = clean_venv(tmp_path / "env")
    done = install(python, target, tmp_path)
    assert warnings_in(done.stdout + done.stderr) == []
    script = tmp_path / "env" / "bin" / "empathy-sim"

    def run(*args):  # from a folder that holds no sim/ of its own
        return subprocess.run([str(script), *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=300)  # fmt: skip

    version = run("--version")
    assert version.returncode == 0 and version.stdout == f"empathy-sim {sim.__version__}\n"
    params = run("params")
    assert params.returncode == 0 and params.stdout.split()[:2] == ["scenario", "single"]
    where = subprocess.run([str(python), "-c", "import sim; print(sim.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(site)  # the installed copy, not this one


def test_the_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", sim.__version__)
    assert f"\nversion: {sim.__version__}\n" in (ROOT / "CITATION.cff").read_text()
    changes = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(r"^## \[(.+?)\]", changes, re.M).group(1) == sim.__version__
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT")


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"empathy-sim {sim.__version__}\n"
    for command in cli.EXAMPLES:
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = capsys.readouterr().out
        assert f"example:\n  empathy-sim {command}" in text, command
    assert set(cli.EXAMPLES) == set(cli.build_parser()._subparsers._group_actions[0].choices)


def test_a_headless_install_says_what_the_demo_needs(monkeypatch, capsys):
    monkeypatch.setattr(cli, "DEMO_MODULES", ("solara", "no_such_module_here"))
    assert cli.main(["demo", "--port", "8999"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "empathy-sim: error: the classroom demo needs no_such_module_here: install the demo "
        "extra, pip install 'empathy-sim[demo]' (make run installs it)\n"
    )
