"""Import Inspect AI evaluation logs (``.eval`` or ``.json``), read through ``inspect_ai.log``.

Needs the optional extra ``swisssim[inspect]``; without it the importer raises an
:class:`~swisssim.errors.InputError` naming the extra. Each log is one (task, model) run; its
header's ``results`` give, per scorer, metrics such as ``accuracy`` and ``stderr``, and the
number of samples scored (``completed_samples``, else ``total_samples``).

**Rules.** A benchmark is a task; a model is the log's model name. A task's score is its first
scorer's ``accuracy`` when it has one, else that scorer's first metric other than ``stderr``
(``metric`` overrides, as ``TASK=METRIC``); its standard error is the same scorer's ``stderr``.
Logs that did not finish (status other than ``success``) are skipped and reported. When one
(task, model) pair has several logs, the newest (``eval.created``) wins and the choice is
recorded. Every task is a round of its own, in the order of the logs' creation times (ties by
file name); curate it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from swisssim.data.importers.common import (
    Imported,
    accuracy_counts,
    expand_sources,
    require_common_benchmark,
    source_of,
)
from swisssim.errors import InputError


def _reader() -> Any:
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:
        raise InputError("inspect", "", "the inspect_ai package (pip install 'swisssim[inspect]')",
                         found_text="it is not installed") from None
    return read_eval_log


def import_inspect(paths: Sequence[str | Path], *,
                   metrics: Mapping[str, str] | Sequence[str] = ()) -> Imported:
    """Read Inspect AI logs (files, or folders searched for ``*.eval`` and ``*.json``).

    Parameters
    ----------
    paths
        Log files or folders.
    metrics
        ``{task: metric}`` or ``["TASK=METRIC", ...]``: the metric to read for a task.
    """
    read_eval_log = _reader()
    if not isinstance(metrics, Mapping):
        metrics = dict(_metric_override(m) for m in metrics)
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".eval", ".json")
                           and p.is_file() and not p.name.startswith("."))
            if not found:
                raise InputError(str(path), "", "a folder holding Inspect logs (*.eval, *.json)",
                                 found_text="no such file in it")
            files += found
        else:
            files += expand_sources([path], "*.eval", "Inspect logs")
    headers = []
    for path in dict.fromkeys(files):
        try:
            log = read_eval_log(str(path), header_only=True)
        except Exception as error:  # inspect raises pydantic, zip and JSON errors
            raise InputError(str(path), "", "an Inspect AI evaluation log",
                             found_text=f"unreadable content ({type(error).__name__})") from None
        headers.append((str(log.eval.created), str(path), path, log))
    chosen: dict[tuple[str, str], tuple[str, Path, dict[str, float]]] = {}
    choices: list[str] = []
    for created, _, path, log in sorted(headers, key=lambda h: h[:2]):
        if log.status != "success" or log.results is None:
            choices.append(f"{path}: status {log.status!r}, skipped.")
            continue
        task, model = str(log.eval.task), str(log.eval.model)
        values = _values(log, path, metrics.get(task))
        if (task, model) in chosen:
            choices.append(f"{model} on {task}: newer log {path} wins over "
                           f"{chosen[(task, model)][1]}.")
        chosen[(task, model)] = (created, path, values)
    if not chosen:
        raise InputError(", ".join(map(str, paths)), "", "at least one successful Inspect log",
                         found_text="none")
    tasks = list(dict.fromkeys(t for t, _ in chosen))
    unknown = sorted(set(metrics) - set(tasks))
    if unknown:
        raise InputError("--metric", "", f"tasks of the logs ({', '.join(tasks[:6])})",
                         unknown[0])
    models = list(dict.fromkeys(m for _, m in chosen))
    scores = pd.DataFrame(math.nan, index=pd.Index(models, name="model"), columns=tasks)
    errors = scores.copy()
    counts: dict[str, set[int]] = {t: set() for t in tasks}
    for (task, model), (_, _, values) in chosen.items():
        scores.at[model, task] = values["score"]
        errors.at[model, task] = values.get("stderr", math.nan)
        counts[task].add(int(values["n"]))
    label = ", ".join(map(str, paths))
    require_common_benchmark(scores, label)
    metric_names = sorted({str(v["metric"]) for v in (c[2] for c in chosen.values())})
    choices.insert(0, f"Metric read: {', '.join(metric_names)} (first scorer of each task).")
    consistent = {t: next(iter(c)) for t, c in counts.items() if len(c) == 1 and 0 not in c}
    return Imported(
        format="inspect", scores=scores,
        errors=None if errors.isna().all().all() else errors,
        item_counts=accuracy_counts(scores, consistent),
        rounds=tuple((t, (t,)) for t in tasks),
        sources=tuple(source_of(c[1]) for c in chosen.values()), choices=tuple(choices))


def _metric_override(value: str) -> tuple[str, str]:
    task, sep, metric = str(value).partition("=")
    if not sep or not task.strip() or not metric.strip() or "," in metric:
        raise InputError("--metric", "", "TASK=METRIC for an Inspect log (e.g. arith=accuracy)",
                         value)
    return task.strip(), metric.strip()


def _values(log: Any, path: Path, metric: str | None) -> dict[str, Any]:
    scores = list(log.results.scores or [])
    if not scores:
        raise InputError(str(path), "results.scores", "at least one scorer", found_text="none")
    scorer = scores[0]
    available = {name: m.value for name, m in scorer.metrics.items()}
    if metric is None:
        metric = "accuracy" if "accuracy" in available else next(
            (m for m in available if m != "stderr"), None)
    if metric is None or metric not in available:
        raise InputError(str(path), f"results.scores[{scorer.name}].metrics",
                         f"a metric {metric or 'other than stderr'}",
                         found_text=f"{sorted(available)}")
    value = available[metric]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(str(path), f"results.scores[{scorer.name}].metrics.{metric}",
                         "a finite number", value)
    out: dict[str, Any] = {"score": float(value), "metric": metric,
                           "n": log.results.completed_samples or log.results.total_samples or 0}
    se = available.get("stderr")
    if isinstance(se, (int, float)) and not isinstance(se, bool) and math.isfinite(se) and se >= 0:
        out["stderr"] = float(se)
    return out
