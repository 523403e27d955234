"""Exact enumeration oracle for tiny Competitive Swiss-System Dynamics tournaments.

This module is a deliberately simple, pure-Python reference implementation of one
CSD tournament as described in J. Liu et al., "LLM Swiss Round: Aggregating
Multi-Benchmark Performance via Competitive Swiss-System Dynamics",
arXiv:2512.21010 (2025), with the defaults of ``docs/method.md``.  It is written
independently of the numba engine and is used only by the test suite.

Instead of sampling, it enumerates *every* random choice of a tournament with its
exact probability (``fractions.Fraction`` arithmetic):

* per score group, every (bye, perfect matching) choice, each equally likely;
* every fair-coin outcome of a tied match (``ties="coin"``);
* every subset eliminated from the tied boundary group (``tie_break="random"``).

The state after a round is ``(scores, elim_round)``; identical states are merged
(forward dynamic programming) and the transition of a ``(round, scores, active)``
triple is memoised, so tournaments with M <= 6 models and K <= 4 rounds take
milliseconds.  The cost grows super-exponentially with M: keep M small.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from itertools import combinations, product
from math import comb

import numpy as np

__all__ = ["ExactResult", "exact_tournament", "group_size_final_multiset"]

#: Largest number of models accepted by :func:`exact_tournament`.
MAX_MODELS = 8

Scores = tuple[Fraction, ...]
Pairing = tuple[tuple[tuple[int, int], ...], tuple[int, ...]]  # (matches, bye models)
#: (final scores, elimination round per model); ``elim_round[m] == K`` means never.
State = tuple[Scores, tuple[int, ...]]

_HALF = Fraction(1, 2)


@dataclass(frozen=True)
class ExactResult:
    """Exact outcome distribution of one CSD tournament.

    Attributes
    ----------
    expected : numpy.ndarray
        Shape (M,). Expected final score E[S_m] (the paper's Expected Win Score).
    variance : numpy.ndarray
        Shape (M,). Variance of the final score of each model.
    score_pmf : list of dict
        ``score_pmf[m][s]`` is P(final score of model m == s).
    p_active : numpy.ndarray
        Shape (M, K). ``p_active[m, k]`` is P(model m is still active after round k),
        with k the 0-based round index; a model eliminated after round k is not active
        after round k.
    rank_pmf : numpy.ndarray
        Shape (M, M). ``rank_pmf[m, r - 1]`` is P(competition rank of m == r), where the
        competition ("min") rank is 1 + the number of models (eliminated ones included)
        with a strictly higher final score.
    final_scores_multiset : dict
        Distribution of the ascending sorted tuple of all M final scores.
    """

    expected: np.ndarray
    variance: np.ndarray
    score_pmf: list[dict[float, float]]
    p_active: np.ndarray
    rank_pmf: np.ndarray
    final_scores_multiset: dict[tuple[float, ...], float]


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _validate(
    round_scores: np.ndarray, schedule: Sequence[int], tie_break: str, ties: str
) -> tuple[int, ...]:
    """Check the arguments of :func:`exact_tournament` and return the schedule.

    Parameters
    ----------
    round_scores : numpy.ndarray
        Round scores, expected shape (K, M).
    schedule : sequence of int
        Number of models to eliminate after each round.
    tie_break : str
        Elimination tie-break, ``"random"`` or ``"index"``.
    ties : str
        Tied-match rule, ``"coin"`` or ``"draw"``.

    Returns
    -------
    tuple of int
        The schedule as a tuple of non-negative ints.

    Raises
    ------
    ValueError
        If any argument is malformed.
    """
    if round_scores.ndim != 2:
        raise ValueError(f"round_scores must have shape (K, M), got {round_scores.shape}")
    n_rounds, n_models = round_scores.shape
    if not 1 <= n_models <= MAX_MODELS:
        raise ValueError(f"exact enumeration needs 1 <= M <= {MAX_MODELS}, got M={n_models}")
    if not np.all(np.isfinite(round_scores)):
        raise ValueError("round_scores must be finite")
    sched = tuple(int(t) for t in schedule)
    if len(sched) != n_rounds or any(t < 0 for t in sched):
        raise ValueError(f"schedule must hold {n_rounds} non-negative ints, got {schedule!r}")
    if tie_break not in ("random", "index"):
        raise ValueError(f"tie_break must be 'random' or 'index', got {tie_break!r}")
    if ties not in ("coin", "draw"):
        raise ValueError(f"ties must be 'coin' or 'draw', got {ties!r}")
    return sched


# ---------------------------------------------------------------------------
# Pairing
# ---------------------------------------------------------------------------


def _perfect_matchings(members: tuple[int, ...]) -> list[tuple[tuple[int, int], ...]]:
    """List every perfect matching of an even-sized tuple of models.

    Parameters
    ----------
    members : tuple of int
        Models to pair; its length must be even.

    Returns
    -------
    list of tuple of (int, int)
        Each matching once. "Shuffle and pair consecutive" gives each of them the same
        probability, so the caller weights them uniformly.
    """
    if not members:
        return [()]
    first, rest = members[0], members[1:]
    matchings = []
    for i, partner in enumerate(rest):
        remaining = rest[:i] + rest[i + 1 :]
        for sub in _perfect_matchings(remaining):
            matchings.append(((first, partner),) + sub)
    return matchings


def _group_pairings(members: tuple[int, ...]) -> list[Pairing]:
    """List the equally likely (matches, bye) choices for one score group.

    Parameters
    ----------
    members : tuple of int
        Models sharing one cumulative score.

    Returns
    -------
    list of Pairing
        For an even group, every perfect matching with no bye.  For an odd group,
        every choice of bye model combined with every perfect matching of the others:
        the same distribution as "shuffle uniformly, pair consecutive, the last one
        gets the bye".
    """
    if len(members) % 2 == 0:
        return [(matching, ()) for matching in _perfect_matchings(members)]
    pairings = []
    for bye in members:
        others = tuple(m for m in members if m != bye)
        pairings.extend((matching, (bye,)) for matching in _perfect_matchings(others))
    return pairings


def _round_pairings(scores: Scores, active: tuple[int, ...]) -> list[tuple[Fraction, Pairing]]:
    """Enumerate the pairings of one round with their probabilities.

    Parameters
    ----------
    scores : tuple of Fraction
        Cumulative scores of all models before the round.
    active : tuple of int
        Active models, ascending.

    Returns
    -------
    list of (Fraction, Pairing)
        Joint choices over all score groups (independent, no floating between groups).
    """
    groups: dict[Fraction, list[int]] = defaultdict(list)
    for m in active:
        groups[scores[m]].append(m)
    per_group = [_group_pairings(tuple(members)) for members in groups.values()]
    result = []
    for combo in product(*per_group):
        prob = Fraction(1)
        matches: tuple[tuple[int, int], ...] = ()
        byes: tuple[int, ...] = ()
        for options, (group_matches, group_byes) in zip(per_group, combo):
            prob /= len(options)
            matches += group_matches
            byes += group_byes
        result.append((prob, (matches, byes)))
    return result


# ---------------------------------------------------------------------------
# Matches and elimination
# ---------------------------------------------------------------------------


def _match_outcomes(
    pair: tuple[int, int], round_k: tuple[float, ...], ties: str
) -> list[tuple[Fraction, dict[int, Fraction]]]:
    """Enumerate the outcomes of one match.

    Parameters
    ----------
    pair : (int, int)
        The two models.
    round_k : tuple of float
        Round scores of all models in this round (higher is better).
    ties : str
        ``"coin"``: a tie is a fair coin flip, winner +1.  ``"draw"``: +1/2 each.

    Returns
    -------
    list of (Fraction, dict)
        Probability and points gained per model.
    """
    a, b = pair
    if round_k[a] > round_k[b]:
        return [(Fraction(1), {a: Fraction(1), b: Fraction(0)})]
    if round_k[b] > round_k[a]:
        return [(Fraction(1), {a: Fraction(0), b: Fraction(1)})]
    if ties == "draw":
        return [(Fraction(1), {a: _HALF, b: _HALF})]
    return [(_HALF, {a: Fraction(1), b: Fraction(0)}), (_HALF, {a: Fraction(0), b: Fraction(1)})]


def _play(
    scores: Scores, pairing: Pairing, round_k: tuple[float, ...], ties: str, bye_points: Fraction
) -> list[tuple[Fraction, Scores]]:
    """Enumerate the scores after playing every match of a pairing.

    Parameters
    ----------
    scores : tuple of Fraction
        Cumulative scores before the round.
    pairing : Pairing
        Matches and bye models of the round.
    round_k : tuple of float
        Round scores of all models in this round.
    ties : str
        Tied-match rule.
    bye_points : Fraction
        Points awarded for a bye.

    Returns
    -------
    list of (Fraction, tuple of Fraction)
        Probability and new cumulative scores, one entry per combination of coin flips.
    """
    matches, byes = pairing
    base = list(scores)
    for m in byes:
        base[m] += bye_points
    per_match = [_match_outcomes(pair, round_k, ties) for pair in matches]
    result = []
    for combo in product(*per_match):
        prob = Fraction(1)
        new = list(base)
        for p, gains in combo:
            prob *= p
            for m, g in gains.items():
                new[m] += g
        result.append((prob, tuple(new)))
    return result


def _eliminations(
    scores: Scores, active: tuple[int, ...], n_elim: int, tie_break: str
) -> list[tuple[Fraction, frozenset[int]]]:
    """Enumerate which active models are eliminated after a round.

    Parameters
    ----------
    scores : tuple of Fraction
        Cumulative scores after the round.
    active : tuple of int
        Active models, ascending.
    n_elim : int
        Effective number to eliminate (already capped at ``len(active) - 1``).
    tie_break : str
        ``"random"``: a uniformly random subset of the tied boundary group.
        ``"index"``: lowest model index first.

    Returns
    -------
    list of (Fraction, frozenset of int)
        Probability and set of eliminated models.
    """
    if n_elim == 0:
        return [(Fraction(1), frozenset())]
    cut_score = sorted(scores[m] for m in active)[n_elim - 1]
    below = [m for m in active if scores[m] < cut_score]
    boundary = [m for m in active if scores[m] == cut_score]  # ascending index
    n_from_boundary = n_elim - len(below)
    if tie_break == "index":
        return [(Fraction(1), frozenset(below + boundary[:n_from_boundary]))]
    subsets = list(combinations(boundary, n_from_boundary))
    prob = Fraction(1, comb(len(boundary), n_from_boundary))
    return [(prob, frozenset(below) | frozenset(sub)) for sub in subsets]


@cache
def _transitions(
    round_k: tuple[float, ...],
    scores: Scores,
    active: tuple[int, ...],
    n_to_eliminate: int,
    tie_break: str,
    ties: str,
    bye_points: Fraction,
) -> tuple[tuple[Fraction, Scores, frozenset[int]], ...]:
    """Enumerate every outcome of one round from one state (memoised).

    Parameters
    ----------
    round_k : tuple of float
        Round scores of all models in this round.
    scores : tuple of Fraction
        Cumulative scores before the round.
    active : tuple of int
        Active models, ascending.
    n_to_eliminate : int
        Scheduled T_k; the effective number is ``min(T_k, len(active) - 1)``.
    tie_break, ties : str
        Rules, see :func:`exact_tournament`.
    bye_points : Fraction
        Points awarded for a bye.

    Returns
    -------
    tuple of (Fraction, tuple of Fraction, frozenset of int)
        Probability, scores after the round, models eliminated after the round.
        Identical outcomes are merged; probabilities sum to 1.
    """
    n_elim = min(n_to_eliminate, len(active) - 1)
    merged: dict[tuple[Scores, frozenset[int]], Fraction] = defaultdict(Fraction)
    for p_pair, pairing in _round_pairings(scores, active):
        for p_play, new_scores in _play(scores, pairing, round_k, ties, bye_points):
            for p_elim, out in _eliminations(new_scores, active, n_elim, tie_break):
                merged[(new_scores, out)] += p_pair * p_play * p_elim
    return tuple((p, s, out) for (s, out), p in merged.items())


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _outcome_distribution(
    round_scores: np.ndarray,
    schedule: tuple[int, ...],
    tie_break: str,
    ties: str,
    bye_points: Fraction,
) -> dict[State, Fraction]:
    """Propagate the exact state distribution through all rounds.

    Parameters
    ----------
    round_scores : numpy.ndarray
        Shape (K, M).
    schedule : tuple of int
        T_k per round.
    tie_break, ties : str
        Rules, see :func:`exact_tournament`.
    bye_points : Fraction
        Points awarded for a bye.

    Returns
    -------
    dict
        Maps ``(final scores, elim_round)`` to its probability, where ``elim_round[m]``
        is the round after which model m was eliminated, or K if it never was.
    """
    n_rounds, n_models = round_scores.shape
    dist: dict[State, Fraction] = {((Fraction(0),) * n_models, (n_rounds,) * n_models): Fraction(1)}
    for k in range(n_rounds):
        round_k = tuple(float(x) for x in round_scores[k])
        new_dist: dict[State, Fraction] = defaultdict(Fraction)
        for (scores, elim), p_state in dist.items():
            active = tuple(m for m in range(n_models) if elim[m] == n_rounds)
            outcomes = _transitions(round_k, scores, active, schedule[k], tie_break, ties, bye_points)
            for p, new_scores, out in outcomes:
                new_elim = tuple(k if m in out else e for m, e in enumerate(elim))
                new_dist[(new_scores, new_elim)] += p_state * p
        dist = dict(new_dist)
    return dist


def _summarise(dist: dict[State, Fraction], n_models: int, n_rounds: int) -> ExactResult:
    """Reduce the joint outcome distribution to the statistics of :class:`ExactResult`.

    Parameters
    ----------
    dist : dict
        Output of :func:`_outcome_distribution`.
    n_models, n_rounds : int
        M and K.

    Returns
    -------
    ExactResult
        Exact statistics converted to floats.
    """
    mean = [Fraction(0)] * n_models
    second = [Fraction(0)] * n_models
    pmf: list[dict[Fraction, Fraction]] = [defaultdict(Fraction) for _ in range(n_models)]
    active = [[Fraction(0)] * n_rounds for _ in range(n_models)]
    ranks = [[Fraction(0)] * n_models for _ in range(n_models)]
    multiset: dict[tuple[Fraction, ...], Fraction] = defaultdict(Fraction)
    for (scores, elim), p in dist.items():
        multiset[tuple(sorted(scores))] += p
        for m in range(n_models):
            s = scores[m]
            mean[m] += p * s
            second[m] += p * s * s
            pmf[m][s] += p
            rank = 1 + sum(1 for other in scores if other > s)
            ranks[m][rank - 1] += p
            for k in range(min(elim[m], n_rounds)):
                active[m][k] += p
    variance = [second[m] - mean[m] ** 2 for m in range(n_models)]
    return ExactResult(
        expected=np.array([float(x) for x in mean]),
        variance=np.array([float(x) for x in variance]),
        score_pmf=[{float(s): float(p) for s, p in sorted(d.items())} for d in pmf],
        p_active=np.array([[float(x) for x in row] for row in active], dtype=float).reshape(
            n_models, n_rounds
        ),
        rank_pmf=np.array([[float(x) for x in row] for row in ranks], dtype=float),
        final_scores_multiset={
            tuple(float(s) for s in key): float(p) for key, p in sorted(multiset.items())
        },
    )


def exact_tournament(
    round_scores: Sequence[Sequence[float]] | np.ndarray,
    schedule: Sequence[int],
    tie_break: str = "random",
    ties: str = "coin",
    bye_points: float = 0.0,
) -> ExactResult:
    """Compute the exact outcome distribution of a tiny CSD tournament.

    Implements the tournament of Liu et al., arXiv:2512.21010 (see
    ``docs/method.md`` section 2) by exhaustive enumeration of all random
    choices, without any sampling.

    Parameters
    ----------
    round_scores : array_like
        Shape (K, M). In round k model i beats model j iff
        ``round_scores[k][i] > round_scores[k][j]``; equal values are a tie.
    schedule : sequence of int
        K non-negative ints; T_k models are eliminated after round k, capped at
        ``n_active - 1`` so the last active model is never eliminated.
    tie_break : {"random", "index"}
        Who is eliminated among models tied at the cut: a uniformly random subset of
        the boundary group, or the lowest model indices first (reference script).
    ties : {"coin", "draw"}
        Tied match: fair coin with +1 to the winner, or +1/2 to both.
    bye_points : float
        Points for the bye given to a uniformly random member of an odd score group.

    Returns
    -------
    ExactResult
        Exact expectations, variances, score and rank distributions, survival
        probabilities and the distribution of the final score multiset.

    Raises
    ------
    ValueError
        If the inputs are malformed or M exceeds :data:`MAX_MODELS`.

    Examples
    --------
    >>> exact_tournament([[1.0, 0.0]], [0]).expected
    array([1., 0.])
    """
    scores = np.asarray(round_scores, dtype=float)
    sched = _validate(scores, schedule, tie_break, ties)
    bye = Fraction(float(bye_points))
    dist = _outcome_distribution(scores, sched, tie_break, ties, bye)
    return _summarise(dist, scores.shape[1], scores.shape[0])


def group_size_final_multiset(
    n_models: int, schedule: Sequence[int], bye_points: float = 0.0
) -> tuple[float, ...]:
    """Final score multiset implied by score-group sizes alone (``ties="coin"``).

    Every match has exactly one winner, so the sizes of the score groups evolve the
    same way in every tournament whatever the data (``docs/method.md`` section 6).
    A group of size g at score s yields ``g // 2`` winners at s + 1, ``g // 2`` losers
    at s and, if g is odd, one bye at ``s + bye_points``; then the effective T_k
    lowest scores are eliminated (and keep their score).

    Parameters
    ----------
    n_models : int
        M, the number of models.
    schedule : sequence of int
        T_k per round; its length is K.
    bye_points : float
        Points awarded for a bye.

    Returns
    -------
    tuple of float
        The M final scores (eliminated models included), sorted ascending.

    Examples
    --------
    >>> group_size_final_multiset(3, [0, 0])
    (0.0, 1.0, 1.0)
    """
    bye = Fraction(float(bye_points))
    active: Counter[Fraction] = Counter({Fraction(0): n_models})
    eliminated: list[Fraction] = []
    for t in schedule:
        nxt: Counter[Fraction] = Counter()
        for s, g in active.items():
            nxt[s + 1] += g // 2
            nxt[s] += g // 2
            if g % 2:
                nxt[s + bye] += 1
        active = +nxt  # drop empty groups
        n_elim = min(int(t), sum(active.values()) - 1)
        for _ in range(n_elim):
            lowest = min(active)
            eliminated.append(lowest)
            active[lowest] -= 1
            active = +active
    final = eliminated + list(active.elements())
    return tuple(float(s) for s in sorted(final))
