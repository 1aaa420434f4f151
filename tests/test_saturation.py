"""A saturation study's config (sim.experiment.saturation): read as written, or one line."""

import pytest

from sim.experiment.saturation import load, loads
from sim.model.params import ConfigError

GOOD = (
    'name = "s"\nseed = 1\nmarkets = 40\nshares = [0.5, 0.25]\n'
    'programmes = ["coaching", "job-club"]\n[model]\nscenario = "market"\n'
)


def test_a_good_config_is_read_as_written():
    study = loads(GOOD)
    assert (study.name, study.seed, study.markets) == ("s", 1, 40)
    assert study.shares == (0.0, 0.25, 0.5)  # the pure control is always run
    assert study.programmes == ("coaching", "job-club")
    assert study.quick().markets == 10 and study.quick().name == "s-quick"
    assert loads(GOOD.replace("markets = 40", "markets = 4")).quick().markets == 4


def test_a_programme_amount_applies_to_its_own_kind_only():
    study = loads(GOOD + "coaching_specificity = 0.1\n")
    assert study.params("coaching").coaching_specificity == 0.1
    assert study.params("job-club").intervention == "job-club"  # not refused for the club


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("shares = [0.5, 0.25]", "shares = [0]"),
            "shares=[0]; allowed: a list of numbers in [0, 1], one of them above 0",
        ),
        (("shares = [0.5, 0.25]", "shares = [1.5]"), "shares=[1.5]; allowed"),
        (("markets = 40", "markets = 1"), "markets=1; allowed: a whole number >= 2"),
        (("markets = 40", "markets = true"), "markets=True; allowed: a whole number >= 2"),
        (
            ('"job-club"]', '"job-club", "coach"]'),
            "programmes=['coaching', 'job-club', 'coach']; allowed",
        ),
        (('"job-club"]', '"job-club", "coaching"]'), "allowed: a list of distinct names"),
        (('scenario = "market"', 'scenario = "single"'), "[model] needs scenario = 'market'"),
        (
            ('scenario = "market"', 'scenario = "market"\ntreat_whom = "long-term"'),
            "[model] treat_whom='long-term'; allowed: 'random'",
        ),
        (
            ('scenario = "market"', 'scenario = "market"\ntreated_share = 0.2'),
            "[model] sets intervention or treated_share",
        ),
        (("seed = 1", "seed = 1\nreplicates = 3"), "unknown key 'replicates'"),
        (
            ('scenario = "market"', 'scenario = "market"\nweeks = 10'),
            "weeks=10 leaves no measuring window",
        ),
        (
            ("[model]", "[posterior]\nfile = 'nowhere.parquet'\n[model]"),
            "posterior.file='nowhere.parquet'; allowed: the path",
        ),
    ],
)
def test_a_bad_config_is_refused_in_one_line(change, message):
    with pytest.raises(ConfigError) as error:
        loads(GOOD.replace(*change))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_shipped_study_config_is_read():
    study = load("experiments/interventions.toml")
    assert study.shares == (0.0, 0.25, 0.5, 0.75, 1.0) and study.posterior is not None
    assert study.params("coaching").weeks == 572
