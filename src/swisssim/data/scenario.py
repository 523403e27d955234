"""Scenarios: the scores of M models on ordered benchmarks, grouped into K rounds, and settings.

This module is the edge of the package: it reads scenario files (TOML + CSV, see
``docs/scenario-format.md``) or a pandas DataFrame, checks everything and raises
:class:`~swisssim.errors.InputError` naming the file, the field, what was expected and what was
found. Everything downstream trusts a :class:`Scenario`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from swisssim.data.long_form import pivot_long
from swisssim.data.schedules import Schedule, parse_schedules
from swisssim.data.score_errors import (
    binomial_errors,
    check_item_counts,
    check_score_errors,
)
from swisssim.data.tables import (
    MODEL_KEYS,
    models_from_frame,
    numeric_frame,
    read_models_csv,
    read_scores_csv,
    read_toml,
    relative_file,
)
from swisssim.defaults import MISSING_POLICIES, TIE_BREAKS
from swisssim.errors import InputError
from swisssim.errors import preview as _preview
from swisssim.validation import (
    check_iterations,
    check_seed,
    choice,
    flag,
    is_integer,
    is_number,
)

NORMALIZATIONS = ("none", "minmax", "zscore", "rank")
TIE_RULES = ("coin", "draw")
BYE_POINTS = (0.0, 0.5, 1.0)
DEFAULT_ELIMINATION = (0, 1, 2)

_TOP_KEYS = {"name", "description", "scores", "score_errors", "item_counts", "models_file",
             "scoring", "rounds",
             "simulation", "models"}
_SCORING_KEYS = {"lower_is_better", "normalization", "missing", "ties"}
_ROUND_KEYS = {"name", "benchmarks"}
_SIMULATION_KEYS = {"iterations", "seed", "elimination", "tie_break", "bye_points",
                    "probabilistic_wins"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Round:
    """One round: an ordered group of benchmarks whose scores are averaged."""

    name: str
    benchmarks: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """How raw scores become round scores.

    Attributes
    ----------
    lower_is_better
        Benchmarks where a smaller raw score is better (their sign is flipped).
    normalization
        Per-benchmark transform before the round mean: ``none``, ``minmax`` (to [0, 1]),
        ``zscore`` or ``rank`` (average rank, ties share it).
    missing
        Missing-score policy: ``error``, ``lose``, ``skip`` or ``drop``.
    ties
        Equal round scores: ``coin`` (fair coin flip, the paper's rule) or ``draw`` (half a point
        each).
    """

    lower_is_better: tuple[str, ...] = ()
    normalization: str = "none"
    missing: str = "error"
    ties: str = "coin"


@dataclass(frozen=True)
class SimulationSettings:
    """Monte Carlo settings; every field can be overridden on the command line."""

    iterations: int = 100_000
    seed: int = 0
    elimination: tuple[Schedule, ...] = ()
    tie_break: str = "random"
    bye_points: float = 0.0
    probabilistic_wins: bool = False


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Build one with :func:`load_scenario` or :meth:`Scenario.from_dataframe`, which validate
    everything; the constructor itself trusts its arguments (``models`` defaults to an empty
    family and the model's name as display name).

    Attributes
    ----------
    name
        Short name, shown in reports and manifests (the command line's default output folder
        comes from the scenario file's stem, ``swisssim-results/<stem>/<command>/``).
    scores
        Raw scores, index = model names (in file order), columns = benchmarks; NaN = missing.
    rounds
        The K rounds in playing order.
    scoring, simulation
        Settings (see :class:`Scoring`, :class:`SimulationSettings`).
    models
        Metadata per model (index = model names): ``family`` and ``display_name`` (strings,
        ``display_name`` defaults to the model name, ``family`` to ``""``).
    description
        Free text.
    path
        The TOML file it was read from, if any.
    dropped_models
        Models removed by the ``drop`` missing-score policy.
    score_errors
        Optional standard errors of the raw scores, same index and columns as ``scores``
        (non-negative, 0 where none was given); used by the bootstrap to perturb scores.
    sources
        ``(path, SHA-256)`` of every file :func:`load_scenario` read (the TOML first, then the
        data files), hashed from the bytes as they were read; empty for a DataFrame scenario.
    """

    name: str
    scores: pd.DataFrame
    rounds: tuple[Round, ...]
    scoring: Scoring = field(default_factory=Scoring)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    models: pd.DataFrame = None   # None builds the default table (__post_init__)
    description: str = ""
    path: Path | None = None
    dropped_models: tuple[str, ...] = ()
    score_errors: pd.DataFrame | None = None
    sources: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built directly rather than by from_dataframe / load_scenario: give every model the
        # default metadata, so that every table can be built (validation is the builders' job).
        if self.models is None:
            names = [str(m) for m in self.scores.index]
            object.__setattr__(self, "models", pd.DataFrame(
                {"family": [""] * len(names), "display_name": names}, index=self.scores.index))

    def __repr__(self) -> str:
        return (f"Scenario(name={self.name!r}, models={self.n_models}, rounds={self.n_rounds}, "
                f"benchmarks={self.scores.shape[1]}, path={str(self.path) if self.path else None!r})")

    @property
    def model_names(self) -> list[str]:
        return [str(m) for m in self.scores.index]

    @property
    def n_models(self) -> int:
        return int(self.scores.shape[0])

    @property
    def n_rounds(self) -> int:
        return len(self.rounds)

    @property
    def round_names(self) -> list[str]:
        return [r.name for r in self.rounds]

    def with_scores(self, scores: pd.DataFrame) -> Scenario:
        """A copy with other scores for the same models and benchmarks (used by probes)."""
        return replace(self, scores=scores)

    @classmethod
    def from_dataframe(
        cls,
        scores: pd.DataFrame,
        rounds: Mapping[str, Sequence[str]] | Sequence[Round] | None = None,
        *,
        name: str = "scenario",
        description: str = "",
        lower_is_better: Sequence[str] = (),
        normalization: str = "none",
        missing: str = "error",
        ties: str = "coin",
        models: pd.DataFrame | None = None,
        iterations: int = 100_000,
        seed: int = 0,
        elimination: Sequence[Any] = DEFAULT_ELIMINATION,
        tie_break: str = "random",
        bye_points: float = 0.0,
        probabilistic_wins: bool = False,
        score_errors: pd.DataFrame | None = None,
        item_counts: Mapping[str, int] | None = None,
    ) -> Scenario:
        """Build and validate a scenario from a wide DataFrame.

        Parameters
        ----------
        scores
            One row per model, one column per benchmark; model names either in a ``model`` column
            or in the index.
        rounds
            ``{round name: [benchmarks]}`` in playing order, or a sequence of :class:`Round`;
            ``None`` makes every column a round, in column order.
        score_errors
            Optional standard errors of the scores, laid out like ``scores`` (see
            ``docs/scenario-format.md``).
        item_counts
            Optional ``{benchmark: number of items}``: binomial standard errors for accuracies
            (fill in where ``score_errors`` gives none).
        Other parameters mirror the keys of the scenario file (``docs/scenario-format.md``).
        """
        source = "scores DataFrame"
        api = "Scenario.from_dataframe"
        _check_frame(scores, api, "scores")
        rounds = _check_rounds_argument(rounds, api)
        if not isinstance(description, str):
            raise InputError(api, "description", "a string", description)
        if isinstance(lower_is_better, str) or not isinstance(lower_is_better, Sequence):
            raise InputError(api, "lower_is_better", "a list of benchmark names", lower_is_better)
        if is_integer(elimination) or isinstance(elimination, str):
            elimination = [elimination]
        if not isinstance(elimination, Sequence):
            raise InputError(api, "elimination", "a list of schedules", elimination)
        if models is not None:
            _check_frame(models, api, "models")
            if "model" not in models.columns and models.index.name != "model":
                raise InputError(api, "models", "a DataFrame with a 'model' column (or index) "
                                 "and family / display_name columns",
                                 found_text=f"columns {list(models.columns)[:6]}")
        if score_errors is not None:
            _check_frame(score_errors, api, "score_errors")
        if item_counts is not None and not isinstance(item_counts, Mapping):
            raise InputError(api, "item_counts", "a mapping of benchmark to number of items",
                             item_counts)
        if scores.columns.has_duplicates:
            repeated = sorted({str(c) for c in scores.columns[scores.columns.duplicated()]})
            raise InputError(api, "scores", "distinct column names",
                             found_text=f"repeated column(s) {repeated}")
        frame = scores.copy()
        if "model" in frame.columns:
            frame = frame.set_index("model")
        frame.index = frame.index.map(str)
        frame.columns = frame.columns.map(str)
        frame = numeric_frame(frame.astype(object), source)
        round_tables = _round_tables(rounds)
        settings = {"lower_is_better": list(lower_is_better), "normalization": normalization,
                    "missing": missing, "ties": ties}
        simulation = {"iterations": iterations, "seed": seed, "elimination": list(elimination),
                      "tie_break": tie_break, "bye_points": bye_points,
                      "probabilistic_wins": probabilistic_wins}
        model_table = models_from_frame(models, source) if models is not None else {}
        errors = None
        if score_errors is not None:
            errors = score_errors.copy()
            if "model" in errors.columns:
                errors = errors.set_index("model")
            errors.index = errors.index.map(str)
            errors.columns = errors.columns.map(str)
            errors = numeric_frame(errors.astype(object), "score_errors DataFrame")
            errors.attrs["source"] = "score_errors DataFrame"
        try:
            return _build(name, description, frame, round_tables, settings, simulation,
                          model_table, source, path=None, errors=errors, item_counts=item_counts)
        except InputError as error:
            raise _as_argument(error, source, api) from None

    @classmethod
    def from_long(
        cls,
        table: pd.DataFrame,
        rounds: Mapping[str, Sequence[str]] | Sequence[Round] | None = None,
        *,
        model: str = "model",
        benchmark: str = "benchmark",
        score: str = "score",
        stderr: str | None = None,
        n: str | None = None,
        **options: Any,
    ) -> Scenario:
        """Build and validate a scenario from a long table, one row per (model, benchmark).

        Parameters
        ----------
        table
            Columns ``model``, ``benchmark`` and ``score`` (names settable), optionally
            ``stderr`` (standard errors, become ``score_errors``) and ``n`` (item counts: where
            every row of a benchmark gives the same count it becomes ``item_counts``). Models and
            benchmarks keep their order of first appearance; a missing row or an empty score is a
            missing score (``missing`` chooses the policy, ``docs/scenario-format.md``).
        rounds
            As in :meth:`from_dataframe`; ``None`` makes every benchmark a round.
        options
            Any keyword of :meth:`from_dataframe` except ``score_errors`` and ``item_counts``.
        """
        wide = pivot_long(table, "long table", model=model, benchmark=benchmark, score=score,
                          stderr=stderr, n=n)
        return cls.from_dataframe(wide.scores, rounds, score_errors=wide.errors,
                                  item_counts=wide.item_counts or None, **options)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (TOML) and the score file it names."""
    if not isinstance(path, (str, Path)) or not str(path):
        raise InputError("load_scenario", "path", "the path of a scenario file (str or Path)",
                         path)
    path = Path(path)
    source = str(path)
    digests: list[tuple[str, str]] = []   # (file, SHA-256 of the bytes read), for manifests
    document = read_toml(path, digests)
    _check_keys(document, _TOP_KEYS, source, "")
    name = document.get("name", path.stem)
    description = document.get("description", "")
    if not isinstance(description, str):
        raise InputError(source, "description", "a string", description)
    if "scores" not in document:
        raise InputError(source, "scores", "the path of the scores CSV (relative to this file)",
                         found_text="no such key")
    scores_path = relative_file(document["scores"], path, source, "scores")
    frame = read_scores_csv(scores_path, digests)
    errors = None
    if "score_errors" in document:
        errors_path = relative_file(document["score_errors"], path, source, "score_errors")
        errors = read_scores_csv(errors_path, digests)
        errors.attrs["source"] = str(errors_path)
    model_table: dict[str, dict[str, str]] = {}
    if "models_file" in document:
        models_path = relative_file(document["models_file"], path, source, "models_file")
        model_table.update(read_models_csv(models_path, digests))
    inline_models = document.get("models", {})
    if not isinstance(inline_models, dict):
        raise InputError(source, "models", 'tables such as [models."name"]', inline_models)
    for model, info in inline_models.items():
        if not isinstance(info, dict):
            raise InputError(source, f'models."{model}"', "a table with family / display_name",
                             info)
        _check_keys(info, MODEL_KEYS, source, f'models."{model}"')
        for key, value in info.items():
            if not isinstance(value, str):
                raise InputError(source, f'models."{model}".{key}', "a string", value)
        model_table.setdefault(model, {}).update(info)
    scoring = document.get("scoring", {})
    if not isinstance(scoring, dict):
        raise InputError(source, "scoring", "a table [scoring]", scoring)
    _check_keys(scoring, _SCORING_KEYS, source, "[scoring]")
    simulation = document.get("simulation", {})
    if not isinstance(simulation, dict):
        raise InputError(source, "simulation", "a table [simulation]", simulation)
    _check_keys(simulation, _SIMULATION_KEYS, source, "[simulation]")
    round_tables = document.get("rounds")
    if round_tables is not None:
        if not isinstance(round_tables, list) or not all(isinstance(r, dict) for r in round_tables):
            raise InputError(source, "rounds", "[[rounds]] tables", round_tables)
        for i, table in enumerate(round_tables):
            _check_keys(table, _ROUND_KEYS, source, f"[[rounds]] #{i + 1}")
    scenario = _build(name, description, frame, round_tables, scoring, simulation, model_table,
                      source, path=path, errors=errors, item_counts=document.get("item_counts"))
    return replace(scenario, sources=tuple(digests))


# ----------------------------------------------------------------------------- API checks


def check_scenario(value: Any, source: str, field: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`Scenario`, else an :class:`InputError` naming ``field``."""
    if not isinstance(value, Scenario):
        raise InputError(source, field, "a swisssim Scenario (load_scenario or "
                         "Scenario.from_dataframe)", found_text=_type_name(value))
    return value


def _type_name(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}" if len(text) > 60 else text


def _check_frame(value: Any, source: str, field: str) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InputError(source, field, "a pandas DataFrame", found_text=_type_name(value))
    if value.columns.nlevels != 1 or value.index.nlevels != 1:
        raise InputError(source, field, "a DataFrame with one level of columns and index",
                         found_text="a MultiIndex")


def _check_rounds_argument(rounds: Any, source: str) -> Any:
    """``rounds`` of :meth:`Scenario.from_dataframe`: None, a mapping of name to benchmark
    lists, or a sequence of :class:`Round`."""
    expected = "None, {round name: [benchmarks]} or a list of Round"
    if rounds is None:
        return None
    if isinstance(rounds, Mapping):
        for name, benchmarks in rounds.items():
            if not isinstance(name, str) or isinstance(benchmarks, str) or not isinstance(
                    benchmarks, Sequence) or not all(isinstance(b, str) for b in benchmarks):
                raise InputError(source, f"rounds[{name!r}]", "a list of benchmark names",
                                 benchmarks)
        return rounds
    if isinstance(rounds, str) or not isinstance(rounds, Sequence) or not all(
            isinstance(r, Round) for r in rounds):
        raise InputError(source, "rounds", expected, found_text=_type_name(rounds))
    return rounds


def _as_argument(error: InputError, source: str, api: str) -> InputError:
    """An error of a scenario file's key re-named as the Python argument of ``api``."""
    if error.source != source:
        return error
    field = re.sub(r"^\[(simulation|scoring)\]\.", "", error.field)
    field = re.sub(r"^\[\[rounds\]\](\.| #\d+\.?)", "rounds ", field).strip()
    return InputError(api, field, error.expected, error.found, found_text=error.found_text)


# ----------------------------------------------------------------------------- building


def _build(name: Any, description: str, frame: pd.DataFrame, round_tables: list[dict] | None,
           scoring_table: Mapping[str, Any], simulation_table: Mapping[str, Any],
           model_table: Mapping[str, Mapping[str, str]], source: str, path: Path | None,
           errors: pd.DataFrame | None = None,
           item_counts: Mapping[str, Any] | None = None) -> Scenario:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(source, "name", "a short name of letters, digits, '.', '_' or '-'", name)
    if frame.shape[1] == 0:
        raise InputError(source, "scores", "at least one benchmark column", found_text="none")
    rounds = _parse_rounds(round_tables, list(frame.columns), source)
    if errors is not None:
        errors = check_score_errors(errors, frame)
    if item_counts is not None:
        counts = check_item_counts(item_counts, frame, source)
        errors = binomial_errors(frame, counts, errors, source)
    scoring = _parse_scoring(scoring_table, list(frame.columns), source)
    used = [b for r in rounds for b in r.benchmarks]
    frame, dropped = _apply_missing_policy(frame, used, scoring.missing, source)
    if frame.shape[0] < 2:
        raise InputError(source, "scores", "at least 2 models", frame.shape[0])
    unknown = sorted(set(model_table) - set(frame.index) - set(dropped))
    if unknown:
        raise InputError(source, "models", "metadata only for models of the scores file",
                         found_text=f"unknown model(s) {unknown[:5]}")
    models = pd.DataFrame(
        {"family": [model_table.get(m, {}).get("family", "") for m in frame.index],
         "display_name": [model_table.get(m, {}).get("display_name", "") or m
                          for m in frame.index]},
        index=frame.index)
    simulation = _parse_simulation(simulation_table, len(rounds), source)
    if errors is not None:
        errors = errors.loc[frame.index]
    return Scenario(name=name, scores=frame, rounds=rounds, scoring=scoring,
                    simulation=simulation, models=models, description=description, path=path,
                    dropped_models=tuple(dropped), score_errors=errors)


def _parse_rounds(tables: list[dict] | None, benchmarks: list[str], source: str) -> tuple[Round, ...]:
    if tables is None:
        return tuple(Round(name=b, benchmarks=(b,)) for b in benchmarks)
    if len(tables) == 0:
        raise InputError(source, "rounds", "at least one [[rounds]] table", found_text="none")
    rounds = []
    seen: dict[str, str] = {}
    for i, table in enumerate(tables):
        where = f"[[rounds]] #{i + 1}"
        names = table.get("benchmarks")
        if not isinstance(names, list) or not all(isinstance(b, str) for b in names):
            raise InputError(source, f"{where}.benchmarks", "a list of benchmark names", names)
        if len(names) == 0:
            raise InputError(source, f"{where}.benchmarks", "at least one benchmark",
                             found_text="an empty list")
        round_name = table.get("name", ", ".join(names))
        if not isinstance(round_name, str) or not round_name:
            raise InputError(source, f"{where}.name", "a non-empty string", round_name)
        for bench in names:
            if bench not in benchmarks:
                raise InputError(source, f"{where}.benchmarks",
                                 f"benchmarks of the scores file ({_preview(benchmarks)})", bench)
            if bench in seen:
                raise InputError(source, f"{where}.benchmarks",
                                 "each benchmark in at most one round",
                                 found_text=f"{bench!r}, already in round {seen[bench]!r}")
            seen[bench] = round_name
        rounds.append(Round(name=round_name, benchmarks=tuple(names)))
    round_names = [r.name for r in rounds]
    repeated = sorted(n for n, c in Counter(round_names).items() if c > 1)
    if repeated:
        raise InputError(source, "[[rounds]].name", "distinct round names",
                         found_text=f"{repeated} repeated")
    return tuple(rounds)


def _parse_scoring(table: Mapping[str, Any], benchmarks: list[str], source: str) -> Scoring:
    lower = table.get("lower_is_better", [])
    if not isinstance(lower, list) or not all(isinstance(b, str) for b in lower):
        raise InputError(source, "[scoring].lower_is_better", "a list of benchmark names", lower)
    for bench in lower:
        if bench not in benchmarks:
            raise InputError(source, "[scoring].lower_is_better",
                             f"benchmarks of the scores file ({_preview(benchmarks)})", bench)
    return Scoring(
        lower_is_better=tuple(lower),
        normalization=choice(table.get("normalization", "none"), NORMALIZATIONS, source,
                              "[scoring].normalization"),
        missing=choice(table.get("missing", "error"), MISSING_POLICIES, source,
                        "[scoring].missing"),
        ties=choice(table.get("ties", "coin"), TIE_RULES, source, "[scoring].ties"),
    )


def _parse_simulation(table: Mapping[str, Any], n_rounds: int, source: str) -> SimulationSettings:
    return SimulationSettings(
        iterations=check_iterations(table.get("iterations", 100_000), source,
                                    "[simulation].iterations"),
        seed=check_seed(table.get("seed", 0), source, "[simulation].seed"),
        elimination=parse_schedules(table.get("elimination", list(DEFAULT_ELIMINATION)),
                                    n_rounds, source, "[simulation].elimination"),
        tie_break=choice(table.get("tie_break", "random"), TIE_BREAKS, source,
                          "[simulation].tie_break"),
        bye_points=check_bye_points(table.get("bye_points", 0.0), source,
                                    "[simulation].bye_points"),
        probabilistic_wins=flag(table.get("probabilistic_wins", False), source,
                                 "[simulation].probabilistic_wins"),
    )


def check_bye_points(value: Any, source: str, field: str) -> float:
    """Points for a bye: 0, 0.5 or 1."""
    if not is_number(value) or float(value) not in BYE_POINTS:
        raise InputError(source, field, "0, 0.5 or 1", value)
    return float(value)


def _apply_missing_policy(frame: pd.DataFrame, used: list[str], policy: str,
                          source: str) -> tuple[pd.DataFrame, list[str]]:
    missing = frame[used].isna()
    if not missing.to_numpy().any():
        return frame, []
    if policy == "error":
        model, bench = next((m, b) for m in frame.index for b in used if missing.at[m, b])
        count = int(missing.to_numpy().sum())
        raise InputError(source, f"score of model {model!r} on benchmark {bench!r}",
                         "a number ([scoring].missing = 'error'; choose 'lose', 'skip' or 'drop' "
                         "to allow missing scores)",
                         found_text=f"an empty cell ({count} missing in all)")
    if policy == "drop":
        dropped = [m for m in frame.index if missing.loc[m].any()]
        return frame.drop(index=dropped), dropped
    return frame, []


def _round_tables(rounds: Mapping[str, Sequence[str]] | Sequence[Round] | None) -> list[dict] | None:
    if rounds is None:
        return None
    if isinstance(rounds, Mapping):
        return [{"name": k, "benchmarks": list(v)} for k, v in rounds.items()]
    return [{"name": r.name, "benchmarks": list(r.benchmarks)} for r in rounds]


def _check_keys(table: Mapping[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        field = f"{where}.{unknown[0]}" if where else unknown[0]
        raise InputError(source, field, "one of the keys " + ", ".join(sorted(allowed)),
                         found_text=f"unknown key {unknown[0]!r}")
