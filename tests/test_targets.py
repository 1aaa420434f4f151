"""Targets files: validated like configs, the distance and the derived moments against hand
computations."""

import math
from pathlib import Path

import numpy as np
import pytest

from sim.experiment.targets import (
    MOMENTS,
    UNDEFINED,
    distance,
    load_targets,
    moments,
    parse_targets,
)
from sim.model.params import ConfigError

SHIPPED = Path(__file__).parent.parent / "configs" / "targets"

ONE = """
[[target]]
name = "unemployment_rate"
value = 0.04
tolerance = 0.01
source = "BLS"
role = "fit"
"""


def entry(**fields):
    body = {"name": '"exit_hazard"', "value": "0.07", "tolerance": "0.02", "source": '"x"',
            "role": '"fit"', **fields}  # fmt: skip
    return "[[target]]\n" + "".join(f"{k} = {v}\n" for k, v in body.items() if v is not None)


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_targets_file_is_valid_and_holds_moments_out(path):
    targets = load_targets(path)
    assert len(targets.held_out()) >= 2  # the floor: at least two held out
    assert all(t.source.strip() for t in targets.target)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry(name='"unemployed_rate"'), "unknown moment 'unemployed_rate' (did you mean"),
        (entry(sign='"positive"'), "give either value or sign, not both"),
        (entry(value=None), "give either value or sign, not both"),
        (entry(tolerance="0"), "tolerance: Input should be greater than 0"),
        (entry(source=None), "target[exit_hazard].source: missing"),
        (entry(role='"check"'), "target[exit_hazard].role"),
        (entry(colour='"red"'), "target[exit_hazard].colour: unknown key"),
        (entry(name=None), "target[entry 1].name: missing"),
        (entry() + entry(), "moment 'exit_hazard' is targeted twice"),
        (entry(role='"held_out"'), "no target has role = 'fit'"),
        ("target = 3", "target"),
        ("[[target]\n", "not valid TOML"),
        (entry(value="nan"), "value must be a finite number"),
    ],
)
def test_a_bad_targets_file_is_one_line_naming_the_problem(text, message):
    with pytest.raises(ConfigError) as error:
        parse_targets(text, source="t.toml")
    assert message in str(error.value) and "\n" not in str(error.value)
    assert str(error.value).startswith("t.toml")


def test_a_byte_order_mark_is_read_as_the_file_it_precedes():
    assert parse_targets("\ufeff" + ONE).target[0].value == 0.04


def test_distance_is_the_norm_of_gaps_in_tolerances():
    targets = parse_targets(ONE + entry())
    # gaps (0.06 - 0.04) / 0.01 = 2 and (0.04 - 0.07) / 0.02 = -1.5: norm 2.5
    assert distance({"unemployment_rate": 0.06, "exit_hazard": 0.04}, targets) == pytest.approx(2.5)
    assert distance({"unemployment_rate": 0.04, "exit_hazard": 0.07}, targets) == 0.0
    assert distance({"unemployment_rate": math.nan, "exit_hazard": 0.07}, targets) == UNDEFINED


def test_held_out_targets_do_not_enter_the_distance():
    targets = parse_targets(ONE + entry(role='"held_out"'))
    assert distance({"unemployment_rate": 0.04, "exit_hazard": 9.0}, targets) == 0.0


def test_a_sign_target_counts_only_the_wrong_side():
    text = ONE + entry(name='"neighbour_employment_correlation"', value=None,
                       sign='"positive"', tolerance="0.01")  # fmt: skip
    targets = parse_targets(text)
    corr = targets.target[1]
    assert corr.gap(0.3) == 0.0 and corr.gap(-0.02) == pytest.approx(2.0)
    assert corr.met(0.001) and not corr.met(-0.001)
    both = {"unemployment_rate": 0.04}
    assert distance({**both, "neighbour_employment_correlation": -0.03}, targets) == pytest.approx(
        3
    )


def _outcomes(**overrides):
    base = {name: np.array([0.5]) for name in MOMENTS}
    base.update(
        via_close_share=np.array([0.1]),
        via_regular_share=np.array([0.3]),
        via_distant_share=np.array([0.1]),
        via_relay_share=np.array([0.5]),
        gini_unemployment=np.array([0.30]),
        gini_unemployment_null=np.array([0.22]),
    )
    for b, (exits, at_risk) in {"1_4": (40, 100), "5_8": (20, 100), "9_13": (10, 100),
                                "14_26": (10, 100), "27_52": (6, 50)}.items():  # fmt: skip
        base[f"exits_{b}"], base[f"at_risk_{b}"] = np.array([exits]), np.array([at_risk])
    base.update(overrides)
    return base


def test_derived_moments_from_hand_computed_outcomes():
    m = moments(_outcomes())
    # ties: 0.1 / 0.3 / 0.1 of all contact hires, relays apart: 0.2 / 0.6 / 0.2 of known ties
    assert m["tie_close_share"][0] == pytest.approx(0.2)
    assert m["tie_regular_share"][0] == pytest.approx(0.6)
    assert m["tie_distant_share"][0] == pytest.approx(0.2)
    assert m["relay_share"][0] == pytest.approx(0.5)
    # 80 exits of 400 at risk in weeks 1-26 (0.2), 6 of 50 after 27-52 (0.12): ratio 0.6
    assert m["hazard_ratio_long_short"][0] == pytest.approx(0.6)
    assert m["gini_excess"][0] == pytest.approx(0.08)
    assert set(m) == set(MOMENTS)


def test_undefined_ratios_are_nan_not_errors():
    m = moments(_outcomes(at_risk_27_52=np.array([0]), exits_27_52=np.array([0])))
    assert math.isnan(m["hazard_ratio_long_short"][0])
