"""Study 10: who gains when some seekers are coached, join a job club or bring a referral bonus.

A randomised saturation design (sim.analysis.interventions) in the calibrated market: each of
``markets`` market seeds runs at every share of the eligible treated (common random numbers),
and each programme's effect on the treated, spillover on the untreated eligible and total
effect on unemployment are estimated against the pure control, with 95% intervals over markets.
Then the same at half treated over draws from the calibration's posterior (median, 90%
interval, P(effect < 0)). Config: experiments/interventions.toml; ``--quick``: a tenth of the
markets, 5 posterior draws of 4 markets.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import interventions, uncertainty
from sim.experiment.saturation import load
from sim.studies import plots, study

CONFIG = "experiments/interventions.toml"
SHOWN = ("effect on the treated", "spillover", "total")


def run(args):
    config = load(CONFIG)
    config = config.quick() if args.quick else config
    folder = Path(args.results) / config.name
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    for programme in config.programmes:
        params = config.params(programme)
        table = interventions.saturation(params, config.shares, config.markets, config.seed)
        tables.append(table.assign(programme=programme))
    effects = pd.concat(tables, ignore_index=True)
    effects.to_csv(folder / "effects.csv", index=False, float_format="%.6g")
    first = config.params(config.programmes[0])
    start = first.treat_start or first.burn_in + 1
    lasts = f"{first.treat_weeks} weeks" if first.treat_weeks else "to the end"
    print(f"{config.markets} markets of {first.n_nodes:,} people per share (calibrated market, "
          f"steady state); programmes start in week {start} and run {lasts}; outcome: points "
          f"of the {first.weeks - start + 1} "
          "follow-up weeks spent unemployed (negative: less unemployment), 95% intervals over "
          "markets")  # fmt: skip
    fig, axes = plots.figure(ncols=len(config.programmes))
    fig.set_figwidth(1.4 * fig.get_figwidth())
    for ax, (programme, table) in zip(np.atleast_1d(axes), effects.groupby("programme", sort=False),
                                      strict=True):  # fmt: skip
        plots.saturation_effects(table, ax, SHOWN)
        ax.set_title(programme)
        print(f"{programme}:")
        for share, rows in table.groupby("share"):
            row = rows.set_index("estimate")
            treated, controls = row.iloc[0].treated, row.iloc[0].controls
            print(f"  {100 * share:.0f}% treated ({treated:.1f} treated, {controls:.1f} "
                  "untreated eligible per market): " + "; ".join(
                      f"{name} {_interval(row.loc[name])}" for name in SHOWN))  # fmt: skip
    np.atleast_1d(axes)[0].legend(fontsize="small")
    study.save(fig, "interventions", args)
    print(f"wrote {folder / 'effects.csv'}")
    if config.posterior is not None:
        _over_posterior(config, args, folder)


def _over_posterior(config, args, folder):
    post = config.posterior
    particles = pd.read_parquet(post.file)
    draws = uncertainty.posterior_draws(particles, post.draws, config.seed)
    rows, over = [], {}
    for programme in config.programmes:
        per_draw = {name: [] for name in SHOWN}
        for k, draw in enumerate(draws):
            seed = int(np.random.SeedSequence([config.seed, k + 1]).generate_state(1)[0])
            params = config.params(programme, **draw)
            table = interventions.saturation(params, (0.0, post.share), post.markets, seed)
            effect = table.set_index("estimate").effect
            for name in SHOWN:
                per_draw[name].append(effect[name] / 100)
                rows.append({"programme": programme, "draw": k, **draw, "estimate": name,
                             "effect": effect[name]})  # fmt: skip
        for name in SHOWN:
            over[f"{programme}: {name}"] = np.array(per_draw[name])
    pd.DataFrame(rows).to_csv(folder / "posterior-effects.csv", index=False, float_format="%.6g")
    print(
        f"over the posterior ({post.draws} draws x {post.markets} paired markets, "
        f"{100 * post.share:.0f}% treated): median (90% interval), P(effect < 0)"
    )
    for label, values in over.items():
        s = uncertainty.summarize(values)
        print(f"  {label}: {100 * s['median']:+.2f} ({100 * s['low']:+.2f} to "
              f"{100 * s['high']:+.2f}), P(< 0) = {s['p_negative']:.2f}")  # fmt: skip
    fig, ax = plots.figure()
    fig.set_figheight(1.6 * fig.get_figheight())
    plots.effects_under_uncertainty(over, ax, label="points of follow-up weeks unemployed")
    ax.set_title(f"Programme effects at {100 * post.share:.0f}% treated, over the posterior")
    study.save(fig, "interventions-posterior", args)
    print(f"wrote {folder / 'posterior-effects.csv'}")


def _interval(row) -> str:
    if not np.isfinite(row.effect):
        return "none (an empty arm)"
    return f"{row.effect:+.2f} ({row.low:+.2f} to {row.high:+.2f})"


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
