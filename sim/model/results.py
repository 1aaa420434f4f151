"""The result shape both engines fill: ``Runs``, its per-week columns and per-person traits.

Kept apart from the engines so that each engine (``sim.model.kernel``, ``sim.model.mesa_model``)
and ``sim.model.runs``, which chooses between them, import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model.params import Params
from sim.model.population import groups
from sim.model.rules import CHANNEL_NAMES, STATE_NAMES

# Per-week columns of ``Runs.weekly``: events counted during the week, then the head counts.
EVENTS = (
    "asks",
    "sympathy",  # answers in the order of their codes in sim.model.rules
    "ears_open",
    "action",
    "gossip_pity",
    "gossip_ask",
    "openings",
    "lost_openings",
    "passes",
    "hires_direct",
    "hires_lead",
    "hires_intro",
    "hires_via_close",
    "hires_via_regular",
    "hires_via_distant",
    "hires_via_relay",
    "separations",
    "exits",  # market: people who left the labour force (each replaced by an entrant)
)
COLUMNS = EVENTS + ("employed", "unemployed")
COLUMN = {name: i for i, name in enumerate(COLUMNS)}
# Bins of completed weeks of a spell for the exit hazard: 1-4, 5-8, 9-13, 14-26, 27-52, 53+.
SPELL_BINS = ((1, 4), (5, 8), (9, 13), (14, 26), (27, 52), (53, None))
# Columns of ``Runs.by_group``: a strategy group's people, and its window counts.
GROUP_COUNTS = ("people", "unemployed_weeks", "at_risk", "exits", "exits_via_contacts")
G_PEOPLE, G_UNEMPLOYED, G_AT_RISK, G_EXITS, G_VIA = range(len(GROUP_COUNTS))
# Columns of ``Runs.by_arm``: a programme's arm (sim.model.interventions.ARM_NAMES) at its
# start, and its counts from then on.
ARM_COUNTS = ("people", "weeks", "unemployed_weeks", "at_risk", "exits", "exits_via_contacts")
A_PEOPLE, A_WEEKS, A_UNEMPLOYED, A_AT_RISK, A_EXITS, A_VIA = range(len(ARM_COUNTS))
# Bits of ``Runs.traits``: what each person was at week 0.
# REPLACED: the node's first occupant left the labour force during the run (market demography).
BANKER, EXPERIENCED, REPLACED = 1, 2, 4


@dataclass
class Runs:
    """Outcomes of R replicates; the same arrays whichever engine made them.

    weekly : (R, weeks + 1, len(COLUMNS)) int64
        Row 0 is the start; row t holds week t's events and the head counts at its end. Rows after
        a single seeker's hire repeat the last head counts with no events.
    mean_reputation : (R, weeks + 1) float64
    weeks_to_offer : (R,) int64, the week of the single seeker's offer, 0 if none by the horizon.
    hired_channel : (R,) int64, index into ``rules.CHANNEL_NAMES``, -1 if not hired.
    unemployed_weeks : (R, n) int64, weeks each person ended unemployed (n of replicate 0's graph).
    answer_state, answer_week : (R, n) int64, each contact's answer to the single seeker and the
        week it was given; -1 where the contact was never asked.
    traits : (R, n) int8, each person at week 0: ``BANKER`` bit if a help-banker,
        ``EXPERIENCED`` bit if ever unemployed before (the job-search fraternity); and the
        ``REPLACED`` bit if that person left during the run (an entrant took the node).

    The rest is measured over the window, the weeks after ``params.burn_in`` (all weeks for a
    single seeker); ``sim.analysis.market`` turns it into the outcomes a labour economist reads:

    unemployed_weeks : (R, n) int64, window weeks each node ended unemployed (a node's
        successive occupants, in a market with demography, add up).
    hazard : (R, 2, len(SPELL_BINS)) int64, per bin of completed spell weeks at the start of a
        window week: [0] unemployed at risk, [1] of them hired that week.
    spells : (R, 2, weeks + 2) int64, spells begun in the window by length d in weeks:
        [0] completed (hired after d weeks), [1] censored (still unemployed, or gone, after
        surviving d weeks: at the window's end or on leaving the labour force).
    elapsed : (R, weeks + 2) int64, the unemployed at each window week's end by elapsed weeks
        of their spell (the CPS's duration of the stock), pooled over the window.
    unemployed_hist : (R, weeks + 2) int64, how many nodes ended k window weeks unemployed
        (k = 0, 1, ...): the distribution of ``unemployed_weeks``, kept even when the per-person
        outputs are not (``per_person=False``; their arrays then have n = 0).
    correlation : (R, 5) float64, employment across the ends of ties (both directions):
        [0] sum over window weeks of that week's correlation, [1] weeks where it is defined,
        [2] sum over window weeks of the share of ties employed at both ends, [3] the mean over
        ties of the product of the ends' window employment rates, [4] of their standard
        deviations (sqrt(e (1 - e)) of each end's rate).
    by_group : (R, G, len(GROUP_COUNTS)) int64, per strategy group of the population mix
        (``sim.model.population.groups(params)``, in that order; G = 1 without a mix): its
        people, then over the window the person-weeks its members ended unemployed, were at
        risk (unemployed at a week's start), left unemployment for a job, and did so through
        a contact (a lead or an introduction, relays included). A node's entrant stays in the
        node's group.
    by_arm : (R, 3, len(ARM_COUNTS)) int64, per arm of a programme (other, control,
        treated: ``sim.model.interventions``), counted from its first week to the end of the
        run: its people when it started, then the person-weeks its members were in the labour
        force, ended a week unemployed, were at risk, left unemployment for a job, and did so
        through a contact (relays and a fellow club member's passes included). A member who
        leaves the labour force leaves the arm: their last week counts in the arm's
        person-weeks, the entrant's status at its end in ``other`` (arm shares low by about
        ``exit_rate``). Zeros without a programme.
    """

    engine: str
    params: Params
    weekly: np.ndarray
    mean_reputation: np.ndarray
    weeks_to_offer: np.ndarray
    hired_channel: np.ndarray
    unemployed_weeks: np.ndarray
    answer_state: np.ndarray
    answer_week: np.ndarray
    weeks_run: np.ndarray
    traits: np.ndarray
    hazard: np.ndarray
    spells: np.ndarray
    elapsed: np.ndarray
    correlation: np.ndarray
    unemployed_hist: np.ndarray
    by_group: np.ndarray
    by_arm: np.ndarray
    columns: tuple[str, ...] = COLUMNS

    @property
    def n_people(self) -> int:
        """People in each replicate's market (the head counts at week 0)."""
        if len(self.weekly) == 0:  # no replicates: the per-person arrays say, if kept
            return int(self.unemployed_weeks.shape[1])
        return int(self.weekly[0, 0, COLUMN["employed"]] + self.weekly[0, 0, COLUMN["unemployed"]])

    @property
    def per_person(self) -> bool:
        """Whether the (R, n) per-person outputs were kept."""
        return self.unemployed_weeks.shape[1] > 0 or self.n_people == 0

    def column(self, name: str) -> np.ndarray:
        """(R, weeks + 1) series of one column."""
        return self.weekly[:, :, COLUMN[name]]

    def totals(self, name: str) -> np.ndarray:
        """(R,) sum of an event column over the run."""
        return self.column(name)[:, 1:].sum(axis=1)

    def window_weeks(self) -> np.ndarray:
        """(R,) weeks measured: those run after the burn-in."""
        return np.maximum(self.weeks_run - self.params.burn_in, 0)

    def unemployment_by_node(self) -> np.ndarray:
        """(R, n) share of the window's weeks that each node ended unemployed.

        Raises ValueError when the per-person outputs were not kept."""
        if not self.per_person:
            raise ValueError("per-person outputs were not kept (per_person=False)")
        return self.unemployed_weeks / np.maximum(self.window_weeks(), 1)[:, None]

    def group_names(self) -> tuple[str, ...]:
        """The strategy groups of ``by_group``, in its order."""
        return tuple(group.name for group in groups(self.params))

    def answer_names(self) -> list[list[str]]:
        return [[STATE_NAMES[s] if s >= 0 else "" for s in row] for row in self.answer_state]

    def is_banker(self) -> np.ndarray:
        """(R, n) bool: help-bankers at week 0."""
        return (self.traits & BANKER) != 0

    def was_replaced(self) -> np.ndarray:
        """(R, n) bool: the node's week-0 occupant left the labour force during the run, so the
        node's outcomes mix people (and its week-0 traits describe only the first)."""
        return (self.traits & REPLACED) != 0

    def was_experienced(self) -> np.ndarray:
        """(R, n) bool: ever unemployed before week 0 (the seeker of a single run included)."""
        return (self.traits & EXPERIENCED) != 0

    def channel_names(self) -> list[str]:
        return [CHANNEL_NAMES[c] if c >= 0 else "" for c in self.hired_channel]

    def table_outcomes(self) -> dict[str, Any]:
        """The single seeker's outcomes as a results table stores them (``runs.parquet``):
        pyarrow arrays of shape (R,).

        ``weeks_to_offer``: int64, the week of the offer, null where there was none by the
        horizon (pandas reads it as NaN, in float64 when any run had no offer);
        ``hired_channel``: text, one of ``rules.CHANNEL_NAMES`` (direct, lead, intro), null
        where nobody was hired.
        """
        import pyarrow as pa

        weeks, codes = self.weeks_to_offer, self.hired_channel
        channels = pa.array(CHANNEL_NAMES, pa.string()).take(pa.array(codes, mask=codes < 0))
        return {
            "weeks_to_offer": pa.array(weeks, pa.int64(), mask=weeks == 0),
            "hired_channel": channels,
        }


def empty(params: Params, engine: str, replicates: int, n: int, per_person: bool = True) -> Runs:
    """A zeroed :class:`Runs` for ``replicates`` runs of ``n`` people that an engine fills in
    (per-person arrays are empty when ``per_person`` is False)."""
    weeks = params.weeks
    people = n if per_person else 0
    return Runs(
        engine=engine,
        params=params,
        weekly=np.zeros((replicates, weeks + 1, len(COLUMNS)), dtype=np.int64),
        mean_reputation=np.zeros((replicates, weeks + 1)),
        weeks_to_offer=np.zeros(replicates, dtype=np.int64),
        hired_channel=np.full(replicates, -1, dtype=np.int64),
        unemployed_weeks=np.zeros((replicates, people), dtype=np.int64),
        answer_state=np.full((replicates, people), -1, dtype=np.int64),
        answer_week=np.full((replicates, people), -1, dtype=np.int64),
        weeks_run=np.zeros(replicates, dtype=np.int64),
        traits=np.zeros((replicates, people), dtype=np.int8),
        hazard=np.zeros((replicates, 2, len(SPELL_BINS)), dtype=np.int64),
        spells=np.zeros((replicates, 2, weeks + 2), dtype=np.int64),
        elapsed=np.zeros((replicates, weeks + 2), dtype=np.int64),
        correlation=np.zeros((replicates, 5)),
        unemployed_hist=np.zeros((replicates, weeks + 2), dtype=np.int64),
        by_group=np.zeros((replicates, len(groups(params)), len(GROUP_COUNTS)), dtype=np.int64),
        by_arm=np.zeros((replicates, 3, len(ARM_COUNTS)), dtype=np.int64),
    )


def spell_bin_of(weeks: int) -> np.ndarray:
    """(weeks + 2,) int64: the ``SPELL_BINS`` index of a spell of d completed weeks (every
    spell has d >= 1 at the start of a week; d = 0 falls in the first bin)."""
    d = np.arange(weeks + 2)
    upper = np.array([high for _, high in SPELL_BINS[:-1]])
    return np.searchsorted(upper, d, side="left").astype(np.int64)
