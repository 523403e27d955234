"""The README's Python examples run as written (from the repository root)."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

from conftest import REPO


def python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python API"):text.index("## The rules, exactly")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_has_a_five_line_notebook_session():
    first = python_blocks()[0]
    assert len([line for line in first.splitlines() if line.strip()]) == 6  # 5 steps + import


@pytest.fixture
def at_repository_root(monkeypatch):
    monkeypatch.chdir(REPO)
    matplotlib.use("Agg")


def test_the_notebook_session_runs_and_shows_a_table_and_a_figure(at_repository_root):
    lines = python_blocks()[0].strip().splitlines()
    namespace: dict = {}
    exec(compile("\n".join(lines[:-2]), "README.md", "exec"), namespace)
    table = eval(lines[-2].split("#")[0], namespace)
    figure = eval(lines[-1].split("#")[0], namespace)
    assert isinstance(table, pd.DataFrame) and len(table) == 5
    assert table["expected_score"].is_monotonic_decreasing
    assert isinstance(figure, Figure) and len(figure.axes) == 1
    assert namespace["result"].iterations == 20_000


def test_the_api_example_runs(at_repository_root):
    namespace: dict = {}
    exec(compile(python_blocks()[1], "README.md", "exec"), namespace)
    assert namespace["profile"].result.labels == ["0", "1", "2"]
    assert len(namespace["drop"]) == namespace["scenario"].n_models
    assert namespace["ax"].collections, "the risk profile was not drawn on the given axes"
    assert namespace["orders"].n_orders == 24


def test_the_import_example_runs(at_repository_root, tmp_path, monkeypatch):
    code = python_blocks()[2].replace('"my_scenarios"', repr(str(tmp_path / "my_scenarios")))
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["long"].n_models == 2 and namespace["bbh"].name == "bbh"
    assert namespace["mine"].n_models >= 2
    assert (tmp_path / "my_scenarios" / "small_lms.toml").exists()
