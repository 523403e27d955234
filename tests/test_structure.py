"""Degenerate tournaments are said so: capped quotas, one active model, rounds without a match,
lone leaders (swisssim.engine.structure), on the console, in the manifest and in the report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import swisssim
from swisssim.cli.app import main
from swisssim.engine.structure import degenerate_notes, round_structure, schedule_phrase


def _field(n_models: int, n_rounds: int, seed: int = 0) -> swisssim.Scenario:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"model": [f"m{i}" for i in range(n_models)],
                          **{f"b{k}": rng.random(n_models) for k in range(n_rounds)}})
    return swisssim.Scenario.from_dataframe(frame, name="field")


@pytest.mark.parametrize("n_models,n_rounds,schedules", [
    (2, 5, (0, 1)), (3, 5, (0, 1)), (7, 6, (0, 1, 2)), (29, 12, (0, 1, 2)), (5, 4, (0, "50%")),
    (16, 6, ("0,3,0,5,2,0",))])
def test_matches_per_round_add_up_to_the_simulated_total_score(n_models, n_rounds, schedules):
    """Under coin ties every match gives one point and a zero-point bye none, so the simulated
    sum of E[S] over the field equals the matches the group dynamics predict (docs/method.md
    section 6), for every schedule."""
    result = swisssim.simulate(_field(n_models, n_rounds), iterations=3000, seed=1,
                               elimination=schedules, progress=False)
    for s, quotas in enumerate(result.quotas):
        structure = round_structure(n_models, quotas)
        assert result.expected()[s].sum() == pytest.approx(sum(structure.matches), abs=1e-9)


def test_seven_models_under_t2_are_capped_and_one_plays_alone():
    result = swisssim.simulate(_field(7, 6), iterations=500, elimination=(0, 2), progress=False)
    notes = degenerate_notes(result)
    assert any("too small" in n and "2,2,2,0,0,0" in n for n in notes), notes
    assert any("one model is left active in rounds 4-6" in n for n in notes), notes
    phrase = schedule_phrase("2", result.quotas[1], 7)
    assert "after rounds 1-3 only" in phrase and "every round" not in phrase


@pytest.mark.parametrize("n_models", [2, 3])
def test_two_or_three_models_play_no_match_in_the_last_rounds(n_models):
    result = swisssim.simulate(_field(n_models, 5), iterations=500, elimination=(0,),
                               progress=False)
    notes = degenerate_notes(result)
    assert any("no match is played" in n for n in notes), notes


def test_a_full_field_has_no_note():
    result = swisssim.simulate(_field(29, 12), iterations=300, progress=False)
    assert degenerate_notes(result) == []
    assert schedule_phrase("1", result.quotas[1], 29).endswith("after every round")


def test_the_console_the_manifest_and_the_report_say_so(tmp_path, capsys):
    frame = _field(7, 6)
    data = tmp_path / "scores.csv"
    (frame.scores.rename_axis("model").reset_index()).to_csv(data, index=False)
    toml = tmp_path / "seven.toml"
    toml.write_text('name = "seven"\nscores = "scores.csv"\n')
    assert main(["run", str(toml), "-n", "500", "--no-progress", "--out",
                 str(tmp_path / "run")]) == 0
    assert "one model is left active in rounds 4-6" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert any("too small" in n for n in manifest["simulation"]["degenerate"])
    assert main(["report", str(toml), "-n", "500", "--no-progress", "--no-svg", "--out",
                 str(tmp_path / "rep")]) == 0
    assert "one model is left active" in capsys.readouterr().err
    text = (tmp_path / "rep" / "report.md").read_text()
    assert "one model is left active in rounds 4-6" in text
    assert "Under T=2 the 2 lowest-scoring active models are eliminated after rounds 1-3 only" \
        in text
    assert "eliminated after every round" not in text
