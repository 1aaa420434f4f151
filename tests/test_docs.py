"""docs/model.md against the code: the parameter table and the rule table cannot go stale."""

import re
from pathlib import Path

import pytest

from sim.model.params import PRESETS, Params
from sim.model.rules import (
    CLOSE,
    DISTANT,
    REGULAR,
    fit,
    p_action,
    p_ears_open,
    recognition,
    rules_from,
)

DOC = (Path(__file__).parents[1] / "docs" / "model.md").read_text()
ODD_SECTIONS = [
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]


def table_rows(first_cell_pattern):
    pattern = re.compile(r"^\| " + first_cell_pattern + r" \|(.*)\|$", re.MULTILINE)
    return {m.group(1): [c.strip() for c in m.group(2).split("|")] for m in pattern.finditer(DOC)}


def test_all_seven_odd_elements_are_sections():
    for number, title in enumerate(ODD_SECTIONS, start=1):
        assert f"## {number} {title}" in DOC


def test_parameter_table_lists_every_parameter_with_its_default():
    rows = table_rows(r"`(\w+)`")
    defaults = Params.defaults()
    assert set(defaults) <= set(rows)
    for name, value in defaults.items():
        cell = rows[name][0]
        if isinstance(value, (bool, str)):
            assert cell.lower().strip('"') == str(value).lower(), name
        else:
            assert float(cell) == pytest.approx(value), name
        assert rows[name][-1], f"{name} has no anchor or reason"


def test_rule_table_matches_the_rule_functions():
    r = rules_from(Params())
    names = {"vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive"}
    found = {}
    for match in re.finditer(r"^\| ([a-z]+-[a-z]+) \([\d.]+, [\d.]+\) \|(.*)\|$", DOC, re.M):
        found[match.group(1)] = [c.strip() for c in match.group(2).split("|")]
    assert names <= set(found)
    for name in names:
        s, p = PRESETS[name]["specificity"], PRESETS[name]["positivity"]
        actions, ears, fit_cell, recognition_cell = found[name]
        expected = [
            p_action(r, s, p, 0.0, 0.0, 0.0, t, 0.0, 0.0) for t in (CLOSE, REGULAR, DISTANT)
        ]
        assert [float(x) for x in actions.split("/")] == pytest.approx(expected, abs=6e-4)
        expected = [p_ears_open(r, s, p, CLOSE), p_ears_open(r, s, p, REGULAR)]
        assert [float(x) for x in ears.split("/")] == pytest.approx(expected, abs=6e-4)
        assert float(fit_cell) == pytest.approx(fit(r, s), abs=6e-4)
        assert float(recognition_cell) == pytest.approx(recognition(r, s), abs=6e-3)


# --- docs/graph-files.md: every example's output is what the command prints --------------------
GRAPH_DOC = (Path(__file__).parents[1] / "docs" / "graph-files.md").read_text()
EXAMPLE = re.compile(
    r"<!-- graph-file: (?P<name>\S+) -->\n```text\n(?P<file>.*?)```\n\n```console\n"
    r"(?P<session>.*?)```",
    re.DOTALL,
)


def graph_examples():
    found = [m.groupdict() for m in EXAMPLE.finditer(GRAPH_DOC)]
    assert len(found) >= 6, "the examples of docs/graph-files.md were not found"
    return found


@pytest.mark.parametrize("example", graph_examples(), ids=lambda e: e["name"])
def test_graph_file_examples_print_what_the_page_shows(example, tmp_path, monkeypatch, capsys):
    import shlex

    from sim.cli import main

    (tmp_path / example["name"]).write_text(example["file"], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    commands = re.split(r"^\$ ", example["session"], flags=re.MULTILINE)[1:]
    for command in commands:
        line, *expected = command.rstrip("\n").split("\n")
        argv = shlex.split(line)
        assert argv[0] == "empathy-sim"
        code = main(argv[1:])
        out = capsys.readouterr()
        printed = (out.out + out.err).rstrip("\n").split("\n")
        assert printed == expected, line
        assert code == (2 if expected[0].startswith("empathy-sim: error:") else 0)
