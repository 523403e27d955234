"""The package version (one place; manifests and ``--version`` read it)."""

__version__ = "0.1.0"
