"""Adaptive stopping (target_se): reaches the target, stops early, equals a fixed run."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import Scenario, load_scenario, simulate
from swisssim.cli.app import main
from swisssim.engine.simulation import ADAPTIVE_STEP, AdaptiveResult, next_checkpoint
from swisssim.errors import InputError

PAPER = REPO / "scenarios" / "paper_synthetic.toml"
COUNTERS = ("score_sum", "score_cross", "rank_counts", "elim_counts")


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return Scenario.from_dataframe(pd.read_csv(pd.io.common.StringIO(TINY_CSV)))


def test_reaches_the_target_and_equals_a_fixed_run_of_the_same_length(tiny):
    result = simulate(tiny, target_se=0.012, seed=4, elimination=[0, 1])
    assert isinstance(result, AdaptiveResult)
    stopping = result.stopping
    assert stopping.reached and stopping.achieved_max_se < 0.012
    assert result.iterations == stopping.checkpoints[-1] > ADAPTIVE_STEP
    assert list(stopping.checkpoints) == sorted(set(stopping.checkpoints))
    assert stopping.achieved_max_se == result.std_error().max()
    fixed = simulate(tiny, iterations=result.iterations, seed=4, elimination=[0, 1])
    for name in COUNTERS:
        assert np.array_equal(getattr(result, name), getattr(fixed, name)), name
    # One checkpoint earlier the target was not met.
    earlier = simulate(tiny, iterations=stopping.checkpoints[-2], seed=4, elimination=[0, 1])
    assert earlier.std_error().max() >= 0.012


def test_a_loose_target_stops_at_the_first_checkpoint(tiny):
    result = simulate(tiny, target_se=0.5, seed=1)
    assert result.stopping.reached
    assert result.iterations == ADAPTIVE_STEP and result.stopping.checkpoints == (ADAPTIVE_STEP,)


def test_the_cap_stops_a_run_that_cannot_reach_the_target(tiny):
    result = simulate(tiny, target_se=1e-5, max_iterations=2500, seed=1, elimination=[0])
    assert not result.stopping.reached
    assert result.iterations == 2500 and result.stopping.checkpoints[-1] == 2500
    assert result.stopping.achieved_max_se == pytest.approx(result.std_error().max())
    small_cap = simulate(tiny, target_se=0.5, max_iterations=300, seed=1)
    assert small_cap.iterations == 300 and small_cap.stopping.checkpoints == (300,)


def test_next_checkpoint_predicts_from_one_over_root_n():
    # Target at 4x the iterations -> 4200 predicted, capped at 4x done = 4000.
    assert next_checkpoint(1000, 0.1, 0.05, 10**6) == 4000
    # Nearly there: at least one more step.
    assert next_checkpoint(1000, 0.0501, 0.05, 10**6) == 2000
    # (0.06 / 0.05)^2 * 1.05 * 10_000 = 15_120 -> rounded up to 16_000.
    assert next_checkpoint(10_000, 0.06, 0.05, 10**6) == 16_000
    assert next_checkpoint(16_000, 1.0, 0.001, 20_000) == 20_000
    assert all(next_checkpoint(n, 0.2, 0.1, 10**6) % ADAPTIVE_STEP == 0
               for n in (1000, 3000, 7000))


def test_a_fixed_run_is_unchanged_by_the_new_arguments(tiny):
    result = simulate(tiny, iterations=1234, seed=2)
    assert not isinstance(result, AdaptiveResult) and result.iterations == 1234


@pytest.mark.parametrize("kwargs, fragment", [
    ({"target_se": 0}, "target_se"),
    ({"target_se": -0.1}, "target_se"),
    ({"target_se": math.nan}, "target_se"),
    ({"target_se": math.inf}, "target_se"),
    ({"target_se": True}, "target_se"),
    ({"target_se": "0.1"}, "target_se"),
    ({"target_se": 0.1, "iterations": 100}, "iterations"),
    ({"target_se": 0.1, "max_iterations": 0}, "max_iterations"),
    ({"max_iterations": 100}, "max_iterations"),
])
def test_api_rejects_bad_adaptive_arguments(tiny, kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        simulate(tiny, **kwargs)


def test_run_with_target_se_records_the_stopping_in_the_manifest(tmp_path, write_scenario,
                                                                 capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "res"
    assert main(["run", str(path), "--target-se", "0.02", "--seed", "3", "-T", "0", "1",
                 "--no-progress", "--out", str(out)]) == 0
    assert "target SE 0.02 reached" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    adaptive = manifest["simulation"]["adaptive"]
    assert adaptive["reached"] and adaptive["target_se"] == 0.02
    assert adaptive["max_iterations"] == 1_000_000
    assert adaptive["iterations"] == manifest["simulation"]["iterations"]
    assert adaptive["checkpoints"][-1] == adaptive["iterations"]
    table = pd.read_csv(out / "expected_scores.csv")
    assert table.std_error.max() < 0.02
    assert table.std_error.max() == pytest.approx(adaptive["achieved_max_se"], rel=1e-12)


@pytest.mark.parametrize("extra, fragments", [
    (["--target-se", "0"], ["--target-se", "> 0", "0.0"]),
    (["--target-se", "-1"], ["--target-se", "-1"]),
    (["--target-se", "nan"], ["--target-se", "nan"]),
    (["--target-se", "0.1", "-n", "100"], ["--target-se", "--iterations 100"]),
    (["--max-iterations", "100"], ["--max-iterations", "--target-se"]),
    (["--target-se", "0.1", "--max-iterations", "0"], ["--max-iterations", "0"]),
])
def test_run_adaptive_bad_input(tmp_path, write_scenario, capsys, extra, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    code = main(["run", str(path), "--no-progress", "--out", str(out), *extra])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_target_drop_bounds_every_paired_difference_se():
    """target='drop' stops once every paired SE of a schedule difference is below the target,
    checked here against SimulationResult.difference for every schedule pair."""
    from swisssim.engine.simulation import difference_se_max

    scenario = load_scenario(PAPER)
    result = simulate(scenario, elimination=[0, 1, 2], seed=3, target_se=0.02, target="drop")
    assert result.stopping.reached and result.stopping.target == "drop"
    paired = max(float(result.difference(a, b)[1].max())
                 for a in range(3) for b in range(3) if a != b)
    assert paired == pytest.approx(difference_se_max(result)) and paired < 0.02
    fixed = simulate(scenario, elimination=[0, 1, 2], seed=3, iterations=result.iterations)
    assert np.array_equal(fixed.score_sum, result.score_sum)
    with pytest.raises(InputError, match="two or more schedules"):
        simulate(scenario, elimination=[0], target_se=0.02, target="drop")
    with pytest.raises(InputError, match="score, drop"):
        simulate(scenario, elimination=[0, 1], target_se=0.02, target="rank")


def test_cli_target_se_of(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", str(PAPER), "-T", "0", "2", "--target-se", "0.03", "--target-se-of",
                 "drop", "--no-progress", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["simulation"]["adaptive"]["target"] == "drop"
    assert main(["run", str(PAPER), "-T", "0", "--target-se", "0.03", "--target-se-of", "drop",
                 "--no-progress", "--out", str(tmp_path / "x")]) == 2
    assert "--target-se-of" in capsys.readouterr().err and not (tmp_path / "x").exists()
    assert main(["run", str(PAPER), "--target-se-of", "drop", "--no-progress",
                 "--out", str(tmp_path / "y")]) == 2
