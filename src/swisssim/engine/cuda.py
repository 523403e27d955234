"""CUDA backend of the engine: the CPU kernels' tournaments on a GPU, draw for draw.

``docs/method.md`` section 4.1 states the backend's contract; the method is that of Liu et al.,
"LLM Swiss Round" (arXiv:2512.21010).

The device functions and the kernels share this one module on purpose: numba's kernel cache
(``cache=True``) is invalidated by changes to the kernel's own source file only, so device code
kept elsewhere could leave a stale compiled kernel behind. The one exception is
:func:`swisssim.engine.kernels.units_per_point`, the score-unit formula that both targets call
(``register_jitable``): a change to it needs the numba cache cleared (or this file touched).

Imported only when ``backend="cuda"`` is asked for (:mod:`swisssim.engine.cuda_support` checks first
that numba-cuda, a driver and a GPU are there). The device functions below are line-by-line ports
of :mod:`swisssim.engine.rng` and :mod:`swisssim.engine.kernels`: the same SplitMix64 stream per
(iteration, round) (``docs/method.md`` section 4), the same draw order (section 2.7), the same tie
rules, byes, elimination cuts and score noise (sections 2.2-2.6). Every tournament therefore has
the CPU's outcome, and the integer counters (section 5.1) are equal to the CPU's, whatever the
grid: the statistics and every CSV written from them are byte-identical.

Layout on the device:

* one thread plays whole tournaments (all schedules of one iteration, as
  :func:`~swisssim.engine.kernels.simulate_range` does), striding over the iterations of a launch;
* each thread's scratch (the engine's ``work`` rows, scores, histograms; int32) is a column of
  global arrays whose last axis is the thread, so neighbouring threads touch neighbouring words;
* counters are accumulated with integer atomics into per-slot partial counters (a slot is a set
  of thread blocks), never into one shared copy, and each thread walks the models starting at its
  own offset so that the threads of a warp hit different words; one reduction kernel merges the
  slots after a chunk and only the merged counters travel to the host. Integer sums, minima and
  maxima are exact in any order, so the merge equals the CPU's.

Floating point: the comparisons only see round scores, and with probabilistic wins the perturbed
score ``r + sigma * z``. On a device that product and sum are rounded separately (``dmul_rn``,
``dadd_rn``: never fused into an FMA), as on the CPU. The normal deviate ``z`` uses the device's
``log`` and ``cos`` (libdevice, within 1-2 units in the last place of the CPU's libm): a match
outcome could differ from the CPU only if two perturbed scores fell within that rounding of each
other. Under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the same functions are the CPU's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numba import cuda

from swisssim.engine.counters import Counters
from swisssim.engine.cuda_support import simulated
from swisssim.engine.kernels import units_per_point
from swisssim.engine.tournaments import Rules

#: True under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``): kernels run as Python threads.
SIMULATED = simulated()

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(1 << 32)
_TWO_M53 = 2.0**-53
_NOISE_SALT = np.uint64(0x6E6F697365)   # = kernels.NOISE_SALT (tests check it)

#: Integer type of the per-thread scratch (model indices, scores in units, group sizes, all below
#: 2**31): half the memory traffic of int64. Counters stay int64.
SCRATCH = np.int32
#: Threads per block on a device; a simulated block is a handful of Python threads.
THREADS_PER_BLOCK = 4 if SIMULATED else 128
#: Blocks launched per multiprocessor when memory allows (a simulated grid has 2 blocks).
BLOCKS_PER_SM = 8
#: Device memory for the per-thread scratch and for the partial counters (each at most this).
MEMORY_BUDGET = 1 << 30
#: Iterations per progress-bar chunk at least (the CPU engine's chunk).
PROGRESS_CHUNK = 5_000
#: Iterations per kernel launch at most: a long chunk is several launches, so that an interrupt
#: is seen between them (results do not depend on it).
LAUNCH_ITERATIONS = 1 << 18


# ----------------------------------------------------------------------------- streams (rng.py)

if SIMULATED:
    @cuda.jit(device=True)
    def _mul(a, b):
        return a * b

    @cuda.jit(device=True)
    def _add(a, b):
        return a + b
else:  # pragma: no cover - needs a device
    from numba.cuda import libdevice

    @cuda.jit(device=True)
    def _mul(a, b):
        return libdevice.dmul_rn(a, b)

    @cuda.jit(device=True)
    def _add(a, b):
        return libdevice.dadd_rn(a, b)


@cuda.jit(device=True)
def _mix64(z):
    """SplitMix64 finaliser (:func:`swisssim.engine.rng.mix64`)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@cuda.jit(device=True)
def _next_u64(state):
    state = np.uint64(state) + _GAMMA
    return state, _mix64(state)


@cuda.jit(device=True)
def _stream_start(key, counter):
    return _mix64(key + _mix64(np.uint64(counter) * _GAMMA))


@cuda.jit(device=True)
def _bounded(state, n):
    """Lemire's exact bounded draw in ``[0, n)`` (:func:`swisssim.engine.rng.bounded`)."""
    state = np.uint64(state)
    if n == 1:
        return state, np.int64(0)
    un = np.uint64(n)
    state, bits = _next_u64(state)
    m = (bits >> np.uint64(32)) * un
    low = m & _LOW32
    if low < un:
        threshold = (_TWO32 - un) % un
        while low < threshold:
            state, bits = _next_u64(state)
            m = (bits >> np.uint64(32)) * un
            low = m & _LOW32
    return state, np.int64(m >> np.uint64(32))


@cuda.jit(device=True)
def _coin(state):
    state, bits = _next_u64(state)
    return state, (bits >> np.uint64(63)) == np.uint64(1)


@cuda.jit(device=True)
def _normal(state):
    """Box-Muller, cosine branch (:func:`swisssim.engine.rng.normal`)."""
    state, first = _next_u64(state)
    state, second = _next_u64(state)
    u1 = (np.float64(first >> np.uint64(11)) + 1.0) * _TWO_M53
    u2 = np.float64(second >> np.uint64(11)) * _TWO_M53
    return state, math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# ----------------------------------------------------------------------------- one tournament


@cuda.jit(device=True)
def _bucket_starts(sizes, n_values, fill):
    position = 0
    for value in range(n_values - 1, -1, -1):
        fill[value] = position
        position += sizes[value]


@cuda.jit(device=True)
def _counting_sort(src, n, score, n_values, sizes, fill, dst):
    for value in range(n_values):
        sizes[value] = 0
    for idx in range(n):
        sizes[score[src[idx]]] += 1
    _bucket_starts(sizes, n_values, fill)
    for idx in range(n):
        model = src[idx]
        dst[fill[score[model]]] = model
        fill[score[model]] += 1


@cuda.jit(device=True)
def _decisive_sizes(sizes, n_values, win, bye, new_sizes):
    for value in range(n_values + win):
        new_sizes[value] = 0
    for value in range(n_values):
        half = sizes[value] // 2
        new_sizes[value + win] += half
        new_sizes[value] += half
        new_sizes[value + bye] += sizes[value] - 2 * half


@cuda.jit(device=True)
def _play_round(state, round_scores, k, perturbed, noisy, order, sizes, n_values, score,
                draw_ties, win, bye, new_sizes, fill, next_order):
    """:func:`swisssim.engine.kernels._play_round`; the round scores are ``perturbed`` when
    ``noisy``, else row ``k`` of ``round_scores``."""
    if not draw_ties:
        _decisive_sizes(sizes, n_values, win, bye, new_sizes)
        _bucket_starts(new_sizes, n_values + win, fill)
    start = 0
    for value in range(n_values - 1, -1, -1):
        stop = start + sizes[value]
        end = stop
        if (stop - start) % 2 == 1:
            state, pick = _bounded(state, stop - start)
            end = stop - 1
            bye_model = order[start + pick]
            order[start + pick] = order[end]
            order[end] = bye_model
        win_pos = fill[value + win]
        lose_pos = fill[value]
        first = start
        while first < end:
            state, pick = _bounded(state, end - first - 1)
            b = order[first + 1 + pick]
            order[first + 1 + pick] = order[first + 1]
            order[first + 1] = b
            a = order[first]
            first += 2
            if noisy:
                score_a = perturbed[a]
                score_b = perturbed[b]
            else:
                score_a = round_scores[k, a]
                score_b = round_scores[k, b]
            if score_a == score_b:
                if draw_ties:
                    score[a] += 1
                    score[b] += 1
                    continue
                state, a_wins = _coin(state)
            else:
                a_wins = score_a > score_b
            winner = b + (a - b) * np.int64(a_wins)
            loser = a + b - winner
            score[winner] += win
            if not draw_ties:
                next_order[win_pos] = winner
                win_pos += 1
                next_order[lose_pos] = loser
                lose_pos += 1
        if end < stop:
            score[order[end]] += bye
        if not draw_ties:
            fill[value + win] = win_pos
            fill[value] = lose_pos
            if end < stop:
                next_order[fill[value + bye]] = order[end]
                fill[value + bye] += 1
        start = stop
    return state


@cuda.jit(device=True)
def _eliminate(state, k, n_remove, order, n_active, score, eliminated_in, random_ties, scratch):
    """:func:`swisssim.engine.kernels._eliminate`; returns ``(state, new n_active)``."""
    first_out = n_active - n_remove
    cut = score[order[first_out]]
    low = first_out
    while low > 0 and score[order[low - 1]] == cut:
        low -= 1
    high = first_out + 1
    while high < n_active and score[order[high]] == cut:
        high += 1
    needed = high - first_out
    if needed < high - low:
        if random_ties:
            for j in range(needed):
                last = high - 1 - j
                state, pick = _bounded(state, last - low + 1)
                swap = order[low + pick]
                order[low + pick] = order[last]
                order[last] = swap
        else:
            for _ in range(needed):
                lowest = -1
                for idx in range(low, high):
                    model = order[idx]
                    if eliminated_in[model] < 0 and (lowest < 0 or model < lowest):
                        lowest = model
                eliminated_in[lowest] = k
            kept = low
            dropped = 0
            for idx in range(low, high):
                model = order[idx]
                if eliminated_in[model] < 0:
                    order[kept] = model
                    kept += 1
                else:
                    scratch[dropped] = model
                    dropped += 1
            for idx in range(dropped):
                order[first_out + idx] = scratch[idx]
    for idx in range(first_out, n_active):
        eliminated_in[order[idx]] = k
    return state, first_out


@cuda.jit(device=True)
def _play_tournament(key, iteration, round_scores, noise, eliminate, draw_ties, bye_units,
                     random_ties, noisy, score, eliminated_in, work, tid, perturbed):
    """:func:`swisssim.engine.kernels.play_tournament` on thread ``tid``'s scratch.

    ``work`` is (5, W, threads); ``score``, ``eliminated_in`` and ``perturbed`` are the thread's
    (M,) views.
    """
    n_rounds = round_scores.shape[0]
    n_models = round_scores.shape[1]
    win = units_per_point(draw_ties, bye_units)
    bye = bye_units * win // 2
    noise_key = _mix64(key ^ _NOISE_SALT)
    order = work[0, :, tid]
    spare = work[1, :, tid]
    sizes = work[2, :, tid]
    new_sizes = work[3, :, tid]
    fill = work[4, :, tid]
    for model in range(n_models):
        score[model] = 0
        eliminated_in[model] = -1
        order[model] = model
    for value in range(sizes.shape[0]):
        sizes[value] = 0
    sizes[0] = n_models
    n_active = n_models
    for k in range(n_rounds):
        if noisy:
            noise_state = _stream_start(noise_key, iteration * n_rounds + k)
            for idx in range(n_active):
                model = order[idx]
                noise_state, deviate = _normal(noise_state)
                perturbed[model] = _add(round_scores[k, model], _mul(noise[k, model], deviate))
        state = _stream_start(key, iteration * n_rounds + k)
        state = _play_round(state, round_scores, k, perturbed, noisy, order, sizes, k * win + 1,
                            score, draw_ties, win, bye, new_sizes, fill, spare)
        if draw_ties:
            _counting_sort(order, n_active, score, (k + 1) * win + 1, new_sizes, fill, spare)
        order, spare = spare, order
        sizes, new_sizes = new_sizes, sizes
        if eliminate[k] > 0:
            state, n_active = _eliminate(state, k, eliminate[k], order, n_active, score,
                                         eliminated_in, random_ties, spare)
            for idx in range(n_active, n_active + eliminate[k]):
                sizes[score[order[idx]]] -= 1


@cuda.jit(device=True)
def _above_counts(score, hist, above):
    """:func:`swisssim.engine.kernels._above_counts` (histogram, models above each value)."""
    n_values = hist.shape[0]
    for value in range(n_values):
        hist[value] = 0
    for model in range(score.shape[0]):
        hist[score[model]] += 1
    total = 0
    for step in range(n_values):
        value = n_values - 1 - step
        above[value] = total
        total += hist[value]


# ----------------------------------------------------------------------------- kernels


@cuda.jit(cache=True)
def _simulate_kernel(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                     random_ties, noisy, work, models, all_scores, values, perturbed,
                     score_sum, score_cross, score_counts, elim_counts, above_bounds):
    """Iterations ``first <= i < stop``, strided over the grid; counters of slot
    ``block % slots`` (shapes as in :func:`swisssim.engine.kernels.simulate_range`, with a
    leading slot axis)."""
    tid = cuda.grid(1)
    n_threads = cuda.gridsize(1)
    slot = cuda.blockIdx.x % score_sum.shape[0]
    n_rounds = round_scores.shape[0]
    n_models = round_scores.shape[1]
    n_schedules = eliminate.shape[0]
    n_values = values.shape[1]
    score = models[0, :, tid]
    eliminated_in = models[1, :, tid]
    hist = values[0, :, tid]
    above = values[1, :, tid]
    mine = perturbed[:, tid]
    for iteration in range(first + tid, stop, n_threads):
        for s in range(n_schedules):
            _play_tournament(key, iteration, round_scores, noise, eliminate[s], draw_ties,
                             bye_units, random_ties, noisy, score, eliminated_in, work, tid,
                             mine)
            _above_counts(score, hist, above)
            # Each thread starts at its own offset: the threads of a warp add to different words.
            for step in range(n_values):
                value = (step + tid) % n_values
                if hist[value] > 0:
                    count = above[value]
                    if count < above_bounds[slot, s, value, 0]:
                        cuda.atomic.min(above_bounds, (slot, s, value, 0), count)
                    if count > above_bounds[slot, s, value, 1]:
                        cuda.atomic.max(above_bounds, (slot, s, value, 1), count)
            for step in range(n_models):
                model = (step + tid) % n_models
                value = score[model]
                all_scores[s, model, tid] = value
                cuda.atomic.add(score_sum, (slot, s, model), value)
                cuda.atomic.add(score_counts, (slot, s, model, value), 1)
                round_out = eliminated_in[model]
                if round_out < 0:
                    round_out = n_rounds
                cuda.atomic.add(elim_counts, (slot, s, model, round_out), 1)
        for s in range(n_schedules):
            for t in range(s, n_schedules):
                for step in range(n_models):
                    model = (step + tid) % n_models
                    cuda.atomic.add(score_cross, (slot, s, t, model),
                                    all_scores[s, model, tid] * all_scores[t, model, tid])


@cuda.jit(cache=True)
def _replay_kernel(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                   random_ties, noisy, low, offset, work, models, values, perturbed, window):
    """:func:`swisssim.engine.kernels.rank_window_range` over the grid, adding into ``window``
    (S, M, columns) with atomics."""
    tid = cuda.grid(1)
    n_threads = cuda.gridsize(1)
    n_models = round_scores.shape[1]
    n_schedules = eliminate.shape[0]
    score = models[0, :, tid]
    eliminated_in = models[1, :, tid]
    hist = values[0, :, tid]
    above = values[1, :, tid]
    mine = perturbed[:, tid]
    for iteration in range(first + tid, stop, n_threads):
        for s in range(n_schedules):
            _play_tournament(key, iteration, round_scores, noise, eliminate[s], draw_ties,
                             bye_units, random_ties, noisy, score, eliminated_in, work, tid,
                             mine)
            _above_counts(score, hist, above)
            for step in range(n_models):
                model = (step + tid) % n_models
                value = score[model]
                cuda.atomic.add(window, (s, model, offset[s, value] + above[value]
                                         - low[s, value]), 1)


@cuda.jit(cache=True)
def _fill(flat, value):
    """``flat[:] = value`` on the device (grid-stride)."""
    for i in range(cuda.grid(1), flat.shape[0], cuda.gridsize(1)):
        flat[i] = value


@cuda.jit(cache=True)
def _sum_slots(partial, out):
    """``out[i] = sum over slots of partial[slot, i]`` (exact integer sums; grid-stride)."""
    for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
        total = partial[0, i]
        for slot in range(1, partial.shape[0]):
            total += partial[slot, i]
        out[i] = total


@cuda.jit(cache=True)
def _bounds_slots(partial, out):
    """Least of the slots' lower bounds and largest of their upper bounds, per (s, v)."""
    for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
        least = partial[0, i, 0]
        largest = partial[0, i, 1]
        for slot in range(1, partial.shape[0]):
            least = min(least, partial[slot, i, 0])
            largest = max(largest, partial[slot, i, 1])
        out[i, 0] = least
        out[i, 1] = largest


# ----------------------------------------------------------------------------- host side


def _launch_1d(kernel, n: int, *args) -> None:
    """Run a grid-stride elementwise kernel over ``n`` elements (one block when simulated)."""
    if n > 0:
        blocks = 1 if SIMULATED else min(-(-n // THREADS_PER_BLOCK), 4096)
        kernel[blocks, THREADS_PER_BLOCK](*args)


def _to_device(array: np.ndarray | None):
    """A float64 (K, M) array on the device; ``None`` (no noise) becomes a (1, 1) zero array,
    never read."""
    return cuda.to_device(np.zeros((1, 1)) if array is None
                          else np.ascontiguousarray(array, dtype=np.float64))


class CudaEngine:
    """Device buffers and launches for one :class:`~swisssim.engine.simulation.EngineSession`.

    Parameters
    ----------
    quotas
        Effective quotas (S, K), int64.
    n_models, n_values
        M and V = K * units_per_point + 1.

    The grid (blocks x :data:`THREADS_PER_BLOCK` threads) and the number of counter slots are
    chosen from the device's multiprocessors and :data:`MEMORY_BUDGET`; results do not depend on
    either.
    """

    def __init__(self, quotas: np.ndarray, n_models: int, n_values: int) -> None:
        n_schedules, n_rounds = quotas.shape
        self.shape = (n_schedules, n_models, n_rounds, n_values)
        width = max(n_models, 2 * n_rounds + 1)
        per_thread = (4 * (5 * width + 2 * n_models + n_schedules * n_models + 2 * n_values)
                      + 8 * n_models)
        per_slot = 8 * (n_schedules * n_models * (1 + n_schedules + n_values + n_rounds + 1)
                        + 2 * n_schedules * n_values)
        if SIMULATED:
            blocks = 2
        else:  # pragma: no cover - needs a device
            device = cuda.get_current_device()
            blocks = device.MULTIPROCESSOR_COUNT * BLOCKS_PER_SM
            blocks = max(1, min(blocks, MEMORY_BUDGET // (per_thread * THREADS_PER_BLOCK)))
        self.blocks = blocks
        #: Iterations per progress-bar update: four per thread of the grid at least.
        self.progress_chunk = max(PROGRESS_CHUNK, 4 * blocks * THREADS_PER_BLOCK)
        self.slots = max(1, min(blocks, MEMORY_BUDGET // per_slot))
        threads = blocks * THREADS_PER_BLOCK
        self.quotas = cuda.to_device(np.ascontiguousarray(quotas, dtype=np.int64))
        self.work = cuda.device_array((5, width, threads), SCRATCH)
        self.models = cuda.device_array((2, n_models, threads), SCRATCH)
        self.all_scores = cuda.device_array((n_schedules, n_models, threads), SCRATCH)
        self.values = cuda.device_array((2, n_values, threads), SCRATCH)
        self.perturbed = cuda.device_array((n_models, threads), np.float64)
        s, m, k, v = n_schedules, n_models, n_rounds, n_values
        self.partial = Counters(cuda.device_array((self.slots, s, m), np.int64),
                                cuda.device_array((self.slots, s, s, m), np.int64),
                                cuda.device_array((self.slots, s, m, v), np.int64),
                                cuda.device_array((self.slots, s, m, k + 1), np.int64),
                                cuda.device_array((self.slots, s, v, 2), np.int64))
        empty = Counters.zeros(1, s, 1, k, v).above_bounds   # Counters.clear's bounds
        self._empty_bounds = np.ascontiguousarray(np.broadcast_to(empty, (self.slots, s, v, 2)))
        self.round_scores = self.noise = None
        #: Device time of the tournament kernels so far, in seconds (clearing and merging the
        #: counters excluded); :mod:`benchmarks.bench_gpu` reports it.
        self.kernel_seconds = 0.0

    def load(self, values: np.ndarray, noise: np.ndarray | None) -> None:
        """Copy the round scores (K, M) and score noise (K, M, or ``None`` without probabilistic
        wins) of the next run to the device."""
        self.round_scores, self.noise = _to_device(values), _to_device(noise)

    def _grid(self):
        return _simulate_kernel[self.blocks, THREADS_PER_BLOCK]

    def _clear_partial(self) -> None:
        """Zero the sums and reset the bounds of every slot (:meth:`Counters.clear`)."""
        for name in ("score_sum", "score_cross", "score_counts", "elim_counts"):
            device = getattr(self.partial, name)
            _launch_1d(_fill, device.size, device.reshape(device.size), np.int64(0))
        self.partial.above_bounds.copy_to_device(  # type: ignore[attr-defined]
            self._empty_bounds)

    def simulate(self, key: np.uint64, first: int, stop: int, rules: Rules,
                 counters: Counters) -> None:
        """Play iterations ``first .. stop - 1`` and add their counters into block 0 of
        ``counters`` (sums; minimum and maximum for ``above_bounds``)."""
        self._clear_partial()
        p = self.partial
        draw_ties, bye_units, random_ties, noisy = rules
        for lo in range(first, stop, LAUNCH_ITERATIONS):
            hi = min(stop, lo + LAUNCH_ITERATIONS)
            with self._timed():
                self._grid()(np.uint64(key), np.int64(lo), np.int64(hi), self.round_scores,
                             self.noise, self.quotas, bool(draw_ties), np.int64(bye_units),
                             bool(random_ties), bool(noisy), self.work, self.models,
                             self.all_scores, self.values, self.perturbed, p.score_sum,
                             p.score_cross, p.score_counts, p.elim_counts, p.above_bounds)
        counters.add(Counters(score_sum=self._summed(p.score_sum)[None],
                              score_cross=self._summed(p.score_cross)[None],
                              score_counts=self._summed(p.score_counts)[None],
                              elim_counts=self._summed(p.elim_counts)[None],
                              above_bounds=self._bounded_slots(p.above_bounds)[None]))

    @contextmanager
    def _timed(self) -> Iterator[None]:
        """Add the enclosed launches' device time to :attr:`kernel_seconds`; wait for them."""
        if SIMULATED:
            started = time.perf_counter()
            yield
            self.kernel_seconds += time.perf_counter() - started
            return
        start = cuda.event(timing=True)  # type: ignore[call-arg]  # pragma: no cover
        end = cuda.event(timing=True)  # type: ignore[call-arg]  # pragma: no cover
        start.record()
        yield
        end.record()
        end.synchronize()
        self.kernel_seconds += cuda.event_elapsed_time(start, end) / 1e3

    def _summed(self, partial) -> np.ndarray:
        shape = partial.shape[1:]
        size = int(np.prod(shape))
        out = cuda.device_array(size, np.int64)
        _launch_1d(_sum_slots, size, partial.reshape(partial.shape[0], size), out)
        return out.copy_to_host().reshape(shape)

    def _bounded_slots(self, partial) -> np.ndarray:
        shape = partial.shape[1:]
        size = int(np.prod(shape[:-1]))
        out = cuda.device_array((size, 2), np.int64)
        _launch_1d(_bounds_slots, size, partial.reshape(partial.shape[0], size, 2), out)
        return out.copy_to_host().reshape(shape)

    def replay(self, key: np.uint64, iterations: int, rules: Rules,
               values: np.ndarray, noise: np.ndarray | None, low: np.ndarray,
               offset: np.ndarray, columns: int) -> np.ndarray:
        """Replay iterations ``0 .. iterations - 1`` on the round scores ``values`` and ``noise``
        of the run being replayed (the session may have loaded others since); the (S, M,
        columns) rank-window counts."""
        n_schedules, n_models = self.shape[:2]
        round_scores, noise = _to_device(values), _to_device(noise)
        window = cuda.to_device(np.zeros((n_schedules, n_models, columns), np.int64))
        d_low = cuda.to_device(np.ascontiguousarray(low, dtype=np.int64))
        d_offset = cuda.to_device(np.ascontiguousarray(offset, dtype=np.int64))
        draw_ties, bye_units, random_ties, noisy = rules
        for lo in range(0, iterations, LAUNCH_ITERATIONS):
            hi = min(iterations, lo + LAUNCH_ITERATIONS)
            with self._timed():
                _replay_kernel[self.blocks, THREADS_PER_BLOCK](
                    np.uint64(key), np.int64(lo), np.int64(hi), round_scores, noise,
                    self.quotas, bool(draw_ties), np.int64(bye_units), bool(random_ties),
                    bool(noisy), d_low, d_offset, self.work, self.models, self.values,
                    self.perturbed, window)
        return window.copy_to_host()


__all__ = ["LAUNCH_ITERATIONS", "SIMULATED", "THREADS_PER_BLOCK", "CudaEngine"]
