"""Reading the files of a scenario: the TOML document and the score and model tables.

Every reader turns a problem into an :class:`~swisssim.errors.InputError` that names the file,
what was expected and what was found. Score cells become floats; an empty cell (or ``NA``,
``NaN``, ``n/a``, ``null``, ``none``, ``-``) is a missing score.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from swisssim.errors import InputError, preview

MODEL_KEYS = {"family", "display_name"}
MISSING_TEXT = {"", "na", "nan", "n/a", "null", "none", "-"}


#: Largest scenario file (TOML) read, in bytes; larger files are refused before reading.
MAX_TOML_BYTES = 4 << 20
#: Largest table (CSV) read, in bytes; larger files are refused before reading.
MAX_CSV_BYTES = 256 << 20
#: Bytes inspected for a NUL byte, the mark of a binary file.
SNIFF_BYTES = 8192


def check_text_file(path: Path, what: str, limit: int) -> None:
    """Refuse, before reading it whole, a missing, unreadable, oversized or binary file."""
    source = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(source, "", f"a readable {what}",
                             found_text="an unreadable file (a folder or special file)")
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise InputError(source, "", f"an existing {what}", found_text="no such file") from None
    except OSError as error:
        raise InputError(source, "", f"a readable {what}",
                         found_text=f"an unreadable file ({error.strerror or error})") from None
    except ValueError:   # a NUL byte in the path itself
        raise InputError(source, "", f"the path of a {what}",
                         found_text="a path holding a NUL character") from None
    if size > limit:
        raise InputError(source, "", f"a {what} of at most {limit >> 20} MiB",
                         found_text=f"{size / 2**20:.1f} MiB")
    if b"\0" in head:
        raise InputError(source, "", f"a text {what} (UTF-8)", found_text="binary content (a NUL "
                         "byte)")


def read_toml(path: Path, digests: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Read a scenario file; append ``(path, SHA-256 of the bytes read)`` to ``digests``."""
    check_text_file(path, "scenario file (TOML)", MAX_TOML_BYTES)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), "", "a readable scenario file (TOML)",
                         found_text=f"an unreadable file ({error.strerror})") from None
    _record(path, raw, digests)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(str(path), "", "UTF-8 text", found_text="undecodable bytes") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), "", "valid TOML", found_text=f"a syntax error ({error})") from None
    except RecursionError:
        raise InputError(str(path), "", "valid TOML", found_text="nesting too deep") from None


def _record(path: Path, raw: bytes, digests: list[tuple[str, str]] | None) -> None:
    """The SHA-256 of the bytes actually read (the manifest records it: a file edited during
    the run cannot change what the manifest says was read)."""
    if digests is not None:
        import hashlib

        digests.append((str(path), hashlib.sha256(raw).hexdigest()))


def relative_file(value: Any, scenario_path: Path, source: str, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(source, key, "a file path relative to the scenario file", value)
    return (scenario_path.parent / value)


def read_csv_strict(path: Path, what: str = "CSV file",
                    digests: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Read a CSV table exactly as written: every cell a string, nothing guessed.

    The first non-blank line is the header: every column named, no name twice. Every other
    non-blank line has exactly one field per column. Leading spaces of fields are skipped; quotes
    follow RFC 4180. Files over :data:`MAX_CSV_BYTES` or holding a NUL byte are refused before
    they are read. The file is read once, as bytes: ``(path, SHA-256)`` of those bytes is
    appended to ``digests``.

    Raises
    ------
    InputError
        Naming the file, the line and what was expected.
    """
    check_text_file(path, what, MAX_CSV_BYTES)
    source = str(path)
    header: list[str] | None = None
    rows: list[list[str]] = []
    try:
        raw = path.read_bytes()
        _record(path, raw, digests)
        with io.StringIO(raw.decode("utf-8"), newline="") as handle:
            reader = csv.reader(handle, skipinitialspace=True, strict=True)
            for fields in reader:
                if not fields or all(not f.strip() for f in fields) and len(fields) == 1:
                    continue
                if header is None:
                    header = fields
                    _check_header(header, source)
                    continue
                if len(fields) != len(header):
                    raise InputError(source, f"line {reader.line_num}",
                                     f"{len(header)} fields, like the header",
                                     found_text=f"{len(fields)}")
                rows.append(fields)
    except UnicodeDecodeError:
        raise InputError(source, "", "UTF-8 text", found_text="undecodable bytes") from None
    except csv.Error as error:
        raise InputError(source, "", f"a well-formed {what}",
                         found_text=f"unparsable content ({error})") from None
    except OSError as error:
        raise InputError(source, "", f"a readable {what}",
                         found_text=f"an unreadable file ({error.strerror or error})") from None
    if header is None:
        raise InputError(source, "", f"a {what} with a header line", found_text="an empty file")
    if not rows:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in header})
    cells = np.empty((len(rows), len(header)), dtype=object)   # one block, however wide
    cells[:] = rows
    return pd.DataFrame(cells, columns=header, dtype=object)


def _check_header(header: list[str], source: str) -> None:
    for index, name in enumerate(header):
        if not name.strip():
            raise InputError(source, "header", "a name for every column",
                             found_text=f"column {index + 1} unnamed")
    repeated = _repeated(header)   # linear: a header of 40,000 columns is checked at once
    if repeated:
        raise InputError(source, "header", "distinct column names",
                         found_text=f"repeated column(s) {preview([repr(r) for r in repeated], 5)}")


def _repeated(names: list[str]) -> list[str]:
    """The names that occur more than once, sorted (one pass, O(n log n) at most)."""
    return sorted(name for name, count in Counter(names).items() if count > 1)


def read_scores_csv(path: Path, digests: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    table = read_csv_strict(path, digests=digests)
    source = str(path)
    if len(table.columns) == 0 or table.columns[0] != "model":
        first = table.columns[0] if len(table.columns) else None
        raise InputError(source, "header", "first column named 'model'", first)
    cells = table.to_numpy(dtype=object)   # not set_index: quadratic in the columns in pandas
    frame = pd.DataFrame(cells[:, 1:], index=pd.Index(cells[:, 0], name="model", dtype=object),
                         columns=list(table.columns[1:]), dtype=object)
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
    table = frame.to_numpy(dtype=object)
    values = _fast_column(table) if table.size else None   # every column at once
    if values is None:
        values = np.empty(frame.shape, dtype=np.float64)
        for j, bench in enumerate(frame.columns):
            cells = table[:, j]
            fast = _fast_column(cells)
            if fast is not None:
                values[:, j] = fast
                continue
            for i, cell in enumerate(cells.tolist()):  # slow path: names the first bad cell
                values[i, j] = _cell(cell, source, names[i], bench)
    return pd.DataFrame(values, index=pd.Index(names, name="model"),
                        columns=[str(c) for c in frame.columns])


def _fast_column(cells: np.ndarray) -> np.ndarray | None:
    """The column (or a whole table, any shape) as floats, exactly as :func:`_cell` would convert
    it, or None if any cell needs the slow path (an error to report). Missing cells: None, NaN and ``MISSING_TEXT``.

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
    if isinstance(cell, (bool, np.bool_)):
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a finite number or an empty cell", cell)
    try:
        value = float(cell)
    except (TypeError, ValueError, OverflowError):
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a finite number or an empty cell", cell) from None
    if not math.isfinite(value):
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a finite number or an empty cell", cell)
    return value


def read_models_csv(path: Path,
                    digests: list[tuple[str, str]] | None = None) -> dict[str, dict[str, str]]:
    table = read_csv_strict(path, digests=digests)
    source = str(path)
    if "model" not in table.columns:
        raise InputError(source, "header", "a column named 'model'", list(table.columns))
    extra = sorted(set(table.columns) - {"model"} - MODEL_KEYS)
    if extra:
        raise InputError(source, "header", "columns model, family, display_name", extra)
    names = [str(m).strip() for m in table["model"]]
    repeated = _repeated(names)
    if repeated:
        raise InputError(source, "model", "one row per model",
                         found_text=f"repeated row(s) for {repeated[:5]}")
    return {name: {k: row[k] for k in MODEL_KEYS if k in table.columns}
            for name, row in zip(names, table.to_dict("records"))}


def models_from_frame(models: pd.DataFrame, source: str) -> dict[str, dict[str, str]]:
    table = models.reset_index() if "model" not in models.columns else models
    names = [str(m).strip() for m in table["model"]]
    repeated = _repeated(names)
    if repeated:
        raise InputError(source, "models", "one row per model",
                         found_text=f"repeated row(s) for {repeated[:5]}")
    return {str(row["model"]): {k: str(row[k]) for k in MODEL_KEYS if k in table.columns}
            for row in table.to_dict("records")}
