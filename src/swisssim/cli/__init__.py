"""The ``swisssim`` command line: a thin shell over the library (one module per subcommand)."""

from swisssim.cli.app import main

__all__ = ["main"]
