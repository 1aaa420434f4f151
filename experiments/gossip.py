"""Study 5: gossip out of earshot: what spreading pity costs, and whether positivity undoes it.

Config: experiments/gossip.toml (6 gossip rates x 3 positivities, common random numbers: each
replicate is the same network and luck at every gossip rate, so differences are paired).
"""

from sim.studies import plots, study

CONFIG = "experiments/gossip.toml"


def run(args):
    table = study.sweep_config(CONFIG, args)
    fig, (left, right) = plots.figure(nrows=2)
    plots.effect(table, left, x="gossip_rate", outcome="hired", by="positivity")
    left.set_title("Share hired by week 26")
    plots.effect(table, right, x="gossip_rate", outcome="share_action", by="positivity")
    right.set_title("Answers that were action")
    right.get_legend().remove()
    study.save(fig, "gossip", args)

    top = table.gossip_rate.max()
    print(f"gossip_rate {top:g} against 0, paired over replicates (95% bootstrap):")
    for positivity, rows in table.groupby("positivity"):
        loud = rows[rows.gossip_rate == top]
        hired, weeks = study.paired(loud, rows[rows.gossip_rate == 0])
        pity = loud.total_gossip_pity.mean()
        print(f"  positivity {positivity:g}: {hired}, {weeks}; {pity:.1f} pity tellings per run")


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
