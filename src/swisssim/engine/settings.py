"""One settings object for every analysis: how many tournaments, which seed, which schedules.

Every analysis (:func:`~swisssim.engine.simulation.simulate`, :func:`~swisssim.analysis.sweep.sweep`,
:func:`~swisssim.analysis.compare.compare`, :func:`~swisssim.analysis.orders.evaluate_orders`,
:func:`~swisssim.analysis.bootstrap.bootstrap`, :func:`~swisssim.analysis.perturb.perturb`,
:func:`~swisssim.report.model.build_report`) takes a :class:`Settings` as its second argument and,
for convenience, the same fields as keyword overrides::

    settings = Settings(iterations=20_000, seed=1)
    simulate(scenario, settings)
    simulate(scenario, settings, elimination=(0, 2))   # = settings.replace(elimination=(0, 2))
    simulate(scenario, iterations=20_000, seed=1)      # no Settings object at all

A field left at ``None`` means "the scenario's ``[simulation]`` setting", or the analysis's own
default where it has one (a sweep plays T = 0, 1, 2; order sensitivity 10,000 iterations at
T = 0). Results never depend on ``threads``, ``progress`` or ``backend``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from swisssim.data.scenario import TIE_BREAKS, Scenario
from swisssim.data.schedules import Schedule, parse_schedules
from swisssim.defaults import BACKENDS
from swisssim.errors import InputError
from swisssim.validation import (
    check_dask_address,
    check_iterations,
    check_seed,
    choice,
    flag,
    integer,
    is_integer,
)

#: A schedule as a user writes it: ``T``, ``"T"``, ``"p%"``, ``"0,1,1,2"``, a per-round list,
#: or a parsed :class:`~swisssim.data.schedules.Schedule`.
ScheduleSpec = int | str | Sequence[int] | Schedule

SOURCE = "Settings"


class SettingsFields(TypedDict, total=False):
    """The keyword overrides every analysis accepts (the fields of :class:`Settings`)."""

    iterations: int
    seed: int
    elimination: Sequence[ScheduleSpec]
    tie_break: str
    probabilistic_wins: bool
    threads: int
    progress: bool
    dask: str
    client: Any
    backend: str


def resolve_threads(threads: Any, source: str = SOURCE, field: str = "threads") -> int:
    """A thread count from 1 to numba's pool size (``NUMBA_NUM_THREADS``); ``None`` = all."""
    import numba  # here, not with the module: reading settings needs no compiler

    available = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    if threads is None:
        return available
    return integer(threads, source, field, low=1, high=available,
                   expected=f"an integer from 1 to {available} (NUMBA_NUM_THREADS)")


def _schedule_specs(value: Any) -> tuple[ScheduleSpec, ...]:
    """Normalise ``elimination`` to a tuple of schedule specs (types checked, not yet parsed)."""
    if is_integer(value) or isinstance(value, (str, Schedule)):
        value = (value,)
    if not isinstance(value, Sequence) or len(value) == 0:
        raise InputError(SOURCE, "elimination", "one or more schedules (an integer T, a string "
                         "such as '10%' or '0,1,2', or a per-round list of integers)", value)
    specs: list[ScheduleSpec] = []
    for item in value:
        if is_integer(item):
            specs.append(int(item))
        elif isinstance(item, (str, Schedule)):
            specs.append(item)
        elif isinstance(item, Sequence) and all(is_integer(q) for q in item):
            specs.append(tuple(int(q) for q in item))
        else:
            raise InputError(SOURCE, "elimination", "schedules: integers, strings such as '10%' "
                             "or '0,1,2', or per-round lists of integers", item)
    return tuple(specs)


def _check_client(client: Any) -> Any:
    """A ``dask.distributed.Client`` (the extra must be installed to have one)."""
    try:
        from distributed import Client
    except ImportError:
        client_type: type | None = None
    else:
        client_type = Client
    if client_type is None or not isinstance(client, client_type):
        raise InputError(SOURCE, "client", "a dask.distributed.Client (extra "
                         "swisssim[distributed])", found_text=type(client).__name__)
    return client


@dataclass(frozen=True)
class Settings:
    """Monte Carlo settings shared by every analysis (``None`` = the scenario's or the default).

    Attributes
    ----------
    iterations
        Monte Carlo tournaments per schedule (the paper uses 100,000).
    seed
        The one seed every random stream derives from (``docs/method.md`` section 4).
    elimination
        Elimination schedules: each ``T`` (every round), a per-round list, or ``"p%"`` of the
        active models (``docs/method.md`` section 3).
    tie_break
        Who is eliminated among models tied at the cut: ``"random"`` or ``"index"`` (earliest
        listed model first).
    probabilistic_wins
        Decide matches by sampling from the score errors' win probability.
    threads
        Worker threads (default: all of numba's); results are identical for any value.
    progress
        Show tqdm progress bars on stderr.
    dask
        Run on a Dask cluster: a scheduler address (``tcp://host:8786``) or ``local:N`` (a
        LocalCluster of N worker processes, started for each analysis and closed after it).
        Needs the extra ``swisssim[distributed]``. Results are bit-identical to a local run
        (:mod:`swisssim.engine.distributed`).
    client
        A connected ``dask.distributed.Client`` to run on (it wins over ``dask`` and is not
        closed). Not part of equality or hashing: it changes where the work runs, never the
        result.
    backend
        Where tournaments are played: ``"cpu"`` (numba threads) or ``"cuda"`` (a GPU through
        numba-cuda, the ``cuda`` extra); results are identical for either
        (:mod:`swisssim.engine.backends`). Whether a GPU is usable is checked when an analysis
        starts, not here; ``"cuda"`` together with ``dask`` or ``client`` is refused (Dask
        workers play on their CPUs).

    Raises
    ------
    InputError
        Naming the field (``Settings: iterations: expected ...``) when a value is invalid.
    """

    iterations: int | None = None
    seed: int | None = None
    elimination: tuple[ScheduleSpec, ...] | None = None
    tie_break: str | None = None
    probabilistic_wins: bool | None = None
    threads: int | None = None
    progress: bool = False
    dask: str | None = None
    client: Any = field(default=None, compare=False, repr=False)
    backend: str = "cpu"

    def __post_init__(self) -> None:
        checked = {
            "iterations": None if self.iterations is None
            else check_iterations(self.iterations, SOURCE, "iterations"),
            "seed": None if self.seed is None else check_seed(self.seed, SOURCE, "seed"),
            "elimination": None if self.elimination is None
            else _schedule_specs(self.elimination),
            "tie_break": None if self.tie_break is None
            else choice(self.tie_break, TIE_BREAKS, SOURCE, "tie_break"),
            "probabilistic_wins": None if self.probabilistic_wins is None
            else flag(self.probabilistic_wins, SOURCE, "probabilistic_wins"),
            "threads": None if self.threads is None else resolve_threads(self.threads),
            "progress": flag(self.progress, SOURCE, "progress"),
            "dask": None if self.dask is None else check_dask_address(self.dask, SOURCE, "dask"),
            "client": None if self.client is None else _check_client(self.client),
            "backend": choice(self.backend, BACKENDS, SOURCE, "backend"),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        self._check_backend()

    def _check_backend(self) -> None:
        """Refuse a backend that contradicts the Dask settings: Dask workers play on their CPUs
        (``engine/distributed.py``), so a GPU backend together with a cluster would play nothing
        on the GPU."""
        cluster = ("dask " + repr(self.dask) if self.dask is not None
                   else "a Dask client" if self.client is not None else None)
        if self.backend != "cpu" and cluster is not None:
            raise InputError(SOURCE, "backend", "backend 'cpu' on a Dask cluster (its workers "
                             "play on their CPUs; choose the cluster or the GPU)",
                             found_text=f"backend {self.backend!r} with {cluster}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated like the constructor)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise InputError(SOURCE, unknown[0], "one of the settings " + ", ".join(
                f.name for f in dataclasses.fields(self)), found_text=f"unknown {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def of(cls, settings: Settings | None, overrides: Mapping[str, Any]) -> Settings:
        """``settings`` (default: all ``None``) with the keyword ``overrides`` applied.

        Overrides given as ``None`` leave the field as it is, so that callers may pass optional
        arguments through unchanged.
        """
        if settings is not None and not isinstance(settings, Settings):
            raise InputError(SOURCE, "settings", "a swisssim.Settings (or keyword arguments)",
                             settings)
        base = settings if settings is not None else cls()
        changes = {k: v for k, v in overrides.items() if v is not None}
        return base.replace(**changes) if changes else base

    def defaults(self, **fallbacks: Any) -> Settings:
        """Fill fields that are ``None`` with an analysis's own defaults (``fallbacks``)."""
        changes = {k: v for k, v in fallbacks.items() if getattr(self, k) is None}
        return self.replace(**changes) if changes else self

    # -- resolved against a scenario ----------------------------------------------------------

    def resolved_iterations(self, scenario: Scenario) -> int:
        return self.iterations if self.iterations is not None else scenario.simulation.iterations

    def resolved_seed(self, scenario: Scenario) -> int:
        return self.seed if self.seed is not None else scenario.simulation.seed

    def resolved_tie_break(self, scenario: Scenario) -> str:
        return self.tie_break if self.tie_break is not None else scenario.simulation.tie_break

    def resolved_probabilistic_wins(self, scenario: Scenario) -> bool:
        return (self.probabilistic_wins if self.probabilistic_wins is not None
                else scenario.simulation.probabilistic_wins)

    def resolved_threads(self) -> int:
        return resolve_threads(self.threads)

    def schedules(self, scenario: Scenario) -> tuple[Schedule, ...]:
        """The schedules parsed for the scenario's round count (default: the scenario's, else
        T = 0, 1, 2)."""
        if self.elimination is None:
            return scenario.simulation.elimination or parse_schedules(
                [0, 1, 2], scenario.n_rounds, SOURCE, "elimination")
        if all(isinstance(e, Schedule) for e in self.elimination):
            for schedule in self.elimination:
                assert isinstance(schedule, Schedule)
                if schedule.n_rounds != scenario.n_rounds:
                    raise InputError(SOURCE, "elimination", f"schedules for {scenario.n_rounds} "
                                     "rounds", found_text=f"{schedule.label!r} for "
                                     f"{schedule.n_rounds}")
            return tuple(self.elimination)  # type: ignore[arg-type]
        specs = [e.label if isinstance(e, Schedule) else
                 ",".join(str(q) for q in e) if isinstance(e, tuple) else e
                 for e in self.elimination]
        return parse_schedules(specs, scenario.n_rounds, SOURCE, "elimination")


__all__ = ["BACKENDS", "ScheduleSpec", "Settings", "SettingsFields", "resolve_threads"]
