"""Import a transposed table: benchmarks as rows, models as columns (CSV or Parquet).

This is the layout of OpenCompass summary CSVs (``dataset, version, metric, mode, <model>...``,
``-`` for a missing score) and of the CSD paper authors' own script, whose first column is the
dataset name. The first column names the benchmark; the columns ``version``, ``metric`` and
``mode`` (or those given) are metadata, not models. When one dataset appears with several
metrics, its benchmark is named ``dataset/metric``. Rows are rounds of their own, in file order,
or consecutive groups of ``round_size`` rows, as the authors' script groups rows into rounds by
row index, or grouped by the label in ``round_column``.

OpenCompass writes section rows (``--------- Exam ---------,-,-,-``) and separator rows (dashes)
between groups of datasets; they are dropped with a note, and so is any row with no score for any
model. ``lower_is_better`` names benchmarks whose metric is better when smaller. A round whose
benchmarks are on different scales is split with a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from swisssim.data.importers.common import (
    Imported,
    check_lower_is_better,
    drop_empty_benchmarks,
    require_common_benchmark,
    rounds_from_labels,
    source_of,
    split_mixed_scales,
)
from swisssim.data.importers.tables import read_table
from swisssim.data.tables import numeric_frame
from swisssim.errors import InputError
from swisssim.validation import integer

META_COLUMNS = ("version", "metric", "mode")
#: An OpenCompass section or separator row's first cell: ``--------- Exam ---------``, ``-----``.
SECTION_ROW = re.compile(r"^-{3,}(\s.*\s-{3,})?$")


def import_transposed(path: str | Path, *, round_size: int | None = None,
                      meta_columns: Sequence[str] = META_COLUMNS,
                      round_column: str | None = None,
                      lower_is_better: Sequence[str] = ()) -> Imported:
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
    round_column
        A column naming each row's round (rows sharing a label form one round); not a model.
    lower_is_better
        Benchmarks whose metric is better when smaller.
    """
    path = Path(path)
    source = str(path)
    if round_size is not None:
        round_size = integer(round_size, "--round-size", "", low=1)
    table = read_table(path)
    if table.shape[1] < 2:
        raise InputError(source, "header", "a benchmark column, then one column per model",
                         found_text=f"columns {list(map(str, table.columns))}")
    if round_size is not None and round_column is not None:
        raise InputError("--round-column", "", "either --round-size or --round-column",
                         found_text="both")
    if round_column is not None and round_column not in table.columns[1:]:
        raise InputError(source, "header", f"a round column named {round_column!r}",
                         found_text=f"columns {list(map(str, table.columns))}")
    first = str(table.columns[0])
    choices: list[str] = []
    section = table.iloc[:, 0].map(lambda v: bool(SECTION_ROW.match(str(v).strip())))
    if section.any():
        titles = [str(v).strip("- ").strip() for v in table.iloc[:, 0][section]]
        titles = [t for t in titles if t]
        choices.append(f"{int(section.sum())} section or separator row(s) dropped"
                       + (f" (sections: {', '.join(titles[:5])}"
                          f"{', ...' if len(titles) > 5 else ''})" if titles else "") + ".")
        table = table[~section.to_numpy()].reset_index(drop=True)
    names = table.iloc[:, 0].map(lambda v: str(v).strip())
    if "metric" in table.columns and first != "metric" and names.duplicated().any():
        names = names + "/" + table["metric"].map(lambda v: str(v).strip())
    if names.eq("").any():
        row = int(names.eq("").to_numpy().nonzero()[0][0])
        raise InputError(source, f"{first} in row {row + 1}", "a non-empty benchmark name", "")
    repeated = sorted(set(names[names.duplicated()]))
    if repeated:
        raise InputError(source, first, "one row per benchmark",
                         found_text=f"repeated row(s) {repeated[:5]}")
    meta = [c for c in table.columns[1:] if str(c) in set(meta_columns)
            or str(c) == round_column]
    models = table.drop(columns=[table.columns[0], *meta])
    if models.shape[1] == 0:
        raise InputError(source, "header", "at least one model column after the benchmark and "
                         f"metadata columns ({', '.join(meta_columns)})",
                         found_text=f"columns {list(map(str, table.columns))}")
    wide = models.T.astype(object)
    wide.columns = list(names)
    scores = numeric_frame(wide, source)
    scores, notes = drop_empty_benchmarks(scores, source)
    choices += notes
    require_common_benchmark(scores, source)
    benchmarks = list(scores.columns)
    lower = check_lower_is_better(lower_is_better, benchmarks)
    if round_column is not None:
        labels = dict(zip(names, table[round_column].map(lambda v: str(v).strip()), strict=True))
        blank = [b for b in benchmarks if not labels[b]]
        if blank:
            raise InputError(source, round_column, f"a round name for benchmark {blank[0]!r}", "")
        rounds = rounds_from_labels(labels, benchmarks)
        choices.append(f"Rounds from column {round_column!r}.")
    elif round_size is None:
        rounds = tuple((b, (b,)) for b in benchmarks)
    else:
        rounds = tuple((f"round {i // round_size + 1}", tuple(benchmarks[i:i + round_size]))
                       for i in range(0, len(benchmarks), round_size))
    choices.insert(0, f"Benchmark names from column {first!r}; metadata columns not read as "
                      f"models: {', '.join(map(str, meta)) or 'none'}.")
    if round_size is not None:
        choices.append(f"Rounds: consecutive groups of {round_size} rows, in file order.")
    split, notes = split_mixed_scales(scores, rounds, lower)
    choices += notes
    return Imported(format="transposed", scores=scores, rounds=tuple(split),
                    lower_is_better=lower, sources=(source_of(path),), choices=tuple(choices))
