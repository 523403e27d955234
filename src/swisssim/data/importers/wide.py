"""A plain wide table as a scenario: ``swisssim run|sweep|report scores.csv``.

The table (CSV, or Parquet with ``swisssim[parquet]``) has one row per model: the model name in a
column called ``model`` (else the first column), then one column per benchmark. Every benchmark is
a round of its own, in column order; ``lower_is_better`` names benchmarks whose metric is better
when smaller. Empty cells are missing scores; the missing-score policy is the importers'
suggestion (:meth:`~swisssim.data.importers.common.Imported.suggested_missing`) unless given. A
benchmark with no score at all is dropped with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from swisssim.data.importers.common import (
    Imported,
    check_lower_is_better,
    drop_empty_benchmarks,
    require_common_benchmark,
    source_of,
)
from swisssim.data.importers.tables import PARQUET_SUFFIXES, read_table
from swisssim.data.scenario import Scenario
from swisssim.data.tables import numeric_frame
from swisssim.errors import InputError

#: File suffixes read as a wide table rather than a scenario file.
TABLE_SUFFIXES = (".csv", *PARQUET_SUFFIXES)


def is_table(argument: str | Path) -> bool:
    """Whether a SCENARIO argument names a table (by its suffix) rather than a TOML file."""
    return Path(argument).suffix.lower() in TABLE_SUFFIXES


def import_wide(path: str | Path, *, lower_is_better: Sequence[str] = ()) -> Imported:
    """Read a wide table (models as rows, benchmarks as columns) into an :class:`Imported`."""
    path = Path(path)
    source = str(path)
    table = read_table(path)
    if table.shape[1] < 2:
        raise InputError(source, "header", "a model column, then one column per benchmark",
                         found_text=f"columns {list(map(str, table.columns))}")
    key = "model" if "model" in table.columns else table.columns[0]
    frame = table.set_index(key)
    frame.index = frame.index.map(lambda v: str(v).strip())
    scores = numeric_frame(frame, source)
    scores.index.name = "model"
    scores, choices = drop_empty_benchmarks(scores, source)
    require_common_benchmark(scores, source)
    lower = check_lower_is_better(lower_is_better, list(scores.columns))
    choices.insert(0, f"Models from column {str(key)!r}; every other column is a benchmark and "
                      "its own round, in column order.")
    return Imported(format="table", scores=scores,
                    rounds=tuple((str(b), (str(b),)) for b in scores.columns),
                    lower_is_better=lower, sources=(source_of(path),), choices=tuple(choices))


def scenario_from_table(path: str | Path, *, lower_is_better: Sequence[str] = (),
                        missing: str | None = None) -> tuple[Scenario, list[str]]:
    """The scenario of a wide table, named after the file, and the notes to show."""
    imported = import_wide(path, lower_is_better=lower_is_better)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(path).stem).strip("._-") or "table"
    scenario = imported.scenario(name, missing=missing)
    notes = list(imported.choices) + [
        line if not line.startswith("suggested [scoring].missing") else
        f"missing-score policy: {scenario.scoring.missing!r} (--missing chooses: error | lose | "
        "skip | drop; see docs/scenario-format.md)" for line in imported.missing_report()]
    return scenario, notes
