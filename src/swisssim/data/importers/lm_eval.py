"""Import the result files of EleutherAI's lm-evaluation-harness (v0.4 and v0.3 JSON).

``lm_eval --output_path OUT`` writes ``OUT/<model>/results_<timestamp>.json``; wrappers and older
versions write the same document under other names (``arc.json``, ``bloom-1b1_gsm8k_8-shot.json``).
This module reads them with the standard library (lm-eval need not be installed).

**Files are found by content.** In a folder every ``*.json`` that is a JSON object with a
``results`` table and lm-eval's ``config`` or ``versions`` is a results file, whatever its name;
other JSON files are skipped (and counted in a note). A file named on the command line must be one.

**Two layouts.** v0.4 keys metrics as ``"METRIC,FILTER"`` (``"acc,none"``, ``"acc_stderr,none"``);
v0.3 (every paper and model card before 2024: Pythia, the Open LLM Leaderboard v1) as ``"acc"``,
``"acc_stderr"``, with ``hendrycksTest-*`` tasks and the model only in ``config.model_args``. A
v0.3 metric is read as filter ``none``.

**Model**: ``model_name``, else ``pretrained=`` (or ``model=``, ``path=``) in
``config.model_args``, else the folder name. A model name that is a local path
(``/data/models/meta-llama/Llama-2-13b-chat-hf``, a Hugging Face cache folder
``models--org--name/snapshots/<sha>``) becomes its hub-style tail ``org/name``.

**Merged per task.** People run tasks in separate invocations, so a model's folder holds several
files with some tasks each. All files of a model are merged: each task is taken from the newest
file that has it (by the file's ``date``, else the timestamp in its name, else the file name); the
file each task came from is reported when a model has several files, and recorded in the scenario's
description.

**Primary metric rule.** Unless ``metrics`` names one for the task (``TASK=METRIC[,FILTER]``),
a task's metric is the first metric of ``higher_is_better[task]`` that has a value (the first of
the task's ``metric_list``: ``acc`` before ``acc_norm``), else the first metric with a value in
``results[task]``; its filter is ``none`` when present, else the first filter listed with that
metric (``strict-match`` before ``flexible-extract`` for GSM8K). The rule is applied to the first
file that has the task and the choice then holds for every model; a model whose file lacks that
metric has a missing score.

**Groups.** ``group_subtasks`` (from every file: a task is a group member if any file says so; a
task given different parents by two files is an error naming both files) defines a forest of
groups. The groups at ``round_level`` (0: the top-level groups; 1: their members; ...; default 0,
and 1 for the ``leaderboard`` group of the Open LLM Leaderboard v2, whose six members
``leaderboard_bbh`` ... ``leaderboard_mmlu_pro`` are its benchmarks) become rounds. With
``groups="leaves"`` (default) a round's benchmarks are its group's leaf tasks (nested groups are
flattened, ``mmlu`` -> 57 subjects); with ``groups="groups"`` the group's own aggregate is one
benchmark, its own round. Tasks in no group are rounds of their own. Rounds follow the order of the
files; curate it.

**Open LLM Leaderboard v2 scoring** (``scoring="open-llm-v2"``): the six leaderboard benchmarks
scored as that leaderboard documents it (``docs/importers.md``): each (sub)task's score has its
random baseline subtracted and is rescaled to 0-100 (``100 * (score - b) / (1 - b)``, 0 below the
baseline); BBH and MuSR average their normalised subtasks; IFEval averages its strict prompt- and
instruction-level accuracies; MATH Lvl 5 has baseline 0. One round per benchmark.

**Runs with ``--limit``** (``config.limit`` set, or ``n-samples`` effective below original) are
reported: their scores are on a subset of the items.

**Scales inside a round**: a round whose benchmarks are on different scales (a 0-1 accuracy and a
10-30 BLEU) or directions is split, one round per scale (:func:`split_mixed_scales`), and the split
is reported; choose another metric with ``metrics`` to keep them together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from swisssim.data.importers.common import (
    Imported,
    accuracy_counts,
    read_json,
    require_common_benchmark,
    source_of,
    split_mixed_scales,
)
from swisssim.errors import InputError
from swisssim.validation import choice

GROUP_MODES = ("leaves", "groups")
SCORINGS = ("raw", "open-llm-v2")
#: Groups whose members (not the group itself) are the rounds users expect by default.
DEEP_ROOTS = {"leaderboard": 1}
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}(?:\.\d+)?)")
#: Largest Unix time accepted as a file's ``date`` (year 5138).
_MAX_DATE = 1e11

#: Open LLM Leaderboard v2: random baseline of each (sub)task (1 / number of choices).
OPEN_LLM_V2_BBH = {
    "boolean_expressions": 2, "causal_judgement": 2, "date_understanding": 6,
    "disambiguation_qa": 3, "formal_fallacies": 2, "geometric_shapes": 11, "hyperbaton": 2,
    "logical_deduction_five_objects": 5, "logical_deduction_seven_objects": 7,
    "logical_deduction_three_objects": 3, "movie_recommendation": 6, "navigate": 2,
    "object_counting": 19, "penguins_in_a_table": 5, "reasoning_about_colored_objects": 18,
    "ruin_names": 6, "salient_translation_error_detection": 6, "snarks": 2,
    "sports_understanding": 2, "temporal_sequences": 4,
    "tracking_shuffled_objects_five_objects": 5, "tracking_shuffled_objects_seven_objects": 7,
    "tracking_shuffled_objects_three_objects": 3, "web_of_lies": 2}
OPEN_LLM_V2_MUSR = {"murder_mysteries": 2, "object_placements": 5, "team_allocation": 3}


@dataclass
class _Run:
    """One results file: the model it evaluated and its validated parts."""

    path: Path
    model: str
    date: tuple[int, float | str]
    results: dict[str, dict[str, Any]]
    higher: dict[str, dict[str, Any]]
    subtasks: dict[str, list[str]]
    samples: dict[str, dict[str, Any]]
    limit: Any
    v03: bool
    renamed: str = ""
    tasks_taken: list[str] = field(default_factory=list)


def parse_metric_overrides(values: Sequence[str],
                           source: str = "--metric") -> dict[str, tuple[str, str | None]]:
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
                   groups: str = "leaves", round_level: int | None = None,
                   scoring: str = "raw") -> Imported:
    """Read lm-evaluation-harness result files or folders (see the module docstring).

    Parameters
    ----------
    paths
        Results files, or folders searched recursively for them (found by content).
    metrics
        Metric overrides: ``{task: "METRIC[,FILTER]"}`` or a list of ``"TASK=METRIC[,FILTER]"``.
    groups
        ``"leaves"`` (subtasks of a group form one round) or ``"groups"`` (the group's aggregate
        is one benchmark).
    round_level
        Depth in the group forest whose groups become rounds (0 = top-level groups); None: 0,
        except 1 under the ``leaderboard`` group.
    scoring
        ``"raw"`` (the metric values as written) or ``"open-llm-v2"`` (the Open LLM Leaderboard
        v2 normalisation of its six benchmarks).
    """
    groups = choice(groups, GROUP_MODES, "import_lm_eval", "groups")
    scoring = choice(scoring, SCORINGS, "import_lm_eval", "scoring")
    if round_level is not None and (isinstance(round_level, bool) or not isinstance(
            round_level, int) or round_level < 0):
        raise InputError("--round-level", "", "a non-negative integer", round_level)
    if isinstance(metrics, Mapping):
        metrics = [f"{k}={v}" for k, v in metrics.items()]
    overrides = parse_metric_overrides(list(metrics))
    runs, notes = _collect(paths)
    choices: list[str] = list(notes)
    forest = _Forest.of(runs)
    merged, provenance = _merge_per_model(runs)
    choices += provenance
    choices += _limit_notes(runs)
    if scoring == "open-llm-v2":
        return _open_llm_v2(merged, runs, choices)
    tasks, rounds = forest.rounds(merged, groups, round_level)
    choices += forest.notes
    unknown = sorted(set(overrides) - set(tasks))
    if unknown:
        raise InputError("--metric", "", f"tasks of the results files ({', '.join(tasks[:6])}"
                         f"{', ...' if len(tasks) > 6 else ''})", unknown[0])
    keys: dict[str, tuple[str, str]] = {}
    lower: list[str] = []
    said: dict[str, list[str]] = {}  # one line per choice, listing the tasks it applies to
    for task in tasks:
        having = [m[task] for m in merged.values() if task in m]
        owner = next((r for r in having if _pairs(r, r.results[task])), having[0])
        metric, filt, why = _primary(owner, task, overrides.get(task))
        keys[task] = (metric, filt)
        if why:
            shown = metric if owner.v03 else f"{metric},{filt}"
            said.setdefault(f"{shown} ({why})", []).append(task)
        direction = owner.higher.get(task, {}).get(metric)
        if direction is False:
            lower.append(task)
        elif direction is None and not owner.v03:
            said.setdefault(f"no higher_is_better entry for {metric}; taken as "
                            "higher-is-better", []).append(task)
        elif direction is None and _lower_by_name(metric):
            lower.append(task)
            said.setdefault(f"{metric} is lower-is-better (v0.3 file, by the metric's name)",
                            []).append(task)
    for text, named in said.items():
        who = named[0] if len(named) == 1 else (
            f"{', '.join(named[:3])}{', ...' if len(named) > 3 else ''} ({len(named)} tasks)")
        choices.append(f"{who}: {text}.")
    models = list(merged)
    column = {task: j for j, task in enumerate(tasks)}
    values = np.full((len(models), len(tasks)), np.nan)
    ses = values.copy()
    counts: dict[str, set[int | None]] = {t: set() for t in tasks}
    for i, model in enumerate(models):
        for task in tasks:
            run = merged[model].get(task)
            if run is None:
                continue
            entry = run.results[task]
            metric, filt = keys[task]
            key = _key(run, metric, filt)
            if key not in entry:
                continue
            values[i, column[task]] = _number(entry[key], run.path, f"results.{task}.{key}")
            se = entry.get(_key(run, metric + "_stderr", filt))
            if se is not None and not isinstance(se, str):
                field_name = f"results.{task}.{_key(run, metric + '_stderr', filt)}"
                value = _number(se, run.path, field_name)
                if value < 0:
                    raise InputError(str(run.path), field_name, "a non-negative number", value)
                ses[i, column[task]] = value
            counts[task].add(_n_samples(run, task))
    index = pd.Index(models, name="model")
    scores = pd.DataFrame(values, index=index, columns=tasks)
    errors = pd.DataFrame(ses, index=index, columns=tasks)
    label = ", ".join(str(p) for p in paths)
    require_common_benchmark(scores, label)
    consistent: dict[str, int] = {t: n for t, c in counts.items() if len(c) == 1
                                  for n in c if n is not None}
    rounds, split_notes = split_mixed_scales(scores, rounds, lower)
    choices += split_notes
    return Imported(
        format="lm-eval", scores=scores, errors=None if errors.isna().all().all() else errors,
        item_counts=accuracy_counts(scores, consistent, lower), rounds=tuple(rounds),
        lower_is_better=tuple(lower), sources=_sources(merged), choices=tuple(choices),
        models=_model_table(models))


# ----------------------------------------------------------------------------------- reading


def _collect(paths: Sequence[str | Path]) -> tuple[list[_Run], list[str]]:
    """Every results file under ``paths`` (found by content), and notes on what was skipped."""
    runs: list[_Run] = []
    notes: list[str] = []
    seen: set[Path] = set()
    if isinstance(paths, (str, Path)) or not len(paths):
        raise InputError("import_lm_eval", "paths", "a list of files or folders", paths)
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file()
                           and not p.name.startswith("."))
            skipped = []
            for candidate in found:
                if candidate in seen:
                    continue
                seen.add(candidate)
                document = read_json(candidate, "lm-evaluation-harness results JSON file")
                if _is_results(document, candidate):
                    runs.append(_parse(candidate, document))
                else:
                    skipped.append(candidate.name)
            if skipped:
                notes.append(f"{path}: {len(skipped)} JSON file(s) that are no lm-eval results "
                             f"skipped ({', '.join(skipped[:4])}{', ...' if len(skipped) > 4 else ''}).")
            if not any(r.path.is_relative_to(path) for r in runs):
                raise InputError(str(path), "", "a folder holding lm-evaluation-harness results "
                                 "files (JSON with 'results' and lm-eval's 'config')",
                                 found_text=f"none among {len(found)} JSON file(s)")
        elif path.is_file():
            if path in seen:
                continue
            seen.add(path)
            document = read_json(path, "lm-evaluation-harness results JSON file")
            if not isinstance(document, dict) or not isinstance(document.get("results"), dict):
                raise InputError(str(path), "results", "a table of task results (lm-eval JSON)",
                                 found_text="no 'results' table")
            runs.append(_parse(path, document))
        else:
            raise InputError(str(path), "", "an existing file or folder of lm-evaluation-harness "
                             "results", found_text="no such file or folder")
    return runs, notes


#: Keys only lm-eval's results documents have (beside ``results``).
_MARKERS = ("config", "versions", "higher_is_better", "n-samples", "group_subtasks",
            "model_name", "lm_eval_version")


def _is_results(document: Any, path: Path) -> bool:
    """Whether a JSON document is an lm-eval results file; one that has lm-eval's keys but no
    ``results`` table is an error (a damaged results file, not another tool's JSON)."""
    if not isinstance(document, dict) or not any(k in document for k in _MARKERS):
        return False
    if not isinstance(document.get("results"), dict):
        raise InputError(str(path), "results", "a table of task results (lm-eval JSON)",
                         found_text="no 'results' table")
    return True


def _mapping(document: dict[str, Any], key: str, path: Path, inner: bool = True) -> dict[str, Any]:
    """``document[key]`` checked to be a mapping (of mappings when ``inner``); {} when absent."""
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(str(path), key, "a mapping (lm-eval writes a JSON object here)",
                         found_text=f"a {type(value).__name__}")
    if inner:
        for name, entry in value.items():
            if not isinstance(entry, dict):
                raise InputError(str(path), f"{key}.{name}", "a mapping (a JSON object)",
                                 found_text=f"a {type(entry).__name__}")
    return value


def _parse(path: Path, document: dict[str, Any]) -> _Run:
    """Validate the shape of one results document (one clean error naming file and field)."""
    results = _mapping(document, "results", path)
    for name, entry in _mapping(document, "groups", path).items():
        results.setdefault(name, entry)
    higher = _mapping(document, "higher_is_better", path)
    samples = _mapping(document, "n-samples", path)
    subtasks: dict[str, list[str]] = {}
    for group, members in _mapping(document, "group_subtasks", path, inner=False).items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InputError(str(path), f"group_subtasks.{group}", "a list of task names",
                             found_text=f"a {type(members).__name__}")
        if members:
            subtasks[group] = list(members)
    config = document.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise InputError(str(path), "config", "a mapping (a JSON object)",
                         found_text=f"a {type(config).__name__}")
    v03 = not any("," in key for entry in results.values() for key in entry)
    model, renamed = _model_name(document, config, path)
    return _Run(path=path, model=model, date=_date(document, path), results=results,
                higher=higher, subtasks=subtasks, samples=samples, limit=config.get("limit"),
                v03=v03, renamed=renamed)


def _model_name(document: dict[str, Any], config: dict[str, Any], path: Path) -> tuple[str, str]:
    """The model's name (hub-style) and, when it was a local path, the path it came from."""
    name = document.get("model_name")
    if not (isinstance(name, str) and name.strip()):
        name = None
        args = config.get("model_args")
        if isinstance(args, dict):
            args = ",".join(f"{k}={v}" for k, v in args.items())
        if isinstance(args, str):
            for part in args.split(","):
                key, _, value = part.partition("=")
                if key.strip() in ("pretrained", "model", "path") and value.strip():
                    name = value.strip()
                    break
    if name is None:
        return path.parent.name, ""
    name = name.strip()
    tail = hub_name(name)
    return tail, (name if tail != name else "")


def hub_name(name: str) -> str:
    """A model name that is a local path as its hub-style tail ``org/name``.

    ``/data/models/meta-llama/Llama-2-13b-chat-hf`` -> ``meta-llama/Llama-2-13b-chat-hf``;
    ``~/.cache/huggingface/hub/models--org--name/snapshots/abc`` -> ``org/name``; a hub id
    (``org/name``) or a bare name is returned as it is.
    """
    text = name.replace("\\", "/").rstrip("/")
    parts = [p for p in text.split("/") if p not in ("", ".", "~")]
    for part in parts:
        if part.startswith("models--") and part.count("--") >= 2:
            return "/".join(part[len("models--"):].split("--", 1))
    looks_like_path = text.startswith(("/", "./", "../", "~")) or len(parts) > 2 or (
        len(parts) > 0 and ":" in parts[0])
    if not looks_like_path:
        return name
    if parts and parts[-1].startswith(("checkpoint-", "step")) and len(parts) >= 3:
        parts = parts[:-1]
    return "/".join(parts[-2:]) if len(parts) >= 2 else parts[-1]


def _date(document: dict[str, Any], path: Path) -> tuple[int, float | str]:
    """Sort key of a file's age: (2, Unix time), (1, timestamp in its name) or (0, name)."""
    date = document.get("date")
    if date is not None:
        try:
            value = float(date) if isinstance(date, (int, float)) and not isinstance(
                date, bool) else math.nan
        except OverflowError:
            value = math.inf
        if not (math.isfinite(value) and 0 <= value <= _MAX_DATE):
            raise InputError(str(path), "date", "a Unix time in seconds (lm-eval's 'date')",
                             found_text=_short(date))
        return (2, value)
    match = _STAMP.search(path.name)
    return (1, match.group(1).replace(":", "-")) if match else (0, path.name)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


# ------------------------------------------------------------------------------------ merging


def _merge_per_model(runs: list[_Run]) -> tuple[dict[str, dict[str, _Run]], list[str]]:
    """``{model: {task: the newest run that has it}}`` (first-appearance order) and notes."""
    by_model: dict[str, list[_Run]] = {}
    for run in runs:
        by_model.setdefault(run.model, []).append(run)
    merged: dict[str, dict[str, _Run]] = {}
    notes: list[str] = []
    for run in runs:
        if run.renamed:
            notes.append(f"{run.path}: model path {run.renamed!r} read as {run.model!r}.")
    for model, candidates in by_model.items():
        ordered = sorted(candidates, key=lambda r: (r.date, str(r.path)))
        taken: dict[str, _Run] = {}
        for run in ordered:  # oldest first: a newer file overrides
            for task in run.results:
                taken[task] = run
        first_order = [t for r in candidates for t in r.results]
        merged[model] = {t: taken[t] for t in dict.fromkeys(first_order)}
        if len(candidates) > 1:
            parts = []
            for run in ordered[::-1]:
                mine = [t for t, r in merged[model].items() if r is run]
                lost = [t for t in run.results if merged[model][t] is not run]
                text = f"{run.path}: {len(mine)} task(s)"
                if mine:
                    text += f" ({', '.join(mine[:3])}{', ...' if len(mine) > 3 else ''})"
                if lost:
                    text += f", {len(lost)} superseded by a newer file"
                parts.append(text)
            notes.append(f"{model}: {len(candidates)} results files merged per task, the newest "
                         f"file having each task: {'; '.join(parts)}.")
    return merged, notes


def _limit_notes(runs: list[_Run]) -> list[str]:
    notes = []
    for run in runs:
        partial = {t: e for t, e in run.samples.items() if isinstance(e.get("effective"), int)
                   and isinstance(e.get("original"), int) and e["effective"] < e["original"]}
        if run.limit is not None or partial:
            shown = next(iter(partial.items()), None)
            detail = (f"; e.g. {shown[0]}: {shown[1]['effective']} of {shown[1]['original']} "
                      "items") if shown else ""
            notes.append(f"{run.path}: run with --limit {run.limit}{detail}: its scores are on a "
                         "subset of the items, not comparable with full runs.")
    return notes


class _Forest:
    """The group structure of all files together."""

    def __init__(self, children: dict[str, list[str]], parent: dict[str, str]) -> None:
        self.children = children
        self.parent = parent
        self.notes: list[str] = []

    @classmethod
    def of(cls, runs: list[_Run]) -> _Forest:
        children: dict[str, list[str]] = {}
        parent: dict[str, str] = {}
        where: dict[str, Path] = {}
        for run in runs:
            for group, members in run.subtasks.items():
                known = children.setdefault(group, [])
                known += [m for m in members if m not in known]
                for member in members:
                    if member == group:
                        raise InputError(str(run.path), f"group_subtasks.{group}",
                                         "groups that do not contain themselves",
                                         found_text=f"{group} lists itself")
                    if member in parent and parent[member] != group:
                        raise InputError(
                            f"{where[member]} and {run.path}", f"group_subtasks.{member}",
                            "one parent group per task in all files",
                            found_text=f"{member} in {parent[member]!r} in the first file and in "
                                       f"{group!r} in the second")
                    parent[member] = group
                    where[member] = run.path
        forest = cls(children, parent)
        for run in runs:  # v0.3 had no groups: 'hendrycksTest-anatomy' ... form one group
            if not run.v03:
                continue
            for task in run.results:
                prefix, dash, _ = task.partition("-")
                if dash and task not in parent and prefix not in run.results and sum(
                        t.startswith(prefix + "-") for t in run.results) > 1:
                    known = children.setdefault(prefix, [])
                    if task not in known:
                        known.append(task)
                    parent[task] = prefix
                    where[task] = run.path
        for group in children:  # a cycle has no root: walk up with a step bound
            node, steps = group, 0
            while node in parent:
                node, steps = parent[node], steps + 1
                if steps > len(parent):
                    raise InputError(str(where.get(group, runs[0].path)), f"group_subtasks.{group}",
                                     "groups nested as a tree", found_text="a cycle of groups")
        return forest

    def depth(self, name: str) -> int:
        depth = 0
        while name in self.parent:
            name, depth = self.parent[name], depth + 1
        return depth

    def root(self, name: str) -> str:
        while name in self.parent:
            name = self.parent[name]
        return name

    def leaves(self, group: str) -> list[str]:
        out: list[str] = []
        stack = [group]
        while stack:
            node = stack.pop()
            if node in self.children:
                stack += self.children[node][::-1]
            else:
                out.append(node)
        return out

    def rounds(self, merged: dict[str, dict[str, _Run]], mode: str,
               level: int | None) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
        """Benchmarks and rounds, in the order tasks first appear in the files."""
        present = {t for tasks in merged.values() for t in tasks}
        order = list(dict.fromkeys(t for tasks in merged.values() for t in tasks))
        tasks: list[str] = []
        rounds: list[tuple[str, tuple[str, ...]]] = []
        done: set[str] = set()
        for name in order:
            root = self.root(name)
            depth = DEEP_ROOTS.get(root, 0) if level is None else level
            chain = [name]
            while chain[-1] in self.parent:
                chain.append(self.parent[chain[-1]])
            chain = chain[::-1]  # root ... name
            if len(chain) <= depth and name in self.children:
                continue  # a group above the round level (the 'leaderboard' aggregate)
            head = chain[min(depth, len(chain) - 1)]
            if head in done:
                continue
            if head not in self.children:  # a task at (or above) the round level
                if head != name:
                    continue
                members = [name]
            elif mode == "groups":
                members = [head] if head in present else []
                if not members:
                    self.notes.append(f"{head}: no aggregate score in the files; its leaf tasks "
                                      "are read instead (--groups groups).")
                    members = [t for t in self.leaves(head) if t in present]
            else:
                members = [t for t in self.leaves(head) if t in present]
            if not members:
                continue
            done.add(head)
            tasks += [m for m in members if m not in tasks]
            rounds.append((head, tuple(members)))
        if level is None and any(r in DEEP_ROOTS for r in (self.root(t) for t in order)):
            self.notes.append("Rounds: the six Open LLM Leaderboard v2 benchmarks (members of "
                              "the 'leaderboard' group); --round-level 0 makes it one round.")
        return tasks, rounds


# ----------------------------------------------------------------------------------- metrics


def _key(run: _Run, metric: str, filt: str) -> str:
    return metric if run.v03 else f"{metric},{filt}"


def _pairs(run: _Run, entry: dict[str, Any]) -> list[tuple[str, str]]:
    if run.v03:
        return [(k, "none") for k, v in entry.items() if not k.endswith("_stderr")
                and k != "alias" and not isinstance(v, (str, dict, list))]
    return [tuple(k.split(",", 1)) for k in entry  # type: ignore[misc]
            if "," in k and "_stderr," not in k]


def _primary(run: _Run, task: str,
             override: tuple[str, str | None] | None) -> tuple[str, str, str]:
    """The (metric, filter) of a task in one file, and why it was chosen ('' for an override
    that matched exactly)."""
    entry = run.results[task]
    pairs = _pairs(run, entry)
    if not pairs:
        raise InputError(str(run.path), f"results.{task}", "at least one metric value "
                         "('METRIC,FILTER' in v0.4, 'METRIC' in v0.3)",
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
    declared = list(run.higher.get(task, {}))
    metric = next((m for m in declared if m in metrics_present), metrics_present[0])
    filters = [f for m, f in pairs if m == metric]
    filt = "none" if "none" in filters else filters[0]
    others = [f"{m},{f}" if not run.v03 else m for m, f in pairs if (m, f) != (metric, filt)]
    why = f"primary metric by rule; not used: {', '.join(others)}" if others else ""
    return metric, filt, why


def _lower_by_name(metric: str) -> bool:
    return metric in ("ppl", "perplexity", "word_perplexity", "byte_perplexity",
                      "bits_per_byte", "likelihood_difference")


def _number(value: Any, path: Path, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(str(path), field_name, "a finite number", found_text=_short(value))
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InputError(str(path), field_name, "a finite number", found_text=_short(value))
    return number


def _n_samples(run: _Run, task: str) -> int | None:
    entry = run.samples.get(task)
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


def _model_table(models: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"family": [_family(m) for m in models], "display_name": models},
                        index=pd.Index(models, name="model"))


def _sources(merged: dict[str, dict[str, _Run]]) -> tuple[Any, ...]:
    used = list(dict.fromkeys(r.path for tasks in merged.values() for r in tasks.values()))
    return tuple(source_of(p) for p in used)


# ------------------------------------------------------------------ Open LLM Leaderboard v2


def normalise(value: float, baseline: float) -> float:
    """The Open LLM Leaderboard v2 normalisation: ``100 (value - baseline) / (1 - baseline)``,
    0 when the value is below the baseline."""
    if value < baseline:
        return 0.0
    return 100.0 * (value - baseline) / (1.0 - baseline)


def open_llm_v2_scores(results: Mapping[str, Mapping[str, Any]],
                       samples: Mapping[str, Any] | None = None) -> dict[str, float]:
    """The six Open LLM Leaderboard v2 scores (0-100) of one model's ``results`` (v0.4 keys).

    GPQA and MATH Lvl 5 are read from their group's aggregate; where a file has none (lm-eval
    before 0.4.4 wrote ``{" ": " "}`` for groups without an aggregate), from the mean of their
    subtasks weighted by ``samples`` (``n-samples``: effective, else original; equal weights when
    unknown), as lm-eval aggregates them. Benchmarks whose tasks are absent are left out.
    """
    def value(task: str, metric: str) -> float | None:
        entry = results.get(task)
        if not isinstance(entry, Mapping):
            return None
        got = entry.get(f"{metric},none")
        return float(got) if isinstance(got, (int, float)) and not isinstance(got, bool) else None

    out: dict[str, float] = {}
    for name, table, metric in (("leaderboard_bbh", OPEN_LLM_V2_BBH, "acc_norm"),
                                ("leaderboard_musr", OPEN_LLM_V2_MUSR, "acc_norm")):
        parts = [(value(f"{name}_{sub}", metric), 1.0 / n) for sub, n in table.items()]
        if all(v is not None for v, _ in parts):
            out[name] = float(np.mean([normalise(v, b) for v, b in parts]))  # type: ignore[arg-type]
    def pooled(group: str, subs: Sequence[str], metric: str) -> float | None:
        own = value(group, metric)
        if own is not None:
            return own
        found = [(value(sub, metric), _weight(samples, sub)) for sub in subs]
        parts = [(v, w) for v, w in found if v is not None]
        if not parts or len(parts) < len(found):
            return None
        total = sum(w for _, w in parts)
        return sum(v * w for v, w in parts) / total

    gpqa = pooled("leaderboard_gpqa", [f"leaderboard_gpqa_{s}" for s in (
        "diamond", "extended", "main")], "acc_norm")
    if gpqa is not None:
        out["leaderboard_gpqa"] = normalise(gpqa, 0.25)
    math_hard = pooled("leaderboard_math_hard", [f"leaderboard_math_{s}_hard" for s in (
        "algebra", "counting_and_prob", "geometry", "intermediate_algebra", "num_theory",
        "prealgebra", "precalculus")], "exact_match")
    if math_hard is not None:
        out["leaderboard_math_hard"] = normalise(math_hard, 0.0)
    mmlu_pro = value("leaderboard_mmlu_pro", "acc")
    if mmlu_pro is not None:
        out["leaderboard_mmlu_pro"] = normalise(mmlu_pro, 0.1)
    strict = (value("leaderboard_ifeval", "prompt_level_strict_acc"),
              value("leaderboard_ifeval", "inst_level_strict_acc"))
    if strict[0] is not None and strict[1] is not None:
        out["leaderboard_ifeval"] = (normalise(strict[0], 0.0) + normalise(strict[1], 0.0)) / 2
    return out


def _weight(samples: Mapping[str, Any] | None, task: str) -> float:
    entry = (samples or {}).get(task)
    if isinstance(entry, Mapping):
        for key in ("effective", "original"):
            value = entry.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return float(value)
    return 1.0


OPEN_LLM_V2_ORDER = ("leaderboard_ifeval", "leaderboard_bbh", "leaderboard_math_hard",
                     "leaderboard_gpqa", "leaderboard_musr", "leaderboard_mmlu_pro")


def _open_llm_v2(merged: dict[str, dict[str, _Run]], runs: list[_Run],
                 choices: list[str]) -> Imported:
    rows = {}
    for model, tasks in merged.items():
        results = {t: r.results[t] for t, r in tasks.items()}
        samples = {t: r.samples[t] for t, r in tasks.items() if t in r.samples}
        rows[model] = open_llm_v2_scores(results, samples)
    present = [b for b in OPEN_LLM_V2_ORDER if any(b in r for r in rows.values())]
    if not present:
        raise InputError(", ".join(str(r.path) for r in runs[:3]), "results",
                         "the tasks of the Open LLM Leaderboard v2 (lm_eval --tasks leaderboard) "
                         "for --scoring open-llm-v2", found_text="none of its six benchmarks")
    scores = pd.DataFrame([[rows[m].get(b, math.nan) for b in present] for m in rows],
                          index=pd.Index(list(rows), name="model"), columns=present)
    require_common_benchmark(scores, ", ".join(str(r.path) for r in runs[:3]))
    choices.append("Scoring: Open LLM Leaderboard v2 (random baseline subtracted, rescaled to "
                   "0-100; BBH and MuSR average their normalised subtasks; IFEval averages its "
                   "strict prompt- and instruction-level accuracies; docs/importers.md).")
    return Imported(format="lm-eval", scores=scores, rounds=tuple((b, (b,)) for b in present),
                    sources=_sources(merged), choices=tuple(choices),
                    models=_model_table(list(rows)))
