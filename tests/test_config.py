import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import json_schema, load_config, parse_config
from sim.params import ConfigError

CONFIGS = sorted(  # calibration configs are not sweeps: tests/test_calibration.py has them
    p for p in (Path(__file__).parents[1] / "configs").glob("*.toml")
    if not p.name.startswith("calibrate-")
)  # fmt: skip
STRATEGY = '[design]\nkind = "strategies"\nstrategies = ["vague-gloomy"]\n'


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_is_valid(path):
    experiment = load_config(str(path))
    assert experiment.name == path.stem and experiment.runs() >= 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed = 1\n[design\n", r"not valid TOML: .*\(at line 2, column 8\)"),
        (
            "sed = 1\n" + STRATEGY,
            r"unknown key 'sed' \(did you mean 'seed'\?\); allowed: name, seed",
        ),
        (
            "seed = 1\n[design]\nkind = 'strategies'\nstrategys = ['vague-gloomy']\n",
            r"unknown key 'design.strategys' \(did you mean 'strategies'\?\)",
        ),
        ("seed = 'x'\n" + STRATEGY, r"seed: Input should be a valid integer"),
        ("seed = -1\n" + STRATEGY, r"seed: Input should be greater than or equal to 0"),
        ("seed = 1\n[model]\npositivity = 3\n" + STRATEGY, r"positivity=3 is out of range"),
        ("seed = 1\n[model]\npositivty = 0.3\n" + STRATEGY, r"did you mean 'positivity'"),
        ("seed = 1\n[design]\nkind = 'strategies'\nstrategies = []\n", r"strategies is empty"),
        ("name = '../up'\n" + "seed = 1\n" + STRATEGY, r"name = '../up' is not allowed"),
        ("seed = 1\n[design]\nkind = 'grid'\n", r"design.values is empty"),
        (
            "seed = 1\n[design]\nkind = 'grid'\n[design.values]\nspecificity = [0.1, 2]\n",
            r"specificity=2 is out of range",
        ),
        (
            "seed = 1\n[design]\nkind = 'zip'\n[design.values]\nspecificity = [0.1]\n"
            "positivity = [0.1, 0.2]\n",
            r"lists of equal length",
        ),
        (
            "seed = 1\n[design]\nkind = 'lhs'\n[design.ranges]\nspecificity = [0, 2]\n",
            r"design.ranges.specificity = \[0, 2\]; allowed: a number in \[0, 1\]",
        ),
        (
            "seed = 1\n[design]\nkind = 'strategies'\nstrategies = ['hopeful']\n",
            r"unknown strategy 'hopeful'",
        ),
        (
            "seed = 1\n[model]\ngraph = 'file'\ngraph_file = 'nope.txt'\n" + STRATEGY,
            r"graph file 'nope.txt' not found",
        ),
        ("seed = 1\n[design]\nkind = 'grd'\n", r"design.kind: Input should be 'strategies'"),
    ],
)
def test_bad_configs_give_one_line_naming_the_problem(text, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_config(text, source="bad.toml")
    assert "\n" not in str(info.value) and str(info.value).startswith("bad.toml: ")


def test_grid_zip_and_strategy_designs_expand_in_a_fixed_order():
    grid = parse_config(
        "seed = 1\n[design]\nkind = 'grid'\n[design.values]\nspecificity = [0.1, 0.9]\n"
        "asks_per_week = [1, 2, 3]\n"
    )
    points = grid.points()
    assert len(points) == 6 and [p.index for p in points] == list(range(6))
    assert points[0].values == {"specificity": 0.1, "asks_per_week": 1}
    assert points[5].values == {"specificity": 0.9, "asks_per_week": 3}
    zipped = parse_config(
        "seed = 1\n[design]\nkind = 'zip'\n[design.values]\nspecificity = [0.1, 0.9]\n"
        "positivity = [0.2, 0.8]\n"
    )
    assert [p.values for p in zipped.points()] == [
        {"specificity": 0.1, "positivity": 0.2},
        {"specificity": 0.9, "positivity": 0.8},
    ]
    assert grid.runs() == 6 * 100


def test_sampled_designs_stay_in_range_and_follow_the_seed():
    text = "seed = {}\n[design]\nkind = 'lhs'\nsamples = 50\n[design.ranges]\n"
    text += "specificity = [0.2, 0.4]\nasks_per_week = [1, 6]\n"
    a, b, c = (parse_config(text.format(s)).points() for s in (1, 1, 2))
    assert [p.values for p in a] == [p.values for p in b] != [p.values for p in c]
    assert all(0.2 <= p.values["specificity"] <= 0.4 for p in a)
    assert all(isinstance(p.values["asks_per_week"], int) for p in a)
    # A Latin hypercube puts exactly one sample in each of the 50 equal strata of a range.
    strata = sorted(int((p.values["specificity"] - 0.2) / 0.2 * 50) for p in a)
    assert strata == list(range(50))
    sobol = parse_config(
        "seed = 1\n[design]\nkind = 'sobol'\nsamples = 8\n[design.ranges]\n"
        "specificity = [0, 1]\npositivity = [0, 1]\n"
    )
    assert len(sobol.points()) == 8 * (2 * 2 + 2)  # Saltelli: N (2D + 2) with second order


def test_schema_is_json_with_every_top_level_key():
    schema = json.loads(json_schema())
    assert {"seed", "design", "model", "replicates"} <= set(schema["properties"])


def test_check_command_reports_a_valid_config_and_rejects_a_bad_one(tmp_path):
    run = [sys.executable, "-m", "sim", "check"]
    good = subprocess.run([*run, str(CONFIGS[0])], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0 and "valid" in good.stdout
    bad_file = tmp_path / "bad.toml"
    bad_file.write_text("seed = 1\n[design]\nkind = 'strategies'\nstrategys = []\n")
    bad = subprocess.run([*run, str(bad_file)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    missing = subprocess.run([*run, "nope.toml"], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "config file 'nope.toml' not found" in missing.stderr


def test_a_base_may_lean_on_the_design_for_joint_parameters(tmp_path):
    # graph = "file" in the base, the files in the design: valid; a missing file is named
    (tmp_path / "a.txt").write_text("0 1\n1 2\n")
    text = (
        'seed = 1\n[model]\ngraph = "file"\n[design]\nkind = "zip"\n'
        f'[design.values]\ngraph_file = ["{tmp_path / "a.txt"}"]\n'
    )
    assert parse_config(text).points()[0].params({"graph": "file"}).graph_file.endswith("a.txt")
    with pytest.raises(ConfigError, match="graph file '.*b.txt' not found"):
        parse_config(text.replace("a.txt", "b.txt"))
    with pytest.raises(ConfigError, match="graph=file needs graph_file"):
        parse_config('seed = 1\n[model]\ngraph = "file"\n[design]\nkind = "strategies"\n'
                     'strategies = ["help-banker"]\n')  # fmt: skip
