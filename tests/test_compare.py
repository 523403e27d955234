"""Rankings, rank correlations, rank shifts and the ``compare`` command."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import Scenario, simulate
from swisssim.analysis.compare import (
    BASELINE_METHODS,
    compare,
    correlation_matrix,
    csd_method_name,
    rank_correlations,
    rank_shifts,
)
from swisssim.analysis.ranks import competition_ranks
from swisssim.cli.app import main


def test_csd_method_names():
    assert csd_method_name("0") == "csd_T0"
    assert csd_method_name("0,1,1,2") == "csd_T0-1-1-2"
    assert csd_method_name("10%") == "csd_T10pct"
    assert csd_method_name("12.5%") == "csd_T12.5pct"


def _naive_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    concordant = discordant = ties_x = ties_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            ties_x += 1
        elif dy == 0:
            ties_y += 1
        elif dx == dy:
            concordant += 1
        else:
            discordant += 1
    n0 = concordant + discordant
    return (concordant - discordant) / np.sqrt((n0 + ties_x) * (n0 + ties_y))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correlations_match_scipy_and_a_naive_tau_b_on_random_scores(seed):
    rng = np.random.default_rng(seed)
    scores = pd.DataFrame(rng.integers(0, 6, size=(25, 3)).astype(float), columns=list("abc"))
    ranks = scores.apply(competition_ranks)
    table = rank_correlations(ranks)
    assert list(zip(table.method_a, table.method_b)) == [("a", "b"), ("a", "c"), ("b", "c")]
    for row in table.itertuples():
        x, y = scores[row.method_a].to_numpy(), scores[row.method_b].to_numpy()
        # higher score = better rank: correlation of ranks = correlation of scores
        tau = stats.kendalltau(x, y, variant="b")
        rho = stats.spearmanr(x, y)
        assert row.kendall_tau_b == pytest.approx(tau.statistic, abs=1e-12)
        assert row.kendall_p == pytest.approx(tau.pvalue, rel=1e-9)
        assert row.spearman_rho == pytest.approx(rho.statistic, abs=1e-12)
        assert row.kendall_tau_b == pytest.approx(_naive_tau_b(x, y), abs=1e-12)
        assert row.n_models == 25


def test_identical_reversed_and_constant_rankings():
    ranks = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "r": [5, 4, 3, 2, 1],
                          "c": [1, 1, 1, 1, 1]})
    table = rank_correlations(ranks).set_index(["method_a", "method_b"])
    assert table.loc[("a", "b"), "kendall_tau_b"] == pytest.approx(1.0)
    assert table.loc[("a", "b"), "spearman_rho"] == pytest.approx(1.0)
    assert table.loc[("a", "b"), "max_abs_rank_diff"] == 0
    assert table.loc[("a", "r"), "kendall_tau_b"] == pytest.approx(-1.0)
    assert table.loc[("a", "r"), "spearman_rho"] == pytest.approx(-1.0)
    assert table.loc[("a", "r"), "max_abs_rank_diff"] == 4
    assert np.isnan(table.loc[("a", "c"), "kendall_tau_b"])
    matrix = correlation_matrix(rank_correlations(ranks), "kendall_tau_b")
    assert list(matrix.index) == ["a", "b", "r", "c"]
    assert np.allclose(np.diag(matrix), 1.0)
    assert matrix.loc["r", "a"] == matrix.loc["a", "r"] == pytest.approx(-1.0)


@pytest.fixture(scope="module")
def tiny_comparison():
    frame = pd.DataFrame({"model": ["m1", "m2", "m3", "m4", "m5"],
                          "a": [3, 2, 1, 1, 0], "b": [1, 3, 2, 1, 0], "c": [2, 1, 3, 1, 0]})
    scenario = Scenario.from_dataframe(frame, elimination=[0, 1])
    return compare(scenario, iterations=2000, seed=4, elo_orders=20)


def test_compare_has_every_method_and_the_csd_scores_of_simulate(tiny_comparison):
    c = tiny_comparison
    assert c.method_names == [m.name for m in BASELINE_METHODS] + ["csd_T0", "csd_T1"]
    assert list(c.scores.index) == ["m1", "m2", "m3", "m4", "m5"]
    result = simulate(c.scenario, iterations=2000, seed=4, elimination=[0, 1])
    np.testing.assert_array_equal(c.scores["csd_T1"], result.expected()[1])
    # m5 is last on every benchmark: every method ranks it last, alone
    assert (c.ranks.loc["m5"] == 5).all()
    assert (c.ranks.loc[["m1", "m2", "m3", "m4"]] < 5).all().all()
    assert c.elo_fit.orders == 20 and c.elo_fit.seed == 4


def test_rankings_table_layout(tiny_comparison):
    table = tiny_comparison.rankings()
    assert list(table.columns[:3]) == ["model", "display_name", "family"]
    for name in tiny_comparison.method_names:
        assert f"{name}_score" in table.columns and f"{name}_rank" in table.columns
    assert table["csd_T0_rank"].is_monotonic_increasing
    assert sorted(table["model"]) == ["m1", "m2", "m3", "m4", "m5"]


def test_rank_shifts_sign_and_order(tiny_comparison):
    shifts = rank_shifts(tiny_comparison)
    assert list(dict.fromkeys(shifts["method"])) == ["csd_T0", "csd_T1"]
    ranks = tiny_comparison.ranks
    for row in shifts.itertuples():
        assert row.shift == ranks.at[row.model, "mean"] - ranks.at[row.model, row.method]
    for _, part in shifts.groupby("method", sort=False):
        assert part["abs_shift"].is_monotonic_decreasing


def test_compare_command_end_to_end(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "cmp"
    assert main(["compare", str(path), "-n", "400", "--seed", "2", "-T", "0", "10%",
                 "--elo-orders", "10", "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Kendall tau-b" in printed and "T10pct" in printed
    rankings = pd.read_csv(out / "rankings.csv")
    assert len(rankings) == 4
    assert {"mean_score", "mean_rank", "bt_rank", "elo_score", "csd_T0_score",
            "csd_T10pct_rank"} <= set(rankings.columns)
    rank_columns = [c for c in rankings.columns if c.endswith("_rank")]
    assert rankings[rank_columns].min().min() >= 1 and rankings[rank_columns].max().max() <= 4
    correlations = pd.read_csv(out / "rank_correlations.csv")
    n_methods = len(rank_columns)
    assert len(correlations) == n_methods * (n_methods - 1) // 2
    assert correlations["kendall_tau_b"].dropna().between(-1, 1).all()
    shifts = pd.read_csv(out / "rank_shifts.csv")
    assert set(shifts["method"]) == {"csd_T0", "csd_T10pct"} and len(shifts) == 8
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "compare" and manifest["simulation"]["seed"] == 2
    assert "scipy" in manifest["environment"]
    assert manifest["comparison"]["elo"]["orders"] == 10
    assert manifest["comparison"]["elo"]["k_factor"] == 16.0
    assert "alpha" in manifest["comparison"]["bradley_terry"]
    for stem in ("bump_chart", "rank_correlations"):
        for ext in ("png", "svg"):
            assert (out / "figures" / f"{stem}.{ext}").stat().st_size > 0


def test_compare_default_folder(tmp_path, write_scenario, monkeypatch):
    path = write_scenario(TINY_TOML, TINY_CSV)
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(path), "-n", "100", "-T", "0", "--elo-orders", "2",
                 "--no-progress"]) == 0
    assert (tmp_path / "swisssim-results" / "tiny" / "compare" / "rankings.csv").exists()


@pytest.mark.parametrize("extra, fragments", [
    (["--elo-orders", "0"], ["--elo-orders", "0"]),
    (["--elo-k", "-1"], ["--elo-k", "-1"]),
    (["--elo-k", "nan"], ["--elo-k", "nan"]),
    (["--top", "0"], ["--top", "0"]),
    (["-T", "x"], ["--elimination", "'x'"]),
    (["--iterations", "0"], ["--iterations", "0"]),
])
def test_compare_bad_options(tmp_path, write_scenario, capsys, extra, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "cmp"
    code = main(["compare", str(path), "--no-progress", "--out", str(out), *extra])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_bump_chart_samples_its_thin_lines_evenly_on_a_huge_field():
    """Above ``background`` unlabelled models the chart draws one in k of them, in the order
    of the sort method (the smallest k that fits), and says so; a small field draws them all."""
    import matplotlib

    matplotlib.use("Agg")
    from swisssim.plots.compare import bump_chart

    rng = np.random.default_rng(11)
    n = 1000
    key = rng.permutation(n) + 1                       # ranks under the sort method
    table = pd.DataFrame({"a": rng.permutation(n) + 1, "b": key})
    families, labels = ["f"] * n, [f"m{i}" for i in range(n)]

    def thin_rows(figure):
        lines = [line for line in figure.axes[0].get_lines() if line.get_linewidth() < 1]
        # each thin line is one model: recover it from its y values
        return {int(np.flatnonzero(key == line.get_ydata()[1])[0]) for line in lines}

    figure = bump_chart(table, families, labels, sort_by="b", top=5, movers=0, background=100)
    by_key = [int(i) for i in np.argsort(key, kind="stable")][5:]    # the 995 unlabelled
    step = -(-995 // 100)                                            # 10
    assert thin_rows(figure) == set(by_key[::step]) and len(by_key[::step]) == 100
    assert f"one in {step} of the other 995 models" in figure.axes[0].get_title()
    small = bump_chart(table.iloc[:50], families[:50], labels[:50], sort_by="b", top=5,
                       movers=0)
    assert len([x for x in small.axes[0].get_lines() if x.get_linewidth() < 1]) == 45
    assert "one in" not in small.axes[0].get_title()
