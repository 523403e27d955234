"""Speed of the CUDA backend against the CPU engine in the same run. Prints figures.

Run: ``python benchmarks/bench_gpu.py [--quick]`` on a machine with a CUDA GPU and the
``swisssim[cuda]`` extra; without one it prints what is missing and exits with status 2. Figures:

1. The paper's shape (scenarios/paper_synthetic.toml: 29 models, 12 rounds, T = 0, 1, 2) at
   100,000 iterations: kernel time (CUDA events, best of 5; clearing and merging the counters
   excluded), the whole GPU call, model-rounds per second, the CPU engine's time on all numba
   threads, the ratio. Goal: <= 20 ms of kernel time.
2. 100 models x 30 rounds x 1,000,000 iterations x T = 0, 1, 2 (random scores, seed 0): the same
   figures; the CPU engine is timed on 100,000 iterations and scaled (it is linear in N).
   Goal: >= 10 G model-rounds/s.
3. ``orders`` over 500 orders x 10,000 iterations on the paper's shape (T = 0): GPU against the
   CPU engine on 2 threads. Goal: >= 20x.

A model-round is one active model playing one round in one tournament. Every case also checks
that the GPU's counters equal the CPU's (``identical``), the backend's promise; before the figures,
every rule combination (ties coin/draw, byes 0/0.5/1, tie-break random/index, probabilistic wins
off/on; schedules T = 0, 2, 30% and a per-round list) is checked on the device at 20,000
iterations of a 12-model scenario with many ties, as tests/test_cuda_backend.py does under the
simulator.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import header  # benchmarks/ is on sys.path

from swisssim import Scenario, load_scenario, simulate
from swisssim.analysis.orders import evaluate_orders
from swisssim.data.rounds import round_scores
from swisssim.engine.backends import cuda_problem
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import EngineSession

REPO = Path(__file__).resolve().parent.parent
COUNTERS = ("score_sum", "score_cross", "score_counts", "elim_counts", "above_bounds")


def model_rounds(quotas: np.ndarray, n_models: int, iterations: int) -> int:
    """Active model-rounds of ``iterations`` tournaments under each schedule's quotas (S, K)."""
    active_before = n_models - np.concatenate([np.zeros((len(quotas), 1), np.int64),
                                               np.cumsum(quotas, axis=1)[:, :-1]], axis=1)
    return int(active_before.sum()) * iterations


def gpu_device() -> str:
    import numba_cuda
    from numba import cuda
    from numba.cuda.cudadrv.driver import driver

    device = cuda.get_current_device()
    name = device.name.decode() if isinstance(device.name, bytes) else device.name
    return (f"{name}, compute capability {device.compute_capability}, "
            f"{device.MULTIPROCESSOR_COUNT} SMs, numba-cuda {numba_cuda.__version__}, "
            f"CUDA driver {driver.get_version()}")


def engine_case(label: str, scenario: Scenario, iterations: int, cpu_iterations: int,
                repeats: int) -> None:
    from swisssim.engine.cuda import THREADS_PER_BLOCK

    settings = Settings(seed=0, elimination=(0, 1, 2))
    values = round_scores(scenario)
    gpu = EngineSession(scenario, settings.replace(backend="cuda"))
    gpu.run(values, min(iterations, 1000))                       # compile
    kernel, whole = [], []
    for _ in range(repeats):
        gpu.backend.device.kernel_seconds = 0.0
        start = time.perf_counter()
        gpu_result = gpu.run(values, iterations)
        whole.append(time.perf_counter() - start)
        kernel.append(gpu.backend.device.kernel_seconds)
    cpu = EngineSession(scenario, settings)
    cpu.run(values, 1000)                                        # compile / load the cache
    start = time.perf_counter()
    cpu_result = cpu.run(values, cpu_iterations)
    cpu_seconds = (time.perf_counter() - start) * iterations / cpu_iterations
    prefix = gpu.run(values, cpu_iterations)
    identical = all(np.array_equal(getattr(prefix, n), getattr(cpu_result, n)) for n in COUNTERS)
    work = model_rounds(gpu_result.quotas, scenario.n_models, iterations)
    best = min(kernel)
    scaled = "" if cpu_iterations == iterations else f" (timed on {cpu_iterations:,}, scaled)"
    print(f"{label}: {scenario.n_models} models x {scenario.n_rounds} rounds x {iterations:,} "
          f"iterations x 3 schedules")
    print(f"    GPU kernel {best * 1e3:.2f} ms (best of {repeats}; spread "
          f"{min(kernel) * 1e3:.2f}-{max(kernel) * 1e3:.2f}), whole call {min(whole) * 1e3:.2f} ms,"
          f" {work / best / 1e9:.2f} G model-rounds/s")
    print(f"    CPU engine {cpu_seconds:.3f} s on {cpu.threads} threads{scaled}, "
          f"{work / cpu_seconds / 1e9:.3f} G model-rounds/s; ratio kernel {cpu_seconds / best:.1f}x,"
          f" whole call {cpu_seconds / min(whole):.1f}x; identical counters: {identical}")
    print(f"    grid {gpu.backend.device.blocks} blocks x {THREADS_PER_BLOCK} threads, "
          f"{gpu.backend.device.slots} counter slots")


def exactness_check(iterations: int) -> bool:
    """Every rule combination: the device's counters (and rank counts) equal the CPU's."""
    rng = np.random.default_rng(3)
    names = [f"m{i}" for i in range(12)]
    scores = pd.DataFrame(rng.integers(0, 4, (12, 6)).astype(float), index=names,
                          columns=[f"b{k}" for k in range(6)])
    errors = pd.DataFrame(rng.random((12, 6)) * rng.integers(0, 2, (12, 6)), index=names,
                          columns=scores.columns)
    schedules = [0, 2, "30%", "0,1,2,1,0,3"]
    failures = []
    for ties, bye, tie_break, noisy in itertools.product(("coin", "draw"), (0, 0.5, 1),
                                                         ("random", "index"), (False, True)):
        scenario = Scenario.from_dataframe(scores, score_errors=errors, elimination=schedules,
                                           ties=ties, bye_points=bye, tie_break=tie_break)
        settings = Settings(iterations=iterations, seed=7, probabilistic_wins=noisy)
        cpu = simulate(scenario, settings)
        gpu = simulate(scenario, settings.replace(backend="cuda"))
        same = all(np.array_equal(getattr(cpu, n), getattr(gpu, n)) for n in COUNTERS)
        same = same and np.array_equal(cpu.rank_counts, gpu.rank_counts)
        if not same:
            failures.append(f"ties={ties} bye={bye} tie_break={tie_break} noisy={noisy}")
    print(f"exactness: 24 rule combinations x {iterations:,} iterations x 4 schedules: "
          + ("all identical to the CPU" if not failures else "DIFFERENT: " + "; ".join(failures)))
    return not failures


def orders_case(samples: int, iterations: int) -> None:
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    settings = Settings(seed=0, elimination=(0,), iterations=iterations)
    evaluate_orders(scenario, settings.replace(backend="cuda", iterations=1000), samples=2)
    start = time.perf_counter()
    gpu = evaluate_orders(scenario, settings.replace(backend="cuda"), samples=samples)
    gpu_seconds = time.perf_counter() - start
    evaluate_orders(scenario, settings.replace(threads=min(2, settings.resolved_threads()),
                                               iterations=1000), samples=2)
    start = time.perf_counter()
    cpu = evaluate_orders(scenario, settings.replace(threads=min(2, settings.resolved_threads())),
                          samples=samples)
    cpu_seconds = time.perf_counter() - start
    identical = np.array_equal(gpu.score_sum, cpu.score_sum)
    print(f"orders: {gpu.n_orders} orders x {iterations:,} iterations (T = 0): GPU "
          f"{gpu_seconds:.2f} s, CPU on {cpu.threads} threads {cpu_seconds:.2f} s, ratio "
          f"{cpu_seconds / gpu_seconds:.1f}x (goal >= 20x); identical score sums: {identical}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    args = parser.parse_args()
    problem = cuda_problem()
    if problem is not None:
        print(f"bench_gpu: no GPU to measure: {problem}", file=sys.stderr)
        return 2
    header()
    print(f"GPU       : {gpu_device()}")
    print()
    exact = exactness_check(2_000 if args.quick else 20_000)
    paper = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    engine_case("paper shape", paper, 10_000 if args.quick else 100_000,
                10_000 if args.quick else 100_000, 5)
    rng = np.random.default_rng(0)
    wide = Scenario.from_dataframe(pd.DataFrame(rng.random((100, 30)),
                                                index=[f"m{i}" for i in range(100)],
                                                columns=[f"b{k}" for k in range(30)]),
                                   name="wide100x30")
    engine_case("large", wide, 100_000 if args.quick else 1_000_000,
                10_000 if args.quick else 100_000, 3)
    orders_case(20 if args.quick else 500, 2_000 if args.quick else 10_000)
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
