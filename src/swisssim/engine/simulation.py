"""The Monte Carlo driver: runs the engine over iterations and schedules, returns a result.

One call simulates every elimination schedule with **common random numbers**: round k of iteration
i uses the same random stream under every schedule, so differences between schedules are measured
on paired tournaments (Liu et al., arXiv:2512.21010, Failure Sensitivity Analysis). Results depend
only on the seed and the iteration count, never on the thread count or the chunking.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, Unpack

import numba
import numpy as np

from swisssim.data.rounds import round_noise, round_scores
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.data.schedules import Schedule
from swisssim.engine import kernels
from swisssim.engine.backends import require_backend
from swisssim.engine.counters import Counters, RankWindows
from swisssim.engine.distributed import DaskEngine, EngineInputs, add_into, connect
from swisssim.engine.results import SimulationResult
from swisssim.engine.rng import seed_key
from swisssim.engine.settings import Settings, SettingsFields, resolve_threads
from swisssim.errors import InputError
from swisssim.validation import (
    MAX_ITERATIONS,
    check_iterations,
    check_target_se,  # noqa: F401  (re-exported)
    integer,
)

#: Most iterations of the first engine call (results do not depend on the chunking).
PROGRESS_CHUNK = 5_000
#: Model-rounds x schedules of the first engine call: about 0.1 s of work on one core of this
#: project's machine (about 3 ns each).
CHUNK_WORK = 30_000_000
#: Later calls are sized from the measured speed to take about this many seconds, so the engine
#: returns to Python (where SIGINT and SIGTERM are handled) well within a second, while few calls
#: keep the cost of starting parallel regions small on a busy machine.
CHUNK_SECONDS = 0.3
#: Adaptive stopping checks the standard errors after this many iterations, then at multiples of it.
ADAPTIVE_STEP = 1_000
#: Default cap on the iterations of an adaptive run (``target_se``).
DEFAULT_MAX_ITERATIONS = 1_000_000


def simulate(
    scenario: Scenario,
    settings: Settings | None = None,
    /,
    *,
    target_se: float | None = None,
    max_iterations: int | None = None,
    target: str = "score",
    **overrides: Unpack[SettingsFields],
) -> SimulationResult:
    """Run the CSD Monte Carlo on a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`~swisssim.data.scenario.Scenario`.
    iterations, seed, tie_break
        Override the scenario's ``[simulation]`` settings.
    elimination
        Schedules (ints, per-round lists, ``"p%"`` strings or :class:`Schedule` objects);
        default: the scenario's.
    threads
        Worker threads (default: all of numba's); results are identical for any value.
    progress
        Show a tqdm progress bar on stderr.
    target_se
        Adaptive stopping: run until every expected score's standard error (all models, all
        schedules) is below ``target_se`` points, or ``max_iterations`` is reached. Excludes
        ``settings.iterations`` (the scenario's iteration count is then not used).
    max_iterations
        Cap of an adaptive run (default 1,000,000); only with ``target_se``.
    target
        What ``target_se`` bounds: ``"score"`` (every expected score's SE) or ``"drop"`` (the
        paired SE of every difference between two schedules, per model, which includes the
        risk labels' drop; needs two or more schedules). See :data:`TARGETS`.
    probabilistic_wins
        Decide each match by sampling from the win probability implied by the scenario's
        ``score_errors`` instead of the hard comparison (default: the scenario's setting). See
        :func:`swisssim.data.rounds.round_noise` and ``swisssim.engine.kernels``.

    Returns
    -------
    SimulationResult
        Expected win scores with standard errors, rank distributions and survival, per schedule.
        An adaptive run returns an :class:`AdaptiveResult`, whose ``stopping`` records how it
        stopped.

    Notes
    -----
    Ties, byes and eliminations follow ``docs/method.md`` (sections 2.3-2.6): equal round scores are a fair coin
    (or a draw), the odd model out of a score group gets a bye worth ``bye_points``, and the
    elimination tie-break is ``random`` or ``index`` (earliest listed model first). The last active
    model is never eliminated.

    Adaptive stopping checks the standard errors after ``ADAPTIVE_STEP`` iterations and then at
    checkpoints chosen by :func:`next_checkpoint`. Results depend only on the seed and the
    iteration index, so a run that stops after N iterations is identical to a fixed run of N.
    """
    scenario = check_scenario(scenario, "simulate")
    settings = Settings.of(settings, overrides)
    iterations = settings.iterations
    if target_se is not None:
        if iterations is not None:
            raise InputError("simulate", "iterations", "no fixed iteration count together with "
                             "target_se (an adaptive run decides when to stop)", iterations)
        target_se = check_target_se(target_se, "simulate", "target_se")
        target = check_target(target, "simulate", "target")
        max_iterations = check_iterations(
            DEFAULT_MAX_ITERATIONS if max_iterations is None else max_iterations,
            "simulate", "max_iterations")
    elif max_iterations is not None:
        raise InputError("simulate", "max_iterations", "target_se as well (max_iterations caps "
                         "an adaptive run)", found_text="no target_se")
    else:
        iterations = settings.resolved_iterations(scenario)
    check_engine_iterations(iterations if target_se is None else max_iterations, scenario,
                            "simulate", "iterations" if target_se is None else "max_iterations")
    progress = settings.progress
    session = EngineSession(scenario, settings)
    if target_se is not None and target == "drop" and len(session.schedules) < 2:
        raise InputError("simulate", "target", "two or more schedules for target 'drop' (the "
                         "paired SE of a difference between schedules)",
                         found_text=f"{len(session.schedules)} schedule")
    run = session.start(round_scores(scenario))
    loading = time.perf_counter()
    with session.thread_pool():
        run.load()
    started = time.perf_counter()
    stopping = None
    with session.engine():
        run.cluster = session.cluster
        if target_se is None:
            run.advance(iterations, progress)
        else:
            measure = std_error_max if target == "score" else difference_se_max
            stopping = _advance_to_target(
                run, target_se, max_iterations, progress,
                lambda: measure(_assemble(run, session.schedules, session.threads, 0.0)),
                target)
    result = _assemble(run, session.schedules, session.threads, time.perf_counter() - started,
                       load_time=started - loading)
    if stopping is None:
        return result
    return AdaptiveResult(**{f.name: getattr(result, f.name) for f in fields(result)},
                          stopping=stopping)


def _assemble(run: _EngineRun, schedules: tuple[Schedule, ...], threads: int,
              wall: float, load_time: float = 0.0) -> SimulationResult:
    """The result of the iterations ``run`` has done so far."""
    scenario = run.scenario
    score_sum, score_cross, score_counts, elim_counts, above_bounds = run.counters.totals()
    done = run.done

    def replay(windows: RankWindows) -> np.ndarray:
        return run.replay_ranks(done, windows, threads)

    return SimulationResult(scenario=scenario, schedules=schedules, quotas=run.quotas,
                            iterations=done, seed=run.seed, tie_break=run.tie_break,
                            threads=threads, score_sum=score_sum, score_cross=score_cross,
                            score_counts=score_counts, above_bounds=above_bounds,
                            elim_counts=elim_counts, wall_time=wall,
                            units_per_point=run.units_per_point,
                            probabilistic_wins=run.noise is not None, replay=replay,
                            load_time=load_time,
                            cluster=None if run.cluster is None else run.cluster.info())


def _noise(scenario: Scenario, probabilistic: bool) -> np.ndarray | None:
    """Round-score standard deviations for probabilistic wins, or None for hard comparisons."""
    if not probabilistic:
        return None
    if scenario.score_errors is None:
        raise InputError(str(scenario.path or "scenario"), "probabilistic_wins",
                         "a scenario with score_errors (standard errors of the scores)",
                         found_text="no score_errors")
    return round_noise(scenario)


@dataclass
class _EngineRun:
    """Feeds iterations to the parallel kernel in chunks, so a run can be extended."""

    values: np.ndarray
    quotas: np.ndarray
    scenario: Scenario
    tie_break: str
    seed: int
    counters: Counters
    noise: np.ndarray | None = None
    done: int = 0
    cluster: DaskEngine | None = None   # run the blocks as Dask tasks (engine/distributed.py)
    device: Any = None   # a swisssim.engine.cuda.CudaEngine for backend "cuda"

    def advance(self, iterations: int, progress: bool) -> None:
        """Run iterations ``done .. done + iterations - 1``, in chunks (:func:`chunk_iterations`).

        The first chunk is sized by the work per iteration, the next ones by the measured speed
        (:func:`next_chunk`, about :data:`CHUNK_SECONDS` each). Between chunks the interpreter
        runs, so a pending SIGINT or SIGTERM interrupts the run there (``KeyboardInterrupt`` or
        the command line's handler); results do not depend on the chunking.
        """
        from tqdm import tqdm

        stop = self.done + iterations
        if self.cluster is not None:
            (part,) = self.cluster.counters(self.inputs(), self.done, stop, progress=progress,
                                            desc=self.scenario.name)
            add_into(self.counters, part)
            self.done = stop
            return
        # A GPU keeps its own chunk, large enough to fill it; the CPU sizes chunks by speed.
        on_device = self.device is not None
        chunk = (self.device.progress_chunk if on_device else
                 chunk_iterations(self.scenario.n_models, self.scenario.n_rounds,
                                  len(self.quotas)))
        with tqdm(total=iterations, unit="it", file=sys.stderr, disable=None if progress else True,
                  desc=self.scenario.name, leave=False) as bar:
            while self.done < stop:
                upto = min(stop, self.done + chunk)
                started = time.perf_counter()
                self._call(self.done, upto)
                if not on_device:
                    chunk = next_chunk(upto - self.done, time.perf_counter() - started)
                bar.update(upto - self.done)
                self.done = upto

    @property
    def units_per_point(self) -> int:
        return int(kernels.units_per_point(*self._rule_flags()[:2]))

    def _rule_flags(self) -> tuple[bool, int, bool, bool]:
        noisy = self.noise is not None and bool(self.noise.any())
        return (bool(self.scenario.scoring.ties == "draw"),
                int(round(2 * self.scenario.simulation.bye_points)),
                bool(self.tie_break == "random"), noisy)

    def _noise_array(self) -> np.ndarray:
        return self.noise if self._rule_flags()[3] else np.zeros((0, 0))

    def load(self) -> None:
        """Load (or compile) the kernel of this run's rules without simulating anything.

        :func:`simulate` calls it before starting its clock, so ``wall_time`` measures the
        simulation and ``load_time`` the one-off cost of loading compiled code into a process.
        """
        self._call(self.done, self.done)

    def _call(self, first: int, stop: int) -> None:
        c = self.counters
        if self.device is not None:
            self.device.simulate(seed_key(self.seed), first, stop, self._rule_flags(), c)
            return
        kernels.simulate_blocks(
            seed_key(self.seed), first, stop, self.values, self._noise_array(), self.quotas,
            *self._rule_flags(),
            c.score_sum, c.score_cross, c.score_counts, c.elim_counts, c.above_bounds)

    def inputs(self, base: np.ndarray | None = None,
               rows: np.ndarray | None = None) -> EngineInputs:
        """What a Dask task needs: this run's values (or matrices ``base[rows[p]]``)."""
        base = self.values if base is None else base
        rows = np.arange(self.values.shape[0])[None] if rows is None else rows
        return EngineInputs(seed_key(self.seed), np.ascontiguousarray(base, np.float64),
                            np.ascontiguousarray(rows, np.int64), self._noise_array(),
                            self.quotas, self._rule_flags(), self.counters.score_counts.shape[-1])

    def replay_ranks(self, iterations: int, windows: RankWindows, threads: int) -> np.ndarray:
        """Replay iterations ``0 .. iterations - 1`` and count ranks in ``windows``.

        Needed only when a score value's rank varies between tournaments (draws; docs/method.md
        section 5.4). The replay draws the same streams, so it sees the same tournaments; it
        needs O(threads x S x M x windows.columns) memory. Returns the merged (S, M, columns)
        counts.
        """
        if self.cluster is not None and self.cluster.active:
            return self.cluster.windows(self.inputs(), iterations, windows.low, windows.offset,
                                        windows.columns)
        n_schedules, n_models = self.quotas.shape[0], self.values.shape[1]
        if self.device is not None:
            return self.device.replay(seed_key(self.seed), iterations, self._rule_flags(),
                                      self.values, self.noise, windows.low, windows.offset,
                                      windows.columns)
        window = np.zeros((threads, n_schedules, n_models, windows.columns), np.int64)
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            kernels.rank_window_blocks(
                seed_key(self.seed), 0, iterations, self.values, self._noise_array(),
                self.quotas, *self._rule_flags(), windows.low, windows.offset, window)
        finally:
            numba.set_num_threads(previous)
        return window.sum(axis=0)


#: Seconds per model-round of one tournament on one thread, measured on this project's 2-core
#: machine (benchmarks/bench_core.py; about 3 ns on two threads): the basis of run-time
#: estimates, deliberately on the slow side.
SECONDS_PER_MODEL_ROUND = 6e-9


def max_engine_iterations(n_rounds: int, units_per_point: int) -> int:
    """The most iterations the engine's signed 64-bit counters and stream indices hold.

    Per model and iteration the counters add at most ``(K * units)**2`` (the sum of products of
    final scores) and the stream index is ``iteration * K + k``; both stay below 2**63. The
    general cap :data:`swisssim.validation.MAX_ITERATIONS` (2**40) applies as well.
    """
    top = max(1, n_rounds * units_per_point)
    return min(MAX_ITERATIONS, (2**63 - 1) // (top * top), (2**63 - 1) // max(1, n_rounds))


def check_engine_iterations(value: int, scenario: Scenario, source: str, field: str) -> int:
    """``value`` iterations, refused with an :class:`InputError` beyond
    :func:`max_engine_iterations` for this scenario's rounds and score units."""
    units = 2 if (scenario.scoring.ties == "draw" or scenario.simulation.bye_points == 0.5) else 1
    limit = max_engine_iterations(scenario.n_rounds, units)
    return integer(value, source, field, low=1, high=limit,
                   expected=f"a positive integer up to {limit:,} (what the engine's 64-bit "
                            f"counters hold for {scenario.n_rounds} rounds)")


def estimated_seconds(n_models: int, n_rounds: int, n_schedules: int, iterations: int,
                      threads: int) -> float:
    """A rough, pessimistic estimate of a simulation's wall time (:data:`SECONDS_PER_MODEL_ROUND`).

    A tournament costs O(K M) (``engine/kernels.py`` walks the score groups, never every score
    value), and each iteration adds the products of every pair of schedules' final scores,
    O(S^2 M): the work is ``iterations * M * S * (K + (S + 1) / 2)`` model-rounds.
    """
    work = iterations * n_models * n_schedules * (n_rounds + (n_schedules + 1) / 2)
    return work * SECONDS_PER_MODEL_ROUND / max(1, threads)


def chunk_iterations(n_models: int, n_rounds: int, n_schedules: int) -> int:
    """Iterations per engine call: :data:`CHUNK_WORK` model-rounds, 1 to :data:`PROGRESS_CHUNK`."""
    work = max(1, n_models * n_schedules * (n_rounds + (n_schedules + 1) // 2))
    return max(1, min(PROGRESS_CHUNK, CHUNK_WORK // work))


def next_chunk(done: int, seconds: float) -> int:
    """Iterations of the next engine call after ``done`` iterations took ``seconds``: aimed at
    :data:`CHUNK_SECONDS`, at most 16 times and at least half the last chunk (each call costs
    about 10-20 ms on this project's machine, so few calls matter)."""
    aimed = done * CHUNK_SECONDS / max(seconds, 1e-6)
    return max(1, int(min(16 * done, max(done / 2, aimed))))


# ----------------------------------------------------------------------------- adaptive stopping


@dataclass(frozen=True)
class StoppingRecord:
    """How an adaptive run stopped.

    Attributes
    ----------
    target_se
        The requested bound on every expected score's standard error (points).
    max_iterations
        The cap on iterations.
    reached
        Whether the largest standard error fell below ``target_se``.
    achieved_max_se
        The largest standard error (over models and schedules) at the last checkpoint.
    checkpoints
        Iteration counts at which the standard errors were checked; the last is the run's length.
    target
        What was bounded: ``"score"`` or ``"drop"`` (:data:`TARGETS`).
    """

    target_se: float
    max_iterations: int
    reached: bool
    achieved_max_se: float
    checkpoints: tuple[int, ...]
    target: str = "score"


#: What an adaptive run's ``target_se`` bounds: the largest SE of an expected score, or the
#: largest paired SE of a difference between two schedules (per model; includes the drop that
#: the risk labels test, docs/method.md section 7.1).
TARGETS = ("score", "drop")


def check_target(value: Any, source: str, field: str) -> str:
    """One of :data:`TARGETS`."""
    if value not in TARGETS:
        raise InputError(source, field, "one of " + ", ".join(TARGETS), value)
    return str(value)


def std_error_max(result: SimulationResult) -> float:
    """The largest standard error of an expected score, over models and schedules."""
    return float(result.std_error().max())


def difference_se_max(result: SimulationResult) -> float:
    """The largest paired SE of ``E[S | t] - E[S | s]`` over schedule pairs and models."""
    cov = result.covariance()
    diagonal = np.diagonal(cov, axis1=0, axis2=1).T                      # (S, M)
    variance = diagonal[:, None, :] + diagonal[None, :, :] - 2.0 * cov   # (S, S, M)
    return float(np.sqrt(np.maximum(variance, 0.0) / result.iterations).max())


@dataclass(frozen=True, repr=False)
class AdaptiveResult(SimulationResult):
    """A :class:`SimulationResult` of an adaptive run, with its :class:`StoppingRecord`."""

    stopping: StoppingRecord | None = None




def next_checkpoint(done: int, max_se: float, target_se: float, max_iterations: int,
                    step: int = ADAPTIVE_STEP) -> int:
    """The iteration count of the next standard-error check of an adaptive run.

    A standard error falls like ``1 / sqrt(N)``, so the target is predicted at
    ``N = done * (max_se / target_se)**2``. The next checkpoint aims 5% beyond the prediction,
    rounded up to a multiple of ``step``, at least one ``step`` further and at most four times
    ``done`` (a guard against a noisy early estimate), and never beyond ``max_iterations``.
    """
    predicted = done * (max_se / target_se) ** 2 * 1.05
    goal = math.ceil(predicted / step) * step
    goal = max(done + step, min(goal, 4 * done))
    return min(goal, max_iterations)


def _advance_to_target(run: _EngineRun, target_se: float, max_iterations: int, progress: bool,
                       max_se_now: Any, target: str = "score") -> StoppingRecord:
    checkpoints: list[int] = []
    goal = min(ADAPTIVE_STEP, max_iterations)
    while True:
        run.advance(goal - run.done, progress)
        achieved = max_se_now()
        checkpoints.append(run.done)
        reached = run.done >= 2 and achieved < target_se
        if reached or run.done >= max_iterations:
            return StoppingRecord(target_se=target_se, max_iterations=max_iterations,
                                  reached=bool(reached), achieved_max_se=achieved,
                                  checkpoints=tuple(checkpoints), target=target)
        goal = next_checkpoint(run.done, achieved, target_se, max_iterations)


# ----------------------------------------------------------------------------- paired runs


class EngineSession:
    """The engine set up for one scenario: settings resolved, counters allocated once.

    Every call of :meth:`run` (or :meth:`start`) replays iterations from 0 under the same seed, so
    round position ``k`` of iteration ``i`` draws from the stream ``(seed, i * K + k)`` whatever is
    played there: results for two round-score matrices (another round order, resampled data) are
    paired tournaments. Used by :func:`simulate`, order sensitivity and the bootstrap.

    Parameters
    ----------
    scenario
        Gives the models, the tie rule, the bye points and the default settings.
    settings
        Seed, schedules, tie-break, threads, probabilistic wins and backend (``None`` fields: the
        scenario's settings); iterations are given to :meth:`run` or :meth:`start`.

    Raises
    ------
    InputError
        ``Settings: backend`` when the ``cuda`` backend cannot run here (what is missing).

    Notes
    -----
    With ``backend="cuda"`` the tournaments run on a GPU (:mod:`swisssim.engine.cuda`), which adds
    its counters into the first block of :attr:`counters`; the totals, hence every result, equal
    the CPU backend's.
    """

    def __init__(self, scenario: Scenario, settings: Settings | None = None) -> None:
        settings = settings if settings is not None else Settings()
        self.scenario = scenario
        self.settings = settings
        self.seed = settings.resolved_seed(scenario)
        self.tie_break = settings.resolved_tie_break(scenario)
        self.schedules = settings.schedules(scenario)
        self.threads = settings.resolved_threads()
        self.quotas = np.stack([s.quotas(scenario.n_models)
                                for s in self.schedules]).astype(np.int64)
        self.noise = _noise(scenario, settings.resolved_probabilistic_wins(scenario))
        units = int(kernels.units_per_point(scenario.scoring.ties == "draw",
                                            int(round(2 * scenario.simulation.bye_points))))
        self.counters = Counters.zeros(self.threads, len(self.schedules), scenario.n_models,
                                       scenario.n_rounds, scenario.n_rounds * units + 1)
        #: Runs the blocks on a Dask cluster: the settings' client, or inside :meth:`engine`
        #: a connection to ``settings.dask``; None runs them on local threads.
        self.cluster = None if settings.client is None else DaskEngine(settings.client)
        self.device = None
        if settings.backend == "cuda":
            require_backend(settings.backend)
            from swisssim.engine.cuda import CudaEngine

            self.device = CudaEngine(self.quotas, scenario.n_models,
                                     scenario.n_rounds * units + 1)

    def start(self, values: np.ndarray) -> _EngineRun:
        """A run from iteration 0 on the round scores ``values`` (K, M), counters zeroed."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        expected_shape = (self.scenario.n_rounds, self.scenario.n_models)
        if values.shape != expected_shape:
            raise InputError("EngineSession", "values", f"an array of shape {expected_shape}",
                             found_text=f"shape {values.shape}")
        self.counters.clear()
        if self.device is not None:
            self.device.load(values, self.noise)
        return _EngineRun(values, self.quotas, self.scenario, self.tie_break, self.seed,
                          self.counters, self.noise, cluster=self.cluster,
                          device=self.device)

    @contextmanager
    def thread_pool(self) -> Iterator[None]:
        """Run the enclosed engine calls on the session's thread count."""
        previous = numba.get_num_threads()
        numba.set_num_threads(self.threads)
        try:
            yield
        finally:
            numba.set_num_threads(previous)

    @contextmanager
    def engine(self) -> Iterator[None]:
        """Run the enclosed engine calls on the session's threads, or on its Dask cluster.

        With ``settings.dask`` and no client, connects for the duration (starting and closing a
        LocalCluster for ``local:N``); results made inside keep the cluster's info.
        """
        address = self.settings.dask
        if self.cluster is not None or address is None:
            with self.thread_pool():
                yield
            return
        with connect(address) as client, self.thread_pool():
            self.cluster = DaskEngine(client)
            try:
                yield
            finally:
                self.cluster.active = False   # results made inside replay locally from now
                self.cluster = None

    @property
    def distributed(self) -> bool:
        """Whether runs go to a Dask cluster (a client, or an address to connect to)."""
        return self.cluster is not None or self.settings.dask is not None

    def run(self, values: np.ndarray, iterations: int) -> SimulationResult:
        """Simulate ``iterations`` tournaments on the round scores ``values``, shape (K, M).

        The result's ``scenario`` is the session's, whatever ``values`` holds.
        """
        iterations = check_iterations(iterations, "EngineSession.run", "iterations")
        check_engine_iterations(iterations, self.scenario, "EngineSession.run", "iterations")
        run = self.start(values)
        started = time.perf_counter()
        with self.engine():
            run.cluster = self.cluster
            run.advance(iterations, False)
            result = _assemble(run, self.schedules, self.threads,
                               time.perf_counter() - started)
        return result

    def run_many(self, base: np.ndarray, rows: np.ndarray, iterations: int, *,
                 progress: bool = False, desc: str = "") -> list[SimulationResult]:
        """Simulate every matrix ``base[rows[p]]`` (orders, replicates) on the Dask cluster.

        All matrices go out as one batch of tasks (:func:`swisssim.engine.distributed.plan_tasks`),
        so many short runs still make tasks of seconds. Each result equals ``run(base[rows[p]],
        iterations)`` bit for bit. Local sessions (no cluster) should loop over :meth:`run`.
        """
        iterations = check_iterations(iterations, "EngineSession.run_many", "iterations")
        started = time.perf_counter()
        with self.engine():
            if self.cluster is None:
                return [self.run(np.asarray(base)[row], iterations) for row in rows]
            probe = self.start(np.asarray(base)[rows[0]])
            parts = self.cluster.counters(probe.inputs(base, rows), 0, iterations,
                                          progress=progress, desc=desc)
            wall = (time.perf_counter() - started) / max(1, len(parts))
            results = []
            for row, part in zip(rows, parts):
                run = _EngineRun(np.ascontiguousarray(np.asarray(base)[row], np.float64),
                                 self.quotas, self.scenario, self.tie_break, self.seed, part,
                                 self.noise, done=iterations, cluster=self.cluster)
                results.append(_assemble(run, self.schedules, self.threads, wall))
            return results


__all__ = ["simulate", "SimulationResult", "AdaptiveResult", "StoppingRecord", "EngineSession",
           "Settings", "TARGETS", "check_target", "difference_se_max", "next_checkpoint",
           "check_target_se", "std_error_max", "resolve_threads", "check_engine_iterations",
           "chunk_iterations", "estimated_seconds", "next_chunk", "max_engine_iterations"]
