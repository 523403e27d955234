"""Invariants of docs/method.md section 6 that hold in every tournament, whatever the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from exact import group_size_final_multiset
from swisssim import Scenario, load_scenario, simulate
from swisssim.engine import kernels
from swisssim.engine.rng import seed_key


@pytest.mark.parametrize("n_models,n_rounds,schedule", [
    (2, 1, 0), (7, 4, 0), (7, 4, 1), (10, 6, 2), (29, 12, 0), (29, 12, 2), (16, 5, 3)])
def test_every_iteration_has_the_group_size_multiset(n_models, n_rounds, schedule):
    rng = np.random.default_rng(n_models * 100 + n_rounds)
    scores = rng.integers(0, 4, size=(n_rounds, n_models)).astype(float)
    quotas = np.zeros(n_rounds, np.int64)
    active = n_models
    for k in range(n_rounds):
        quotas[k] = min(schedule, active - 1)
        active -= quotas[k]
    expected = sorted(group_size_final_multiset(n_models, quotas.tolist()))  # a win is 1 unit
    score = np.empty(n_models, np.int64)
    eliminated = np.empty(n_models, np.int64)
    work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
    for iteration in range(300):
        kernels.play_tournament(seed_key(1), iteration, scores, np.zeros((0, 0)), quotas,
                                (False, 0, True, False), score, eliminated, work,
                                np.empty(n_models))
        assert sorted(score.tolist()) == expected
        # Exactly the scheduled number of models leave after each round.
        assert np.bincount(eliminated[eliminated >= 0], minlength=n_rounds).tolist() == quotas.tolist()


def test_sum_of_expected_scores_is_fixed_by_group_sizes():
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    result = simulate(scenario, iterations=500, seed=2, elimination=[0, 1, 2])
    for s in range(len(result.labels)):
        quotas = result.quotas[s].tolist()
        total = sum(group_size_final_multiset(scenario.n_models, quotas))
        # Integer counters make this exact, not approximate.
        assert result.score_sum[s].sum() == result.units_per_point * total * result.iterations


def test_top_score_for_29_models_and_12_rounds_is_8():
    """Lone leaders get 0-point byes, so nobody gets near 12 (see tests/test_exact_oracle.py)."""
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    result = simulate(scenario, iterations=300, seed=0, elimination=[0])
    # Competition rank 1 is always held by the 3 models on 8 points; nobody ever exceeds 8.
    assert result.rank_counts[0, :, 0].sum() == 3 * result.iterations


def test_counters_are_consistent():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.random((9, 5)), columns=list("abcde"),
                         index=[f"m{i}" for i in range(9)])
    scenario = Scenario.from_dataframe(frame, elimination=[0, 1, "30%"])
    result = simulate(scenario, iterations=3_000, seed=9)
    n = result.iterations
    assert (result.rank_counts.sum(axis=2) == n).all()
    assert (result.elim_counts.sum(axis=2) == n).all()
    survival = result.survival()
    for (label, k), group in survival.groupby(["elimination", "round"]):
        s = result.labels.index(label)
        assert group.p_active.sum() == pytest.approx(9 - result.quotas[s, :k].sum())
    # Survival never increases along rounds.
    wide = survival.pivot_table(index=["elimination", "model"], columns="round", values="p_active")
    assert (np.diff(wide.to_numpy(), axis=1) <= 1e-12).all()
    # A model that wins every match it plays has the highest expected score (it can still be
    # passed when it draws the 0-point bye of an odd top group).
    frame.loc["m0"] = 10.0
    result = simulate(Scenario.from_dataframe(frame, elimination=[0]), iterations=500, seed=1)
    assert result.expected()[0].argmax() == 0
