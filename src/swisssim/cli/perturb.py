"""``swisssim perturb``: damage some models' scores and/or add dominated clones, rerank by every
method with the same seed, and report the rank changes (see :mod:`swisssim.analysis.perturb`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swisssim.cli import _common
from swisssim.cli.compare import add_options, checked_options
from swisssim.errors import InputError

if TYPE_CHECKING:
    from swisssim.analysis.perturb import PerturbResult


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "perturb", help="robustness probes: damage a model's scores, add dominated clones",
        description="Set chosen scores of one or more models (--model, --set) and/or add N "
                    "dominated clone models (--clones), rerun every method of 'compare' with the "
                    "same seed and write the rank changes: perturb_rank_changes.csv, "
                    "perturb_summary.csv, clone_probe.csv, clone_rank_changes.csv, "
                    "rankings_*.csv, manifest.json, figures/ (default folder: "
                    "swisssim-results/<scenario file stem>/perturb/).")
    _common.add_scenario_argument(parser)
    parser.add_argument("--model", action="append", default=[], metavar="NAME",
                        help="model to damage (repeatable); every --set applies to every --model")
    parser.add_argument("--set", action="append", default=[], metavar="BENCH=VALUE",
                        dest="assignments",
                        help="new raw score on a benchmark used by a round (repeatable); VALUE is "
                             "a finite number or 'worst' (the worst score any model has there)")
    parser.add_argument("--clones", type=int, default=0, metavar="N",
                        help="also add N clone models strictly below every model on every "
                             "benchmark and report how each method reranks the originals")
    add_options(parser)
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.analysis.perturb import (
        check_clones,
        check_models,
        parse_assignments,
        perturb,
    )
    from swisssim.io.writers import write_perturb

    scenario = _common.load(args)
    models = check_models(args.model, scenario, "--model", "")
    assignments = parse_assignments(args.assignments, scenario, "--set", "")
    clones = check_clones(args.clones, "--clones", "")
    if models and not assignments:
        raise InputError("--set", "", "at least one BENCH=VALUE to apply to --model",
                         found_text="none")
    if assignments and not models:
        raise InputError("--model", "", "at least one model to apply --set to", found_text="none")
    if not models and clones == 0:
        raise InputError("perturb", "", "--model with --set, and/or --clones N > 0",
                         found_text="neither")
    settings, options = checked_options(args, scenario)
    out = _common.output_folder(args, scenario)
    result = perturb(scenario, models, assignments, clones, settings, **options)
    write_perturb(result, out, args.argv)
    print(report_text(result))
    print(f"\nresults in {out}/", file=sys.stderr)
    return 0


def report_text(result: PerturbResult) -> str:
    """The printed report: the damage probe per model, then the clone probe."""
    import pandas as pd

    from swisssim.analysis.perturb import CLONE_FAMILY

    lines: list[str] = []
    if result.after is not None:
        changes = ", ".join(f"{b}={v}" for b, v in result.assignments.items())
        summary = result.summary()
        for model in result.models:
            part = summary[summary["model"] == model].set_index("method")
            table = pd.DataFrame({
                "before": part["rank_before"], "after": part["rank_after"],
                "change": [f"{c:+d}" for c in part["rank_change"]],
                "tau_others": part["kendall_tau_others"].round(3),
                "others_moved": part["others_moved"]})
            lines += [f"Damage probe: {model} with {changes} "
                      f"(rank of {result.before.scenario.n_models}; change > 0 = fell)",
                      table.to_string(), ""]
    if result.clones is not None:
        probe, _ = result.clone_summary()
        n = result.before.scenario.n_models
        table = probe.set_index("method")[["kendall_tau_b", "rank_swaps", "models_moved",
                                           "max_abs_rank_change", "best_clone_rank"]]
        lines += [f"Clone probe: {len(result.clone_names)} dominated '{CLONE_FAMILY}' models added "
                  f"to {n}; originals re-ranked among themselves (best_clone_rank {n + 1} = every "
                  "clone last)", table.round(4).to_string()]
    return "\n".join(lines).rstrip()
