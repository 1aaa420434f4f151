"""A sweep's results for use outside Python: ``empathy-sim export RESULTS_DIR --csv``.

``runs.parquet`` (and ``weekly.parquet`` where the sweep kept weeks) become CSV files beside
them, readable in R, Stata or a spreadsheet without knowing the tool's codes:

- ``weeks_to_offer``: the week of the single seeker's offer, an empty cell when there was none
  (Parquet keeps 0 for "no offer" within the horizon);
- ``hired_channel``: ``direct``, ``lead`` or ``intro`` (``sim.model.rules.CHANNEL_NAMES``), an
  empty cell when not hired (Parquet keeps the code, -1 for none);
- ``strategy``: the preset's name, an empty cell when the design point names none.

Every other column is written as stored. Each file is written atomically: an existing CSV is
either the old one or the complete new one.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from sim.experiment.storage import atomic
from sim.model.params import ConfigError
from sim.model.rules import CHANNEL_NAMES

TABLES = ("runs", "weekly")


def readable(table: pa.Table) -> pa.Table:
    """The runs table with missing values as nulls and codes as text (see the module's list);
    other tables, and columns absent from this one, pass unchanged."""
    names = table.column_names
    if "weeks_to_offer" in names:
        weeks = table["weeks_to_offer"]
        table = table.set_column(
            names.index("weeks_to_offer"), "weeks_to_offer",
            pc.if_else(pc.equal(weeks, 0), pa.scalar(None, weeks.type), weeks),
        )  # fmt: skip
    if "hired_channel" in names:  # codes index CHANNEL_NAMES; -1 (not hired) becomes null
        codes = table["hired_channel"]
        known = pc.if_else(pc.less(codes, 0), pa.scalar(None, codes.type), codes)
        text = pa.array(CHANNEL_NAMES, pa.string()).take(known.combine_chunks())
        table = table.set_column(names.index("hired_channel"), "hired_channel", text)
    if "strategy" in names:
        strategy = table["strategy"]
        table = table.set_column(
            names.index("strategy"), "strategy",
            pc.if_else(pc.equal(strategy, ""), pa.scalar(None, strategy.type), strategy),
        )  # fmt: skip
    return table


def export_csv(folder: Path, out: Path | None = None) -> list[tuple[Path, int]]:
    """Write ``<table>.csv`` for each of ``TABLES`` the folder holds, into ``out`` (default: the
    folder itself). Returns (path, rows) for each file written.

    Raises ``ConfigError`` if ``folder`` holds no finished sweep (no ``runs.parquet``)."""
    import pyarrow.csv
    import pyarrow.parquet as pq

    if not (folder / "runs.parquet").is_file():
        raise ConfigError(
            f"{folder} has no runs.parquet; allowed: the results folder of a finished sweep, "
            "e.g. results/strategies (rerun its config to finish it)"
        )
    out = folder if out is None else out
    if not out.is_dir():
        raise ConfigError(f"--out {out} is not a folder; allowed: an existing folder")
    written = []
    for name in TABLES:
        source = folder / f"{name}.parquet"
        if not source.is_file():
            continue
        table = readable(pq.read_table(source))
        target = out / f"{name}.csv"
        with atomic(target) as tmp:
            pyarrow.csv.write_csv(table, tmp)
        written.append((target, table.num_rows))
    return written
