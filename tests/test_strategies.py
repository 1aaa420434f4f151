import math

import numpy as np

from sim.analysis.strategies import censored_median, compare, format_table


def test_censored_median_counts_unhired_runs_as_later_than_the_horizon():
    assert censored_median([3, 5, 0]) == 5
    assert censored_median([3, 0, 0, 9]) == math.inf
    assert censored_median([2, 4, 6, 8]) == 5


def test_specific_positive_beats_vague_gloomy():
    # 60 replicates on common seeds. At the defaults the hired-by-26-weeks shares are about
    # 0.72 and 0.95 (600 replicates); the binomial sd of a 60-run share is <= 0.065, so the gap
    # of 0.23 is about 2.5 sd of the difference (common seeds make it larger in practice).
    # With the seed fixed the check is deterministic: it guards the ordering the post claims,
    # not the size of the gap.
    rows = compare(["vague-gloomy", "specific-positive"], replicates=60, seed=11, engine="mesa")
    gloomy, positive = rows
    assert positive["hired_share"] > gloomy["hired_share"]
    assert positive["median_weeks"] < gloomy["median_weeks"]
    assert positive["share_action"] > gloomy["share_action"]
    for row in rows:
        shares = [row["share_action"], row["share_ears_open"], row["share_sympathy"]]
        assert np.isclose(sum(shares), 1.0)
    table = format_table(rows)
    assert "specific-positive" in table and "median weeks" in table


def test_both_engines_give_the_same_summary_fields():
    mesa = compare(["vague-positive"], replicates=5, seed=1, engine="mesa")[0]
    numba = compare(["vague-positive"], replicates=5, seed=1, engine="numba")[0]
    assert mesa.keys() == numba.keys() and (mesa["engine"], numba["engine"]) == ("mesa", "numba")
