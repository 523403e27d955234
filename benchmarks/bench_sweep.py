"""Speed of the Failure Sensitivity Analysis (issue 3). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_sweep.py [--repeats R]``. Figures printed, each beside its goal:

1. The paper's full analysis (scenarios/paper_synthetic.toml: 29 models, 12 rounds, T = 0, 1, 2,
   N = 100,000): simulation time, best of R. Goal 0.3 s.
2. A 10-schedule sweep on the same scenario (T = 0..5, 10%, 20% and two per-round lists),
   N = 100,000: simulation time, best of R. Goal 1 s.
3. Figures of a 100-model sweep (synthetic scores, 12 rounds, T = 0, 1, 2, a short simulation):
   time to render and write all four figures as PNG + SVG, as ``swisssim sweep`` and
   ``swisssim plot`` do (best of R). Goal 5 s.

Simulation times are the driver's own wall time (``SimulationResult.wall_time``), after a JIT
warm-up. Liu et al., "LLM Swiss Round" (arXiv:2512.21010).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import Scenario, load_scenario, simulate
from swisssim.analysis.sweep import Sweep
from swisssim.io.readback import read_sweep_folder
from swisssim.io.staging import atomic_output
from swisssim.io.writers import write_sweep, write_sweep_figures

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "scenarios" / "paper_synthetic.toml"
TEN = [0, 1, 2, 3, 4, 5, "10%", "20%", "0,0,0,1,1,1,2,2,2,3,3,3", "3,3,3,2,2,2,1,1,1,0,0,0"]


def report(name: str, seconds: float, goal: float, detail: str = "") -> None:
    verdict = "met" if seconds <= goal else "NOT met"
    print(f"{name:<46s} {seconds:8.3f} s   goal {goal:g} s: {verdict}{detail}")


def simulation_seconds(scenario: Scenario, schedules: list, iterations: int,
                       repeats: int) -> float:
    return min(simulate(scenario, iterations=iterations, seed=0, elimination=schedules)
               .wall_time for _ in range(repeats))


def synthetic(n_models: int = 100, n_rounds: int = 12, seed: int = 7) -> Scenario:
    """General ability plus an early/late tilt, 12 families: a stand-in for a large leaderboard."""
    rng = np.random.default_rng(seed)
    ability, tilt = rng.normal(size=n_models), rng.normal(size=n_models)
    scores = (ability[:, None] + tilt[:, None] * np.linspace(-1, 1, n_rounds)[None, :]
              + rng.normal(0, 0.5, size=(n_models, n_rounds)))
    names = [f"model-{i:03d}" for i in range(n_models)]
    frame = pd.DataFrame(scores, columns=[f"bench{j}" for j in range(n_rounds)])
    frame.insert(0, "model", names)
    models = pd.DataFrame({"model": names, "family": [f"family{i % 12}" for i in range(n_models)],
                           "display_name": [f"Model {i:03d}" for i in range(n_models)]})
    return Scenario.from_dataframe(frame, models=models, name="synthetic100")


def figure_seconds(repeats: int) -> float:
    result = simulate(synthetic(), iterations=5000, seed=0, elimination=[0, 1, 2])
    with tempfile.TemporaryDirectory() as tmp:
        write_sweep(Sweep(result), Path(tmp) / "sweep", ["bench"], figures=False)
        frames = read_sweep_folder(Path(tmp) / "sweep")
        times = []
        for i in range(repeats):
            started = time.perf_counter()
            with atomic_output(Path(tmp) / f"figures{i}") as stage:
                write_sweep_figures(frames, stage, folder="")
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of R (default 3)")
    args = parser.parse_args()
    header()
    scenario = load_scenario(PAPER)
    started = time.perf_counter()
    simulate(scenario, iterations=1000, elimination=TEN)      # JIT compile or load the cache
    print(f"warm-up (JIT compile / cache load): {time.perf_counter() - started:.2f} s\n")
    paper = simulation_seconds(scenario, [0, 1, 2], 100_000, args.repeats)
    report("paper analysis: 29 x 12, T = 0,1,2, N = 100k", paper, 0.3,
           f"   ({3 * 100_000 / paper / 1e6:.2f} M tournaments/s)")
    ten = simulation_seconds(scenario, TEN, 100_000, args.repeats)
    report("10-schedule sweep: 29 x 12, N = 100k", ten, 1.0,
           f"   ({10 * 100_000 / ten / 1e6:.2f} M tournaments/s)")
    report("figures, 100 models (4 x PNG + SVG)", figure_seconds(args.repeats), 5.0)


if __name__ == "__main__":
    main()
