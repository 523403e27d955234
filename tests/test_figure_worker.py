"""The figure worker (swisssim.io.figures.figure_worker): figures built and drawn in two forked
processes that imported matplotlib ahead of time, with the bytes drawn here, failures drawn here,
and nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from conftest import live_children
from swisssim import Settings, compare, evaluate_orders, examples, sweep
from swisssim.cli.app import main
from swisssim.io import figures
from swisssim.io.figures import FigureRecipe, drawn_together, figure_worker, save_figure

matplotlib.use("Agg")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not figures.helper_possible(),
                                reason="the worker forks on Linux with two usable CPUs")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def recipes():
    """Recipes of four of the report's figure kinds (marked points, a legend outside the axes,
    two panels, an axes legend), on small analyses."""
    scenario = examples.load("helm_capabilities")
    settings = Settings(iterations=300, progress=False)
    profile, comparison = sweep(scenario, settings), compare(scenario, settings)
    orders = evaluate_orders(scenario, Settings(iterations=100, progress=False), samples=4)
    return {"risk_profile": FigureRecipe("swisssim.plots.sweep", "risk_profile_figure",
                                         (profile,), points=True),
            "survival": FigureRecipe("swisssim.plots.sweep", "survival_figure", (profile,)),
            "order_spread": FigureRecipe("swisssim.plots.uncertainty", "order_spread_figure",
                                         (orders,)),
            "bump_chart": FigureRecipe("swisssim.plots.compare", "bump_chart", (comparison,))}


class _Stage:
    """The part of a staging folder that save_figure uses."""

    def __init__(self, root: Path) -> None:
        self.root, self.keep_svg, self.palette = root, False, False

    def path(self, name: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


#: The job folders of the workers that _draw started.
FOLDERS: list[Path] = []


def _draw(recipes: dict, root: Path, *, worker: bool) -> tuple[dict[str, bytes], int]:
    """Save every recipe inside a drawn_together block (with a worker or all here); the files'
    bytes and how many jobs went to the worker."""
    stage = _Stage(root)
    with figure_worker(enabled=worker) as started, drawn_together(parallel=worker) as batch:
        if started is not None:
            FOLDERS.append(started.folder)
        written = [n for name, recipe in recipes.items()
                   for n in save_figure(recipe, stage, name)]
        sent = len(batch.sent)
    return {n: (root / n).read_bytes() for n in written}, sent


def test_figures_drawn_by_the_worker_are_the_bytes_drawn_here(recipes, tmp_path):
    before = live_children()
    by_worker, sent = _draw(recipes, tmp_path / "worker", worker=True)
    here, none = _draw(recipes, tmp_path / "here", worker=False)
    assert sent == len(recipes) and none == 0
    assert by_worker.keys() == here.keys()
    assert "risk_profile.points.json" in here and len(here) == len(recipes) + 1
    for name in here:
        assert by_worker[name] == here[name], name
    assert live_children() == before and FOLDERS and not FOLDERS[-1].exists()


def _fails_in_other_processes(main_pid: int, recipe: FigureRecipe):
    """A builder that fails in the worker (any process but ``main_pid``) and builds
    ``recipe``'s figure here."""
    if os.getpid() != main_pid:
        raise RuntimeError("the worker's failure")
    return recipe.build()


def _fails_everywhere():
    raise RuntimeError("a figure that cannot be built")


def test_a_figure_the_worker_fails_to_draw_is_drawn_here_where_its_error_shows(recipes,
                                                                                tmp_path):
    failing = {name: FigureRecipe(__name__, "_fails_in_other_processes", (os.getpid(), recipe),
                                  points=recipe.points)
               for name, recipe in recipes.items()}
    rescued, sent = _draw(failing, tmp_path / "rescued", worker=True)
    here, _ = _draw(recipes, tmp_path / "here", worker=False)
    assert sent == len(recipes) and rescued == here
    before = live_children()
    with pytest.raises(RuntimeError, match="cannot be built"):
        _draw({"bad": FigureRecipe(__name__, "_fails_everywhere")}, tmp_path / "bad",
              worker=True)
    assert live_children() == before


def _built_by(holder: dict):
    return holder["build"]()


def test_a_recipe_that_does_not_pickle_is_drawn_here(recipes, tmp_path):
    survival = recipes["survival"]
    holder = {"build": lambda: survival.build()}          # a lambda does not pickle
    unpicklable = {"survival": FigureRecipe(__name__, "_built_by", (holder,))}
    drawn, sent = _draw(unpicklable, tmp_path / "lambda", worker=True)
    here, _ = _draw({"survival": survival}, tmp_path / "here", worker=False)
    assert sent == 0 and drawn == here


def test_a_recipe_must_say_whether_its_figure_marks_points(recipes):
    wrong = FigureRecipe("swisssim.plots.sweep", "survival_figure",
                         recipes["survival"].args, points=True)
    with pytest.raises(RuntimeError, match="did not mark its points, but its recipe says "
                                           "points=True"):
        wrong.build()


def test_an_unused_worker_ends_and_an_error_in_the_block_ends_a_busy_one(recipes, tmp_path):
    before = live_children()
    with figure_worker() as worker:
        assert worker is not None and worker.pid in live_children()
    assert worker.pid is None and live_children() == before and not worker.folder.exists()
    with pytest.raises(KeyError), figure_worker() as busy, drawn_together() as batch:
        for name, recipe in recipes.items():
            save_figure(recipe, _Stage(tmp_path), name)
        assert len(batch.sent) == len(recipes)
        raise KeyError("stop")
    assert live_children() == before and busy is not None and not busy.folder.exists()


def test_the_worker_imports_neither_numba_nor_scipy_and_this_module_no_matplotlib():
    """What keeps the worker's start-up short (it runs while the main process imports) and the
    main process free of matplotlib when a worker draws."""
    code = ("import sys; import swisssim.io.figures as f; "
            "print('matplotlib' in sys.modules); "
            "[__import__(m) for m in f.WORKER_PRELOAD]; "
            "print(sorted(m for m in ('numba', 'scipy') if m in sys.modules))")
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    assert lines[:2] == ["False", "[]"]


def test_a_report_drawn_by_the_worker_equals_one_drawn_here_without_matplotlib_here(
        tmp_path, monkeypatch):
    """The chain: ``swisssim report`` with its worker writes the figures (and hover positions)
    that it writes with every figure drawn in its own process; with the worker, its own
    process never imports matplotlib."""
    scenario = str(REPO / "scenarios" / "helm_capabilities.toml")
    code = ("import sys; from swisssim.cli.app import main; "
            f"code = main(['report', {scenario!r}, '--out', {str(tmp_path / 'worker')!r}, "
            "'-n', '300', '--no-progress']); "
            "print(code, 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[-2] == "0 False", done.stderr
    monkeypatch.setattr(figures, "helper_possible", lambda: False)
    assert main(["report", scenario, "--out", str(tmp_path / "here"), "-n", "300",
                 "--no-progress"]) == 0
    drawn = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*")
                   if p.suffix == ".png" or p.name.endswith(".points.json"))
    assert len(drawn) >= 7
    for name in drawn:
        assert (tmp_path / "worker" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
