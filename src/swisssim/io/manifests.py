"""Run manifests: everything needed to rerun a result, recorded next to it.

The one home of manifest building: :func:`base_manifest` (command, arguments, time, scenario
provenance, environment) starts every writer's manifest, and one ``<what>_manifest`` function
per analysis adds its section. Analyses that need plotting or statistics libraries are imported
inside their function, so that ``swisssim run`` (which writes only the simulation's section)
stays lean.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from swisssim._version import __version__
from swisssim.analysis.bootstrap import BOOTSTRAP_STREAM, BootstrapResult
from swisssim.analysis.significance import TIER_RULE, pair_window, tests_manifest
from swisssim.engine.structure import degenerate_notes

if TYPE_CHECKING:
    from swisssim.analysis.compare import Comparison
    from swisssim.analysis.orders import OrdersResult
    from swisssim.analysis.perturb import PerturbResult
    from swisssim.analysis.sweep import Sweep
    from swisssim.data.scenario import Scenario


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
    """The scenario file and the data files it names (none for a DataFrame scenario): those
    :func:`~swisssim.data.scenario.load_scenario` read (``scenario.sources``), never the file
    as it is now."""
    if scenario.path is None:
        return []
    sources = getattr(scenario, "sources", ())
    if sources:
        return [Path(path) for path, _ in sources]
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
    """Path and SHA-256 of the scenario file and of the data files it names.

    The hashes are those of the bytes :func:`~swisssim.data.scenario.load_scenario` read
    (``scenario.sources``): a file edited or removed during the run changes nothing here. A
    scenario built otherwise (with a path but no sources) is hashed now, and a file that cannot
    be read gives ``None``.
    """
    if scenario.path is None:
        return {"path": None, "sha256": None, "data_files": {}}
    sources = list(getattr(scenario, "sources", ()))
    if not sources:
        sources = [(str(path), _sha256_or_none(path)) for path in scenario_files(scenario)]
    (path, digest), rest = sources[0], sources[1:]
    return {"path": str(scenario.path) if path is None else path, "sha256": digest,
            "data_files": dict(rest)}


def _sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


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
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
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

    ``backend`` describes where the tournaments were played (``engine/backends.py``: ``cpu``
    with its threads, ``cuda`` with its device, ``dask`` with its cluster). A run on a Dask
    cluster adds ``cluster``: scheduler address, workers, threads and tasks, with the note that
    results do not depend on them.

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
    if getattr(result, "backend", None) is not None:
        manifest["backend"] = result.backend
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
        "scheme": (f"{result.scheme}: benchmarks resampled with replacement inside each round "
                   + ("(n draws for a round of n)" if result.scheme == "n"
                      else "(n - 1 draws for a round of n >= 2)")
                   + ("; one-benchmark rounds: their benchmark plus a within-round deviation "
                      "of another round" if result.borrowing_rounds else "")
                   + ("; scores perturbed by N(0, se^2)" if result.noise else "")),
        "borrowing_rounds": list(result.borrowing_rounds),
        "resampled_rounds": list(result.resampled_rounds),
        "score_noise": result.noise,
        "degenerate": result.degenerate,
        "rank": "competition rank by expected score within a replicate",
        "intervals": {"score": result.interval_method, "score_target": result.interval_target,
                      "degrees_of_freedom": result.resampler.degrees_of_freedom,
                      "rank": "percentiles of the replicates' ranks, rounded outwards"},
        "pairwise": tests_manifest(pair_window(result.scenario.n_models),
                                   result.scenario.n_models),
        "endpoint_error": "rank_low_mc, rank_high_mc: half width of the distribution-free 95% "
                          "interval of each percentile endpoint (order statistics)",
        "tier_rule": TIER_RULE,
        "seconds": round(result.wall_time, 6),
        **({} if result.backend is None else {"backend": result.backend}),
        **({} if result.cluster is None else {"cluster": result.cluster.manifest()}),
    }


def orders_manifest(result: OrdersResult, samples: int | None = None) -> dict[str, Any]:
    """The manifest entry of an order-sensitivity run: everything needed to rerun it."""
    from swisssim.analysis.orders import ORDERS_STREAM

    return {
        "seed": result.seed,
        "iterations_per_order": result.iterations,
        "samples_requested": samples,
        "n_orders": result.n_orders,
        "exhaustive": result.exhaustive,
        "sampler": "all K! orders, lexicographic" if result.exhaustive else
                   f"curated order + uniform sample without replacement, numpy "
                   f"SeedSequence(seed, spawn_key=({ORDERS_STREAM:#x},))",
        "curated_order": result.scenario.round_names,
        "schedules": [{"label": s.label, "effective_quotas": [int(q) for q in quotas]}
                      for s, quotas in zip(result.schedules,
                                           (s.quotas(result.scenario.n_models)
                                            for s in result.schedules))],
        "tie_break": result.tie_break,
        "bye_points": result.scenario.simulation.bye_points,
        "threads": result.threads,
        "top_k": result.top_k,
        "rank": "competition rank by expected score within an order (ties share the better rank)",
        "kendall_tau": "Kendall tau-b against the curated order (swisssim.analysis.rank_correlation, "
                       "equal to scipy.stats.kendalltau)",
        "simulation_seconds": round(result.wall_time, 6),
        **({} if result.backend is None else {"backend": result.backend}),
        **({} if result.cluster is None else {"cluster": result.cluster.manifest()}),
    }


def sweep_manifest(sweep: Sweep, risk: pd.DataFrame) -> dict:
    """The sweep's own manifest section: schedule severities, base/most, the label rule."""
    from swisssim.analysis.sweep import DEFAULT_SCHEDULES, profile_rule, rank_column
    from swisssim.plots.names import FIGURE_STEMS

    table = sweep.table().drop_duplicates("elimination")
    return {
        "default_schedules": list(DEFAULT_SCHEDULES),
        "total_eliminations": {row.elimination: int(row.total_eliminations)
                               for row in table.itertuples()},
        "removed_model_rounds": {row.elimination: int(row.removed_model_rounds)
                                 for row in table.itertuples()},
        "severity_rule": "total effective eliminations, then removed model-rounds "
                         "(sum_k T_k (K - k)), then the order given",
        "base_schedule": str(risk["base_schedule"].iloc[0]),
        "most_schedule": str(risk["most_schedule"].iloc[0]),
        "slope_x": "mean effective eliminations per round (total effective / K)",
        "rank_columns": {label: rank_column(label) for label in sweep.result.labels},
        "median_base_score": float(risk["base_score"].median()),
        "median_drop": float(risk["drop"].median()),
        "profile_rule": profile_rule(sweep.z),
        "profile_counts": {k: int(v) for k, v in risk["profile"].value_counts().items()},
        "notes": sweep.notes(),
        "figures": [],
        "figure_stems": list(FIGURE_STEMS),
    }


def comparison_manifest(command: str, scenario: Scenario, comparison: Comparison,
                        argv: list[str] | None) -> dict[str, Any]:
    """base + simulation manifests, the methods' settings, and the scipy version."""
    import scipy

    manifest = base_manifest(command, scenario, argv)
    manifest["environment"].setdefault("scipy", scipy.__version__)
    manifest["simulation"] = simulation_manifest(comparison.simulation)
    manifest["comparison"] = comparison.parameters()
    return manifest


def perturb_manifest(result: PerturbResult, argv: list[str] | None) -> dict[str, Any]:
    """The comparison's manifest (of the unchanged scenario) and the probe's settings."""
    from swisssim.analysis.perturb import resolve_assignments

    scenario = result.before.scenario
    manifest = comparison_manifest("perturb", scenario, result.before, argv)
    manifest["perturbation"] = {
        "models": list(result.models),
        "set": {bench: str(value) for bench, value in result.assignments.items()},
        "values_used": resolve_assignments(scenario, result.assignments),
        "clones": len(result.clone_names), "clone_names": list(result.clone_names),
        "clone_rule": "clone c scores worst - c * step on every benchmark (better-is-higher "
                      "direction), step = 1% of the benchmark's range",
        "seconds": {name: round(run.simulation.wall_time + sum(run.wall_times.values()), 6)
                    for name, run in (("before", result.before), ("after", result.after),
                                      ("clones", result.clones)) if run is not None},
    }
    return manifest
