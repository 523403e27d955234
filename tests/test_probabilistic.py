"""Probabilistic wins: matches sampled from the win probability implied by score errors."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from swisssim import InputError, Scenario, simulate
from swisssim.cli.app import main
from swisssim.data.rounds import round_noise

N = 40_000


def _pair(mu_a, mu_b, se_a, se_b, **options):
    scores = pd.DataFrame({"b": [mu_a, mu_b]}, index=["a", "b"])
    errors = pd.DataFrame({"b": [se_a, se_b]}, index=["a", "b"])
    return Scenario.from_dataframe(scores, score_errors=errors, elimination=[0], **options)


@pytest.mark.parametrize("mu_a,mu_b,se_a,se_b", [(0.6, 0.5, 0.1, 0.05), (0.5, 0.5, 0.2, 0.2),
                                                 (0.4, 0.7, 0.3, 0.1), (0.9, 0.1, 0.01, 0.01)])
def test_two_models_win_with_the_normal_probability(mu_a, mu_b, se_a, se_b):
    scenario = _pair(mu_a, mu_b, se_a, se_b)
    result = simulate(scenario, iterations=N, seed=2, probabilistic_wins=True)
    p = NormalDist().cdf((mu_a - mu_b) / np.hypot(se_a, se_b))
    se = max(np.sqrt(p * (1 - p) / N), 1e-9)
    assert abs(result.expected()[0, 0] - p) <= 4.5 * se
    assert result.expected()[0].sum() == pytest.approx(1.0)
    assert result.probabilistic_wins


def test_zero_errors_reproduce_the_hard_comparison_exactly():
    rng = np.random.default_rng(1)
    scores = pd.DataFrame(rng.random((7, 4)).round(1), index=[f"m{i}" for i in range(7)],
                          columns=list("wxyz"))
    errors = scores * 0.0
    hard = simulate(Scenario.from_dataframe(scores, elimination=[0, 1]), iterations=3000, seed=5)
    soft = simulate(Scenario.from_dataframe(scores, score_errors=errors, elimination=[0, 1]),
                    iterations=3000, seed=5, probabilistic_wins=True)
    assert np.array_equal(hard.score_sum, soft.score_sum)
    assert np.array_equal(hard.rank_counts, soft.rank_counts)


def test_round_noise_combines_benchmark_errors():
    scores = pd.DataFrame({"x": [0.0, 10.0, 5.0], "y": [1.0, 2.0, np.nan]}, index=list("abc"))
    errors = pd.DataFrame({"x": [3.0, 4.0, 1.0], "y": [4.0, 3.0, 0.0]}, index=list("abc"))
    scenario = Scenario.from_dataframe(scores, {"r": ["x", "y"]}, score_errors=errors,
                                       missing="skip")
    # sqrt(9 + 16) / 2 = 2.5 for a and b; c has only x: 1 / 1
    assert round_noise(scenario).tolist() == [[2.5, 2.5, 1.0]]
    minmax = Scenario.from_dataframe(scores, {"r": ["x"]}, score_errors=errors,
                                     normalization="minmax")
    np.testing.assert_allclose(round_noise(minmax), [[0.3, 0.4, 0.1]])
    ranked = Scenario.from_dataframe(scores, {"r": ["x"]}, score_errors=errors,
                                     normalization="rank")
    with pytest.raises(InputError, match="normalization"):
        round_noise(ranked)


def test_probabilistic_wins_need_score_errors(capsys, tmp_path, write_scenario):
    scores = pd.DataFrame({"b": [1.0, 2.0]}, index=["a", "b"])
    with pytest.raises(InputError, match="score_errors"):
        simulate(Scenario.from_dataframe(scores), iterations=10, probabilistic_wins=True)
    path = write_scenario('scores = "s.csv"\n', "model,b\na,1\nb,2\n", csv_name="s.csv")
    out = tmp_path / "out"
    code = main(["run", str(path), "--probabilistic-wins", "--no-progress", "--out", str(out)])
    assert code == 2 and "score_errors" in capsys.readouterr().err and not out.exists()


def test_cli_records_probabilistic_wins_in_the_manifest(tmp_path, write_scenario):
    import json

    (tmp_path / "e.csv").write_text("model,b\na,0.1\nb,0.1\n")
    path = write_scenario('scores = "s.csv"\nscore_errors = "e.csv"\n',
                          "model,b\na,1\nb,1.1\n", csv_name="s.csv")
    out = tmp_path / "out"
    assert main(["run", str(path), "--probabilistic-wins", "-n", "500", "--no-progress",
                 "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["simulation"]["probabilistic_wins"] is True
