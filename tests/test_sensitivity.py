"""Sensitivity analysis: SALib's indices, checked against closed forms and an inert parameter."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.experiment.config import parse_config
from sim.experiment.sensitivity import NEEDED, analyse, format_indices
from sim.experiment.sweep import sweep


def design(kind, samples):
    return parse_config(
        f'seed = 3\nreplicates = 2\n[design]\nkind = "{kind}"\nsamples = {samples}\n'
        "[design.ranges]\nspecificity = [0.0, 1.0]\npositivity = [0.0, 1.0]\n"
    )


def linear_runs(experiment, a=1.0, b=2.0):
    """Runs whose outcome is a * specificity + b * positivity, replicates in shuffled order."""
    rows = []
    for point in experiment.points():
        y = a * point.values["specificity"] + b * point.values["positivity"]
        for _ in range(experiment.replicates):
            rows.append(
                {name: 0 for name in NEEDED} | {"point": point.index, "mean_unemployment": y}
            )
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_sobol_indices_of_a_linear_model_match_the_closed_form():
    # y = x1 + 2 x2, x uniform on [0, 1]: V1 = 1/12, V2 = 4/12, so S1 = ST = 0.2 and 0.8.
    experiment = design("sobol", 1024)
    indices = analyse(linear_runs(experiment), experiment).set_index("parameter")
    assert list(indices.outcome.unique()) == ["mean_unemployment"]  # constant outcomes left out
    for name, exact in (("specificity", 0.2), ("positivity", 0.8)):
        # the Saltelli/Jansen estimators at N = 1024 are within 0.03 of exact for this model
        assert indices.loc[name, "S1"] == pytest.approx(exact, abs=0.03)
        assert indices.loc[name, "ST"] == pytest.approx(exact, abs=0.03)
        assert 0 < indices.loc[name, "S1_conf"] < 0.1


def test_morris_elementary_effects_of_a_linear_model_are_its_slopes():
    experiment = design("morris", 20)
    indices = analyse(linear_runs(experiment), experiment).set_index("parameter")
    assert indices.loc["specificity", "mu_star"] == pytest.approx(1.0, abs=1e-9)
    assert indices.loc["positivity", "mu_star"] == pytest.approx(2.0, abs=1e-9)
    assert indices["sigma"].abs().max() < 1e-9
    assert "mu*" in format_indices(indices.reset_index())


@pytest.mark.parametrize(("low", "high", "levels"), [(0, 1, 4), (1, 4, 4), (1, 2, 8), (0, 5, 6)])
def test_morris_effects_of_whole_number_parameters_are_per_their_range(low, high, levels):
    # y = 0.1 * asks_per_week + 2 * positivity: per share of its range, asks_per_week's effect
    # is 0.1 * (high - low) on any grid of levels (SALib's own step would inflate it by
    # m (p - 1) / (p (m - 1)) for m whole numbers on p levels: 1.5 for [0, 1] on 4 levels).
    experiment = parse_config(
        f'seed = 3\nreplicates = 1\n[design]\nkind = "morris"\nsamples = 20\nlevels = {levels}\n'
        f"[design.ranges]\nasks_per_week = [{low}, {high}]\npositivity = [0.0, 1.0]\n"
    )
    rows = [
        {name: 0 for name in NEEDED}
        | {"point": p.index,
           "mean_unemployment": 0.1 * p.values["asks_per_week"] + 2 * p.values["positivity"]}
        for p in experiment.points()
    ]  # fmt: skip
    indices = analyse(pd.DataFrame(rows), experiment).set_index("parameter")
    assert indices.loc["asks_per_week", "mu_star"] == pytest.approx(0.1 * (high - low), abs=1e-9)
    assert indices.loc["asks_per_week", "mu"] == pytest.approx(0.1 * (high - low), abs=1e-9)
    assert indices.loc["positivity", "mu_star"] == pytest.approx(2.0, abs=1e-9)
    assert indices["sigma"].abs().max() < 1e-9


SWEEP = """
name = "inert"
seed = 8
replicates = 40
random_numbers = "common"
[model]
scenario = "single"
weeks = 26
[design]
kind = "sobol"
samples = 16
[design.ranges]
specificity = [0.0, 1.0]
positivity = [0.0, 1.0]
separation_rate = [0.0, 0.05]
"""


def test_an_inert_parameter_gets_exactly_zero_under_common_random_numbers(tmp_path):
    # The single-seeker scenario has no separations, so separation_rate cannot matter; with
    # common random numbers every point's replicate r makes the same draws, so its estimated
    # effects are exactly 0 (with independent streams they would be noise, not 0).
    config = tmp_path / "inert.toml"
    config.write_text(SWEEP)
    folder = sweep(str(config), str(tmp_path), batch_size=500, progress=io.StringIO())
    indices = pd.read_csv(folder / "sensitivity.csv")
    assert list(indices.columns) == ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert {"hired", "weeks_searching", "share_action"} <= set(indices.outcome)
    inert = indices[indices.parameter == "separation_rate"]
    assert np.abs(inert[["S1", "ST"]].to_numpy()).max() < 1e-12
    levers = indices[indices.parameter != "separation_rate"].groupby("outcome").ST.max()
    assert (levers > 0.1).all()


def test_outcomes_left_out_are_named_and_no_library_warning_reaches_the_user(tmp_path):
    # 13-dropped-outcomes.toml: asks_per_week = [0, 3] leaves shares of answers undefined where
    # nobody asks. Of Sobol's 8 x (2 x 2 + 2) = 48 points exactly 12 ask nobody: 0 owns a
    # quarter of [0, 4), the 8 base samples put exactly 2 of 8 there in each of the A and B
    # columns (a (0, 3, 1)-net), and each column is asks_per_week in 3 of a base sample's 6 rows.
    config = tmp_path / "nan.toml"
    config.write_text(
        'name = "nan"\nseed = 3\nreplicates = 4\nrandom_numbers = "common"\n[model]\n'
        'weeks = 8\n[design]\nkind = "sobol"\nsamples = 8\n[design.ranges]\n'
        "asks_per_week = [0, 3]\ngossip_rate = [0.0, 0.5]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(config), "--results", str(tmp_path), "--workers",
         "1"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for outcome in ("share_action", "share_sympathy"):
        assert (
            f"left out of the Sobol analysis: {outcome}, undefined at 12 of 48 design points "
            "(no asks were made there)"
        ) in lines
    hires = [line for line in lines if "hires_via_contacts" in line]
    assert len(hires) == 1 and hires[0].endswith("design points (nobody was hired there)")
    assert "site-packages" not in result.stderr and "Warning:" not in result.stderr
    assert [line for line in result.stderr.splitlines() if "warning" in line.lower()] == []
    indices = pd.read_csv(tmp_path / "nan" / "sensitivity.csv")
    assert set(indices.outcome) == {"hired", "weeks_searching", "mean_unemployment"}


def test_a_constant_outcome_is_named_with_its_value():
    experiment = design("sobol", 8)
    left_out = []
    from sim.experiment.sensitivity import point_outcomes

    frame = linear_runs(experiment)
    outcomes = point_outcomes(frame, experiment.design.count(), left_out)
    assert list(outcomes.columns) == ["mean_unemployment"]
    assert ("hired", "the same at every design point (0): no variance") in left_out


def test_salib_warnings_become_notes_of_ours(monkeypatch):
    # as when a varying outcome has no spread in some bootstrap resample
    import warnings

    from SALib.analyze import sobol

    real = sobol.analyze

    def noisy(*args, **kwargs):
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sobol, "analyze", noisy)
    experiment = design("sobol", 64)
    notes = []
    analyse(linear_runs(experiment), experiment, notes)
    said = [note for note in notes if not note.startswith("left out of")]
    assert said == [  # in our words, once per outcome and message
        "mean_unemployment: some bootstrap resamples had no spread, so an index or its interval "
        "is undefined (nan); more samples or replicates help"
    ]
