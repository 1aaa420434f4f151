"""Property tests of the decision rules over the whole allowed parameter space."""

import math

from conftest import valid_params
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.params import Params
from sim.model.rules import (
    ACTION,
    CLOSE,
    DIRECT,
    DISTANT,
    EARS_OPEN,
    INTRO,
    LEAD,
    REGULAR,
    SYMPATHY,
    UNAWARE,
    fit,
    logistic,
    p_action,
    p_ears_open,
    p_hire,
    p_pass,
    recognition,
    rules_from,
)

unit = st.floats(0.0, 1.0, allow_nan=False)
credit = st.floats(0.0, 1e6, allow_nan=False)
ties = st.sampled_from([CLOSE, REGULAR, DISTANT])
flag = st.sampled_from([0.0, 1.0])
pity = st.floats(0.0, 1e3, allow_nan=False)
SETTINGS = settings(max_examples=300, deadline=None)


def action(r, s=0.5, p=0.5, owed=0.0, rep=0.0, exp=0.0, tie=REGULAR, pity=0.0, banker=0.0):
    return p_action(r, s, p, owed, rep, exp, tie, pity, banker)


@SETTINGS
@given(valid_params(), unit, unit, unit, unit, credit, credit, flag, ties, pity, flag)
def test_p_action_never_falls_as_specificity_positivity_or_credit_rise(
    params, s1, s2, p, s_other, owed, rep, exp, tie, pity_, banker
):
    r = rules_from(params)
    lo, hi = sorted((s1, s2))
    assert action(r, lo, p, owed, rep, exp, tie, pity_, banker) <= action(
        r, hi, p, owed, rep, exp, tie, pity_, banker
    )
    assert action(r, s_other, lo, owed, rep, exp, tie, pity_, banker) <= action(
        r, s_other, hi, owed, rep, exp, tie, pity_, banker
    )
    assert action(r, s_other, p, owed, rep, exp, tie, pity_, banker) <= action(
        r, s_other, p, owed + 1.0, rep, exp, tie, pity_, banker
    )
    assert action(r, s_other, p, owed, rep, exp, tie, pity_, banker) <= action(
        r, s_other, p, owed, rep + 1.0, exp, tie, pity_, banker
    )


@SETTINGS
@given(valid_params(), unit, unit, credit, credit, flag, ties, pity, flag)
def test_probabilities_stay_in_unit_interval(params, s, p, owed, rep, exp, tie, pity_, banker):
    r = rules_from(params)
    values = [
        action(r, s, p, owed, rep, exp, tie, pity_, banker),
        p_ears_open(r, s, p, tie),
        fit(r, s),
        recognition(r, s),
        *(p_pass(r, state, s, bool(banker)) for state in (UNAWARE, SYMPATHY, EARS_OPEN, ACTION)),
        *(p_hire(r, channel, p) for channel in (DIRECT, LEAD, INTRO)),
    ]
    for value in values:
        assert 0.0 <= value <= 1.0 and not math.isnan(value)


@SETTINGS
@given(valid_params(), unit, unit, unit)
def test_fit_never_rises_and_recognition_never_falls_with_specificity(params, s1, s2, p):
    r = rules_from(params)
    lo, hi = sorted((s1, s2))
    assert fit(r, hi) <= fit(r, lo)
    assert recognition(r, lo) <= recognition(r, hi)
    assert p_hire(r, LEAD, p) <= p_hire(r, INTRO, p)


@SETTINGS
@given(valid_params(), unit, unit, unit, ties)
def test_vague_ask_yields_more_ears_open_and_gloomy_more_sympathy(params, a, b, other, tie):
    r = rules_from(params)
    lo, hi = sorted((a, b))
    assert p_ears_open(r, hi, other, tie) <= p_ears_open(r, lo, other, tie)
    assert p_ears_open(r, other, lo, tie) <= p_ears_open(r, other, hi, tie)


@SETTINGS
@given(valid_params(), unit, unit)
def test_passed_opening_hire_rises_with_positivity(params, p1, p2):
    r = rules_from(params)
    lo, hi = sorted((p1, p2))
    for channel in (LEAD, INTRO):
        assert p_hire(r, channel, lo) <= p_hire(r, channel, hi)


@given(st.floats(-1e308, 1e308, allow_nan=False))
def test_logistic_neither_overflows_nor_leaves_unit_interval(x):
    y = logistic(x)
    assert 0.0 <= y <= 1.0


def test_pity_lowers_action_and_the_sympathy_answer_to_close_ties():
    r = rules_from(Params())
    assert action(r, pity=2.0) < action(r, pity=0.0)
    assert p_ears_open(r, 0.5, 0.5, CLOSE) < p_ears_open(r, 0.5, 0.5, DISTANT)


def test_baseline_switch_makes_every_opening_fit_pass_and_hire():
    r = rules_from(Params.from_dict({"baseline": True, "specificity": 0.9, "positivity": 0.1}))
    for s in (0.0, 0.5, 1.0):
        assert fit(r, s) == 1.0
        for state in (UNAWARE, SYMPATHY, EARS_OPEN, ACTION):
            assert p_pass(r, state, s, False) == 1.0
    for channel in (DIRECT, LEAD, INTRO):
        assert p_hire(r, channel, 0.0) == 1.0
