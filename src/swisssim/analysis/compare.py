"""Every ranking method on one scenario: scores, ranks, rank correlations and rank shifts.

:func:`compare` runs the baselines of :mod:`swisssim.analysis.baselines` and CSD's expected win score for
each elimination schedule (Liu et al., arXiv:2512.21010) and returns a :class:`Comparison`, from
which the tables of ``swisssim compare`` are derived.

Conventions
-----------
* Scores: higher is better for every method.
* Ranks: rank 1 = best; **competition ("1224") ranks**: ``1 + #models with a strictly higher
  score``, so tied models share the better rank. Scores equal to 10 significant digits count as
  tied (so that floating-point noise in sums of equal values cannot split a tie). A model without
  a score (NaN, e.g. every benchmark missing) is ranked after all others.
* CSD's score is the expected win score E[S_m] of each schedule, ranked like any other score (not
  its expected rank).
* Rank correlations are computed on the rank columns, with the numbers scipy.stats gives
  (:mod:`swisssim.analysis.rank_correlation`): Kendall's tau-b (which corrects for ties) and
  Spearman's rho (Pearson correlation of average ranks). Both are NaN when a method gives every
  model the same rank.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Unpack

import numpy as np
import pandas as pd

from swisssim.analysis import baselines
from swisssim.analysis.rank_correlation import kendall_tau_b, spearman_rho
from swisssim.analysis.ranks import competition_ranks
from swisssim.data.frames import as_written
from swisssim.data.rounds import round_scores
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.engine.progress import phase
from swisssim.engine.results import SimulationResult
from swisssim.engine.settings import Settings, SettingsFields

#: Significant digits to which scores are compared when ranking.
TIE_DIGITS = 10


@dataclass(frozen=True)
class MethodInputs:
    """What the ranking methods read: the scenario, its round scores and the fitted models."""

    scenario: Scenario
    round_scores: np.ndarray
    bt_fit: baselines.BradleyTerryFit
    elo_fit: baselines.EloFit


@dataclass(frozen=True)
class Method:
    """One ranking method of the registry :data:`METHODS`.

    Attributes
    ----------
    name
        Column stem in every table (``rankings.csv``: ``score_<name>``, ``rank_<name>``).
    short
        Header for figures and printed tables: the same as ``name``, so that a method has one
        name in the CSV files, the report, the figures and ``perturb`` (kept as a field for
        callers that read it).
    level
        What it reads: ``benchmark`` (raw scores), ``round`` (round scores) or ``csd``.
    description
        One line for reports.
    score
        ``score(inputs) -> (M,)`` scores, higher is better (``None`` for CSD methods, whose
        scores are the simulation's expected win scores).
    """

    name: str
    short: str
    level: str
    description: str
    score: Callable[[MethodInputs], np.ndarray] | None = field(default=None, compare=False,
                                                               repr=False)


def _mean(inputs: MethodInputs) -> np.ndarray:
    return baselines.mean_score(inputs.scenario)


def _mean_minmax(inputs: MethodInputs) -> np.ndarray:
    return baselines.normalized_mean(inputs.scenario, "minmax")


def _mean_zscore(inputs: MethodInputs) -> np.ndarray:
    return baselines.normalized_mean(inputs.scenario, "zscore")


def _win_rate(inputs: MethodInputs) -> np.ndarray:
    return baselines.mean_win_rate(inputs.scenario)


def _borda(inputs: MethodInputs) -> np.ndarray:
    return baselines.borda_count(inputs.scenario)


def _copeland(inputs: MethodInputs) -> np.ndarray:
    return baselines.copeland(inputs.scenario)


def _bradley_terry(inputs: MethodInputs) -> np.ndarray:
    return inputs.bt_fit.strengths


def _elo(inputs: MethodInputs) -> np.ndarray:
    return inputs.elo_fit.ratings


# The score functions are module-level (not lambdas) so that a Comparison pickles: a figure
# worker builds the comparison figures from one (swisssim.io.figures).
BASELINE_METHODS: tuple[Method, ...] = (
    Method("mean", "mean", "benchmark", "mean of direction-corrected raw scores", _mean),
    Method("mean_minmax", "mean_minmax", "benchmark", "mean of per-benchmark min-max normalised scores",
           _mean_minmax),
    Method("mean_zscore", "mean_zscore", "benchmark", "mean of per-benchmark z-scores",
           _mean_zscore),
    Method("win_rate", "win_rate", "benchmark", "HELM mean win rate (ties count half)",
           _win_rate),
    Method("borda", "borda", "benchmark", "Borda count (ties share average points)", _borda),
    Method("copeland", "copeland", "round", "Copeland: pairwise round majorities won - lost",
           _copeland),
    Method("bt", "bt", "round", "Bradley-Terry log-strength (penalised MLE)", _bradley_terry),
    Method("elo", "elo", "round", "Elo rating averaged over random match orders", _elo),
)

#: The registry of aggregate ranking methods, by name, in table order (CSD methods, one per
#: elimination schedule, are added by :func:`compare`).
METHODS: Mapping[str, Method] = MappingProxyType({m.name: m for m in BASELINE_METHODS})


def csd_method_name(label: str) -> str:
    """Column stem of a CSD schedule: ``"0"`` -> ``csd_T0``, ``"0,1,2"`` -> ``csd_T0-1-2``,
    ``"10%"`` -> ``csd_T10pct``."""
    text = label.replace("%", "pct").replace(",", "-")
    return "csd_T" + re.sub(r"[^A-Za-z0-9.\-]", "", text)


@dataclass(frozen=True)
class Comparison:
    """Scores of every method on one scenario (see the module notes for conventions).

    Attributes
    ----------
    scenario
        The scenario ranked.
    methods
        The methods, baselines first, then one CSD method per schedule.
    scores
        Index = model names (scenario order), one column per method name.
    simulation
        The CSD Monte Carlo result.
    bt_fit, elo_fit
        Diagnostics of the Bradley-Terry and Elo fits.
    """

    scenario: Scenario
    methods: tuple[Method, ...]
    scores: pd.DataFrame
    simulation: SimulationResult
    bt_fit: baselines.BradleyTerryFit
    elo_fit: baselines.EloFit
    wall_times: dict[str, float] = field(default_factory=dict)
    #: Tables computed once (ranks, correlations; callers get copies): the report, its writer
    #: and its figures ask for them several times. Not an init field, so
    #: ``dataclasses.replace`` starts it empty.
    _cache: dict[str, pd.DataFrame] = field(init=False, default_factory=dict, repr=False,
                                            compare=False)

    @property
    def method_names(self) -> list[str]:
        return [m.name for m in self.methods]

    @property
    def csd_methods(self) -> list[str]:
        return [m.name for m in self.methods if m.level == "csd"]

    @property
    def ranks(self) -> pd.DataFrame:
        """Competition ranks, same shape as :attr:`scores` (int)."""
        if "ranks" not in self._cache:
            self._cache["ranks"] = pd.DataFrame({
                name: competition_ranks(self.scores[name], significant_digits=TIE_DIGITS)
                for name in self.method_names})
        return self._cache["ranks"].copy()     # callers relabel their copy

    def __repr__(self) -> str:
        return (f"Comparison(scenario={self.scenario.name!r}, models={self.scenario.n_models}, "
                f"methods={self.method_names})")

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: a score and a rank per method for every model, as ``rankings.csv``."""
        return as_written(self.rankings())

    def rankings(self) -> pd.DataFrame:
        """``rankings.csv``: one row per model, ``<method>_score`` and ``<method>_rank`` columns.

        Rows are sorted by the rank under the first CSD schedule, then by model name.
        """
        ranks = self.ranks
        table = pd.DataFrame({"model": self.scenario.model_names})
        table["display_name"] = self.scenario.models["display_name"].to_numpy()
        table["family"] = self.scenario.models["family"].to_numpy()
        for name in self.method_names:
            table[f"{name}_score"] = self.scores[name].to_numpy()
            table[f"{name}_rank"] = ranks[name].to_numpy()
            if name == "elo":   # Elo's own noise over match orders (docs/method.md 7.2)
                table["elo_se"] = self.elo_fit.std_error
                table["elo_separable"] = self.elo_fit.separable()
        key = f"{self.csd_methods[0]}_rank" if self.csd_methods else f"{self.method_names[0]}_rank"
        return table.sort_values([key, "model"], kind="stable").reset_index(drop=True)

    def identical_orders(self) -> list[list[str]]:
        """Groups of two or more methods that rank every model identically (same competition
        ranks), in method order; see :func:`identical_groups`."""
        return identical_groups(self.ranks)

    def correlations(self) -> pd.DataFrame:
        """``rank_correlations.csv``; see :func:`rank_correlations`."""
        if "correlations" not in self._cache:
            self._cache["correlations"] = rank_correlations(self.ranks)
        return self._cache["correlations"].copy()

    def shifts(self, reference: str = "mean") -> pd.DataFrame:
        """``rank_shifts.csv``; see :func:`rank_shifts`."""
        return rank_shifts(self, reference=reference)

    def parameters(self) -> dict[str, Any]:
        """Baseline settings and diagnostics for the manifest."""
        return {
            "methods": [{"name": m.name, "level": m.level, "description": m.description}
                        for m in self.methods],
            "rank_convention": "competition (min) rank, 1 = best; scores equal to "
                               f"{TIE_DIGITS} significant digits tie; NaN last",
            "bradley_terry": {"alpha": self.bt_fit.alpha, "converged": self.bt_fit.converged,
                              "iterations": self.bt_fit.iterations,
                              "strongly_connected": self.bt_fit.strongly_connected,
                              "log_likelihood": self.bt_fit.log_likelihood},
            "elo": {"orders": self.elo_fit.orders,
                    "requested_orders": self.elo_fit.requested_orders,
                    "match_budget": baselines.ELO_MATCH_BUDGET, "k_factor": self.elo_fit.k_factor,
                    "scale": self.elo_fit.scale, "initial": self.elo_fit.initial,
                    "seed": [baselines.ELO_STREAM, self.elo_fit.seed],
                    "max_spread_over_orders": float(self.elo_fit.spread.max())},
            "seconds": {k: round(v, 6) for k, v in self.wall_times.items()},
        }


def compare(
    scenario: Scenario,
    settings: Settings | None = None,
    /,
    *,
    elo_orders: int = baselines.ELO_ORDERS,
    elo_k: float = baselines.ELO_K,
    bt_alpha: float = baselines.BT_ALPHA,
    simulation: SimulationResult | None = None,
    **overrides: Unpack[SettingsFields],
) -> Comparison:
    """Score every model under every method.

    Parameters
    ----------
    scenario
        A validated scenario.
    settings, **overrides
        The CSD simulation's settings, as in :func:`swisssim.simulate` (defaults: the
        scenario's). The Elo orders are drawn from the same seed (see
        :func:`swisssim.analysis.baselines.fit_elo`).
    elo_orders, elo_k, bt_alpha
        Elo orders and K-factor, Bradley-Terry ridge penalty.
    simulation
        An already computed CSD simulation of ``scenario`` (e.g. a sweep's), used instead of
        simulating again; then the settings' ``iterations``, ``seed``, ``elimination``,
        ``tie_break`` and ``threads`` must be left at ``None`` (they are the simulation's), and the Elo orders are
        drawn from its seed.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        Naming the argument (``compare: elo_k: expected a positive finite number ...``) when
        ``elo_orders``, ``elo_k`` or ``bt_alpha`` is invalid (:func:`baselines.check_options`).
    ValueError
        If ``simulation`` is given together with simulation settings, or belongs to another
        scenario (other model names or round names).
    """
    scenario = check_scenario(scenario, "compare")
    elo_orders, elo_k, bt_alpha = baselines.check_options(elo_orders, elo_k, bt_alpha, "compare")
    times: dict[str, float] = {}
    started = time.perf_counter()
    settings = Settings.of(settings, overrides)
    if simulation is None:
        from swisssim.engine.simulation import simulate  # numba: only when simulating

        result = simulate(scenario, settings)
        times["csd"] = time.perf_counter() - started
    else:
        result = _checked_simulation(scenario, simulation, iterations=settings.iterations,
                                     seed=settings.seed, elimination=settings.elimination,
                                     tie_break=settings.tie_break, threads=settings.threads)
        times["csd"] = float(result.wall_time)
    started = time.perf_counter()
    values = round_scores(scenario)
    bt_fit = baselines.fit_bradley_terry(baselines.pairwise_wins(values), bt_alpha)
    elo_fit = baselines.fit_elo(values, orders=elo_orders, k_factor=elo_k, seed=result.seed)
    inputs = MethodInputs(scenario=scenario, round_scores=values, bt_fit=bt_fit, elo_fit=elo_fit)
    with phase("baselines", len(METHODS), bool(settings.progress)) as step:
        columns = {}
        for name, method in METHODS.items():   # every baseline has a score (CSD is added below)
            step(name)
            assert method.score is not None
            columns[name] = method.score(inputs)
    times["baselines"] = time.perf_counter() - started
    methods = list(METHODS.values())
    expected = result.expected()
    for s, label in enumerate(result.labels):
        name = csd_method_name(label)
        methods.append(Method(name, name, "csd",
                              f"CSD expected win score, elimination schedule {label}"))
        columns[name] = expected[s]
    index = pd.Index(scenario.model_names, name="model")
    scores = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in columns.items()},
                          index=index)
    return Comparison(scenario=scenario, methods=tuple(methods), scores=scores, simulation=result,
                      bt_fit=bt_fit, elo_fit=elo_fit, wall_times=times)


def _checked_simulation(scenario: Scenario, simulation: SimulationResult,
                        **settings: Any) -> SimulationResult:
    """``simulation`` if it can stand for a new simulation of ``scenario`` (see :func:`compare`)."""
    given = sorted(name for name, value in settings.items() if value is not None)
    if given:
        raise ValueError(f"compare: simulation: expected no {', '.join(given)} beside an "
                         f"already computed simulation (they are its settings), found "
                         f"{', '.join(f'{n}={settings[n]!r}' for n in given)}")
    if not isinstance(simulation, SimulationResult):
        raise TypeError(f"compare: simulation: expected a SimulationResult, found "
                        f"{type(simulation).__name__}")
    other = simulation.scenario
    if other is not scenario and (other.model_names != scenario.model_names
                                  or other.round_names != scenario.round_names):
        raise ValueError(f"compare: simulation: expected a simulation of scenario "
                         f"{scenario.name!r} ({scenario.n_models} models, {scenario.n_rounds} "
                         f"rounds), found one of {other.name!r} ({other.n_models} models, "
                         f"{other.n_rounds} rounds)")
    return simulation


def identical_groups(ranks: pd.DataFrame) -> list[list[str]]:
    """Methods (columns of ``ranks``) whose rank vectors are identical, grouped.

    Returns only groups of two or more, each in column order, groups ordered by their first
    method. Identical orders are one opinion, not several: with complete data and one benchmark
    per round, every pair of models meets once per round, so HELM's mean win rate, the Borda
    count and the Bradley-Terry strengths are all increasing functions of each model's total
    number of pairwise wins and must agree (docs/method.md section 7.2).
    """
    groups: dict[tuple, list[str]] = {}
    for name in ranks.columns:
        groups.setdefault(tuple(ranks[name].tolist()), []).append(str(name))
    return [g for g in groups.values() if len(g) > 1]


def rank_correlations(ranks: pd.DataFrame) -> pd.DataFrame:
    """Kendall tau-b and Spearman rho (with p-values) for every pair of rank columns.

    Returns a long table, one row per unordered pair (``method_a`` before ``method_b`` in column
    order): ``method_a, method_b, kendall_tau_b, kendall_p, spearman_rho, spearman_p,
    mean_abs_rank_diff, max_abs_rank_diff, n_models``.
    """
    rows = []
    names = list(ranks.columns)
    for a_pos, a in enumerate(names):
        for b in names[a_pos + 1:]:
            x, y = ranks[a].to_numpy(float), ranks[b].to_numpy(float)
            tau, tau_p, rho, rho_p = correlation_pair(x, y)
            diff = np.abs(x - y)
            rows.append({"method_a": a, "method_b": b, "kendall_tau_b": tau, "kendall_p": tau_p,
                         "spearman_rho": rho, "spearman_p": rho_p,
                         "mean_abs_rank_diff": float(diff.mean()),
                         "max_abs_rank_diff": float(diff.max()), "n_models": len(x)})
    return pd.DataFrame(rows, columns=["method_a", "method_b", "kendall_tau_b", "kendall_p",
                                       "spearman_rho", "spearman_p", "mean_abs_rank_diff",
                                       "max_abs_rank_diff", "n_models"])


def correlation_pair(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """``(tau_b, p, rho, p)`` of two rank vectors, as scipy.stats' ``kendalltau`` and
    ``spearmanr`` give them (:mod:`swisssim.analysis.rank_correlation`); NaN if either is
    constant."""
    return (*kendall_tau_b(x, y), *spearman_rho(x, y))


def correlation_matrix(correlations: pd.DataFrame, column: str = "kendall_tau_b",
                       methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Square symmetric matrix of one column of :func:`rank_correlations`; diagonal 1."""
    if methods is None:
        methods = list(dict.fromkeys([*correlations["method_a"], *correlations["method_b"]]))
    matrix = pd.DataFrame(np.eye(len(methods)), index=list(methods), columns=list(methods))
    for row in correlations.itertuples(index=False):
        value = getattr(row, column)
        matrix.loc[row.method_a, row.method_b] = value
        matrix.loc[row.method_b, row.method_a] = value
    return matrix


def rank_shifts(comparison: Comparison, reference: str = "mean",
                targets: Sequence[str] | None = None) -> pd.DataFrame:
    """Rank changes from a reference method to each target (default: every CSD schedule).

    ``shift = reference rank - target rank``: positive when the target ranks the model higher
    (better). Rows are grouped by target (in method order), then sorted by ``abs_shift``
    (largest first), then by target rank. Columns: ``reference, method, model, display_name,
    family, reference_rank, rank, shift, abs_shift, reference_score, score``.
    """
    targets = comparison.csd_methods if targets is None else list(targets)
    ranks, scores, models = comparison.ranks, comparison.scores, comparison.scenario.models
    parts = []
    for target in targets:
        part = pd.DataFrame({
            "reference": reference, "method": target, "model": comparison.scenario.model_names,
            "display_name": models["display_name"].to_numpy(),
            "family": models["family"].to_numpy(),
            "reference_rank": ranks[reference].to_numpy(), "rank": ranks[target].to_numpy(),
        })
        part["shift"] = part["reference_rank"] - part["rank"]
        part["abs_shift"] = part["shift"].abs()
        part["reference_score"] = scores[reference].to_numpy()
        part["score"] = scores[target].to_numpy()
        parts.append(part.sort_values(["abs_shift", "rank", "model"],
                                      ascending=[False, True, True], kind="stable"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def summary_table(comparison: Comparison, top: int = 20) -> pd.DataFrame:
    """Compact printed table: the ``top`` models by the first CSD rank, one rank column per
    method (short headers)."""
    ranks = comparison.ranks
    key = comparison.csd_methods[0] if comparison.csd_methods else comparison.method_names[0]
    order = np.argsort(ranks[key].to_numpy(), kind="stable")
    table = ranks.iloc[order[:top]].copy()
    table.index = comparison.scenario.models["display_name"].to_numpy()[order[:top]]
    table.index.name = "model"
    table.columns = [m.short for m in comparison.methods]
    return table

__all__ = ["BASELINE_METHODS", "METHODS", "Comparison", "Method", "MethodInputs", "compare",
           "correlation_matrix", "correlation_pair", "csd_method_name", "rank_correlations",
           "rank_shifts", "summary_table"]
