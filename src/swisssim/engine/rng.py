"""Counter-based random streams for the numba kernels.

Every (iteration, round) pair of a simulation gets its own SplitMix64 stream, derived from the user's
seed by hashing. Results therefore depend only on the seed and the iteration index, never on how
iterations are split across threads or chunks, and every elimination schedule sees the same pairing
stream in the same round of the same iteration (common random numbers).

SplitMix64 is the generator of Steele, Lea & Flood (2014), "Fast splittable pseudorandom number
generators"; bounded integers use Lemire's (2019) multiply-shift method with rejection, so they are
exactly uniform.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(1 << 32)
_TWO_M53 = 2.0**-53


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche hash of a 64-bit word."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def next_u64(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    """Advance a SplitMix64 state; return ``(new_state, 64 random bits)``."""
    state = np.uint64(state) + GOLDEN_GAMMA
    return state, mix64(state)


@njit(cache=True, inline="always")
def stream_start(key: np.uint64, counter: np.int64) -> np.uint64:
    """Initial state of the stream numbered ``counter`` under the seed ``key``."""
    return mix64(key + mix64(np.uint64(counter) * GOLDEN_GAMMA))


@njit(cache=True, inline="always")
def bounded(state: np.uint64, n: np.int64) -> tuple[np.uint64, np.int64]:
    """Uniform integer in ``[0, n)`` for ``1 <= n < 2**32`` (Lemire's method, exact).

    ``n == 1`` returns 0 without consuming a draw.
    """
    state = np.uint64(state)
    if n == 1:
        return state, np.int64(0)
    un = np.uint64(n)
    state, bits = next_u64(state)
    m = (bits >> np.uint64(32)) * un
    low = m & _LOW32
    if low < un:
        threshold = (_TWO32 - un) % un
        while low < threshold:
            state, bits = next_u64(state)
            m = (bits >> np.uint64(32)) * un
            low = m & _LOW32
    return state, np.int64(m >> np.uint64(32))


@njit(cache=True, inline="always")
def coin(state: np.uint64) -> tuple[np.uint64, bool]:
    """A fair coin: the top bit of the next word."""
    state, bits = next_u64(state)
    return state, (bits >> np.uint64(63)) == np.uint64(1)


@njit(cache=True, inline="always")
def normal(state: np.uint64) -> tuple[np.uint64, float]:
    """A standard normal deviate (Box-Muller, cosine branch) from two 53-bit uniforms."""
    state, first = next_u64(state)
    state, second = next_u64(state)
    u1 = (np.float64(first >> np.uint64(11)) + 1.0) * _TWO_M53  # in (0, 1]
    u2 = np.float64(second >> np.uint64(11)) * _TWO_M53         # in [0, 1)
    return state, math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def seed_key(seed: int) -> np.uint64:
    """Turn a user seed (an int in ``[0, 2**64)``, validated by the caller) into the streams' key."""
    return np.uint64(_mix64_py(_mix64_py(int(seed)) ^ 0x5357495353494D00))


def _mix64_py(z: int) -> int:
    mask = 0xFFFFFFFFFFFFFFFF
    z &= mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)
