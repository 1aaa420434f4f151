"""The scalar decision rules of the model, shared by both engines.

Every rule is a small ``@njit`` function of plain numbers and a :class:`Rules` named tuple, so
the Mesa reference model calls the very functions the Numba core compiles in. The functional
forms and the reason for each are in ``docs/model.md`` (Submodels).

Monotonicity is built into the forms, not tuned: every weight that multiplies specificity,
positivity or credit is non-negative (``Params`` enforces the ranges), and the logistic is
increasing, so P(ACTION) never falls as those rise.

Examples
--------
>>> from sim.model.params import Params
>>> r = rules_from(Params())
>>> specific_positive = p_action(r, 0.9, 0.9, 0.0, 0.0, 0.0, CLOSE, 0.0, 0.0)
>>> vague_gloomy = p_action(r, 0.1, 0.1, 0.0, 0.0, 0.0, CLOSE, 0.0, 0.0)
>>> 0.0 < vague_gloomy < specific_positive < 1.0
True
>>> fit(r, 1.0) < fit(r, 0.0)
True
"""

from __future__ import annotations

import math
from collections import namedtuple

from numba import njit

# Contact's answer to a seeker (per directed tie). Plain ints so Numba can store them in arrays.
UNAWARE, SYMPATHY, EARS_OPEN, ACTION = 0, 1, 2, 3
STATE_NAMES = ("unaware", "sympathy", "ears_open", "action")

# Tie strength classes, after Granovetter's "often / occasionally / rarely".
CLOSE, REGULAR, DISTANT = 0, 1, 2
TIE_NAMES = ("close", "regular", "distant")

# How an opening reached the person who was hired.
DIRECT, LEAD, INTRO = 0, 1, 2
CHANNEL_NAMES = ("direct", "lead", "intro")

Rules = namedtuple(
    "Rules",
    [
        "action_base",
        "w_specificity",
        "w_positivity",
        "w_owed",
        "w_reputation",
        "w_experience",
        "w_pity",
        "w_banker",
        "motivation_close",
        "motivation_regular",
        "motivation_distant",
        "ears_base",
        "ears_w_specificity",
        "ears_w_positivity",
        "ears_w_close",
        "fit_base",
        "fit_cost",
        "pass_base",
        "banker_pass",
        "recognise_vague",
        "recognise_specific",
        "hire_intro",
        "hire_lead",
        "hire_direct",
        "gloom_penalty",
    ],
)

# With the levers off every opening fits, every contact passes, and every pass or direct
# application is a hire: exactly Calvo-Armengol & Jackson (2004).
_BASELINE = {
    "fit_base": 1.0,
    "fit_cost": 0.0,
    "pass_base": 1.0,
    "banker_pass": 1.0,
    "recognise_vague": 1.0,
    "recognise_specific": 1.0,
    "hire_intro": 1.0,
    "hire_lead": 1.0,
    "hire_direct": 1.0,
    "gloom_penalty": 0.0,
}


def rules_from(params) -> Rules:
    """Pack the rule coefficients of validated ``Params`` into the tuple the rules take."""
    values = {name: float(getattr(params, name)) for name in Rules._fields}
    if params.baseline:
        values.update(_BASELINE)
    return Rules(**values)


@njit(cache=True)
def logistic(x):
    """1 / (1 + exp(-x)), written so that neither branch overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@njit(cache=True)
def _log1p(x):
    """log(1 + x) with the common x = 0 (no credit) skipping the call: the core's hot path."""
    return math.log1p(x) if x > 0.0 else 0.0


@njit(cache=True)
def motivation(r, tie):
    if tie == CLOSE:
        return r.motivation_close
    if tie == REGULAR:
        return r.motivation_regular
    return r.motivation_distant


@njit(cache=True)
def p_action(r, s, p, owed, reputation, experienced, tie, pity, banker):
    """P(a contact answers an ask with ACTION: a lead, an introduction, a referral).

    ``owed``: favours the contact owes the seeker; ``reputation``: the seeker's public help
    score; ``experienced`` and ``banker``: 0 or 1; ``pity``: pity heard about the seeker.
    """
    x = (
        r.action_base
        + r.w_specificity * s
        + r.w_positivity * p
        + r.w_owed * _log1p(owed)
        + r.w_reputation * _log1p(reputation)
        + r.w_experience * experienced
        + r.w_banker * banker
        + motivation(r, tie)
        - r.w_pity * pity
    )
    return logistic(x)


@njit(cache=True)
def p_ears_open(r, s, p, tie):
    """P(EARS_OPEN | not ACTION): vaguer asks get more "I'll keep my ears open", gloomier ones
    and close ties more sympathy."""
    close = 1.0 if tie == CLOSE else 0.0
    x = r.ears_base - r.ears_w_specificity * s + r.ears_w_positivity * p - r.ears_w_close * close
    return logistic(x)


@njit(cache=True)
def fit(r, s):
    """P(an opening suits the seeker's target): the cost of being specific."""
    return r.fit_base * (1.0 - r.fit_cost * s)


@njit(cache=True)
def recognition(r, s):
    """P(an EARS_OPEN contact recognises that an opening fits): rises with specificity."""
    return r.recognise_vague + (r.recognise_specific - r.recognise_vague) * s


@njit(cache=True)
def p_pass(r, state, s, banker):
    """P(an employed contact in ``state`` would pass a given opening to this seeker).

    Includes whether the opening fits the seeker's target at all.
    """
    f = fit(r, s)
    if state == ACTION:
        return f
    if state == EARS_OPEN:
        return f * recognition(r, s)
    return f * (r.banker_pass if banker else r.pass_base)


@njit(cache=True)
def p_hire(r, channel, p):
    """P(an opening becomes a job offer), by channel; passed openings rise with positivity."""
    if channel == DIRECT:
        return r.hire_direct
    gloom = 1.0 - r.gloom_penalty * (1.0 - p)
    if channel == INTRO:
        return r.hire_intro * gloom
    return r.hire_lead * gloom
