"""Baselines on small hand-computed tables, with ties and missing scores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from swisssim import Scenario
from swisssim.analysis.baselines import (
    ELO_STREAM,
    benchmark_scores,
    borda_count,
    bradley_terry,
    copeland,
    elo,
    fit_bradley_terry,
    fit_elo,
    mean_score,
    mean_win_rate,
    normalized_mean,
    pairwise_wins,
)
from swisssim.data.rounds import round_scores

NAN = math.nan
R2 = math.sqrt(2.0)


def table(rows: dict[str, list[float]], columns: str = "abc") -> pd.DataFrame:
    return pd.DataFrame({"model": list(rows), **{c: [v[i] for v in rows.values()]
                                                 for i, c in enumerate(columns)}})


# m2 has no score on c; ties on a (m2 = m3), b (m3 = m4), c (m1 = m3).
SKIP = table({"m1": [4, 1, 2], "m2": [2, 3, NAN], "m3": [2, 2, 2], "m4": [0, 2, 4]})


@pytest.fixture
def skip_scenario():
    return Scenario.from_dataframe(SKIP, missing="skip")


def test_mean_leaves_missing_out(skip_scenario):
    got = mean_score(skip_scenario)
    assert got.name == "mean" and list(got.index) == ["m1", "m2", "m3", "m4"]
    np.testing.assert_allclose(got, [7 / 3, 5 / 2, 2, 2])


def test_minmax_mean(skip_scenario):
    np.testing.assert_allclose(normalized_mean(skip_scenario, "minmax"),
                               [1 / 3, 3 / 4, 1 / 3, 1 / 2])


def test_zscore_mean(skip_scenario):
    # a: z = (R2, 0, 0, -R2); b: (-R2, R2, 0, 0); c over m1, m3, m4: (-1/R2, ., -1/R2, R2)
    np.testing.assert_allclose(normalized_mean(skip_scenario, "zscore"),
                               [-1 / (3 * R2), 1 / R2, -1 / (3 * R2), 0.0], atol=1e-12)


def test_normalized_mean_rejects_unknown_method(skip_scenario):
    with pytest.raises(ValueError, match="minmax"):
        normalized_mean(skip_scenario, "rank")


def test_constant_benchmark_normalises_to_zero():
    scenario = Scenario.from_dataframe(table({"x": [1, 1], "y": [1, 3]}, "ab"))
    np.testing.assert_allclose(normalized_mean(scenario, "minmax"), [0.0, 0.5])
    np.testing.assert_allclose(normalized_mean(scenario, "zscore"), [-0.5, 0.5])


def test_mean_win_rate_ties_half_missing_left_out(skip_scenario):
    # a: 1, .5, .5, 0 (of 3); b: 0, 1, .5, .5; c (m1, m3, m4; of 2): .25, -, .25, 1
    np.testing.assert_allclose(mean_win_rate(skip_scenario),
                               [1.25 / 3, 0.75, 1.25 / 3, 1.5 / 3])


def test_borda_ties_share_average_points(skip_scenario):
    # a: 3, 1.5, 1.5, 0; b: 0, 3, 1.5, 1.5; c: .5, 0 (missing), .5, 2
    np.testing.assert_allclose(borda_count(skip_scenario), [3.5, 4.5, 3.5, 3.5])


def test_borda_is_m_minus_1_times_win_rate_sum_without_missing():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.integers(0, 4, size=(7, 5)).astype(float), columns=list("abcde"))
    frame.insert(0, "model", [f"m{i}" for i in range(7)])
    scenario = Scenario.from_dataframe(frame)
    np.testing.assert_allclose(borda_count(scenario), 6 * 5 * mean_win_rate(scenario))


def test_lower_is_better_is_negated_for_every_benchmark_method(skip_scenario):
    flipped = SKIP.copy()
    flipped["c"] = -flipped["c"]
    scenario = Scenario.from_dataframe(flipped, missing="skip", lower_is_better=["c"])
    assert benchmark_scores(scenario).equals(benchmark_scores(skip_scenario))
    for method in (mean_score, mean_win_rate, borda_count, copeland):
        pd.testing.assert_series_equal(method(scenario), method(skip_scenario))


def test_benchmarks_outside_rounds_are_ignored():
    scenario = Scenario.from_dataframe(SKIP.fillna(0), rounds={"r": ["a", "b"]})
    assert list(benchmark_scores(scenario).columns) == ["a", "b"]
    np.testing.assert_allclose(mean_score(scenario), [2.5, 2.5, 2, 1])


def test_all_missing_model_gets_nan():
    frame = table({"x": [1, 2], "y": [NAN, NAN], "z": [0, 1]}, "ab")
    scenario = Scenario.from_dataframe(frame, missing="skip")
    assert math.isnan(mean_score(scenario)["y"]) and math.isnan(mean_win_rate(scenario)["y"])
    assert borda_count(scenario)["y"] == 0.0


# --------------------------------------------------------------------------- round level

# missing = "lose": C has no y score and loses that round; C and D tie on x.
LOSE = table({"A": [3, 3, 1], "B": [2, 2, 2], "C": [1, NAN, 3], "D": [1, 1, 0]}, "xyz")


def test_pairwise_wins_count_ties_half():
    scenario = Scenario.from_dataframe(LOSE, missing="lose")
    wins = pairwise_wins(round_scores(scenario))
    expected = np.array([[0, 2, 2, 3], [1, 0, 2, 3], [1, 1, 0, 1.5], [0, 0, 1.5, 0]])
    np.testing.assert_array_equal(wins, expected)


def test_copeland_hand_computed():
    # A beats everyone 2-1 or 3-0; B beats C and D; C-D is 1-1 (x tied, D wins y, C wins z).
    scenario = Scenario.from_dataframe(LOSE, missing="lose")
    np.testing.assert_array_equal(copeland(scenario), [3, 1, -2, -2])


def test_copeland_uses_round_means():
    frame = table({"p": [1, 1, 0], "q": [0, 0, 3]}, "abc")
    scenario = Scenario.from_dataframe(frame, rounds={"r1": ["a", "b"], "r2": ["c"]})
    # r1: p 1 > q 0; r2: q 3 > p 0: one round each -> 0
    np.testing.assert_array_equal(copeland(scenario), [0, 0])
    grouped = Scenario.from_dataframe(frame, rounds={"all": ["a", "b", "c"]})
    # one round: p 2/3 < q 1
    np.testing.assert_array_equal(copeland(grouped), [-1, 1])


@pytest.mark.parametrize("k, n", [(3, 5), (1, 4), (7, 10), (9, 10)])
def test_bradley_terry_two_models_closed_form(k, n):
    fit = fit_bradley_terry(np.array([[0.0, k], [n - k, 0.0]]), alpha=0.0)
    assert fit.converged and fit.strongly_connected
    assert fit.strengths.sum() == pytest.approx(0.0, abs=1e-12)
    assert fit.strengths[0] - fit.strengths[1] == pytest.approx(math.log(k / (n - k)), abs=1e-7)


def test_bradley_terry_from_rounds_with_a_tie():
    # 4 rounds: p wins 2, one tie, q wins 1 -> 2.5 vs 1.5 wins
    frame = table({"p": [2, 2, 1, 0], "q": [1, 1, 1, 5]}, "abcd")
    scenario = Scenario.from_dataframe(frame)
    strengths = bradley_terry(scenario, alpha=0.0)
    assert strengths["p"] - strengths["q"] == pytest.approx(math.log(2.5 / 1.5), abs=1e-7)
    default = bradley_terry(scenario)
    assert default["p"] - default["q"] == pytest.approx(math.log(2.5 / 1.5), rel=1e-3)


def _hunter_mm(wins: np.ndarray, sweeps: int = 20_000) -> np.ndarray:
    """Hunter (2004) MM iteration for the plain Bradley-Terry MLE (naive twin)."""
    totals = wins + wins.T
    gamma = np.ones(wins.shape[0])
    for _ in range(sweeps):
        denominator = (totals / (gamma[:, None] + gamma[None, :])).sum(axis=1)
        gamma = wins.sum(axis=1) / denominator
        gamma /= np.exp(np.log(gamma).mean())
    theta = np.log(gamma)
    return theta - theta.mean()


def test_bradley_terry_matches_hunter_mm_on_random_rounds():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(size=(6, 12)) + np.linspace(0, 1.5, 6)[:, None],
                         columns=[f"b{i}" for i in range(12)])
    frame.insert(0, "model", [f"m{i}" for i in range(6)])
    scenario = Scenario.from_dataframe(frame)
    wins = pairwise_wins(round_scores(scenario))
    fit = fit_bradley_terry(wins, alpha=0.0)
    assert fit.strongly_connected
    np.testing.assert_allclose(fit.strengths, _hunter_mm(wins), atol=1e-6)


def test_bradley_terry_perfect_separation_is_finite_and_ordered():
    # A beats everyone in every round; B and C split; D loses everything.
    frame = table({"A": [9, 9, 9], "B": [5, 2, 5], "C": [2, 5, 2], "D": [0, 0, 0]}, "abc")
    wins = pairwise_wins(round_scores(Scenario.from_dataframe(frame)))
    fit = fit_bradley_terry(wins)
    assert not fit.strongly_connected and fit.converged
    assert np.all(np.isfinite(fit.strengths))
    assert fit.strengths[0] > fit.strengths[1] > fit.strengths[2] > fit.strengths[3]
    weaker = fit_bradley_terry(wins, alpha=1e-6)
    assert weaker.strengths[0] - weaker.strengths[1] > fit.strengths[0] - fit.strengths[1]
    # the B-C comparison itself (2 of 3) is barely affected by the penalty
    assert fit.strengths[1] - fit.strengths[2] == pytest.approx(math.log(2), abs=0.05)


def _naive_elo(values: np.ndarray, orders: int, k_factor: float, seed: int) -> np.ndarray:
    n_rounds, m = values.shape
    matches = [(i, j, 1.0 if values[r, i] > values[r, j] else 0.0 if values[r, i] < values[r, j]
                else 0.5) for r in range(n_rounds) for i in range(m) for j in range(i + 1, m)]
    # the same order as the implementation: all pairs of round 0, then round 1, ...
    rng = np.random.default_rng([ELO_STREAM, seed])
    finals = []
    for _ in range(orders):
        ratings = [1500.0] * m
        for g in rng.permutation(len(matches)):
            i, j, s = matches[g]
            e = 1.0 / (1.0 + 10.0 ** ((ratings[j] - ratings[i]) / 400.0))
            ratings[i] += k_factor * (s - e)
            ratings[j] -= k_factor * (s - e)
        finals.append(ratings)
    return np.mean(finals, axis=0)


def test_elo_matches_naive_twin_and_is_zero_sum():
    scenario = Scenario.from_dataframe(LOSE, missing="lose")
    values = round_scores(scenario)
    fit = fit_elo(values, orders=5, k_factor=32.0, seed=3)
    np.testing.assert_allclose(fit.ratings, _naive_elo(values, 5, 32.0, 3), rtol=0, atol=1e-9)
    assert fit.ratings.sum() == pytest.approx(4 * 1500.0, abs=1e-9)
    again = elo(scenario, orders=5, k_factor=32.0, seed=3)
    np.testing.assert_array_equal(again.to_numpy(), fit.ratings)


def test_elo_two_models_one_always_wins():
    frame = table({"p": [1, 1, 1, 1], "q": [0, 0, 0, 0]}, "abcd")
    fit = fit_elo(round_scores(Scenario.from_dataframe(frame)), orders=10, seed=0)
    # every order is the same four wins: r_p rises by 8, then by less each game
    r = 0.0
    for _ in range(4):
        r += 16.0 * (1.0 - 1.0 / (1.0 + 10.0 ** (-2 * r / 400.0)))
    np.testing.assert_allclose(fit.ratings, [1500 + r, 1500 - r])
    np.testing.assert_allclose(fit.spread, 0.0, atol=1e-12)


def test_elo_orders_are_averaged_and_seeded():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(8, 6))
    one = fit_elo(values, orders=1, seed=1)
    many = fit_elo(values, orders=300, seed=1)
    assert np.array_equal(fit_elo(values, orders=300, seed=1).ratings, many.ratings)
    assert not np.array_equal(fit_elo(values, orders=300, seed=2).ratings, many.ratings)
    # the average over orders is much closer to another seed's average than one order is
    other = fit_elo(values, orders=300, seed=2).ratings
    assert np.abs(many.ratings - other).max() < np.abs(one.ratings - many.ratings).max()
    with pytest.raises(ValueError, match="orders"):
        fit_elo(values, orders=0)


def test_round_methods_agree_with_an_obvious_order():
    # m0 < m1 < ... on every benchmark: every method must give the same strict order
    frame = pd.DataFrame({f"b{k}": np.arange(5.0) + k for k in range(4)})
    frame.insert(0, "model", [f"m{i}" for i in range(5)])
    scenario = Scenario.from_dataframe(frame)
    for method in (mean_score, mean_win_rate, borda_count, copeland, bradley_terry, elo):
        values = method(scenario).to_numpy()
        assert np.all(np.diff(values) > 0), method.__name__


def test_elo_kernel_equals_the_plain_python_loop():
    """The numba passes draw numpy's permutations and apply the documented update exactly."""
    from swisssim.analysis.baselines import ELO_STREAM, fit_elo

    rng = np.random.default_rng(4)
    values = np.round(rng.normal(size=(3, 7)), 1)  # ties included
    values[1, 2] = -np.inf
    values[1, 5] = -np.inf
    k, m = values.shape
    matches = [(i, j, r) for r in range(k) for i in range(m) for j in range(i + 1, m)]
    draws = np.random.default_rng([ELO_STREAM, 9])
    finals = []
    for _ in range(6):
        ratings = [1500.0] * m
        for g in draws.permutation(len(matches)):
            i, j, r = matches[g]
            s = 1.0 if values[r, i] > values[r, j] else 0.0 if values[r, j] > values[r, i] else 0.5
            expected = 1.0 / (1.0 + 10.0 ** ((ratings[j] - ratings[i]) / 400.0))
            step = 16.0 * (s - expected)
            ratings[i] += step
            ratings[j] -= step
        finals.append(ratings)
    fit = fit_elo(values, orders=6, seed=9)
    assert np.array_equal(fit.ratings, np.mean(finals, axis=0))
    assert np.array_equal(fit.spread, np.std(finals, axis=0))
    assert fit.orders == fit.requested_orders == 6


def test_elo_orders_are_capped_by_the_match_budget():
    from swisssim.analysis.baselines import ELO_MIN_ORDERS, elo_orders_for, fit_elo

    assert elo_orders_for(200, 1_000, budget=200_000) == 200
    assert elo_orders_for(200, 1_001, budget=200_000) == 199
    assert elo_orders_for(200, 10**9, budget=200_000) == ELO_MIN_ORDERS
    assert elo_orders_for(3, 10**9, budget=200_000) == 3
    assert elo_orders_for(200, 10**9, budget=None) == 200
    values = np.random.default_rng(1).normal(size=(2, 30))  # 870 matches an order
    fit = fit_elo(values, orders=50, match_budget=870 * 20)
    assert (fit.orders, fit.requested_orders) == (20, 50)
    assert np.array_equal(fit.ratings, fit_elo(values, orders=20, match_budget=None).ratings)


def test_fused_bradley_terry_objective_equals_the_numpy_one(monkeypatch):
    """The numba objective used on large fields is the numpy one summed another way."""
    from scipy.special import expit

    from swisssim.analysis import baseline_kernels, baselines

    rng = np.random.default_rng(2)
    wins = rng.integers(0, 4, size=(40, 40)).astype(float)
    np.fill_diagonal(wins, 0.0)
    totals = wins + wins.T
    theta = rng.normal(0.0, 3.0, 40)
    loss, expected = baseline_kernels.bt_loss_gradient(theta, wins, np.ascontiguousarray(wins.T))
    diff = theta[:, None] - theta[None, :]
    assert loss == pytest.approx((wins * np.logaddexp(0.0, -diff)).sum(), rel=1e-12)
    np.testing.assert_allclose(expected, (totals * expit(diff)).sum(axis=1), rtol=1e-12)
    reference = baselines.fit_bradley_terry(wins)
    monkeypatch.setattr(baselines, "BT_FUSED_ABOVE", 10)
    fused = baselines.fit_bradley_terry(wins)
    np.testing.assert_allclose(fused.strengths, reference.strengths, atol=1e-6)
    assert fused.log_likelihood == pytest.approx(reference.log_likelihood, rel=1e-9)
