"""Calibration: the uncertainty analyses run on data drawn from a known truth.

Every claim that ``bootstrap.csv``, ``pairwise.csv``, ``tiers.csv`` and the report make about
error rates or coverage is checked here against generating processes whose truth is known
(``docs/method.md`` section 7.6 carries the table; ``benchmarks/bench_calibration.py`` prints
it, ``tests/test_calibration.py`` asserts a fast version).

Generating process (:class:`Process`)
-------------------------------------
Model ``m`` scores on benchmark ``j`` of round ``k``::

    x[m, j] = ability[m] + special[m, k] + benchmark_sd * beta[j] + noise_sd * eta[m, j]
              (+ score_error * eps[m, j], with score_errors = score_error given to the scenario)

with independent standard normal ``beta`` (difficulty, shared by all models), ``eta``
(model-by-benchmark noise) and ``eps`` (measurement error). ``ability`` and ``special`` (a model's
strength in a round's category) are fixed: they are the truth. Models with equal ability and
equal specialisation rows are **exchangeable**: every significant pair between two of them is a
false claim. The population value of ``E[S_m]`` is the expected score at infinitely many
benchmarks per round, i.e. with round scores ``ability + special`` (simulated with
``truth_iterations``); the **fresh-draw target** of an interval is the mean of the point
estimate over datasets of the same design, estimated by the leave-one-out mean over the
calibration's own datasets.

Measured per dataset and schedule
---------------------------------
* ``fwer``: a significant pair between exchangeable models (swap test, Holm, as reported).
* ``null_rejection``: share of exchangeable pairs that are significant.
* ``wald_fwer``, ``wald_null_rejection``: the same for the test this package used before (Wald on
  the paired bootstrap differences plus both Monte Carlo variances, Holm): kept here as a
  reference, to show that the calibration detects a test that does not keep its level.
* ``wrong_direction``: significant pairs whose better model has the lower population ``E[S]``.
* ``power``: share of non-exchangeable pairs found significant in the right direction;
  ``former_power`` the same with the former p-values (exact up to 14 terms only).
* ``false_boundary``: a tier boundary between two exchangeable models.
* coverage of each interval kind (:data:`~swisssim.analysis.bootstrap.INTERVAL_KINDS`) of the
  fresh-draw target and of the population value, per model, and ``interval_calibrated``, whether
  the report claims a coverage for the process's intervals
  (:attr:`~swisssim.analysis.bootstrap.BootstrapResult.calibrated`); with ``schemes``, the same
  for the percentile intervals of other replicate schemes.
* ``labels``: on fields with no true contrast in drops (exchangeable fields), a model labelled
  anything but ``average risk``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from swisssim.analysis.bootstrap import (
    INTERVAL_KINDS,
    bootstrap,
    score_intervals,
    swap_inputs,
)
from swisssim.analysis.significance import (
    ALPHA,
    SwapPValues,
    holm,
    pair_tests,
    swap_p_values,
    wald_p_values,
)
from swisssim.analysis.sweep import AVERAGE_RISK, mean_covariance, risk_profile, sweep_table
from swisssim.data.scenario import Scenario
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import EngineSession, simulate

#: Schedules every calibration dataset is simulated under (no elimination, one per round).
SCHEDULES: tuple[int, ...] = (0, 1)


@dataclass(frozen=True)
class Process:
    """A generating process of benchmark scores with a known truth (module notes).

    Parameters
    ----------
    name
        Row label of the calibration table.
    round_sizes
        Benchmarks per round, in playing order.
    abilities
        One per model (the field size is their number).
    special
        Specialisation effects (models x rounds); ``None`` for none.
    benchmark_sd, noise_sd, score_error
        Standard deviations of the difficulty, model-by-benchmark and measurement terms.
    """

    name: str
    round_sizes: tuple[int, ...]
    abilities: tuple[float, ...]
    special: tuple[tuple[float, ...], ...] | None = None
    benchmark_sd: float = 1.0
    noise_sd: float = 1.0
    score_error: float = 0.0

    @property
    def n_models(self) -> int:
        return len(self.abilities)

    @property
    def n_rounds(self) -> int:
        return len(self.round_sizes)

    def round_truth(self) -> np.ndarray:
        """Population round scores (K, M): ability plus specialisation."""
        truth = np.tile(np.asarray(self.abilities, dtype=float), (self.n_rounds, 1))
        if self.special is not None:
            truth = truth + np.asarray(self.special, dtype=float).T
        return truth

    def exchangeable(self) -> np.ndarray:
        """(M, M) bool: models with equal abilities and specialisation rows (diagonal False)."""
        truth = self.round_truth().T
        same = np.all(truth[:, None, :] == truth[None, :, :], axis=2)
        np.fill_diagonal(same, False)
        return same

    def draw(self, rng: np.random.Generator, seed: int) -> Scenario:
        """One dataset as a scenario (simulation seed ``seed``, schedules :data:`SCHEDULES`)."""
        n, sizes = self.n_models, self.round_sizes
        total = sum(sizes)
        round_of = np.repeat(np.arange(self.n_rounds), sizes)
        truth = self.round_truth()[round_of].T                     # (M, J)
        scores = (truth + self.benchmark_sd * rng.standard_normal(total)[None, :]
                  + self.noise_sd * rng.standard_normal((n, total)))
        errors = None
        names = [f"m{i}" for i in range(n)]
        benches = [f"b{j}" for j in range(total)]
        if self.score_error > 0:
            scores = scores + self.score_error * rng.standard_normal((n, total))
            errors = pd.DataFrame(self.score_error, index=names, columns=benches)
        frame = pd.DataFrame(scores, index=pd.Index(names, name="model"), columns=benches)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        rounds = {f"r{k}": benches[starts[k]:starts[k + 1]] for k in range(self.n_rounds)}
        return Scenario.from_dataframe(frame, rounds, name="calibration", score_errors=errors,
                                       elimination=list(SCHEDULES), seed=seed)


def exchangeable_field(name: str, n_models: int, round_sizes: Sequence[int], *,
                       benchmark_sd: float = 1.0, noise_sd: float = 1.0,
                       score_error: float = 0.0) -> Process:
    """A field of ``n_models`` exchangeable models (every pair is a true null)."""
    return Process(name, tuple(round_sizes), (0.0,) * n_models, None, benchmark_sd, noise_sd,
                   score_error)


def twins_field(name: str, n_pairs: int, round_sizes: Sequence[int], *, spread: float = 0.5,
                special_sd: float = 0.5, seed: int = 7, noise_sd: float = 1.0) -> Process:
    """``n_pairs`` pairs of twins: abilities ``spread`` apart, specialisations drawn once from
    ``N(0, special_sd**2)`` (seeded by ``seed``) and shared by the twins. Twins are exchangeable;
    every other pair differs."""
    rng = np.random.default_rng(seed)
    levels = spread * np.arange(n_pairs, 0, -1, dtype=float)
    special = special_sd * rng.standard_normal((n_pairs, len(round_sizes)))
    abilities = tuple(float(a) for a in np.repeat(levels, 2))
    rows = tuple(tuple(float(v) for v in row) for row in np.repeat(special, 2, axis=0))
    return Process(name, tuple(round_sizes), abilities, rows, noise_sd=noise_sd)


def standard_processes(fast: bool = False) -> list[Process]:
    """The processes of the calibration table (``fast``: the test suite's small versions)."""
    models = 6 if fast else 8
    pairs = 3 if fast else 4
    return [
        exchangeable_field(f"{models} exchangeable, 4 rounds x 5 benchmarks", models, [5] * 4),
        exchangeable_field(f"{models} exchangeable, 4 rounds x 20 benchmarks", models, [20] * 4),
        exchangeable_field(f"{models} exchangeable, 5 one-benchmark rounds, score errors 0.5",
                           models, [1] * 5, score_error=0.5),
        exchangeable_field(f"{models} exchangeable, rounds of 5, 1, 5, 1 benchmarks", models,
                           [5, 1, 5, 1]),
        exchangeable_field(f"{2 * models} exchangeable, 6 rounds x 4 benchmarks", 2 * models,
                           [4] * 6),
        twins_field(f"{2 * pairs} models in twin pairs (abilities, specialisations), "
                    "4 rounds x 5 benchmarks", pairs, [5] * 4),
    ]


@dataclass
class ProcessRecord:
    """What one process's datasets gave (arrays indexed ``[dataset, schedule, ...]``)."""

    process: Process
    truth: np.ndarray                       # (S, M) population E[S]
    point: list[np.ndarray] = field(default_factory=list)          # (S, M) per dataset
    bounds: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    rows: list[dict[str, float]] = field(default_factory=list)     # per dataset and schedule
    calibrated: bool | None = None          # the report claims a coverage for the intervals


def _false_rejections(better: np.ndarray, worse: np.ndarray, significant: np.ndarray,
                      null: np.ndarray) -> tuple[bool, float]:
    """Whether any null pair is significant, and the share of null pairs that are."""
    is_null = null[better, worse]
    if not is_null.any():
        return False, math.nan
    hits = significant & is_null
    return bool(hits.any()), float(hits.sum() / is_null.sum())


def _wald_significant(point: np.ndarray, replicates: np.ndarray, mc: np.ndarray,
                      better: np.ndarray, worse: np.ndarray) -> np.ndarray:
    """The former test: Wald on paired replicate differences plus both MC variances, Holm."""
    diff = replicates[:, better] - replicates[:, worse]
    se = np.sqrt(diff.var(axis=0, ddof=1) + mc[better] ** 2 + mc[worse] ** 2)
    n = point.size
    p = holm(wald_p_values(point[better] - point[worse], se), n * (n - 1) // 2)
    return np.asarray(p <= ALPHA)


def former_power(test: Any, rates: np.ndarray, weights: np.ndarray, non_null: np.ndarray,
                 right: np.ndarray) -> float:
    """Power of the swap test as it was before the meet-in-the-middle and lattice p-values
    (exact up to 14 non-zero terms, the Bentkus-Dzindzalieta / Hoeffding bound above)."""
    if not non_null.any():
        return math.nan
    weighted = rates * weights
    p = swap_p_values(weighted[test.better] - weighted[test.worse], exact_terms=FORMER_EXACT_TERMS,
                      lattice=False)
    n = test.n_models
    significant = (holm(p, n * (n - 1) // 2) <= test.alpha) & (test.statistic > 0)
    return float((significant & non_null & right).sum() / non_null.sum())


#: Enumeration limit of the swap test before the meet-in-the-middle p-values.
FORMER_EXACT_TERMS = 14


def run_process(process: Process, datasets: int, *, replicates: int = 0, iterations: int = 2000,
                truth_iterations: int = 200_000, seed: int = 0,
                schemes: Sequence[str] = ()) -> ProcessRecord:
    """Draw ``datasets`` datasets from ``process`` and run every analysis on each.

    ``replicates`` bootstrap replicates per dataset (0: no intervals and no former Wald test);
    ``iterations`` per simulation. Dataset ``d`` draws from ``default_rng([seed, d])`` and is
    simulated with seed ``d``. The intervals of :data:`INTERVAL_KINDS` come from the default
    replicate scheme; ``schemes`` adds the percentile interval of other schemes
    (:data:`~swisssim.analysis.bootstrap.RESAMPLE_SCHEMES`), recorded as ``scheme <name>``.
    """
    truth_scenario = process.draw(np.random.default_rng([seed, 10**9]), seed)
    session = EngineSession(truth_scenario, Settings(seed=seed, elimination=SCHEDULES,
                                                     threads=1))
    truth = session.run(process.round_truth(), truth_iterations).expected()
    classes = process.exchangeable() | np.eye(process.n_models, dtype=bool)
    truth = truth @ classes / classes.sum(axis=0)     # exchangeable models: equal by symmetry
    record = ProcessRecord(process, truth)
    null = process.exchangeable()
    order_truth = truth
    for d in range(datasets):
        scenario = process.draw(np.random.default_rng([seed, d]), d)
        if replicates:
            boot = bootstrap(scenario, replicates, iterations=iterations, threads=1)
            reference = boot.reference
            tests = boot.pair_tests()
            for kind in INTERVAL_KINDS:
                low, high = score_intervals(reference.expected(), boot.expected, boot.level, kind,
                                            boot.resampler.degrees_of_freedom)
                record.bounds.setdefault(kind, []).append((low, high))
            for scheme in schemes:
                other = bootstrap(scenario, replicates, iterations=iterations, threads=1,
                                  reference=reference, scheme=scheme)
                low, high = score_intervals(reference.expected(), other.expected, other.level,
                                            "percentile")
                record.bounds.setdefault(f"scheme {scheme}", []).append((low, high))
            record.calibrated = boot.calibrated
        else:
            reference = simulate(scenario, iterations=iterations, threads=1)
            rates, weights = swap_inputs(scenario)
            shared = SwapPValues(rates, weights)
            tests = [pair_tests(point, rates, weights, swap=shared)
                     for point in reference.expected()]
        point = reference.expected()
        record.point.append(point)
        rates, weights = swap_inputs(scenario)
        labels = risk_profile(sweep_table(reference), mean_covariance(reference))
        for s, test in enumerate(tests):
            significant = test.significant
            any_false, share = _false_rejections(test.better, test.worse, significant, null)
            non_null = ~null[test.better, test.worse]
            right = order_truth[s, test.better] > order_truth[s, test.worse]
            wrong = order_truth[s, test.better] < order_truth[s, test.worse]
            boundary = test.tiers()
            row = {"dataset": d, "schedule": s, "fwer": float(any_false),
                   "significant": float(significant.sum()),
                   "null_rejection": share,
                   "wrong_direction": float((significant & non_null & wrong).sum()),
                   "power": (float((significant & non_null & right).sum() / non_null.sum())
                             if non_null.any() else math.nan),
                   "false_boundary": float(np.any(null & (boundary[:, None] != boundary[None, :]))),
                   "former_power": former_power(test, rates, weights, non_null, right),
                   "labels": (float(np.any(labels["profile"].to_numpy() != AVERAGE_RISK))
                              if not process.special and len(set(process.abilities)) == 1
                              else math.nan)}
            if replicates:
                wald = _wald_significant(point[s], boot.expected[:, s],
                                         reference.std_error()[s], test.better, test.worse)
                row["wald_fwer"], row["wald_null_rejection"] = _false_rejections(
                    test.better, test.worse, wald, null)
                row["wald_fwer"] = float(row["wald_fwer"])
                row["wald_power"] = (float((wald & non_null & right).sum() / non_null.sum())
                                     if non_null.any() else math.nan)
            record.rows.append(row)
    return record


def coverage(record: ProcessRecord) -> list[dict[str, float]]:
    """Per schedule and interval kind: mean coverage of the fresh-draw target and of the
    population value, with standard errors over datasets (coverage averaged over models first),
    and the lowest coverage of any single model."""
    points = np.stack(record.point)                         # (D, S, M)
    count, schedules = points.shape[0], points.shape[1]
    result: list[dict[str, float]] = [{} for _ in range(schedules)]
    if count < 3:
        return result
    fresh = (points.sum(axis=0)[None] - points) / (count - 1)   # leave-one-out mean
    for kind, bounds in record.bounds.items():
        low = np.stack([b[0] for b in bounds])
        high = np.stack([b[1] for b in bounds])
        for target, value in (("fresh", fresh), ("population", record.truth[None])):
            inside = (low <= value) & (value <= high)           # (D, S, M)
            for s in range(schedules):
                hit = inside[:, s].mean(axis=1)
                result[s][f"{kind}_{target}"] = float(hit.mean())
                result[s][f"{kind}_{target}_se"] = float(hit.std(ddof=1) / math.sqrt(count))
                result[s][f"{kind}_{target}_min_model"] = float(inside[:, s].mean(axis=0).min())
    return result


def upper_bound(hits: int, count: int, level: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper confidence bound of a binomial rate."""
    from scipy.special import betaincinv

    return 1.0 if hits >= count else float(betaincinv(hits + 1, count - hits, level))


def summary(records: Iterable[ProcessRecord]) -> pd.DataFrame:
    """One row per process and schedule: realised rates with binomial standard errors."""
    rows = []
    for record in records:
        frame = pd.DataFrame(record.rows)
        cover = coverage(record)
        for s in sorted(int(v) for v in frame["schedule"].unique()):
            part = frame[frame["schedule"] == s]
            count = len(part)
            fwer = float(part["fwer"].mean())
            row = {"process": record.process.name, "T": SCHEDULES[s], "datasets": count,
                   "fwer": fwer, "fwer_se": math.sqrt(fwer * (1 - fwer) / count),
                   "fwer_upper": upper_bound(round(fwer * count), count),
                   "null_rejection": float(part["null_rejection"].mean()),
                   "wrong_direction": float(part["wrong_direction"].mean()),
                   "power": float(part["power"].mean()),
                   "former_power": float(part["former_power"].mean()),
                   "false_boundary": float(part["false_boundary"].mean()),
                   "labels": float(part["labels"].mean())}
            if "wald_fwer" in part:
                row["wald_fwer"] = float(part["wald_fwer"].mean())
                row["wald_null_rejection"] = float(part["wald_null_rejection"].mean())
                row["wald_power"] = float(part["wald_power"].mean())
            row.update(cover[s])
            if record.calibrated is not None:
                row["interval_calibrated"] = record.calibrated
            rows.append(row)
    return pd.DataFrame(rows)


def calibrate(processes: Sequence[Process] | None = None, *, datasets: int = 200,
              replicates: int = 100, iterations: int = 2000, seed: int = 0,
              fast: bool = False) -> pd.DataFrame:
    """Run :func:`run_process` on every process and return :func:`summary`."""
    processes = standard_processes(fast) if processes is None else list(processes)
    return summary(run_process(p, datasets, replicates=replicates, iterations=iterations,
                               seed=seed) for p in processes)


def markdown_table(table: pd.DataFrame) -> str:
    """The calibration table as ``docs/method.md`` quotes it (``-``: not measured or no such
    pair in the process)."""
    def num(row: Mapping[Hashable, Any], key: str) -> str:
        value = row.get(key, math.nan)
        return "-" if value is None or math.isnan(value) else f"{value:.3f}"

    columns = [
        ("process", None), ("T", None), ("datasets (tests / intervals)", None),
        ("FWER, swap test (95% upper bound; claim <= 0.05)", "fwer"),
        ("per-pair null rejection, swap", "null_rejection"),
        ("FWER, former Wald test", "wald_fwer"),
        ("per-pair null rejection, Wald", "wald_null_rejection"),
        ("wrong-direction claims per dataset", "wrong_direction"),
        ("power, swap / swap exact to 14 terms (former) / Wald", None),
        ("false tier boundary", "false_boundary"),
        ("reported E[S] interval (n-1 draws, t-widened) covers fresh-draw / population E[S]",
         None),
        ("former percentile interval (n draws) covers fresh-draw / population E[S]", None),
        ("non-average label, exchangeable field", "labels"),
    ]
    lines = ["| " + " | ".join(name for name, _ in columns) + " |",
             "|" + "---|" * len(columns)]
    for record in table.to_dict("records"):
        cells = []
        for name, key in columns:
            if key is not None:
                cell = num(record, key)
                if key == "fwer":
                    cell += f" (<= {record['fwer_upper']:.3f})"
            elif name == "process":
                cell = str(record["process"])
            elif name == "T":
                cell = str(record["T"])
            elif name.startswith("datasets"):
                second = record.get("interval_datasets", record["datasets"]
                                    if "percentile_fresh" in record else math.nan)
                cell = f"{record['datasets']} / " + (
                    "-" if math.isnan(second) else str(int(second)))
            elif name.startswith("power"):
                cell = (f"{num(record, 'power')} / {num(record, 'former_power')} / "
                        f"{num(record, 'wald_power')}")
            else:
                kind = "t-percentile" if name.startswith("reported") else "scheme n"
                cell = f"{num(record, kind + '_fresh')} / {num(record, kind + '_population')}"
                if kind == "t-percentile" and record.get("interval_calibrated") is False:
                    cell += " (not calibrated: no spread to borrow)"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


__all__ = [
    "SCHEDULES",
    "Process",
    "ProcessRecord",
    "calibrate",
    "coverage",
    "exchangeable_field",
    "markdown_table",
    "run_process",
    "standard_processes",
    "summary",
    "twins_field",
    "upper_bound",
]
