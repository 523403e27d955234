"""Monte Carlo estimates agree with exact enumeration of tiny tournaments (tests/exact.py).

Each comparison is a z-test with a fixed seed: |estimate - exact| <= 4.5 standard errors, where the
standard error comes from the exact variance (so a wrong estimate cannot hide behind its own noise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exact import exact_tournament
from swisssim import Scenario, simulate

N = 40_000
TOLERANCE = 4.5

CASES = {
    "strict order": [[3, 2, 1, 0], [0, 1, 2, 3], [1, 3, 0, 2]],
    "all tied": [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]],
    "twin weak models": [[5, 4, 3, 1, 1], [1, 2, 3, 4, 4], [2, 2, 5, 1, 1]],
    "specialist": [[4, 3, 2, 1, 0, 5], [4, 3, 2, 5, 1, 0], [0, 1, 2, 3, 4, 5], [1, 0, 5, 4, 3, 2]],
    "three models": [[2, 1, 0], [0, 2, 1], [1, 0, 2]],
}


def _scenario(values, **options) -> Scenario:
    values = np.asarray(values, dtype=float)  # (K, M)
    frame = pd.DataFrame(values.T, columns=[f"r{k}" for k in range(values.shape[0])],
                         index=[f"m{m}" for m in range(values.shape[1])])
    return Scenario.from_dataframe(frame, **options)


def _check(estimate, exact, variance_per_draw, n):
    se = np.sqrt(np.maximum(variance_per_draw, 1e-12) / n)
    z = np.abs(np.asarray(estimate) - np.asarray(exact)) / se
    assert np.all(z <= TOLERANCE), f"max z = {z.max():.2f}: {estimate} vs {exact}"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("schedule", ["0", "1", "2", "alternate"])
@pytest.mark.parametrize("tie_break", ["random", "index"])
def test_expected_scores_match_exact(case, schedule, tie_break):
    values = CASES[case]
    if schedule == "alternate":  # a per-round list: 1, 0, 1, ...
        schedule = ",".join(str((k + 1) % 2) for k in range(len(values)))
    scenario = _scenario(values, elimination=[schedule], tie_break=tie_break)
    quotas = scenario.simulation.elimination[0].quotas(scenario.n_models)
    exact = exact_tournament(np.asarray(values, float), quotas.tolist(), tie_break=tie_break)
    result = simulate(scenario, iterations=N, seed=11)
    _check(result.expected()[0], exact.expected, exact.variance, N)
    # Survival: Bernoulli with the exact probability.
    p_active = 1.0 - np.cumsum(result.elim_counts[0, :, :-1], axis=1) / N
    _check(p_active, exact.p_active, exact.p_active * (1 - exact.p_active), N)
    # Rank distribution: Bernoulli per (model, rank).
    p_rank = result.rank_counts[0] / N
    _check(p_rank, exact.rank_pmf, exact.rank_pmf * (1 - exact.rank_pmf), N)


@pytest.mark.parametrize("bye_points", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("ties", ["coin", "draw"])
def test_byes_and_draws_match_exact(bye_points, ties):
    values = CASES["twin weak models"]
    scenario = _scenario(values, elimination=[1], ties=ties, bye_points=bye_points)
    quotas = scenario.simulation.elimination[0].quotas(scenario.n_models)
    exact = exact_tournament(np.asarray(values, float), quotas.tolist(), ties=ties,
                             bye_points=bye_points)
    result = simulate(scenario, iterations=N, seed=5)
    _check(result.expected()[0], exact.expected, exact.variance, N)
    # The sample variance: its own variance is about (mu4 - sigma^4) / N.
    fourth = np.array([sum(p * (x - mean) ** 4 for x, p in pmf.items())
                       for pmf, mean in zip(exact.score_pmf, exact.expected)])
    _check(result.std_error()[0] ** 2 * N, exact.variance, fourth - exact.variance**2, N)


def test_elimination_tie_break_changes_results_as_documented():
    """Two identical specialists, 5 models, T = (1, 0): worked by hand in test_exact_oracle.py.

    'index' loads the elimination on the earlier-listed one (E = 1/5 vs 1); 'random' splits it
    (E = 2/3 each).
    """
    values = [[0.0, 0.0, 2.0, 3.0, 4.0], [5.0, 5.0, 1.0, 2.0, 3.0]]
    hand = {"index": [0.2, 1.0], "random": [2 / 3, 2 / 3]}
    for tie_break, exact in hand.items():
        result = simulate(_scenario(values, elimination=["1,0"], tie_break=tie_break),
                          iterations=N, seed=3)
        se = result.std_error()[0, :2]
        assert np.all(np.abs(result.expected()[0, :2] - exact) <= TOLERANCE * se)
