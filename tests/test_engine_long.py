"""Long tournaments (many rounds, few models): the engine walks the score groups rather than
every score value (O(K M) a tournament, not O(K^2)), and still agrees draw for draw with the
plain-Python twin in tests/naive.py, whose regrouping scans every value.

Here the score groups spread far apart (with byes worth points, a model alone in its group
keeps scoring), which the short random cases of tests/test_engine_twin.py never reach.
"""

from __future__ import annotations

import numpy as np
import pytest

from test_engine_twin import assert_engine_matches_twin


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
        for score in assert_engine_matches_twin(scores, noise, quotas, key,
                                                (draw_ties, bye_units, random_ties, noisy),
                                                iterations=3):
            spread = max(spread, int(score.max() - score.min()))
    # Groups of one play no match (a bye), so scores only spread far with byes worth points.
    assert spread > (40 if bye_units else 5)
