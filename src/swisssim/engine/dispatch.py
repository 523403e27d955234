"""Call the engine's numba kernels through their compiled entry points.

Every engine kernel takes the four rule flags of :class:`swisssim.engine.tournaments.Rules` at
the argument positions :data:`RULE_FLAGS`. They are run-time values: one compilation (cached by
numba) serves every rule combination. :data:`RULE_ARGS` names the flags compiled as constants
instead (literal argument types, one specialisation per combination of their values, the other
rules' branches removed from the hot loop); it is empty because the constants do not pay for
their compile cost. ``benchmarks/bench_literal_flags.py`` measures both sides on this
project's 2-core machine (one thread, CPU time, numba 0.68): each specialisation compiles in
about 8 s; with the flags at run time instead of all four literal the paper's shape, probabilistic
wins and a 1,000 x 50 field run 0-3% slower and a field of many equal scores with draws and
half-point byes about 20% slower (2.65 s against 2.20 s). With literal flags the test suite and
every user who varies a rule would compile up to 24 variants of each kernel.

numba's own way of calling a kernel, its dispatcher, types the arguments again on every call
(with ``numba.literally`` in the kernel: about 7 ms per call on this machine,
``benchmarks/bench_fixed_cost.py``), paid by every bootstrap replicate, round order and chunk.
A :class:`Specialised` kernel compiles (or loads from numba's cache) the signature of a call
once, then calls the compiled entry point directly: a few microseconds.

The entry point does not check its arguments' types, so the key of a call records each array's
dtype, dimensions, layout, alignment and writeability and each scalar's type (and the values at
the literal positions); a call with new types compiles (or loads) its own specialisation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numba import types
from numba.core.typing.typeof import Purpose, typeof

#: Positions of the rule flags ``draw_ties, bye_units, random_ties, noisy`` in the engine's
#: kernels (``kernels.simulate_blocks``, ``kernels.rank_window_blocks`` and the Dask workers'
#: ``distributed._range_counters``, ``distributed._range_windows``).
RULE_FLAGS = (6, 7, 8, 9)
#: The rule flags compiled as constants (argument positions, a subset of :data:`RULE_FLAGS`):
#: none (see the module notes; ``benchmarks/bench_literal_flags.py`` rewrites this line to compare).
RULE_ARGS = ()


def _kind(value: Any) -> Any:
    """What decides the compiled signature of an argument, cheaply (no numba typing)."""
    if isinstance(value, np.ndarray):
        flags = value.flags
        return (value.dtype.str, value.ndim, flags.c_contiguous, flags.f_contiguous,
                flags.writeable, flags.aligned)
    return type(value)


class Specialised:
    """A numba kernel called through its compiled entry points (literal values at ``literal``).

    Parameters
    ----------
    dispatcher
        A ``numba.njit`` function (``cache=True`` keeps its specialisations between processes).
    literal
        Positions of the arguments compiled as constants (their values are part of the
        signature: one specialisation per combination).
    """

    def __init__(self, dispatcher: Any, literal: Sequence[int] = RULE_ARGS) -> None:
        self.dispatcher = dispatcher
        self.literal = tuple(literal)
        self._entries: dict[tuple, Callable[..., Any]] = {}

    def __call__(self, *args: Any) -> Any:
        key = tuple(_kind(a) for a in args) + tuple(args[i] for i in self.literal)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = self.compile(args)
        return entry(*args)

    def signature(self, args: Sequence[Any]) -> tuple:
        """numba's argument types of ``args``, with literal types at :attr:`literal`."""
        signature = [typeof(a, Purpose.argument) for a in args]
        for i in self.literal:
            signature[i] = types.literal(args[i])
        return tuple(signature)

    def compile(self, args: Sequence[Any]) -> Callable[..., Any]:
        """The compiled entry point of ``args``'s specialisation (compiled or loaded now); the
        plain function itself under ``NUMBA_DISABLE_JIT=1`` (coverage of the kernels)."""
        if not hasattr(self.dispatcher, "overloads"):
            return self.dispatcher
        signature = self.signature(args)
        self.dispatcher.compile(signature)
        return self.dispatcher.overloads[signature].entry_point


__all__ = ["RULE_ARGS", "RULE_FLAGS", "Specialised"]
