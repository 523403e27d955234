"""Numba kernels of the Swiss-system engine. Arrays in, arrays out; nothing is decided here.

One tournament follows Liu et al., "LLM Swiss Round" (arXiv:2512.21010), section on Competitive
Swiss-System Dynamics, with the conventions of ``docs/method.md`` (section 2; streams: section 4):

* Scores are integers in **score units** (see :func:`units_per_point`): a win is one unit, or two
  when draws or half-point byes need half points. Integer scores keep the score groups exact and
  make every accumulated sum exact and independent of the thread count. ``bye_units`` arguments
  are always given in half points (0, 1 or 2).
* Round ``k`` of iteration ``i`` draws from its own random stream ``(seed, i * K + k)``; every
  elimination schedule replays the same streams (common random numbers).
* Pairing: active models are grouped by score (highest first), each group is shuffled
  (Fisher-Yates) and consecutive members play; the odd one out of a group gets a bye.
* A match is won by the strictly higher round score; an exact tie is a coin flip (the first member
  of the pair wins on heads) or a draw worth one unit each. With probabilistic wins, each active
  model's round score is first perturbed by ``noise[k, m]`` times a standard normal drawn from a
  separate stream (``NOISE_SALT``); a model plays one match per round, so model i then beats j
  with probability Phi((mu_i - mu_j) / sqrt(sigma_i^2 + sigma_j^2)).
* Elimination after round ``k`` removes ``eliminate[s, k]`` models with the lowest scores; ties at
  the cut go to a uniformly random subset (``random_ties``) or to the lowest model index.
  The caller guarantees at least one model stays active.

The random draws are consumed in this order in each round: the Fisher-Yates swaps and coin flips of
each score group, from the highest group down, then the elimination draws. ``tests/naive.py`` is a
plain-Python twin that consumes the same draws and must agree exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numba.extending import register_jitable

from swisssim.engine.rng import bounded, coin, mix64, normal, stream_start

#: Salt of the streams that draw score noise (probabilistic wins), kept apart from the pairing
#: streams so that pairings stay common to noisy and noiseless runs.
NOISE_SALT = np.uint64(0x6E6F697365)



# Score groups are visited through ``order`` itself: ``order[:n_active]`` holds the active models
# grouped by score, highest first, with ``sizes[v]`` models at score ``v``, so the groups are
# found by walking it (``v = score[order[start]]``, ``start += sizes[v]``) in O(groups), never by
# scanning every score value: a tournament of K rounds costs O(K M), not O(K^2). Entries of
# ``sizes``, ``new_sizes`` and ``fill`` at unoccupied values are never read and may be stale.
# Every new score of a model lies in ``[v, v + reach]`` of its group ``v`` (``reach`` = a win).


@njit(cache=True, inline="always")
def _group_values(order, n_active, score, sizes, groups):
    """The occupied score values, highest first, into ``groups``; returns their number."""
    count = 0
    start = 0
    while start < n_active:
        value = score[order[start]]
        groups[count] = value
        count += 1
        start += sizes[value]
    return count


@njit(cache=True, inline="always")
def _union_starts(groups, n_groups, reach, new_sizes, fill):
    """``fill[u]`` = models with a new score above ``u``, for every ``u`` in the union of the
    intervals ``[v, v + reach]`` of the groups ``v`` (highest first), visited in decreasing
    order, each once."""
    position = 0
    cursor = groups[0] + reach
    for g in range(n_groups):
        value = groups[g]
        for u in range(min(cursor, value + reach), value - 1, -1):
            fill[u] = position
            position += new_sizes[u]
        cursor = value - 1


@njit(cache=True, inline="always")
def _counting_sort(src, n, score, groups, n_groups, reach, sizes, fill, dst):
    """Stable sort of ``src[:n]`` by ``score``, highest first, where every score lies within
    ``reach`` above one of the values ``groups[:n_groups]`` (highest first).

    On return ``sizes[v]`` is the number of models with score ``v`` (for every occupied ``v``).
    ``groups`` may be ``dst`` itself: it is read before ``dst`` is written.
    """
    for g in range(n_groups):
        for u in range(groups[g], groups[g] + reach + 1):
            sizes[u] = 0
    for idx in range(n):
        sizes[score[src[idx]]] += 1
    _union_starts(groups, n_groups, reach, sizes, fill)
    for idx in range(n):
        model = src[idx]
        dst[fill[score[model]]] = model
        fill[score[model]] += 1


@register_jitable
def units_per_point(draw_ties, bye_units):
    """Score units per point: 2 when draws or half-point byes occur, else 1.

    The one definition of the formula: a plain Python function (what
    :attr:`swisssim.engine.tournaments.Rules.units_per_point` calls) that numba compiles into the
    ``njit`` kernels here and into the CUDA device functions of :mod:`swisssim.engine.cuda`
    (``register_jitable`` makes it callable from both targets).
    """
    return 2 if draw_ties or bye_units == 1 else 1


@njit(cache=True, inline="always")
def _decisive_sizes(order, n_active, score, sizes, win, bye, new_sizes, fill):
    """Group sizes and first positions (``fill``) after a round in which every match has a
    winner (coin-flip ties): half of each group moves up by ``win``, the odd one by ``bye``."""
    start = 0
    while start < n_active:
        value = score[order[start]]
        for u in range(value, value + win + 1):
            new_sizes[u] = 0
        start += sizes[value]
    start = 0
    while start < n_active:
        value = score[order[start]]
        half = sizes[value] // 2
        new_sizes[value + win] += half
        new_sizes[value] += half
        new_sizes[value + bye] += sizes[value] - 2 * half
        start += sizes[value]
    position = 0
    cursor = score[order[0]] + win
    start = 0
    while start < n_active:
        value = score[order[start]]
        for u in range(min(cursor, value + win), value - 1, -1):
            fill[u] = position
            position += new_sizes[u]
        cursor = value - 1
        start += sizes[value]


@njit(cache=True, inline="always")
def _play_round(state, values, order, n_active, sizes, score, draw_ties, win, bye,
                new_sizes, fill, next_order):
    """Pair and play one round on round scores ``values`` (M,); regroup into ``next_order``.

    ``order`` holds the active models grouped by score, highest first, with ``sizes[v]`` models at
    score ``v`` (walked, not scanned: see the notes above :func:`_group_values`). Within a group of
    size ``g``: if ``g`` is odd, a uniformly drawn member
    takes the bye; then the first unpaired member meets a uniformly drawn partner among the
    remaining ones. Groups are played from the highest score down; a win is worth ``win`` units,
    a draw ``win // 2`` each, a bye ``bye`` units. ``next_order`` receives every
    model under its new score, highest first, in playing order within a score (pairs in order,
    the first member before the second, then the bye). Returns the advanced stream state.
    """
    if not draw_ties:
        _decisive_sizes(order, n_active, score, sizes, win, bye, new_sizes, fill)
    start = 0
    while start < n_active:
        value = score[order[start]]   # not yet played this round: its score before the round
        stop = start + sizes[value]
        end = stop
        if (stop - start) % 2 == 1:
            state, pick = bounded(state, stop - start)
            end = stop - 1
            bye_model = order[start + pick]
            order[start + pick] = order[end]
            order[end] = bye_model
        win_pos = fill[value + win]
        lose_pos = fill[value]
        first = start
        while first < end:
            state, pick = bounded(state, end - first - 1)
            b = order[first + 1 + pick]
            order[first + 1 + pick] = order[first + 1]
            order[first + 1] = b
            a = order[first]
            first += 2
            score_a = values[a]
            score_b = values[b]
            if score_a == score_b:
                if draw_ties:
                    score[a] += 1
                    score[b] += 1
                    continue
                state, a_wins = coin(state)
            else:
                a_wins = score_a > score_b
            # Branch-free selection: match outcomes are unpredictable, mispredictions are costly.
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


@njit(cache=True, inline="always")
def _eliminate(state, k, n_remove, order, n_active, score, eliminated_in, random_ties, scratch):
    """Eliminate the ``n_remove`` lowest of ``order[:n_active]`` (sorted, highest first).

    Ties at the cut, among the boundary group of equal score: with ``random_ties`` the group's
    members to drop are drawn one at a time (``needed`` times: a uniform member of the group's
    first ``size - j`` positions swaps with position ``size - 1 - j``); otherwise the lowest model
    indices are dropped and the survivors keep their order. Returns ``(state, new n_active)``.
    """
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
                state, pick = bounded(state, last - low + 1)
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


@njit(cache=True)
def play_tournament(key, iteration, round_scores, noise, eliminate, rules, score, eliminated_in,
                    work, perturbed):
    """Play one tournament; fill ``score`` (score units) and ``eliminated_in`` (round or -1).

    ``round_scores`` and ``noise`` have shape (K, M); ``eliminate`` (K,); ``rules`` is the tuple
    ``(draw_ties, bye_units, random_ties, noisy)`` with ``bye_units`` in half points.
    ``work`` (5, max(M, 2K + 1)) int64 and ``perturbed`` (M,) float64 are scratch space owned by
    the caller.
    """
    draw_ties, bye_units, random_ties, noisy = rules
    n_rounds, n_models = round_scores.shape
    win = units_per_point(draw_ties, bye_units)
    bye = bye_units * win // 2
    noise_key = mix64(key ^ NOISE_SALT)
    order = work[0]
    spare = work[1]
    sizes = work[2]
    new_sizes = work[3]
    fill = work[4]
    for model in range(n_models):
        score[model] = 0
        eliminated_in[model] = -1
        order[model] = model
    sizes[:] = 0
    sizes[0] = n_models
    n_active = n_models
    for k in range(n_rounds):
        n_groups = 0
        if draw_ties:   # the groups before the round, for the regrouping (spare is free then)
            n_groups = _group_values(order, n_active, score, sizes, spare)
        values = round_scores[k]
        if noisy:
            noise_state = stream_start(noise_key, iteration * n_rounds + k)
            for idx in range(n_active):
                model = order[idx]
                noise_state, deviate = normal(noise_state)
                perturbed[model] = values[model] + noise[k, model] * deviate
            values = perturbed
        state = stream_start(key, iteration * n_rounds + k)
        state = _play_round(state, values, order, n_active, sizes, score, draw_ties, win, bye,
                            new_sizes, fill, spare)
        if draw_ties:
            _counting_sort(order, n_active, score, spare, n_groups, win, new_sizes, fill, spare)
        order, spare = spare, order
        sizes, new_sizes = new_sizes, sizes
        if eliminate[k] > 0:
            state, n_active = _eliminate(state, k, eliminate[k], order, n_active, score,
                                         eliminated_in, random_ties, spare)
            for idx in range(n_active, n_active + eliminate[k]):
                sizes[score[order[idx]]] -= 1


@njit(cache=True, inline="always")
def _above_counts(score, hist, above):
    """Histogram of final scores and, per score value ``v``, #models scoring strictly above ``v``.

    ``hist`` and ``above`` have one entry per score value; a model with score ``v`` has the
    competition rank ``above[v] + 1`` (docs/method.md section 5.4).
    """
    n_values = hist.shape[0]
    hist[:] = 0
    for model in range(score.shape[0]):
        hist[score[model]] += 1
    total = 0
    for step in range(n_values):
        value = n_values - 1 - step
        above[value] = total
        total += hist[value]


@njit(cache=True)
def _accumulate(s, score, eliminated_in, all_scores, hist, above, n_rounds,
                score_sum, score_counts, elim_counts, above_bounds):
    """Add one tournament of schedule ``s`` to the block's counters (docs/method.md 5.1).

    ``score_counts[s, m, v]`` counts final score ``v`` of model ``m``; ``above_bounds[s, v]``
    keeps the least and the largest number of models scoring above ``v`` over the tournaments
    in which some model scored ``v``. Size O(M K): nothing here grows like M^2.
    """
    n_models = score.shape[0]
    _above_counts(score, hist, above)
    for value in range(hist.shape[0]):
        if hist[value] > 0:
            count = above[value]
            if count < above_bounds[s, value, 0]:
                above_bounds[s, value, 0] = count
            if count > above_bounds[s, value, 1]:
                above_bounds[s, value, 1] = count
    for model in range(n_models):
        value = score[model]
        all_scores[s, model] = value
        score_sum[s, model] += value
        score_counts[s, model, value] += 1
        round_out = eliminated_in[model]
        elim_counts[s, model, round_out if round_out >= 0 else n_rounds] += 1


@njit(cache=True)
def simulate_range(key, first, stop, round_scores, noise, eliminate, rules,
                   score_sum, score_cross, score_counts, elim_counts, above_bounds):
    """Run iterations ``first <= i < stop`` for every schedule; add into the given counters.

    Counter shapes (S schedules, M models, K rounds, V = K * units_per_point + 1 score values):
    ``score_sum`` (S, M), ``score_cross`` (S, S, M) holding sums of products of final scores
    (upper triangle, ``s <= t``), ``score_counts`` (S, M, V) indexed by final score,
    ``elim_counts`` (S, M, K + 1) indexed by elimination round, ``K`` meaning never eliminated,
    and ``above_bounds`` (S, V, 2), the running minimum and maximum of the number of models
    scoring above each occupied score value (merged by min and max, not summed).
    """
    n_rounds, n_models = round_scores.shape
    n_schedules = eliminate.shape[0]
    n_values = score_counts.shape[2]
    score = np.empty(n_models, np.int64)
    eliminated_in = np.empty(n_models, np.int64)
    work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
    hist = np.empty(n_values, np.int64)
    above = np.empty(n_values, np.int64)
    perturbed = np.empty(n_models, np.float64)
    all_scores = np.empty((n_schedules, n_models), np.int64)
    for iteration in range(first, stop):
        for s in range(n_schedules):
            play_tournament(key, iteration, round_scores, noise, eliminate[s], rules, score,
                            eliminated_in, work, perturbed)
            _accumulate(s, score, eliminated_in, all_scores, hist, above, n_rounds,
                        score_sum, score_counts, elim_counts, above_bounds)
        for s in range(n_schedules):
            for t in range(s, n_schedules):
                for model in range(n_models):
                    score_cross[s, t, model] += all_scores[s, model] * all_scores[t, model]


@njit(cache=True)
def rank_window_range(key, first, stop, round_scores, noise, eliminate, rules, low, offset,
                      window):
    """Replay iterations ``first <= i < stop`` and count (model, final score, rank) exactly.

    Used only when a score value's rank varies between tournaments (draws, docs/method.md 5.4).
    A model with score ``v`` in schedule ``s`` and ``a`` models above it adds one to
    ``window[s, m, offset[s, v] + a - low[s, v]]``; ``low`` and ``offset`` (S, V) come from the
    first pass's ``above_bounds``, so every index is in range.
    """
    n_rounds, n_models = round_scores.shape
    n_schedules = eliminate.shape[0]
    n_values = low.shape[1]
    score = np.empty(n_models, np.int64)
    eliminated_in = np.empty(n_models, np.int64)
    work = np.empty((5, max(n_models, 2 * n_rounds + 1)), np.int64)
    hist = np.empty(n_values, np.int64)
    above = np.empty(n_values, np.int64)
    perturbed = np.empty(n_models, np.float64)
    for iteration in range(first, stop):
        for s in range(n_schedules):
            play_tournament(key, iteration, round_scores, noise, eliminate[s], rules, score,
                            eliminated_in, work, perturbed)
            _above_counts(score, hist, above)
            for model in range(n_models):
                value = score[model]
                window[s, model, offset[s, value] + above[value] - low[s, value]] += 1


@njit(cache=True, parallel=True)
def simulate_blocks(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                    random_ties, noisy, score_sum, score_cross, score_counts, elim_counts,
                    above_bounds):
    """Split ``[first, stop)`` into one contiguous block per leading index of the counters.

    Each block owns its counters (shape as in :func:`simulate_range` with a leading block axis), so
    threads never share memory; the caller merges the blocks (sums, and min/max for
    ``above_bounds``). Integer counters make the merge exact, so results are bit-identical
    whatever the number of blocks or threads.

    The four rule flags are run-time values: one compilation serves every rule combination
    (``engine/dispatch.py`` says why, and how to compile them as constants instead).
    """
    rules = (draw_ties, bye_units, random_ties, noisy)
    n_blocks = score_sum.shape[0]
    total = stop - first
    for block in prange(n_blocks):
        lo = first + total * block // n_blocks
        hi = first + total * (block + 1) // n_blocks
        simulate_range(key, lo, hi, round_scores, noise, eliminate, rules, score_sum[block],
                       score_cross[block], score_counts[block], elim_counts[block],
                       above_bounds[block])


@njit(cache=True, parallel=True)
def rank_window_blocks(key, first, stop, round_scores, noise, eliminate, draw_ties, bye_units,
                       random_ties, noisy, low, offset, window):
    """:func:`rank_window_range` over one contiguous block per leading index of ``window``."""
    rules = (draw_ties, bye_units, random_ties, noisy)
    n_blocks = window.shape[0]
    total = stop - first
    for block in prange(n_blocks):
        lo = first + total * block // n_blocks
        hi = first + total * (block + 1) // n_blocks
        rank_window_range(key, lo, hi, round_scores, noise, eliminate, rules, low, offset,
                          window[block])
