"""Swap tests, Holm's procedure, Rank (UB), tiers by complete separation and endpoint errors,
each checked against a naive twin, an enumeration or a constructed field (docs/method.md
section 7.5). Their realised error rates on data from a known truth: tests/test_calibration.py."""

from __future__ import annotations

import itertools
from statistics import NormalDist

import numpy as np
import pytest

from swisssim.analysis import significance
from swisssim.analysis.significance import (
    EXACT_TERMS,
    GAUSSIAN_BOUND,
    benchmark_win_rates,
    endpoint_mc_error,
    holm,
    pair_tests,
    pair_window,
    round_weights,
    swap_p_values,
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


def enumerated_p(terms: list[float]) -> float:
    """P(|sum e_j t_j| >= |sum t_j|) over all 2**n sign patterns, by brute force."""
    observed = abs(sum(terms))
    hits = [abs(sum(e * t for e, t in zip(signs, terms))) >= observed - 1e-12
            for signs in itertools.product((1, -1), repeat=len(terms))]
    return sum(hits) / len(hits)


def naive_win_rates(x: np.ndarray) -> np.ndarray:
    """Per benchmark: (others strictly below + half the others equal) / (M - 1); NaN lowest."""
    m, j = x.shape
    out = np.zeros((m, j))
    for b in range(j):
        for a in range(m):
            score = 0.0
            for c in range(m):
                if c == a:
                    continue
                xa, xc = x[a, b], x[c, b]
                if np.isnan(xa) and np.isnan(xc) or xa == xc:
                    score += 0.5
                elif np.isnan(xc) or (not np.isnan(xa) and xa > xc):
                    score += 1.0
            out[a, b] = score / (m - 1)
    return out


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


def test_win_rates_and_weights_match_their_definitions():
    x = np.array([[1.0, 2.0, np.nan], [1.0, 3.0, 0.0], [0.5, np.nan, np.nan], [2.0, 2.0, 1.0]])
    assert np.allclose(benchmark_win_rates(x), naive_win_rates(x))
    weights = round_weights([np.array([0, 1]), np.array([2]), np.array([1])], 3)
    # Rounds weigh 1/K each, shared by their benchmarks; benchmark 1 sits in two rounds.
    assert np.allclose(weights, [1 / 6, 1 / 6 + 1 / 3, 1 / 3])
    assert weights.sum() == pytest.approx(1.0)


def test_swap_p_values_are_exact_by_enumeration():
    rng = np.random.default_rng(8)
    rows = [rng.normal(size=n).tolist() + [0.0] * (6 - min(n, 6)) for n in (1, 3, 6)]
    rows += [[0.3, 0.3, 0.3, -0.3, 0.0, 0.0], [0.0] * 6, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]
    rows += [rng.integers(-3, 4, size=6).astype(float).tolist() for _ in range(20)]
    p = swap_p_values(np.array(rows))
    for row, value in zip(rows, p):
        assert value == pytest.approx(enumerated_p(row), abs=1e-12), row
    assert p[4] == 1.0 and p[5] == pytest.approx(2 / 64)   # zeros; six equal terms


def all_signed_sums(terms: np.ndarray) -> np.ndarray:
    """Every one of the 2**n signed sums, by doubling a numpy array (no sorting, no halves)."""
    sums = np.zeros(1)
    for t in terms:
        sums = np.concatenate([sums + t, sums - t])
    return sums


def test_meet_in_the_middle_is_exact_up_to_its_limit():
    """Up to EXACT_TERMS terms the p-value equals the share of all 2**n sign patterns (checked
    with every pattern at 16 to 22 terms, including ties and equal weights)."""
    assert EXACT_TERMS >= 24
    rng = np.random.default_rng(5)
    rows = [np.ones(16), np.r_[np.ones(15), 5.0], rng.integers(-3, 4, size=18).astype(float)]
    rows += [np.sign(rng.normal(size=n)) * rng.exponential(size=n) + 0.4 for n in (17, 20, 22)]
    for row in rows:
        sums = np.abs(all_signed_sums(np.abs(row)))
        exact = float(np.mean(sums >= abs(row.sum()) - 1e-9))
        assert float(swap_p_values(row[None])[0]) == pytest.approx(exact, abs=1e-12)


def test_the_lattice_bound_is_valid_and_tight(monkeypatch):
    """Past enumeration the p-value never falls below the exact one and exceeds it by little
    (forced past enumeration at 16-20 terms and compared with every sign pattern); the
    Bentkus-Dzindzalieta constant is the stated one."""
    assert pytest.approx(1 / (4 * (1 - NormalDist().cdf(2 ** 0.5)))) == GAUSSIAN_BOUND
    assert 3.17 < GAUSSIAN_BOUND < 3.18
    rng = np.random.default_rng(4)
    rows = [np.ones(16), np.r_[np.ones(15), 5.0], rng.exponential(size=18)]
    rows += [np.sign(rng.normal(size=n)) * rng.exponential(size=n) + 0.4 for n in (16, 18, 20)]
    rows += [rng.normal(0.8, 1.0, size=20) for _ in range(4)]
    exact = [float(swap_p_values(row[None])[0]) for row in rows]
    monkeypatch.setattr(significance, "EXACT_TERMS", 8)
    for row, value in zip(rows, exact):
        bound = float(swap_p_values(row[None])[0])
        assert value <= bound <= 1.0
        z = abs(row.sum()) / np.sqrt((row ** 2).sum())
        if z > significance.LATTICE_Z:            # the lattice ran: within a few per cent
            assert bound <= value * 1.05 + 1e-9, (value, bound)


def test_a_single_swap_test_keeps_its_level_under_exchangeability():
    """Exchangeable pairs (iid scores): the share of p <= 0.05 is at most 0.05 (+ 3 binomial
    SEs), both in the enumerated and in the bounded regime; a shifted pair is detected."""
    rng = np.random.default_rng(21)
    for n in (6, 12, 30):
        diffs = rng.normal(size=(4000, n)) - rng.normal(size=(4000, n))
        rejected = float(np.mean(swap_p_values(diffs) <= 0.05))
        assert rejected <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 4000), (n, rejected)
    shifted = rng.normal(1.0, 1.0, size=(400, 30)) - rng.normal(size=(400, 30))
    assert np.mean(swap_p_values(shifted) <= 0.05) > 0.8


def naive_pair_tests(point, rates, weights):
    """Every pair by brute force: better first, D, p (enumerated)."""
    rows = {}
    n = len(point)
    for a in range(n):
        for b in range(n):
            if point[a] > point[b] or (point[a] == point[b] and a < b):
                terms = [w * (rates[a, j] - rates[b, j]) for j, w in enumerate(weights)]
                rows[(a, b)] = (point[a] - point[b], sum(terms), enumerated_p(terms))
    return rows


def test_pair_tests_match_a_brute_force_twin():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(6, 8)) + np.linspace(3, 0, 6)[:, None]
    rates = benchmark_win_rates(scores)
    weights = round_weights([np.arange(0, 4), np.arange(4, 8)], 8)
    point = np.array([3.0, 2.5, 2.5, 1.0, 0.2, 0.1])
    reps = point + rng.normal(0, 0.4, size=(300, 6))
    tests = pair_tests(point, rates, weights, reps, alpha=0.2)
    naive = naive_pair_tests(point, rates, weights)
    assert len(tests.better) == len(naive) == 15
    keys = [(int(a), int(b)) for a, b in zip(tests.better, tests.worse)]
    for i, key in enumerate(keys):
        d, stat, p = naive[key]
        assert tests.difference[i] == pytest.approx(d)
        assert tests.statistic[i] == pytest.approx(stat, abs=1e-12)
        assert tests.p_value[i] == pytest.approx(p, abs=1e-12)
        diff = reps[:, key[0]] - reps[:, key[1]]
        assert tests.p_above[i] == pytest.approx(np.mean(diff > 0) + 0.5 * np.mean(diff == 0))
    holm_reject = naive_holm([naive[k][2] for k in keys], 0.2)
    expected = [r and naive[k][1] > 0 for r, k in zip(holm_reject, keys)]
    assert tests.significant.tolist() == expected
    assert any(expected), "the constructed field must contain significant pairs"
    for m in range(6):
        better = sum(1 for k, s in zip(keys, expected) if s and k[1] == m and naive[k][0] > 0)
        assert tests.rank_ub()[m] == 1 + better
    assert np.isnan(pair_tests(point, rates, weights).p_above).all()   # no replicates


def brute_force_tiers(order, significant_pairs):
    """Boundary after p iff every (above, below) pair is significant; tiers between them."""
    n = len(order)
    tier, result = 1, {}
    for p in range(n):
        result[int(order[p])] = tier
        if p < n - 1 and all((int(order[i]), int(order[j])) in significant_pairs
                             for i in range(p + 1) for j in range(p + 1, n)):
            tier += 1
    return [result[m] for m in range(n)]


def test_tiers_are_complete_separations_whichever_way_computed():
    """Two separated groups of four with a weak model in between: the tiers equal the brute
    force over all cuts, read the same from the bottom up (reversed field), and every model's
    Rank (UB) is at least its tier's first position."""
    rng = np.random.default_rng(12)
    level = np.r_[np.full(4, 3.0), 1.5, np.zeros(4)]
    scores = level[:, None] + rng.normal(0, 0.3, size=(9, 12))
    rates = benchmark_win_rates(scores)
    weights = round_weights([np.arange(12)], 12)
    point = scores.mean(axis=1)
    tests = pair_tests(point, rates, weights)
    significant = {(int(a), int(b)) for a, b, s in
                   zip(tests.better, tests.worse, tests.significant) if s}
    tiers = tests.tiers()
    assert tiers.tolist() == brute_force_tiers(tests.order, significant)
    assert tiers.max() >= 2
    flipped = pair_tests(-point, 1.0 - rates, weights)   # the field upside down
    assert (flipped.tiers().max() + 1 - flipped.tiers()).tolist() == tiers.tolist()
    first = {t: tests.positions()[tiers == t].min() for t in np.unique(tiers)}
    assert all(tests.rank_ub()[m] >= first[tiers[m]] + 1 for m in range(9))


def test_equal_win_rates_are_never_significant():
    rates = np.array([[0.5, 1.0], [0.5, 1.0], [0.0, 0.0]])
    tests = pair_tests(np.array([2.0, 2.0, 1.0]), rates, np.array([0.5, 0.5]))
    by_pair = {(int(a), int(b)): (p, s) for a, b, p, s in
               zip(tests.better, tests.worse, tests.p_value, tests.significant)}
    assert by_pair[(0, 1)] == (1.0, False)
    assert by_pair[(0, 2)][0] == 0.5           # two benchmarks: p >= 2 / 4, never below
    assert tests.tiers().tolist() == [1, 1, 1] and tests.rank_ub().tolist() == [1, 1, 1]


def test_window_is_at_least_as_strict_and_counts_untested_pairs_above():
    rng = np.random.default_rng(5)
    level = np.linspace(10, 0, 30)
    scores = level[:, None] + rng.normal(0, 1.5, size=(30, 40))
    rates = benchmark_win_rates(scores)
    weights = round_weights([np.arange(40)], 40)
    point = scores.mean(axis=1)
    full, narrow = pair_tests(point, rates, weights), pair_tests(point, rates, weights, window=4)
    assert pair_window(30) == 29 and pair_window(1000) == 20 and narrow.window == 4
    assert len(narrow.better) == sum(30 - g for g in range(1, 5))
    full_sig = {(a, b) for a, b, s in zip(full.better, full.worse, full.significant) if s}
    narrow_sig = {(a, b) for a, b, s in zip(narrow.better, narrow.worse, narrow.significant) if s}
    assert narrow_sig <= full_sig
    assert narrow.rank_ub()[narrow.order[29]] >= 26   # 25 untested models above it


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
