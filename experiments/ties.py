"""Study 4: strong against weak ties. Which tie passes the opening that becomes a hire, against
Granovetter (1973), and the post's claim that close ties and family, above all those never out
of work, answer worst.

Config: experiments/ties.toml (a seeker who asks close ties first, and one who asks distant
ties first). Uses ``sim.model.runs.run`` for each contact's answer, tie and experience.
"""

import numpy as np
import pandas as pd

from sim.model.graphs import SEEKER
from sim.model.rules import STATE_NAMES, TIE_NAMES
from sim.model.runs import replicate_graph
from sim.model.runs import run as simulate
from sim.studies import plots, study


def contact_groups(experiment, point):
    """One row per (run, contact group): answer counts, for the answer-mix chart."""
    params = point.params(experiment.base())
    first = point.index * experiment.replicates  # independent streams: by run index
    runs = simulate(params, experiment.replicates, experiment.seed, first=first)
    rows, experienced = [], runs.was_experienced()
    for r in range(experiment.replicates):
        graph = replicate_graph(params, experiment.seed, first + r, same_graph=False)
        for contact in graph.neighbors(SEEKER):
            state = runs.answer_state[r, contact]
            if state < 0:
                continue  # never asked
            tie = TIE_NAMES[graph.edges[SEEKER, contact]["tie"]]
            if tie == "close":
                been = experienced[r, contact]
                tie = "close, been unemployed" if been else "close, never unemployed"
            rows.append({"run": r, "contacts": tie, f"total_{STATE_NAMES[state]}": 1})
    frame = pd.DataFrame(rows).fillna(0)
    frame["total_asks"] = 1
    return frame.groupby(["run", "contacts"], as_index=False).sum(numeric_only=True)


def run(args):
    experiment = study.experiment("experiments/ties.toml", args)
    table = study.sweep_config("experiments/ties.toml", args)
    answers = contact_groups(experiment, experiment.points()[0])
    order = ["close, never unemployed", "close, been unemployed", "regular", "distant"]
    answers = answers.set_index("contacts").loc[order].reset_index()
    fig, (left, right) = plots.figure(nrows=2)
    plots.tie_classes(table[table.targeting == "close"], left)
    plots.answer_mix(answers, right, by="contacts")
    right.set_title("How each kind of contact answered")
    study.save(fig, "ties", args)

    for targeting, rows in table.groupby("targeting", sort=False):
        shares = plots.tie_shares(rows)
        print(f"asking {targeting} ties first: hires through contacts by tie: " + ", ".join(
            f"{t} {study.percent(*s)}" for t, s in shares.items()))  # fmt: skip
        hired = plots.outcome_interval(rows, "hired")
        print(f"  hired by week 26: {study.percent(*hired[:3])}")
    print("P(action) per answer, by contact (95% over runs: delta method, or Clopper-Pearson):")
    for group in order:
        rows = answers[answers.contacts == group]
        print(f"  {group:<24} {study.percent(*plots.outcome_interval(rows, 'share_action')[:3])}"
              f", sympathy {study.percent(*plots.outcome_interval(rows, 'share_sympathy')[:3])}"
              f" ({int(rows.total_asks.sum()):,} answers)")  # fmt: skip
    never = answers[answers.contacts == order[0]]
    been = answers[answers.contacts == order[1]]
    print(f"  close contacts asked: {np.mean(never.total_asks):.2f} never / "
          f"{np.mean(been.total_asks):.2f} been unemployed per run")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(study.main(run, __doc__))
