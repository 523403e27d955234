"""The Monte Carlo counters: one home for their shapes, their exact merge and the rank counts.

Every backend (the numba threads here; any later one that splits iterations into blocks) fills
the same integer counters per block of iterations and merges blocks exactly, so results do not
depend on how the iterations were split (docs/method.md sections 4 and 5.1). With S schedules,
M models, K rounds and V = K * units_per_point + 1 score values:

=================  ===============  ==========================================================
counter            shape            content (per block; merge)
=================  ===============  ==========================================================
``score_sum``      (S, M)           sum of final scores (sum)
``score_cross``    (S, S, M)        sum of products of final scores, upper triangle (sum)
``score_counts``   (S, M, V)        tournaments with final score v (sum)
``elim_counts``    (S, M, K + 1)    tournaments eliminated after round k; K = never (sum)
``above_bounds``   (S, V, 2)        least / largest number of models scoring above v, over the
                                    tournaments in which some model scored v (min / max)
=================  ===============  ==========================================================

Nothing grows like M^2. The rank of a model is ``1 + #models scoring above its score``
(competition rank, docs/method.md section 5.4). When every score value has one such number
(``above_bounds[s, v, 0] == above_bounds[s, v, 1]``, always the case when every match has a
winner: the group-size invariant of section 6), ranks are a function of the final score and
``score_counts`` gives the rank distribution exactly. Otherwise (draws) an exact replay counts
(model, rank) inside each score value's window of possible ranks (:func:`rank_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swisssim.validation import check_memory

#: Initial least count of models above a score value: larger than any real count.
_NO_LOW = np.iinfo(np.int64).max


@dataclass
class Counters:
    """Integer Monte Carlo counters with a leading block axis (shapes: module notes)."""

    score_sum: np.ndarray
    score_cross: np.ndarray
    score_counts: np.ndarray
    elim_counts: np.ndarray
    above_bounds: np.ndarray

    @classmethod
    def zeros(cls, blocks: int, n_schedules: int, n_models: int, n_rounds: int,
              n_values: int) -> Counters:
        """Empty counters for ``blocks`` blocks; ``n_values`` = K * units_per_point + 1.

        Refused with an :class:`~swisssim.errors.InputError` before allocating when they would
        not fit in memory (:func:`swisssim.validation.check_memory`): ``score_cross`` grows
        with the square of the number of schedules.
        """
        s, m = n_schedules, n_models
        check_memory(counter_bytes(blocks, s, m, n_rounds, n_values), "elimination", "",
                     f"the engine's counters for {s:,} schedule(s) x {m:,} models x "
                     f"{n_rounds:,} rounds on {blocks} thread(s)")
        counters = cls(np.zeros((blocks, s, m), np.int64), np.zeros((blocks, s, s, m), np.int64),
                       np.zeros((blocks, s, m, n_values), np.int64),
                       np.zeros((blocks, s, m, n_rounds + 1), np.int64),
                       np.zeros((blocks, s, n_values, 2), np.int64))
        counters.clear()
        return counters

    def clear(self) -> None:
        """Reset every counter to its empty value."""
        for array in (self.score_sum, self.score_cross, self.score_counts, self.elim_counts):
            array.fill(0)
        self.above_bounds[..., 0] = _NO_LOW
        self.above_bounds[..., 1] = -1

    def add(self, part: Counters) -> None:
        """Merge block 0 of ``part`` into block 0 of these counters: sums, and the least and
        largest of ``above_bounds``. Exact and order-independent (integers), so every backend
        that plays iterations elsewhere (a GPU, Dask tasks) adds its counters with it."""
        self.score_sum[0] += part.score_sum[0]
        self.score_cross[0] += part.score_cross[0]
        self.score_counts[0] += part.score_counts[0]
        self.elim_counts[0] += part.elim_counts[0]
        np.minimum(self.above_bounds[0, ..., 0], part.above_bounds[0, ..., 0],
                   out=self.above_bounds[0, ..., 0])
        np.maximum(self.above_bounds[0, ..., 1], part.above_bounds[0, ..., 1],
                   out=self.above_bounds[0, ..., 1])

    def merge(self) -> Counters:
        """The blocks merged into one (a leading axis of length 1): exact, order-independent."""
        cross = self.score_cross.sum(axis=0)
        return Counters(self.score_sum.sum(axis=0)[None], cross[None],
                        self.score_counts.sum(axis=0)[None], self.elim_counts.sum(axis=0)[None],
                        np.stack([self.above_bounds[..., 0].min(axis=0),
                                  self.above_bounds[..., 1].max(axis=0)], axis=-1)[None])

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Merged ``score_sum, score_cross (mirrored to both triangles), score_counts,
        elim_counts, above_bounds``."""
        merged = self.merge()
        cross = merged.score_cross[0]
        upper = np.triu_indices(cross.shape[0], 1)
        cross[upper[1], upper[0]] = cross[upper]  # the kernel fills s <= t only
        return (merged.score_sum[0], cross, merged.score_counts[0], merged.elim_counts[0],
                merged.above_bounds[0])


@dataclass(frozen=True)
class RankCounts:
    """Sparse exact rank counts: ``count`` tournaments gave model ``model`` the competition rank
    ``rank`` under schedule ``schedule``; only non-zero entries, sorted by (schedule, model,
    rank). ``shape`` is (S, M)."""

    schedule: np.ndarray
    model: np.ndarray
    rank: np.ndarray
    count: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_entries(cls, schedule: np.ndarray, model: np.ndarray, rank: np.ndarray,
                     count: np.ndarray, shape: tuple[int, int]) -> RankCounts:
        """Sum duplicate (schedule, model, rank) entries, drop zeros, sort."""
        n_models = shape[1]
        key = (schedule.astype(np.int64) * n_models + model) * (n_models + 1) + rank
        unique, inverse = np.unique(key, return_inverse=True)
        total = np.zeros(len(unique), np.int64)
        np.add.at(total, inverse, count.astype(np.int64))
        keep = total > 0
        unique, total = unique[keep], total[keep]
        rank_out = unique % (n_models + 1)
        rest = unique // (n_models + 1)
        return cls(rest // n_models, rest % n_models, rank_out, total, shape)

    def dense(self) -> np.ndarray:
        """(S, M, M) counts by competition rank - 1. O(S M^2) memory: small fields only."""
        n_schedules, n_models = self.shape
        out = np.zeros((n_schedules, n_models, n_models), np.int64)
        out[self.schedule, self.model, self.rank - 1] = self.count
        return out

    def rank_sums(self) -> np.ndarray:
        """Sum of ranks over tournaments, (S, M)."""
        n_schedules, n_models = self.shape
        flat = np.bincount(self.schedule * n_models + self.model,
                           weights=(self.rank * self.count).astype(np.float64),
                           minlength=n_schedules * n_models)
        return flat.reshape(n_schedules, n_models)


def counter_bytes(blocks: int, n_schedules: int, n_models: int, n_rounds: int,
                  n_values: int) -> int:
    """Bytes of :meth:`Counters.zeros` (int64): ``blocks * S * (M + S M + M V + M (K + 1) +
    2 V) * 8``."""
    s, m = n_schedules, n_models
    return 8 * blocks * s * (m + s * m + m * n_values + m * (n_rounds + 1) + 2 * n_values)


def ranks_determined(above_bounds: np.ndarray) -> bool:
    """True when every occupied score value has one rank in every tournament."""
    occupied = above_bounds[..., 1] >= 0
    return bool(np.all(above_bounds[..., 0][occupied] == above_bounds[..., 1][occupied]))


def ranks_from_scores(score_counts: np.ndarray, above_bounds: np.ndarray) -> RankCounts:
    """Exact rank counts when each score value has one rank (:func:`ranks_determined`)."""
    s_idx, m_idx, v_idx = np.nonzero(score_counts)
    rank = above_bounds[s_idx, v_idx, 0] + 1
    return RankCounts.from_entries(s_idx, m_idx, rank, score_counts[s_idx, m_idx, v_idx],
                                   score_counts.shape[:2])


@dataclass(frozen=True)
class RankWindows:
    """Where a replay counts (model, rank): score value ``v`` of schedule ``s`` owns columns
    ``offset[s, v] .. offset[s, v] + width`` for ``low[s, v] .. high[s, v]`` models above it;
    ``columns`` is the window width per model. When the windows together are no narrower
    than M, they collapse to one dense window (column = rank - 1)."""

    low: np.ndarray
    offset: np.ndarray
    columns: int
    rank_of_column: np.ndarray   # (S, columns): competition rank counted in each column


def rank_windows(above_bounds: np.ndarray, n_models: int) -> RankWindows:
    """The windows of a replay from merged ``above_bounds`` (S, V, 2)."""
    n_schedules, n_values = above_bounds.shape[:2]
    occupied = above_bounds[..., 1] >= 0
    low = np.where(occupied, above_bounds[..., 0], 0)
    width = np.where(occupied, above_bounds[..., 1] - low + 1, 0)
    columns = int(width.sum(axis=1).max())
    if columns >= n_models:
        zeros = np.zeros((n_schedules, n_values), np.int64)
        dense = np.broadcast_to(np.arange(1, n_models + 1), (n_schedules, n_models)).copy()
        return RankWindows(zeros, zeros.copy(), n_models, dense)
    offset = np.zeros((n_schedules, n_values), np.int64)
    offset[:, 1:] = np.cumsum(width, axis=1)[:, :-1]
    rank_of_column = np.zeros((n_schedules, columns), np.int64)
    for s in range(n_schedules):
        for v in np.flatnonzero(occupied[s]):
            span = np.arange(width[s, v])
            rank_of_column[s, offset[s, v] + span] = low[s, v] + span + 1
    return RankWindows(low.astype(np.int64), offset, columns, rank_of_column)


def ranks_from_windows(window: np.ndarray, windows: RankWindows) -> RankCounts:
    """Exact rank counts from a replay's merged ``window`` counts (S, M, columns)."""
    s_idx, m_idx, c_idx = np.nonzero(window)
    return RankCounts.from_entries(s_idx, m_idx, windows.rank_of_column[s_idx, c_idx],
                                   window[s_idx, m_idx, c_idx], window.shape[:2])
