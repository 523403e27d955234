"""Import a transposed table: benchmarks as rows, models as columns (CSV or Parquet).

This is the layout of OpenCompass summary CSVs (``dataset, version, metric, mode, <model>...``,
``-`` for a missing score) and of the CSD paper authors' own script, whose first column is the
dataset name. The first column names the benchmark; the columns ``version``, ``metric`` and
``mode`` (or those given) are metadata, not models. When one dataset appears with several
metrics, its benchmark is named ``dataset/metric``. Rows are rounds of their own, in file order,
or consecutive groups of ``round_size`` rows, as the authors' script groups rows into rounds by
row index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from swisssim.data.importers.common import Imported, require_common_benchmark, source_of
from swisssim.data.importers.tables import read_table
from swisssim.data.tables import numeric_frame
from swisssim.errors import InputError
from swisssim.validation import integer

META_COLUMNS = ("version", "metric", "mode")


def import_transposed(path: str | Path, *, round_size: int | None = None,
                      meta_columns: Sequence[str] = META_COLUMNS) -> Imported:
    """Read a benchmarks-by-models table into an :class:`Imported`.

    Parameters
    ----------
    path
        The CSV or Parquet file.
    round_size
        Group consecutive rows into rounds of this many benchmarks (the last may be shorter),
        named ``round 1``, ``round 2``, ...; None: every row is a round.
    meta_columns
        Columns that are neither the benchmark name nor a model.
    """
    path = Path(path)
    source = str(path)
    if round_size is not None:
        round_size = integer(round_size, "--round-size", "", low=1)
    table = read_table(path)
    if table.shape[1] < 2:
        raise InputError(source, "header", "a benchmark column, then one column per model",
                         found_text=f"columns {list(map(str, table.columns))}")
    first = str(table.columns[0])
    names = table.iloc[:, 0].map(lambda v: str(v).strip())
    if "metric" in table.columns and "metric" != first and names.duplicated().any():
        names = names + "/" + table["metric"].map(lambda v: str(v).strip())
    if names.eq("").any():
        row = int(names.eq("").to_numpy().nonzero()[0][0])
        raise InputError(source, f"{first} in row {row + 1}", "a non-empty benchmark name", "")
    repeated = sorted(set(names[names.duplicated()]))
    if repeated:
        raise InputError(source, first, "one row per benchmark",
                         found_text=f"repeated row(s) {repeated[:5]}")
    meta = [c for c in table.columns[1:] if str(c) in set(meta_columns)]
    models = table.drop(columns=[table.columns[0], *meta])
    if models.shape[1] == 0:
        raise InputError(source, "header", "at least one model column after the benchmark and "
                         f"metadata columns ({', '.join(meta_columns)})",
                         found_text=f"columns {list(map(str, table.columns))}")
    wide = models.T.astype(object)
    wide.columns = list(names)
    scores = numeric_frame(wide, source)
    require_common_benchmark(scores, source)
    benchmarks = list(scores.columns)
    if round_size is None:
        rounds = tuple((b, (b,)) for b in benchmarks)
    else:
        rounds = tuple((f"round {i // round_size + 1}", tuple(benchmarks[i:i + round_size]))
                       for i in range(0, len(benchmarks), round_size))
    choices = [f"Benchmark names from column {first!r}; metadata columns not read as models: "
               f"{', '.join(map(str, meta)) or 'none'}."]
    if round_size is not None:
        choices.append(f"Rounds: consecutive groups of {round_size} rows, in file order.")
    return Imported(format="transposed", scores=scores, rounds=rounds,
                    sources=(source_of(path),), choices=tuple(choices))
