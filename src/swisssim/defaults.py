"""Named defaults and choices that the command line shows in ``--help``.

They are defined here, in a module that imports nothing heavy, so that ``swisssim --help`` builds
every parser without loading numpy, numba, pandas or matplotlib
(``benchmarks/bench_startup.py``; ``tests/test_cli.py`` checks which modules it loads). The
library modules that use them import them from here, so each value has one home; the library
modules re-export them under their old names (``swisssim.analysis.baselines.ELO_K``).
"""

from __future__ import annotations

from statistics import NormalDist

#: The backends a :class:`~swisssim.engine.settings.Settings` may name
#: (:mod:`swisssim.engine.backends`).
BACKENDS = ("cpu", "cuda")
#: Missing-score policies of a scenario (:mod:`swisssim.data.scenario`).
MISSING_POLICIES = ("error", "lose", "skip", "drop")
#: Who is eliminated among tied models at the cut (:mod:`swisssim.data.scenario`).
TIE_BREAKS = ("random", "index")
#: What an adaptive run's ``target_se`` bounds: the largest SE of an expected score, or the
#: largest paired SE of a difference between two schedules (per model; includes the drop that
#: the risk labels test, docs/method.md section 7.1) (:mod:`swisssim.engine.simulation`).
TARGETS = ("score", "drop")
#: The two-sided 95 % normal quantile, the default ``z`` of the risk labels.
Z95 = NormalDist().inv_cdf(0.975)
#: Schedules a sweep plays unless told otherwise, like the paper (:mod:`swisssim.analysis.sweep`).
DEFAULT_SCHEDULES: tuple[int, ...] = (0, 1, 2)
#: Replicates of a bootstrap when ``--bootstrap`` is given without a number
#: (:mod:`swisssim.analysis.bootstrap`).
DEFAULT_REPLICATES = 1000
#: Iterations per order unless told otherwise (each order is a full simulation)
#: (:mod:`swisssim.analysis.orders`).
ORDERS_ITERATIONS = 10_000
#: Default number of evaluated orders (:mod:`swisssim.analysis.orders`).
DEFAULT_SAMPLES = 500
#: Default Elo settings: random match orders averaged and K-factor
#: (:mod:`swisssim.analysis.baselines`).
ELO_ORDERS = 200
ELO_K = 16.0
#: Most Elo orders a comparison may ask for (:mod:`swisssim.analysis.baselines`).
MAX_ELO_ORDERS = 100_000
