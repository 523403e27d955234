"""Figures fit their canvas and stay legible at the report's page width."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path
from xml.etree import ElementTree

import matplotlib
import numpy as np
import pytest
from PIL import Image

from conftest import live_children
from swisssim import Settings, bootstrap, compare, evaluate_orders, examples, sweep

matplotlib.use("Agg")

#: The report's content width in CSS pixels (report/html.py: max-width 1180px, padding 20px).
PAGE_PX = 1140


@pytest.fixture(scope="module")
def builders():
    """Each figure's builder (a fresh figure per call), on analyses computed once."""
    from swisssim import plots

    scenario = examples.load("helm_capabilities")              # 65 models
    settings = Settings(iterations=300, progress=False)
    profile, comparison = sweep(scenario, settings), compare(scenario, settings)
    orders = evaluate_orders(scenario, Settings(iterations=100, progress=False), samples=4)
    boot = bootstrap(examples.load("helm_lite"), 5, Settings(iterations=100, progress=False))
    return {"expected_scores": lambda: plots.expected_scores_figure(profile.result),
            "sensitivity": lambda: plots.sensitivity_figure(profile),
            "risk_profile": lambda: plots.risk_profile_figure(profile),
            "survival": lambda: plots.survival_figure(profile),
            "rank_heatmap": lambda: plots.rank_heatmap_figure(profile),
            "bump_chart": lambda: plots.bump_chart(comparison),
            "correlation_heatmap": lambda: plots.correlation_heatmap(comparison),
            "order_spread": lambda: plots.order_spread_figure(orders),
            "rank_interval": lambda: plots.rank_interval_figure(boot)}


@pytest.fixture(scope="module")
def figures(builders):
    return {name: build() for name, build in builders.items()}


NAMES = ["expected_scores", "sensitivity", "risk_profile", "survival", "rank_heatmap",
         "bump_chart", "correlation_heatmap", "order_spread", "rank_interval"]


@pytest.mark.parametrize("name", NAMES)
def test_a_plain_savefig_clips_nothing(figures, name):
    """Everything drawn (tick labels, legends, titles) lies inside the figure, so
    ``figure.savefig(path)`` without ``bbox_inches`` keeps it all."""
    figure = figures[name]
    figure.draw_without_rendering()
    box = figure.get_tightbbox(figure.canvas.get_renderer())
    width, height = figure.get_size_inches()
    assert box.x0 >= -0.01 and box.y0 >= -0.01, (name, box)
    assert box.x1 <= width + 0.01 and box.y1 <= height + 0.01, (name, box, width, height)


@pytest.mark.parametrize("dpi", [120, 150])
def test_model_names_of_the_sensitivity_figure_are_legible_at_page_width(figures, dpi):
    figure = figures["sensitivity"]
    ax = figure.axes[0]
    labels = ax.get_yticklabels()
    assert len(labels) == 65                 # one row per model, names down the page
    scale = min(1.0, PAGE_PX / (figure.get_size_inches()[0] * dpi))
    pixels = min(t.get_fontsize() for t in labels) / 72 * dpi * scale
    assert pixels >= 9.0, pixels


@pytest.mark.parametrize("dpi", [120, 150])
def test_model_names_of_the_rank_heatmap_are_legible_at_page_width(figures, dpi):
    figure = figures["rank_heatmap"]
    labels = figure.axes[0].get_yticklabels()
    assert len(labels) == 65
    scale = min(1.0, PAGE_PX / (figure.get_size_inches()[0] * dpi))
    assert min(t.get_fontsize() for t in labels) / 72 * dpi * scale >= 8.0


def test_the_expected_scores_figure_takes_a_schedule_by_its_label():
    from swisssim import InputError, plots, simulate

    result = simulate(examples.load("paper_synthetic"), iterations=200, elimination=(0, 2, 5),
                      progress=False)
    by_t = plots.expected_scores_figure(result, 5, top=3)
    values = sorted(result.expected()[2], reverse=True)[:3]
    points = [c for c in by_t.axes[0].collections if len(c.get_offsets())][-1]
    drawn = sorted(points.get_offsets()[:, 1], reverse=True)
    assert drawn == pytest.approx(values)
    with pytest.raises(InputError, match="'0', '2', '5'"):
        plots.expected_scores_figure(result, 1)


# -- drawing once (swisssim.io.figures) -----------------------------------------------------------

def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


class _Stage:
    """The part of a staging folder that save_figure uses."""

    def __init__(self, root, keep_svg=True, palette=False):
        self.root, self.keep_svg, self.palette = root, keep_svg, palette

    def path(self, name):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@pytest.mark.parametrize("name", NAMES)
def test_a_figure_drawn_once_has_the_pixels_matplotlib_saves(builders, name):
    """One layout and one rasterisation, then a crop: the pixels equal those of a fresh copy
    of the figure saved by ``savefig`` with the same box. The one exception is a legend of the
    figure itself (not of an axes): savefig centres it on the crop box instead of the figure, a
    shift of a pixel or so, so differences are allowed inside such legends only."""
    from swisssim.io.drawing import draw_once

    dpi = 150
    figure = builders[name]()
    with draw_once(figure, dpi) as drawn:
        pixels, box = drawn.pixels, drawn.box
        renderer = figure.canvas.get_renderer()
        legends = [legend.get_window_extent(renderer).transformed(
            figure.dpi_scale_trans.inverted()) for legend in figure.legends]
    fresh = builders[name]()
    buffer = io.BytesIO()
    fresh.savefig(buffer, format="png", dpi=dpi, bbox_inches=box)
    expected = _pixels(buffer.getvalue())
    assert pixels.shape == expected.shape
    differ = (pixels != expected).any(axis=-1)
    for legend in legends:        # rows from the top, columns from the left, 2 px slack
        top, bottom = (box.y1 - legend.y1) * dpi - 2, (box.y1 - legend.y0) * dpi + 2
        left, right = (legend.x0 - box.x0) * dpi - 2, (legend.x1 - box.x0) * dpi + 2
        differ[max(0, int(top)):int(bottom) + 1, max(0, int(left)):int(right) + 1] = False
    assert not differ.any(), (name, np.argwhere(differ)[:5])
    # the crop box is savefig's own tight box, widened to whole pixels (each side moves out by
    # less than a pixel; savefig truncates a fractional size)
    tight = builders[name]()
    buffer = io.BytesIO()
    tight.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    rows, columns = _pixels(buffer.getvalue()).shape[:2]
    assert 0 <= pixels.shape[0] - rows <= 2 and 0 <= pixels.shape[1] - columns <= 2


def test_save_figure_lays_out_once_for_png_and_svg_and_leaves_the_figure_as_it_was(
        builders, tmp_path, monkeypatch):
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from swisssim.io.drawing import draw_once
    from swisssim.io.figures import save_figure

    figure = builders["risk_profile"]()          # constrained layout, marked points
    runs = []
    execute = ConstrainedLayoutEngine.execute
    monkeypatch.setattr(ConstrainedLayoutEngine, "execute",
                        lambda self, fig: (runs.append(fig), execute(self, fig))[1])
    engine, dpi, canvas = figure.get_layout_engine(), figure.dpi, figure.canvas
    assert isinstance(engine, ConstrainedLayoutEngine)
    names = save_figure(figure, _Stage(tmp_path), "figures/risk", dpi=120)
    assert names == ["figures/risk.png", "figures/risk.svg", "figures/risk.points.json"]
    assert len(runs) == 1                        # one layout for the PNG and the SVG
    assert figure.get_layout_engine() is engine and figure.dpi == dpi
    assert figure.canvas is canvas
    with Image.open(tmp_path / "figures" / "risk.png") as image:
        assert image.mode == "RGB"               # opaque: no alpha channel stored
        assert image.info["dpi"] == pytest.approx((120, 120), abs=0.05)   # stored per metre
        assert image.info["Software"].startswith("Matplotlib version")
        stored = np.asarray(image.convert("RGBA"))
    with draw_once(builders["risk_profile"](), 120) as drawn:
        assert np.array_equal(stored, drawn.pixels)
    root = ElementTree.parse(tmp_path / "figures" / "risk.svg").getroot()
    assert root.tag.endswith("svg")
    points = json.loads((tmp_path / "figures" / "risk.points.json").read_text())
    assert (points["width"], points["height"]) == (stored.shape[1], stored.shape[0])
    assert save_figure(builders["survival"](), _Stage(tmp_path, keep_svg=False), "s") == ["s.png"]
    assert not (tmp_path / "s.svg").exists()


def test_palette_pngs_are_the_same_from_pixels_and_from_png_bytes(builders, tmp_path):
    from swisssim.io.drawing import draw_once, palette_bytes
    from swisssim.io.figures import save_figure

    with draw_once(builders["bump_chart"](), 100) as drawn:
        pixels = drawn.pixels
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png")
    assert palette_bytes(pixels) == palette_bytes(buffer.getvalue())
    save_figure(builders["bump_chart"](), _Stage(tmp_path, keep_svg=False, palette=True), "b",
                dpi=100)
    assert (tmp_path / "b.png").read_bytes() == palette_bytes(pixels)
    with Image.open(tmp_path / "b.png") as image:
        assert image.mode == "P"


@pytest.mark.parametrize("opaque", [True, False])
def test_png_files_decode_to_the_pixels_they_were_given(opaque):
    """swisssim writes its PNG files itself (io/drawing.png_bytes); Pillow reads them back."""
    from swisssim.io.drawing import png_bytes

    pixels = np.random.default_rng(3).integers(0, 256, (41, 67, 4), dtype=np.uint8)
    if opaque:
        pixels[..., 3] = 255
    with Image.open(io.BytesIO(png_bytes(pixels, 150))) as image:
        image.load()
        assert image.mode == ("RGB" if opaque else "RGBA")
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)
        assert np.array_equal(np.asarray(image.convert("RGBA")), pixels)


# -- drawing together (swisssim.io.figures.drawn_together) -----------------------------------------

#: Figures of the report's kinds for the batch tests: a legend outside the axes, marked points
#: (a ``.points.json`` file), two panels, an axes legend.
BATCH = ["risk_profile", "survival", "order_spread", "bump_chart"]


def _draw_all(builders, root: Path, parallel: bool,
              names: list[str] = BATCH) -> tuple[dict[str, bytes], int]:
    from swisssim.io.figures import drawn_together, save_figure

    stage = _Stage(root, keep_svg=False)
    with drawn_together(parallel) as batch:
        written = [n for name in names for n in save_figure(builders[name](), stage, name)]
    return {n: (root / n).read_bytes() for n in written}, batch.helpers_started


linux_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers fork on Linux")


@linux_fork
def test_figures_drawn_together_in_helpers_are_the_bytes_drawn_alone(builders, tmp_path):
    """Every figure of the report's kinds, drawn in forked helpers and here, gives the files
    that drawing each alone in this process gives; no helper outlives the block."""
    before = live_children()
    together, helpers = _draw_all(builders, tmp_path / "together", parallel=True)
    alone, none = _draw_all(builders, tmp_path / "alone", parallel=False)
    assert helpers >= 2 and none == 0
    assert together.keys() == alone.keys() and len(together) > len(BATCH)
    for name in alone:
        assert together[name] == alone[name], name
    assert live_children() == before


@linux_fork
def test_a_figure_a_helper_fails_to_draw_is_drawn_here_where_its_error_shows(
        builders, tmp_path, monkeypatch):
    """A helper that dies (here: an error only in helpers) leaves its figures to this process:
    every file is still written, with the same bytes."""
    from swisssim.io import figures

    main = os.getpid()
    draw = figures.FigureJob.draw

    def fails_in_helpers(job):
        if os.getpid() != main:
            raise RuntimeError("a helper's failure")
        draw(job)

    monkeypatch.setattr(figures.FigureJob, "draw", fails_in_helpers)
    rescued, helpers = _draw_all(builders, tmp_path / "rescued", parallel=True)
    monkeypatch.setattr(figures.FigureJob, "draw", draw)
    alone, _ = _draw_all(builders, tmp_path / "alone", parallel=False)
    assert helpers >= 1 and rescued == alone

    def fails_everywhere(job):
        raise RuntimeError("a figure that cannot be drawn")

    monkeypatch.setattr(figures.FigureJob, "draw", fails_everywhere)
    with pytest.raises(RuntimeError, match="cannot be drawn"):
        _draw_all(builders, tmp_path / "failed", parallel=True)


@linux_fork
def test_an_error_in_the_block_kills_its_helpers_and_draws_nothing_more(builders, tmp_path):
    from swisssim.io.figures import drawn_together, save_figure

    before = live_children()
    stage = _Stage(tmp_path, keep_svg=False)
    with pytest.raises(KeyError), drawn_together(True) as batch:
        for name in BATCH:
            save_figure(builders[name](), stage, name)
        assert batch.helpers_started >= 1 and len(batch) == len(BATCH)
        raise KeyError("stop")
    assert live_children() == before
    # the figures still queued were dropped: only those handed to helpers may be written
    assert len(list(tmp_path.glob("*.png"))) <= batch.helpers_started < len(BATCH)


def test_without_helpers_a_batch_draws_in_this_process(builders, tmp_path):
    """Where helpers are not possible (not Linux, one CPU, another thread) the block draws
    every figure here, in queue order of size."""
    from swisssim.io.figures import helper_possible

    drawn, helpers = _draw_all(builders, tmp_path, parallel=False, names=BATCH[:2])
    assert helpers == 0 and all(data.startswith(b"\x89PNG") for name, data in drawn.items()
                                if name.endswith(".png"))
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(helper_possible()))
    thread.start()
    thread.join()
    assert result == [False]
