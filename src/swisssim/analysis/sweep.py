"""Failure Sensitivity Analysis: elimination sweeps, risk metrics and profile labels.

Liu et al., "LLM Swiss Round" (arXiv:2512.21010), Failure Sensitivity Analysis: the same tournament
is played under several elimination schedules ``T_k`` and each model's Expected Win Score is
compared across them. A model whose score barely moves when the bottom of the field is cut is a
*robust generalist*; one whose score collapses (it loses early, foundational rounds, sinks into the
bottom group and is eliminated before the rounds it is good at) is an *aggressive specialist*.

All schedules of a sweep come from one :func:`~swisssim.engine.simulation.simulate` call, so they share
their random streams (common random numbers): round ``k`` of iteration ``i`` draws from the same
stream under every schedule, and differences between schedules get paired standard errors.
How much pairing helps depends on how long two schedules play the same tournament: once their
active fields differ, the same draws pair different models and the paired runs decorrelate. On
``scenarios/paper_synthetic.toml`` the paired SE of ``E[T=2] - E[T=0]`` is only ~1% below the
unpaired one (per-model correlations of final scores ~0.03), T = 1 vs T = 2 gains ~10%, and
schedules that diverge late (e.g. first elimination after round 7) gain ~50%. Both SEs are
reported.

Definitions (one row per model in ``risk_profile.csv``)
-------------------------------------------------------
severity
    A schedule's total number of *effective* eliminations (after the cap that keeps the last model
    active), ``total_eliminations``. Equal totals are ordered by ``removed_model_rounds``
    ``= sum_k T_k (K - k)``, the number of later-round appearances the eliminated models miss
    (so earlier eliminations are more severe: capped T = 5 beats capped T = 3, and an elimination
    after the last round removes nothing); remaining ties keep the order given.
base
    The least severe schedule (earliest given among ties); ``base_score = E[S_m | base]``.
most
    The most severe schedule (latest given among ties).
drop
    ``E[S_m | most] - E[S_m | base]`` in points; negative when elimination hurts the model.
    ``drop_se`` is its paired standard error ``sqrt((V_bb + V_mm - 2 V_bm) / N)`` from the
    per-model covariance of final scores between the two schedules; ``unpaired_drop_se`` is
    ``sqrt(SE_b^2 + SE_m^2)``, what independent runs would give.
relative_drop
    ``drop / base_score`` (NaN when the base score is 0).
slope
    Least-squares slope of ``E[S_m]`` against each schedule's mean effective eliminations per
    round (total effective eliminations / K), in points per (model eliminated per round). For
    constant schedules ``T`` that are never capped this x is ``T`` itself, so with the paper's
    sweep T = 0, 1, 2 the slope is the plain regression on T. Using effective eliminations lets
    per-round lists and percentages sit on the same axis. ``slope_se`` is the standard error of
    that linear combination of the means (paired, from the covariance). NaN with fewer than two
    distinct x values.
rank_T<label>
    Rank of the model's expected score at each schedule (1 = highest, ties share the better rank).
    Column names spell ``,`` as ``-`` and ``%`` as ``pct``: ``rank_T0-1-1-2``, ``rank_T10pct``.
    ``rank_change`` is the rank at ``most`` minus the rank at ``base`` (positive = falls).
other columns
    ``display_name, family, base_schedule, most_schedule, base_se, most_score`` and the
    ``drop_expected, drop_offset, mc_drop_z, mc_drop_p_holm, label_delta, base_tier, drop_class,
    profile`` columns
    of the rule below.

Profile rule (descriptive, relative to the field)
-------------------------------------------------
The labels place each model in a quadrant of the paper's risk-profile plane (x = base score,
y = drop), with the drop read **against what the base score predicts**:

* ``base_tier`` is ``upper`` when ``base_score >= median(base_score)``, else ``lower``.
* ``drop_expected = intercept + slope * base_score``, the field's Theil-Sen line of drop on base
  score (:func:`drop_trend`: median pairwise slope, median intercept; robust to a few outlying
  models). ``drop_offset = drop - drop_expected``: how much more (negative) or less (positive)
  a model drops than models of its base score do in this field. Without the line (offsets from
  the median drop, ``classify(..., reference="median")``) the offset mostly restates the base
  score: Spearman 0.60-0.90 between the two on the shipped fields, 0.01-0.07 with the line.
* ``mc_drop_z = drop_offset / drop_se`` and
  ``mc_drop_p_holm`` is its two-sided normal p-value, Holm-adjusted over the models of the sweep.
  Both measure **Monte Carlo noise only** (hence ``mc_``): they say whether more iterations would
  move the offset, not whether the model differs from the field.
* A drop is ``large`` when it has **statistical support** (``mc_drop_p_holm <= 2 Phi(-z)``, 0.05 at
  the default ``z = 1.96``) **and a practical effect** (``drop_offset <= -delta``); ``small``
  likewise with ``drop_offset >= delta``; otherwise ``typical``.
* ``delta = max(0.10 |median(drop)|, 1.5 * 1.4826 * MAD(drop))`` (column ``label_delta``): an
  offset must be at least a tenth of the median drop *and* 1.5 robust standard deviations of
  the field's drops (MAD = median absolute deviation from the median), a threshold in points of
  drop that does not depend on the line. (1.5 robust SDs of the offsets instead labels twice as
  many HELM Capabilities models, 13.7 against 3.9 on average over seeds 1..14, and two seeds
  then disagree on 1.3 labels on average instead of 0.41.)
  Why: any threshold on a noisy estimate flips the labels of the models near it, and the
  number of flips grows with how many models sit there. Near the median the drops are dense
  (HELM Capabilities: about one model per 0.005 points, against a paired SE of 0.006 at 20,000
  iterations), so a threshold of 10% of the median drop (0.017) flips 4 labels on average
  between two seeds; at 1.5 robust SDs the threshold lies in the sparse tails, where two seeds
  at 20,000 iterations disagree on 0.41 of 65 labels on average (91 seed pairs, offsets from
  the trend; more than one in 2% of them; 0.55 and 5% with offsets from the median). The
  statistical test alone made ever smaller differences "large" as the iterations grow; the
  practical threshold does not shrink with them.

==========  =========  ============================
base_tier   drop       profile
==========  =========  ============================
upper       small      robust generalist
upper       large      aggressive specialist
lower       small      steady underdog
lower       large      fragile underdog
any         typical    average risk
==========  =========  ============================

"Statistical support" refers to Monte Carlo noise only: the simulation treats benchmark scores
as exact. The labels are **descriptive**: on fields of exchangeable models, where no model's drop
differs in truth, most datasets still give some model a label other than ``average risk``
(``docs/method.md`` section 7.6). The bootstrap
(:meth:`swisssim.analysis.bootstrap.BootstrapResult.label_support`) reports how often each label
recurs when the data are resampled, which is descriptive too.
The labels are relative and descriptive; read them with the numbers beside them. When the sweep has
no contrast (one schedule, or every schedule
is equally severe), ``drop`` is 0 or compares schedules of equal severity, and every
profile is ``no contrast`` (a value pandas does not read as missing, unlike "n/a").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Unpack

import numpy as np
import pandas as pd

from swisssim.analysis.ranks import competition_ranks
from swisssim.analysis.significance import holm, wald_p_values
from swisssim.data.frames import as_written
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.defaults import DEFAULT_SCHEDULES, Z95
from swisssim.engine.results import SimulationResult
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.engine.structure import degenerate_notes
from swisssim.validation import check_z  # noqa: F401  (re-exported)

#: The paper's sweep: no elimination, drop 1 per round, drop 2 per round.

#: ``(base_tier, drop_class) -> profile``; ``typical`` drops are ``average risk`` in any tier.
PROFILE_NAMES: dict[tuple[str, str], str] = {
    ("upper", "small"): "robust generalist",
    ("upper", "large"): "aggressive specialist",
    ("lower", "small"): "steady underdog",
    ("lower", "large"): "fragile underdog",
}
AVERAGE_RISK = "average risk"
#: Fields above this many models fit the drop trend (:func:`drop_trend`) on this many.
TREND_MODELS = 1000
#: Practical threshold of the labels: ``max(DELTA_FRACTION |median drop|, DELTA_SPREAD * robust SD)``.
DELTA_FRACTION = 0.10
DELTA_SPREAD = 1.5
NO_CONTRAST = "no contrast"

#: Files a sweep folder holds (``swisssim plot`` needs all of them).
SWEEP_FILES: dict[str, tuple[str, ...]] = {
    "sweep.csv": ("model", "elimination", "expected_score", "std_error", "mc_ci_low", "mc_ci_high",
                  "expected_rank", "total_eliminations", "eliminations_per_round", "family",
                  "display_name"),
    "risk_profile.csv": ("model", "display_name", "family", "base_schedule", "most_schedule",
                         "base_score", "drop", "drop_se", "profile"),
    "rank_distribution.csv": ("model", "elimination", "rank", "probability"),
    "survival.csv": ("model", "elimination", "round", "round_name", "p_active"),
}


def rank_column(label: str) -> str:
    """Column name of the rank at a schedule: ``"0,1,1"`` -> ``rank_T0-1-1``, ``"10%"`` ->
    ``rank_T10pct``."""
    return "rank_T" + label.replace(",", "-").replace("%", "pct")


def profile_rule(z: float = Z95) -> dict[str, Any]:
    """The labelling rule as data, for the manifest (see the module notes)."""
    return {
        "split": "medians over the models of the sweep",
        "base_tier": "upper if base_score >= median(base_score), else lower",
        "drop_offset": "drop - median(drop)",
        "mc_drop_z": "drop_offset / drop_se",
        "mc_drop_p_holm": "two-sided normal p-value of mc_drop_z, Holm-adjusted over the models",
        "label_delta": f"max({DELTA_FRACTION} |median(drop)|, {DELTA_SPREAD} * 1.4826 * "
                       "MAD(drop))",
        "drop_class": f"large if mc_drop_p_holm <= {label_alpha(z):.4g} and drop_offset <= "
                      f"-label_delta; small if mc_drop_p_holm <= {label_alpha(z):.4g} and "
                      "drop_offset >= label_delta; else typical",
        "z": z,
        "profiles": {f"{tier} tier, {drop} drop": name
                     for (tier, drop), name in PROFILE_NAMES.items()},
        "typical drop": AVERAGE_RISK,
        "one schedule or equal severities": NO_CONTRAST,
        "caveat": "descriptive and relative to this field; statistical support covers Monte "
                  "Carlo noise only, not uncertainty in the benchmark scores (see the bootstrap's "
                  "label support)",
    }




# -- tables from a simulation -------------------------------------------------------------------

def schedule_table(result: SimulationResult) -> pd.DataFrame:
    """One row per schedule: ``elimination, total_eliminations, eliminations_per_round,
    removed_model_rounds`` (see the module notes on severity)."""
    quotas = result.quotas.astype(np.int64)
    n_rounds = quotas.shape[1]
    totals = quotas.sum(axis=1)
    return pd.DataFrame({"elimination": result.labels,
                         "total_eliminations": totals,
                         "eliminations_per_round": totals / n_rounds,
                         "removed_model_rounds": quotas @ (n_rounds - np.arange(1, n_rounds + 1))})


def sweep_table(result: SimulationResult) -> pd.DataFrame:
    """``sweep.csv``: one row per (model, schedule), schedules in the order given.

    Columns: ``model, elimination, expected_score, std_error, mc_ci_low, mc_ci_high, expected_rank,
    p_never_eliminated, total_eliminations, eliminations_per_round, removed_model_rounds, family,
    display_name``.
    """
    table = result.expected_scores().merge(schedule_table(result), on="elimination", how="left")
    first = ["model", "elimination", "expected_score", "std_error", "mc_ci_low", "mc_ci_high",
             "expected_rank", "p_never_eliminated", "total_eliminations",
             "eliminations_per_round", "removed_model_rounds"]
    return table[first + [c for c in table.columns if c not in first]]


def mean_covariance(result: SimulationResult) -> np.ndarray:
    """Covariance of the estimated means between schedules, (S, S, M): ``Cov / N``."""
    return result.covariance() / result.iterations


# -- risk metrics -------------------------------------------------------------------------------

def severity_keys(schedules: pd.DataFrame) -> list[tuple[int, int]]:
    """``(total_eliminations, removed_model_rounds)`` per schedule (the second is 0 if absent)."""
    second = (schedules["removed_model_rounds"] if "removed_model_rounds" in schedules
              else pd.Series(0, index=schedules.index))
    return [(int(a), int(b)) for a, b in zip(schedules["total_eliminations"], second)]


def severity_order(schedules: pd.DataFrame) -> list[str]:
    """Schedule labels from least to most severe (stable: ties keep the given order)."""
    keys = severity_keys(schedules)
    position = sorted(range(len(keys)), key=keys.__getitem__)
    return [str(schedules["elimination"].iloc[i]) for i in position]


def schedules_of(table: pd.DataFrame) -> pd.DataFrame:
    """Distinct schedules of a sweep table in order of first appearance, with their severity."""
    columns = [c for c in ("elimination", "total_eliminations", "eliminations_per_round",
                           "removed_model_rounds") if c in table]
    return table[columns].drop_duplicates("elimination").reset_index(drop=True)


def risk_profile(table: pd.DataFrame, covariance: np.ndarray | None = None, *,
                 z: float = Z95) -> pd.DataFrame:
    """Risk metrics and profile label per model (``risk_profile.csv``).

    Parameters
    ----------
    table
        A sweep table as :func:`sweep_table` writes it; needs ``model, elimination,
        expected_score, std_error, total_eliminations, eliminations_per_round`` (``family`` and
        ``display_name`` are carried over when present). Models and schedules are taken in order
        of first appearance.
    covariance
        Covariance of the estimated means between schedules, shape (S, S, M) in that order
        (:func:`mean_covariance`). ``None`` treats schedules as independent (diagonal from
        ``std_error``), so paired and unpaired standard errors coincide.
    z
        Significance threshold of the profile rule.

    Returns
    -------
    pandas.DataFrame
        One row per model, in table order; columns documented in the module notes.
    """
    models = list(dict.fromkeys(table["model"]))
    schedules = schedules_of(table)
    labels = list(schedules["elimination"])
    wide = table.pivot(index="model", columns="elimination", values="expected_score")
    expected = wide.loc[models, labels].to_numpy(dtype=float).T            # (S, M)
    errors = table.pivot(index="model", columns="elimination", values="std_error")
    errors = errors.loc[models, labels].to_numpy(dtype=float).T
    if covariance is None:
        covariance = _diagonal_covariance(errors)
    _check_covariance(covariance, expected.shape)
    order = severity_order(schedules)
    base, most = labels.index(order[0]), labels.index(order[-1])
    keys = severity_keys(schedules)
    contrast = keys[most] > keys[base]
    frame = _metadata(table, models)
    frame["base_schedule"], frame["most_schedule"] = labels[base], labels[most]
    frame["base_score"], frame["base_se"] = expected[base], errors[base]
    frame["most_score"] = expected[most]
    drop, drop_se = _contrast(expected, covariance, base, most)
    frame["drop"], frame["drop_se"] = drop, drop_se
    frame["unpaired_drop_se"] = np.sqrt(errors[base] ** 2 + errors[most] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["relative_drop"] = np.where(expected[base] != 0, drop / expected[base], np.nan)
    x = schedules["eliminations_per_round"].to_numpy(dtype=float)
    frame["slope"], frame["slope_se"] = least_squares_slope(x, expected, covariance)
    for s, label in enumerate(labels):
        frame[rank_column(label)] = competition_ranks(expected[s])
    frame["rank_change"] = frame[rank_column(labels[most])] - frame[rank_column(labels[base])]
    labelled = classify(frame["base_score"].to_numpy(), drop, drop_se, z=z, contrast=contrast)
    return pd.concat([frame, labelled], axis=1)


def _metadata(table: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    first = table.drop_duplicates("model").set_index("model")
    frame = pd.DataFrame({"model": models})
    for column in ("display_name", "family"):
        values = first[column].reindex(models) if column in first else pd.Series(index=models)
        fallback = models if column == "display_name" else [""] * len(models)
        frame[column] = [v if isinstance(v, str) and v else f
                         for v, f in zip(values.tolist(), fallback)]
    return frame


def _diagonal_covariance(errors: np.ndarray) -> np.ndarray:
    n_schedules, n_models = errors.shape
    covariance = np.zeros((n_schedules, n_schedules, n_models))
    for s in range(n_schedules):
        covariance[s, s] = errors[s] ** 2
    return covariance


def _check_covariance(covariance: np.ndarray, shape: tuple[int, int]) -> None:
    expected = (shape[0], shape[0], shape[1])
    if np.shape(covariance) != expected:
        raise ValueError(f"risk_profile: covariance: expected shape {expected}, "
                         f"found {np.shape(covariance)}")


def _contrast(expected: np.ndarray, covariance: np.ndarray, a: int,
              b: int) -> tuple[np.ndarray, np.ndarray]:
    """``E[b] - E[a]`` and its paired standard error, each (M,)."""
    variance = covariance[a, a] + covariance[b, b] - 2.0 * covariance[a, b]
    return expected[b] - expected[a], np.sqrt(np.maximum(variance, 0.0))


def least_squares_slope(x: np.ndarray, expected: np.ndarray,
                        covariance: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-model least-squares slope of ``expected`` (S, M) against ``x`` (S,), with its SE.

    The slope is the linear combination ``sum_s w_s E_s`` with
    ``w_s = (x_s - mean x) / sum (x - mean x)^2``, so its variance is ``w' C w`` for the (S, S, M)
    covariance ``C`` of the means. Returns NaN (both) when ``x`` has fewer than two distinct values.
    """
    centred = np.asarray(x, dtype=float) - np.mean(x)
    spread = float(centred @ centred)
    n_models = expected.shape[1]
    if spread <= 0:
        return np.full(n_models, np.nan), np.full(n_models, np.nan)
    weights = centred / spread
    slope = weights @ expected
    if covariance is None:
        return slope, np.full(n_models, np.nan)
    variance = np.einsum("s,stm,t->m", weights, covariance, weights)
    return slope, np.sqrt(np.maximum(variance, 0.0))


def label_alpha(z: float) -> float:
    """Family-wise level of the labels' test: the two-sided tail ``2 Phi(-z)`` (0.05 at 1.96)."""
    return 2.0 * NormalDist().cdf(-z)


def label_delta(drop: np.ndarray) -> float:
    """Practical threshold of the labels (module notes): ``max(0.1 |median|, 1.5 robust SD)``."""
    drop = np.asarray(drop, dtype=float)
    median = float(np.median(drop))
    spread = 1.4826 * float(np.median(np.abs(drop - median)))
    return max(DELTA_FRACTION * abs(median), DELTA_SPREAD * spread)


def drop_trend(base: np.ndarray, drop: np.ndarray) -> tuple[float, float]:
    """Theil-Sen line of the drop on the base score: ``(slope, intercept)``.

    ``slope`` is the median of ``(drop_j - drop_i) / (base_j - base_i)`` over the pairs of
    models with different base scores (0 when there is none), ``intercept`` the median of
    ``drop - slope * base``. Fields above :data:`TREND_MODELS` models fit the line on that many
    models spread evenly over the base-score order (every pair of them).
    """
    base, drop = np.asarray(base, dtype=float), np.asarray(drop, dtype=float)
    x, y = base, drop
    if x.size > TREND_MODELS:
        keep = np.argsort(x, kind="stable")[np.linspace(0, x.size - 1, TREND_MODELS).round()
                                            .astype(np.int64)]
        x, y = x[keep], y[keep]
    slopes = []
    for i in range(x.size - 1):
        dx = x[i + 1:] - x[i]
        ok = dx != 0
        slopes.append((y[i + 1:][ok] - y[i]) / dx[ok])
    pooled = np.concatenate(slopes) if slopes else np.zeros(0)
    slope = float(np.median(pooled)) if pooled.size else 0.0
    return slope, float(np.median(drop - slope * base))


def classify(base: np.ndarray, drop: np.ndarray, drop_se: np.ndarray, *, z: float = Z95,
             contrast: bool = True, delta: float | None = None,
             reference: str = "trend") -> pd.DataFrame:
    """Apply the profile rule (module notes) to per-model base scores and drops.

    Parameters
    ----------
    base, drop, drop_se
        Per model.
    z
        Sets the family-wise level ``2 Phi(-z)`` of the Holm-adjusted test.
    contrast
        False when base and most are equally severe: every profile is ``no contrast``.
    delta
        Practical threshold; default :func:`label_delta` of ``drop``.
    reference
        ``trend`` (default): offsets from the field's Theil-Sen line of drop on base score
        (:func:`drop_trend`), i.e. a drop larger or smaller than the model's base score
        predicts; ``median``: offsets from the median drop (the rule before the trend).

    Returns
    -------
    pandas.DataFrame
        Columns ``drop_expected, drop_offset, mc_drop_z, mc_drop_p_holm, label_delta,
        base_tier, drop_class, profile``, one row per model.
    """
    base, drop, drop_se = (np.asarray(v, dtype=float) for v in (base, drop, drop_se))
    tier = np.where(base >= np.median(base), "upper", "lower")
    if reference == "trend":
        slope, intercept = drop_trend(base, drop)
        expected = intercept + slope * base
    elif reference == "median":
        expected = np.full(base.shape, float(np.median(drop)))
    else:
        raise ValueError(f"classify: reference must be 'trend' or 'median', found {reference!r}")
    offset = drop - expected
    delta = label_delta(drop) if delta is None else float(delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        mc_drop_z = np.where(drop_se > 0, offset / drop_se, np.sign(offset) * np.inf)
    p_holm = holm(wald_p_values(offset, drop_se))
    supported = p_holm <= label_alpha(z)
    drop_class = np.where(supported & (offset <= -delta) & (offset < 0), "large",
                          np.where(supported & (offset >= delta) & (offset > 0), "small",
                                   "typical"))
    profile = [PROFILE_NAMES.get((t, c), AVERAGE_RISK) for t, c in zip(tier, drop_class)]
    if not contrast:
        mc_drop_z = np.full(len(base), np.nan)
        p_holm = np.full(len(base), np.nan)
        drop_class = np.full(len(base), NO_CONTRAST)
        profile = [NO_CONTRAST] * len(base)
    return pd.DataFrame({"drop_expected": expected, "drop_offset": offset,
                         "mc_drop_z": mc_drop_z, "mc_drop_p_holm": p_holm,
                         "label_delta": delta, "base_tier": tier, "drop_class": drop_class,
                         "profile": profile})


# -- a sweep as one object ----------------------------------------------------------------------

@dataclass(frozen=True)
class Sweep:
    """A simulation over several schedules, seen as a Failure Sensitivity Analysis.

    Attributes
    ----------
    result
        The simulation (all schedules share their random streams).
    z
        Significance threshold of the profile rule.
    """

    result: SimulationResult
    z: float = Z95
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        result = self.result
        return (f"Sweep(scenario={result.scenario.name!r}, models={result.scenario.n_models}, "
                f"schedules={result.labels}, iterations={result.iterations:,}, z={self.z:g})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (model, schedule), as ``sweep.csv``."""
        return as_written(self.table())

    def table(self) -> pd.DataFrame:
        """``sweep.csv`` (see :func:`sweep_table`)."""
        if "table" not in self._cache:
            self._cache["table"] = sweep_table(self.result)
        return self._cache["table"]

    def risk_profile(self) -> pd.DataFrame:
        """``risk_profile.csv`` with paired standard errors (see :func:`risk_profile`)."""
        if "risk" not in self._cache:
            self._cache["risk"] = risk_profile(self.table(), mean_covariance(self.result),
                                               z=self.z)
        return self._cache["risk"]

    def notes(self) -> list[str]:
        """Plain-language caveats about the schedules (capping, duplicates, no contrast)."""
        return schedule_notes(self.result)


def sweep(scenario: Scenario, settings: Settings | None = None, /, *, z: float = Z95,
          **overrides: Unpack[SettingsFields]) -> Sweep:
    """Simulate ``scenario`` under several schedules (default T = 0, 1, 2, like the paper).

    Parameters
    ----------
    scenario
        A validated scenario.
    settings, **overrides
        As in :func:`~swisssim.engine.simulation.simulate`: schedules default to the
        scenario's own ``[simulation] elimination``, else :data:`DEFAULT_SCHEDULES`.
    z
        Significance threshold of the profile labels (:func:`profile_rule`).
    """
    scenario = check_scenario(scenario, "sweep")
    z = check_z(z, "sweep", "z")
    settings = Settings.of(settings, overrides)   # schedules: Settings.schedules' fallbacks
    from swisssim.engine.simulation import simulate  # numba: only when simulating

    return Sweep(simulate(scenario, settings), z=z)


def schedule_notes(result: SimulationResult) -> list[str]:
    """Caveats worth printing: degenerate tournaments (capped schedules, one active model,
    rounds without a match, lone leaders: :func:`swisssim.engine.structure.degenerate_notes`),
    identical quotas, a sweep without contrast."""
    notes = degenerate_notes(result)
    n_rounds = result.scenario.n_rounds
    seen: dict[tuple[int, ...], str] = {}
    for label, quotas in zip(result.labels, result.quotas):
        key = tuple(int(q) for q in quotas)
        if key in seen:
            notes.append(f"schedules {seen[key]!r} and {label!r} have identical effective quotas")
        seen.setdefault(key, label)
    schedules = schedule_table(result)
    keys = severity_keys(schedules)
    order = severity_order(schedules)
    base, most = (result.labels.index(label) for label in (order[0], order[-1]))
    if len(result.schedules) == 1:
        notes.append("a single schedule: drop is 0 and every profile is 'no contrast'; give two "
                     "or more schedules, e.g. --elimination 0 1 2")
    elif keys[base] == keys[most]:
        notes.append(f"every schedule eliminates {keys[base][0]} models over {n_rounds} rounds "
                     f"with the same timing: every profile is 'no contrast'")
    elif keys[base][0] == keys[most][0]:
        notes.append(f"schedules {order[0]!r} and {order[-1]!r} eliminate the same number of "
                     f"models; the drop measures only how early they are eliminated")
    return notes


# -- the tables of a sweep folder (read back by swisssim.io.readback.read_sweep_folder) -----------

@dataclass(frozen=True)
class SweepFrames:
    """The four tables of a sweep folder, as read back from its CSV files
    (:func:`swisssim.io.readback.read_sweep_folder`); what the sweep figures are drawn from."""

    sweep: pd.DataFrame
    risk: pd.DataFrame
    ranks: pd.DataFrame
    survival: pd.DataFrame



__all__ = [
    "DEFAULT_SCHEDULES",
    "DELTA_FRACTION",
    "DELTA_SPREAD",
    "PROFILE_NAMES",
    "SWEEP_FILES",
    "Sweep",
    "SweepFrames",
    "classify",
    "drop_trend",
    "label_alpha",
    "label_delta",
    "least_squares_slope",
    "mean_covariance",
    "profile_rule",
    "rank_column",
    "risk_profile",
    "schedule_notes",
    "schedule_table",
    "sweep",
    "sweep_table",
]
