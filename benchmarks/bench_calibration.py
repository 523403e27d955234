"""Calibration of the uncertainty claims: prints the table of ``docs/method.md``
section 7.6. Asserts nothing; ``tests/test_calibration.py`` asserts a fast version.

Run: ``python benchmarks/bench_calibration.py [--datasets D] [--interval-datasets E]
[--replicates B] [--iterations N] [--quick]``. For every process of
:func:`swisssim.analysis.calibration.standard_processes`, two passes, each dataset simulated with
``N`` iterations per run under T = 0 and T = 1:

1. ``D`` datasets without bootstrap: the swap tests with Holm (family-wise error, per-pair null
   rejection, wrong-direction claims, power), tier boundaries and risk labels.
2. ``E`` further datasets (other seeds), each bootstrapped twice with ``B`` replicates (the
   default scheme, ``n-1`` draws per round, and the former one, ``n`` draws): the former Wald
   test and the coverage of every interval kind.

The population values are simulated with 200,000 iterations. ``--quick``: D = 60, E = 20,
B = 40.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from _machine import header

from swisssim.analysis.calibration import (
    markdown_table,
    run_process,
    standard_processes,
    summary,
)


def merged(tests: pd.DataFrame, intervals: pd.DataFrame) -> pd.DataFrame:
    """Test columns from the first pass, Wald and coverage columns from the second."""
    extra = [c for c in intervals.columns if c.startswith(("wald_", "percentile_", "centred_",
                                                            "basic_", "t-percentile_",
                                                            "scheme ", "interval_"))]
    right = intervals[["process", "T", "datasets", *extra]].rename(
        columns={"datasets": "interval_datasets"})
    return tests.merge(right, on=["process", "T"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=400)
    parser.add_argument("--interval-datasets", type=int, default=50)
    parser.add_argument("--replicates", type=int, default=150)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.datasets, args.interval_datasets, args.replicates = 60, 20, 40
    header()
    print(f"tests: {args.datasets} datasets per process; intervals: {args.interval_datasets} "
          f"datasets x {args.replicates} bootstrap replicates; {args.iterations} iterations per "
          "run; schedules T = 0, 1\n", flush=True)
    tests, intervals = [], []
    started = time.perf_counter()
    for process in standard_processes():
        begin = time.perf_counter()
        tests.append(run_process(process, args.datasets, iterations=args.iterations))
        intervals.append(run_process(process, args.interval_datasets, seed=1,
                                     replicates=args.replicates, iterations=args.iterations,
                                     schemes=("n",)))
        print(f"{process.name}: {time.perf_counter() - begin:.0f} s", flush=True)
    table = merged(summary(tests), summary(intervals))
    print(f"\ntotal {time.perf_counter() - started:.0f} s\n")
    print(markdown_table(table))
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
