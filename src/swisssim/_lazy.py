"""Lazy package namespaces (PEP 562): public names that load their module on first access."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_namespace(package: str, namespace: dict[str, Any], exports: Mapping[str, str],
                   submodules: Sequence[str] = ()) -> tuple[Callable[[str], Any],
                                                          Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    ``exports`` maps a public name to the module that defines it; a loaded name is stored in
    ``namespace`` (the package's ``globals()``), so it is imported once. ``submodules`` are
    reachable as attributes without an explicit import.
    """
    def getattr_(name: str) -> Any:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(exports) | set(submodules))

    return getattr_, dir_
