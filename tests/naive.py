"""A slow, obvious pure-Python twin of the numba engine (``swisssim.engine.kernels``).

It uses plain lists and Python's stable ``sorted`` where the engine uses counting sorts and
preallocated buffers, but it consumes the same random draws in the same order, so with the same
streams it must reproduce the engine's tournaments exactly. With ``random.Random`` as the stream
it is also the "careful pure-Python" yardstick of ``benchmarks/``.

Conventions (see ``swisssim.engine.kernels``): integer score units (a win is 1 or 2 units); the field is kept
sorted by score, highest first; in a score group an odd member out is drawn first and takes the bye,
then the first unpaired member meets a uniformly drawn partner; a coin's heads means the pair's first
member wins; after playing, the field is re-sorted stably in playing order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix64(z: int) -> int:
    z &= MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMixStream:
    """The engine's stream ``counter`` under ``key``: SplitMix64 with Lemire's bounded draws."""

    def __init__(self, key: int, counter: int) -> None:
        self.state = mix64(int(key) + mix64(counter * GAMMA))

    def next64(self) -> int:
        self.state = (self.state + GAMMA) & MASK
        return mix64(self.state)

    def below(self, n: int) -> int:
        if n == 1:
            return 0
        product = (self.next64() >> 32) * n
        low = product & 0xFFFFFFFF
        if low < n:
            threshold = ((1 << 32) - n) % n
            while low < threshold:
                product = (self.next64() >> 32) * n
                low = product & 0xFFFFFFFF
        return product >> 32

    def coin(self) -> bool:
        return (self.next64() >> 63) == 1

    def normal(self) -> float:
        u1 = ((self.next64() >> 11) + 1.0) * 2.0**-53
        u2 = (self.next64() >> 11) * 2.0**-53
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


class PythonRandomStream:
    """Same interface over Python's Mersenne Twister (for speed comparisons only)."""

    def __init__(self, generator: random.Random) -> None:
        self._generator = generator

    def below(self, n: int) -> int:
        return 0 if n == 1 else self._generator.randrange(n)

    def coin(self) -> bool:
        return self._generator.random() < 0.5


def naive_tournament(
    round_scores: Sequence[Sequence[float]],
    eliminate: Sequence[int],
    stream_for_round: Callable[[int], SplitMixStream | PythonRandomStream],
    *,
    draw_ties: bool = False,
    bye_units: int = 0,
    random_ties: bool = True,
    units_per_point: int = 2,
    noise: Sequence[Sequence[float]] | None = None,
    noise_stream_for_round: Callable[[int], SplitMixStream] | None = None,
) -> tuple[list[int], list[int]]:
    """Play one tournament; return ``(final scores in units, elimination round or -1)``.

    ``bye_units`` is in half points; a win is worth ``units_per_point`` units, a draw half that.
    With ``noise`` (K x M standard deviations), each active model's round score is first
    perturbed by a normal deviate from ``noise_stream_for_round(k)``, in field order.

    ``round_scores[k][m]`` is model m's round-k score; ``eliminate[k]`` how many to eliminate
    after round k (already capped so that one model stays); ``stream_for_round(k)`` the random
    stream of round k.
    """
    n_rounds, n_models = len(round_scores), len(round_scores[0])
    win = units_per_point
    bye_points = bye_units * win // 2
    score = [0] * n_models
    eliminated_in = [-1] * n_models
    field = list(range(n_models))
    for k in range(n_rounds):
        values = list(round_scores[k])
        if noise is not None:
            noise_rng = noise_stream_for_round(k)
            for model in field:
                values[model] = values[model] + noise[k][model] * noise_rng.normal()
        rng = stream_for_round(k)
        played: list[int] = []
        for group in _score_groups(field, score):
            bye = None
            if len(group) % 2 == 1:
                pick = rng.below(len(group))
                group[pick], group[-1] = group[-1], group[pick]
                bye = group.pop()
            for first in range(0, len(group), 2):
                partner = first + 1 + rng.below(len(group) - first - 1)
                group[first + 1], group[partner] = group[partner], group[first + 1]
                a, b = group[first], group[first + 1]
                if values[a] == values[b]:
                    if draw_ties:
                        score[a] += win // 2
                        score[b] += win // 2
                    elif rng.coin():
                        score[a] += win
                    else:
                        score[b] += win
                elif values[a] > values[b]:
                    score[a] += win
                else:
                    score[b] += win
                played += [a, b]
            if bye is not None:
                score[bye] += bye_points
                played.append(bye)
        field = sorted(played, key=lambda model: -score[model])
        if eliminate[k] > 0:
            field = _eliminate(field, score, eliminate[k], rng, random_ties)
            for model in range(n_models):
                if eliminated_in[model] < 0 and model not in field:
                    eliminated_in[model] = k
    return score, eliminated_in


def _score_groups(field: list[int], score: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for model in field:
        if groups and score[groups[-1][0]] == score[model]:
            groups[-1].append(model)
        else:
            groups.append([model])
    return groups


def _eliminate(field: list[int], score: list[int], n_remove: int, rng, random_ties: bool) -> list[int]:
    first_out = len(field) - n_remove
    cut = score[field[first_out]]
    tied = [idx for idx, model in enumerate(field) if score[model] == cut]
    low, high = tied[0], tied[-1] + 1
    needed = high - first_out
    if needed < high - low:
        if random_ties:
            for j in range(needed):
                last = high - 1 - j
                pick = low + rng.below(last - low + 1)
                field[pick], field[last] = field[last], field[pick]
        else:
            group = field[low:high]
            dropped = set(sorted(group)[:needed])
            field[low:high] = [m for m in group if m not in dropped] + [m for m in group if m in dropped]
    return field[:first_out]
