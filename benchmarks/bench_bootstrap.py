"""Speed of the data bootstrap and of adaptive stopping (issue 6). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_bootstrap.py [--quick]``. Figures printed:

1. 200 bootstrap replicates x 10,000 iterations of scenarios/helm_lite.toml (91 models,
   10 rounds), goal at most 60 s, with one schedule (T = 0) and with T = 0, 1, 2. HELM Lite has one
   benchmark per round and no score errors, so its replicates hold the data as given (the engine
   work is the same); the figure is repeated with **assumed** score errors (binomial,
   ``sqrt(p (1 - p) / 500)``, for timing only) so that the noise path (renormalisation per
   replicate) is timed too.
2. Adaptive stopping on scenarios/paper_synthetic.toml (T = 0, 1, 2) to a target SE of 0.005:
   iterations taken, checkpoints and time, against a fixed run of the same length.
3. The report's default bootstrap on scenarios/bbh.toml (106 models): ``DEFAULT_REPLICATES``
   (1,000) replicates x 20,000 iterations, T = 0, 1, 2 (``--quick``: 50 replicates), with the time
   of the pairwise tests, Rank (UB), tiers and label support (``table``, ``pairwise``,
   ``label_support``) on their own.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import load_scenario, simulate
from swisssim.analysis.bootstrap import DEFAULT_REPLICATES, bootstrap

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0


def measure_bootstrap(scenario, label: str, replicates: int, elimination: list[int]) -> None:
    start = time.perf_counter()
    result = bootstrap(scenario, replicates, iterations=10_000, seed=0, elimination=elimination)
    engine = time.perf_counter() - start
    start = time.perf_counter()
    result.table(), result.tiers()
    tables = time.perf_counter() - start
    total = engine + tables
    tiers = result.tiers().groupby("elimination", sort=False).tier.max().to_dict()
    goal = (f"   (goal: {GOAL_SECONDS:.0f} s for 200 replicates, T = [0])"
            if elimination == [0] and replicates == 200 else "")
    print(f"{label}: {replicates} replicates x 10000 iterations, T = {elimination}: "
          f"{total:.2f} s{goal}")
    print(f"    replicates + reference {engine:.2f} s "
          f"({engine / (replicates + 1) * 1e3:.1f} ms each), tables {tables:.2f} s; "
          f"tiers {tiers}")


def assumed_errors(scenario):
    p = scenario.scores.clip(0.0, 1.0)
    return replace(scenario, score_errors=np.sqrt(p * (1.0 - p) / 500.0))


def measure_adaptive() -> None:
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    start = time.perf_counter()
    result = simulate(scenario, target_se=0.005, seed=0, elimination=[0, 1, 2])
    adaptive = time.perf_counter() - start
    start = time.perf_counter()
    simulate(scenario, iterations=result.iterations, seed=0, elimination=[0, 1, 2])
    fixed = time.perf_counter() - start
    s = result.stopping
    print(f"adaptive, paper_synthetic T = [0, 1, 2], target SE 0.005: reached={s.reached}, "
          f"{result.iterations} iterations (checkpoints {list(s.checkpoints)}), "
          f"max SE {s.achieved_max_se:.5f}")
    print(f"    {adaptive:.2f} s; a fixed run of the same length {fixed:.2f} s")


def measure_default(replicates: int) -> None:
    scenario = load_scenario(REPO / "scenarios" / "bbh.toml")
    start = time.perf_counter()
    result = bootstrap(scenario, replicates, iterations=20_000, seed=0, elimination=[0, 1, 2])
    engine = time.perf_counter() - start
    start = time.perf_counter()
    table, pairs = result.table(), result.pairwise()
    result.label_support()
    tables = time.perf_counter() - start
    tiers = table.groupby("elimination", sort=False).tier.max().to_dict()
    print(f"bbh, report default: {replicates} replicates x 20000 iterations, T = [0, 1, 2]: "
          f"{engine + tables:.1f} s")
    print(f"    replicates + reference {engine:.1f} s ({engine / (replicates + 1):.2f} s each); "
          f"pairwise tests, tiers, labels {tables:.2f} s ({len(pairs)} pairs); tiers {tiers}; "
          f"largest endpoint MC error {table[['rank_low_mc', 'rank_high_mc']].max().max():g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 replicates instead of 200")
    args = parser.parse_args()
    header()
    helm = load_scenario(REPO / "scenarios" / "helm_lite.toml")
    bootstrap(helm, 2, iterations=200, elimination=[0]).table()  # JIT warm-up
    replicates = 20 if args.quick else 200
    measure_bootstrap(helm, "helm_lite (as shipped)", replicates, [0])
    measure_bootstrap(assumed_errors(helm), "helm_lite (assumed errors)", replicates, [0])
    measure_bootstrap(helm, "helm_lite (as shipped)", replicates, [0, 1, 2])
    measure_adaptive()
    measure_default(50 if args.quick else DEFAULT_REPLICATES)


if __name__ == "__main__":
    main()
