"""Order sensitivity: how much do expected win scores and ranks depend on the round order?

Liu et al. (arXiv:2512.21010) play the rounds in one curated order, "from foundational to
advanced abilities". Because models are paired by their running score and (with elimination) the
weakest are dropped after each round, another order can change every expected score. This module
replays the tournament under many orders of the same rounds and summarises the spread.

Conventions
-----------
* An order is a permutation ``p`` of the K rounds: position ``k`` plays the curated round
  ``p[k]``. The curated order is the identity and is always order 0.
* Which orders: all ``K!`` of them, in lexicographic order, when ``K! <= samples``; otherwise the
  curated order plus ``samples - 1`` distinct other orders drawn uniformly without replacement
  (listed in lexicographic order), from a numpy generator seeded by the seed and independent of
  the engine's streams.
* Common random numbers: every order is simulated with the same seed and iterations, and round
  position ``k`` of iteration ``i`` uses the random stream ``(seed, i * K + k)`` whatever round is
  played there. Elimination schedules are per position (after the k-th round played).
* Rank within an order: competition rank ("1224") by expected score, computed on exact integer
  score sums; models with equal expected scores share the better rank. "Ranked first" counts every
  model of rank 1 and "top k" every model of rank ``<= k``.
* Kendall tau-b (:func:`swisssim.analysis.rank_correlation.kendall_tau_b`, equal to
  ``scipy.stats.kendalltau``) compares each order's expected scores with the
  curated order's (ties handled by tau-b; NaN if either ranking is constant).
* The order-marginalised ranking ranks models by their mean expected score over the evaluated
  orders, i.e. with the round order drawn uniformly at random.
* Spread: ``sd_score`` is the standard deviation over the evaluated orders (``ddof=0`` when all
  orders are enumerated, ``ddof=1`` for a sample). ``mc_std_error`` is the mean Monte Carlo
  standard error of one order's expected score: spread well above it is due to the order, not to
  pairing luck.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import pandas as pd

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)
from swisssim.analysis.rank_correlation import kendall_tau_b
from swisssim.analysis.ranks import competition_ranks
from swisssim.data.frames import as_written
from swisssim.data.rounds import round_scores
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.data.schedules import Schedule
from swisssim.defaults import DEFAULT_SAMPLES, ORDERS_ITERATIONS
from swisssim.engine.results import SimulationResult
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.errors import InputError
from swisssim.validation import check_memory, check_samples, check_top_k  # noqa: F401  (re-exported)

if TYPE_CHECKING:   # numba, which reading a result does not need
    from swisssim.engine.distributed import ClusterInfo

#: Spawn key separating the order sampler from any other generator derived from the seed.
ORDERS_STREAM = 0x4F52444552  # "ORDER"
_MAX_UNRANKED = 20  # 20! < 2**63: sample order indices directly up to here


@dataclass(frozen=True)
class OrdersResult:
    """Expected win scores of every model under many round orders (see module conventions).

    Arrays are indexed ``[order, schedule, model]``; order 0 is the curated order.
    """

    scenario: Scenario
    schedules: tuple[Schedule, ...]
    orders: np.ndarray          # (P, K) round indices played at each position
    exhaustive: bool            # all K! orders evaluated
    iterations: int
    seed: int
    tie_break: str
    threads: int
    top_k: int
    score_sum: np.ndarray       # (P, S, M) integer score sums (exact ranking)
    expected: np.ndarray        # (P, S, M) expected win score, points
    std_error: np.ndarray       # (P, S, M) Monte Carlo standard error, points
    wall_time: float
    cluster: ClusterInfo | None = None   # the Dask cluster it ran on (results do not depend on it)
    backend: dict[str, Any] | None = None   # where the tournaments ran (engine/backends.py)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.schedules]

    @property
    def n_orders(self) -> int:
        return int(self.orders.shape[0])

    def order_text(self, order: int) -> str:
        """Round names of an order, in playing order, joined by ``" > "``."""
        names = self.scenario.round_names
        return " > ".join(names[k] for k in self.orders[order])

    def ranks(self) -> np.ndarray:
        """Competition rank by expected score within each order and schedule, (P, S, M)."""
        return competition_ranks(self.score_sum)

    def kendall_taus(self) -> np.ndarray:
        """Kendall tau-b of each order's expected scores against the curated order's, (P, S)."""
        ranks = self.ranks()
        taus: np.ndarray = np.empty(self.score_sum.shape[:2])
        for p in range(taus.shape[0]):
            for s in range(taus.shape[1]):
                if np.array_equal(ranks[p, s], ranks[0, s]):
                    # The same ranking: exactly 1 (scipy may return 1 - 2e-16 with ties).
                    constant = np.all(ranks[0, s] == ranks[0, s, 0])
                    taus[p, s] = np.nan if constant else 1.0
                else:
                    taus[p, s] = kendall_tau_b(self.score_sum[0, s], self.score_sum[p, s])[0]
        return taus

    def __repr__(self) -> str:
        return (f"OrdersResult(scenario={self.scenario.name!r}, orders={self.n_orders}, "
                f"exhaustive={self.exhaustive}, schedules={self.labels}, "
                f"iterations={self.iterations:,}, seed={self.seed})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (model, schedule), as ``order_sensitivity.csv``."""
        return as_written(self.sensitivity())

    def sensitivity(self) -> pd.DataFrame:
        """One row per (schedule, model), sorted by schedule and order-marginalised rank."""
        names = self.scenario.model_names
        ranks = self.ranks()
        ddof = 0 if self.exhaustive or self.n_orders == 1 else 1
        mean = self.expected.mean(axis=0)
        marginal = competition_ranks(mean)
        best = self.expected.argmax(axis=0)   # first maximum: the curated order wins ties
        worst = self.expected.argmin(axis=0)
        texts = [self.order_text(p) for p in range(self.n_orders)]
        rows = []
        for s, label in enumerate(self.labels):
            for m in np.lexsort((np.arange(len(names)), marginal[s])):
                column = self.expected[:, s, m]
                rows.append({
                    "model": names[m], "elimination": label,
                    "curated_score": column[0], "curated_rank": int(ranks[0, s, m]),
                    "mean_score": mean[s, m], "sd_score": (column - column[0]).std(ddof=ddof),
                    "min_score": column.min(), "max_score": column.max(),
                    "mc_std_error": self.std_error[:, s, m].mean(),
                    "mean_rank": ranks[:, s, m].mean(),
                    "best_rank": int(ranks[:, s, m].min()),
                    "worst_rank": int(ranks[:, s, m].max()),
                    "p_rank_first": np.mean(ranks[:, s, m] == 1),
                    "p_top_k": np.mean(ranks[:, s, m] <= self.top_k), "top_k": self.top_k,
                    "marginal_rank": int(marginal[s, m]),
                    "best_order": int(best[s, m]), "best_order_score": column[best[s, m]],
                    "best_order_rounds": texts[best[s, m]],
                    "worst_order": int(worst[s, m]), "worst_order_score": column[worst[s, m]],
                    "worst_order_rounds": texts[worst[s, m]],
                    "family": self.scenario.models.at[names[m], "family"],
                    "display_name": self.scenario.models.at[names[m], "display_name"],
                })
        return pd.DataFrame(rows)

    def order_table(self) -> pd.DataFrame:
        """One row per (order, schedule): Kendall tau against the curated order, leader(s)."""
        names = np.asarray(self.scenario.model_names, dtype=object)
        taus, ranks = self.kendall_taus(), self.ranks()
        rows = []
        for p in range(self.n_orders):
            text = self.order_text(p)
            for s, label in enumerate(self.labels):
                rows.append({"order_id": p, "curated": p == 0, "elimination": label,
                             "kendall_tau": taus[p, s],
                             "leader": ";".join(names[ranks[p, s] == 1]), "order": text})
        return pd.DataFrame(rows)

    def order_scores(self) -> pd.DataFrame:
        """Long table ``order_id, elimination, model, expected_score, std_error, rank``."""
        n_orders, n_schedules, n_models = self.expected.shape
        p_idx, s_idx, m_idx = np.indices(self.expected.shape).reshape(3, -1)
        return pd.DataFrame({
            "order_id": p_idx,
            "elimination": np.asarray(self.labels, dtype=object)[s_idx],
            "model": np.asarray(self.scenario.model_names, dtype=object)[m_idx],
            "expected_score": self.expected.ravel(),
            "std_error": self.std_error.ravel(),
            "rank": self.ranks().ravel(),
        })






def orders_count(samples: int, n_rounds: int) -> int:
    """How many orders ``samples`` asks for on ``n_rounds`` rounds: ``min(samples, K!)``."""
    total = 1
    for k in range(2, n_rounds + 1):
        total *= k
        if total >= samples:
            return samples
    return total


def orders_bytes(count: int, n_schedules: int, n_models: int, n_rounds: int) -> int:
    """Memory of ``count`` orders: their result arrays (three of (P, S, M) 8-byte numbers) and
    the orders themselves (a (P, K) int64 array, built from Python lists)."""
    return count * (24 * n_schedules * n_models + 80 * n_rounds + 120)


def check_orders_request(samples: int, n_schedules: int, n_models: int, n_rounds: int,
                         source: str, field: str) -> int:
    """The number of orders, refused up front when their arrays would not fit in memory
    (:func:`swisssim.validation.check_memory`)."""
    count = orders_count(samples, n_rounds)
    check_memory(orders_bytes(count, n_schedules, n_models, n_rounds), source, field,
                 f"{count:,} orders x {n_schedules} schedule(s) x {n_models:,} models")
    return count


def order_permutations(n_rounds: int, samples: int, seed: int) -> tuple[np.ndarray, bool]:
    """The orders to evaluate and whether they are all ``K!`` of them.

    Parameters
    ----------
    n_rounds
        K, the number of rounds.
    samples
        Maximum number of orders.
    seed
        Seeds the sampler (a numpy generator with spawn key ``ORDERS_STREAM``) when ``K!`` exceeds
        ``samples``.

    Returns
    -------
    orders : ndarray of int64, shape (P, K)
        Row 0 is the curated order ``0, 1, ..., K - 1``; the other rows are distinct
        permutations in lexicographic order.
    exhaustive : bool
        True when all ``K!`` orders are listed (then ``P = K!``), else ``P = samples``.
    """
    samples = check_samples(samples, "order_permutations", "samples")
    total = math.factorial(n_rounds)
    if total <= samples:
        return np.array(list(itertools.permutations(range(n_rounds))), dtype=np.int64), True
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ORDERS_STREAM,)))
    if n_rounds <= _MAX_UNRANKED:
        # Lexicographic indices 1 .. K! - 1 (0 is the curated order), without replacement.
        picked = np.sort(rng.choice(total - 1, size=samples - 1, replace=False)) + 1
        rows = [_unrank(int(index), n_rounds) for index in picked]
    else:
        chosen: set[tuple[int, ...]] = {tuple(range(n_rounds))}
        while len(chosen) < samples:
            chosen.add(tuple(int(k) for k in rng.permutation(n_rounds)))
        rows = [list(r) for r in sorted(chosen - {tuple(range(n_rounds))})]
    return np.array([list(range(n_rounds)), *rows], dtype=np.int64), False


def _unrank(index: int, n: int) -> list[int]:
    """The permutation of ``range(n)`` at lexicographic position ``index`` (factorial base)."""
    pool = list(range(n))
    result = []
    for position in range(n, 0, -1):
        digit, index = divmod(index, math.factorial(position - 1))
        result.append(pool.pop(digit))
    return result


def evaluate_orders(
    scenario: Scenario,
    settings: Settings | None = None,
    /,
    *,
    samples: int = DEFAULT_SAMPLES,
    top_k: int = 3,
    orders: np.ndarray | None = None,
    **overrides: Unpack[SettingsFields],
) -> OrdersResult:
    """Simulate the scenario under many round orders with common random numbers.

    Parameters
    ----------
    scenario
        A validated scenario; its rounds, in file order, are the curated order.
    samples
        Number of orders (all ``K!`` when that is not more); see :func:`order_permutations`.
    settings, **overrides
        As in :func:`~swisssim.engine.simulation.simulate`, with other defaults: iterations per
        order :data:`ORDERS_ITERATIONS` (not the scenario's) and schedules ``T = 0`` only. Quotas
        apply to positions: "after the k-th round played". ``progress`` shows a bar over
        orders.
    top_k
        The ``k`` of the probability of ranking in the top ``k``.
    orders
        Explicit orders, shape (P, K), each a permutation of ``range(K)``; overrides ``samples``.
        Row 0 should be the curated order.
    Returns
    -------
    OrdersResult

    Notes
    -----
    Ranks, ties and the order-marginalised ranking follow the module conventions. The expected
    scores of order 0 equal those of ``simulate`` with the same seed, iterations and schedules.
    """
    scenario = check_scenario(scenario, "evaluate_orders")
    settings = Settings.of(settings, overrides).defaults(iterations=ORDERS_ITERATIONS,
                                                         elimination=(0,))
    iterations = settings.resolved_iterations(scenario)
    progress = settings.progress
    top_k = check_top_k(top_k, scenario.n_models, "evaluate_orders", "top_k")
    if orders is None:
        samples = check_samples(samples, "evaluate_orders", "samples")
        check_orders_request(samples, len(settings.schedules(scenario)), scenario.n_models,
                             scenario.n_rounds, "evaluate_orders", "samples")
    from swisssim.engine.simulation import EngineSession  # numba: only when simulating

    session = EngineSession(scenario, settings)
    if orders is None:
        orders, exhaustive = order_permutations(scenario.n_rounds, samples, session.seed)
    else:
        orders = _checked_orders(orders, scenario.n_rounds)
        exhaustive = len({tuple(o) for o in orders}) == math.factorial(scenario.n_rounds)
    values = round_scores(scenario)
    shape = (orders.shape[0], len(session.schedules), scenario.n_models)
    score_sum = np.empty(shape, np.int64)
    expected, error = np.empty(shape), np.empty(shape)
    started = time.perf_counter()
    results: Iterable[SimulationResult]
    if session.distributed:
        # One batch of tasks over (orders, iteration blocks): docs/method.md section 4.
        results = session.run_many(values, orders, iterations, progress=progress,
                                   desc=f"{scenario.name} orders")
    else:
        results = (session.run(values[orders[p]], iterations)
                   for p in _progress(range(orders.shape[0]), progress, scenario.name))
    cluster, backend = None, None
    for p, result in enumerate(results):
        interrupts.checkpoint()   # a safe point between orders
        score_sum[p], expected[p] = result.score_sum, result.expected()
        error[p] = result.std_error()
        cluster, backend = result.cluster, result.backend
    return OrdersResult(scenario=scenario, schedules=session.schedules, orders=orders,
                        exhaustive=exhaustive, iterations=iterations, seed=session.seed,
                        tie_break=session.tie_break, threads=session.threads, top_k=int(top_k),
                        score_sum=score_sum, expected=expected, std_error=error,
                        wall_time=time.perf_counter() - started, cluster=cluster,
                        backend=backend)


def _checked_orders(orders: np.ndarray, n_rounds: int) -> np.ndarray:
    array = np.asarray(orders)
    if array.ndim != 2 or array.shape[1] != n_rounds or array.shape[0] == 0 or not all(
            sorted(row.tolist()) == list(range(n_rounds)) for row in array):
        raise InputError("evaluate_orders", "orders",
                         f"rows that are permutations of 0..{n_rounds - 1}",
                         found_text=f"an array of shape {array.shape}")
    return array.astype(np.int64)


def _progress(items: range, show: bool, name: str) -> Any:
    import sys

    from tqdm import tqdm

    return tqdm(items, unit="order", file=sys.stderr, disable=None if show else True,
                desc=name, leave=False)
