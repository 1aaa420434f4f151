import itertools
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.config import (
    MAX_POINTS,
    MIN_SAMPLES,
    DesignPoint,
    json_schema,
    load_config,
    parse_config,
)
from sim.model.params import ConfigError, Params, check_value

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


def _validator():
    import jsonschema

    schema = json.loads(json_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_lists_every_parameter_with_its_unit_meaning_and_the_range_the_tool_enforces():
    model = json.loads(json_schema())["properties"]["model"]
    assert model["additionalProperties"] is False
    assert set(model["properties"]) == set(Params.specs())
    market = Params.defaults("market")
    for name, field in model["properties"].items():
        assert field["unit"] and field["description"], name
        assert field["default"] == Params.defaults()[name], name
        assert field.get("market_default", field["default"]) == market[name], name
        if field["type"] in ("number", "integer"):
            # the schema's bounds are the validator's: both accepted, one step beyond refused
            low, high = field["minimum"], field["maximum"]
            assert check_value(name, low) == low and check_value(name, high) == high, name
            for outside in (low - 1, high + 1):
                with pytest.raises(ConfigError, match="out of range"):
                    check_value(name, outside)
        elif "enum" in field:
            for choice in field["enum"]:
                assert check_value(name, choice) == choice
            with pytest.raises(ConfigError, match="allowed: one of"):
                check_value(name, "no-such-" + name)
        else:  # free text (paths, labels, codec names) or a switch
            assert field["type"] in ("string", "boolean"), name


# experiments/interventions.toml is a saturation study's config (tests/test_saturation.py)
STUDY_CONFIGS = ("interventions.toml",)
SWEEP_CONFIGS = CONFIGS + sorted(
    p
    for p in (Path(__file__).parents[1] / "experiments").glob("*.toml")
    if p.name not in STUDY_CONFIGS
)


@pytest.mark.parametrize("path", SWEEP_CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_config_passes_the_json_schema(path):
    import tomllib

    errors = list(_validator().iter_errors(tomllib.loads(path.read_text("utf-8"))))
    assert errors == []


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[model]\nspecifity = 0.5\n" + STRATEGY, "specifity"),  # not a parameter
        ("[model]\npositivity = 1.5\n" + STRATEGY, "positivity"),  # out of range
        ("[model]\ngraph = 'ring'\n" + STRATEGY, "graph"),  # not a choice
        ("[design]\nkind = 'grid'\n[design.values]\nweeks = [0, 26]\n", "weeks"),
        ("[design]\nkind = 'lhs'\n[design.ranges]\ngraph = [0, 1]\n", "graph"),
        ("[design]\nkind = 'lhs'\n[design.ranges]\nrewire = [0, 2]\n", "rewire"),
        ("[design]\nkind = 'strategies'\nstrategies = ['vague']\n", "vague"),
    ],
    ids=["unknown", "out-of-range", "not-a-choice", "list", "range-of-text", "range", "preset"],
)
def test_the_json_schema_refuses_what_the_tool_refuses(text, where):
    import tomllib

    text = "seed = 1\n" + text
    with pytest.raises(ConfigError):
        parse_config(text)
    errors = list(_validator().iter_errors(tomllib.loads(text)))
    # each error names the key or value at fault: in its path, or quoted in its message (a
    # name refused by propertyNames, a preset refused by its enum)
    assert errors and any(
        where in map(str, e.absolute_path) or repr(where) in e.message for e in errors
    )


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


# --- designs mean what they say ------------------------------------------------------------------
ROOT = Path(__file__).parents[1]
SHIPPED = sorted(
    [p for p in (ROOT / "configs").rglob("*.toml") if "targets" not in p.relative_to(ROOT).parts]
    + [p for p in (ROOT / "experiments").glob("*.toml") if p.name not in STUDY_CONFIGS]
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_check_accepts_every_shipped_config(path, monkeypatch, capsys):
    # check reads a config as run (or calibrate) does; the experiments' graph files are named
    # relative to the repository, where their scripts run
    monkeypatch.chdir(ROOT)
    code = main(["check", str(path.relative_to(ROOT))])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == "" and ": valid" in out.splitlines()[0]


def test_the_shipped_configs_are_all_listed():
    # a check over every shipped config that found none would pass vacuously (8 in configs/,
    # 7 in experiments/: a new one is added here)
    assert len(SHIPPED) == 15 and ROOT / "configs" / "calibrate-market.toml" in SHIPPED


def test_check_shows_text_and_true_false_values_as_written(tmp_path, capsys):
    config = tmp_path / "text.toml"
    config.write_text(
        'seed = 1\n[model]\nscenario = "market"\nburn_in = 0\nweeks = 5\n[design]\n'
        'kind = "grid"\n[design.values]\ngraph = ["karate", "florentine"]\n'
        "baseline = [true, false]\nn_nodes = [1000000]\n"
    )
    assert main(["check", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "  point 0: graph=karate, baseline=true, n_nodes=1000000",
        "  point 1: graph=karate, baseline=false, n_nodes=1000000",
        "  point 2: graph=florentine, baseline=true, n_nodes=1000000",
        "  point 3: graph=florentine, baseline=false, n_nodes=1000000",
    ]


def test_check_and_run_refuse_alike(tmp_path, capsys):
    # the same one line from both, and run writes nothing
    config = tmp_path / "bad.toml"
    config.write_text("seed = 1\n[model]\npositivity = 0.5\n" + STRATEGY)
    assert main(["check", str(config)]) == 2
    checked = capsys.readouterr().err
    assert main(["run", str(config), "--results", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == checked and checked.count("\n") == 1
    assert not (tmp_path / "r").exists()


def test_a_config_with_a_byte_order_mark_is_read_by_check_and_run(tmp_path, capsys):
    config = tmp_path / "bom.toml"
    config.write_bytes(("\ufeff" + 'name = "bom"\nseed = 1\nreplicates = 2\n' + STRATEGY).encode())
    assert main(["check", str(config)]) == 0
    assert "'bom': 1 design point(s) x 2 replicates = 2 runs" in capsys.readouterr().out
    assert main(["run", str(config), "--results", str(tmp_path / "r"), "--workers", "1"]) == 0
    runs = pd.read_parquet(tmp_path / "r" / "bom" / "runs.parquet")
    assert list(runs.strategy) == ["vague-gloomy"] * 2


SET_TWICE = [
    (
        "[model]\nspecificity = 0.5\npositivity = 0.5\n[design]\nkind = 'strategies'\n"
        "strategies = ['vague-gloomy', 'specific-positive']\n",
        "specificity is set twice: [model] specificity = 0.5 and the strategy 'vague-gloomy' "
        "(specificity = 0.1); allowed: one of them (remove specificity from [model] to run the "
        "presets as they are)",
    ),
    (
        "[model]\nbanked_favours = 2\n[design]\nkind = 'strategies'\n"
        "strategies = ['vague-gloomy', 'help-banker']\n",
        "banked_favours is set twice: [model] banked_favours = 2 and the strategy 'help-banker' "
        "(banked_favours = 8); allowed: one of them (remove banked_favours from [model] to run "
        "the presets as they are)",
    ),
    (
        "[model]\nspecificity = 0.5\n[design]\nkind = 'grid'\n[design.values]\n"
        "specificity = [0.1, 0.9]\n",
        "specificity is set twice: [model] specificity = 0.5 and design.values.specificity = "
        "[0.1, 0.9]; allowed: one of them",
    ),
    (
        "[model]\ngraph = 'karate'\n[design]\nkind = 'zip'\n[design.values]\n"
        "graph = ['florentine']\n",
        'graph is set twice: [model] graph = "karate" and design.values.graph = ["florentine"]; '
        "allowed: one of them",
    ),
    (
        "[model]\ngossip_rate = 0.2\n[design]\nkind = 'sobol'\nsamples = 8\n[design.ranges]\n"
        "gossip_rate = [0.0, 0.5]\n",
        "gossip_rate is set twice: [model] gossip_rate = 0.2 and design.ranges.gossip_rate = "
        "[0.0, 0.5]; allowed: one of them",
    ),
]


@pytest.mark.parametrize(("text", "message"), SET_TWICE, ids=["preset", "banker", "grid", "zip",
                                                              "sobol"])  # fmt: skip
def test_a_parameter_in_model_and_in_the_design_is_refused_naming_both(text, message):
    with pytest.raises(ConfigError) as info:
        parse_config("seed = 1\n" + text, source="c.toml")
    assert str(info.value) == f"c.toml: {message}"


def test_a_design_field_its_kind_does_not_read_is_refused():
    with pytest.raises(ConfigError) as info:
        parse_config(
            "seed = 1\n[design]\nkind = 'grid'\nsamples = 10\n[design.values]\n"
            "specificity = [0.1]\n",
            source="c.toml",
        )
    assert str(info.value) == (
        "c.toml: design.samples is not read by kind = 'grid', which reads design.values; "
        "allowed: remove it, or a kind that reads it"
    )
    with pytest.raises(ConfigError, match="design.strategies is not read by kind = 'lhs'"):
        parse_config(
            "seed = 1\n[design]\nkind = 'lhs'\nstrategies = ['vague-gloomy']\n"
            "[design.ranges]\nspecificity = [0, 1]\n"
        )
    with pytest.raises(ConfigError, match="design.levels is not read by kind = 'sobol'"):
        parse_config(
            "seed = 1\n[design]\nkind = 'sobol'\nsamples = 8\nlevels = 6\n"
            "[design.ranges]\nspecificity = [0, 1]\n"
        )


def whole_counts(kind, samples, low, high, extra=""):
    experiment = parse_config(
        f"seed = 11\n[design]\nkind = '{kind}'\nsamples = {samples}\n{extra}[design.ranges]\n"
        f"asks_per_week = [{low}, {high}]\n"
    )
    values = [p.values["asks_per_week"] for p in experiment.points()]
    assert all(type(v) is int for v in values)
    return dict(sorted(Counter(values).items()))


def test_a_latin_hypercube_draws_each_whole_number_equally_often():
    # 08-lhs-integers.toml: rounding [1, 4] to the nearest gave 667/1333/1333/667. Drawn over
    # [1, 5) and rounded down, whole number i owns the unit interval's [(i-1)/4, i/4): exactly
    # 1,000 of the hypercube's 4,000 strata, each holding one sample: exactly 1,000 each.
    assert whole_counts("lhs", 4000, 1, 4) == {1: 1000, 2: 1000, 3: 1000, 4: 1000}
    # 3 whole numbers, 3,000 strata: 1,000 each again; 7 into 100: 14 or 15 each
    assert whole_counts("lhs", 3000, 0, 2) == {0: 1000, 1: 1000, 2: 1000}
    assert set(whole_counts("lhs", 100, 0, 6).values()) <= {14, 15}


def test_sobol_draws_each_whole_number_equally_often():
    # One range: Saltelli's rows per base sample are A, B, A, B (AB_1 takes B's column, BA_1
    # A's). The first 1,024 points of a scrambled Sobol' sequence put exactly 256 in each
    # quarter of [0, 1) in every coordinate (a (0, 10, 1)-net), so each of 1..4 gets
    # 4 x 256 = 1,024 of the 4,096 points.
    assert whole_counts("sobol", 1024, 1, 4) == {1: 1024, 2: 1024, 3: 1024, 4: 1024}


def test_morris_gives_each_whole_number_an_equal_share_of_its_levels():
    # One range, 4 levels: each trajectory is a base level in the lower half {0, 1} and that
    # level plus 2. [0, 1] maps levels 0, 1 to 0 and 2, 3 to 1: exactly one of each per
    # trajectory.
    assert whole_counts("morris", 500, 0, 1) == {0: 500, 1: 500}
    # [1, 4]: one level each; 1 or 2 is the lower point of every trajectory (exactly 500 of
    # 1,000), 1 with probability 1/2: Binomial(500, 1/2), sd 11.2; +-60 (5.4 sd) fails a
    # correct sampler with probability 7e-8 (the seed is fixed: the draw is the same each run)
    counts = whole_counts("morris", 500, 1, 4)
    assert counts[1] + counts[2] == 500 and counts[3] + counts[4] == 500
    assert abs(counts[1] - 250) <= 60 and counts[1] == counts[3] and counts[2] == counts[4]
    # 6 whole numbers on 6 levels: one level each, steps of 3
    counts = whole_counts("morris", 600, 0, 5, "levels = 6\n")
    assert sum(counts.values()) == 1200 and sorted(counts) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("kind", "low", "high", "message"),
    [
        (
            "lhs", 0.5, 3.7,
            "design.ranges.asks_per_week = [0.5, 3.7]: asks_per_week is a whole number; "
            "allowed: whole-number bounds (every whole number from low to high is drawn equally "
            "often)",
        ),
        (
            "morris", 1, 3,
            "design.ranges.asks_per_week = [1, 3] holds 3 whole numbers, which Morris's 4 "
            "levels, stepped half at a time, cannot share equally; allowed: a range of 2 or 4 "
            "whole numbers (an even count that divides design.levels)",
        ),
        (
            "morris", 1, 6,
            "design.ranges.asks_per_week = [1, 6] holds 6 whole numbers, which Morris's 4 "
            "levels, stepped half at a time, cannot share equally; allowed: a range of 2 or 4 "
            "whole numbers (an even count that divides design.levels), or design.levels = 12",
        ),
    ],
)  # fmt: skip
def test_whole_number_ranges_that_cannot_be_drawn_evenly_are_refused(kind, low, high, message):
    with pytest.raises(ConfigError) as info:
        parse_config(
            f"seed = 1\n[design]\nkind = '{kind}'\nsamples = 8\n[design.ranges]\n"
            f"asks_per_week = [{low}, {high}]\n",
            source="c.toml",
        )
    assert str(info.value) == f"c.toml: {message}"


def test_the_sensitivity_minimum_is_the_least_power_of_two_with_enough_resamples():
    # n samples have C(2n - 1, n) distinct bootstrap resamples; the analysis draws 1,000
    from sim.experiment.sensitivity import RESAMPLES

    least = next(n for n in range(1, 100) if math.comb(2 * n - 1, n) > RESAMPLES)
    assert least == 7 and MIN_SAMPLES == 8 == 1 << (least - 1).bit_length()


@pytest.mark.parametrize(("kind", "what"), [("sobol", "base samples"), ("morris", "trajectories")])
def test_too_few_sensitivity_samples_are_refused_by_check_and_run(tmp_path, kind, what):
    config = tmp_path / "few.toml"
    config.write_text(
        f"seed = 3\nreplicates = 2\n[design]\nkind = '{kind}'\nsamples = 7\n[design.ranges]\n"
        "specificity = [0.1, 0.9]\npositivity = [0.1, 0.9]\n"
    )
    for command in (["check"], ["run", "--results", str(tmp_path / "r")]):
        result = subprocess.run(
            [sys.executable, "-m", "sim", *command, str(config)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(
            f"empathy-sim: error: {config}: design.samples = 7 is too few for "
            f"{kind.title()} indices: their 95% intervals need at least 8 {what}"
        )
        assert result.stderr.count("\n") == 1
    assert not (tmp_path / "r").exists()
    config.write_text(config.read_text().replace("samples = 7", "samples = 8"))
    assert parse_config(config.read_text()).runs() == 2 * 8 * (6 if kind == "sobol" else 3)


def test_a_sobol_size_not_a_power_of_two_is_one_warning_line_of_ours(tmp_path):
    config = tmp_path / "ten.toml"
    config.write_text(
        "seed = 3\n[design]\nkind = 'sobol'\nsamples = 10\n[design.ranges]\n"
        "specificity = [0.1, 0.9]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "sim", "check", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "valid" in result.stdout
    assert result.stderr == (
        f"empathy-sim: warning: {config}: design.samples = 10 is not a power of two: Sobol's "
        "sequence is balanced only at powers of two, so the indices converge more slowly; 8 or "
        "16 would keep the balance\n"
    )


@pytest.mark.parametrize(
    ("design", "count"),
    [
        ("kind = 'strategies'\nstrategies = ['vague-gloomy', 'help-banker']\n", 2),
        ("kind = 'grid'\n[design.values]\nspecificity = [0.1, 0.5, 0.9]\nweeks = [4, 8]\n", 6),
        ("kind = 'zip'\n[design.values]\nspecificity = [0.1, 0.9]\nweeks = [4, 8]\n", 2),
        ("kind = 'lhs'\nsamples = 9\n[design.ranges]\nspecificity = [0, 1]\nweeks = [4, 8]\n", 9),
        ("kind = 'sobol'\nsamples = 8\n[design.ranges]\nspecificity = [0, 1]\n", 8 * 4),
        ("kind = 'sobol'\nsamples = 16\n[design.ranges]\nspecificity = [0, 1]\n"
         "positivity = [0, 1]\nweeks = [4, 7]\n", 16 * 8),
        ("kind = 'morris'\nsamples = 8\n[design.ranges]\nspecificity = [0, 1]\n"
         "positivity = [0, 1]\nweeks = [4, 7]\n", 8 * 4),
    ],
)  # fmt: skip
def test_designs_are_counted_in_closed_form_as_the_samplers_draw_them(design, count):
    experiment = parse_config("seed = 2\n[design]\n" + design)
    assert experiment.design.count() == count == len(list(experiment.points()))
    assert experiment.runs() == 100 * count


def test_a_grid_point_is_decoded_from_its_index_in_product_order():
    lists = {"specificity": [0.1, 0.5, 0.9], "weeks": [4, 8], "targeting": ["close", "distant"]}
    text = "seed = 1\n[design]\nkind = 'grid'\n[design.values]\n"
    text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in lists.items())
    points = parse_config(text).points()
    combos = itertools.product(*lists.values())
    expected = [dict(zip(lists, combo, strict=True)) for combo in combos]
    assert [p.values for p in points] == expected and [p.index for p in points] == list(range(12))
    assert points[-1] == points[11] and [p.index for p in points[3:5]] == [3, 4]
    with pytest.raises(IndexError):
        points[12]


def test_a_design_above_the_limit_is_refused_before_anything_is_drawn(monkeypatch):
    # 11-huge-sobol.toml: 1,048,576 x (2 x 4 + 2) points; drawing them took 8 min and 5.8 GB
    monkeypatch.setattr("sim.experiment.config._sample_matrix", lambda *a: pytest.fail("drawn"))
    with pytest.raises(ConfigError) as info:
        parse_config(
            "seed = 1\n[design]\nkind = 'sobol'\nsamples = 1048576\n[design.ranges]\n"
            "specificity = [0, 1]\npositivity = [0, 1]\ngossip_rate = [0, 0.5]\n"
            "fit_cost = [0, 0.8]\n",
            source="huge.toml",
        )
    assert str(info.value) == (
        "huge.toml: the design has 10,485,760 points (sobol: samples 1,048,576 x (2 x 4 ranges "
        "+ 2)); allowed: at most 1,048,576 (2^20) design points per config (docs/sweeps.md): "
        "fewer samples or values, or several configs with their own seeds"
    )
    at_limit = "seed = 1\n[design]\nkind = 'grid'\n[design.values]\n"
    at_limit += "".join(f"{n} = {list(range(v))}\n" for n, v in
                        (("n_family", 64), ("n_friends", 64), ("n_colleagues", 256)))  # fmt: skip
    assert parse_config(at_limit).design.count() == MAX_POINTS
    one_more = at_limit.replace("[0, 1, 2,", "[-1, 0, 1, 2,", 1).replace("-1", "64")
    with pytest.raises(ConfigError, match="the design has 1,064,960 points"):
        parse_config(one_more)  # 65 x 64 x 256


def test_check_of_a_large_grid_builds_only_the_points_it_shows(tmp_path, monkeypatch, capsys):
    # 655,360 points: check used to build every one (387 MB, 28 s); now it makes the 10 shown
    made = []

    class Counted(DesignPoint):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self.index)

    monkeypatch.setattr("sim.experiment.config.DesignPoint", Counted)
    config = tmp_path / "big.toml"
    config.write_text(
        "seed = 1\nreplicates = 1\n[design]\nkind = 'grid'\n[design.values]\n"
        f"specificity = {[i / 9 for i in range(10)]}\n"
        + "".join(f"{n} = {[i / 30 for i in range(16)]}\n"
                  for n in ("positivity", "gossip_rate", "fit_cost", "arrival_rate"))
    )  # fmt: skip
    assert main(["check", str(config)]) == 0
    out = capsys.readouterr().out
    assert "655,360 design point(s) x 1 replicates = 655,360 runs" in out
    assert made == list(range(10)) and "... 655,350 more" in out


def test_bad_combinations_are_found_without_trying_every_point():
    # the one bad combination sits at the grid's last points, behind 1,000 specificity values
    text = (
        "seed = 1\n[design]\nkind = 'grid'\n[design.values]\n"
        f"specificity = {[i / 999 for i in range(1000)]}\n"
        "recognise_vague = [0.1, 0.95]\nrecognise_specific = [0.9, 1.0]\n"
    )
    with pytest.raises(ConfigError, match=r"recognise_specific \(0.9\) must be >= recognise_vague "
                       r"\(0.95\)"):  # fmt: skip
        parse_config(text)
    # sampled ranges: the box's corners (a sample may or may not land in the bad corner)
    with pytest.raises(ConfigError) as info:
        parse_config(
            "seed = 1\n[design]\nkind = 'lhs'\nsamples = 4\n[design.ranges]\n"
            "recognise_vague = [0.0, 0.5]\nrecognise_specific = [0.4, 0.9]\n",
            source="c.toml",
        )
    assert str(info.value) == (
        "c.toml: design.ranges reach a combination that cannot run (recognise_vague = 0.5, "
        "recognise_specific = 0.4): recognise_specific (0.4) must be >= recognise_vague (0.5): "
        "recognition never falls as the ask gets specific"
    )
    with pytest.raises(ConfigError, match=r"\(burn_in = 10, weeks = 10\): burn_in \(10\) must be"):
        parse_config(
            "seed = 1\n[model]\nscenario = 'market'\n[design]\nkind = 'lhs'\nsamples = 4\n"
            "[design.ranges]\nburn_in = [0, 10]\nweeks = [10, 20]\n"
        )
