"""Figures of method comparisons: bump chart of ranks, rank-correlation heatmap, probe chart.

Every function takes a :class:`~swisssim.analysis.compare.Comparison` (or the tables it produces, and
those of :mod:`swisssim.analysis.perturb`) and returns a matplotlib ``Figure``, drawing on a given
``ax`` (or ``figure``) when there is one; :func:`swisssim.io.figures.save_figure` writes files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.transforms import offset_copy

from swisssim.analysis.compare import Comparison, correlation_matrix
from swisssim.plots.names import BUMP_BACKGROUND, BUMP_TOP
from swisssim.plots.style import family_colors, figure_and_axes, figure_or_new, label_fontsize

#: Models labelled in the bump chart besides the best by the sort method: the biggest movers.
BUMP_MOVERS = 8


def bump_chart(ranks: pd.DataFrame | Comparison, families: Sequence[str] | None = None,
               labels: Sequence[str] | None = None, *, sort_by: str | None = None,
               csd_start: int | None = None, top: int = BUMP_TOP, movers: int = BUMP_MOVERS,
               background: int = BUMP_BACKGROUND, title: str = "",
               ax: Axes | None = None) -> Figure:
    """Ranks of every model (lines) across methods (x axis); rank 1 at the top.

    Parameters
    ----------
    ranks
        A comparison (its methods in order, sorted by its first CSD method, with its scenario's
        families and display names), or a table with one row per model and one rank column per
        method, in x order.
    families, labels
        Family (colour) and display name per row (only with a table).
    ax
        Axes to draw on (default: a new figure sized for the field).
    sort_by
        Method whose ``top`` best models are highlighted and labelled (default: last column).
    csd_start
        Column position where CSD methods start; a dashed separator is drawn before it.
    top, movers
        How many of the best models, and of the models with the widest rank range across
        methods, are highlighted (family colour, labelled at the right end). The others are thin
        translucent lines, so the chart stays readable for 100+ models.
    background
        Thin lines drawn at most: when more models are left, one in k of them in the order
        of ``sort_by`` is drawn (the smallest k that fits; the title says so).
    """
    if isinstance(ranks, Comparison):
        comparison = ranks
        ranks = comparison.ranks
        ranks.columns = [m.short for m in comparison.methods]
        names = comparison.method_names
        first = names.index(comparison.csd_methods[0]) if comparison.csd_methods else None
        families = list(comparison.scenario.models["family"])
        labels = list(comparison.scenario.models["display_name"])
        sort_by = sort_by or (ranks.columns[first] if first is not None else None)
        csd_start = first if csd_start is None else csd_start
        title = title or f"{comparison.scenario.name}: rank under each method"
    if families is None or labels is None:
        raise ValueError("bump_chart: families, labels: expected both with a rank table, "
                         "found None")
    n_models, n_methods = ranks.shape
    values = ranks.to_numpy(dtype=float)
    key = ranks[sort_by if sort_by is not None else ranks.columns[-1]].to_numpy()
    best = set(np.argsort(key, kind="stable")[:top].tolist())
    spread = values.max(axis=1) - values.min(axis=1)
    moving = [int(i) for i in np.argsort(-spread, kind="stable")[:movers] if spread[i] > 0]
    highlight = best | set(moving)
    colors = family_colors(list(families))
    height = min(20.0, max(4.5, 0.13 * n_models + 1.5))
    width = max(8.0, 1.0 * n_methods + 5.0)
    figure, axes = figure_and_axes(ax, width, height)
    x = np.arange(n_methods)
    others = [int(i) for i in np.argsort(key, kind="stable") if int(i) not in highlight]
    step = max(1, math.ceil(len(others) / max(background, 1)))
    for i in sorted(others[::step]):   # drawn in row order, as when every line is drawn
        axes.plot(x, values[i], color=colors.get(families[i], "#9e9e9e"), lw=0.7, alpha=0.3,
                  zorder=1)
    size = label_fontsize(len(highlight) * 2)
    for i in sorted(highlight, key=lambda m: key[m]):
        color = colors.get(families[i], "#9e9e9e")
        axes.plot(x, values[i], color=color, lw=1.8, alpha=0.95, marker="o", ms=3.5, zorder=3)
    label_rows = sorted(highlight, key=lambda m: (values[m, -1], m))
    positions = _spread_labels([values[m, -1] for m in label_rows],
                               gap=max(1.0, n_models / 55.0), low=1.0, high=float(n_models))
    # names right of the last column, each joined to its line's end by a thin leader (one
    # collection, not an arrow patch per name: those cost a path clip each per drawing)
    leaders = []
    beside = offset_copy(axes.transData, fig=axes.get_figure(root=True), x=2.0, units="points")
    for m, y in zip(label_rows, positions):
        mark = " *" if m in moving and m not in best else ""
        axes.text(x[-1] + 0.25, y, f"{labels[m]}{mark}", transform=beside, fontsize=size,
                  va="center", color=colors.get(families[m], "#9e9e9e"))
        leaders.append([(x[-1], values[m, -1]), (x[-1] + 0.25, y)])
    axes.add_collection(LineCollection(leaders, colors="#999999", linewidths=0.4, zorder=2),
                        autolim=False)
    if csd_start is not None and 0 < csd_start < n_methods:
        axes.axvline(csd_start - 0.5, color="#555555", ls="--", lw=0.8)
    axes.set_xticks(x, list(ranks.columns), rotation=30, ha="right")
    axes.set_xlim(-0.3, n_methods - 0.7)
    axes.set_ylim(n_models + 0.5, 0.5)
    axes.set_ylabel("rank (1 = best)")
    axes.grid(axis="x", color="#dddddd", lw=0.6)
    note = (f"coloured and labelled: top {top} by {sort_by or ranks.columns[-1]}"
            + (f" and the {len(moving)} widest rank ranges (*)" if moving else "")
            + (f"; thin lines: one in {step} of the other {len(others)} models"
               if step > 1 else ""))
    axes.set_title((title + "\n" if title else "") + note, fontsize=9)
    _family_legend(axes, [families[i] for i in sorted(highlight)], colors,
                   below=-0.9 / (0.77 * height))
    return figure


def _spread_labels(positions: Sequence[float], gap: float, low: float = -math.inf,
                   high: float = math.inf) -> list[float]:
    """Move sorted label positions apart to at least ``gap``, within ``[low, high]`` if possible.

    A forward pass pushes labels down (larger ranks), a backward pass pulls them back up where
    they would pass ``high``.
    """
    placed = list(positions)
    for i in range(len(placed)):
        floor = low if i == 0 else placed[i - 1] + gap
        placed[i] = max(placed[i], floor)
    for i in range(len(placed) - 1, -1, -1):
        ceiling = high if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = min(placed[i], ceiling)
    return placed


def _family_legend(axes, families: Sequence[str], colors: dict[str, str], below: float) -> None:
    from matplotlib.lines import Line2D

    shown = [f for f in dict.fromkeys(families) if f]
    if not shown:
        return
    handles = [Line2D([], [], color=colors[f], lw=2) for f in shown]
    axes.legend(handles, shown, fontsize=7, loc="upper left", bbox_to_anchor=(0.0, below),
                ncol=min(6, len(shown)), frameon=False, title="family", title_fontsize=7)


def correlation_heatmap(tau: pd.DataFrame | Comparison, rho: pd.DataFrame | None = None, *,
                        title: str = "", ax: Axes | None = None,
                        correlations: pd.DataFrame | None = None) -> Figure:
    """Annotated heatmap: Kendall tau-b above the diagonal, Spearman rho below.

    ``tau`` and ``rho`` are square matrices (see :func:`swisssim.analysis.compare.correlation_matrix`).
    The colour scale runs from the smallest value shown (rounded down to a multiple of 0.05, at
    most 0.95) to 1, so that differences between methods that all agree well stay visible; the
    numbers are printed in every cell. Takes a comparison instead of the two matrices (with its
    ``correlations()`` table when the caller already has it), and draws on ``ax`` when given.
    """
    if isinstance(tau, Comparison):
        comparison = tau
        if correlations is None:
            correlations = comparison.correlations()
        tau = correlation_matrix(correlations, "kendall_tau_b", comparison.method_names)
        rho = correlation_matrix(correlations, "spearman_rho", comparison.method_names)
        title = title or f"{comparison.scenario.name}: rank agreement"
    if rho is None:
        raise ValueError("correlation_heatmap: rho: expected a matrix beside tau, found None")
    names = list(tau.columns)
    n = len(names)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    matrix = np.where(upper, tau.to_numpy(float), rho.to_numpy(float))
    np.fill_diagonal(matrix, 1.0)
    finite = matrix[np.isfinite(matrix)]
    low = min(0.95, float(np.floor(finite.min() * 20) / 20)) if finite.size else 0.0
    low = max(-1.0, low)
    side = max(4.5, 0.55 * n + 2.0)
    figure, axes = figure_and_axes(ax, side + 1.2, side)
    image = axes.imshow(np.ma.masked_invalid(matrix), cmap="viridis", vmin=low, vmax=1.0)
    size = 8 if n <= 12 else 6
    for i in range(n):
        for j in range(n):
            value = matrix[i, j]
            text = "n/a" if not np.isfinite(value) else f"{value:.2f}"
            shade = (value - low) / (1.0 - low) if np.isfinite(value) and low < 1 else 0.0
            axes.text(j, i, text, ha="center", va="center", fontsize=size,
                      color="black" if shade > 0.6 else "white",
                      in_layout=False)   # inside its cell: no need to measure it for the layout
    axes.set_xticks(range(n), names, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(n), names, fontsize=8)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04,
                    label="rank correlation (scale starts at the smallest value)")
    axes.set_title((title + "\n" if title else "")
                   + "upper triangle: Kendall tau-b, lower: Spearman rho", fontsize=9)
    return figure


def probe_chart(summary: pd.DataFrame, *, title: str = "",
                figure: Figure | SubFigure | None = None) -> Figure:
    """Damaged models' rank before (open) and after (filled) under each method.

    ``summary`` has columns ``model, method, rank_before, rank_after`` (``perturb_summary.csv``).
    One panel per damaged model; methods on the y axis in table order.
    """
    models = list(dict.fromkeys(summary["model"]))
    methods = list(dict.fromkeys(summary["method"]))
    figure = figure_or_new(figure, 4.0 * len(models) + 1.5, 0.35 * len(methods) + 1.8)
    axes_list = figure.subplots(1, len(models), squeeze=False, sharey=True)[0]
    y = np.arange(len(methods))
    for axes, model in zip(axes_list, models):
        part = summary[summary["model"] == model].set_index("method").loc[methods]
        before, after = part["rank_before"].to_numpy(), part["rank_after"].to_numpy()
        for k in range(len(methods)):
            color = "#d62728" if after[k] > before[k] else "#2ca02c" if after[k] < before[k] \
                else "#7f7f7f"
            axes.plot([before[k], after[k]], [y[k], y[k]], color=color, lw=1.5)
        axes.scatter(before, y, facecolors="white", edgecolors="black", zorder=3, label="before")
        axes.scatter(after, y, color="black", zorder=3, label="after")
        axes.set_title(str(model), fontsize=9)
        axes.set_xlabel("rank (1 = best)")
        axes.grid(axis="x", color="#eeeeee")
    axes_list[0].set_yticks(y, methods, fontsize=8)
    axes_list[0].invert_yaxis()
    axes_list[0].legend(fontsize=7, loc="best")
    if title:
        figure.suptitle(title, fontsize=10)
    if isinstance(figure, Figure):
        figure.tight_layout()
    return figure


__all__ = ["bump_chart", "correlation_heatmap", "probe_chart"]
