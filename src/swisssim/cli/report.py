"""``swisssim report``: sweep, comparison (and optionally orders, bootstrap) in one HTML/MD report.

See :mod:`swisssim.report.writer` for the folder layout. Every option is validated before anything is
simulated, and the folder is written atomically: on bad input (exit 2) or any failure nothing is
written.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from swisssim.cli import _common
from swisssim.cli.compare import checked_options
from swisssim.defaults import DEFAULT_REPLICATES, ORDERS_ITERATIONS, Z95
from swisssim.validation import check_dpi, check_iterations, check_samples, check_z

if TYPE_CHECKING:
    from swisssim.engine.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="one-command report: sweep + comparison (+ orders, bootstrap) as HTML/MD",
        description="Run the failure sensitivity sweep and the comparison with baselines (on the "
                    "same simulation), optionally order sensitivity and a bootstrap, and write a "
                    "self-contained report.html (figures embedded, opens from disk), report.md, "
                    "summary.csv, manifest.json and the sub-folders sweep/, compare/, orders/, "
                    "bootstrap/ with their CSV files and figures.")
    _common.add_scenario_argument(parser)
    _common.add_simulation_options(
        parser, elimination_help="schedules to sweep: integers T, per-round lists such as "
        "0,1,1,2, or percentages such as 10%% (default: 0 1 2 like the paper)")
    extra = parser.add_argument_group("optional analyses")
    extra.add_argument("--orders", type=int, metavar="S",
                       help="also evaluate S round orders (all K! if fewer) at the least severe "
                            "schedule")
    extra.add_argument("--orders-iterations", type=int, metavar="N",
                       help=f"iterations per order (default {ORDERS_ITERATIONS})")
    extra.add_argument("--bootstrap", type=int, metavar="B", nargs="?",
                       const=DEFAULT_REPLICATES,
                       help="also run B bootstrap replicates over benchmarks (and score errors); "
                            f"B defaults to {DEFAULT_REPLICATES}. Writes bootstrap/ with "
                            "pairwise.csv (swap tests, Holm over all pairs), Rank (UB), tiers and "
                            "labels.csv (how often each risk label holds)")
    extra.add_argument("--bootstrap-iterations", type=int, metavar="N",
                       help="iterations per bootstrap replicate (default: --iterations)")
    look = parser.add_argument_group("output")
    look.add_argument("--label-z", type=float, default=Z95, metavar="Z",
                      help="risk labels: support against Monte Carlo noise only, at level "
                           "2 Phi(-Z), "
                           "Holm over the models (default 1.96, i.e. 0.05), besides the "
                           "practical threshold label_delta")
    look.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    look.add_argument("--svg", action=argparse.BooleanOptionalAction, default=False,
                      help="also write an SVG copy of every figure beside its PNG (a second "
                           "rendering of each figure); the default is PNG only (--no-svg)")
    look.add_argument("--palette-png", action="store_true",
                      help="store figures as 256-colour palette PNGs (about 3x smaller, "
                           "visually the same; used for the committed results/)")
    look.add_argument("--link-figures", action="store_true",
                      help="report.html links the PNG files beside it instead of embedding "
                           "them (no figure stored twice; keep the folder together; used for "
                           "the committed results/)")
    parser.set_defaults(elo_orders=None, elo_k=None)
    return parser


def checked(args: argparse.Namespace, scenario) -> tuple[Settings, dict]:
    """Validated settings and options of :func:`swisssim.report.model.build_report`."""
    from swisssim.analysis import baselines

    if args.elo_orders is None:
        args.elo_orders = baselines.ELO_ORDERS
    if args.elo_k is None:
        args.elo_k = baselines.ELO_K
    settings, options = checked_options(args, scenario)
    options["z"] = check_z(args.label_z, "--label-z", "")
    if args.orders is not None:
        options["orders"] = check_samples(args.orders, "--orders", "")
    _common.require_together(args.orders_iterations, "--orders-iterations", args.orders,
                             "--orders S")
    if args.orders_iterations is not None:
        options["orders_iterations"] = check_iterations(args.orders_iterations,
                                                        "--orders-iterations", "")
    if args.orders is not None:   # one schedule, the base one (swisssim.report.model)
        _common.check_repeated(scenario, settings, options["orders"], options.get(
            "orders_iterations", ORDERS_ITERATIONS), "orders", "--orders", n_schedules=1)
    replicates, replicate_iterations = _common.checked_bootstrap(args)
    if replicates is not None:
        _common.check_repeated(scenario, settings, replicates, replicate_iterations
                               or settings.resolved_iterations(scenario), "bootstrap",
                               "--bootstrap")
        options["bootstrap_replicates"] = replicates
    if replicate_iterations is not None:
        options["bootstrap_iterations"] = replicate_iterations
    return settings, options


def execute(args: argparse.Namespace) -> int:
    from swisssim.io.figures import figure_worker

    # Started before the heavy imports below: the worker imports matplotlib and the figure
    # builders on the second CPU while this process imports numba and simulates.
    with figure_worker():
        return _report(args)


def _report(args: argparse.Namespace) -> int:
    from swisssim.report.model import build_report
    from swisssim.report.writer import write_report

    started = time.perf_counter()
    scenario = _common.load(args)
    settings, options = checked(args, scenario)
    dpi = check_dpi(args.dpi, "--dpi", "")
    out = _common.output_folder(args, scenario)
    report = build_report(scenario, settings, **options)
    manifest = write_report(report, out, args.argv, svg=args.svg,
                            palette=args.palette_png, dpi=dpi,
                            embed=not args.link_figures, progress=not args.no_progress)
    for note in report.sweep.notes():
        print(f"note: {note}", file=sys.stderr)
    if report.bootstrap is not None and report.bootstrap.degenerate:
        print("warning: the bootstrap had nothing to resample (one benchmark per round, no "
              "score_errors): its intervals show Monte Carlo noise only", file=sys.stderr)
    result = report.sweep.result
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    print(f"{result.iterations} iterations x {len(result.schedules)} schedule(s); {timings}; "
          f"figures and documents {manifest['report']['figure_and_table_seconds']:.1f} s; "
          f"total {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(f"report: {out / 'report.html'}")
    return 0
