"""How fast a running simulation honours SIGINT and SIGTERM, and what chunking costs. Prints
figures; asserts nothing.

Run: ``python benchmarks/bench_signals.py``. Figures printed:

1. Latency of ``swisssim run ... --no-progress`` on the paper's shape (29 models x 12 rounds,
   T = 0, 1, 2) with 10**9 iterations: the signal is sent 3 s after the command announced its
   estimate (so the engine's chunks have grown to their steady size); the time until its one
   line on stderr and until the process has exited (goal: within a second).
2. The cost of chunking (``engine/simulation.py``, ``next_chunk``): ``simulate`` of
   3 x 100,000 tournaments on the paper's shape in one engine call against the default chunks,
   alternately, median of 5 each.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import load_scenario, simulate
from swisssim.engine import simulation

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "scenarios" / "paper_synthetic.toml"


def latency(signum: int) -> tuple[float, float, int]:
    """Seconds from the signal to the message and to the exit, and the exit code."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = Path("/tmp") / f"bench_signals_{os.getpid()}"
    process = subprocess.Popen([sys.executable, "-m", "swisssim", "run", str(PAPER),
                                "--no-progress", "-n", str(10**9), "--out", str(out)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env=env)
    process.stderr.readline()          # the estimate: the engine starts now
    time.sleep(3)
    sent = time.perf_counter()
    process.send_signal(signum)
    process.stderr.readline()
    message = time.perf_counter() - sent
    process.wait(timeout=60)
    return message, time.perf_counter() - sent, process.returncode


def chunking(repeats: int = 5) -> dict[str, float]:
    scenario = load_scenario(PAPER)
    simulate(scenario, iterations=2_000, elimination=[0, 1, 2])
    saved = simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk
    times: dict[str, list[float]] = {"one engine call": [], "default chunks": []}
    try:
        for _ in range(repeats):
            for mode in times:
                if mode == "one engine call":
                    simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK = 10**12, 10**18
                    simulation.next_chunk = lambda done, seconds: 10**12
                else:
                    simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk = saved
                started = time.perf_counter()
                simulate(scenario, iterations=100_000, seed=0, elimination=[0, 1, 2])
                times[mode].append(time.perf_counter() - started)
    finally:
        simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk = saved
    return {mode: statistics.median(values) for mode, values in times.items()}


def main() -> None:
    header()
    print("1. signal latency, paper shape, 10**9 iterations, --no-progress")
    for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
        message, exited, code = latency(signum)
        print(f"   {name:7s}: message after {message:.3f} s, exit {code} after {exited:.3f} s "
              f"(goal <= 1 s: {'met' if exited <= 1 else 'MISSED'})")
    print("\n2. chunking cost, 3 x 100,000 tournaments on the paper shape (median of 5)")
    medians = chunking()
    for mode, seconds in medians.items():
        print(f"   {mode:16s}: {seconds:.3f} s")
    ratio = medians["default chunks"] / medians["one engine call"]
    print(f"   overhead         : {100 * (ratio - 1):+.0f}%")
    print(f"\nload average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
