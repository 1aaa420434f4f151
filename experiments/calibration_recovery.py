"""How often the calibration's 90% posterior interval covers known parameters (synthetic data).

The setting of tests/test_calibration.py: a market of 300 people (5 years after a 5-year
burn-in) at arrival_rate = 0.3, separation_rate = 0.006; targets are four moments' means over
16 markets there, each with one market's standard deviation as its tolerance. The calibration
(population 100, 4 generations) is repeated with root seeds 1..N; the script prints how often
each parameter's 90% interval holds the truth and the mean width ratio. This is the measured
false-failure rate of the recovery test. ``--quick``: N = 4.
"""

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim import study
from sim.calibration import MarketSimulator, calibrate

SMALL = {"scenario": "market", "n_nodes": 300, "weeks": 520, "burn_in": 260}
TRUTH = {"arrival_rate": 0.3, "separation_rate": 0.006}
MOMENTS = ("unemployment_rate", "exit_hazard", "share_via_contacts", "mean_elapsed_weeks")


def run(args):
    seeds = range(1, 5 if args.quick else 21)
    simulator = MarketSimulator(SMALL)
    rows = [simulator.simulate(TRUTH, seed) for seed in range(1000, 1016)]
    hits, ratios = {n: 0 for n in TRUTH}, {n: [] for n in TRUTH}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "targets.toml").write_text("".join(
            f'[[target]]\nname = "{m}"\nvalue = {float(np.mean([r[m] for r in rows]))!r}\n'
            f"tolerance = {float(np.std([r[m] for r in rows], ddof=1))!r}\n"
            f'source = "simulated"\nrole = "fit"\n'
            for m in MOMENTS
        ))  # fmt: skip
        model = "".join(f"{k} = {json.dumps(v)}\n" for k, v in SMALL.items())
        for seed in seeds:
            config = folder / f"c{seed}.toml"
            config.write_text(
                f'seed = {seed}\ntargets = "targets.toml"\n[model]\n{model}[priors]\n'
                "arrival_rate = [0.05, 0.8]\nseparation_rate = [0.001, 0.02]\n[abc]\n"
                "population_size = 100\ngenerations = 4\npredictive_draws = 20\n"
            )
            out = calibrate(str(config), results=str(folder / "r"), workers=args.workers,
                            stream=io.StringIO())  # fmt: skip
            summary = pd.read_csv(out / "summary.csv").set_index("parameter")
            for name, truth in TRUTH.items():
                row = summary.loc[name]
                hits[name] += int(row.posterior_q05 <= truth <= row.posterior_q95)
                ratios[name].append(row.width_ratio)
    n = len(seeds)
    print(f"{n} calibrations on synthetic data (root seeds {seeds[0]}-{seeds[-1]}):")
    for name in TRUTH:
        print(f"  {name}: 90% interval covers the truth in {hits[name]} of {n}; "
              f"width ratio {np.mean(ratios[name]):.2f} on average "
              f"(largest {np.max(ratios[name]):.2f})")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
