"""Reading CSV and Parquet tables for the table importers (text cells, nothing guessed).

Parquet needs ``pyarrow`` (the optional extra ``swisssim[parquet]``); without it a Parquet file
gives an :class:`~swisssim.errors.InputError` that names the extra.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swisssim.data.tables import MAX_CSV_BYTES, check_text_file
from swisssim.errors import InputError

PARQUET_SUFFIXES = (".parquet", ".pq")


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV (every cell as text, empty cells kept as '') or Parquet file as a DataFrame.

    A CSV larger than 256 MiB or holding a NUL byte (binary) is refused before it is read.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "", "an existing CSV or Parquet file",
                         found_text="no such file")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputError(str(path), "", f"a Parquet file of at most {MAX_CSV_BYTES >> 20} MiB",
                             found_text=f"{size / 2**20:.1f} MiB")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(str(path), "", "pyarrow installed to read Parquet (pip install "
                             "'swisssim[parquet]'), or a CSV file",
                             found_text="a Parquet file and no pyarrow") from None
        try:
            return pd.read_parquet(path)
        except Exception as error:  # noqa: BLE001 (pyarrow raises unrelated types)
            raise InputError(str(path), "", "a readable Parquet file",
                             found_text=f"unreadable content ({error})") from None
    check_text_file(path, "CSV table", MAX_CSV_BYTES)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(str(path), "", "a well-formed CSV table",
                         found_text=f"unparsable content ({str(error).strip()})") from None
