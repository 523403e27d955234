"""The sweep's figures: written, valid, sensibly sized, from 5 to 100 models, no display needed."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from conftest import REPO
from swisssim import Scenario
from swisssim.analysis.sweep import sweep
from swisssim.cli.app import main
from swisssim.io.readback import read_sweep_folder
from swisssim.io.writers import write_sweep
from swisssim.plots.sweep import (
    FIGURE_STEMS,
    label_choice,
    rank_heatmap_figure,
    risk_profile_figure,
    sensitivity_figure,
    survival_figure,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def synthetic_scenario(n_models: int, n_rounds: int = 8, seed: int = 3) -> Scenario:
    """Models with a general ability and an early/late specialisation, in 9 families."""
    rng = np.random.default_rng(seed)
    ability, tilt = rng.normal(size=n_models), rng.normal(size=n_models)
    scores = (ability[:, None] + tilt[:, None] * np.linspace(-1, 1, n_rounds)[None, :]
              + rng.normal(0, 0.5, size=(n_models, n_rounds)))
    names = [f"Model-{i:03d}" + "-long" * (i % 3) for i in range(n_models)]
    frame = pd.DataFrame(scores, columns=[f"b{j}" for j in range(n_rounds)])
    frame.insert(0, "model", names)
    models = pd.DataFrame({"model": names, "family": [f"Fam{i % 9}" for i in range(n_models)],
                           "display_name": names})
    return Scenario.from_dataframe(frame, models=models, name=f"synthetic{n_models}")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Sweep folders for 5 and 100 models (short simulations; figures included)."""
    root = tmp_path_factory.mktemp("sweeps")
    made = {}
    for n, schedules in ((5, [0, 1, 2]), (100, [0, 1, 2, "10%", "0,0,0,0,2,2,2,2"])):
        result = sweep(synthetic_scenario(n), elimination=schedules, iterations=300, seed=1)
        write_sweep(result, root / f"m{n}", ["test"])
        made[n] = root / f"m{n}"
    return made


def _check_png(path: Path) -> tuple[int, int]:
    assert path.read_bytes()[:8] == PNG_MAGIC
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        return image.size


@pytest.mark.parametrize("n", [5, 100])
def test_every_figure_is_a_valid_png_and_svg_of_sensible_size(folders, n):
    figures = folders[n] / "figures"
    for stem in FIGURE_STEMS:
        width, height = _check_png(figures / f"{stem}.png")
        assert 500 <= width <= 6000 and 300 <= height <= 4000, (stem, width, height)
        root = ElementTree.parse(figures / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")


def test_figures_grow_with_the_model_count(folders):
    for stem in ("sensitivity", "rank_distribution"):
        small = _check_png(folders[5] / "figures" / f"{stem}.png")
        large = _check_png(folders[100] / "figures" / f"{stem}.png")
        assert large[0] > 1.5 * small[0] or large[1] > 1.5 * small[1], stem


def test_plot_reproduces_the_figures_from_the_csv_files_only(folders, tmp_path, capsys):
    folder = tmp_path / "copy"
    folder.mkdir()
    for name in ("sweep.csv", "risk_profile.csv", "rank_distribution.csv", "survival.csv"):
        (folder / name).write_bytes((folders[5] / name).read_bytes())
    assert main(["plot", str(folder)]) == 0
    for stem in FIGURE_STEMS:
        again = (folder / "figures" / f"{stem}.png").read_bytes()
        assert again == (folders[5] / "figures" / f"{stem}.png").read_bytes(), stem
        ElementTree.parse(folder / "figures" / f"{stem}.svg")
    assert main(["plot", str(folder), "--out", str(tmp_path / "elsewhere"), "--dpi", "60"]) == 0
    small = _check_png(tmp_path / "elsewhere" / "sensitivity.png")
    assert small[0] < _check_png(folder / "figures" / "sensitivity.png")[0]


def test_figure_functions_return_figures_from_dataframes(folders):
    frames = read_sweep_folder(folders[5])
    for figure in (sensitivity_figure(frames.sweep), risk_profile_figure(frames.risk),
                   survival_figure(frames.survival, frames.sweep),
                   rank_heatmap_figure(frames.ranks, frames.sweep, ["1"])):
        assert isinstance(figure, Figure)
    heatmap = rank_heatmap_figure(frames.ranks, frames.sweep)
    assert len([ax for ax in heatmap.axes if ax.images]) == 2       # T = 0 and T = 2


def test_sensitivity_orders_models_by_the_most_eliminating_schedule(folders):
    frames = read_sweep_folder(folders[5])
    figure = sensitivity_figure(frames.sweep)
    shown = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    at_t2 = frames.sweep[frames.sweep["elimination"] == "2"]
    expected = at_t2.sort_values("expected_score", ascending=False, kind="stable")
    assert shown == expected["display_name"].tolist()


def test_risk_scatter_labels_everyone_when_few_and_the_extremes_when_many(folders):
    few = read_sweep_folder(folders[5]).risk
    assert label_choice(few).all()
    many = read_sweep_folder(folders[100]).risk
    chosen = label_choice(many)
    assert 5 <= chosen.sum() <= 25
    assert chosen[many["base_score"].to_numpy().argmax()]
    assert chosen[many["drop"].to_numpy().argmin()]
    figure = risk_profile_figure(many)
    labels = [t for t in figure.axes[0].texts if t.get_text().startswith("Model-")]
    assert len(labels) == chosen.sum()


def test_figures_without_any_elimination_contrast(tmp_path):
    result = sweep(synthetic_scenario(6), elimination=[0], iterations=200, seed=2)
    write_sweep(result, tmp_path / "flat", None)
    frames = read_sweep_folder(tmp_path / "flat")
    assert (frames.risk["profile"] == "no contrast").all()
    for stem in FIGURE_STEMS:
        _check_png(tmp_path / "flat" / "figures" / f"{stem}.png")


def test_plotting_needs_no_display(folders):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND",
                                                            "WAYLAND_DISPLAY")}
    code = ("import matplotlib, sys\n"
            "from swisssim.io.readback import read_sweep_folder\n"
            "from swisssim.plots.sweep import render_figures\n"
            f"figures = render_figures(read_sweep_folder({str(folders[5])!r}))\n"
            "pyplot = 'matplotlib.pyplot' in sys.modules\n"
            "print(len(figures), pyplot)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", "False"]


def test_importing_the_plots_keeps_the_users_backend():
    code = ("import swisssim, matplotlib; matplotlib.use('svg'); import swisssim.plots; "
            "import swisssim.plots.sweep, swisssim.plots.compare, swisssim.plots.uncertainty; "
            "import swisssim.io.writers, swisssim.report.writer; "
            "print(matplotlib.get_backend())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg"


def test_plot_reports_a_folder_without_sweep_results(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "absent")]) == 2
    err = capsys.readouterr().err
    assert "absent" in err and "no such folder" in err and "Traceback" not in err
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "sweep.csv").write_text("model,elimination\n")
    assert main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "no risk_profile.csv" in err and "no survival.csv" in err
    assert not (folder / "figures").exists()


def test_plot_reports_a_csv_missing_a_column(folders, tmp_path, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    for name in ("sweep.csv", "risk_profile.csv", "rank_distribution.csv", "survival.csv"):
        (folder / name).write_bytes((folders[5] / name).read_bytes())
    risk = pd.read_csv(folder / "risk_profile.csv").drop(columns="drop")
    risk.to_csv(folder / "risk_profile.csv", index=False)
    assert main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "risk_profile.csv" in err and "no column drop" in err
    assert not (folder / "figures").exists()
