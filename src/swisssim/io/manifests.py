"""Run manifests: everything needed to rerun a result, recorded next to it."""

from __future__ import annotations

import contextvars
import hashlib
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from swisssim._version import __version__
from swisssim.analysis.bootstrap import BOOTSTRAP_STREAM, BootstrapResult
from swisssim.analysis.significance import TIER_RULE, pair_window, tests_manifest
from swisssim.engine.structure import degenerate_notes


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def environment() -> dict[str, Any]:
    """Versions and machine facts recorded in every manifest.

    Versions of libraries a command may not load (scipy, matplotlib) are read from the installed
    distributions' metadata, so recording them does not import them (start-up stays lean).
    """
    from importlib.metadata import PackageNotFoundError, version

    import numba
    import numpy

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "swisssim": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "pandas": pd.__version__,
        "scipy": installed("scipy"),
        "matplotlib": installed("matplotlib"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def scenario_files(scenario: Any) -> list[Path]:
    """The scenario file and the data files it names (none for a DataFrame scenario)."""
    if scenario.path is None:
        return []
    import tomllib

    files = [Path(scenario.path)]
    try:
        document = tomllib.loads(Path(scenario.path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return files
    for key in ("scores", "score_errors", "models_file"):
        if isinstance(document.get(key), str):
            files.append(Path(scenario.path).parent / document[key])
    return files


def scenario_provenance(scenario: Any) -> dict[str, Any]:
    """Path and SHA-256 of the scenario file and of the data files it names."""
    if scenario.path is None:
        return {"path": None, "sha256": None, "data_files": {}}
    data_files = {}
    import tomllib

    document = tomllib.loads(Path(scenario.path).read_text(encoding="utf-8"))
    for key in ("scores", "score_errors", "models_file"):
        if key in document:
            data_path = Path(scenario.path).parent / document[key]
            data_files[str(data_path)] = file_sha256(data_path)
    return {"path": str(scenario.path), "sha256": file_sha256(scenario.path),
            "data_files": data_files}


#: Where each simulation setting of the running command came from (set by the command line,
#: :func:`swisssim.cli._common.settings_from_args`; recorded by :func:`base_manifest`).
SETTINGS_SOURCES: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "swisssim_settings_sources", default=None)


def base_manifest(command: str, scenario: Any, argv: list[str] | None) -> dict[str, Any]:
    """The manifest fields common to every command (with ``settings_sources``, where each
    simulation setting came from, when the command line resolved them)."""
    manifest = {
        "command": command,
        "argv": list(argv) if argv is not None else sys.argv[1:],
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scenario": {"name": scenario.name, **scenario_provenance(scenario),
                     "n_models": scenario.n_models, "n_rounds": scenario.n_rounds,
                     "rounds": [{"name": r.name, "benchmarks": list(r.benchmarks)}
                                for r in scenario.rounds],
                     "scoring": {"lower_is_better": list(scenario.scoring.lower_is_better),
                                 "normalization": scenario.scoring.normalization,
                                 "missing": scenario.scoring.missing,
                                 "ties": scenario.scoring.ties},
                     "dropped_models": list(scenario.dropped_models)},
        "environment": environment(),
    }
    sources = SETTINGS_SOURCES.get()
    if sources is not None:
        manifest["settings_sources"] = dict(sources)
    return manifest


def simulation_manifest(result: Any) -> dict[str, Any]:
    """Everything needed to rerun a simulation, plus its own wall time.

    A run on a Dask cluster adds ``cluster``: scheduler address, workers, threads and tasks, with
    the note that results do not depend on them.

    An adaptive run (``target_se``) adds ``adaptive``: the target, the cap, whether the target was
    reached, the achieved largest standard error and the checkpoints; ``iterations`` is then the
    number it took.
    """
    manifest = {
        "seed": result.seed,
        "iterations": result.iterations,
        "schedules": [{"label": s.label, "effective_quotas": [int(q) for q in quotas]}
                      for s, quotas in zip(result.schedules, result.quotas)],
        "tie_break": result.tie_break,
        "bye_points": result.scenario.simulation.bye_points,
        "probabilistic_wins": result.probabilistic_wins,
        "threads": result.threads,
        "simulation_seconds": round(result.wall_time, 6),
        "kernel_load_seconds": round(result.load_time, 6),
    }
    notes = degenerate_notes(result)
    if notes:
        manifest["degenerate"] = notes
    if getattr(result, "cluster", None) is not None:
        manifest["cluster"] = result.cluster.manifest()
    stopping = getattr(result, "stopping", None)
    if stopping is not None:
        manifest["adaptive"] = {"target_se": stopping.target_se,
                                "target": getattr(stopping, "target", "score"),
                                "max_iterations": stopping.max_iterations,
                                "reached": stopping.reached,
                                "iterations": result.iterations,
                                "achieved_max_se": stopping.achieved_max_se,
                                "checkpoints": list(stopping.checkpoints)}
    return manifest


def bootstrap_manifest(result: BootstrapResult) -> dict[str, Any]:
    """The manifest entry of a bootstrap: settings, scheme and tier rule."""
    return {
        "replicates": result.replicates,
        "iterations_per_replicate": result.iterations,
        "seed": result.seed,
        "generator": f"numpy SeedSequence(seed, spawn_key=({BOOTSTRAP_STREAM:#x}, replicate))",
        "level": result.level,
        "scheme": "benchmarks resampled with replacement inside each round"
                  + ("; scores perturbed by N(0, se^2)" if result.noise else ""),
        "resampled_rounds": list(result.resampled_rounds),
        "score_noise": result.noise,
        "degenerate": result.degenerate,
        "rank": "competition rank by expected score within a replicate",
        "intervals": "percentiles; rank interval rounded outwards",
        "pairwise": tests_manifest(pair_window(result.scenario.n_models),
                                   result.scenario.n_models),
        "endpoint_error": "rank_low_mc, rank_high_mc: half width of the distribution-free 95% "
                          "interval of each percentile endpoint (order statistics)",
        "tier_rule": TIER_RULE,
        "seconds": round(result.wall_time, 6),
        **({} if result.cluster is None else {"cluster": result.cluster.manifest()}),
    }
