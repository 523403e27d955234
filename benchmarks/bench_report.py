"""Wall and CPU time of ``swisssim report helm_capabilities`` (a fresh process, warm caches).

Prints figures; asserts nothing. Goal: under 3 s warm on the development machine,
figures drawn once (``swisssim.io.figures.save_figure`` lays a figure out once for all its
formats, draws no SVG that is not kept, palette-encodes PNGs in memory) and no table computed
twice for the HTML, the Markdown and the figures.

Run: ``python benchmarks/bench_report.py [--repeats R] [--against SRC] [--scenario NAME]
[-- EXTRA FLAGS]``.

Each figure is the best of R runs in fresh interpreters after one warm-up run (numba's cache
filled, files in the page cache): wall time, and CPU time (user + system of the process, from
``os.wait4``), which a machine shared with other work inflates less than the wall time. The
report's own timing line (simulation, baselines, figures and documents) of the best run is
printed too. ``--against SRC`` measures another checkout's ``src`` folder (e.g. the main branch)
the same way in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def measure(src: Path, argv: list[str], repeats: int) -> tuple[float, float, str]:
    """Best (wall s, CPU s, timing line) of ``repeats`` runs after one warm-up run."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    best = (float("inf"), float("inf"), "")
    for run in range(repeats + 1):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "swisssim", *argv, "--out",
                                      str(Path(tmp) / "out"), "--no-progress"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env=env)
            stderr = child.stderr.read() if child.stderr else ""
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{src}: swisssim {' '.join(argv)} failed:\n{stderr}")
        cpu = usage.ru_utime + usage.ru_stime
        if run and cpu < best[1]:   # run 0 warms the caches
            line = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            best = (wall, cpu, line)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="helm_capabilities")
    parser.add_argument("--against", type=Path, metavar="SRC",
                        help="another checkout's src folder, measured in the same run")
    parser.add_argument("extra", nargs="*", help="more 'swisssim report' flags (after --)")
    args = parser.parse_args()
    print(f"machine   : {platform.platform()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}")
    argv = ["report", args.scenario, *args.extra]
    print(f"command   : swisssim {' '.join(argv)} --out TMP --no-progress "
          f"(best of {args.repeats} after a warm-up run)\n")
    trees = [("this tree", SRC)] + ([("against", args.against)] if args.against else [])
    for name, src in trees:
        wall, cpu, line = measure(src, argv, args.repeats)
        print(f"{name:9} : wall {wall:6.2f} s, CPU {cpu:6.2f} s  ({src})\n"
              f"            {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
