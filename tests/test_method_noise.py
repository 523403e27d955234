"""Elo's noise over match orders and methods that give identical orders (docs/method.md 7.2)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from swisssim import Scenario
from swisssim.analysis.baselines import EloFit, fit_elo
from swisssim.analysis.compare import compare, identical_groups
from swisssim.data.rounds import round_scores


def _fit(finals: np.ndarray) -> EloFit:
    return EloFit(ratings=finals.mean(axis=0), spread=finals.std(axis=0),
                  orders=finals.shape[0], k_factor=16, scale=400, initial=1500, seed=0,
                  finals=finals)


def test_elo_standard_error_and_separability_against_a_naive_twin():
    rng = np.random.default_rng(8)
    finals = np.array([1600.0, 1550.0, 1549.9, 1400.0]) + rng.normal(0, 5, size=(200, 4))
    fit = _fit(finals)
    np.testing.assert_allclose(fit.std_error, finals.std(axis=0, ddof=1) / np.sqrt(200))
    order = list(np.argsort(-finals.mean(axis=0), kind="stable"))
    naive = [True] * 4
    for upper, lower in itertools.pairwise(order):
        d = finals[:, upper] - finals[:, lower]
        if abs(d.mean()) <= 1.959964 * d.std(ddof=1) / np.sqrt(200):
            naive[upper] = naive[lower] = False
    assert fit.separable().tolist() == naive == [True, False, False, True]


def test_elo_noise_shrinks_with_orders_and_reaches_rankings():
    frame = pd.DataFrame({"model": list("abcde"), "x": [0.9, 0.8, 0.7, 0.6, 0.5],
                          "y": [0.5, 0.9, 0.6, 0.8, 0.7], "z": [0.6, 0.5, 0.9, 0.7, 0.8]})
    scenario = Scenario.from_dataframe(frame)
    few = fit_elo(round_scores(scenario), orders=20, seed=1)
    many = fit_elo(round_scores(scenario), orders=500, seed=1)
    assert few.finals.shape == (20, 5) and np.all(many.std_error < few.std_error)
    table = compare(scenario, iterations=200, seed=1).rankings()
    columns = list(table.columns)
    assert columns[columns.index("elo_rank") + 1:columns.index("elo_rank") + 3] == [
        "elo_se", "elo_separable"]
    assert (table["elo_se"] > 0).all() and table["elo_separable"].dtype == bool


def test_identical_orders_are_grouped():
    ranks = pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 2], "c": [1, 2, 3], "d": [1, 3, 2],
                          "e": [3, 2, 1]})
    assert identical_groups(ranks) == [["a", "c"], ["b", "d"]]
    assert identical_groups(ranks[["a", "b"]]) == []


def test_balanced_complete_data_make_win_rate_borda_and_bt_agree():
    """With no missing score and one benchmark per round, win rate, Borda and Bradley-Terry are
    increasing functions of the total number of pairwise wins, so they must give one order."""
    rng = np.random.default_rng(21)
    frame = pd.DataFrame(rng.uniform(size=(9, 5)), columns=[f"b{j}" for j in range(5)])
    frame.insert(0, "model", [f"m{i}" for i in range(9)])
    groups = compare(Scenario.from_dataframe(frame), iterations=200, seed=0).identical_orders()
    assert any({"win_rate", "borda", "bt"} <= set(g) for g in groups)
