"""Study 2: where the cost of a specific ask outweighs recognition, and how that moves with
positivity and with the (unmeasured) cost of narrowing the target.

Config: experiments/specificity.toml (11 specificities x 3 positivities x 3 fit costs, common
random numbers). The best specificity minimises mean weeks searching (runs not hired count 26).
"""

from sim.analysis import stats
from sim.studies import plots, study

CONFIG = "experiments/specificity.toml"


def run(args):
    table = study.sweep_config(CONFIG, args)
    costs = sorted(table.fit_cost.unique())
    fig, axes = plots.figure(ncols=len(costs))
    for ax, cost in zip(axes, costs, strict=True):
        plots.effect(table[table.fit_cost == cost], ax, x="specificity", outcome="weeks_searching",
                     by="positivity")  # fmt: skip
        ax.set_title(f"fit cost {cost:g}" + (" (default)" if cost == 0.3 else ""))
        if ax is not axes[0]:
            ax.set_ylabel("")
            ax.get_legend().remove()
    fig.suptitle("Weeks searching against specificity (lower is better; 26 = not hired)")
    study.save(fig, "specificity", args)

    levels = sorted(table.specificity.unique())
    print("best specificity (fewest weeks searching), 95% bootstrap interval over replicates:")
    for cost in costs:
        for positivity in sorted(table.positivity.unique()):
            rows = table[(table.fit_cost == cost) & (table.positivity == positivity)]
            matrix = rows.pivot(index="replicate", columns="specificity", values="weeks_run")
            best, low, high = stats.best_level(matrix.to_numpy())
            weeks = matrix.mean()
            at = {s: plots.outcome_interval(rows[rows.specificity == s], "hired")[:3]
                  for s in (0.0, levels[best], 1.0)}  # fmt: skip
            print(
                f"  fit_cost {cost:g}, positivity {positivity:g}: best {levels[best]:g} "
                f"({levels[low]:g} to {levels[high]:g}); weeks {weeks.iloc[0]:.1f} at 0, "
                f"{weeks.iloc[best]:.1f} at best, {weeks.iloc[-1]:.1f} at 1; hired "
                + ", ".join(f"{study.percent(*v, 0)} at {s:g}" for s, v in at.items())
            )


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
