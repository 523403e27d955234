"""Scenario loading, round scores and the win tensor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from swisssim import InputError, Scenario, load_scenario, round_scores, win_tensor


def test_rounds_default_to_one_per_column(write_scenario):
    path = write_scenario('scores = "s.csv"\n', "model,x,y\na,1,2\nb,2,1\n", csv_name="s.csv")
    scenario = load_scenario(path)
    assert scenario.name == "tiny"  # file stem when no name is given
    assert [r.benchmarks for r in scenario.rounds] == [("x",), ("y",)]
    assert [s.label for s in scenario.simulation.elimination] == ["0", "1", "2"]


def test_round_score_is_the_plain_mean_with_direction(write_scenario):
    body = ('scores = "s.csv"\n[scoring]\nlower_is_better = ["latency"]\n'
            '[[rounds]]\nname = "r1"\nbenchmarks = ["x", "latency"]\n')
    path = write_scenario(body, "model,x,latency,unused\na,4,2,0\nb,1,6,0\n", csv_name="s.csv")
    values = round_scores(load_scenario(path))
    assert values.tolist() == [[(4 - 2) / 2, (1 - 6) / 2]]


@pytest.mark.parametrize("method,expected", [
    ("minmax", [[(1 + 0) / 2, (0 + 1) / 2, (0.5 + 0) / 2]]),
    ("rank", [[(3 + 1.5) / 2, (1 + 3) / 2, (2 + 1.5) / 2]]),  # ties share 1.5
])
def test_normalizations(method, expected):
    frame = pd.DataFrame({"x": [10.0, 0.0, 5.0], "y": [0.0, 100.0, 0.0]}, index=["a", "b", "c"])
    scenario = Scenario.from_dataframe(frame, {"r": ["x", "y"]}, normalization=method)
    np.testing.assert_allclose(round_scores(scenario), expected)


def test_zscore_normalization_has_zero_mean():
    frame = pd.DataFrame({"x": [1.0, 2.0, 6.0], "y": [3.0, 3.0, 3.0]}, index=["a", "b", "c"])
    values = round_scores(Scenario.from_dataframe(frame, {"r": ["x"], "s": ["y"]},
                                                  normalization="zscore"))
    assert values[0].mean() == pytest.approx(0.0)
    assert values[0].std() == pytest.approx(1.0)
    assert values[1].tolist() == [0.0, 0.0, 0.0]  # a constant benchmark carries no information


def test_missing_policies():
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [2.0, 5.0, 1.0]}, index=["a", "b", "c"])
    rounds = {"r": ["x", "y"]}
    with pytest.raises(InputError, match="model 'b' on benchmark 'x'"):
        Scenario.from_dataframe(frame, rounds)
    lose = round_scores(Scenario.from_dataframe(frame, rounds, missing="lose"))
    assert lose.tolist() == [[1.5, -np.inf, 2.0]]
    skip = round_scores(Scenario.from_dataframe(frame, rounds, missing="skip"))
    assert skip.tolist() == [[1.5, 5.0, 2.0]]
    dropped = Scenario.from_dataframe(frame, rounds, missing="drop")
    assert dropped.model_names == ["a", "c"] and dropped.dropped_models == ("b",)


def test_missing_policy_lose_loses_every_match():
    frame = pd.DataFrame({"x": [np.nan, 0.0, 1.0]}, index=["a", "b", "c"])
    from swisssim import simulate

    result = simulate(Scenario.from_dataframe(frame, missing="lose", elimination=[0]),
                      iterations=2000, seed=0)
    assert result.expected()[0, 0] == 0.0


def test_win_tensor_is_strict_and_antisymmetric():
    values = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 1.0]])
    w = win_tensor(values)
    assert w.shape == (3, 3, 2)
    assert w[0, 1, 0] and not w[1, 0, 0]
    assert not w[0, 2, 0] and not w[2, 0, 0]  # a tie: neither wins; the engine flips a coin
    assert not (w & np.transpose(w, (1, 0, 2))).any()
    assert w[:, :, 1].sum(axis=1).tolist() == [0, 2, 1]


@pytest.mark.parametrize("first,second", [(0.9, 0.1), (0.1, 0.9), (0.5, 0.5)])
def test_engine_decides_matches_like_the_win_tensor(first, second):
    """Two models meet in round 1 (afterwards they sit in different score groups and get byes):
    the winner is the W[i, j, 0] side; a tie is a fair coin."""
    from swisssim import simulate

    values = np.array([[first, second], [0.0, 1.0]])
    w = win_tensor(values)
    frame = pd.DataFrame(values.T, index=["a", "b"], columns=["r0", "r1"])
    result = simulate(Scenario.from_dataframe(frame, elimination=[0]), iterations=4000, seed=0)
    tie = not w[0, 1, 0] and not w[1, 0, 0]
    expected = np.array([w[0, 1, 0], w[1, 0, 0]]) + (0.5 if tie else 0.0)
    se = result.std_error()[0]
    if tie:
        assert np.all(np.abs(result.expected()[0] - expected) <= 4.5 * se)
    else:
        assert result.expected()[0].tolist() == expected.tolist() and se.max() == 0.0


def test_dataframe_api_accepts_model_column_and_metadata():
    frame = pd.DataFrame({"model": ["p", "q"], "b1": [1, 2], "b2": [2, 1]})
    models = pd.DataFrame({"model": ["p"], "family": ["F"], "display_name": ["P!"]})
    scenario = Scenario.from_dataframe(frame, models=models, name="api")
    assert scenario.model_names == ["p", "q"]
    assert scenario.models.loc["p", "display_name"] == "P!"
    assert scenario.models.loc["q", "display_name"] == "q"


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.toml")))
def test_shipped_scenarios_load(path):
    scenario = load_scenario(path)
    assert scenario.n_models >= 5 and scenario.n_rounds >= 5
    assert np.isfinite(round_scores(scenario)).sum() >= scenario.n_models * scenario.n_rounds - 1
