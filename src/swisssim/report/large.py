"""What the report shows of a large field: the top rows of each per-model table, and a note.

Up to :data:`swisssim.plots.large.LARGE_FIELD` models every table lists every model. Above it a
per-model table keeps its first :data:`TABLE_ROWS` rows (the tables are sorted best first, or
by the quantity they are about) and is followed by a note saying how many rows were left out
and which CSV file holds them all; the figures switch to their summary forms
(:mod:`swisssim.plots.large`).
"""

from __future__ import annotations

from typing import Any

from swisssim.plots.names import LARGE_FIELD, is_large
from swisssim.report.doc import Paragraph, inline

#: Rows of a per-model table that the report of a large field shows.
TABLE_ROWS = 100


def limit_rows(rows: tuple, n_models: int, where: str) -> tuple[tuple, tuple[Any, ...]]:
    """``(rows shown, blocks to add after the table)`` for a per-model table.

    All rows, and no note, when the field has at most ``LARGE_FIELD`` models or the table is
    short; otherwise the first ``TABLE_ROWS`` rows and one paragraph naming ``where`` (the CSV
    file with every row).
    """
    if not is_large(n_models) or len(rows) <= TABLE_ROWS:
        return rows, ()
    note = Paragraph(inline(
        f"This field has {n_models:,} models (more than {LARGE_FIELD}), so the table above shows "
        f"its first {TABLE_ROWS} rows and leaves out {len(rows) - TABLE_ROWS:,}; every row is "
        f"in `{where}`."), "note")
    return rows[:TABLE_ROWS], (note,)


__all__ = ["TABLE_ROWS", "limit_rows"]
