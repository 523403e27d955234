"""The package's layers: the folder tree is the data path, and imports only run downwards.

Layers, bottom to top (``docs/architecture.md``)::

    errors, _version  <  data  <  engine  <  analysis  <  plots  <  io  <  report  <  cli

A module may import modules of its own layer or of a lower one, never of a higher one, and the
module import graph has no cycle. Every import counts, including those inside functions (which
used to hide cycles). The package's ``__init__`` and ``__main__`` sit on top and may import
anything; no other module imports the top-level package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "src" / "swisssim"

LAYERS = ("base", "data", "engine", "analysis", "plots", "io", "report", "cli")
BASE_MODULES = {"swisssim.errors", "swisssim._version", "swisssim.validation", "swisssim._lazy",
                "swisssim.defaults", "swisssim.interrupts"}
TOP_MODULES = {"swisssim", "swisssim.__main__", "swisssim.examples"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer index of a module; top-level modules are above every layer."""
    if module in TOP_MODULES:
        return len(LAYERS)
    if module in BASE_MODULES:
        return 0
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        raise AssertionError(f"{module} is in no layer: put it in a layer folder or in "
                             f"BASE_MODULES ({sorted(BASE_MODULES)})")
    return LAYERS.index(parts[1])


def resolve(node: ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The swisssim modules an ``import from`` statement loads."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("swisssim"):
        return []
    found = [target]
    for alias in node.names:
        candidate = f"{target}.{alias.name}"
        if candidate in known:  # ``from swisssim.analysis import baselines`` loads a module
            found.append(candidate)
    return found


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if a.name.startswith("swisssim"))
        elif isinstance(node, ast.ImportFrom):
            targets.update(resolve(node, module, is_package, known))
    # importlib.import_module("swisssim.x") with a literal name counts too
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module"
                and node.args and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).startswith("swisssim")):
            targets.add(str(node.args[0].value))
    return {t for t in targets if t != module}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    graph = {}
    for module, path in modules.items():
        # an import of a package's submodule also runs the package's __init__
        targets = set()
        for target in imports_of(path, module, known):
            parts = target.split(".")
            targets.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
            if target == "swisssim":
                targets.add("swisssim")
        graph[module] = {t for t in targets if t in known and t != module}
    return graph


def test_every_module_is_in_a_layer():
    for module in all_modules():
        layer_of(module)


def test_no_module_imports_upwards():
    graph = import_graph()
    upward = [f"{module} ({LAYERS[layer_of(module)] if layer_of(module) < len(LAYERS) else 'top'})"
              f" imports {target} ({LAYERS[layer_of(target)] if layer_of(target) < len(LAYERS) else 'top'})"
              for module, targets in sorted(graph.items()) for target in sorted(targets)
              if layer_of(target) > layer_of(module)]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
    return None


def test_no_import_cycles():
    graph = import_graph()
    # a package's __init__ importing its own submodules is not a cycle of the data path
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".")}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("graph, has_cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"a2"}, "a2": set(), "b": {"a", "b2"}, "b2": {"b"}}, True),
])
def test_the_cycle_finder_finds_cycles(graph, has_cycle):
    assert (find_cycle(graph) is not None) is has_cycle


def test_the_layer_check_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from swisssim.report.build import x\n")
    assert "swisssim.report.build" in imports_of(source, "swisssim.data.m", set())
