"""Pairwise tests of two models' exchangeability, Holm over pairs, Rank (UB) and tiers.

Liu et al. (arXiv:2512.21010) rank models by Expected Win Score without data uncertainty. This
module turns the benchmark scores into statements about *pairs* of models that keep their
family-wise level on data drawn from a known truth (``swisssim.calibration``,
``docs/method.md`` section 7.5 and its calibration table).

Conventions (``docs/method.md`` section 7.5)
--------------------------------------------
* Positions: models are sorted by their point estimate ``E[S_m]``, best first (ties by model
  index); position ``p`` holds model ``order[p]``.
* Tested pairs: every pair when the field has at most :data:`FULL_TABLE_MODELS` models; in larger
  fields only pairs at most ``window`` positions apart (:data:`PAIR_WINDOW`, 20). Pairs further
  apart are *not tested* and are taken as separated by Rank (UB) and the tiers.
* Null hypothesis of a pair (a, b): the two models are **exchangeable on every benchmark**:
  swapping their two scores on any set of benchmarks leaves the distribution of the data
  unchanged (equal abilities, noise independent across benchmarks). Nothing is assumed about the
  other models.
* Statistic: the benchmark win rate ``u[m, j]`` is the share of the other ``M - 1`` models that
  ``m`` beats on benchmark ``j`` (direction-corrected scores, ties one half, a missing score
  lowest). ``D = sum_j c_j (u[a, j] - u[b, j])`` with ``c_j = sum over the rounds holding j of
  1 / (K n_k)``: the difference of the two models' mean round win rates, every round weighted
  equally as in the tournament. Swapping a and b on benchmark ``j`` swaps ``u[a, j]`` and
  ``u[b, j]`` exactly, so under the null ``D`` is distributed as ``sum_j e_j c_j |d_j|`` with
  independent random signs ``e_j`` (a sign-flip, i.e. swap, distribution).
* p-value (two-sided) ``P(|sum_j e_j t_j| >= |D|)``, ``t_j = c_j d_j``: enumerated exactly over
  all ``2**n`` sign patterns when at most :data:`EXACT_TERMS` terms are non-zero; otherwise the
  valid upper bound ``min(1, 2 min(C P(Z >= z), exp(-z**2 / 2)))``, ``z = |D| / sqrt(sum t_j**2)``,
  with ``C = 1 / (4 P(Z >= sqrt 2)) = 3.1787`` (Bentkus and Dzindzalieta 2015, the best constant
  for weighted Rademacher sums) and Hoeffding's bound. With ``n`` benchmarks in all, no p-value
  is below ``2**(1 - n)``: five one-benchmark rounds can never show a significant pair.
* Multiplicity: Holm's step-down procedure at family-wise level ``alpha`` (0.05) over the family
  of *all* ``M (M - 1) / 2`` pairs, even when fewer are tested (at least as strict as Holm on the
  full family). ``p_holm`` is the Holm-adjusted p-value. The p-values do not depend on the
  elimination schedule; only the positions do.
* Significant ("a significantly better than b"): ``p_holm <= alpha`` **and** ``D > 0`` for the
  model a placed above b by the point estimates. Holm controls the chance of any rejection among
  exchangeable pairs, so the family-wise error of these claims is at most ``alpha``.
* ``p_a_above_b``: share of bootstrap replicates in which ``x_a > x_b``, ties counting one half
  (descriptive; NaN without replicates).
* Rank (UB), as LMArena reports it: ``1 + #{models significantly better}``.
* Tiers: a boundary after position ``p`` is drawn exactly when *every* model at positions
  ``0..p`` is significantly better than *every* model below; tiers are the runs between
  boundaries. Each boundary is decided on its own, so the partition does not depend on the
  direction of any walk, and a boundary means complete separation. Members of one tier may still
  form significant pairs (the tier says the group as a whole is not separated from its
  neighbours). A model's Rank (UB) is at least the first position of its tier (1-based).

References: S. Holm, "A simple sequentially rejective multiple test procedure", Scand. J.
Statist. 6 (1979) 65-70; V. Bentkus and D. Dzindzalieta, "A tight Gaussian bound for weighted
sums of Rademacher random variables", Bernoulli 21 (2015) 1231-1237; W.-L. Chiang et al.,
"Chatbot Arena", ICML 2024 (Rank (UB)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

#: Fields up to this many models get every pair tested and listed in ``pairwise.csv``.
FULL_TABLE_MODELS = 300
#: In larger fields, only pairs at most this many positions apart are tested and listed.
PAIR_WINDOW = 20
#: Family-wise error rate of the pairwise tests.
ALPHA = 0.05
#: Up to this many non-zero terms, the swap distribution is enumerated exactly (meet in the
#: middle: two halves of at most 2**15 sums each).
EXACT_TERMS = 30
#: Above :data:`EXACT_TERMS`, the lattice bound rounds the terms to multiples of
#: ``sum_j |t_j| / LATTICE_CELLS``.
LATTICE_CELLS = 1 << 14
#: Above :data:`EXACT_TERMS`, the lattice is evaluated only where ``z = |D| / sqrt(sum t_j**2)``
#: exceeds this; elsewhere the p-value is the Bentkus-Dzindzalieta / Hoeffding bound.
LATTICE_Z = 1.0
#: Bentkus and Dzindzalieta (2015): ``P(sum a_j e_j >= x) <= C P(Z >= x)`` for ``|a| = 1``.
GAUSSIAN_BOUND = 1.0 / (4.0 * (1.0 - NormalDist().cdf(2.0 ** 0.5)))

TEST_RULE = ("two-sided swap (sign-flip) test of the two models' exchangeability on every "
             "benchmark; statistic = difference of mean round win rates (share of the other "
             "models beaten per benchmark, rounds weighted equally); exact over all sign "
             f"patterns up to {EXACT_TERMS} non-zero benchmarks, else the Bentkus-Dzindzalieta "
             "/ Hoeffding upper bound")
TIER_RULE = ("tiers = runs of consecutive positions (by point estimate) between boundaries; a "
             "boundary is drawn after a position exactly when every model above it is "
             "significantly better than every model below it (swap test, Holm over all pairs, "
             "family-wise level 0.05)")


def pair_window(n_models: int, window: int | None = None) -> int:
    """Largest position gap tested: all pairs up to :data:`FULL_TABLE_MODELS` models."""
    if window is not None:
        return max(0, min(int(window), n_models - 1))
    return n_models - 1 if n_models <= FULL_TABLE_MODELS else min(PAIR_WINDOW, n_models - 1)


def benchmark_win_rates(scores: np.ndarray) -> np.ndarray:
    """Share of the other models each model beats on each benchmark, (M, J).

    ``scores`` is (M, J), higher is better; ties count one half and a missing score (NaN) is
    below every present one (missing scores tie with each other). A field of one model gives
    zeros.
    """
    x = np.asarray(scores, dtype=np.float64)
    n = x.shape[0]
    if n < 2:
        return np.zeros_like(x)
    x = np.where(np.isnan(x), -np.inf, x)
    ordered = np.sort(x, axis=0)
    rates = np.empty_like(x)
    for j in range(x.shape[1]):
        below = np.searchsorted(ordered[:, j], x[:, j], side="left")
        through = np.searchsorted(ordered[:, j], x[:, j], side="right")
        rates[:, j] = (below + 0.5 * (through - below - 1)) / (n - 1)
    return rates


def round_weights(columns: Sequence[np.ndarray], n_benchmarks: int) -> np.ndarray:
    """Weight of each benchmark in the statistic: ``sum over its rounds of 1 / (K n_k)``."""
    weights = np.zeros(n_benchmarks)
    for cols in columns:
        np.add.at(weights, np.asarray(cols, dtype=np.int64), 1.0 / (len(columns) * len(cols)))
    return weights


def swap_p_values(terms: np.ndarray, *, exact_terms: int | None = None,
                  lattice: bool = True) -> np.ndarray:
    """Two-sided swap p-values ``P(|sum_j e_j t_j| >= |sum_j t_j|)`` per row of ``terms`` (P, J).

    ``e_j`` are independent random signs. Exact (meet in the middle over all sign patterns) for
    rows with at most ``exact_terms`` (default :data:`EXACT_TERMS`) non-zero terms; above, the
    lattice upper bound of the module conventions, or the Bentkus-Dzindzalieta / Hoeffding
    bound where that is smaller (``lattice=False``: that bound alone, the rule before the
    lattice, kept for the calibration's comparison). A row of zeros gives 1.
    """
    limit = EXACT_TERMS if exact_terms is None else int(exact_terms)
    terms = np.asarray(terms, dtype=np.float64)
    if terms.ndim != 2:
        raise ValueError(f"swap_p_values: terms must be (P, J), found {terms.shape}")
    observed = np.abs(terms.sum(axis=1))
    size = np.abs(terms)
    nonzero = (size > 0).sum(axis=1)
    p = np.ones(terms.shape[0])
    rows = np.flatnonzero(nonzero > 0)
    if rows.size == 0:
        return p
    from swisssim.analysis.swap_kernels import swap_tails

    top = -np.sort(-size[rows], axis=1)                 # the non-zero terms come first
    tolerance = 1e-12 * np.maximum(top.sum(axis=1), np.finfo(float).tiny)
    z = observed[rows] / np.sqrt((top ** 2).sum(axis=1))
    # Rows past enumeration with z <= LATTICE_Z keep the bound (p far above any Holm threshold).
    work = (nonzero[rows] <= limit) | ((z > LATTICE_Z) & lattice)
    if work.any():
        p[rows[work]] = swap_tails(np.ascontiguousarray(top[work]),
                                   nonzero[rows[work]].astype(np.int64),
                                   observed[rows[work]] - tolerance[work], limit,
                                   LATTICE_CELLS)
    past = nonzero[rows] > limit
    if past.any():
        from scipy.special import ndtr

        tail = np.minimum(GAUSSIAN_BOUND * ndtr(-z[past]), np.exp(-0.5 * z[past] ** 2))
        p[rows[past]] = np.minimum(p[rows[past]], np.minimum(1.0, 2.0 * tail))
    return p


class SwapPValues:
    """Swap p-values of model pairs on one data set, each unordered pair computed once.

    The p-value of a pair depends on the data only (not on the schedule or on which model is
    placed first), so every schedule's :func:`pair_tests` can share one of these.

    Parameters
    ----------
    win_rates, weights
        As in :func:`pair_tests`.
    """

    def __init__(self, win_rates: np.ndarray, weights: np.ndarray) -> None:
        self.weighted = np.asarray(win_rates, dtype=float) * np.asarray(weights, dtype=float)
        self.known: dict[int, float] = {}

    def __call__(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """p-values of the pairs ``(first[i], second[i])`` (model indices)."""
        n = self.weighted.shape[0]
        low, high = np.minimum(first, second), np.maximum(first, second)
        keys = (low * n + high).tolist()
        missing = sorted({k for k in keys if k not in self.known})
        if missing:
            pairs = np.asarray(missing, dtype=np.int64)
            a, b = pairs // n, pairs % n
            values = swap_p_values(self.weighted[a] - self.weighted[b])
            self.known.update(zip(missing, values.tolist()))
        return np.array([self.known[k] for k in keys], dtype=float)


@dataclass(frozen=True)
class PairTests:
    """Tested pairs of one schedule, stored by position gap (see the module conventions).

    Arrays of the pairs are flat, one entry per tested pair ``(better, worse)`` in model indices
    (``better`` has the higher point estimate, or the lower index among equals).
    """

    order: np.ndarray          # (M,) model index at each position, best first
    window: int                # largest position gap tested
    better: np.ndarray         # (P,) model indices
    worse: np.ndarray          # (P,)
    gap: np.ndarray            # (P,) position gap, 1..window
    difference: np.ndarray     # (P,) point difference better - worse (>= 0)
    statistic: np.ndarray      # (P,) D: mean round win rate of better minus worse's
    p_value: np.ndarray        # (P,) two-sided swap p-value, unadjusted
    p_holm: np.ndarray         # (P,) Holm-adjusted over all M (M - 1) / 2 pairs
    p_above: np.ndarray        # (P,) share of replicates with better above worse (ties 1/2)
    alpha: float

    @property
    def significant(self) -> np.ndarray:
        """``better`` significantly better than ``worse``: Holm rejects and ``D > 0``."""
        return (self.p_holm <= self.alpha) & (self.statistic > 0)

    @property
    def n_models(self) -> int:
        return int(self.order.size)

    def positions(self) -> np.ndarray:
        """Position of every model (model order), 0 = best."""
        position = np.empty(self.n_models, dtype=np.int64)
        position[self.order] = np.arange(self.n_models)
        return position

    def rank_ub(self) -> np.ndarray:
        """Rank (UB) per model (model order): 1 + models significantly better (module notes)."""
        n = self.n_models
        up = self.significant & (self.difference > 0)
        count = np.bincount(self.worse[up], minlength=n)
        untested = np.maximum(self.positions() - self.window, 0)   # beyond the window above
        return 1 + count + untested

    def boundaries(self) -> np.ndarray:
        """(M - 1,) bool: a tier boundary after position ``p`` (every model above it is
        significantly better than every model below; untested pairs count as separated)."""
        n = self.n_models
        position = self.positions()
        blocking = ~self.significant
        reach = np.arange(n)              # furthest position not separated from p (p itself)
        np.maximum.at(reach, position[self.better[blocking]], position[self.worse[blocking]])
        cover = np.maximum.accumulate(reach)
        return cover[:-1] == np.arange(n - 1)

    def tiers(self) -> np.ndarray:
        """Tier per model (model order), 1 = best; see the module conventions."""
        tier_at = np.concatenate([[1], 1 + np.cumsum(self.boundaries())]).astype(np.int64)
        return tier_at[self.positions()]


def point_order(point: np.ndarray) -> np.ndarray:
    """Model indices sorted by point estimate, best first, ties by index."""
    point = np.asarray(point, dtype=float)
    return np.lexsort((np.arange(point.size), -point))


def pair_tests(point: np.ndarray, win_rates: np.ndarray, weights: np.ndarray,
               replicates: np.ndarray | None = None, *, window: int | None = None,
               alpha: float = ALPHA, swap: SwapPValues | None = None) -> PairTests:
    """Swap-test every pair within ``window`` positions (module conventions), vectorised by gap.

    Parameters
    ----------
    point
        Point estimates (M,), higher is better: they fix the positions.
    win_rates
        Benchmark win rates (M, J), :func:`benchmark_win_rates`.
    weights
        Benchmark weights (J,), :func:`round_weights`.
    replicates
        Optional bootstrap replicates of the point estimates, (B, M), for ``p_above``.
    window
        Largest position gap tested; default :func:`pair_window`.
    alpha
        Family-wise error rate.
    swap
        A :class:`SwapPValues` of the same ``win_rates`` and ``weights`` to share p-values
        between calls (one per schedule); made here when not given.
    """
    point = np.asarray(point, dtype=float)
    rates = np.asarray(win_rates, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = point.size
    if rates.ndim != 2 or rates.shape[0] != n or weights.shape != (rates.shape[1],):
        raise ValueError(f"pair_tests: win_rates must be ({n}, J) and weights (J,), found "
                         f"{rates.shape} and {weights.shape}")
    if replicates is not None:
        replicates = np.asarray(replicates, dtype=float)
        if replicates.ndim != 2 or replicates.shape[1] != n:
            raise ValueError(f"pair_tests: replicates must be (B, {n}), found "
                             f"{replicates.shape}")
    if swap is None:
        swap = SwapPValues(rates, weights)
    order = point_order(point)
    width = pair_window(n, window)
    weighted = rates[order] * weights            # (M, J) by position
    pieces: dict[str, list[np.ndarray]] = {k: [] for k in ("i", "g", "d", "t", "p", "above")}
    for g in range(1, width + 1):
        terms = weighted[:-g] - weighted[g:]
        pieces["i"].append(np.arange(n - g))
        pieces["g"].append(np.full(n - g, g))
        pieces["d"].append(point[order[:-g]] - point[order[g:]])
        pieces["t"].append(terms.sum(axis=1))
        pieces["p"].append(swap(order[:-g], order[g:]))
        if replicates is None:
            pieces["above"].append(np.full(n - g, np.nan))
        else:
            diff = replicates[:, order[:-g]] - replicates[:, order[g:]]
            pieces["above"].append((diff > 0).mean(axis=0) + 0.5 * (diff == 0).mean(axis=0))
    joined = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in pieces.items()}
    first = joined["i"].astype(np.int64)
    gap = joined["g"].astype(np.int64)
    family = n * (n - 1) // 2
    return PairTests(order=order, window=width, better=order[first], worse=order[first + gap],
                     gap=gap, difference=joined["d"], statistic=joined["t"],
                     p_value=joined["p"], p_holm=holm(joined["p"], family),
                     p_above=joined["above"], alpha=float(alpha))


def wald_p_values(difference: np.ndarray, std_error: np.ndarray) -> np.ndarray:
    """Two-sided normal p-values of ``difference / std_error`` (1 for a zero difference, 0 for a
    non-zero difference without standard error)."""
    from scipy.special import ndtr

    difference, std_error = np.abs(difference), np.asarray(std_error, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std_error > 0, difference / std_error, np.inf)
    p = 2.0 * ndtr(-z)
    return np.where(difference == 0, 1.0, p)


def holm(p_values: np.ndarray, family: int | None = None) -> np.ndarray:
    """Holm-adjusted p-values, treating the given ones as the smallest of ``family`` tests.

    ``adjusted_(i) = max_{j <= i} min(1, (family - j) p_(j))`` for the sorted p-values
    (``j`` from 0). With ``family`` equal to the number of p-values this is Holm's procedure;
    with a larger family it is at least as strict (module conventions).
    """
    p = np.asarray(p_values, dtype=float)
    family = p.size if family is None else int(family)
    if family < p.size:
        raise ValueError(f"holm: family {family} is smaller than the {p.size} p-values")
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (family - np.arange(p.size)) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(scaled) if p.size else scaled
    return adjusted


def endpoint_mc_error(ranks: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo error of the percentile endpoints of rank intervals, in rank places.

    For the ``q`` percentile of ``B`` replicates, the order statistics
    ``B q -+ 1.96 sqrt(B q (1 - q))`` bound a distribution-free 95% interval for the true
    quantile; the half width of that interval (in ranks, ranks sorted per model) measures how far
    the endpoint could move with another set of replicates. Returns ``(low_error, high_error)``,
    each shaped like ``ranks[0]``.
    """
    ranks = np.sort(np.asarray(ranks, dtype=float), axis=0)
    count = ranks.shape[0]
    z = NormalDist().inv_cdf(0.975)
    errors = []
    for q in ((1.0 - level) / 2.0, (1.0 + level) / 2.0):
        half = z * np.sqrt(count * q * (1.0 - q))
        lo = int(np.clip(np.floor(count * q - half), 0, count - 1))
        hi = int(np.clip(np.ceil(count * q + half), 0, count - 1))
        errors.append((ranks[hi] - ranks[lo]) / 2.0)
    return errors[0], errors[1]


def tests_manifest(window: int, n_models: int, alpha: float = ALPHA) -> dict[str, Any]:
    """The pairwise rule as data, for the manifest."""
    return {
        "test": TEST_RULE,
        "null": "the two models are exchangeable on every benchmark",
        "multiplicity": f"Holm step-down over all {n_models * (n_models - 1) // 2} pairs per "
                        f"schedule, family-wise level {alpha}; significant = Holm rejects and "
                        "the model placed higher by E[S] has the higher win rate",
        "tested_pairs": ("all pairs" if window >= n_models - 1
                         else f"pairs at most {window} positions apart; others taken as separated"),
        "rank_ub": "1 + number of models significantly better",
        "tier_rule": TIER_RULE,
    }


__all__ = [
    "ALPHA",
    "EXACT_TERMS",
    "LATTICE_CELLS",
    "LATTICE_Z",
    "FULL_TABLE_MODELS",
    "GAUSSIAN_BOUND",
    "PAIR_WINDOW",
    "TEST_RULE",
    "TIER_RULE",
    "PairTests",
    "SwapPValues",
    "benchmark_win_rates",
    "endpoint_mc_error",
    "holm",
    "pair_tests",
    "pair_window",
    "point_order",
    "round_weights",
    "swap_p_values",
    "tests_manifest",
    "wald_p_values",
]
