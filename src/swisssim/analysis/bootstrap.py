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
  replicates (``numpy.percentile``, linear interpolation); for the rank, the same percentiles
  rounded outwards (floor of the low end, ceiling of the high end), so rank intervals are integer.
* Tiers: two models are statistically tied when their rank intervals overlap (share at least one
  rank); tiers are the connected components of that relation, numbered from the best. Equivalently,
  a tier boundary falls between two consecutive ranks exactly when every model above it has a rank
  interval ending before every interval of the models below it begins. This is the clustering of
  the WMT human evaluations (bootstrap rank ranges, clusters where no range crosses a boundary).
  Overlap chains, so a tier can contain models whose own intervals do not overlap.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import pandas as pd

from swisssim.analysis.orders import competition_ranks
from swisssim.data.rounds import normalized_scores
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.data.schedules import Schedule
from swisssim.engine.results import SimulationResult
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.engine.simulation import EngineSession
from swisssim.errors import InputError
from swisssim.validation import is_number

#: Spawn key separating the bootstrap generators from any other generator derived from the seed.
BOOTSTRAP_STREAM = 0x424F4F54  # "BOOT"
TIER_RULE = ("tiers = connected components of overlapping rank intervals (a boundary between two "
             "ranks only where every model above has a rank interval ending before every "
             "interval below begins)")


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

    def ranks(self) -> np.ndarray:
        """Competition rank by expected score within each replicate and schedule, (B, S, M)."""
        return competition_ranks(self.score_sum)

    def intervals(self) -> dict[str, np.ndarray]:
        """Percentile intervals, each (S, M): score_low/high, rank_low/high, rank_median."""
        tail = 100.0 * (1.0 - self.level) / 2.0
        ranks = self.ranks()
        score_low, score_high = np.percentile(self.expected, [tail, 100.0 - tail], axis=0)
        rank_low, rank_high = np.percentile(ranks, [tail, 100.0 - tail], axis=0)
        return {"score_low": score_low, "score_high": score_high,
                "rank_low": np.floor(rank_low + 1e-9).astype(np.int64),
                "rank_high": np.ceil(rank_high - 1e-9).astype(np.int64),
                "rank_median": np.median(ranks, axis=0)}

    def table(self) -> pd.DataFrame:
        """``bootstrap.csv``: one row per (schedule, model), sorted by schedule and rank."""
        names = self.scenario.model_names
        bounds = self.intervals()
        point = self.reference.expected()
        rank = competition_ranks(self.reference.score_sum)
        tiers = np.stack([rank_tiers(bounds["rank_low"][s], bounds["rank_high"][s])
                          for s in range(len(self.schedules))])
        rows = []
        for s, label in enumerate(self.labels):
            for m in np.lexsort((np.arange(len(names)), rank[s])):
                rows.append({
                    "model": names[m], "elimination": label,
                    "expected_score": point[s, m],
                    "score_low": bounds["score_low"][s, m],
                    "score_high": bounds["score_high"][s, m],
                    "rank": int(rank[s, m]),
                    "rank_low": int(bounds["rank_low"][s, m]),
                    "rank_high": int(bounds["rank_high"][s, m]),
                    "rank_median": bounds["rank_median"][s, m],
                    "tier": int(tiers[s, m]),
                    "family": self.scenario.models.at[names[m], "family"],
                    "display_name": self.scenario.models.at[names[m], "display_name"],
                })
        return pd.DataFrame(rows)

    def tiers(self) -> pd.DataFrame:
        """``tiers.csv``: one row per (schedule, model), by tier then rank."""
        table = self.table()
        sizes = table.groupby(["elimination", "tier"], sort=False).model.transform("size")
        tiers = table.assign(tier_size=sizes)[
            ["elimination", "tier", "tier_size", "model", "rank", "rank_low", "rank_high",
             "rank_median", "expected_score"]]
        order = {label: s for s, label in enumerate(self.labels)}
        key = tiers.elimination.map(order)
        return tiers.assign(_key=key).sort_values(["_key", "tier", "rank"], kind="stable").drop(
            columns="_key").reset_index(drop=True)


def rank_tiers(low: Sequence[float], high: Sequence[float]) -> np.ndarray:
    """Tier of each model from its rank interval ``[low, high]`` (1 = best tier).

    Tiers are the connected components of the "intervals overlap" relation (closed intervals:
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
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if low.shape != high.shape or low.ndim != 1 or np.any(low > high):
        raise InputError("rank_tiers", "low, high", "two equally long 1-d arrays with low <= high",
                         found_text=f"shapes {low.shape} and {high.shape}")
    tiers = np.zeros(low.shape[0], dtype=np.int64)
    tier, reach = 0, -np.inf
    for m in np.lexsort((high, low)):
        if low[m] > reach:
            tier += 1
        reach = max(reach, high[m])
        tiers[m] = tier
    return tiers


class Resampler:
    """Builds the round scores of bootstrap replicates (see the module conventions).

    Parameters
    ----------
    scenario
        Scores, rounds, scoring and optional ``score_errors``.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
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

    @property
    def resampled_rounds(self) -> tuple[str, ...]:
        """Names of the rounds with more than one benchmark (the only ones resampling changes)."""
        return tuple(r.name for r, c in zip(self.scenario.rounds, self.columns) if len(c) > 1)

    def generator(self, seed: int, replicate: int) -> np.random.Generator:
        """The numpy generator of replicate ``replicate``."""
        return np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_STREAM, replicate)))

    def values(self, rng: np.random.Generator | None) -> np.ndarray:
        """Round scores (K, M) of one replicate; ``None`` gives the data as it is."""
        if rng is None:
            return round_means(self.base, self.columns, self.scenario.scoring.missing)
        picks = [c if len(c) == 1 else c[rng.integers(0, len(c), size=len(c))]
                 for c in self.columns]
        matrix = self.base
        if self.errors is not None:
            noisy = self.raw + rng.standard_normal(self.raw.shape) * self.errors
            frame = pd.DataFrame(noisy, index=self.scenario.scores.index,
                                 columns=self.scenario.scores.columns)
            matrix = normalized_scores(self.scenario.with_scores(frame)).to_numpy(np.float64)
        return round_means(matrix, picks, self.scenario.scoring.missing)


def round_means(matrix: np.ndarray, columns: Sequence[np.ndarray], missing: str) -> np.ndarray:
    """Round scores (K, M) from normalised scores (M, benchmarks) and each round's columns.

    Same arithmetic as :func:`swisssim.data.rounds.round_scores` (a column may repeat): the plain
    mean over the round's columns; ``-inf`` for a model missing any of them, or under ``skip``
    missing all of them.
    """
    result = np.empty((len(columns), matrix.shape[0]), dtype=np.float64)
    for k, cols in enumerate(columns):
        block = matrix[:, cols]
        absent = np.isnan(block)
        counts = (~absent).sum(axis=1)
        sums = np.where(absent, 0.0, block).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / counts
        if missing == "skip":
            means[counts == 0] = -np.inf
        else:
            means[absent.any(axis=1)] = -np.inf
        result[k] = means
    return np.ascontiguousarray(result)


def check_replicates(value: Any, source: str, field: str) -> int:
    """A positive integer number of bootstrap replicates."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(source, field, "an integer >= 1 (bootstrap replicates)", value)
    return int(value)


def bootstrap(
    scenario: Scenario,
    replicates: int,
    settings: Settings | None = None,
    /,
    *,
    reference: SimulationResult | None = None,
    level: float = 0.95,
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
    session = EngineSession(scenario, settings)
    resampler = Resampler(scenario)
    started = time.perf_counter()
    if reference is None:
        reference = session.run(resampler.values(None), iterations)
    shape = (replicates, len(session.schedules), scenario.n_models)
    score_sum, expected = np.empty(shape, np.int64), np.empty(shape)
    for b in _progress(range(replicates), progress, scenario.name):
        result = session.run(resampler.values(resampler.generator(session.seed, b)), iterations)
        score_sum[b], expected[b] = result.score_sum, result.expected()
    return BootstrapResult(reference=reference, schedules=session.schedules,
                           replicates=replicates, iterations=iterations, seed=session.seed,
                           level=level, score_sum=score_sum, expected=expected,
                           resampled_rounds=resampler.resampled_rounds,
                           noise=resampler.errors is not None,
                           wall_time=time.perf_counter() - started)


def _progress(items: range, show: bool, name: str) -> Any:
    from tqdm import tqdm

    return tqdm(items, unit="replicate", file=sys.stderr, disable=None if show else True,
                desc=f"{name} bootstrap", leave=False)
