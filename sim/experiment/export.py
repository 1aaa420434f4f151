"""A sweep's results for use outside Python: ``empathy-sim export RESULTS_DIR --csv``.

``runs.parquet`` (and ``weekly.parquet`` where the sweep kept weeks) become CSV files beside
them, readable in R, Stata or a spreadsheet, column for column as stored. A missing value, null
in Parquet, is an empty cell:

- ``weeks_to_offer``: the week of the single seeker's offer, empty when there was none;
- ``hired_channel``: ``direct``, ``lead`` or ``intro`` (``sim.model.rules.CHANNEL_NAMES``),
  empty when nobody was hired;
- ``strategy``: the preset's name, empty when the design point names none.

Each file is written atomically: an existing CSV is either the old one or the complete new one.
"""

from __future__ import annotations

from pathlib import Path

from sim.experiment.storage import atomic
from sim.model.params import ConfigError

TABLES = ("runs", "weekly")


def export_csv(folder: Path, out: Path | None = None) -> list[tuple[Path, int]]:
    """Write ``<table>.csv`` for each of ``TABLES`` the folder holds, into ``out`` (default: the
    folder itself). Returns (path, rows) for each file written.

    Raises ``ConfigError`` if ``folder`` holds no finished sweep (no ``runs.parquet``)."""
    import pyarrow as pa
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
        table = pq.read_table(source)
        if "hired_channel" in table.column_names and pa.types.is_integer(
            table["hired_channel"].type
        ):
            raise ConfigError(
                f"{source} stores hire channels as codes and no offer as 0 (made before "
                "runs.parquet held them as text and nulls); allowed: a results folder of this "
                "version: run its config again with --force"
            )
        target = out / f"{name}.csv"
        with atomic(target) as tmp:
            pyarrow.csv.write_csv(table, tmp)
        written.append((target, table.num_rows))
    return written
