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
from typing import TYPE_CHECKING

from swisssim.defaults import MISSING_POLICIES
from swisssim.errors import InputError

if TYPE_CHECKING:
    from swisssim.data.importers.common import Imported

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
                    help="the metric (and lm-eval filter) to read for a task; repeatable; "
                         "inspect also takes METRIC alone for every task")
    lm.add_argument("--groups", choices=("leaves", "groups"), default="leaves",
                    help="lm-eval groups: their subtasks form one round (leaves, default) or the "
                         "group's aggregate is one benchmark (groups)")
    lm.add_argument("--round-level", type=int, metavar="N",
                    help="lm-eval: depth of the groups that become rounds (0: top-level groups; "
                         "default 0, and 1 under 'leaderboard': the six Open LLM Leaderboard v2 "
                         "benchmarks)")
    lm.add_argument("--scoring", choices=("raw", "open-llm-v2"), default="raw",
                    help="lm-eval: raw metric values (default) or the Open LLM Leaderboard v2 "
                         "scores of its six benchmarks (baseline-subtracted, 0-100)")
    lm.add_argument("--scorer", action="append", default=[], metavar="[TASK=]SCORER",
                    help="inspect: the scorer to read (default: the first); repeatable")
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
    tables.add_argument("--round-column", metavar="NAME",
                        help="a column naming each benchmark's round (benchmarks sharing a label "
                             "form one round)")
    tables.add_argument("--lower-is-better", nargs="+", default=[], metavar="BENCHMARK",
                        help="benchmarks whose metric is better when smaller")
    return parser


def _only(args: argparse.Namespace, flag: str, value: object, formats: tuple[str, ...]) -> None:
    if value and args.format not in formats:
        raise InputError(flag, "", f"the {' or '.join(formats)} format", found_text=args.format)


def read(args: argparse.Namespace) -> Imported:
    """Run the importer of ``args.format`` with its options."""
    from swisssim.data.importers import (
        import_inspect,
        import_lm_eval,
        import_long,
        import_transposed,
    )

    _only(args, "--round-size", args.round_size is not None, ("transposed",))
    _only(args, "--round-level", args.round_level is not None, ("lm-eval",))
    _only(args, "--scoring", args.scoring != "raw", ("lm-eval",))
    _only(args, "--groups", args.groups != "leaves", ("lm-eval",))
    _only(args, "--metric", args.metric, ("lm-eval", "inspect"))
    _only(args, "--scorer", args.scorer, ("inspect",))
    _only(args, "--round-column", args.round_column, ("long", "transposed"))
    _only(args, "--lower-is-better", args.lower_is_better, ("long", "transposed"))
    if args.format == "lm-eval":
        return import_lm_eval(args.sources, metrics=args.metric, groups=args.groups,
                              round_level=args.round_level, scoring=args.scoring)
    if args.format == "inspect":
        return import_inspect(args.sources, metrics=args.metric, scorers=args.scorer)
    if args.format == "long":
        return import_long(args.sources, model=args.model_column,
                           benchmark=args.benchmark_column, score=args.score_column,
                           stderr=args.stderr_column, n=args.n_column,
                           round_column=args.round_column, lower_is_better=args.lower_is_better)
    if len(args.sources) != 1:
        raise InputError("SOURCE", "", "one table for the transposed format",
                         found_text=f"{len(args.sources)} files")
    return import_transposed(args.sources[0], round_size=args.round_size,
                             round_column=args.round_column,
                             lower_is_better=args.lower_is_better)


def execute(args: argparse.Namespace) -> int:
    from swisssim.io.scenario_files import write_imported

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
