"""Are the engine's compile-time rule flags worth their compile cost?

The parallel entry points of ``swisssim/engine/kernels.py`` mark rule flags as compile-time
constants with ``numba.literally``: each combination of their values compiles (about 5 s) and is
cached, and the other rules' branches vanish from the hot loop. CI and a fresh install start with
an empty cache, so every combination the tests use compiles once per run.

This benchmark copies the package four times into a temporary folder, keeps a different set of
literal flags in each (all four; draw_ties and noisy; the shipped set; none), and measures in fresh processes with
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
LITERAL = re.compile(r"^(?P<indent>[ \t]*)numba\.literally\((?P<flag>\w+)\)\n", re.M)

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
    """``source`` with every block of ``numba.literally`` lines replaced by ``flags``."""
    def block(match_group: list[re.Match]) -> str:
        indent = match_group[0].group("indent")
        return "".join(f"{indent}numba.literally({flag})\n" for flag in flags)

    pieces, last, group = [], 0, []
    for match in LITERAL.finditer(source):
        if group and match.start() != group[-1].end():
            pieces.append(source[last:group[0].start()] + block(group))
            last, group = group[-1].end(), []
        group.append(match)
    if group:
        pieces.append(source[last:group[0].start()] + block(group))
        last = group[-1].end()
    return "".join(pieces) + source[last:]


def shipped_flags(source: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group("flag") for m in LITERAL.finditer(source)))


def main() -> None:
    header()
    print("literal rule flags: compile cost against kernel speed")
    kernels = (REPO / "src" / "swisssim" / "engine" / "kernels.py").read_text()
    scenario = REPO / "scenarios" / "paper_synthetic.toml"
    print(f"shipped literal flags: {', '.join(shipped_flags(kernels))}")
    print(f"{'flags':>10} | {'compile 1st':>11} | {'2nd variant':>11} | {'paper shape (median, min)':>26}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in CONFIGS.items():
            flags = shipped_flags(kernels) if flags is None else flags
            root = Path(tmp) / name.replace(" ", "_")
            shutil.copytree(REPO / "src", root / "src",
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            target = root / "src" / "swisssim" / "engine" / "kernels.py"
            target.write_text(with_flags(kernels, flags))
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
