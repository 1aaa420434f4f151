"""The graph-file reader against its specification (docs/graph-files.md).

Each numbered case of the input-integrity issue has its input in tests/cases/input-integrity/
and a test here asserting the right value (people, labels, weights, tie classes, the seeker),
not only the absence of a traceback; nearby cases of the same kind follow each one.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import networkx as nx
import pytest

from sim.model.graphs import build_graph, describe_file_graph, load_graph
from sim.model.params import ConfigError, Params
from sim.model.rules import CLOSE, DISTANT, REGULAR
from sim.studies.figures import load

CASES = Path(__file__).parent / "cases" / "input-integrity"


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def file_params(path: str, **extra) -> Params:
    return Params.from_dict({"graph": "file", "graph_file": path, **extra})


def refused(path: str, pattern: str, **options) -> str:
    with pytest.raises(ConfigError, match=pattern) as info:
        load_graph(path, **options)
    message = str(info.value)
    assert "\n" not in message
    return message


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


# --- case 1: decimal commas ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["01-decimal-comma.txt", "01-decimal-comma-semicolon.csv"])
def test_case_1_decimal_commas_are_weights_not_labels(name):
    G, reading = load_graph(str(CASES / name))
    assert list(G.nodes) == ["me", "mum", "pal"]
    weights = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    assert weights == {
        frozenset(("me", "mum")): 1.5,
        frozenset(("me", "pal")): 0.25,
        frozenset(("pal", "mum")): 2.0,
    }
    assert reading.decimal == "," and reading.value == "weight"
    # the heaviest tie is the close one: pal-mum (2.0), then me-mum (1.5), then me-pal (0.25)
    H, _ = build_graph(file_params(str(CASES / name)), seed=1)
    label = {H.nodes[n]["label"]: n for n in H}
    assert H.edges[label["pal"], label["mum"]]["tie"] == CLOSE
    assert H.edges[label["me"], label["mum"]]["tie"] == REGULAR
    assert H.edges[label["me"], label["pal"]]["tie"] == DISTANT


def test_decimal_commas_in_tab_separated_files_and_a_semicolon_header(tmp_path):
    tab = write(tmp_path, "t.tsv", "a\tb\t0,5\nb\tc\t1,25\n")
    assert nx.get_edge_attributes(load_graph(tab)[0], "weight") == {
        ("a", "b"): 0.5,
        ("b", "c"): 1.25,
    }
    semi = write(tmp_path, "s.csv", "source;target;weight\na;b;0,5\nb;c;1\n")
    G, reading = load_graph(semi)
    assert reading.header == ["source", "target", "weight"] and G.edges["b", "c"]["weight"] == 1.0


def test_one_file_never_mixes_decimal_points_and_commas(tmp_path):
    path = write(tmp_path, "mixed.txt", "a b 1,5\nb c 2.5\n")
    message = refused(path, "line 2 writes '2.5' with a decimal point and line 1 '1,5'")
    assert "one decimal separator" in message


# --- case 2: weights all-or-none -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "line"), [("02-one-weight-missing.txt", 11), ("02-one-empty-weight-cell.csv", 12)]
)
def test_case_2_a_partly_weighted_file_names_the_line_without_a_weight(name, line):
    refused(str(CASES / name), rf"line {line}: no weight, but line \d+ has one; weights are all")


def test_a_fully_weighted_file_gives_tie_classes_that_do_not_depend_on_the_seed(tmp_path):
    text = (CASES / "02-one-weight-missing.txt").read_text().replace("p1 p2\n", "p1 p2 0\n")
    params = file_params(write(tmp_path, "w.txt", text))
    ties = [sorted(build_graph(params, seed=s)[0].edges(data="tie")) for s in (1, 2, 3)]
    assert ties[0] == ties[1] == ties[2]
    H = build_graph(params, seed=1)[0]  # 11 ties: round(0.2 * 11) = 2 close, the two heaviest
    close = {frozenset(H.nodes[n]["label"] for n in e) for e in H.edges if H.edges[e]["tie"] == 0}
    assert close == {frozenset(("me", "p1")), frozenset(("me", "p2"))}


def test_a_first_line_without_a_weight_is_named_too(tmp_path):
    refused(write(tmp_path, "w.txt", "a b\nb c 2\nc d 3\n"), "line 1: no weight, but line 2")


def test_weights_and_tie_classes_are_not_mixed(tmp_path):
    path = write(tmp_path, "m.txt", "a b close\nb c 2\n")
    refused(path, "line 2: a weight where line 1 has a tie class")


def test_tie_classes_given_in_the_file_are_kept(tmp_path):
    G = build_graph(file_params(write(tmp_path, "c.txt", "a b distant\nb c Close\n")), seed=4)[0]
    assert sorted(G.edges(data="tie")) == [(0, 1, DISTANT), (1, 2, CLOSE)]


@pytest.mark.parametrize("token", ["-1", "nan", "inf", "1e400x", "heavy", "1,000.5"])
def test_a_weight_must_be_a_number_at_least_zero(tmp_path, token):
    refused(write(tmp_path, "w.txt", f"a b 1\nb c {token}\n"), "line 2")


# --- case 3: headers ------------------------------------------------------------------------------
def test_case_3_an_unknown_header_is_never_two_people():
    path = str(CASES / "03-unknown-header.csv")
    message = refused(path, "line 1: 'person_a', 'person_b' could be a header or two people")
    assert "graph_header=yes" in message and "graph_header=no" in message
    G, reading = load_graph(path, header="yes")
    assert sorted(G.nodes) == ["me", "mum", "pal"] and reading.header == ["person_a", "person_b"]
    G, _ = load_graph(path, header="no")
    assert sorted(G.nodes) == ["me", "mum", "pal", "person_a", "person_b"]


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("Source,Target\na,b\nb,c\n", ["Source", "Target"]),  # Gephi's export
        ("from to\na b\nb c\n", ["from", "to"]),
        ("person_a,person_b,strength\na,b,1\nb,c,2\n", ["person_a", "person_b", "strength"]),
        ("a,b\nb,c\n", None),  # 'a' and 'b' appear again: an edge
    ],
)
def test_the_header_rule(tmp_path, text, header):
    G, reading = load_graph(write(tmp_path, "h.csv", text))
    assert reading.header == header
    assert sorted(G.nodes) == ["a", "b", "c"]


def test_a_header_after_comments_and_a_byte_order_mark(tmp_path):
    path = write(tmp_path, "b.csv", "\ufeff# exported\nsource,target\n1,2\n2,3\n".encode())
    G, reading = load_graph(path)
    assert list(G.nodes) == ["1", "2", "3"] and reading.bom and reading.comments == 1


# --- case 4: '#' inside labels --------------------------------------------------------------------
def test_case_4_hashes_inside_labels_are_kept_whole():
    G, reading = load_graph(str(CASES / "04-hash-in-labels.txt"))
    assert list(G.nodes) == [
        "me", "ann", "team#1", "team#2", "bob",
        "http://example.org/people#ann", "http://example.org/people#bob",
    ]  # fmt: skip
    assert G.number_of_edges() == 5 and reading.comments == 0


def test_only_a_line_starting_with_a_hash_is_a_comment(tmp_path):
    path = write(tmp_path, "c.txt", "# a comment\n  # indented comment\nteam#1 ann\nann b#\n")
    G, reading = load_graph(path)
    assert list(G.nodes) == ["team#1", "ann", "b#"] and reading.comments == 2


# --- case 5: labels as text -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("05-label-dashdash.txt", ["me", "--1", "pal"]),
        ("05-label-superscript.txt", ["1", "2", "³"]),
    ],
)
def test_case_5_labels_are_read_as_text(name, labels):
    G, _ = load_graph(str(CASES / name))
    assert list(G.nodes) == labels


def test_two_different_strings_are_two_different_people(tmp_path):
    nfc, nfd = unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")
    text = f"007 7\n7 7.0\n{nfc} {nfd}\n7 {nfc}\n"
    G, _ = load_graph(write(tmp_path, "n.txt", text))
    assert list(G.nodes) == ["007", "7", "7.0", nfc, nfd]


def test_quoted_csv_labels_keep_commas_and_blanks_around_labels_are_trimmed(tmp_path):
    G, _ = load_graph(write(tmp_path, "q.csv", '"Smith, Ann", Bob Jones \nBob Jones,Cy\n'))
    assert list(G.nodes) == ["Smith, Ann", "Bob Jones", "Cy"]


# --- case 6: the seeker ---------------------------------------------------------------------------
def test_case_6_the_seeker_is_the_first_label_unless_named():
    path = str(CASES / "06-first-label-is-seeker.txt")
    line, reading, H = describe_file_graph(file_params(path))
    assert reading.seeker == "mum" and H.nodes[0]["label"] == "mum"
    assert "seeker 'mum' (the first label in the file; set seeker to choose another)" in line
    line, reading, H = describe_file_graph(file_params(path, seeker="me"))
    assert H.nodes[0]["label"] == "me" and [H.nodes[n]["label"] for n in H] == ["me", "mum", "pal"]
    assert "seeker 'me' (set by seeker)" in line


def test_an_unknown_seeker_is_refused_and_seeker_needs_a_file_graph():
    path = str(CASES / "06-first-label-is-seeker.txt")
    refused(path, r"seeker='dad' is not a label in graph file .*'mum', 'me', 'pal'", seeker="dad")
    with pytest.raises(ConfigError, match="seeker='me' has no effect"):
        Params.from_dict({"seeker": "me"})


def test_run_names_contacts_by_their_labels_and_prints_the_reading():
    path = str(CASES / "06-first-label-is-seeker.txt")
    result = cli(
        "run", "--set", "graph=file", "--set", f"graph_file={path}", "--set", "seeker=me",
        "--set", "weeks=10", "--seed", "3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"graph file '{path}': 3 people, 3 ties, unweighted; 1 close")
    assert "seeker 'me'" in lines[0]
    answered = [line for line in lines if "answered" in line]
    assert answered and all("'mum'" in line or "'pal'" in line for line in answered)


# --- encodings and malformed lines ----------------------------------------------------------------
def test_bytes_that_are_not_utf8_are_named_by_line_and_byte(tmp_path):
    path = write(tmp_path, "l.txt", "ann bob\nbob Jos\xe9\n".encode("latin-1"))
    refused(path, r"line 2, byte 8: 0xe9 is not valid utf-8; .*graph_encoding=latin-1")
    G, reading = load_graph(path, encoding="latin-1")
    assert list(G.nodes) == ["ann", "bob", "José"] and reading.encoding == "latin-1"


def test_utf16_files_are_read_when_named_and_binary_files_refused(tmp_path):
    path = write(tmp_path, "u.txt", "ann bob\nbob José\n".encode("utf-16"))
    refused(path, "line 1: a NUL byte; this looks like a binary file")
    assert list(load_graph(path, encoding="utf-16")[0].nodes) == ["ann", "bob", "José"]
    with pytest.raises(ConfigError, match="graph_encoding='klingon' is not a text encoding"):
        file_params(path, graph_encoding="klingon")


@pytest.mark.parametrize(
    ("name", "text", "pattern"),
    [
        (
            "f.txt",
            "a b\nc\n",
            r"line 2: expected 2 fields \(u v\) or 3 \(u v value\) separated by "
            r"blanks, got 1: c",
        ),
        ("f.csv", "a,b\nb,c,1,2\n", "line 2: expected 2 fields .* got 4: b | c | 1 | 2"),
        ("f.csv", "a,b\n,c\n", "line 2: a label is empty"),
        ("f.csv", 'a,b\n"b,c\n', "line 2: "),
        ("f.graphml", "<graphml><graph", "not valid GraphML"),
        ("f.json", "{}", "unknown type '.json'; allowed: .edges"),
        ("f.txt", "# only a comment\n\n", "has no ties"),
        ("f.csv", "source,target\n", "has a header and no ties"),
        ("f.txt", "a a\n", r"has 1 person\(s\); need at least 2"),
    ],
)
def test_malformed_files_are_one_line_naming_file_and_line(tmp_path, name, text, pattern):
    message = refused(write(tmp_path, name, text), pattern)
    assert f"'{tmp_path / name}'" in message


def test_a_missing_file_is_named():
    refused("nowhere.txt", "graph file 'nowhere.txt' not found")


def test_delimiters_detected_by_the_stated_rule_or_given(tmp_path):
    spaced = "Ann Smith,Bob Jones\nBob Jones,Cy Doe\n"
    G, reading = load_graph(write(tmp_path, "a.csv", spaced))  # .csv: commas, blanks in labels
    assert reading.delimiter == "comma" and list(G.nodes) == ["Ann Smith", "Bob Jones", "Cy Doe"]
    txt = write(tmp_path, "a.txt", spaced)
    refused(txt, "third field 'Doe' is neither a weight")  # .txt with blanks: blank-separated
    assert list(load_graph(txt, delimiter="comma")[0].nodes) == ["Ann Smith", "Bob Jones", "Cy Doe"]
    G, reading = load_graph(write(tmp_path, "b.txt", "a,b\nb,c\n"))  # no blanks: commas
    assert reading.delimiter == "comma" and list(G.nodes) == ["a", "b", "c"]
    G, reading = load_graph(write(tmp_path, "c.txt", "a x\tb y\nb y\tc\n"))
    assert reading.delimiter == "tab" and list(G.nodes) == ["a x", "b y", "c"]


def test_repairs_are_counted_and_a_repeat_with_another_value_is_said(tmp_path):
    path = write(tmp_path, "r.txt", "ann bob 1\nbob ann 2\nbob bob 1\nbob cy 3\n")
    G, reading = load_graph(path)
    assert (reading.self_loops, reading.duplicate_edges, reading.conflicting_duplicates) == (
        1,
        1,
        1,
    )
    assert G.edges["ann", "bob"]["weight"] == 1.0  # the first line's value is kept
    assert reading.repairs() == [
        "dropped 1 self-tie(s)",
        "merged 1 repeated tie(s), 1 with another value (the first was kept)",
    ]


# --- GraphML --------------------------------------------------------------------------------------
def test_graphml_labels_are_text_and_isolated_people_kept(tmp_path):
    H = nx.Graph()
    H.add_edge("007", "7", tie="distant")
    H.add_node("loner")
    path = tmp_path / "net.graphml"
    nx.write_graphml(H, path)
    G, reading = load_graph(str(path))
    assert list(G.nodes) == ["007", "7", "loner"] and reading.isolated_nodes == 1
    assert build_graph(file_params(str(path)), seed=1)[0].edges[0, 1]["tie"] == DISTANT


@pytest.mark.parametrize("weight", ["heavy", "nan", "inf", "-2"])
def test_graphml_weights_are_checked(tmp_path, weight):
    H = nx.Graph()
    H.add_edge("a", "b", weight=weight)
    path = tmp_path / "w.graphml"
    nx.write_graphml(H, path)
    refused(str(path), "edge a-b: weight")


def test_graphml_weights_are_all_or_none(tmp_path):
    H = nx.Graph()
    H.add_edge("a", "b", weight=1.0)
    H.add_edge("b", "c")
    path = tmp_path / "w.graphml"
    nx.write_graphml(H, path)
    refused(str(path), "edge b-c: no value, but other edges have one; weights and tie classes")


# --- case 14: results keep the graph file they were made on ---------------------------------------
FILE_SWEEP = """name = "mine"
seed = 5
replicates = 20
random_numbers = "common"
[model]
graph = "file"
graph_file = "net.txt"
weeks = 12
[design]
kind = "strategies"
strategies = ["vague-gloomy", "specific-positive"]
"""


def test_case_14_results_plot_after_the_graph_file_moves_or_changes(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    original = (CASES / "04-hash-in-labels.txt").read_bytes()
    (work / "net.txt").write_bytes(original)
    (work / "mine.toml").write_text(FILE_SWEEP)
    result = cli("run", "mine.toml", "--workers", "1", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "graph file 'net.txt': 7 people, 5 ties, unweighted;" in result.stdout
    folder = work / "results" / "mine"
    manifest = json.loads((folder / "manifest.json").read_text())
    (kept,) = manifest["graph_files"]
    assert kept["given"] == "net.txt" and (folder / kept["copy"]).read_bytes() == original
    assert kept["sha256"] == hashlib.sha256(original).hexdigest()
    (work / "net.txt").rename(work / "renamed.txt")  # the original is gone from its path
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli("plot", str(folder), "--format", "png", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (folder / "network.png").is_file() and (folder / "strategies.png").is_file()
    # an edited original changes nothing either: the copy is what the results were made on
    (work / "renamed.txt").rename(work / "net.txt")
    (work / "net.txt").write_text("me ann\nann bob\n")
    experiment = load(folder).experiment
    assert Path(experiment.base()["graph_file"]).read_bytes() == original


def test_graph_command_draws_and_refuses_what_it_cannot_draw(tmp_path):
    path = str(CASES / "04-hash-in-labels.txt")
    result = cli("graph", path, "--draw", str(tmp_path / "net.png"), "--show", "2")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "net.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "  ... 5 more (--all lists everyone)" in result.stdout
    bad = cli("graph", path, "--draw", str(tmp_path / "net.jpg"))
    assert (
        bad.returncode == 2 and bad.stderr.count("\n") == 1 and "a .png, .svg or .pdf" in bad.stderr
    )
    assert not (tmp_path / "net.jpg").exists()


def test_compare_says_what_the_file_reads_as(tmp_path):
    path = str(CASES / "04-hash-in-labels.txt")
    result = cli(
        "compare", "--set", "graph=file", "--set", f"graph_file={path}", "--replicates", "5"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"graph file '{path}': 7 people, 5 ties, unweighted;")


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_windows_and_old_mac_line_endings_read_the_same(tmp_path, ending):
    text = ending.join(["source,target,weight", "me,mum,2", "me,pal,1", ""])
    G, reading = load_graph(write(tmp_path, "e.csv", text.encode()))
    assert list(G.edges(data="weight")) == [("me", "mum", 2.0), ("me", "pal", 1.0)]
    assert reading.header == ["source", "target", "weight"]


def test_check_reads_a_configs_graph_file_as_run_does(tmp_path):
    (tmp_path / "net.txt").write_bytes((CASES / "02-one-weight-missing.txt").read_bytes())
    (tmp_path / "mine.toml").write_text(FILE_SWEEP)
    for command in ("check", "run"):
        result = cli(command, "mine.toml", cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, command
        assert "'net.txt', line 11: no weight, but line 1 has one" in result.stderr, command
    assert not (tmp_path / "results").exists()
    (tmp_path / "net.txt").write_bytes((CASES / "06-first-label-is-seeker.txt").read_bytes())
    result = cli("check", "mine.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  graph file 'net.txt': 3 people, 3 ties, unweighted;" in result.stdout
    assert "seeker 'mum' (the first label in the file" in result.stdout


# --- nearby cases found in review: each a silent misread before ---------------------------------
@pytest.mark.parametrize("value", ["3x", "nan", "inf", "strong", "1.5."])
def test_a_bad_value_on_the_first_line_is_refused_not_taken_for_a_header(tmp_path, value):
    path = write(tmp_path, "v.txt", f"me mum {value}\nme pal 2\npal mum 3\n")
    refused(path, f"line 1: third field '{value}' is neither a weight")


def test_header_words_whose_labels_are_people_of_the_file_are_a_tie(tmp_path):
    G, reading = load_graph(write(tmp_path, "uvw.txt", "u v\nv w\nw u\n"))
    assert reading.header is None and G.number_of_edges() == 3 and list(G.nodes)[0] == "u"


@pytest.mark.parametrize(
    ("name", "text", "pattern"),
    [
        ("t.txt", "me mum 1,500\nme pal 2,000\n", "'1,500' could be 1.5 .* or 1500"),
        ("q.csv", 'me,mum,"1,5"\nme,pal,2\n', "weight '1,5' has a comma, and commas separate"),
        ("o.txt", "me mum 1e400\nme pal 2\n", "weight 1e400 is too large to be finite"),
        ("f.txt", "me mum\fpal\nme pal\n", r"line 1, character 7: control character U\+000C"),
    ],
)
def test_ambiguous_or_impossible_weights_and_characters_are_refused(tmp_path, name, text, pattern):
    refused(write(tmp_path, name, text), pattern)


def test_a_thousands_looking_comma_is_decimal_where_another_weight_shows_it(tmp_path):
    G, reading = load_graph(write(tmp_path, "d.txt", "me mum 1,500\nme pal 2,5\n"))
    assert G.edges["me", "mum"]["weight"] == 1.5 and reading.decimal == ","


def test_a_no_break_space_is_part_of_a_label_not_a_delimiter(tmp_path):
    G, _ = load_graph(write(tmp_path, "n.txt", "me mum\u00a0x\nme pal\n"))
    assert list(G.nodes) == ["me", "mum\u00a0x", "pal"]


def test_a_utf8_byte_order_mark_under_another_encoding_and_non_text_codecs(tmp_path):
    path = write(tmp_path, "b.txt", "\ufeffme mum\nme pal\n".encode())
    refused(
        path,
        "starts with a UTF-8 byte-order mark, but graph_encoding is 'cp1252'",
        encoding="cp1252",
    )
    for codec in ("rot13", "hex"):
        refused(path, f"graph_encoding='{codec}' is not a text encoding", encoding=codec)


def test_a_wrongly_split_line_says_how_it_was_split(tmp_path):
    path = write(tmp_path, "s.txt", "a;b;1\nb;c;2\nc d 3\n")
    message = refused(path, "line 1: expected 2 fields")
    assert (
        "split at blanks by the rule of docs/graph-files.md; give --set graph_delimiter" in message
    )


def graphml(tmp_path, edges):
    H = nx.Graph()
    for u, v, attrs in edges:
        H.add_edge(u, v, **attrs)
    path = tmp_path / "g.graphml"
    nx.write_graphml(H, path)
    return str(path)


@pytest.mark.parametrize(
    ("edges", "pattern"),
    [
        ([("a", "b", {"tie": "far"}), ("b", "c", {"tie": "close"})], "edge a-b: tie 'far' is not"),
        ([("a", "b", {"strength": 5}), ("b", "c", {"strength": 2})], "strength 5 is not a tie"),
        ([("a", "b", {"tie": "close"}), ("b", "c", {})], "edge b-c: no value"),
        ([("a", "b", {"tie": "close", "weight": 2.0})], "edge a-b: both weight and tie"),
    ],
)
def test_graphml_tie_classes_are_checked_like_an_edge_lists(tmp_path, edges, pattern):
    refused(graphml(tmp_path, edges), pattern)


def test_edge_list_options_are_refused_for_graphml_and_a_folder_is_named(tmp_path):
    path = graphml(tmp_path, [("a", "b", {})])
    refused(path, "graph_header='yes' cannot apply to GraphML file", header="yes")
    refused(str(tmp_path), "is a folder; give an edge list or GraphML file")


def test_check_reads_the_graph_file_with_each_points_reading_options(tmp_path):
    (tmp_path / "net.txt").write_bytes((CASES / "06-first-label-is-seeker.txt").read_bytes())
    config = FILE_SWEEP.replace(
        '[design]\nkind = "strategies"\nstrategies = ["vague-gloomy", "specific-positive"]\n',
        '[design]\nkind = "grid"\n[design.values]\nseeker = ["me", "nobody"]\n',
    )
    (tmp_path / "mine.toml").write_text(config)
    for command in ("check", "run"):
        result = cli(command, "mine.toml", cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, command
        assert "seeker='nobody' is not a label in graph file 'net.txt'" in result.stderr
    assert not (tmp_path / "results").exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "graph_file=net.txt"], "graph_file='net.txt' has no effect: graph is"),
        (["compare", "--set", "graph=karate", "--set", "graph_file=net.txt"], "graph is 'karate'"),
    ],
)
def test_a_graph_file_without_graph_file_is_refused_not_ignored(args, message):
    result = cli(*args)
    assert result.returncode == 2 and message in result.stderr


def test_a_config_naming_a_graph_file_no_point_runs_on_is_refused(tmp_path):
    (tmp_path / "net.txt").write_text("me mum\nme pal\n")
    (tmp_path / "mine.toml").write_text(FILE_SWEEP.replace('graph = "file"\n', ""))
    result = cli("check", "mine.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "graph_file has no effect: no design point runs on a graph file" in result.stderr


def test_check_reads_a_calibration_configs_graph_file(tmp_path):
    root = Path(__file__).parents[1]
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "us-2019.toml").write_bytes(
        (root / "configs" / "targets" / "us-2019.toml").read_bytes()
    )
    (tmp_path / "net.txt").write_bytes((CASES / "02-one-weight-missing.txt").read_bytes())
    text = (root / "configs" / "calibrate-market.toml").read_text()
    text = text.replace(
        "[model]\n", f'[model]\ngraph = "file"\ngraph_file = "{tmp_path / "net.txt"}"\n', 1
    )
    (tmp_path / "cal.toml").write_text(text)
    result = cli("check", str(tmp_path / "cal.toml"))
    assert result.returncode == 2 and "line 11: no weight, but line 1 has one" in result.stderr
