"""``python -m swisssim``: the command line."""

from swisssim.cli.app import entry

entry()
