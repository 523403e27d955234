"""Kendall's tau-b and Spearman's rho (swisssim.analysis.rank_correlation) against scipy.stats,
bit for bit, and the pair counts against a brute-force enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from swisssim.analysis.rank_correlation import (
    average_ranks,
    discordant_pairs,
    kendall_tau_b,
    spearman_rho,
)


def _same(a: float, b: float) -> bool:
    """Equal bit for bit, NaN equal to NaN."""
    return (math.isnan(a) and math.isnan(b)) or a == b


def _scipy(x, y):
    tau = stats.kendalltau(x, y, variant="b")
    rho = stats.spearmanr(x, y)
    return (float(tau.statistic), float(tau.pvalue), float(rho.statistic), float(rho.pvalue))


def _cases():
    """Pairs of vectors covering every branch: exact and asymptotic p-values, ties in one,
    both or neither vector, near-perfect agreement above 33 items, constant vectors."""
    rng = np.random.default_rng(20261206)
    for n in (2, 3, 4, 5, 8, 13, 33, 34, 65, 200):
        x = rng.permutation(n).astype(float)
        yield f"untied-{n}", x, rng.permutation(n).astype(float)
        yield f"ties-{n}", rng.integers(0, max(2, n // 3), n).astype(float), x
        yield f"ties-both-{n}", rng.integers(0, 4, n) * 0.5, rng.integers(0, 3, n).astype(float)
        yield f"scores-{n}", rng.normal(size=n), rng.normal(size=n)
        swapped = x.copy()
        if n > 1:
            swapped[[0, 1]] = swapped[[1, 0]]
        yield f"one-swap-{n}", x, swapped
        yield f"same-{n}", x, x.copy()
        yield f"reversed-{n}", x, -x
        yield f"correlated-{n}", x, x + rng.normal(scale=n / 4, size=n)
    yield "constant", np.ones(6), np.arange(6.0)
    yield "constant-y", np.arange(6.0), np.full(6, 2.0)
    yield "nan", np.array([1.0, np.nan, 3.0, 4.0]), np.arange(4.0)
    yield "one", np.array([1.0]), np.array([2.0])
    yield "ints", np.array([3, 1, 2, 2, 5, 4]), np.array([1, 2, 3, 4, 5, 5])


@pytest.mark.parametrize("name,x,y", list(_cases()), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_tau_b_and_rho_equal_scipy_bit_for_bit(name, x, y):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _scipy(x, y)
    got = (*kendall_tau_b(x, y), *spearman_rho(x, y))
    assert all(_same(g, e) for g, e in zip(got, expected)), (name, got, expected)


def test_discordant_pairs_equal_a_count_of_every_pair():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 3, 7, 16, 17, 64, 101):
        for values in (rng.integers(0, 5, n), rng.permutation(n), np.arange(n)[::-1]):
            brute = sum(1 for i, j in itertools.combinations(range(n), 2)
                        if values[i] > values[j])
            assert discordant_pairs(values) == brute


def test_average_ranks_equal_scipy_rankdata():
    rng = np.random.default_rng(4)
    for values in (rng.integers(0, 4, 30) * 0.5, rng.normal(size=30), np.ones(5), np.array([])):
        assert np.array_equal(average_ranks(values), stats.rankdata(values))


def test_unequal_lengths_are_refused():
    with pytest.raises(ValueError, match="same length; got 3 and 2"):
        kendall_tau_b(np.arange(3), np.arange(2))
