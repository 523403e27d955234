"""The Monte Carlo driver: runs the engine over iterations and schedules, returns a result.

One call simulates every elimination schedule with **common random numbers**: round k of iteration
i uses the same random stream under every schedule, so differences between schedules are measured
on paired tournaments (Liu et al., arXiv:2512.21010, Failure Sensitivity Analysis). Results depend
only on the seed and the iteration count, never on the thread count or the chunking.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from . import _engine
from ._rng import seed_key
from .errors import InputError
from .results import SimulationResult
from .rounds import round_scores
from .scenario import (TIE_BREAKS, Scenario, check_iterations, check_seed, _choice)
from .schedules import Schedule, parse_schedules

#: Iterations per engine call when a progress bar is shown (results do not depend on it).
PROGRESS_CHUNK = 5_000


@dataclass
class Counters:
    """Integer Monte Carlo counters, one slice per thread block (summed exactly at the end)."""

    score_sum: np.ndarray
    score_cross: np.ndarray
    rank_counts: np.ndarray
    elim_counts: np.ndarray

    @classmethod
    def zeros(cls, blocks: int, n_schedules: int, n_models: int, n_rounds: int) -> Counters:
        s, m = n_schedules, n_models
        return cls(np.zeros((blocks, s, m), np.int64), np.zeros((blocks, s, s, m), np.int64),
                   np.zeros((blocks, s, m, m), np.int64),
                   np.zeros((blocks, s, m, n_rounds + 1), np.int64))

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        cross = self.score_cross.sum(axis=0)
        upper = np.triu_indices(cross.shape[0], 1)
        cross[upper[1], upper[0]] = cross[upper]  # the kernel fills s <= t only
        return (self.score_sum.sum(axis=0), cross, self.rank_counts.sum(axis=0),
                self.elim_counts.sum(axis=0))


def resolve_threads(threads: int | None, source: str = "--threads") -> int:
    """Validate a thread count against numba's pool (``NUMBA_NUM_THREADS``)."""
    available = numba.config.NUMBA_NUM_THREADS
    if threads is None:
        return available
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= available:
        raise InputError(source, "", f"an integer from 1 to {available} (NUMBA_NUM_THREADS)",
                         threads)
    return threads


def simulate(
    scenario: Scenario,
    *,
    iterations: int | None = None,
    seed: int | None = None,
    elimination: Sequence[Any] | None = None,
    tie_break: str | None = None,
    threads: int | None = None,
    progress: bool = False,
) -> SimulationResult:
    """Run the CSD Monte Carlo on a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`~swisssim.scenario.Scenario`.
    iterations, seed, tie_break
        Override the scenario's ``[simulation]`` settings.
    elimination
        Schedules (ints, per-round lists, ``"p%"`` strings or :class:`Schedule` objects);
        default: the scenario's.
    threads
        Worker threads (default: all of numba's); results are identical for any value.
    progress
        Show a tqdm progress bar on stderr.

    Returns
    -------
    SimulationResult
        Expected win scores with standard errors, rank distributions and survival, per schedule.

    Notes
    -----
    Ties, byes and eliminations follow ``docs/csd-method.md``: equal round scores are a fair coin
    (or a draw), the odd model out of a score group gets a bye worth ``bye_points``, and the
    elimination tie-break is ``random`` or ``index`` (earliest listed model first). The last active
    model is never eliminated.
    """
    settings = scenario.simulation
    iterations = check_iterations(settings.iterations if iterations is None else iterations,
                                  "simulate", "iterations")
    seed = check_seed(settings.seed if seed is None else seed, "simulate", "seed")
    tie_break = _choice(settings.tie_break if tie_break is None else tie_break, TIE_BREAKS,
                        "simulate", "tie_break")
    schedules = _schedules(scenario, elimination)
    threads = resolve_threads(threads)
    quotas = np.stack([s.quotas(scenario.n_models) for s in schedules]).astype(np.int64)
    values = round_scores(scenario)
    counters = Counters.zeros(threads, len(schedules), scenario.n_models, scenario.n_rounds)
    run = _EngineRun(values, quotas, scenario, tie_break, seed, counters)
    started = time.perf_counter()
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        run.advance(iterations, progress)
    finally:
        numba.set_num_threads(previous_threads)
    wall = time.perf_counter() - started
    score_sum, score_cross, rank_counts, elim_counts = counters.totals()
    units = int(_engine.units_per_point(scenario.scoring.ties == "draw",
                                        int(round(2 * scenario.simulation.bye_points))))
    return SimulationResult(scenario=scenario, schedules=schedules, quotas=quotas,
                            iterations=iterations, seed=seed, tie_break=tie_break,
                            threads=threads, score_sum=score_sum, score_cross=score_cross,
                            rank_counts=rank_counts, elim_counts=elim_counts, wall_time=wall,
                            units_per_point=units)


def _schedules(scenario: Scenario, elimination: Sequence[Any] | None) -> tuple[Schedule, ...]:
    if elimination is None:
        return scenario.simulation.elimination or parse_schedules(
            [0, 1, 2], scenario.n_rounds, "simulate", "elimination")
    if all(isinstance(e, Schedule) for e in elimination):
        return tuple(elimination)
    return parse_schedules(list(elimination), scenario.n_rounds, "--elimination", "")


@dataclass
class _EngineRun:
    """Feeds iterations to the parallel kernel in chunks, so a run can be extended."""

    values: np.ndarray
    quotas: np.ndarray
    scenario: Scenario
    tie_break: str
    seed: int
    counters: Counters
    done: int = 0

    def advance(self, iterations: int, progress: bool) -> None:
        """Run iterations ``done .. done + iterations - 1``."""
        from tqdm import tqdm

        stop = self.done + iterations
        chunk = PROGRESS_CHUNK if progress else iterations
        with tqdm(total=iterations, unit="it", file=sys.stderr, disable=None if progress else True,
                  desc=self.scenario.name, leave=False) as bar:
            while self.done < stop:
                upto = min(stop, self.done + chunk)
                self._call(self.done, upto)
                bar.update(upto - self.done)
                self.done = upto

    def _call(self, first: int, stop: int) -> None:
        c = self.counters
        _engine.simulate_blocks(
            seed_key(self.seed), first, stop, self.values, self.quotas,
            self.scenario.scoring.ties == "draw", int(round(2 * self.scenario.simulation.bye_points)),
            self.tie_break == "random", c.score_sum, c.score_cross, c.rank_counts, c.elim_counts)


def confidence_z(level: float = 0.95) -> float:
    """Two-sided normal quantile for a confidence level (1.959964 for 95%)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


__all__ = ["simulate", "SimulationResult", "resolve_threads", "confidence_z"]
