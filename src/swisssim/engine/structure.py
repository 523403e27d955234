"""What a schedule does to a field, round by round, and when a tournament degenerates.

Under ``ties = "coin"`` the sizes of the score groups do not depend on the data (docs/method.md,
section 6): a group of g models sends floor(g/2) winners up a point, keeps floor(g/2) losers and
moves its bye holder by ``bye_points``; the effective quotas then remove the lowest-scoring models.
So the number of active models, of matches and of lone models (a score group of one takes the
bye) in every round follow from M, K, the quotas and the bye value alone. :func:`round_structure`
computes them; :func:`degenerate_notes` turns the cases where the tournament no longer measures
much into plain sentences (printed by the commands, recorded in manifests, shown in the report):

* a schedule **capped** so that one model stays active (the field is too small for it);
* rounds played by **one active model** (it takes a bye every round, worth ``bye_points``);
* rounds in which **no match** is played (every score group holds one model): final scores are
  fixed before the last round;
* a **lone leader** from round 2 on (fields of 2 or 3 models): the leader after round 1 plays no
  more matches, so E[S] is pinned by the first rounds.

Under ``ties = "draw"`` group sizes depend on the data; only the capping and one-active-model
notes, which do not, are given then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RoundStructure:
    """Per round (1..K) of one schedule: models active at its start, matches played, models
    taking a bye alone in their score group, and whether the leader is alone."""

    active: tuple[int, ...]
    matches: tuple[int, ...]
    lone: tuple[int, ...]
    lone_leader: tuple[bool, ...]


def round_structure(n_models: int, quotas: Any, bye_points: float = 0.0) -> RoundStructure:
    """The group dynamics of one schedule under coin ties (see the module notes)."""
    groups: Counter[float] = Counter({0.0: n_models})
    active, matches, lone, leader = [], [], [], []
    for quota in (int(q) for q in np.asarray(quotas).ravel()):
        active.append(sum(groups.values()))
        top = max(groups) if groups else 0.0
        leader.append(groups.get(top, 0) == 1)
        played = 0
        alone = 0
        after: Counter[float] = Counter()
        for score, size in groups.items():
            half = size // 2
            played += half
            if half:
                after[score + 1.0] += half
                after[score] += half
            if size % 2:
                after[score + bye_points] += 1
                alone += size == 1
        matches.append(played)
        lone.append(alone)
        for score in sorted(after):          # eliminate the lowest scores first
            if quota <= 0:
                break
            cut = min(quota, after[score])
            after[score] -= cut
            quota -= cut
        groups = Counter({s: n for s, n in after.items() if n > 0})
    return RoundStructure(tuple(active), tuple(matches), tuple(lone), tuple(leader))


def _rounds(numbers: list[int]) -> str:
    """``[4, 5, 6]`` -> "rounds 4-6"; ``[5]`` -> "round 5"."""
    if len(numbers) == 1:
        return f"round {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"rounds {numbers[0]}-{numbers[-1]}"
    return "rounds " + ", ".join(map(str, numbers))


def degenerate_notes(result: Any) -> list[str]:
    """Plain sentences for the degenerate tournaments of a simulation (module notes); empty
    when every schedule plays a full tournament."""
    scenario = result.scenario
    n_models, n_rounds = scenario.n_models, scenario.n_rounds
    bye = float(scenario.simulation.bye_points)
    coin = getattr(scenario.scoring, "ties", "coin") != "draw"
    notes: list[str] = []
    for schedule, quotas in zip(result.schedules, result.quotas):
        label = schedule.label
        effective = [int(q) for q in quotas]
        wanted = list(schedule.per_round) if schedule.per_round is not None else None
        if wanted is not None and sum(wanted) > sum(effective):
            notes.append(f"T={label}: the field of {n_models} models is too small for this "
                         f"schedule: it asks for {sum(wanted)} eliminations, capped at "
                         f"{sum(effective)} so that one model stays (effective quotas "
                         f"{','.join(map(str, effective))})")
        structure = round_structure(n_models, effective, bye)
        alone = [k + 1 for k, a in enumerate(structure.active) if a == 1]
        if alone:
            notes.append(f"T={label}: one model is left active in {_rounds(alone)}; it plays no "
                         f"match there and takes a bye worth {bye:g} each round, so the drop "
                         "under this schedule mostly counts rounds the others could not play")
        if not coin:
            continue
        idle = [k + 1 for k, (a, m) in enumerate(zip(structure.active, structure.matches))
                if m == 0 and a > 1]
        if idle:
            notes.append(f"T={label}: no match is played in {_rounds(idle)} (every score group "
                         "holds one model, and a lone model takes the bye): final scores are "
                         f"decided by round {idle[0] - 1}")
        if n_rounds >= 2 and structure.lone_leader[1] and structure.active[1] > 1 and not idle:
            notes.append(f"T={label}: with {structure.active[1]} models in round 2 the leader "
                         "after round 1 is alone in its score group and takes byes (worth "
                         f"{bye:g}) instead of matches: E[S] is pinned by the first round(s)")
    return notes


def schedule_phrase(label: str, quotas: Any, n_models: int) -> str:
    """What a schedule actually did, for prose: "the 2 lowest-scoring active models are
    eliminated after rounds 1-3 (then none: one model is left)"."""
    effective = [int(q) for q in np.asarray(quotas).ravel()]
    cutting = [k + 1 for k, q in enumerate(effective) if q > 0]
    if not cutting:
        return f"no model is eliminated under T={label}"
    sizes = sorted({effective[k - 1] for k in cutting})
    size = (f"the {sizes[0]} lowest-scoring active model{'s' if sizes[0] != 1 else ''}"
            if len(sizes) == 1 else "the lowest-scoring active models "
            f"({', '.join(map(str, (effective[k - 1] for k in cutting)))} per round)")
    if len(cutting) == len(effective):
        when = "after every round"
    else:
        when = f"after {_rounds(cutting)} only"
        if n_models - sum(effective) == 1:
            when += " (then one model is left)"
    return f"under T={label} {size} {'are' if len(sizes) > 1 or sizes[0] != 1 else 'is'} " \
           f"eliminated {when}"


__all__ = ["RoundStructure", "degenerate_notes", "round_structure", "schedule_phrase"]
