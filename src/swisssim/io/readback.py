"""Reading result folders back: the tables of a sweep folder, checked like any other input.

``swisssim plot`` and the writers that draw figures from a folder's own CSV files (so that a
figure shows exactly what the tables say) read them here. Files are the ``io`` layer's
business: the analysis layer defines what the tables hold (:data:`~swisssim.analysis.sweep.
SWEEP_FILES`, :class:`~swisssim.analysis.sweep.SweepFrames`), this module reads and checks them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from swisssim.analysis.sweep import SWEEP_FILES, SweepFrames
from swisssim.data.tables import read_csv_strict
from swisssim.errors import InputError

#: Columns read as text (all others are numbers).
_TEXT_COLUMNS = ("model", "elimination", "family", "display_name", "round_name", "profile",
                 "base_schedule", "most_schedule", "base_tier", "drop_class")
#: Columns of each sweep table that must hold finite numbers in every row (others may be empty).
_FINITE = {
    "sweep.csv": ("expected_score", "std_error", "mc_ci_low", "mc_ci_high", "expected_rank",
                  "total_eliminations", "eliminations_per_round"),
    "risk_profile.csv": ("base_score", "drop", "drop_se"),
    "rank_distribution.csv": ("rank", "probability"),
    "survival.csv": ("round", "p_active"),
}
#: The columns that identify a row of each table (no two rows may share them).
_KEYS = {"sweep.csv": ("model", "elimination"), "risk_profile.csv": ("model",),
         "rank_distribution.csv": ("model", "elimination", "rank"),
         "survival.csv": ("model", "elimination", "round")}


def read_sweep_folder(folder: str | Path) -> SweepFrames:
    """Read and check ``sweep.csv``, ``risk_profile.csv``, ``rank_distribution.csv`` and
    ``survival.csv``, as ``swisssim plot`` does.

    Every table is read strictly (:func:`swisssim.data.tables.read_csv_strict`) and checked like
    any other input: the documented columns, numbers where numbers belong (finite where the
    figures need them), no repeated rows, ranks from 1 to the number of models, probabilities in
    [0, 1], standard errors >= 0, intervals around their estimates, the same models in
    ``sweep.csv`` and ``risk_profile.csv`` and
    only schedules of ``sweep.csv`` elsewhere.

    Raises
    ------
    InputError
        Naming the folder and the missing file, or the file, the column (and row) and what was
        found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "", "a sweep folder (written by 'swisssim sweep')",
                         found_text="no such folder")
    missing = [name for name in SWEEP_FILES if not (folder / name).is_file()]
    if missing:
        raise InputError(str(folder), "", "a sweep folder with " + ", ".join(SWEEP_FILES),
                         found_text="no " + ", no ".join(missing))
    frames = {name: read_table(folder / name, SWEEP_FILES[name]) for name in SWEEP_FILES}
    _check_sweep_tables(folder, frames)
    return SweepFrames(frames["sweep.csv"], frames["risk_profile.csv"],
                       frames["rank_distribution.csv"], frames["survival.csv"])


def read_table(path: Path, required: Sequence[str]) -> pd.DataFrame:
    """Read one CSV of a sweep folder: text columns as strings (``""`` for empty), every other
    column as numbers (an empty cell or ``nan`` is NaN; the columns of ``_FINITE`` must be
    finite)."""
    source = str(path)
    frame = read_csv_strict(path, "CSV file written by 'swisssim sweep'")
    absent = [c for c in required if c not in frame.columns]
    if absent:
        raise InputError(source, "header", "columns " + ", ".join(required),
                         found_text="no column " + ", ".join(absent))
    if len(frame) == 0:
        raise InputError(source, "", "at least one row", found_text="a header only")
    finite = _FINITE.get(path.name, ())
    for column in frame.columns:
        if column in _TEXT_COLUMNS:
            frame[column] = frame[column].astype(str)
            continue
        values = np.empty(len(frame))
        for row, cell in enumerate(frame[column]):
            text = str(cell).strip()
            try:
                values[row] = math.nan if text.lower() in ("", "nan") else float(text)
            except ValueError:
                raise InputError(source, f"{column}, row {row + 1}", "a number",
                                 cell) from None
            if column in finite and not math.isfinite(values[row]):
                raise InputError(source, f"{column}, row {row + 1}", "a finite number", cell)
        frame[column] = values
    key = list(_KEYS.get(path.name, ()))
    if key and frame.duplicated(key).any():
        row = int(np.flatnonzero(frame.duplicated(key).to_numpy())[0])
        raise InputError(source, f"row {row + 1}", "one row per " + ", ".join(key),
                         found_text="a repeated row for " + ", ".join(
                             repr(frame[k].iloc[row]) for k in key))
    return frame


def _check_range(frame: pd.DataFrame, source: str, column: str, low: float,
                 high: float | None = None, whole: bool = False, slack: float = 0.0) -> None:
    """Refuse a value of ``column`` outside ``[low - slack, high + slack]`` (NaN passes)."""
    values = frame[column].to_numpy(float)
    bad = (values < low - slack) | (values > high + slack if high is not None else False)
    if whole:
        bad |= values != np.round(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        kind = "an integer" if whole else "a number"
        bounds = f"from {low:g} to {high:g}" if high is not None else f">= {low:g}"
        raise InputError(source, f"{column}, row {row + 1}", f"{kind} {bounds}", values[row])


def _check_sweep_tables(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Cross-table checks of a sweep folder (see :func:`read_sweep_folder`)."""
    sweep, risk = frames["sweep.csv"], frames["risk_profile.csv"]
    ranks, survival = frames["rank_distribution.csv"], frames["survival.csv"]
    models = set(sweep["model"])
    labels = set(sweep["elimination"])
    where = {name: str(folder / name) for name in frames}
    if set(risk["model"]) != models:
        odd = sorted(set(risk["model"]) ^ models)[:3]
        raise InputError(where["risk_profile.csv"], "model", "the models of sweep.csv",
                         found_text=f"a different set (e.g. {odd})")
    for name in ("rank_distribution.csv", "survival.csv"):
        frame = frames[name]
        unknown = sorted(set(frame["model"]) - models)[:3]
        if unknown:
            raise InputError(where[name], "model", "models of sweep.csv",
                             found_text=f"unknown {unknown}")
        other = sorted(set(frame["elimination"]) - labels)[:3]
        if other:
            raise InputError(where[name], "elimination", "schedules of sweep.csv",
                             found_text=f"unknown {other}")
    for column in ("base_schedule", "most_schedule"):
        if column in risk and not set(risk[column]) <= labels:
            raise InputError(where["risk_profile.csv"], column, "a schedule of sweep.csv",
                             found_text=repr(min(set(risk[column]) - labels)))
    _check_range(sweep, where["sweep.csv"], "std_error", 0.0)
    for name, frame in frames.items():
        for column in frame.columns:
            if column.endswith("_se"):
                _check_range(frame, where[name], column, 0.0)
            elif column.startswith("p_"):
                _check_range(frame, where[name], column, 0.0, 1.0, slack=1e-9)
            elif column.startswith("rank_T"):
                _check_range(frame, where[name], column, 1, len(models), whole=True)
    inverted = (sweep["mc_ci_low"] > sweep["expected_score"]) | (
        sweep["expected_score"] > sweep["mc_ci_high"])
    if inverted.any():
        row = int(np.flatnonzero(inverted.to_numpy())[0])
        raise InputError(where["sweep.csv"], f"row {row + 1}", "mc_ci_low <= expected_score <= "
                         "mc_ci_high", found_text=f"{sweep['mc_ci_low'].iloc[row]!r}, "
                         f"{sweep['expected_score'].iloc[row]!r}, {sweep['mc_ci_high'].iloc[row]!r}")
    _check_range(sweep, where["sweep.csv"], "expected_rank", 1.0, float(len(models)), slack=1e-9)
    _check_range(risk, where["risk_profile.csv"], "drop_se", 0.0)
    _check_range(ranks, where["rank_distribution.csv"], "rank", 1, len(models), whole=True)
    _check_range(ranks, where["rank_distribution.csv"], "probability", 0.0, 1.0, slack=1e-9)
    _check_range(survival, where["survival.csv"], "round", 1, None, whole=True)
    _check_range(survival, where["survival.csv"], "p_active", 0.0, 1.0, slack=1e-9)


__all__ = ["read_sweep_folder", "read_table"]
