"""``swisssim run|sweep|report scores.csv``: a plain wide table runs as a scenario of one round
per column. The expected scenario is built here by hand from the same table
with :meth:`Scenario.from_dataframe`; both runs use the same seed, so their tables must match."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import assert_clean_failure
from swisssim.cli.app import main
from swisssim.data.scenario import Scenario
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import simulate

TABLE = "model,arc,mmlu,ppl\nA,0.5,0.6,10\nB,0.6,0.5,12\nC,0.7,0.4,9\nD,0.2,0.3,11\n"


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text(TABLE)
    return path


def test_run_on_a_wide_csv_matches_the_hand_built_scenario(table, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(table), "-n", "3000", "--seed", "7", "--out", str(out),
                 "--no-progress", "--lower-is-better", "ppl", "-T", "0", "1"]) == 0
    assert "every other column is a benchmark" in capsys.readouterr().err
    frame = pd.read_csv(table).set_index("model")
    scenario = Scenario.from_dataframe(frame, name="scores", lower_is_better=["ppl"])
    expected = simulate(scenario, Settings(iterations=3000, seed=7, elimination=["0", "1"],
                                           progress=False))
    got = pd.read_csv(out / "expected_scores.csv", dtype={"elimination": str})
    want = expected.expected_scores()
    keys = ["model", "elimination"]
    merged = want[keys + ["expected_score", "expected_rank"]].astype({"elimination": str}).merge(
        got, on=keys, suffixes=("_want", ""))
    assert len(merged) == len(want) == 8
    assert merged.expected_score.to_numpy() == pytest.approx(merged.expected_score_want)
    assert merged.expected_rank.to_numpy() == pytest.approx(merged.expected_rank_want)


def test_sweep_and_report_take_a_table(table, tmp_path):
    assert main(["sweep", str(table), "-n", "500", "--out", str(tmp_path / "sweep"),
                 "--no-progress"]) == 0
    assert main(["report", str(table), "-n", "500", "--out", str(tmp_path / "report"),
                 "--no-progress", "--no-svg"]) == 0
    assert (tmp_path / "report" / "report.html").exists()


def test_table_flags_are_checked(table, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(table), "--lower-is-better", "nosuch", "--out", str(out),
                 "--no-progress"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--lower-is-better", "'nosuch'")
    code = main(["run", "paper_synthetic", "--lower-is-better", "arc", "--out", str(out),
                 "--no-progress"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--lower-is-better",
                         "a wide table")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"model,a\n\0\0")
    code = main(["run", str(binary), "--out", str(out), "--no-progress"])
    assert_clean_failure(code, capsys.readouterr().err, out, "bin.csv", "binary content")
