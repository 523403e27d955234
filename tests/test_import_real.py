"""Every importer on real output files of the tools (tests/data/real/, PROVENANCE.md there).

Expected values are read here from the files with the standard library, independently of the
importers; counts of tasks and files come from the files too. One test chains import -> run ->
report on a real results folder, as the README walkthrough does.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, assert_clean_failure
from swisssim.cli.app import main
from swisssim.data.importers import import_lm_eval, import_transposed
from swisssim.data.importers.lm_eval import normalise, open_llm_v2_scores
from swisssim.data.scenario import load_scenario

REAL = REPO / "tests" / "data" / "real"
MAMBA = REAL / "lm_eval_v04_mamba2"
BLOOM = REAL / "lm_eval_v03_bloom"
PYTHIA = REAL / "pythia_v03"
LEADERBOARD = REAL / "open_llm_leaderboard_v2"
OPENCOMPASS = REAL / "opencompass"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def stamp(path: Path) -> str:
    return re.search(r"\d{4}-\d\d-\d\dT[\d.-]+", path.name).group(0)


# ---------------------------------------------------------------- lm-eval 0.4, split runs


@pytest.fixture(scope="module")
def mamba():
    return import_lm_eval([MAMBA])


def newest_entry(model_dir: Path, task: str) -> dict | None:
    """The task's entry in the newest file of a model folder that has it (by the file's date)."""
    best = None
    for path in model_dir.glob("*.json"):
        document = load(path)
        if task in document["results"] and (best is None or document["date"] > best["date"]):
            best = document
    return None if best is None else best["results"][task]


def test_split_runs_merge_per_task_with_every_task(mamba):
    folders = sorted(p for p in MAMBA.iterdir() if p.is_dir())
    assert len(mamba.scores) == len(folders) == 5
    leaves = set()
    for folder in folders:
        for path in folder.glob("*.json"):
            document = load(path)
            groups = {g for g, members in document["group_subtasks"].items() if members}
            leaves |= set(document["results"]) - groups
    assert set(mamba.scores.columns) == leaves  # every task of every file, no group aggregate
    for folder in folders:
        model = load(next(folder.glob("*.json")))["model_name"]
        for task in mamba.scores.columns:
            entry = newest_entry(folder, task)
            cell = mamba.scores.at[model, task]
            if entry is None:
                assert math.isnan(cell), (model, task)
                continue
            key = "perplexity,none" if task == "lambada_openai" else (
                "mcc,none" if task == "cola" else "acc,none")
            assert cell == entry[key], (model, task)


def test_the_newest_file_wins_per_task_and_each_file_is_reported(mamba):
    folder = MAMBA / "state-spaces__mamba2-370m"
    files = sorted(folder.glob("*.json"), key=stamp)
    assert len(files) == 4
    new = load(files[1])  # the 16-task run of 2025-03-05 replaces that of 2025-03-02
    assert mamba.scores.at["state-spaces/mamba2-370m", "winogrande"] == \
        new["results"]["winogrande"]["acc,none"]
    text = " ".join(mamba.choices)
    assert "state-spaces/mamba2-370m: 4 results files merged per task" in text
    for path in files:
        assert str(path) in text
    assert "superseded by a newer file" in text
    assert mamba.missing() == {"state-spaces/mamba2-780m": list(dict(mamba.rounds)["mmlu"])}


def test_groups_across_files_and_mixed_scales(mamba):
    rounds = dict(mamba.rounds)
    document = load(next((MAMBA / "state-spaces__mamba2-130m").glob("*T23-57*.json")))
    subtasks = document["group_subtasks"]
    mmlu = [leaf for g in subtasks["mmlu"] for leaf in subtasks[g]]
    assert sorted(rounds["mmlu"]) == sorted(mmlu) and len(mmlu) == 57
    glue = load(next((MAMBA / "state-spaces__mamba2-130m").glob("*T06-44*.json")))
    members = set(glue["group_subtasks"]["glue"])
    assert set(rounds["glue"]) | set(rounds["glue [other]"]) == members
    assert rounds["glue [other]"] == ("cola",)  # Matthews correlation can be negative
    assert any("Round 'glue' mixes scales" in c for c in mamba.choices)
    assert mamba.lower_is_better == ("lambada_openai",)  # perplexity,none: false


def test_import_run_and_report_on_a_real_folder(tmp_path, capsys):
    out = tmp_path / "scenario"
    assert main(["import", "lm-eval", str(MAMBA), "--name", "mamba2", "--out", str(out),
                 "--missing", "skip"]) == 0
    err = capsys.readouterr().err
    assert "merged per task" in err and "state-spaces/mamba2-780m" in err
    scenario = load_scenario(out / "mamba2.toml")
    assert scenario.n_models == 5 and "mmlu" in scenario.round_names
    assert "results_2025-03-05T23-54-22.471703.json" in scenario.description
    assert main(["run", str(out / "mamba2.toml"), "-n", "300", "--out", str(tmp_path / "run"),
                 "--no-progress"]) == 0
    table = pd.read_csv(tmp_path / "run" / "expected_scores.csv")
    assert set(table.model) == set(scenario.model_names)
    assert main(["report", str(out / "mamba2.toml"), "-n", "300", "--out",
                 str(tmp_path / "report"), "--no-progress", "--no-svg"]) == 0
    html = (tmp_path / "report" / "report.html").read_text()
    assert "state-spaces/mamba2-2.7b" in html


# ---------------------------------------------------------------------------- lm-eval 0.3


def test_v03_files_named_by_task_import_with_every_task():
    imported = import_lm_eval([BLOOM])
    files = sorted(BLOOM.rglob("*.json"))
    assert not any(p.name.startswith("results_") for p in files)
    assert len(imported.sources) == len(files)
    tasks = set()
    for path in files:
        document = load(path)
        model = document["config"]["model_args"].split(",")[0].split("=")[1]
        assert model.startswith("bigscience/")
        for task, entry in document["results"].items():
            tasks.add(task)
            metric = next(k for k in entry if not k.endswith("_stderr"))  # the first
            assert imported.scores.at[model, task] == entry[metric], (model, task)
            if f"{metric}_stderr" in entry:
                assert imported.errors.at[model, task] == entry[f"{metric}_stderr"]
    assert set(imported.scores.columns) == tasks
    assert set(imported.models.family) == {"bigscience"}
    assert set(imported.missing()) == {f"bigscience/bloom-{s}" for s in ("1b1", "1b7", "3b", "7b1")}


def test_pythia_v03_mmlu_subjects_form_one_round_and_perplexities_are_lower_is_better():
    imported = import_lm_eval([PYTHIA])
    files = sorted(PYTHIA.glob("*.json"))
    assert len(imported.scores) == len(files)
    rounds = dict(imported.rounds)
    subjects = [t for t in load(files[0])["results"] if t.startswith("hendrycksTest-")]
    assert len(subjects) == 57 and sorted(rounds["hendrycksTest"]) == sorted(subjects)
    assert "lambada_openai" in imported.lower_is_better  # ppl
    assert all(t.startswith("crows_pairs") or t == "lambada_openai"
               for t in imported.lower_is_better)
    model = "EleutherAI/pythia-v1.1-12b"
    document = load(PYTHIA / "12b_step143000.json")
    assert document["config"]["model_args"].startswith(f"pretrained={model},")
    assert imported.scores.at[model, "hendrycksTest-anatomy"] == \
        document["results"]["hendrycksTest-anatomy"]["acc"]


# ------------------------------------------------------------- Open LLM Leaderboard v2


def test_the_leaderboard_group_gives_its_six_benchmarks_as_rounds():
    imported = import_lm_eval([LEADERBOARD])
    document = load(LEADERBOARD / "Qwen__Qwen3-8B" / "results.json")
    six = document["group_subtasks"]["leaderboard"]
    assert sorted(dict(imported.rounds)) == sorted(six) and len(six) == 6
    for name, members in imported.rounds:
        expected = document["group_subtasks"].get(name, [name])
        assert sorted(members) == sorted(expected)
    limited = [c for c in imported.choices if "run with --limit 1" in c]
    assert len(limited) == 2  # both files were run on one item per task
    one = import_lm_eval([LEADERBOARD], round_level=0)
    assert [name for name, _ in one.rounds] == ["leaderboard"]
    aggregates = import_lm_eval([LEADERBOARD], groups="groups")
    assert sorted(aggregates.scores.columns) == sorted(six)
    assert aggregates.scores.at["Qwen/Qwen3-8B", "leaderboard_gpqa"] == \
        document["results"]["leaderboard_gpqa"]["acc_norm,none"]


def test_open_llm_v2_scoring_on_the_real_files():
    imported = import_lm_eval([LEADERBOARD], scoring="open-llm-v2")
    results = load(LEADERBOARD / "Qwen__Qwen3-8B" / "results.json")["results"]
    gpqa = results["leaderboard_gpqa"]["acc_norm,none"]
    expected = max(0.0, (gpqa - 0.25) / 0.75 * 100)
    assert imported.scores.at["Qwen/Qwen3-8B", "leaderboard_gpqa"] == pytest.approx(expected)
    strict = (results["leaderboard_ifeval"]["prompt_level_strict_acc,none"]
              + results["leaderboard_ifeval"]["inst_level_strict_acc,none"]) / 2 * 100
    assert imported.scores.at["Qwen/Qwen3-8B", "leaderboard_ifeval"] == pytest.approx(strict)
    assert imported.scores.shape == (2, 6)
    assert ((imported.scores >= 0) & (imported.scores <= 100)).all().all()


def test_open_llm_v2_scoring_on_hand_computed_values():
    assert normalise(0.37, 0.1) == pytest.approx(30.0)
    assert normalise(0.2, 0.25) == 0.0  # below the random baseline
    results = {f"leaderboard_bbh_{t}": {"acc_norm,none": 0.5} for t in (
        "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa",
        "formal_fallacies", "geometric_shapes", "hyperbaton", "logical_deduction_five_objects",
        "logical_deduction_seven_objects", "logical_deduction_three_objects",
        "movie_recommendation", "navigate", "object_counting", "penguins_in_a_table",
        "reasoning_about_colored_objects", "ruin_names", "salient_translation_error_detection",
        "snarks", "sports_understanding", "temporal_sequences",
        "tracking_shuffled_objects_five_objects", "tracking_shuffled_objects_seven_objects",
        "tracking_shuffled_objects_three_objects", "web_of_lies")}
    results.update({
        "leaderboard_musr_murder_mysteries": {"acc_norm,none": 0.6},
        "leaderboard_musr_object_placements": {"acc_norm,none": 0.45},
        "leaderboard_musr_team_allocation": {"acc_norm,none": 0.5},
        "leaderboard_gpqa": {"acc_norm,none": 0.31},
        "leaderboard_mmlu_pro": {"acc,none": 0.37},
        "leaderboard_math_hard": {"exact_match,none": 0.12},
        "leaderboard_ifeval": {"prompt_level_strict_acc,none": 0.5,
                               "inst_level_strict_acc,none": 0.6}})
    scores = open_llm_v2_scores(results)
    # MuSR by hand: (0.6-1/2)/(1/2) = 20; (0.45-1/5)/(4/5) = 31.25; (0.5-1/3)/(2/3) = 25
    assert scores["leaderboard_musr"] == pytest.approx((20 + 31.25 + 25) / 3)
    assert scores["leaderboard_gpqa"] == pytest.approx(8.0)  # (0.31-0.25)/0.75
    assert scores["leaderboard_mmlu_pro"] == pytest.approx(30.0)  # (0.37-0.10)/0.90
    assert scores["leaderboard_math_hard"] == pytest.approx(12.0)
    assert scores["leaderboard_ifeval"] == pytest.approx(55.0)
    # BBH at 0.5 everywhere: 0 for the eight 2-choice tasks; (0.5-1/k)/(1-1/k) for the others
    by_hand = {2: 8, 3: 3, 4: 1, 5: 3, 6: 4, 7: 2, 11: 1, 18: 1, 19: 1}  # choices: tasks
    total = sum(count * max(0.0, (0.5 - 1 / k) / (1 - 1 / k) * 100)
                for k, count in by_hand.items())
    assert sum(by_hand.values()) == 24
    assert scores["leaderboard_bbh"] == pytest.approx(total / 24)


# ---------------------------------------------------------------------------- OpenCompass


def test_opencompass_summary_with_one_dataset_and_several_metrics():
    path = OPENCOMPASS / "ifeval_summary.csv"
    imported = import_transposed(path)
    rows = list(csv.DictReader(path.open()))
    models = [c for c in rows[0] if c not in ("dataset", "version", "metric", "mode")]
    assert list(imported.scores.index) == models and len(models) == 6
    for row in rows:
        bench = f"{row['dataset']}/{row['metric']}"
        for model in models:
            assert imported.scores.at[model, bench] == float(row[model])


def test_opencompass_section_rows_are_dropped_with_a_note(tmp_path):
    rows = list(csv.reader((OPENCOMPASS / "lveval_summary.csv").open()))
    sections = [r for r in rows[1:] if r[0].startswith("---")]
    titled = [r for r in sections if r[0].strip("- ")]
    assert len(titled) == 8
    # a second model (the real file has one): the first model's scores minus one
    copy = tmp_path / "lveval.csv"
    with copy.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[0] + ["other"])
        for row in rows[1:]:
            cell = row[-1]
            writer.writerow(row + [cell if cell == "-" else f"{float(cell) - 1:.2f}"])
    imported = import_transposed(copy)
    assert len(imported.scores.columns) == len(rows) - 1 - len(sections)
    note = next(c for c in imported.choices if "section or separator row(s) dropped" in c)
    assert note.startswith(f"{len(sections)} section") and "LVEval All" in note
    assert not any(c.startswith("-") for c in imported.scores.columns)


def test_opencompass_lower_is_better_and_round_column(tmp_path, capsys):
    path = OPENCOMPASS / "ifeval_summary.csv"
    bench = "IFEval/Prompt-level-strict-accuracy"
    imported = import_transposed(path, lower_is_better=[bench])
    assert imported.lower_is_better == (bench,)
    assert any("mixes scales or directions" in c for c in imported.choices) is False
    rounds = tmp_path / "rounds.csv"
    lines = path.read_text().splitlines()
    labels = ["round", "strict", "strict", "loose", "loose"]
    rounds.write_text("\n".join(f"{line},{label}" for line, label in zip(lines, labels)) + "\n")
    grouped = import_transposed(rounds, round_column="round")
    assert dict(grouped.rounds) == {
        "strict": ("IFEval/Prompt-level-strict-accuracy", "IFEval/Inst-level-strict-accuracy"),
        "loose": ("IFEval/Prompt-level-loose-accuracy", "IFEval/Inst-level-loose-accuracy")}
    assert "round" not in grouped.scores.index
    out = tmp_path / "out"
    code = main(["import", "transposed", str(path), "--name", "x", "--out", str(out),
                 "--lower-is-better", "nosuch"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--lower-is-better", "'nosuch'")


def test_open_llm_v2_pools_subtasks_where_a_group_has_no_aggregate():
    """The Ministral file (lm-eval before 0.4.4) has no GPQA/MATH aggregates: the subtasks are
    pooled, weighted by their item counts, as lm-eval does."""
    imported = import_lm_eval([LEADERBOARD], scoring="open-llm-v2")
    document = load(next((LEADERBOARD / "mistralai__Ministral-8B-Instruct-2410").glob("*.json")))
    assert set(document["results"]["leaderboard_math_hard"]) == {" ", "alias"}
    subs = document["group_subtasks"]["leaderboard_math_hard"]
    weights = [document["n-samples"][t]["effective"] for t in subs]
    mean = sum(document["results"][t]["exact_match,none"] * w
               for t, w in zip(subs, weights)) / sum(weights)
    model = "mistralai/Ministral-8B-Instruct-2410"
    assert imported.scores.at[model, "leaderboard_math_hard"] == pytest.approx(100 * mean)
