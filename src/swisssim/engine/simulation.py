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
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from typing import Any, Unpack

import numpy as np

from swisssim.data.rounds import round_noise, round_scores
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.defaults import TARGETS
from swisssim.engine.backends import Backend, make_backend
from swisssim.engine.counters import Counters, rank_windows, ranks_determined, ranks_from_windows
from swisssim.engine.results import SimulationResult
from swisssim.engine.rng import seed_key
from swisssim.engine.settings import Settings, SettingsFields, resolve_threads
from swisssim.engine.tournaments import Rules, Tournaments, scenario_units
from swisssim.errors import InputError
from swisssim.validation import (
    MAX_ITERATIONS,
    check_iterations,
    check_target_se,
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
    checked = iterations if target_se is None else max_iterations
    assert checked is not None   # resolved above
    check_engine_iterations(checked, scenario,
                            "simulate", "iterations" if target_se is None else "max_iterations")
    progress = settings.progress
    session = EngineSession(scenario, settings)
    if target_se is not None and target == "drop" and len(session.schedules) < 2:
        raise InputError("simulate", "target", "two or more schedules for target 'drop' (the "
                         "paired SE of a difference between schedules)",
                         found_text=f"{len(session.schedules)} schedule")
    run = session.start(round_scores(scenario))
    stopping = None
    with session.engine():
        loading = time.perf_counter()
        run.load()
        started = time.perf_counter()
        if target_se is None:
            assert iterations is not None
            run.advance(iterations, progress)
        else:
            measure = std_error_max if target == "score" else difference_se_max
            assert max_iterations is not None
            stopping = _advance_to_target(
                run, target_se, max_iterations, progress,
                lambda: measure(_assemble(run, session, 0.0)), target)
        result = _assemble(run, session, time.perf_counter() - started,
                           load_time=started - loading, replay=True)
    if stopping is None:
        return result
    return AdaptiveResult(**{f.name: getattr(result, f.name) for f in fields(result)},
                          stopping=stopping)


def _assemble(run: _EngineRun, session: EngineSession, wall: float, load_time: float = 0.0,
              replay: bool = False) -> SimulationResult:
    """The result of the iterations ``run`` has done so far.

    With ``replay``, ranks that vary between tournaments (draws) are replayed now, on the
    session's backend; otherwise a result replays them on the CPU when first asked.
    """
    score_sum, score_cross, score_counts, elim_counts, above_bounds = run.counters.totals()
    known = None
    if replay and not ranks_determined(above_bounds):
        windows = rank_windows(above_bounds, run.scenario.n_models)
        known = ranks_from_windows(run.backend.replay(run.tournaments, run.done, windows),
                                   windows)
    return SimulationResult(scenario=run.scenario, schedules=session.schedules,
                            quotas=session.quotas, iterations=run.done, seed=session.seed,
                            tie_break=session.tie_break, threads=session.threads,
                            score_sum=score_sum, score_cross=score_cross,
                            score_counts=score_counts, above_bounds=above_bounds,
                            elim_counts=elim_counts, wall_time=wall,
                            units_per_point=session.rules.units_per_point,
                            probabilistic_wins=session.noise is not None,
                            tournaments=run.tournaments, load_time=load_time,
                            cluster=run.backend.cluster(), known_ranks=known,
                            backend=run.backend.describe())


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
    """Feeds iterations of one run to the session's backend in chunks, so a run can be extended."""

    scenario: Scenario
    tournaments: Tournaments
    counters: Counters
    backend: Backend
    done: int = 0

    def advance(self, iterations: int, progress: bool) -> None:
        """Run iterations ``done .. done + iterations - 1``, in chunks (:func:`chunk_iterations`).

        The backend may fix its chunk (:attr:`Backend.chunk`); otherwise the first chunk is sized
        by the work per iteration and the next ones by the measured speed (:func:`next_chunk`,
        about :data:`CHUNK_SECONDS` each). Between chunks the interpreter runs, so a pending
        SIGINT or SIGTERM interrupts the run there (``KeyboardInterrupt`` or the command line's
        handler); results do not depend on the chunking.
        """
        from tqdm import tqdm

        stop = self.done + iterations
        fixed = self.backend.chunk
        chunk = fixed if fixed is not None else chunk_iterations(
            self.scenario.n_models, self.scenario.n_rounds, self.tournaments.quotas.shape[0])
        own = self.backend.own_progress
        with tqdm(total=iterations, unit="it", file=sys.stderr,
                  disable=None if progress and not own else True,
                  desc=self.scenario.name, leave=False) as bar:
            while self.done < stop:
                upto = min(stop, self.done + chunk)
                started = time.perf_counter()
                self.backend.play(self.tournaments, self.done, upto, self.counters,
                                  progress=progress and own, desc=self.scenario.name)
                if fixed is None:
                    chunk = next_chunk(upto - self.done, time.perf_counter() - started)
                bar.update(upto - self.done)
                self.done = upto

    def load(self) -> None:
        """Load the tournaments and the kernel of this run's rules without simulating anything.

        :func:`simulate` calls it before starting its clock, so ``wall_time`` measures the
        simulation and ``load_time`` the one-off cost of loading compiled code into a process.
        """
        self.backend.load(self.tournaments)


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
    limit = max_engine_iterations(scenario.n_rounds, scenario_units(scenario))
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
    :data:`CHUNK_SECONDS`, at most 16 times and at least half the last chunk (each call starts a
    parallel region, so few calls matter; the dispatch itself costs about 0.1 ms,
    ``benchmarks/bench_fixed_cost.py``)."""
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
    The session builds its :class:`~swisssim.engine.backends.Backend` once
    (:func:`~swisssim.engine.backends.make_backend`: CPU threads, a CUDA device or a Dask
    cluster); nothing here depends on which. Every backend fills the same integer counters, so
    the totals, hence every result, are the same.
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
        self.rules = Rules.of(scenario, self.tie_break, self.noise)
        n_values = self.rules.n_values(scenario.n_rounds)
        #: Where the tournaments are played (engine/backends.py), chosen once.
        self.backend = make_backend(settings, self.quotas, scenario.n_models, n_values,
                                    self.threads)
        self.counters = Counters.zeros(self.backend.blocks, len(self.schedules),
                                       scenario.n_models, scenario.n_rounds, n_values)

    def start(self, values: np.ndarray) -> _EngineRun:
        """A run from iteration 0 on the round scores ``values`` (K, M), counters zeroed."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        expected_shape = (self.scenario.n_rounds, self.scenario.n_models)
        if values.shape != expected_shape:
            raise InputError("EngineSession", "values", f"an array of shape {expected_shape}",
                             found_text=f"shape {values.shape}")
        self.counters.clear()
        tournaments = Tournaments.of(seed_key(self.seed), values, self.noise, self.quotas,
                                     self.rules)
        return _EngineRun(self.scenario, tournaments, self.counters, self.backend)

    def engine(self) -> AbstractContextManager[None]:
        """Hold what the backend needs for the enclosed engine calls: the session's threads, or
        a connection to ``settings.dask`` (a LocalCluster for ``local:N``, started and closed).
        """
        return self.backend.opened()

    @property
    def distributed(self) -> bool:
        """Whether analyses of many matrices should hand them over in one batch
        (:meth:`run_many`): the backend plays them as one batch of tasks."""
        return self.backend.batches

    def run(self, values: np.ndarray, iterations: int) -> SimulationResult:
        """Simulate ``iterations`` tournaments on the round scores ``values``, shape (K, M).

        The result's ``scenario`` is the session's, whatever ``values`` holds.
        """
        iterations = check_iterations(iterations, "EngineSession.run", "iterations")
        check_engine_iterations(iterations, self.scenario, "EngineSession.run", "iterations")
        run = self.start(values)
        with self.engine():
            run.load()
            started = time.perf_counter()
            run.advance(iterations, False)
            return _assemble(run, self, time.perf_counter() - started)

    def run_many(self, base: np.ndarray, rows: np.ndarray, iterations: int, *,
                 progress: bool = False, desc: str = "") -> list[SimulationResult]:
        """Simulate every matrix ``base[rows[p]]`` (orders, replicates).

        A backend that :attr:`distributed` plays them as one batch of tasks
        (:func:`swisssim.engine.distributed.plan_tasks`), so many short runs still make tasks
        of seconds; others play them one after another. Each result equals
        ``run(base[rows[p]], iterations)`` bit for bit.
        """
        iterations = check_iterations(iterations, "EngineSession.run_many", "iterations")
        check_engine_iterations(iterations, self.scenario, "EngineSession.run_many",
                                "iterations")
        base = np.asarray(base)
        probe = self.start(base[rows[0]])
        started = time.perf_counter()
        with self.engine():
            parts = self.backend.play_many(probe.tournaments, base, rows, iterations,
                                           progress=progress, desc=desc)
            wall = (time.perf_counter() - started) / max(1, len(parts))
            results = []
            for row, part in zip(rows, parts):
                run = _EngineRun(self.scenario, probe.tournaments.with_values(base[row]), part,
                                 self.backend, done=iterations)
                results.append(_assemble(run, self, wall))
            return results


__all__ = ["simulate", "SimulationResult", "AdaptiveResult", "StoppingRecord", "EngineSession",
           "Settings", "TARGETS", "check_target", "difference_se_max", "next_checkpoint",
           "check_target_se", "std_error_max", "resolve_threads", "check_engine_iterations",
           "chunk_iterations", "estimated_seconds", "next_chunk", "max_engine_iterations"]
