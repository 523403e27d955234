"""Playing tournaments on the CPU: :func:`play_on_cpu` and :func:`replay_on_cpu` are the CPU
backend's calls of the parallel kernels, through their compiled entry points
(:mod:`swisssim.engine.dispatch`).

What is played, :class:`Rules` and :class:`Tournaments` (plain values), lives in
:mod:`swisssim.engine.spec`, which does not import numba; they are re-exported here.
"""

from __future__ import annotations

import numba
import numpy as np

from swisssim.engine import kernels
from swisssim.engine.counters import Counters, RankWindows
from swisssim.engine.dispatch import RULE_ARGS, Specialised
from swisssim.engine.spec import NO_NOISE, Rules, Tournaments, scenario_units

#: The parallel kernels, called through their compiled entry points.
_SIMULATE = Specialised(kernels.simulate_blocks, RULE_ARGS)
_REPLAY = Specialised(kernels.rank_window_blocks, RULE_ARGS)


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
