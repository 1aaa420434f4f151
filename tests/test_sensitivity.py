"""Sensitivity analysis: SALib's indices, checked against closed forms and an inert parameter."""

import io

import numpy as np
import pandas as pd
import pytest

from sim.config import parse_config
from sim.sensitivity import NEEDED, analyse, format_indices
from sim.sweep import sweep


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
