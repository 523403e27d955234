"""What the engine plays: the rules of a tournament and the tournaments of one run.

:class:`Rules` names the four rule flags every kernel takes (``docs/method.md`` section 2);
:class:`Tournaments` holds everything that decides a run's tournaments (the seed's key, the round
scores, the score noise, the quotas and the rules). It is a plain value: a result keeps it to
replay its ranks exactly on the CPU (:func:`replay_on_cpu`) without a reference to the session or
the backend that played it. :func:`play_on_cpu` and :func:`replay_on_cpu` are the CPU backend's
calls of the parallel kernels, through their compiled entry points
(:mod:`swisssim.engine.dispatch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from swisssim.data.scenario import Scenario
from swisssim.engine import kernels
from swisssim.engine.counters import Counters, RankWindows
from swisssim.engine.dispatch import RULE_ARGS, Specialised

#: The parallel kernels, called through their compiled entry points.
_SIMULATE = Specialised(kernels.simulate_blocks, RULE_ARGS)
_REPLAY = Specialised(kernels.rank_window_blocks, RULE_ARGS)
#: No score noise: what the kernels take when ``noisy`` is false (never read).
NO_NOISE = np.zeros((0, 0))


class Rules(NamedTuple):
    """The rule flags of the kernels, in their order (``docs/method.md`` section 2).

    Attributes
    ----------
    draw_ties
        Equal round scores are a draw (one unit each) instead of a coin flip.
    bye_units
        Points of a bye in half points: 0, 1 or 2.
    random_ties
        Ties at an elimination cut are broken at random (else: earliest listed model first).
    noisy
        Probabilistic wins: round scores are perturbed by the score errors.
    """

    draw_ties: bool
    bye_units: int
    random_ties: bool
    noisy: bool

    @classmethod
    def of(cls, scenario: Scenario, tie_break: str = "random",
           noise: np.ndarray | None = None) -> Rules:
        """The rules of ``scenario`` with a tie-break and the score noise (``None``: none)."""
        return cls(bool(scenario.scoring.ties == "draw"),
                   round(2 * scenario.simulation.bye_points),
                   bool(tie_break == "random"),
                   noise is not None and bool(np.any(noise)))

    @property
    def units_per_point(self) -> int:
        """Score units per point (the one definition: :func:`kernels.units_per_point`)."""
        return int(kernels.units_per_point(self.draw_ties, self.bye_units))

    def n_values(self, n_rounds: int) -> int:
        """Score values a model can end with: ``K * units_per_point + 1``."""
        return n_rounds * self.units_per_point + 1


def scenario_units(scenario: Scenario) -> int:
    """Score units per point of a scenario's rules (tie-break and noise do not change them)."""
    return Rules.of(scenario).units_per_point


@dataclass(frozen=True, eq=False)
class Tournaments:
    """Everything that decides a run's tournaments; iteration ``i`` is the same wherever played.

    Attributes
    ----------
    key
        The seed's stream key (:func:`swisssim.engine.rng.seed_key`).
    values
        Round scores (K, M), float64, C order.
    noise
        Score noise (K, M), or :data:`NO_NOISE` when ``rules.noisy`` is false.
    quotas
        Effective eliminations (S, K), int64.
    rules
        The rule flags.
    """

    key: np.uint64
    values: np.ndarray
    noise: np.ndarray
    quotas: np.ndarray
    rules: Rules

    @classmethod
    def of(cls, key: np.uint64, values: np.ndarray, noise: np.ndarray | None,
           quotas: np.ndarray, rules: Rules) -> Tournaments:
        """Arrays made contiguous and typed as the kernels take them."""
        return cls(np.uint64(key), np.ascontiguousarray(values, np.float64),
                   np.ascontiguousarray(noise, np.float64) if rules.noisy and noise is not None
                   else NO_NOISE, np.ascontiguousarray(quotas, np.int64), rules)

    @property
    def n_values(self) -> int:
        return self.rules.n_values(self.values.shape[0])

    def with_values(self, values: np.ndarray) -> Tournaments:
        """The same tournaments on other round scores (another order, a replicate)."""
        return Tournaments(self.key, np.ascontiguousarray(values, np.float64), self.noise,
                           self.quotas, self.rules)


def play_on_cpu(t: Tournaments, first: int, stop: int, counters: Counters) -> None:
    """Add iterations ``first .. stop - 1`` into ``counters``, one block per leading index,
    on numba's threads (the count set by the caller)."""
    c = counters
    _SIMULATE(t.key, first, stop, t.values, t.noise, t.quotas, *t.rules, c.score_sum,
              c.score_cross, c.score_counts, c.elim_counts, c.above_bounds)


def replay_on_cpu(t: Tournaments, iterations: int, windows: RankWindows,
                  threads: int) -> np.ndarray:
    """Replay iterations ``0 .. iterations - 1`` and count ranks in ``windows``: (S, M, columns).

    Needed only when a score value's rank varies between tournaments (draws; docs/method.md
    section 5.4). The replay draws the same streams, so it sees the same tournaments; it needs
    O(threads x S x M x windows.columns) memory.
    """
    n_schedules, n_models = t.quotas.shape[0], t.values.shape[1]
    window = np.zeros((threads, n_schedules, n_models, windows.columns), np.int64)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        _REPLAY(t.key, 0, iterations, t.values, t.noise, t.quotas, *t.rules, windows.low,
                windows.offset, window)
    finally:
        numba.set_num_threads(previous)
    return window.sum(axis=0)


__all__ = ["NO_NOISE", "Rules", "Tournaments", "play_on_cpu", "replay_on_cpu",
           "scenario_units"]
