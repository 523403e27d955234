"""Start-up of the command line: wall time and peak memory of ``swisssim [COMMAND] --help``.

Prints figures; asserts nothing. Goal: every ``--help`` under 0.3 s: the parsers are
built without numpy, numba, pandas or matplotlib (``swisssim.defaults``; ``tests/test_cli.py``
checks which modules ``--help`` loads).

Run: ``python benchmarks/bench_startup.py [--repeats R] [--against SRC]``.

Each figure is the best of R fresh interpreters (``python -m swisssim [COMMAND] --help``), its
peak resident memory that run's (``os.wait4``). ``--against SRC`` measures another checkout's
``src`` folder the same way in the same run (e.g. the main branch, for a before/after table):
the child's ``PYTHONPATH`` names the folder whose ``swisssim`` is measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = ("", "run", "sweep", "compare", "perturb", "orders", "report", "plot", "import",
            "scenarios")
SRC = Path(__file__).resolve().parent.parent / "src"


def measure(src: Path, command: str, repeats: int) -> tuple[float, float, float]:
    """Best wall time (s) of ``--help`` over ``repeats`` runs, its CPU time (user + system, s;
    less inflated than the wall time on a machine shared with other work) and its peak RSS
    (MiB)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    best = (float("inf"), 0.0, 0.0)
    for _ in range(repeats):
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "swisssim", *command.split(), "--help"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{src}: swisssim {command} --help exited {child.returncode}")
        if elapsed < best[0]:
            best = (elapsed, usage.ru_utime + usage.ru_stime,
                    usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux
    return best


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--against", type=Path, metavar="SRC",
                        help="another checkout's src folder, measured in the same run")
    args = parser.parse_args()
    print(f"machine   : {platform.platform()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}")
    trees = [("this tree", SRC)] + ([("against", args.against)] if args.against else [])
    for name, src in trees:
        print(f"{name:9} : {src}")
    for _, src in trees:  # warm the file cache and numba's import once
        measure(src, "run", 1)
    bare = min(_timed([sys.executable, "-c", "pass"]) for _ in range(args.repeats))
    print(f"bare interpreter ('python -c pass'): {bare:.3f} s\n")
    header = f"{'command':<26}" + "".join(f"{name + ': wall, CPU, RSS':>34}" for name, _ in trees)
    print(header + "\n" + "-" * len(header))
    for command in COMMANDS:
        cells = []
        for _, src in trees:
            seconds, cpu, mib = measure(src, command, args.repeats)
            cells.append(f"{seconds:7.3f} s {cpu:7.3f} s {mib:7.1f} MiB")
        label = f"swisssim {command} --help".replace("  ", " ")
        print(f"{label:<26}" + "".join(f"{c:>34}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
