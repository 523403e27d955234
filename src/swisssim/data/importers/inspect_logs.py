"""Import Inspect AI evaluation logs (``.eval`` or ``.json``), read through ``inspect_ai.log``.

Needs the optional extra ``swisssim[inspect]``; without it the importer raises an
:class:`~swisssim.errors.InputError` naming the extra. Each log is one (task, model) run; its
header's ``results`` give, per scorer, metrics such as ``accuracy`` and ``stderr``.

**Folders** (an ``inspect eval-set`` log folder holds ``eval-set.json`` and ``logs.json`` beside the
logs): every ``*.eval`` and ``*.json`` below is tried; JSON files that are no log are skipped with a
note. A file named on the command line must be a log.

**Rules.** A benchmark is a task; a model is the log's model name. A task's score is read from its
first scorer (``scorer`` chooses another, by name: ``SCORER`` for every task or ``TASK=SCORER``):
``accuracy`` when it has one, else that scorer's first metric other than ``stderr`` (``metric``
overrides, as ``TASK=METRIC`` or ``METRIC`` for every task); its standard error is the same
scorer's ``stderr``. The item count is the number of samples: ``completed_samples`` (else
``total_samples``) divided by the epochs, which are reported apart. Logs that did not finish
(status other than ``success``) and logs without a scorer are skipped with a note; runs with
``--limit`` are reported. When one (task, model) pair has several logs, the newest
(``eval.created``) wins and the choice is recorded. Every task is a round of its own, in the order
of the logs' creation times (ties by file name); curate it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from swisssim.data.importers.common import (
    MAX_IMPORT_BYTES,
    Imported,
    accuracy_counts,
    expand_sources,
    require_common_benchmark,
    source_of,
)
from swisssim.data.tables import check_text_file
from swisssim.errors import InputError


def _reader() -> Any:
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:
        raise InputError("inspect", "", "the inspect_ai package (pip install 'swisssim[inspect]')",
                         found_text="it is not installed") from None
    return read_eval_log


#: Files an ``inspect eval-set`` folder holds beside its logs.
EVAL_SET_FILES = ("eval-set.json", "logs.json", "listing.json")


def import_inspect(paths: Sequence[str | Path], *,
                   metrics: Mapping[str, str] | Sequence[str] = (),
                   scorers: Mapping[str, str] | Sequence[str] = ()) -> Imported:
    """Read Inspect AI logs (files, or folders searched for ``*.eval`` and ``*.json``).

    Parameters
    ----------
    paths
        Log files or folders (``inspect eval-set`` folders included).
    metrics
        ``{task: metric}``, or ``["TASK=METRIC" or "METRIC", ...]``: the metric to read.
    scorers
        ``{task: scorer}``, or ``["TASK=SCORER" or "SCORER", ...]``: the scorer to read.
    """
    read_eval_log = _reader()
    metric_for = _overrides(metrics, "--metric", "METRIC")
    scorer_for = _overrides(scorers, "--scorer", "SCORER")
    files: list[tuple[Path, bool]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".eval", ".json")
                           and p.is_file() and not p.name.startswith(".")
                           and p.name not in EVAL_SET_FILES)
            if not found:
                raise InputError(str(path), "", "a folder holding Inspect logs (*.eval, *.json)",
                                 found_text="no such file in it")
            files += [(p, True) for p in found]
        else:
            files += [(p, False) for p in expand_sources([path], "*.eval", "Inspect logs")]
    headers = []
    choices: list[str] = []
    skipped: list[str] = []
    for path, in_folder in dict.fromkeys(files):
        if path.suffix == ".json":
            check_text_file(path, "Inspect AI log (JSON)", MAX_IMPORT_BYTES)
        else:
            _check_size(path)
        try:
            log = read_eval_log(str(path), header_only=True)
        except Exception as error:  # noqa: BLE001 (inspect raises pydantic, zip, JSON errors)
            if in_folder and path.suffix == ".json":
                skipped.append(path.name)
                continue
            raise InputError(str(path), "", "an Inspect AI evaluation log",
                             found_text=f"unreadable content ({type(error).__name__})") from None
        headers.append((str(log.eval.created), str(path), path, log))
    if skipped:
        choices.append(f"{len(skipped)} JSON file(s) that are no Inspect log skipped "
                       f"({', '.join(skipped[:4])}{', ...' if len(skipped) > 4 else ''}).")
    chosen: dict[tuple[str, str], tuple[str, Path, dict[str, Any]]] = {}
    for created, _, path, log in sorted(headers, key=lambda h: h[:2]):
        if log.status != "success":
            choices.append(f"{path}: status {log.status!r}, skipped.")
            continue
        if log.results is None or not list(log.results.scores or []):
            choices.append(f"{path}: no scorer (no results), skipped.")
            continue
        task, model = str(log.eval.task), str(log.eval.model)
        values = _values(log, path, _pick(metric_for, task), _pick(scorer_for, task))
        if getattr(log.eval.config, "limit", None) is not None:
            choices.append(f"{path}: run with --limit {log.eval.config.limit}: its score is on "
                           "a subset of the samples.")
        if values["epochs"] > 1:
            choices.append(f"{model} on {task}: {values['epochs']} epochs of {values['n']} "
                           "samples; the item count is the samples.")
        if (task, model) in chosen:
            choices.append(f"{model} on {task}: newer log {path} wins over "
                           f"{chosen[(task, model)][1]}.")
        chosen[(task, model)] = (created, path, values)
    if not chosen:
        raise InputError(", ".join(map(str, paths)), "", "at least one successful Inspect log "
                         "with a scorer", found_text="none" + (f" ({choices[-1]})" if choices
                                                              else ""))
    tasks = list(dict.fromkeys(t for t, _ in chosen))
    for flag, named in (("--metric", metric_for), ("--scorer", scorer_for)):
        unknown = sorted(set(named) - set(tasks) - {"*"})
        if unknown:
            raise InputError(flag, "", f"tasks of the logs ({', '.join(tasks[:6])})",
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
    read = sorted({f"{v['scorer']}.{v['metric']}" for v in (c[2] for c in chosen.values())})
    choices.insert(0, f"Read (scorer.metric): {', '.join(read)}.")
    consistent = {t: next(iter(c)) for t, c in counts.items() if len(c) == 1 and 0 not in c}
    return Imported(
        format="inspect", scores=scores,
        errors=None if errors.isna().all().all() else errors,
        item_counts=accuracy_counts(scores, consistent),
        rounds=tuple((t, (t,)) for t in tasks),
        sources=tuple(source_of(c[1]) for c in chosen.values()), choices=tuple(choices))


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(str(path), "", "a readable Inspect AI log",
                         found_text=f"an unreadable file ({error.strerror})") from None
    if size > MAX_IMPORT_BYTES:
        raise InputError(str(path), "", f"an Inspect AI log of at most {MAX_IMPORT_BYTES >> 20} "
                         "MiB", found_text=f"{size / 2**20:.1f} MiB")


def _overrides(values: Mapping[str, str] | Sequence[str], flag: str,
               what: str) -> dict[str, str]:
    """``TASK=NAME`` or ``NAME`` (every task, key ``*``) as ``{task: name}``."""
    if isinstance(values, Mapping):
        return {str(k): str(v) for k, v in values.items()}
    out: dict[str, str] = {}
    for value in values:
        task, sep, name = str(value).partition("=")
        if not sep:
            task, name = "*", task
        if not task.strip() or not name.strip() or "," in name:
            raise InputError(flag, "", f"TASK={what} or {what} for an Inspect log "
                             f"(e.g. arith={'accuracy' if what == 'METRIC' else 'match'})", value)
        out[task.strip()] = name.strip()
    return out


def _pick(given: dict[str, str], task: str) -> str | None:
    return given.get(task, given.get("*"))


def _values(log: Any, path: Path, metric: str | None, scorer_name: str | None) -> dict[str, Any]:
    scores = list(log.results.scores or [])
    if scorer_name is None:
        scorer = scores[0]
    else:
        scorer = next((s for s in scores if s.name == scorer_name), None)
        if scorer is None:
            raise InputError("--scorer", "", f"a scorer of {path} "
                             f"({', '.join(s.name for s in scores)})", scorer_name)
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
    epochs = getattr(log.eval.config, "epochs", None) or 1
    total = log.results.completed_samples or log.results.total_samples or 0
    out: dict[str, Any] = {"score": float(value), "metric": metric, "scorer": scorer.name,
                           "n": total // epochs if epochs > 1 else total, "epochs": epochs}
    se = available.get("stderr")
    if isinstance(se, (int, float)) and not isinstance(se, bool) and math.isfinite(se) and se >= 0:
        out["stderr"] = float(se)
    return out
