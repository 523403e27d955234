"""swisssim: Competitive Swiss-System Dynamics for ranking competitors across ordered benchmarks.

Implements the method of J. Liu et al., "LLM Swiss Round: Aggregating Multi-Benchmark Performance
via Competitive Swiss-System Dynamics", arXiv:2512.21010 (2025): benchmarks are the rounds of a
Swiss-system tournament, models are paired within groups of equal win count, the bottom T_k models
are eliminated after each round, and a Monte Carlo over pairings gives each model's Expected Win
Score. The rules and conventions are stated in ``docs/method.md``.

The names below are what a notebook needs; they load on first use, so ``import swisssim`` stays
light. Subpackages, bottom to top: :mod:`swisssim.data`, :mod:`swisssim.engine`,
:mod:`swisssim.analysis`, :mod:`swisssim.plots`, :mod:`swisssim.io`, :mod:`swisssim.report`,
:mod:`swisssim.cli`.

Examples
--------
>>> import swisssim
>>> scenario = swisssim.load_scenario("scenarios/helm_capabilities.toml")  # doctest: +SKIP
>>> result = swisssim.simulate(scenario, iterations=20_000, seed=1)        # doctest: +SKIP
>>> result.to_frame().head()                                               # doctest: +SKIP
"""

from __future__ import annotations

from swisssim._lazy import lazy_namespace
from swisssim._version import __version__
from swisssim.errors import InputError

#: Public name -> the module that defines it (imported on first access).
_EXPORTS = {
    "Round": "swisssim.data.scenario",
    "Scenario": "swisssim.data.scenario",
    "Scoring": "swisssim.data.scenario",
    "SimulationSettings": "swisssim.data.scenario",
    "load_scenario": "swisssim.data.scenario",
    "Schedule": "swisssim.data.schedules",
    "parse_schedule": "swisssim.data.schedules",
    "round_scores": "swisssim.data.rounds",
    "win_tensor": "swisssim.data.rounds",
    "Settings": "swisssim.engine.settings",
    "simulate": "swisssim.engine.simulation",
    "SimulationResult": "swisssim.engine.results",
    "sweep": "swisssim.analysis.sweep",
    "Sweep": "swisssim.analysis.sweep",
    "compare": "swisssim.analysis.compare",
    "Comparison": "swisssim.analysis.compare",
    "METHODS": "swisssim.analysis.compare",
    "evaluate_orders": "swisssim.analysis.orders",
    "OrdersResult": "swisssim.analysis.orders",
    "bootstrap": "swisssim.analysis.bootstrap",
    "BootstrapResult": "swisssim.analysis.bootstrap",
    "perturb": "swisssim.analysis.perturb",
    "PerturbResult": "swisssim.analysis.perturb",
    "competition_ranks": "swisssim.analysis.ranks",
    "build_report": "swisssim.report.model",
    "Report": "swisssim.report.model",
    "write_report": "swisssim.report.writer",
}

__all__ = ["InputError", "__version__", *_EXPORTS]


#: Subpackages (and the examples module) reachable as attributes without an import
#: (``swisssim.plots.risk_profile_figure``).
_SUBPACKAGES = ("data", "engine", "analysis", "plots", "io", "report", "cli", "examples")


__getattr__, __dir__ = lazy_namespace("swisssim", globals(), _EXPORTS, _SUBPACKAGES)
