"""The ``swisssim`` command line: a thin layer over the Python API.

Each subcommand lives in its own module ``swisssim.cli.<name>`` (found automatically) and
provides ``add_parser(subparsers)`` and ``execute(args) -> int``. Bad input is reported as one line on stderr with exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from contextlib import ExitStack

from swisssim._version import __version__
from swisssim.errors import InputError

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 130 interrupted)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments and arguments[0] in command_names() else None
    parser = build_parser(command)
    try:
        args = parser.parse_args(arguments)
        args.argv = arguments
        with ExitStack() as args.resources:    # a Dask cluster of --dask, closed at the end
            return int(args.execute(args))
    except UsageError as error:
        print(f"{error}\n(see 'swisssim --help')", file=sys.stderr)
        return 2
    except InputError as error:
        print(f"swisssim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("swisssim: interrupted; no results were written", file=sys.stderr)
        return 130
