"""What the engine plays, as values: the rules of a tournament and the tournaments of one run.

:class:`Rules` names the four rule flags every kernel takes (``docs/method.md`` section 2);
:class:`Tournaments` holds everything that decides a run's tournaments (the seed's key, the round
scores, the score noise, the quotas and the rules). They are plain values: a result keeps its
tournaments to replay its ranks exactly on the CPU
(:func:`swisssim.engine.tournaments.replay_on_cpu`) without a reference to the session or the
backend that played it. This module does not import numba, so a result can be read (or
unpickled, as a figure worker does: :mod:`swisssim.io.figures`) without loading the kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from swisssim.data.scenario import Scenario

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
        from swisssim.engine import kernels  # numba: only when asked

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
