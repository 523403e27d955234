"""Import the result files of EleutherAI's lm-evaluation-harness (v0.4 JSON).

``lm_eval --output_path OUT`` writes ``OUT/<model>/results_<timestamp>.json``, one model per
file. This module reads them with the standard library (lm-eval need not be installed). In each
file, per task:

- ``results[task]`` holds ``"METRIC,FILTER": value`` and ``"METRIC_stderr,FILTER": se`` (a
  string such as ``"N/A"`` means no standard error);
- ``higher_is_better[task]`` gives each metric's direction, in the order of the task's
  ``metric_list``;
- ``n-samples[task]`` the number of items (``effective``, else ``original``);
- ``group_subtasks`` maps each group (``mmlu``, ``bbh``, ``mmlu_stem``) to its subtasks.

**Primary metric rule.** Unless ``metrics`` names one for the task (``TASK=METRIC[,FILTER]``),
a task's metric is the first metric of ``higher_is_better[task]`` that has a value (the first of
the task's ``metric_list``: ``acc`` before ``acc_norm``), else the first metric with a value in
``results[task]``; its filter is ``none`` when present, else the first filter listed with that
metric (``strict-match`` before ``flexible-extract`` for GSM8K). The same rule is applied to the
first model's file and the choice then holds for every model; a model whose file lacks that
metric has a missing score.

**Groups.** With ``groups="leaves"`` (default) every top-level group becomes one round whose
benchmarks are its leaf tasks (nested groups are flattened, ``mmlu`` -> 57 subjects); with
``groups="groups"`` the group's own aggregate score is one benchmark, its own round. Tasks in no
group are rounds of their own. Rounds follow the order of the first file; curate it.

**Several files for one model**: the newest wins, by the file's ``date`` (a Unix time), else the
timestamp in its name; the choice is recorded.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from swisssim.data.importers.common import (
    Imported,
    accuracy_counts,
    expand_sources,
    require_common_benchmark,
    source_of,
)
from swisssim.errors import InputError
from swisssim.validation import choice

GROUP_MODES = ("leaves", "groups")
_STAMP = re.compile(r"results_(.+)\.json$")


@dataclass(frozen=True)
class _Run:
    """One results file: the model it evaluated and its parsed JSON."""

    path: Path
    model: str
    date: float | str
    document: dict[str, Any]


def parse_metric_overrides(values: Sequence[str], source: str = "--metric") -> dict[str, tuple[str, str | None]]:
    """``["TASK=METRIC[,FILTER]", ...]`` as ``{task: (metric, filter or None)}``."""
    parsed: dict[str, tuple[str, str | None]] = {}
    for value in values:
        task, sep, rest = str(value).partition("=")
        metric, _, filt = rest.partition(",")
        if not sep or not task.strip() or not metric.strip():
            raise InputError(source, "", "TASK=METRIC or TASK=METRIC,FILTER (e.g. "
                             "gsm8k=exact_match,flexible-extract)", value)
        parsed[task.strip()] = (metric.strip(), filt.strip() or None)
    return parsed


def import_lm_eval(paths: Sequence[str | Path], *, metrics: Mapping[str, Any] | Sequence[str] = (),
                   groups: str = "leaves") -> Imported:
    """Read lm-evaluation-harness result files or folders (see the module docstring).

    Parameters
    ----------
    paths
        ``results_*.json`` files, or folders searched recursively for them.
    metrics
        Metric overrides: ``{task: "METRIC[,FILTER]"}`` or a list of ``"TASK=METRIC[,FILTER]"``.
    groups
        ``"leaves"`` (subtasks of a group form one round) or ``"groups"`` (the group's aggregate
        is one benchmark).
    """
    groups = choice(groups, GROUP_MODES, "import_lm_eval", "groups")
    if isinstance(metrics, Mapping):
        metrics = [f"{k}={v}" for k, v in metrics.items()]
    overrides = parse_metric_overrides(list(metrics))
    files = expand_sources(list(paths), "results_*.json", "lm-evaluation-harness results")
    runs = [_read(path) for path in files]
    chosen, choices = _newest_per_model(runs)
    first = chosen[0].document
    tasks, rounds = _tasks_and_rounds(first, groups)
    for run in chosen[1:]:
        more, more_rounds = _tasks_and_rounds(run.document, groups)
        known = set(tasks)
        tasks += [t for t in more if t not in known]
        seen = {name for name, _ in rounds}
        for name, members in more_rounds:
            if name not in seen:
                rounds.append((name, members))
            else:
                index = [n for n, _ in rounds].index(name)
                merged = rounds[index][1] + tuple(m for m in members if m not in rounds[index][1])
                rounds[index] = (name, merged)
    unknown = sorted(set(overrides) - set(tasks))
    if unknown:
        raise InputError("--metric", "", f"tasks of the results files ({', '.join(tasks[:6])}"
                         f"{', ...' if len(tasks) > 6 else ''})", unknown[0])
    keys: dict[str, tuple[str, str]] = {}
    lower: list[str] = []
    for task in tasks:
        owner = next(r for r in chosen if task in _entries(r.document))
        metric, filt, why = _primary(owner, task, overrides.get(task))
        keys[task] = (metric, filt)
        if why:
            choices.append(f"{task}: {metric},{filt} ({why}).")
        direction = owner.document.get("higher_is_better", {}).get(task, {}).get(metric)
        if direction is False:
            lower.append(task)
        elif direction is None:
            choices.append(f"{task}: no higher_is_better entry for {metric}; taken as "
                           "higher-is-better.")
    column = {task: j for j, task in enumerate(tasks)}
    values = np.full((len(chosen), len(tasks)), np.nan)
    ses = values.copy()
    counts: dict[str, set[int | None]] = {t: set() for t in tasks}
    for i, run in enumerate(chosen):
        results = _entries(run.document)
        for task in tasks:
            entry = results.get(task)
            metric, filt = keys[task]
            if not isinstance(entry, dict) or f"{metric},{filt}" not in entry:
                continue
            values[i, column[task]] = _number(entry[f"{metric},{filt}"], run.path,
                                              f"results.{task}.{metric},{filt}")
            se = entry.get(f"{metric}_stderr,{filt}")
            if se is not None and not isinstance(se, str):
                value = _number(se, run.path, f"results.{task}.{metric}_stderr,{filt}")
                if value < 0:
                    raise InputError(str(run.path), f"results.{task}.{metric}_stderr,{filt}",
                                     "a non-negative number", value)
                ses[i, column[task]] = value
            counts[task].add(_n_samples(run, task))
    index = pd.Index([r.model for r in chosen], name="model")
    scores = pd.DataFrame(values, index=index, columns=tasks)
    errors = pd.DataFrame(ses, index=index, columns=tasks)
    require_common_benchmark(scores, ", ".join(str(r.path) for r in chosen[:3]))
    consistent = {t: int(n) for t, c in counts.items() if len(c) == 1
                  for n in c if n is not None}
    models = pd.DataFrame({"family": [_family(r.model) for r in chosen],
                           "display_name": [r.model for r in chosen]},
                          index=pd.Index([r.model for r in chosen], name="model"))
    return Imported(
        format="lm-eval", scores=scores, errors=None if errors.isna().all().all() else errors,
        item_counts=accuracy_counts(scores, consistent, lower), rounds=tuple(rounds),
        lower_is_better=tuple(lower), sources=tuple(source_of(r.path) for r in chosen),
        choices=tuple(choices), models=models)


def _read(path: Path) -> _Run:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(str(path), "", "UTF-8 JSON", found_text="undecodable bytes") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), "", "an lm-evaluation-harness results JSON file",
                         found_text=f"malformed JSON ({error.msg} at line {error.lineno})") from None
    except OSError as error:
        raise InputError(str(path), "", "a readable file",
                         found_text=f"an unreadable file ({error.strerror})") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
        raise InputError(str(path), "results", "a table of task results (lm-eval v0.4 JSON)",
                         found_text="no 'results' table")
    return _Run(path=path, model=_model_name(document, path), date=_date(document, path),
                document=document)


def _model_name(document: dict[str, Any], path: Path) -> str:
    name = document.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    args = (document.get("config") or {}).get("model_args")
    if isinstance(args, str):
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("pretrained", "model") and value.strip():
                return value.strip()
    return path.parent.name


def _date(document: dict[str, Any], path: Path) -> float | str:
    date = document.get("date")
    if isinstance(date, (int, float)) and not isinstance(date, bool):
        return float(date)
    match = _STAMP.search(path.name)
    return match.group(1) if match else path.name


def _newest_per_model(runs: list[_Run]) -> tuple[list[_Run], list[str]]:
    """One run per model (first-appearance order): the newest; the choices as sentences."""
    by_model: dict[str, list[_Run]] = {}
    for run in runs:
        by_model.setdefault(run.model, []).append(run)
    chosen, choices = [], []
    for model, candidates in by_model.items():
        newest = max(candidates, key=lambda r: (isinstance(r.date, float), r.date))
        chosen.append(newest)
        if len(candidates) > 1:
            others = ", ".join(str(r.path) for r in candidates if r is not newest)
            choices.append(f"{model}: {len(candidates)} results files; the newest, "
                           f"{newest.path}, wins over {others}.")
    return chosen, choices


def _entries(document: dict[str, Any]) -> dict[str, Any]:
    """Task and group results: ``results``, plus ``groups`` entries it lacks."""
    entries = dict(document.get("results") or {})
    for name, entry in (document.get("groups") or {}).items():
        entries.setdefault(name, entry)
    return entries


def _tasks_and_rounds(document: dict[str, Any],
                      mode: str) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    """Benchmarks and rounds of one file, in its order (see the module docstring)."""
    entries = _entries(document)
    subtasks = {g: list(v) for g, v in (document.get("group_subtasks") or {}).items()
                if isinstance(v, list) and v}
    children = {c for members in subtasks.values() for c in members}

    memo: dict[str, list[str]] = {}

    def leaves(group: str) -> list[str]:
        if group not in memo:
            out: list[str] = []
            for member in subtasks.get(group, []):
                out += leaves(member) if member in subtasks else [member]
            memo[group] = out
        return memo[group]

    owner = {leaf: g for g in subtasks if g not in children for leaf in leaves(g)}
    owner.update({g: g for g in subtasks if g not in children})
    tasks: list[str] = []
    rounds: list[tuple[str, tuple[str, ...]]] = []
    done: set[str] = set()
    for name in entries:
        if name in subtasks and name in children:
            continue  # an intermediate group such as mmlu_stem
        group = owner.get(name)
        if group is None:
            members = [name]
            group = name
        elif mode == "groups":
            members = [group] if group in entries else []
        else:
            members = [t for t in leaves(group) if t in entries]
        if group in done or not members:
            continue
        done.add(group)
        tasks += members
        rounds.append((group, tuple(members)))
    return tasks, rounds


def _primary(run: _Run, task: str,
             override: tuple[str, str | None] | None) -> tuple[str, str, str]:
    """The (metric, filter) of a task in one file, and why it was chosen ('' for an override
    that matched exactly)."""
    entry = _entries(run.document)[task]
    if not isinstance(entry, dict):
        raise InputError(str(run.path), f"results.{task}", "a table of metric values", entry)
    pairs = [tuple(k.split(",", 1)) for k in entry if "," in k and "_stderr," not in k]
    if not pairs:
        raise InputError(str(run.path), f"results.{task}", "at least one 'METRIC,FILTER' value",
                         found_text=f"keys {list(entry)[:6]}")
    metrics_present = list(dict.fromkeys(m for m, _ in pairs))
    if override is not None:
        metric, filt = override
        if metric not in metrics_present:
            raise InputError("--metric", "", f"a metric of task {task!r} "
                             f"({', '.join(metrics_present)})", metric)
        filters = [f for m, f in pairs if m == metric]
        if filt is not None and filt not in filters:
            raise InputError("--metric", "", f"a filter of {task}.{metric} "
                             f"({', '.join(filters)})", filt)
        if filt is not None:
            return metric, filt, "--metric"
        return metric, ("none" if "none" in filters else filters[0]), "--metric; filter by rule"
    declared = list((run.document.get("higher_is_better") or {}).get(task, {}) or {})
    metric = next((m for m in declared if m in metrics_present), metrics_present[0])
    filters = [f for m, f in pairs if m == metric]
    filt = "none" if "none" in filters else filters[0]
    others = [f"{m},{f}" for m, f in pairs if (m, f) != (metric, filt)]
    why = f"primary metric by rule; not used: {', '.join(others)}" if others else ""
    return metric, filt, why


def _number(value: Any, path: Path, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(str(path), field, "a finite number", value)
    return float(value)


def _n_samples(run: _Run, task: str) -> int | None:
    entry = (run.document.get("n-samples") or {}).get(task)
    if not isinstance(entry, dict):
        return None
    for key in ("effective", "original"):
        value = entry.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _family(model: str) -> str:
    """The organisation of a hub id (``EleutherAI/pythia-160m`` -> ``EleutherAI``), else ''."""
    return model.split("/", 1)[0] if "/" in model else ""
