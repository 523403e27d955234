"""Import a long table: one row per (model, benchmark), columns ``model, benchmark, score`` and
optionally ``stderr`` and ``n`` (names settable); CSV or Parquet.

Models and benchmarks keep their order of first appearance; every benchmark is its own round, in
that order. A missing row or an empty score is a missing score. Where every row of a benchmark
gives the same ``n`` and its scores are accuracies, ``n`` becomes its ``[item_counts]`` entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from swisssim.data.importers.common import (
    Imported,
    accuracy_counts,
    require_common_benchmark,
    source_of,
)
from swisssim.data.importers.tables import read_table
from swisssim.data.long_form import pivot_long


def import_long(paths: Sequence[str | Path], *, model: str = "model",
                benchmark: str = "benchmark", score: str = "score", stderr: str | None = None,
                n: str | None = None) -> Imported:
    """Read one or more long tables (rows are concatenated) into an :class:`Imported`.

    ``stderr`` and ``n`` name optional columns; when left as None, columns called ``stderr`` and
    ``n`` are used if the table has them.
    """
    frames, sources = [], []
    for given in paths:
        path = Path(given)
        frames.append(read_table(path))
        sources.append(source_of(path))
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    choices = []
    if stderr is None and "stderr" in table.columns:
        stderr = "stderr"
    if n is None and "n" in table.columns:
        n = "n"
    label = ", ".join(s.path for s in sources)
    wide = pivot_long(table, label, model=model, benchmark=benchmark, score=score,
                      stderr=stderr, n=n)
    require_common_benchmark(wide.scores, label)
    choices.append(f"Columns: model={model!r}, benchmark={benchmark!r}, score={score!r}, "
                   f"stderr={stderr!r}, n={n!r}.")
    errors = wide.errors
    return Imported(
        format="long", scores=wide.scores,
        errors=None if errors is None or errors.isna().all().all() else errors,
        item_counts=accuracy_counts(wide.scores, wide.item_counts),
        rounds=tuple((b, (b,)) for b in wide.scores.columns), sources=tuple(sources),
        choices=tuple(choices))
