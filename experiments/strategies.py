"""Study 1: the post's four strategies and the help-banker, single seeker, 26 weeks.

Config: configs/strategies.toml (the one `make run` runs). Common random numbers: replicate r of
every strategy meets the same network and the same luck, so differences are paired.
"""

from sim.analysis.strategies import strategy_table
from sim.studies import plots, study

CONFIG = "configs/strategies.toml"


def run(args):
    table = study.sweep_config(CONFIG, args)
    print("\n".join(strategy_table(table, 26, paired=True)))  # configs/strategies.toml: common
    fig, axes = plots.figure(ncols=2)
    plots.strategy_comparison(table, axes)
    study.save(fig, "strategies", args)
    fig, (left, right) = plots.figure(nrows=2)
    plots.survival(table, left)
    plots.answer_mix(table, right)
    study.save(fig, "strategies-survival-answers", args)

    by = dict(list(table.groupby("strategy")))
    print("hires through close / regular / distant ties: " + ", ".join(
        f"{t} {study.percent(*s)}" for t, s in plots.tie_shares(table).items()))  # fmt: skip
    print("mean contacts asked: " + ", ".join(
        f"{n} {rows.total_asks.mean():.1f}" for n, rows in by.items()))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
