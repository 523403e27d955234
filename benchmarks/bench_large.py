"""Large fields: speed and peak memory of swisssim on thousands of models.

Prints figures; asserts nothing. Run: ``python benchmarks/bench_large.py [--only NAME ...]``
(names below). Every command runs as a separate process (``python -m swisssim ...``, the numba
cache warm: each workload runs once untimed on a small input first) and its peak RSS is that
child's ``ru_maxrss``. Scenarios of the Open LLM Leaderboard v2's shape are made by
``scripts/make_open_llm_v2_synthetic.py`` at the sizes asked for (39 benchmarks in 6 rounds).

Workloads and goals:

``run5k``     5,000 models x 39 benchmarks in 6 rounds, T = 0, 1, 2, 100,000 iterations,
              ``swisssim run``: simulation <= 40 s, peak RSS <= 1 GiB.
``run20k``    20,000 models x 6 rounds, T = 0, 1, 2, 10,000 iterations: <= 60 s, <= 2 GiB.
``compare``   ``swisssim compare`` on 2,000 models x 10 benchmarks, 2,000 iterations, every
              baseline: <= 60 s as a command.
``report``    ``swisssim report`` on the shipped 4,500-model scenario at defaults: <= 5 min,
              report.html <= 20 MB.
``paper``     paper shape (29 x 12, T = 0, 1, 2, 100,000): simulation time recorded by
              ``swisssim run`` (in-process) within 1.15x of ``simulate`` in a warm process,
              and a whole warm ``swisssim run`` process within 4x.
``memory``    peak RSS of ``swisssim run`` (T = 0, 1, 2, 2,000 iterations, 6 rounds) at
              M = 1,000, 5,000 and 20,000: it should grow linearly in M.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
from _machine import header

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
THREADS = 2


def make_scenario(n_models: int, folder: Path) -> Path:
    """A scenario of the Open LLM Leaderboard v2's shape with ``n_models`` models in ``folder``."""
    spec = importlib.util.spec_from_file_location(
        "make_open_llm_v2_synthetic", SCRIPTS / "make_open_llm_v2_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.N_MODELS = n_models
    scenario = module.generate_scenario()
    scenario.name = f"v2_shape_{n_models}"
    module.write_files(module.render(scenario, module.SCRIPT), folder)
    return folder / f"{scenario.name}.toml"


def child_peak(*argv: str) -> tuple[float, float]:
    """Run ``python -m swisssim argv`` under ``/usr/bin/time``: (wall seconds, peak RSS MiB)."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as log:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", log.name, sys.executable, "-m",
                               "swisssim", *argv, "--threads", str(THREADS), "--no-progress"],
                              env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"swisssim {' '.join(argv)} failed:\n{done.stderr[-2000:]}")
        return wall, int(log.read().strip().splitlines()[-1]) / 1024


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "MISSED"


def warm_up(tmp: Path) -> None:
    """Compile or load every kernel once (cache warm), untimed."""
    small = make_scenario(200, tmp / "warm")
    child_peak("run", str(small), "-n", "200", "--out", str(tmp / "warm_run"))


def run_5k(tmp: Path) -> None:
    path = make_scenario(5_000, tmp / "s5k")
    out = tmp / "run5k"
    wall, peak = child_peak("run", str(path), "-n", "100000", "-T", "0", "1", "2",
                            "--out", str(out))
    sim = manifest(out)["simulation"]["simulation_seconds"]
    print("run5k  : 5,000 models x 39 benchmarks in 6 rounds, T = 0, 1, 2, N = 100,000")
    print(f"         simulation {sim:.1f} s (goal <= 40 s: {verdict(sim, 40)}), whole command "
          f"{wall:.1f} s, peak RSS {peak:.0f} MiB (goal <= 1024: {verdict(peak, 1024)})")
    print(f"         {5_000 * 6 * 3 * 100_000 / sim / 1e6:.0f} M model-rounds/s")


def run_20k(tmp: Path) -> None:
    path = make_scenario(20_000, tmp / "s20k")
    out = tmp / "run20k"
    wall, peak = child_peak("run", str(path), "-n", "10000", "-T", "0", "1", "2",
                            "--out", str(out))
    sim = manifest(out)["simulation"]["simulation_seconds"]
    print("run20k : 20,000 models x 6 rounds, T = 0, 1, 2, N = 10,000")
    print(f"         simulation {sim:.1f} s, whole command {wall:.1f} s (goal <= 60 s: "
          f"{verdict(wall, 60)}), peak RSS {peak:.0f} MiB (goal <= 2048: {verdict(peak, 2048)})")
    print(f"         {20_000 * 6 * 3 * 10_000 / sim / 1e6:.0f} M model-rounds/s")


def compare_2k(tmp: Path) -> None:
    from bench_compare import synthetic  # benchmarks/ is on sys.path: the script's folder

    frame = synthetic(n_models=2_000, n_benchmarks=10)
    csv = tmp / "c2k.csv"
    frame.to_csv(csv, index=False)
    (tmp / "c2k.toml").write_text(f'name = "c2k"\nscores = "{csv.name}"\n', encoding="utf-8")
    out = tmp / "compare2k"
    wall, peak = child_peak("compare", str(tmp / "c2k.toml"), "-n", "2000", "-T", "0", "1", "2",
                            "--out", str(out))
    parameters = manifest(out)["comparison"]
    seconds = parameters.get("seconds", {})
    elo = parameters["elo"]
    print("compare: 2,000 models x 10 benchmarks, N = 2,000, T = 0, 1, 2, every baseline")
    print(f"         command {wall:.1f} s (goal <= 60 s: {verdict(wall, 60)}), peak RSS "
          f"{peak:.0f} MiB; Elo {elo['orders']} of {elo['requested_orders']} orders "
          f"(match budget {elo['match_budget']:,}); split: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))


def report_4500(tmp: Path) -> None:
    out = tmp / "report4500"
    wall, peak = child_peak("report", str(REPO / "scenarios" / "open_llm_v2_synthetic.toml"),
                            "--out", str(out))
    size = (out / "report.html").stat().st_size / 1e6
    seconds = manifest(out).get("seconds", {})
    print("report : shipped open_llm_v2_synthetic (4,500 models), defaults")
    print(f"         command {wall:.0f} s (goal <= 300 s: {verdict(wall, 300)}), report.html "
          f"{size:.1f} MB (goal <= 20 MB: {verdict(size, 20)}), peak RSS {peak:.0f} MiB; "
          "split: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))


def paper(tmp: Path) -> None:
    from swisssim import load_scenario, simulate
    from swisssim.cli.app import main

    path = REPO / "scenarios" / "paper_synthetic.toml"
    scenario = load_scenario(path)
    simulate(scenario, iterations=1_000, elimination=[0, 1, 2], threads=THREADS)
    engine, recorded = [], []
    for i in range(5):  # interleaved, so a change of load hits both alike
        start = time.perf_counter()
        simulate(scenario, iterations=100_000, elimination=[0, 1, 2], threads=THREADS)
        engine.append(time.perf_counter() - start)
        out = tmp / f"paper{i}"
        with contextlib.redirect_stdout(io.StringIO()):  # the run's table is not the figure
            main(["run", str(path), "-T", "0", "1", "2", "--threads", str(THREADS), "--out",
                  str(out), "--no-progress"])
        recorded.append(manifest(out)["simulation"]["simulation_seconds"])
    whole = [child_peak("run", str(path), "-T", "0", "1", "2", "--out", str(tmp / f"pp{i}"))[0]
             for i in range(3)]
    best = min(engine)
    print("paper  : 29 models x 12 rounds, T = 0, 1, 2, N = 100,000 (best of 5 interleaved; "
          "whole process: best of 3)")
    print(f"         engine alone (simulate, warm process) {best:.2f} s; recorded by swisssim run "
          f"{min(recorded):.2f} s = {min(recorded) / best:.2f}x (goal <= 1.15x: "
          f"{verdict(min(recorded) / best, 1.15)}); whole warm process {min(whole):.2f} s = "
          f"{min(whole) / best:.2f}x (goal <= 4x: {verdict(min(whole) / best, 4)})")


def memory(tmp: Path) -> None:
    print("memory : peak RSS of swisssim run, 6 rounds, T = 0, 1, 2, N = 2,000")
    rows = []
    for n in (1_000, 5_000, 20_000):
        path = make_scenario(n, tmp / f"m{n}")
        wall, peak = child_peak("run", str(path), "-n", "2000", "-T", "0", "1", "2",
                                "--out", str(tmp / f"mem{n}"))
        rows.append((n, peak))
        print(f"         M = {n:>6,}: {peak:6.0f} MiB ({wall:.1f} s)")
    (n0, p0), (n1, p1) = rows[0], rows[-1]
    print(f"         slope {(p1 - p0) / (n1 - n0) * 1024:.1f} KiB per model between M = "
          f"{n0:,} and {n1:,}")


WORKLOADS = {"paper": paper, "memory": memory, "compare": compare_2k, "run5k": run_5k,
             "run20k": run_20k, "report": report_4500}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(WORKLOADS), default=list(WORKLOADS))
    args = parser.parse_args()
    numba.set_num_threads(min(THREADS, numba.config.NUMBA_NUM_THREADS))
    header()
    print(f"every command: --threads {THREADS}; the machine may be shared, timings are noisy\n")
    with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        warm_up(Path(tmp))
        for name in args.only:
            WORKLOADS[name](Path(tmp))
            print()


if __name__ == "__main__":
    main()
