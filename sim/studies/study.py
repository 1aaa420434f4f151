"""What the scripts in ``experiments/`` share: options, running a config, saving a figure.

Each study script is ``python experiments/<study>.py [--results DIR] [--figures DIR]
[--workers N] [--quick]``: it runs its config (resuming if interrupted, like ``empathy-sim
run``), draws its figure into ``--figures`` (``docs/figures`` by default, where
``docs/findings.md`` shows it) and prints the effect sizes with their intervals. ``--quick``
divides replicates by 10 (for trying a script out; the docs' numbers come from the full run).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.config import Experiment, load_config
from sim.model.params import ConfigError, SweepError


def options(doc: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--results", default="results", help="folder for <name>/ (results)")
    parser.add_argument("--figures", default="docs/figures", help="where figures go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small version to try it: a tenth of the replicates, or what the script says",
    )
    return parser.parse_args(argv)


def experiment(config: str | Path, args: argparse.Namespace) -> Experiment:
    """The config as validated; ``--quick`` keeps a tenth of the replicates (at least 2)."""
    loaded = load_config(str(config))
    if args.quick:
        loaded.replicates = max(2, loaded.replicates // 10)
        loaded.name += "-quick"
    return loaded


def sweep_config(config: str | Path, args: argparse.Namespace) -> pd.DataFrame:
    """Run (or resume) a config's sweep and return its runs table (``attrs["folder"]``: the
    results folder)."""
    from sim.experiment.sweep import sweep

    path = Path(config)
    if args.quick:  # a quick variant is its own config, with its own results folder
        text = path.read_text(encoding="utf-8")
        quick = experiment(path, args)
        text = re.sub(r"(?m)^replicates = \d+", f"replicates = {quick.replicates}", text)
        text = re.sub(r'(?m)^name = "[^"]*"', f'name = "{quick.name}"', text)
        path = Path(args.results) / f"{quick.name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    folder = sweep(str(path), args.results, workers=args.workers, progress=io.StringIO())
    table = pd.read_parquet(folder / "runs.parquet")
    table.attrs["folder"] = folder  # where sensitivity.csv and the manifest are
    return table


def save(fig: Any, name: str, args: argparse.Namespace) -> None:
    from sim.studies import plots

    folder = Path(args.figures)
    folder.mkdir(parents=True, exist_ok=True)
    for path in plots.save(fig, folder / name, ("png",)):
        print(f"wrote {path}")


def paired(treated: pd.DataFrame, control: pd.DataFrame) -> tuple[str, str]:
    """The change in the share hired and in weeks searching from ``control`` to ``treated``,
    paired by replicate (common random numbers), as text with 95% bootstrap intervals."""
    from sim.analysis import stats

    a, b = treated.sort_values("replicate"), control.sort_values("replicate")
    hired = stats.paired_difference(a.weeks_to_offer > 0, b.weeks_to_offer > 0)
    weeks = stats.paired_difference(a.weeks_run, b.weeks_run)
    return (
        f"hired {points(*hired)}",
        f"weeks searching {weeks[0]:+.2f} ({weeks[1]:+.2f} to {weeks[2]:+.2f})",
    )


def percent(value: float, low: float, high: float, digits: int = 1) -> str:
    """'12.3% (10.1% to 14.2%)' from fractions."""
    return f"{100 * value:.{digits}f}% ({100 * low:.{digits}f}% to {100 * high:.{digits}f}%)"


def points(value: float, low: float, high: float, digits: int = 1) -> str:
    """'+12.3 points (10.1 to 14.2)' from fractions: a difference of percentages."""
    return f"{100 * value:+.{digits}f} points ({100 * low:+.{digits}f} to {100 * high:+.{digits}f})"


def main(run: Any, doc: str, argv: Sequence[str] | None = None) -> int:
    """Run a study; a bad config or option is one line and exit 2, as with ``empathy-sim``."""
    import matplotlib

    matplotlib.use("Agg")
    try:
        run(options(doc, argv))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SweepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. --figures names a file, or the disk is full
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 2
    return 0
