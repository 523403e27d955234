"""Long score tables: one row per (model, benchmark) pivoted into the wide layout of a scenario.

Used by :meth:`swisssim.data.scenario.Scenario.from_long` and the ``long`` importer
(:mod:`swisssim.data.importers.long`). A missing row, or an empty score, is a missing score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from swisssim.data.tables import numeric_frame
from swisssim.errors import InputError


@dataclass(frozen=True)
class WideTables:
    """The wide tables of a long table.

    Attributes
    ----------
    scores
        Models as rows (first-appearance order), benchmarks as columns (first-appearance order).
    errors
        Standard errors laid out like ``scores`` (NaN where none), or None without a stderr column.
    item_counts
        ``{benchmark: n}`` for benchmarks whose rows all give the same positive integer count.
    """

    scores: pd.DataFrame
    errors: pd.DataFrame | None
    item_counts: dict[str, int]


def pivot_long(frame: pd.DataFrame, source: str, *, model: str = "model",
               benchmark: str = "benchmark", score: str = "score", stderr: str | None = None,
               n: str | None = None) -> WideTables:
    """Pivot a long table; raise :class:`InputError` naming ``source`` on a bad table.

    Parameters
    ----------
    frame
        The long table.
    source
        The file or argument to name in errors.
    model, benchmark, score, stderr, n
        Column names; ``stderr`` and ``n`` are optional (None: not read).
    """
    for role, column in (("model", model), ("benchmark", benchmark), ("score", score),
                         ("stderr", stderr), ("n", n)):
        if column is not None and column not in frame.columns:
            raise InputError(source, "header", f"a {role} column named {column!r}",
                             found_text=f"columns {list(map(str, frame.columns))}")
    table = frame.copy()
    for column in (model, benchmark):
        text = table[column].map(lambda v: "" if v is None or (isinstance(v, float)
                                                            and np.isnan(v)) else str(v).strip())
        empty = text.eq("")
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(source, f"{column} in row {row + 1}", "a non-empty name",
                             table[column].iloc[row])
        table[column] = text
    pairs = table[[model, benchmark]]
    repeated = pairs[pairs.duplicated()]
    if len(repeated):
        first = repeated.iloc[0]
        raise InputError(source, f"rows of model {first[model]!r} on benchmark "
                         f"{first[benchmark]!r}", "one row per (model, benchmark)",
                         found_text=f"{int(pairs.duplicated(keep=False).sum())} rows for "
                                    f"{len(repeated.drop_duplicates())} repeated pair(s)")
    models = list(dict.fromkeys(table[model]))
    benchmarks = list(dict.fromkeys(table[benchmark]))

    def wide(column: str, what: str) -> pd.DataFrame:
        raw = table.pivot(index=model, columns=benchmark, values=column)
        raw = raw.reindex(index=models, columns=benchmarks).astype(object)
        return numeric_frame(raw, f"{source} ({what} column {column!r})")

    scores = wide(score, "score")
    errors = None
    if stderr is not None:
        errors = wide(stderr, "stderr")
        negative = errors.stack()[lambda s: s < 0]
        if len(negative):
            (who, bench), value = negative.index[0], negative.iloc[0]
            raise InputError(source, f"stderr of model {who!r} on benchmark {bench!r}",
                             "a non-negative number or an empty cell", float(value))
    counts: dict[str, int] = {}
    if n is not None:
        sizes = wide(n, "n")
        for bench in benchmarks:
            known = sizes[bench].dropna()
            bad = known[(known <= 0) | (known != np.round(known))]
            if len(bad):
                raise InputError(source, f"n of model {bad.index[0]!r} on benchmark {bench!r}",
                                 "a positive integer number of items or an empty cell",
                                 float(bad.iloc[0]))
            if len(known) and known.nunique() == 1 and not scores[bench].isna().all():
                counts[bench] = int(known.iloc[0])
    return WideTables(scores=scores, errors=errors, item_counts=counts)
