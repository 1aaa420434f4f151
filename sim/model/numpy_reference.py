"""The levers-off market in plain, batched NumPy: the benchmark's "what a user would write".

A benchmark reference, not an engine: :func:`simulate_baseline_numpy` runs the same model as
the Numba core (``sim.model.kernel._replicate`` with ``setup.baseline`` True, the schedule of
``docs/model.md``, section 3, and 7.3-7.5 and 7.8) the way a competent user would write it by
hand in NumPy, so that ``sim.studies.bench`` can say what the compiled core buys over it. It records
only the unemployed head count; nothing else in the project calls it.

Every replicate runs at once. Person state is a flat boolean array of ``R * n`` entries (row
``r`` of the ``(R, n)`` view is replicate ``r``); the only Python loop is over weeks, plus the
rare top-up round of :func:`_successes`. One ``numpy.random.Generator`` drives the batch, so
its draws differ from the core's per-replicate streams; the distribution is the same.

One week, as in the kernel (asks, gossip and demography are off in the baseline):

1. Snapshot: who is unemployed at the start of the week.
2. Openings: each person hears of one with probability ``arrival_rate``. An unemployed hearer
   gets a direct offer with probability ``fit * p_hire(DIRECT)``. An employed hearer considers
   each neighbour unemployed at the start of the week, each eligible independently with
   ``p_pass(UNAWARE, banker)`` (nobody has asked, so every view is UNAWARE), and passes the
   opening to one eligible neighbour chosen uniformly, an offer with probability
   ``p_hire(LEAD)``; with no one eligible the opening is lost.
3. Hires: everyone with at least one offer is hired, once.
4. Separations: each employed person, the newly hired included, leaves with probability
   ``separation_rate``.

The probabilities come from ``sim.model.rules`` with ``rules_from(params)``, as the kernel's do; in
the baseline they are all 1, and draws with probability 1 are skipped.

Examples
--------
>>> from sim.model.params import Params
>>> from sim.model.runs import replicate_csr
>>> params = Params.from_dict({"scenario": "market", "baseline": True, "burn_in": 0,
...     "graph": "barabasi-albert", "n_nodes": 50, "weeks": 4})
>>> path = simulate_baseline_numpy(params, replicate_csr(params, 1, 0, True), 3, seed=1)
>>> path.shape, path.dtype.name
((3, 5), 'int64')
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.csr import CSRGraph
from sim.model.params import Params
from sim.model.rules import DIRECT, LEAD, UNAWARE, fit, p_hire, p_pass, rules_from


def simulate_baseline_numpy(
    params: Params,
    csr: CSRGraph,
    replicates: int,
    seed: int | np.random.SeedSequence,
    *,
    hires: np.ndarray | None = None,
) -> np.ndarray:
    """Unemployed head counts of ``replicates`` runs of the market baseline on one graph.

    Parameters
    ----------
    params : Params
        A market with ``baseline=True`` (anything else raises ``ValueError``). Uses
        ``weeks``, ``arrival_rate``, ``separation_rate``, ``initial_unemployed``,
        ``help_banker_share`` and the rules of ``sim.model.rules``; ``burn_in`` does not change the
        path.
    csr : CSRGraph
        The graph every replicate runs on (``indptr`` and ``indices`` are read).
    replicates : int
        R >= 1.
    seed : int or SeedSequence
        Seeds the one ``numpy.random.Generator`` of the whole batch.
    hires : ndarray, optional
        An int64 array of shape (R, weeks + 1, 2) to fill with each week's hires by channel:
        ``[..., 0]`` direct, ``[..., 1]`` lead (``Runs.column("hires_direct")`` and
        ``"hires_lead"``); row 0 is zero. A person with several offers in a week counts
        under the channel of one chosen uniformly, as in the kernel.

    Returns
    -------
    ndarray of int64, shape (R, weeks + 1)
        The unemployed at the end of each week; column 0 is the start.
    """
    if params.scenario != "market" or not params.baseline:
        raise ValueError(
            "the NumPy reference runs the market baseline only; got "
            f"scenario={params.scenario!r}, baseline={params.baseline}"
        )
    if replicates < 1:
        raise ValueError(f"replicates={replicates}; allowed: a whole number >= 1")
    weeks = params.weeks
    if hires is not None and hires.shape != (replicates, weeks + 1, 2):
        raise ValueError(f"hires has shape {hires.shape}; expected {(replicates, weeks + 1, 2)}")

    rules = rules_from(params)
    s, p = params.specificity, params.positivity
    p_direct = fit(rules, s) * p_hire(rules, DIRECT, p)
    p_eligible = np.array([p_pass(rules, UNAWARE, s, False), p_pass(rules, UNAWARE, s, True)])
    p_lead = p_hire(rules, LEAD, p)

    indptr = np.asarray(csr.indptr, dtype=np.int64)
    indices = np.asarray(csr.indices, dtype=np.int64)
    n = len(indptr) - 1
    size = replicates * n
    rng = np.random.default_rng(seed)
    # Which of a person's offers is kept only decides the channel it is counted under: drawn
    # from a child stream, so that asking for ``hires`` leaves the path as it is.
    chooser = rng.spawn(1)[0]
    employed = rng.random(size) >= params.initial_unemployed
    banker = rng.random(size) < params.help_banker_share
    out = np.empty((replicates, weeks + 1), dtype=np.int64)
    out[:, 0] = n - np.count_nonzero(employed.reshape(replicates, n), axis=1)
    if hires is not None:
        hires[:, 0] = 0

    for week in range(1, weeks + 1):
        idle = ~employed  # start-of-week status decides who applies and who is eligible
        hearers = _successes(rng, size, params.arrival_rate)
        applies = idle[hearers]
        direct = _thin(rng, hearers[applies], p_direct)

        # Employed hearers: lay their CSR rows end to end, one slot per (hearer, neighbour).
        passers = hearers[~applies]
        person = passers % n
        degree = indptr[person + 1] - indptr[person]
        first_slot = np.cumsum(degree) - degree
        owner = np.repeat(np.arange(len(passers)), degree)
        edge = np.arange(len(owner)) + (indptr[person] - first_slot)[owner]
        target = indices[edge] + (passers - person)[owner]  # flat index of the neighbour
        open_slot = np.flatnonzero(idle[target])
        owner = owner[open_slot]
        if np.any(p_eligible < 1.0):
            keep = rng.random(len(owner)) < p_eligible[banker[passers[owner]].astype(np.int64)]
            open_slot, owner = open_slot[keep], owner[keep]
        # One eligible neighbour per passer, uniformly: eligible slots are grouped by passer
        # in order, so the k-th of a passer's m is at its group's start + k.
        eligible = np.bincount(owner, minlength=len(passers))
        has = np.flatnonzero(eligible)
        group_start = np.cumsum(eligible) - eligible
        pick = group_start[has] + rng.integers(eligible[has])
        lead = _thin(rng, target[open_slot[pick]], p_lead)

        if hires is None:
            employed[direct] = True  # several offers to one person: still one hire
            employed[lead] = True
        else:
            offers = np.concatenate([direct, lead])
            channel = np.repeat([0, 1], [len(direct), len(lead)])
            # Each person keeps the first of their offers in a shuffle: one chosen uniformly.
            order = chooser.permutation(len(offers))
            hired, first = np.unique(offers[order], return_index=True)
            employed[hired] = True
            kept = order[first]
            counts = np.bincount(offers[kept] // n * 2 + channel[kept], minlength=2 * replicates)
            hires[:, week] = counts.reshape(replicates, 2)

        # A hit on someone unemployed changes nothing: each employed person leaves w.p. b.
        employed[_successes(rng, size, params.separation_rate)] = False
        out[:, week] = n - np.count_nonzero(employed.reshape(replicates, n), axis=1)
    return out


def _thin(rng: np.random.Generator, items: np.ndarray, p: float) -> np.ndarray:
    """Keep each item independently with probability p (no draws when p is 0 or 1)."""
    if p >= 1.0:
        return items
    if p <= 0.0:
        return items[:0]
    return items[rng.random(len(items)) < p]


def _successes(rng: np.random.Generator, trials: int, p: float) -> np.ndarray:
    """Ascending positions of the successes among ``trials`` iid Bernoulli(p) trials.

    Drawn as geometric gaps between successes, one draw per success instead of one per trial
    (the kernel's trick, vectorised); the same iid trials.
    """
    if p <= 0.0 or trials == 0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(trials, dtype=np.int64)
    mean = trials * p
    batch = int(mean + 6.0 * math.sqrt(mean) + 16)  # almost always enough in one round
    at = np.cumsum(rng.geometric(p, batch)) - 1
    while at[-1] < trials:
        more = at[-1] + np.cumsum(rng.geometric(p, batch))
        at = np.concatenate([at, more])
    return at[: np.searchsorted(at, trials)]
