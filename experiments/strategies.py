"""Study 1: the post's four strategies and the help-banker, single seeker, 26 weeks.

Config: configs/strategies.toml (the one `make run` runs). Common random numbers: replicate r of
every strategy meets the same network and the same luck, so differences are paired.
"""

import numpy as np

from sim import plots, stats, study
from sim.figures import strategy_table

CONFIG = "configs/strategies.toml"


def run(args):
    table = study.sweep_config(CONFIG, args)
    print(strategy_table(table))
    fig, axes = plots.figure(ncols=2)
    plots.strategy_comparison(table, axes)
    study.save(fig, "strategies", args)
    fig, (left, right) = plots.figure(nrows=2)
    plots.survival(table, left)
    plots.answer_mix(table, right)
    study.save(fig, "strategies-survival-answers", args)

    by = {name: rows.sort_values("replicate") for name, rows in table.groupby("strategy")}
    base = by["vague-gloomy"]
    print("\nPaired differences against vague-gloomy (same replicates), 95% bootstrap:")
    for name, rows in by.items():
        if name == "vague-gloomy":
            continue
        hired = stats.paired_difference(rows.weeks_to_offer > 0, base.weeks_to_offer > 0)
        weeks = stats.paired_difference(rows.weeks_run, base.weeks_run)
        print(
            f"  {name:<18} hired {study.points(*hired)}; "
            f"weeks searching {weeks[0]:+.2f} ({weeks[1]:+.2f} to {weeks[2]:+.2f})"
        )
    shares = {t: s for t, s in plots.tie_shares(table).items()}
    print("hires through close / regular / distant ties: " + ", ".join(
        f"{t} {study.percent(*s)}" for t, s in shares.items()))  # fmt: skip
    asks = {n: rows.total_asks.to_numpy() for n, rows in by.items()}
    print("mean contacts asked: " + ", ".join(f"{n} {np.mean(a):.1f}" for n, a in asks.items()))


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
