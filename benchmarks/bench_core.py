"""Speed and memory of the core engine (issue: core). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_core.py [--quick]``. Figures printed:

1. The paper's shape (scenarios/paper_synthetic.toml: 29 models, 12 rounds, T = 0, 1, 2,
   N = 100,000): simulation time (best of 3), model-rounds per second, and the ratio against the
   plain-Python twin of tests/naive.py timed in the same process (with Python's Mersenne Twister,
   the "careful pure-Python" yardstick, and with the engine's own SplitMix64 streams).
2. 1,000 models x 50 rounds x 10,000 iterations (T = 0): time, counter memory, peak RSS.
3. ``swisssim run`` as a fresh process: first run with an empty compilation cache, then a cached run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd
from _machine import header, load_module  # (benchmarks/ is on sys.path: the script's folder)

from swisssim import Scenario, load_scenario, round_scores, simulate
from swisssim.engine.rng import seed_key

REPO = Path(__file__).resolve().parent.parent
# The plain-Python twin of the kernels (tests/naive.py, the tests' oracle), loaded from its file.
naive = load_module(REPO / "tests" / "naive.py")
PythonRandomStream, SplitMixStream = naive.PythonRandomStream, naive.SplitMixStream
naive_tournament = naive.naive_tournament


def timings(repeats: int, run) -> list[float]:
    """Wall times of ``repeats`` calls, sorted (the machine is shared: report the spread)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return sorted(times)


def naive_seconds_per_tournament(values: np.ndarray, quotas: np.ndarray, count: int,
                                 splitmix: bool) -> float:
    rows = values.tolist()
    n_rounds = values.shape[0]
    generator = random.Random(0)
    key = int(seed_key(0))
    start = time.perf_counter()
    for iteration in range(count):
        for schedule in quotas.tolist():
            if splitmix:
                streams = (lambda i: lambda k: SplitMixStream(key, i * n_rounds + k))(iteration)
            else:
                stream = PythonRandomStream(generator)
                streams = lambda k, s=stream: s  # noqa: E731
            naive_tournament(rows, schedule, streams)
    return (time.perf_counter() - start) / (count * len(quotas))


def paper_shape(iterations: int, naive_count: int) -> None:
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    simulate(scenario, iterations=1000, elimination=[0, 1, 2])  # compile / load cache
    spread = timings(7, lambda: simulate(scenario, iterations=iterations, seed=0,
                                         elimination=[0, 1, 2]))
    seconds = spread[len(spread) // 2]
    result = simulate(scenario, iterations=1000, elimination=[0, 1, 2])
    quotas = result.quotas
    active_rounds = sum(int((scenario.n_models - np.concatenate([[0], np.cumsum(q)[:-1]])).sum())
                        for q in quotas)
    tournaments = iterations * len(quotas)
    per_tournament = seconds / tournaments
    values = round_scores(scenario)
    twin_mt = naive_seconds_per_tournament(values, quotas, naive_count, splitmix=False)
    twin_sm = naive_seconds_per_tournament(values, quotas, naive_count, splitmix=True)
    print("1. paper shape: 29 models x 12 rounds, T = 0, 1, 2, "
          f"N = {iterations:,} per schedule ({tournaments:,} tournaments)")
    print(f"   simulation time, median of 7: {seconds:.3f} s  (min {spread[0]:.3f}, max "
          f"{spread[-1]:.3f}; goal <= 0.3 s: {'met' if seconds <= 0.3 else 'MISSED'})")
    print(f"   per tournament             : {per_tournament * 1e6:.2f} us")
    print(f"   model-rounds per second    : {active_rounds * iterations / seconds / 1e6:.1f} M")
    print(f"   naive twin (Mersenne)      : {twin_mt * 1e3:.3f} ms per tournament -> "
          f"engine is {twin_mt / per_tournament:,.0f}x faster (goal >= 250x)")
    print(f"   naive twin (SplitMix64)    : {twin_sm * 1e3:.3f} ms per tournament -> "
          f"{twin_sm / per_tournament:,.0f}x")
    print(f"   projected 3 x 100k naive   : {twin_mt * 3e5 / 60:.1f} min")
    print()


def large(iterations: int) -> None:
    rng = np.random.default_rng(0)
    n_models, n_rounds = 1000, 50
    frame = pd.DataFrame(rng.random((n_models, n_rounds)),
                         index=[f"m{i}" for i in range(n_models)],
                         columns=[f"b{k}" for k in range(n_rounds)])
    scenario = Scenario.from_dataframe(frame, name="large", elimination=[0])
    simulate(scenario, iterations=100)
    seconds = timings(1, lambda: simulate(scenario, iterations=iterations, seed=0))[0]
    threads = numba.get_num_threads()
    n_values = n_rounds + 1  # score values (units_per_point = 1)
    counters = threads * (n_models + n_models + n_models * n_values
                          + n_models * (n_rounds + 1) + 2 * n_values) * 8
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"2. {n_models:,} models x {n_rounds} rounds x {iterations:,} iterations, T = 0")
    print(f"   simulation time            : {seconds:.2f} s  (goal <= 10 s: "
          f"{'met' if seconds <= 10 else 'MISSED'})")
    print(f"   model-rounds per second    : {n_models * n_rounds * iterations / seconds / 1e6:.1f} M")
    print(f"   counters ({threads} thread blocks)  : {counters / 2**20:.1f} MiB "
          f"(O(threads x M x K); per-iteration allocation: none)")
    print(f"   peak RSS of this process   : {peak:.0f} MiB")
    print()


def cli_startup() -> None:
    scenario = REPO / "scenarios" / "paper_synthetic.toml"
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        command = [sys.executable, "-m", "swisssim", "run", str(scenario), "--no-progress",
                   "--out", out]
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            timings.append(time.perf_counter() - start)
    print("3. `swisssim run scenarios/paper_synthetic.toml` (N = 100,000, T = 0, 1, 2), new process")
    print(f"   first run, empty cache     : {timings[0]:.1f} s  (goal <= 15 s: "
          f"{'met' if timings[0] <= 15 else 'MISSED'})")
    print(f"   second run, cached         : {timings[1]:.1f} s  (goal <= 3 s: "
          f"{'met' if timings[1] <= 3 else 'MISSED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    args = parser.parse_args()
    header()
    paper_shape(10_000 if args.quick else 100_000, 50 if args.quick else 300)
    large(500 if args.quick else 10_000)
    cli_startup()


if __name__ == "__main__":
    main()
