"""How often the calibration's 90% posterior interval covers known parameters (synthetic data).

The setting of tests/test_calibration.py: a market of 300 people (5 years after a 5-year
burn-in) at arrival_rate = 0.3, separation_rate = 0.006; targets are four moments' means over
16 markets there, each with one market's standard deviation as its tolerance. Repeated N times,
each time with data of its own (16 other markets) and its own root seed; the script prints how
often each parameter's 90% interval (population 100, 4 generations) holds the truth and the
mean width ratio: the coverage that gives the recovery test's false-failure rate.
``--quick``: N = 4.
"""

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.calibration import MarketSimulator, calibrate
from sim.studies import study

SMALL = {"scenario": "market", "n_nodes": 300, "weeks": 520, "burn_in": 260}
TRUTH = {"arrival_rate": 0.3, "separation_rate": 0.006}
MOMENTS = ("unemployment_rate", "exit_hazard", "share_via_contacts", "mean_elapsed_weeks")


def targets_text(rows: list[dict]) -> str:
    return "".join(
        f'[[target]]\nname = "{m}"\nvalue = {float(np.mean([r[m] for r in rows]))!r}\n'
        f"tolerance = {float(np.std([r[m] for r in rows], ddof=1))!r}\n"
        f'source = "simulated"\nrole = "fit"\n'
        for m in MOMENTS
    )


def run(args):
    seeds = range(1, 5 if args.quick else 21)
    simulator = MarketSimulator(SMALL)
    hits, ratios = {n: 0 for n in TRUTH}, {n: [] for n in TRUTH}
    model = "".join(f"{k} = {json.dumps(v)}\n" for k, v in SMALL.items())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for seed in seeds:
            # each repetition has data of its own (16 markets at the truth) and its own sampler
            # seed: how often the interval covers the truth over data sets, as coverage means
            data = [simulator.simulate(TRUTH, 1000 * seed + i) for i in range(16)]
            (folder / f"t{seed}.toml").write_text(targets_text(data))
            config = folder / f"c{seed}.toml"
            config.write_text(
                f'seed = {seed}\ntargets = "t{seed}.toml"\n[model]\n{model}[priors]\n'
                "arrival_rate = [0.05, 0.8]\nseparation_rate = [0.001, 0.02]\n[abc]\n"
                "population_size = 100\ngenerations = 4\npredictive_draws = 20\n"
            )
            out = calibrate(str(config), results=str(folder / "r"), workers=args.workers,
                            stream=io.StringIO(), force=True)  # fmt: skip
            summary = pd.read_csv(out / "summary.csv").set_index("parameter")
            for name, truth in TRUTH.items():
                row = summary.loc[name]
                hits[name] += int(row.posterior_q05 <= truth <= row.posterior_q95)
                ratios[name].append(row.width_ratio)
    n = len(seeds)
    print(f"{n} calibrations, each on its own synthetic data (seeds {seeds[0]}-{seeds[-1]}):")
    for name in TRUTH:
        print(f"  {name}: 90% interval covers the truth in {hits[name]} of {n}; "
              f"width ratio {np.mean(ratios[name]):.2f} on average "
              f"(largest {np.max(ratios[name]):.2f})")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
