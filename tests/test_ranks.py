"""The one competition-rank function against a naive definition and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from swisssim.analysis.ranks import competition_ranks


def naive_ranks(values: list[float]) -> list[int]:
    """1 + the number of strictly higher values; NaN after all others, sharing one rank."""
    present = [v for v in values if not np.isnan(v)]
    return [len(present) + 1 if np.isnan(v) else 1 + sum(w > v for w in present)
            for v in values]


def test_ties_share_the_better_rank_and_nan_is_last():
    ranks = competition_ranks(np.array([3.0, 1.0, 3.0, 2.0, np.nan]))
    np.testing.assert_array_equal(ranks, [1, 4, 1, 3, 5])
    assert competition_ranks(np.array([[2, 2], [0, 1]])).tolist() == [[1, 1], [2, 1]]


def test_series_keep_index_and_name_and_rounding_ties_near_equal_scores():
    values = pd.Series([0.1 + 0.2, 0.3, 0.0], index=list("xyz"), name="m")
    exact = competition_ranks(values)
    assert list(exact) == [1, 2, 3]
    rounded = competition_ranks(values, significant_digits=12)
    assert list(rounded) == [1, 1, 3] and list(rounded.index) == list("xyz")
    assert rounded.name == "m"


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=7),
                  elements=st.sampled_from([-np.inf, -1.0, 0.0, 0.5, 2.0, np.nan])))
def test_every_row_matches_the_naive_definition(values):
    ranks = competition_ranks(values)
    assert ranks.shape == values.shape and ranks.dtype == np.int64
    for index in np.ndindex(values.shape[:-1]):
        assert ranks[index].tolist() == naive_ranks(values[index].tolist())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-3, 3).map(float), min_size=1, max_size=30))
def test_matches_pandas_min_rank(values):
    expected = pd.Series(values).rank(method="min", ascending=False).astype(np.int64)
    assert competition_ranks(np.array(values)).tolist() == expected.tolist()
