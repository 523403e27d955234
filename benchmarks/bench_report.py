"""Wall and CPU time of ``swisssim report helm_capabilities`` (a fresh process, warm caches),
and where the time goes.

Prints figures; asserts nothing. Goal: under 3 s warm on the development machine, each figure
drawn once (``swisssim.io.drawing.draw_once``: one layout and one rasterisation, cropped in
memory; SVG copies only with ``--svg``) and no table computed twice for the HTML, the Markdown
and the figures.

Run: ``python benchmarks/bench_report.py [--repeats R] [--against SRC] [--scenario NAME]
[--no-phases] [-- EXTRA FLAGS]``.

Timing: after one warm-up run per tree (numba's cache filled, files in the page cache), R runs
per tree in fresh interpreters, the trees interleaved (A, B, A, B, ...) so that a change in the
machine's load hits both alike. For each tree: the best and the median wall time, and the CPU
time (user + system of the process, from ``os.wait4``), which a machine shared with other work
inflates less than the wall time. ``--against SRC`` measures another checkout's ``src`` folder
(e.g. the main branch) in the same run.

Phases: one more run per tree inside a small harness (this file, ``--phases-child``) that
imports the report's modules first, then runs the command with timers around its steps:
start-up (interpreter and ``swisssim.cli``), imports (numpy, pandas, scipy.optimize, numba and
the report's modules: what the report's own process imports; its figure worker imports
matplotlib and the figure builders, :data:`swisssim.io.figures.WORKER_PRELOAD`, on the other
CPU), loading and checking the scenario, the simulation and the baselines (the report's own
``seconds``), figures (queueing each one, then waiting for the figure worker, or drawing here
where there is none), tables (CSV files, read-backs, manifests), documents (assembling the
content and rendering ``report.html`` and ``report.md``) and moving the staged folder into
place. The timers wrap functions by name, so a tree whose functions are named otherwise shows
its time under "other"; the harness itself costs a few milliseconds. Since the harness imports
first, its figure worker starts with those modules loaded (a little earlier than in the
command itself). It calls ``swisssim.cli.app.main`` and exits the ordinary way, so its process
wall time also holds the interpreter's teardown (about 0.4 s) that ``swisssim`` itself skips
(``swisssim.cli.app.entry``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

#: (module, function, phase): the functions the phase harness times.
TIMED = [
    ("swisssim.report.model", "build_report", "analyses"),
    ("swisssim.io.figures", "save_figure", "figures"),        # queueing (or drawing) a figure
    ("swisssim.io.figures", "FigureBatch.finish", "figures"),  # the rest of the drawing
    ("swisssim.report.writer", "build_document", "documents"),
    ("swisssim.report.writer", "render_html", "documents"),
    ("swisssim.report.writer", "render_markdown", "documents"),
    ("swisssim.report.writer", "write_report", "writing"),
    ("swisssim.io.staging", "commit", "moving into place"),
    ("swisssim.io.staging", "write_record", "moving into place"),
]
#: What the report's own process imports (its figure worker imports matplotlib and the figure
#: builders: swisssim.io.figures.WORKER_PRELOAD).
IMPORTS = ["numpy", "pandas", "scipy.optimize", "numba", "swisssim.report.model",
           "swisssim.report.writer", "swisssim.io.writers", "swisssim.io.run_writer",
           "swisssim.io.figures"]


def phases_child(argv: list[str]) -> int:
    """Run ``swisssim argv`` with timers (see the module notes); print the phases as JSON on
    stderr's last line."""
    import importlib

    started = time.perf_counter()
    from swisssim.cli import app  # the start-up every command pays
    seconds = {"start-up (swisssim.cli)": time.perf_counter() - started}
    started = time.perf_counter()
    for name in IMPORTS:
        importlib.import_module(name)
    seconds["imports"] = time.perf_counter() - started
    spent: dict[str, float] = {}
    active: dict[str, int] = {}     # calls of each phase under way: time the outermost only
    captured: dict[str, float] = {}

    def timed(function, phase):
        def wrapper(*args, **kwargs):
            active[phase] = active.get(phase, 0) + 1
            begun = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            finally:
                active[phase] -= 1
                if not active[phase]:
                    spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - begun
            if phase == "analyses":
                captured.update(getattr(result, "seconds", {}))
            return result
        return wrapper

    for module_name, attr, phase in TIMED:
        owner: object = importlib.import_module(module_name)
        *path, name = attr.split(".")                 # "Class.method" wraps a method
        for part in path:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, name):
            setattr(owner, name, timed(getattr(owner, name), phase))
    started = time.perf_counter()
    code = app.main(argv)
    total = time.perf_counter() - started
    analyses = spent.pop("analyses", 0.0)
    writing = spent.pop("writing", 0.0)
    for key in ("simulation", "baselines"):
        if key in captured:
            seconds[key] = captured[key]
    seconds["other analyses"] = analyses - sum(captured.get(k, 0.0)
                                               for k in ("simulation", "baselines"))
    for phase in ("figures", "documents", "moving into place"):
        seconds[phase] = spent.get(phase, 0.0)
    seconds["tables, manifests"] = (writing - seconds["figures"] - seconds["documents"]
                                    - seconds["moving into place"])
    seconds["loading, checks, other"] = total - analyses - writing
    print(json.dumps({k: round(v, 3) for k, v in seconds.items()}), file=sys.stderr)
    return code


def run(src: Path, argv: list[str], child: bool = False) -> tuple[float, float, str]:
    """One fresh process: (wall s, CPU s, last line of stderr)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = ([sys.executable, __file__, "--phases-child"] if child
               else [sys.executable, "-m", "swisssim"])
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        process = subprocess.Popen([*command, *argv, "--out", str(Path(tmp) / "out"),
                                    "--no-progress"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, env=env)
        stderr = process.stderr.read() if process.stderr else ""
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{src}: swisssim {' '.join(argv)} failed:\n{stderr}")
    lines = stderr.strip().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, lines[-1] if lines else ""


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--phases-child":
        return phases_child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="helm_capabilities")
    parser.add_argument("--against", type=Path, metavar="SRC",
                        help="another checkout's src folder, measured in the same run")
    parser.add_argument("--no-phases", action="store_true", help="skip the phase breakdown")
    parser.add_argument("extra", nargs="*", help="more 'swisssim report' flags (after --)")
    args = parser.parse_args()
    from _machine import header

    header()
    argv = ["report", args.scenario, *args.extra]
    print(f"command   : swisssim {' '.join(argv)} --out TMP --no-progress\n"
          f"            (after a warm-up run per tree, {args.repeats} runs per tree, "
          "interleaved)")
    trees = [("this tree", SRC)] + ([("against", args.against)] if args.against else [])
    walls: dict[str, list[float]] = {name: [] for name, _ in trees}
    cpus: dict[str, list[float]] = {name: [] for name, _ in trees}
    lines: dict[str, str] = {}
    loads = [os.getloadavg()[0]]
    for repeat in range(args.repeats + 1):
        for name, src in trees:
            wall, cpu, line = run(src, argv)
            if repeat:                  # run 0 warms the caches
                walls[name].append(wall)
                cpus[name].append(cpu)
                if cpu <= min(cpus[name]):
                    lines[name] = line
        loads.append(os.getloadavg()[0])
    print(f"load      : 1-minute load average {min(loads):.2f} to {max(loads):.2f} during the "
          "runs\n")
    for name, src in trees:
        print(f"{name:9} : wall best {min(walls[name]):5.2f} s, median "
              f"{statistics.median(walls[name]):5.2f} s; CPU best {min(cpus[name]):5.2f} s, "
              f"median {statistics.median(cpus[name]):5.2f} s  ({src})\n"
              f"            its own line: {lines[name]}")
    if args.no_phases:
        return 0
    print("\nphases (s, one run per tree in the harness; see the module notes):")
    found = {}
    for name, src in trees:
        wall, cpu, line = run(src, argv, child=True)
        found[name] = json.loads(line)
        found[name]["process wall (CPU)"] = f"{wall:.3f} ({cpu:.3f})"
    keys = list(dict.fromkeys(k for phases in found.values() for k in phases))
    print(f"  {'':28}" + "".join(f"{name:>18}" for name, _ in trees))
    for key in keys:
        print(f"  {key:28}" + "".join(f"{found[name].get(key, ''):>18}" for name, _ in trees))
    print(f"  (1-minute load average now {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
