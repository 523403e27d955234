"""Order sensitivity: which orders, common random numbers, ranks, taus, CLI and bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import Scenario, simulate
from swisssim.analysis.orders import (
    OrdersResult,
    _unrank,
    evaluate_orders,
    order_permutations,
)
from swisssim.cli.app import main
from swisssim.errors import InputError


def _frame(columns: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame({"model": [f"m{i}" for i in range(len(next(iter(columns.values()))))],
                         **columns})


def test_identical_rounds_give_the_same_ranking_under_every_order():
    scores = [5.0, 3.0, 3.0, 1.0, 4.0]
    scenario = Scenario.from_dataframe(_frame({b: scores for b in "abcd"}))
    result = evaluate_orders(scenario, samples=100, iterations=400, seed=5,
                             elimination=[0, 1])
    assert result.exhaustive and result.n_orders == 24
    assert np.all(result.kendall_taus() == 1.0)
    # Same matrix and same streams: every order is the same tournament.
    assert np.all(result.score_sum == result.score_sum[0])
    table = result.sensitivity()
    assert np.all(table.sd_score == 0.0)
    assert np.all(table.min_score == table.max_score)
    assert np.all(table.best_order == 0) and np.all(table.worst_order == 0)


def test_three_rounds_enumerate_all_six_orders_once():
    orders, exhaustive = order_permutations(3, 500, seed=1)
    assert exhaustive
    assert [tuple(o) for o in orders] == list(itertools.permutations(range(3)))
    assert tuple(orders[0]) == (0, 1, 2)
    orders, exhaustive = order_permutations(3, 6, seed=1)
    assert exhaustive and len(orders) == 6
    orders, exhaustive = order_permutations(3, 5, seed=1)
    assert not exhaustive and len({tuple(o) for o in orders}) == 5
    assert tuple(orders[0]) == (0, 1, 2)


@pytest.mark.parametrize("n_rounds", [5, 12, 22])
def test_sampled_orders_are_distinct_seeded_and_start_with_the_curated_one(n_rounds):
    orders, exhaustive = order_permutations(n_rounds, 40, seed=3)
    assert not exhaustive and orders.shape == (40, n_rounds)
    assert tuple(orders[0]) == tuple(range(n_rounds))
    assert len({tuple(o) for o in orders}) == 40
    assert all(sorted(o) == list(range(n_rounds)) for o in orders.tolist())
    again, _ = order_permutations(n_rounds, 40, seed=3)
    other, _ = order_permutations(n_rounds, 40, seed=4)
    assert np.array_equal(orders, again) and not np.array_equal(orders, other)


def test_unrank_lists_permutations_in_lexicographic_order():
    expected = [list(p) for p in itertools.permutations(range(4))]
    assert [_unrank(i, 4) for i in range(24)] == expected


def test_each_order_equals_simulating_the_reordered_scenario():
    frame = pd.read_csv(pd.io.common.StringIO(TINY_CSV))
    scenario = Scenario.from_dataframe(frame)
    result = evaluate_orders(scenario, samples=10, iterations=700, seed=9, elimination=[0, 1])
    for p in (0, 3, 5):
        rounds = {frame.columns[1 + k]: [frame.columns[1 + k]] for k in result.orders[p]}
        reordered = Scenario.from_dataframe(frame, rounds=rounds)
        direct = simulate(reordered, iterations=700, seed=9, elimination=[0, 1])
        assert np.array_equal(result.score_sum[p], direct.score_sum)
        np.testing.assert_array_equal(result.std_error[p], direct.std_error())


def test_sensitivity_statistics_on_hand_built_scores():
    scenario = Scenario.from_dataframe(_frame({"a": [1, 2, 3], "b": [3, 2, 1]}))
    # Three orders (two of them repeat for the sake of the test), one schedule, three models.
    sums = np.array([[[4, 4, 2]], [[6, 2, 2]], [[2, 4, 6]]], dtype=np.int64)
    result = OrdersResult(
        scenario=scenario, schedules=simulate(scenario, iterations=10).schedules[:1],
        orders=np.array([[0, 1], [1, 0], [1, 0]]), exhaustive=False, iterations=2, seed=0,
        tie_break="random", threads=1, top_k=2, score_sum=sums, expected=sums / 4.0,
        std_error=np.full(sums.shape, 0.1), wall_time=0.0)
    assert result.ranks()[:, 0].tolist() == [[1, 1, 3], [1, 2, 2], [3, 2, 1]]
    table = result.sensitivity().set_index("model")
    assert table.loc["m0", "curated_score"] == 1.0 and table.loc["m0", "curated_rank"] == 1
    assert table.loc["m0", "p_rank_first"] == pytest.approx(2 / 3)   # tied first counts
    assert table.loc["m1", "p_rank_first"] == pytest.approx(1 / 3)
    assert table.loc["m2", "p_top_k"] == pytest.approx(2 / 3)
    assert table.loc["m0", "best_order"] == 1 and table.loc["m0", "worst_order"] == 2
    assert table.loc["m1", "best_order"] == 0                         # first maximum wins
    assert table.loc["m0", "sd_score"] == pytest.approx(np.std([1, 1.5, 0.5], ddof=1))
    assert table.loc["m0", "mean_score"] == pytest.approx(1.0)
    # Means: m0 1.0, m1 10/12, m2 10/12 -> marginal ranks 1, 2, 2.
    assert table.marginal_rank.tolist() == [1, 2, 2]
    taus = result.kendall_taus()[:, 0]
    assert taus[0] == 1.0 and taus[2] < 0


def test_orders_command_end_to_end(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "orders"
    assert main(["orders", str(path), "--samples", "50", "-n", "300", "--seed", "2",
                 "-T", "0", "1", "--top", "2", "--no-progress", "--out", str(out)]) == 0
    assert "Kendall tau-b" in capsys.readouterr().out
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == {"order_sensitivity.csv", "order_taus.csv", "order_scores.csv",
                     "order_spread.png", "order_spread.svg", "manifest.json"}
    table = pd.read_csv(out / "order_sensitivity.csv", dtype={"elimination": str})
    assert len(table) == 4 * 2 and set(table.elimination) == {"0", "1"}
    assert (table.p_top_k >= table.p_rank_first).all() and (table.top_k == 2).all()
    assert (table.min_score <= table.curated_score).all()
    assert (table.curated_score <= table.max_score).all()
    taus = pd.read_csv(out / "order_taus.csv", dtype={"elimination": str})
    assert len(taus) == 6 * 2 and taus.order_id.nunique() == 6
    assert taus[taus.curated].kendall_tau.eq(1.0).all()
    scores = pd.read_csv(out / "order_scores.csv")
    assert len(scores) == 6 * 2 * 4
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "orders"
    assert manifest["orders"]["exhaustive"] and manifest["orders"]["n_orders"] == 6
    assert manifest["orders"]["seed"] == 2 and manifest["orders"]["iterations_per_order"] == 300
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_orders_default_folder_and_schedule(tmp_path, write_scenario, monkeypatch):
    path = write_scenario(TINY_TOML, TINY_CSV)
    monkeypatch.chdir(tmp_path)
    assert main(["orders", str(path), "-n", "100", "--no-progress"]) == 0
    table = pd.read_csv(tmp_path / "swisssim-results" / "tiny" / "orders" / "order_sensitivity.csv",
                        dtype={"elimination": str})
    assert set(table.elimination) == {"0"}


@pytest.mark.parametrize("extra, fragments", [
    (["--samples", "0"], ["--samples", "positive integer", "0"]),
    (["--samples", "-4"], ["--samples", "-4"]),
    (["--top", "0"], ["--top", "from 1 to 4", "0"]),
    (["--top", "9"], ["--top", "9"]),
    (["-n", "0"], ["--iterations", "positive integer"]),
    (["-T", "-1"], ["--elimination", "-1"]),
    (["--threads", "0"], ["--threads"]),
])
def test_orders_bad_input_is_a_clean_failure(tmp_path, write_scenario, capsys, extra, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    code = main(["orders", str(path), "--no-progress", "--out", str(out), *extra])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_api_rejects_bad_orders_and_samples():
    scenario = Scenario.from_dataframe(_frame({"a": [1, 2], "b": [2, 1]}))
    with pytest.raises(InputError, match="samples"):
        evaluate_orders(scenario, samples=0, top_k=1)
    with pytest.raises(InputError, match="permutations"):
        evaluate_orders(scenario, orders=np.array([[0, 0]]), iterations=10, top_k=1)
    with pytest.raises(InputError, match="top_k"):
        evaluate_orders(scenario, top_k=3, iterations=10)
