"""Programmes (sim.model.interventions) and the saturation design (sim.analysis.interventions).

Oracles: a programme that changes nothing must leave every run exactly as it is without one
(common random numbers: the programme draws nothing from the dynamics' stream), so its total
effect is exactly 0 and its other estimates are 0 to Monte Carlo precision; the treated are the
ones a plain sort picks; half up is the rounding. Estimates are checked against 0 at 4.5
standard errors (a false failure about once in 150,000 per check under normality).
"""

import numpy as np
import pytest

from sim.analysis import interventions as iv
from sim.cli import main
from sim.model.interventions import choose_treated, shifted, treated_count
from sim.model.params import ConfigError, Params
from sim.model.runs import run

Z = 4.5
MARKET = {"scenario": "market", "graph": "holme-kim", "n_nodes": 200, "weeks": 90,
          "burn_in": 40, "initial_unemployed": 0.3}  # fmt: skip
NOTHING = {
    "coaching": {"coaching_specificity": 0.0, "coaching_positivity": 0.0},
    "referral-bonus": {"bonus_logit": 0.0},
    # every opening fits everyone: a club member never has one to pass on
    "job-club": {"fit_base": 1.0, "fit_cost": 0.0},
}


def market(**values):
    return Params.from_dict({**MARKET, **values})


RECORDS = ("weekly", "hazard", "spells", "elapsed", "unemployed_weeks", "mean_reputation",
           "by_group")  # fmt: skip


@pytest.mark.parametrize("engine", ["numba", "mesa"])
@pytest.mark.parametrize("kind", list(NOTHING))
def test_a_programme_that_changes_nothing_leaves_every_run_as_it_was(kind, engine):
    base = {k: v for k, v in NOTHING[kind].items() if k in ("fit_base", "fit_cost")}
    treated = market(intervention=kind, **NOTHING[kind])
    plain = market(**base)
    replicates = 3 if engine == "mesa" else 30
    a = run(treated, replicates, seed=5, engine=engine)
    b = run(plain, replicates, seed=5, engine=engine)
    for name in RECORDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    people = a.by_arm[:, :, 0]
    assert (people.sum(axis=1) == 200).all() and people[:, 2].sum() > 0
    assert not b.by_arm.any()  # no programme, no arms


def test_a_programme_that_changes_nothing_has_no_effect_to_monte_carlo_precision():
    params = market(intervention="coaching", **NOTHING["coaching"])
    table = iv.saturation(params, (0.0, 0.5), markets=60, seed=3).set_index("estimate")
    assert table.loc["total", "effect"] == 0.0 and table.loc["total", "se"] == 0.0
    for name in ("effect on the treated", "spillover", "within-market contrast"):
        row = table.loc[name]
        assert row.se > 0 and abs(row.effect) < Z * row.se, (name, row.effect, row.se)


def test_a_job_club_of_one_has_no_one_to_pass_to():
    # one treated person: a club needs two members, so nothing changes
    alone = market(intervention="job-club", treated_share=0.01, initial_unemployed=0.1)
    a, b = run(alone, 20, seed=2), run(market(initial_unemployed=0.1), 20, seed=2)
    assert (a.by_arm[:, 2, 0] <= 1).all()
    assert np.array_equal(a.weekly, b.weekly)


def test_the_arms_start_alike_and_the_treated_are_nested_across_shares():
    params = market(intervention="coaching")
    runs = {s: run(params.replace(treated_share=s), 10, seed=4) for s in (0.0, 0.25, 0.5, 1.0)}
    eligible = runs[0.0].by_arm[:, 1, 0]
    for share, r in runs.items():
        assert np.array_equal(r.by_arm[:, 1:, 0].sum(axis=1), eligible)  # the same eligible
        expected = [treated_count(share, int(e)) for e in eligible]
        assert r.by_arm[:, 2, 0].tolist() == expected
        week = params.burn_in  # up to the programme's first week the arms are one run
        assert np.array_equal(r.weekly[:, : week + 1], runs[0.0].weekly[:, : week + 1])


@pytest.mark.parametrize(
    "share, eligible, expected", [(0.5, 7, 4), (0.5, 6, 3), (0.25, 6, 2), (0.0, 9, 0), (1.0, 9, 9)]
)
def test_the_treated_count_rounds_half_up(share, eligible, expected):
    assert treated_count(share, eligible) == expected


def test_the_treated_are_the_ones_a_sort_picks():
    rng = np.random.default_rng(1)
    n = 40
    spell, degree = rng.integers(1, 6, n), rng.integers(1, 5, n)
    priority = rng.random(n)
    eligible = np.sort(rng.choice(n, 25, replace=False)).astype(np.int64)
    for whom, key in ((0, lambda u: priority[u]), (1, lambda u: (-spell[u], priority[u])),
                      (2, lambda u: (-degree[u], priority[u]))):  # fmt: skip
        chosen = choose_treated(eligible, spell, degree, priority, whom, 0.4)
        assert chosen.tolist() == sorted(eligible.tolist(), key=key)[:10]


def test_a_logit_shift_moves_the_odds_by_its_exponential():
    for p in (0.01, 0.3, 0.9):
        q = shifted(p, 0.7)
        assert q / (1 - q) == pytest.approx(p / (1 - p) * np.exp(0.7))
    assert shifted(0.3, 0.0) == 0.3 and shifted(1.0, 2.0) == 1.0


def test_strong_coaching_lowers_the_treated_unemployment_where_asking_is_the_way_in():
    # vague-gloomy seekers coached to specific-positive, in a market where a specific ask
    # costs no fit and a direct application rarely works: better asks must pay (measured:
    # -19.2 points, se 1.2). In the calibrated market, with its fit cost, they need not.
    params = market(intervention="coaching", specificity=0.1, positivity=0.1,
                    coaching_specificity=0.8, coaching_positivity=0.8, fit_cost=0.0,
                    hire_direct=0.1)  # fmt: skip
    table = iv.saturation(params, (0.0, 0.5), markets=60, seed=6).set_index("estimate")
    row = table.loc["effect on the treated"]
    assert row.effect < -Z * row.se


@pytest.mark.parametrize(
    "values, message",
    [
        ({"intervention": "coach"}, "intervention='coach' is not allowed; allowed: one of none"),
        ({"treated_share": 0.3}, "treated_share=0.3 has no effect with intervention='none'"),
        ({"intervention": "coaching", "bonus_logit": 2},
         "bonus_logit=2.0 has no effect with intervention='coaching'; allowed: "
         "intervention='referral-bonus'"),
        ({"intervention": "job-club", "treat_start": 10},
         "treat_start=10 is outside the measuring window; allowed: a week in [41, 90]"),
    ],
)  # fmt: skip
def test_a_bad_programme_is_refused_in_one_line(values, message):
    with pytest.raises(ConfigError) as error:
        market(**values)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_a_mix_or_programme_in_a_baseline_market_is_refused():
    for name, value in (
        ("intervention", "job-club"),
        ("mix", "own: 1"),
        ("positivity_spread", 0.2),
    ):
        with pytest.raises(ConfigError, match=f"^{name}=.* has no effect: baseline turns off"):
            market(baseline=True, **{name: value})


def test_the_saturation_estimator_refuses_a_selected_treated_arm():
    with pytest.raises(ValueError, match="treat_whom='random'"):
        iv.saturation(market(intervention="coaching", treat_whom="long-term"), markets=2)


def test_a_model_built_directly_draws_its_population_apart_from_its_dynamics():
    from sim.model.mesa_model import JobSearchModel

    small = {**MARKET, "n_nodes": 60, "weeks": 50}
    plain = JobSearchModel(seed=3, **small)
    coached = JobSearchModel(seed=3, intervention="coaching", coaching_specificity=0.0,
                             coaching_positivity=0.0, **small)  # fmt: skip
    plain.run()
    coached.run()
    rows = [m.datacollector.get_model_vars_dataframe() for m in (plain, coached)]
    assert rows[0].equals(rows[1]) and coached.by_arm[:, 0].sum() == 60


def test_the_kernel_refuses_a_population_drawn_for_another_mix():
    from sim.model.kernel import simulate_graphs
    from sim.model.population import draw
    from sim.model.runs import replicate_csr, streams

    mixed = market(mix="specific-positive: 0.5, own: 0.5")
    other = draw(market(mix="vague-gloomy: 0.2, own: 0.2, specific-gloomy: 0.6"), 200,
                 np.random.default_rng(1))  # fmt: skip
    with pytest.raises(ValueError, match="drawn for this mix"):
        simulate_graphs(mixed, [replicate_csr(mixed, 1, 0, True)], [streams(1, 0)[1]],
                        populations=[other])  # fmt: skip


def test_a_range_of_programme_start_weeks_from_0_is_refused(tmp_path, capsys):
    config = tmp_path / "range.toml"
    config.write_text(
        'name = "r"\nseed = 1\nreplicates = 2\n[model]\nscenario = "market"\n'
        'intervention = "coaching"\n[design]\nkind = "lhs"\nsamples = 8\n'
        "[design.ranges]\ntreat_start = [0, 600]\n"
    )
    assert main(["check", str(config)]) == 2
    assert "design.ranges.treat_start starts at 0" in capsys.readouterr().err


def test_a_programme_for_a_single_seeker_is_refused():
    with pytest.raises(ConfigError, match="applies to the market scenario only"):
        Params.from_dict({"intervention": "coaching"})


def test_a_bad_programme_in_a_config_exits_2_with_one_line(tmp_path, capsys):
    config = tmp_path / "programme.toml"
    config.write_text(
        'name = "p"\nseed = 1\nreplicates = 2\n[model]\nscenario = "market"\n'
        'intervention = "job-club"\nbonus_logit = 1.5\n'
        '[design]\nkind = "strategies"\nstrategies = ["vague-gloomy"]\n'
    )
    assert main(["check", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bonus_logit=1.5 has no effect" in err
