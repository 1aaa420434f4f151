"""The two engines are one model: their outcome distributions agree, and the tests have power.

Each case runs R replicates on both engines from different root seeds and compares
per-replicate outcomes (independent across replicates, so the tests' assumptions hold):
- weeks to an offer (single seeker): two-sample Kolmogorov-Smirnov (conservative on ties);
- the answer mix: Welch's t-test on each run's share of ACTION and of SYMPATHY answers;
- hires through each tie class: single seeker, chi-square on the class of the contact behind
  each run's offer; market, Welch's t-test on each run's hires per class;
- market: Welch's t-test on each run's gossip tellings (pity, ask), passes, lost openings, exits
  from the labour force, final mean reputation and mean unemployment rate, and on the window
  outcomes of ``sim.analysis.market`` (unemployment rate, exit hazard, elapsed durations, share via
  contacts, correlation across ties, Gini, mean reputation).
Mixed populations are compared also by strategy group (unemployment rate, exit hazard, share
via contacts), programmes by arm (controls and treated: share of follow-up weeks unemployed,
exit hazard, share via contacts).
A test fails below ALPHA = 1e-4. With the 191 tests below (4 single cases x 4, 7 market cases
x 21, 3 groups x 3, 3 programmes x 6, one per-seeker check), the chance that any fails when
the engines agree is at most 191 x 1e-4 = 1.9% (Bonferroni); the seeds are fixed, so a run is
deterministic.
The per-seeker check of the relay case guards the rule that one week's tellings on a tie are
kept uniformly; with 200 runs it detects a bias in the kept relay only if it moves a seeker's
unemployment by about 1 point (the rule itself is unit-tested in tests/test_model.py).
Sample sizes (R) are in CASES.
"""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from sim.analysis import interventions, market
from sim.model.params import Params
from sim.model.runs import run

ALPHA = 1e-4
VIA = ("close", "regular", "distant", "relay")
# Outcomes of sim.analysis.market over the measuring window (after the burn-in).
WINDOW_OUTCOMES = (
    "unemployment_rate",
    "exit_hazard",
    "mean_elapsed_weeks",
    "share_long_term",
    "share_via_contacts",
    "neighbour_employment_correlation",
    "gini_unemployment",
    "mean_reputation",
)
MARKET_TOTALS = (
    "exits",
    "hires_via_close",
    "hires_via_regular",
    "hires_via_distant",
    "hires_via_relay",
    "gossip_pity",
    "gossip_ask",
    "passes",
    "lost_openings",
)

CASES = {
    "single vague-gloomy personal": ("vague-gloomy", {}, 800),
    "single specific-positive personal": ("specific-positive", {}, 800),
    "single help-banker personal, gossip": (
        "help-banker",
        {"targeting": "random", "gossip_rate": 0.6, "help_banker_share": 0.3},
        800,
    ),
    "single vague-positive karate": ("vague-positive", {"graph": "karate", "weeks": 30}, 800),
    "market specific-gloomy watts-strogatz": (
        "specific-gloomy",
        {
            "scenario": "market",
            "burn_in": 0,
            "graph": "watts-strogatz",
            "n_nodes": 120,
            "weeks": 50,
            "initial_unemployed": 0.3,
            "separation_rate": 0.03,
        },
        150,
    ),
    "market vague-positive barabasi-albert, bankers, decay": (
        "vague-positive",
        {
            "scenario": "market",
            "burn_in": 0,
            "graph": "barabasi-albert",
            "n_nodes": 120,
            "weeks": 50,
            "help_banker_share": 0.3,
            "credit_decay": 0.02,
            "separation_rate": 0.05,
            "gossip_rate": 0.5,
            "targeting": "distant",
        },
        150,
    ),
    # The steady-state market: demography, overlap ties on a clustered graph, credit decay,
    # fewer relays, a burn-in; compared on the outcomes of sim.analysis.market over the window.
    "market at steady state holme-kim, demography, burn-in": (
        "specific-positive",
        {
            "scenario": "market",
            "graph": "holme-kim",
            "n_nodes": 120,
            "weeks": 250,
            "burn_in": 100,
            "exit_rate": 0.01,
            "entrant_unemployed": 0.5,
            "relay_rate": 0.5,
            "help_banker_share": 0.2,
        },
        120,
    ),
    # One teller (1) between a listener (0) and two seekers (2, 3): the relay the listener keeps
    # when the teller talks about both in the same week must not depend on who acts first.
    "market two seekers relayed through one teller": (
        None,
        {
            "scenario": "market",
            "burn_in": 0,
            "weeks": 1000,
            "action_base": 10.0,
            "gossip_rate": 1.0,
            "arrival_rate": 0.5,
            "fit_base": 1.0,
            "fit_cost": 0.0,
            "hire_lead": 1.0,
            "hire_intro": 1.0,
            "recognise_vague": 1.0,
            "recognise_specific": 1.0,
            "gloom_penalty": 0.0,
            "separation_rate": 0.2,
            "initial_unemployed": 0.5,
            "share_close": 0.0,
            "share_regular": 1.0,
        },
        200,
    ),
}
# Mixed populations and programmes: each compared also by strategy group and by arm.
PROGRAMME_MARKET = {
    "scenario": "market",
    "graph": "holme-kim",
    "n_nodes": 150,
    "weeks": 80,
    "burn_in": 20,
    "separation_rate": 0.02,
    "initial_unemployed": 0.2,
    "exit_rate": 0.005,
}
CASES.update(
    {
        "market mixed population with spreads, coaching": (
            None,
            {
                **PROGRAMME_MARKET,
                "mix": "specific-positive: 0.3, vague-gloomy: 0.5, own: 0.2",
                "specificity_spread": 0.4,
                "positivity_spread": 0.3,
                "intervention": "coaching",
                "treat_weeks": 30,
                "coaching_specificity": -0.3,
                "coaching_positivity": 0.6,
            },
            150,
        ),
        "market job club": (
            "vague-gloomy",
            {**PROGRAMME_MARKET, "intervention": "job-club", "treated_share": 0.7},
            150,
        ),
        "market referral bonus, long-term first": (
            "specific-positive",
            {
                **PROGRAMME_MARKET,
                "intervention": "referral-bonus",
                "bonus_logit": 2.0,
                "treat_whom": "long-term",
            },  # fmt: skip
            150,
        ),
    }
)
NETWORKS = {"market two seekers relayed through one teller": nx.Graph([(0, 1), (1, 2), (1, 3)])}
GROUP_OUTCOMES = ("unemployment_rate", "exit_hazard", "share_via_contacts")
ARM_OUTCOMES = ("unemployed", "exit_hazard", "via_contacts")


def share(runs, answer):
    asks = runs.totals("asks")
    return runs.totals(answer)[asks > 0] / asks[asks > 0]


def p_values(a, b):
    """Named p-values of every comparison that applies to this case."""
    out = {}
    for answer in ("action", "sympathy"):
        out[f"share of {answer}"] = stats.ttest_ind(
            share(a, answer), share(b, answer), equal_var=False
        ).pvalue
    if a.params.scenario == "single":
        out["weeks to offer"] = stats.ks_2samp(a.weeks_to_offer, b.weeks_to_offer).pvalue
        table = np.array([[x.totals(f"hires_via_{c}").sum() for c in VIA] for x in (a, b)])
        table = table[:, table.sum(axis=0) > 0]
        out["tie class of the helper"] = stats.chi2_contingency(table)[1]
    else:
        for name in MARKET_TOTALS:
            out[name] = stats.ttest_ind(a.totals(name), b.totals(name), equal_var=False).pvalue
        out["final mean reputation"] = stats.ttest_ind(
            a.mean_reputation[:, -1], b.mean_reputation[:, -1], equal_var=False
        ).pvalue
        rate = [x.column("unemployed")[:, 1:].mean(axis=1) for x in (a, b)]
        out["unemployment"] = stats.ttest_ind(*rate, equal_var=False).pvalue
        window = [market.outcomes(x) for x in (a, b)]
        for name in WINDOW_OUTCOMES:
            out[name] = stats.ttest_ind(
                window[0][name], window[1][name], equal_var=False, nan_policy="omit"
            ).pvalue
        if a.by_group.shape[1] > 1:  # a mixed population: each group's outcomes
            groups = [market.by_group(x) for x in (a, b)]
            for name in a.group_names():
                for outcome in GROUP_OUTCOMES:
                    x, y = (t[outcome][t["group"] == name] for t in groups)
                    out[f"{outcome} [{name}]"] = stats.ttest_ind(
                        x, y, equal_var=False, nan_policy="omit"
                    ).pvalue
        if a.params.intervention != "none":  # a programme: the arms' outcomes
            arms = [interventions.arm_outcomes(x) for x in (a, b)]
            for arm in ("control", "treated"):
                for outcome in ARM_OUTCOMES:
                    out[f"{outcome} [{arm}]"] = stats.ttest_ind(
                        arms[0][f"{outcome}_{arm}"], arms[1][f"{outcome}_{arm}"],
                        equal_var=False, nan_policy="omit",
                    ).pvalue  # fmt: skip
        if a.unemployed_weeks.shape[1] == 4:  # the relay case: does either seeker win ties?
            gap = [x.unemployment_by_node()[:, 2] - x.unemployment_by_node()[:, 3] for x in (a, b)]
            out["seeker 2 minus seeker 3"] = stats.ttest_ind(*gap, equal_var=False).pvalue
    return out


def both(name, numba_changes=None):
    strategy, values, replicates = CASES[name]
    params = Params.from_dict(values, strategy=strategy)
    numba_params = params.replace(**(numba_changes or {}))
    network = NETWORKS.get(name)
    return run(numba_params, replicates, seed=101, engine="numba", network=network), run(
        params, replicates, seed=202, engine="mesa", network=network
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_engines_agree_in_distribution(name):
    numba_runs, mesa_runs = both(name)
    failed = {k: p for k, p in p_values(numba_runs, mesa_runs).items() if p < ALPHA}
    assert not failed, f"{name}: {failed}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("single specific-positive personal", {"w_specificity": 0.0}),  # specificity ignored
        ("single vague-gloomy personal", {"ears_w_specificity": 0.0}),  # vagueness ignored
        ("market specific-gloomy watts-strogatz", {"fit_cost": 0.0}),  # no cost of focus
        ("market vague-positive barabasi-albert, bankers, decay", {"w_positivity": 0.0}),
        # demography: every entrant starts out employed instead of half of them
        ("market at steady state holme-kim, demography, burn-in", {"entrant_unemployed": 0.0}),
        # coaching towards specific asks instead of away from them
        ("market mixed population with spreads, coaching", {"coaching_specificity": 0.6}),
    ],
)
def test_the_comparison_catches_an_altered_rule(name, change):
    numba_runs, mesa_runs = both(name, change)
    assert min(p_values(numba_runs, mesa_runs).values()) < ALPHA
