"""Failure Sensitivity Analysis: risk metrics, labels, common random numbers, the sweep command."""

from __future__ import annotations

import json
import statistics

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import load_scenario
from swisssim.analysis.sweep import (
    classify,
    drop_trend,
    least_squares_slope,
    rank_column,
    risk_profile,
    sweep,
)
from swisssim.cli.app import main
from swisssim.errors import InputError
from swisssim.io.readback import read_sweep_folder

PAPER = REPO / "scenarios" / "paper_synthetic.toml"

# Hand-built sweep: 5 models x schedules T = 0, 1, 2 over K = 3 rounds of 5 models.
HAND = {  # model: (E[S | T=0], E[S | T=1], E[S | T=2])
    "A": (5.0, 4.9, 4.8),   # high base, drop -0.2          -> robust generalist
    "B": (4.0, 3.0, 2.0),   # high base, drop -2.0          -> aggressive specialist
    "E": (3.0, 2.6, 2.3),   # median base, median drop -0.7 -> average risk
    "C": (2.5, 2.0, 1.5),   # low base, drop -1.0           -> fragile underdog
    "D": (1.0, 0.5, 0.6),   # low base, drop -0.4           -> steady underdog
}


def hand_table(order=("0", "1", "2")) -> pd.DataFrame:
    totals = {"0": 0, "1": 3, "2": 6}
    rows = [{"model": m, "elimination": s, "expected_score": HAND[m][int(s)], "std_error": 0.01,
             "total_eliminations": totals[s], "eliminations_per_round": totals[s] / 3,
             "family": "F" + m.lower(), "display_name": m}
            for s in order for m in HAND]
    return pd.DataFrame(rows)


def test_risk_metrics_from_a_hand_built_table():
    risk = risk_profile(hand_table()).set_index("model")
    assert list(risk.index) == list(HAND)
    assert (risk["base_schedule"] == "0").all() and (risk["most_schedule"] == "2").all()
    np.testing.assert_allclose(risk["base_score"], [5.0, 4.0, 3.0, 2.5, 1.0])
    np.testing.assert_allclose(risk["drop"], [-0.2, -2.0, -0.7, -1.0, -0.4], atol=1e-12)
    np.testing.assert_allclose(risk["relative_drop"], [-0.04, -0.5, -0.7 / 3, -0.4, -0.4])
    # x = mean eliminations per round = T; slopes by hand: (y2 - y0) / 2 when y1 is midway
    np.testing.assert_allclose(risk["slope"], [-0.1, -1.0, -0.35, -0.5, -0.2], atol=1e-12)
    np.testing.assert_allclose(risk["drop_se"], np.sqrt(2) * 0.01)   # independent schedules
    np.testing.assert_allclose(risk["unpaired_drop_se"], np.sqrt(2) * 0.01)
    assert risk.loc[["A", "B", "E", "C", "D"], "rank_T0"].tolist() == [1, 2, 3, 4, 5]
    assert risk.loc[["A", "E", "B", "C", "D"], "rank_T2"].tolist() == [1, 2, 3, 4, 5]
    assert risk.loc["B", "rank_change"] == 1
    assert risk["base_tier"].tolist() == ["upper", "upper", "upper", "lower", "lower"]
    # Theil-Sen by hand: the ten pairwise slopes sorted are -1.3, -2/3, -0.533, -0.4, -0.15,
    # 0.05, 0.25, 0.32, 0.6, 1.8, median -0.05; drop + 0.05 base = 0.05, -1.8, -0.55, -0.875,
    # -0.35, median -0.55. Expected drops -0.8, -0.75, -0.7, -0.675, -0.6; offsets 0.6, -1.25,
    # 0, -0.325, 0.2; MAD 0.325, so the practical threshold is
    # max(0.07, 1.5 * 1.4826 * 0.325) = 0.723: only B's drop is practically large.
    np.testing.assert_allclose(risk["drop_expected"], [-0.8, -0.75, -0.7, -0.675, -0.6])
    np.testing.assert_allclose(risk["drop_offset"], [0.6, -1.25, 0.0, -0.325, 0.2], atol=1e-12)
    np.testing.assert_allclose(risk["label_delta"], 1.5 * 1.4826 * 0.3)
    assert risk["drop_class"].tolist() == ["typical", "large", "typical", "typical", "typical"]
    assert risk["profile"].tolist() == ["average risk", "aggressive specialist",
                                        "average risk", "average risk", "average risk"]
    quadrants = classify(risk["base_score"], risk["drop"], risk["drop_se"], delta=0.2)
    assert quadrants["profile"].tolist() == ["robust generalist", "aggressive specialist",
                                             "average risk", "fragile underdog",
                                             "steady underdog"]
    assert risk.loc["E", "mc_drop_z"] == pytest.approx(0.0, abs=1e-9)
    assert risk.loc["A", "mc_drop_z"] == pytest.approx(0.6 / (np.sqrt(2) * 0.01))
    # Against the median drop -0.7 (the rule without the trend): offsets 0.5, -1.3, 0, -0.3, 0.3.
    median = classify(risk["base_score"], risk["drop"], risk["drop_se"], reference="median")
    np.testing.assert_allclose(median["drop_offset"], [0.5, -1.3, 0.0, -0.3, 0.3], atol=1e-12)
    np.testing.assert_allclose(median["label_delta"], 1.5 * 1.4826 * 0.3)


def naive_theil_sen(x, y):
    """Median of all pairwise slopes (pairs with equal x left out), median intercept."""
    slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x))
              if x[j] != x[i]]
    slope = statistics.median(slopes) if slopes else 0.0
    return slope, statistics.median(yi - slope * xi for xi, yi in zip(x, y))


def test_drop_trend_is_the_theil_sen_line_and_removes_the_base_score():
    """The trend matches a naive Theil-Sen; on a field whose drops follow the base score plus
    noise, offsets from the median drop rank like the base score, offsets from the trend do not
    (the labels then say something the base score does not)."""
    rng = np.random.default_rng(3)
    base = rng.uniform(0, 10, 60)
    base[:5] = base[0]                                   # ties in x are left out of the slopes
    drop = -0.3 * base + rng.normal(0, 0.4, 60)
    assert drop_trend(base, drop) == pytest.approx(naive_theil_sen(base, drop))
    assert drop_trend(np.ones(4), np.arange(4.0)) == (0.0, 1.5)
    from scipy.stats import spearmanr

    trend = classify(base, drop, np.full(60, 1e-3))
    median = classify(base, drop, np.full(60, 1e-3), reference="median")
    assert spearmanr(median["drop_offset"], base)[0] < -0.8
    assert abs(spearmanr(trend["drop_offset"], base)[0]) < 0.3
    # Above TREND_MODELS models the line is fit on an even subset, still close to the truth.
    many = np.linspace(0, 10, 3000)
    slope, _ = drop_trend(many, -0.3 * many + rng.normal(0, 0.4, 3000))
    assert slope == pytest.approx(-0.3, abs=0.02)


def test_paired_standard_errors_use_the_covariance():
    variance = 0.01 ** 2
    covariance = np.zeros((3, 3, 5))
    for s in range(3):
        covariance[s, s] = variance
    covariance[0, 2] = covariance[2, 0] = 0.5 * variance     # correlation 0.5 between T=0, T=2
    risk = risk_profile(hand_table(), covariance)
    np.testing.assert_allclose(risk["drop_se"], 0.01)
    np.testing.assert_allclose(risk["unpaired_drop_se"], np.sqrt(2) * 0.01)
    # slope weights (-1/2, 0, 1/2): variance (v + v - 2 * 0.5 v) / 4
    np.testing.assert_allclose(risk["slope_se"], np.sqrt(variance / 4))


def test_severity_not_listing_order_picks_base_and_most():
    risk = risk_profile(hand_table(order=("2", "0", "1")))
    assert risk["base_schedule"].iloc[0] == "0" and risk["most_schedule"].iloc[0] == "2"
    np.testing.assert_allclose(risk["drop"], [-0.2, -2.0, -0.7, -1.0, -0.4], atol=1e-12)
    assert list(risk.columns[risk.columns.str.startswith("rank_T")]) == [
        "rank_T2", "rank_T0", "rank_T1"]


def median_rule(*args, **kwargs):
    """The profile rule with offsets from the median drop: these tests are about the test and
    the threshold, on hand-made drops that follow the base score exactly."""
    return classify(*args, reference="median", **kwargs)


def test_labels_need_significance_and_a_contrast():
    base = np.array([3.0, 2.0, 1.0])
    drop = np.array([-1.0, -1.05, -1.1])
    # Holm over 3 models: offsets +-0.05 with SE 0.04 are not significant.
    assert median_rule(base, drop, np.full(3, 0.04), delta=0.01)["profile"].tolist() == [
        "average risk"] * 3
    tight = median_rule(base, drop, np.full(3, 0.01), delta=0.01)
    assert tight["profile"].tolist() == ["robust generalist", "average risk", "fragile underdog"]
    flat = median_rule(base, drop, np.full(3, 0.01), contrast=False)
    assert flat["profile"].tolist() == ["no contrast"] * 3


def test_labels_need_a_practical_effect_whatever_the_precision():
    """Significant but tiny offsets stay typical: more iterations (smaller SE) cannot make a
    0.015-point difference 'large' once the threshold exceeds it."""
    base = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    drop = np.array([-0.170, -0.185, -0.175, -0.160, -0.176])
    for se in (1e-2, 1e-3, 1e-6):
        labels = median_rule(base, drop, np.full(5, se))
        assert labels["drop_class"].tolist() == ["typical"] * 5
        assert labels["label_delta"].iloc[0] == pytest.approx(0.0175)   # 10% of the median
    # A drop beyond the threshold is large once, and only once, it is also significant.
    drop[1] = -0.30
    assert median_rule(base, drop, np.full(5, 0.1))["drop_class"].tolist()[1] == "typical"
    assert median_rule(base, drop, np.full(5, 1e-3))["drop_class"].tolist()[1] == "large"


def test_holm_controls_the_labels_multiplicity():
    """Each offset alone has |z| = 2.2 > 1.96, but Holm over 5 models needs more."""
    base = np.arange(5.0, 0.0, -1.0)
    drop = np.array([-1.0, -1.22, -1.0, -0.78, -1.0])
    labels = median_rule(base, drop, np.full(5, 0.1), delta=0.01)
    np.testing.assert_allclose(labels["mc_drop_z"], [0, -2.2, 0, 2.2, 0], atol=1e-9)
    assert labels["drop_class"].tolist() == ["typical"] * 5
    assert median_rule(base, drop, np.full(5, 0.05), delta=0.01)["drop_class"].tolist() == [
        "typical", "large", "typical", "small", "typical"]


def test_labels_are_stable_between_seeds_on_helm_capabilities():
    """The issue's stability bar: at 20,000 iterations two seeds disagree on at most 1 of the 65
    HELM Capabilities labels (over seeds 1..14, 0.41 labels on average, at most 2)."""
    scenario = load_scenario(REPO / "scenarios" / "helm_capabilities.toml")
    first, second = (sweep(scenario, iterations=20_000, seed=seed, threads=1).risk_profile()
                     for seed in (1, 2))
    assert len(first) == 65
    assert int((first["profile"] != second["profile"]).sum()) <= 1


def test_slope_is_nan_without_two_distinct_x():
    slope, se = least_squares_slope(np.array([1.0, 1.0]), np.ones((2, 4)), np.zeros((2, 2, 4)))
    assert np.isnan(slope).all() and np.isnan(se).all()


def test_rank_column_names():
    assert rank_column("0") == "rank_T0"
    assert rank_column("0,1,1,2") == "rank_T0-1-1-2"
    assert rank_column("12.5%") == "rank_T12.5pct"


def test_common_random_numbers_shrink_the_standard_error_of_the_drop():
    scenario = load_scenario(PAPER)
    # Schedules that diverge only after round 7: paired tournaments share rounds 1-7 exactly.
    late = sweep(scenario, elimination=["0", "0,0,0,0,0,0,2,0,0,0,0,0"], iterations=4000, seed=11)
    risk = late.risk_profile()
    ratio = risk["drop_se"] / risk["unpaired_drop_se"]
    assert ratio.median() < 0.7
    assert (ratio <= 1.0).all()
    # The paper's sweep: T = 1 and T = 2 stay correlated; T = 0 vs T = 2 only slightly.
    result = sweep(scenario, elimination=[0, 1, 2], iterations=4000, seed=11).result
    error = result.std_error()
    _, paired = result.difference(1, 2)
    assert np.median(paired / np.hypot(error[1], error[2])) < 0.95
    _, paired = result.difference(0, 2)
    assert np.median(paired / np.hypot(error[0], error[2])) < 1.0


def test_elimination_after_the_lone_bottom_model_changes_nothing():
    # 29 models: from round 6 on the bottom score groups are singletons, which take 0-point byes;
    # eliminating them changes no score (a useful invariant of the bye rule).
    scenario = load_scenario(PAPER)
    risk = sweep(scenario, elimination=["0", "0,0,0,0,0,0,0,0,0,0,2,0"], iterations=500, seed=2).risk_profile()
    assert (risk["drop"] == 0).all() and (risk["drop_se"] == 0).all()


# -- the command ---------------------------------------------------------------------------------

def _sweep(tmp_path, path, *extra):
    out = tmp_path / "sweep"
    code = main(["sweep", str(path), "--no-progress", "--out", str(out), *extra])
    return code, out


def test_sweep_writes_tables_manifest_and_figures(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)   # no schedules of its own: T = 0, 1, 2
    code, out = _sweep(tmp_path, path, "-n", "600", "--seed", "4")
    assert code == 0
    printed = capsys.readouterr()
    assert "profile" in printed.out and "results in" in printed.err
    frames = read_sweep_folder(out)
    table = frames.sweep
    assert table["elimination"].unique().tolist() == ["0", "1", "2"]
    assert len(table) == 3 * 4
    assert {"model", "elimination", "expected_score", "std_error", "mc_ci_low", "mc_ci_high",
            "expected_rank", "family", "display_name", "total_eliminations"} <= set(table.columns)
    assert table.groupby("elimination")["total_eliminations"].first().to_dict() == {
        "0": 0, "1": 3, "2": 3}    # 4 models: T = 2 is capped at 2, 1 (last model stays)
    risk = frames.risk
    assert len(risk) == 4 and {"rank_T0", "rank_T1", "rank_T2", "drop_se",
                               "unpaired_drop_se", "relative_drop", "slope"} <= set(risk.columns)
    assert set(risk["profile"]) <= {"robust generalist", "aggressive specialist",
                                    "steady underdog", "fragile underdog", "average risk"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "sweep"
    assert manifest["simulation"]["seed"] == 4 and manifest["simulation"]["iterations"] == 600
    info = manifest["sweep"]
    assert info["base_schedule"] == "0" and info["most_schedule"] == "2"
    assert info["total_eliminations"] == {"0": 0, "1": 3, "2": 3}
    assert info["removed_model_rounds"] == {"0": 0, "1": 3, "2": 5}   # 2*2 + 1*1
    assert info["profile_rule"]["z"] == pytest.approx(1.959964, abs=1e-6)
    # 4 figures as PNG + SVG, and the hover positions of the two scatter figures' points
    points = ["risk_profile.points.json", "sensitivity.points.json"]
    assert len(info["figures"]) == 8 + len(points)
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted([
        f"{s}.{e}" for s in ("sensitivity", "risk_profile", "survival", "rank_distribution")
        for e in ("png", "svg")] + points)
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_sweep_risk_profile_matches_the_result_object(tmp_path, write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, out = _sweep(tmp_path, path, "-n", "800", "--seed", "9", "-T", "0", "1",
                       "--no-figures")
    assert code == 0 and not (out / "figures").exists()
    written = pd.read_csv(out / "risk_profile.csv")
    result = sweep(load_scenario(path), elimination=[0, 1], iterations=800, seed=9).result
    drop, paired = result.difference(0, 1)
    np.testing.assert_allclose(written["drop"], drop, rtol=1e-12)
    np.testing.assert_allclose(written["drop_se"], paired, rtol=1e-12)


def test_an_all_zero_schedule_reproduces_run_exactly(tmp_path, write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, out = _sweep(tmp_path, path, "-n", "1500", "--seed", "5", "-T", "0,0,0", "1", "2",
                       "--no-figures")
    assert code == 0
    assert main(["run", str(path), "-n", "1500", "--seed", "5", "-T", "0", "--no-progress",
                 "--out", str(tmp_path / "run")]) == 0
    swept = pd.read_csv(out / "sweep.csv", dtype={"elimination": str})
    swept = swept[swept["elimination"] == "0,0,0"].reset_index(drop=True)
    ran = pd.read_csv(tmp_path / "run" / "expected_scores.csv")
    assert swept["model"].tolist() == ran["model"].tolist()
    assert swept["expected_score"].tolist() == ran["expected_score"].tolist()
    assert swept["std_error"].tolist() == ran["std_error"].tolist()


def test_a_single_schedule_is_allowed_and_says_drop_is_zero(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, out = _sweep(tmp_path, path, "-n", "300", "-T", "1", "--no-figures")
    assert code == 0
    assert "single schedule" in capsys.readouterr().err
    risk = pd.read_csv(out / "risk_profile.csv")
    assert (risk["drop"] == 0).all() and (risk["profile"] == "no contrast").all()
    assert risk["slope"].isna().all()


def test_a_schedule_that_would_leave_nobody_is_capped_and_reported(tmp_path, write_scenario,
                                                                    capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, out = _sweep(tmp_path, path, "-n", "300", "-T", "0", "100", "--no-figures")
    assert code == 0
    err = capsys.readouterr().err
    assert "T=100: the field of 4 models is too small" in err
    assert "asks for 300 eliminations, capped at 3" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert any("capped at 3" in note for note in manifest["simulation"]["degenerate"])
    assert manifest["simulation"]["schedules"][1]["effective_quotas"] == [3, 0, 0]


@pytest.mark.parametrize("argv, fragments", [
    (["-T", "0", "-1"], ["--elimination: [1]", "-1"]),
    (["-T", "0", "1,2"], ["--elimination: [1]", "3 non-negative", "2 values"]),
    (["-T", "150%"], ["--elimination: [0]", "'150%'"]),
    (["--elimination=-5%"], ["--elimination: [0]", "'-5%'"]),
    (["-T", "x"], ["--elimination: [0]", "'x'"]),
    (["-T", "1", "1"], ["--elimination", "distinct"]),
    (["--label-z", "0"], ["--label-z", "positive", "0"]),
    (["--label-z", "nan"], ["--label-z", "nan"]),
    (["-n", "0"], ["--iterations", "0"]),
    (["--dpi", "5"], ["--dpi", "5"]),
])
def test_bad_sweep_input_fails_cleanly(tmp_path, write_scenario, capsys, argv, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, out = _sweep(tmp_path, path, *argv)
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_sweep_api_validates_z():
    with pytest.raises(InputError, match="positive"):
        sweep(load_scenario(PAPER), z=-1.0)


def test_equal_totals_are_ordered_by_how_early_models_leave(write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)          # 4 models, 3 rounds
    result = sweep(load_scenario(path), elimination=["3", "0,0,3", "0", "1"], iterations=300, seed=3)
    table = result.table().drop_duplicates("elimination").set_index("elimination")
    assert table["total_eliminations"].to_dict() == {"3": 3, "0,0,3": 3, "0": 0, "1": 3}
    assert table["removed_model_rounds"].to_dict() == {"3": 6, "0,0,3": 0, "0": 0, "1": 3}
    risk = result.risk_profile()
    assert risk["base_schedule"].iloc[0] == "0" and risk["most_schedule"].iloc[0] == "3"
    # eliminating after the last round changes no score
    wide = result.table().pivot(index="model", columns="elimination", values="expected_score")
    assert (wide["0,0,3"] == wide["0"]).all()


def test_schedules_differing_only_in_timing_are_flagged(write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)
    result = sweep(load_scenario(path), elimination=["0,2,0", "2,0,0"], iterations=200, seed=3)
    assert result.risk_profile()["most_schedule"].iloc[0] == "2,0,0"
    assert any("only how early" in note for note in result.notes())
    flat = sweep(load_scenario(path), elimination=["1", "1,1,1"], iterations=200, seed=3)
    assert any("identical effective quotas" in note for note in flat.notes())
    assert any("same timing" in note for note in flat.notes())
    assert (flat.risk_profile()["profile"] == "no contrast").all()


def test_default_output_folder_does_not_clobber_run(tmp_path, write_scenario, monkeypatch):
    path = write_scenario(TINY_TOML, TINY_CSV)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), "-n", "100", "--no-progress"]) == 0
    before = (tmp_path / "swisssim-results" / "tiny" / "run" / "survival.csv").read_bytes()
    assert main(["sweep", str(path), "-n", "100", "-T", "0", "2", "--no-progress",
                 "--no-figures"]) == 0
    assert (tmp_path / "swisssim-results" / "tiny" / "sweep" / "sweep.csv").exists()
    assert (tmp_path / "swisssim-results" / "tiny" / "run" / "survival.csv").read_bytes() == before
