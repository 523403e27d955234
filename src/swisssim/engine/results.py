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

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from swisssim.data.scenario import Scenario
from swisssim.data.schedules import Schedule

Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class SimulationResult:
    """Counters and derived tables of one simulation (see module notes for conventions).

    Array attributes are indexed ``[schedule, model, ...]``; scores are in score units
    (``units_per_point`` units make one point).
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
    rank_counts: np.ndarray     # (S, M, M) by competition rank - 1
    elim_counts: np.ndarray     # (S, M, K + 1) by elimination round, K = never
    wall_time: float
    units_per_point: int        # score units per point (see swisssim.engine.kernels.units_per_point)
    probabilistic_wins: bool = False

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.schedules]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(scenario={self.scenario.name!r}, "
                f"models={self.scenario.n_models}, rounds={self.scenario.n_rounds}, "
                f"schedules={self.labels}, iterations={self.iterations:,}, seed={self.seed})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of the run: one row per (model, schedule), as ``expected_scores.csv``."""
        return self.expected_scores()

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

    def difference(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """E[S | schedule b] - E[S | schedule a] and its paired standard error, each (M,)."""
        cov = self.covariance()
        variance = cov[a, a] + cov[b, b] - 2.0 * cov[a, b]
        expected = self.expected()
        return expected[b] - expected[a], np.sqrt(np.maximum(variance, 0.0) / self.iterations)

    def expected_scores(self) -> pd.DataFrame:
        """One row per (model, schedule): expected score, SE, 95% CI, expected rank, survival."""
        names = self.scenario.model_names
        expected, error = self.expected(), self.std_error()
        ranks = np.arange(1, len(names) + 1)
        expected_rank = (self.rank_counts * ranks).sum(axis=2) / self.iterations
        never = self.elim_counts[:, :, -1] / self.iterations
        rows = []
        for s, label in enumerate(self.labels):
            for m, name in enumerate(names):
                rows.append({
                    "model": name,
                    "elimination": label,
                    "expected_score": expected[s, m],
                    "std_error": error[s, m],
                    "ci_low": expected[s, m] - Z95 * error[s, m],
                    "ci_high": expected[s, m] + Z95 * error[s, m],
                    "expected_rank": expected_rank[s, m],
                    "p_never_eliminated": never[s, m],
                    "family": self.scenario.models.at[name, "family"],
                    "display_name": self.scenario.models.at[name, "display_name"],
                })
        return pd.DataFrame(rows)

    def rank_distribution(self) -> pd.DataFrame:
        """Long table ``model, elimination, rank, probability`` (rows with probability 0 omitted)."""
        names = self.scenario.model_names
        s_idx, m_idx, r_idx = np.nonzero(self.rank_counts)
        return pd.DataFrame({
            "model": np.asarray(names, dtype=object)[m_idx],
            "elimination": np.asarray(self.labels, dtype=object)[s_idx],
            "rank": r_idx + 1,
            "probability": self.rank_counts[s_idx, m_idx, r_idx] / self.iterations,
        })

    def survival(self) -> pd.DataFrame:
        """Long table per (model, schedule, round): P(active after the round), P(out after it)."""
        names = self.scenario.model_names
        rounds = self.scenario.round_names
        out = self.elim_counts[:, :, :-1] / self.iterations
        active = 1.0 - np.cumsum(out, axis=2)
        rows = []
        for s, label in enumerate(self.labels):
            for m, name in enumerate(names):
                for k, round_name in enumerate(rounds):
                    rows.append({"model": name, "elimination": label, "round": k + 1,
                                 "round_name": round_name, "p_active": active[s, m, k],
                                 "p_eliminated": out[s, m, k]})
        return pd.DataFrame(rows)
