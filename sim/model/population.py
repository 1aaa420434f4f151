"""Who asks how: each person's strategy in a market, drawn from the population mix.

A market's people need not all ask the same way. ``Params.mix`` names the groups, each a
strategy preset of ``sim.model.params.PRESETS`` (or ``own``: the run's own ``specificity`` and
``positivity``) with its share of the people; with no mix everyone is in one group, ``own``.

- **Group sizes are exact**: a group holds ``share * n`` people, rounded by largest remainder
  (Hamilton's method; ties to the group named first), so a design's shares are the shares run,
  not draws around them. Who is in which group is a uniform random permutation.
- **Spread within a group**: with ``specificity_spread`` s > 0 a person's specificity is drawn
  from the Beta distribution with the group's value m as its mean and standard deviation
  s * sqrt(m (1 - m)), the largest a Beta with mean m can have times s (method of moments:
  alpha = m nu, beta = (1 - m) nu with nu = 1 / s**2 - 1; Johnson, Kotz & Balakrishnan 1995,
  *Continuous Univariate Distributions* vol. 2, ch. 25). The same for ``positivity_spread``.
  A group value of 0 or 1 has no spread.
- **Asks per week** are the run's ``asks_per_week`` in every group (no preset sets them).
- **A node keeps its strategy**: an entrant who takes a leaver's node (market demography) asks
  as the leaver did, so the mix stays what the design says through turnover.

The draw uses its own stream of the replicate's seed (``sim.model.runs.streams``), apart from
the graph's and the dynamics': two arms of an experiment with the same seed run the same
dynamics draws, and a population with one group and no spread draws nothing at all.

Examples
--------
>>> from sim.model.params import Params
>>> p = Params.from_dict({"scenario": "market", "mix": "specific-positive: 0.25, own: 0.75"})
>>> [(g.name, g.share, g.specificity) for g in groups(p)]
[('specific-positive', 0.25, 0.9), ('own', 0.75, 0.5)]
>>> pop = draw(p, 10, np.random.default_rng(1))
>>> np.bincount(pop.group).tolist(), sizes([0.25, 0.75], 10).tolist()
([3, 7], [3, 7])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model.params import PRESETS, Params, mix_groups

OWN = "own"


@dataclass(frozen=True)
class Group:
    """One strategy group: its name, share of the people, and the values its members ask with
    (the means, when the spreads are not zero)."""

    name: str
    share: float
    specificity: float
    positivity: float
    asks_per_week: int


@dataclass(frozen=True)
class Population:
    """Each person's strategy: arrays of shape (n,), indexed by node.

    group : int64, index into ``names`` (the groups in the order the mix names them)
    specificity, positivity : float64 in [0, 1]
    asks_per_week : int64
    priority : float64 in [0, 1), the order in which a programme treats people
        (``sim.model.interventions``); zeros when the run has no programme
    """

    names: tuple[str, ...]
    group: np.ndarray
    specificity: np.ndarray
    positivity: np.ndarray
    asks_per_week: np.ndarray
    priority: np.ndarray

    @property
    def n_people(self) -> int:
        return len(self.group)


def groups(params: Params) -> tuple[Group, ...]:
    """The groups of ``params.mix`` (one ``own`` group with share 1 when it is empty)."""
    out = []
    for name, share in mix_groups(params.mix) or ((OWN, 1.0),):
        values = params.as_dict() if name == OWN else {**params.as_dict(), **PRESETS[name]}
        out.append(
            Group(name, share, values["specificity"], values["positivity"], params.asks_per_week)
        )
    return tuple(out)


def is_uniform(params: Params) -> bool:
    """Whether everyone asks alike (one group, no spread): the population then draws nothing."""
    return (
        len(groups(params)) == 1
        and not params.specificity_spread > 0.0
        and not (params.positivity_spread > 0.0)
    )


def sizes(shares: list[float] | tuple[float, ...], n: int) -> np.ndarray:
    """(G,) int64 group sizes summing to ``n``: floor(share * n), the people left over going one
    each to the largest remainders (the group named first on a tie). Shares sum to 1."""
    quotas = np.asarray(shares, dtype=float) * n
    counts = np.floor(quotas).astype(np.int64)
    left = n - int(counts.sum())
    order = np.argsort(-(quotas - counts), kind="stable")  # largest remainder first
    counts[order[:left]] += 1
    return counts


def draws(params: Params) -> bool:
    """Whether the population draws anything: a mix, a spread, or a programme's order."""
    return not is_uniform(params) or params.intervention != "none"


def draw(params: Params, n: int, rng: np.random.Generator) -> Population:
    """Each of ``n`` people's group, strategy values and priority (module docstring), drawn in
    that order; ``rng`` is not used unless :func:`draws`."""
    mix = groups(params)
    if is_uniform(params):
        group = np.zeros(n, dtype=np.int64)
    else:
        labels = np.repeat(np.arange(len(mix)), sizes([g.share for g in mix], n))
        group = labels[rng.permutation(n)]
    specificity = np.array([g.specificity for g in mix])[group]
    positivity = np.array([g.positivity for g in mix])[group]
    specificity = _spread(specificity, params.specificity_spread, rng)
    positivity = _spread(positivity, params.positivity_spread, rng)
    return Population(
        names=tuple(g.name for g in mix),
        group=group,
        specificity=specificity,
        positivity=positivity,
        asks_per_week=np.array([g.asks_per_week for g in mix], dtype=np.int64)[group],
        priority=rng.random(n) if params.intervention != "none" else np.zeros(n),
    )


def _spread(mean: np.ndarray, spread: float, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given means and standard deviations ``spread * sqrt(m (1 - m))``;
    the means themselves when ``spread`` is 0 (no draw), and at means of 0 or 1."""
    if not spread > 0.0:
        return mean.astype(float)
    nu = 1.0 / spread**2 - 1.0
    inside = (mean > 0.0) & (mean < 1.0)
    out = mean.astype(float)
    # one draw per person, inside or not, so a person's value does not depend on the others'
    a = np.where(inside, mean * nu, 1.0)
    b = np.where(inside, (1.0 - mean) * nu, 1.0)
    values = rng.beta(a, b)
    out[inside] = values[inside]
    return out


def largest_sd(mean: float) -> float:
    """The largest standard deviation of a distribution on [0, 1] with this mean (a Bernoulli's:
    sqrt(m (1 - m))); a Beta's is below it."""
    return math.sqrt(mean * (1.0 - mean))
