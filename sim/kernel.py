"""The Numba core: the model of ``sim.model``, compiled, over many replicates in parallel.

The public wrapper :func:`simulate_graphs` validates nothing new (``Params`` already did),
converts each graph to int64 CSR arrays, gives every replicate its own ``numpy.random.Generator``
and allocates the outputs; the private ``@njit`` loops only read and write arrays. They call the
very rule functions of ``sim.rules`` that the Mesa agents call.

All per-pair state lives on directed edges, indexed by CSR position ``e`` of ``u -> v``:
``state[e]``/``pity[e]`` (u's answer to v's ask and the pity u heard about v), ``asked[e]``
(u asked v this spell), ``relay[e]`` (the seeker whose ask neighbour v told u about) and
``owes[e]`` (favours u owes v). ``rev[e]`` is the position of ``v -> u``. Per person: status,
spell (completed weeks) and the week it began, reputation, traits. What the window after the
burn-in measures (hazard, spells, elapsed, correlation: ``sim.runs.Runs``) is counted as the
week runs; the correlation across ties keeps two running counts, updated whenever anyone's
status changes, instead of a pass over every tie each week.

Agents act in node order rather than Mesa's shuffled order: within each phase no agent's action
depends on another's in the same phase (hires are settled after all openings, eligibility uses
start-of-week status, and when several tellings in one week reach the same listener -> teller
tie, one is kept uniformly at random), so the order changes which random numbers are used, not
the distribution.

Numba's ``cache=True`` re-compiles when this file changes, not when ``sim/rules.py`` does, so a
cached kernel could keep old rules while the Mesa engine uses new ones: at import, the kernel's
cache files are dropped whenever the rules' source differs from the one they were built with.
"""

from __future__ import annotations

import hashlib
import math
from collections import namedtuple
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numba
import numpy as np
from numba import njit, prange
from numba.typed import List

from sim.graphs import SEEKER, CSRGraph
from sim.params import Params
from sim.rules import (
    ACTION,
    DIRECT,
    EARS_OPEN,
    INTRO,
    LEAD,
    SYMPATHY,
    UNAWARE,
    fit,
    p_action,
    p_ears_open,
    p_hire,
    p_pass,
    rules_from,
)
from sim.runs import BANKER, COLUMN, EXPERIENCED, REPLACED, Runs, empty, spell_bin_of


def _drop_stale_cache() -> None:
    here = Path(__file__).resolve().parent
    cache = Path(numba.config.CACHE_DIR) if numba.config.CACHE_DIR else here / "__pycache__"
    stamp = hashlib.sha256((here / "rules.py").read_bytes()).hexdigest()
    marker = cache / "kernel.rules.sha256"
    try:
        if marker.is_file() and marker.read_text() == stamp:
            return
        for stale in cache.rglob("kernel.*.nb[ic]"):
            stale.unlink()
        cache.mkdir(parents=True, exist_ok=True)
        marker.write_text(stamp)
    except OSError:  # a read-only install: Numba then compiles in memory anyway
        pass


_drop_stale_cache()

Setup = namedtuple(
    "Setup",
    [
        "single",
        "baseline",
        "weeks",
        "asks_per_week",
        "targeting",
        "specificity",
        "positivity",
        "arrival",
        "separation",
        "gossip",
        "decay",
        "initial_unemployed",
        "experienced_share",
        "banker_share",
        "banked_favours",
        "burn_in",
        "exit_rate",
        "entrant_unemployed",
        "relay",
    ],
)
TARGETING_CODE = {"close": 0, "distant": 1, "random": 2}
NEVER = np.int64(2**62)  # a gap longer than any run
WINS, CHANNEL, HELPER, EDGE = 0, 1, 2, 3  # columns of the per-person offer table

# Column positions, frozen into the compiled code.
ASKS, ANSWERED = COLUMN["asks"], COLUMN["sympathy"] - SYMPATHY  # answer columns: ANSWERED + state
GOSSIP_PITY, GOSSIP_ASK = COLUMN["gossip_pity"], COLUMN["gossip_ask"]
OPENINGS, LOST, PASSES = COLUMN["openings"], COLUMN["lost_openings"], COLUMN["passes"]
HIRES = COLUMN["hires_direct"]  # hires by channel: HIRES + channel
VIA = COLUMN["hires_via_close"]  # hires by the helper's tie: VIA + tie, VIA + 3 for a relay
SEPARATIONS, EXITS = COLUMN["separations"], COLUMN["exits"]
BOTH, EMPLOYED_DEGREE = 0, 1  # running counts for the correlation of employment across ties
EMPLOYED, UNEMPLOYED = COLUMN["employed"], COLUMN["unemployed"]
assert COLUMN["ears_open"] == ANSWERED + EARS_OPEN and COLUMN["action"] == ANSWERED + ACTION
assert COLUMN["hires_intro"] == HIRES + INTRO and COLUMN["hires_via_relay"] == VIA + 3


def setup_from(params: Params) -> Setup:
    single = params.scenario == "single"
    return Setup(
        single=single,
        baseline=params.baseline,
        weeks=params.weeks,
        asks_per_week=params.asks_per_week,
        targeting=TARGETING_CODE[params.targeting],
        specificity=params.specificity,
        positivity=params.positivity,
        arrival=params.arrival_rate,
        separation=0.0 if single else params.separation_rate,
        gossip=params.gossip_rate,
        decay=params.credit_decay,
        initial_unemployed=params.initial_unemployed,
        experienced_share=params.experienced_share,
        banker_share=params.help_banker_share,
        banked_favours=params.banked_favours,
        burn_in=params.burn_in,
        exit_rate=0.0 if single or params.baseline else params.exit_rate,
        entrant_unemployed=params.entrant_unemployed,
        relay=params.relay_rate,
    )


def _csr(graph: nx.Graph | CSRGraph) -> CSRGraph:
    return graph if isinstance(graph, CSRGraph) else CSRGraph.of(graph)


def simulate_graphs(
    params: Params,
    graphs: Sequence[nx.Graph | CSRGraph],
    dynamics: Sequence[np.random.SeedSequence],
    threads: int | None = None,
) -> Runs:
    """Run one replicate per (graph, seed sequence), all replicates in parallel.

    Graphs are NetworkX graphs or :class:`~sim.graphs.CSRGraph` arrays; replicates may share
    one (it is converted once) or each have their own; every graph must have the same number
    of people. Results do not depend on ``threads``: each
    replicate draws only from its own Generator.
    """
    unique: dict[int, int] = {}
    for graph in graphs:
        unique.setdefault(id(graph), len(unique))
    if len({graph.number_of_nodes() for graph in graphs}) > 1:
        raise ValueError("every replicate's graph must have the same number of people")
    arrays: list[Any] = [None] * len(unique)
    for graph in graphs:
        slot = unique[id(graph)]
        if arrays[slot] is None:
            arrays[slot] = _csr(graph)
    node_start = np.cumsum([0] + [len(a[0]) for a in arrays]).astype(np.int64)
    edge_start = np.cumsum([0] + [len(a[1]) for a in arrays]).astype(np.int64)
    graph_of = np.array([unique[id(graph)] for graph in graphs], dtype=np.int64)
    out = empty(params, "numba", len(graphs), graphs[0].number_of_nodes())
    previous = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        _simulate_batch(
            np.concatenate([a[0] for a in arrays]),
            np.concatenate([a[1] for a in arrays]),
            np.concatenate([a[2] for a in arrays]),
            np.concatenate([a[3] for a in arrays]),
            node_start,
            edge_start,
            graph_of,
            rules_from(params),
            setup_from(params),
            List([np.random.default_rng(s) for s in dynamics]),
            out.weekly,
            out.mean_reputation,
            out.weeks_to_offer,
            out.hired_channel,
            out.unemployed_weeks,
            out.answer_state,
            out.answer_week,
            out.weeks_run,
            out.traits,
            out.hazard,
            out.spells,
            out.elapsed,
            out.correlation,
            spell_bin_of(params.weeks),
        )
    finally:
        numba.set_num_threads(previous)
    return out


@njit(parallel=True, cache=True)
def _simulate_batch(
    indptr_all,
    indices_all,
    ties_all,
    rev_all,
    node_start,
    edge_start,
    graph_of,
    rules,
    setup,
    generators,
    weekly,
    mean_reputation,
    weeks_to_offer,
    hired_channel,
    unemployed_weeks,
    answer_state,
    answer_week,
    weeks_run,
    traits,
    hazard,
    spells,
    elapsed,
    correlation,
    bin_of,
):
    for i in prange(len(generators)):
        r = np.int64(i)  # prange counts in uint64; typed-list indexing wants int64
        g = graph_of[r]
        nodes = slice(node_start[g], node_start[g + 1])
        edges = slice(edge_start[g], edge_start[g + 1])
        result = _replicate(
            indptr_all[nodes],
            indices_all[edges],
            ties_all[edges],
            rev_all[edges],
            rules,
            setup,
            generators[r],
            weekly[r],
            mean_reputation[r],
            unemployed_weeks[r],
            answer_state[r],
            answer_week[r],
            traits[r],
            hazard[r],
            spells[r],
            elapsed[r],
            correlation[r],
            bin_of,
        )
        weeks_run[r], weeks_to_offer[r], hired_channel[r] = result


@njit(cache=True)
def _find(indptr, indices, u, v):
    """CSR position of u -> v, or -1 if they are not neighbours (binary search, sorted rows)."""
    lo, hi = indptr[u], indptr[u + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    if lo < indptr[u + 1] and indices[lo] == v:
        return lo
    return -1


@njit(cache=True)
def _replicate(
    indptr,
    indices,
    ties,
    rev,
    rules,
    setup,
    gen,
    weekly,
    mean_reputation,
    unemployed_weeks,
    answer_state,
    answer_week,
    traits,
    hazard,
    spells,
    elapsed,
    correlation,
    bin_of,
):
    n = len(indptr) - 1
    n_edges = len(indices)
    s, p = setup.specificity, setup.positivity
    max_degree = 0
    for u in range(n):
        max_degree = max(max_degree, indptr[u + 1] - indptr[u])

    employed = np.ones(n, dtype=np.bool_)
    at_start = np.ones(n, dtype=np.bool_)
    experienced = np.zeros(n, dtype=np.bool_)
    banker = np.zeros(n, dtype=np.bool_)
    reputation = np.zeros(n)
    state = np.zeros(n_edges, dtype=np.int8)
    pity = np.zeros(n_edges)
    asked = np.zeros(n_edges, dtype=np.bool_)
    relay = np.full(n_edges, -1, dtype=np.int64)
    relay_week = np.full(n_edges, -1, dtype=np.int64)
    relay_count = np.zeros(n_edges, dtype=np.int64)
    owes = np.zeros(n_edges)
    win = np.zeros((n, 4), dtype=np.int64)  # per person: offers won, then the kept one's
    candidates = np.empty(max_degree, dtype=np.int64)
    eligible = np.empty(2 * max_degree, dtype=np.int64)
    eligible_channel = np.empty(2 * max_degree, dtype=np.int64)
    eligible_edge = np.empty(2 * max_degree, dtype=np.int64)
    helped = np.empty(n, dtype=np.int64)
    targets = np.empty(n, dtype=np.int64)
    unasked = np.diff(indptr)  # contacts not yet asked this spell
    spell = np.zeros(n, dtype=np.int64)  # completed weeks of the current spell
    spell_start = np.zeros(n, dtype=np.int64)  # the week it began
    counts = np.zeros(2, dtype=np.int64)  # BOTH: directed ties employed at both ends

    # --- initialization (docs/model.md, section 5) ---
    for i in range(n):
        if setup.single:
            employed[i] = i != SEEKER
        else:
            employed[i] = gen.random() >= setup.initial_unemployed
        experienced[i] = gen.random() < setup.experienced_share or not employed[i]
        banker[i] = gen.random() < setup.banker_share
        traits[i] = (BANKER if banker[i] else 0) | (EXPERIENCED if experienced[i] else 0)
        spell[i] = 0 if employed[i] else 1  # unemployed at the end of week 0
        if setup.burn_in == 0 and not employed[i]:  # at risk in week 1, the window's first
            hazard[0, bin_of[spell[i]]] += 1
    for u in range(n):
        if employed[u]:
            counts[EMPLOYED_DEGREE] += indptr[u + 1] - indptr[u]
            for e in range(indptr[u], indptr[u + 1]):
                counts[BOTH] += employed[indices[e]]
    seeker_degree = indptr[SEEKER + 1] - indptr[SEEKER]
    if setup.single and setup.banked_favours > 0 and seeker_degree > 0:
        for _ in range(setup.banked_favours):
            e = indptr[SEEKER] + _below(gen, seeker_degree)
            owes[rev[e]] += 1.0  # the contact owes the seeker
        reputation[SEEKER] = setup.banked_favours
    _record_heads(weekly[0], employed)
    mean_reputation[0] = reputation.mean()

    # Bernoulli trials with a small success probability (hearing of an opening, separating,
    # gossiping) are drawn as geometric gaps between successes: the same iid trials, but one
    # draw per success instead of one per trial, which is what makes the core fast.
    log_keep_arrival = _log_keep(setup.arrival)
    log_keep_gossip = _log_keep(setup.gossip)
    log_keep_separation = _log_keep(setup.separation)
    next_hearer = _gap(gen, log_keep_arrival)
    gap_gossip = _gap(gen, log_keep_gossip)
    next_leaver = _gap(gen, log_keep_separation)
    log_keep_exit = _log_keep(setup.exit_rate)
    next_exit = _gap(gen, log_keep_exit)

    week_run, offer_week, offer_channel = 0, 0, -1
    for week in range(1, setup.weeks + 1):
        row = weekly[week]
        measured = week > setup.burn_in
        at_start[:] = employed
        if not setup.baseline:
            # --- 1. asks ---
            for u in range(n):
                if employed[u] or setup.asks_per_week == 0 or unasked[u] == 0:
                    continue
                chosen = _choose_asks(
                    gen, indptr, ties, asked, u, setup.asks_per_week, setup.targeting, candidates
                )
                for t in range(chosen):
                    e = candidates[t]
                    c = indices[e]
                    ce = rev[e]  # c's view of u
                    asked[e] = True
                    unasked[u] -= 1
                    pa = p_action(
                        rules,
                        s,
                        p,
                        owes[ce],
                        reputation[u],
                        1.0 if experienced[c] else 0.0,
                        ties[e],
                        pity[ce],
                        1.0 if banker[c] and employed[c] else 0.0,
                    )
                    if gen.random() < pa:
                        answer = ACTION
                    elif gen.random() < p_ears_open(rules, s, p, ties[e]):
                        answer = EARS_OPEN
                    else:
                        answer = SYMPATHY
                    state[ce] = answer
                    row[ASKS] += 1
                    row[ANSWERED + answer] += 1
                    if setup.single and u == SEEKER:
                        answer_state[c] = answer
                        answer_week[c] = week
            # --- 2. out of earshot ---
            # Visited seeker by seeker: only views of the unemployed matter. An EARS_OPEN teller
            # tells nothing, so only SYMPATHY and ACTION views are trials.
            for seeker in range(n):
                if employed[seeker]:
                    continue
                for se in range(indptr[seeker], indptr[seeker + 1]):
                    e = rev[se]  # c's view of the seeker
                    view = state[e]
                    if view != SYMPATHY and view != ACTION:
                        continue
                    if gap_gossip > 0:  # this aware contact keeps quiet this week
                        gap_gossip -= 1
                        continue
                    gap_gossip = _gap(gen, log_keep_gossip)
                    c = indices[se]
                    degree = indptr[c + 1] - indptr[c]
                    if degree < 2:
                        continue
                    le = indptr[c] + _below(gen, degree - 1)
                    if le >= e:  # skip the seeker's own slot: uniform over the others
                        le += 1
                    listener = indices[le]
                    if view == SYMPATHY:
                        row[GOSSIP_PITY] += 1
                        heard = _find(indptr, indices, listener, seeker)
                        if heard >= 0:
                            pity[heard] += 1.0 - p
                    elif view == ACTION:
                        heard = _find(indptr, indices, listener, seeker)
                        if heard >= 0:
                            if state[heard] == UNAWARE:
                                state[heard] = EARS_OPEN
                                row[GOSSIP_ASK] += 1
                        elif setup.relay >= 1.0 or gen.random() < setup.relay:
                            told = rev[le]  # listener -> teller carries the ask
                            if relay_week[told] != week:
                                relay_week[told], relay_count[told] = week, 0
                            relay_count[told] += 1
                            # one of this week's tellings on the tie, uniformly (order-free)
                            if relay_count[told] == 1 or gen.random() * relay_count[told] < 1.0:
                                relay[told] = seeker
                            row[GOSSIP_ASK] += 1
                        else:  # told, but not kept: the ask goes no further
                            row[GOSSIP_ASK] += 1
        # --- 3. openings ---
        n_targets = 0
        u, skip = -1, next_hearer  # skip: trials that fail before the next success
        while True:
            u += 1 + skip  # straight to the next person who hears of an opening
            if u >= n:
                next_hearer = u - n  # the gap runs on into next week's trials
                break
            skip = _gap(gen, log_keep_arrival)
            row[OPENINGS] += 1
            if not at_start[u]:
                if gen.random() < fit(rules, s) and gen.random() < p_hire(rules, DIRECT, p):
                    n_targets = _offer(gen, win, targets, n_targets, u, DIRECT, -1, -1)
                continue
            m = 0
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if at_start[v]:
                    continue
                if gen.random() < p_pass(rules, state[e], s, banker[u]):
                    eligible[m] = v
                    eligible_channel[m] = INTRO if state[e] == ACTION else LEAD
                    eligible_edge[m] = e
                    m += 1
            for e in range(indptr[u], indptr[u + 1]):
                seeker = relay[e]
                if seeker < 0 or at_start[seeker]:
                    continue
                if gen.random() < p_pass(rules, EARS_OPEN, s, banker[u]):
                    eligible[m] = seeker
                    eligible_channel[m] = LEAD
                    eligible_edge[m] = -1
                    m += 1
            if m == 0:
                row[LOST] += 1
                continue
            j = _below(gen, m)
            row[PASSES] += 1
            channel = eligible_channel[j]
            if gen.random() < p_hire(rules, channel, p):
                n_targets = _offer(
                    gen, win, targets, n_targets, eligible[j], channel, u, eligible_edge[j]
                )
        # --- 4. hires ---
        n_helped = 0
        for i in range(n_targets):
            t = targets[i]
            win[t, WINS] = 0  # ready for next week
            employed[t] = True
            _count_ties(indptr, indices, employed, t, 1, counts)
            if measured:
                hazard[1, bin_of[spell[t]]] += 1
                if spell_start[t] > setup.burn_in:
                    spells[0, spell[t]] += 1
            spell[t] = 0
            row[HIRES + win[t, CHANNEL]] += 1
            if win[t, HELPER] >= 0:
                helped[n_helped] = t
                n_helped += 1
                row[VIA + (ties[win[t, EDGE]] if win[t, EDGE] >= 0 else 3)] += 1
            if setup.single and t == SEEKER:
                offer_week, offer_channel = week, win[t, CHANNEL]
        # --- 5. separations ---
        # Trials run over everyone; a hit on someone unemployed changes nothing, so each
        # employed person still leaves with probability b, independently.
        u, skip = -1, next_leaver
        while True:
            u += 1 + skip
            if u >= n:
                next_leaver = u - n
                break
            skip = _gap(gen, log_keep_separation)
            if employed[u]:
                _count_ties(indptr, indices, employed, u, -1, counts)
                employed[u] = False
                spell[u], spell_start[u] = 0, week
                row[SEPARATIONS] += 1
                _start_spell(indptr, indices, rev, u, experienced, asked, state, pity, relay)
                unasked[u] = indptr[u + 1] - indptr[u]
        # --- 6. help bank ---
        if setup.decay > 0.0:
            keep = 1.0 - setup.decay
            reputation *= keep
            owes *= keep
        for h in range(n_helped):
            t = helped[h]
            reputation[win[t, HELPER]] += 1.0
            e = win[t, EDGE]  # helper -> hired; -1 for a relay: no tie, no ledger entry
            if e >= 0:
                repaid = min(1.0, owes[e])
                owes[e] -= repaid
                if repaid < 1.0:
                    owes[rev[e]] += 1.0 - repaid
        # --- 7. demography: leavers replaced at their node by entrants ---
        u, skip = -1, next_exit
        while True:
            u += 1 + skip
            if u >= n:
                next_exit = u - n
                break
            skip = _gap(gen, log_keep_exit)
            row[EXITS] += 1
            traits[u] |= REPLACED
            if not employed[u]:
                if measured and spell_start[u] > setup.burn_in:
                    spells[1, spell[u]] += 1  # censored: gone after surviving spell[u] weeks
            else:
                _count_ties(indptr, indices, employed, u, -1, counts)
            _replace_person(
                indptr, indices, rev, u, asked, unasked, state, pity, owes, relay, relay_week,
                relay_count,
            )  # fmt: skip
            reputation[u] = 0.0
            employed[u] = gen.random() >= setup.entrant_unemployed
            banker[u] = gen.random() < setup.banker_share
            experienced[u] = not employed[u]  # an entrant looking for work is searching now
            spell[u], spell_start[u] = 0, week
            if employed[u]:
                _count_ties(indptr, indices, employed, u, 1, counts)
        # --- 8. end of week ---
        working = idle = 0  # counted separately, so conservation is a real check
        total_reputation = 0.0
        last = week == setup.weeks
        # the unemployed now are those at risk at the start of next week, if it is measured
        at_risk_next = not last and week + 1 > setup.burn_in
        at_risk_next = at_risk_next and not (setup.single and employed[SEEKER])  # no next week
        for u in range(n):
            total_reputation += reputation[u]
            if employed[u]:
                working += 1
            else:
                idle += 1
                if measured:
                    unemployed_weeks[u] += 1
                    if last and spell_start[u] > setup.burn_in:
                        spells[1, spell[u]] += 1  # censored at the window's end
                spell[u] += 1
                if measured:
                    elapsed[spell[u]] += 1
                if at_risk_next:
                    hazard[0, bin_of[spell[u]]] += 1
        if measured and n_edges > 0:
            employed_ends = counts[EMPLOYED_DEGREE] / n_edges  # degree-weighted mean status
            both = counts[BOTH] / n_edges
            if 0.0 < employed_ends < 1.0:
                spread = employed_ends * (1.0 - employed_ends)
                correlation[0] += (both - employed_ends**2) / spread
                correlation[1] += 1.0
            correlation[2] += both
        row[EMPLOYED] = working
        row[UNEMPLOYED] = idle
        mean_reputation[week] = total_reputation / n
        week_run = week
        if setup.single and employed[SEEKER]:
            break
    _tie_products(indptr, indices, unemployed_weeks, week_run - setup.burn_in, correlation)
    for week in range(week_run + 1, setup.weeks + 1):  # after a hire: heads stay, no events
        weekly[week, EMPLOYED] = weekly[week_run, EMPLOYED]
        weekly[week, UNEMPLOYED] = weekly[week_run, UNEMPLOYED]
        mean_reputation[week] = mean_reputation[week_run]
    return week_run, offer_week, offer_channel


@njit(cache=True)
def _choose_asks(gen, indptr, ties, asked, u, k, targeting, chosen):
    """Fill chosen[:j] with the j <= k contacts u asks this week and return j.

    The preferred tie class first (targeting 0: close first, 1: distant first, 2: no order),
    uniformly at random within a class: a partial Fisher-Yates shuffle, one draw per ask.
    """
    j = 0
    for step in range(1 if targeting == 2 else 3):
        if j == k:
            break
        tie = step if targeting == 0 else 2 - step
        m = j
        for e in range(indptr[u], indptr[u + 1]):
            if asked[e] or (targeting != 2 and ties[e] != tie):
                continue
            chosen[m] = e
            m += 1
        take = min(k - j, m - j)
        if take < m - j:
            for t in range(take):
                pick = j + t + _below(gen, m - j - t)
                chosen[j + t], chosen[pick] = chosen[pick], chosen[j + t]
        j += take
    return j


@njit(cache=True)
def _below(gen, m):
    """A uniform integer in [0, m): one double per draw, several times faster than
    Generator.integers in compiled code; the bias is below m / 2**53."""
    return min(np.int64(gen.random() * m), m - 1)


@njit(cache=True)
def _log_keep(p):
    """log(1 - p), the constant of the geometric gaps; 0 means "never", -inf "always"."""
    if p >= 1.0:
        return -np.inf
    return math.log1p(-p)


@njit(cache=True)
def _gap(gen, log_keep):
    """Failures before the next success of iid Bernoulli(p) trials, p = 1 - exp(log_keep)."""
    if log_keep == 0.0:
        return NEVER
    if log_keep == -np.inf:
        return 0
    gap = math.log(1.0 - gen.random()) / log_keep  # log is cheaper than log1p here
    return NEVER if gap >= NEVER else np.int64(gap)


@njit(cache=True)
def _offer(gen, win, targets, n_targets, target, channel, helper, edge):
    """Keep one successful offer per person, uniformly among them (reservoir sampling).

    ``win[t]`` holds (offers won, channel, helper, helper -> t edge) of the kept offer. Returns
    the number of distinct people with an offer this week (listed in ``targets``).
    """
    if win[target, WINS] == 0:
        targets[n_targets] = target
        n_targets += 1
    win[target, WINS] += 1
    if win[target, WINS] == 1 or gen.random() * win[target, WINS] < 1.0:
        win[target, CHANNEL] = channel
        win[target, HELPER] = helper
        win[target, EDGE] = edge
    return n_targets


@njit(cache=True)
def _start_spell(indptr, indices, rev, u, experienced, asked, state, pity, relay):
    """A new spell for u: contacts forget their answers and pity, relays of u's ask are cleared."""
    experienced[u] = True
    for e in range(indptr[u], indptr[u + 1]):
        asked[e] = False
        state[rev[e]] = UNAWARE
        pity[rev[e]] = 0.0
    _clear_relays_of(indptr, indices, rev, u, relay)


@njit(cache=True)
def _tie_products(indptr, indices, unemployed_weeks, window, correlation):
    """Over directed ties: the mean product of the ends' window employment rates, and of their
    standard deviations (for the correlation with each person's own long-run mean)."""
    n_edges = len(indices)
    if window <= 0 or n_edges == 0:
        return
    product = spread = 0.0
    for u in range(len(indptr) - 1):
        eu = 1.0 - unemployed_weeks[u] / window
        for e in range(indptr[u], indptr[u + 1]):
            ev = 1.0 - unemployed_weeks[indices[e]] / window
            product += eu * ev
            spread += math.sqrt(eu * (1.0 - eu) * ev * (1.0 - ev))
    correlation[3] = product / n_edges
    correlation[4] = spread / n_edges


@njit(cache=True)
def _count_ties(indptr, indices, employed, u, sign, counts):
    """Before u's status changes (sign -1: leaves work) or after (+1: starts): update the
    directed ties employed at both ends and the employed ends' total degree."""
    for e in range(indptr[u], indptr[u + 1]):
        if employed[indices[e]]:
            counts[BOTH] += 2 * sign  # u -> v and v -> u
    counts[EMPLOYED_DEGREE] += sign * (indptr[u + 1] - indptr[u])


@njit(cache=True)
def _replace_person(
    indptr, indices, rev, u, asked, unasked, state, pity, owes, relay, relay_week, relay_count
):
    """A newcomer at node u: no views held or about them, no ledger, not asked, asks no one,
    holds no one's relayed ask, and no relay of u's own ask survives."""
    unasked[u] = indptr[u + 1] - indptr[u]
    for e in range(indptr[u], indptr[u + 1]):
        back = rev[e]
        if asked[back]:  # the neighbour may ask the newcomer
            asked[back] = False
            unasked[indices[e]] += 1
        asked[e] = False
        state[e] = state[back] = UNAWARE
        pity[e] = pity[back] = 0.0
        owes[e] = owes[back] = 0.0
        relay[e], relay_week[e], relay_count[e] = -1, -1, 0
    _clear_relays_of(indptr, indices, rev, u, relay)


@njit(cache=True)
def _clear_relays_of(indptr, indices, rev, u, relay):
    """Forget every relay of u's ask (held by the neighbours of u's neighbours)."""
    for e in range(indptr[u], indptr[u + 1]):
        teller = indices[e]
        for te in range(indptr[teller], indptr[teller + 1]):
            listener_edge = rev[te]  # listener -> teller
            if relay[listener_edge] == u:
                relay[listener_edge] = -1


@njit(cache=True)
def _record_heads(row, employed):
    working = idle = 0  # counted separately, so conservation is a real check
    for u in range(len(employed)):
        if employed[u]:
            working += 1
        else:
            idle += 1
    row[EMPLOYED] = working
    row[UNEMPLOYED] = idle
