"""Mixed populations: who asks how (sim.model.population), and outcomes by strategy group.

Oracles: exact group sizes (largest remainder, checked by hand and against its definition),
SciPy's Beta distribution for the spreads (Kolmogorov-Smirnov), and runs of the same seed
without a mix: a population whose groups all ask alike must run exactly the same dynamics,
because the population draws from a stream of its own. Statistical checks fail at
p < 1e-4 (a false failure once in 10,000 runs of a check; five such checks here).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis import market
from sim.cli import main
from sim.model.params import ConfigError, Params, mix_groups
from sim.model.population import draw, groups, is_uniform, sizes
from sim.model.runs import run

ALPHA = 1e-4
MARKET = {"scenario": "market", "graph": "holme-kim", "n_nodes": 200, "weeks": 120,
          "burn_in": 40}  # fmt: skip


def market_params(**values):
    return Params.from_dict({**MARKET, **values})


# --- the mix as written -------------------------------------------------------------------
def test_a_mix_is_read_in_one_spelling_and_in_its_order():
    p = market_params(mix="specific-positive=0.25 ,own:0.75")
    assert p.mix == "specific-positive: 0.25, own: 0.75"
    assert mix_groups(p.mix) == (("specific-positive", 0.25), ("own", 0.75))
    assert [(g.name, g.specificity, g.positivity) for g in groups(p)] == [
        ("specific-positive", 0.9, 0.9),
        ("own", 0.5, 0.5),
    ]
    assert [g.name for g in groups(market_params())] == ["own"]


@pytest.mark.parametrize(
    "mix, reason",
    [
        ("specific-positive: 0.5", "the shares sum to 0.5"),
        ("specific-posit: 0.5, own: 0.5", "unknown group 'specific-posit'"),
        ("help-banker: 1", "unknown group 'help-banker'"),
        ("own: 0.5, own: 0.5", "group 'own' is named twice"),
        ("own 1", "'own 1' is not 'name: share'"),
        ("own: half", "the share of 'own' is not a number"),
        ("own: 1.5, vague-gloomy: -0.5", "the share of 'own' is outside [0, 1]"),
        ("own: nan", "the share of 'own' is outside [0, 1]"),
    ],
)
def test_a_bad_mix_is_refused_in_one_line_naming_why(mix, reason):
    with pytest.raises(ConfigError) as error:
        market_params(mix=mix)
    message = str(error.value)
    assert message.startswith(f"mix={mix!r} is not allowed ({reason}); allowed: empty, or")
    assert "\n" not in message


def test_a_mix_or_a_spread_is_refused_for_a_single_seeker():
    for name, value in (("mix", "own: 1"), ("specificity_spread", 0.2)):
        with pytest.raises(ConfigError, match=f"^{name}=.* has no effect: a single seeker"):
            Params.from_dict({name: value})


def test_a_bad_mix_in_a_config_exits_2_with_one_line(tmp_path, capsys):
    config = tmp_path / "mix.toml"
    config.write_text(
        'name = "m"\nseed = 1\nreplicates = 2\n[model]\nscenario = "market"\n'
        'mix = "own: 0.6, vague-gloomy: 0.6"\n'
        '[design]\nkind = "strategies"\nstrategies = ["vague-gloomy"]\n'
    )
    assert main(["check", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the shares sum to 1.2" in err


# --- group sizes and values ---------------------------------------------------------------
@pytest.mark.parametrize(
    "shares, n, expected",
    [
        ([0.25, 0.75], 10, [3, 7]),  # 2.5 and 7.5: the tie goes to the group named first
        ([1 / 3, 1 / 3, 1 / 3], 10, [4, 3, 3]),
        ([0.5, 0.5], 7, [4, 3]),
        ([0.0, 1.0], 5, [0, 5]),
        ([0.1, 0.2, 0.7], 1000, [100, 200, 700]),
    ],
)
def test_group_sizes_are_the_largest_remainder_rounding(shares, n, expected):
    assert sizes(shares, n).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5), st.integers(1, 5000))
def test_group_sizes_sum_to_n_and_stay_within_one_of_the_quota(weights, n):
    shares = np.array(weights) / sum(weights)
    counts = sizes(shares, n)
    assert counts.sum() == n and (np.abs(counts - shares * n) < 1).all()


def test_the_groups_are_exact_and_assigned_at_random():
    p = market_params(mix="specific-positive: 0.3, vague-gloomy: 0.7")
    n, draws = 50, 4000
    member = np.zeros(n)
    for seed in range(draws):
        pop = draw(p, n, np.random.default_rng(seed))
        assert np.bincount(pop.group, minlength=2).tolist() == [15, 35]
        assert (pop.specificity == np.where(pop.group == 0, 0.9, 0.1)).all()
        member += pop.group == 0
    # each node is in the first group with probability 0.3: a chi-square over the 50 nodes
    expected = np.full(n, 0.3 * draws)
    statistic = (((member - expected) ** 2) / (expected * 0.7)).sum()
    assert stats.chi2.sf(statistic, n - 1) > ALPHA


@pytest.mark.parametrize("mean, spread", [(0.9, 0.5), (0.1, 0.2), (0.5, 0.9)])
def test_a_spread_draws_the_beta_with_that_mean_and_share_of_the_largest_sd(mean, spread):
    p = market_params(specificity=mean, positivity_spread=0.3, specificity_spread=spread)
    values = draw(p, 20_000, np.random.default_rng(3)).specificity
    nu = 1 / spread**2 - 1
    beta = stats.beta(mean * nu, (1 - mean) * nu)
    assert beta.mean() == pytest.approx(mean)
    assert beta.std() == pytest.approx(spread * math.sqrt(mean * (1 - mean)))
    assert stats.kstest(values, beta.cdf).pvalue > ALPHA


def test_a_uniform_population_draws_nothing():
    for values in ({}, {"mix": "own: 1"}, {"mix": "vague-gloomy: 1.0"}):
        p = market_params(**values)
        assert is_uniform(p)
        rng = np.random.default_rng(5)
        draw(p, 30, rng)
        assert rng.random() == np.random.default_rng(5).random()
    assert not is_uniform(market_params(positivity_spread=0.1))


# --- runs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["numba", "mesa"])
def test_groups_that_ask_alike_run_exactly_the_dynamics_of_no_mix(engine):
    # own = vague-gloomy here: two groups in name, one strategy; the population's stream is
    # its own, so the graph and the dynamics draw the very same numbers
    alike = market_params(specificity=0.1, positivity=0.1, mix="own: 0.4, vague-gloomy: 0.6")
    plain = market_params(specificity=0.1, positivity=0.1)
    replicates = 3 if engine == "mesa" else 20
    a, b = run(alike, replicates, seed=8, engine=engine), run(plain, replicates, 8, engine)
    for name in ("weekly", "hazard", "spells", "elapsed", "unemployed_weeks", "mean_reputation"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.by_group.shape[1] == 2 and b.by_group.shape[1] == 1
    assert (a.by_group[:, :, 0] == [80, 120]).all()  # people: 40% and 60% of 200
    assert np.array_equal(a.by_group.sum(axis=1), b.by_group[:, 0])


@pytest.mark.parametrize("engine", ["numba", "mesa"])
def test_group_counts_add_up_to_the_runs_own(engine):
    p = market_params(
        mix="specific-positive: 0.5, vague-gloomy: 0.5",
        positivity_spread=0.4,
        exit_rate=0.01,
        help_banker_share=0.2,
    )
    runs = run(p, 4 if engine == "mesa" else 30, seed=2, engine=engine)
    total = runs.by_group.sum(axis=1)
    window = runs.weekly[:, p.burn_in + 1 :, :]
    contact = (
        window[:, :, runs.columns.index("hires_lead")]
        + window[:, :, runs.columns.index("hires_intro")]
    )
    assert (total[:, 0] == 200).all()
    assert np.array_equal(total[:, 1], runs.unemployed_weeks.sum(axis=1))
    assert np.array_equal(total[:, 2], runs.hazard[:, 0].sum(axis=1))
    assert np.array_equal(total[:, 3], runs.hazard[:, 1].sum(axis=1))
    assert np.array_equal(total[:, 4], contact.sum(axis=1))
    table = market.by_group(runs)
    rows = len(runs.weeks_run) * 2
    assert len(table["group"]) == rows
    assert list(table["group"][:2]) == ["specific-positive", "vague-gloomy"]
    overall = market.outcomes(runs)["unemployment_rate"]
    people = table["people"].reshape(-1, 2)
    rate = table["unemployment_rate"].reshape(-1, 2)
    assert np.allclose((rate * people).sum(axis=1) / people.sum(axis=1), overall)


def test_the_population_does_not_depend_on_batching_or_the_engine():
    p = market_params(mix="specific-positive: 0.5, own: 0.5", specificity_spread=0.3)
    whole = run(p, 6, seed=4)
    parts = [run(p, 3, seed=4), run(p, 3, seed=4, first=3)]
    assert np.array_equal(whole.by_group, np.concatenate([r.by_group for r in parts]))
    assert np.array_equal(whole.weekly, np.concatenate([r.weekly for r in parts]))
