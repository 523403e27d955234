"""Damage and clone probes, and the ``perturb`` command."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import InputError, Scenario
from swisssim.analysis.baselines import (
    borda_count,
    copeland,
    mean_score,
    mean_win_rate,
    normalized_mean,
)
from swisssim.analysis.compare import TIE_DIGITS
from swisssim.analysis.perturb import (
    check_clones,
    check_models,
    damaged,
    parse_assignment,
    parse_assignments,
    perturb,
    with_clones,
)
from swisssim.analysis.ranks import competition_ranks
from swisssim.cli.app import main


@pytest.fixture
def scenario():
    frame = pd.DataFrame({"model": ["p", "q", "r", "s"], "a": [0.9, 0.5, 0.7, 0.1],
                          "b": [10.0, 30.0, 20.0, 40.0], "c": [1.0, 2.0, 3.0, 4.0],
                          "unused": [1.0, 1.0, 1.0, 1.0]})
    return Scenario.from_dataframe(frame, rounds={"r1": ["a"], "r2": ["b", "c"]},
                                   lower_is_better=["b"])


def test_parse_assignment_values(scenario):
    assert parse_assignment("a=0", scenario, "perturb", "set") == ("a", 0.0)
    assert parse_assignment(" c = -1.5e1 ", scenario, "perturb", "set") == ("c", -15.0)
    assert parse_assignment("b=WORST", scenario, "perturb", "set") == ("b", "worst")


@pytest.mark.parametrize("text, fragments", [
    ("a0", ["--set", "BENCH=VALUE", "'a0'"]),
    ("zz=1", ["--set", "'zz'"]),
    ("unused=1", ["--set", "'unused'", "no round uses"]),
    ("a=high", ["--set", "'high'", "finite number"]),
    ("a=", ["--set", "''", "finite number"]),
    ("a=inf", ["--set", "'inf'"]),
    ("a=nan", ["--set", "'nan'"]),
])
def test_parse_assignment_errors(scenario, text, fragments):
    with pytest.raises(InputError) as error:
        parse_assignment(text, scenario, "--set", "")
    for fragment in fragments:
        assert fragment in str(error.value)


def test_parse_assignments_rejects_a_repeated_benchmark(scenario):
    with pytest.raises(InputError, match="'a' set twice"):
        parse_assignments(["a=1", "a=2"], scenario, "perturb", "set")


def test_check_models(scenario):
    assert check_models(["q", "p", "q"], scenario, "perturb", "models") == ["q", "p"]
    with pytest.raises(InputError, match="perturb: models.*'x'"):
        check_models(["x"], scenario, "perturb", "models")
    frame = pd.DataFrame({"model": ["p", "q", "r"], "a": [1.0, math.nan, 2.0]})
    dropping = Scenario.from_dataframe(frame, missing="drop")
    with pytest.raises(InputError, match="'q', removed by"):
        check_models(["q"], dropping, "perturb", "models")
    with pytest.raises(InputError, match="perturb: clones"):
        check_clones(-1, "perturb", "clones")


def test_damaged_sets_values_and_resolves_worst(scenario):
    changed = damaged(scenario, ["p", "r"], {"a": 0.0, "b": "worst", "c": "worst"})
    assert list(changed.scores.loc["p"]) == [0.0, 40.0, 1.0, 1.0]   # b: lower is better -> max
    assert list(changed.scores.loc["r"]) == [0.0, 40.0, 1.0, 1.0]
    pd.testing.assert_frame_equal(changed.scores.loc[["q", "s"]], scenario.scores.loc[["q", "s"]])
    assert scenario.scores.at["p", "a"] == 0.9  # the original is untouched


def test_clones_are_strictly_dominated_and_ordered(scenario):
    cloned, names = with_clones(scenario, 3)
    assert names == ["clone-1", "clone-2", "clone-3"]
    assert cloned.model_names == scenario.model_names + names
    assert list(cloned.models.loc[names, "family"]) == ["clone"] * 3
    originals, clones = cloned.scores.loc[scenario.model_names], cloned.scores.loc[names]
    for bench in ["a", "c", "unused"]:
        assert clones[bench].max() < originals[bench].min()
        assert clones[bench].is_monotonic_decreasing and clones[bench].is_unique
    assert clones["b"].min() > originals["b"].max()  # lower is better
    # step = 1% of the range: a ranges 0.1..0.9
    np.testing.assert_allclose(clones["a"], [0.1 - 0.008, 0.1 - 0.016, 0.1 - 0.024])
    # a constant benchmark steps by 1% of |worst|
    np.testing.assert_allclose(clones["unused"], [0.99, 0.98, 0.97])
    again, names2 = with_clones(cloned, 1)
    assert names2 == ["clone-1_"]


# ---------------------------------------------------------------------- damage never helps

benchmark_tables = st.integers(3, 7).flatmap(lambda m: st.tuples(
    st.lists(st.lists(st.integers(0, 4), min_size=4, max_size=4), min_size=m, max_size=m),
    st.integers(0, m - 1),
    st.lists(st.booleans(), min_size=4, max_size=4).filter(any)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(benchmark_tables)
def test_damaging_a_model_never_improves_its_rank(case):
    rows, victim, which = case
    frame = pd.DataFrame(np.array(rows, dtype=float), columns=list("abcd"))
    frame.insert(0, "model", [f"m{i}" for i in range(len(rows))])
    scenario = Scenario.from_dataframe(frame, lower_is_better=["d"])
    name = f"m{victim}"
    worst = {b: "worst" for b, hit in zip("abcd", which) if hit}
    hurt = damaged(scenario, [name], worst)
    methods = {"mean": mean_score, "win_rate": mean_win_rate, "borda": borda_count,
               "copeland": copeland, "minmax": lambda s: normalized_mean(s, "minmax")}
    for label, method in methods.items():
        before = competition_ranks(method(scenario), significant_digits=TIE_DIGITS)[name]
        after = competition_ranks(method(hurt), significant_digits=TIE_DIGITS)[name]
        assert after >= before, (label, rows, victim, worst)


# ---------------------------------------------------------------------- probes


@pytest.fixture(scope="module")
def probe():
    frame = pd.DataFrame({"model": [f"m{i}" for i in range(6)],
                          "a": [6, 5, 4, 3, 2, 1], "b": [5, 6, 3, 4, 1, 2],
                          "c": [6, 4, 5, 2, 3, 1]})
    scenario = Scenario.from_dataframe(frame, elimination=[0, 1])
    return perturb(scenario, ["m1"], {"a": 0.0, "c": 0.0}, clones=4, iterations=1500, seed=9,
                   elo_orders=20)


def test_damage_probe_tables(probe):
    summary = probe.summary()
    assert list(summary["model"].unique()) == ["m1"]
    assert list(summary["method"]) == probe.before.method_names
    mean = summary.set_index("method").loc["mean"]
    # before: m1 mean 5 (2nd); after (0 + 6 + 0) / 3 = 2: below m2, m3 (4, 3), ties m4 (2)
    assert (mean.rank_before, mean.rank_after, mean.rank_change) == (2, 4, 2)
    assert (summary["rank_after"] >= summary["rank_before"]).all()
    changes = probe.rank_changes()
    assert len(changes) == 6 * len(probe.before.method_names)
    assert changes.loc[changes.perturbed, "model"].unique().tolist() == ["m1"]
    row = changes[(changes.method == "mean") & (changes.model == "m0")].iloc[0]
    assert (row.rank_before, row.rank_after) == (1, 1) and row.score_after == pytest.approx(17 / 3)


def test_clone_probe_tables(probe):
    summary, changes = probe.clone_summary()
    table = summary.set_index("method")
    # dominated clones cannot reorder the originals under the mean, win rate, Borda, Copeland
    for method in ("mean", "win_rate", "borda", "copeland"):
        assert table.at[method, "kendall_tau_b"] == pytest.approx(1.0)
        assert table.at[method, "rank_swaps"] == 0 and table.at[method, "models_moved"] == 0
    assert (table["best_clone_rank"] == 7).all()
    assert (table["n_clones"] == 4).all()
    assert len(changes) == 6 * len(summary)
    assert (changes["rank_change"] == changes["rank_with"] - changes["rank_without"]).all()


# ---------------------------------------------------------------------- command


def test_perturb_command_end_to_end(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "p"
    assert main(["perturb", str(path), "--model", "m1", "--set", "a=0", "--set", "c=worst",
                 "--clones", "2", "-n", "300", "--seed", "5", "-T", "0", "--elo-orders", "5",
                 "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Damage probe: m1 with a=0.0, c=worst" in printed and "Clone probe: 2" in printed
    names = {p.name for p in out.iterdir()}
    assert names >= {"perturb_rank_changes.csv", "perturb_summary.csv", "clone_probe.csv",
                     "clone_rank_changes.csv", "rankings_before.csv", "rankings_after.csv",
                     "rankings_with_clones.csv", "manifest.json", "figures"}
    summary = pd.read_csv(out / "perturb_summary.csv")
    assert list(summary.columns[:5]) == ["model", "method", "rank_before", "rank_after",
                                         "rank_change"]
    assert summary.loc[summary.method == "mean", "rank_after"].item() >= \
        summary.loc[summary.method == "mean", "rank_before"].item()
    changes = pd.read_csv(out / "perturb_rank_changes.csv")
    assert len(changes) == 4 * summary["method"].nunique()
    with_clones_table = pd.read_csv(out / "rankings_with_clones.csv")
    assert len(with_clones_table) == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["perturbation"]["models"] == ["m1"]
    assert manifest["perturbation"]["values_used"] == {"a": 0.0, "c": 1.0}
    assert manifest["perturbation"]["clone_names"] == ["clone-1", "clone-2"]
    assert (out / "figures" / "perturb_probe.png").exists()


def test_perturb_clones_only(tmp_path, write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "p"
    assert main(["perturb", str(path), "--clones", "1", "-n", "100", "-T", "0",
                 "--elo-orders", "2", "--no-progress", "--out", str(out)]) == 0
    assert (out / "clone_probe.csv").exists() and not (out / "perturb_summary.csv").exists()


@pytest.mark.parametrize("extra, fragments", [
    (["--model", "nobody", "--set", "a=0"], ["--model", "'nobody'"]),
    (["--model", "m1", "--set", "zz=0"], ["--set", "'zz'"]),
    (["--model", "m1", "--set", "a0"], ["--set", "BENCH=VALUE", "'a0'"]),
    (["--model", "m1", "--set", "a=abc"], ["--set", "'abc'"]),
    (["--model", "m1", "--set", "a=inf"], ["--set", "'inf'"]),
    (["--model", "m1", "--set", "a=1", "--set", "a=2"], ["--set", "'a' set twice"]),
    (["--model", "m1"], ["--set", "none"]),
    (["--set", "a=0"], ["--model", "none"]),
    ([], ["--model", "--clones", "neither"]),
    (["--clones", "-2"], ["--clones", "-2"]),
    (["--model", "m1", "--set", "a=0", "--elo-orders", "0"], ["--elo-orders"]),
])
def test_perturb_bad_input(tmp_path, write_scenario, capsys, extra, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "p"
    code = main(["perturb", str(path), "-n", "50", "--no-progress", "--out", str(out), *extra])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)
