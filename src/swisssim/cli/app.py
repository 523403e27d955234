"""The ``swisssim`` command line: a thin layer over the Python API.

Each subcommand lives in its own module ``swisssim.cli.<name>`` (found automatically) and
provides ``add_parser(subparsers)`` and ``execute(args) -> int``. Bad input is reported as one line
on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import pkgutil
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)
from swisssim._version import __version__
from swisssim.errors import MAX_LINE, InputError, shorten

#: Exit codes: success, bad input or a file-system error, interrupted (SIGINT), terminated.
EXIT_OK, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 2, 130, 143

#: Subcommands listed first in ``--help``; any other public module of ``swisssim.cli``
#: follows in alphabetical order.
PREFERRED_ORDER = ("run", "sweep", "compare", "perturb", "orders", "report", "plot")


def command_names() -> list[str]:
    """Subcommand modules of ``swisssim.cli`` (public names other than ``app``), in help order."""
    import swisssim.cli as package

    found = [m.name for m in pkgutil.iter_modules(package.__path__)
             if not m.name.startswith("_") and m.name != "app"]
    return sorted(found, key=lambda n: (PREFERRED_ORDER.index(n) if n in PREFERRED_ORDER
                                        else len(PREFERRED_ORDER), n))


class UsageError(Exception):
    """A command line argparse could not parse."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the command ``only`` (each command module imports
    what it needs, so building one parser keeps a command's start-up lean)."""
    parser = _Parser(prog="swisssim", description=(
        "Competitive Swiss-System Dynamics (arXiv:2512.21010): rank competitors by Monte Carlo "
        "Swiss tournaments over ordered benchmarks."))
    parser.add_argument("--version", action="version", version=f"swisssim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in command_names():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"swisssim.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(execute=module.execute)
    return parser


#: Raised for SIGTERM (see :mod:`swisssim.interrupts`).
Terminated = interrupts.Terminated


@contextmanager
def signal_handlers() -> Iterator[None]:
    """SIGINT and SIGTERM are recorded and stop the command (:mod:`swisssim.interrupts`).

    The handler records the signal and raises ``KeyboardInterrupt`` (SIGINT) or
    :class:`Terminated` (SIGTERM); where Python swallows that exception (inside a ``__del__`` or
    weakref callback) the record makes the next safe point raise it again, and nothing is
    committed after it (:func:`swisssim.io.staging.commit`). The engine and the long analysis
    loops return to Python between chunks of well under a second, so either signal stops a
    command within about a second; staging folders are deleted on the way out
    (:mod:`swisssim.io.staging`). The previous handlers are restored afterwards (the command
    line may run inside a test or a notebook).
    """
    previous = interrupts.install()
    try:
        yield
    finally:
        interrupts.restore(previous)


def _interrupted(name: str) -> str:
    from swisssim.io.staging import COMMITTED

    if COMMITTED:
        return (f"swisssim: {name}; results written before it are complete in "
                + ", ".join(str(p) for p in COMMITTED))
    return f"swisssim: {name}; no results were written"


def _forget_settings_sources() -> None:
    """Each command records its own settings' sources (a test may run several in one process)."""
    manifests = sys.modules.get("swisssim.io.manifests")
    if manifests is not None:
        manifests.SETTINGS_SOURCES.set(None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0 success; 2 bad input or a file-system error (one line on stderr, nothing written);
    130 interrupted by SIGINT (Ctrl-C); 143 terminated by SIGTERM.
    """
    from swisssim.io.staging import COMMITTED

    arguments = list(sys.argv[1:] if argv is None else argv)
    COMMITTED.clear()
    _forget_settings_sources()
    try:
        with signal_handlers(), interrupts.raising():
            command = arguments[0] if arguments and arguments[0] in command_names() else None
            parser = build_parser(command)
            args = parser.parse_args(arguments)
            args.argv = arguments
            from swisssim.io.staging import replacing

            # args.resources: a Dask cluster of --dask, closed at the end
            with ExitStack() as args.resources, \
                    replacing(bool(getattr(args, "replace", False))):
                code = int(args.execute(args))
            interrupts.checkpoint()   # a signal swallowed after the last safe point counts
            return code
    except (KeyboardInterrupt, Terminated) as caught:
        return _signal_exit(interrupts.received() or (
            signal.SIGINT if isinstance(caught, KeyboardInterrupt) else signal.SIGTERM))
    except (UsageError, InputError, OSError) as error:
        if interrupts.received() is not None:   # a signal came first: it decides
            return _signal_exit(interrupts.received())
        print(_error_line(error), file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        # C code may turn the signal's exception into its own (numpy's extension, interrupted
        # while it imports, raises ImportError): once a signal is recorded, it decides
        if interrupts.received() is not None:
            return _signal_exit(interrupts.received())
        raise
    finally:
        interrupts.clear()


def _error_line(error: Exception) -> str:
    """The one line of a usage, input or file-system error, at most ``MAX_LINE`` characters."""
    if isinstance(error, UsageError):
        return shorten(f"{error}", MAX_LINE - 26) + "\n(see 'swisssim --help')"
    if isinstance(error, InputError):
        return shorten(f"swisssim: error: {error}")
    assert isinstance(error, OSError)
    return shorten(f"swisssim: error: {error.filename or ''}{': ' if error.filename else ''}"
                   f"{error.strerror or error}")


def _signal_exit(first: int | None) -> int:
    """Print the line of the first signal received and return its exit code."""
    if first == signal.SIGINT:
        print(shorten(_interrupted("interrupted (SIGINT)")), file=sys.stderr)
        return EXIT_INTERRUPTED
    print(shorten(_interrupted("terminated (SIGTERM)")), file=sys.stderr)
    return EXIT_TERMINATED


def entry() -> None:
    """The console script and ``python -m swisssim``: :func:`main`, then exit with its code.

    The recording signal handlers are installed first (:mod:`swisssim.interrupts`; before this
    module is imported, ``python -m swisssim`` and the console script install them in
    ``swisssim/__main__.py``), before any heavy import. Once :func:`main` has returned (or
    raised), SIGINT and SIGTERM are ignored (:func:`swisssim.interrupts.ignore`): the results
    are complete (or nothing was written), and the exit code stays what :func:`main` returned,
    so a signal during the interpreter's shut-down, which resets Python's handlers to the
    system's default action, cannot turn a finished command into -2 or -15. Then the process
    ends at once (:func:`_exit_now`) unless a thread that Python would wait for is still
    running (a Dask client's, say): every file is closed and every staging folder committed or
    removed by then, and the interpreter's ordinary teardown of numba, pandas and matplotlib
    takes about 0.4 s on a quiet machine (a second on a busy one). After SIGINT or SIGTERM it
    ends at once in any case, once its line is printed.
    """
    interrupts.install(keep_ignored=True)
    interrupts.record_only()
    try:
        code = main()
    finally:
        interrupts.ignore()
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED) or all(
            t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:
    """End the process with ``code`` without the interpreter's teardown: the ``atexit``
    functions run first (coverage, logging), then stdout and stderr are flushed."""
    with suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
