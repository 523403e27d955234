"""Writers: the tables, figures and manifests of every analysis, into atomic result folders.

One signature pattern for every analysis:

* ``write_<what>(result, out, argv, **options)`` writes one complete result folder atomically
  (:func:`swisssim.io.staging.atomic_output`), its ``manifest.json`` included, built here from
  :func:`swisssim.io.manifests.base_manifest` and the result (``<what>_manifest``);
* ``stage_<what>(result, stage, **options)`` writes the tables and figures into a staging folder
  and returns the figure names, so that the report can gather several analyses into one folder.
 Figures are drawn from the tables as written, so ``swisssim plot`` on a
sweep folder reproduces them exactly. The command line and notebooks use the same functions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from swisssim.analysis.compare import Comparison
from swisssim.analysis.orders import OrdersResult
from swisssim.analysis.perturb import PerturbResult
from swisssim.analysis.sweep import (
    Sweep,
    SweepFrames,
)
from swisssim.engine.progress import phase
from swisssim.io.figures import FigureRecipe, drawn_together, save_figure
from swisssim.io.manifests import (
    base_manifest,
    comparison_manifest,
    orders_manifest,
    perturb_manifest,
    scenario_files,
    simulation_manifest,
    sweep_manifest,
)
from swisssim.io.readback import read_sweep_folder
from swisssim.io.run_writer import (  # noqa: F401  (re-exported)
    rank_table_manifest,
    stage_bootstrap,
    write_run,
)
from swisssim.io.staging import Staging, SubStaging, atomic_output
from swisssim.plots.names import FIGURE_STEMS, sweep_figure_marks_points

# -- run: swisssim.io.run_writer (no plotting imports, so ``swisssim run`` starts fast) ---------

# -- sweep ----------------------------------------------------------------------------------------

def write_sweep(sweep: Sweep, out: Path, argv: Sequence[str] | None, *, figures: bool = True,
                dpi: int = 150, progress: bool = False) -> float:
    """Write the sweep's tables, manifest and figures atomically; return the rendering seconds.

    Figures are drawn from the CSV files as written (read back from the staging folder), so
    ``swisssim plot`` on the result folder reproduces them exactly.
    """
    result = sweep.result
    manifest = base_manifest("sweep", result.scenario, list(argv) if argv is not None else None)
    manifest["simulation"] = simulation_manifest(result)
    manifest["sweep"] = sweep_manifest(sweep, sweep.risk_profile())
    with atomic_output(out, inputs=scenario_files(result.scenario), command="sweep") as stage:
        names, seconds = stage_sweep(sweep, stage, figures=figures, dpi=dpi, progress=progress)
        manifest["simulation"]["rank_distribution"] = rank_table_manifest(
            result, stage.root / "rank_distribution.csv")
        if figures:
            manifest["sweep"]["figures"] = names
            manifest["sweep"]["figure_seconds"] = round(seconds, 3)
        stage.write_json("manifest.json", manifest)
    return seconds


def stage_sweep(sweep: Sweep, stage: Staging | SubStaging, *, figures: bool = True,
                dpi: int = 150, progress: bool = False) -> tuple[list[str], float]:
    """Write the sweep's four tables and (optionally) its figures into a staging folder.

    Parameters
    ----------
    sweep
        The sweep to write.
    stage
        A staging folder (:func:`swisssim.io.staging.atomic_output`), or any object with the same
        ``root``, ``path`` and ``write_csv`` members (e.g. a sub-folder view of one).
    figures, dpi
        Whether to draw the figures under ``figures/``, and their PNG resolution.
    progress
        Show a bar on stderr while drawing, one step per figure.

    Returns
    -------
    tuple of (list of str, float)
        The figure file names written (relative to ``stage``) and the seconds spent drawing.

    Notes
    -----
    Figures are drawn from the CSV files as written (read back from ``stage.root``), so
    ``swisssim plot`` on the folder reproduces them exactly.
    """
    result = sweep.result
    stage.write_csv("sweep.csv", sweep.table())
    stage.write_csv("risk_profile.csv", sweep.risk_profile())
    stage.write_csv("rank_distribution.csv", result.rank_distribution())
    stage.write_csv("survival.csv", result.survival())
    if not figures:
        return [], 0.0
    started = time.perf_counter()
    names = write_sweep_figures(read_sweep_folder(stage.root), stage, dpi=dpi,
                                progress=progress)
    return names, time.perf_counter() - started


def write_sweep_figures(frames: SweepFrames, stage: Staging | SubStaging, *,
                        folder: str = "figures", dpi: int = 150,
                        progress: bool = False) -> list[str]:
    """Render every figure and stage ``<folder>/<stem>.png`` and ``.svg``; return the names.
    ``progress`` shows a bar on stderr, one step per figure built and one for drawing them
    (together, :func:`swisssim.io.figures.drawn_together`)."""
    names: list[str] = []
    n_models = int(frames.sweep["model"].nunique())
    with phase("figures", len(FIGURE_STEMS) + 1, progress) as step, drawn_together() as queued:
        for stem in FIGURE_STEMS:
            step(stem)
            recipe = FigureRecipe("swisssim.plots.large", "render_sweep_figure", (frames, stem),
                                  points=sweep_figure_marks_points(stem, n_models))
            names += save_figure(recipe, stage, f"{folder}/{stem}" if folder else stem, dpi=dpi)
        step(f"drawing {len(queued)} figures")
    return names


# -- comparison -----------------------------------------------------------------------------------

def write_comparison(comparison: Comparison, out: str | Path, argv: list[str] | None) -> None:
    """Write the comparison's tables, figures and manifest atomically into ``out``."""
    manifest = comparison_manifest("compare", comparison.scenario, comparison, argv)
    with atomic_output(out, inputs=scenario_files(comparison.scenario),
                       command="compare") as stage:
        stage_comparison(comparison, stage)
        stage.write_json("manifest.json", manifest)


def stage_comparison(comparison: Comparison, stage: Staging | SubStaging, prefix: str = "", *,
                     dpi: int = 150) -> list[str]:
    """Write rankings, correlations, shifts and the two figures into a staging folder.

    Every name is prefixed with ``prefix`` (e.g. ``"compare/"``), figures included; returns the
    figure file names.
    """
    stage.write_csv(f"{prefix}rankings.csv", comparison.rankings())
    correlations = comparison.correlations()
    stage.write_csv(f"{prefix}rank_correlations.csv", correlations)
    stage.write_csv(f"{prefix}rank_shifts.csv", comparison.shifts())
    return write_comparison_figures(stage, comparison, correlations, prefix, dpi=dpi)


def write_comparison_figures(stage: Staging | SubStaging, comparison: Comparison,
                             correlations: pd.DataFrame,
                             prefix: str = "", *, dpi: int = 150) -> list[str]:
    """Stage ``<prefix>figures/bump_chart`` and ``rank_correlations`` (PNG + SVG); return names.

    ``correlations`` is ``comparison.correlations()``, already computed for the CSV.
    """
    bump = FigureRecipe("swisssim.plots.compare", "bump_chart", (comparison,))
    written = save_figure(bump, stage, f"{prefix}figures/bump_chart", dpi=dpi)
    heatmap = FigureRecipe("swisssim.plots.compare", "correlation_heatmap", (comparison,),
                           {"correlations": correlations})
    return written + save_figure(heatmap, stage, f"{prefix}figures/rank_correlations", dpi=dpi)


# -- orders and bootstrap -------------------------------------------------------------------------

def write_orders(result: OrdersResult, out: str | Path, argv: list[str] | None, *,
                 samples: int | None = None) -> None:
    """Write the order-sensitivity tables, figure and manifest atomically into ``out``."""
    manifest = base_manifest("orders", result.scenario, argv)
    manifest["orders"] = orders_manifest(result, samples)
    with atomic_output(out, inputs=scenario_files(result.scenario), command="orders") as stage:
        manifest["figures"] = stage_orders(result, stage)
        stage.write_json("manifest.json", manifest)


def stage_orders(result: OrdersResult, stage: Staging | SubStaging, *, dpi: int = 150) -> list[str]:
    """Write ``order_sensitivity.csv``, ``order_taus.csv``, ``order_scores.csv`` and the
    ``order_spread`` figure (PNG + SVG) into a staging folder; return the figure names."""
    stage.write_csv("order_sensitivity.csv", result.sensitivity())
    stage.write_csv("order_taus.csv", result.order_table())
    stage.write_csv("order_scores.csv", result.order_scores())
    recipe = FigureRecipe("swisssim.plots.uncertainty", "order_spread_figure", (result,))
    return save_figure(recipe, stage, "order_spread", dpi=dpi)


# -- robustness probes ----------------------------------------------------------------------------

def write_perturb(result: PerturbResult, out: str | Path, argv: list[str] | None) -> None:
    """Write a damage / clone probe's rankings, changes, summary, figure and manifest
    atomically into ``out``."""
    manifest = perturb_manifest(result, argv)
    with atomic_output(out, inputs=scenario_files(result.before.scenario),
                       command="perturb") as stage:
        stage.write_csv("rankings_before.csv", result.before.rankings())
        if result.after is not None:
            summary = result.summary()
            stage.write_csv("rankings_after.csv", result.after.rankings())
            stage.write_csv("perturb_rank_changes.csv", result.rank_changes())
            stage.write_csv("perturb_summary.csv", summary)
            from swisssim.plots.compare import probe_chart

            save_figure(probe_chart(summary, title=f"{result.before.scenario.name}: damaged model's rank "
                                                   "before and after"),
                        stage, "figures/perturb_probe")
        if result.clones is not None:
            probe, changes = result.clone_summary()
            stage.write_csv("rankings_with_clones.csv", result.clones.rankings())
            stage.write_csv("clone_probe.csv", probe)
            stage.write_csv("clone_rank_changes.csv", changes)
        stage.write_json("manifest.json", manifest)
