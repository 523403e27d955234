"""Import a long table: one row per (model, benchmark), columns ``model, benchmark, score`` and
optionally ``stderr`` and ``n`` (names settable); CSV or Parquet.

Models and benchmarks keep their order of first appearance; every benchmark is its own round, in
that order, or ``round_column`` names each row's round (benchmarks sharing a label form one round,
in order of first appearance). A missing row or an empty score is a missing score; a benchmark
with no score at all is dropped with a note. Where every row of a benchmark gives the same ``n``
and its scores are accuracies, ``n`` becomes its ``[item_counts]`` entry. ``lower_is_better``
names benchmarks whose metric is better when smaller. A round whose benchmarks are on different
scales is split (:func:`~swisssim.data.importers.common.split_mixed_scales`) with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from swisssim.data.importers.common import (
    Imported,
    accuracy_counts,
    check_lower_is_better,
    drop_empty_benchmarks,
    require_common_benchmark,
    rounds_from_labels,
    source_of,
    split_mixed_scales,
)
from swisssim.data.importers.tables import read_table
from swisssim.data.long_form import pivot_long
from swisssim.errors import InputError


def import_long(paths: Sequence[str | Path], *, model: str = "model",
                benchmark: str = "benchmark", score: str = "score", stderr: str | None = None,
                n: str | None = None, round_column: str | None = None,
                lower_is_better: Sequence[str] = ()) -> Imported:
    """Read one or more long tables (rows are concatenated) into an :class:`Imported`.

    ``stderr`` and ``n`` name optional columns; when left as None, columns called ``stderr`` and
    ``n`` are used if the table has them. ``round_column`` names a column giving each row's
    round; ``lower_is_better`` lists benchmarks whose metric is better when smaller.
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
    scores, notes = drop_empty_benchmarks(wide.scores, label)
    choices += notes
    require_common_benchmark(scores, label)
    lower = check_lower_is_better(lower_is_better, list(scores.columns))
    if round_column is None:
        rounds: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
            (b, (b,)) for b in scores.columns)
    else:
        rounds = rounds_from_labels(_round_labels(table, label, benchmark, round_column),
                                    list(scores.columns))
        choices.append(f"Rounds from column {round_column!r}.")
    split, notes = split_mixed_scales(scores, rounds, lower)
    choices += notes
    choices.append(f"Columns: model={model!r}, benchmark={benchmark!r}, score={score!r}, "
                   f"stderr={stderr!r}, n={n!r}.")
    errors = wide.errors
    if errors is not None:
        errors = errors[list(scores.columns)]
    return Imported(
        format="long", scores=scores,
        errors=None if errors is None or errors.isna().all().all() else errors,
        item_counts=accuracy_counts(scores, {b: c for b, c in wide.item_counts.items()
                                             if b in scores.columns}, lower),
        rounds=tuple(split), lower_is_better=lower, sources=tuple(sources),
        choices=tuple(choices))


def _round_labels(table: pd.DataFrame, source: str, benchmark: str,
                  column: str) -> dict[str, str]:
    """``{benchmark: round}`` from a column of the long table (one round per benchmark)."""
    if column not in table.columns:
        raise InputError(source, "header", f"a round column named {column!r}",
                         found_text=f"columns {list(map(str, table.columns))}")
    labels: dict[str, str] = {}
    for bench, value in zip(table[benchmark], table[column], strict=True):
        bench, value = str(bench).strip(), str(value).strip()
        if not value:
            raise InputError(source, column, f"a round name for benchmark {bench!r}", "")
        if labels.setdefault(bench, value) != value:
            raise InputError(source, column, f"one round per benchmark ({bench!r})",
                             found_text=f"{labels[bench]!r} and {value!r}")
    return labels
