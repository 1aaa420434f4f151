"""Study 3: the help bank over a career: help-bankers against the rest, and the inequality of
unemployment (beside its no-network null), in a labour market at steady state.

Config: experiments/career.toml. Uses ``sim.model.runs.run`` (one Runs per design point) because the
comparison needs each person's weeks unemployed and whether they were a help-banker.
"""

import numpy as np
import pandas as pd

from sim.analysis import market, stats
from sim.model.runs import run as simulate
from sim.studies import plots, study


def run(args):
    experiment = study.experiment("experiments/career.toml", args)
    rows, people = [], []
    for point in experiment.points():
        params = point.params(experiment.base())
        runs = simulate(params, experiment.replicates, experiment.seed)  # common random numbers
        share = runs.unemployment_by_node()  # (replicates, people), over the window
        # Bankers against the rest among the nodes whose week-0 person stayed the whole run: an
        # entrant's habit is drawn afresh, so a replaced node's weeks mix two people.
        banker, kept = runs.is_banker(), ~runs.was_replaced()
        null = market.outcomes(runs)["gini_unemployment_null"]
        for r in range(experiment.replicates):
            rows.append({"help_banker_share": params.help_banker_share,
                         "mean_unemployment": share[r].mean(), "gini": stats.gini(share[r]),
                         "gini_null": null[r],
                         "stayed": kept[r].mean(),
                         "bankers": share[r][banker[r] & kept[r]].mean()
                         if (banker[r] & kept[r]).any() else np.nan,
                         "rest": share[r][~banker[r] & kept[r]].mean()})  # fmt: skip
        if params.help_banker_share == 0.2:
            people = pd.DataFrame(
                {
                    "unemployment": share[kept],
                    "group": np.where(banker[kept], "help-bankers", "the rest"),
                }
            )
    table = pd.DataFrame(rows)
    fig, (left, right) = plots.figure(nrows=2)
    plots.unemployment_by_group(people, left)
    left.set_title("A fifth are help-bankers")
    plots.effect(table, right, x="help_banker_share", outcome="mean_unemployment")
    right.set_title("Unemployment and the habit's spread")
    study.save(fig, "career", args)

    base = experiment.base()
    first = experiment.points()[0].params(base)
    print(f"{experiment.replicates} markets of {first.n_nodes} people on '{first.graph}', "
          f"{first.weeks} weeks, measured after a {first.burn_in}-week burn-in;"
          " 95% intervals over markets (t, or paired bootstrap)")  # fmt: skip
    for share, group in table.groupby("help_banker_share"):
        mean, gini = stats.mean_interval(group.mean_unemployment), stats.mean_interval(group.gini)
        null = stats.mean_interval(group.gini_null)
        line = (f"  help_banker_share {share:g}: unemployment {study.percent(*mean, 2)}, "
                f"Gini {gini[0]:.3f} ({gini[1]:.3f} to {gini[2]:.3f}; no-network null "
                f"{null[0]:.3f})")  # fmt: skip
        if share > 0:
            gap = stats.paired_difference(group.bankers, group.rest)
            line += (f"; bankers minus the rest {study.points(*gap, 2)} (the "
                     f"{group.stayed.mean():.0%} of people who stayed all 20 years)")  # fmt: skip
        print(line)
    none = table[table.help_banker_share == 0].mean_unemployment.to_numpy()
    for share in (0.2, 0.5):
        other = table[table.help_banker_share == share].mean_unemployment.to_numpy()
        print(f"  unemployment at {share:g} minus at 0: "
              f"{study.points(*stats.paired_difference(other, none), 2)}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
