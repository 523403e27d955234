"""Reading the files of a scenario: the TOML document and the score and model tables.

Every reader turns a problem into an :class:`~swisssim.errors.InputError` that names the file,
what was expected and what was found. Score cells become floats; an empty cell (or ``NA``,
``NaN``, ``n/a``, ``null``, ``none``, ``-``) is a missing score.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from swisssim.errors import InputError

MODEL_KEYS = {"family", "display_name"}
MISSING_TEXT = {"", "na", "nan", "n/a", "null", "none", "-"}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "", "an existing scenario file (TOML)",
                         found_text="no such file") from None
    except OSError as error:
        raise InputError(str(path), "", "a readable scenario file (TOML)",
                         found_text=f"an unreadable file ({error.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(str(path), "", "UTF-8 text", found_text="undecodable bytes") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), "", "valid TOML", found_text=f"a syntax error ({error})") from None


def relative_file(value: Any, scenario_path: Path, source: str, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(source, key, "a file path relative to the scenario file", value)
    return (scenario_path.parent / value)


def _read_csv_text(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(str(path), "", "an existing CSV file", found_text="no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(str(path), "", "a well-formed CSV table",
                         found_text=f"unparsable content ({str(error).strip()})") from None
    except OSError as error:
        raise InputError(str(path), "", "a readable CSV file",
                         found_text=f"an unreadable file ({error.strerror})") from None


def read_scores_csv(path: Path) -> pd.DataFrame:
    table = _read_csv_text(path)
    source = str(path)
    if len(table.columns) == 0 or table.columns[0] != "model":
        first = table.columns[0] if len(table.columns) else None
        raise InputError(source, "header", "first column named 'model'", first)
    with open(path, newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle), [])
    repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if repeated:
        raise InputError(source, "header", "distinct benchmark names",
                         found_text=f"repeated column(s) {repeated}")
    frame = table.set_index("model")
    return numeric_frame(frame, source)


def numeric_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check model names and convert every cell to float (NaN = missing)."""
    names = [str(m).strip() for m in frame.index]
    for row, name in enumerate(names):
        if not name:
            raise InputError(source, f"model name in row {row + 1}", "a non-empty name",
                             frame.index[row])
    duplicated = sorted(n for n, count in Counter(names).items() if count > 1)
    if duplicated:
        raise InputError(source, "model", "unique model names",
                         found_text=f"duplicate(s) {duplicated[:5]}")
    values = np.empty(frame.shape, dtype=np.float64)
    for j, bench in enumerate(frame.columns):
        cells = frame.iloc[:, j].to_numpy(dtype=object)
        fast = _fast_column(cells)
        if fast is not None:
            values[:, j] = fast
            continue
        for i, cell in enumerate(cells.tolist()):  # slow path: names the first bad cell
            values[i, j] = _cell(cell, source, names[i], bench)
    return pd.DataFrame(values, index=pd.Index(names, name="model"),
                        columns=[str(c) for c in frame.columns])


def _fast_column(cells: np.ndarray) -> np.ndarray | None:
    """The column as floats, exactly as :func:`_cell` would convert it, or None if any cell
    needs the slow path (an error to report). Missing cells: None, NaN and ``MISSING_TEXT``.

    numpy converts each object with Python's ``float()``, so the values are bit for bit those
    of the cell-by-cell path; anything unusual (an unparsable or non-finite cell) falls back to
    it, which raises the one-line error naming the cell.
    """
    text = np.char.lower(np.char.strip(cells.astype(str)))
    missing = pd.isna(cells) | np.isin(text, list(MISSING_TEXT))
    out = np.full(cells.shape, np.nan)
    try:
        present = np.asarray(cells[~missing], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(present).all():
        return None
    out[~missing] = present
    return out


def _cell(cell: Any, source: str, model: str, bench: str) -> float:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return math.nan
    if isinstance(cell, str) and cell.strip().lower() in MISSING_TEXT:
        return math.nan
    try:
        value = float(cell)
    except (TypeError, ValueError):
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a finite number or an empty cell", cell) from None
    if not math.isfinite(value):
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a finite number or an empty cell", cell)
    return value


def read_models_csv(path: Path) -> dict[str, dict[str, str]]:
    table = _read_csv_text(path)
    source = str(path)
    if "model" not in table.columns:
        raise InputError(source, "header", "a column named 'model'", list(table.columns))
    extra = sorted(set(table.columns) - {"model"} - MODEL_KEYS)
    if extra:
        raise InputError(source, "header", "columns model, family, display_name", extra)
    return {row["model"]: {k: row[k] for k in MODEL_KEYS if k in table.columns}
            for row in table.to_dict("records")}


def models_from_frame(models: pd.DataFrame, source: str) -> dict[str, dict[str, str]]:
    table = models.reset_index() if "model" not in models.columns else models
    return {str(row["model"]): {k: str(row[k]) for k in MODEL_KEYS if k in table.columns}
            for row in table.to_dict("records")}
