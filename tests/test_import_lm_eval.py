"""``swisssim import lm-eval``: realistic lm-evaluation-harness v0.4 files (examples/lm-eval/,
written by scripts/make_lm_eval_examples.py: nested and flat groups, several filters and metrics,
stderr, n-samples, an N/A stderr, a lower-is-better task, two runs of one model, a model without
BBH). Every expected value is read from the JSON files here, independently of the importer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, assert_clean_failure
from swisssim.cli.app import main
from swisssim.data.importers import import_lm_eval
from swisssim.data.scenario import load_scenario
from swisssim.errors import InputError

EXAMPLES = REPO / "examples" / "lm-eval"


def newest_files() -> dict[str, dict]:
    """model -> the JSON of its newest results file (by the file's date)."""
    out: dict[str, dict] = {}
    for path in sorted(EXAMPLES.rglob("results_*.json")):
        document = json.loads(path.read_text())
        name = document["model_name"]
        if name not in out or document["date"] > out[name]["date"]:
            out[name] = document
    return out


@pytest.fixture(scope="module")
def imported():
    return import_lm_eval([EXAMPLES])


def test_scores_errors_and_counts_match_the_files(imported):
    files = newest_files()
    assert set(imported.scores.index) == set(files)
    for model, document in files.items():
        results = {**document["results"], **document["groups"]}
        for task in imported.scores.columns:
            cell = imported.scores.at[model, task]
            if task not in results:
                assert math.isnan(cell)
                continue
            entry = results[task]
            key = {"gsm8k": "exact_match,strict-match", "wikitext": "word_perplexity,none"}.get(
                task, "exact_match,get-answer" if task.startswith("bbh") else "acc,none")
            assert cell == entry[key], (model, task)
            se = entry[key.replace(",", "_stderr,")]
            if isinstance(se, str):
                assert math.isnan(imported.errors.at[model, task])
            else:
                assert imported.errors.at[model, task] == se
    some = next(iter(files.values()))
    for task, n in imported.item_counts.items():
        assert some["n-samples"][task]["effective"] == n
    assert "wikitext" not in imported.item_counts  # a perplexity is no accuracy
    assert {"mmlu_sociology", "gsm8k", "hellaswag"} <= set(imported.item_counts)


def test_newest_run_wins_and_the_choice_is_reported(imported):
    runs = sorted((EXAMPLES / "EleutherAI__pythia-1.4b").glob("results_*.json"))
    documents = [json.loads(p.read_text()) for p in runs]
    newer = max(documents, key=lambda d: d["date"])
    older = min(documents, key=lambda d: d["date"])
    assert newer["results"]["gsm8k"] != older["results"]["gsm8k"]
    assert imported.scores.at["EleutherAI/pythia-1.4b", "gsm8k"] == \
        newer["results"]["gsm8k"]["exact_match,strict-match"]
    text = " ".join(imported.choices)
    assert "2 results files merged per task" in text and str(runs[-1]) in text
    assert "superseded by a newer file" in text


def test_groups_become_rounds_of_their_leaves(imported):
    document = next(iter(newest_files().values()))
    subtasks = document["group_subtasks"]
    mmlu_leaves = [t for g in subtasks["mmlu"] for t in subtasks[g]]
    rounds = dict(imported.rounds)
    assert list(rounds["mmlu"]) == mmlu_leaves and len(mmlu_leaves) == 7
    assert list(rounds["bbh"]) == subtasks["bbh"]
    assert rounds["gsm8k"] == ("gsm8k",)
    assert "mmlu_stem" not in rounds and "mmlu_stem" not in imported.scores.columns
    assert imported.lower_is_better == ("wikitext",)


def test_groups_mode_reads_the_group_aggregates():
    grouped = import_lm_eval([EXAMPLES], groups="groups")
    files = newest_files()
    assert {"mmlu", "bbh"} <= set(grouped.scores.columns)
    assert not any(c.startswith("mmlu_") for c in grouped.scores.columns)
    model = "Qwen/Qwen2.5-0.5B"
    assert grouped.scores.at[model, "mmlu"] == files[model]["groups"]["mmlu"]["acc,none"]
    assert dict(grouped.rounds)["mmlu"] == ("mmlu",)


def test_metric_override_with_a_filter():
    other = import_lm_eval([EXAMPLES], metrics=["gsm8k=exact_match,flexible-extract",
                                                 "hellaswag=acc_norm"])
    files = newest_files()
    for model, document in files.items():
        assert other.scores.at[model, "gsm8k"] == \
            document["results"]["gsm8k"]["exact_match,flexible-extract"]
        assert other.scores.at[model, "hellaswag"] == document["results"]["hellaswag"][
            "acc_norm,none"]


def test_missing_benchmarks_are_reported_with_a_policy(imported):
    assert imported.missing() == {"HuggingFaceTB/SmolLM2-360M": list(dict(imported.rounds)["bbh"])}
    assert imported.suggested_missing() == "drop"
    report = "\n".join(imported.missing_report())
    assert "HuggingFaceTB/SmolLM2-360M" in report and "suggested [scoring].missing = 'drop'" in report


def test_import_then_run_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "imported"
    assert main(["import", "lm-eval", str(EXAMPLES), "--name", "small_lms", "--out", str(out),
                 "--missing", "skip"]) == 0
    captured = capsys.readouterr()
    assert "HuggingFaceTB/SmolLM2-360M" in captured.err and "merged per task" in captured.err
    toml = (out / "small_lms.toml").read_text()
    assert "curate it" in toml and 'missing = "skip"' in toml
    scenario = load_scenario(out / "small_lms.toml")
    for source in sorted(EXAMPLES.rglob("results_*.json"))[:2]:
        if "04-30" not in source.name:  # the superseded run is no source
            import hashlib
            assert hashlib.sha256(source.read_bytes()).hexdigest() in scenario.description
    assert scenario.scoring.lower_is_better == ("wikitext",)
    assert scenario.n_models == 8 and scenario.round_names[:2] == ["mmlu", "bbh"]
    errors = pd.read_csv(out / "small_lms_score_errors.csv").set_index("model")
    assert errors.loc["Qwen/Qwen2.5-0.5B", "gsm8k"] > 0
    run = tmp_path / "run"
    assert main(["run", str(out / "small_lms.toml"), "-n", "500", "--out", str(run),
                 "--no-progress", "--bootstrap", "2", "--bootstrap-iterations", "100"]) == 0
    table = pd.read_csv(run / "expected_scores.csv")
    assert set(table.model) == set(scenario.model_names)


def write_json(path: Path, document: object, raw: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else json.dumps(document))
    return path


def minimal(model: str, results: dict) -> dict:
    return {"results": results, "model_name": model, "date": 1.0,
            "higher_is_better": {t: {"acc": True} for t in results}}


@pytest.mark.parametrize("case, fragments", [
    ("malformed", ["results_1.json", "malformed JSON"]),
    ("string-metric", ["results.arc.acc,none", "a finite number", "'high'"]),
    ("disjoint", ["benchmarks", "at least one benchmark scored for every model"]),
    ("no-results", ["results", "no 'results' table"]),
])
def test_bad_files_fail_cleanly(tmp_path, capsys, case, fragments):
    source = tmp_path / "source"
    a = minimal("a", {"arc": {"acc,none": 0.5, "acc_stderr,none": 0.01}})
    b = minimal("b", {"arc": {"acc,none": 0.6, "acc_stderr,none": 0.01}})
    if case == "malformed":
        write_json(source / "a" / "results_1.json", None, raw='{"results": {"arc": ')
    elif case == "string-metric":
        b["results"]["arc"]["acc,none"] = "high"
    elif case == "disjoint":
        b = minimal("b", {"piqa": {"acc,none": 0.6}})
    elif case == "no-results":
        b = {"model_name": "b"}
    if case != "malformed":
        write_json(source / "a" / "results_1.json", a)
    write_json(source / "b" / "results_2.json", b)
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(source), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_bad_arguments_fail_cleanly(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(EXAMPLES), "--name", "x", "--out", str(out),
                 "--metric", "gsm8k=bleu"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--metric", "'bleu'",
                         "exact_match")
    code = main(["import", "lm-eval", str(EXAMPLES), "--name", "x", "--out", str(out),
                 "--metric", "nosuchtask=acc"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--metric", "nosuchtask")
    code = main(["import", "lm-eval", str(EXAMPLES), "--name", "bad name", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "--name")
    code = main(["import", "lm-eval", str(tmp_path / "nowhere"), "--name", "x", "--out",
                 str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "nowhere", "no such file")
    with pytest.raises(InputError, match="groups"):
        import_lm_eval([EXAMPLES], groups="all")


def test_a_scenario_that_would_not_load_is_never_written(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(EXAMPLES), "--name", "x", "--out", str(out),
                 "--missing", "error"])
    assert_clean_failure(code, capsys.readouterr().err, out, "out/x.toml",
                         "HuggingFaceTB/SmolLM2-360M", "missing")
    existing = tmp_path / "file"
    existing.write_text("")
    code = main(["import", "lm-eval", str(EXAMPLES), "--name", "x", "--out", str(existing)])
    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and existing.read_text() == ""
