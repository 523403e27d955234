"""Elimination schedules: how many models leave the tournament after each round.

A schedule is written as an integer ``T`` (the same every round), a list of ``K`` integers (one per
round) or a percentage ``"p%"`` of the models still active before the elimination. The paper's
Failure Sensitivity Analysis sweeps constant ``T`` over {0, 1, 2} (Liu et al., arXiv:2512.21010).

Conventions
-----------
* A percentage eliminates ``floor(p * n_active / 100)`` models, so never more than ``p`` percent.
* The last active model is never eliminated: the effective quota of a round is
  ``min(T_k, n_active - 1)``. Because the number of active models after each round does not depend
  on match outcomes, effective quotas are fixed before any simulation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from swisssim.errors import InputError
from swisssim.validation import is_integer

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


@dataclass(frozen=True)
class Schedule:
    """One elimination schedule.

    Attributes
    ----------
    label
        The schedule as written by the user (``"0"``, ``"2"``, ``"0,1,1,2"``, ``"10%"``); used as
        the ``elimination`` column of every output table.
    n_rounds
        Number of rounds K of the scenario it was parsed for.
    per_round
        Requested quotas per round (length K) for integer schedules, ``None`` for a percentage.
    percent
        The percentage of ``"p%"`` schedules, else ``None``.
    """

    label: str
    n_rounds: int
    per_round: tuple[int, ...] | None = None
    percent: float | None = None

    def quotas(self, n_models: int) -> np.ndarray:
        """Effective number of models eliminated after each round, shape (K,), dtype int64."""
        effective = np.zeros(self.n_rounds, dtype=np.int64)
        active = n_models
        for k in range(self.n_rounds):
            if self.per_round is not None:
                quota = self.per_round[k]
            else:
                assert self.percent is not None   # a schedule is per round or a percentage
                quota = math.floor(float(self.percent) * active / 100.0)
            effective[k] = min(quota, active - 1)
            active -= int(effective[k])
        return effective


def parse_schedule(value: Any, n_rounds: int, source: str, field: str) -> Schedule:
    """Parse one schedule from a TOML value or a command-line word.

    Accepted: a non-negative int; a list of ``n_rounds`` non-negative ints; a string holding an int,
    a comma-separated list of ints, or ``"p%"`` with ``0 <= p < 100``.
    """
    expected = (f"a non-negative integer, a comma-separated list of {n_rounds} non-negative "
                f"integers (one per round) or a percentage such as '10%' (0 <= p < 100)")
    if isinstance(value, bool):
        raise InputError(source, field, expected, value)
    if is_integer(value):
        return _constant(int(value), n_rounds, source, field, expected)
    if isinstance(value, (list, tuple)):
        if not all(is_integer(v) for v in value):
            raise InputError(source, field, expected, value)
        return _per_round([int(v) for v in value], n_rounds, source, field, expected,
                          ",".join(str(v) for v in value))
    if isinstance(value, str):
        text = value.strip()
        match = _PERCENT.match(text)
        if match:
            percent = float(match.group(1))
            if not 0 <= percent < 100:
                raise InputError(source, field, expected, value)
            return Schedule(label=text.replace(" ", ""), n_rounds=n_rounds, percent=percent)
        parts = [p.strip() for p in text.split(",")]
        if not all(re.fullmatch(r"-?\d+", p) for p in parts):
            raise InputError(source, field, expected, value)
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return _constant(numbers[0], n_rounds, source, field, expected)
        return _per_round(numbers, n_rounds, source, field, expected, ",".join(parts))
    raise InputError(source, field, expected, value)


def _constant(value: int, n_rounds: int, source: str, field: str, expected: str) -> Schedule:
    if value < 0:
        raise InputError(source, field, expected, value)
    return Schedule(label=str(value), n_rounds=n_rounds, per_round=(value,) * n_rounds)


def _per_round(values: list[int], n_rounds: int, source: str, field: str, expected: str,
               label: str) -> Schedule:
    if len(values) != n_rounds:
        raise InputError(source, field, expected,
                         found_text=f"a list of {len(values)} values ({label!r})")
    if any(v < 0 for v in values):
        raise InputError(source, field, expected, label)
    return Schedule(label=label, n_rounds=n_rounds, per_round=tuple(values))


def parse_schedules(values: Any, n_rounds: int, source: str, field: str) -> tuple[Schedule, ...]:
    """Parse a non-empty list of schedules; labels must be distinct."""
    if not isinstance(values, (list, tuple)) or len(values) == 0:
        raise InputError(source, field, "a non-empty list of schedules", values)
    schedules = tuple(parse_schedule(v, n_rounds, source, f"{field}[{i}]")
                      for i, v in enumerate(values))
    labels = [s.label for s in schedules]
    duplicates = sorted(label for label, c in Counter(labels).items() if c > 1)
    if duplicates:
        raise InputError(source, field, "distinct schedules", found_text=f"{duplicates} repeated")
    return schedules
