"""Importers on input that is not what the tools write: one clean line naming the file and the
field, exit code 2, no files; plus the lm-eval rules that only synthetic files
can isolate (group conflicts across files, mixed scales in a round, model paths, --limit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import assert_clean_failure
from swisssim.cli.app import main
from swisssim.data.importers import import_lm_eval
from swisssim.data.importers.lm_eval import hub_name
from swisssim.errors import InputError


def document(model: str, results: dict, **extra) -> dict:
    return {"results": results, "model_name": model, "date": 1.7e9, "config": {"limit": None},
            "higher_is_better": {t: {m.split(",")[0]: True for m in e} for t, e in results.items()},
            **extra}


def write(folder: Path, name: str, content: dict | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def pair(tmp_path: Path, **extra) -> Path:
    """Two models' results in a folder; ``extra`` goes into the second model's file."""
    source = tmp_path / "source"
    write(source, "a.json", document("org/a", {"arc": {"acc,none": 0.5}}))
    write(source, "b.json", {**document("org/b", {"arc": {"acc,none": 0.6}}), **extra})
    return source


def deep(levels: int) -> str:
    return '{"results": {}, "config": ' + "[" * levels + "]" * levels + "}"


SHAPES = [
    ("higher-list", {"higher_is_better": [1, 2]}, "higher_is_better", "a mapping"),
    ("higher-inner", {"higher_is_better": {"arc": [True]}}, "higher_is_better.arc", "a mapping"),
    ("groups-list", {"groups": ["mmlu"]}, "groups", "a mapping"),
    ("subtasks-list", {"group_subtasks": ["mmlu"]}, "group_subtasks", "a mapping"),
    ("subtasks-string", {"group_subtasks": {"g": "arc"}}, "group_subtasks.g", "a list"),
    ("n-samples-list", {"n-samples": [5]}, "n-samples", "a mapping"),
    ("config-string", {"config": "pretrained=x"}, "config", "a mapping"),
    ("date-huge", {"date": 10 ** 400}, "date", "a Unix time"),
    ("date-string", {"date": "yesterday"}, "date", "a Unix time"),
    ("cycle", {"group_subtasks": {"g": ["h"], "h": ["g"]}}, "group_subtasks", "a cycle"),
    ("self", {"group_subtasks": {"g": ["g"]}}, "group_subtasks.g", "lists itself"),
    ("results-entry", {"results": {"arc": [0.5]}}, "results.arc", "a mapping"),
]


@pytest.mark.parametrize("case, extra, field, expected", SHAPES, ids=[s[0] for s in SHAPES])
def test_valid_json_of_the_wrong_shape_fails_cleanly(tmp_path, capsys, case, extra, field,
                                                     expected):
    source = pair(tmp_path, **extra)
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(source), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "b.json", field, expected)


def test_deep_nesting_fails_cleanly(tmp_path, capsys):
    source = pair(tmp_path)
    write(source, "b.json", deep(100_000))
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(source), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "b.json", "nested too deep")


@pytest.mark.parametrize("fmt, name", [("lm-eval", "r.json"), ("long", "t.csv"),
                                       ("transposed", "t.csv"), ("inspect", "log.json")])
def test_oversized_and_binary_files_are_refused_before_reading(tmp_path, capsys, fmt, name):
    if fmt == "inspect":
        pytest.importorskip("inspect_ai")
    big = tmp_path / "big" / name
    big.parent.mkdir()
    with big.open("wb") as handle:  # a sparse file: 300 MiB that take no disk
        handle.truncate(300 << 20)
    out = tmp_path / "out"
    code = main(["import", fmt, str(big), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, name, "at most 256 MiB", "300.0 MiB")
    binary = tmp_path / "bin" / name
    binary.parent.mkdir()
    binary.write_bytes(b"\0" * 4096)
    code = main(["import", fmt, str(binary), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, name, "binary content")


def test_a_task_with_two_parents_in_two_files_names_both_files(tmp_path, capsys):
    source = tmp_path / "source"
    results = {"x": {"acc,none": 0.5}, "y": {"acc,none": 0.4}}
    write(source / "a", "new.json", document("org/a", results, group_subtasks={"g1": ["x", "y"]}))
    write(source / "b", "old.json", document("org/b", results, group_subtasks={"g2": ["x"]}))
    out = tmp_path / "out"
    code = main(["import", "lm-eval", str(source), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "new.json and", "old.json",
                         "group_subtasks.x", "one parent group per task")


def test_a_task_is_a_group_member_if_any_file_says_so(tmp_path):
    source = tmp_path / "source"
    results = {"x": {"acc,none": 0.5}, "y": {"acc,none": 0.4}}
    write(source, "a.json", document("org/a", results, group_subtasks={"g": ["x", "y"]}))
    write(source, "b.json", document("org/b", results))  # an older lm-eval: no groups
    imported = import_lm_eval([source])
    assert dict(imported.rounds) == {"g": ("x", "y")}


def test_a_round_mixing_scales_is_split_with_a_note(tmp_path):
    source = tmp_path / "source"
    group = {"truthfulqa": ["truthfulqa_mc2", "truthfulqa_gen"]}
    for model, mc2, bleu in (("org/a", 0.41, 12.5), ("org/b", 0.45, 25.0)):
        write(source, f"{model[-1]}.json", document(model, {
            "truthfulqa_mc2": {"acc,none": mc2}, "truthfulqa_gen": {"bleu_max,none": bleu}},
            group_subtasks=group))
    imported = import_lm_eval([source])
    assert dict(imported.rounds) == {"truthfulqa": ("truthfulqa_mc2",),
                                     "truthfulqa [percent]": ("truthfulqa_gen",)}
    assert any("'truthfulqa' mixes scales" in c for c in imported.choices)


def test_files_found_by_content_and_newest_per_task(tmp_path):
    source = tmp_path / "source"
    write(source / "m", "arc.json", document("org/m", {"arc": {"acc,none": 0.1}}, date=1.0e9))
    write(source / "m", "mmlu.json", document("org/m", {"mmlu": {"acc,none": 0.2}}, date=1.1e9))
    write(source / "m", "rerun.json", document("org/m", {"arc": {"acc,none": 0.3}}, date=1.2e9))
    write(source / "n", "all.json", document("org/n", {"arc": {"acc,none": 0.4},
                                                        "mmlu": {"acc,none": 0.5}}))
    write(source, "notes.json", {"comment": "not a results file"})
    imported = import_lm_eval([source])
    assert imported.scores.loc["org/m"].to_dict() == {"arc": 0.3, "mmlu": 0.2}
    text = " ".join(imported.choices)
    assert "org/m: 3 results files merged per task" in text and "notes.json" in text
    assert {Path(s.path).name for s in imported.sources} == {"mmlu.json", "rerun.json",
                                                             "all.json"}


@pytest.mark.parametrize("given, expected", [
    ("/data/models/meta-llama/Llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-chat-hf"),
    ("meta-llama/Llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-chat-hf"),
    ("gpt2", "gpt2"),
    ("/root/.cache/huggingface/hub/models--EleutherAI--pythia-160m/snapshots/50f5173",
     "EleutherAI/pythia-160m"),
    ("./checkpoints/my-model", "checkpoints/my-model"),
    ("/scratch/run7/org/model/checkpoint-500", "org/model"),
])
def test_model_paths_become_hub_style_names(given, expected):
    assert hub_name(given) == expected


def test_path_like_model_names_and_limit_runs_are_reported(tmp_path):
    source = tmp_path / "source"
    write(source, "a.json", document("/data/models/org/a", {"arc": {"acc,none": 0.5}},
                                     config={"limit": 10},
                                     **{"n-samples": {"arc": {"original": 1172, "effective": 10}}}))
    write(source, "b.json", document("org/b", {"arc": {"acc,none": 0.6}}))
    imported = import_lm_eval([source])
    assert list(imported.scores.index) == ["org/a", "org/b"]
    assert list(imported.models.family) == ["org", "org"]
    text = " ".join(imported.choices)
    assert "'/data/models/org/a' read as 'org/a'" in text
    assert "run with --limit 10" in text and "10 of 1172 items" in text


def test_none_in_common_lists_the_models_missing_most(tmp_path):
    source = tmp_path / "source"
    write(source, "a.json", document("org/a", {f"t{i}": {"acc,none": 0.5} for i in range(5)}))
    write(source, "b.json", document("org/b", {f"t{i}": {"acc,none": 0.5} for i in range(5)}))
    write(source, "c.json", document("org/c", {f"t{i}": {"acc,none": 0.5} for i in range(5)}))
    write(source, "d.json", document("org/d", {f"t{i}": {"acc,none": 0.5} for i in range(5)}))
    write(source, "z.json", document("org/z", {"other": {"acc,none": 0.5}}))
    with pytest.raises(InputError, match=r"fewest first: org/z: 1; org/a: 5"):
        import_lm_eval([source])


def test_library_arguments_are_checked():
    with pytest.raises(InputError, match="scoring"):
        import_lm_eval(["x"], scoring="hf")
    with pytest.raises(InputError, match="--round-level"):
        import_lm_eval(["x"], round_level=-1)
