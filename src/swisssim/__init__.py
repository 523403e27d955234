"""swisssim: Competitive Swiss-System Dynamics for ranking competitors across ordered benchmarks.

Implements the method of J. Liu et al., "LLM Swiss Round: Aggregating Multi-Benchmark Performance
via Competitive Swiss-System Dynamics", arXiv:2512.21010 (2025): benchmarks are the rounds of a
Swiss-system tournament, models are paired within groups of equal win count, the bottom T_k models
are eliminated after each round, and a Monte Carlo over pairings gives each model's Expected Win
Score.
"""

from __future__ import annotations

from swisssim._version import __version__  # noqa: E402, F401
from swisssim.data.rounds import round_scores, win_tensor  # noqa: E402
from swisssim.data.scenario import (  # noqa: E402
    Round,
    Scenario,
    Scoring,
    SimulationSettings,
    load_scenario,
)
from swisssim.data.schedules import Schedule, parse_schedule  # noqa: E402
from swisssim.engine.results import SimulationResult  # noqa: E402
from swisssim.engine.simulation import simulate  # noqa: E402
from swisssim.errors import InputError  # noqa: E402

__all__ = [
    "InputError",
    "Round",
    "Scenario",
    "Schedule",
    "Scoring",
    "SimulationResult",
    "SimulationSettings",
    "load_scenario",
    "parse_schedule",
    "round_scores",
    "simulate",
    "win_tensor",
]
