"""Tables as the files hold them: the frame ``pandas.read_csv`` gives back from a written CSV.

Every result object's ``to_frame()`` returns its table through :func:`as_written`, so that a
notebook and a script reading the command line's CSV see the same columns, values and dtypes
(an ``elimination`` column of integer schedules is ``int64`` in both, an empty family is NaN in
both), and filters such as ``frame[frame.elimination == 0]`` behave the same on either.
"""

from __future__ import annotations

import io

import pandas as pd


def as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` written as the writers write CSV files and read back with ``pandas.read_csv``.

    Floats survive exactly (pandas writes the shortest repr that round-trips).
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    return pd.read_csv(io.StringIO(text))


__all__ = ["as_written"]
