"""Options and steps shared by the simulation subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from swisssim.data.scenario import Scenario, check_iterations, check_seed, load_scenario
from swisssim.data.schedules import parse_schedules
from swisssim.errors import InputError


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario file (TOML), see docs/scenario-format.md")


def add_simulation_options(parser: argparse.ArgumentParser, *, elimination_help: str) -> None:
    parser.add_argument("--iterations", "-n", type=int, metavar="N",
                        help="Monte Carlo iterations (default: the scenario's, else 100000)")
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's, else 0)")
    parser.add_argument("--elimination", "-T", nargs="+", metavar="SCHEDULE",
                        help=elimination_help)
    parser.add_argument("--tie-break", choices=("random", "index"),
                        help="who is eliminated among tied models at the cut (default: random; "
                             "'index' = earliest listed model first, like the reference script)")
    parser.add_argument("--threads", type=int, help="worker threads (results do not depend on it)")
    parser.add_argument("--out", "-o", metavar="DIR",
                        help="output folder (default: results/<scenario name>/)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def load(args: argparse.Namespace) -> Scenario:
    return load_scenario(args.scenario)


def checked_overrides(args: argparse.Namespace, scenario: Scenario) -> dict:
    """Validate the command-line overrides of the scenario's ``[simulation]`` settings."""
    overrides: dict = {}
    if args.iterations is not None:
        overrides["iterations"] = check_iterations(args.iterations, "--iterations", "")
    if args.seed is not None:
        overrides["seed"] = check_seed(args.seed, "--seed", "")
    if args.elimination is not None:
        overrides["elimination"] = parse_schedules(args.elimination, scenario.n_rounds,
                                                   "--elimination", "")
    if args.tie_break is not None:
        overrides["tie_break"] = args.tie_break
    return overrides


def output_folder(args: argparse.Namespace, scenario: Scenario,
                  subfolder: str | None = None) -> Path:
    """``--out``, else ``results/<scenario name>/`` (plus ``subfolder``).

    Analyses other than ``run`` default to a sub-folder of their own, so that none of them
    overwrites the ``manifest.json`` or tables another one wrote for other settings.
    """
    if args.out is not None:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise InputError("--out", "", "a folder", found_text=f"an existing file {str(out)!r}")
        return out
    default = Path("results") / scenario.name
    return default / subfolder if subfolder else default


def require_together(value: object, flag: str, needed: object, needed_flag: str) -> None:
    """Reject ``flag`` given without ``needed_flag`` (e.g. ``--bootstrap-iterations``)."""
    if value is not None and needed is None:
        raise InputError(flag, "", f"{needed_flag} as well",
                         found_text=f"no {needed_flag.split()[0]}")


def checked_bootstrap(args: argparse.Namespace) -> tuple[int | None, int | None]:
    """Validate ``--bootstrap B`` and ``--bootstrap-iterations N``; return ``(B, N)``."""
    from swisssim.analysis.bootstrap import check_replicates

    replicates = None
    if args.bootstrap is not None:
        replicates = check_replicates(args.bootstrap, "--bootstrap", "")
    require_together(args.bootstrap_iterations, "--bootstrap-iterations", args.bootstrap,
                     "--bootstrap B")
    iterations = None
    if args.bootstrap_iterations is not None:
        iterations = check_iterations(args.bootstrap_iterations, "--bootstrap-iterations", "")
    return replicates, iterations
