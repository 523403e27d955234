"""The four figures of a Failure Sensitivity Analysis, drawn from the tables of a sweep folder.

Liu et al., "LLM Swiss Round" (arXiv:2512.21010): (1) the sensitivity figure (models on x, ordered
by expected score at the most eliminating schedule, one marker per schedule, joined in the family's
colour), (2) the risk-profile plane (base score against drop), plus (3) survival curves and
(4) rank-distribution heatmaps. Every function takes DataFrames as read back from the CSV files
(:func:`swisssim.io.readback.read_sweep_folder`) and returns a matplotlib ``Figure``; nothing here calls
``plt.show()`` or needs a display. Sizes, fonts and labelling scale with the number of models so
that the figures stay readable from 5 to 100 models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Annotation

from swisssim.analysis.sweep import (
    NO_CONTRAST,
    Sweep,
    SweepFrames,
    schedules_of,
    severity_order,
)
from swisssim.plots.names import FIGURE_STEMS, schedule_name  # noqa: F401 (re-exported)
from swisssim.plots.style import (
    family_colors,
    figure_and_axes,
    figure_or_new,
    label_fontsize,
    mark_points,
    width_for,
)

#: Markers in severity order: the paper's circle (T=0), down-triangle (T=1), square (T=2), more.
SCHEDULE_MARKERS = ("o", "v", "s", "D", "^", "P", "X", "h", "<", ">", "p", "*", "d", "8")
#: Distinct colours for highlighted models in the survival figure.
HIGHLIGHT_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                    "#17becf")
#: Quadrants of the risk-profile plane: (x side, y side) -> profile name (see swisssim.analysis.sweep).
QUADRANTS = {("right", "top"): "robust generalist", ("right", "bottom"): "aggressive specialist",
             ("left", "top"): "steady underdog", ("left", "bottom"): "fragile underdog"}
#: Above this many models the risk-profile scatter labels only its extremes.
LABEL_ALL_UP_TO = 40


def schedule_marker(position: int) -> str:
    """Marker of the schedule at ``position`` in severity order."""
    return SCHEDULE_MARKERS[position % len(SCHEDULE_MARKERS)]


def _ordered_schedules(table: pd.DataFrame) -> tuple[list[str], dict[str, int]]:
    schedules = schedules_of(table)
    totals = dict(zip(schedules["elimination"], schedules["total_eliminations"].astype(int)))
    return severity_order(schedules), totals


def _model_meta(table: pd.DataFrame) -> pd.DataFrame:
    """``display_name`` and ``family`` per model, index = model, in table order."""
    meta = table.drop_duplicates("model").set_index("model")[["display_name", "family"]].copy()
    meta["family"] = meta["family"].fillna("").astype(str)
    meta["display_name"] = [d if isinstance(d, str) and d else m
                            for m, d in zip(meta.index, meta["display_name"])]
    return meta


def _model_colors(meta: pd.DataFrame) -> pd.Series:
    palette = family_colors(list(meta["family"]))
    return meta["family"].map(palette)


# -- (1) sensitivity ----------------------------------------------------------------------------

#: Above this many models the sensitivity figure lists the models down the page (one row each),
#: so that their names stay legible when the figure is shown at page width.
SENSITIVITY_ROWS_FROM = 30


def sensitivity_figure(table: pd.DataFrame | Sweep, *, ax: Axes | None = None,
                       horizontal: bool | None = None) -> Figure:
    """The paper's sensitivity figure from a sweep (or its table, ``sweep.csv``).

    Draws on ``ax`` when given (its figure is returned), else on a new figure.

    Models ordered by expected score at the most eliminating schedule (best first); one marker
    per schedule (circle, down-triangle, square, ... in severity order), dodged slightly and
    joined by a line in the model family's colour; 95% confidence bars. The title gives the
    widest half-width: Monte Carlo intervals are often narrower than the markers, which then
    hide them. With more than :data:`SENSITIVITY_ROWS_FROM` models (or ``horizontal=True``) the
    models run down the y axis, one row each, so that a report at page width keeps their names
    readable; otherwise along the x axis, as in the paper.
    """
    table = table.table() if isinstance(table, Sweep) else table
    order, totals = _ordered_schedules(table)
    meta = _model_meta(table)
    expected = table.pivot(index="model", columns="elimination", values="expected_score")
    half = table.assign(h=(table["mc_ci_high"] - table["mc_ci_low"]) / 2).pivot(
        index="model", columns="elimination", values="h")
    expected, half = expected.loc[meta.index, order], half.loc[meta.index, order]
    all_colors = _model_colors(meta)
    models = expected[order[-1]].sort_values(ascending=False, kind="stable").index
    expected, half, meta = expected.loc[models], half.loc[models], meta.loc[models]
    n, n_sched = len(models), len(order)
    rows = n > SENSITIVITY_ROWS_FROM if horizontal is None else bool(horizontal)
    colors = all_colors.loc[models].to_numpy()
    if rows:
        figure, ax = figure_and_axes(ax, 9.0, min(60.0, 1.6 + 0.19 * n))
    else:
        figure, ax = figure_and_axes(ax, width_for(n, per_item=0.26, minimum=6.5, maximum=32.0),
                                     4.6 + 0.03 * min(n, 100))
    position = np.arange(n, dtype=float)
    step = min(0.14, 0.6 / max(n_sched - 1, 1)) if n_sched > 1 else 0.0
    offsets = (np.arange(n_sched) - (n_sched - 1) / 2) * step

    def xy(shift: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (values, shift) if rows else (shift, values)

    points = np.stack([np.column_stack(xy(position + o, expected[s].to_numpy()))
                       for o, s in zip(offsets, order)], axis=1)          # (n, S, 2)
    ax.add_collection(LineCollection(points, colors=colors, linewidths=1.3, zorder=2))
    size = 34 if n <= 30 else max(14, 34 - 0.3 * (n - 30))
    for index, (o, s) in enumerate(zip(offsets, order)):
        px, py = xy(position + o, expected[s].to_numpy())
        width = half[s].to_numpy()
        ax.errorbar(px, py, xerr=width if rows else None, yerr=None if rows else width,
                    fmt="none", ecolor=colors, elinewidth=1.0, zorder=1)
        ax.scatter(px, py, marker=schedule_marker(index), s=size, c=colors,
                   edgecolors="black", linewidths=0.4, zorder=3)
        mark_points(ax, px, py, [
            f"{name} ({schedule_name(s)}): E[S] = {e:.3f} ± {h:.3f} (95% CI)"
            for name, e, h in zip(meta["display_name"], expected[s], half[s])])
    names = meta["display_name"]
    if rows:
        ax.set_ylim(n - 0.3, -0.7)                   # best at the top
        ax.set_yticks(position)
        ax.set_yticklabels(names, fontsize=8)
        ax.set_xlabel("expected win score E[S]")
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xlim(-0.7, n - 0.3)
        ax.set_xticks(position)
        ax.set_xticklabels(names, rotation=90 if n > 12 else 45,
                           ha="center" if n > 12 else "right", fontsize=label_fontsize(n))
        ax.set_ylabel("expected win score E[S]")
        ax.grid(axis="y", alpha=0.3)
    widest = float(np.nanmax(half.to_numpy())) if half.size else float("nan")
    ax.set_title(f"Failure sensitivity: models ordered by E[S] at "
                 f"{schedule_name(order[-1])}; bars = 95% CI (widest ±{widest:.3f})",
                 fontsize=10, pad=8 + 12 * math.ceil(n_sched / 6))
    _sensitivity_legends(ax, order, totals, _model_meta(table))
    return figure


def _sensitivity_legends(ax: Axes, order: list[str], totals: dict[str, int],
                         meta: pd.DataFrame) -> None:
    """Schedules in a row above the axes; families (scenario order) to the right."""
    handles = [Line2D([], [], linestyle="none", marker=schedule_marker(i), color="0.35",
                      markeredgecolor="black", markersize=6,
                      label=schedule_name(s, totals[s])) for i, s in enumerate(order)]
    ax.legend(handles=handles, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=min(len(handles), 6), frameon=False, handletextpad=0.2, columnspacing=1.2)
    palette = family_colors(list(meta["family"]))
    families = [f for f in dict.fromkeys(meta["family"]) if f]
    if families:
        handles = [Line2D([], [], color=palette[f], linewidth=2, label=f) for f in families]
        options: dict[str, Any] = {"handles": handles, "title": "family", "fontsize": 7,
                                   "title_fontsize": 8, "frameon": False,
                                   "ncols": 1 if len(families) <= 20 else 2}
        if ax.figure.get_layout_engine() is not None:     # the layout makes room for it
            ax.figure.legend(loc="outside right center", **options)
        else:
            ax.figure.legend(loc="center left", **options,
                             bbox_to_anchor=(ax.get_position().x1 + 0.005, 0.5))


# -- (2) risk profile ---------------------------------------------------------------------------

def risk_profile_figure(risk: pd.DataFrame | Sweep, *, ax: Axes | None = None) -> Figure:
    """Risk-profile plane of a sweep (or ``risk_profile.csv``): base score (x) against drop (y).

    Draws on ``ax`` when given (its figure is returned), else on a new figure.

    Points in family colours with 95% bars; hollow points have a drop within ``z`` standard errors
    of the median (``average risk``). Dashed lines: medians of base and drop (the quadrant
    boundaries of the profile rule); dotted line: no drop. All points are labelled up to
    ``LABEL_ALL_UP_TO`` models, otherwise only the extremes.
    """
    risk = risk.risk_profile() if isinstance(risk, Sweep) else risk
    n = len(risk)
    side = min(13.0, 6.5 + 0.06 * n)
    figure, ax = figure_and_axes(ax, side, side * 0.72)
    x, y = risk["base_score"].to_numpy(float), risk["drop"].to_numpy(float)
    colors = _model_colors(_model_meta(risk)).to_numpy()
    has_contrast = not (risk["profile"] == NO_CONTRAST).all()
    xerr = 1.959964 * risk["base_se"].to_numpy(float) if "base_se" in risk else None
    ax.errorbar(x, y, yerr=1.959964 * risk["drop_se"].to_numpy(float), xerr=xerr, fmt="none",
                ecolor="0.65", elinewidth=0.6, zorder=1)
    solid = risk["profile"].isin(list(QUADRANTS.values())).to_numpy()
    size = 40 if n <= 40 else 22
    ax.scatter(x[solid], y[solid], s=size, c=colors[solid], edgecolors="black",
               linewidths=0.4, zorder=3)
    ax.scatter(x[~solid], y[~solid], s=size, facecolors="white", edgecolors=colors[~solid],
               linewidths=1.2, zorder=3)
    names = risk["display_name"].where(risk["display_name"].astype(bool), risk["model"])
    mark_points(ax, x, y, [f"{name}: base E[S] = {b:.3f}, drop = {d:+.3f} ± {1.959964 * se:.3f} "
                           f"({profile})" for name, b, d, se, profile in
                           zip(names, x, y, risk["drop_se"], risk["profile"])])
    ax.axvline(np.median(x), color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(np.median(y), color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(0.0, color="0.4", linestyle=":", linewidth=0.8)
    ax.margins(0.08)
    _axis_labels_risk(ax, risk)
    texts = _quadrant_labels(ax) if has_contrast else [ax.text(
        0.5, 0.5, "no elimination contrast: profiles not assigned", transform=ax.transAxes,
        ha="center", color="0.4")]
    figure.draw_without_rendering()
    chosen = label_choice(risk)
    place_labels(ax, x[chosen], y[chosen], list(names.to_numpy()[chosen]), x, y,
                 fontsize=8.0 if n <= 20 else (7.0 if n <= 40 else 6.0), avoid=texts)
    return figure


def _axis_labels_risk(ax: Axes, risk: pd.DataFrame) -> None:
    base = schedule_name(str(risk["base_schedule"].iloc[0]))
    most = schedule_name(str(risk["most_schedule"].iloc[0]))
    ax.set_xlabel(f"base score E[S | {base}]")
    ax.set_ylabel(f"drop E[S | {most}] - E[S | {base}]")
    ax.set_title("Risk profile (dashed: medians; hollow: drop within noise of the median)",
                 fontsize=10)
    ax.grid(alpha=0.25)


def _quadrant_labels(ax: Axes) -> list:
    style = {"transform": ax.transAxes, "fontsize": 9, "color": "0.35", "style": "italic",
             "zorder": 0}
    return [ax.text(0.99 if horizontal == "right" else 0.01, 0.98 if vertical == "top" else 0.02,
                    text, ha=horizontal, va=vertical, **style)
            for (horizontal, vertical), text in QUADRANTS.items()]


def label_choice(risk: pd.DataFrame, per_extreme: int = 5) -> np.ndarray:
    """Boolean mask of the points to label: all up to ``LABEL_ALL_UP_TO`` models, else extremes.

    Extremes: the highest and lowest base scores, the largest and smallest drops, and the largest
    ``|mc_drop_z|`` (``per_extreme`` of each).
    """
    n = len(risk)
    if n <= LABEL_ALL_UP_TO:
        return np.ones(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    for column in ("base_score", "drop"):
        values = risk[column].to_numpy(float)
        order = np.argsort(values, kind="stable")
        mask[order[:per_extreme]] = True
        mask[order[-per_extreme:]] = True
    if "mc_drop_z" in risk:
        z = np.nan_to_num(np.abs(risk["mc_drop_z"].to_numpy(float)), nan=0.0, posinf=1e300)
        mask[np.argsort(-z, kind="stable")[:per_extreme]] = True
    return mask


_OFFSETS = [(5, 3), (5, -9), (-5, 3), (-5, -9), (0, 7), (0, -13), (9, -3), (-9, -3),
            (12, 10), (12, -16), (-12, 10), (-12, -16), (0, 16), (0, -22)]


def place_labels(ax: Axes, xs: np.ndarray, ys: np.ndarray, texts: list[str],
                 all_x: np.ndarray, all_y: np.ndarray, *, fontsize: float,
                 avoid: Sequence = ()) -> None:
    """Greedy label placement: each label takes the candidate offset overlapping least.

    Overlap is measured in display space against labels already placed, against every point
    (a small box around it), against the outside of the axes and against the artists in ``avoid``.
    Labels far from their point get a thin leader line.
    """
    renderer = ax.figure.canvas.get_renderer()
    to_display = ax.transData.transform
    radius = 4.0 * ax.figure.dpi / 72.0
    points = to_display(np.column_stack([all_x, all_y]))
    obstacles = [np.array([px - radius, py - radius, px + radius, py + radius])
                 for px, py in points]
    frame = ax.get_window_extent(renderer)
    placed: list[np.ndarray] = []
    for artist in avoid:
        box = artist.get_window_extent(renderer)
        obstacles.append(np.array([box.x0, box.y0, box.x1, box.y1]))
    for px, py, text in zip(xs, ys, texts):
        best, best_cost = None, math.inf
        for dx, dy in _OFFSETS:
            annotation = _annotation(ax, px, py, text, dx, dy, fontsize)
            box = annotation.get_window_extent(renderer)
            rect = np.array([box.x0, box.y0, box.x1, box.y1])
            cost = _overlap(rect, placed + obstacles) + _outside(rect, frame) * 10
            cost += 0.01 * (abs(dx) + abs(dy))
            if cost < best_cost:
                if best is not None:
                    best[0].remove()
                best, best_cost = (annotation, rect), cost
            else:
                annotation.remove()
            if cost < 0.5:
                break
        assert best is not None   # the first candidate always becomes the best
        annotation, rect = best
        dx, dy = annotation.xyann
        if abs(dx) + abs(dy) > 14:
            annotation.remove()
            _annotation(ax, px, py, text, dx, dy, fontsize, leader=True)
        placed.append(rect)


def _annotation(ax: Axes, px: float, py: float, text: str, dx: float, dy: float,
                fontsize: float, leader: bool = False) -> Annotation:
    return ax.annotate(text, (px, py), xytext=(dx, dy), textcoords="offset points",
                       fontsize=fontsize, ha="left" if dx > 0 else ("right" if dx < 0 else
                                                                    "center"),
                       va="bottom" if dy > 0 else "top", zorder=4,
                       arrowprops={"arrowstyle": "-", "color": "0.5", "linewidth": 0.5}
                       if leader else None)


def _overlap(rect: np.ndarray, others: list[np.ndarray]) -> float:
    if not others:
        return 0.0
    boxes = np.asarray(others)
    width = np.clip(np.minimum(rect[2], boxes[:, 2]) - np.maximum(rect[0], boxes[:, 0]), 0, None)
    height = np.clip(np.minimum(rect[3], boxes[:, 3]) - np.maximum(rect[1], boxes[:, 1]), 0,
                     None)
    return float((width * height).sum())


def _outside(rect: np.ndarray, frame) -> float:
    area = (rect[2] - rect[0]) * (rect[3] - rect[1])
    inside = _overlap(rect, [np.array([frame.x0, frame.y0, frame.x1, frame.y1])])
    return float(area - inside)


# -- (3) survival -------------------------------------------------------------------------------

def survival_figure(survival: pd.DataFrame | Sweep, table: pd.DataFrame | None = None, *,
                    highlight: int = 8, figure: Figure | SubFigure | None = None) -> Figure:
    """P(still active after round k), one panel per eliminating schedule.

    Takes a sweep, or ``survival.csv`` with ``sweep.csv`` as ``table``; draws into ``figure`` (a
    Figure or SubFigure) when given.

    Every model is a thin grey line; the ``highlight`` models with the highest expected score at
    the most eliminating schedule are drawn in distinct colours (all models when there are at most
    ``highlight``); the dashed black line is the share of the field still active.
    """
    if isinstance(survival, Sweep):
        survival, table = survival.result.survival(), survival.table()
    if table is None:
        raise ValueError("survival_figure: table: expected sweep.csv's table with a survival "
                         "table, found None")
    order, totals = _ordered_schedules(table)
    panels = [s for s in order if totals[s] > 0] or order[-1:]
    meta = _model_meta(table)
    n = len(meta)
    top = (table[table["elimination"] == order[-1]]
           .sort_values("expected_score", ascending=False, kind="stable")["model"]
           .head(highlight).tolist())
    rounds = survival[["round", "round_name"]].drop_duplicates().sort_values("round")
    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    width = min(16.0, 1.0 + columns * max(4.2, 0.3 * len(rounds)))
    figure = figure_or_new(figure, width, 2.2 + rows * 3.0)
    axes = np.atleast_1d(figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
                         ).ravel()
    for ax, label in zip(axes, panels):
        _survival_panel(ax, survival[survival["elimination"] == label], top, n, rounds)
        ax.set_title(schedule_name(label, totals[label]), fontsize=9)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax in axes[(rows - 1) * columns:]:
        _round_ticks(ax, rounds)
    for ax in axes[::columns]:
        ax.set_ylabel("P(active after round)")
    handles = [Line2D([], [], color=HIGHLIGHT_COLORS[i % len(HIGHLIGHT_COLORS)], linewidth=1.8,
                      label=meta.at[m, "display_name"]) for i, m in enumerate(top)]
    handles.append(Line2D([], [], color="black", linestyle="--", label="share of field active"))
    if n > len(top):
        handles.append(Line2D([], [], color="0.6", label="other models"))
    height = figure.get_figheight()
    legend_rows = math.ceil(len(handles) / 5)
    figure.suptitle(f"Survival: top {len(top)} at {schedule_name(order[-1])} highlighted",
                    fontsize=10, y=1 - 0.08 / height, va="top")
    figure.legend(handles=handles, loc="upper center", ncols=min(5, len(handles)), fontsize=7,
                  frameon=False, bbox_to_anchor=(0.5, 1 - 0.38 / height))
    figure.subplots_adjust(top=1 - (0.75 + 0.17 * legend_rows) / height, hspace=0.3,
                           bottom=1.2 / height if len(rounds) <= 16 else 0.6 / height)
    return figure


def _survival_panel(ax: Axes, frame: pd.DataFrame, top: list[str], n: int,
                    rounds: pd.DataFrame) -> None:
    wide = frame.pivot(index="model", columns="round", values="p_active")
    wide = wide.reindex(columns=rounds["round"])
    x = np.concatenate([[0], rounds["round"].to_numpy()])
    curves = np.column_stack([np.ones(len(wide)), wide.to_numpy(float)])
    lines = [np.column_stack([x, c]) for c in curves]
    ax.add_collection(LineCollection(lines, colors="0.6", linewidths=0.6,
                                     alpha=max(0.15, min(0.7, 8.0 / max(n, 1))), zorder=1))
    for i, model in enumerate(top):
        if model in wide.index:
            ax.plot(x, np.concatenate([[1.0], wide.loc[model].to_numpy(float)]),
                    color=HIGHLIGHT_COLORS[i % len(HIGHLIGHT_COLORS)], linewidth=1.6,
                    marker="o" if len(x) <= 16 else None, markersize=2.5, zorder=3)
    ax.plot(x, np.concatenate([[1.0], np.nanmean(wide.to_numpy(float), axis=0)]), color="black",
            linestyle="--", linewidth=1.0, zorder=2)
    ax.set_xlim(0, x[-1])
    ax.set_ylim(-0.02, 1.04)
    ax.grid(alpha=0.25)


def _round_ticks(ax: Axes, rounds: pd.DataFrame) -> None:
    k = len(rounds)
    ax.set_xticks(np.arange(0, k + 1))
    if k <= 16:
        ax.set_xticklabels(["start"] + list(rounds["round_name"].astype(str)), rotation=60,
                           ha="right", fontsize=label_fontsize(k + 12))
    else:
        ax.set_xticklabels([str(i) if i % 5 == 0 else "" for i in range(k + 1)], fontsize=7)
        ax.set_xlabel("round")


# -- (4) rank distribution ----------------------------------------------------------------------

def rank_heatmap_figure(ranks: pd.DataFrame | Sweep, table: pd.DataFrame | None = None,
                        schedules: list[str] | None = None, *,
                        figure: Figure | SubFigure | None = None) -> Figure:
    """Model x final rank probability, one panel per schedule.

    Takes a sweep, or ``rank_distribution.csv`` with ``sweep.csv`` as ``table``; draws into
    ``figure`` (a Figure or SubFigure) when given.

    Default panels: the least and the most eliminating schedule (one panel if they coincide).
    Rows are models ordered by expected rank at the last panel's schedule (best first); white is
    probability 0; the dot marks the expected rank.
    """
    if isinstance(ranks, Sweep):
        ranks, table = ranks.result.rank_distribution(), ranks.table()
    if table is None:
        raise ValueError("rank_heatmap_figure: table: expected sweep.csv's table with a rank "
                         "table, found None")
    order, totals = _ordered_schedules(table)
    panels = schedules or list(dict.fromkeys([order[0], order[-1]]))
    unknown = [p for p in panels if p not in totals]
    if unknown:
        raise ValueError(f"rank_heatmap_figure: schedules: expected labels among {order}, "
                         f"found {unknown}")
    meta = _model_meta(table)
    n = len(meta)
    last = table[table["elimination"] == panels[-1]].set_index("model")
    models = last["expected_rank"].reindex(meta.index).sort_values(kind="stable").index
    # rows of 0.15 in hold 8 pt names, and panels of at most 5.5 in keep the figure narrow
    # enough that the names stay legible when the report shows it at page width
    height = min(24.0, max(3.6, 1.4 + 0.15 * n))
    panel_width = min(5.5, max(3.8, 1.6 + 0.09 * n))
    figure = figure_or_new(figure, 0.8 + panel_width * len(panels) + 1.0, height,
                           layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels), sharey=True, squeeze=False)).ravel()
    vmax = float(ranks.loc[ranks["elimination"].isin(panels), "probability"].max() or 1.0)
    image = None
    for ax, label in zip(axes, panels):
        image = _heatmap_panel(ax, ranks, table, label, models, n, vmax)
        ax.set_title(schedule_name(label, totals.get(label)), fontsize=9)
    axes[0].set_yticks(np.arange(n))
    axes[0].set_yticklabels(meta.loc[models, "display_name"],
                            fontsize=8.0 if n <= 140 else label_fontsize(n))
    if figure.get_layout_engine() is None:      # a caller's figure without a layout engine
        figure.subplots_adjust(top=1 - 0.75 / height, bottom=0.6 / height, wspace=0.08)
    figure.colorbar(image, ax=list(axes), label="P(final rank); white = 0", fraction=0.025,
                    aspect=40, pad=0.02)
    title = "Final rank distribution (competition rank; dot = expected rank)"
    if figure.get_layout_engine() is not None:
        figure.suptitle(title, fontsize=10)
    else:
        figure.suptitle(title, fontsize=10, y=1 - 0.15 / height, va="top")
    return figure


def _heatmap_panel(ax: Axes, ranks: pd.DataFrame, table: pd.DataFrame, label: str,
                   models: pd.Index, n: int, vmax: float) -> AxesImage:
    frame = ranks[(ranks["elimination"] == label) & ranks["model"].isin(models)]
    matrix = np.zeros((n, n))
    rows = pd.Series(np.arange(n), index=models).loc[frame["model"]].to_numpy()
    matrix[rows, frame["rank"].to_numpy(int) - 1] = frame["probability"].to_numpy(float)
    cmap = colormaps["YlGnBu"].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_equal(matrix, 0.0), aspect="auto", cmap=cmap, vmin=0.0,
                      vmax=vmax, interpolation="nearest",
                      extent=(0.5, n + 0.5, n - 0.5, -0.5))
    expected = table[table["elimination"] == label].set_index("model")["expected_rank"]
    ax.scatter(expected.reindex(models).to_numpy(float), np.arange(n), s=6 if n > 40 else 12,
               c="white", edgecolors="black", linewidths=0.4, zorder=3)
    step = 1 if n <= 20 else (5 if n <= 60 else 10)
    ax.set_xticks([1] + list(range(step, n + 1, step)) if step > 1 else range(1, n + 1))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("final rank")
    return image


# -- all figures --------------------------------------------------------------------------------

def render_figures(frames: SweepFrames) -> dict[str, Figure]:
    """The four figures of a sweep, by file stem."""
    return {stem: render_figure(frames, stem) for stem in FIGURE_STEMS}


def render_figure(frames: SweepFrames, stem: str) -> Figure:
    """Render the figure saved as ``<stem>.png`` (one of :data:`FIGURE_STEMS`)."""
    if stem == "sensitivity":
        return sensitivity_figure(frames.sweep)
    if stem == "risk_profile":
        return risk_profile_figure(frames.risk)
    if stem == "survival":
        return survival_figure(frames.survival, frames.sweep)
    if stem == "rank_distribution":
        return rank_heatmap_figure(frames.ranks, frames.sweep)
    raise ValueError(f"render_figure: stem: expected one of {FIGURE_STEMS}, found {stem!r}")


__all__ = ["FIGURE_STEMS", "rank_heatmap_figure", "render_figure", "render_figures",
           "risk_profile_figure", "sensitivity_figure", "survival_figure"]
