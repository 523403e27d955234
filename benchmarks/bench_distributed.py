"""Dask distributed runs: overhead against a local run, and a projection to a cluster.

Run: ``python benchmarks/bench_distributed.py [--quick]`` (needs the extra
``swisssim[distributed]``). Prints figures; asserts nothing.

1. **Overhead.** ``orders`` on scenarios/paper_synthetic.toml (29 models, 12 rounds, T = 0),
   500 orders x 10,000 iterations: the local run on 2 numba threads against a LocalCluster of
   2 worker processes x 1 thread on the same machine (started and warmed beforehand: the
   per-command start of ``--dask local:N`` is printed separately). Goal: within 1.25x.
   The two results are checked to be bit-identical.
2. **Measured ingredients** of a projection: the engine's time per model-round on one core for
   the 4,500-model, 6-round field (scenarios/open_llm_v2_synthetic.toml, 3 schedules), the
   bytes one task returns for that field (its pickled counters), and the scheduler's overhead per
   task (a batch of empty tasks on the LocalCluster).
3. **Projection** of the issue's workload, 1,000 orders x 100,000 iterations x 3 schedules on
   the 4,500-model, 6-round field (8.1 x 10^12 model-rounds), on 100 workers x 16 cores, from
   those figures and the task size rule of ``swisssim.engine.distributed.plan_tasks``.
   Assumptions are printed with it.
"""

from __future__ import annotations

import argparse
import logging
import math
import pickle
import statistics
import time
from pathlib import Path

import numpy as np
from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import load_scenario
from swisssim.analysis.orders import evaluate_orders
from swisssim.data.rounds import round_scores
from swisssim.engine import distributed as dist
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import EngineSession

REPO = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.25
#: The issue's workload and cluster.
ORDERS, ITERATIONS, SCHEDULES, MODELS, ROUNDS = 1_000, 100_000, 3, 4_500, 6
WORKERS, CORES = 100, 16
#: Assumed bandwidth into the client that merges the counters (10 Gbit/s Ethernet).
CLIENT_BANDWIDTH = 1.25e9


def timed(function, repeats: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def overhead(client, samples: int, repeats: int) -> None:
    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    settings = Settings(iterations=10_000, seed=0, elimination=(0,), threads=2)
    evaluate_orders(scenario, settings.replace(iterations=200), samples=3)           # JIT
    evaluate_orders(scenario, settings.replace(iterations=200, client=client), samples=3)
    local_best, local_all, local = timed(
        lambda: evaluate_orders(scenario, settings, samples=samples), repeats)
    remote_best, remote_all, remote = timed(
        lambda: evaluate_orders(scenario, settings.replace(client=client), samples=samples),
        repeats)
    same = np.array_equal(local.score_sum, remote.score_sum)
    ratio = remote_best / local_best
    print(f"orders, {samples} orders x 10,000 iterations, paper shape, T = 0:")
    print(f"    local, 2 numba threads        : {local_best:.2f} s (runs: "
          + ", ".join(f"{t:.2f}" for t in local_all) + ")")
    print(f"    LocalCluster 2 workers x 1    : {remote_best:.2f} s (runs: "
          + ", ".join(f"{t:.2f}" for t in remote_all) + f"), {remote.cluster.tasks} tasks so far")
    print(f"    ratio {ratio:.2f}x (goal: within {GOAL_RATIO}x); bit-identical: {same}")


def cluster_start() -> float:
    start = time.perf_counter()
    with dist.connect("local:2"):
        pass
    return time.perf_counter() - start


def per_model_round(iterations: int) -> tuple[float, int]:
    """Seconds per model-round on one core, and bytes of one task's result, large field."""
    scenario = load_scenario(REPO / "scenarios" / "open_llm_v2_synthetic.toml")
    session = EngineSession(scenario, Settings(seed=0, elimination=(0, 1, 2), threads=1))
    run = session.start(round_scores(scenario))
    inputs = run.inputs()
    dist.counters_task(inputs, dist.Task((0,), 0, 10))                           # JIT
    start = time.perf_counter()
    parts = dist.counters_task(inputs, dist.Task((0,), 0, iterations))
    seconds = time.perf_counter() - start
    work = iterations * inputs.work_per_iteration
    return seconds / work, len(pickle.dumps(parts, protocol=5))


def scheduler_overhead(client, tasks: int) -> float:
    """Seconds per empty task, submitted as one batch and gathered (scheduler + comms)."""
    client.gather(client.map(int, range(50), pure=False))
    start = time.perf_counter()
    client.gather(client.map(int, range(tasks), pure=False))
    return (time.perf_counter() - start) / tasks


def projection(seconds_per_model_round: float, task_bytes: int, per_task: float) -> None:
    cores = WORKERS * CORES
    work_per_iteration = SCHEDULES * MODELS * ROUNDS
    total = ORDERS * ITERATIONS * work_per_iteration
    plan = dist.plan_tasks(ORDERS, 0, ITERATIONS, work_per_iteration, cores)
    task_work = statistics.mean(len(t.items) * (t.hi - t.lo) * work_per_iteration for t in plan)
    task_seconds = task_work * seconds_per_model_round
    waves = math.ceil(len(plan) / cores)
    compute = waves * task_seconds
    transfer = len(plan) * task_bytes / CLIENT_BANDWIDTH
    scheduling = len(plan) * per_task
    projected = max(compute, transfer, scheduling) + task_seconds
    print(f"projection: {ORDERS:,} orders x {ITERATIONS:,} iterations x {SCHEDULES} schedules, "
          f"{MODELS:,} models x {ROUNDS} rounds = {total:.2e} model-rounds")
    print(f"    one core here would need {total * seconds_per_model_round / 3600:.1f} h "
          f"({total * seconds_per_model_round / 7200:.1f} h on 2 cores)")
    print(f"    task rule on {WORKERS} workers x {CORES} cores: {len(plan):,} tasks of "
          f"{task_work:.2e} model-rounds = {task_seconds:.1f} s each, {waves} waves")
    print(f"    compute {compute:.0f} s; results to the client {len(plan) * task_bytes / 1e9:.1f} "
          f"GB = {transfer:.0f} s at {CLIENT_BANDWIDTH / 1e9:.2f} GB/s; scheduler "
          f"{scheduling:.0f} s at {per_task * 1e3:.2f} ms per task")
    print(f"    projected wall time: about {projected:.0f} s ({projected / 60:.1f} min) = the "
          "largest of the three (they overlap) + one task of tail")
    print("    assumptions: every core as fast as one core here; 'dask worker --nthreads 16' "
          "(one task per core, no GIL); the scheduler's per-task cost as measured here; the "
          "client's link the only network bottleneck; cluster start-up and the client's "
          "merge (numpy adds, far below the transfer) not counted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 orders, one repeat")
    args = parser.parse_args()
    import distributed

    header()
    print(f"dask.distributed {distributed.__version__}\n")
    start_seconds = cluster_start()
    print(f"'--dask local:2' start, checks and close (no work): {start_seconds:.1f} s\n")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    try:
        overhead(client, 100 if args.quick else 500, 1 if args.quick else 2)
        seconds, task_bytes = per_model_round(200 if args.quick else 1_000)
        per_task = scheduler_overhead(client, 500 if args.quick else 2_000)
        print(f"\nlarge field (4,500 x 6, T = 0, 1, 2), one core: {seconds * 1e9:.1f} ns per "
              f"model-round; one task returns {task_bytes / 1e6:.2f} MB of counters per matrix")
        print(f"scheduler overhead: {per_task * 1e3:.2f} ms per task (empty tasks, "
              "LocalCluster here)\n")
        projection(seconds, task_bytes, per_task)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
