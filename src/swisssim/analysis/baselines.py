"""Aggregate and pairwise ranking methods that CSD is compared against.

Every public method takes a :class:`~swisssim.data.scenario.Scenario` and returns a ``pandas.Series``
of scores indexed by model name (index name ``model``, scenario order); a **higher score is
better**. Turning scores into ranks (and the tie convention of ranks) is the job of
:func:`swisssim.analysis.ranks.competition_ranks`.

Inputs
------
Two kinds of method, with two kinds of input:

* **Benchmark level** -- :func:`mean_score`, :func:`normalized_mean`, :func:`mean_win_rate`,
  :func:`borda_count` -- read :func:`benchmark_scores`: the raw scores of the benchmarks used by
  the scenario's rounds (benchmarks outside every round are ignored, as by CSD), with
  ``lower_is_better`` benchmarks negated, and *without* the scenario's normalisation (each method
  fixes its own: none, min-max or z-score; win rate and Borda are invariant to any increasing
  per-benchmark transform). A missing score is **left out** whatever the missing policy: the
  ``drop`` policy has already removed the model, and ``lose`` / ``skip`` leave empty cells that
  these methods skip.
* **Round level** -- :func:`copeland`, :func:`bradley_terry`, :func:`elo` (and CSD itself) --
  read the round scores of :func:`swisssim.data.rounds.round_scores`, i.e. what a CSD match is decided
  on: direction, the scenario's normalisation, the round mean and the scenario's missing policy
  (a model without a round score loses every match of that round; two such models tie). Every
  pair of models meets once per round. Equal round scores are a **tie** worth half a win to each
  side (Bradley-Terry, Elo) or nothing (Copeland); CSD settles them with a coin or a draw.

References
----------
P. Liang et al., "Holistic Evaluation of Language Models", TMLR 2023 (HELM, mean win rate).
R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs I", Biometrika 39, 1952.
D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", Ann. Statist. 32, 2004.
A. E. Elo, "The Rating of Chessplayers, Past and Present", Arco, 1978.
J. Liu et al., "LLM Swiss Round", arXiv:2512.21010, 2025 (the CSD method these are compared with).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)
from swisssim.data.rounds import round_scores
from swisssim.data.scenario import Scenario
from swisssim.defaults import ELO_K, ELO_ORDERS, MAX_ELO_ORDERS
from swisssim.errors import InputError
from swisssim.validation import integer, number

#: Default ridge penalty of the Bradley-Terry fit (see :func:`fit_bradley_terry`).
BT_ALPHA = 1e-3
#: Above this many models the Bradley-Terry objective runs in a fused numba kernel
#: (:func:`swisssim.analysis.baseline_kernels.bt_loss_gradient`); up to it, in numpy (the
#: reference, bit for bit as before).
BT_FUSED_ABOVE = 500
#: Default Elo settings: logistic scale and start rating (orders, K-factor and the most orders a
#: comparison may ask for: swisssim.defaults).
ELO_SCALE = 400.0
ELO_INITIAL = 1500.0
#: Elo plays at most about this many matches over all its orders: a large field plays fewer
#: orders (never fewer than ``ELO_MIN_ORDERS``), see :func:`elo_orders_for`. Shipped scenarios
#: (at most 36,000 matches an order) stay far below it.
ELO_MATCH_BUDGET = 200_000_000
ELO_MIN_ORDERS = 5
#: Fixed first word of the Elo seed, so Elo draws never coincide with another use of the seed.
ELO_STREAM = 0xE10


# ----------------------------------------------------------------------------- benchmark level


def benchmark_scores(scenario: Scenario) -> pd.DataFrame:
    """Raw scores of the used benchmarks (in round order), ``lower_is_better`` ones negated.

    Shape (M, B); NaN = missing. No normalisation is applied.
    """
    used = [b for r in scenario.rounds for b in r.benchmarks]
    frame = scenario.scores[used].astype(np.float64).copy()
    for bench in scenario.scoring.lower_is_better:
        if bench in frame.columns:
            frame[bench] = -frame[bench]
    return frame


def mean_score(scenario: Scenario) -> pd.Series:
    """Mean of the direction-corrected raw scores over the used benchmarks.

    The "simple average" of leaderboards and of the CSD paper's outlier probe. Missing scores are
    left out (the mean is over the benchmarks the model has); a model with none gets NaN (ranked
    last). Scales are not equalised: a benchmark with a wide range weighs more.
    """
    return _series(benchmark_scores(scenario).mean(axis=1, skipna=True), scenario, "mean")


def normalized_mean(scenario: Scenario, method: str = "minmax") -> pd.Series:
    """Mean over benchmarks of per-benchmark normalised scores.

    Parameters
    ----------
    method
        ``"minmax"``: ``(x - min) / (max - min)`` over the models with a score, so the best model
        of each benchmark gets 1 and the worst 0 (Open LLM Leaderboard style);
        ``"zscore"``: ``(x - mean) / sd`` with the population standard deviation.
        A benchmark on which all models are equal maps to 0 for everyone (as in
        :mod:`swisssim.data.rounds`).

    Notes
    -----
    Missing scores are left out, both from the per-benchmark statistics and from the mean.
    Unlike the raw mean, both depend on which other models are present (adding a weak model
    rescales every benchmark).
    """
    if method not in ("minmax", "zscore"):
        raise ValueError(f"normalized_mean: method must be 'minmax' or 'zscore', got {method!r}")
    frame = benchmark_scores(scenario)
    if method == "minmax":
        low, high = frame.min(), frame.max()
        spread = (high - low).where(high > low, np.inf)
        normalised = (frame - low) / spread
    else:
        spread = frame.std(ddof=0)
        normalised = (frame - frame.mean()) / spread.where(spread > 0, np.inf)
    return _series(normalised.mean(axis=1, skipna=True), scenario, f"mean_{method}")


def mean_win_rate(scenario: Scenario) -> pd.Series:
    """HELM's mean win rate: per benchmark, the fraction of the other models beaten, averaged.

    Notes
    -----
    On benchmark b, model i's win rate is ``(#{j: x_jb < x_ib} + 0.5 #{j != i: x_jb == x_ib}) /
    (n_b - 1)`` over the ``n_b`` models that have a score on b: a tie counts half (HELM once gave
    ties 0 or 1 by mistake). Benchmarks where i has no score, or no other model has one, are left
    out; the mean is over the remaining benchmarks (NaN if none). Reference: Liang et al. (2023).
    """
    below, equal, present = _benchmark_counts(benchmark_scores(scenario).to_numpy())
    others = present.sum(axis=0, keepdims=True) - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(present & (others > 0), (below + 0.5 * equal) / others, np.nan)
    counted = np.isfinite(rate).sum(axis=1)
    total = np.where(np.isfinite(rate), rate, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counted > 0, total / counted, np.nan)
    return _series(values, scenario, "win_rate")


def borda_count(scenario: Scenario) -> pd.Series:
    """Borda count: per benchmark, one point per model ranked strictly below; summed.

    Notes
    -----
    Tied models share the average of the points of the positions they occupy, i.e. they get
    ``#{below} + 0.5 #{tied others}``. A model without a score on a benchmark gets 0 points there
    and does not count as "below" anyone. Without missing scores the Borda count is ``(M - 1)``
    times the sum of the win rates, so it ranks like :func:`mean_win_rate`; with missing scores it
    penalises them (MTEB ranks by Borda).
    """
    below, equal, present = _benchmark_counts(benchmark_scores(scenario).to_numpy())
    points = np.where(present, below + 0.5 * equal, 0.0).sum(axis=1)
    return _series(points, scenario, "borda")


def _benchmark_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: models with a score strictly below, other models with an equal score, presence."""
    present = ~np.isnan(values)
    below = np.zeros(values.shape)
    equal = np.zeros(values.shape)
    for b in range(values.shape[1]):
        column = values[present[:, b], b]
        ordered = np.sort(column)
        left = np.searchsorted(ordered, column, side="left")
        right = np.searchsorted(ordered, column, side="right")
        below[present[:, b], b] = left
        equal[present[:, b], b] = right - left - 1
    return below, equal, present


# ----------------------------------------------------------------------------- round level


def pairwise_wins(scores_by_round: np.ndarray) -> np.ndarray:
    """Round-robin outcome counts, shape (M, M): wins of i over j plus half of their ties.

    ``w[i, j] + w[j, i] == K`` for ``i != j`` (every pair meets once per round); diagonal 0.
    """
    strict = _round_wins(scores_by_round).astype(np.float64)
    ties = np.asarray(scores_by_round).shape[0] - strict - strict.T
    result = strict + 0.5 * ties
    np.fill_diagonal(result, 0.0)
    return result


def _round_wins(scores_by_round: np.ndarray) -> np.ndarray:
    """Rounds won by i over j, (M, M): ``win_tensor(...).sum(axis=2)`` built round by round,
    so memory is O(M^2), not O(M^2 K)."""
    values = np.asarray(scores_by_round, dtype=np.float64)
    n_rounds, n_models = values.shape
    counts = np.zeros((n_models, n_models), np.int32 if n_rounds < 2**31 else np.int64)
    for row in values:
        counts += row[:, None] > row[None, :]
    return counts


def copeland(scenario: Scenario) -> pd.Series:
    """Copeland score over the rounds: pairwise majorities won minus lost.

    Notes
    -----
    For each pair (i, j), count the rounds i wins (strictly higher round score, the win tensor
    ``W[i, j, k]``) and the rounds j wins; tied rounds count for neither. i gets +1 if it wins
    more rounds, -1 if fewer, 0 if as many. Score = sum over the other models, in
    ``[-(M - 1), M - 1]``.
    """
    wins = _round_wins(round_scores(scenario)).astype(np.int64)
    return _series(np.sign(wins - wins.T).sum(axis=1).astype(np.float64), scenario, "copeland")


@dataclass(frozen=True)
class BradleyTerryFit:
    """A Bradley-Terry maximum-likelihood fit.

    Attributes
    ----------
    strengths
        Log-strengths ``theta`` (M,), centred to mean 0; P(i beats j) = sigmoid(theta_i - theta_j).
    alpha
        Ridge penalty used.
    log_likelihood
        Unpenalised log-likelihood at ``strengths``.
    converged, iterations
        Optimiser status.
    strongly_connected
        Hunter's (2004) condition: in the graph "i beat (or tied) j at least once" every model
        reaches every other. If False, the unpenalised MLE does not exist (some group wins every
        comparison against the rest) and the sizes of the gaps between such groups are set by
        ``alpha``; their order is still meaningful.
    """

    strengths: np.ndarray
    alpha: float
    log_likelihood: float
    converged: bool
    iterations: int
    strongly_connected: bool


def check_options(elo_orders: Any, elo_k: Any, bt_alpha: Any,
                  source: str) -> tuple[int, float, float]:
    """The baselines' options, checked, each error naming ``source`` and the argument.

    ``elo_orders``: an integer from 1 to :data:`MAX_ELO_ORDERS`; ``elo_k`` (the Elo K-factor): a
    positive finite number; ``bt_alpha`` (the Bradley-Terry ridge penalty): a finite number
    ``>= 0``.
    """
    orders = integer(elo_orders, source, "elo_orders", low=1, high=MAX_ELO_ORDERS)
    k_factor = number(elo_k, source, "elo_k", positive=True, expected="a positive finite number")
    alpha = number(bt_alpha, source, "bt_alpha", expected="a finite number >= 0")
    if alpha < 0:
        raise InputError(source, "bt_alpha", "a finite number >= 0", bt_alpha)
    return orders, k_factor, alpha


def fit_bradley_terry(wins: np.ndarray, alpha: float = BT_ALPHA) -> BradleyTerryFit:
    """Fit Bradley-Terry log-strengths by penalised maximum likelihood (scipy L-BFGS-B).

    Parameters
    ----------
    wins
        (M, M) outcome counts, ``wins[i, j]`` = wins of i over j (ties as half a win each side).
    alpha
        Ridge penalty: the objective is ``-loglik(theta) + alpha / 2 * ||theta||^2``. Any
        ``alpha > 0`` makes the optimum unique and finite, also under perfect separation, and
        fixes the location (the optimum has mean 0). With ``alpha = 0`` the plain MLE is returned
        (centred), which is finite only when ``strongly_connected``.

    Notes
    -----
    ``loglik = sum_{i != j} w_ij log sigmoid(theta_i - theta_j)`` (Bradley & Terry 1952); the
    gradient is ``sum_j w_ij - (w_ij + w_ji) sigmoid(theta_i - theta_j)``. The default
    ``alpha = 1e-3`` is a Gaussian prior of variance 1000 on each log-strength: negligible next to
    the K (M - 1) comparisons of each model unless the data are separated.
    """
    wins = np.asarray(wins, dtype=np.float64)
    m = wins.shape[0]
    totals = wins + wins.T
    won = wins.sum(axis=1)
    wins_t = np.ascontiguousarray(wins.T) if m > BT_FUSED_ABOVE else wins

    # scipy and numba are imported here, not with the module: a figure worker reads fits
    # (and the rest of a Comparison) without them.
    from scipy import optimize
    from scipy.sparse.csgraph import connected_components
    from scipy.special import expit

    from swisssim.analysis import baseline_kernels

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        interrupts.checkpoint()   # a safe point between evaluations
        if m > BT_FUSED_ABOVE:
            loss, gradient = baseline_kernels.bt_loss_gradient(theta, wins, wins_t)
            return (loss + 0.5 * alpha * theta @ theta, -(won - gradient) + alpha * theta)
        diff = theta[:, None] - theta[None, :]
        loglik = -(wins * np.logaddexp(0.0, -diff)).sum()
        gradient = won - (totals * expit(diff)).sum(axis=1)
        return (-loglik + 0.5 * alpha * theta @ theta, -gradient + alpha * theta)

    solution = optimize.minimize(objective, np.zeros(m), jac=True, method="L-BFGS-B",
                                 options={"maxiter": 20_000, "ftol": 1e-15, "gtol": 1e-9})
    theta = solution.x - solution.x.mean()
    if m > BT_FUSED_ABOVE:
        loglik = -float(baseline_kernels.bt_loss_gradient(theta, wins, wins_t)[0])
    else:
        diff = theta[:, None] - theta[None, :]
        loglik = float(-(wins * np.logaddexp(0.0, -diff)).sum())
    n_components, _ = connected_components((wins > 0).astype(np.float64), directed=True,
                                           connection="strong")
    return BradleyTerryFit(strengths=theta, alpha=float(alpha), log_likelihood=loglik,
                           converged=bool(solution.success), iterations=int(solution.nit),
                           strongly_connected=bool(n_components == 1))


def bradley_terry(scenario: Scenario, alpha: float = BT_ALPHA) -> pd.Series:
    """Bradley-Terry log-strength fitted on every (pair, round) outcome.

    See :func:`fit_bradley_terry` for the fit and its ``alpha``.

    Each pair of models plays K "games", one per round; an equal round score is half a win each.
    """
    fit = fit_bradley_terry(pairwise_wins(round_scores(scenario)), alpha)
    return _series(fit.strengths, scenario, "bt")


@dataclass(frozen=True)
class EloFit:
    """Elo ratings averaged over random match orders.

    Attributes
    ----------
    ratings
        Mean final rating per model over the orders, shape (M,).
    spread
        Standard deviation of the final rating over the orders, shape (M,): how much one order
        alone would have moved the result.
    orders, k_factor, scale, initial, seed
        Settings used (``orders``: the orders played).
    requested_orders
        The orders asked for; more than ``orders`` when the match budget capped them.
    finals
        Final rating of every model after every order, (orders, M), or ``None``.
    """

    ratings: np.ndarray
    spread: np.ndarray
    orders: int
    k_factor: float
    scale: float
    initial: float
    seed: int
    finals: np.ndarray | None = field(default=None, repr=False, compare=False)
    requested_orders: int = 0

    @property
    def std_error(self) -> np.ndarray:
        """Standard error of the mean rating over the orders, ``sd (ddof 1) / sqrt(orders)``:
        how much the mean would move with another seed (NaN with one order)."""
        if self.orders < 2:
            return np.full(self.ratings.shape, np.nan)
        return self.spread * np.sqrt(self.orders / (self.orders - 1)) / np.sqrt(self.orders)

    def separable(self, z: float = 1.959964) -> np.ndarray:
        """Per model: is its mean rating significantly different from both neighbours'?

        Neighbours are the models just above and below in the order of the mean rating (ties
        by index). For each neighbour the paired difference over the orders is tested:
        ``|mean d| > z sd(d) / sqrt(orders)`` (ddof 1; the same orders rate every model). A model
        that fails against either neighbour could swap ranks with it under another seed, and
        is flagged False. Needs :attr:`finals`.
        """
        if self.finals is None or self.orders < 2:
            return np.zeros(self.ratings.shape, dtype=bool)
        order = np.lexsort((np.arange(self.ratings.size), -self.ratings))
        diff = self.finals[:, order[:-1]] - self.finals[:, order[1:]]
        se = diff.std(axis=0, ddof=1) / np.sqrt(self.orders)
        apart = np.abs(diff.mean(axis=0)) > z * se
        ok = np.ones(self.ratings.size, dtype=bool)
        ok[:-1] &= apart
        ok[1:] &= apart
        result = np.empty_like(ok)
        result[order] = ok
        return result


def elo_orders_for(requested: int, n_matches: int,
                   budget: int | None = ELO_MATCH_BUDGET) -> int:
    """The orders Elo plays: ``requested``, or fewer when ``requested * n_matches > budget``.

    A capped run plays ``max(ELO_MIN_ORDERS, budget // n_matches)`` orders (never more than
    requested). Each order is a fresh permutation of all ``K M (M - 1) / 2`` matches, which costs
    about a second per 20 million matches on one core, so 200 orders of a 2,000-model field
    would take minutes; each model then plays ``K (M - 1)`` games per order, and the spread of
    its rating over orders is reported. ``budget=None`` disables the cap.
    """
    if budget is None or requested * n_matches <= budget:
        return requested
    return min(requested, max(ELO_MIN_ORDERS, budget // max(n_matches, 1)))


def fit_elo(scores_by_round: np.ndarray, *, orders: int = ELO_ORDERS, k_factor: float = ELO_K,
            seed: int = 0, scale: float = ELO_SCALE, initial: float = ELO_INITIAL,
            match_budget: int | None = ELO_MATCH_BUDGET) -> EloFit:
    """Play every (pair, round) match in ``orders`` random orders with Elo updates; average.

    Notes
    -----
    The matches are the ``K M (M - 1) / 2`` pairwise round outcomes (win 1, tie 0.5, loss 0).
    Each order is a uniform permutation drawn from ``numpy.random.default_rng([ELO_STREAM,
    seed])``; every model starts at ``initial``, and after a match ``r_i += k_factor (s_i -
    e_i)`` with ``e_i = 1 / (1 + 10 ** ((r_j - r_i) / scale))`` (Elo 1978; K = 16 as for
    established players in USCF rules). Elo depends on the order of play, which rounds do not
    define, hence the average of the final ratings over orders. Each model plays ``K (M - 1)``
    games, so the mean rating is close to a Bradley-Terry fit on the same outcomes. On a large
    field the number of orders is capped by ``match_budget`` (:func:`elo_orders_for`); the orders
    played and requested are both recorded. The passes run in a numba kernel that draws the same
    permutations as ``numpy`` (:func:`_elo_orders`).
    """
    if orders < 1:
        raise ValueError(f"fit_elo: orders must be a positive integer, got {orders!r}")
    values = np.ascontiguousarray(scores_by_round, dtype=np.float64)
    k, m = values.shape
    played = elo_orders_for(int(orders), k * m * (m - 1) // 2, match_budget)
    rng = np.random.default_rng([ELO_STREAM, seed])
    finals = _elo_chunked(rng, values, played, float(k_factor), float(scale), float(initial))
    return EloFit(ratings=finals.mean(axis=0), spread=finals.std(axis=0), orders=played,
                  k_factor=float(k_factor), scale=float(scale), initial=float(initial),
                  seed=int(seed), requested_orders=int(orders), finals=finals)


#: Matches one call of the Elo kernels plays at most (about 0.1 s on one core): between calls
#: Python runs, so SIGINT and SIGTERM stop Elo at once (:mod:`swisssim.interrupts`). Orders of
#: fewer matches are grouped into one call; a longer order is played in slices.
ELO_CHUNK_MATCHES = 2_000_000


def _elo_chunked(rng, values, orders, k_factor, scale, initial):
    """:func:`_elo_orders` in calls of at most about ``ELO_CHUNK_MATCHES`` matches.

    The generator ``rng`` is shared by the calls and draws in the same sequence, and every
    update is applied in the same order, so the result is bit for bit that of one call.
    """
    from swisssim.analysis import baseline_kernels as kernels  # numba: only when fitting

    k, m = values.shape
    n = k * m * (m - 1) // 2
    packed = kernels.elo_packed(values)
    shuffled = np.empty(n, np.int64)
    finals = np.empty((orders, m))
    ratings = np.empty(m)
    if n <= ELO_CHUNK_MATCHES:
        step = max(1, ELO_CHUNK_MATCHES // max(n, 1))
        for first in range(0, orders, step):
            kernels.elo_play_orders(rng, packed, shuffled, ratings, finals, first,
                             min(orders, first + step), k_factor, scale, initial)
            interrupts.checkpoint()
        return finals
    for order in range(orders):
        kernels.elo_shuffle(rng, packed, shuffled)
        ratings[:] = initial
        for start in range(0, n, ELO_CHUNK_MATCHES):
            interrupts.checkpoint()
            kernels.elo_play(shuffled, ratings, start, min(n, start + ELO_CHUNK_MATCHES), k_factor,
                      scale)
        finals[order] = ratings
    interrupts.checkpoint()
    return finals


def _elo_orders(rng, values, orders, k_factor, scale, initial):
    """Final ratings of ``orders`` Elo passes over the round scores ``values`` (K, M).

    The matches are numbered round by round, pairs ``i < j`` in row-major order within a round
    (``numpy.triu_indices``); order ``o`` plays them in the order ``rng.permutation(n)``, and
    numba's generator draws exactly as numpy's does. Each match is packed into one int64 (first
    model, second model, outcome in half points: 2 win, 1 tie, 0 loss) and the packed array
    itself is shuffled: Fisher-Yates applied to the records gives ``records[permutation]`` from
    the same draws, so the pass reads them sequentially. Two buffers of n int64 serve every
    order (no allocation per order). One call of the kernels; :func:`fit_elo` uses
    :func:`_elo_chunked`, which gives the same bits in short calls.
    """
    from swisssim.analysis import baseline_kernels as kernels  # numba: only when fitting

    k, m = values.shape
    n = k * m * (m - 1) // 2
    finals = np.empty((orders, m))
    kernels.elo_play_orders(rng, kernels.elo_packed(values), np.empty(n, np.int64), np.empty(m),
                            finals, 0, orders, k_factor, scale, initial)
    return finals


def elo(scenario: Scenario, *, orders: int = ELO_ORDERS, k_factor: float = ELO_K,
        seed: int = 0) -> pd.Series:
    """Mean Elo rating over random match orders; see :func:`fit_elo`."""
    fit = fit_elo(round_scores(scenario), orders=orders, k_factor=k_factor, seed=seed)
    return _series(fit.ratings, scenario, "elo")


def _series(values, scenario: Scenario, name: str) -> pd.Series:
    index = pd.Index(scenario.model_names, name="model")
    return pd.Series(np.asarray(values, dtype=np.float64), index=index, name=name)


__all__ = ["BT_ALPHA", "ELO_K", "ELO_MATCH_BUDGET", "ELO_ORDERS", "MAX_ELO_ORDERS", "check_options",
           "elo_orders_for", "BradleyTerryFit", "EloFit", "benchmark_scores",
           "borda_count", "bradley_terry", "copeland", "elo", "fit_bradley_terry", "fit_elo",
           "mean_score", "mean_win_rate", "normalized_mean", "pairwise_wins"]
