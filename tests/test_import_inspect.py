"""``swisssim import inspect`` on real Inspect AI logs that this test writes by running tiny tasks
with Inspect's mock model (``mockllm``).

Offline, Inspect would download tiktoken's ``o200k_base`` encoding to count tokens; the test
replaces that one function (``inspect_ai.model._model.count_text_tokens``) with a local estimate,
and the run then writes a real log. Expected accuracies and standard errors are computed here from
the samples' targets: the mock model answers ``Default output from mockllm/model`` unless given
custom outputs, and ``includes()`` scores 1 when the target occurs in the answer.
"""

from __future__ import annotations

import math

import pytest

from conftest import REPO, assert_clean_failure
from swisssim.cli.app import main
from swisssim.data.importers import import_inspect
from swisssim.data.scenario import load_scenario

inspect_ai = pytest.importorskip("inspect_ai", reason="inspect_ai is not installed "
                                 "(pip install -e '.[inspect]')")

# Inspect's own retry setup warns about a tenacity deprecation; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The 'initial' parameter is deprecated")

# (task, number of samples, number of targets the default answer contains)
TASKS = (("arith", 8, 5), ("recall", 6, 2), ("logic", 5, 4))


def run_task(name: str, n: int, hits: int, model, log_dir) -> None:
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    samples = [Sample(input=f"{name} question {i}", target="Default" if i < hits else "zebra")
               for i in range(n)]
    task = Task(name=name, dataset=samples, solver=generate(), scorer=includes())
    logs = inspect_eval(task, model=model, log_dir=str(log_dir), display="none")
    assert logs[0].status == "success"


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    import inspect_ai.model._model as model_module
    from inspect_ai.model import ModelOutput, get_model

    folder = tmp_path_factory.mktemp("inspect-logs")
    patch = pytest.MonkeyPatch()
    patch.setattr(model_module, "count_text_tokens", lambda text: max(1, len(text) // 4))
    try:
        for name, n, hits in TASKS:
            run_task(name, n, hits, "mockllm/model", folder)
        # a second model answers "zebra" every time: it scores n - hits; it skips 'logic'
        for name, n, hits in TASKS[:2]:
            zebra = get_model("mockllm/zebra", custom_outputs=[
                ModelOutput.from_content("mockllm/zebra", "zebra") for _ in range(n)])
            run_task(name, n, hits, zebra, folder)
    finally:
        patch.undo()
    return folder


def binomial_se(k: int, n: int) -> float:
    p = k / n
    return math.sqrt(p * (1 - p) / (n - 1))


def test_scores_stderr_and_counts_from_real_logs(log_dir):
    imported = import_inspect([log_dir])
    assert sorted(imported.scores.columns) == sorted(t for t, _, _ in TASKS)
    assert set(imported.scores.index) == {"mockllm/model", "mockllm/zebra"}
    for name, n, hits in TASKS:
        assert imported.scores.at["mockllm/model", name] == pytest.approx(hits / n)
        assert imported.errors.at["mockllm/model", name] == pytest.approx(binomial_se(hits, n))
    for name, n, hits in TASKS[:2]:
        assert imported.scores.at["mockllm/zebra", name] == pytest.approx((n - hits) / n)
    assert math.isnan(imported.scores.at["mockllm/zebra", "logic"])
    assert imported.item_counts == {name: n for name, n, _ in TASKS}
    assert imported.missing() == {"mockllm/zebra": ["logic"]}
    assert len(imported.sources) == 5


def test_import_inspect_then_run(log_dir, tmp_path, capsys):
    out = tmp_path / "scenario"
    assert main(["import", "inspect", str(log_dir), "--name", "mock", "--out", str(out)]) == 0
    assert "mockllm/zebra: logic" in capsys.readouterr().err
    scenario = load_scenario(out / "mock.toml")
    assert scenario.n_models == 2 and scenario.scoring.missing == "skip"
    assert scenario.score_errors.loc["mockllm/model", "arith"] == pytest.approx(binomial_se(5, 8))
    assert main(["run", str(out / "mock.toml"), "-n", "200", "--out", str(tmp_path / "run"),
                 "--no-progress"]) == 0


def test_a_file_that_is_no_log_fails_cleanly(tmp_path, capsys):
    bad = tmp_path / "broken.eval"
    bad.write_bytes(b"not a zip file")
    out = tmp_path / "out"
    code = main(["import", "inspect", str(bad), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "broken.eval",
                         "an Inspect AI evaluation log")


def test_the_newest_log_wins_and_failed_logs_are_skipped(log_dir, tmp_path):
    import time

    import inspect_ai.model._model as model_module
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import solver

    @solver
    def broken():
        async def solve(state, generate):
            raise RuntimeError("this solver always fails")
        return solve

    rerun = tmp_path / "rerun"
    patch = pytest.MonkeyPatch()
    patch.setattr(model_module, "count_text_tokens", lambda text: max(1, len(text) // 4))
    try:
        time.sleep(1.1)  # creation times have one-second resolution
        run_task("arith", 8, 1, "mockllm/model", rerun)  # newer: 1 of 8 instead of 5 of 8
        failed = Task(name="recall", dataset=[Sample(input="q", target="x")], solver=broken(),
                      scorer=includes())
        logs = inspect_eval(failed, model="mockllm/model", log_dir=str(rerun), display="none")
        assert logs[0].status == "error"
    finally:
        patch.undo()
    imported = import_inspect([log_dir, rerun])
    assert imported.scores.at["mockllm/model", "arith"] == pytest.approx(1 / 8)
    assert imported.scores.at["mockllm/model", "recall"] == pytest.approx(2 / 6)
    text = " ".join(imported.choices)
    assert "mockllm/model on arith: newer log" in text and "status 'error', skipped" in text


def test_metric_overrides_are_checked(log_dir, tmp_path, capsys):
    imported = import_inspect([log_dir], metrics=["arith=accuracy"])
    assert imported.scores.at["mockllm/model", "arith"] == pytest.approx(5 / 8)
    out = tmp_path / "out"
    for value, fragment in (("arith=", "TASK=METRIC"), ("nosuch=accuracy", "'nosuch'"),
                            ("arith=f1", "a metric f1"), ("f1", "a metric f1")):
        code = main(["import", "inspect", str(log_dir), "--name", "x", "--out", str(out),
                     "--metric", value])
        assert_clean_failure(code, capsys.readouterr().err, out, fragment)


REAL_LOG = (REPO / "tests" / "data" / "real" / "inspect"
            / "2025-07-30T18-42-38+00-00_mmlu_ZYEnfbu3nstBuwzjiAGzuG.eval")


@pytest.fixture(scope="module")
def eval_set_dir(tmp_path_factory):
    """An ``inspect eval-set`` folder (eval-set.json, logs.json beside the logs): two models,
    one task run for 3 epochs, one task run with --limit, and a task without a scorer."""
    import inspect_ai.model._model as model_module
    from inspect_ai import Task, eval_set
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import exact, includes
    from inspect_ai.solver import generate

    folder = tmp_path_factory.mktemp("eval-set")
    samples = [Sample(input=f"q{i}", target="Default" if i < 3 else "zebra") for i in range(4)]
    tasks = [Task(name="epochs", dataset=samples, solver=generate(), scorer=[includes(), exact()],
                  epochs=3),
             Task(name="limited", dataset=[Sample(input=f"l{i}", target="Default")
                                           for i in range(6)], solver=generate(),
                  scorer=includes())]
    patch = pytest.MonkeyPatch()
    patch.setattr(model_module, "count_text_tokens", lambda text: max(1, len(text) // 4))
    try:
        ok, _ = eval_set(tasks, model=["mockllm/model", "mockllm/other"], log_dir=str(folder),
                         display="none", limit=None)
        assert ok
        from inspect_ai import eval as inspect_eval
        inspect_eval(Task(name="unscored", dataset=samples, solver=generate()),
                     model="mockllm/model", log_dir=str(folder / "extra"), display="none")
        inspect_eval(tasks[1], model="mockllm/model", log_dir=str(folder / "extra"),
                     display="none", limit=2)
    finally:
        patch.undo()
    return folder


def test_an_eval_set_folder_imports_with_notes(eval_set_dir):
    assert (eval_set_dir / "eval-set.json").exists() and (eval_set_dir / "logs.json").exists()
    imported = import_inspect([eval_set_dir])
    assert sorted(imported.scores.columns) == ["epochs", "limited"]
    assert set(imported.scores.index) == {"mockllm/model", "mockllm/other"}
    # 4 samples x 3 epochs: the item count is the 4 samples; 3 of 4 contain "Default"
    assert imported.item_counts["epochs"] == 4
    assert imported.scores.at["mockllm/model", "epochs"] == pytest.approx(3 / 4)
    text = " ".join(imported.choices)
    assert "3 epochs of 4 samples" in text
    assert "no scorer" in text and "unscored" in text
    assert "run with --limit 2" in text
    assert "Read (scorer.metric): includes.accuracy" in text


def test_the_scorer_and_metric_can_be_chosen(eval_set_dir, tmp_path, capsys):
    imported = import_inspect([eval_set_dir], scorers=["epochs=exact"])
    assert imported.scores.at["mockllm/model", "epochs"] == pytest.approx(0.0)  # never exact
    out = tmp_path / "out"
    code = main(["import", "inspect", str(eval_set_dir), "--name", "x", "--out", str(out),
                 "--scorer", "nosuch"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--scorer", "'nosuch'", "includes")


def test_a_real_inspect_log_is_read(tmp_path):
    """The real log (gpt-4 on MMLU, 285 samples) beside a mock run of a task of the same name."""
    import inspect_ai.model._model as model_module

    from swisssim.data.importers.inspect_logs import _reader

    header = _reader()(str(REAL_LOG), header_only=True)
    metrics = header.results.scores[0].metrics
    patch = pytest.MonkeyPatch()
    patch.setattr(model_module, "count_text_tokens", lambda text: max(1, len(text) // 4))
    try:
        run_task("mmlu", 5, 2, "mockllm/model", tmp_path / "mock")
    finally:
        patch.undo()
    imported = import_inspect([REAL_LOG, tmp_path / "mock"])
    assert imported.scores.at["openai/gpt-4", "mmlu"] == metrics["accuracy"].value
    assert imported.errors.at["openai/gpt-4", "mmlu"] == metrics["stderr"].value
    assert header.results.completed_samples == 285
    assert imported.scores.at["mockllm/model", "mmlu"] == pytest.approx(2 / 5)
