"""Figures of order sensitivity and bootstrap uncertainty.

Both functions take a result object and return a matplotlib ``Figure`` (object API, family
colours of :mod:`swisssim.plots.style`), or draw into a given Figure or SubFigure; they never call
``plt.show()``. :func:`swisssim.io.figures.save_figure` writes them to result folders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure, SubFigure

from swisssim.analysis.ranks import competition_ranks
from swisssim.plots.style import family_colors, figure_or_new, label_fontsize, width_for

if TYPE_CHECKING:
    from swisssim.analysis.bootstrap import BootstrapResult
    from swisssim.analysis.orders import OrdersResult

CURATED_COLOR = "#d62728"


def _model_styles(scenario) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """Model names, families, display names (scenario order) and the family colours."""
    names = scenario.model_names
    families = [scenario.models.at[m, "family"] for m in names]
    display = [scenario.models.at[m, "display_name"] for m in names]
    return names, families, display, family_colors(families)


def order_spread_figure(result: OrdersResult, *,
                        figure: Figure | SubFigure | None = None) -> Figure:
    """Per-model strip plot of the expected win score over round orders, one panel per schedule.

    Models are sorted by their order-marginalised rank (mean over orders, best first). Each dot is
    one order (jittered sideways, coloured by family); the red diamond is the curated order and
    the black bar the mean over orders. Draws into ``figure`` (a Figure or SubFigure) when
    given.
    """
    scenario = result.scenario
    names, families, display, colors = _model_styles(scenario)
    n_models, n_schedules = len(names), len(result.schedules)
    figure = figure_or_new(figure, width_for(n_models, per_item=0.3), 4.2 * n_schedules,
                           layout="constrained")
    axes = figure.subplots(n_schedules, 1, squeeze=False)[:, 0]
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, size=result.n_orders)
    alpha = float(np.clip(30.0 / result.n_orders, 0.08, 0.6))
    mean = result.expected.mean(axis=0)
    marginal = competition_ranks(mean)
    for s, ax in enumerate(axes):
        order = np.lexsort((np.arange(n_models), marginal[s]))
        for x, m in enumerate(order):
            ax.scatter(x + jitter, result.expected[:, s, m], s=7, color=colors[families[m]],
                       alpha=alpha, linewidths=0, zorder=1)
        xs = np.arange(n_models)
        ax.scatter(xs, mean[s, order], marker="_", s=160, color="black", linewidths=1.5,
                   zorder=2, label="mean over orders")
        ax.scatter(xs, result.expected[0, s, order], marker="D", s=26, color=CURATED_COLOR,
                   edgecolors="black", linewidths=0.5, zorder=3, label="curated order")
        ax.set_xticks(xs, [display[m] for m in order], rotation=90,
                      fontsize=label_fontsize(n_models))
        ax.set_xlim(-0.7, n_models - 0.3)
        ax.set_ylabel("expected win score")
        ax.grid(axis="y", alpha=0.3)
        kind = "all" if result.exhaustive else "sampled"
        ax.set_title(f"{scenario.name}: {result.n_orders} round orders ({kind}), "
                     f"T={result.labels[s]}, {result.iterations} iterations each", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    return figure


def rank_interval_figure(result: BootstrapResult, *,
                         figure: Figure | SubFigure | None = None) -> Figure:
    """Bootstrap rank intervals per model, one panel per schedule, with tiers shaded.

    Models run down the y axis by their rank on the data as given; the segment covers the ranks
    of the percentile rank interval (each rank drawn as a cell of width 0.8, so a zero-width
    interval stays visible), the dot is the rank on the data as given; alternating bands mark the
    tiers (a boundary only where every model above is significantly better than every model
    below, ``docs/method.md`` section 7.5).
    Draws into ``figure`` (a Figure or SubFigure) when given.
    """
    scenario = result.scenario
    names, families, display, colors = _model_styles(scenario)
    n_models, n_schedules = len(names), len(result.schedules)
    bounds = result.intervals()
    rank = competition_ranks(result.reference.score_sum)
    height = max(4.0, 0.17 * n_models + 1.5)
    figure = figure_or_new(figure, min(30.0, 5.5 * n_schedules + 1.5), height,
                           layout="constrained")
    axes = figure.subplots(1, n_schedules, squeeze=False)[0]
    tests = result.pair_tests()
    for s, ax in enumerate(axes):
        low, high = bounds["rank_low"][s], bounds["rank_high"][s]
        tiers = tests[s].tiers()
        order = np.lexsort((np.arange(n_models), rank[s]))
        y = np.arange(n_models)
        for position, m in enumerate(order):
            if tiers[m] % 2 == 0:
                ax.axhspan(position - 0.5, position + 0.5, color="#eeeeee", zorder=0, lw=0)
            ax.plot([low[m] - 0.4, high[m] + 0.4], [position, position],
                    color=colors[families[m]], lw=2.5, solid_capstyle="butt", zorder=1)
        ax.scatter(rank[s, order], y, s=14, color="black", zorder=2,
                   label="rank on the data as given")
        ax.set_yticks(y, [display[m] for m in order], fontsize=label_fontsize(n_models))
        ax.set_ylim(n_models - 0.5, -0.5)
        ax.set_xlim(0.5, n_models + 0.5)
        ax.set_xlabel(f"rank ({100 * result.level:g}% bootstrap interval)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"T={result.labels[s]}: {int(tiers.max())} tier(s)", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    figure.suptitle(f"{scenario.name}: rank intervals from {result.replicates} bootstrap "
                    f"replicates x {result.iterations} iterations", fontsize=11)
    return figure
