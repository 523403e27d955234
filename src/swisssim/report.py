"""One-command report: sweep, comparison, optional order sensitivity and bootstrap, as HTML + MD.

:func:`build_report` runs the analyses of a scenario once each: one simulation over the elimination
schedules (the Failure Sensitivity Analysis of Liu et al., "LLM Swiss Round", arXiv:2512.21010),
the comparison with the aggregate baselines on **that same simulation**, and, when asked for, the
order sensitivity and the bootstrap. :func:`write_report` writes everything atomically (all or
nothing) into one folder::

    DIR/
      report.html        self-contained: figures as base64 PNG data URIs, inline CSS, no script
      report.md          the same content; images and files linked relatively
      manifest.json      every setting, seed, version and timing of the analyses below
      summary.csv        the headline table: E[S], SE and rank per schedule, drop, profile
      sweep/             sweep.csv, risk_profile.csv, rank_distribution.csv, survival.csv,
                         manifest.json, figures/{sensitivity,risk_profile,survival,
                         rank_distribution}.png (+ .svg)
      compare/           rankings.csv, rank_correlations.csv, rank_shifts.csv, manifest.json,
                         figures/{bump_chart,rank_correlations}.png (+ .svg)
      orders/            (--orders) order_sensitivity.csv, order_taus.csv, order_scores.csv,
                         manifest.json, order_spread.png (+ .svg)
      bootstrap/         (--bootstrap) bootstrap.csv, tiers.csv, manifest.json,
                         bootstrap_ranks.png (+ .svg)

Each sub-folder holds what the corresponding command (``sweep``, ``compare``, ``orders``,
``run --bootstrap``) writes, with its own ``manifest.json``, so ``swisssim plot DIR/sweep`` works
on it. The content of the two documents is assembled once (:mod:`swisssim.report_content`, on
the model of :mod:`swisssim.report_doc`) and rendered twice (:mod:`swisssim.report_html`,
:mod:`swisssim.report_md`). Every figure is also written as a PNG file; ``palette=True`` stores
them as 256-colour palette images and ``svg=False`` drops the SVG copies (``results/`` uses
both).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import baselines
from .bootstrap import BootstrapResult, bootstrap, bootstrap_manifest
from .compare import Comparison, compare
from .io import Staging, atomic_output, base_manifest, simulation_manifest
from .orders import ORDERS_ITERATIONS, OrdersResult, evaluate_orders, orders_manifest
from .results import Z95
from .scenario import Scenario
from .simulation import simulate
from .sweep import DEFAULT_SCHEDULES, Sweep, check_z, rank_column

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


def build_report(
    scenario: Scenario,
    *,
    iterations: int | None = None,
    seed: int | None = None,
    elimination: Sequence[Any] | None = None,
    tie_break: str | None = None,
    threads: int | None = None,
    progress: bool = False,
    z: float = Z95,
    orders: int | None = None,
    orders_iterations: int | None = None,
    bootstrap_replicates: int | None = None,
    bootstrap_iterations: int | None = None,
    elo_orders: int = baselines.ELO_ORDERS,
    elo_k: float = baselines.ELO_K,
) -> Report:
    """Run every analysis of a report, each once.

    Parameters
    ----------
    scenario
        A validated scenario.
    iterations, seed, tie_break, threads, progress
        As in :func:`swisssim.simulate` (defaults: the scenario's settings).
    elimination
        Schedules of the sweep (default: T = 0, 1, 2 like the paper; the scenario's own
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
    z = check_z(z, "build_report", "z")
    schedules = list(DEFAULT_SCHEDULES) if elimination is None else list(elimination)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    result = simulate(scenario, iterations=iterations, seed=seed, elimination=schedules,
                      tie_break=tie_break, threads=threads, progress=progress)
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
            scenario, samples=orders,
            iterations=ORDERS_ITERATIONS if orders_iterations is None else orders_iterations,
            seed=result.seed, elimination=(schedule,), tie_break=result.tie_break,
            threads=result.threads, progress=progress)
        seconds["orders"] = time.perf_counter() - started
    boot = None
    if bootstrap_replicates is not None:
        started = time.perf_counter()
        boot = bootstrap(scenario, bootstrap_replicates, iterations=bootstrap_iterations,
                         reference=result, progress=progress)
        seconds["bootstrap"] = time.perf_counter() - started
    return Report(sweep=sweep, comparison=comparison, orders=order_result,
                  orders_samples=orders, bootstrap=boot, seconds=seconds)


# -- staging --------------------------------------------------------------------------------------

class SubStaging:
    """A view of a staging folder that writes into one of its sub-folders.

    Every writer that takes a :class:`swisssim.io.Staging` (``stage_sweep``, ``write_comparison``,
    ``stage_orders``, ``write_bootstrap``) can write into ``prefix`` through it unchanged. With
    ``keep_svg=False`` SVG copies of figures are written to a scratch folder inside the staging
    folder and never moved into place.
    """

    def __init__(self, parent: Staging, prefix: str, *, keep_svg: bool = True) -> None:
        self.parent = parent
        self.prefix = prefix.strip("/") + "/"
        self.keep_svg = keep_svg

    @property
    def root(self) -> Path:
        return self.parent.root / self.prefix

    def path(self, name: str) -> Path:
        """Where to write ``name`` (relative to the sub-folder)."""
        if not self.keep_svg and name.lower().endswith(".svg"):
            target = self.parent.root / ".discarded" / self.prefix / name
            target.parent.mkdir(parents=True, exist_ok=True)
            return target
        return self.parent.path(self.prefix + name)

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.path(name), index=False, lineterminator="\n")

    def write_json(self, name: str, data: Any) -> None:
        self.path(name).write_text(json.dumps(data, indent=2, default=str) + "\n",
                                   encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")


def palette_png(path: Path) -> None:
    """Rewrite a PNG in place as a 256-colour palette image (lossless for flat plots' colours,
    about 3x smaller for matplotlib figures)."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        if image.mode == "P":
            return
        rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(background, rgba).convert("RGB")
    quantize = getattr(Image, "Quantize", Image)      # enums since Pillow 9.1
    dither = getattr(Image, "Dither", Image)
    small = flat.quantize(colors=256, method=quantize.MEDIANCUT, dither=dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    path.write_bytes(buffer.getvalue())


# -- manifest and summary -------------------------------------------------------------------------

def report_manifest(report: Report, argv: Sequence[str] | None) -> dict[str, Any]:
    """The report's manifest: scenario, environment, and one entry per analysis."""
    from .commands.sweep import sweep_manifest

    import scipy

    result = report.sweep.result
    manifest = base_manifest("report", report.scenario, list(argv) if argv is not None else None)
    manifest["environment"].setdefault("scipy", scipy.__version__)
    manifest["simulation"] = simulation_manifest(result)
    manifest["sweep"] = sweep_manifest(report.sweep, report.sweep.risk_profile())
    manifest["comparison"] = report.comparison.parameters()
    manifest["comparison"]["simulation"] = "the sweep's simulation (not run twice)"
    if report.orders is not None:
        manifest["orders"] = orders_manifest(report.orders, report.orders_samples)
    if report.bootstrap is not None:
        manifest["bootstrap"] = bootstrap_manifest(report.bootstrap)
    manifest["seconds"] = {k: round(v, 3) for k, v in report.seconds.items()}
    return manifest


def summary_frame(report: Report) -> pd.DataFrame:
    """``summary.csv``: the headline table, one row per model by rank at the base schedule.

    Columns: ``model, display_name, family``, then per schedule ``<label>``:
    ``expected_score_T<label>, std_error_T<label>, rank_T<label>`` (label spelled as in
    :func:`swisssim.sweep.rank_column`), then ``drop, drop_se, profile``.
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


# -- writing --------------------------------------------------------------------------------------

def write_report(report: Report, out: str | Path, argv: Sequence[str] | None = None, *,
                 svg: bool = True, palette: bool = False, dpi: int = 150) -> dict[str, Any]:
    """Write the report folder atomically (layout in the module notes); return the manifest.

    Parameters
    ----------
    report
        The analyses (:func:`build_report`).
    out
        The folder; files of earlier runs that this report does not write are left alone.
    argv
        The command line, recorded in the manifests.
    svg
        Also keep SVG copies of the figures.
    palette
        Store PNG figures as 256-colour palette images (:func:`palette_png`), about 3x smaller;
        the HTML embeds the same bytes.
    dpi
        PNG resolution of every figure.
    """
    from .commands.compare import write_comparison
    from .commands.orders import stage_orders
    from .commands.sweep import stage_sweep
    from .report_content import build_document
    from .report_html import render_html
    from .report_md import render_markdown

    manifest = report_manifest(report, argv)
    argv_list = list(argv) if argv is not None else None
    started = time.perf_counter()
    with atomic_output(out) as stage:
        sweep_stage = SubStaging(stage, "sweep", keep_svg=svg)
        stage_sweep(report.sweep, sweep_stage, dpi=dpi)
        sweep_stage.write_json("manifest.json", _part_manifest(manifest, argv_list,
                                                               ("simulation", "sweep")))
        compare_stage = SubStaging(stage, "compare", keep_svg=svg)
        write_comparison(compare_stage, report.comparison, dpi=dpi)
        compare_stage.write_json("manifest.json", _part_manifest(
            manifest, argv_list, ("simulation", "comparison")))
        if report.orders is not None:
            orders_stage = SubStaging(stage, "orders", keep_svg=svg)
            stage_orders(report.orders, orders_stage, dpi=dpi)
            orders_stage.write_json("manifest.json", _part_manifest(manifest, argv_list,
                                                                    ("orders",)))
        if report.bootstrap is not None:
            boot_stage = SubStaging(stage, "bootstrap", keep_svg=svg)
            stage_bootstrap(report.bootstrap, boot_stage, dpi=dpi)
            boot_stage.write_json("manifest.json", _part_manifest(
                manifest, argv_list, ("simulation", "bootstrap")))
        stage.write_csv("summary.csv", summary_frame(report))
        if palette:
            for name in stage.names:
                if name.lower().endswith(".png"):
                    palette_png(stage.root / name)
        files = sorted(stage.names + ["report.html", "report.md", "manifest.json"])
        manifest["report"] = {"files": files, "svg": svg, "palette_png": palette, "dpi": dpi,
                              "figure_and_table_seconds": round(time.perf_counter() - started,
                                                                3)}
        document = build_document(report, manifest, files)
        stage.write_text("report.html", render_html(document, stage.root, dpi=dpi))
        stage.write_text("report.md", render_markdown(document))
        stage.write_json("manifest.json", manifest)
    return manifest


def stage_bootstrap(result: BootstrapResult, stage: Any, *, dpi: int = 150) -> list[str]:
    """The files of :func:`swisssim.bootstrap.write_bootstrap` (``bootstrap.csv``,
    ``tiers.csv``, ``bootstrap_ranks.png``/``.svg``), with the figure at ``dpi``."""
    from .plotting import save_figure
    from .uncertainty_plots import rank_interval_figure

    stage.write_csv("bootstrap.csv", result.table())
    stage.write_csv("tiers.csv", result.tiers())
    return save_figure(rank_interval_figure(result), stage, "bootstrap_ranks", dpi=dpi)


def _part_manifest(manifest: dict[str, Any], argv: list[str] | None,
                   keys: Sequence[str]) -> dict[str, Any]:
    """The manifest of one sub-folder: the common fields plus the analyses it holds."""
    common = ("command", "argv", "created_utc", "scenario", "environment")
    part = {k: manifest[k] for k in common if k in manifest}
    part["argv"] = argv if argv is not None else manifest.get("argv")
    part.update({k: manifest[k] for k in keys if k in manifest})
    return part


__all__ = ["PAPER", "PAPER_URL", "Report", "SubStaging", "build_report",
           "options_from_manifest", "palette_png", "report_manifest", "report_tables",
           "stage_bootstrap", "summary_frame", "write_report"]
