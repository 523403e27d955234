"""Robustness probes: damage some models' scores, or add dominated clone models, and rerank.

The CSD paper (Liu et al., arXiv:2512.21010) set some of one model's benchmark scores to 0 and
reported its rank under CSD (7th -> 10th) and under the plain average (7th -> 19th). This module
runs that probe for every method of :mod:`swisssim.analysis.compare`, and a second "irrelevant model" probe.

Conventions
-----------
* **Damage probe**: each ``BENCH=VALUE`` assignment is applied to every chosen model; ``VALUE`` is
  a finite number (raw units) or ``worst`` (the worst score any model has on that benchmark: the
  minimum, or the maximum for a ``lower_is_better`` benchmark). Both runs use the same seed and
  settings. ``rank_change = rank_after - rank_before``: positive = the model fell.
* **Clone probe**: ``N`` models ``clone-1 .. clone-N`` are added to the *original* scenario. On
  every benchmark, clone ``c`` scores ``worst - c * step`` in the better-is-higher direction,
  where ``worst`` is the worst original score and ``step`` is 1% of the benchmark's range (1% of
  ``|worst|``, or 0.01, if every model scores the same). Every clone is therefore strictly below
  every original model on every benchmark and the clones are strictly ordered among themselves:
  they are irrelevant alternatives that any sensible method ranks last. For each method the
  original models are re-ranked among themselves (competition ranks) with and without clones and
  compared: Kendall tau-b, ``rank_swaps`` (pairs of original models strictly ordered one way
  without clones and the other way with them) and ``models_moved``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Unpack

import numpy as np
import pandas as pd

from swisssim.analysis import baselines
from swisssim.analysis.compare import (
    TIE_DIGITS,
    Comparison,
    compare,
    correlation_pair,
)
from swisssim.analysis.ranks import competition_ranks
from swisssim.data.frames import as_written
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.errors import InputError
from swisssim.validation import integer

WORST = "worst"
CLONE_PREFIX = "clone"
CLONE_FAMILY = "clone"
MAX_CLONES = 1000


# ----------------------------------------------------------------------------- input


def parse_assignment(text: str, scenario: Scenario,
                     source: str, field: str) -> tuple[str, float | str]:
    """Parse ``BENCH=VALUE``; the benchmark must be used by a round, the value finite or ``worst``.

    The text is split at its last ``=``, so benchmark names may contain ``=`` but values may not.
    """
    if not isinstance(text, str) or "=" not in text:
        raise InputError(source, field, "BENCH=VALUE (a benchmark, '=', a number or 'worst')", text)
    bench, _, raw = text.rpartition("=")
    bench, raw = bench.strip(), raw.strip()
    used = [b for r in scenario.rounds for b in r.benchmarks]
    if bench not in scenario.scores.columns:
        raise InputError(source, field, f"a benchmark of the scenario ({_preview(used)})",
                         found_text=f"{bench!r} in {text!r}")
    if bench not in used:
        raise InputError(source, field,
                         f"a benchmark used by the scenario's rounds ({_preview(used)})",
                         found_text=f"{bench!r} in {text!r}, which no round uses")
    if raw.lower() == WORST:
        return bench, WORST
    try:
        value = float(raw)
    except ValueError:
        raise InputError(source, field, f"a finite number or '{WORST}' after '='",
                         found_text=f"{raw!r} in {text!r}") from None
    if not math.isfinite(value):
        raise InputError(source, field, f"a finite number or '{WORST}' after '='",
                         found_text=f"{raw!r} in {text!r}")
    return bench, value


def parse_assignments(texts: Sequence[str], scenario: Scenario,
                      source: str, field: str) -> dict[str, float | str]:
    """Parse several ``BENCH=VALUE``; each benchmark at most once."""
    result: dict[str, float | str] = {}
    for text in texts:
        bench, value = parse_assignment(text, scenario, source, field)
        if bench in result:
            raise InputError(source, field, "each benchmark at most once",
                             found_text=f"{bench!r} set twice")
        result[bench] = value
    return result


def check_models(names: Sequence[str], scenario: Scenario, source: str,
                 field: str) -> list[str]:
    """The chosen models, de-duplicated, in the order given; unknown names are an error."""
    for name in names:
        if not isinstance(name, str):
            raise InputError(source, field, "model names (strings)", name)
    chosen = list(dict.fromkeys(names))
    for name in chosen:
        if name in scenario.dropped_models:
            raise InputError(source, field, "a model of the scenario",
                             found_text=f"{name!r}, removed by [scoring].missing = 'drop'")
        if name not in scenario.model_names:
            raise InputError(source, field,
                             f"a model of the scenario ({_preview(scenario.model_names)})", name)
    return chosen


def check_clones(value: Any, source: str, field: str) -> int:
    """A number of clones from 0 to :data:`MAX_CLONES` (numpy integers accepted)."""
    return integer(value, source, field, low=0, high=MAX_CLONES)


# ----------------------------------------------------------------------------- scenarios


def damaged(scenario: Scenario, models: Sequence[str],
            assignments: dict[str, float | str]) -> Scenario:
    """A copy of the scenario with ``assignments`` applied to each of ``models``."""
    scores = scenario.scores.copy()
    for bench, value in resolve_assignments(scenario, assignments).items():
        scores.loc[list(models), bench] = value
    return scenario.with_scores(scores)


def resolve_assignments(scenario: Scenario,
                        assignments: dict[str, float | str]) -> dict[str, float]:
    """Replace ``worst`` by the benchmark's worst original score (max if lower is better)."""
    resolved = {}
    for bench, value in assignments.items():
        if value == WORST:
            column = scenario.scores[bench]
            value = column.max() if bench in scenario.scoring.lower_is_better else column.min()
        resolved[bench] = float(value)
    return resolved


def with_clones(scenario: Scenario, n: int) -> tuple[Scenario, list[str]]:
    """The scenario plus ``n`` dominated clone models (see the module notes); and their names."""
    names: list[str] = []
    taken = set(scenario.model_names)
    for c in range(1, n + 1):
        name = f"{CLONE_PREFIX}-{c}"
        while name in taken:
            name += "_"
        names.append(name)
        taken.add(name)
    sign = np.array([-1.0 if b in scenario.scoring.lower_is_better else 1.0
                     for b in scenario.scores.columns])
    oriented = scenario.scores.to_numpy(dtype=np.float64) * sign
    with np.errstate(all="ignore"):
        worst = np.nanmin(np.where(np.isnan(oriented), np.inf, oriented), axis=0)
        best = np.nanmax(np.where(np.isnan(oriented), -np.inf, oriented), axis=0)
    span = best - worst
    step = np.where(span > 0, 0.01 * span, np.where(worst != 0, 0.01 * np.abs(worst), 0.01))
    steps = np.arange(1, n + 1, dtype=np.float64)[:, None]
    clone_scores = (worst[None, :] - steps * step[None, :]) * sign
    clone_scores[:, ~np.isfinite(worst)] = np.nan
    extra = pd.DataFrame(clone_scores, index=pd.Index(names, name="model"),
                         columns=scenario.scores.columns)
    scores = pd.concat([scenario.scores, extra])
    scores.index.name = "model"
    meta = pd.DataFrame({"family": CLONE_FAMILY, "display_name": names},
                        index=pd.Index(names, name="model"))
    changes: dict[str, Any] = {"scores": scores, "models": pd.concat([scenario.models, meta])}
    errors = getattr(scenario, "score_errors", None)
    if errors is not None:  # clones are exact: standard error 0
        changes["score_errors"] = pd.concat(
            [errors, pd.DataFrame(0.0, index=extra.index, columns=errors.columns)])
    return replace(scenario, **changes), names


# ----------------------------------------------------------------------------- probes


@dataclass(frozen=True)
class PerturbResult:
    """The comparisons of one perturbation run (``after`` / ``clones`` may be absent)."""

    before: Comparison
    models: tuple[str, ...]
    assignments: dict[str, float | str]
    after: Comparison | None
    clones: Comparison | None
    clone_names: tuple[str, ...]

    def __repr__(self) -> str:
        return (f"PerturbResult(scenario={self.before.scenario.name!r}, "
                f"models={list(self.models)}, assignments={self.assignments}, "
                f"clones={len(self.clone_names)})")

    def to_frame(self) -> pd.DataFrame:
        """The damage probe's summary (``perturb_summary.csv``), else the clone probe's table."""
        if self.after is not None:
            return as_written(self.summary())
        return as_written(self.clone_summary()[0])

    def rank_changes(self) -> pd.DataFrame:
        """``perturb_rank_changes.csv``: one row per (method, model)."""
        if self.after is None:
            raise ValueError("rank_changes: no damaged run (give models and assignments)")
        return rank_changes(self.before, self.after, self.models)

    def summary(self) -> pd.DataFrame:
        """``perturb_summary.csv``: the damaged models' ranks before/after per method."""
        if self.after is None:
            raise ValueError("summary: no damaged run (give models and assignments)")
        return damage_summary(self.before, self.after, self.models)

    def clone_summary(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``clone_probe.csv`` (per method) and ``clone_rank_changes.csv`` (per method, model)."""
        if self.clones is None:
            raise ValueError("clone_summary: no clone run (give clones > 0)")
        return clone_probe(self.before, self.clones, self.clone_names)


def perturb(scenario: Scenario, models: Sequence[str] = (),
            assignments: dict[str, float | str] | None = None, clones: int = 0,
            settings: Settings | None = None, *, elo_orders: int = baselines.ELO_ORDERS,
            elo_k: float = baselines.ELO_K, **overrides: Unpack[SettingsFields]) -> PerturbResult:
    """Run every method on the scenario, on its damaged copy and on its copy with clones.

    ``settings`` (with ``overrides``), ``elo_orders`` and ``elo_k`` go to
    :func:`swisssim.analysis.compare.compare` and are the same for every run (same seed). The
    damaged copy is made only if ``models`` and ``assignments`` are given, the
    clone copy only if ``clones > 0``.
    """
    scenario = check_scenario(scenario, "perturb")
    if isinstance(models, str) or not isinstance(models, Sequence):
        raise InputError("perturb", "models", "a list of model names", models)
    models = check_models(models, scenario, "perturb", "models")
    if assignments is not None and not isinstance(assignments, Mapping):
        raise InputError("perturb", "assignments", "a mapping of benchmark to value",
                         assignments)
    assignments = parse_assignments([f"{bench}={value}" for bench, value in
                                     (assignments or {}).items()], scenario, "perturb",
                                    "assignments")
    clones = check_clones(clones, "perturb", "clones")
    elo_orders, elo_k, _ = baselines.check_options(elo_orders, elo_k, baselines.BT_ALPHA,
                                                   "perturb")
    settings = Settings.of(settings, overrides)
    compare_options: dict[str, Any] = {"elo_orders": elo_orders, "elo_k": elo_k}
    before = compare(scenario, settings, **compare_options)
    after = None
    if models and assignments:
        after = compare(damaged(scenario, models, assignments), settings, **compare_options)
    clone_run, names = None, list[str]()
    if clones > 0:
        cloned, names = with_clones(scenario, clones)
        clone_run = compare(cloned, settings, **compare_options)
    return PerturbResult(before=before, models=tuple(models), assignments=assignments,
                         after=after, clones=clone_run, clone_names=tuple(names))


def rank_changes(before: Comparison, after: Comparison, perturbed: Sequence[str]) -> pd.DataFrame:
    """Every model's rank before and after under each method.

    Columns: ``method, model, display_name, family, perturbed, rank_before, rank_after,
    rank_change, score_before, score_after``; ``rank_change > 0`` means the model fell. Rows by
    method, then by ``rank_before``.
    """
    ranks_b, ranks_a = before.ranks, after.ranks
    models = before.scenario.models
    parts = []
    for method in before.method_names:
        part = pd.DataFrame({
            "method": method, "model": before.scenario.model_names,
            "display_name": models["display_name"].to_numpy(),
            "family": models["family"].to_numpy(),
            "perturbed": [m in set(perturbed) for m in before.scenario.model_names],
            "rank_before": ranks_b[method].to_numpy(), "rank_after": ranks_a[method].to_numpy(),
        })
        part["rank_change"] = part["rank_after"] - part["rank_before"]
        part["score_before"] = before.scores[method].to_numpy()
        part["score_after"] = after.scores[method].to_numpy()
        parts.append(part.sort_values(["rank_before", "model"], kind="stable"))
    return pd.concat(parts, ignore_index=True)


def damage_summary(before: Comparison, after: Comparison, perturbed: Sequence[str]) -> pd.DataFrame:
    """The paper's probe for every method, plus how the method reranked everyone else.

    Columns: ``model, method, rank_before, rank_after, rank_change, score_before, score_after,
    kendall_tau_all`` (tau-b between all models' ranks before and after) and
    ``kendall_tau_others, others_moved`` (the unperturbed models re-ranked among themselves:
    tau-b before vs after, and how many of them changed rank).
    """
    names = before.scenario.model_names
    others = np.array([m not in set(perturbed) for m in names])
    stability = {}
    for method in before.method_names:
        rb, ra = before.ranks[method].to_numpy(), after.ranks[method].to_numpy()
        ob = competition_ranks(before.scores[method].to_numpy()[others], significant_digits=TIE_DIGITS)
        oa = competition_ranks(after.scores[method].to_numpy()[others], significant_digits=TIE_DIGITS)
        stability[method] = (rb, ra, correlation_pair(rb.astype(float), ra.astype(float))[0],
                             correlation_pair(ob.astype(float), oa.astype(float))[0],
                             int((ob != oa).sum()))
    rows = []
    for model in perturbed:
        i = names.index(model)
        for method, (rb, ra, tau_all, tau_others, moved) in stability.items():
            rows.append({"model": model, "method": method, "rank_before": int(rb[i]),
                         "rank_after": int(ra[i]), "rank_change": int(ra[i] - rb[i]),
                         "score_before": float(before.scores[method].iloc[i]),
                         "score_after": float(after.scores[method].iloc[i]),
                         "kendall_tau_all": tau_all, "kendall_tau_others": tau_others,
                         "others_moved": moved})
    return pd.DataFrame(rows)


def clone_probe(before: Comparison, cloned: Comparison,
                clone_names: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How adding dominated clones changes each method's ranking of the original models.

    Returns
    -------
    summary
        One row per method: ``method, n_clones, kendall_tau_b, rank_swaps, models_moved,
        max_abs_rank_change, best_clone_rank`` (the best rank any clone reached among all models;
        ``n_original + 1`` when every clone is ranked below every original model).
    changes
        One row per (method, original model): ``rank_without, rank_with`` (among the original
        models) and ``rank_change = rank_with - rank_without``.
    """
    names = before.scenario.model_names
    n = len(names)
    is_clone = np.array([m in set(clone_names) for m in cloned.scenario.model_names])
    rows, parts = [], []
    for method in before.method_names:
        without = before.ranks[method].to_numpy()
        with_ = competition_ranks(cloned.scores[method].to_numpy()[~is_clone], significant_digits=TIE_DIGITS)
        full = cloned.ranks[method].to_numpy()
        sign_b = np.sign(without[:, None] - without[None, :])
        sign_a = np.sign(with_[:, None] - with_[None, :])
        swaps = int(np.triu(sign_b * sign_a < 0, 1).sum())
        change = with_ - without
        rows.append({"method": method, "n_clones": len(clone_names),
                     "kendall_tau_b": correlation_pair(without.astype(float),
                                                       with_.astype(float))[0],
                     "rank_swaps": swaps, "models_moved": int((change != 0).sum()),
                     "max_abs_rank_change": int(np.abs(change).max()) if n else 0,
                     "best_clone_rank": int(full[is_clone].min()) if is_clone.any() else None})
        parts.append(pd.DataFrame({"method": method, "model": names, "rank_without": without,
                                   "rank_with": with_, "rank_change": change}))
    return pd.DataFrame(rows), pd.concat(parts, ignore_index=True)


def _preview(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


__all__ = ["PerturbResult", "check_clones", "check_models", "clone_probe", "damage_summary",
           "damaged", "parse_assignment", "parse_assignments", "perturb", "rank_changes",
           "resolve_assignments", "with_clones"]
