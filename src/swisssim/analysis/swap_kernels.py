"""Compiled tail counts of the swap (sign-flip) distribution (``analysis/significance.py``).

For magnitudes ``a_1 >= ... >= a_n > 0`` and a threshold ``x``, the upper tail
``P(sum_j e_j a_j >= x)`` over independent random signs ``e_j``; the two-sided p-value of
:func:`~swisssim.analysis.significance.swap_p_values` is twice that (the distribution is
symmetric; a threshold ``x <= 0`` gives 1).

* **Meet in the middle** (``n <= exact``): the ``2**h`` sums of the first ``h = n // 2`` terms
  and the ``2**(n - h)`` sums of the rest, each list built sorted by merging; each sum ``s`` of
  the first counts the sums of the second at or above ``x - s`` (two pointers). Exact: every
  sign pattern is counted once, in ``O(2**(n/2))``.
* **Lattice bound** (``n > exact``): every magnitude rounded to the nearest multiple ``k_j d`` of
  ``d = sum_j a_j / cells``; the rounded sum ``S'`` differs from ``S`` by at most
  ``r = sum_j |a_j - k_j d|`` (at most ``n d / 2``), so ``P(S >= x) <= P(S' >= x - r)``, which
  is computed exactly by convolving the two-point distributions on the integer lattice. Valid (a
  p-value never below the exact one), conservative by at most the shift ``r`` of the threshold.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _sorted_sums(a: np.ndarray) -> np.ndarray:
    """All ``2**len(a)`` signed sums of ``a``, ascending (each term doubles the list by merging
    the sorted lists ``sums - a_j`` and ``sums + a_j``)."""
    sums = np.zeros(1 << a.size)
    spare = np.zeros(1 << a.size)
    width = 1
    for value in a:
        i, j, out = 0, 0, 0
        while i < width and j < width:
            low, high = sums[i] - value, sums[j] + value
            if low <= high:
                spare[out] = low
                i += 1
            else:
                spare[out] = high
                j += 1
            out += 1
        while i < width:
            spare[out] = sums[i] - value
            i += 1
            out += 1
        while j < width:
            spare[out] = sums[j] + value
            j += 1
            out += 1
        sums, spare = spare, sums
        width *= 2
    return sums


@njit(cache=True)
def _exact_upper(a: np.ndarray, threshold: float) -> float:
    """Exact ``P(sum_j e_j a_j >= threshold)`` by meet in the middle (two pointers)."""
    half = a.size // 2
    left = _sorted_sums(a[:half])
    right = _sorted_sums(a[half:])
    count = 0
    first = right.size          # first index of right with right >= threshold - left[i]
    for i in range(left.size):  # left ascending: the bound falls, the index moves down
        bound = threshold - left[i]
        while first > 0 and right[first - 1] >= bound:
            first -= 1
        count += right.size - first
    return count / (left.size * right.size)


@njit(cache=True)
def _lattice_upper(a: np.ndarray, threshold: float, cells: int) -> float:
    """Upper bound of ``P(sum_j e_j a_j >= threshold)`` on the lattice (module notes)."""
    step = a.sum() / cells
    k = np.rint(a / step).astype(np.int64)
    slack = np.abs(a - k * step).sum()
    total = k.sum()
    dist = np.zeros(2 * total + 1)
    spare = np.zeros(2 * total + 1)
    dist[total] = 1.0
    reach = 0
    for kj in k:
        if kj == 0:
            continue
        spare[total - reach - kj:total + reach + kj + 1] = 0.0
        for i in range(total - reach, total + reach + 1):
            half = 0.5 * dist[i]
            spare[i - kj] += half
            spare[i + kj] += half
        dist, spare = spare, dist
        reach += kj
    lowered = threshold - slack
    first = int(np.ceil(lowered / step - 1e-9)) + total
    if first <= 0:
        return 1.0
    if first > 2 * total:
        return 0.0
    return min(1.0, dist[first:].sum())


@njit(cache=True, parallel=True)
def swap_tails(sizes: np.ndarray, counts: np.ndarray, thresholds: np.ndarray, exact: int,
               cells: int) -> np.ndarray:
    """Two-sided p-values per row: ``sizes`` (P, J) magnitudes sorted descending, the first
    ``counts[p]`` non-zero; ``thresholds`` the observed ``|D|`` less a rounding tolerance."""
    out = np.ones(sizes.shape[0])
    for p in prange(sizes.shape[0]):     # rows are independent: the same result on any threads
        if thresholds[p] <= 0.0:
            continue
        a = sizes[p, :counts[p]]
        tail = (_exact_upper(a, thresholds[p]) if counts[p] <= exact
                else _lattice_upper(a, thresholds[p], cells))
        out[p] = min(1.0, 2.0 * tail)
    return out
