"""Reading a network from a file, exactly as written (the specification is docs/graph-files.md).

Two kinds of file, told apart by the suffix: an edge list (``.csv``, ``.tsv``, ``.txt``,
``.edges``, ``.edgelist``: one tie per line, ``u v`` or ``u v value``) tokenized by Python's
``csv`` module or by whitespace, and GraphML (``.graphml``, ``.xml``) parsed by NetworkX. The
rules below are the whole specification; anything they do not allow is a :class:`ConfigError`
naming the file, the line and what was expected.

- Encoding: UTF-8 with or without a byte-order mark, or the codec given as ``encoding``; a byte
  that is not valid is refused with its line and byte.
- Comments: a line whose first non-blank character is ``#``. A ``#`` anywhere else is part of a
  label (``team#1``, a URL with a fragment).
- Delimiter (``delimiter="auto"``): tab if every data line has a tab (or the file is ``.tsv``);
  else semicolon if every data line has one; else comma if every data line has one and the file
  is ``.csv`` or no data line has a space; else runs of blanks.
- Header (``header="auto"``): the first data line is a header when its first two fields are
  column names (:data:`HEADER_WORDS`), or its third field is neither a number nor a tie class.
  When neither of its two labels appears on any other line, it could be a header or a pair of
  people who know only each other: refused, asking for ``header="yes"`` or ``"no"``.
- Labels are text as written (surrounding blanks trimmed): ``007`` and ``7`` are two people.
- The third field is a weight (a number >= 0; a decimal comma is read where the delimiter is not
  a comma, and one file never mixes decimal points and commas) or a tie class word (close,
  regular, distant), the same kind on every line; weights are all-or-none.
- A tie listed twice (either way round) is kept once, with its first value; a self-tie is
  dropped; both are reported.
- The seeker (``seeker``, a label) becomes node 0; by default it is the first label in the file.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "me.txt"
>>> _ = path.write_text("me mum 1,5\\nme pal 0,25\\npal mum 2,0\\n", encoding="utf-8")
>>> G, reading = read_graph_file(str(path))
>>> list(G.nodes), G.edges["me", "mum"]["weight"], reading.decimal
(['me', 'mum', 'pal'], 1.5, ',')
"""

from __future__ import annotations

import codecs
import csv
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx

from sim.model.params import FILE_READING, GRAPH_DELIMITERS, HEADERS, ConfigError, check_encoding
from sim.model.rules import CLOSE, DISTANT, REGULAR

EDGE_LIST_SUFFIXES = (".edges", ".edgelist", ".txt", ".csv", ".tsv")
GRAPHML_SUFFIXES = (".graphml", ".xml")
# GRAPH_DELIMITERS' characters (None: runs of spaces and tabs)
DELIMITERS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": None}
assert ("auto", *DELIMITERS) == GRAPH_DELIMITERS
# First-line field names read as a header (any case): the columns of NetworkX's, Gephi's,
# Pajek-to-CSV and igraph's edge-list exports.
HEADER_WORDS = frozenset(
    {"source", "target", "from", "to", "u", "v", "node1", "node2", "node_1", "node_2"}
)
TIE_WORDS = {"close": CLOSE, "regular": REGULAR, "distant": DISTANT}
_POINT_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?\d+,\d+")
_THOUSANDS = re.compile(r"[+-]?\d{1,3},\d{3}")  # 1,500: 1.5 or 1500?
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")


@dataclass
class GraphReading:
    """What was read from a graph file and how, for the user to see (never dropped silently).

    ``labels`` are the people in node order (the seeker first); counts are of lines or ties.
    """

    path: str
    kind: str  # "edge list" or "GraphML"
    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ""  # a name of DELIMITERS, for an edge list
    detected: bool = False  # the delimiter by the rule, not given
    header: list[str] | None = None  # the header line's fields, if one was read
    comments: int = 0
    value: str = "none"  # "weight", "tie" or "none": what the third field holds
    decimal: str = "."
    seeker: str = ""
    seeker_rule: str = "the first label in the file; set seeker to choose another"
    labels: list[str] = field(default_factory=list)
    self_loops: int = 0
    duplicate_edges: int = 0
    conflicting_duplicates: int = 0
    isolated_nodes: int = 0
    notes: list[str] = field(default_factory=list)

    def how(self) -> str:
        """How the file was parsed, in one line."""
        parts = [self.kind]
        if self.kind == "edge list":
            parts.append(self.encoding + (" with a byte-order mark" if self.bom else ""))
        if self.kind == "edge list":
            parts.append(f"{_delimiter_words(self.delimiter)[:-1]}-separated")
            sep = {"tab": "\t", "comma": ",", "semicolon": ";"}.get(self.delimiter, " ")
            parts.append("header " + sep.join(self.header) if self.header else "no header")
            if self.comments:
                parts.append(f"{self.comments} comment line(s) skipped")
        if self.value == "weight":
            parts.append("weights" + (" with decimal commas" if self.decimal == "," else ""))
        elif self.value == "tie":
            parts.append("tie classes given")
        else:
            parts.append("no weights")
        return ", ".join(parts)

    def repairs(self) -> list[str]:
        """What had to be repaired, one line each."""
        out = []
        if self.self_loops:
            out.append(f"dropped {self.self_loops} self-tie(s)")
        if self.duplicate_edges:
            differ = (
                f", {self.conflicting_duplicates} with another value (the first was kept)"
                if self.conflicting_duplicates
                else ""
            )
            out.append(f"merged {self.duplicate_edges} repeated tie(s){differ}")
        if self.isolated_nodes:
            out.append(f"kept {self.isolated_nodes} person(s) with no ties")
        return out + self.notes


def read_graph_file(
    path: str,
    *,
    seeker: str = "",
    delimiter: str = "auto",
    header: str = "auto",
    encoding: str = "utf-8",
) -> tuple[nx.Graph, GraphReading]:
    """The network in ``path`` with its labels as nodes (the seeker first, then people in order
    of first appearance) and what was read.

    Edges carry ``weight`` (float) or ``tie`` (a class of :mod:`sim.model.rules`) when the file
    gives them. ``delimiter`` is ``"auto"`` or a name of :data:`DELIMITERS`; ``header`` one of
    :data:`HEADERS`; ``encoding`` a Python codec name. Raises :class:`ConfigError` (one line:
    file, line, what was expected) for anything outside the specification in the module
    docstring.
    """
    if os.path.isdir(path):
        raise ConfigError(f"graph file '{path}' is a folder; give an edge list or GraphML file")
    if not os.path.isfile(path):
        raise ConfigError(f"graph file '{path}' not found; give an existing edge list or GraphML")
    if delimiter not in GRAPH_DELIMITERS:
        raise ConfigError(
            f"graph_delimiter={delimiter!r} is not allowed; allowed: {', '.join(GRAPH_DELIMITERS)}"
        )
    if header not in HEADERS:
        raise ConfigError(f"graph_header={header!r} is not allowed; allowed: {', '.join(HEADERS)}")
    check_encoding(encoding)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in GRAPHML_SUFFIXES:
        given = {"graph_delimiter": delimiter, "graph_header": header, "graph_encoding": encoding}
        set_ = [f"{k}={v!r}" for k, v in given.items() if v != FILE_READING[k]]
        if set_:  # an XML file declares its own encoding and has no delimiter or header
            raise ConfigError(
                f"{', '.join(set_)} cannot apply to GraphML file '{path}'; allowed: only with an "
                "edge list (GraphML declares its encoding itself)"
            )
        G, reading = _read_graphml(path)
    elif suffix in EDGE_LIST_SUFFIXES:
        G, reading = _read_edge_list(path, suffix, delimiter, header, encoding)
    else:
        allowed = ", ".join(EDGE_LIST_SUFFIXES + GRAPHML_SUFFIXES)
        raise ConfigError(f"graph file '{path}' has an unknown type '{suffix}'; allowed: {allowed}")
    if G.number_of_nodes() < 2:
        raise ConfigError(
            f"graph file '{path}' has {G.number_of_nodes()} person(s); need at least 2"
        )
    if seeker:
        if seeker not in G:
            shown = ", ".join(repr(label) for label in list(G.nodes)[:5])
            raise ConfigError(
                f"seeker={seeker!r} is not a label in graph file '{path}'; its labels begin "
                f"{shown} (labels are matched exactly, as text)"
            )
        reading.seeker_rule = "set by seeker"
    else:
        seeker = next(iter(G.nodes))
    reading.seeker = seeker
    order = [seeker] + [n for n in G.nodes if n != seeker]
    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in order)
    H.add_edges_from(G.edges(data=True))
    reading.labels = order
    reading.isolated_nodes = nx.number_of_isolates(H)
    return H, reading


# --- edge lists ---------------------------------------------------------------------------------
def _read_edge_list(
    path: str, suffix: str, delimiter: str, header: str, encoding: str
) -> tuple[nx.Graph, GraphReading]:
    reading = GraphReading(path, "edge list", encoding=encoding)
    lines = list(_data_lines(path, encoding, reading))
    if not lines:
        raise ConfigError(f"graph file '{path}' has no ties (only blank or comment lines)")
    reading.detected = delimiter == "auto"
    reading.delimiter = delimiter if delimiter != "auto" else _detect_delimiter(lines, suffix)
    rows = [(number, _fields(text, reading.delimiter, path, number)) for number, text in lines]
    for number, fields in rows:
        if len(fields) not in (2, 3):
            shown = " | ".join(fields)
            raise ConfigError(
                f"graph file '{path}', line {number}: expected 2 fields (u v) or 3 (u v value) "
                f"separated by {_delimiter_words(reading.delimiter)}, got {len(fields)}: {shown}"
                f"{_hint(reading)}"
            )
        if not all(fields[:2]):
            raise ConfigError(
                f"graph file '{path}', line {number}: a label is empty; every tie needs two labels"
            )
    if _is_header(rows, header, path):
        reading.header = rows[0][1]
        rows = rows[1:]
        if not rows:
            raise ConfigError(f"graph file '{path}' has a header and no ties")
    values = _values(rows, reading)
    G = nx.Graph()
    for (_, fields), attrs in zip(rows, values, strict=True):
        G.add_nodes_from(fields[:2])  # before the self-tie check: order of first appearance
        _add_tie(G, fields[0], fields[1], attrs, reading)
    return G, reading


def _add_tie(G: nx.Graph, u: str, v: str, attrs: dict[str, Any], reading: GraphReading) -> None:
    """Add the tie u-v, or count it as a self-tie or a repeat (the first value is kept)."""
    if u == v:
        reading.self_loops += 1
    elif G.has_edge(u, v):
        reading.duplicate_edges += 1
        if G.edges[u, v] != attrs:
            reading.conflicting_duplicates += 1
    else:
        G.add_edge(u, v, **attrs)


def _data_lines(path: str, encoding: str, reading: GraphReading) -> Iterator[tuple[int, str]]:
    """(line number, text) of every line that is not blank or a comment."""
    with open(path, "rb") as handle:
        data = handle.read()
    wide = codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))  # NULs are normal there
    if b"\0" in data and not wide:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise ConfigError(
            f"graph file '{path}', line {line}: a NUL byte; this looks like a binary file, not "
            "a text edge list (or give its encoding, e.g. --set graph_encoding=utf-16)"
        )
    if data.startswith(codecs.BOM_UTF8):
        if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
            raise ConfigError(
                f"graph file '{path}' starts with a UTF-8 byte-order mark, but graph_encoding is "
                f"{encoding!r}: the file is UTF-8; allowed: graph_encoding=utf-8 (the default)"
            )
        data, reading.bom = data[len(codecs.BOM_UTF8) :], True
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"graph file '{path}', line {line}, byte {column}: 0x{data[exc.start]:02x} is not "
            f"valid {encoding}; save the file as UTF-8, or name its encoding, e.g. --set "
            "graph_encoding=latin-1"
        ) from None
    # lines end in \n, \r\n or \r only (str.splitlines would also split at \f, \v, U+2028...)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        odd = _CONTROL.search(raw)
        if odd:
            raise ConfigError(
                f"graph file '{path}', line {number}, character {odd.start() + 1}: control "
                f"character U+{ord(odd.group()):04X}; allowed in a line: text, spaces and tabs"
            )
        stripped = raw.strip(" \t")
        if not stripped:
            continue
        if stripped.startswith("#"):
            reading.comments += 1
            continue
        yield number, raw


def _detect_delimiter(lines: list[tuple[int, str]], suffix: str) -> str:
    texts = [text for _, text in lines]
    if suffix == ".tsv" or all("\t" in t for t in texts):
        return "tab"
    if all(";" in t for t in texts):
        return "semicolon"
    if all("," in t for t in texts) and (
        suffix == ".csv" or not any(" " in t.strip(" \t") for t in texts)
    ):
        return "comma"
    return "space"


def _delimiter_words(delimiter: str) -> str:
    return {"tab": "tabs", "semicolon": "semicolons", "comma": "commas"}.get(delimiter, "blanks")


def _fields(text: str, delimiter: str, path: str, number: int) -> list[str]:
    char = DELIMITERS[delimiter]
    if char is None:  # spaces and tabs only: a no-break space is part of a label
        return re.split(r"[ \t]+", text.strip(" \t"))
    try:  # the csv module: quoted fields ("Smith, Ann") keep their delimiters
        fields = next(csv.reader([text], delimiter=char, strict=True))
    except csv.Error as exc:
        raise ConfigError(f"graph file '{path}', line {number}: {exc}") from None
    fields = [f.strip(" \t") for f in fields]
    while len(fields) > 3 and fields[-1] == "":
        fields.pop()  # trailing delimiters after a value: "a,b,1,"
    if len(fields) == 3 and fields[2] == "":
        fields.pop()  # an empty value cell is a missing value (checked all-or-none below)
    return fields


def _is_header(rows: list[tuple[int, list[str]]], header: str, path: str) -> bool:
    """The header rule of the module docstring: a first line is a header only if its labels
    appear on no other line (a tie's people do), and it looks like one or is refused as both."""
    if header != "auto":
        return header == "yes"
    number, first = rows[0]
    named = {f.lower() for f in first[:2]} <= HEADER_WORDS or (
        len(first) == 3 and _value_kind(first[2]) is None  # "a,b,weight": a column's name
    )
    if len(rows) == 1:
        return named
    others = {label for _, fields in rows[1:] for label in fields[:2]}
    if first[0] in others or first[1] in others:
        return False  # its labels are people of the file: a tie (its value is checked as one)
    if named:
        return True
    raise ConfigError(
        f"graph file '{path}', line {number}: '{first[0]}', '{first[1]}' could be a header "
        "or two people who know only each other; say which with --set graph_header=yes "
        "(a header) or --set graph_header=no (a tie)"
    )


def _value_kind(token: str) -> str | None:
    if token.lower() in TIE_WORDS:
        return "tie"
    if _POINT_NUMBER.fullmatch(token) or _COMMA_NUMBER.fullmatch(token):
        return "weight"
    return None


def _values(rows: list[tuple[int, list[str]]], reading: GraphReading) -> list[dict[str, Any]]:
    """Each tie's attributes: every third field a value, then all-or-none and of one kind."""
    path, hint = reading.path, _hint(reading)
    given = [(number, fields[2]) for number, fields in rows if len(fields) == 3]
    if not given:
        return [{} for _ in rows]
    kinds = []
    for number, token in given:
        kind = _value_kind(token)
        if kind is None:
            raise ConfigError(
                f"graph file '{path}', line {number}: third field '{token}' is neither a weight "
                f"(a number >= 0) nor a tie class (close, regular, distant){hint}"
            )
        kinds.append(kind)
    if len(given) < len(rows):
        number = next(n for n, fields in rows if len(fields) == 2)
        raise ConfigError(
            f"graph file '{path}', line {number}: no weight, but line {given[0][0]} has one; "
            "weights are all-or-none: give every tie a value, or none"
        )
    if len(set(kinds)) > 1:
        word = {"weight": "weight", "tie": "tie class"}
        other = "tie" if kinds[0] == "weight" else "weight"
        number = given[kinds.index(other)][0]
        raise ConfigError(
            f"graph file '{path}', line {number}: a {word[other]} where line {given[0][0]} has "
            f"a {word[kinds[0]]}; give every tie a weight, or every tie a class"
        )
    reading.value = kinds[0]
    if reading.value == "tie":
        return [{"tie": TIE_WORDS[token.lower()]} for _, token in given]
    commas = [(n, t) for n, t in given if "," in t]
    points = [(n, t) for n, t in given if "." in t]
    if commas and reading.delimiter == "comma":  # only a quoted field can hold one
        number, token = commas[0]
        raise ConfigError(
            f"graph file '{path}', line {number}: weight '{token}' has a comma, and commas "
            "separate the fields here; write it with a decimal point"
        )
    if commas and points:
        raise ConfigError(
            f"graph file '{path}': line {points[0][0]} writes '{points[0][1]}' with a decimal "
            f"point and line {commas[0][0]} '{commas[0][1]}' with a decimal comma; use one "
            "decimal separator in a file"
        )
    if commas and all(_THOUSANDS.fullmatch(t) for _, t in commas):
        number, token = commas[0]  # no other weight shows the comma to be a decimal one
        raise ConfigError(
            f"graph file '{path}', line {number}: weight '{token}' could be "
            f"{float(token.replace(',', '.')):g} (a decimal comma) or {token.replace(',', '')} (a "
            "thousands separator); write it without the ambiguity"
        )
    reading.decimal = "," if commas else "."
    out = []
    for number, token in given:
        weight = float(token.replace(",", "."))
        if not 0 <= weight < math.inf:
            raise ConfigError(
                f"graph file '{path}', line {number}: weight {token} is "
                f"{'negative' if weight < 0 else 'too large to be finite'}; a weight is a tie's "
                "strength, a finite number >= 0"
            )
        out.append({"weight": weight})
    return out


def _hint(reading: GraphReading) -> str:
    """After an error in an auto-detected edge list: how its fields were split, and how not to."""
    if not reading.detected:
        return ""
    return (
        f" (fields were split at {_delimiter_words(reading.delimiter)} by the rule of "
        "docs/graph-files.md; give --set graph_delimiter=... if that is wrong)"
    )


# --- GraphML -------------------------------------------------------------------------------------
def _read_graphml(path: str) -> tuple[nx.Graph, GraphReading]:
    reading = GraphReading(path, "GraphML")
    try:
        source = nx.read_graphml(path, node_type=str)
    except (ParseError, nx.NetworkXError, ValueError, KeyError) as exc:
        raise ConfigError(f"graph file '{path}' is not valid GraphML ({exc})") from None
    if source.is_directed():
        reading.notes.append("read a directed graph as undirected")
    G = nx.Graph()
    G.add_nodes_from(str(n) for n in source.nodes)
    edges = list(source.edges(data=True))
    # the value of each edge: a weight or a class (under "tie" or "strength"), all-or-none
    keys = [[k for k in ("weight", "tie", "strength") if k in d] for _, _, d in edges]
    for (u, v, _), given in zip(edges, keys, strict=True):
        if len(given) > 1:
            raise ConfigError(
                f"graph file '{path}', edge {u}-{v}: both {' and '.join(given)}; give each edge "
                "one value: a weight or a tie class"
            )
        if bool(given) != bool(keys[0]):
            x, y, _ = edges[0]
            raise ConfigError(
                f"graph file '{path}', edge {x if given else u}-{y if given else v}: no value, "
                "but other edges have one; weights and tie classes are all-or-none"
            )
    for u, v, d in edges:
        attrs: dict[str, Any] = {}
        if "weight" in d:
            try:
                weight = float(d["weight"])
            except (TypeError, ValueError):
                weight = math.nan
            if not 0 <= weight < math.inf:
                raise ConfigError(
                    f"graph file '{path}', edge {u}-{v}: weight {d['weight']!r} is not a finite "
                    "number >= 0"
                )
            attrs["weight"], reading.value = weight, "weight"
        for key in ("tie", "strength"):
            if key in d:
                word = str(d[key]).lower()
                if word not in TIE_WORDS:
                    raise ConfigError(
                        f"graph file '{path}', edge {u}-{v}: {key} {d[key]!r} is not a tie "
                        "class; allowed: close, regular, distant"
                    )
                attrs["tie"], reading.value = TIE_WORDS[word], "tie"
        _add_tie(G, str(u), str(v), attrs, reading)
    return G, reading
