"""``swisssim sweep``: Failure Sensitivity Analysis over elimination schedules.

Liu et al., "LLM Swiss Round" (arXiv:2512.21010): one simulation plays every schedule on the same
random streams (common random numbers); the sweep writes per-schedule scores, a per-model risk
profile with paired standard errors and a documented label, the rank and survival tables, a
manifest and four figures (see :mod:`swisssim.sweep` and :mod:`swisssim.sweep_plots`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..io import Staging, atomic_output, base_manifest, simulation_manifest
from ..results import Z95
from ..simulation import resolve_threads, simulate
from ..sweep import (DEFAULT_SCHEDULES, Sweep, check_z, profile_rule, read_sweep_folder,
                     rank_column)
from ..sweep_plots import FIGURE_STEMS, write_figures
from . import _common


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sweep", help="failure sensitivity: sweep elimination schedules, risk profiles, figures",
        description="Simulate a scenario under several elimination schedules with common random "
                    "numbers and write sweep.csv, risk_profile.csv, rank_distribution.csv, "
                    "survival.csv, manifest.json and figures/ (PNG + SVG).")
    _common.add_scenario_argument(parser)
    _common.add_simulation_options(
        parser, elimination_help="schedules to sweep: integers T (every round), comma-separated "
        "per-round lists such as 0,1,1,2, or percentages of the active models such as 10%% "
        "(default: 0 1 2 like the paper; the scenario's own elimination setting is not used)")
    parser.add_argument("--label-z", type=float, default=Z95, metavar="Z",
                        help="a drop is 'large'/'small' when it differs from the median drop by "
                             "more than Z paired standard errors (default: 1.96)")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    for action in parser._actions:
        if action.dest == "out":
            action.help = "output folder (default: results/<scenario name>/sweep/)"
    return parser


def execute(args: argparse.Namespace) -> int:
    scenario = _common.load(args)
    if args.elimination is None:
        args.elimination = [str(t) for t in DEFAULT_SCHEDULES]
    overrides = _common.checked_overrides(args, scenario)
    z = check_z(args.label_z, "--label-z")
    dpi = check_dpi(args.dpi)
    threads = resolve_threads(args.threads)
    out = _common.output_folder(args, scenario, "sweep")
    result = simulate(scenario, threads=threads, progress=not args.no_progress, **overrides)
    sweep = Sweep(result, z=z)
    seconds = write_sweep(sweep, out, args.argv, figures=not args.no_figures, dpi=dpi)
    print(summary_table(sweep).to_string())
    for note in sweep.notes():
        print(f"note: {note}", file=sys.stderr)
    figures = "" if args.no_figures else f"; figures in {seconds:.1f} s"
    print(f"\n{result.iterations} iterations x {len(result.schedules)} schedule(s) in "
          f"{result.wall_time:.3f} s on {result.threads} thread(s){figures}; results in {out}/",
          file=sys.stderr)
    return 0


def check_dpi(value: int) -> int:
    from ..errors import InputError

    if not 20 <= value <= 1200:
        raise InputError("--dpi", "", "an integer from 20 to 1200", value)
    return value


def write_sweep(sweep: Sweep, out: Path, argv: Sequence[str] | None, *, figures: bool = True,
                dpi: int = 150) -> float:
    """Write the sweep's tables, manifest and figures atomically; return the rendering seconds.

    Figures are drawn from the CSV files as written (read back from the staging folder), so
    ``swisssim plot`` on the result folder reproduces them exactly.
    """
    result = sweep.result
    manifest = base_manifest("sweep", result.scenario, list(argv) if argv is not None else None)
    manifest["simulation"] = simulation_manifest(result)
    manifest["sweep"] = sweep_manifest(sweep, sweep.risk_profile())
    with atomic_output(out) as stage:
        names, seconds = stage_sweep(sweep, stage, figures=figures, dpi=dpi)
        if figures:
            manifest["sweep"]["figures"] = names
            manifest["sweep"]["figure_seconds"] = round(seconds, 3)
        stage.write_json("manifest.json", manifest)
    return seconds


def stage_sweep(sweep: Sweep, stage: Staging, *, figures: bool = True,
                dpi: int = 150) -> tuple[list[str], float]:
    """Write the sweep's four tables and (optionally) its figures into a staging folder.

    Parameters
    ----------
    sweep
        The sweep to write.
    stage
        A staging folder (:func:`swisssim.io.atomic_output`), or any object with the same
        ``root``, ``path`` and ``write_csv`` members (e.g. a sub-folder view of one).
    figures, dpi
        Whether to draw the figures under ``figures/``, and their PNG resolution.

    Returns
    -------
    tuple of (list of str, float)
        The figure file names written (relative to ``stage``) and the seconds spent drawing.

    Notes
    -----
    Figures are drawn from the CSV files as written (read back from ``stage.root``), so
    ``swisssim plot`` on the folder reproduces them exactly.
    """
    result = sweep.result
    stage.write_csv("sweep.csv", sweep.table())
    stage.write_csv("risk_profile.csv", sweep.risk_profile())
    stage.write_csv("rank_distribution.csv", result.rank_distribution())
    stage.write_csv("survival.csv", result.survival())
    if not figures:
        return [], 0.0
    started = time.perf_counter()
    names = write_figures(read_sweep_folder(stage.root), stage, dpi=dpi)
    return names, time.perf_counter() - started


def sweep_manifest(sweep: Sweep, risk: pd.DataFrame) -> dict:
    """The sweep's own manifest section: schedule severities, base/most, the label rule."""
    table = sweep.table().drop_duplicates("elimination")
    return {
        "default_schedules": list(DEFAULT_SCHEDULES),
        "total_eliminations": {row.elimination: int(row.total_eliminations)
                               for row in table.itertuples()},
        "removed_model_rounds": {row.elimination: int(row.removed_model_rounds)
                                 for row in table.itertuples()},
        "severity_rule": "total effective eliminations, then removed model-rounds "
                         "(sum_k T_k (K - k)), then the order given",
        "base_schedule": str(risk["base_schedule"].iloc[0]),
        "most_schedule": str(risk["most_schedule"].iloc[0]),
        "slope_x": "mean effective eliminations per round (total effective / K)",
        "rank_columns": {label: rank_column(label) for label in sweep.result.labels},
        "median_base_score": float(risk["base_score"].median()),
        "median_drop": float(risk["drop"].median()),
        "profile_rule": profile_rule(sweep.z),
        "profile_counts": {k: int(v) for k, v in risk["profile"].value_counts().items()},
        "notes": sweep.notes(),
        "figures": [],
        "figure_stems": list(FIGURE_STEMS),
    }


def summary_table(sweep: Sweep) -> pd.DataFrame:
    """Printed summary: base, drop +- paired SE, slope and profile, sorted by base score."""
    risk = sweep.risk_profile()
    table = pd.DataFrame(index=pd.Index(risk["model"], name="model"))
    table["base"] = [f"{v:.3f}" for v in risk["base_score"]]
    table["drop"] = [f"{d:+.3f} ± {s:.3f}" for d, s in zip(risk["drop"], risk["drop_se"])]
    table["slope"] = [f"{v:+.3f}" for v in risk["slope"]]
    table["profile"] = list(risk["profile"])
    return table.iloc[(-risk["base_score"].to_numpy()).argsort(kind="stable")]
