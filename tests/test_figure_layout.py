"""Figures fit their canvas and stay legible at the report's page width."""

from __future__ import annotations

import matplotlib
import pytest

from swisssim import Settings, bootstrap, compare, evaluate_orders, examples, sweep

matplotlib.use("Agg")

#: The report's content width in CSS pixels (report/html.py: max-width 1180px, padding 20px).
PAGE_PX = 1140


@pytest.fixture(scope="module")
def figures():
    from swisssim import plots

    scenario = examples.load("helm_capabilities")              # 65 models
    settings = Settings(iterations=300, progress=False)
    profile, comparison = sweep(scenario, settings), compare(scenario, settings)
    orders = evaluate_orders(scenario, Settings(iterations=100, progress=False), samples=4)
    boot = bootstrap(examples.load("helm_lite"), 5, Settings(iterations=100, progress=False))
    return {"expected_scores": plots.expected_scores_figure(profile.result),
            "sensitivity": plots.sensitivity_figure(profile),
            "risk_profile": plots.risk_profile_figure(profile),
            "survival": plots.survival_figure(profile),
            "rank_heatmap": plots.rank_heatmap_figure(profile),
            "bump_chart": plots.bump_chart(comparison),
            "correlation_heatmap": plots.correlation_heatmap(comparison),
            "order_spread": plots.order_spread_figure(orders),
            "rank_interval": plots.rank_interval_figure(boot)}


@pytest.mark.parametrize("name", ["expected_scores", "sensitivity", "risk_profile", "survival",
                                  "rank_heatmap", "bump_chart", "correlation_heatmap",
                                  "order_spread", "rank_interval"])
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
