"""Kendall's tau-b and Spearman's rho with their two-sided p-values, equal bit for bit to scipy's.

:func:`kendall_tau_b` returns what ``scipy.stats.kendalltau(x, y, variant="b")`` returns and
:func:`spearman_rho` what ``scipy.stats.spearmanr(x, y)`` returns (scipy 1.17, the default
``method="auto"`` and ``alternative="two-sided"``): the same integer counts of pairs, then the
same floating-point formulas in the same order, so the committed tables do not move by a bit.
They exist because importing ``scipy.stats`` costs about 0.3 s (most of it generating the
docstrings of its distributions), a tenth of ``swisssim report``'s run time, for two
statistics; ``scipy.special`` (the normal and Student-t tails) is loaded anyway by the
Bradley-Terry fit, and only when a p-value is computed. tests/test_rank_correlation.py
compares both with scipy on random inputs with and without ties, and the counts with a
brute-force enumeration of the pairs.

Conventions (docs/method.md section 7.2): inputs are two equal-length vectors of scores or
ranks, compared as given (ties are ties); the tests are two-sided. Kendall's p-value is exact
(Kendall 1970, the recursion of ``scipy.stats._mstats_basic._kendall_p_exact``) when neither
vector has ties and there are at most 33 items or at most one discordant (or concordant) pair,
and otherwise the normal approximation with the tie-corrected variance; Spearman's is the
Student-t approximation with ``n - 2`` degrees of freedom. A constant vector, a NaN or fewer than
two items give NaN for both numbers, as scipy does.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["discordant_pairs", "kendall_tau_b", "spearman_rho"]


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Kendall's tau-b of ``x`` and ``y`` and its two-sided p-value.

    Parameters
    ----------
    x, y
        Equal-length 1-D vectors (scores or ranks; any real dtype).

    Returns
    -------
    (tau, p)
        As ``scipy.stats.kendalltau(x, y, variant="b")``; ``(nan, nan)`` when either vector is
        constant, contains NaN, or has fewer than two items.
    """
    x, y = _pair(x, y)
    size = x.size
    if size < 2 or np.isnan(x).any() or np.isnan(y).any():
        return (math.nan, math.nan)
    perm = np.argsort(y)                           # sort on y, then y as dense ranks
    x, y = x[perm], y[perm]
    y_dense = np.r_[True, y[1:] != y[:-1]].cumsum(dtype=np.intp)
    perm = np.argsort(x, kind="mergesort")         # stable sort on x, then x as dense ranks
    x, y_dense = x[perm], y_dense[perm]
    x_dense = np.r_[True, x[1:] != x[:-1]].cumsum(dtype=np.intp)

    dis = discordant_pairs(y_dense)
    new_pair = np.r_[True, (x_dense[1:] != x_dense[:-1]) | (y_dense[1:] != y_dense[:-1]), True]
    runs = np.diff(np.nonzero(new_pair)[0]).astype("int64", copy=False)
    ntie = int((runs * (runs - 1) // 2).sum())     # pairs tied in both
    xtie, x0, x1 = _tie_counts(x_dense)
    ytie, y0, y1 = _tie_counts(y_dense)
    tot = (size * (size - 1)) // 2
    if xtie == tot or ytie == tot:                 # a constant vector
        return (math.nan, math.nan)

    con_minus_dis = tot - xtie - ytie + ntie - 2 * dis
    tau = con_minus_dis / np.sqrt(tot - xtie) / np.sqrt(tot - ytie)
    tau = np.minimum(1., max(-1., tau))
    if xtie == 0 and ytie == 0 and (size <= 33 or min(dis, tot - dis) <= 1):
        pvalue = _kendall_p_exact(size, tot - dis)
    else:
        m = size * (size - 1.)
        var = ((m * (2 * size + 5) - x1 - y1) / 18 +
               (2 * xtie * ytie) / m + x0 * y0 / (9 * m * (size - 2)))
        z = con_minus_dis / np.sqrt(var)
        from scipy.special import ndtr  # here: the module is imported by readers of results

        pvalue = 2 * ndtr(-np.abs(z))
    return (float(tau), float(pvalue))


def spearman_rho(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho of ``x`` and ``y`` and its two-sided p-value.

    Parameters
    ----------
    x, y
        Equal-length 1-D vectors (scores or ranks; ranked here with average ranks for ties).

    Returns
    -------
    (rho, p)
        As ``scipy.stats.spearmanr(x, y)``: the Pearson correlation of the average ranks, and
        the p-value of ``t = rho sqrt((n - 2) / ((1 + rho)(1 - rho)))`` on ``n - 2`` degrees of
        freedom; ``(nan, nan)`` when either vector is constant, contains NaN, or has fewer
        than two items.
    """
    x, y = _pair(x, y)
    if x.size < 2 or np.isnan(x).any() or np.isnan(y).any():
        return (math.nan, math.nan)
    if (x[0] == x).all() or (y[0] == y).all():
        return (math.nan, math.nan)
    from scipy.special import stdtr  # here: the module is imported by readers of results

    ranked = np.column_stack((average_ranks(x), average_ranks(y)))
    rs = np.corrcoef(ranked, rowvar=False)
    dof = x.size - 2
    with np.errstate(divide="ignore"):
        t = rs * np.sqrt((dof / ((rs + 1.0) * (1.0 - rs))).clip(0))
    prob = 2 * stdtr(dof, -np.abs(t))
    return (float(rs[1, 0]), float(prob[1, 0]))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``, ties given the mean of the ranks they span (float64).

    The same numbers as ``scipy.stats.rankdata(values)``: each is a multiple of 0.5, exact in
    floating point.
    """
    values = np.asarray(values).ravel()
    order = np.argsort(values, kind="mergesort")
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.arange(order.size, dtype=np.intp)
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = starts.cumsum()[inverse]
    bounds = np.r_[np.nonzero(starts)[0], starts.size]
    return 0.5 * (bounds[dense] + bounds[dense - 1] + 1)


def discordant_pairs(y: np.ndarray) -> int:
    """Number of pairs ``i < j`` with ``y[i] > y[j]`` (inversions) of an integer vector.

    Merge-sort levels, vectorised: at the level of blocks of ``2 w`` items, each item of a
    block's right half is compared with the block's left half through one sorted array of
    keys ``block * (max + 1) + y``. Every pair ``i < j`` is counted at exactly one level, the
    one where ``i`` and ``j`` share a block but not a half. O(n log^2 n) time, O(n) memory.
    """
    y = np.asarray(y, dtype=np.int64).ravel()
    n = y.size
    if n < 2:
        return 0
    y = y - y.min()
    stride = int(y.max()) + 1
    position = np.arange(n, dtype=np.int64)
    total = 0
    width = 1
    while width < n:
        block = position // (2 * width)
        right = (position // width) % 2 == 1
        keys = block * stride + y
        left_keys = np.sort(keys[~right])
        right_block = block[right]
        block_end = np.searchsorted(left_keys, (right_block + 1) * stride, side="left")
        not_greater = np.searchsorted(left_keys, keys[right], side="right")
        total += int((block_end - not_greater).sum())
        width *= 2
    return total


def _pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as 1-D float64 arrays of one length."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length; got {x.size} and {y.size}")
    return x, y


def _tie_counts(dense: np.ndarray) -> tuple[int, int, int]:
    """Tied pairs, and the two tie sums of the tau-b variance, of a dense-rank vector."""
    counts = np.bincount(dense).astype("int64", copy=False)
    counts = counts[counts > 1]
    return (int((counts * (counts - 1) // 2).sum()),
            int((counts * (counts - 1.) * (counts - 2)).sum()),
            int((counts * (counts - 1.) * (2 * counts + 5)).sum()))


def _kendall_p_exact(n: int, c: int) -> float:
    """Exact two-sided p-value of ``c`` concordant pairs among ``n`` untied items (Kendall 1970,
    'Rank Correlation Methods', 4th ed.; the recursion and floating-point steps of scipy's
    ``_kendall_p_exact``)."""
    c = int(min(c, (n * (n - 1)) // 2 - c))
    if n == 1 or n == 2:
        prob = 1.0
    elif c == 0:
        prob = 2.0 / math.factorial(n) if n < 171 else 0.0
    elif c == 1:
        prob = 2.0 / math.factorial(n - 1) if n < 172 else 0.0
    elif 4 * c == n * (n - 1):
        prob = 1.0
    else:                  # only reached with n <= 33 (see kendall_tau_b)
        new = np.zeros(c + 1)
        new[0:2] = 1.0
        for j in range(3, n + 1):
            new = np.cumsum(new)
            if j <= c:
                new[j:] -= new[:c + 1 - j]
        prob = 2.0 * np.sum(new) / math.factorial(n)
    return float(np.clip(prob, 0, 1))
