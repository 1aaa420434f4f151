"""Study 9: market effects under parameter uncertainty, over the calibration's posterior.

Each effect is the change in the unemployment rate of a calibrated market (1,000 people, steady
state) when everyone asks one way instead of another, or when a fifth of people keep the
help-banker habit instead of nobody, and, on each network of study 6 (200 people, or the real
network's size), everyone asking specific-positive instead of vague-gloomy. It is computed at
100 draws from the posterior of
``empathy-sim calibrate configs/calibrate-market.toml`` (shipped in docs/calibration/), each
over 20 paired markets (common random numbers), and beside it the Monte Carlo interval at the
calibrated point alone (200 paired markets), which is what a study at one point would report.
Uses ``sim.analysis.uncertainty``; ``--quick``: 5 draws of 2 markets, 10 at the point (a preview).
"""

from pathlib import Path

import pandas as pd

from sim.analysis import uncertainty
from sim.model.params import PRESETS
from sim.studies import plots, study

POSTERIOR = Path("docs/calibration/posterior.parquet")
BASE = {"scenario": "market", "n_nodes": 1000}
SEED = 20261203
VG, SP = PRESETS["vague-gloomy"], PRESETS["specific-positive"]
EFFECTS = {  # label: (arm A, arm B, the base's changes); the effect is B minus A
    "specific-positive vs vague-gloomy": (VG, SP, {}),
    "positive vs gloomy (vague asks)": (VG, PRESETS["vague-positive"], {}),
    "specific vs vague (gloomy asks)": (VG, PRESETS["specific-gloomy"], {}),
    "a fifth help-bankers vs none": ({"help_banker_share": 0.0}, {"help_banker_share": 0.2}, {}),
    "half help-bankers vs none": ({"help_banker_share": 0.0}, {"help_banker_share": 0.5}, {}),
}
# Study 6's networks (experiments/topology.toml): specific-positive against vague-gloomy.
NETWORKS = ("erdos-renyi", "watts-strogatz", "barabasi-albert", "holme-kim", "communities",
            "karate", "florentine", "les-miserables", "davis")  # fmt: skip
# generated families at 200 people; the real networks (karate ...) at their own size
TOPOLOGY = {f"on {g}": (VG, SP, {"graph": g, "n_nodes": 200}) for g in NETWORKS}


def run(args):
    draws_k, replicates, at_point = (5, 2, 10) if args.quick else (100, 20, 200)
    particles = pd.read_parquet(POSTERIOR)
    names = [c for c in particles.columns if c not in ("weight", "distance", "generation")]
    draws = uncertainty.posterior_draws(particles, draws_k, SEED)
    folder = Path(args.results) / ("posterior-effects" + ("-quick" if args.quick else ""))
    folder.mkdir(parents=True, exist_ok=True)
    over, point, rows = {}, {}, []
    for i, (label, (a, b, extra)) in enumerate({**EFFECTS, **TOPOLOGY}.items()):
        base = {**BASE, **extra}
        table = uncertainty.effect_over_posterior(base, draws, (a, b), replicates, SEED + i)
        table.insert(0, "effect_of", label)
        rows.append(table)
        over[label] = table.effect.to_numpy()
        diff = uncertainty.paired_effect(base, (a, b), at_point, SEED + 100 + i)
        point[label] = uncertainty.monte_carlo_interval(diff)
    pd.concat(rows).to_csv(folder / "effects.csv", index=False, float_format="%.6g")
    fig, (top, bottom) = plots.figure(nrows=2)
    fig.set_figheight(1.3 * fig.get_figheight())
    plots.effects_under_uncertainty({k: over[k] for k in EFFECTS}, top,
                                    monte_carlo=point)  # fmt: skip
    top.set_title("Market effects: over the posterior, and at one point")
    topology = {k.removeprefix("on "): over[k] for k in TOPOLOGY}
    plots.effects_under_uncertainty(
        topology,
        bottom,
        monte_carlo={k.removeprefix("on "): point[k] for k in TOPOLOGY},
        label="specific-positive minus vague-gloomy, by network (points)",
    )
    study.save(fig, "posterior-effects", args)

    print(f"{draws_k} posterior draws x {replicates} paired markets of {BASE['n_nodes']} "
          f"people (calibrated market, steady state); at the calibrated point {at_point} "
          "paired markets. Effects on the unemployment rate, percentage points:")  # fmt: skip
    for table in rows:
        label = table.effect_of.iloc[0]
        s = uncertainty.summarize(table.effect.to_numpy())
        m, lo, hi = point[label]
        name, rho = uncertainty.driver(table, names)
        print(f"  {label}: posterior median {100 * s['median']:+.2f} (90% {100 * s['low']:+.2f} "
              f"to {100 * s['high']:+.2f}), P(effect < 0) = {s['p_negative']:.2f}; at the "
              f"calibrated point {100 * m:+.2f} ({100 * lo:+.2f} to {100 * hi:+.2f}); moved "
              f"most by {name} (Spearman {rho:+.2f})")  # fmt: skip
    print(f"wrote {folder / 'effects.csv'} (one row per effect and draw)")


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
