"""Pairwise significance from bootstrap replicates: Holm-adjusted tests, Rank (UB), tiers.

Liu et al. (arXiv:2512.21010) rank models by Expected Win Score without data uncertainty; the
bootstrap (:mod:`swisssim.analysis.bootstrap`, ``docs/method.md`` section 7.4) supplies replicates
of every model's score. This module turns them into statements about *pairs* of models, which,
unlike overlapping rank intervals, do not chain.

Conventions (``docs/method.md`` section 7.5)
--------------------------------------------
* Positions: models are sorted by their point estimate, best first (ties by model index);
  position ``p`` holds model ``order[p]``.
* Tested pairs: every pair when the field has at most :data:`FULL_TABLE_MODELS` models; in larger
  fields only pairs at most ``window`` positions apart (:data:`PAIR_WINDOW`, 20). Pairs further
  apart are *not tested* and are taken as separated (significant) by Rank (UB) and the tiers.
* Test of a pair (a above b): difference ``d = x_a - x_b`` of the point estimates, standard error
  ``se = sqrt(var_B(x_a - x_b) + mc_a^2 + mc_b^2)``: the sample variance (ddof 1) of the paired
  replicate differences plus the Monte Carlo variances of both point estimates. Two-sided normal
  (Wald) p-value ``p = 2 Phi(-|d| / se)``; ``p = 1`` when ``d = 0`` and ``p = 0`` when ``se = 0`` and
  ``d != 0`` (data without any uncertainty information).
* Multiplicity: Holm's step-down procedure at family-wise level ``alpha`` (0.05) over the family
  of *all* ``M (M - 1) / 2`` pairs of a schedule, even when fewer are tested. The tested p-values
  are compared, in increasing order ``i = 0, 1, ...``, with ``alpha / (m - i)``; pairs not tested
  can only sit earlier in the true Holm order, so this is at least as strict as Holm on the full
  family. ``p_holm`` is the Holm-adjusted p-value on the same basis; a pair is significant when
  ``p_holm <= alpha``.
* ``p_a_above_b``: share of replicates in which ``x_a > x_b``, ties counting one half.
* Rank (UB), as LMArena reports it: ``1 + #{models significantly better}``, where a model is
  significantly better when its pair is significant and its point estimate is higher.
* Tiers: walk the positions best first; a model joins the current tier when no pair it forms
  with a member of that tier is significant, otherwise it leads a new tier. So every member is
  not significantly worse than the tier's leader, no two members form a significant pair, and
  tiers are runs of consecutive positions (they cannot chain: two models whose difference is
  significant are never in one tier).

References: S. Holm, "A simple sequentially rejective multiple test procedure", Scand. J.
Statist. 6 (1979) 65-70; W.-L. Chiang et al., "Chatbot Arena", ICML 2024 (Rank (UB)).
"""

from __future__ import annotations

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

TIER_RULE = ("tiers = runs of consecutive positions (by point estimate) in which no two members "
             "form a significant pair (Holm over all pairs, family-wise level 0.05); a model "
             "that is significantly different from a member of the current tier starts a new one")


def pair_window(n_models: int, window: int | None = None) -> int:
    """Largest position gap tested: all pairs up to :data:`FULL_TABLE_MODELS` models."""
    if window is not None:
        return max(0, min(int(window), n_models - 1))
    return n_models - 1 if n_models <= FULL_TABLE_MODELS else min(PAIR_WINDOW, n_models - 1)


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
    std_error: np.ndarray      # (P,)
    p_value: np.ndarray        # (P,) two-sided, unadjusted
    p_holm: np.ndarray         # (P,) Holm-adjusted over all M (M - 1) / 2 pairs
    p_above: np.ndarray        # (P,) share of replicates with better above worse (ties 1/2)
    alpha: float

    @property
    def significant(self) -> np.ndarray:
        return self.p_holm <= self.alpha

    @property
    def n_models(self) -> int:
        return int(self.order.size)

    def band(self) -> np.ndarray:
        """Significance by position and gap, (M, window + 1) bool: ``[p, g]`` for positions ``p``
        and ``p + g``; pairs beyond the field are False, gap 0 is False."""
        band = np.zeros((self.n_models, self.window + 1), dtype=bool)
        position = np.empty(self.n_models, dtype=np.int64)
        position[self.order] = np.arange(self.n_models)
        band[position[self.better], self.gap] = self.significant
        return band

    def rank_ub(self) -> np.ndarray:
        """Rank (UB) per model (model order): 1 + models significantly better (module notes)."""
        n = self.n_models
        position = np.empty(n, dtype=np.int64)
        position[self.order] = np.arange(n)
        up = self.significant & (self.difference > 0)
        count = np.bincount(self.worse[up], minlength=n)
        untested = np.maximum(position - self.window, 0)   # models beyond the window above
        return 1 + count + untested

    def tiers(self) -> np.ndarray:
        """Tier per model (model order), 1 = best; see the module conventions."""
        band = self.band()
        n = self.n_models
        tier_at = np.empty(n, dtype=np.int64)
        tier, start = 0, 0
        for p in range(n):
            gaps = p - np.arange(start, p)                 # gaps to the current members
            if p == 0 or np.any(gaps > self.window) or np.any(
                    band[np.arange(start, p), gaps]):
                tier, start = tier + 1, p
            tier_at[p] = tier
        result = np.empty(n, dtype=np.int64)
        result[self.order] = tier_at
        return result


def point_order(point: np.ndarray) -> np.ndarray:
    """Model indices sorted by point estimate, best first, ties by index."""
    point = np.asarray(point, dtype=float)
    return np.lexsort((np.arange(point.size), -point))


def pair_tests(point: np.ndarray, replicates: np.ndarray, mc_error: np.ndarray | None = None, *,
               window: int | None = None, alpha: float = ALPHA) -> PairTests:
    """Test every pair within ``window`` positions (module conventions), vectorised by gap.

    Parameters
    ----------
    point
        Point estimates (M,), higher is better.
    replicates
        Bootstrap replicates of the same quantity, (B, M).
    mc_error
        Monte Carlo standard errors of the point estimates (M,), or ``None`` for none.
    window
        Largest position gap tested; default :func:`pair_window`.
    alpha
        Family-wise error rate.
    """
    point = np.asarray(point, dtype=float)
    replicates = np.asarray(replicates, dtype=float)
    n = point.size
    if replicates.ndim != 2 or replicates.shape[1] != n:
        raise ValueError(f"pair_tests: replicates must be (B, {n}), found {replicates.shape}")
    mc = np.zeros(n) if mc_error is None else np.asarray(mc_error, dtype=float)
    order = point_order(point)
    width = pair_window(n, window)
    sorted_point, sorted_reps, sorted_mc = point[order], replicates[:, order], mc[order]
    pieces: dict[str, list[np.ndarray]] = {k: [] for k in ("i", "g", "d", "se", "above")}
    for g in range(1, width + 1):
        top, low = sorted_reps[:, :-g], sorted_reps[:, g:]
        diff = top - low
        variance = diff.var(axis=0, ddof=1) if diff.shape[0] > 1 else np.zeros(n - g)
        variance = variance + sorted_mc[:-g] ** 2 + sorted_mc[g:] ** 2
        pieces["i"].append(np.arange(n - g))
        pieces["g"].append(np.full(n - g, g))
        pieces["d"].append(sorted_point[:-g] - sorted_point[g:])
        pieces["se"].append(np.sqrt(np.maximum(variance, 0.0)))
        pieces["above"].append((diff > 0).mean(axis=0) + 0.5 * (diff == 0).mean(axis=0))
    joined = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in pieces.items()}
    first = joined["i"].astype(np.int64)
    gap = joined["g"].astype(np.int64)
    p_value = wald_p_values(joined["d"], joined["se"])
    family = n * (n - 1) // 2
    return PairTests(order=order, window=width, better=order[first], worse=order[first + gap],
                     gap=gap, difference=joined["d"], std_error=joined["se"], p_value=p_value,
                     p_holm=holm(p_value, family), p_above=joined["above"], alpha=float(alpha))


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
        "test": "two-sided Wald test of the point difference; se = sqrt(var of paired bootstrap "
                "differences (ddof 1) + both Monte Carlo variances)",
        "multiplicity": f"Holm step-down over all {n_models * (n_models - 1) // 2} pairs per "
                        f"schedule, family-wise level {alpha}",
        "tested_pairs": ("all pairs" if window >= n_models - 1
                         else f"pairs at most {window} positions apart; others taken as separated"),
        "rank_ub": "1 + number of models significantly better",
        "tier_rule": TIER_RULE,
    }


__all__ = [
    "ALPHA",
    "FULL_TABLE_MODELS",
    "PAIR_WINDOW",
    "TIER_RULE",
    "PairTests",
    "endpoint_mc_error",
    "holm",
    "pair_tests",
    "pair_window",
    "point_order",
    "tests_manifest",
    "wald_p_values",
]
