"""Study 3a: the help bank of one seeker: the share hired against favours banked beforehand.

Config: experiments/favours.toml (6 bank sizes x 2 positivities, common random numbers).
"""

from sim import plots, stats, study

CONFIG = "experiments/favours.toml"


def run(args):
    table = study.sweep_config(CONFIG, args)
    fig, (top, bottom) = plots.figure(nrows=2)
    plots.effect(table, top, x="banked_favours", outcome="hired", by="positivity")
    top.set_title("The help bank: share hired by week 26")
    plots.effect(table, bottom, x="banked_favours", outcome="share_action", by="positivity")
    bottom.set_title("Answers that were action")
    bottom.get_legend().remove()
    study.save(fig, "favours", args)

    most = table.banked_favours.max()
    print(f"{most} favours against none, paired over replicates (95% bootstrap):")
    for positivity, rows in table.groupby("positivity"):
        none = rows[rows.banked_favours == 0].sort_values("replicate")
        full = rows[rows.banked_favours == most].sort_values("replicate")
        hired = stats.paired_difference(full.weeks_to_offer > 0, none.weeks_to_offer > 0)
        weeks = stats.paired_difference(full.weeks_run, none.weeks_run)
        print(f"  positivity {positivity:g}: hired {study.points(*hired)}, weeks searching "
              f"{weeks[0]:+.2f} ({weeks[1]:+.2f} to {weeks[2]:+.2f})")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
