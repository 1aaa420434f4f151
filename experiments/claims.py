"""Study 10: the post's claims, tested for robustness over the plausible parameter box.

For the single seeker, each claim of the post is checked at 500 points of a Latin hypercube over
every unmeasured parameter's documented plausible range (BOX), each point over 200 paired runs
(common random numbers: every arm of a point sees the same networks and draws). The outcome is
the mean number of weeks searching (censored at the 26-week horizon). Reported per claim: the
share of the box where it holds, with its 95% Clopper-Pearson interval over the points, and the
parameters that decide it (a depth-2 decision tree, scikit-learn: the first split and the
parameters' importances). "Close ties who were never unemployed answer worst" is a property of
the answer rule alone (7.1), computed exactly from ``sim.rules``. A second pass removes the
asymmetry of the functional forms: specificity's two costs (``fit_cost`` and
``ears_w_specificity``) set to 0, as positivity has none. ``--quick``: 40 points x 40 runs.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim import plots, stats, study
from sim.params import PRESETS, Params
from sim.rules import CLOSE, DISTANT, REGULAR, p_action, p_ears_open, rules_from
from sim.runs import run

SEED = 20261204
# Plausible ranges of the parameters no study measures: those of the sensitivity designs
# (configs/sobol.toml, configs/morris.toml) and, for the tie motivations, +-2 logits around the
# defaults calibrated to Granovetter's split (docs/model.md, 8.1).
BOX = {
    "w_specificity": (0.0, 4.0),
    "w_positivity": (0.0, 3.0),
    "fit_cost": (0.0, 0.8),
    "ears_w_specificity": (0.0, 3.0),
    "recognise_vague": (0.0, 0.5),
    "gloom_penalty": (0.0, 0.8),
    "w_owed": (0.0, 2.0),
    "w_reputation": (0.0, 1.0),
    "w_experience": (0.0, 2.0),
    "w_pity": (0.0, 2.0),
    "gossip_rate": (0.0, 0.6),
    "motivation_close": (-3.5, 0.5),
    "motivation_regular": (-0.5, 3.5),
    "motivation_distant": (-2.5, 1.5),
}
MIDDLE = {"specificity": 0.5, "positivity": 0.5}
ARMS = {
    "vague-gloomy": PRESETS["vague-gloomy"],
    "vague-positive": PRESETS["vague-positive"],
    "specific-gloomy": PRESETS["specific-gloomy"],
    "specific-positive": PRESETS["specific-positive"],
    "help-banker": PRESETS["help-banker"],
    "middle": MIDDLE,
    "middle, no gossip": {**MIDDLE, "gossip_rate": 0.0},
}
CLAIMS = {
    "the four strategies in the post's order": lambda w: (
        (w["specific-positive"] < w["vague-positive"])
        & (w["specific-positive"] < w["specific-gloomy"])
        & (w["vague-positive"] < w["vague-gloomy"])
        & (w["specific-gloomy"] < w["vague-gloomy"])
    ),
    "a specific ask beats a vague one": lambda w: (
        (w["specific-gloomy"] < w["vague-gloomy"]) & (w["specific-positive"] < w["vague-positive"])
    ),
    "positivity helps": lambda w: (
        (w["vague-positive"] < w["vague-gloomy"]) & (w["specific-positive"] < w["specific-gloomy"])
    ),
    "the help bank helps": lambda w: w["help-banker"] < w["middle"],
    "gossip hurts": lambda w: w["middle"] > w["middle, no gossip"],
}
WORST = "close ties never unemployed answer worst"


def weeks_by_arm(point: dict, replicates: int, seed: int) -> dict[str, float]:
    """Mean weeks searching (censored at the horizon) per arm, on the same seeds."""
    out = {}
    for name, arm in ARMS.items():
        params = Params.from_dict({**point, **arm})
        out[name] = float(run(params, replicates, seed, per_person=False).weeks_run.mean())
    return out


def close_never_unemployed_worst(point: dict) -> bool:
    """Exactly, from the answer rule at s = p = 0.5 and no credit: the close contact who was
    never unemployed has the lowest P(ACTION) and the highest P(SYMPATHY) of the six groups."""
    r = rules_from(Params.from_dict(point))
    groups = {}
    for tie in (CLOSE, REGULAR, DISTANT):
        for experienced in (0, 1):
            act = p_action(r, 0.5, 0.5, 0.0, 0.0, experienced, tie, 0.0, 0)
            groups[(tie, experienced)] = (act, (1 - act) * (1 - p_ears_open(r, 0.5, 0.5, tie)))
    target = groups[(CLOSE, 0)]
    others = [v for k, v in groups.items() if k != (CLOSE, 0)]
    return all(target[0] < a for a, _ in others) and all(target[1] > s for _, s in others)


def deciders(points: pd.DataFrame, holds: np.ndarray) -> str:
    """The first split of a depth-2 decision tree and the two most important parameters."""
    from sklearn.tree import DecisionTreeClassifier

    if holds.all() or not holds.any():
        return "holds everywhere" if holds.all() else "holds nowhere"
    names = list(BOX)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(points[names], holds)
    nodes = tree.tree_
    feature, threshold = nodes.feature[0], nodes.threshold[0]
    # sklearn keeps each node's class fractions in value (classes False, True): the side of
    # the first split where the claim holds more often
    true_share = [nodes.value[child][0][-1] for child in (nodes.children_left[0],
                                                          nodes.children_right[0])]  # fmt: skip
    side = "<=" if true_share[0] > true_share[1] else ">"
    order = np.argsort(tree.feature_importances_)[::-1][:2]
    top = ", ".join(f"{names[i]} ({tree.feature_importances_[i]:.2f})" for i in order)
    shares = f"{max(true_share):.0%} against {min(true_share):.0%}"
    split = f"{names[feature]} {side} {threshold:.2g}"
    return f"holds more often when {split} ({shares}); importance {top}"


def study_box(points: pd.DataFrame, fixed: dict, replicates: int) -> pd.DataFrame:
    rows = []
    for i, values in enumerate(points.to_dict("records")):
        point = {**values, **fixed}
        rows.append({**point, **weeks_by_arm(point, replicates, SEED + i),
                     WORST: close_never_unemployed_worst(point)})  # fmt: skip
    table = pd.DataFrame(rows)
    for claim, holds in CLAIMS.items():
        table[claim] = holds(table)
    return table


def run_study(args):
    n, replicates = (40, 40) if args.quick else (500, 200)
    unit = qmc.LatinHypercube(d=len(BOX), seed=np.random.default_rng(SEED)).random(n)
    lows, highs = zip(*BOX.values(), strict=True)
    points = pd.DataFrame(qmc.scale(unit, lows, highs), columns=list(BOX))
    folder = Path(args.results) / ("claims" + ("-quick" if args.quick else ""))
    folder.mkdir(parents=True, exist_ok=True)
    table = study_box(points, {}, replicates)
    symmetric = study_box(points, {"fit_cost": 0.0, "ears_w_specificity": 0.0}, replicates)
    table.to_csv(folder / "claims.csv", index=False, float_format="%.6g")
    symmetric.to_csv(folder / "claims-symmetric.csv", index=False, float_format="%.6g")

    names = list(CLAIMS) + [WORST]
    print(f"{n} points of the plausible box ({len(BOX)} parameters) x {replicates} paired runs "
          "of a single seeker; share of the box where each claim holds, 95% Clopper-Pearson "
          "interval over the points:")  # fmt: skip
    shares = {}
    for claim in names:
        holds = table[claim].to_numpy(dtype=bool)
        low, high = stats.proportion_interval(int(holds.sum()), n)
        same = symmetric[claim].to_numpy(dtype=bool)
        low2, high2 = stats.proportion_interval(int(same.sum()), n)
        shares[claim] = (holds.mean(), same.mean())
        print(f"  {claim}: {holds.mean():.0%} ({low:.0%} to {high:.0%}); "
              f"{deciders(points, holds)}; without specificity's costs {same.mean():.0%} "
              f"({low2:.0%} to {high2:.0%})")  # fmt: skip
    gain_s = (table["vague-positive"] - table["specific-positive"]).median()
    gain_p = (table["specific-gloomy"] - table["specific-positive"]).median()
    sym_s = (symmetric["vague-positive"] - symmetric["specific-positive"]).median()
    sym_p = (symmetric["specific-gloomy"] - symmetric["specific-positive"]).median()
    print(f"  median over the box of the weeks saved by specificity (positive asks) {gain_s:+.2f}, "
          f"by positivity (specific asks) {gain_p:+.2f}; without specificity's costs "
          f"{sym_s:+.2f} and {sym_p:+.2f}")  # fmt: skip
    fig, ax = plots.figure()
    y = np.arange(len(names))
    ax.barh(y - 0.2, [100 * shares[c][0] for c in names], 0.4, label="as modelled",
            color=plots.OKABE_ITO[0])  # fmt: skip
    ax.barh(y + 0.2, [100 * shares[c][1] for c in names], 0.4,
            label="without specificity's costs", color=plots.OKABE_ITO[1])  # fmt: skip
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the plausible box where the claim holds (%)")
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title("The post's claims over the plausible parameter box")
    study.save(fig, "claims", args)
    print(f"wrote {folder / 'claims.csv'} and claims-symmetric.csv (one row per point)")


if __name__ == "__main__":
    raise SystemExit(study.main(run_study, __doc__))
