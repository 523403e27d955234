"""What every importer returns: an :class:`Imported` table set, with its provenance.

An importer reads the files of an evaluation tool (lm-evaluation-harness, Inspect AI, a long or
transposed table) into wide tables laid out like a scenario's (``docs/scenario-format.md``):
scores, optional standard errors and item counts, rounds in a first-guess order, and a record of
where everything came from and what the importer chose. :meth:`Imported.scenario` turns it into a
validated :class:`~swisssim.data.scenario.Scenario`; :mod:`swisssim.io.scenario_files` writes it
as a scenario file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from swisssim.data.scenario import MISSING_POLICIES, Scenario
from swisssim.data.tables import MAX_CSV_BYTES, check_text_file
from swisssim.errors import InputError
from swisssim.validation import choice

#: Largest file an importer reads (JSON results, logs, tables), in bytes; refused before reading.
MAX_IMPORT_BYTES = MAX_CSV_BYTES

#: Largest share of the field that the ``drop`` suggestion may remove.
DROP_SHARE = 0.25


@dataclass(frozen=True)
class Source:
    """One file read by an importer, with its SHA-256 (hex)."""

    path: str
    sha256: str


def source_of(path: Path) -> Source:
    """The :class:`Source` record of a file (its bytes hashed with SHA-256)."""
    return Source(path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())


@dataclass(frozen=True)
class Imported:
    """Scores imported from another tool's files.

    Attributes
    ----------
    format
        The importer's name (``lm-eval``, ``inspect``, ``long``, ``transposed``).
    scores
        Models as rows, benchmarks as columns; NaN = missing.
    errors
        Standard errors laid out like ``scores`` (NaN = unknown), or None.
    item_counts
        ``{benchmark: number of items}`` where every model was scored on the same count of
        items and the scores are accuracies (in [0, 1] or [0, 100]).
    rounds
        ``(round name, benchmarks)`` in a first-guess playing order, to be curated.
    lower_is_better
        Benchmarks whose metric is better when smaller.
    sources
        The files read, with their SHA-256.
    choices
        One sentence per choice the importer made (metric, filter, newest file, ...).
    models
        Optional ``family`` and ``display_name`` per model (index = model names).
    """

    format: str
    scores: pd.DataFrame
    errors: pd.DataFrame | None = None
    item_counts: dict[str, int] = field(default_factory=dict)
    rounds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lower_is_better: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    choices: tuple[str, ...] = ()
    models: pd.DataFrame | None = None

    def missing(self) -> dict[str, list[str]]:
        """``{model: benchmarks it has no score on}`` for the models missing any."""
        empty = self.scores.isna()
        return {str(m): [str(b) for b in self.scores.columns if empty.at[m, b]]
                for m in self.scores.index if empty.loc[m].any()}

    def suggested_missing(self) -> str:
        """A ``[scoring].missing`` policy for these scores.

        ``error`` when nothing is missing; ``drop`` when the models missing a score are at most
        :data:`DROP_SHARE` of the field and at least two complete models remain (the others
        compete on equal terms); else ``skip`` (a round score is the mean over the benchmarks a
        model has), which keeps every model.
        """
        missing = self.missing()
        if not missing:
            return "error"
        complete = self.scores.shape[0] - len(missing)
        if len(missing) <= DROP_SHARE * self.scores.shape[0] and complete >= 2:
            return "drop"
        return "skip"

    def missing_report(self) -> list[str]:
        """Lines saying which models lack which benchmarks and the suggested policy."""
        missing = self.missing()
        if not missing:
            return []
        cells = sum(len(v) for v in missing.values())
        lines = [(f"{len(missing)} of {self.scores.shape[0]} models lack scores on some "
                  f"benchmarks ({cells} of {self.scores.size} cells missing):")]
        for model, benches in missing.items():
            shown = ", ".join(benches[:8]) + (f", ... ({len(benches)} in all)"
                                             if len(benches) > 8 else "")
            lines.append(f"  {model}: {shown}")
        lines.append(f"suggested [scoring].missing = {self.suggested_missing()!r} "
                     "(error | lose | skip | drop; see docs/scenario-format.md)")
        return lines

    def scenario(self, name: str = "imported", *, missing: str | None = None) -> Scenario:
        """The imported scores as a validated scenario.

        Parameters
        ----------
        name
            Scenario name.
        missing
            Missing-score policy; None takes :meth:`suggested_missing`.
        """
        policy = self.suggested_missing() if missing is None else choice(
            missing, MISSING_POLICIES, "Imported.scenario", "missing")
        return Scenario.from_dataframe(
            self.scores, {r: list(b) for r, b in self.rounds} or None, name=name,
            lower_is_better=list(self.lower_is_better), missing=policy, models=self.models,
            score_errors=self.errors, item_counts=self.item_counts or None,
            description=self.description())

    def description(self) -> str:
        """Provenance as one paragraph: files with SHA-256 and the importer's choices."""
        files = "; ".join(f"{s.path} (SHA-256 {s.sha256})" for s in self.sources)
        text = (f"Imported by 'swisssim import {self.format}' from {len(self.sources)} file(s): "
                f"{files}.")
        if self.choices:
            text += " Choices: " + " ".join(self.choices)
        text += (" The round order is the importer's first guess: curate it (foundational to "
                 "advanced, docs/method.md) before drawing conclusions.")
        return text


def accuracy_counts(scores: pd.DataFrame, counts: dict[str, int],
                    lower_is_better: tuple[str, ...] | list[str] = ()) -> dict[str, int]:
    """The item counts of higher-is-better benchmarks whose scores all lie in [0, 1] or
    [0, 100] (read as accuracies, whose binomial errors the counts give)."""
    kept = {}
    for bench, n in counts.items():
        if bench in lower_is_better:
            continue
        column = scores[bench].dropna()
        if len(column) == 0:
            continue
        scale = 100.0 if column.max() > 1.0 else 1.0
        if column.min() >= 0 and column.max() <= scale:
            kept[bench] = int(n)
    return kept


def require_common_benchmark(scores: pd.DataFrame, source: str) -> None:
    """Raise unless at least two models and one benchmark scored for every model."""
    if scores.shape[0] < 2:
        raise InputError(source, "models", "scores of at least 2 models",
                         found_text=f"{scores.shape[0]} ({', '.join(map(str, scores.index))})")
    common = scores.columns[scores.notna().all(axis=0)]
    if len(common) == 0:
        have = scores.notna().sum(axis=1).sort_values(kind="stable")
        sets = "; ".join(f"{m}: {int(n)}" for m, n in have.iloc[:4].items())
        raise InputError(source, "benchmarks", "at least one benchmark scored for every model",
                         found_text=f"none in common of {scores.shape[1]} (benchmarks per model, "
                                    f"fewest first: {sets}{', ...' if scores.shape[0] > 4 else ''})")


def expand_sources(paths: list[str | Path], pattern: str, what: str) -> list[Path]:
    """Files named directly, plus the files matching ``pattern`` anywhere under named folders.

    Raises :class:`InputError` for a path that does not exist or a folder holding no match.
    """
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob(pattern) if p.is_file())
            if not found:
                raise InputError(str(path), "", f"a folder holding {what} ({pattern})",
                                 found_text="no such file in it")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(str(path), "", f"an existing file or folder of {what}",
                             found_text="no such file or folder")
    return list(dict.fromkeys(files))


def read_json(path: Path, what: str) -> Any:
    """A JSON file, refused before reading when oversized or binary; every problem one
    :class:`InputError` naming the file (malformed JSON, undecodable bytes, nesting too deep)."""
    check_text_file(path, what, MAX_IMPORT_BYTES)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(str(path), "", f"a {what} (UTF-8)", found_text="undecodable bytes") from None
    except OSError as error:
        raise InputError(str(path), "", "a readable file",
                         found_text=f"an unreadable file ({error.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(str(path), "", f"a {what}",
                         found_text=f"malformed JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise InputError(str(path), "", f"a {what}", found_text="JSON nested too deep") from None
    except ValueError as error:  # e.g. an integer literal too long to convert
        raise InputError(str(path), "", f"a {what}",
                         found_text=f"unreadable JSON ({str(error)[:80]})") from None


def scale_of(column: pd.Series) -> str:
    """The scale class of a benchmark's scores: ``unit`` (all in [0, 1]), ``percent`` (in
    [0, 100], some above 1) or ``other``."""
    values = column.dropna()
    if len(values) == 0:
        return "unit"
    low, high = float(values.min()), float(values.max())
    if low >= 0 and high <= 1:
        return "unit"
    if low >= 0 and high <= 100:
        return "percent"
    return "other"


def split_mixed_scales(scores: pd.DataFrame, rounds: Sequence[tuple[str, Sequence[str]]],
                       lower_is_better: Sequence[str] = ()
                       ) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """Rounds whose benchmarks share one scale and direction, and a note per round split.

    A round mean of a 0-1 accuracy and a 10-30 BLEU score is decided by the BLEU alone, and a
    mean over a higher- and a lower-is-better metric means nothing. Such a round is split into one
    round per (scale, direction) class, in order of first appearance: the first class keeps the
    round's name, the others are named ``ROUND [CLASS]``.
    """
    lower = set(lower_is_better)
    out: list[tuple[str, tuple[str, ...]]] = []
    notes: list[str] = []
    for name, members in rounds:
        classes: dict[str, list[str]] = {}
        for bench in members:
            key = scale_of(scores[bench]) + (", lower is better" if bench in lower else "")
            classes.setdefault(key, []).append(bench)
        if len(classes) == 1:
            out.append((name, tuple(members)))
            continue
        labels = list(classes)
        for i, label in enumerate(labels):
            out.append((name if i == 0 else f"{name} [{label}]", tuple(classes[label])))
        shown = "; ".join(f"{label}: {', '.join(classes[label][:3])}"
                          f"{', ...' if len(classes[label]) > 3 else ''}" for label in labels)
        notes.append(f"Round {name!r} mixes scales or directions ({shown}): split into "
                     f"{len(labels)} rounds so that no scale decides it alone; curate it.")
    return out, notes


def check_lower_is_better(names: Sequence[str], benchmarks: Sequence[str],
                          source: str = "--lower-is-better") -> tuple[str, ...]:
    """``names`` checked to be benchmarks of the table (one error naming the first unknown)."""
    known = set(benchmarks)
    for name in names:
        if name not in known:
            shown = ", ".join(list(benchmarks)[:6]) + (", ..." if len(benchmarks) > 6 else "")
            raise InputError(source, "", f"a benchmark of the table ({shown})", name)
    return tuple(dict.fromkeys(names))


def rounds_from_labels(labels: dict[str, str], benchmarks: Sequence[str]
                       ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Rounds named by ``labels[benchmark]``, in order of first appearance."""
    rounds: dict[str, list[str]] = {}
    for bench in benchmarks:
        rounds.setdefault(labels[bench], []).append(bench)
    return tuple((name, tuple(members)) for name, members in rounds.items())


def drop_empty_benchmarks(scores: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """``scores`` without benchmarks that no model has a score on, and a note naming them."""
    empty = [str(c) for c in scores.columns if scores[c].isna().all()]
    if not empty:
        return scores, []
    note = (f"{source}: {len(empty)} benchmark(s) with no score for any model dropped "
            f"({', '.join(empty[:5])}{', ...' if len(empty) > 5 else ''}).")
    return scores.drop(columns=empty), [note]
