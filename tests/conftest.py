"""Shared test helpers: a Hypothesis strategy that draws any valid parameter set."""

from __future__ import annotations

import networkx as nx
from hypothesis import strategies as st

from sim.params import DEMOGRAPHY, Params

RULE_FIELDS = [
    name
    for name, spec in Params.specs().items()
    if spec.choices is None and Params.defaults()[name].__class__ is float
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
