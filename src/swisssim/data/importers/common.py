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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from swisssim.data.scenario import MISSING_POLICIES, Scenario
from swisssim.errors import InputError
from swisssim.validation import choice

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
        lines = [f"{len(missing)} of {self.scores.shape[0]} models lack scores on some benchmarks "
                 f"({cells} of {self.scores.size} cells missing):"]
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
        sets = "; ".join(f"{m}: {int(scores.loc[m].notna().sum())}" for m in scores.index[:4])
        raise InputError(source, "benchmarks", "at least one benchmark scored for every model",
                         found_text=f"none in common (benchmarks per model: {sets}"
                                    f"{', ...' if scores.shape[0] > 4 else ''})")


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
