"""Long tournaments (many rounds, few models): the engine walks the score groups rather than
every score value (O(K M) a tournament, not O(K^2)), and still agrees draw for draw with the
plain-Python twin in tests/naive.py, whose regrouping scans every value.

Here the score groups spread far apart (with byes worth points, a model alone in its group
keeps scoring), which the short random cases of tests/test_engine_twin.py never reach.
"""

from __future__ import annotations

import numpy as np
import pytest

from naive import SplitMixStream, naive_tournament
from swisssim.engine import kernels
from swisssim.engine.kernels import NOISE_SALT
from swisssim.engine.rng import mix64


@pytest.mark.parametrize("draw_ties", [False, True])
@pytest.mark.parametrize("bye_units", [0, 1, 2])
@pytest.mark.parametrize("random_ties", [True, False])
def test_long_tournaments_match_the_twin(draw_ties, bye_units, random_ties):
    rng = np.random.default_rng([7, bye_units, draw_ties, random_ties])
    spread = 0
    for case in range(6):
        n_models = int(rng.integers(2, 10))
        n_rounds = int(rng.integers(40, 160))
        strength = np.sort(rng.normal(size=n_models))[::-1] * 3
        scores = np.round(strength[None, :] + rng.normal(size=(n_rounds, n_models)), 0)
        quotas = np.zeros(n_rounds, np.int64)
        if case % 2:   # a few eliminations spread over the tournament
            for k in rng.choice(n_rounds, size=min(n_models - 1, 3), replace=False):
                quotas[k] = 1
        noisy = case == 5
        noise = rng.random((n_rounds, n_models)) if noisy else np.zeros((n_rounds, n_models))
        key = int(rng.integers(0, 2**63))
        noise_key = int(mix64(np.uint64(key) ^ NOISE_SALT))
        score = np.empty(n_models, np.int64)
        eliminated_in = np.empty(n_models, np.int64)
        work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
        perturbed = np.empty(n_models)
        rules = (draw_ties, bye_units, random_ties, noisy)
        for iteration in range(3):
            kernels.play_tournament(np.uint64(key), iteration, scores, noise, quotas, rules,
                                    score, eliminated_in, work, perturbed)
            twin_score, twin_out = naive_tournament(
                scores.tolist(), quotas.tolist(),
                lambda k, i=iteration, r=n_rounds, c=key: SplitMixStream(c, i * r + k),
                draw_ties=draw_ties, bye_units=bye_units, random_ties=random_ties,
                units_per_point=kernels.units_per_point(draw_ties, bye_units),
                noise=noise.tolist() if noisy else None,
                noise_stream_for_round=lambda k, i=iteration, r=n_rounds, c=noise_key:
                SplitMixStream(c, i * r + k))
            assert score.tolist() == twin_score
            assert eliminated_in.tolist() == twin_out
            spread = max(spread, int(score.max() - score.min()))
    # Groups of one play no match (a bye), so scores only spread far with byes worth points.
    assert spread > (40 if bye_units else 5)
