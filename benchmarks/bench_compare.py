"""Speed of ``compare`` (issue 4: at most 10 s for 100 models x 10 benchmarks with CSD at
N = 100,000). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_compare.py [--iterations N] [--repeats R]``. Figures printed, after a
warm-up that compiles or loads the numba kernels:

1. :func:`swisssim.analysis.compare.compare` on a synthetic 100-model x 10-benchmark scenario (one
   benchmark per round, T = 0, 1, 2, N = 100,000, Elo 200 orders): best wall time of R, with the
   split into CSD and baselines.
2. The whole ``swisssim compare`` command in-process (the same work plus the CSV tables, the
   manifest and both figures in PNG + SVG).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import Scenario
from swisssim.analysis.compare import compare
from swisssim.cli.app import main

GOAL_SECONDS = 10.0


def synthetic(n_models: int = 100, n_benchmarks: int = 10, seed: int = 0) -> pd.DataFrame:
    """Scores = ability + benchmark-specific skill + noise, on a 0-100 scale, with a few ties."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 1.0, size=(n_models, 1))
    skill = rng.normal(0.0, 0.6, size=(n_models, n_benchmarks))
    scores = np.round(60.0 + 12.0 * (ability + skill), 1)
    frame = pd.DataFrame(scores, columns=[f"bench_{k + 1:02d}" for k in range(n_benchmarks)])
    frame.insert(0, "model", [f"model_{i + 1:03d}" for i in range(n_models)])
    return frame


def main_benchmark(iterations: int, repeats: int) -> None:
    frame = synthetic()
    scenario = Scenario.from_dataframe(frame, name="bench_compare", elimination=[0, 1, 2])
    compare(scenario, iterations=1_000, seed=0)  # warm-up: compile / load cached kernels
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        comparison = compare(scenario, iterations=iterations, seed=0)
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best[0]:
            best = (elapsed, comparison)
    elapsed, comparison = best
    times = comparison.wall_times
    print(f"compare(): {scenario.n_models} models x {scenario.n_rounds} benchmarks, "
          f"T = 0, 1, 2, N = {iterations:,}, Elo {comparison.elo_fit.orders} orders")
    print(f"  best of {repeats}: {elapsed:.2f} s   (CSD {times['csd']:.2f} s, baselines "
          f"{times['baselines']:.2f} s)   goal <= {GOAL_SECONDS:.0f} s: "
          f"{'met' if elapsed <= GOAL_SECONDS else 'NOT met'}")
    with tempfile.TemporaryDirectory() as folder:
        csv = os.path.join(folder, "scores.csv")
        frame.to_csv(csv, index=False)
        toml = os.path.join(folder, "bench.toml")
        with open(toml, "w", encoding="utf-8") as handle:
            handle.write('name = "bench_compare"\nscores = "scores.csv"\n'
                         f"[simulation]\niterations = {iterations}\nelimination = [0, 1, 2]\n")
        streams = sys.stdout, sys.stderr
        start = time.perf_counter()
        with open(os.devnull, "w") as sink:
            sys.stdout = sys.stderr = sink
            try:
                code = main(["compare", toml, "--no-progress", "--out",
                             os.path.join(folder, "out")])
            finally:
                sys.stdout, sys.stderr = streams
        elapsed = time.perf_counter() - start
    print(f"swisssim compare (load, all methods, 3 CSV + manifest, 2 figures x PNG/SVG): "
          f"{elapsed:.2f} s, exit {code}   goal <= {GOAL_SECONDS:.0f} s: "
          f"{'met' if elapsed <= GOAL_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()
    header()
    main_benchmark(options.iterations, options.repeats)
