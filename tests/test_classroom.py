"""The classroom demo's model, without a browser: one seed, one network, two asks."""

from pathlib import Path

import networkx as nx
import pytest

from sim.classroom.model import SAID, TRY_THIS, Classroom
from sim.model.params import ConfigError
from sim.studies import plots


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
    assert Classroom(seed="abc").notice == (
        "Seed 'abc' is not a whole number (0, 1, 2, ...): using seed 0."
    )
    assert Classroom(seed=-1).notice.startswith("Seed '-1' is not") and Classroom(-1).seed_used == 0
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


def test_headings_name_the_strategy_and_the_week_in_words():
    room = Classroom(seed=1, compare="vague-gloomy")
    assert [p.title for p in room.panels] == ["Your ask", "A vague, gloomy ask"]
    assert [p.status() for p in room.panels] == ["just lost the job"] * 2
    room.step()
    assert room.panels[0].status() == "still searching after 1 week"
    room.step()
    assert room.panels[0].status() == "still searching after 2 weeks"
    room = Classroom(**TRY_THIS[2].settings)  # seed 1, 8 favours: an introduction in week 4
    for _ in range(4):
        room.step()
    assert room.panels[0].status() == "hired in week 4 (through an introduction)"


def test_the_picture_names_people_as_the_log_does_and_keeps_them_in_place():
    room = Classroom(seed=1)
    panel = room.panels[0]
    first = room.view(0).pos
    for _ in range(3):
        room.step()
    graph = room.view(0).graph
    for node, name in panel.names.items():  # "Lee (former colleague)" is "Lee" in the picture
        assert graph.nodes[node]["name"] == name.split(" (")[0]
        assert plots._name(graph, node) == graph.nodes[node]["name"]
    assert {graph.nodes[v]["name"] for v in graph if v} >= {"Mum", "Brother", "Sam", "Lee"}
    assert room.view(0).pos is first  # one layout for the whole run
    again = Classroom(seed=1).view(0).pos  # and the same seed draws the same picture
    assert again.keys() == first.keys() and all((again[v] == first[v]).all() for v in first)


# --- what the page says in words, and the About panel's claims ------------------------------


def test_settings_defaults_are_the_classrooms_own():
    import inspect

    from sim.classroom.model import SETTINGS

    keywords = inspect.signature(Classroom).parameters
    for name, _, low, high, step, default in SETTINGS:
        assert keywords[name].default == default, name
        assert low <= default <= high and step > 0


@pytest.mark.parametrize(
    ("name", "value", "want"),
    [
        ("specificity", 0.0, "Specificity: 0.00, 'open to anything'"),
        ("specificity", 0.19, "Specificity: 0.19, 'open to anything'"),
        ("specificity", 0.2, "Specificity: 0.20, a field, no role"),
        ("specificity", 0.1 * 6, "Specificity: 0.60, a named role"),  # 0.6000000000000001
        ("specificity", 0.8, "Specificity: 0.80, a named role at a named company"),
        ("specificity", 1.0, "Specificity: 1.00, a named role at a named company"),
        ("positivity", 0.1, "Positivity: 0.10, gloomy: 'nobody is hiring'"),
        ("positivity", 0.5, "Positivity: 0.50, matter-of-fact"),
        ("positivity", 0.95, "Positivity: 0.95, upbeat and confident"),
        ("gossip_rate", 0.0,
         "Gossip out of earshot: 0.00, nobody talks about you behind your back"),
        ("gossip_rate", 0.1, "Gossip out of earshot: 0.10 a week (each contact who knows talks "
                             "about you 1 week in 10)"),
        ("gossip_rate", 0.35, "Gossip out of earshot: 0.35 a week (each contact who knows talks "
                              "about you 3.5 weeks in 10)"),
        ("banked_favours", 0, "Favours banked: 0, no favours done for others before the job loss"),
        ("banked_favours", 1, "Favours banked: 1, favour you did for contacts before"),
        ("banked_favours", 8, "Favours banked: 8, favours you did for contacts before"),
        ("n_family", 1, "Family: 1 person"),
        ("n_acquaintances", 0, "Acquaintances: 0 people"),
    ],
)  # fmt: skip
def test_settings_in_words(name, value, want):
    from sim.classroom.model import in_words

    assert in_words(name, value) == want


def run_to_the_end(**settings):
    room = Classroom(**settings)
    while room.running:
        room.step()
    return [(panel.model.weeks_to_offer, panel.model.hired_channel) for panel in room.panels]


def test_the_about_panels_three_things_to_try_say_what_the_model_does():
    # Each claim in the About panel is re-derived here from the model and found in the text.
    from sim.classroom.model import TRY_THIS

    strong, luck, favours = TRY_THIS
    room = Classroom(**strong.settings)
    for _ in range(strong.weeks):
        room.step()
    yours, other = (panel.counts()["action"] for panel in room.panels)
    assert (yours, other) == (11, 3)
    assert f"{yours} of the 20 contacts act on your ask, only {other}" in strong.see

    (yours_week, _), (other_week, other_channel) = run_to_the_end(**luck.settings)
    assert (yours_week, other_week, other_channel) == (7, 1, "direct")
    assert yours_week == luck.weeks and f"week {other_week}" in luck.see
    assert f"until week {yours_week}" in luck.see and "on their own" in luck.see

    (week, channel), _ = run_to_the_end(**favours.settings)
    (without, _), _ = run_to_the_end(**(favours.settings | {"banked_favours": 0}))
    assert (week, channel, without) == (4, "intro", 12)
    assert week == favours.weeks and f"week {week} through an introduction" in favours.see
    assert f"until week {without}" in favours.see


def test_the_lesson_plans_numbers_are_the_models():
    # docs/classroom.md quotes the model at each step of the lesson; each figure is re-derived
    # here (the oracle is the model run outside the page) and looked for in the text.
    import statistics

    text = " ".join((Path(__file__).parents[1] / "docs" / "classroom.md").read_text().split())

    def after(weeks, **settings):
        room = Classroom(**settings)
        for _ in range(weeks):
            room.step()
        return room

    yours, other = (p.counts() for p in after(5, seed=1).panels)  # step 2
    assert (
        f'has {yours["action"]} contacts acting, {yours["ears_open"]} "ears open" and '
        f"{yours['sympathy']} sympathy; the vague, gloomy ask (the second) only {other['action']} "
        f"acting and {other['sympathy']} sympathetic" in text
    )
    room = after(2, seed=1)
    brother = [line for p in room.panels for line in p.log if "Brother" in line]
    assert brother[0].startswith("Week 2: Brother: ")
    assert brother[0].split(": ")[-1] in SAID["action"]
    assert brother[1].split(": ")[-1] == "'I'll let you know if I hear of anything.'"
    yours, other = (p.counts() for p in after(8, seed=1, specificity=1.0, positivity=1.0).panels)
    assert (
        f"has {yours['action']} of 20 contacts acting, the vague, gloomy one {other['action']}"
        in text
    )  # fmt: skip  (step 3)
    weeks = [run_to_the_end(seed=s, specificity=1.0, positivity=1.0) for s in range(1, 31)]
    hired = [[w or 27 for w, _ in pair] for pair in weeks]  # not hired: later than week 26
    earlier = sum(a < b for a, b in hired)
    same = sum(a == b for a, b in hired)
    later = sum(a > b for a, b in hired)
    medians = [statistics.median(pair[i] for pair in hired) for i in (0, 1)]
    never = [sum(pair[i] == 27 for pair in hired) for i in (0, 1)]
    assert (  # step 4
        f"hired earlier in {earlier}, the same week in {same} and later in {later}; its median "
        f"was {medians[0]:g} weeks against {medians[1]:g} (counting a seeker not hired within "
        f"26 weeks, {never[0]} and {never[1]} of the 30" in text
    )
    assert weeks[15][1] == (1, "direct") and weeks[15][0][0] > 1  # seed 16
    assert "Seed 16 is one where the vague, gloomy seeker wins: they find a job on their own in " \
        "week 1" in text  # fmt: skip
    room = after(26, seed=1, banked_favours=8)  # step 5
    model = room.panels[0].model
    asked = {contact for _, _, contact, _ in model.answers}
    (without, _), _ = run_to_the_end(seed=1)
    acted = room.panels[0].counts()["action"]
    assert model.hired_channel == "intro"
    assert (
        f"hired in week {model.weeks_to_offer} through an introduction, {acted} of the "
        f"{len(asked)} contacts asked having acted" in text
    )
    assert (
        f'slide "Favours banked" back to 0 and press Play: the same seeker is hired in '
        f"week {without}" in text
    )


def test_the_model_description_page_keeps_anchors_and_unlinks_other_files(tmp_path):
    from sim.classroom.page import model_description_html

    doc = tmp_path / "model.md"
    doc.write_text(
        "# Title\n\n1. [Purpose](#1-purpose)\n\n## 1. Purpose\n\nSee [engines](engines.md) and "
        "[Mesa](https://mesa.readthedocs.io).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        encoding="utf-8",
    )
    html = model_description_html(doc)
    assert '<h2 id="1-purpose">' in html and '<a href="#1-purpose">Purpose</a>' in html
    assert "See engines and" in html and '<a href="https://mesa.readthedocs.io">' in html
    assert "<table>" in html
    with pytest.raises(OSError):
        model_description_html(tmp_path / "missing.md")


@pytest.mark.parametrize(
    ("search", "on"),
    [(None, False), ("", False), ("projector=1", True), ("projector=yes", True),
     ("projector=ON", True), ("projector=0", False), ("projector=no", False),
     ("seed=3&projector=true", True), ("projector=1&projector=0", False)],
)  # fmt: skip
def test_projector_mode_from_the_address(search, on):
    from sim.classroom.page import _projector_from

    assert _projector_from(search) is on
