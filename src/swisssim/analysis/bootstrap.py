"""Data uncertainty: a bootstrap over benchmarks (and score noise), rank intervals and tiers.

Liu et al. (arXiv:2512.21010) treat benchmark scores as exact: the only randomness of CSD is
pairing luck, which the Monte Carlo standard errors measure. This module adds the uncertainty of
the data itself.

Conventions
-----------
* Replicate scheme: in each replicate, every round's benchmarks are resampled with replacement
  (a round of ``n`` benchmarks gets ``n`` draws; a round with one benchmark keeps it), and, where
  the scenario gives per-score standard errors (``score_errors``, or binomial errors from
  ``item_counts``), every raw score is perturbed by independent ``N(0, se**2)`` noise before
  direction and normalisation. Round scores are then
  formed exactly as in :mod:`swisssim.data.rounds`. The round order and the models are unchanged.
* Random numbers: replicate ``b`` draws from its own numpy generator,
  ``SeedSequence(seed, spawn_key=(BOOTSTRAP_STREAM, b))``, independent of the engine's streams:
  first the benchmark draws of each round in playing order (rounds of one benchmark draw
  nothing), then the noise matrix (models x benchmarks) if there are score errors. Replicate
  ``b`` is the same whatever the number of replicates.
* Common random numbers: every replicate is simulated with the run's seed and iterations, so
  replicates differ by their data, not by their pairing luck.
* Rank within a replicate: competition rank ("1224") by expected score (exact integer sums);
  tied models share the better rank.
* Intervals (level 95% by default): for the expected score, the 2.5% and 97.5% percentiles of the
  replicates (``numpy.percentile``, linear interpolation; :func:`score_intervals`). Their target
  is the mean of the point estimate over fresh draws of as many benchmarks per round; they may
  exclude the point estimate when resampling moves the replicates (``resampling_shift``). For
  the rank, the same percentiles rounded outwards (floor of the low end, ceiling of the high
  end), so rank intervals are integer. Coverage in the calibration: ``docs/method.md`` 7.6.
* Pairs, Rank (UB) and tiers: :mod:`swisssim.analysis.significance` tests every pair of models
  for exchangeability on the benchmarks (swap test, Holm over all pairs at family-wise level
  0.05); the bootstrap replicates only supply ``p_a_above_b``. ``rank_ub`` is 1 + the number
  of models significantly better, and a tier boundary separates completely (every model above
  it significantly better than every model below). :func:`rank_tiers`, the older overlap rule,
  is kept for comparison only: overlap is not transitive, so its components chain models whose
  own intervals are disjoint.
* Endpoint error: ``rank_low_mc`` and ``rank_high_mc`` are the Monte Carlo errors of the
  percentile endpoints themselves (:func:`~swisssim.analysis.significance.endpoint_mc_error`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import pandas as pd

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)
from swisssim.analysis.ranks import competition_ranks
from swisssim.analysis.significance import (
    PairTests,
    SwapPValues,
    benchmark_win_rates,
    endpoint_mc_error,
    pair_tests,
    round_weights,
)
from swisssim.analysis.sweep import (
    AVERAGE_RISK,
    NO_CONTRAST,
    PROFILE_NAMES,
    classify,
    mean_covariance,
    risk_profile,
    sweep_table,
)
from swisssim.data.frames import as_written
from swisssim.data.rounds import normalized_scores, round_means
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.data.schedules import Schedule
from swisssim.defaults import DEFAULT_REPLICATES  # noqa: F401  (re-exported)
from swisssim.engine.results import Z95, SimulationResult
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.errors import InputError
from swisssim.validation import (
    check_memory,
    check_replicates,  # noqa: F401  (re-exported)
    is_number,
)

if TYPE_CHECKING:   # numba, which reading a result does not need
    from swisssim.engine.distributed import ClusterInfo

#: Spawn key separating the bootstrap generators from any other generator derived from the seed.
BOOTSTRAP_STREAM = 0x424F4F54  # "BOOT"
#: Risk profiles whose replicate shares ``labels.csv`` reports.
PROFILES = (*PROFILE_NAMES.values(), AVERAGE_RISK)
#: Replicate schemes of :class:`Resampler` (module conventions); the first is the default.
#: ``n-1``: a round of ``n >= 2`` benchmarks gets ``n - 1`` draws with replacement, and a
#: one-benchmark round borrows the within-round spread of the other rounds; ``n-1 kept``: the
#: same, one-benchmark rounds kept as they are; ``n``: ``n`` draws (the classic bootstrap, kept
#: for the calibration's comparison).
RESAMPLE_SCHEMES = ("n-1", "n-1 kept", "n")
#: The target of calibrated E[S] intervals (``interval_target`` of ``bootstrap.csv``).
INTERVAL_TARGET = "E[S] under a fresh draw of as many benchmarks per round"


@dataclass(frozen=True)
class BootstrapResult:
    """Replicated expected win scores; arrays are indexed ``[replicate, schedule, model]``."""

    reference: SimulationResult  # the run on the data as given: the point estimates
    schedules: tuple[Schedule, ...]
    replicates: int
    iterations: int
    seed: int
    level: float
    score_sum: np.ndarray        # (B, S, M) integer score sums
    expected: np.ndarray         # (B, S, M) expected win scores, points
    resampled_rounds: tuple[str, ...]
    noise: bool                  # scores perturbed by their standard errors
    wall_time: float
    cluster: ClusterInfo | None = None   # the Dask cluster it ran on (results do not depend on it)
    backend: dict[str, Any] | None = None   # where the tournaments ran (engine/backends.py)
    scheme: str = RESAMPLE_SCHEMES[0]        # replicate scheme (RESAMPLE_SCHEMES)

    @property
    def scenario(self) -> Scenario:
        return self.reference.scenario

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.schedules]

    @property
    def degenerate(self) -> bool:
        """True when nothing is resampled: every round has one benchmark and no score errors.

        Every replicate then holds the data as given, and the intervals only show the Monte Carlo
        noise of ``iterations`` (none at all with the reference's iterations).
        """
        return not self.resampled_rounds and not self.noise

    @cached_property
    def resampler(self) -> Resampler:
        """The replicate builder of this result (its scheme)."""
        return Resampler(self.scenario, self.scheme)

    @property
    def silent_rounds(self) -> tuple[str, ...]:
        """Rounds with one benchmark and no score errors: the data carry no uncertainty there."""
        return self.resampler.silent_rounds

    @property
    def borrowing_rounds(self) -> tuple[str, ...]:
        """One-benchmark rounds whose replicates borrow the other rounds' spread."""
        return self.resampler.borrowing_rounds

    @property
    def calibrated(self) -> bool:
        """Whether the E[S] intervals have a calibrated target (:meth:`Resampler.calibrated`)."""
        return self.resampler.calibrated

    @property
    def interval_target(self) -> str:
        """What the E[S] intervals cover (``interval_target`` of ``bootstrap.csv``)."""
        if self.calibrated:
            return INTERVAL_TARGET
        return ("none: descriptive (no round resamples benchmarks)" if not self.resampled_rounds
                else "none: descriptive (one-benchmark rounds, no spread borrowed)")

    @property
    def interval_method(self) -> str:
        """How the E[S] intervals are made (``interval_method`` of ``bootstrap.csv``)."""
        draws = {"n": "n of n", "n-1": "n-1 of n", "n-1 kept": "n-1 of n"}[self.scheme]
        text = (f"percentile of replicates drawing {draws} benchmarks per round, widened by "
                f"Student's t with {self.resampler.degrees_of_freedom} degrees of freedom")
        if self.borrowing_rounds:
            text += "; one-benchmark rounds borrow the within-round spread of the others"
        if self.noise:
            text += "; scores perturbed by their standard errors"
        return text

    def ranks(self) -> np.ndarray:
        """Competition rank by expected score within each replicate and schedule, (B, S, M)."""
        return competition_ranks(self.score_sum)

    def intervals(self) -> dict[str, np.ndarray]:
        """Percentile intervals, each (S, M): score_low/high, rank_low/high, rank_median."""
        tail = 100.0 * (1.0 - self.level) / 2.0
        ranks = self.ranks()
        score_low, score_high = score_intervals(self.reference.expected(), self.expected,
                                                self.level, INTERVAL_KINDS[0],
                                                self.resampler.degrees_of_freedom)
        rank_low, rank_high = np.percentile(ranks, [tail, 100.0 - tail], axis=0)
        return {"score_low": score_low, "score_high": score_high,
                "rank_low": np.floor(rank_low + 1e-9).astype(np.int64),
                "rank_high": np.ceil(rank_high - 1e-9).astype(np.int64),
                "rank_median": np.median(ranks, axis=0)}

    def __repr__(self) -> str:
        return (f"BootstrapResult(scenario={self.scenario.name!r}, replicates={self.replicates}, "
                f"iterations={self.iterations:,}, level={self.level:g}, seed={self.seed}, "
                f"degenerate={self.degenerate})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: intervals per (model, schedule), as ``bootstrap.csv``."""
        return as_written(self.table())

    def pair_tests(self, window: int | None = None) -> list[PairTests]:
        """Pairwise swap tests, one :class:`PairTests` per schedule.

        The p-values come from the data alone (the benchmark win rates, the same for every
        schedule); each schedule's point estimates fix the positions and the direction, and its
        replicates give ``p_above``; ``window`` as in
        :func:`~swisssim.analysis.significance.pair_window`.
        """
        point = self.reference.expected()
        rates, weights = swap_inputs(self.scenario)
        return [pair_tests(point[s], rates, weights, self.expected[:, s], window=window,
                           swap=self.swap)
                for s in range(len(self.schedules))]

    @cached_property
    def swap(self) -> SwapPValues:
        """The swap p-values of this data set, shared by every schedule and call."""
        return SwapPValues(*swap_inputs(self.scenario))

    def pairwise(self, window: int | None = None) -> pd.DataFrame:
        """``pairwise.csv``: one row per tested pair and schedule, better model first.

        Columns ``model_a, model_b, elimination, rank_a, rank_b, difference,
        win_rate_difference, p_a_above_b, p_value, p_holm, significant`` (module conventions of
        :mod:`swisssim.analysis.significance`): ``difference`` of the point estimates, the swap
        test's statistic and p-values, and ``p_a_above_b``, the share of replicates ranking a
        above b (descriptive); pairs sorted by schedule, then by the positions of ``model_a``
        and ``model_b``.
        """
        names = np.asarray(self.scenario.model_names, dtype=object)
        rank = competition_ranks(self.reference.score_sum)
        frames = []
        for s, tests in enumerate(self.pair_tests(window)):
            frame = pd.DataFrame({
                "model_a": names[tests.better], "model_b": names[tests.worse],
                "elimination": self.labels[s],
                "rank_a": rank[s, tests.better], "rank_b": rank[s, tests.worse],
                "difference": tests.difference, "win_rate_difference": tests.statistic,
                "p_a_above_b": tests.p_above, "p_value": tests.p_value,
                "p_holm": tests.p_holm, "significant": tests.significant,
                "_first": np.argsort(tests.order)[tests.better],   # position of model_a
                "_gap": tests.gap})
            frames.append(frame.sort_values(["_first", "_gap"], kind="stable"))
        return pd.concat(frames, ignore_index=True).drop(columns=["_first", "_gap"])

    def table(self) -> pd.DataFrame:
        """``bootstrap.csv``: one row per (schedule, model), sorted by schedule and rank.

        Columns ``model, elimination, expected_score, score_low, score_high,
        resampling_shift, rank, rank_low, rank_high, rank_low_mc, rank_high_mc, rank_median,
        rank_ub, tier, family, display_name, interval_target, interval_method``;
        ``resampling_shift`` is the replicates' mean minus the point estimate
        (:func:`score_intervals`); ``interval_target`` says what ``score_low, score_high`` cover
        (:data:`INTERVAL_TARGET`, or ``none: descriptive ...`` where no calibrated target
        exists) and ``interval_method`` how they are made.
        """
        names = self.scenario.model_names
        bounds = self.intervals()
        point = self.reference.expected()
        shift = self.expected.mean(axis=0) - point
        rank = competition_ranks(self.reference.score_sum)
        low_mc, high_mc = endpoint_mc_error(self.ranks(), self.level)
        tests = self.pair_tests()
        rank_ub = np.stack([t.rank_ub() for t in tests])
        tiers = np.stack([t.tiers() for t in tests])
        target, method = self.interval_target, self.interval_method
        rows = []
        for s, label in enumerate(self.labels):
            for m in np.lexsort((np.arange(len(names)), rank[s])):
                rows.append({
                    "model": names[m], "elimination": label,
                    "expected_score": point[s, m],
                    "score_low": bounds["score_low"][s, m],
                    "score_high": bounds["score_high"][s, m],
                    "resampling_shift": shift[s, m],
                    "rank": int(rank[s, m]),
                    "rank_low": int(bounds["rank_low"][s, m]),
                    "rank_high": int(bounds["rank_high"][s, m]),
                    "rank_low_mc": low_mc[s, m],
                    "rank_high_mc": high_mc[s, m],
                    "rank_median": bounds["rank_median"][s, m],
                    "rank_ub": int(rank_ub[s, m]),
                    "tier": int(tiers[s, m]),
                    "family": self.scenario.models.at[names[m], "family"],
                    "display_name": self.scenario.models.at[names[m], "display_name"],
                    "interval_target": target,
                    "interval_method": method,
                })
        return pd.DataFrame(rows)

    def label_support(self, z: float = Z95) -> pd.DataFrame:
        """``labels.csv``: how often each model's risk profile holds across replicates.

        The profile rule of :mod:`swisssim.analysis.sweep` is applied to the reference run (the
        reported label) and to every replicate: base and most severe schedules as in the sweep,
        each replicate's drops and base scores with the reference's paired Monte Carlo SEs, and
        the practical threshold recomputed from the replicate's drops. Columns ``model,
        display_name, profile, label_support`` (share of replicates giving the reported
        profile) and ``share_<profile>`` for every profile (spaces as ``_``). Empty when the
        schedules have no contrast (every profile is ``no contrast``).
        """
        risk = risk_profile(sweep_table(self.reference), mean_covariance(self.reference), z=z)
        columns = ["model", "display_name", "profile", "label_support"] + [
            "share_" + name.replace(" ", "_") for name in PROFILES]
        if (risk["profile"] == NO_CONTRAST).all():
            return pd.DataFrame(columns=columns)
        base = self.labels.index(str(risk["base_schedule"].iloc[0]))
        most = self.labels.index(str(risk["most_schedule"].iloc[0]))
        drop_se = risk["drop_se"].to_numpy(dtype=float)
        counts = {name: np.zeros(self.scenario.n_models) for name in PROFILES}
        for b in range(self.replicates):
            drop = self.expected[b, most] - self.expected[b, base]
            labels = classify(self.expected[b, base], drop, drop_se, z=z)["profile"]
            for name in PROFILES:
                counts[name] += (labels == name).to_numpy()
        frame = risk[["model", "display_name", "profile"]].copy()
        shares = {name: counts[name] / self.replicates for name in PROFILES}
        frame["label_support"] = [shares[p][m] if p in shares else np.nan
                                  for m, p in enumerate(frame["profile"])]
        for name in PROFILES:
            frame["share_" + name.replace(" ", "_")] = shares[name]
        return frame[columns]

    def tiers(self) -> pd.DataFrame:
        """``tiers.csv``: one row per (schedule, model), by tier then rank."""
        table = self.table()
        sizes = table.groupby(["elimination", "tier"], sort=False).model.transform("size")
        tiers = table.assign(tier_size=sizes)[
            ["elimination", "tier", "tier_size", "model", "rank", "rank_ub", "rank_low",
             "rank_high", "rank_median", "expected_score"]]
        order = {label: s for s, label in enumerate(self.labels)}
        key = tiers.elimination.map(order)
        return tiers.assign(_key=key).sort_values(["_key", "tier", "rank"], kind="stable").drop(
            columns="_key").reset_index(drop=True)


def score_intervals(point: np.ndarray, replicates: np.ndarray, level: float,
                    kind: str = "t-percentile",
                    df: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap intervals of expected scores: ``(low, high)`` shaped like ``point``.

    ``replicates`` has one more leading axis (B) than ``point``. With ``q_lo``, ``q_hi`` the
    replicate percentiles ``100 (1 -+ level) / 2`` and ``c`` the replicate mean:

    * ``t-percentile`` (reported in ``bootstrap.csv``): ``[c - f (c - q_lo), c + f (q_hi - c)]``
      with ``f = t_df((1 + level) / 2) / z((1 + level) / 2)``, the percentile interval widened
      around the replicates' centre as Student's t widens a normal interval whose variance is
      estimated with ``df`` degrees of freedom (``df`` = the within-round degrees of freedom,
      :attr:`Resampler.degrees_of_freedom`; ``None`` or infinite: ``f = 1``). Target: the mean
      of the point estimate over fresh draws of the same number of benchmarks per round (same
      models, score errors and simulation settings); with the ``n-1`` replicate scheme its
      coverage is close to nominal in the calibration (``docs/method.md`` section 7.6). It can
      exclude the point estimate: resampling moves a model's replicates by
      ``resampling_shift = c - point`` (a field's best model usually loses when its benchmarks
      are redrawn), and the interval follows them, as the estimate on fresh benchmarks would.
    * ``percentile``: ``[q_lo, q_hi]``, the same without widening (``f = 1``).
    * ``centred``: ``[point - max(q_hi - c, 0), point + max(c - q_lo, 0)]``, the same spread
      around the point estimate; always contains it, but under-covers both targets in the
      calibration (the shift is real).
    * ``basic``: ``[2 point - q_hi, 2 point - q_lo]``, the textbook bias correction aimed at the
      value at infinitely many benchmarks; it under-covers most in the calibration.
    """
    point = np.asarray(point, dtype=float)
    replicates = np.asarray(replicates, dtype=float)
    tail = 100.0 * (1.0 - level) / 2.0
    low_q, high_q = np.percentile(replicates, [tail, 100.0 - tail], axis=0)
    if kind == "percentile":
        return low_q, high_q
    if kind == "basic":
        return 2.0 * point - high_q, 2.0 * point - low_q
    centre = replicates.mean(axis=0)
    if kind == "centred":
        return (point - np.maximum(high_q - centre, 0.0),
                point + np.maximum(centre - low_q, 0.0))
    if kind == "t-percentile":
        factor = t_factor(level, df)
        return centre - factor * (centre - low_q), centre + factor * (high_q - centre)
    raise ValueError(f"score_intervals: kind must be one of {INTERVAL_KINDS}, found {kind!r}")


def t_factor(level: float, df: float | None) -> float:
    """``t_df((1 + level) / 2) / z((1 + level) / 2)``; 1 for ``df`` None, infinite or < 1."""
    if df is None or not np.isfinite(df) or df < 1:
        return 1.0
    from scipy.special import ndtri, stdtrit

    q = (1.0 + level) / 2.0
    return float(stdtrit(df, q) / ndtri(q))


#: Interval kinds of :func:`score_intervals`; the first is the one ``bootstrap.csv`` reports.
INTERVAL_KINDS = ("t-percentile", "percentile", "centred", "basic")


def swap_inputs(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Benchmark win rates (M, J) and round weights (J,) of the swap tests
    (:mod:`swisssim.analysis.significance`), from the direction-corrected, normalised scores."""
    resampler = Resampler(scenario)
    return (benchmark_win_rates(resampler.base),
            round_weights(resampler.columns, resampler.base.shape[1]))


def rank_tiers(low: Sequence[float], high: Sequence[float]) -> np.ndarray:
    """Overlap components of rank intervals ``[low, high]`` (1 = best), kept for comparison.

    Not the tiers this package reports (:meth:`BootstrapResult.table` uses
    :meth:`~swisssim.analysis.significance.PairTests.tiers`): overlap is not transitive, so these
    components chain models whose own intervals are disjoint. They are the connected components of
    the "intervals overlap" relation (closed intervals:
    ``[1, 3]`` and ``[3, 5]`` overlap). Sweeping the intervals by their low end, a new tier starts
    when an interval begins after every interval seen so far has ended.

    Parameters
    ----------
    low, high
        Interval ends per model, ``low <= high``; same length.

    Returns
    -------
    ndarray of int64
        Tier numbers 1, 2, ... in order of rank.
    """
    lows, highs = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if lows.shape != highs.shape or lows.ndim != 1 or np.any(lows > highs):
        raise InputError("rank_tiers", "low, high", "two equally long 1-d arrays with low <= high",
                         found_text=f"shapes {lows.shape} and {highs.shape}")
    tiers = np.zeros(lows.shape[0], dtype=np.int64)
    tier, reach = 0, -np.inf
    for m in np.lexsort((highs, lows)):
        if lows[m] > reach:
            tier += 1
        reach = max(reach, highs[m])
        tiers[m] = tier
    return tiers




class Resampler:
    """Builds the round scores of bootstrap replicates (see the module conventions).

    Parameters
    ----------
    scenario
        Scores, rounds, scoring and optional ``score_errors``.
    scheme
        One of :data:`RESAMPLE_SCHEMES`.
    """

    def __init__(self, scenario: Scenario, scheme: str = RESAMPLE_SCHEMES[0]) -> None:
        if scheme not in RESAMPLE_SCHEMES:
            raise InputError("bootstrap", "scheme", f"one of {', '.join(RESAMPLE_SCHEMES)}",
                             scheme)
        self.scenario = scenario
        self.scheme = scheme
        position = {bench: j for j, bench in enumerate(scenario.scores.columns)}
        self.columns = [np.array([position[b] for b in r.benchmarks], dtype=np.int64)
                        for r in scenario.rounds]
        errors = scenario.score_errors
        used = np.concatenate(self.columns)
        self.errors = None
        if errors is not None and np.any(errors.to_numpy()[:, used] > 0):
            self.errors = errors.to_numpy(dtype=np.float64)
        self.raw = scenario.scores.to_numpy(dtype=np.float64)
        self.base = normalized_scores(scenario).to_numpy(dtype=np.float64)
        self.residuals = self._residuals() if scheme == "n-1" else np.zeros((len(self.base), 0))

    def _residuals(self) -> np.ndarray:
        """(M, R) within-round deviations of the benchmarks of rounds with two or more, each
        scaled by ``sqrt(n / (n - 1))`` so that its variance is the between-benchmark variance;
        a missing score deviates by 0. Empty when there is no such round or no one-benchmark
        round to lend them to."""
        parts = []
        if any(len(c) == 1 for c in self.columns):
            for cols in self.columns:
                n = len(cols)
                if n < 2:
                    continue
                block = self.base[:, cols]
                finite = np.isfinite(block)
                count = finite.sum(axis=1)
                # a model with no score in the round has no centre (NaN; its deviations are 0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    centre = np.where(finite, block, 0.0).sum(axis=1) / count
                deviation = (block - centre[:, None]) * np.sqrt(n / (n - 1))
                parts.append(np.where(np.isfinite(deviation), deviation, 0.0))
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(self.base), 0))

    @property
    def resampled_rounds(self) -> tuple[str, ...]:
        """Names of the rounds with more than one benchmark (the only ones resampling changes)."""
        return tuple(r.name for r, c in zip(self.scenario.rounds, self.columns) if len(c) > 1)

    @property
    def degrees_of_freedom(self) -> int:
        """Within-round degrees of freedom of the data, ``sum_k (n_k - 1)`` over the rounds:
        how many independent deviations the between-benchmark spread is estimated from."""
        return int(sum(len(c) - 1 for c in self.columns))

    @property
    def borrowing_rounds(self) -> tuple[str, ...]:
        """One-benchmark rounds that borrow the other rounds' within-round spread."""
        if not self.residuals.shape[1]:
            return ()
        return tuple(r.name for r, c in zip(self.scenario.rounds, self.columns) if len(c) == 1)

    @property
    def silent_rounds(self) -> tuple[str, ...]:
        """Rounds that contribute no bootstrap variance: one benchmark and no score error."""
        return tuple(r.name for r, c in zip(self.scenario.rounds, self.columns)
                     if len(c) == 1 and (self.errors is None or not np.any(self.errors[:, c] > 0)))

    @property
    def calibrated(self) -> bool:
        """Whether the E[S] intervals have a calibrated target (module conventions): every
        round resamples its benchmarks or borrows a spread (scheme ``n-1``), or has two or more
        benchmarks (``n-1 kept``, ``n``)."""
        if not self.resampled_rounds:
            return False
        return bool(self.borrowing_rounds) or all(len(c) > 1 for c in self.columns)

    def generator(self, seed: int, replicate: int) -> np.random.Generator:
        """The numpy generator of replicate ``replicate``."""
        return np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_STREAM, replicate)))

    def values(self, rng: np.random.Generator | None) -> np.ndarray:
        """Round scores (K, M) of one replicate; ``None`` gives the data as it is."""
        if rng is None:
            return round_means(self.base, self.columns, self.scenario.scoring.missing)
        drop = 0 if self.scheme == "n" else 1
        picks = [c if len(c) == 1 else c[rng.integers(0, len(c), size=len(c) - drop)]
                 for c in self.columns]
        matrix = self.base
        if self.errors is not None:
            noisy = self.raw + rng.standard_normal(self.raw.shape) * self.errors
            frame = pd.DataFrame(noisy, index=self.scenario.scores.index,
                                 columns=self.scenario.scores.columns)
            matrix = normalized_scores(self.scenario.with_scores(frame)).to_numpy(np.float64)
        if self.residuals.shape[1]:
            # One-benchmark rounds: their benchmark plus a deviation drawn from the others.
            lent = rng.integers(0, self.residuals.shape[1], size=len(self.columns))
            extra, width = [], matrix.shape[1]
            for k, cols in enumerate(self.columns):
                if len(cols) == 1:
                    extra.append(matrix[:, cols[0]] + self.residuals[:, lent[k]])
                    picks[k] = np.array([width + len(extra) - 1], dtype=np.int64)
            matrix = np.concatenate([matrix, np.stack(extra, axis=1)], axis=1)
        return round_means(matrix, picks, self.scenario.scoring.missing)


def bootstrap_bytes(replicates: int, n_schedules: int, n_models: int, n_rounds: int) -> int:
    """Memory of ``replicates`` replicates: two (B, S, M) 8-byte arrays, and the resampled round
    scores (B, K, M) that a Dask run stacks."""
    return replicates * (16 * n_schedules * n_models + 8 * n_rounds * n_models)


def check_bootstrap_request(replicates: int, n_schedules: int, n_models: int, n_rounds: int,
                            source: str, field: str) -> None:
    """Refuse up front a bootstrap whose arrays would not fit in memory
    (:func:`swisssim.validation.check_memory`)."""
    check_memory(bootstrap_bytes(replicates, n_schedules, n_models, n_rounds), source, field,
                 f"{replicates:,} replicates x {n_schedules} schedule(s) x {n_models:,} models")


def bootstrap(
    scenario: Scenario,
    replicates: int,
    settings: Settings | None = None,
    /,
    *,
    reference: SimulationResult | None = None,
    level: float = 0.95,
    scheme: str = RESAMPLE_SCHEMES[0],
    **overrides: Unpack[SettingsFields],
) -> BootstrapResult:
    """Bootstrap the data of a scenario: rerun CSD on resampled and perturbed scores.

    Parameters
    ----------
    scenario
        A validated scenario (optionally with ``score_errors``).
    replicates
        B, the number of bootstrap replicates.
    settings, **overrides
        As in :func:`~swisssim.engine.simulation.simulate`, for every replicate (iterations are
        per replicate); fields left at ``None`` take the reference run's settings, else the
        scenario's. ``progress`` shows a bar over replicates.
    reference
        The run on the data as given, whose expected scores and ranks are the point estimates;
        simulated here when not given.
    level
        Confidence level of the percentile intervals.
    scheme
        Replicate scheme, one of :data:`RESAMPLE_SCHEMES` (module conventions); the default
        ``n-1`` is the one whose intervals are calibrated.

    Returns
    -------
    BootstrapResult
        Call ``table()`` for intervals and tiers, ``tiers()`` for the tier listing.

    Notes
    -----
    Resampling, noise, rank ties and the tier rule are described in the module conventions.
    """
    scenario = check_scenario(scenario, "bootstrap")
    replicates = check_replicates(replicates, "bootstrap", "replicates")
    if not is_number(level) or not 0.0 < level < 1.0:
        raise InputError("bootstrap", "level", "a number strictly between 0 and 1", level)
    level = float(level)
    settings = Settings.of(settings, overrides)
    if reference is not None:
        settings = settings.defaults(seed=reference.seed, elimination=reference.schedules,
                                     tie_break=reference.tie_break, threads=reference.threads,
                                     iterations=reference.iterations)
    iterations = settings.resolved_iterations(scenario)
    progress = settings.progress
    check_bootstrap_request(replicates, len(settings.schedules(scenario)), scenario.n_models,
                            scenario.n_rounds, "bootstrap", "replicates")
    from swisssim.engine.simulation import EngineSession  # numba: only when simulating

    session = EngineSession(scenario, settings)
    resampler = Resampler(scenario, scheme)
    started = time.perf_counter()
    if reference is None:
        reference = session.run(resampler.values(None), iterations)
    shape = (replicates, len(session.schedules), scenario.n_models)
    score_sum, expected = np.empty(shape, np.int64), np.empty(shape)
    results: Iterable[SimulationResult]
    if session.distributed:
        # Replicates built here, stacked and scattered once; simulated as one batch of tasks.
        stacked = np.concatenate([resampler.values(resampler.generator(session.seed, b))
                                  for b in range(replicates)])
        rows = np.arange(replicates * scenario.n_rounds).reshape(replicates, scenario.n_rounds)
        results = session.run_many(stacked, rows, iterations, progress=progress,
                                   desc=f"{scenario.name} bootstrap")
    else:
        results = (session.run(resampler.values(resampler.generator(session.seed, b)),
                               iterations)
                   for b in _progress(range(replicates), progress, scenario.name))
    cluster, backend = None, None
    for b, result in enumerate(results):
        interrupts.checkpoint()   # a safe point between replicates
        score_sum[b], expected[b] = result.score_sum, result.expected()
        cluster, backend = result.cluster, result.backend
    return BootstrapResult(reference=reference, schedules=session.schedules,
                           replicates=replicates, iterations=iterations, seed=session.seed,
                           level=level, score_sum=score_sum, expected=expected,
                           resampled_rounds=resampler.resampled_rounds,
                           noise=resampler.errors is not None,
                           wall_time=time.perf_counter() - started, cluster=cluster,
                           backend=backend, scheme=scheme)


def _progress(items: range, show: bool, name: str) -> Any:
    from tqdm import tqdm

    return tqdm(items, unit="replicate", file=sys.stderr, disable=None if show else True,
                desc=f"{name} bootstrap", leave=False)
