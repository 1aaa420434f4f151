"""Shared test helpers: a Hypothesis strategy that draws any valid parameter set; local
servers that are not Dask schedulers, for --scheduler."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading

import networkx as nx
from hypothesis import strategies as st

from sim.model.params import DEMOGRAPHY, KIND_PARAMETERS, POPULATION, PROGRAMME, Params

# who asks how and programmes are not rules (tests/test_population.py, test_interventions.py)
NOT_RULES = {
    *POPULATION,
    *PROGRAMME,
    *(name for names in KIND_PARAMETERS.values() for name in names),
}
RULE_FIELDS = [
    name
    for name, spec in Params.specs().items()
    if spec.choices is None and Params.defaults()[name].__class__ is float and name not in NOT_RULES
]


@st.composite
def valid_params(draw, **fixed):
    """Every float parameter drawn from its full allowed range; joint rules respected."""
    values = {}
    for name in RULE_FIELDS:
        spec = Params.specs()[name]
        values[name] = draw(
            st.floats(spec.low, spec.high, allow_nan=False, allow_infinity=False, width=64)
        )
    low, high = sorted((values["recognise_vague"], values["recognise_specific"]))
    values["recognise_vague"], values["recognise_specific"] = low, high
    low, high = sorted((values["hire_lead"], values["hire_intro"]))
    values["hire_lead"], values["hire_intro"] = low, high
    values["share_regular"] = min(values["share_regular"], 1.0 - values["share_close"])
    values.update(fixed)
    if values.get("scenario", "single") != "market" or values.get("baseline"):
        for name in DEMOGRAPHY:  # refused where it could have no effect
            values.pop(name)
    return Params.from_dict(values)


# The tiny graphs on which both engines are checked against the exact CAJ solver.
CAJ_GRAPHS = {
    "dyad": nx.path_graph(2),
    "path3": nx.path_graph(3),
    "star4": nx.star_graph(3),
    "triangle": nx.complete_graph(3),
    "cycle4": nx.cycle_graph(4),
}
CAJ_SETTINGS = [(0.1, 0.015), (0.3, 0.1)]  # (a, b): CAJ's own example, and a faster market


class _Unlogged(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # the server's log is not what a test reads on stderr
        pass


@contextlib.contextmanager
def not_a_scheduler(kind):
    """Yield the port of a server on loopback that is not a Dask scheduler: "http" (Python's
    http.server, as a dashboard's port is a web server), "silent" (accepts, sends nothing) or
    "garbage" (accepts, sends bytes that are not Dask's framing)."""
    if kind == "http":
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unlogged)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()
            server.server_close()
        return
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def serve():
        with contextlib.suppress(OSError):  # closed at the end
            while True:
                conn, _ = listener.accept()
                accepted.append(conn)
                if kind == "garbage":
                    conn.sendall(b"HTTP/1.1 400 not Dask\r\n\r\n" * 20)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
