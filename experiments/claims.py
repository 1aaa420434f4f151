"""Study 10: the post's claims, tested for robustness over the plausible parameter box.

For the single seeker, each claim of the post is checked at 500 points of a Latin hypercube over
every unmeasured parameter's documented plausible range (BOX), each point over 200 paired runs
(common random numbers: every arm of a point sees the same networks and draws). The outcome is
the number of weeks searching (censored at the 26-week horizon). A claim holds clearly at a
point when each of its comparisons has a paired t below -1.96, and fails clearly when one is
above +1.96; the rest is undecided at that many runs (the effect is smaller than the noise).
Reported per claim: the share of the box where it holds clearly, with its 95% Clopper-Pearson
interval over the points (the points' sampling, not each point's noise), the share where it
fails, and the parameters that decide it (a depth-2 decision tree, scikit-learn: the first
split and the parameters' importances). "Close ties who were never unemployed answer worst" is
a property of the answer rule alone (7.1), computed exactly from ``sim.model.rules``. A second pass
removes the asymmetry of the functional forms: specificity's two costs (``fit_cost`` and
``ears_w_specificity``) set to 0, as positivity has none. ``--quick``: 40 points x 40 runs.

A point's verdict tests several comparisons at 1.96 each: a claim whose effects are all
zero still "fails" at about 5% of the points per comparison, by chance.
"""

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.analysis import stats
from sim.model.params import PRESETS, Params
from sim.model.rules import CLOSE, DISTANT, REGULAR, p_action, p_ears_open, rules_from
from sim.model.runs import run
from sim.studies import plots, study

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
# Each claim as comparisons (a, b): "a searches fewer weeks than b", all of which must hold.
CLAIMS = {
    "the four strategies in the post's order": [
        ("specific-positive", "vague-positive"), ("specific-positive", "specific-gloomy"),
        ("vague-positive", "vague-gloomy"), ("specific-gloomy", "vague-gloomy"),
    ],
    "a specific ask beats a vague one": [
        ("specific-gloomy", "vague-gloomy"), ("specific-positive", "vague-positive"),
    ],
    "positivity helps": [
        ("vague-positive", "vague-gloomy"), ("specific-positive", "specific-gloomy"),
    ],
    "the help bank helps": [("help-banker", "middle")],
    "gossip hurts": [("middle, no gossip", "middle")],
}  # fmt: skip
Z = 1.96  # a comparison is clear at a point when its paired t passes 1.96 either way
WORST = "close ties never unemployed answer worst"


def weeks_by_arm(point: dict, replicates: int, seed: int) -> dict[str, np.ndarray]:
    """Weeks searching (censored at the horizon) per arm and replicate, on the same seeds."""
    out = {}
    for name, arm in ARMS.items():
        params = Params.from_dict({**point, **arm})
        out[name] = run(params, replicates, seed, per_person=False).weeks_run.astype(float)
    return out


def verdicts(weeks: dict[str, np.ndarray]) -> dict[str, str]:
    """Per claim at one point: 'holds' (every comparison's paired t below -Z), 'fails' (one
    above +Z: the reverse is clear), else 'leans yes' or 'leans no' by the point estimates."""
    out = {}
    for claim, pairs in CLAIMS.items():
        t = []
        for a, b in pairs:
            diff = weeks[a] - weeks[b]
            sd = diff.std(ddof=1)
            t.append(diff.mean() / (sd / np.sqrt(len(diff))) if sd > 0 else 0.0)
        if all(x < -Z for x in t):
            out[claim] = "holds"
        elif any(x > Z for x in t):
            out[claim] = "fails"
        else:
            out[claim] = "leans yes" if all(x < 0 for x in t) else "leans no"
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
        weeks = weeks_by_arm(point, replicates, SEED + i)
        worst = "holds" if close_never_unemployed_worst(point) else "fails"
        rows.append({**point, **{f"weeks {k}": v.mean() for k, v in weeks.items()},
                     **verdicts(weeks), WORST: worst})  # fmt: skip
    return pd.DataFrame(rows)


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
          "of a single seeker. Per claim: the share of the box where it holds clearly (every "
          f"comparison's paired t below -{Z}), with its 95% Clopper-Pearson interval over the "
          f"points, the share where it clearly fails, the rest undecided at {replicates} "
          "runs:")  # fmt: skip
    shares = {}
    for claim in names:
        verdict = table[claim].to_numpy()
        holds = verdict == "holds"
        low, high = stats.proportion_interval(int(holds.sum()), n)
        fails = (verdict == "fails").mean()
        same = symmetric[claim].to_numpy() == "holds"
        low2, high2 = stats.proportion_interval(int(same.sum()), n)
        shares[claim] = (holds.mean(), same.mean())
        print(f"  {claim}: holds {holds.mean():.0%} ({low:.0%} to {high:.0%}), fails "
              f"{fails:.0%}; {deciders(points, holds)}; without specificity's costs holds "
              f"{same.mean():.0%} ({low2:.0%} to {high2:.0%})")  # fmt: skip
    gain_s = (table["weeks vague-positive"] - table["weeks specific-positive"]).median()
    gain_p = (table["weeks specific-gloomy"] - table["weeks specific-positive"]).median()
    sym_s = (symmetric["weeks vague-positive"] - symmetric["weeks specific-positive"]).median()
    sym_p = (symmetric["weeks specific-gloomy"] - symmetric["weeks specific-positive"]).median()
    print(f"  median over the box of the weeks saved by specificity (positive asks) {gain_s:+.2f}, "
          f"by positivity (specific asks) {gain_p:+.2f}; without specificity's costs "
          f"{sym_s:+.2f} and {sym_p:+.2f}")  # fmt: skip
    fig, ax = plots.figure()
    y = np.arange(len(names))
    ax.barh(y - 0.2, [100 * shares[c][0] for c in names], 0.4, label="as modelled",
            color=plots.OKABE_ITO[0])  # fmt: skip
    ax.barh(y + 0.2, [100 * shares[c][1] for c in names], 0.4,
            label="without specificity's costs", color=plots.OKABE_ITO[1])  # fmt: skip
    ax.set_yticks(y, [textwrap.fill(c, 30) for c in names], fontsize="x-small")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("where the claim clearly holds (% of the box)")
    ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2)
    ax.set_title("The post's claims over the plausible box")
    study.save(fig, "claims", args)
    print(f"wrote {folder / 'claims.csv'} and claims-symmetric.csv (one row per point)")


if __name__ == "__main__":
    raise SystemExit(study.main(run_study, __doc__))
