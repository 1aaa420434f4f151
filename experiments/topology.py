"""Study 6: the same strategies on the graph families and on real social networks.

Config: experiments/topology.toml (7 networks x 4 strategies, everyone in the market using the
strategy; common random numbers within a network).
"""

from sim.analysis import stats
from sim.studies import plots, study

CONFIG = "experiments/topology.toml"
NAMES = {(0.1, 0.1): "vague-gloomy", (0.1, 0.9): "vague-positive",
         (0.9, 0.1): "specific-gloomy", (0.9, 0.9): "specific-positive"}  # fmt: skip


def run(args):
    table = study.sweep_config(CONFIG, args)
    table["strategy"] = [NAMES[k] for k in zip(table.specificity, table.positivity, strict=True)]
    fig, ax = plots.figure(ncols=1)
    plots.effect(table, ax, x="graph", outcome="unemployment_rate", by="strategy")
    ax.set_title("Unemployment by network and strategy (everyone uses it)")
    study.save(fig, "topology", args)

    print("specific-positive minus vague-gloomy unemployment, paired (95% bootstrap):")
    for graph, rows in table.groupby("graph", sort=False):
        best = rows[rows.strategy == "specific-positive"].sort_values("replicate")
        worst = rows[rows.strategy == "vague-gloomy"].sort_values("replicate")
        level = stats.mean_interval(worst.unemployment_rate)
        gap = stats.paired_difference(best.unemployment_rate, worst.unemployment_rate)
        print(f"  {graph:<16} vague-gloomy {study.percent(*level)}; "
              f"difference {study.points(*gap)}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
