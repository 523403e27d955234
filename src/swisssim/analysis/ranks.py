"""Competition ranks: the one rank convention of every table (``docs/method.md`` section 5.4).

A competitor's rank is 1 + the number of competitors with a strictly higher value ("1224"
ranking): equal values share the better rank. Missing values (NaN) rank after every other
competitor, all sharing rank ``1 + (number of non-missing values)``. Baseline scores, which are
floats computed in different ways, may be rounded to a number of significant digits first so
that equal scores computed along different paths tie.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (as ``float(f"{v:.{digits}g}")``)."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    rounded = np.fromiter((float(f"{v:.{digits}g}") for v in flat), dtype=np.float64,
                          count=flat.size)
    return rounded.reshape(np.shape(values))


def competition_ranks(values: pd.Series | np.ndarray, *,
                      significant_digits: int | None = None) -> pd.Series | np.ndarray:
    """Competition ranks along the last axis; 1 = the highest value.

    Parameters
    ----------
    values
        Scores, any shape (ranked along the last axis), or a Series (ranked as one vector; the
        result keeps its index and name). Higher is better.
    significant_digits
        Round to this many significant digits before comparing (``None``: compare exactly).

    Returns
    -------
    numpy.ndarray or pandas.Series
        int64 ranks of the same shape: 1 + the number of strictly higher values; NaN values rank
        last, sharing ``1 + (number of non-NaN values)``. O(n log n) per row.
    """
    array = np.asarray(values, dtype=np.float64)
    if significant_digits is not None:
        array = round_significant(array, significant_digits)
    ranks = _ranks_last_axis(array)
    if isinstance(values, pd.Series):
        return pd.Series(ranks, index=values.index, name=values.name)
    return ranks


def _ranks_last_axis(array: np.ndarray) -> np.ndarray:
    if array.ndim == 0:
        return np.ones((), dtype=np.int64)
    n = array.shape[-1]
    missing = np.isnan(array)
    keys = np.where(missing, -np.inf, array)
    order = np.argsort(-keys, axis=-1, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=-1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0), axis=-1)
    ranks = np.empty(array.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    if missing.any():
        valid = (~missing).sum(axis=-1, keepdims=True)
        ranks = np.where(missing, valid + 1, ranks)
    return ranks


__all__ = ["competition_ranks", "round_significant"]
