"""Tests of the exact enumeration oracle in ``tests/exact.py``.

The oracle is the reference the Monte Carlo engine is tested against (CSD of
Liu et al., arXiv:2512.21010), so here it is itself checked against hand-worked
tournaments, structural invariants (``docs/method.md`` section 6) and an
independent, deliberately naive brute force over every group *shuffle*.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from itertools import combinations, permutations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exact import exact_tournament, group_size_final_multiset

APPROX = dict(rel=0, abs=1e-12)


# ---------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------


def test_two_models_strict_winner() -> None:
    r = exact_tournament([[1.0, 0.0]], [0])
    assert r.expected.tolist() == [1.0, 0.0]
    assert r.variance.tolist() == [0.0, 0.0]
    assert r.score_pmf == [{1.0: 1.0}, {0.0: 1.0}]
    assert r.rank_pmf.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert r.p_active.tolist() == [[1.0], [1.0]]
    assert r.final_scores_multiset == {(0.0, 1.0): 1.0}


def test_two_models_coin_tie() -> None:
    r = exact_tournament([[0.5, 0.5]], [0], ties="coin")
    assert r.expected.tolist() == [0.5, 0.5]
    assert r.variance.tolist() == [0.25, 0.25]
    assert r.score_pmf == [{0.0: 0.5, 1.0: 0.5}] * 2
    assert r.rank_pmf.tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert r.final_scores_multiset == {(0.0, 1.0): 1.0}


def test_two_models_draw_is_deterministic() -> None:
    r = exact_tournament([[0.5, 0.5]], [0], ties="draw")
    assert r.expected.tolist() == [0.5, 0.5]
    assert r.variance.tolist() == [0.0, 0.0]
    assert r.score_pmf == [{0.5: 1.0}] * 2
    assert r.rank_pmf.tolist() == [[1.0, 0.0], [1.0, 0.0]]  # joint first place
    assert r.final_scores_multiset == {(0.5, 0.5): 1.0}


def test_three_models_one_round_bye_is_uniform() -> None:
    # Strength 0 > 1 > 2. Each model gets the bye with prob 1/3:
    #   bye 0: 1 beats 2 -> (0, 1, 0);  bye 1: 0 beats 2 -> (1, 0, 0);  bye 2: 0 beats 1 -> (1, 0, 0)
    # so E = (2/3, 1/3, 0), and model 2 has score 0 always.
    r = exact_tournament([[3.0, 2.0, 1.0]], [0])
    assert r.expected == pytest.approx([2 / 3, 1 / 3, 0.0], **APPROX)
    assert r.variance == pytest.approx([2 / 9, 2 / 9, 0.0], **APPROX)
    assert r.final_scores_multiset == {(0.0, 0.0, 1.0): 1.0}
    # Rank: model 0 first w.p. 2/3, else joint 2nd (tied with model 2 at 0 behind model 1).
    assert r.rank_pmf[0] == pytest.approx([2 / 3, 1 / 3, 0.0], **APPROX)
    assert r.rank_pmf[2] == pytest.approx([0.0, 1.0, 0.0], **APPROX)


def test_three_models_one_round_bye_points() -> None:
    # Same as above with a bye worth 1/2: each model adds 1/2 * P(bye) = 1/6.
    r = exact_tournament([[3.0, 2.0, 1.0]], [0], bye_points=0.5)
    assert r.expected == pytest.approx([5 / 6, 1 / 2, 1 / 6], **APPROX)
    assert r.expected.sum() == pytest.approx(1.5, **APPROX)
    assert r.score_pmf[2] == pytest.approx({0.0: 2 / 3, 0.5: 1 / 3}, **APPROX)


def test_three_models_two_rounds_by_hand() -> None:
    # Round 1 strength 0 > 1 > 2, round 2 reversed (2 > 1 > 0). Round 1, each w.p. 1/3:
    #   a) bye 0: 1 beats 2 -> (0,1,0). Round 2: {1} alone gets a bye; {0,2}: 2 wins -> (0,1,1)
    #   b) bye 1: 0 beats 2 -> (1,0,0). Round 2: {0} bye; {1,2}: 2 wins         -> (1,0,1)
    #   c) bye 2: 0 beats 1 -> (1,0,0). Same as b)                                 -> (1,0,1)
    # E = (2/3, 1/3, 1); multiset always (0,1,1); ranks: a) (3,1,1), b/c) (1,3,1).
    r = exact_tournament([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]], [0, 0])
    assert r.expected == pytest.approx([2 / 3, 1 / 3, 1.0], **APPROX)
    assert r.final_scores_multiset == {(0.0, 1.0, 1.0): 1.0}
    expected_rank = [[2 / 3, 0, 1 / 3], [1 / 3, 0, 2 / 3], [1, 0, 0]]
    assert r.rank_pmf == pytest.approx(np.array(expected_rank), **APPROX)
    assert r.p_active.tolist() == [[1.0, 1.0]] * 3


@pytest.mark.parametrize(
    ("tie_break", "p_active_after_round_0"),
    [
        # index: a) eliminates model 0 (lower index than 2); b/c) eliminates model 1.
        ("index", [2 / 3, 1 / 3, 1.0]),
        # random: a) 0 or 2 w.p. 1/2; b/c) 1 or 2 w.p. 1/2.
        ("random", [5 / 6, 2 / 3, 1 / 2]),
    ],
)
def test_three_models_two_rounds_with_elimination(
    tie_break: str, p_active_after_round_0: list[float]
) -> None:
    # The case above with T = (1, 0): after round 1 one of the two models at 0 goes.
    # The two survivors then have different scores, so both get byes in round 2:
    # scores stay at a) (0,1,0), b/c) (1,0,0) whoever is eliminated.
    r = exact_tournament([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]], [1, 0], tie_break=tie_break)
    assert r.expected == pytest.approx([2 / 3, 1 / 3, 0.0], **APPROX)
    assert r.p_active[:, 0] == pytest.approx(p_active_after_round_0, **APPROX)
    assert r.p_active[:, 1] == pytest.approx(p_active_after_round_0, **APPROX)
    assert r.final_scores_multiset == {(0.0, 0.0, 1.0): 1.0}


def test_single_round_elimination_by_hand() -> None:
    # Strength 0 > 1 > 2 = 3, T = 1. Matchings, each w.p. 1/3:
    #   {0,1},{2,3}: bottom group {1, coin loser of 2/3}; {0,2},{1,3} and {0,3},{1,2}: bottom {2,3}.
    # index: model 1 goes in the first, model 2 in the others.
    # random: P(1 out) = 1/6; P(2 out) = 1/3 * 1/4 + 2/3 * 1/2 = 5/12.
    r = exact_tournament([[3.0, 2.0, 0.0, 0.0]], [1], tie_break="index")
    assert r.p_active[:, 0] == pytest.approx([1.0, 2 / 3, 1 / 3, 1.0], **APPROX)
    r = exact_tournament([[3.0, 2.0, 0.0, 0.0]], [1], tie_break="random")
    assert r.p_active[:, 0] == pytest.approx([1.0, 5 / 6, 7 / 12, 7 / 12], **APPROX)


# Two identical specialists (models 0 and 1): lose every round-1 match (tie each other),
# win every round-2 match. 5 models, T = (1, 0). After round 1: 2 at score 1, 3 at score 0
# (two losers + the bye); one of the three at 0 is eliminated. Cases by round-1 bye b:
#  * b = 0 or 1 (2/5): the other weak model lost to a strong one, so the bottom is
#    {0, 1, strong}. index drops 0, model 1 then beats the strong one: S = (0, 1).
#    random: drop 0 -> (0,1); drop 1 -> (1,0); drop strong -> coin: E = (1/2, 1/2).
#  * b strong, matching {0,1} (3/5 * 1/3): the coin winner W reaches 1 and beats a strong
#    model in round 2 (W = 2); the loser L is at 0 with a strong model and the bye.
#    index drops L (lowest index) -> L = 0. random drops L w.p. 1/3, else L wins -> L = 1.
#  * b strong, 0 and 1 both lose (3/5 * 2/3): bottom {0, 1, b}. index drops 0, 1 beats b.
#    random: E = (1/3)(1/2) + (1/3)(1) = 1/2 each.
# index:  E[S0] = 3/5 * 1/3 * (1/2 * 2) = 1/5;  E[S1] = 2/5 + 3/5 * (1/3 + 2/3) = 1.
# random: E = 1/5 + 3/5 * (1/3 * 4/3 + 2/3 * 1/2) = 2/3 each.
# P(model 0 eliminated | index) = 2/5 + 3/5 * (1/3 * 1/2 + 2/3) = 9/10.
# P(weak eliminated | random) = 2/5 * 1/3 + 3/5 * (1/3 * 1/6 + 2/3 * 1/3) = 3/10.
SPECIALISTS = [[0.0, 0.0, 2.0, 3.0, 4.0], [5.0, 5.0, 1.0, 2.0, 3.0]]


def test_identical_weak_models_index_tie_break() -> None:
    r = exact_tournament(SPECIALISTS, [1, 0], tie_break="index")
    assert r.expected[:2] == pytest.approx([1 / 5, 1.0], **APPROX)
    assert r.p_active[:2, 0] == pytest.approx([1 / 10, 9 / 10], **APPROX)


def test_identical_weak_models_random_tie_break() -> None:
    r = exact_tournament(SPECIALISTS, [1, 0], tie_break="random")
    assert r.expected[:2] == pytest.approx([2 / 3, 2 / 3], **APPROX)
    assert r.p_active[:2, 0] == pytest.approx([7 / 10, 7 / 10], **APPROX)
    assert r.score_pmf[0] == pytest.approx(r.score_pmf[1], **APPROX)
    assert r.rank_pmf[0] == pytest.approx(r.rank_pmf[1], **APPROX)


def test_never_eliminate_last_model() -> None:
    r = exact_tournament([[1.0, 2.0, 3.0]] * 3, [5, 5, 5])
    # T is capped at n_active - 1: everyone but one goes after round 1.
    assert r.p_active.sum(axis=0).tolist() == [1.0, 1.0, 1.0]
    assert r.expected.sum() == pytest.approx(1.0, **APPROX)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(round_scores=[1.0, 2.0], schedule=[0]), "shape"),
        (dict(round_scores=[[1.0, 2.0]], schedule=[0, 0]), "schedule"),
        (dict(round_scores=[[1.0, 2.0]], schedule=[-1]), "schedule"),
        (dict(round_scores=[[1.0, np.nan]], schedule=[0]), "finite"),
        (dict(round_scores=[[1.0, 2.0]], schedule=[0], tie_break="first"), "tie_break"),
        (dict(round_scores=[[1.0, 2.0]], schedule=[0], ties="half"), "ties"),
        (dict(round_scores=np.zeros((1, 9)), schedule=[0]), "M"),
    ],
)
def test_invalid_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        exact_tournament(**kwargs)


# ---------------------------------------------------------------------------
# Group-size facts
# ---------------------------------------------------------------------------


def test_group_size_small_cases_by_hand() -> None:
    assert group_size_final_multiset(2, [0]) == (0.0, 1.0)
    assert group_size_final_multiset(3, [0, 0]) == (0.0, 1.0, 1.0)
    assert group_size_final_multiset(3, [1, 0]) == (0.0, 0.0, 1.0)
    assert group_size_final_multiset(3, [0], bye_points=0.5) == (0.0, 0.5, 1.0)


def test_top_score_29_models_12_rounds() -> None:
    # Size of the leading group(s), T = 0 (g -> g//2 winners, g//2 losers, odd one a 0-point bye):
    #   R1: 29@0 -> 14@1         R2: 14@1 -> 7@2        R3: 7@2 -> 3@3       R4: 3@3 -> 1@4
    #   R5: lone leader byes at 4, the 7@3 group sends 3 up -> 4@4
    #   R6: 4@4 -> 2@5           R7: 2@5 -> 1@6
    #   R8: leader byes at 6, the 4@5 group sends 2 up -> 3@6           R9: 3@6 -> 1@7
    #   R10: leader byes at 7, the 5@6 group sends 2 up -> 3@7         R11: 3@7 -> 1@8
    #   R12: leader byes at 8, the 5@7 group sends 2 up -> 3@8
    # So the top final score is 8 (not 12), shared by 3 models. The 154 decisive
    # matches make sum_m E[S_m] = 154.
    final = group_size_final_multiset(29, [0] * 12)
    assert len(final) == 29
    assert max(final) == 8.0
    assert final.count(8.0) == 3
    assert sum(final) == 154.0
    assert final == tuple(
        float(s) for s in [0, 1, 2, 3] + [4] * 4 + [5] * 6 + [6] * 6 + [7] * 6 + [8] * 3
    )


# ---------------------------------------------------------------------------
# Independent brute force over group shuffles
# ---------------------------------------------------------------------------


def _brute_force(
    round_scores: np.ndarray, schedule: list[int], tie_break: str, ties: str, bye: Fraction
) -> dict[tuple[Fraction, ...], Fraction]:
    """Distribution of final score vectors by enumerating every group *permutation*.

    Literal reading of the rules: shuffle each group (all g! orders equally likely),
    pair consecutive members, the last of an odd group gets the bye; no memoisation,
    no matching enumeration.  Exponential: only for M <= 4, K <= 3.
    """
    n_rounds, n_models = round_scores.shape
    out: dict[tuple[Fraction, ...], Fraction] = defaultdict(Fraction)

    def recurse(k: int, scores: tuple[Fraction, ...], active: tuple[int, ...], p: Fraction) -> None:
        if k == n_rounds:
            out[scores] += p
            return
        groups = sorted({scores[m] for m in active})
        members = [[m for m in active if scores[m] == s] for s in groups]
        orders = [list(permutations(g)) for g in members]
        for combo in product(*orders):
            p_order = p
            pairs, byes = [], []
            for order, all_orders in zip(combo, orders):
                p_order /= len(all_orders)
                pairs += [order[i : i + 2] for i in range(0, len(order) - 1, 2)]
                byes += [order[-1]] if len(order) % 2 else []
            for flips in product((0, 1), repeat=len(pairs)):
                new = list(scores)
                p_play = p_order
                for m in byes:
                    new[m] += bye
                for (a, b), flip in zip(pairs, flips):
                    x, y = round_scores[k][a], round_scores[k][b]
                    if x != y:
                        p_play /= 2  # the flip is irrelevant: split it evenly
                        new[a if x > y else b] += 1
                    elif ties == "draw":
                        p_play /= 2
                        new[a] += Fraction(1, 2)
                        new[b] += Fraction(1, 2)
                    else:
                        p_play /= 2
                        new[b if flip else a] += 1
                n_elim = min(schedule[k], len(active) - 1)
                ranked = sorted(active, key=lambda m: (new[m], m))
                cut = new[ranked[n_elim - 1]] if n_elim else None
                below = [m for m in active if n_elim and new[m] < cut]
                tied = [m for m in active if n_elim and new[m] == cut]
                need = n_elim - len(below)
                if tie_break == "index":
                    choices = [tuple(ranked[:n_elim])]
                else:
                    choices = [tuple(below) + c for c in combinations(tied, need)]
                for gone in choices:
                    rest = tuple(m for m in active if m not in gone)
                    recurse(k + 1, tuple(new), rest, p_play / len(choices))

    recurse(0, (Fraction(0),) * n_models, tuple(range(n_models)), Fraction(1))
    return out


@st.composite
def small_tournaments(draw: st.DrawFn, max_models: int = 6, max_rounds: int = 4) -> dict:
    """Random tiny tournament: scores in {0, 1, 2} so ties are frequent."""
    n_models = draw(st.integers(2, max_models))
    n_rounds = draw(st.integers(1, max_rounds))
    flat = draw(st.lists(st.integers(0, 2), min_size=n_models * n_rounds, max_size=n_models * n_rounds))
    return dict(
        round_scores=np.array(flat, dtype=float).reshape(n_rounds, n_models),
        schedule=draw(st.lists(st.integers(0, 2), min_size=n_rounds, max_size=n_rounds)),
        tie_break=draw(st.sampled_from(["random", "index"])),
        bye_points=draw(st.sampled_from([0.0, 0.5, 1.0])),
    )


FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@FAST
@given(case=small_tournaments(max_models=4, max_rounds=3), ties=st.sampled_from(["coin", "draw"]))
def test_matches_permutation_brute_force(case: dict, ties: str) -> None:
    r = exact_tournament(**case, ties=ties)
    dist = _brute_force(
        case["round_scores"], case["schedule"], case["tie_break"], ties, Fraction(case["bye_points"])
    )
    assert sum(dist.values()) == 1
    n_models = case["round_scores"].shape[1]
    expected = [float(sum(p * s[m] for s, p in dist.items())) for m in range(n_models)]
    assert r.expected == pytest.approx(expected, abs=1e-12)
    for m in range(n_models):
        pmf: dict[float, Fraction] = defaultdict(Fraction)
        for s, p in dist.items():
            pmf[float(s[m])] += p
        assert r.score_pmf[m] == pytest.approx({k: float(v) for k, v in pmf.items()}, abs=1e-12)


@FAST
@given(case=small_tournaments())
def test_coin_multiset_is_determined_by_group_sizes(case: dict) -> None:
    r = exact_tournament(**case, ties="coin")
    n_rounds, n_models = case["round_scores"].shape
    multiset = group_size_final_multiset(n_models, case["schedule"], case["bye_points"])
    assert r.final_scores_multiset == {multiset: pytest.approx(1.0, abs=1e-12)}
    assert r.expected.sum() == pytest.approx(sum(multiset), abs=1e-9)


@FAST
@given(case=small_tournaments(), ties=st.sampled_from(["coin", "draw"]))
def test_distributions_are_normalised(case: dict, ties: str) -> None:
    r = exact_tournament(**case, ties=ties)
    n_rounds, n_models = case["round_scores"].shape
    for pmf in r.score_pmf:
        assert sum(pmf.values()) == pytest.approx(1.0, abs=1e-12)
    assert r.rank_pmf.sum(axis=1) == pytest.approx(np.ones(n_models), abs=1e-12)
    assert sum(r.final_scores_multiset.values()) == pytest.approx(1.0, abs=1e-12)
    assert np.all(r.variance >= -1e-12)
    # Survival: the number of active models is deterministic and never increases.
    n_active, expected_active = n_models, []
    for t in case["schedule"]:
        n_active -= min(t, n_active - 1)
        expected_active.append(n_active)
    assert r.p_active.sum(axis=0) == pytest.approx(expected_active, abs=1e-12)
    assert np.all(np.diff(r.p_active, axis=1) <= 1e-12)
    # E[S_m] agrees with its pmf; the model(s) in first place exist with probability 1.
    means = [sum(s * p for s, p in pmf.items()) for pmf in r.score_pmf]
    assert r.expected == pytest.approx(means, abs=1e-12)
    assert r.rank_pmf[:, 0].sum() >= 1.0 - 1e-12
