"""The classroom demo's model, without a browser: one seed, one network, two asks."""

from pathlib import Path

import networkx as nx
import pytest

from sim.classroom import SAID, Classroom
from sim.params import ConfigError


def test_both_panels_share_the_network_and_only_the_ask_differs():
    room = Classroom(seed=4, specificity=1.0, positivity=1.0, compare="vague-gloomy")
    yours, other = (panel.model for panel in room.panels)
    assert nx.utils.graphs_equal(yours.graph, other.graph)
    assert [e for e in yours.graph.edges(data="tie")] == [e for e in other.graph.edges(data="tie")]
    assert yours.params.specificity == 1.0 and other.params.specificity == 0.1


def test_counts_history_and_log_follow_the_model_events():
    room = Classroom(seed=2)
    for _ in range(4):
        room.step()
    for panel in room.panels:
        counts = panel.counts()
        assert sum(counts.values()) == 20  # 3 + 3 + 6 + 8 contacts
        answered = [a for _, _, _, a in panel.model.answers]
        last = panel.history[-1]
        for answer in ("sympathy", "ears_open", "action"):
            assert last[answer] == answered.count(answer)  # running totals = every answer given
            assert counts[answer] == answered.count(answer)  # the network shows the same
        assert counts["unaware"] + counts["heard"] == 20 - len(answered)
        # every answer given appears in the log, in plain words
        quotes = [line for line in panel.log if any(q in line for qs in SAID.values() for q in qs)]
        assert len(quotes) == len(answered)
        assert panel.summary().startswith("20 contacts: ")


def test_contacts_told_by_gossip_are_heard_not_answers():
    # seed 2, 4 weeks: one contact never asked has heard of the search from another
    room = Classroom(seed=2)
    for _ in range(4):
        room.step()
    panel = room.panels[0]
    asked = {contact for _, _, contact, _ in panel.model.answers}
    heard = [v for v, a in panel.answers().items() if a == "heard"]
    assert heard and not set(heard) & asked
    assert "1 heard second-hand" in panel.summary()


def test_a_bad_seed_falls_back_with_a_notice_and_a_bad_strategy_is_named():
    assert Classroom(seed="abc").notice == "seed 'abc' is not a whole number >= 0; using 0"
    assert Classroom(seed=" 7 ").seed_used == 7 and Classroom(seed="7").notice == ""
    with pytest.raises(ConfigError, match="compare='shy'; allowed: none, vague-gloomy"):
        Classroom(compare="shy")
    assert len(Classroom(compare="none").panels) == 1


def test_the_room_stops_when_both_seekers_are_hired_or_time_is_up():
    room = Classroom(seed=1, weeks=5)
    while room.running:
        room.step()
    # seed 1: neither seeker is hired within 5 weeks, so both run exactly 5
    assert [p.model.steps for p in room.panels] == [5, 5] and room.steps == 5
    assert [p.model.weeks_to_offer for p in room.panels] == [0, 0]


def test_the_log_names_people_of_a_graph_file_by_their_labels():
    path = Path(__file__).parent / "cases" / "input-integrity" / "06-first-label-is-seeker.txt"
    room = Classroom(seed=3, graph_file=str(path), seeker="me")
    for _ in range(2):
        room.step()
    panel = room.panels[0]
    assert panel.graph.nodes[0]["label"] == "me" and panel.names == {1: "mum", 2: "pal"}
    said = [line for line in panel.log if line.startswith("Week 1: ")]
    assert {line.split(": ")[1] for line in said} <= {"mum", "pal"} and said
