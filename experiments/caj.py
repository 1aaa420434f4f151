"""Study 7: simulated against exact long-run unemployment per person, both engines.

Config: experiments/caj.toml (four small graphs, levers off). The Numba core runs every
replicate; the Mesa reference a fifth of them (it is ~100 times slower per person-week).
Each person's simulated value is the mean over replicates of the share of 20,000 weeks they
ended unemployed, with a t interval; the exact value is from ``sim.model.exact``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import stats
from sim.model.exact import isolated_unemployment, long_run_unemployment
from sim.model.runs import replicate_graph
from sim.model.runs import run as simulate
from sim.studies import plots, study


def run(args):
    experiment = study.experiment("experiments/caj.toml", args)
    rows = []
    for point in experiment.points():
        params = point.params(experiment.base())
        graph = replicate_graph(params, experiment.seed, 0, same_graph=True)
        exact = long_run_unemployment(graph, params.arrival_rate, params.separation_rate)
        for engine, replicates in (("numba", experiment.replicates),
                                   ("mesa", max(2, experiment.replicates // 5))):  # fmt: skip
            runs = simulate(params, replicates, experiment.seed, engine, same_graph=True)
            share = runs.unemployment_by_node()
            for node in range(len(exact)):
                mean, low, high = stats.mean_interval(share[:, node])
                rows.append({"graph": Path(params.graph_file).stem, "node": node,
                             "engine": engine, "exact": exact[node], "simulated": mean,
                             "low": low, "high": high})  # fmt: skip
    nodes = pd.DataFrame(rows)
    fig, ax = plots.figure()
    plots.caj_validation(nodes, ax)
    study.save(fig, "caj", args)

    a, b = experiment.base()["arrival_rate"], experiment.base()["separation_rate"]
    print(f"isolated person, closed form b / (b + a(1 - b)): {isolated_unemployment(a, b):.4f}")
    for engine, group in nodes.groupby("engine"):
        error = (group.simulated - group.exact).abs()
        covered = ((group.low <= group.exact) & (group.exact <= group.high)).mean()
        print(f"  {engine}: {len(group)} people on {group.graph.nunique()} graphs; largest "
              f"|simulated - exact| {100 * error.max():.3f} points, median "
              f"{100 * np.median(error):.3f}; exact value inside the 95% interval for "
              f"{covered:.0%}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
