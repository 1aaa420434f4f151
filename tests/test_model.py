import math

import mesa
import networkx as nx
import numpy as np
import pytest
from conftest import valid_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import WEEKLY_COUNTS, JobSearchModel
from sim.params import ConfigError
from sim.rules import ACTION, EARS_OPEN


def market(seed=1, **kw):
    defaults = {"scenario": "market", "graph": "barabasi-albert", "n_nodes": 150, "weeks": 60}
    return JobSearchModel(seed=seed, **{**defaults, **kw})


def fingerprint(model):
    edges = sorted((u, v, d["tie"]) for u, v, d in model.graph.edges(data=True))
    frame = model.datacollector.get_model_vars_dataframe()
    return edges, frame.to_numpy().tolist(), model.answers


def test_same_seed_gives_an_identical_run_graph_included():
    runs = []
    for _ in range(2):
        model = market(seed=42)
        model.run()
        runs.append(fingerprint(model))
    assert runs[0] == runs[1]
    other = market(seed=43)
    other.run()
    assert fingerprint(other)[0] != runs[0][0]


def test_single_seeker_run_is_reproducible_and_ends_at_the_offer():
    a = JobSearchModel(seed=9, strategy="specific-positive")
    b = JobSearchModel(seed=9, strategy="specific-positive")
    a.run()
    b.run()
    assert fingerprint(a) == fingerprint(b)
    assert a.seeker.employed and a.steps == a.weeks_to_offer <= a.params.weeks
    assert all(p.employed for p in a.person if p is not a.seeker)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_params(scenario="market", graph="watts-strogatz", n_nodes=40, weeks=15),
    st.integers(0, 2**32 - 1),
)
def test_conservation_and_no_nan_for_any_parameters(params, seed):
    model = JobSearchModel(seed=seed, **params.as_dict())
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 16  # week 0 plus 15 weeks
    assert ((frame.employed + frame.unemployed) == 40).all()
    assert not frame.isna().to_numpy().any()
    for person in model.person:
        assert math.isfinite(person.reputation)
        assert all(math.isfinite(v) and v >= 0 for v in person.owes.values())
    answers = frame.action + frame.ears_open + frame.sympathy
    assert (answers == frame.asks).all()
    hires = frame.hires_direct + frame.hires_lead + frame.hires_intro
    assert (hires <= frame.openings).all()


def test_datacollector_has_every_weekly_count():
    model = market(weeks=5)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(WEEKLY_COUNTS) | {"employed", "unemployed", "mean_reputation"} <= set(frame)


def test_batch_run_runs_the_class_unchanged_over_a_grid_with_seeds():
    rows = mesa.batch_run(
        JobSearchModel,
        parameters={"seed": [1, 2], "specificity": [0.1, 0.9], "weeks": 10},
        iterations=1,
        max_steps=10,
        number_processes=1,
        display_progress=False,
    )
    assert len({(r["seed"], r["specificity"]) for r in rows}) == 4
    assert all("hires_intro" in r and r["seeker_hired"] in (0, 1) for r in rows)


def test_unknown_keyword_is_rejected_by_the_model():
    with pytest.raises(ConfigError, match="unknown parameter 'specifcity'"):
        JobSearchModel(specifcity=0.5)


def test_separation_starts_a_new_spell_and_contacts_forget_their_answers():
    model = market(weeks=200, separation_rate=0.2, asks_per_week=5)
    separated = 0
    for _ in range(40):
        model.step()
        for person in model.person:
            if person.employed_at_start and not person.employed:
                separated += 1
                assert not person.asked and not person.aware_of_me
                assert person.ever_unemployed and person.weeks_unemployed == 1
                assert all(person.node not in other.views for other in model.person)
            for holder in person.aware_of_me:  # the index used for resets stays exact
                assert person.node in model.person[holder].views
    assert separated > 100


def test_a_hire_through_a_helper_credits_the_helper():
    G = nx.path_graph(2)
    model = JobSearchModel(seed=0, network=G, scenario="market", initial_unemployed=0.0, weeks=1)
    seeker, helper = model.person
    seeker.employed = False
    helper.owes[seeker.node] = 0.0
    model.helped = [(seeker, helper)]
    model._settle_help_bank()
    assert seeker.owes[helper.node] == 1.0 and helper.reputation == 1.0
    # Helping someone who owes me repays their debt instead of adding mine.
    model.helped = [(helper, seeker)]
    model._settle_help_bank()
    assert seeker.owes[helper.node] == 0.0 and helper.owes.get(seeker.node, 0.0) == 0.0


def answer_shares(strategy, runs=120, **kw):
    counts = {"action": 0, "ears_open": 0, "sympathy": 0}
    for seed in range(runs):
        model = JobSearchModel(seed=seed, strategy=strategy, weeks=4, arrival_rate=0.0, **kw)
        model.run()
        for *_, answer in model.answers:
            counts[answer] += 1
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}, total


def test_levers_move_the_answer_mix_the_way_the_post_says():
    # 120 runs x 12 asks = 1,440 answers per strategy: a share's binomial sd is <= 0.013, and
    # every gap asserted here is >= 0.1 in expectation (rules at defaults), i.e. > 5 sd of the
    # difference; the seeds are fixed, so the check is deterministic.
    vague_gloomy, n = answer_shares("vague-gloomy")
    specific_positive, _ = answer_shares("specific-positive")
    vague_positive, _ = answer_shares("vague-positive")
    assert n == 120 * 12
    assert specific_positive["action"] > vague_gloomy["action"] + 0.1
    assert vague_gloomy["sympathy"] > vague_positive["sympathy"] + 0.1
    banked, _ = answer_shares("vague-gloomy", banked_favours=20)
    assert banked["action"] > vague_gloomy["action"] + 0.05


def test_gossip_out_of_earshot_spreads_pity_and_asks():
    pity = ask = 0
    for seed in range(20):
        for strategy in ("vague-gloomy", "specific-positive"):
            model = JobSearchModel(seed=seed, strategy=strategy, gossip_rate=1.0, weeks=6)
            model.run()
            frame = model.datacollector.get_model_vars_dataframe()
            pity += frame.gossip_pity.sum()
            ask += frame.gossip_ask.sum()
            for person in model.person:
                view = person.views.get(0)
                if view is not None and view.via >= 0:
                    assert view.state == EARS_OPEN and 0 in person.relayed
    assert pity > 0 and ask > 0


def test_no_gossip_means_no_pity_and_no_relays():
    model = JobSearchModel(seed=3, strategy="vague-gloomy", gossip_rate=0.0, weeks=26)
    model.run()
    assert all(v.pity == 0.0 for p in model.person for v in p.views.values())
    assert not any(p.relayed for p in model.person)


def test_asking_close_ties_first_asks_family_and_friends_first():
    for targeting, first in (("close", {"family", "friend"}), ("distant", {"acquaintance"})):
        model = JobSearchModel(seed=1, targeting=targeting, asks_per_week=3, arrival_rate=0.0)
        model.step()
        roles = {model.graph.nodes[c]["role"] for _, _, c, _ in model.answers}
        assert roles <= first


def test_unemployment_by_node_is_a_share():
    model = market(weeks=30)
    model.run()
    u = model.unemployment_by_node()
    assert u.shape == (150,) and np.all((u >= 0) & (u <= 1))
    assert ACTION == 3
