"""``swisssim sweep``: Failure Sensitivity Analysis over elimination schedules.

Liu et al., "LLM Swiss Round" (arXiv:2512.21010): one simulation plays every schedule on the same
random streams (common random numbers); the sweep writes per-schedule scores, a per-model risk
profile with paired standard errors and a documented label, the rank and survival tables, a
manifest and four figures (see :mod:`swisssim.analysis.sweep` and :mod:`swisssim.plots.sweep`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swisssim.cli import _common
from swisssim.defaults import Z95
from swisssim.validation import check_dpi, check_z

if TYPE_CHECKING:
    import pandas as pd

    from swisssim.analysis.sweep import Sweep


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
                        help="a drop is 'large'/'small' when its offset from the field's trend of drop "
                             "on base score (Theil-Sen) is "
                             "beyond Monte Carlo noise at family-wise level 2 Phi(-Z) (Holm over "
                             "the models; "
                             "default 1.96, i.e. 0.05) and at least label_delta (max of 10%% of "
                             "the median drop and 1.5 robust SDs of the drops)")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.io.figures import figure_worker

    # Started before the heavy imports: it imports matplotlib while this process simulates.
    with figure_worker(enabled=not args.no_figures):
        return _sweep(args)


def _sweep(args: argparse.Namespace) -> int:
    from swisssim.analysis.sweep import Sweep
    from swisssim.engine.simulation import simulate
    from swisssim.io.writers import write_sweep

    scenario = _common.load(args)
    settings = _common.settings_from_args(args, scenario)
    z = check_z(args.label_z, "--label-z", "")
    dpi = check_dpi(args.dpi, "--dpi", "")
    out = _common.output_folder(args, scenario)
    result = simulate(scenario, settings)
    sweep = Sweep(result, z=z)
    seconds = write_sweep(sweep, out, args.argv, figures=not args.no_figures, dpi=dpi,
                          progress=not args.no_progress)
    print(summary_table(sweep).to_string())
    for note in sweep.notes():
        print(f"note: {note}", file=sys.stderr)
    figures = "" if args.no_figures else f"; figures in {seconds:.1f} s"
    print(f"\n{result.iterations} iterations x {len(result.schedules)} schedule(s) in "
          f"{result.wall_time:.3f} s {_common.where(result)}{figures}; results in {out}/",
          file=sys.stderr)
    return 0




def summary_table(sweep: Sweep) -> pd.DataFrame:
    """Printed summary: base, drop +- paired SE, slope and profile, sorted by base score."""
    import pandas as pd

    risk = sweep.risk_profile()
    table = pd.DataFrame(index=pd.Index(risk["model"], name="model"))
    table["base"] = [f"{v:.3f}" for v in risk["base_score"]]
    table["drop"] = [f"{d:+.3f} ± {s:.3f}" for d, s in zip(risk["drop"], risk["drop_se"])]
    table["slope"] = [f"{v:+.3f}" for v in risk["slope"]]
    table["profile"] = list(risk["profile"])
    return table.iloc[(-risk["base_score"].to_numpy()).argsort(kind="stable")]
