"""Are the engine's compile-time rule flags worth their compile cost?

The engine compiles its kernels with the rule flags at ``RULE_ARGS`` (``swisssim/engine/
dispatch.py``) as compile-time constants: each combination of their values compiles (about 5 s)
and is cached, and the other rules' branches vanish from the hot loop. CI and a fresh install start with
an empty cache, so every combination the tests use compiles once per run.

This benchmark copies the package four times into a temporary folder, sets a different
``RULE_ARGS`` (set of literal flags) in each (all four; draw_ties and noisy; the shipped set;
none), and measures in fresh processes with
empty caches, one thread, CPU time (robust to a shared machine):

* the compile + first call of one rule combination, and of a second combination that differs
  in the tie-break (a new variant unless ``random_ties`` is a runtime flag);
* the paper shape (29 models x 12 rounds, T = 0, 1, 2, 50,000 iterations each), median of 7.

Run: ``python benchmarks/bench_literal_flags.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _machine import header

REPO = Path(__file__).resolve().parent.parent
FLAGS = ("draw_ties", "bye_units", "random_ties", "noisy")
CONFIGS = {"all four": FLAGS, "draw+noisy": ("draw_ties", "noisy"), "shipped": None, "none": ()}
RULE_ARGS = re.compile(r"^RULE_ARGS = \((?P<positions>[0-9, ]*)\)$", re.MULTILINE)
FIRST = 6   # position of draw_ties

PROBE = r"""
import sys, time
import numba
numba.set_num_threads(1)
from swisssim import load_scenario, simulate
scenario = load_scenario(sys.argv[1])
t0 = time.process_time()
simulate(scenario, iterations=10, elimination=[0], threads=1)
t1 = time.process_time()
simulate(scenario, iterations=10, elimination=[0], tie_break="index", threads=1)
t2 = time.process_time()
runs = []
for _ in range(7):
    start = time.process_time()
    simulate(scenario, iterations=50_000, elimination=[0, 1, 2], seed=0, threads=1)
    runs.append(time.process_time() - start)
runs.sort()
print(t1 - t0, t2 - t1, runs[3], runs[0])
"""


def with_flags(source: str, flags: tuple[str, ...]) -> str:
    """``dispatch.py``'s source with ``RULE_ARGS`` holding the positions of ``flags``."""
    positions = ", ".join(str(FIRST + FLAGS.index(f)) for f in flags)
    return RULE_ARGS.sub(f"RULE_ARGS = ({positions}{',' if len(flags) == 1 else ''})", source)


def shipped_flags(source: str) -> tuple[str, ...]:
    found = RULE_ARGS.search(source)
    assert found is not None, "RULE_ARGS not found in engine/dispatch.py"
    return tuple(FLAGS[int(p) - FIRST] for p in found.group("positions").split(",") if p.strip())


def main() -> None:
    header()
    print("literal rule flags: compile cost against kernel speed")
    dispatch = (REPO / "src" / "swisssim" / "engine" / "dispatch.py").read_text()
    scenario = REPO / "scenarios" / "paper_synthetic.toml"
    print(f"shipped literal flags: {', '.join(shipped_flags(dispatch))}")
    print(f"{'flags':>10} | {'compile 1st':>11} | {'2nd variant':>11} | {'paper shape (median, min)':>26}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in CONFIGS.items():
            flags = shipped_flags(dispatch) if flags is None else flags
            root = Path(tmp) / name.replace(" ", "_")
            shutil.copytree(REPO / "src", root / "src",
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            target = root / "src" / "swisssim" / "engine" / "dispatch.py"
            target.write_text(with_flags(dispatch, flags))
            env = {**os.environ, "PYTHONPATH": str(root / "src"),
                   "NUMBA_CACHE_DIR": str(root / "cache")}
            done = subprocess.run([sys.executable, "-c", PROBE, str(scenario)], env=env,
                                  capture_output=True, text=True, check=True)
            first, second, median, best = (float(v) for v in done.stdout.split())
            print(f"{name:>10} | {first:>9.1f} s | {second:>9.1f} s | "
                  f"{median:>10.3f} s ({best:.3f} s) CPU")
    print("CPU seconds, 1 thread; 'compile' includes the first 10-iteration call.")


if __name__ == "__main__":
    main()
