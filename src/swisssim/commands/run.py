"""``swisssim run``: expected win scores per elimination schedule."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..io import atomic_output, base_manifest, simulation_manifest
from ..results import SimulationResult
from ..simulation import resolve_threads, simulate
from . import _common


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run", help="simulate a scenario: expected win scores, ranks, survival",
        description="Run the CSD Monte Carlo on a scenario and write expected_scores.csv, "
                    "rank_distribution.csv, survival.csv and manifest.json.")
    _common.add_scenario_argument(parser)
    _common.add_simulation_options(
        parser, elimination_help="one or more elimination schedules: an integer T (every round), "
        "a comma-separated per-round list such as 0,1,1,2, or a percentage such as 10%% "
        "(default: the scenario's, else 0 1 2)")
    return parser


def execute(args: argparse.Namespace) -> int:
    scenario = _common.load(args)
    overrides = _common.checked_overrides(args, scenario)
    threads = resolve_threads(args.threads)
    out = _common.output_folder(args, scenario)
    result = simulate(scenario, threads=threads, progress=not args.no_progress, **overrides)
    write_run(result, out, args.argv)
    print(summary_table(result).to_string())
    print(f"\n{result.iterations} iterations x {len(result.schedules)} schedule(s) in "
          f"{result.wall_time:.3f} s on {result.threads} thread(s); results in {out}/",
          file=sys.stderr)
    return 0


def write_run(result: SimulationResult, out, argv) -> None:
    """Write the run's tables and manifest atomically into ``out``."""
    manifest = base_manifest("run", result.scenario, argv)
    manifest["simulation"] = simulation_manifest(result)
    with atomic_output(out) as stage:
        stage.write_csv("expected_scores.csv", result.expected_scores())
        stage.write_csv("rank_distribution.csv", result.rank_distribution())
        stage.write_csv("survival.csv", result.survival())
        stage.write_json("manifest.json", manifest)


def summary_table(result: SimulationResult) -> pd.DataFrame:
    """Models as rows, one ``E[S] +- SE`` column per schedule, sorted by the first schedule."""
    expected, error = result.expected(), result.std_error()
    table = pd.DataFrame(index=pd.Index(result.scenario.model_names, name="model"))
    for s, label in enumerate(result.labels):
        table[f"T={label}"] = [f"{e:.4f} ± {se:.4f}" for e, se in zip(expected[s], error[s])]
    order = (-expected[0]).argsort(kind="stable")
    return table.iloc[order]
