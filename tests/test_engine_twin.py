"""The numba engine agrees draw for draw with the plain-Python twin in tests/naive.py."""

from __future__ import annotations

import numpy as np
import pytest

from naive import SplitMixStream, naive_tournament
from swisssim.engine import kernels
from swisssim.engine.kernels import NOISE_SALT
from swisssim.engine.rng import bounded, coin, mix64, next_u64, normal, seed_key


def _random_case(rng: np.random.Generator):
    n_models = int(rng.integers(2, 13))
    n_rounds = int(rng.integers(1, 8))
    # Few distinct values so that ties (coin flips, draws) are common.
    scores = rng.integers(0, 3, size=(n_rounds, n_models)).astype(np.float64)
    quotas = np.zeros(n_rounds, np.int64)
    active = n_models
    for k in range(n_rounds):
        quotas[k] = min(int(rng.integers(0, 4)), active - 1)
        active -= quotas[k]
    return scores, quotas


def assert_engine_matches_twin(scores: np.ndarray, noise: np.ndarray, quotas: np.ndarray, key: int,
                               rules: tuple[bool, int, bool, bool],
                               iterations: int) -> list[np.ndarray]:
    """Play ``iterations`` tournaments with the numba kernel and with the plain-Python twin from
    the same streams; assert identical final scores and elimination rounds; return the kernel's
    final scores of each iteration."""
    draw_ties, bye_units, random_ties, noisy = rules
    n_rounds, n_models = scores.shape
    noise_key = int(mix64(np.uint64(key) ^ NOISE_SALT))
    score = np.empty(n_models, np.int64)
    eliminated_in = np.empty(n_models, np.int64)
    work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
    perturbed = np.empty(n_models)
    finals = []
    for iteration in range(iterations):
        kernels.play_tournament(np.uint64(key), iteration, scores, noise, quotas, rules,
                                score, eliminated_in, work, perturbed)
        twin_score, twin_out = naive_tournament(
            scores.tolist(), quotas.tolist(),
            lambda k, i=iteration: SplitMixStream(key, i * n_rounds + k),
            draw_ties=draw_ties, bye_units=bye_units, random_ties=random_ties,
            units_per_point=kernels.units_per_point(draw_ties, bye_units),
            noise=noise.tolist() if noisy else None,
            noise_stream_for_round=lambda k, i=iteration: SplitMixStream(noise_key,
                                                                         i * n_rounds + k))
        assert score.tolist() == twin_score
        assert eliminated_in.tolist() == twin_out
        finals.append(score.copy())
    return finals


@pytest.mark.parametrize("draw_ties", [False, True])
@pytest.mark.parametrize("bye_units", [0, 1, 2])
@pytest.mark.parametrize("random_ties", [True, False])
@pytest.mark.parametrize("noisy", [False, True])
def test_engine_matches_twin_exactly(draw_ties, bye_units, random_ties, noisy):
    rng = np.random.default_rng([bye_units, draw_ties, random_ties, noisy])
    for _ in range(40):
        scores, quotas = _random_case(rng)
        n_rounds, n_models = scores.shape
        noise = rng.random((n_rounds, n_models)) * rng.integers(0, 2, (n_rounds, n_models))
        key = int(rng.integers(0, 2**63))
        assert_engine_matches_twin(scores, noise, quotas, key,
                                   (draw_ties, bye_units, random_ties, noisy), iterations=5)


def test_random_primitives_match_python_reference():
    state = np.uint64(12345)
    twin = SplitMixStream(0, 0)
    twin.state = 12345
    for n in [1, 2, 3, 7, 29, 1000, 2**31 + 11]:
        state, value = bounded(np.uint64(state), n)
        assert value == twin.below(n)
        assert 0 <= value < n
    state, heads = coin(np.uint64(state))
    assert heads == twin.coin()
    state, word = next_u64(np.uint64(state))
    assert int(word) == twin.next64()


def test_bounded_draws_are_uniform():
    """A chi-square check of Lemire's method on n = 7 (fixed seed, 0.1% critical value)."""
    state = np.uint64(seed_key(3))
    counts = np.zeros(7)
    for _ in range(70_000):
        state, value = bounded(np.uint64(state), 7)
        counts[value] += 1
    chi2 = ((counts - 10_000) ** 2 / 10_000).sum()
    assert chi2 < 22.46  # chi-square(6) upper 0.1% point


def test_seed_key_distinguishes_seeds():
    keys = {int(seed_key(s)) for s in range(1000)}
    assert len(keys) == 1000


def test_normal_deviates_have_unit_variance():
    state = np.uint64(seed_key(8))
    draws = np.empty(50_000)
    for i in range(draws.size):
        state, draws[i] = normal(np.uint64(state))
    # mean within 4.5 SE of 0; variance within 4.5 SE (sd of s^2 is sqrt(2/n)) of 1
    assert abs(draws.mean()) < 4.5 / np.sqrt(draws.size)
    assert abs(draws.var() - 1.0) < 4.5 * np.sqrt(2.0 / draws.size)
