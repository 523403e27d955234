"""Pairwise tests, Holm's procedure, Rank (UB), non-chaining tiers and endpoint errors, each
checked against a naive twin or a constructed field (docs/method.md section 7.5)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from swisssim.analysis.bootstrap import rank_tiers
from swisssim.analysis.significance import (
    endpoint_mc_error,
    holm,
    pair_tests,
    pair_window,
)


def naive_holm(p: list[float], alpha: float) -> list[bool]:
    """Textbook Holm: reject in increasing order while p_(i) <= alpha / (m - i)."""
    m = len(p)
    reject = [False] * m
    for i, j in enumerate(sorted(range(m), key=lambda k: (p[k], k))):
        if p[j] > alpha / (m - i):
            break
        reject[j] = True
    return reject


def naive_pairs(point, reps, mc):
    """Every pair by brute force: better index first, difference, se, p, share above."""
    rows = {}
    for a in range(len(point)):
        for b in range(len(point)):
            if point[a] > point[b] or (point[a] == point[b] and a < b):
                diff = reps[:, a] - reps[:, b]
                se = np.sqrt(np.var(diff, ddof=1) + mc[a] ** 2 + mc[b] ** 2)
                d = point[a] - point[b]
                p = 1.0 if d == 0 else 2 * NormalDist().cdf(-abs(d) / se)
                above = np.mean(diff > 0) + 0.5 * np.mean(diff == 0)
                rows[(a, b)] = (d, se, p, above)
    return rows


def test_holm_matches_the_textbook_procedure():
    rng = np.random.default_rng(11)
    for _ in range(50):
        p = np.concatenate([rng.uniform(0, 0.02, 6), rng.uniform(0, 1, 6)])
        adjusted = holm(p)
        assert (adjusted <= 0.05).tolist() == naive_holm(p.tolist(), 0.05)
        assert np.all(adjusted >= p) and np.all(adjusted <= 1)
        # A larger family is at least as strict.
        assert np.all(holm(p, family=40) >= adjusted)
    with pytest.raises(ValueError, match="family"):
        holm([0.1, 0.2], family=1)


def test_pair_tests_match_a_brute_force_twin():
    rng = np.random.default_rng(3)
    point = np.array([3.0, 2.5, 2.5, 1.0, 0.2, 0.1])
    reps = point + rng.normal(0, 0.4, size=(300, 6))
    mc = np.full(6, 0.05)
    tests = pair_tests(point, reps, mc)
    naive = naive_pairs(point, reps, mc)
    assert len(tests.better) == len(naive) == 15
    for i in range(len(tests.better)):
        d, se, p, above = naive[(int(tests.better[i]), int(tests.worse[i]))]
        assert tests.difference[i] == pytest.approx(d)
        assert tests.std_error[i] == pytest.approx(se)
        assert tests.p_value[i] == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert tests.p_above[i] == pytest.approx(above)
    keys = [(int(a), int(b)) for a, b in zip(tests.better, tests.worse)]
    expected = naive_holm([naive[k][2] for k in keys], 0.05)
    assert tests.significant.tolist() == expected
    # Rank (UB): 1 + the number of models significantly better.
    for m in range(6):
        better = sum(1 for k, s in zip(keys, expected) if s and k[1] == m and naive[k][0] > 0)
        assert tests.rank_ub()[m] == 1 + better


def test_constructed_field_overlap_chains_but_tiers_split():
    """Twelve models one point apart with replicate noise sd 0.6: neighbours' rank intervals
    overlap, so overlap chains everything into one tier; the pairwise tiers split the field, and
    no tier holds a significant pair."""
    rng = np.random.default_rng(2024)
    point = np.arange(12, 0, -1, dtype=float)
    reps = point + rng.normal(0, 0.6, size=(2000, 12))
    ranks = 1 + (reps[:, None, :] > reps[:, :, None]).sum(axis=2)
    low = np.floor(np.percentile(ranks, 2.5, axis=0))
    high = np.ceil(np.percentile(ranks, 97.5, axis=0))
    assert rank_tiers(low, high).max() == 1            # the old rule: one chained tier
    tests = pair_tests(point, reps)
    tiers = tests.tiers()
    assert tiers.max() >= 3
    assert np.all(np.diff(tiers) >= 0) and tiers[0] == 1   # runs of consecutive positions
    significant = {(int(a), int(b)) for a, b, s in zip(tests.better, tests.worse,
                                                      tests.significant) if s}
    assert significant, "the constructed field must contain significant pairs"
    for t in np.unique(tiers):
        members = np.flatnonzero(tiers == t)
        assert not any((a, b) in significant for a in members for b in members)
        if t > 1:   # the leader of a new tier differs significantly from the tier above
            above = np.flatnonzero(tiers == t - 1)
            assert any((a, members[0]) in significant for a in above)


def test_equal_points_and_zero_noise():
    point = np.array([2.0, 2.0, 1.0])
    reps = np.tile(point, (50, 1))
    tests = pair_tests(point, reps)
    by_pair = {(int(a), int(b)): (p, s) for a, b, p, s in
               zip(tests.better, tests.worse, tests.p_value, tests.significant)}
    assert by_pair[(0, 1)] == (1.0, False)           # equal: never significant
    assert by_pair[(0, 2)][1] and by_pair[(1, 2)][1]  # no uncertainty at all: separated
    assert tests.tiers().tolist() == [1, 1, 2]
    assert tests.rank_ub().tolist() == [1, 1, 3]


def test_window_is_at_least_as_strict_and_counts_untested_pairs_above():
    rng = np.random.default_rng(5)
    point = np.linspace(10, 0, 30)
    reps = point + rng.normal(0, 1.5, size=(400, 30))
    full, narrow = pair_tests(point, reps), pair_tests(point, reps, window=4)
    assert pair_window(30) == 29 and pair_window(1000) == 20 and narrow.window == 4
    assert len(narrow.better) == sum(30 - g for g in range(1, 5))
    full_sig = {(a, b) for a, b, s in zip(full.better, full.worse, full.significant) if s}
    narrow_sig = {(a, b) for a, b, s in zip(narrow.better, narrow.worse, narrow.significant) if s}
    assert narrow_sig <= full_sig
    # Untested pairs count as separated: position 29 has 25 untested models above it.
    assert narrow.rank_ub()[29] >= 26
    assert np.all(np.bincount(narrow.tiers()) <= 5)


def test_endpoint_error_against_order_statistics():
    ranks = np.tile(np.arange(1, 4), (100, 1))
    low, high = endpoint_mc_error(ranks, 0.95)
    assert np.all(low == 0) and np.all(high == 0)   # constant ranks: endpoints cannot move
    rng = np.random.default_rng(0)
    ranks = rng.integers(1, 50, size=(1000, 1))
    low, high = endpoint_mc_error(ranks, 0.95)
    ordered = np.sort(ranks[:, 0])
    half = 1.959964 * np.sqrt(1000 * 0.025 * 0.975)
    assert low[0] == (ordered[int(np.ceil(25 + half))] - ordered[int(np.floor(25 - half))]) / 2
    assert high[0] == (ordered[int(np.ceil(975 + half))] - ordered[int(np.floor(975 - half))]) / 2
