"""One home for validating values: every check raises :class:`~swisssim.errors.InputError`.

Each check takes the ``source`` and ``field`` to name in its message. The Python API passes the
function or class and the argument (``"Settings", "iterations"``); the command line passes the
flag (``"--iterations", ""``), or renames an API error with :meth:`InputError.renamed`. numpy
integer and floating scalars are accepted wherever Python ones are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from swisssim.errors import InputError

#: Seeds are 64-bit (the random streams are keyed by a 64-bit integer).
MAX_SEED = 2**64 - 1
#: Iteration indices are signed 64-bit integers in the engine; this cap keeps every
#: per-(iteration, round) stream index and every counter far from overflow.
MAX_ITERATIONS = 2**40


def is_integer(value: Any) -> bool:
    """A Python or numpy integer, not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A Python or numpy real number (integers included), not a bool."""
    return isinstance(value, Real) and not isinstance(value, bool)


def integer(value: Any, source: str, field: str, *, low: int | None = None,
            high: int | None = None, expected: str | None = None) -> int:
    """An integer in ``[low, high]`` (either bound optional), returned as a Python int."""
    if not is_integer(value) or (low is not None and value < low) or (
            high is not None and value > high):
        if expected is None:
            if low is not None and high is not None:
                expected = f"an integer from {low} to {high}"
            elif low is not None:
                expected = "a positive integer" if low == 1 else f"an integer >= {low}"
            else:
                expected = "an integer"
        raise InputError(source, field, expected, value)
    return int(value)


def number(value: Any, source: str, field: str, *, positive: bool = False,
           expected: str | None = None) -> float:
    """A finite real number (``> 0`` when ``positive``), returned as a Python float."""
    if not is_number(value) or not math.isfinite(float(value)) or (positive and value <= 0):
        raise InputError(source, field, expected or (
            "a finite number > 0" if positive else "a finite number"), value)
    return float(value)


def choice(value: Any, allowed: Sequence[str], source: str, field: str) -> str:
    """One of the strings ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise InputError(source, field, "one of " + ", ".join(repr(a) for a in allowed), value)
    return value


def flag(value: Any, source: str, field: str) -> bool:
    """``True`` or ``False`` (numpy bools included)."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise InputError(source, field, "true or false", value)
    return bool(value)


def check_iterations(value: Any, source: str, field: str) -> int:
    """A positive number of Monte Carlo iterations, at most :data:`MAX_ITERATIONS`."""
    return integer(value, source, field, low=1, high=MAX_ITERATIONS,
                   expected=f"a positive integer up to 2**40 ({MAX_ITERATIONS:,})")


def check_seed(value: Any, source: str, field: str) -> int:
    """A seed: an integer in [0, 2**64)."""
    return integer(value, source, field, low=0, high=MAX_SEED,
                   expected="an integer from 0 to 2**64 - 1")


#: ``local:N`` or ``[scheme://]host:port`` (host: a name, an IPv4 address or ``[IPv6]``).
_DASK_ADDRESS = re.compile(r"local:[1-9][0-9]{0,3}|([a-z][a-z0-9+.-]*://)?"
                           r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):[0-9]{1,5}")


def check_dask_address(value: Any, source: str, field: str) -> str:
    """A Dask scheduler address (``tcp://host:8786``, ``host:8786``) or ``local:N``, N >= 1."""
    if not isinstance(value, str) or not _DASK_ADDRESS.fullmatch(value):
        raise InputError(source, field, "a Dask scheduler address such as tcp://host:8786, or "
                         "local:N for a LocalCluster of N worker processes", value)
    return value


def check_replicates(value: Any, source: str, field: str) -> int:
    """A positive number of bootstrap replicates."""
    return integer(value, source, field, low=1, expected="an integer >= 1 (bootstrap replicates)")


def check_samples(value: Any, source: str, field: str) -> int:
    """A positive number of round orders."""
    return integer(value, source, field, low=1, expected="a positive integer number of orders")


def check_top_k(value: Any, n_models: int, source: str, field: str) -> int:
    """The ``k`` of "top k": an integer from 1 to the number of models."""
    return integer(value, source, field, low=1, high=n_models,
                   expected=f"an integer from 1 to {n_models} (the number of models)")


def check_z(value: Any, source: str, field: str) -> float:
    """The significance threshold of the risk-profile labels: a positive finite number."""
    return number(value, source, field, positive=True,
                  expected="a positive finite number such as 1.96")


def check_target_se(value: Any, source: str, field: str) -> float:
    """A target standard error: a finite number > 0."""
    return number(value, source, field, positive=True, expected="a finite number > 0 (points)")


def check_dpi(value: Any, source: str, field: str) -> int:
    """A figure resolution: an integer from 20 to 1200 dots per inch."""
    return integer(value, source, field, low=20, high=1200)


#: Environment variable that overrides the memory a single request may ask for (bytes, or a
#: number with a unit: ``64GiB``, ``500MB``); default: the machine's physical memory.
MEMORY_LIMIT_ENV = "SWISSSIM_MEMORY_LIMIT"
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10,
          "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def memory_limit() -> int:
    """The most bytes one request may allocate: ``$SWISSSIM_MEMORY_LIMIT``, else the machine's
    physical memory (a request beyond it could only end in a ``MemoryError`` or swapping)."""
    import os

    text = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if text:
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)", text)
        if match is None or match.group(2).upper() not in _UNITS:
            raise InputError(MEMORY_LIMIT_ENV, "", "a number of bytes such as 68719476736 or "
                             "64GiB", text)
        return int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 2**36


def format_bytes(count: float) -> str:
    """``count`` bytes in a readable unit (``3.2 GiB``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} PiB"


def check_memory(needed: float, source: str, field: str, what: str) -> None:
    """Refuse, before anything is computed, a request whose arrays need more than
    :func:`memory_limit` bytes.

    ``what`` says what the memory holds (``"the engine's counters for 6,000 schedules x 29
    models"``); the message gives the estimate, the limit and how to change it.
    """
    limit = memory_limit()
    if needed > limit:
        raise InputError(source, field, f"a request that fits in memory (at most "
                         f"{format_bytes(limit)}; set {MEMORY_LIMIT_ENV} to change the limit)",
                         found_text=f"{what}: about {format_bytes(needed)}")
