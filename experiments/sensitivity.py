"""Study 8: which unmeasured assumptions the single seeker's outcomes are sensitive to.

Config: configs/sobol.toml (Saltelli's Sobol design over six rule strengths no study has
measured, common random numbers). SALib's indices with 95% bootstrap intervals, per outcome.
"""

import pandas as pd

from sim.studies import plots, study

CONFIG = "configs/sobol.toml"


def run(args):
    folder = study.sweep_config(CONFIG, args).attrs.get("folder")
    indices = pd.read_csv(folder / "sensitivity.csv")
    outcomes = ["hired", "weeks_searching"]
    fig, axes = plots.figure(nrows=len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=True):
        plots.sensitivity_indices(indices, ax, outcome)
    study.save(fig, "sensitivity", args)

    print("total-order Sobol indices ST (95% bootstrap half-width), largest first:")
    for outcome in outcomes:
        rows = indices[indices.outcome == outcome].sort_values("ST", ascending=False)
        shown = [f"{r.parameter} {r.ST:.2f} (+/-{r.ST_conf:.2f}; S1 {r.S1:.2f})"
                 for r in rows.itertuples()]  # fmt: skip
        print(f"  {outcome}: " + ", ".join(shown))


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
