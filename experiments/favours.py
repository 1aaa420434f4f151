"""Study 3a: the help bank of one seeker: the share hired against favours banked beforehand.

Config: experiments/favours.toml (6 bank sizes x 2 positivities, common random numbers).
"""

from sim.studies import plots, study

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
        hired, weeks = study.paired(
            rows[rows.banked_favours == most], rows[rows.banked_favours == 0]
        )
        print(f"  positivity {positivity:g}: {hired}, {weeks}")


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
