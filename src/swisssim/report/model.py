"""The analyses of one report, run once each.

:func:`build_report` runs the analyses of a scenario once each: one simulation over the elimination
schedules (the Failure Sensitivity Analysis of Liu et al., "LLM Swiss Round", arXiv:2512.21010),
the comparison with the aggregate baselines on **that same simulation**, and, when asked for, the
order sensitivity and the bootstrap. :mod:`swisssim.report.writer` writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Unpack

import numpy as np
import pandas as pd

from swisssim.analysis import baselines
from swisssim.analysis.bootstrap import BootstrapResult, bootstrap
from swisssim.analysis.compare import Comparison, compare
from swisssim.analysis.orders import ORDERS_ITERATIONS, OrdersResult, evaluate_orders
from swisssim.analysis.sweep import Sweep, check_z, rank_column
from swisssim.data.frames import as_written
from swisssim.data.scenario import Scenario, check_scenario
from swisssim.engine.results import Z95
from swisssim.engine.settings import Settings, SettingsFields
from swisssim.engine.simulation import simulate
from swisssim.validation import check_iterations, check_replicates, check_samples

#: The paper, as cited in every report.
PAPER = ("J. Liu, J. Wu, C. Wu, J. Liu, Z. Wang, H. Zhou, W. Huang and H. Namkoong, "
         "\"LLM Swiss Round: Aggregating Multi-Benchmark Performance via Competitive "
         "Swiss-System Dynamics\", arXiv:2512.21010 (2025)")
PAPER_URL = "https://arxiv.org/abs/2512.21010"


@dataclass(frozen=True)
class Report:
    """The analyses of one report.

    Attributes
    ----------
    sweep
        The simulation over every schedule, seen as a Failure Sensitivity Analysis.
    comparison
        Baselines and CSD, computed on ``sweep.result`` (not a second simulation).
    orders
        Order sensitivity at the base schedule, or ``None``.
    orders_samples
        The number of orders asked for (``--orders``), or ``None``.
    bootstrap
        The bootstrap over benchmarks (and score errors), or ``None``.
    seconds
        Wall time of each analysis.
    """

    sweep: Sweep
    comparison: Comparison
    orders: OrdersResult | None = None
    orders_samples: int | None = None
    bootstrap: BootstrapResult | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = ["sweep", "comparison"] + [name for name in ("orders", "bootstrap")
                                           if getattr(self, name) is not None]
        return (f"Report(scenario={self.scenario.name!r}, models={self.scenario.n_models}, "
                f"analyses={parts})")

    def to_frame(self) -> pd.DataFrame:
        """The headline table (``summary.csv``): E[S], SE and rank per schedule, drop, profile."""
        return as_written(summary_frame(self))

    @property
    def scenario(self) -> Scenario:
        return self.sweep.result.scenario

    @property
    def base_schedule(self) -> str:
        """Label of the least severe schedule (the headline ranking's)."""
        return str(self.sweep.risk_profile()["base_schedule"].iloc[0])

    @property
    def most_schedule(self) -> str:
        """Label of the most severe schedule (the drop's)."""
        return str(self.sweep.risk_profile()["most_schedule"].iloc[0])


def distinct_display_names(scenario: Scenario) -> Scenario:
    """The scenario with every display name told apart: a display name that several models
    share gets the model's name in brackets (``"Llama 3 (org/llama-3-8b)"``), so that each row
    of the report's tables names, and links to the details of, one model."""
    models = scenario.models
    if models is None or "display_name" not in models:
        return scenario
    shown = models["display_name"].astype(str)
    shared = shown.duplicated(keep=False).to_numpy()
    if not shared.any():
        return scenario
    names = [str(m) for m in models.index]
    labels = [f"{d} ({n})" if clash and d != n else d
              for d, n, clash in zip(shown.tolist(), names, shared)]
    return replace(scenario, models=models.assign(display_name=labels))


def build_report(
    scenario: Scenario,
    settings: Settings | None = None,
    /,
    *,
    z: float = Z95,
    orders: int | None = None,
    orders_iterations: int | None = None,
    bootstrap_replicates: int | None = None,
    bootstrap_iterations: int | None = None,
    elo_orders: int = baselines.ELO_ORDERS,
    elo_k: float = baselines.ELO_K,
    **overrides: Unpack[SettingsFields],
) -> Report:
    """Run every analysis of a report, each once.

    Parameters
    ----------
    scenario
        A validated scenario.
    settings, **overrides
        As in :func:`swisssim.simulate` (defaults: the scenario's settings), except that the
        sweep's schedules default to T = 0, 1, 2 like the paper (the scenario's own
        ``elimination`` setting is not used, as in ``swisssim sweep``).
    z
        Significance threshold of the risk-profile labels.
    orders, orders_iterations
        Number of round orders to evaluate (``None``: no order sensitivity) and Monte Carlo
        iterations per order (default ``ORDERS_ITERATIONS``). Orders are played at the base
        (least severe) schedule with the sweep's seed and tie-break.
    bootstrap_replicates, bootstrap_iterations
        Bootstrap replicates (``None``: no bootstrap) and iterations per replicate (default: the
        sweep's). The sweep's simulation is the bootstrap's reference (point estimates).
    elo_orders, elo_k
        Elo settings of the comparison.

    Returns
    -------
    Report
    """
    scenario = distinct_display_names(check_scenario(scenario, "build_report"))
    z = check_z(z, "build_report", "z")
    elo_orders, elo_k, _ = baselines.check_options(elo_orders, elo_k, baselines.BT_ALPHA,
                                                   "build_report")
    # Each argument checked under its own name, before anything runs.
    for name, value, check in (("orders", orders, check_samples),
                               ("orders_iterations", orders_iterations, check_iterations),
                               ("bootstrap_replicates", bootstrap_replicates, check_replicates),
                               ("bootstrap_iterations", bootstrap_iterations, check_iterations)):
        if value is not None:
            check(value, "build_report", name)
    settings = Settings.of(settings, overrides)   # schedules: the scenario's, else T = 0, 1, 2
    progress = settings.progress
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    result = simulate(scenario, settings)
    seconds["simulation"] = time.perf_counter() - started
    sweep = Sweep(result, z=z)
    started = time.perf_counter()
    comparison = compare(scenario, simulation=result, elo_orders=elo_orders, elo_k=elo_k)
    seconds["baselines"] = time.perf_counter() - started
    order_result = None
    if orders is not None:
        base = str(sweep.risk_profile()["base_schedule"].iloc[0])
        schedule = result.schedules[result.labels.index(base)]
        started = time.perf_counter()
        order_result = evaluate_orders(
            scenario, Settings(
                iterations=ORDERS_ITERATIONS if orders_iterations is None else orders_iterations,
                seed=result.seed, elimination=(schedule,), tie_break=result.tie_break,
                threads=result.threads, progress=progress, dask=settings.dask,
                client=settings.client),
            samples=orders)
        seconds["orders"] = time.perf_counter() - started
    boot = None
    if bootstrap_replicates is not None:
        started = time.perf_counter()
        boot = bootstrap(scenario, bootstrap_replicates,
                         Settings(iterations=bootstrap_iterations, progress=progress,
                                  dask=settings.dask, client=settings.client),
                         reference=result)
        seconds["bootstrap"] = time.perf_counter() - started
    return Report(sweep=sweep, comparison=comparison, orders=order_result,
                  orders_samples=orders, bootstrap=boot, seconds=seconds)


def summary_frame(report: Report) -> pd.DataFrame:
    """``summary.csv``: the headline table, one row per model by rank at the base schedule.

    Columns: ``model, display_name, family``, then per schedule ``<label>``:
    ``expected_score_T<label>, std_error_T<label>, rank_T<label>`` (label spelled as in
    :func:`swisssim.analysis.sweep.rank_column`), then ``drop, drop_se, profile``.
    """
    result = report.sweep.result
    risk = report.sweep.risk_profile().set_index("model")
    names = report.scenario.model_names
    expected, error = result.expected(), result.std_error()
    frame = pd.DataFrame({"model": names,
                          "display_name": risk.loc[names, "display_name"].to_numpy(),
                          "family": risk.loc[names, "family"].to_numpy()})
    for s, label in enumerate(result.labels):
        stem = rank_column(label).removeprefix("rank_")
        frame[f"expected_score_{stem}"] = expected[s]
        frame[f"std_error_{stem}"] = error[s]
        frame[f"rank_{stem}"] = risk.loc[names, rank_column(label)].to_numpy()
    for column in ("drop", "drop_se", "profile"):
        frame[column] = risk.loc[names, column].to_numpy()
    base = result.labels.index(report.base_schedule)
    order = np.lexsort((np.arange(len(names)), -expected[base]))
    return frame.iloc[order].reset_index(drop=True)


def report_tables(report: Report) -> dict[str, pd.DataFrame]:
    """Every CSV file :func:`write_report` writes, by path relative to the report folder.

    Useful to check a committed report folder against a fresh run without drawing figures.
    """
    result = report.sweep.result
    tables = {"summary.csv": summary_frame(report),
              "sweep/sweep.csv": report.sweep.table(),
              "sweep/risk_profile.csv": report.sweep.risk_profile(),
              "sweep/rank_distribution.csv": result.rank_distribution(),
              "sweep/survival.csv": result.survival(),
              "compare/rankings.csv": report.comparison.rankings(),
              "compare/rank_correlations.csv": report.comparison.correlations(),
              "compare/rank_shifts.csv": report.comparison.shifts()}
    if report.orders is not None:
        tables["orders/order_sensitivity.csv"] = report.orders.sensitivity()
        tables["orders/order_taus.csv"] = report.orders.order_table()
        tables["orders/order_scores.csv"] = report.orders.order_scores()
    if report.bootstrap is not None:
        tables["bootstrap/bootstrap.csv"] = report.bootstrap.table()
        tables["bootstrap/tiers.csv"] = report.bootstrap.tiers()
        tables["bootstrap/pairwise.csv"] = report.bootstrap.pairwise()
        support = report.bootstrap.label_support(report.sweep.z)
        if len(support):
            tables["bootstrap/labels.csv"] = support
    return tables


def options_from_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`build_report` that reproduce a report from its manifest.

    Seed, iterations, schedules, tie-break, label threshold, Elo settings, and the order and
    bootstrap settings when the report has them (threads are not needed: results do not depend
    on them).
    """
    simulation = manifest["simulation"]
    options: dict[str, Any] = {
        "iterations": simulation["iterations"], "seed": simulation["seed"],
        "elimination": [s["label"] for s in simulation["schedules"]],
        "tie_break": simulation["tie_break"],
        "z": manifest["sweep"]["profile_rule"]["z"],
        "elo_orders": manifest["comparison"]["elo"]["orders"],
        "elo_k": manifest["comparison"]["elo"]["k_factor"],
    }
    if "orders" in manifest:
        options["orders"] = manifest["orders"]["samples_requested"]
        options["orders_iterations"] = manifest["orders"]["iterations_per_order"]
    if "bootstrap" in manifest:
        options["bootstrap_replicates"] = manifest["bootstrap"]["replicates"]
        options["bootstrap_iterations"] = manifest["bootstrap"]["iterations_per_replicate"]
    return options
