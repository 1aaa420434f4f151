"""Charts: each drawn with Agg from small real sweeps, and checked for what it drew.

The expected values come from the results tables themselves, computed here with NumPy and
pandas (not with the chart code): bar lengths, curve ends, cell colours, point counts.
"""

import hashlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from scipy import stats as sps  # noqa: E402

from sim.experiment.sweep import sweep  # noqa: E402
from sim.model.exact import long_run_unemployment  # noqa: E402
from sim.model.params import Params  # noqa: E402
from sim.studies import plots  # noqa: E402

STRATEGIES = """
name = "strategies"
seed = 11
replicates = 80
random_numbers = "common"
[model]
scenario = "single"
weeks = 26
[design]
kind = "strategies"
strategies = ["vague-gloomy", "specific-positive", "help-banker"]
"""
GRID = """
name = "grid"
seed = 12
replicates = 40
[model]
weeks = 26
[design]
kind = "grid"
[design.values]
specificity = [0.0, 0.5, 1.0]
positivity = [0.0, 1.0]
"""
FAVOURS = """
name = "favours"
seed = 13
replicates = 60
[design]
kind = "grid"
[design.values]
banked_favours = [0, 4, 8]
"""
SOBOL = """
name = "sobol"
seed = 14
replicates = 3
random_numbers = "common"
[design]
kind = "sobol"
samples = 16
[design.ranges]
w_specificity = [0.0, 4.0]
fit_cost = [0.0, 0.8]
separation_rate = [0.0, 0.1]
"""
MORRIS = """
name = "morris"
seed = 15
replicates = 2
random_numbers = "common"
[model]
scenario = "market"
burn_in = 0
graph = "watts-strogatz"
n_nodes = 60
weeks = 10
[design]
kind = "morris"
samples = 8  # the least Morris allows (sim.experiment.config.MIN_SAMPLES)
[design.ranges]
action_base = [-4.0, -1.0]
gossip_rate = [0.0, 0.5]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Each small config swept once for the module: name -> results folder."""
    root = tmp_path_factory.mktemp("plots")
    out = {}
    for text in (STRATEGIES, GRID, FAVOURS, SOBOL, MORRIS):
        name = text.split('"')[1]
        config = root / f"{name}.toml"
        config.write_text(text)
        out[name] = sweep(str(config), str(root / "results"), progress=io.StringIO())
    return out


def runs(results, name):
    return pd.read_parquet(results[name] / "runs.parquet")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def groups(table):
    return [(k, g) for k, g in table.groupby("strategy", sort=False)]


def bar_lengths(ax):
    return [p.get_width() for p in ax.patches]


def test_hired_share_draws_one_bar_per_strategy_of_the_right_length(results):
    table = runs(results, "strategies")
    ax = plots.hired_share(table, week=26)
    names = ["vague-gloomy", "specific-positive", "help-banker"]
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    expected = [100 * ((g.weeks_to_offer > 0) & (g.weeks_to_offer <= 26)).mean()
                for _, g in table.groupby("strategy", sort=False)]  # fmt: skip
    assert bar_lengths(ax) == pytest.approx(expected)
    # whiskers: SciPy's exact (Clopper-Pearson) interval of each strategy's count
    for container, (_, group) in zip(ax.containers[1::2], groups(table), strict=True):
        k = int(((group.weeks_to_offer > 0) & (group.weeks_to_offer <= 26)).sum())
        ci = sps.binomtest(k, len(group)).proportion_ci(0.95, method="exact")
        (low, _), (high, _) = container.lines[2][0].get_segments()[0]
        assert (low, high) == pytest.approx((100 * ci.low, 100 * ci.high))
    assert "Clopper-Pearson" in " ".join(t.get_text() for t in ax.texts)


def test_weeks_to_offer_marks_each_median(results):
    table = runs(results, "strategies")
    ax = plots.weeks_to_offer(table)
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(markers) == 3
    bars = [line for line in ax.lines if line.get_linewidth() == 2.5]
    for line, bar, (_, group) in zip(markers, bars, groups(table), strict=True):
        weeks = np.sort(np.where(group.weeks_to_offer > 0, group.weeks_to_offer, np.inf))
        assert line.get_xdata()[0] == pytest.approx(min(np.median(weeks), 26))
        # the order-statistic interval by its definition: the largest j whose coverage
        # 1 - 2 P(Bin(n, 1/2) <= j - 1) is at least 95%, then [x_(j), x_(n + 1 - j)]
        n = len(weeks)
        j = max(j for j in range(1, n // 2) if 1 - 2 * sps.binom.cdf(j - 1, n, 0.5) >= 0.95)
        assert list(bar.get_xdata()) == [min(weeks[j - 1], 26), min(weeks[n - j], 26)]
    assert "order statistics" in " ".join(t.get_text() for t in ax.texts)


def test_strategy_comparison_fills_two_panels(results):
    axes = plots.strategy_comparison(runs(results, "strategies"))
    assert len(axes) == 2
    assert [a.get_title() for a in axes] == ["Median weeks to an offer", "Share hired by week 26"]


def test_survival_curves_end_at_the_share_not_hired(results):
    # censoring only at the horizon: Kaplan-Meier's last value is the share without an offer
    table = runs(results, "strategies")
    ax = plots.survival(table)
    curves = [line for line in ax.lines if line.get_drawstyle().startswith("steps")]
    assert len(curves) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "vague-gloomy", "specific-positive", "help-banker"
    ]  # fmt: skip
    for line, (_, group) in zip(curves, table.groupby("strategy", sort=False), strict=True):
        assert line.get_ydata()[0] == 100
        assert line.get_ydata()[-1] == pytest.approx(100 * group.weeks_to_offer.isna().mean())
    assert len(ax.collections) == 3  # one band per curve


def test_survival_band_is_the_published_log_log_interval():
    # the 6-MP arm of Freireich et al. (1963) as a results table; at week 6 R's survfit with
    # conf.type = "log-log" gives S = 0.857 with band 0.620-0.952
    times = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    event = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    offer = [t * e for t, e in zip(times, event, strict=True)]
    table = pd.DataFrame({"strategy": "6-MP", "weeks_run": times, "weeks_to_offer": offer})
    ax = plots.survival(table)
    band = ax.collections[0].get_paths()[0].vertices
    at_six = {round(y, 1) for x, y in band if x == 6}  # the step: 100 before, the band after
    assert at_six == {100.0, 62.0, 95.2}
    curve = next(line for line in ax.lines if line.get_drawstyle().startswith("steps"))
    assert curve.get_ydata()[1] == pytest.approx(85.71, abs=0.01)


def test_answer_mix_stacks_to_the_answer_counts(results):
    table = runs(results, "strategies")
    ax = plots.answer_mix(table)
    assert len(ax.patches) == 3 * 3
    lengths = np.array(bar_lengths(ax)).reshape(3, 3)  # per strategy: sympathy, ears, action
    for row, (_, group) in zip(lengths, table.groupby("strategy", sort=False), strict=True):
        counts = group[["total_sympathy", "total_ears_open", "total_action"]].sum().to_numpy()
        assert row == pytest.approx(100 * counts / counts.sum())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "sympathy", "'ears open'", "action"
    ]  # fmt: skip


def test_heatmap_cells_hold_the_mean_outcome(results):
    table = runs(results, "grid")
    ax = plots.heatmap(table, outcome="hired")
    image = next(c for c in ax.get_children() if isinstance(c, AxesImage))
    grid = image.get_array()
    assert grid.shape == (2, 3)  # positivity rows x specificity columns
    expected = table.assign(h=table.weeks_to_offer > 0).groupby(["positivity", "specificity"]).h
    for (p, s), value in expected.mean().items():
        assert grid[[0.0, 1.0].index(p), [0.0, 0.5, 1.0].index(s)] == pytest.approx(100 * value)
    assert len(ax.texts) == 6 + 1  # one label per cell, one note
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.5", "1"]


def test_heatmap_shows_every_grid_value_and_names_what_it_pools():
    specificity = np.round(np.linspace(0, 1, 11), 1)
    table = pd.DataFrame(
        [{"specificity": s, "positivity": p, "fit_cost": c, "point": 0,
          "mean_unemployment": s + p + c} for s in specificity for p in (0.1, 0.9)
         for c in (0.3, 0.9)]
    )  # fmt: skip
    ax = plots.heatmap(table, outcome="mean_unemployment", averaged=["fit_cost"])
    image = next(c for c in ax.get_children() if isinstance(c, AxesImage))
    assert image.get_array().shape == (2, 11)  # no binning of a grid's 11 values
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{v:g}" for v in specificity]
    assert image.get_array()[0, 3] == pytest.approx(100 * (0.3 + 0.1 + 0.6))  # fit costs pooled
    assert "pooled over fit_cost" in " ".join(t.get_text() for t in ax.texts)


def test_heatmap_bins_sampled_values():
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {"specificity": rng.random(400), "positivity": rng.random(400),
         "point": np.arange(400), "mean_unemployment": rng.random(400)}
    )  # fmt: skip
    ax = plots.heatmap(table, outcome="mean_unemployment", bins=4)
    image = next(c for c in ax.get_children() if isinstance(c, AxesImage))
    assert image.get_array().shape == (4, 4)
    low = table[(table.specificity < 0.25) & (table.positivity < 0.25)].mean_unemployment.mean()
    assert image.get_array()[0, 0] == pytest.approx(100 * low, rel=0.05)  # bin edges at data range


def test_help_bank_plots_the_share_hired_per_favour_count(results):
    table = runs(results, "favours")
    ax = plots.help_bank(table)
    line = next(line for line in ax.lines if line.get_marker() == "o")
    assert list(line.get_xdata()) == [0, 4, 8]
    expected = table.groupby("banked_favours").weeks_to_offer.apply(lambda w: 100 * (w > 0).mean())
    assert list(line.get_ydata()) == pytest.approx(expected.to_list())
    assert ax.get_xlabel() == "favours banked before the job loss"


def test_effect_draws_one_line_per_value_of_by(results):
    table = runs(results, "grid")
    ax = plots.effect(table, x="specificity", outcome="weeks_searching", by="positivity")
    lines = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(lines) == 2 and len(ax.collections) == 2  # a line and a band per positivity
    expected = table.groupby(["positivity", "specificity"]).weeks_run.mean()
    for line, p in zip(lines, [0.0, 1.0], strict=True):
        assert list(line.get_xdata()) == [0.0, 0.5, 1.0]
        assert list(line.get_ydata()) == pytest.approx(expected[p].to_list())
    assert "t" in ax.get_legend().get_title().get_text()
    band = ax.collections[0].get_paths()[0].vertices  # positivity 0
    for s, rows in table[table.positivity == 0.0].groupby("specificity"):
        w = rows.weeks_run.to_numpy(dtype=float)
        low, high = sps.t.interval(0.95, len(w) - 1, loc=w.mean(), scale=sps.sem(w))
        ys = [y for x, y in band if x == pytest.approx(s)]
        assert min(ys) == pytest.approx(low) and max(ys) == pytest.approx(high)


def test_effect_with_text_categories_dodges_points():
    table = pd.DataFrame(
        {"graph": ["karate", "davis"] * 20, "who": ["a"] * 20 + ["b"] * 20,
         "total_action": np.arange(40), "total_asks": np.full(40, 50)}
    )  # fmt: skip
    ax = plots.effect(table, x="graph", outcome="share_action", by="who")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["karate", "davis"]
    # "a" rows: actions 0..19 of 50 asks each; karate holds the even ones
    karate_a = 100 * np.arange(0, 20, 2).sum() / (50 * 10)
    first = ax.containers[0].lines[0]  # errorbar container: data line of "a"
    assert first.get_ydata()[0] == pytest.approx(karate_a)
    second = ax.containers[1].lines[0]
    assert [first.get_xdata()[0], second.get_xdata()[0]] == pytest.approx([-0.2, 0.2])  # dodged
    with pytest.raises(ValueError, match="outcome 'x' is not allowed; allowed: hired"):
        plots.effect(table, x="graph", outcome="x")


def test_tie_classes_draws_model_and_granovetter_bars(results):
    table = runs(results, "strategies")
    ax = plots.tie_classes(table)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 6
    assert heights[3:] == pytest.approx([16.7, 55.6, 27.8])
    counts = table[[f"total_hires_via_{t}" for t in ("close", "regular", "distant")]].sum()
    assert heights[:3] == pytest.approx(list(100 * counts / counts.sum()))
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "close (often)", "regular (occasionally)", "distant (rarely)"
    ]  # fmt: skip
    # whiskers: the wider of the ratio estimator's delta-method interval (runs as units) and
    # Clopper-Pearson on the pooled counts, computed here from their textbook forms
    y_all = table[[f"total_hires_via_{t}" for t in ("close", "regular", "distant")]].to_numpy()
    x = y_all.sum(axis=1).astype(float)
    (whiskers,) = [c for c in ax.containers if hasattr(c, "lines")][:1]
    for j, segment in enumerate(whiskers.lines[2][0].get_segments()):
        y = y_all[:, j].astype(float)
        r, n = y.sum() / x.sum(), len(y)
        se = np.sqrt(((y - r * x) ** 2).sum() * n / (n - 1)) / x.sum()
        cp = sps.binomtest(int(y.sum()), int(x.sum())).proportion_ci(0.95, method="exact")
        low, high = min(r - 1.959964 * se, cp.low), max(r + 1.959964 * se, cp.high)
        assert [segment[0][1], segment[1][1]] == pytest.approx([100 * low, 100 * high], abs=1e-4)


def test_sensitivity_indices_sobol_and_morris(results):
    indices = pd.read_csv(results["sobol"] / "sensitivity.csv")
    outcome = indices.outcome.iloc[0]
    ax = plots.sensitivity_indices(indices, outcome=outcome)
    rows = indices[indices.outcome == outcome]
    assert len(ax.patches) == 2 * len(rows)  # S1 and ST per parameter
    assert {t.get_text() for t in ax.get_yticklabels()} == set(rows.parameter)
    st = sorted(p.get_width() for p in ax.patches[len(rows) :])
    assert st == pytest.approx(sorted(rows.ST))
    morris = pd.read_csv(results["morris"] / "sensitivity.csv")
    ax = plots.sensitivity_indices(morris, outcome="unemployment_rate")
    assert len(ax.patches) == 2  # mu* per parameter
    assert any(line.get_marker() == "D" for line in ax.lines)  # sigma
    with pytest.raises(ValueError, match="no indices for outcome 'nope'; allowed:"):
        plots.sensitivity_indices(morris, outcome="nope")


def test_network_snapshot_colours_each_contact_by_its_answer(results):
    # the run behind the snapshot is the sweep's: its answers add up to the sweep's row
    params = Params.from_dict({"weeks": 26}, strategy="help-banker")
    graph = plots.seeker_network(params, seed=11, replicate=5)
    row = runs(results, "strategies").query("strategy == 'help-banker' and replicate == 5")
    for answer in ("sympathy", "ears_open", "action"):
        drawn = sum(graph.nodes[v]["answer"] == answer for v in graph if v)
        assert drawn == int(row[f"total_{answer}"].iloc[0])
    assert sum(graph.nodes[v]["answer"] != "unaware" for v in graph if v) == row.total_asks.iloc[0]
    ax = plots.network_snapshot(graph)
    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(nodes[0].get_offsets()) == graph.number_of_nodes() - 1  # contacts
    assert len(nodes[1].get_offsets()) == 1  # the seeker
    colours = [matplotlib.colors.to_hex(c) for c in nodes[0].get_facecolors()]
    assert colours == [plots.ANSWER_COLOURS[graph.nodes[v]["answer"]].lower() for v in graph if v]
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    assert len(edges.get_segments()) == graph.number_of_edges()
    widths = sorted(set(edges.get_linewidths()))
    assert widths == sorted({plots.TIE_WIDTHS[graph.edges[e]["tie"]] for e in graph.edges})


def test_unemployment_by_group_labels_mean_and_gini():
    people = pd.DataFrame({"group": ["a"] * 4 + ["b"] * 4,
                           "unemployment": [0.1, 0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.4]})  # fmt: skip
    ax = plots.unemployment_by_group(people)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a: mean 10.0%, Gini 0.00", "b: mean 10.0%, Gini 0.75"]
    assert len(ax.lines) == 2


def test_caj_validation_puts_each_node_against_the_exact_solver():
    graph = nx.path_graph(4)
    exact = long_run_unemployment(graph, 0.1, 0.015)
    nodes = pd.DataFrame({"node": range(4), "exact": exact, "simulated": exact * 1.01,
                          "engine": "numba"})  # fmt: skip
    ax = plots.caj_validation(nodes)
    points = ax.lines[0]
    assert list(points.get_xdata()) == pytest.approx(list(100 * exact))
    assert ax.lines[-1].get_label() == "equal"


def test_save_writes_each_format_and_svg_is_reproducible(tmp_path, results):
    table = runs(results, "strategies")
    ax = plots.answer_mix(table)
    paths = plots.save(ax.figure, tmp_path / "mix", ("png", "svg", "pdf"))
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    digests = set()
    for name in ("one", "two"):  # the same table drawn twice gives the same SVG bytes
        (path,) = plots.save(plots.answer_mix(table).figure, tmp_path / name, ("svg",))
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1
    with pytest.raises(ValueError, match="format 'gif' is not allowed; allowed: png, svg, pdf"):
        plots.save(ax.figure, tmp_path / "x", ("gif",))
    assert not list(tmp_path.glob("x*"))


def test_slide_size_uses_larger_type(results):
    table = runs(results, "strategies")
    fig, ax = plots.figure("slide")
    plots.answer_mix(table, ax)
    slide = ax.get_xaxis().label.get_fontsize()
    paper = plots.answer_mix(table).get_xaxis().label.get_fontsize()
    assert fig.get_figwidth() == 11.0 and slide > paper
    with pytest.raises(ValueError, match="size='poster' is not allowed"):
        plots.figure("poster")
