"""``swisssim orders``: sensitivity of expected win scores and ranks to the round order."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swisssim.cli import _common
from swisssim.defaults import DEFAULT_SAMPLES, ORDERS_ITERATIONS
from swisssim.validation import check_samples, check_top_k

if TYPE_CHECKING:
    import pandas as pd

    from swisssim.analysis.orders import OrdersResult


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "orders", help="sensitivity to the round order: many orders, common random numbers",
        description="Simulate the scenario under many round orders (all of them when K! is at "
                    "most --samples, else a seeded sample that includes the curated order), with "
                    "common random numbers, and write order_sensitivity.csv, order_taus.csv, "
                    "order_scores.csv, order_spread.png/.svg and manifest.json.")
    _common.add_scenario_argument(parser)
    parser.add_argument("--samples", "-s", type=int, default=DEFAULT_SAMPLES, metavar="S",
                        help=f"number of orders (default {DEFAULT_SAMPLES}; all K! if fewer)")
    parser.add_argument("--iterations", "-n", type=int, metavar="N",
                        help=f"Monte Carlo iterations per order (default {ORDERS_ITERATIONS})")
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's, else 0)")
    parser.add_argument("--elimination", "-T", nargs="+", metavar="SCHEDULE",
                        help="elimination schedules, as for 'run' (default: 0); quotas apply to "
                             "positions, i.e. after the k-th round played")
    parser.add_argument("--tie-break", choices=("random", "index"),
                        help="who is eliminated among tied models at the cut (default: the "
                             "scenario's, else random)")
    parser.add_argument("--top", type=int, default=3, metavar="K",
                        help="report the probability of ranking in the top K (default 3)")
    parser.add_argument("--threads", type=int, help="worker threads (results do not depend on it)")
    _common.add_backend_option(parser)
    _common.add_output_options(parser)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _common.add_dask_option(parser)
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.analysis.orders import evaluate_orders
    from swisssim.io.writers import write_orders

    scenario = _common.load(args)
    settings = _common.settings_from_args(args, scenario, iterations=ORDERS_ITERATIONS,
                                          elimination=(0,))
    samples = check_samples(args.samples, "--samples", "")
    top_k = check_top_k(args.top, scenario.n_models, "--top", "")
    _common.check_repeated(scenario, settings, samples, settings.resolved_iterations(scenario),
                           "orders", "--samples")
    out = _common.output_folder(args, scenario)
    result = evaluate_orders(scenario, settings, samples=samples, top_k=top_k)
    write_orders(result, out, args.argv, samples=samples)
    print(summary_table(result).to_string())
    summary = tau_summary(result)
    if summary:
        print(summary)
    kind = "all orders" if result.exhaustive else "sampled orders"
    print(f"\n{result.n_orders} {kind} x {result.iterations} iterations x "
          f"{len(result.schedules)} schedule(s) in {result.wall_time:.3f} s "
          f"{_common.where(result)}; results in {out}/", file=sys.stderr)
    return 0


def summary_table(result: OrdersResult) -> pd.DataFrame:
    """First schedule: models by order-marginalised rank, with curated rank and spread."""
    import pandas as pd

    table = result.sensitivity()
    table = table[table.elimination == result.labels[0]]
    return pd.DataFrame({
        "model": table.model,
        "curated": [f"{s:.3f} (#{r})" for s, r in zip(table.curated_score, table.curated_rank)],
        "mean ± sd": [f"{m:.3f} ± {sd:.3f}" for m, sd in zip(table.mean_score, table.sd_score)],
        "range": [f"{lo:.3f}..{hi:.3f}" for lo, hi in zip(table.min_score, table.max_score)],
        "ranks": [f"{b}..{w}" for b, w in zip(table.best_rank, table.worst_rank)],
        "P(first)": table.p_rank_first.round(3),
        f"P(top {result.top_k})": table.p_top_k.round(3),
    }).set_index("model")


def tau_summary(result: OrdersResult) -> str:
    """One line per schedule: median and minimum Kendall tau of the other orders."""
    import numpy as np

    taus = result.kendall_taus()[1:]
    lines = []
    for s, label in enumerate(result.labels):
        column = taus[:, s]
        if column.size and np.isfinite(column).any():
            lines.append(f"Kendall tau-b against the curated order, T={label}: median "
                         f"{np.nanmedian(column):.3f}, minimum {np.nanmin(column):.3f}")
    return "\n".join(lines)
