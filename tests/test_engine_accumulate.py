"""simulate()'s tables equal the same tournaments played by the plain-Python twin and counted here.

tests/test_engine_twin.py checks single tournaments draw for draw; this module checks what the
engine does with them: chunking over iteration blocks and threads, counting, and every derived
table (expected scores, standard errors, rank distribution, survival), through the public API.
The streams follow ``docs/method.md`` section 4: iteration i, round k of seed s draws from the
SplitMix64 stream (seed_key(s), i * K + k); probabilistic wins add a second stream family keyed
by mix64(key ^ NOISE_SALT).

The module is small enough to run with ``NUMBA_DISABLE_JIT=1`` for kernel coverage (.ci/run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from naive import SplitMixStream, naive_tournament
from swisssim import Scenario, simulate
from swisssim.data.rounds import round_noise, round_scores
from swisssim.engine.kernels import NOISE_SALT, units_per_point
from swisssim.engine.rng import mix64, seed_key

ITERATIONS = 40


def _scenario(noisy: bool, ties: str, bye_points: float) -> Scenario:
    rng = np.random.default_rng([int(noisy), len(ties), int(2 * bye_points)])
    frame = pd.DataFrame(rng.integers(0, 3, size=(7, 4)).astype(float),
                         index=[f"m{i}" for i in range(7)], columns=list("abcd"))
    errors = frame * 0.0 + 0.4 if noisy else None
    return Scenario.from_dataframe(frame, rounds={"r1": ["a"], "r2": ["b", "c"], "r3": ["d"]},
                                   ties=ties, bye_points=bye_points, score_errors=errors,
                                   probabilistic_wins=noisy)


def _twin_runs(scenario: Scenario, quotas: np.ndarray, seed: int, random_ties: bool,
               noisy: bool) -> tuple[np.ndarray, np.ndarray, int]:
    values = round_scores(scenario)
    noise = round_noise(scenario) if noisy else None
    n_rounds = scenario.n_rounds
    draw = scenario.scoring.ties == "draw"
    bye_units = int(round(2 * scenario.simulation.bye_points))
    upp = int(units_per_point(draw, bye_units))
    key = int(seed_key(seed))
    noise_key = int(mix64(np.uint64(key) ^ NOISE_SALT))
    scores, outs = [], []
    for i in range(ITERATIONS):
        score, out = naive_tournament(
            values.tolist(), [int(q) for q in quotas],
            lambda k, i=i: SplitMixStream(key, i * n_rounds + k),
            draw_ties=draw, bye_units=bye_units, random_ties=random_ties, units_per_point=upp,
            noise=noise.tolist() if noisy else None,
            noise_stream_for_round=lambda k, i=i: SplitMixStream(noise_key, i * n_rounds + k))
        scores.append(score)
        outs.append(out)
    return np.array(scores), np.array(outs), upp


@pytest.mark.parametrize("noisy, ties, bye_points, tie_break", [
    (False, "coin", 0.0, "random"),
    (False, "draw", 0.5, "index"),
    (True, "coin", 1.0, "random"),
    (True, "draw", 0.0, "index"),
])
def test_tables_equal_the_twins_tournaments(noisy, ties, bye_points, tie_break):
    scenario = _scenario(noisy, ties, bye_points)
    result = simulate(scenario, iterations=ITERATIONS, seed=5, elimination=[0, "1,2,0"],
                      tie_break=tie_break, threads=2)
    names = scenario.model_names
    ranks_table = result.rank_distribution()
    survival = result.survival()
    for s, label in enumerate(result.labels):
        scores, outs, upp = _twin_runs(scenario, result.quotas[s], 5, tie_break == "random",
                                       noisy)
        points = scores / upp
        np.testing.assert_allclose(result.expected()[s], points.mean(axis=0), rtol=0, atol=1e-12)
        np.testing.assert_allclose(result.std_error()[s],
                                   points.std(axis=0, ddof=1) / np.sqrt(ITERATIONS),
                                   rtol=1e-9, atol=1e-12)
        # competition rank of each model in each tournament: 1 + number strictly above
        ranks = 1 + (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
        part = ranks_table[ranks_table["elimination"] == label]
        for m, name in enumerate(names):
            counted = pd.Series(ranks[:, m]).value_counts() / ITERATIONS
            shown = part[part["model"] == name].set_index("rank")["probability"]
            assert shown.sort_index().to_dict() == pytest.approx(counted.sort_index().to_dict())
        rows = survival[survival["elimination"] == label]
        for m, name in enumerate(names):
            mine = rows[rows["model"] == name].sort_values("round")
            expected_out = [(outs[:, m] == k).mean() for k in range(scenario.n_rounds)]
            np.testing.assert_allclose(mine["p_eliminated"].to_numpy(), expected_out,
                                       atol=1e-12)
