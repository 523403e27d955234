"""Options and steps shared by the simulation subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only light modules at the top: every parser is built from this module, and 'swisssim --help'
# must not load numpy, numba, pandas or matplotlib (benchmarks/bench_startup.py). The library
# is imported inside the functions that run a command.
from swisssim.defaults import BACKENDS, MISSING_POLICIES
from swisssim.errors import InputError
from swisssim.validation import check_iterations

if TYPE_CHECKING:
    from swisssim.data.scenario import Scenario
    from swisssim.engine.settings import Settings


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario file (TOML), see docs/scenario-format.md, the "
                                         "name of a shipped scenario ('swisssim scenarios'), or a "
                                         "wide table (.csv, .parquet: a model column, then one "
                                         "column per benchmark, each its own round)")
    table = parser.add_argument_group("a wide table as SCENARIO")
    table.add_argument("--lower-is-better", nargs="+", default=[], metavar="BENCHMARK",
                       help="table columns whose metric is better when smaller")
    table.add_argument("--missing", choices=MISSING_POLICIES,
                       help="missing-score policy for the table (default: error when nothing is "
                            "missing, else drop or skip as 'swisssim import' suggests)")


def add_simulation_options(parser: argparse.ArgumentParser, *, elimination_help: str) -> None:
    parser.add_argument("--iterations", "-n", type=int, metavar="N",
                        help="Monte Carlo iterations (default: the scenario's, else 100000)")
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's, else 0)")
    parser.add_argument("--elimination", "-T", nargs="+", metavar="SCHEDULE",
                        help=elimination_help)
    parser.add_argument("--tie-break", choices=("random", "index"),
                        help="who is eliminated among tied models at the cut (default: random; "
                             "'index' = earliest listed model first, like the reference script)")
    parser.add_argument("--threads", type=int, help="worker threads (results do not depend on it)")
    add_backend_option(parser)
    add_output_options(parser)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_dask_option(parser)


#: The folder that default output folders go into (never ``results/``, which holds the
#: repository's committed reports).
DEFAULT_BASE = "swisssim-results"


def add_output_options(parser: argparse.ArgumentParser, *,
                       default: str = f"{DEFAULT_BASE}/<scenario file stem>/<command>/") -> None:
    """``--out DIR`` and ``--replace``, the same for every writing command."""
    parser.add_argument("--out", "-o", metavar="DIR", help=f"output folder (default: {default}); "
                        "a folder this command wrote before is replaced whole")
    add_replace_option(parser)


def add_replace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replace", action="store_true",
                        help="replace the output folder even if another swisssim command wrote "
                             "it (folders of other files are never replaced)")


def add_dask_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run the simulations on a Dask cluster: a scheduler address "
                             "(tcp://host:8786) or local:N (N local worker processes for this "
                             "command); results are bit-identical to a local run; needs the "
                             "extra swisssim[distributed]")


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=BACKENDS, default="cpu",
                        help="where tournaments are played: cpu (default) or cuda (a GPU; needs "
                             "the swisssim[cuda] extra); results are identical")


def load(args: argparse.Namespace) -> Scenario:
    """The scenario the SCENARIO argument names: a TOML file, a shipped scenario, or a wide table
    (:mod:`swisssim.data.importers.wide`; its notes go to stderr)."""
    from swisssim.data import examples
    from swisssim.data.importers.wide import is_table, scenario_from_table
    from swisssim.data.scenario import load_scenario

    lower = getattr(args, "lower_is_better", []) or []
    missing = getattr(args, "missing", None)
    if is_table(args.scenario):
        scenario, notes = scenario_from_table(args.scenario, lower_is_better=lower,
                                              missing=missing)
        for line in notes:
            print(f"swisssim: table: {line}", file=sys.stderr)
        return scenario
    for flag, value in (("--lower-is-better", lower), ("--missing", missing)):
        if value:
            raise InputError(flag, "", "a wide table (.csv, .parquet) as SCENARIO; a scenario "
                             "file sets it in [scoring]", found_text=str(args.scenario))
    return load_scenario(examples.resolve(args.scenario))


#: The command-line flag of each :class:`~swisssim.engine.settings.Settings` field.
SETTINGS_FLAGS = {"iterations": "--iterations", "seed": "--seed", "elimination": "--elimination",
                  "tie_break": "--tie-break", "threads": "--threads",
                  "probabilistic_wins": "--probabilistic-wins", "dask": "--dask",
                  "backend": "--backend"}


@contextmanager
def flag_names(source: str = "Settings",
               flags: dict[str, str] | None = None) -> Iterator[None]:
    """Report the library's argument errors under the command line's flag names.

    Validation lives in the library (:mod:`swisssim.validation`, :class:`Settings`) and names
    Python arguments (``Settings: iterations: ...``); inside this context such an error is
    re-raised naming the flag instead (``--iterations: ...``).
    """
    flags = SETTINGS_FLAGS if flags is None else flags
    try:
        yield
    except InputError as error:
        if error.source == source:
            for name, flag in flags.items():
                if error.field == name or error.field.startswith(name + "["):
                    raise error.renamed(flag, error.field[len(name):]) from None
        raise


def settings_from_args(args: argparse.Namespace, scenario: Scenario, **defaults: Any) -> Settings:
    """The :class:`Settings` of the simulation flags, validated (schedules parsed for the
    scenario) before anything runs; ``defaults`` fill flags that were not given.

    With ``--dask ADDRESS`` the cluster is connected (checked: reachable, workers running this
    swisssim) here, once per command, and its client goes into the settings; it is closed when
    the command ends (``args.resources``, an ``ExitStack`` the application closes).
    """
    from swisssim.engine.backends import require_backend
    from swisssim.engine.settings import Settings
    from swisssim.engine.simulation import check_engine_iterations, estimated_seconds
    from swisssim.io.manifests import SETTINGS_SOURCES

    SETTINGS_SOURCES.set(settings_sources(args, scenario, defaults))
    with flag_names():
        settings = Settings(
            iterations=args.iterations, seed=args.seed, elimination=args.elimination,
            tie_break=args.tie_break, threads=args.threads,
            probabilistic_wins=True if getattr(args, "probabilistic_wins", False) else None,
            progress=not args.no_progress, dask=getattr(args, "dask", None),
            backend=getattr(args, "backend", "cpu")).defaults(**defaults)
        schedules = settings.schedules(scenario)
        threads = settings.resolved_threads()
        require_backend(settings.backend)
    if args.iterations is not None:
        check_engine_iterations(args.iterations, scenario, "--iterations", "")
    iterations = settings.resolved_iterations(scenario)
    if iterations is not None:
        note_long_run(estimated_seconds(scenario.n_models, scenario.n_rounds, len(schedules),
                                        iterations, threads), iterations, len(schedules))
    if settings.dask is not None and settings.client is None:
        from swisssim.engine.distributed import connect

        with flag_names():
            client = args.resources.enter_context(connect(settings.dask))
        settings = settings.replace(client=client)
    return settings


#: The simulation settings a scenario's ``[simulation]`` table and the flags both set.
RESOLVED = (("iterations", "--iterations"), ("seed", "--seed"), ("elimination", "--elimination"),
            ("tie_break", "--tie-break"), ("probabilistic_wins", "--probabilistic-wins"))


def settings_sources(args: argparse.Namespace, scenario: Scenario,
                     defaults: dict[str, Any]) -> dict[str, str]:
    """Where each setting comes from, in the one order every command uses: a flag, else the
    command's own default where it has one (``orders``: iterations per order, T = 0), else the
    scenario's ``[simulation]`` table, else the library's default."""
    table = scenario_simulation_table(scenario)
    sources = {}
    for name, flag in RESOLVED:
        given = getattr(args, name, None)
        if given is not None and given is not False:
            sources[name] = flag
        elif name in defaults:
            sources[name] = f"default of 'swisssim {args.command}'"
        elif name in table:
            sources[name] = "scenario [simulation]"
        else:
            sources[name] = "default"
    return sources


def scenario_simulation_table(scenario: Scenario) -> dict[str, Any]:
    """The ``[simulation]`` table as written in the scenario file (empty if none or no file)."""
    import tomllib

    if scenario.path is None:
        return {}
    try:
        document = tomllib.loads(Path(scenario.path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    table = document.get("simulation", {})
    return table if isinstance(table, dict) else {}


def where(result: Any) -> str:
    """Where a result was computed, for the closing line: threads, or the Dask cluster."""
    cluster = getattr(result, "cluster", None)
    if cluster is None:
        return f"on {result.threads} thread(s)"
    return (f"on the Dask cluster {cluster.scheduler} ({cluster.workers} workers, "
            f"{cluster.threads} threads, {cluster.tasks} tasks)")


#: Runs estimated to take longer than this many seconds are announced on stderr.
LONG_RUN_SECONDS = 600.0


def note_long_run(seconds: float, iterations: int, n_schedules: int, what: str = "") -> None:
    """Print a one-line estimate on stderr before a simulation that may take long; ``what``
    names repeated simulations (``"200 bootstrap replicates x "``)."""
    if seconds < LONG_RUN_SECONDS:
        return
    units = (("years", 365.25 * 86_400.0), ("days", 86_400.0), ("hours", 3_600.0),
             ("minutes", 60.0))
    for unit, size in units:  # noqa: B007  (unit is read after the loop)
        if seconds >= size:
            break
    print(f"swisssim: note: {what}{iterations:,} iterations x {n_schedules} schedule(s) may take "
          f"about {seconds / size:.1f} {unit}; Ctrl-C stops the run (nothing is written)",
          file=sys.stderr, flush=True)


def check_repeated(scenario: Scenario, settings: Settings, count: int, iterations: int | None,
                   kind: str, flag: str, n_schedules: int | None = None) -> None:
    """Before anything runs: refuse ``count`` bootstrap replicates or round orders (``kind``:
    ``"bootstrap"`` or ``"orders"``) whose arrays would not fit in memory, and announce them
    when their estimated time (``count`` simulations of ``iterations``) is long.
    ``n_schedules`` defaults to the settings' schedules."""
    if n_schedules is None:
        n_schedules = len(settings.schedules(scenario))
    m, k = scenario.n_models, scenario.n_rounds
    if kind == "bootstrap":
        from swisssim.analysis.bootstrap import check_bootstrap_request

        check_bootstrap_request(count, n_schedules, m, k, flag, "")
        noun = "bootstrap replicates"
    else:
        from swisssim.analysis.orders import check_orders_request

        count = check_orders_request(count, n_schedules, m, k, flag, "")
        noun = "round orders"
    if iterations is not None:
        from swisssim.engine.simulation import estimated_seconds

        seconds = count * estimated_seconds(m, k, n_schedules, iterations,
                                            settings.resolved_threads())
        note_long_run(seconds, iterations, n_schedules, f"{count:,} {noun} x ")


def default_folder(scenario: Scenario, command: str) -> Path:
    """``swisssim-results/<scenario file stem>/<command>/``: one folder per scenario file and
    command, so that no two commands (and no two copies of a TOML under other names) share a
    default folder, and none is the repository's committed ``results/``."""
    stem = Path(scenario.path).stem if scenario.path is not None else scenario.name
    return Path(DEFAULT_BASE) / stem / command


def output_folder(args: argparse.Namespace, scenario: Scenario) -> Path:
    """``--out``, else :func:`default_folder`, checked before any work
    (:func:`swisssim.io.staging.check_output_folder`: writable, a name the file system holds, no
    input of the run inside, an existing folder only if this command wrote it, or with
    ``--replace`` if any swisssim command did).

    A default folder that holds the results of another scenario file of the same stem is
    refused too (copies of one TOML in two folders), naming that file and the way out.
    """
    from swisssim.io.manifests import scenario_files
    from swisssim.io.staging import check_output_folder

    command = str(args.command)
    if args.out is not None:
        out = Path(args.out)
    else:
        out = default_folder(scenario, command)
        _check_same_scenario(out, scenario, getattr(args, "replace", False))
    check_output_folder(out, scenario_files(scenario), command=command,
                        source="--out" if args.out is not None else str(out))
    return out


def _check_same_scenario(out: Path, scenario: Scenario, replace: bool) -> None:
    """Refuse a default folder written for another scenario file (see :func:`output_folder`)."""
    import json

    try:
        recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        path = recorded["scenario"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if replace or path is None or scenario.path is None:
        return
    if Path(path).resolve() != Path(scenario.path).resolve():
        raise InputError(str(out), "", "a default folder of this scenario file "
                         f"({scenario.path})", found_text=f"the results of {path}; write "
                         "elsewhere with --out DIR, or replace them with --replace")


def require_together(value: object, flag: str, needed: object, needed_flag: str) -> None:
    """Reject ``flag`` given without ``needed_flag`` (e.g. ``--bootstrap-iterations``)."""
    if value is not None and needed is None:
        raise InputError(flag, "", f"{needed_flag} as well",
                         found_text=f"no {needed_flag.split()[0]}")


def checked_bootstrap(args: argparse.Namespace) -> tuple[int | None, int | None]:
    """Validate ``--bootstrap B`` and ``--bootstrap-iterations N``; return ``(B, N)``."""
    from swisssim.analysis.bootstrap import check_replicates

    replicates = None
    if args.bootstrap is not None:
        replicates = check_replicates(args.bootstrap, "--bootstrap", "")
    require_together(args.bootstrap_iterations, "--bootstrap-iterations", args.bootstrap,
                     "--bootstrap B")
    iterations = None
    if args.bootstrap_iterations is not None:
        iterations = check_iterations(args.bootstrap_iterations, "--bootstrap-iterations", "")
    return replicates, iterations
