"""``swisssim plot DIR``: re-draw the figures of a sweep folder from its CSV files (no simulation).

Reads ``sweep.csv``, ``risk_profile.csv``, ``rank_distribution.csv`` and ``survival.csv`` and writes
``figures/<name>.png`` and ``.svg`` (see :mod:`swisssim.plots.sweep`; Liu et al., arXiv:2512.21010).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from swisssim.analysis.sweep import read_sweep_folder
from swisssim.cli.sweep import check_dpi
from swisssim.errors import InputError
from swisssim.io.staging import atomic_output
from swisssim.io.writers import write_sweep_figures


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plot", help="re-draw the figures of a sweep folder from its CSV files",
        description="Re-render every figure of a 'swisssim sweep' folder from its saved CSV "
                    "files, without simulating.")
    parser.add_argument("folder", metavar="DIR", help="a folder written by 'swisssim sweep'")
    parser.add_argument("--out", "-o", metavar="FIGDIR",
                        help="where to write the figures (default: DIR/figures)")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    return parser


def execute(args: argparse.Namespace) -> int:
    frames = read_sweep_folder(args.folder)
    dpi = check_dpi(args.dpi)
    target = Path(args.out) if args.out is not None else Path(args.folder) / "figures"
    if target.exists() and not target.is_dir():
        raise InputError("--out", "", "a folder", found_text=f"an existing file {str(target)!r}")
    started = time.perf_counter()
    with atomic_output(target) as stage:
        names = write_sweep_figures(frames, stage, folder="", dpi=dpi)
    print(f"{len(names)} figure files in {time.perf_counter() - started:.1f} s; in {target}/",
          file=sys.stderr)
    return 0
