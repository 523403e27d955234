"""Shared figure conventions: family colours, sizes that scale with the model count, saving.

Figures are built on matplotlib's object API (``matplotlib.figure.Figure``, not pyplot), so they
need no display and importing this package never switches the user's backend; functions that draw
return a ``Figure`` (or draw on a given ``ax``) and never call ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure

_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39",
            "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363")
UNKNOWN_FAMILY_COLOR = "#9e9e9e"


def family_colors(families: Sequence[str]) -> dict[str, str]:
    """A stable colour per family (by first appearance); empty family -> grey."""
    colors: dict[str, str] = {}
    for family in families:
        if family and family not in colors:
            colors[family] = _PALETTE[len(colors) % len(_PALETTE)]
    colors[""] = UNKNOWN_FAMILY_COLOR
    return colors


def label_fontsize(n_labels: int) -> float:
    """Tick-label size that stays readable from 5 to 100+ labels."""
    if n_labels <= 20:
        return 9.0
    if n_labels <= 50:
        return 7.0
    return max(4.5, 7.0 - (n_labels - 50) * 0.04)


def width_for(n_items: int, *, per_item: float = 0.22, minimum: float = 6.0,
              maximum: float = 30.0) -> float:
    """Figure width in inches for ``n_items`` along the x axis."""
    return min(maximum, max(minimum, 2.0 + per_item * n_items))


def new_figure(width: float, height: float, **options: Any) -> Figure:
    """A standalone figure (no pyplot, so nothing to close) with an Agg canvas attached."""
    figure = Figure(figsize=(width, height), **options)
    FigureCanvasAgg(figure)
    return figure


def figure_and_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure | SubFigure, Axes]:
    """Draw on ``ax`` when given (a notebook's axes), else on a new ``width`` x ``height`` figure."""
    if ax is not None:
        return ax.figure, ax
    # constrained layout: tick labels and legends fit inside the figure, so a plain
    # ``figure.savefig(path)`` (no bbox_inches) clips nothing
    figure = new_figure(width, height, layout="constrained")
    return figure, figure.add_subplot()


def figure_or_new(figure: Figure | SubFigure | None, width: float, height: float,
                  **options: Any) -> Figure | SubFigure:
    """Draw multi-panel plots into ``figure`` (a Figure or SubFigure) when given, else a new one."""
    return figure if figure is not None else new_figure(width, height, **options)


def mark_points(ax, xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray,
                titles: Sequence[str]) -> None:
    """Remember data points of ``ax`` and a title for each (who the point is).

    Drawing is unchanged; :func:`swisssim.io.figures.save_figure` writes the points' pixel
    positions beside the PNG (``<stem>.points.json``) so that the HTML report can name each model
    on hover.
    """
    points = ax.figure.__dict__.setdefault("swisssim_points", [])
    points.append((ax, [float(x) for x in xs], [float(y) for y in ys], [str(t) for t in titles]))
