"""Monte Carlo results of one simulation: expected win scores, ranks and survival per schedule.

All statistics are computed from exact integer counters (scores in the engine's integer score
units, ``units_per_point`` per point), so they are bit-identical for a given seed and iteration
count whatever the thread count.

Conventions
-----------
* Expected Win Score E[S_m]: mean final score over iterations (Liu et al., arXiv:2512.21010).
  Eliminated models keep the score they had.
* Standard error: sample standard deviation / sqrt(N); 95% interval: mean +- 1.959964 SE (normal
  approximation, adequate for N in the thousands).
* Rank: competition ("1224") rank by final score among all M models, eliminated ones included:
  1 + the number of models with a strictly higher final score. Tied models share the better rank.
* Survival: P(model still active after round k); the elimination round distribution gives
  P(eliminated after round k) and P(never eliminated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from swisssim.data.frames import as_written
from swisssim.data.scenario import Scenario
from swisssim.data.schedules import Schedule
from swisssim.defaults import Z95
from swisssim.engine.counters import (
    RankCounts,
    rank_windows,
    ranks_determined,
    ranks_from_scores,
    ranks_from_windows,
)
from swisssim.errors import InputError

if TYPE_CHECKING:   # both import numba, which reading a result does not need
    from swisssim.engine.distributed import ClusterInfo
    from swisssim.engine.spec import Tournaments


@dataclass(frozen=True)
class SimulationResult:
    """Counters and derived tables of one simulation (see module notes for conventions).

    Array attributes are indexed ``[schedule, model, ...]``; scores are in score units
    (``units_per_point`` units make one point). The counters are those of
    :mod:`swisssim.engine.counters` (docs/method.md section 5.1); their size grows like M, not
    M^2. Rank counts (:attr:`ranks`) are derived on first use: from ``score_counts`` when a
    score value has the same rank in every tournament, else by an exact replay of
    ``tournaments`` on the CPU, which only draws can need (:func:`~swisssim.engine.simulation.
    simulate` replays on its backend before it returns: ``known_ranks``). A result is a value:
    it holds no reference to the session or the backend that played it.
    """

    scenario: Scenario
    schedules: tuple[Schedule, ...]
    quotas: np.ndarray          # (S, K) effective eliminations per round
    iterations: int
    seed: int
    tie_break: str
    threads: int
    score_sum: np.ndarray       # (S, M)
    score_cross: np.ndarray     # (S, S, M) sums of products of final scores
    score_counts: np.ndarray    # (S, M, V) by final score in units, V = K * units + 1
    above_bounds: np.ndarray    # (S, V, 2) least / largest number of models above a score
    elim_counts: np.ndarray     # (S, M, K + 1) by elimination round, K = never
    wall_time: float
    units_per_point: int        # score units per point (see swisssim.engine.kernels.units_per_point)
    probabilistic_wins: bool = False
    tournaments: Tournaments | None = field(default=None, repr=False)   # what was played
    load_time: float = 0.0      # seconds spent loading compiled kernels before the clock started
    cluster: ClusterInfo | None = None   # the Dask cluster it ran on (results do not depend on it)
    known_ranks: RankCounts | None = field(default=None, repr=False)   # replayed already
    backend: dict[str, Any] | None = None   # engine.backends' description, for the manifest

    @cached_property
    def ranks(self) -> RankCounts:
        """Exact sparse rank counts (docs/method.md section 5.4)."""
        if self.known_ranks is not None:
            return self.known_ranks
        if ranks_determined(self.above_bounds):
            return ranks_from_scores(self.score_counts, self.above_bounds)
        if self.tournaments is None:
            raise ValueError("ranks vary between tournaments and this result cannot replay them")
        from swisssim.engine.tournaments import replay_on_cpu  # numba: only to replay

        windows = rank_windows(self.above_bounds, self.scenario.n_models)
        return ranks_from_windows(replay_on_cpu(self.tournaments, self.iterations, windows,
                                                self.threads), windows)

    @property
    def rank_counts(self) -> np.ndarray:
        """Dense (S, M, M) counts by competition rank - 1: O(S M^2) memory, small fields only."""
        return self.ranks.dense()

    def expected_rank(self) -> np.ndarray:
        """Expected competition rank, (S, M)."""
        return self.ranks.rank_sums() / self.iterations

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.schedules]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(scenario={self.scenario.name!r}, "
                f"models={self.scenario.n_models}, rounds={self.scenario.n_rounds}, "
                f"schedules={self.labels}, iterations={self.iterations:,}, seed={self.seed})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of the run: one row per (model, schedule), the columns and dtypes
        ``pandas.read_csv`` gives for ``expected_scores.csv`` (an ``elimination`` column of
        integer schedules is integer)."""
        return as_written(self.expected_scores())

    def schedule_index(self, schedule: object) -> int:
        """The position of a schedule given by its label: the integer ``T`` (``2``), the label
        text (``"2"``, ``"0,1,1,2"``, ``"10%"``), a per-round list (``[0, 1, 1, 2]``) or a
        :class:`~swisssim.data.schedules.Schedule`.

        Raises
        ------
        InputError
            When no schedule of the result has that label (the message lists the labels).
        """
        labels = self.labels
        key: object = schedule
        if isinstance(schedule, Schedule):
            key = schedule.label
        elif isinstance(schedule, (int, np.integer)) and not isinstance(schedule, bool):
            key = str(int(schedule))
        elif isinstance(schedule, str):
            key = schedule.replace(" ", "")
        elif isinstance(schedule, (list, tuple, np.ndarray)):
            key = ",".join(str(v) for v in schedule)
        if isinstance(key, str) and key in labels:
            return labels.index(key)
        raise InputError("SimulationResult", "schedule", "the label of one of the result's "
                         f"schedules ({', '.join(map(repr, labels))})", schedule)

    def expected(self) -> np.ndarray:
        """E[S_m] in points, shape (S, M)."""
        return self.score_sum / (self.units_per_point * self.iterations)

    def covariance(self) -> np.ndarray:
        """Sample covariance of final scores between schedules, per model: (S, S, M), points^2."""
        n = self.iterations
        mean_product = np.einsum("sm,tm->stm", self.score_sum, self.score_sum) / n
        denominator = max(n - 1, 1)
        return (self.score_cross - mean_product) / denominator / self.units_per_point**2

    def std_error(self) -> np.ndarray:
        """Standard error of E[S_m], shape (S, M)."""
        variance = np.diagonal(self.covariance(), axis1=0, axis2=1).T
        return np.sqrt(np.maximum(variance, 0.0) / self.iterations)

    def difference(self, a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
        """E[S | schedule b] - E[S | schedule a] and its paired standard error, each (M,).

        ``a`` and ``b`` are schedules by label (:meth:`schedule_index`): with schedules
        T = 0, 2, 5, ``difference(0, 2)`` is E[S | T=2] - E[S | T=0], and an unknown label is
        an :class:`~swisssim.errors.InputError` listing the labels.
        """
        a, b = self.schedule_index(a), self.schedule_index(b)
        cov = self.covariance()
        variance = cov[a, a] + cov[b, b] - 2.0 * cov[a, b]
        expected = self.expected()
        return expected[b] - expected[a], np.sqrt(np.maximum(variance, 0.0) / self.iterations)

    def expected_scores(self) -> pd.DataFrame:
        """One row per (model, schedule): expected score, SE, 95% CI, expected rank, survival."""
        names = np.asarray(self.scenario.model_names, dtype=object)
        n_schedules, n_models = self.score_sum.shape
        expected, error = self.expected().ravel(), self.std_error().ravel()
        models = self.scenario.models.loc[names]
        return pd.DataFrame({
            "model": np.tile(names, n_schedules),
            "elimination": np.repeat(np.asarray(self.labels, dtype=object), n_models),
            "expected_score": expected,
            "std_error": error,
            "mc_ci_low": expected - Z95 * error,
            "mc_ci_high": expected + Z95 * error,
            "expected_rank": self.expected_rank().ravel(),
            "p_never_eliminated": (self.elim_counts[:, :, -1] / self.iterations).ravel(),
            "family": np.tile(models["family"].to_numpy(dtype=object), n_schedules),
            "display_name": np.tile(models["display_name"].to_numpy(dtype=object), n_schedules),
        })

    def rank_distribution(self) -> pd.DataFrame:
        """Long table ``model, elimination, rank, probability`` (rows with probability 0 omitted)."""
        names = self.scenario.model_names
        ranks = self.ranks
        return pd.DataFrame({
            "model": np.asarray(names, dtype=object)[ranks.model],
            "elimination": np.asarray(self.labels, dtype=object)[ranks.schedule],
            "rank": ranks.rank,
            "probability": ranks.count / self.iterations,
        })

    def survival(self) -> pd.DataFrame:
        """Long table per (model, schedule, round): P(active after the round), P(out after it)."""
        names = np.asarray(self.scenario.model_names, dtype=object)
        rounds = np.asarray(self.scenario.round_names, dtype=object)
        out = self.elim_counts[:, :, :-1] / self.iterations
        active = 1.0 - np.cumsum(out, axis=2)
        n_schedules, n_models, n_rounds = out.shape
        return pd.DataFrame({
            "model": np.tile(np.repeat(names, n_rounds), n_schedules),
            "elimination": np.repeat(np.asarray(self.labels, dtype=object), n_models * n_rounds),
            "round": np.tile(np.arange(1, n_rounds + 1), n_schedules * n_models),
            "round_name": np.tile(rounds, n_schedules * n_models),
            "p_active": active.ravel(),
            "p_eliminated": out.ravel(),
        })
