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


def synthetic(paired_ok=True):
    """100 replicates with a known truth: A hired in week 10 except replicates 0-29 (never), B
    hired in week 5 always. So B is hired 30 points more often and searches 9.8 weeks less
    (A: 0.3 x 26 + 0.7 x 10 = 14.8 weeks; B: 5)."""
    import pandas as pd

    r = np.arange(100)
    a_weeks = np.where(r < 30, 0, 10)
    frame = pd.DataFrame({
        "strategy": ["vague-gloomy"] * 100 + ["specific-positive"] * 100,
        "replicate": np.concatenate([r, r if paired_ok else r + 1]),
        "weeks_to_offer": np.concatenate([a_weeks, np.full(100, 5)]),
        "weeks_run": np.concatenate([np.where(a_weeks, a_weeks, 26), np.full(100, 5)]),
        "total_action": 1, "total_ears_open": 1, "total_sympathy": 2,
    })  # fmt: skip
    return frame


def test_the_strategy_table_gives_the_known_differences_with_intervals():
    from sim.analysis.strategies import strategy_table

    lines = strategy_table(synthetic(), 26, paired=True)
    assert lines[2].split()[:5] == ["vague-gloomy", "100", "10", "(10-10)", "70.0%"]
    assert lines[3].split()[:5] == ["specific-positive", "100", "5", "(5-5)", "100.0%"]
    assert lines[2].split()[-3:] == ["25%", "25%", "50%"]
    assert (
        lines[5]
        == "Against vague-gloomy, paired by replicate (common random numbers), 95% bootstrap:"
    )
    diff = lines[6].split()
    assert diff[:4] == ["specific-positive", "hired", "+30.0", "points"]
    assert diff[7:10] == ["weeks", "searching", "-9.80"]
    # the paired interval of 30 ones among 100 differences: the normal approximation gives
    # +-9.0 points, and percentile ends fall on whole points (the bootstrap seed is fixed, so
    # this is deterministic; the bounds allow 2 points either way)
    low, high = float(diff[4].strip("(")), float(diff[6].strip(");"))
    assert 19 <= low <= 23 and 37 <= high <= 41
    unpaired = strategy_table(synthetic(), 26, paired=False)
    assert unpaired[5].startswith("Against vague-gloomy, independent runs")


def test_pairing_runs_that_do_not_share_replicates_is_refused():
    import pytest

    from sim.analysis.strategies import strategy_table

    with pytest.raises(ValueError, match="do not share their replicates"):
        strategy_table(synthetic(paired_ok=False), 26, paired=True)


def test_hire_channel_shares_are_the_runs_own_counts_in_either_form():
    # the oracle: the same runs' Runs arrays (codes, 0 for no offer), counted with bincount
    from sim.analysis.strategies import compare_runs, summarise
    from sim.model import Params, run
    from sim.model.rules import CHANNEL_NAMES

    table = compare_runs(["specific-positive"], replicates=300, seed=7)
    runs = run(Params.from_dict({"scenario": "single"}, strategy="specific-positive"), 300, 7)
    hired = runs.hired_channel >= 0
    expected = np.bincount(runs.hired_channel[hired], minlength=3) / hired.sum()
    coded = table.assign(weeks_to_offer=runs.weeks_to_offer, hired_channel=runs.hired_channel)
    for frame in (table, coded):  # as runs.parquet reads (NaN, text), and as Runs holds them
        (row,) = summarise(frame, 26, "numba")
        assert row["hired_share"] == hired.mean() > 0
        got = [row[f"via_{c}"] for c in CHANNEL_NAMES]
        assert got == list(expected) and math.isclose(sum(got), 1.0)
