"""``swisssim compare``: every model's rank under every method, agreement and rank shifts."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from swisssim.cli import _common
from swisssim.defaults import ELO_K, ELO_ORDERS
from swisssim.errors import InputError

if TYPE_CHECKING:
    from swisssim.analysis.compare import Comparison
    from swisssim.data.scenario import Scenario
    from swisssim.engine.settings import Settings


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
    parser.add_argument("--elo-orders", type=int, default=ELO_ORDERS, metavar="N",
                        help=f"random match orders averaged by Elo (default {ELO_ORDERS})")
    parser.add_argument("--elo-k", type=float, default=ELO_K, metavar="K",
                        help=f"Elo K-factor (default {ELO_K:g})")


def checked_options(args: argparse.Namespace, scenario: Scenario,
                    **defaults: Any) -> tuple[Settings, dict[str, Any]]:
    """Validated settings and Elo options of :func:`swisssim.analysis.compare.compare`."""
    from swisssim.analysis import baselines

    settings = _common.settings_from_args(args, scenario, **defaults)
    # The library's checks (swisssim.analysis.baselines.check_options), named by flag here.
    with _common.flag_names("compare", FLAGS):
        orders, k_factor, _ = baselines.check_options(args.elo_orders, args.elo_k,
                                                      baselines.BT_ALPHA, "compare")
    options: dict[str, Any] = {"elo_orders": orders, "elo_k": k_factor}
    return settings, options


#: The command-line flag of each baseline option of :func:`swisssim.analysis.compare.compare`.
FLAGS = {"elo_orders": "--elo-orders", "elo_k": "--elo-k"}


def execute(args: argparse.Namespace) -> int:
    from swisssim.analysis.compare import compare
    from swisssim.io.writers import write_comparison

    scenario = _common.load(args)
    settings, options = checked_options(args, scenario)
    if args.top < 1:
        raise InputError("--top", "", "a positive integer", args.top)
    out = _common.output_folder(args, scenario)
    comparison = compare(scenario, settings, **options)
    write_comparison(comparison, out, args.argv)
    print(summary_text(comparison, args.top))
    print(f"\n{len(comparison.methods)} methods, CSD with {comparison.simulation.iterations} "
          f"iterations x {len(comparison.simulation.schedules)} schedule(s); results in {out}/",
          file=sys.stderr)
    return 0


def summary_text(comparison: Comparison, top: int) -> str:
    """The printed report: top models' ranks per method, correlations, largest shifts."""
    from swisssim.analysis.compare import correlation_matrix, summary_table

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
