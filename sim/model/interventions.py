"""Programmes for some of a market's unemployed: who is treated, and what treatment does.

A programme (``Params.intervention``) starts in week ``treat_start`` (0: the first week after
the burn-in) and runs ``treat_weeks`` weeks (0: to the end of the run). Its **eligible** are
the people unemployed at the start of its first week, as in the job-search assistance
experiment of Crepon, Duflo, Gurgand, Rathelot & Zamora (2013, QJE 128): a share
``treated_share`` of them, rounded to the nearest person (half up), is **treated**; the rest are
the eligible controls. ``treat_whom`` orders the eligible: ``random`` (a uniform random order),
``long-term`` (the longest spells first) or ``highest-degree`` (the most ties first); ties in
spell or degree are broken in the random order. The random order is each person's
``priority`` in the population (``sim.model.population``), drawn from the population's own
stream: arms of a saturation design with the same seed treat nested sets of people (the
treated at 25% are among those at 50%), and nothing the programme decides draws from the
dynamics' stream.

The kinds (docs/model.md, 7.13):

- ``coaching``: while the programme runs, a treated person asks with specificity and
  positivity raised by ``coaching_specificity`` and ``coaching_positivity`` (kept in [0, 1]);
  afterwards with their own again. The assumption: coaching changes how people ask, not whom
  they know; the amounts are not estimated from data (sweep them).
- ``job-club``: while the programme runs, treated people who are unemployed at a week's start
  meet; one who hears of an opening that does not fit them passes it to another member chosen
  uniformly, who gets it as a lead if it fits them (fit, then P(hire) of a lead); members know
  each other's targets, so recognition is certain. Without a programme unemployed people never
  pass openings. The helper is credited as a relay is (reputation, no ledger entry: no tie).
- ``referral-bonus``: while the programme runs, the employed contacts of treated seekers act
  more often: ``bonus_logit`` is added to the logit of their P(ACTION) (a firm's referral
  bonus, paid when a referral of the seeker is hired, gives them a reason to act).

Outcomes by arm (``Runs.by_arm``; ``sim.analysis.interventions``) are counted from the
programme's first week to the end of the run, for the people in each arm when it started: a
node whose occupant leaves the labour force leaves its arm (the entrant is in arm ``OTHER``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Arms of a programme, per node: not eligible (employed at its start, or an entrant since),
# an eligible control, treated.
OTHER, CONTROL, TREATED = 0, 1, 2
ARM_NAMES = ("other", "control", "treated")
KINDS = {"none": 0, "coaching": 1, "job-club": 2, "referral-bonus": 3}
NONE, COACHING, JOB_CLUB, REFERRAL_BONUS = range(4)
WHOM = {"random": 0, "long-term": 1, "highest-degree": 2}


@njit(cache=True)
def treated_count(share: float, eligible: int) -> int:
    """share x eligible, rounded to the nearest whole person, half up."""
    return min(eligible, int(math.floor(share * eligible + 0.5)))


@njit(cache=True)
def choose_treated(eligible, spell, degree, priority, whom, share):
    """The treated among ``eligible`` (node numbers, int64), in the order ``whom`` sets:
    0 random (``priority`` ascending), 1 long-term (``spell`` descending), 2 highest-degree
    (``degree`` descending), ties broken by ``priority`` (in [0, 1)). Returns int64 nodes."""
    m = len(eligible)
    key = np.empty(m)
    for i in range(m):
        u = eligible[i]
        if whom == 1:
            key[i] = -spell[u] + priority[u]  # priority < 1: only breaks ties in spell
        elif whom == 2:
            key[i] = -degree[u] + priority[u]
        else:
            key[i] = priority[u]
    order = np.argsort(key)
    chosen = np.empty(treated_count(share, m), dtype=np.int64)
    for i in range(len(chosen)):
        chosen[i] = eligible[order[i]]
    return chosen


@njit(cache=True)
def shifted(p: float, logit: float) -> float:
    """A probability with ``logit`` added to its log-odds (p itself when ``logit`` is 0)."""
    if logit == 0.0 or p <= 0.0 or p >= 1.0:
        return p
    odds = p / (1.0 - p) * math.exp(logit)
    return odds / (1.0 + odds)


@njit(cache=True)
def clipped(value: float, shift: float) -> float:
    """A strategy value raised by ``shift``, kept in [0, 1]."""
    return min(1.0, max(0.0, value + shift))
