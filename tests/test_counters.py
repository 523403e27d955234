"""The O(M K) counters give exactly the rank counts of a brute-force count per tournament.

The brute force replays every tournament with ``kernels.play_tournament`` and counts each model's
competition rank (1 + #models strictly above) in a dense (S, M, M) array, independently of the
score-value counters, their windows and the replay (docs/method.md section 5.4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swisssim import Scenario, simulate
from swisssim.data.rounds import round_scores
from swisssim.engine import kernels
from swisssim.engine.counters import Counters, rank_windows, ranks_determined
from swisssim.engine.rng import seed_key
from swisssim.engine.simulation import EngineSession


def _scenario(values, **options) -> Scenario:
    values = np.asarray(values, dtype=float)  # (K, M)
    frame = pd.DataFrame(values.T, columns=[f"r{k}" for k in range(values.shape[0])],
                         index=[f"m{m}" for m in range(values.shape[1])])
    return Scenario.from_dataframe(frame, **options)


def _brute_force(scenario: Scenario, iterations: int, seed: int):
    session = EngineSession(scenario, None)
    values = round_scores(scenario)
    n_rounds, n_models = values.shape
    draw = scenario.scoring.ties == "draw"
    bye_units = int(round(2 * scenario.simulation.bye_points))
    rules = (draw, bye_units, session.tie_break == "random", False)
    units = kernels.units_per_point(draw, bye_units)
    ranks = np.zeros((len(session.schedules), n_models, n_models), np.int64)
    scores = np.zeros((len(session.schedules), n_models, n_rounds * units + 1), np.int64)
    score = np.empty(n_models, np.int64)
    out = np.empty(n_models, np.int64)
    work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
    for iteration in range(iterations):
        for s, quotas in enumerate(session.quotas):
            kernels.play_tournament(seed_key(seed), iteration, values, np.zeros((0, 0)), quotas,
                                    rules, score, out, work, np.empty(n_models))
            for m in range(n_models):
                ranks[s, m, int((score > score[m]).sum())] += 1
                scores[s, m, score[m]] += 1
    return ranks, scores


CASES = {
    # coin flips: every score value has one rank (the group-size invariant)
    "coin, byes 0": ([[3, 2, 1, 0, 1, 2, 5], [0, 1, 2, 3, 3, 3, 1], [1, 1, 0, 2, 2, 0, 4]],
                     {"ties": "coin", "elimination": [0, 1, 2]}),
    "coin, half-point byes": ([[3, 2, 1, 0, 1], [0, 1, 2, 3, 3], [1, 1, 0, 2, 2]],
                              {"ties": "coin", "bye_points": 0.5, "elimination": [0, 1]}),
    # draws: ranks vary, small field (dense window)
    "draws, small": ([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [0, 0, 1, 1, 1]],
                     {"ties": "draw", "elimination": [0, 1]}),
    "draws, full-point byes": ([[1, 1, 1, 0, 0, 2], [1, 0, 1, 0, 1, 2], [0, 0, 1, 1, 1, 2]],
                               {"ties": "draw", "bye_points": 1.0, "elimination": [0, 2]}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rank_counts_equal_brute_force(case):
    values, options = CASES[case]
    scenario = _scenario(values, **options)
    result = simulate(scenario, iterations=400, seed=7, threads=2)
    ranks, scores = _brute_force(scenario, 400, 7)
    assert np.array_equal(result.score_counts, scores)
    assert np.array_equal(result.rank_counts, ranks)
    assert ranks_determined(result.above_bounds) == (options["ties"] == "coin")


def test_windowed_replay_on_a_larger_field_with_draws():
    """40 models, few distinct round scores: the windows are narrower than M and still exact."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 6, size=(3, 40)).astype(float)
    scenario = _scenario(values, ties="draw", elimination=[0, 3])
    result = simulate(scenario, iterations=300, seed=2, threads=2)
    assert not ranks_determined(result.above_bounds)
    windows = rank_windows(result.above_bounds, scenario.n_models)
    assert windows.columns < scenario.n_models  # the windowed path, not the dense fallback
    ranks, scores = _brute_force(scenario, 300, 2)
    assert np.array_equal(result.score_counts, scores)
    assert np.array_equal(result.rank_counts, ranks)
    expected_rank = (ranks * np.arange(1, 41)).sum(axis=2) / 300
    assert np.allclose(result.expected_rank(), expected_rank, rtol=0, atol=1e-12)


def test_merge_is_exact_and_order_free():
    counters = Counters.zeros(3, 2, 4, 2, 3)
    rng = np.random.default_rng(0)
    for name in ("score_sum", "score_cross", "score_counts", "elim_counts"):
        getattr(counters, name)[...] = rng.integers(0, 100, getattr(counters, name).shape)
    counters.above_bounds[..., 0] = rng.integers(0, 5, counters.above_bounds.shape[:-1])
    counters.above_bounds[..., 1] = counters.above_bounds[..., 0] + rng.integers(0, 3)
    merged = counters.merge()
    flipped = Counters(*(getattr(counters, n)[::-1].copy() for n in
                         ("score_sum", "score_cross", "score_counts", "elim_counts",
                          "above_bounds"))).merge()
    for name in ("score_sum", "score_cross", "score_counts", "elim_counts", "above_bounds"):
        assert np.array_equal(getattr(merged, name), getattr(flipped, name))
    assert np.array_equal(merged.score_counts[0], counters.score_counts.sum(axis=0))
    assert np.array_equal(merged.above_bounds[0, ..., 0], counters.above_bounds[..., 0].min(0))
    assert np.array_equal(merged.above_bounds[0, ..., 1], counters.above_bounds[..., 1].max(0))


def test_counter_memory_does_not_grow_like_m_squared():
    small = Counters.zeros(2, 3, 1_000, 6, 7)
    large = Counters.zeros(2, 3, 20_000, 6, 7)
    def size(c: Counters) -> int:
        return sum(getattr(c, n).nbytes for n in ("score_sum", "score_cross", "score_counts",
                                                  "elim_counts"))

    assert size(large) == 20 * size(small)
