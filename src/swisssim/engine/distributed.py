"""Run the engine's iteration blocks on a Dask cluster, bit-identically to a local run.

The local engine splits iterations into contiguous blocks, one per thread, each filling its own
integer counters, and merges the blocks exactly (docs/method.md sections 4 and 5.1). This module
does the same over a Dask distributed cluster (``dask.distributed``, the optional extra
``swisssim[distributed]``):

* **Tasks.** A task is a group of round-score matrices (orders, bootstrap replicates, or the one
  matrix of a run) and a block ``[lo, hi)`` of iterations; it returns one merged
  :class:`~swisssim.engine.counters.Counters` per matrix. The client adds the tasks' counters as
  they arrive (integer sums, minima and maxima), so the totals, and every table derived from
  them, are bit-identical to a local run with the same seed whatever the number of workers, the
  task sizes, the completion order or the retries of lost tasks.
* **Task size rule** (:func:`plan_tasks`). The work of one iteration is ``S x M x K``
  model-rounds (schedules x models x rounds). A task gets about ``total / (8 x cluster
  threads)`` model-rounds, clamped to ``[MIN_TASK_WORK, MAX_TASK_WORK]`` (about 0.5 s to 2 s on
  one core at the engine's ~5 ns per model-round): at least eight tasks per worker thread for
  balance when the job is large enough, never so small that Dask's per-task overhead (about a
  millisecond) shows. Matrices whose iterations exceed a task are split into iteration blocks;
  smaller ones are grouped, several whole matrices per task.
* **Data.** The round scores, quotas and noise are scattered to every worker once per run, not
  sent with every task; a task carries only indices and its iteration range.
* **Workers.** Each task runs one single-threaded kernel that releases the GIL, so a worker with
  ``--nthreads C`` runs C tasks at once on C cores.
* **Checks.** On connecting, the scheduler must answer within :data:`CONNECT_TIMEOUT` seconds and
  show a worker within :data:`WORKER_TIMEOUT`; every worker must import swisssim with the
  client's version and the same engine source (:func:`engine_fingerprint`). Otherwise one
  :class:`~swisssim.errors.InputError` names the address and what was found.
* **Faults.** A worker that dies costs only its running tasks, which Dask reruns elsewhere; the
  data were scattered to every worker. A task that fails for good (its workers died three
  times, the scheduler went away) cancels the others and raises one
  :class:`~swisssim.errors.InputError` naming the exception. Ctrl-C cancels the run's tasks on
  the cluster before the interrupt propagates.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit

from swisssim._version import __version__
from swisssim.engine import kernels
from swisssim.engine.counters import Counters
from swisssim.engine.dispatch import RULE_ARGS, Specialised
from swisssim.engine.tournaments import Rules
from swisssim.errors import InputError

#: The optional dependency group that brings dask.distributed.
EXTRA = "swisssim[distributed]"
#: Seconds to reach the scheduler before giving up.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for the first worker of a scheduler that has none.
WORKER_TIMEOUT = 30.0
#: Model-rounds (schedules x models x rounds x iterations) per task: bounds of the task size rule.
MIN_TASK_WORK = 1e8
MAX_TASK_WORK = 4e8
#: Tasks per cluster thread the rule aims at (load balance), within the bounds above.
TASKS_PER_THREAD = 8
#: Engine sources whose digest must agree between client and workers.
_ENGINE_SOURCES = ("kernels.py", "rng.py", "counters.py", "dispatch.py", "tournaments.py",
                   "distributed.py")
#: Settings field and source named in connection errors (the command line renames them --dask).
_SOURCE, _FIELD = "Settings", "dask"
_VERSION_PROBE = "__import__('swisssim._version', fromlist=['__version__']).__version__"


def require_distributed() -> Any:
    """The ``distributed`` module, or a one-line error naming the extra that installs it."""
    try:
        import distributed
    except ImportError as error:
        raise InputError(_SOURCE, _FIELD, f"the optional extra {EXTRA} (pip install "
                         f"'{EXTRA}') to run on a Dask cluster",
                         found_text=f"no dask.distributed ({error})") from None
    return distributed


def engine_fingerprint() -> str:
    """SHA-256 (hex) of the engine's source files: equal on client and workers, or no run."""
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent
    for name in _ENGINE_SOURCES:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ClusterInfo:
    """What a run used of a cluster, for the manifest (results never depend on it)."""

    scheduler: str
    workers: int
    threads: int
    tasks: int = 0

    def manifest(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler, "workers": self.workers, "threads": self.threads,
                "tasks": self.tasks,
                "note": "results are bit-identical to a local run with the same seed: they do "
                        "not depend on the scheduler, the workers, their threads, the task "
                        "sizes or the order in which tasks finish"}


# ----------------------------------------------------------------------------- connecting


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A checked ``distributed.Client`` for ``address``, closed on exit.

    ``address`` is a scheduler address (``tcp://host:8786``) or ``local:N``: a LocalCluster of
    N single-threaded worker processes on 127.0.0.1, started here and closed on exit.
    """
    distributed = require_distributed()
    cluster = None
    if address.startswith("local:"):
        workers = int(address.split(":", 1)[1])
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = distributed.Client(cluster, set_as_default=False)
    else:
        try:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise InputError(_SOURCE, _FIELD, "the address of a reachable Dask scheduler",
                             found_text=f"no answer from {address!r} within "
                             f"{CONNECT_TIMEOUT:g} s ({type(error).__name__})") from None
    try:
        check_workers(client, address)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_workers(client: Any, address: str | None = None) -> None:
    """Fail in bounded time unless the cluster has workers running this swisssim engine."""
    address = address or client.scheduler.address
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (TimeoutError, OSError):
        raise InputError(_SOURCE, _FIELD, "a Dask scheduler with at least one worker",
                         found_text=f"no worker at {address!r} within {WORKER_TIMEOUT:g} s"
                         ) from None
    # A builtin (eval) travels to workers that cannot import swisssim at all; a swisssim
    # function would fail there while unpickling, with a less useful message.
    versions = client.run(eval, _VERSION_PROBE, on_error="return")
    for worker, version in sorted(versions.items()):
        if isinstance(version, BaseException):
            raise InputError(_SOURCE, _FIELD, f"workers that can import swisssim {__version__}",
                             found_text=f"worker {worker} at {address!r}: "
                             f"{type(version).__name__}: {version}")
        if version != __version__:
            raise InputError(_SOURCE, _FIELD, f"workers running swisssim {__version__} like "
                             "this client", found_text=f"swisssim {version} on worker {worker}")
    mine = engine_fingerprint()
    prints = client.run(engine_fingerprint, on_error="return")
    for worker, theirs in sorted(prints.items()):
        if theirs != mine:
            shown = theirs if isinstance(theirs, str) else f"{type(theirs).__name__}: {theirs}"
            raise InputError(_SOURCE, _FIELD, f"workers with this client's engine source "
                             f"(sha256 {mine[:12]})", found_text=f"worker {worker}: {shown[:60]}")


def cluster_info(client: Any) -> ClusterInfo:
    """Scheduler address, worker count and total worker threads now."""
    threads = client.nthreads()
    return ClusterInfo(scheduler=str(client.scheduler.address), workers=len(threads),
                       threads=int(sum(threads.values())))


# ----------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Task:
    """Matrices ``items`` (indices) over iterations ``lo <= i < hi``."""

    items: tuple[int, ...]
    lo: int
    hi: int


def plan_tasks(n_items: int, first: int, stop: int, work_per_iteration: int,
               cluster_threads: int) -> list[Task]:
    """Split ``n_items`` matrices x iterations ``[first, stop)`` into tasks (module rule).

    Parameters
    ----------
    n_items
        Round-score matrices (orders, replicates; 1 for a run).
    first, stop
        The iteration range every matrix plays.
    work_per_iteration
        Model-rounds of one iteration of one matrix: schedules x models x rounds.
    cluster_threads
        Worker threads of the cluster (the rule aims at ``TASKS_PER_THREAD`` tasks each).

    Returns
    -------
    list of Task
        Every (matrix, iteration) pair exactly once.
    """
    iterations = stop - first
    per_item = max(1, iterations * work_per_iteration)
    total = n_items * per_item
    size = min(MAX_TASK_WORK, max(MIN_TASK_WORK, total / (TASKS_PER_THREAD
                                                          * max(1, cluster_threads))))
    if per_item >= size:
        blocks = min(iterations, math.ceil(per_item / size))
        return [Task((p,), first + iterations * b // blocks, first + iterations * (b + 1) // blocks)
                for p in range(n_items) for b in range(blocks)]
    groups = math.ceil(n_items / max(1, math.floor(size / per_item)))
    return [Task(tuple(range(n_items * g // groups, n_items * (g + 1) // groups)), first, stop)
            for g in range(groups)]


# ----------------------------------------------------------------------------- worker side


@njit(cache=True, nogil=True)
def _range_counters(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                    random_ties, noisy, score_sum, score_cross, score_counts, elim_counts,
                    above_bounds):
    """:func:`kernels.simulate_range` on one thread without the GIL (called through
    :data:`_COUNTERS`)."""
    kernels.simulate_range(key, first, stop, round_scores, noise, eliminate,
                           (draw_ties, bye_units, random_ties, noisy), score_sum, score_cross,
                           score_counts, elim_counts, above_bounds)


@njit(cache=True, nogil=True)
def _range_windows(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                   random_ties, noisy, low, offset, window):
    """:func:`kernels.rank_window_range` on one thread without the GIL (called through
    :data:`_WINDOWS`)."""
    kernels.rank_window_range(key, first, stop, round_scores, noise, eliminate,
                              (draw_ties, bye_units, random_ties, noisy), low, offset, window)


#: The worker kernels, called through their compiled entry points (engine/dispatch.py).
_COUNTERS = Specialised(_range_counters, RULE_ARGS)
_WINDOWS = Specialised(_range_windows, RULE_ARGS)


@dataclass(frozen=True)
class EngineInputs:
    """Everything a task needs besides its indices: scattered to the workers once per run.

    Matrix ``p`` is ``base[rows[p]]``: for orders ``base`` holds the round scores and ``rows``
    the orders; for replicates ``base`` stacks their matrices.
    """

    key: np.uint64
    base: np.ndarray            # (R, M) round scores
    rows: np.ndarray            # (P, K) rows of base played at each position
    noise: np.ndarray           # (K, M), or (0, 0) for hard comparisons
    quotas: np.ndarray          # (S, K)
    rules: Rules
    n_values: int

    def values(self, p: int) -> np.ndarray:
        return np.ascontiguousarray(self.base[self.rows[p]])

    @property
    def work_per_iteration(self) -> int:
        return int(self.quotas.shape[0] * self.base.shape[1] * self.rows.shape[1])


def counters_task(inputs: EngineInputs, task: Task) -> list[tuple[int, Counters]]:
    """Run one task on a worker: merged counters of each of its matrices."""
    n_schedules, n_rounds = inputs.quotas.shape
    out = []
    for p in task.items:
        c = Counters.zeros(1, n_schedules, inputs.base.shape[1], n_rounds, inputs.n_values)
        _COUNTERS(inputs.key, task.lo, task.hi, inputs.values(p), inputs.noise,
                        inputs.quotas, *inputs.rules, c.score_sum[0], c.score_cross[0],
                        c.score_counts[0], c.elim_counts[0], c.above_bounds[0])
        out.append((p, c))
    return out


def windows_task(inputs: EngineInputs, task: Task, low: np.ndarray, offset: np.ndarray,
                 columns: int) -> np.ndarray:
    """Run one replay task on a worker: (S, M, columns) rank-window counts of matrix 0."""
    window = np.zeros((inputs.quotas.shape[0], inputs.base.shape[1], columns), np.int64)
    _WINDOWS(inputs.key, task.lo, task.hi, inputs.values(task.items[0]), inputs.noise,
                   inputs.quotas, *inputs.rules, low, offset, window)
    return window


# ----------------------------------------------------------------------------- client side


def add_into(total: Counters, part: Counters) -> None:
    """Merge ``part`` (one block) into block 0 of ``total`` (:meth:`Counters.add`)."""
    total.add(part)


class DaskEngine:
    """Runs iteration blocks as Dask tasks on ``client`` (see the module notes)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.tasks = 0
        self.active = True   # False once the connection it runs on is closed
        self._seen: ClusterInfo | None = None

    def info(self) -> ClusterInfo:
        """The cluster as last seen by a run (asked once per batch, not once per result),
        with the tasks submitted so far."""
        seen = self._seen if self._seen is not None else self._look()
        return ClusterInfo(seen.scheduler, seen.workers, seen.threads, self.tasks)

    def _look(self) -> ClusterInfo:
        self._seen = cluster_info(self.client)
        return self._seen

    def counters(self, inputs: EngineInputs, first: int, stop: int, *, progress: bool = False,
                 desc: str = "") -> list[Counters]:
        """Merged counters (one block each) of every matrix of ``inputs`` over ``[first, stop)``."""
        n_schedules, n_rounds = inputs.quotas.shape
        totals = [Counters.zeros(1, n_schedules, inputs.base.shape[1], n_rounds, inputs.n_values)
                  for _ in range(inputs.rows.shape[0])]

        def merge(parts: list[tuple[int, Counters]]) -> None:
            for p, part in parts:
                add_into(totals[p], part)

        plan = plan_tasks(inputs.rows.shape[0], first, stop, inputs.work_per_iteration,
                          self._look().threads)
        self._run(inputs, plan, counters_task, (), merge, progress, desc)
        return totals

    def windows(self, inputs: EngineInputs, iterations: int, low: np.ndarray,
                offset: np.ndarray, columns: int) -> np.ndarray:
        """The exact rank replay of matrix 0 over iterations ``0 .. iterations - 1``."""
        total = np.zeros((inputs.quotas.shape[0], inputs.base.shape[1], columns), np.int64)

        def merge(part: np.ndarray) -> None:
            total[...] += part

        plan = plan_tasks(1, 0, iterations, inputs.work_per_iteration, self._look().threads)
        self._run(inputs, plan, windows_task, (low, offset, columns), merge, False, "")
        return total

    def _run(self, inputs: EngineInputs, plan: Sequence[Task], function: Callable[..., Any],
             extra: tuple, merge: Callable[[Any], None], progress: bool, desc: str) -> None:
        from distributed import as_completed
        from tqdm import tqdm

        shared = self.client.scatter(inputs, broadcast=True, hash=False)
        futures = [self.client.submit(function, shared, task, *extra, pure=False,
                                      retries=2) for task in plan]
        self.tasks += len(futures)
        try:
            with tqdm(total=len(futures), unit="task", file=sys.stderr, leave=False,
                      disable=None if progress else True, desc=desc) as bar:
                for _, part in as_completed(futures, loop=self.client.loop,
                                            with_results=True):
                    merge(part)
                    bar.update(1)
        except Exception as error:
            # A task failed for good (its workers died too often, the scheduler went away, a
            # worker could not run it): one line, no partial result.
            self.client.cancel(futures)
            raise InputError(_SOURCE, _FIELD, "a Dask cluster that completes the run's tasks",
                             found_text=f"{type(error).__name__}: {str(error)[:200]}"
                             ) from error
        except BaseException:
            self.client.cancel(futures)
            raise
        finally:
            self.client.cancel([shared])


__all__ = [
    "EXTRA",
    "ClusterInfo",
    "DaskEngine",
    "EngineInputs",
    "Task",
    "check_workers",
    "connect",
    "engine_fingerprint",
    "plan_tasks",
    "require_distributed",
]
