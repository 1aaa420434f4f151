"""Charts of results: each function takes a results table (and an optional Axes) and returns
the Axes it drew on, so charts compose into figures of any layout.

A results table is ``runs.parquet`` of a sweep (one row per run; ``pandas.read_parquet``) or
any table with the same columns. Every chart states its interval on the chart, uses the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies) and labels its
axes with units. :func:`figure` gives sizes for a paper column or a slide; :func:`save` writes
PNG and SVG (and PDF on request).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> table = pd.DataFrame({"strategy": ["a", "a", "b", "b"], "weeks_to_offer": [3, None, 5, 6],
...                       "weeks_run": [3, 26, 5, 6]})
>>> ax = hired_share(table)
>>> [label.get_text() for label in ax.get_yticklabels()]
['a', 'b']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import stats
from sim.model.graphs import SEEKER
from sim.model.rules import CLOSE, DISTANT, REGULAR, STATE_NAMES, TIE_NAMES

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",
)
ANSWER_COLOURS = {
    "unaware": "#BBBBBB",
    "sympathy": "#D55E00",
    "ears_open": "#E69F00",
    "action": "#009E73",
    "heard": "#56B4E9",  # the classroom demo: told of the search by others, never asked
}
ANSWER_LABELS = {
    "unaware": "not asked",
    "sympathy": "sympathy",
    "ears_open": "'ears open'",
    "action": "action",
    "heard": "heard second-hand",
}
SIZES = {"paper": (6.5, 3.8), "slide": (11.0, 6.2)}
FORMATS = ("png", "svg", "pdf")
# Granovetter (1973), "The strength of weak ties", AJS 78, p. 1371: how often the men who found
# their job through a contact saw that contact (N = 54): often, occasionally, rarely.
GRANOVETTER = {"close": 0.167, "regular": 0.556, "distant": 0.278}
TIE_LABELS = {
    "close": "close (often)",
    "regular": "regular (occasionally)",
    "distant": "distant (rarely)",
}
TIE_WIDTHS = {CLOSE: 3.0, REGULAR: 1.5, DISTANT: 0.6}  # line weight by tie class
ROLE_LABELS = {
    "family": "family",
    "friend": "friend",
    "colleague": "colleague",
    "acquaintance": "acq.",
}

LEVEL = stats.LEVEL
# Short axis labels of the outcomes (sim.experiment.sensitivity.OUTCOMES has the full meanings).
AXIS_LABELS = {
    "hired": "hired by the horizon (% of runs)",
    "weeks_searching": "weeks searching (not hired: the horizon)",
    "mean_unemployment": "person-weeks unemployed (%)",
    "unemployment_rate": "unemployment rate (%)",
    "exit_hazard": "weekly exit hazard (%)",
    "share_action": "answers that were action (%)",
    "share_sympathy": "answers that were sympathy (%)",
    "hires_via_contacts": "hires through contacts (%)",
}


# --- figures ----------------------------------------------------------------------------------


def figure(size: str = "paper", ncols: int = 1, nrows: int = 1) -> tuple[Figure, Any]:
    """A figure sized for a paper column (6.5 x 3.8 in) or a slide (11 x 6.2 in)."""
    if size not in SIZES:
        raise ValueError(f"size='{size}' is not allowed; allowed: {', '.join(SIZES)}")
    width, height = SIZES[size]
    with plt.rc_context(_style(size)):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), squeeze=True)
    fig.set_layout_engine("constrained")
    return fig, axes


def _style(size: str) -> Any:
    base = 10 if size == "paper" else 15
    return {
        "font.size": base,
        "axes.titlesize": base + 1,
        "axes.labelsize": base,
        "legend.fontsize": base - 1,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": plt.cycler(color=OKABE_ITO),
    }


def save(fig: Figure, stem: Path | str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``stem.png``, ``stem.svg`` (and ``stem.pdf`` if asked); returns the paths.

    Files are written atomically (a temporary file, then a rename), so an interrupted save never
    leaves half a chart in place of a good one.
    """
    from sim.experiment.storage import atomic

    paths = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"format '{fmt}' is not allowed; allowed: {', '.join(FORMATS)}")
        path = Path(f"{stem}.{fmt}")
        with atomic(path) as tmp:
            # fixed metadata: the same table gives the same SVG and PDF bytes
            metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
            if fmt == "svg":
                plt.rcParams["svg.hashsalt"] = "empathy-sim"
            fig.savefig(tmp, format=fmt, dpi=200, metadata=metadata)
        paths.append(path)
    return paths


F = TypeVar("F", bound=Callable[..., Any])


def chart(func: F) -> F:
    """Draw in the house style (fonts for the figure's size: a slide's are larger)."""

    @functools.wraps(func)
    def styled(*args: Any, **kwargs: Any) -> Any:
        ax = kwargs.get("ax", kwargs.get("axes", args[1] if len(args) > 1 else None))
        first = (
            np.ravel(np.asarray(ax, dtype=object))[0]
            if isinstance(ax, (list, tuple, np.ndarray))
            else ax
        )
        width = first.figure.get_figwidth() if first is not None else SIZES["paper"][0]
        size = "slide" if width >= SIZES["slide"][0] - 0.5 else "paper"
        with plt.rc_context(_style(size)):
            return func(*args, **kwargs)

    return cast(F, styled)


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, new = figure()
    return new


def _colours(n: int) -> list[str]:
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def _groups(table: pd.DataFrame, by: str) -> list[tuple[Any, pd.DataFrame]]:
    """Groups in order of first appearance (the design's order)."""
    if by not in table.columns:
        raise ValueError(f"the table has no column '{by}' to group by")
    keys = list(dict.fromkeys(table[by].tolist()))
    return [(key, table[table[by] == key]) for key in keys]


def _label(key: Any) -> str:
    return f"{key:g}" if isinstance(key, float) else str(key)


# --- outcomes of single-seeker runs -----------------------------------------------------------


def hired_by(table: pd.DataFrame, week: int | None = None) -> np.ndarray:
    """Bool per run: an offer by ``week`` (default: by the end of the run)."""
    w = table["weeks_to_offer"].to_numpy(dtype=float)
    hired = w > 0  # no offer: NaN (a null in runs.parquet), or 0 in a Runs object
    return hired if week is None else hired & (w <= week)


def offer_weeks(table: pd.DataFrame) -> np.ndarray:
    """Week of each run's offer, ``inf`` where there was none (later than any horizon): the
    sample whose median is the median weeks to an offer."""
    weeks = table["weeks_to_offer"].to_numpy(dtype=float)
    return np.where(weeks > 0, weeks, math.inf)


def time_to_offer(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(weeks, offered): the week of the offer, or the last week run when censored."""
    offer = table["weeks_to_offer"].to_numpy(dtype=float)
    offered = offer > 0
    weeks = np.where(offered, offer, table["weeks_run"])
    return weeks.astype(float), offered


# --- strategy comparison ----------------------------------------------------------------------


@chart
def weeks_to_offer(table: pd.DataFrame, ax: Axes | None = None, by: str = "strategy") -> Axes:
    """Median weeks to a job offer per group, with exact 95% intervals (order statistics).

    Runs without an offer count as later than the horizon; a median or interval end past the
    horizon is drawn as an arrow at the horizon.
    """
    ax = _axes(ax)
    groups = _groups(table, by)
    longest = int(table["weeks_run"].max())
    colours = _colours(len(groups))
    for i, (_, rows) in enumerate(groups):
        horizon = int(rows["weeks_run"].max())  # each group's own (a design may vary weeks)
        median, low, high = stats.median_interval(offer_weeks(rows))
        shown = [min(v, horizon) for v in (median, low, high)]
        colour = colours[i]
        ax.plot([shown[1], shown[2]], [i, i], color=colour, lw=2.5, solid_capstyle="butt")
        ax.plot(shown[0], i, "o", color=colour, ms=8)
        if math.isinf(high):
            ax.annotate("", (horizon + 1.2, i), (horizon, i), arrowprops={"arrowstyle": "->"})
        text = f">{horizon}" if math.isinf(median) else f"{median:g}"
        ax.annotate(text, (shown[0], i), xytext=(0, 7), textcoords="offset points", ha="center")
    _rows(ax, groups)
    ax.set_xlim(0, longest + 2)
    ax.set_xlabel("weeks to a job offer (median)")
    ax.set_title("Median weeks to an offer")
    ax.text(
        1.0,
        -0.22,
        f"bars: exact {LEVEL:.0%} interval (order statistics); runs per group: "
        f"{_runs_per_group(groups)}",
        transform=ax.transAxes,
        ha="right",
        fontsize="small",
    )
    return ax


@chart
def hired_share(
    table: pd.DataFrame, ax: Axes | None = None, by: str = "strategy", week: int = 26
) -> Axes:
    """Share of runs with an offer by ``week``, per group, with Clopper-Pearson 95% intervals."""
    ax = _axes(ax)
    groups = _groups(table, by)
    colours = _colours(len(groups))
    for i, (_, rows) in enumerate(groups):
        k, n = int(hired_by(rows, week).sum()), len(rows)
        low, high = stats.proportion_interval(k, n)
        share = k / n
        ax.barh(i, 100 * share, color=colours[i], height=0.6)
        ax.errorbar(
            100 * share,
            i,
            xerr=[[100 * (share - low)], [100 * (high - share)]],
            color="black",
            capsize=4,
            lw=1.2,
        )
        ax.annotate(
            f"{share:.0%}", (100 * high, i), xytext=(4, 0), textcoords="offset points", va="center"
        )
    _rows(ax, groups)
    ax.set_xlim(0, 112)
    ax.set_xlabel(f"hired by week {week} (% of runs)")
    ax.set_title(f"Share hired by week {week}")
    ax.text(
        1.0,
        -0.22,
        f"whiskers: Clopper-Pearson exact {LEVEL:.0%} interval",
        transform=ax.transAxes,
        ha="right",
        fontsize="small",
    )
    return ax


@chart
def strategy_comparison(
    table: pd.DataFrame, axes: Sequence[Axes] | None = None, by: str = "strategy", week: int = 26
) -> Sequence[Axes]:
    """Both panels side by side: median weeks to an offer, and share hired by ``week``."""
    if axes is None:
        fig, axes = figure(ncols=2)
        fig.suptitle("Job-search strategies compared (same networks, same luck)")
    weeks_to_offer(table, axes[0], by)
    hired_share(table, axes[1], by, week)
    axes[1].set_yticklabels([])
    return axes


def _rows(ax: Axes, groups: list[tuple[Any, pd.DataFrame]]) -> None:
    """One row per group, first at the top, with the same limits on every panel (so panels
    side by side line up)."""
    ax.set_yticks(range(len(groups)), [_label(k) for k, _ in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)


def _runs_per_group(groups: list[tuple[Any, pd.DataFrame]]) -> str:
    sizes = {len(rows) for _, rows in groups}
    return f"{sizes.pop():,}" if len(sizes) == 1 else f"{min(sizes):,}-{max(sizes):,}"


@chart
def survival(table: pd.DataFrame, ax: Axes | None = None, by: str = "strategy") -> Axes:
    """Kaplan-Meier curves of P(still without an offer) by week, censored at the horizon, with
    95% bands (Greenwood, log-log)."""
    ax = _axes(ax)
    groups = _groups(table, by)
    colours = _colours(len(groups))
    for i, (key, rows) in enumerate(groups):
        weeks, offered = time_to_offer(rows)
        curve = stats.kaplan_meier(weeks, offered)
        end = max(float(weeks.max()), float(curve.time[-1]))
        t = np.append(curve.time, end)
        ax.step(
            t,
            100 * np.append(curve.survival, curve.survival[-1]),
            where="post",
            color=colours[i],
            lw=2,
            label=_label(key),
        )
        ax.fill_between(
            t,
            100 * np.append(curve.lower, curve.lower[-1]),
            100 * np.append(curve.upper, curve.upper[-1]),
            step="post",
            color=colours[i],
            alpha=0.18,
            lw=0,
        )
    ax.set_xlabel("week")
    ax.set_ylabel("still without an offer (% of runs)")
    ax.set_ylim(0, 101)
    ax.set_xlim(0, None)
    ax.set_title("Time to a job offer (Kaplan-Meier)")
    ax.legend(frameon=False, title=f"bands: {LEVEL:.0%} (Greenwood)")
    return ax


@chart
def answer_mix(table: pd.DataFrame, ax: Axes | None = None, by: str = "strategy") -> Axes:
    """How contacts answered, per group: stacked shares of sympathy, 'ears open' and action."""
    ax = _axes(ax)
    groups = _groups(table, by)
    answers = ("sympathy", "ears_open", "action")
    for i, (_, rows) in enumerate(groups):
        counts = np.array([rows[f"total_{a}"].sum() for a in answers], dtype=float)
        shares = counts / counts.sum() if counts.sum() else counts
        left = 0.0
        for answer, share in zip(answers, shares, strict=True):
            ax.barh(
                i,
                100 * share,
                left=100 * left,
                color=ANSWER_COLOURS[answer],
                height=0.6,
                label=ANSWER_LABELS[answer] if i == 0 else None,
            )
            if share >= 0.06:
                ax.text(
                    100 * (left + share / 2),
                    i,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    color="white" if answer != "ears_open" else "black",
                    fontsize="small",
                )
            left += share
    _rows(ax, groups)
    ax.set_xlim(0, 100)
    ax.set_xlabel("answers (% of all answers to the seeker)")
    ax.set_title("How contacts answered")
    ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    return ax


# --- design sweeps ------------------------------------------------------------------------------


def outcome_values(table: pd.DataFrame, outcome: str, key: pd.Series) -> pd.Series:
    """An outcome of :data:`sim.experiment.sensitivity.OUTCOMES` per value of ``key`` (any
    grouping)."""
    from sim.experiment.sensitivity import OUTCOMES

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome '{outcome}' is not allowed; allowed: {', '.join(OUTCOMES)}")
    return OUTCOMES[outcome][1](table.assign(point=key.to_numpy()))


def _bins(values: pd.Series, bins: int | None) -> tuple[pd.Series, list[str]]:
    """Design values as they are (``bins=None``); sampled ones in ``bins`` equal-width bins."""
    distinct = np.sort(values.unique())
    if bins is None:
        codes = pd.Series(np.searchsorted(distinct, values), index=values.index)
        return codes, [f"{v:g}" for v in distinct]
    edges = np.linspace(values.min(), values.max(), bins + 1)
    codes = pd.Series(np.clip(np.digitize(values, edges[1:-1]), 0, bins - 1), index=values.index)
    centres = (edges[:-1] + edges[1:]) / 2
    return codes, [f"{c:.2g}" for c in centres]


@chart
def heatmap(
    table: pd.DataFrame,
    ax: Axes | None = None,
    x: str = "specificity",
    y: str = "positivity",
    outcome: str = "hired",
    bins: int | None = None,
    averaged: Sequence[str] = (),
) -> Axes:
    """An outcome (mean over runs) over two parameters, one cell per pair of design values;
    ``bins`` cuts sampled (continuous) values into that many equal-width bins instead, and
    ``averaged`` names other parameters the design varies, which each cell pools."""
    ax = _axes(ax)
    for name in (x, y):
        if name not in table.columns:
            raise ValueError(f"the table has no column '{name}' (the design does not vary it)")
    xs, xlabels = _bins(table[x], bins)
    ys, ylabels = _bins(table[y], bins)
    cells = ys * len(xlabels) + xs
    values = outcome_values(table, outcome, cells)
    grid = np.full((len(ylabels), len(xlabels)), np.nan)
    for cell, value in values.items():
        grid[int(cell) // len(xlabels), int(cell) % len(xlabels)] = value
    share = _percent(outcome)
    shown = 100 * grid if share else grid
    image = ax.imshow(shown, origin="lower", cmap="cividis", aspect="auto")
    colourbar = ax.figure.colorbar(image, ax=ax)
    colourbar.set_label(AXIS_LABELS[outcome])
    if grid.size <= 100:
        middle = np.nanmean(shown)
        for (i, j), value in np.ndenumerate(shown):
            if np.isfinite(value):
                ax.text(
                    j,
                    i,
                    f"{value:.0f}" if share else f"{value:.1f}",
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if value < middle else "black",
                )
    ax.set_xticks(range(len(xlabels)), xlabels)
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.set_xlabel(_axis_name(x))
    ax.set_ylabel(_axis_name(y))
    runs = int(np.median(np.bincount(cells.to_numpy())))
    ax.set_title(f"{outcome.replace('_', ' ')} over {x} and {y}")
    ax.text(
        1.0,
        -0.2,
        f"cell: mean of ~{runs:,} runs"
        + (f", pooled over {', '.join(averaged)}" if averaged else ""),
        transform=ax.transAxes,
        ha="right",
        fontsize="small",
    )
    return ax


# Outcomes that are ratios of sums over runs: (numerator columns, denominator columns).
RATIOS = {
    "share_action": (["total_action"], ["total_asks"]),
    "share_sympathy": (["total_sympathy"], ["total_asks"]),
    "hires_via_contacts": (
        ["total_hires_lead", "total_hires_intro"],
        ["total_hires_direct", "total_hires_lead", "total_hires_intro"],
    ),
    "exit_hazard": (["window_exits"], ["window_at_risk"]),
}
MEANS = {
    "mean_unemployment": "mean_unemployment",
    "unemployment_rate": "unemployment_rate",
    "weeks_searching": "weeks_run",
}


def outcome_interval(rows: pd.DataFrame, outcome: str) -> tuple[float, float, float, str]:
    """(value, low, high, kind of interval) of an outcome over a set of runs: Clopper-Pearson
    for the share hired, Student's t for means, the delta method for ratios of sums."""
    if outcome == "hired":
        k, n = int(hired_by(rows).sum()), len(rows)
        return (k / n, *stats.proportion_interval(k, n), "Clopper-Pearson")
    if outcome in MEANS:
        return (*stats.mean_interval(rows[MEANS[outcome]].to_numpy(dtype=float)), "t")
    if outcome in RATIOS:
        top, bottom = (
            rows[c].to_numpy(dtype=float).sum(axis=1) for c in map(list, RATIOS[outcome])
        )
        return (*stats.ratio_interval(top, bottom), "delta method / Clopper-Pearson")
    allowed = ", ".join(["hired", *MEANS, *RATIOS])
    raise ValueError(f"outcome '{outcome}' is not allowed; allowed: {allowed}")


def _percent(outcome: str) -> bool:
    """Outcomes that are shares, drawn in %."""
    return outcome in ("hired", "mean_unemployment", "unemployment_rate") or outcome in RATIOS


def _axis_name(parameter: str) -> str:
    names = {
        "banked_favours": "favours banked before the job loss",
        "gossip_rate": "gossip rate (P(talk about the seeker) per week)",
        "specificity": "specificity (0-1)",
        "positivity": "positivity (0-1)",
    }
    return names.get(parameter, parameter)


@chart
def effect(
    table: pd.DataFrame,
    ax: Axes | None = None,
    x: str = "specificity",
    outcome: str = "hired",
    by: str | None = None,
) -> Axes:
    """An outcome against one design column, one line per value of ``by``, with 95% intervals
    (Clopper-Pearson for the share hired, t for means, the delta method for ratios).
    Numeric ``x`` gives lines with bands; text ``x`` (graph names, say) gives dodged points."""
    ax = _axes(ax)
    lines = _groups(table, by) if by else [("", table)]
    colours = _colours(len(lines))
    scale = 100 if _percent(outcome) else 1
    numeric = pd.api.types.is_numeric_dtype(table[x])
    categories = list(dict.fromkeys(table[x])) if not numeric else []
    kind = ""
    for i, (key, subset) in enumerate(lines):
        points = sorted(_groups(subset, x), key=lambda kv: kv[0]) if numeric else _groups(subset, x)
        intervals = [outcome_interval(rows, outcome) for _, rows in points]
        values = np.array([interval[:3] for interval in intervals]) * scale
        kind = intervals[0][3]
        label = (
            (_label(key) if isinstance(key, str) else f"{by} = {_label(key)}")
            if by
            else (outcome.replace("_", " "))
        )
        if numeric:
            xs = [k for k, _ in points]
            ax.fill_between(xs, values[:, 1], values[:, 2], color=colours[i], alpha=0.2, lw=0)
            ax.plot(xs, values[:, 0], "o-", color=colours[i], lw=2, ms=4, label=label)
        else:
            offset = (i - (len(lines) - 1) / 2) * 0.8 / max(len(lines), 1)
            xs = [categories.index(k) + offset for k, _ in points]
            ax.errorbar(xs, values[:, 0], yerr=[values[:, 0] - values[:, 1],
                        values[:, 2] - values[:, 0]], fmt="o", color=colours[i], capsize=3,
                        label=label)  # fmt: skip
    if not numeric:
        ax.set_xticks(range(len(categories)), [str(c) for c in categories], rotation=20)
    ax.set_xlabel(_axis_name(x))
    ax.set_ylabel(AXIS_LABELS[outcome])
    ax.set_title(f"{outcome.replace('_', ' ')} against {x.replace('_', ' ')}")
    place: dict[str, Any] = {} if numeric else {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
    ax.legend(frameon=False, title=f"{LEVEL:.0%} intervals: {kind}", **place)
    return ax


@chart
def help_bank(
    table: pd.DataFrame, ax: Axes | None = None, x: str = "banked_favours", outcome: str = "hired"
) -> Axes:
    """The outcome against the favours the seeker banked before the job loss."""
    ax = effect(table, ax, x=x, outcome=outcome)
    ax.set_title("The help bank")
    return ax


# --- ties ----------------------------------------------------------------------------------------


def tie_shares(table: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Share of contact-made hires by the tie of the contact who passed the opening, with 95%
    intervals from :func:`sim.analysis.stats.ratio_interval` (runs are the units); hires passed on
    by relays (two steps away) are left out."""
    counts = table[[f"total_hires_via_{t}" for t in TIE_NAMES]].to_numpy(dtype=float)
    total = counts.sum(axis=1)
    return {tie: stats.ratio_interval(counts[:, j], total) for j, tie in enumerate(TIE_NAMES)}


@chart
def tie_classes(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Tie of the contact behind each contact-made hire, against Granovetter's 1973 figures."""
    ax = _axes(ax)
    shares = tie_shares(table)
    relays = int(table["total_hires_via_relay"].sum())
    hires = int(table[[f"total_hires_via_{t}" for t in TIE_NAMES]].to_numpy().sum())
    x = np.arange(len(TIE_NAMES))
    width = 0.38
    model = [100 * shares[t][0] for t in TIE_NAMES]
    err = [
        [100 * (shares[t][0] - shares[t][1]) for t in TIE_NAMES],
        [100 * (shares[t][2] - shares[t][0]) for t in TIE_NAMES],
    ]
    ax.bar(
        x - width / 2,
        model,
        width,
        color=OKABE_ITO[0],
        yerr=err,
        capsize=4,
        label=f"model ({hires:,} hires)",
    )
    ax.bar(
        x + width / 2,
        [100 * GRANOVETTER[t] for t in TIE_NAMES],
        width,
        color=OKABE_ITO[1],
        label="Granovetter 1973 (N = 54)",
    )
    ax.set_xticks(x, [TIE_LABELS[t] for t in TIE_NAMES])
    ax.set_ylabel("hires through contacts (%)")
    ax.set_title("Which ties pass the opening that becomes a hire")
    ax.legend(frameon=False, loc="upper left")
    ax.text(
        1.0,
        -0.2,
        f"whiskers: {LEVEL:.0%} (delta method over runs, at least Clopper-Pearson); "
        f"{len(table):,} runs pooled; {relays:,} relayed hires left out",
        transform=ax.transAxes,
        ha="right",
        fontsize="small",
    )
    return ax


# --- sensitivity ---------------------------------------------------------------------------------


@chart
def sensitivity_indices(indices: pd.DataFrame, ax: Axes | None = None, outcome: str = "") -> Axes:
    """Sobol (S1, ST) or Morris (mu*) indices of one outcome with their 95% intervals, from a
    ``sensitivity.csv`` table."""
    ax = _axes(ax)
    outcome = outcome or str(indices["outcome"].iloc[0])
    rows = indices[indices["outcome"] == outcome]
    if rows.empty:
        allowed = ", ".join(dict.fromkeys(indices["outcome"]))
        raise ValueError(f"no indices for outcome '{outcome}'; allowed: {allowed}")
    sobol = "ST" in rows.columns and rows["ST"].notna().all()
    key = "ST" if sobol else "mu_star"
    rows = rows.sort_values(key, ascending=True)
    y = np.arange(len(rows))
    if sobol:
        h = 0.38
        ax.barh(
            y - h / 2,
            rows["S1"],
            h,
            xerr=rows["S1_conf"],
            color=OKABE_ITO[4],
            capsize=3,
            label="first order S1",
        )
        ax.barh(
            y + h / 2,
            rows["ST"],
            h,
            xerr=rows["ST_conf"],
            color=OKABE_ITO[0],
            capsize=3,
            label="total ST",
        )
        ax.set_xlabel("Sobol index (share of output variance)")
        ax.axvline(0, color="black", lw=0.8)
    else:
        ax.barh(
            y,
            rows["mu_star"],
            0.6,
            xerr=rows["mu_star_conf"],
            color=OKABE_ITO[0],
            capsize=3,
            label="mu* (mean |elementary effect|)",
        )
        ax.plot(rows["sigma"], y, "D", color=OKABE_ITO[5], label="sigma (non-linearity)")
        ax.set_xlabel(f"Morris effect on {outcome} (outcome units over the range)")
    ax.set_yticks(y, rows["parameter"])
    ax.set_title(f"Sensitivity of {outcome.replace('_', ' ')}")
    ax.legend(frameon=False, loc="lower right", title=f"whiskers: {LEVEL:.0%} bootstrap")
    return ax


# --- people --------------------------------------------------------------------------------------


@chart
def unemployment_by_group(people: pd.DataFrame, ax: Axes | None = None, by: str = "group") -> Axes:
    """Share of weeks each person was unemployed, as an empirical CDF per group, with each
    group's Gini coefficient. ``people`` has a column ``unemployment`` (0-1) and ``by``."""
    ax = _axes(ax)
    groups = _groups(people, by)
    colours = _colours(len(groups))
    for i, (key, rows) in enumerate(groups):
        values = np.sort(rows["unemployment"].to_numpy())
        cdf = np.arange(1, len(values) + 1) / len(values)
        ax.step(
            100 * values,
            100 * cdf,
            where="post",
            color=colours[i],
            lw=2,
            label=f"{_label(key)}: mean {values.mean():.1%}, Gini {stats.gini(values):.2f}",
        )
    ax.set_xlabel("weeks unemployed (% of the weeks simulated)")
    ax.set_ylabel("people (cumulative %)")
    ax.set_ylim(0, 101)
    ax.set_title("Unemployment over a career")
    ax.legend(frameon=False, loc="lower right")
    return ax


@chart
def caj_validation(nodes: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Simulated against exact long-run unemployment per person (columns ``exact``,
    ``simulated``, and ``low``/``high`` for the simulated value's interval, ``engine``)."""
    ax = _axes(ax)
    engines = _groups(nodes, "engine") if "engine" in nodes.columns else [("", nodes)]
    colours = _colours(len(engines))
    for i, (key, rows) in enumerate(engines):
        err = None
        if {"low", "high"} <= set(rows.columns):
            err = [
                100 * (rows["simulated"] - rows["low"]),
                100 * (rows["high"] - rows["simulated"]),
            ]
        ax.errorbar(
            100 * rows["exact"],
            100 * rows["simulated"],
            yerr=err,
            fmt="o",
            color=colours[i],
            ms=5,
            capsize=2,
            label=str(key) or "simulated",
        )
    top = 100 * float(max(nodes["exact"].max(), nodes["simulated"].max())) * 1.08
    bottom = 100 * float(min(nodes["exact"].min(), nodes["simulated"].min())) * 0.92
    ax.plot([bottom, top], [bottom, top], color="black", lw=0.8, label="equal")
    ax.set_xlim(bottom, top)
    ax.set_ylim(bottom, top)
    ax.set_xlabel("exact long-run unemployment (%, Markov chain)")
    ax.set_ylabel("simulated unemployment (%)")
    ax.set_title("Against Calvo-Armengol & Jackson (2004)")
    ax.legend(frameon=False, title=f"whiskers: {LEVEL:.0%}")
    return ax


# --- the seeker's network ------------------------------------------------------------------------


@chart
def network_snapshot(
    graph: nx.Graph,
    ax: Axes | None = None,
    seed: int = 0,
    legend: bool = True,
    thick: float = 1.0,
    pos: dict[Any, Any] | None = None,
) -> Axes:
    """The seeker's network: each contact coloured by its answer (node attribute ``answer``:
    one of ``sim.model.rules.STATE_NAMES``, or ``heard``), the seeker (node 0) highlighted, tie
    strength as line weight (edge attribute ``tie``). ``seed`` fixes the layout; ``legend=False``
    leaves the key to the caller (the classroom page draws its own); ``thick`` scales lines,
    dots and labels (2 for a projector); ``pos`` is a layout to reuse (a picture redrawn every
    week keeps its people in place without computing it again). Each contact is labelled by
    its node attribute ``name``, else its role, else its file label."""
    ax = _axes(ax)
    layout = pos if pos is not None else nx.spring_layout(graph, seed=seed)
    edges = list(graph.edges)
    nx.draw_networkx_edges(
        graph,
        layout,
        ax=ax,
        edgelist=edges,
        edge_color="#777777",
        width=[thick * TIE_WIDTHS[graph.edges[e].get("tie", DISTANT)] for e in edges],
    )
    contacts = [v for v in graph.nodes if v != SEEKER]
    colours = [ANSWER_COLOURS[graph.nodes[v].get("answer", "unaware")] for v in contacts]
    nx.draw_networkx_nodes(
        graph,
        layout,
        ax=ax,
        nodelist=contacts,
        node_color=colours,
        node_size=220 * thick**2,
        edgecolors="white",
    )
    if SEEKER in graph:
        nx.draw_networkx_nodes(
            graph,
            layout,
            ax=ax,
            nodelist=[SEEKER],
            node_color="#0072B2",
            node_shape="*",
            node_size=700 * thick**2,
            edgecolors="black",
        )
    names = {v: _name(graph, v) for v in contacts}
    if len(graph) <= 40 and any(names.values()):
        nx.draw_networkx_labels(
            graph,
            {v: (x, y - 0.05 - 0.03 * thick) for v, (x, y) in layout.items()},  # below the dot
            names,
            ax=ax,
            font_size=7 * thick,
        )
        ax.margins(x=0.1 * thick, y=0.04 * thick)  # room for the outer names (larger ones too)
    shown = [*STATE_NAMES] + (["heard"] if any(graph.nodes[v].get("answer") == "heard"
                                               for v in contacts) else [])  # fmt: skip
    handles: list[Any] = [Patch(color=ANSWER_COLOURS[s], label=ANSWER_LABELS[s]) for s in shown]
    handles.append(Patch(color="#0072B2", label="seeker"))
    handles += [
        Line2D([], [], color="#777777", lw=w, label=f"{TIE_NAMES[t]} tie")
        for t, w in TIE_WIDTHS.items()
    ]
    if legend:
        ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_title("Who answered what")
    ax.set_axis_off()
    return ax


def _name(graph: nx.Graph, v: Any) -> str:
    """A contact's ``name`` if given, else its role in the personal network, else the label its
    file gives it."""
    name = graph.nodes[v].get("name", "")
    if isinstance(name, str) and name:
        return name
    role = graph.nodes[v].get("role", "")
    if role:
        return ROLE_LABELS.get(role, role)
    label = graph.nodes[v].get("label", "")
    return label if isinstance(label, str) else ""


def file_network(graph: nx.Graph, size: str = "paper", seed: int = 0) -> Figure:
    """A graph as read from a file (``sim.model.graphs.describe_file_graph``): tie classes as line
    weights, the seeker (node 0) as a star, labels where there are at most 60 people."""
    fig, ax = figure(size)
    with plt.rc_context(_style(size)):
        layout = nx.spring_layout(graph, seed=seed)
        edges = list(graph.edges)
        widths = [TIE_WIDTHS[graph.edges[e].get("tie", DISTANT)] for e in edges]
        nx.draw_networkx_edges(graph, layout, ax=ax, edgelist=edges, edge_color="#777777",
                               width=widths)  # fmt: skip
        others = [v for v in graph.nodes if v != SEEKER]
        nx.draw_networkx_nodes(graph, layout, ax=ax, nodelist=others, node_color="#999999",
                               node_size=120, edgecolors="white")  # fmt: skip
        nx.draw_networkx_nodes(graph, layout, ax=ax, nodelist=[SEEKER], node_color="#0072B2",
                               node_shape="*", node_size=500, edgecolors="black")  # fmt: skip
        if len(graph) <= 60:
            labels = {v: str(graph.nodes[v].get("label", v)) for v in graph.nodes}
            nx.draw_networkx_labels(graph, {v: (x, y - 0.07) for v, (x, y) in layout.items()},
                                    labels, ax=ax, font_size=7)  # fmt: skip
        handles: list[Any] = [Patch(color="#0072B2", label="seeker")]
        handles += [
            Line2D([], [], color="#777777", lw=w, label=f"{TIE_NAMES[t]} tie")
            for t, w in TIE_WIDTHS.items()
        ]
        ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_axis_off()
        ax.set_title(f"{graph.number_of_nodes()} people, {graph.number_of_edges()} ties")
    return fig


def seeker_network(params: Any, seed: int, replicate: int = 0, engine: str = "numba") -> nx.Graph:
    """The network of replicate ``replicate`` of a run with ``seed``, each contact's answer to
    the seeker in its ``answer`` attribute and the week in ``week`` (the run is repeated; one
    seed fixes the graph and the answers)."""
    from sim.model.runs import replicate_graph, run

    graph = replicate_graph(params, seed, replicate, same_graph=False).copy()
    runs = run(params, 1, seed, engine, first=replicate)
    for v in graph.nodes:
        state = int(runs.answer_state[0, v])
        graph.nodes[v]["answer"] = STATE_NAMES[state] if state >= 0 else "unaware"
        graph.nodes[v]["week"] = int(runs.answer_week[0, v])
    return graph


# --- the labour market at steady state ----------------------------------------------------------


def _legend(by: str, key: Any) -> str:
    """A line's label: a strategy's name as it is, other groups with what they are."""
    return _label(key) if by == "strategy" else f"{by} {_label(key)}"


@chart
def exit_hazard_by_spell(table: pd.DataFrame, ax: Axes | None = None, by: str = "point") -> Axes:
    """Weekly exit hazard by completed weeks of the spell (``sim.analysis.market`` bins), one line
    per group: hires among those at risk, pooled over runs (a ratio of sums with its interval from
    :func:`sim.analysis.stats.ratio_interval`). Needs the ``at_risk_*`` and ``exits_*`` columns."""
    from sim.analysis.market import SPELL_LABELS

    ax = _axes(ax)
    groups = _groups(table, by)
    colours = _colours(len(groups))
    x = np.arange(len(SPELL_LABELS))
    for i, (key, rows) in enumerate(groups):
        values = [
            stats.ratio_interval(rows[f"exits_{b}"], rows[f"at_risk_{b}"]) for b in SPELL_LABELS
        ]
        mid = np.array([v[0] for v in values])
        err = np.array([[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]])
        ax.errorbar(x + 0.08 * (i - (len(groups) - 1) / 2), 100 * mid, yerr=100 * err,
                    fmt="o-", color=colours[i], ms=4, capsize=2,
                    label=_legend(by, key) if len(groups) > 1 else None)  # fmt: skip
    ax.set_xticks(x, [b.replace("_plus", "+").replace("_", "-") for b in SPELL_LABELS])
    ax.set_xlabel("completed weeks of the spell")
    ax.set_ylabel("weekly exit hazard (%)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Exit hazard by spell length ({LEVEL:.0%} intervals over runs)")
    if len(groups) > 1:
        ax.legend(fontsize="small")
    return ax


@chart
def stationarity(
    weekly: pd.DataFrame,
    axes: Sequence[Axes],
    burn_in: int | Sequence[int],
    block: int = 13,
    by: str = "point",
) -> Sequence[Axes]:
    """Unemployment rate, mean reputation and the share of answers that were action, in
    ``block``-week averages over the runs of each group, with the burn-in shaded: the window
    after it should show no trend. ``weekly`` is a sweep's weekly.parquet with a ``point``
    column (one line per design point). Several burn-ins (a design that varies it): the
    shortest is shaded, each is marked."""
    ends = sorted({int(burn_in)} if isinstance(burn_in, (int, np.integer)) else set(burn_in))
    series = (
        ("unemployment rate (%)", lambda r: 100 * r.unemployed / (r.employed + r.unemployed)),
        ("mean reputation", lambda r: r.mean_reputation),
        ("answers that were action (%)", None),
    )
    frame = weekly[weekly.week > 0]
    groups = _groups(frame, by)
    colours = _colours(len(groups))
    for ax, (name, value) in zip(axes, series, strict=True):
        for i, (key, rows) in enumerate(groups):
            blocks = (rows.week - 1) // block
            if value is None:
                sums = rows.groupby(blocks)[["action", "asks"]].sum()
                y = 100 * sums.action / sums.asks.where(sums.asks > 0)
            else:
                y = value(rows).groupby(blocks).mean()
            ax.plot(y.index * block + block / 2, y.to_numpy(), color=colours[i],
                    label=_legend(by, key) if len(groups) > 1 else None)  # fmt: skip
        ax.axvspan(0, ends[0], color="0.9", zorder=0)
        for end in ends:
            ax.axvline(end, color="black", lw=0.8, ls="--")
        ax.set_ylabel(name)
        ax.set_xlabel("week")
    shown = " / ".join(map(str, ends))
    axes[1].set_title(f"Burn-in ({shown} weeks, shaded), then the window; means over runs")
    if len(groups) > 1:
        axes[0].legend(fontsize="small")
    return axes


# --- calibration ------------------------------------------------------------------------------
@chart
def posterior_marginals(
    particles: pd.DataFrame,
    axes: Sequence[Axes] | np.ndarray,
    priors: dict[str, tuple[np.ndarray, np.ndarray]],
) -> Sequence[Axes] | np.ndarray:
    """Each calibrated parameter's posterior (a weighted histogram of the last generation's
    particles, ``weight`` column) against its prior density (dashed), one panel per entry of
    ``priors`` (name -> (grid over the prior's support, density on it)), with the posterior's
    weighted median and 90% interval as a bar. Unused panels are hidden."""
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    weights = particles["weight"].to_numpy()
    for ax, (name, (grid, density)) in zip(flat, priors.items(), strict=False):
        values = particles[name].to_numpy()
        ax.hist(values, bins=20, range=(grid[0], grid[-1]), weights=weights, density=True,
                color=OKABE_ITO[0], alpha=0.7, label="posterior")  # fmt: skip
        ax.plot(grid, density, color="black", ls="--", lw=1, label="prior")
        order = np.argsort(values)
        cdf = np.cumsum(weights[order]) / weights.sum()
        low, mid, high = (values[order][np.searchsorted(cdf, q)] for q in (0.05, 0.5, 0.95))
        top = ax.get_ylim()[1]
        ax.plot([low, high], [0.92 * top] * 2, color=OKABE_ITO[5], lw=2)
        ax.plot([mid], [0.92 * top], "o", color=OKABE_ITO[5], ms=4)
        ax.set_title(name, fontsize="small")
        ax.set_yticks([])
        ax.tick_params(labelsize="x-small")
    for ax in flat[len(priors) :]:
        ax.set_visible(False)
    handles = [
        Patch(color=OKABE_ITO[0], alpha=0.7, label="posterior"),
        Line2D([], [], color="black", ls="--", lw=1, label="prior"),
        Line2D([], [], color=OKABE_ITO[5], lw=2, marker="o", ms=4, label="median, 90%"),
    ]
    flat[0].figure.legend(handles=handles, fontsize="x-small", loc="outside upper center",
                          ncols=3)  # fmt: skip
    return axes


@chart
def posterior_pairs(
    particles: pd.DataFrame, axes: Sequence[Axes] | np.ndarray, pairs: Sequence[tuple[str, str]]
) -> Sequence[Axes] | np.ndarray:
    """Pairwise posterior of the given parameter pairs: the last generation's particles, area
    proportional to weight, with the weighted correlation in the title."""
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    w = particles["weight"].to_numpy()
    for ax, (a, b) in zip(flat, pairs, strict=False):
        x, y = particles[a].to_numpy(), particles[b].to_numpy()
        ax.scatter(x, y, s=2 + 400 * w / w.max() / np.sqrt(len(w)), color=OKABE_ITO[0],
                   alpha=0.5, linewidths=0)  # fmt: skip
        ax.set_xlabel(a, fontsize="small")
        ax.set_ylabel(b, fontsize="small")
        ax.set_title(f"weighted r = {weighted_correlation(x, y, w):+.2f}", fontsize="small")
        ax.tick_params(labelsize="x-small")
    for ax in flat[len(pairs) :]:
        ax.set_visible(False)
    return axes


def weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Pearson correlation of x and y under weights w (NumPy's weighted covariance)."""
    c = np.cov(x, y, aweights=w)
    return float(c[0, 1] / math.sqrt(c[0, 0] * c[1, 1])) if c[0, 0] * c[1, 1] > 0 else math.nan


@chart
def predictive_check(draws: pd.DataFrame, ax: Axes | None, check: pd.DataFrame) -> Axes:
    """Posterior predictive check: per target moment (a row of ``check``, the table of
    ``sim.experiment.calibration.predictive_check``), the moments simulated under posterior draws
    (``draws``) as gaps from the target in tolerances, (x - value) / tolerance: median and 90%
    interval; the band is one tolerance either side. For a sign target the gap is
    sign x / tolerance, right when >= 0. Fit and held-out moments in two colours."""
    ax = _axes(ax)
    rows = list(check.itertuples())
    for i, row in enumerate(rows):
        x = draws[row.moment].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if isinstance(row.sign, str) and row.sign:
            gap = (x if row.sign == "positive" else -x) / row.tolerance
            ax.plot([0, 0], [i - 0.4, i + 0.4], color="0.6", lw=1)
        else:
            gap = (x - row.value) / row.tolerance
            ax.fill_betweenx([i - 0.4, i + 0.4], -1, 1, color="0.92", zorder=0)
        colour = OKABE_ITO[0] if row.role == "fit" else OKABE_ITO[1]
        if len(gap):
            low, mid, high = np.quantile(gap, (0.05, 0.5, 0.95))
            ax.plot([low, high], [i, i], color=colour, lw=2)
            ax.plot([mid], [i], "o", color=colour, ms=5)
    labels = [
        f"{r.moment} ({'sign' if isinstance(r.sign, str) and r.sign else r.target})" for r in rows
    ]
    ax.set_yticks(range(len(rows)), labels, fontsize="x-small")
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("simulated minus target, in tolerances (grey band: within one)")
    ax.legend(
        handles=[Line2D([], [], color=OKABE_ITO[0], lw=2, marker="o", label="fit"),
                 Line2D([], [], color=OKABE_ITO[1], lw=2, marker="o", label="held out")],
        fontsize="x-small", loc="lower right",
    )  # fmt: skip
    ax.set_title("Posterior predictive check (median and 90% of draws)")
    return ax


@chart
def effects_under_uncertainty(
    effects: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    monte_carlo: Mapping[str, tuple[float, float, float]] | None = None,
    unit: float = 100.0,
    label: str = "effect on unemployment (points)",
) -> Axes:
    """One row per effect: its value at each posterior draw (dots), their median and 90%
    interval (bar), and, below it, the Monte Carlo 90% interval at the calibrated point alone
    (``monte_carlo``: label -> (mean, low, high)), which is what an analysis at one point
    would report. ``unit`` scales the values (100: fractions to points)."""
    ax = _axes(ax)
    rng = np.random.default_rng(0)  # jitter only: the drawing is the same every time
    for i, (name, values) in enumerate(effects.items()):
        x = unit * np.asarray(values, dtype=float)
        x = x[np.isfinite(x)]
        ax.scatter(x, i + rng.uniform(-0.15, 0.15, len(x)), s=6, color=OKABE_ITO[4],
                   alpha=0.6, linewidths=0)  # fmt: skip
        low, mid, high = np.quantile(x, (0.05, 0.5, 0.95))
        ax.plot([low, high], [i, i], color=OKABE_ITO[0], lw=2.5)
        ax.plot([mid], [i], "o", color=OKABE_ITO[0], ms=6)
        if monte_carlo and name in monte_carlo:
            m, lo, hi = (unit * v for v in monte_carlo[name])
            ax.plot([lo, hi], [i + 0.32] * 2, color=OKABE_ITO[5], lw=2.5)
            ax.plot([m], [i + 0.32], "s", color=OKABE_ITO[5], ms=5)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(effects)), list(effects), fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel(label)
    handles = [
        Line2D([], [], color=OKABE_ITO[0], lw=2.5, marker="o", label="over the posterior (90%)"),
        Line2D([], [], color=OKABE_ITO[5], lw=2.5, marker="s",
               label="Monte Carlo at the calibrated point (90%)"),
    ]  # fmt: skip
    ax.legend(handles=handles, fontsize="x-small", loc="best")
    return ax


def saturation_effects(
    table: pd.DataFrame,
    ax: Axes | None = None,
    estimates: Sequence[str] = ("effect on the treated", "spillover", "total"),
) -> Axes:
    """A programme's estimates against the share treated: one line per estimate with its 95%
    interval over markets (``sim.analysis.interventions.saturation``'s table: ``share``,
    ``estimate``, ``effect``, ``low``, ``high``, in percentage points of follow-up weeks
    unemployed; below zero is fewer)."""
    ax = _axes(ax)
    for i, name in enumerate(estimates):
        rows = table[table.estimate == name].dropna(subset=["effect"]).sort_values("share")
        x = 100 * rows.share.to_numpy() + (i - 1) * 1.2  # side by side, not on top
        y = rows.effect.to_numpy()
        err = np.vstack([y - rows.low.to_numpy(), rows.high.to_numpy() - y])
        ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=3, lw=1.5,
                    color=OKABE_ITO[i], label=name)  # fmt: skip
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("share of the eligible treated (%)")
    ax.set_ylabel("points of follow-up weeks unemployed")
    return ax
