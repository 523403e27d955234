"""The writer of ``swisssim run``: tables and manifest of one simulation, atomically.

Kept apart from :mod:`swisssim.io.writers` so that a run imports no plotting or statistics
library unless it draws something (a bootstrap's figure): start-up is part of what a command
costs (benchmarks/bench_large.py, paper row).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from swisssim.engine.results import Z95, SimulationResult
from swisssim.io.manifests import (
    base_manifest,
    bootstrap_manifest,
    scenario_files,
    simulation_manifest,
)
from swisssim.io.staging import atomic_output

if TYPE_CHECKING:
    from swisssim.analysis.bootstrap import BootstrapResult


def write_run(result: SimulationResult, out, argv, *,
              bootstrap: BootstrapResult | None = None) -> None:
    """Write the run's tables and manifest (and the bootstrap's, if any) atomically into ``out``."""
    manifest = base_manifest("run", result.scenario, argv)
    manifest["simulation"] = simulation_manifest(result)
    if bootstrap is not None:
        manifest["bootstrap"] = bootstrap_manifest(bootstrap)
    with atomic_output(out, inputs=scenario_files(result.scenario), command="run") as stage:
        stage.write_csv("expected_scores.csv", result.expected_scores())
        stage.write_csv("rank_distribution.csv", result.rank_distribution())
        stage.write_csv("survival.csv", result.survival())
        manifest["simulation"]["rank_distribution"] = rank_table_manifest(
            result, stage.root / "rank_distribution.csv")
        if bootstrap is not None:
            stage_bootstrap(bootstrap, stage)
        stage.write_json("manifest.json", manifest)


def rank_table_manifest(result: SimulationResult, path: Path) -> dict[str, int]:
    """Rows and bytes of a written ``rank_distribution.csv`` (only non-zero probabilities are
    written, so its size grows with the ranks each model actually reaches, not with M^2)."""
    return {"rows": int(result.ranks.count.size), "bytes": path.stat().st_size,
            "dense_rows": int(result.score_sum.size * result.score_sum.shape[1])}



def stage_bootstrap(result: BootstrapResult, stage: Any, *, dpi: int = 150,
                    z: float = Z95) -> list[str]:
    """Write ``bootstrap.csv``, ``tiers.csv``, ``pairwise.csv``, ``labels.csv`` (schedules with
    a contrast only) and ``bootstrap_ranks.png``/``.svg`` into a staging folder; return the
    figure names. ``z`` is the profile rule's threshold (labels' support). The figure is a
    recipe, built by the process that draws it (:mod:`swisssim.io.figures`)."""
    from swisssim.io.figures import FigureRecipe, save_figure

    stage.write_csv("bootstrap.csv", result.table())
    stage.write_csv("tiers.csv", result.tiers())
    stage.write_csv("pairwise.csv", result.pairwise())
    support = result.label_support(z)
    if len(support):
        stage.write_csv("labels.csv", support)
    recipe = FigureRecipe("swisssim.plots.uncertainty", "rank_interval_figure", (result,))
    return save_figure(recipe, stage, "bootstrap_ranks", dpi=dpi)


__all__ = ["rank_table_manifest", "stage_bootstrap", "write_run"]
