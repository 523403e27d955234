"""How fast a running command honours SIGINT and SIGTERM, and what chunking costs. Prints
figures; asserts nothing.

Run: ``python benchmarks/bench_signals.py [--points P] [--skip-phases]``. Figures printed:

0. The worst latency over all phases of ``report`` and ``compare``: each command is run once to
   time it, then again and again with the signal sent at P moments spread over its run (from
   start-up, through the simulation, Elo and the other baselines, orders and bootstrap for
   ``report``, the figures and documents, to the commit); for each moment the time from the
   signal to the process's exit and the exit code (anything but 130/143 is a lost signal, or a
   run that finished first, which is counted apart). ``compare`` runs on a synthetic 400-model x
   10-round field (Elo alone took 11-15 s in one numba call before it was chunked);
   ``report`` on the paper's shape with ``--orders`` and ``--bootstrap``. Goal: at most 1 s.

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


def _command_line(kind: str, folder: Path) -> list[str]:
    if kind == "compare":
        return ["compare", str(folder / "field400.toml"), "--no-progress", "-n", "20000",
                "--out", str(folder / "compare_out")]
    return ["report", str(PAPER), "--no-progress", "-n", "20000", "--orders", "40",
            "--bootstrap", "20", "--bootstrap-iterations", "5000", "--no-svg",
            "--out", str(folder / "report_out")]


def _field(folder: Path, n_models: int = 400, n_rounds: int = 10) -> None:
    """A synthetic 400-model x 10-round scenario (one benchmark per round)."""
    import numpy as np

    rng = np.random.default_rng(0)
    scores = np.round(60 + 12 * (rng.normal(size=(n_models, 1))
                                 + rng.normal(0, 0.6, size=(n_models, n_rounds))), 1)
    lines = ["model," + ",".join(f"b{k}" for k in range(n_rounds))]
    lines += [f"m{i}," + ",".join(str(v) for v in row) for i, row in enumerate(scores)]
    (folder / "field400.csv").write_text("\n".join(lines) + "\n")
    (folder / "field400.toml").write_text('name = "field400"\nscores = "field400.csv"\n')


def _timed_run(argv: list[str], signum: int | None, at: float) -> tuple[float, float, int]:
    """Start ``swisssim argv``; send ``signum`` ``at`` seconds after the start (None: never).
    Returns (seconds from the signal, or from the start, to the exit; total seconds; code)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "swisssim", *argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    sent = started
    if signum is not None:
        try:
            process.wait(timeout=at)
        except subprocess.TimeoutExpired:
            sent = time.perf_counter()
            process.send_signal(signum)
    process.wait(timeout=600)
    ended = time.perf_counter()
    return ended - sent, ended - started, process.returncode


def phases(points: int) -> None:
    """Worst latency over the phases of ``report`` and ``compare`` (figure 0)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bench_signals_"))
    try:
        _field(folder)
        for kind in ("compare", "report"):
            argv = _command_line(kind, folder)
            _timed_run(argv, None, 0.0)                        # warm: numba's cache, files
            _, total, code = _timed_run(argv, None, 0.0)
            print(f"   {kind}: {total:.1f} s without a signal (exit {code})")
            moments = [0.02, 0.15] + [total * (i + 0.5) / points for i in range(points)]
            for name, signum, expected in (("SIGINT", signal.SIGINT, 130),
                                           ("SIGTERM", signal.SIGTERM, 143)):
                worst, at_worst, lost, finished = 0.0, 0.0, 0, 0
                for at in moments:
                    latency, ran, code = _timed_run(argv, signum, at)
                    if code == 0 and ran < at + 0.05:
                        finished += 1                           # done before the signal
                        continue
                    if code in (-signum, 1):
                        # before the entry module installed the handlers: the interpreter's own
                        # start-up, the README's documented window (system default action)
                        print(f"      {name} at {at:.2f} s: exit {code} after {latency:.3f} s "
                              "(before the handlers: the system's default action)")
                        continue
                    if code != expected:
                        lost += 1
                        print(f"      {name} at {at:.2f} s: exit {code} (LOST)")
                    if latency > worst:
                        worst, at_worst = latency, at
                print(f"   {kind:8s} {name:7s}: worst latency {worst:.3f} s (signal at "
                      f"{at_worst:.2f} s of {total:.1f} s) over {len(moments) - finished} "
                      f"moments; lost signals: {lost}; goal <= 1 s: "
                      f"{'met' if worst <= 1 and not lost else 'MISSED'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8,
                        help="moments per command and signal, spread over its run (default 8)")
    parser.add_argument("--skip-phases", action="store_true", help="skip figure 0")
    options = parser.parse_args()
    # A background job of a non-interactive shell starts with SIGINT ignored, and its children
    # (swisssim, like Python) keep it ignored: give them the ordinary action.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    header()
    if not options.skip_phases:
        print("0. worst signal latency over the phases of report and compare")
        phases(options.points)
        print()
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
