"""Standard errors of benchmark scores: checked files and binomial errors from item counts.

Used by the bootstrap (scores perturbed by their errors) and by probabilistic wins. Errors are
laid out like the scores: one row per model, one column per benchmark, 0 where none is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from swisssim.errors import InputError
from swisssim.errors import preview as _preview
from swisssim.validation import is_integer


def check_score_errors(errors: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Standard errors laid out like ``scores``: same models, known benchmarks, values >= 0.

    Benchmarks without a column and empty cells get 0 (no noise). ``errors`` has already passed
    the checks of a scores table (names, numbers); its ``attrs["source"]`` names the file.
    """
    source = errors.attrs.get("source", "score_errors")
    unknown = [b for b in errors.columns if b not in scores.columns]
    if unknown:
        raise InputError(source, "header", f"benchmarks of the scores file "
                         f"({_preview(list(scores.columns))})", unknown[0])
    absent = [m for m in scores.index if m not in errors.index]
    if absent:
        raise InputError(source, "model", "a row for every model of the scores file",
                         found_text=f"no row for {absent[:5]}")
    extra = [m for m in errors.index if m not in scores.index]
    if extra:
        raise InputError(source, "model", "only models of the scores file",
                         found_text=f"unknown model(s) {extra[:5]}")
    for bench in errors.columns:
        for model, value in errors[bench].items():
            if value < 0:
                raise InputError(source, f"standard error of model {model!r} on benchmark "
                                 f"{bench!r}", "a non-negative number or an empty cell", value)
    return errors.reindex(index=scores.index, columns=scores.columns).fillna(0.0)



def check_item_counts(counts: Any, scores: pd.DataFrame, source: str) -> dict[str, int]:
    """``[item_counts]``: a table of benchmark -> positive integer number of items."""
    field = "item_counts"
    if not isinstance(counts, Mapping):
        raise InputError(source, field, "a table of benchmark = number of items", counts)
    checked = {}
    for bench, count in counts.items():
        if bench not in scores.columns:
            raise InputError(source, f"{field}.{bench}",
                             f"benchmarks of the scores file ({_preview(list(scores.columns))})",
                             bench)
        if not is_integer(count) or count <= 0:
            raise InputError(source, f"{field}.{bench}", "a positive integer number of items",
                             count)
        checked[str(bench)] = int(count)
    return checked


def binomial_errors(scores: pd.DataFrame, counts: Mapping[str, int],
                    errors: pd.DataFrame | None, source: str) -> pd.DataFrame:
    """Binomial standard errors ``scale * sqrt(p (1 - p) / n)`` for accuracy benchmarks.

    A benchmark's scores are read as proportions when none exceeds 1, else as percentages
    (``scale = 100``); any score outside ``[0, scale]`` is an error. The binomial error fills the
    cells where ``errors`` (given explicitly) has none.
    """
    result = (errors.copy() if errors is not None
              else pd.DataFrame(0.0, index=scores.index, columns=scores.columns))
    for bench, n_items in counts.items():
        column = scores[bench]
        scale = 100.0 if column.max() > 1.0 else 1.0
        outside = column[(column < 0) | (column > scale)]
        if len(outside):
            model = outside.index[0]
            raise InputError(source, f"item_counts.{bench}",
                             "accuracies in [0, 1] or percentages in [0, 100] on a benchmark with "
                             "an item count", found_text=f"{outside.iloc[0]!r} for model {model!r}")
        share = (column / scale).to_numpy()
        binomial = scale * np.sqrt(share * (1.0 - share) / n_items)
        explicit = result[bench].to_numpy()
        result[bench] = np.where((explicit > 0) | np.isnan(binomial), explicit,
                                 np.nan_to_num(binomial))
    return result
