"""``swisssim plot DIR``: re-draw the figures of a sweep folder from its CSV files (no simulation).

Reads ``sweep.csv``, ``risk_profile.csv``, ``rank_distribution.csv`` and ``survival.csv`` and writes
``figures/<name>.png`` and ``.svg`` (see :mod:`swisssim.plots.sweep`; Liu et al., arXiv:2512.21010).
The tables are checked like any other input (:func:`swisssim.io.readback.read_sweep_folder`):
a corrupted table is one line and exit code 2. The figure folder is replaced whole when it
holds only figure files (``.png``, ``.svg``, ``.points.json``: the ``figures/`` a sweep or
report wrote, or an earlier ``plot``); it may not be the sweep folder itself (it would delete
the tables it reads).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from swisssim.errors import InputError
from swisssim.validation import check_dpi


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plot", help="re-draw the figures of a sweep folder from its CSV files",
        description="Re-render every figure of a 'swisssim sweep' folder from its saved CSV "
                    "files, without simulating.")
    parser.add_argument("folder", metavar="DIR", help="a folder written by 'swisssim sweep'")
    parser.add_argument("--out", "-o", metavar="FIGDIR",
                        help="where to write the figures (default: DIR/figures)")
    parser.add_argument("--replace", action="store_true",
                        help="replace FIGDIR even if another swisssim command wrote it")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.io.figures import figure_worker

    with figure_worker():     # imports matplotlib while this process reads the tables
        return _plot(args)


def _plot(args: argparse.Namespace) -> int:
    from swisssim.analysis.sweep import SWEEP_FILES
    from swisssim.io.readback import read_sweep_folder
    from swisssim.io.staging import atomic_output, check_output_folder, only_figures
    from swisssim.io.writers import write_sweep_figures

    frames = read_sweep_folder(args.folder)
    dpi = check_dpi(args.dpi, "--dpi", "")
    target = Path(args.out) if args.out is not None else Path(args.folder) / "figures"
    inputs = [Path(args.folder) / name for name in SWEEP_FILES]
    check_output_folder(target, inputs, replaceable=only_figures, command="plot",
                        source="--out" if args.out is not None else str(target))
    started = time.perf_counter()
    with atomic_output(target, inputs=inputs, replaceable=only_figures,
                       command="plot") as stage:
        try:
            names = write_sweep_figures(frames, stage, folder="", dpi=dpi,
                                        progress=not args.no_progress)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
            # The tables passed every check of read_sweep_folder yet cannot be drawn (values
            # no sweep writes): still bad input, reported in one line.
            raise InputError(str(args.folder), "", "tables as 'swisssim sweep' writes them",
                             found_text=f"tables the figures cannot be drawn from "
                                        f"({type(error).__name__}: {error})"[:300]) from None
    print(f"{len(names)} figure files in {time.perf_counter() - started:.1f} s; in {target}/",
          file=sys.stderr)
    return 0
