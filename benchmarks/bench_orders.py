"""Speed of order sensitivity (issue 6). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_orders.py [--quick]``. Figure printed: 500 round orders x 10,000
iterations on scenarios/paper_synthetic.toml (29 models, 12 rounds, one schedule T = 0), the
goal being at most 30 s; split into engine time and the tables (sensitivity, Kendall taus, long
scores table). Also one run with the paper's three schedules (T = 0, 1, 2) for scale.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import load_scenario
from swisssim.analysis.orders import evaluate_orders

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30.0


def measure(samples: int, iterations: int, elimination: list[int]) -> None:
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    start = time.perf_counter()
    result = evaluate_orders(scenario, samples=samples, iterations=iterations, seed=0,
                             elimination=elimination)
    engine = time.perf_counter() - start
    start = time.perf_counter()
    result.sensitivity(), result.order_table(), result.order_scores()
    tables = time.perf_counter() - start
    total = engine + tables
    tournaments = result.n_orders * iterations * len(elimination)
    goal = (f"   (goal: {GOAL_SECONDS:.0f} s for 500 orders, T = [0])"
            if elimination == [0] and result.n_orders == 500 else "")
    print(f"{result.n_orders} orders x {iterations} iterations, T = {elimination}: "
          f"{total:.2f} s{goal}")
    print(f"    engine loop {engine:.2f} s ({engine / result.n_orders * 1e3:.1f} ms per order, "
          f"{engine / tournaments * 1e6:.2f} us per tournament), tables {tables:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 orders instead of 500")
    args = parser.parse_args()
    header()
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    warm = evaluate_orders(scenario, samples=3, iterations=200, elimination=[0])  # JIT, scipy
    warm.sensitivity(), warm.order_table()
    samples = 50 if args.quick else 500
    measure(samples, 10_000, [0])
    measure(samples, 10_000, [0, 1, 2])


if __name__ == "__main__":
    main()
