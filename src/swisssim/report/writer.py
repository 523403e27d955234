"""One-command report: sweep, comparison, optional order sensitivity and bootstrap, as HTML + MD.

:func:`write_report` writes the analyses of a :class:`~swisssim.report.model.Report` atomically (all or
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

``(+ .svg)``: only with ``svg=True`` (``--svg``).

Each sub-folder holds what the corresponding command (``sweep``, ``compare``, ``orders``,
``run --bootstrap``) writes, with its own ``manifest.json``, so ``swisssim plot DIR/sweep`` works
on it. The content of the two documents is assembled once (:mod:`swisssim.report.content`, on
the model of :mod:`swisssim.report.doc`) and rendered twice (:mod:`swisssim.report.html`,
:mod:`swisssim.report.markdown`). Every figure is written as a PNG file, drawn once
(:func:`swisssim.io.figures.save_figure`); the HTML embeds or links those same bytes.
``palette=True`` stores them as 256-colour palette images (``results/`` uses it). SVG copies are
written only with ``svg=True`` (``--svg``): the documents show only the PNGs, and an SVG costs a
second rendering of each figure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swisssim.engine.progress import phase
from swisssim.io.figures import drawn_together
from swisssim.io.manifests import (
    base_manifest,
    bootstrap_manifest,
    orders_manifest,
    scenario_files,
    simulation_manifest,
)
from swisssim.io.staging import SubStaging, atomic_output
from swisssim.io.writers import (
    rank_table_manifest,
    stage_bootstrap,
    stage_comparison,
    stage_orders,
    stage_sweep,
    sweep_manifest,
)
from swisssim.report.content import build_document
from swisssim.report.html import render_html
from swisssim.report.markdown import render_markdown
from swisssim.report.model import Report, summary_frame

# -- manifest and summary -------------------------------------------------------------------------

def report_manifest(report: Report, argv: Sequence[str] | None) -> dict[str, Any]:
    """The report's manifest: scenario, environment, and one entry per analysis."""
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


# -- writing --------------------------------------------------------------------------------------

def write_report(report: Report, out: str | Path, argv: Sequence[str] | None = None, *,
                 svg: bool = False, palette: bool = False, dpi: int = 150,
                 embed: bool = True, progress: bool = False) -> dict[str, Any]:
    """Write the report folder atomically (layout in the module notes); return the manifest.

    Parameters
    ----------
    report
        The analyses (:func:`build_report`).
    out
        The folder, replaced whole (nested result folders of other commands are kept; see
        :mod:`swisssim.io.staging`).
    argv
        The command line, recorded in the manifests.
    svg
        Also write an SVG copy of every figure (drawn from the PNG's layout); off by default,
        since the documents use only the PNGs.
    palette
        Store PNG figures as 256-colour palette images
        (:func:`swisssim.io.figures.palette_bytes`), about 3x smaller; the HTML embeds the same
        bytes.
    dpi
        PNG resolution of every figure.
    embed
        Embed the figures in ``report.html`` (one self-contained file), or link the PNG files
        beside it (``--link-figures``; ``results/`` uses it: no figure byte stored twice).
    progress
        Show a bar on stderr, one step per figure group and document
        (:func:`swisssim.engine.progress.phase`).
    """
    manifest = report_manifest(report, argv)
    argv_list = list(argv) if argv is not None else None
    started = time.perf_counter()
    total = 6 + (report.orders is not None) + (report.bootstrap is not None)
    with atomic_output(out, inputs=scenario_files(report.scenario),
                       command="report") as stage, \
            phase("report: figures and documents", total, progress) as step:
        with drawn_together() as queued:     # every figure drawn at the block's end
            _stage_parts(report, stage, manifest, argv_list, step, svg=svg, palette=palette,
                         dpi=dpi)
            step(f"drawing {len(queued)} figures")

        step("summary")
        stage.write_csv("summary.csv", summary_frame(report))
        files = sorted(stage.names + ["report.html", "report.md", "manifest.json"])
        manifest["report"] = {"files": files, "svg": svg, "palette_png": palette, "dpi": dpi,
                              "figures_embedded": embed,
                              "figure_and_table_seconds": round(time.perf_counter() - started,
                                                                3)}
        document = build_document(report, manifest, files)
        step("report.html")
        stage.write_text("report.html", render_html(document, stage.root, dpi=dpi, embed=embed))
        step("report.md")
        stage.write_text("report.md", render_markdown(document))
        stage.write_json("manifest.json", manifest)
    return manifest


def _stage_parts(report: Report, stage: Any, manifest: dict[str, Any], argv: list[str] | None,
                 step: Any, *, svg: bool, palette: bool, dpi: int) -> None:
    """Stage the sweep, comparison, orders and bootstrap sub-folders (tables, manifests and
    figures; the figures are drawn by the caller's :func:`drawn_together` block)."""
    step("sweep figures")
    sweep_stage = SubStaging(stage, "sweep", keep_svg=svg, palette=palette)
    stage_sweep(report.sweep, sweep_stage, dpi=dpi)
    manifest["simulation"]["rank_distribution"] = rank_table_manifest(
        report.sweep.result, sweep_stage.root / "rank_distribution.csv")
    sweep_stage.write_json("manifest.json", _part_manifest(manifest, argv,
                                                           ("simulation", "sweep")))
    step("comparison figures")
    compare_stage = SubStaging(stage, "compare", keep_svg=svg, palette=palette)
    stage_comparison(report.comparison, compare_stage, dpi=dpi)
    compare_stage.write_json("manifest.json", _part_manifest(
        manifest, argv, ("simulation", "comparison")))
    if report.orders is not None:
        step("orders figure")
        orders_stage = SubStaging(stage, "orders", keep_svg=svg, palette=palette)
        stage_orders(report.orders, orders_stage, dpi=dpi)
        orders_stage.write_json("manifest.json", _part_manifest(manifest, argv,
                                                                ("orders",)))
    if report.bootstrap is not None:
        step("bootstrap figure")
        boot_stage = SubStaging(stage, "bootstrap", keep_svg=svg, palette=palette)
        stage_bootstrap(report.bootstrap, boot_stage, dpi=dpi, z=report.sweep.z)
        boot_stage.write_json("manifest.json", _part_manifest(
            manifest, argv, ("simulation", "bootstrap")))


def _part_manifest(manifest: dict[str, Any], argv: list[str] | None,
                   keys: Sequence[str]) -> dict[str, Any]:
    """The manifest of one sub-folder: the common fields plus the analyses it holds."""
    common = ("command", "argv", "created_utc", "scenario", "environment")
    part = {k: manifest[k] for k in common if k in manifest}
    part["argv"] = argv if argv is not None else manifest.get("argv")
    part.update({k: manifest[k] for k in keys if k in manifest})
    return part
