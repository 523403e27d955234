"""The compiled kernels of the baselines: the fused Bradley-Terry objective and the Elo passes.

They live apart from :mod:`swisssim.analysis.baselines`, which imports this module only when it
fits, so that reading a :class:`~swisssim.analysis.compare.Comparison` (as a figure worker does,
:mod:`swisssim.io.figures`) does not import numba. Conventions are those of the functions that
call them (:func:`~swisssim.analysis.baselines.fit_bradley_terry`,
:func:`~swisssim.analysis.baselines.fit_elo`; docs/method.md section 7.2).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Fixed number of work chunks of :func:`bt_loss_gradient` (not the thread count, so the sums,
#: and the fit, do not depend on the number of threads).
BT_CHUNKS = 16


@njit(cache=True, parallel=True)
def bt_loss_gradient(theta, wins, wins_t):
    """``(-loglik, sum_j totals_ij sigmoid(theta_i - theta_j))`` without (M, M) temporaries.

    ``wins_t`` is ``wins.T`` made contiguous (rows are read, never columns; the totals are
    ``wins + wins_t``). The same functions as the numpy objective of
    :func:`~swisssim.analysis.baselines.fit_bradley_terry`, summed another way (equal to
    rounding, not bit for bit); used above ``BT_FUSED_ABOVE`` models, where the numpy
    version's (M, M) temporaries cost seconds and gigabytes per evaluation. Each pair ``i < j``
    is visited once (one exponential serves both directions); rows are dealt to
    ``BT_CHUNKS`` chunks, each with its own accumulator, summed in a fixed order, so the
    result does not depend on the number of threads.
    """
    m = theta.shape[0]
    loss = np.zeros(BT_CHUNKS)
    expected = np.zeros((BT_CHUNKS, m))
    for c in prange(BT_CHUNKS):
        mine = expected[c]
        total_loss = 0.0
        for i in range(c, m, BT_CHUNKS):
            row = 0.0
            for j in range(i + 1, m):
                d = theta[i] - theta[j]
                e = np.exp(-abs(d))
                # sigmoid(d) and 1 - sigmoid(d) = sigmoid(-d)
                if d > 0.0:
                    up = 1.0 / (1.0 + e)
                    down = e / (1.0 + e)
                else:
                    up = e / (1.0 + e)
                    down = 1.0 / (1.0 + e)
                w_ij = wins[i, j]
                w_ji = wins_t[i, j]
                row += (w_ij + w_ji) * up
                mine[j] += (w_ij + w_ji) * down
                if w_ij != 0.0 or w_ji != 0.0:
                    # log(1 + e^-d) and log(1 + e^d), stable on both sides
                    base = np.log1p(e)
                    if d > 0.0:
                        total_loss += w_ij * base + w_ji * (base + d)
                    else:
                        total_loss += w_ij * (base - d) + w_ji * base
            mine[i] += row
        loss[c] = total_loss
    out = np.zeros(m)
    for c in range(BT_CHUNKS):
        out += expected[c]
    return loss.sum(), out



@njit(cache=True)
def elo_packed(values):
    """The matches of ``values`` (K, M), one int64 each (see
    :func:`swisssim.analysis.baselines._elo_orders`)."""
    k, m = values.shape
    n = k * m * (m - 1) // 2
    packed = np.empty(n, np.int64)
    g = 0
    for r in range(k):
        for i in range(m):
            for j in range(i + 1, m):
                x, y = values[r, i], values[r, j]
                code = 2 if x > y else (0 if y > x else 1)
                packed[g] = (np.int64(i) << 40) | (np.int64(j) << 2) | code
                g += 1
    return packed


@njit(cache=True)
def elo_shuffle(rng, packed, shuffled):
    """``shuffled`` = ``packed`` in the next order's random permutation."""
    shuffled[:] = packed
    rng.shuffle(shuffled)


@njit(cache=True)
def elo_play(shuffled, ratings, start, stop, k_factor, scale):
    """Play matches ``start <= t < stop`` of one order, updating ``ratings`` in place."""
    for t in range(start, stop):
        record = shuffled[t]
        i = record >> 40
        j = (record >> 2) & 0x3FFFFFFFFF
        expected = 1.0 / (1.0 + 10.0 ** ((ratings[j] - ratings[i]) / scale))
        step = k_factor * (0.5 * (record & 3) - expected)
        ratings[i] += step
        ratings[j] -= step


@njit(cache=True)
def elo_play_orders(rng, packed, shuffled, ratings, finals, first, stop, k_factor, scale,
                     initial):
    """Play orders ``first <= o < stop`` whole; final ratings into ``finals[o]``."""
    n = packed.shape[0]
    for o in range(first, stop):
        elo_shuffle(rng, packed, shuffled)
        for i in range(ratings.shape[0]):
            ratings[i] = initial
        elo_play(shuffled, ratings, 0, n, k_factor, scale)
        finals[o] = ratings
