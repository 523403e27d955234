"""``swisssim compare``: every model's rank under every method, agreement and rank shifts."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from swisssim.analysis import baselines
from swisssim.analysis.compare import (
    Comparison,
    compare,
    correlation_matrix,
    summary_table,
)
from swisssim.cli import _common
from swisssim.data.scenario import Scenario
from swisssim.engine.settings import Settings
from swisssim.errors import InputError
from swisssim.io.manifests import scenario_files
from swisssim.io.staging import (
    atomic_output,
)
from swisssim.io.writers import comparison_manifest, write_comparison

MAX_ELO_ORDERS = 100_000


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare", help="rank models by every baseline and by CSD; correlations, rank shifts",
        description="Rank every model by mean score, normalised means, mean win rate, Borda, "
                    "Copeland, Bradley-Terry, Elo and CSD (one column per elimination schedule); "
                    "write rankings.csv, rank_correlations.csv, rank_shifts.csv, manifest.json "
                    "and figures/ (default folder: swisssim-results/<scenario file stem>/compare/).")
    _common.add_scenario_argument(parser)
    add_options(parser)
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="models shown in the printed table (default 20)")
    return parser


def add_options(parser: argparse.ArgumentParser) -> None:
    """Simulation and baseline options shared by ``compare`` and ``perturb``."""
    _common.add_simulation_options(
        parser, elimination_help="CSD elimination schedules, one method each: an integer T, a "
        "per-round list such as 0,1,1,2, or a percentage such as 10%% (default: the scenario's)")
    parser.add_argument("--elo-orders", type=int, default=baselines.ELO_ORDERS, metavar="N",
                        help="random match orders averaged by Elo "
                             f"(default {baselines.ELO_ORDERS})")
    parser.add_argument("--elo-k", type=float, default=baselines.ELO_K, metavar="K",
                        help=f"Elo K-factor (default {baselines.ELO_K:g})")


def checked_options(args: argparse.Namespace, scenario: Scenario,
                    **defaults: Any) -> tuple[Settings, dict[str, Any]]:
    """Validated settings and Elo options of :func:`swisssim.analysis.compare.compare`."""
    settings = _common.settings_from_args(args, scenario, **defaults)
    options: dict[str, Any] = {}
    if isinstance(args.elo_orders, bool) or not 1 <= args.elo_orders <= MAX_ELO_ORDERS:
        raise InputError("--elo-orders", "", f"an integer from 1 to {MAX_ELO_ORDERS}",
                         args.elo_orders)
    if not math.isfinite(args.elo_k) or args.elo_k <= 0:
        raise InputError("--elo-k", "", "a positive finite number", args.elo_k)
    options["elo_orders"] = args.elo_orders
    options["elo_k"] = args.elo_k
    return settings, options


def execute(args: argparse.Namespace) -> int:
    scenario = _common.load(args)
    settings, options = checked_options(args, scenario)
    if args.top < 1:
        raise InputError("--top", "", "a positive integer", args.top)
    out = _common.output_folder(args, scenario)
    comparison = compare(scenario, settings, **options)
    manifest = comparison_manifest("compare", scenario, comparison, args.argv)
    with atomic_output(out, inputs=scenario_files(scenario), command="compare") as stage:
        write_comparison(stage, comparison)
        stage.write_json("manifest.json", manifest)
    print(summary_text(comparison, args.top))
    print(f"\n{len(comparison.methods)} methods, CSD with {comparison.simulation.iterations} "
          f"iterations x {len(comparison.simulation.schedules)} schedule(s); results in {out}/",
          file=sys.stderr)
    return 0


def summary_text(comparison: Comparison, top: int) -> str:
    """The printed report: top models' ranks per method, correlations, largest shifts."""
    lines = [f"Rank under each method (top {top} by {comparison.csd_methods[0]}):"
             if comparison.csd_methods else f"Rank under each method (top {top}):",
             summary_table(comparison, top).to_string(), ""]
    tau = correlation_matrix(comparison.correlations(), "kendall_tau_b", comparison.method_names)
    tau.index = tau.columns = [m.short for m in comparison.methods]
    lines += ["Kendall tau-b between methods:", tau.round(2).to_string(), ""]
    shifts = comparison.shifts()
    for method in comparison.csd_methods:
        part = shifts[shifts["method"] == method].head(5)
        moves = ", ".join(f"{r.display_name} {r.reference_rank}->{r.rank}"
                          for r in part.itertuples() if r.shift != 0)
        lines.append(f"Largest shifts mean -> {method}: {moves or 'none'}")
    return "\n".join(lines)
