"""Are compile-time rule flags worth their compile cost?

The engine's kernels take their four rule flags at ``RULE_FLAGS`` (``swisssim/engine/
dispatch.py``) as run-time values, so one compilation serves every rule combination.
``RULE_ARGS`` names the flags compiled as constants instead: each combination of their values
then compiles (about 8 s) and is cached, and the other rules' branches vanish from the hot
loop. CI and a fresh install start with an empty cache, so every combination the tests use
would compile once per run.

This benchmark copies the package into a temporary folder once per set of literal flags
(``--configs``; default all: all four; draw_ties and noisy; draw_ties and bye_units;
draw_ties; noisy; the shipped set; none), sets ``RULE_ARGS`` in each, and measures in fresh
processes with empty caches, one thread, CPU time (robust to a shared machine):

* the compile + first call of one rule combination, and of a second combination that differs
  in the tie-break (a new variant unless ``random_ties`` is a run-time flag);
* four shapes (``SHAPES``), each the median of 5 runs: the paper's, many equal scores with
  draws and half-point byes, probabilistic wins, and 1,000 models x 50 rounds.

Run: ``python benchmarks/bench_literal_flags.py [--configs NAME ...]``.
"""

from __future__ import annotations

import argparse
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
CONFIGS = {"all four": FLAGS, "draw+noisy": ("draw_ties", "noisy"), "draw+bye": ("draw_ties", "bye_units"),
           "draw_ties": ("draw_ties",), "noisy": ("noisy",), "shipped": None, "none": ()}
RULE_ARGS = re.compile(r"^RULE_ARGS = \((?P<positions>[0-9, ]*)\)$", re.MULTILINE)
FIRST = 6   # position of draw_ties
#: The timed shapes (one thread, CPU time, median of 5).
SHAPES = {
    "paper": "paper_synthetic (29 models x 12 rounds), T = 0, 1, 2, 50,000 iterations",
    "draws": "the same scores rounded to quarters, ties draw, byes 0.5 points, 50,000 iterations",
    "noisy": "paper_synthetic with probabilistic wins (score errors 0.05), 50,000 iterations",
    "large": "1,000 models x 50 rounds, T = 0, 1,000 iterations",
}

PROBE = r"""
import sys, time
import numba
import numpy as np
import pandas as pd
numba.set_num_threads(1)
from swisssim import Scenario, load_scenario, simulate
scenario = load_scenario(sys.argv[1])
t0 = time.process_time()
simulate(scenario, iterations=10, elimination=[0], threads=1)
t1 = time.process_time()
simulate(scenario, iterations=10, elimination=[0], tie_break="index", threads=1)
t2 = time.process_time()
rng = np.random.default_rng(0)
paper = scenario.scores
coarse = (paper * 4).round() / 4          # many equal scores: draws and byes matter
errors = pd.DataFrame(0.05, index=paper.index, columns=paper.columns)
big = pd.DataFrame(rng.random((1000, 50)), index=[f"m{i}" for i in range(1000)],
                   columns=[f"b{k}" for k in range(50)])
shapes = [
    (scenario, 50_000, [0, 1, 2]),
    (Scenario.from_dataframe(coarse, name="draws", ties="draw", bye_points=0.5), 50_000, [0, 1, 2]),
    (Scenario.from_dataframe(paper, name="noisy", probabilistic_wins=True, score_errors=errors),
     50_000, [0, 1, 2]),
    (Scenario.from_dataframe(big, name="large"), 1_000, [0]),
]
out = [t1 - t0, t2 - t1]
for shape, iterations, schedules in shapes:
    simulate(shape, iterations=10, elimination=schedules, threads=1)
    runs = []
    for _ in range(5):
        start = time.process_time()
        simulate(shape, iterations=iterations, elimination=schedules, seed=0, threads=1)
        runs.append(time.process_time() - start)
    out.append(sorted(runs)[2])
print(*out)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS),
                        help="the sets of literal flags to measure (default: all)")
    chosen = parser.parse_args().configs
    header()
    print("literal rule flags: compile cost against kernel speed")
    dispatch = (REPO / "src" / "swisssim" / "engine" / "dispatch.py").read_text()
    scenario = REPO / "scenarios" / "paper_synthetic.toml"
    print(f"shipped literal flags: {', '.join(shipped_flags(dispatch))}")
    print(f"{'flags':>10} | {'compile 1st':>11} | {'2nd variant':>11} | "
          + " | ".join(f"{label:>9}" for label in SHAPES))
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            flags = CONFIGS[name]
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
            first, second, *shapes = (float(v) for v in done.stdout.split())
            print(f"{name:>10} | {first:>9.1f} s | {second:>9.1f} s | "
                  + " | ".join(f"{value:>7.3f} s" for value in shapes))
    print("CPU seconds, 1 thread; 'compile' includes the first 10-iteration call; each shape "
          "the median of 5 runs.")
    for label, meaning in SHAPES.items():
        print(f"  {label}: {meaning}")


if __name__ == "__main__":
    main()
