"""The report shows its evidence: the input scores with per-benchmark ranks, raw values for
lower-is-better benchmarks, explanations generated from the data, no z statistic without a
standard error."""

from __future__ import annotations

import io
import re
import sys

import numpy as np
import pandas as pd
import pytest

from swisssim import Scenario, examples
from swisssim.report.content import input_scores_blocks, round_mean_text, z_text
from swisssim.report.sections import identical_text


def _cells(table, model: str) -> dict[str, str]:
    row = next(r for r in table.rows if r[0] == model)
    return dict(zip(table.header, row))


def test_the_readmes_ranks_can_be_read_off_the_input_table():
    """README: GPT-5 mini is 5th on IFEval; Qwen3 235B A22B Instruct 2507 FP8 is first on
    WildBench and 29th on IFEval; gpt-oss-20b 57th on IFEval."""
    table = input_scores_blocks(examples.load("helm_capabilities"))[0]
    assert table.id == "scores-table"
    assert re.search(r"\(#5\)$", _cells(table, "GPT-5 mini (2025-08-07)")["IFEval"])
    qwen = _cells(table, "Qwen3 235B A22B Instruct 2507 FP8")
    assert qwen["IFEval"].endswith("(#29)") and qwen["WildBench"].endswith("(#1)")
    assert _cells(table, "gpt-oss-20b")["IFEval"].endswith("(#57)")


def test_ranks_follow_the_direction_and_are_competition_ranks():
    frame = pd.DataFrame({"model": list("abcd"), "acc": [0.9, 0.5, 0.9, np.nan],
                          "latency": [3.2, 0.8, 1.5, 2.0]})
    scenario = Scenario.from_dataframe(frame, lower_is_better=["latency"], missing="lose")
    table = input_scores_blocks(scenario)[0]
    assert table.header[-1] == "latency ↓"
    assert [_cells(table, m)["acc"] for m in "abcd"] == ["0.9 (#1)", "0.5 (#3)", "0.9 (#1)",
                                                         "–"]
    assert [_cells(table, m)["latency ↓"] for m in "abcd"] == ["3.2 (#4)", "0.8 (#1)",
                                                               "1.5 (#2)", "2 (#3)"]


def test_a_lower_is_better_round_shows_its_raw_mean():
    frame = pd.DataFrame({"model": list("abcd"), "latency": [3.2, 0.8, 1.5, 2.1],
                          "acc": [0.1, 0.2, 0.3, 0.4]})
    scenario = Scenario.from_dataframe(frame, lower_is_better=["latency"])
    assert round_mean_text(scenario, 0, np.array([-3.2, -0.8, -1.5, -2.1])) == \
        "1.900 (lower is better)"
    assert round_mean_text(scenario, 1, np.array([0.1, 0.2, 0.3, 0.4])) == "0.250"
    mixed = Scenario.from_dataframe(frame, {"both": ["latency", "acc"]},
                                    lower_is_better=["latency"])
    assert round_mean_text(mixed, 0, np.array([-1.55, -0.3, -0.6, -0.85])).endswith(
        "(direction-corrected)")


def test_the_identical_orders_paragraph_gives_a_reason_only_where_one_holds():
    helm = examples.load("helm_capabilities")            # one benchmark per round, complete
    text = identical_text("win_rate, borda, bt", [["win_rate", "borda", "bt"]], helm)
    assert "Why:" in text and "one benchmark per round" in text
    bbh = examples.load("bbh")                            # rounds group several benchmarks
    assert any(len(r.benchmarks) > 1 for r in bbh.rounds)
    text = identical_text("win_rate, borda, bt", [["win_rate", "borda", "bt"]], bbh)
    assert "one benchmark per round" not in text
    assert "For bt no such rule applies" in text
    text = identical_text("mean, copeland", [["mean", "copeland"]], bbh)
    assert "Why:" not in text and "property of these scores" in text


@pytest.mark.parametrize("se,shown", [(0.0, "–"), (3e-13, "–"), (float("nan"), "–"),
                                      (0.01, "2.0")])
def test_no_z_statistic_without_a_standard_error(se, shown):
    assert z_text(0.02 / se if se else float("inf"), se, 0.3) == shown



class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_figures_phase_of_a_report_shows_progress(tmp_path, monkeypatch):
    from swisssim.cli.app import main

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["report", "paper_synthetic", "-n", "300", "--no-svg", "--out",
                 str(tmp_path / "rep")]) == 0
    shown = terminal.getvalue()
    for step in ("report: figures and documents", "sweep figures", "comparison figures",
                 "report.html", "report.md"):
        assert step in shown, step
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["report", "paper_synthetic", "-n", "300", "--no-svg", "--no-progress",
                 "--out", str(tmp_path / "rep")]) == 0
    assert "report: figures and documents" not in quiet.getvalue()


@pytest.mark.parametrize("argv,steps", [
    (["sweep", "paper_synthetic", "-n", "300"], ("figures", "risk_profile", "survival")),
    (["compare", "paper_synthetic", "-n", "300", "--elo-orders", "2"], ("baselines", "elo")),
])
def test_the_other_long_phases_show_progress(argv, steps, tmp_path, monkeypatch):
    from swisssim.cli.app import main

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    for step in steps:
        assert step in terminal.getvalue(), step
    if argv[0] == "sweep":                         # and plot, re-drawing the same figures
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["plot", str(tmp_path / "out"), "--out", str(tmp_path / "figs")]) == 0
        assert "risk_profile" in terminal.getvalue()
