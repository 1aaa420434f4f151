"""The documentation site (mkdocs.yml) builds with --strict, renders the API reference from the
docstrings, and its strict build fails on a broken link, anchor or docstring reference."""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner, not a warning


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


def text_of(page: Path) -> str:
    """A built page's text, tags stripped and white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())


def first_sentence(module: str, name: str) -> str:
    """The first sentence of a docstring in this checkout, as the site shows it in text."""
    tree = ast.parse((ROOT / module).read_text())
    node = next(n for n in ast.walk(tree) if getattr(n, "name", None) == name)
    doc = ast.get_docstring(node) or ""
    doc = re.sub(r":[a-z]+:`~?([\w.]+)`", r"\1", doc).replace("``", "")
    return " ".join(doc.split()).split(". ")[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]

    def pages(item: object) -> list[str]:
        if isinstance(item, str):
            return [item]
        values = item.values() if isinstance(item, dict) else item
        return [page for value in values for page in pages(value)]  # type: ignore[union-attr]

    listed = pages(nav)
    assert {"index.md", "model.md", "engines.md", "sweeps.md", "calibration.md"} <= set(listed)
    assert {"findings.md", "classroom.md", "graph-files.md", "api/sim.model.runs.md"} <= set(listed)
    for page in listed:
        stem = page.removesuffix(".md").removesuffix("index")
        built = site / stem / "index.html"
        assert built.is_file(), page
    assert not list(site.glob("api/*kernel*")), "the Numba kernels are private"


@pytest.mark.parametrize(
    ("page", "module", "name"),
    [
        ("sim.model.runs", "sim/model/runs.py", "run"),
        ("sim.model.params", "sim/model/params.py", "Params"),
        ("sim.analysis.stats", "sim/analysis/stats.py", "kaplan_meier"),
        ("sim.experiment.sweep", "sim/experiment/sweep.py", "sweep"),
    ],
)
def test_api_pages_render_the_docstrings(site: Path, page: str, module: str, name: str) -> None:
    built = site / "api" / page / "index.html"
    source = built.read_text()
    assert f'id="{page}.{name}"' in source  # the object's own heading, linkable
    assert first_sentence(module, name) in text_of(built)


def test_api_pages_show_no_restructuredtext(site: Path) -> None:
    for built in sorted(site.glob("api/sim.*/index.html")):
        source = built.read_text()
        assert not re.search(r":(func|class|meth|mod|data|attr):", source), built.parent.name
        assert "::</p>" not in source, built.parent.name
        assert "<blockquote>" not in source, built.parent.name  # a doctest read as a quotation
    stats = (site / "api/sim.analysis.stats/index.html").read_text()
    assert 'href="#sim.analysis.stats.kaplan_meier"><code>kaplan_meier</code></a>' in stats


# --- the strict build can fail: a copy of the config on pages with one problem each ----------
GOOD = """# Home

## A heading

[a page](other.md), [a heading](other.md#a-heading-there), [here](#a-heading),
[a repository file](../configs/README.md).

::: sim.probe
"""
PROBLEMS = {
    "a missing page": ("[gone](missing.md)", "'missing.md', but the target is not found"),
    "a missing anchor": ("[gone](other.md#nowhere)", "does not contain an anchor '#nowhere'"),
    "a missing repository file": ("[gone](../configs/nope.toml)", "'../configs/nope.toml'"),
    "a docstring naming no object": (
        "::: sim.broken",
        "Could not find cross-reference target 'nothing'",
    ),
}


def probe_site(tmp_path: Path, extra: str) -> subprocess.CompletedProcess[str]:
    """The real config on a small site: its own docs/, a repository file, a package ``sim``."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config["nav"] = ["index.md", "other.md"]
    config["hooks"] = [str(ROOT / "mkdocs_hooks.py")]
    python = config["plugins"][-1]["mkdocstrings"]["handlers"]["python"]
    python["paths"] = [str(tmp_path)]  # this `sim` before the installed one
    python["options"]["extensions"] = [f"{ROOT / 'mkdocs_hooks.py'}:RstMarkup"]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(GOOD + "\n" + extra + "\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading there\n")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "README.md").write_text("# configs\n")
    (tmp_path / "sim").mkdir()
    (tmp_path / "sim" / "__init__.py").write_text("")
    (tmp_path / "sim" / "probe.py").write_text(
        '"""A probe: :func:`works`, :class:`ValueError`, :func:`itertools.product`."""\n\n\n'
        'def works():\n    """Named by the module."""\n'
    )
    (tmp_path / "sim" / "broken.py").write_text('def broken():\n    """Names :func:`nothing`."""\n')
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return build(tmp_path / "mkdocs.yml", tmp_path / "site")


def test_the_probe_site_builds_when_nothing_is_broken(tmp_path: Path) -> None:
    result = probe_site(tmp_path, "")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text()
    assert '<code title="a file in the repository">configs/README.md</code>' in page
    assert 'href="#sim.probe.works"><code>works</code></a>' in page


@pytest.mark.parametrize("problem", PROBLEMS)
def test_the_strict_build_fails_on(tmp_path: Path, problem: str) -> None:
    extra, message = PROBLEMS[problem]
    result = probe_site(tmp_path, extra)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Aborted with 1 warnings in strict mode" in output, output
    assert message in output, output
