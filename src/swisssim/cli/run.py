"""``swisssim run``: expected win scores per elimination schedule."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swisssim.cli import _common
from swisssim.defaults import DEFAULT_REPLICATES, TARGETS
from swisssim.errors import InputError
from swisssim.validation import check_iterations

if TYPE_CHECKING:
    import pandas as pd

    from swisssim.engine.results import SimulationResult

#: Fields up to this size are printed whole (the large-field threshold of swisssim.plots.large,
#: not imported: it would load matplotlib); larger ones print their best PRINT_ROWS models.
PRINT_ALL_UP_TO = 150
PRINT_ROWS = 50


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
    extra = parser.add_argument_group("data uncertainty and adaptive stopping")
    extra.add_argument("--bootstrap", type=int, metavar="B", nargs="?",
                       const=DEFAULT_REPLICATES,
                       help="also run B bootstrap replicates (default B: "
                            f"{DEFAULT_REPLICATES}; benchmarks resampled inside each round, "
                            "scores perturbed by the scenario's score_errors) and write "
                            "bootstrap.csv, tiers.csv, pairwise.csv, labels.csv and "
                            "bootstrap_ranks.png/.svg")
    extra.add_argument("--bootstrap-iterations", type=int, metavar="N",
                       help="iterations per bootstrap replicate (default: the run's)")
    extra.add_argument("--target-se", type=float, metavar="X",
                       help="adaptive stopping: run until every expected score's standard error "
                            "is below X points (replaces --iterations)")
    extra.add_argument("--max-iterations", type=int, metavar="N",
                       help="cap of an adaptive run (default 1000000); needs --target-se")
    extra.add_argument("--target-se-of", choices=TARGETS, default=None,
                       help="what --target-se bounds: 'score' (every expected score's SE, the "
                            "default) or 'drop' (the paired SE of every difference between two "
                            "schedules, the risk labels' input; needs two or more schedules)")
    extra.add_argument("--probabilistic-wins", action="store_true",
                       help="decide each match by sampling from the win probability implied by "
                            "the scenario's score_errors, Phi((mu_i - mu_j) / sqrt(se_i^2 + "
                            "se_j^2)), instead of the hard comparison (opt-in)")
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.engine.settings import Settings
    from swisssim.engine.simulation import simulate
    from swisssim.engine.structure import degenerate_notes
    from swisssim.io.run_writer import write_run

    scenario = _common.load(args)
    settings = _common.settings_from_args(args, scenario)
    options = _uncertainty_options(args)
    if options.get("target") == "drop" and len(settings.schedules(scenario)) < 2:
        raise InputError("--target-se-of", "", "two or more schedules (-T) for 'drop'",
                         found_text="one schedule")
    replicates = options.pop("bootstrap", None)
    replicate_iterations = options.pop("bootstrap_iterations", None)
    if replicates is not None:
        _common.check_repeated(scenario, settings, replicates, replicate_iterations
                               or settings.resolved_iterations(scenario), "bootstrap",
                               "--bootstrap")
    out = _common.output_folder(args, scenario)
    result = simulate(scenario, settings, **options)
    boot = None
    if replicates is not None:
        from swisssim.analysis.bootstrap import bootstrap  # only when asked: start-up stays lean

        boot = bootstrap(scenario, replicates,
                         Settings(iterations=replicate_iterations, progress=settings.progress,
                                  dask=settings.dask, client=settings.client),
                         reference=result)
    write_run(result, out, args.argv, bootstrap=boot)
    for note in degenerate_notes(result):
        print(f"note: {note}", file=sys.stderr)
    table = summary_table(result)
    shown = table if len(table) <= PRINT_ALL_UP_TO else table.head(PRINT_ROWS)
    print(shown.to_string())
    if len(shown) < len(table):
        print(f"... {len(table) - len(shown):,} more models in {out}/expected_scores.csv")
    stopping = getattr(result, "stopping", None)
    if stopping is not None:
        verdict = "reached" if stopping.reached else "NOT reached (--max-iterations)"
        what = " (paired SE of schedule differences)" if stopping.target == "drop" else ""
        print(f"\ntarget SE {stopping.target_se:g} {verdict}{what}: largest SE "
              f"{stopping.achieved_max_se:.5f} after {result.iterations} iterations",
              file=sys.stderr)
    if boot is not None and boot.degenerate:
        print("\nwarning: the bootstrap had nothing to resample (every round has one benchmark "
              "and the scenario gives no score_errors or item_counts): its intervals show "
              "Monte Carlo noise only, not data uncertainty", file=sys.stderr)
    if boot is not None:
        tiers = boot.tiers().groupby("elimination", sort=False).tier.max()
        print(f"\nbootstrap: {boot.replicates} replicates x {boot.iterations} iterations in "
              f"{boot.wall_time:.3f} s; tiers: "
              + ", ".join(f"T={label}: {n}" for label, n in tiers.items()), file=sys.stderr)
    print(f"\n{result.iterations} iterations x {len(result.schedules)} schedule(s) in "
          f"{result.wall_time:.3f} s {_common.where(result)}; results in {out}/",
          file=sys.stderr)
    return 0


def _uncertainty_options(args: argparse.Namespace) -> dict:
    """Validate --bootstrap, --bootstrap-iterations, --target-se and --max-iterations."""
    from swisssim.engine.simulation import check_target_se

    options: dict = {}
    replicates, replicate_iterations = _common.checked_bootstrap(args)
    if replicates is not None:
        options["bootstrap"] = replicates
    if replicate_iterations is not None:
        options["bootstrap_iterations"] = replicate_iterations
    if args.target_se is not None:
        if args.iterations is not None:
            raise InputError("--target-se", "", "no --iterations beside it (an adaptive run "
                             "decides when to stop; cap it with --max-iterations)",
                             found_text=f"--iterations {args.iterations}")
        options["target_se"] = check_target_se(args.target_se, "--target-se", "")
        if args.target_se_of is not None:
            options["target"] = args.target_se_of
    elif args.target_se_of is not None:
        raise InputError("--target-se-of", "", "--target-se X as well (it says what X bounds)",
                         found_text="no --target-se")
    if args.max_iterations is not None:
        if args.target_se is None:
            raise InputError("--max-iterations", "", "--target-se X as well (it caps an "
                             "adaptive run)", found_text="no --target-se")
        options["max_iterations"] = check_iterations(args.max_iterations, "--max-iterations", "")
    return options


def summary_table(result: SimulationResult) -> pd.DataFrame:
    """Models as rows, one ``E[S] +- SE`` column per schedule, sorted by the first schedule."""
    import pandas as pd

    expected, error = result.expected(), result.std_error()
    table = pd.DataFrame(index=pd.Index(result.scenario.model_names, name="model"))
    for s, label in enumerate(result.labels):
        table[f"T={label}"] = [f"{e:.4f} ± {se:.4f}" for e, se in zip(expected[s], error[s])]
    order = (-expected[0]).argsort(kind="stable")
    return table.iloc[order]
