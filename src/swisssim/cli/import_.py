"""``swisssim import FORMAT SOURCE... --name NAME --out DIR``: another tool's results as a scenario.

Formats (:mod:`swisssim.data.importers`): ``lm-eval`` (lm-evaluation-harness result files or
folders), ``inspect`` (Inspect AI logs), ``long`` (one row per model and benchmark) and
``transposed`` (benchmarks as rows). Writes ``DIR/NAME.toml`` and its CSV files
(:mod:`swisssim.io.scenario_files`), a scenario ``swisssim run`` accepts as it is, and reports on
stderr what the importer chose and which models miss which benchmarks.
"""

from __future__ import annotations

import argparse
import sys

from swisssim.data.importers import (
    import_inspect,
    import_lm_eval,
    import_long,
    import_transposed,
)
from swisssim.data.importers.common import Imported
from swisssim.data.scenario import MISSING_POLICIES
from swisssim.errors import InputError
from swisssim.io.scenario_files import write_imported

FORMATS = ("lm-eval", "inspect", "long", "transposed")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import", help="turn another tool's results into a scenario (TOML + CSV)",
        description="Read the result files of an evaluation tool and write DIR/NAME.toml and its "
                    "CSV files: scores, standard errors, item counts and provenance. The round "
                    "order is a first guess; curate it.")
    parser.add_argument("format", choices=FORMATS, metavar="FORMAT",
                        help="lm-eval | inspect | long | transposed")
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="result files or folders (lm-eval, inspect) or table files")
    parser.add_argument("--name", required=True, help="scenario name (also the file stem)")
    parser.add_argument("--out", "-o", required=True, metavar="DIR",
                        help="output folder; an earlier import of the same --name there is "
                             "replaced, other files are left alone")
    parser.add_argument("--replace", action="store_true",
                        help="also overwrite files of the same names that an import did not "
                             "write")
    parser.add_argument("--missing", choices=MISSING_POLICIES,
                        help="missing-score policy written to the scenario (default: the "
                             "importer's suggestion)")
    lm = parser.add_argument_group("lm-eval and inspect")
    lm.add_argument("--metric", action="append", default=[], metavar="TASK=METRIC[,FILTER]",
                    help="the metric (and lm-eval filter) to read for a task; repeatable")
    lm.add_argument("--groups", choices=("leaves", "groups"), default="leaves",
                    help="lm-eval groups: their subtasks form one round (leaves, default) or the "
                         "group's aggregate is one benchmark (groups)")
    tables = parser.add_argument_group("long and transposed tables")
    tables.add_argument("--model-column", default="model", metavar="NAME")
    tables.add_argument("--benchmark-column", default="benchmark", metavar="NAME")
    tables.add_argument("--score-column", default="score", metavar="NAME")
    tables.add_argument("--stderr-column", metavar="NAME",
                        help="standard errors (default: a column 'stderr' if there is one)")
    tables.add_argument("--n-column", metavar="NAME",
                        help="item counts (default: a column 'n' if there is one)")
    tables.add_argument("--round-size", type=int, metavar="N",
                        help="transposed: group consecutive rows into rounds of N benchmarks")
    return parser


def read(args: argparse.Namespace) -> Imported:
    """Run the importer of ``args.format`` with its options."""
    if args.format != "transposed" and args.round_size is not None:
        raise InputError("--round-size", "", "the transposed format", found_text=args.format)
    if args.format == "lm-eval":
        return import_lm_eval(args.sources, metrics=args.metric, groups=args.groups)
    if args.metric and args.format != "inspect":
        raise InputError("--metric", "", "the lm-eval or inspect format", found_text=args.format)
    if args.format == "inspect":
        return import_inspect(args.sources, metrics=args.metric)
    if args.format == "long":
        return import_long(args.sources, model=args.model_column,
                           benchmark=args.benchmark_column, score=args.score_column,
                           stderr=args.stderr_column, n=args.n_column)
    if len(args.sources) != 1:
        raise InputError("SOURCE", "", "one table for the transposed format",
                         found_text=f"{len(args.sources)} files")
    return import_transposed(args.sources[0], round_size=args.round_size)


def execute(args: argparse.Namespace) -> int:
    imported = read(args)
    path = write_imported(imported, args.out, args.name, missing=args.missing)
    models, benchmarks = imported.scores.shape
    for line in imported.choices:
        print(f"import: {line}", file=sys.stderr)
    for line in imported.missing_report():
        print(f"import: {line}", file=sys.stderr)
    print(f"import: {models} models x {benchmarks} benchmarks in {len(imported.rounds)} rounds "
          f"from {len(imported.sources)} file(s); standard errors: "
          f"{'yes' if imported.errors is not None else 'no'}; item counts: "
          f"{len(imported.item_counts)} benchmark(s). Curate the round order in {path}.",
          file=sys.stderr)
    print(path)
    return 0
