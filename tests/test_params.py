import pytest

from sim.model.params import PRESETS, ConfigError, Params, preset


def test_defaults_are_valid_and_documented():
    params = Params.from_dict({})
    assert params == Params()
    for name, spec in Params.specs().items():
        assert spec.doc and spec.unit, name
        value = getattr(params, name)
        if spec.choices is None and not isinstance(value, str):
            assert spec.low <= value <= spec.high, name


def test_unknown_parameter_is_named_with_a_suggestion():
    with pytest.raises(
        ConfigError, match=r"unknown parameter 'positivty' \(did you mean 'positivity'"
    ):
        Params.from_dict({"positivty": 0.5})


@pytest.mark.parametrize(
    ("name", "value", "pattern"),
    [
        ("specificity", 1.5, r"specificity=1.5 is out of range; allowed: a number in \[0, 1\]"),
        ("arrival_rate", -0.1, "out of range"),
        ("asks_per_week", 2.5, "must be a whole number"),
        ("positivity", "high", "is not a number"),
        ("positivity", float("nan"), "is not a number"),
        ("scenario", "village", "allowed: one of single, market"),
        ("baseline", "maybe", "allowed: true or false"),
        # the same kinds at pydantic's edges: a whole number too large for its parser, an
        # infinity, a switch spelt as a float or a letter, bytes for a path, True as a number
        ("weeks", 1e300, r"weeks=1e\+300 is out of range; allowed: a number in \[1, 10,000,000\]"),
        ("weeks", 10**30, "is out of range"),
        ("weeks", float("inf"), "weeks=inf must be a whole number"),
        ("baseline", 1.0, r"baseline=1.0 is not allowed; allowed: true or false"),
        ("baseline", "f", "allowed: true or false"),
        ("graph_file", b"x.csv", r"graph_file=b'x.csv' is not allowed; allowed: any text"),
        ("positivity", True, r"positivity=True is not a number; allowed: a number in \[0, 1\]"),
        ("weeks", None, "weeks=None is not a number"),
        ("graph", 5, "graph=5 is not allowed; allowed: one of personal, "),
    ],
)
def test_bad_values_give_one_line_naming_the_problem(name, value, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        Params.from_dict({name: value})
    assert "\n" not in str(info.value)


def test_strings_from_the_command_line_are_coerced():
    params = Params.from_dict({"specificity": "0.8", "weeks": "52", "baseline": "true"})
    assert (params.specificity, params.weeks, params.baseline) == (0.8, 52, True)
    assert isinstance(params.weeks, int)


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("weeks", "1e3", 1000),
        ("weeks", "52.0", 52),
        ("weeks", 52.0, 52),
        ("baseline", " Yes ", True),
        ("baseline", "off", False),
        ("baseline", 0, False),
        ("positivity", "0.25", 0.25),
        ("positivity", 1, 1.0),
    ],
)
def test_each_accepted_spelling_is_read_as_the_value_it_names(name, value, read):
    got = getattr(Params.from_dict({name: value}), name)
    assert got == read and type(got) is type(read)


def test_joint_rules_are_checked():
    with pytest.raises(ConfigError, match="recognise_specific"):
        Params.from_dict({"recognise_vague": 0.8, "recognise_specific": 0.2})
    with pytest.raises(ConfigError, match="hire_intro"):
        Params.from_dict({"hire_intro": 0.1, "hire_lead": 0.5})
    with pytest.raises(ConfigError, match="at most 1"):
        Params.from_dict({"share_close": 0.7, "share_regular": 0.7})
    with pytest.raises(ConfigError, match="graph_file"):
        Params.from_dict({"graph": "file"})


def test_presets_cover_the_four_strategies_and_the_help_banker():
    for name in ("vague-gloomy", "vague-positive", "specific-gloomy", "specific-positive"):
        values = preset(name)
        assert (values["specificity"] > 0.5) == name.startswith("specific")
        assert (values["positivity"] > 0.5) == name.endswith("positive")
    assert preset("help-banker")["banked_favours"] > 0
    for name in PRESETS:
        Params.from_dict({}, strategy=name)
    with pytest.raises(ConfigError, match="unknown strategy 'hopeful'; allowed: vague-gloomy"):
        Params.from_dict({}, strategy="hopeful")


def test_explicit_values_override_a_preset():
    params = Params.from_dict({"positivity": 0.3}, strategy="specific-positive")
    assert (params.specificity, params.positivity) == (0.9, 0.3)


def test_a_market_alone_gets_the_market_defaults():
    market = Params.from_dict({"scenario": "market"})
    assert (market.graph, market.weeks, market.burn_in) == ("holme-kim", 1040, 520)
    assert market.credit_decay == pytest.approx(1 - 0.5 ** (1 / 52), abs=1e-4)  # a year's half-life
    assert Params.defaults("market")["graph"] == "holme-kim"
    single = Params.from_dict({})
    assert (single.graph, single.weeks, single.burn_in, single.credit_decay) == (
        "personal",
        26,
        0,
        0.0,
    )
    # values the user gives win over the scenario's defaults
    assert Params.from_dict({"scenario": "market", "graph": "karate"}).graph == "karate"


def test_changing_the_scenario_brings_its_defaults_but_keeps_what_was_set():
    market = Params().replace(scenario="market")
    assert (market.graph, market.burn_in) == ("holme-kim", 520)
    back = market.replace(scenario="single")
    assert (back.graph, back.weeks, back.burn_in) == ("personal", 26, 0)
    custom = Params.from_dict({"graph": "karate", "weeks": 40}).replace(
        scenario="market", burn_in=10
    )
    assert (custom.graph, custom.weeks, custom.burn_in) == ("karate", 40, 10)


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (
            {"scenario": "market", "weeks": 100},
            r"weeks=100 leaves no measuring window after the market's default burn_in of 520",
        ),
        ({"scenario": "market", "weeks": 100, "burn_in": 100}, r"burn_in \(100\) must be below"),
        ({"burn_in": 5}, "burn_in=5 applies to the market scenario only"),
        ({"tie_strength": "weight"}, "tie_strength='weight' is not allowed; allowed: one of"),
    ],
)
def test_a_window_that_cannot_be_measured_is_refused(values, pattern):
    with pytest.raises(ConfigError, match=pattern):
        Params.from_dict(values)


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        ({"exit_rate": 0.01}, "exit_rate=0.01 has no effect: a single seeker has no demography"),
        (
            {"scenario": "market", "baseline": True, "entrant_unemployed": 0.5},
            "entrant_unemployed=0.5 has no effect: baseline turns off demography",
        ),
        (
            {"scenario": "market", "graph": "communities", "n_nodes": 20},
            r"community_size \(25\) must be below n_nodes \(20\)",
        ),
    ],
)
def test_parameters_that_could_have_no_effect_are_refused(values, pattern):
    with pytest.raises(ConfigError, match=pattern):
        Params.from_dict(values)
    # at their defaults they are simply not used
    assert Params.from_dict({"scenario": "market", "baseline": True}).exit_rate > 0


def test_joint_names_every_parameter_the_rules_read_together():
    # sim.experiment.config checks a design over combinations of JOINT alone: a rule reading a
    # parameter left out of it would let a bad combination through to the middle of a sweep
    import inspect
    import re

    from sim.model.params import DEMOGRAPHY, JOINT

    source = inspect.getsource(Params._check_joint) + inspect.getsource(Params.from_dict)
    read = set(re.findall(r"\b(?:self|params)\.([a-z_]+)\b", source)) & set(Params.specs())
    assert read >= {"recognise_vague", "hire_intro", "burn_in", "graph_file"}  # the regex works
    # the scenario matters through the defaults it brings, which the rules then read
    assert read | set(DEMOGRAPHY) | {"scenario"} <= JOINT <= set(Params.specs())


def test_check_value_checks_one_value_alone():
    from sim.model.params import check_value

    assert check_value("burn_in", "10") == 10  # alone, not against a single seeker's rule
    with pytest.raises(ConfigError, match="positivity=2 is out of range"):
        check_value("positivity", 2)
