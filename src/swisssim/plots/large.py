"""Sweep figures that stay readable on a large field: the top models by name plus a summary layer.

Up to :data:`LARGE_FIELD` models the sweep figures of :mod:`swisssim.plots.sweep` show every model
by name. Above it, :func:`render_sweep_figure` draws instead:

* **sensitivity**: the :data:`TOP_NAMED` best models (by E[S] at the most eliminating schedule)
  as in the paper's figure, beside a panel of the whole field: E[S] per schedule against the
  model's position in that order, one thin line per schedule;
* **risk profile**: a hexbin density of (base score, drop) over every model (log colour scale),
  with the :data:`RISK_NAMED` best base scores and the extremes of :func:`swisssim.plots.sweep.label_choice` drawn as
  points and labelled;
* **survival**: unchanged (every model is already a thin grey line; the top 8 are highlighted);
* **rank distribution**: a *banded* heatmap: the top models one row each, then the rest in bands
  of consecutive models by expected rank (each row the mean of its members' distributions),
  and final ranks binned into at most :data:`RANK_COLUMNS` columns.

The full tables stay in the CSV files; the report says what a figure or table leaves out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from swisssim.analysis.sweep import NO_CONTRAST, SweepFrames
from swisssim.plots.names import LARGE_FIELD, is_large  # noqa: F401 (re-exported)
from swisssim.plots.style import family_colors, new_figure
from swisssim.plots.sweep import (
    HIGHLIGHT_COLORS,
    QUADRANTS,
    _model_meta,
    _ordered_schedules,
    label_choice,
    place_labels,
    render_figure,
    schedule_marker,
    schedule_name,
)

#: Models shown by name in a large field's figures.
TOP_NAMED = 30
#: Models named in a large field's risk profile besides the extremes (points crowd there).
RISK_NAMED = 10
#: Bands of the rest of the field in the banded rank heatmap (at most).
RANK_BANDS = 40
#: Columns (bins of final ranks) of the banded rank heatmap (at most).
RANK_COLUMNS = 200


def render_sweep_figure(frames: SweepFrames, stem: str) -> Figure:
    """The figure ``<stem>.png`` of a sweep, adapted to the size of the field (module notes)."""
    n = int(frames.sweep["model"].nunique())
    if not is_large(n) or stem == "survival":
        return render_figure(frames, stem)
    if stem == "sensitivity":
        return large_sensitivity_figure(frames.sweep)
    if stem == "risk_profile":
        return large_risk_profile_figure(frames.risk)
    if stem == "rank_distribution":
        return banded_rank_heatmap_figure(frames.ranks, frames.sweep)
    return render_figure(frames, stem)  # raises for an unknown stem


# -- sensitivity ----------------------------------------------------------------------------------

def large_sensitivity_figure(table: pd.DataFrame, top: int = TOP_NAMED) -> Figure:
    """Top ``top`` models by name (left) and the whole field per schedule (right)."""
    order, totals = _ordered_schedules(table)
    meta = _model_meta(table)
    expected = table.pivot(index="model", columns="elimination", values="expected_score")
    half = table.assign(h=(table["mc_ci_high"] - table["mc_ci_low"]) / 2).pivot(
        index="model", columns="elimination", values="h")
    models = expected[order[-1]].sort_values(ascending=False, kind="stable").index
    expected, half = expected.loc[models, order], half.loc[models, order]
    n = len(models)
    shown = models[:top]
    palette = family_colors(list(meta["family"]))
    colors = meta.loc[shown, "family"].map(palette).to_numpy()
    figure = new_figure(15.0, 6.2)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1.0]})
    x = np.arange(len(shown), dtype=float)
    step = min(0.14, 0.6 / max(len(order) - 1, 1)) if len(order) > 1 else 0.0
    for position, schedule in enumerate(order):
        offset = (position - (len(order) - 1) / 2) * step
        values = expected.loc[shown, schedule].to_numpy(float)
        left.errorbar(x + offset, values, yerr=half.loc[shown, schedule].to_numpy(float),
                      fmt="none", ecolor=colors, elinewidth=0.8, zorder=1)
        left.scatter(x + offset, values, marker=schedule_marker(position), s=26, c=colors,
                     edgecolors="black", linewidths=0.4, zorder=3,
                     label=schedule_name(schedule, totals[schedule]))
    left.set_xticks(x)
    left.set_xticklabels(meta.loc[shown, "display_name"], rotation=90, fontsize=7)
    left.set_xlim(-0.7, len(shown) - 0.3)
    left.set_ylabel("expected win score E[S]")
    left.grid(axis="y", alpha=0.3)
    left.set_title(f"Top {len(shown)} of {n:,} by E[S] at {schedule_name(order[-1])}; "
                   "bars = 95% CI", fontsize=10)
    left.legend(fontsize=7, frameon=False, loc="upper right")
    positions = np.arange(1, n + 1)
    for i, schedule in enumerate(order):
        right.plot(positions, expected[schedule].to_numpy(float), linewidth=0.7,
                   color=HIGHLIGHT_COLORS[i % len(HIGHLIGHT_COLORS)],
                   label=schedule_name(schedule, totals[schedule]), rasterized=True)
    right.axvspan(0.5, len(shown) + 0.5, color="0.85", zorder=0, label=f"top {len(shown)}")
    right.set_xlim(0.5, n + 0.5)
    right.set_xlabel(f"model position by E[S] at {schedule_name(order[-1])} (1 = best)")
    right.set_ylabel("E[S]")
    right.grid(alpha=0.3)
    right.legend(fontsize=7, frameon=False)
    right.set_title(f"All {n:,} models (full table: sweep.csv)", fontsize=10)
    figure.subplots_adjust(bottom=0.32, wspace=0.18, left=0.06, right=0.98)
    return figure


# -- risk profile ---------------------------------------------------------------------------------

def large_risk_profile_figure(risk: pd.DataFrame, top: int = RISK_NAMED) -> Figure:
    """Hexbin density of every model's (base score, drop); named points for the top and extremes."""
    n = len(risk)
    figure = new_figure(12.0, 8.0)
    ax = figure.subplots()
    x, y = risk["base_score"].to_numpy(float), risk["drop"].to_numpy(float)
    cells = ax.hexbin(x, y, gridsize=60, mincnt=1, cmap=colormaps["Greys"],
                      norm=LogNorm(), linewidths=0.2, zorder=1)
    figure.colorbar(cells, ax=ax, label="models per cell (log scale)", fraction=0.04, pad=0.02)
    chosen = label_choice(risk)
    best = np.argsort(-x, kind="stable")[:top]
    named = np.zeros(n, dtype=bool)
    named[best] = True
    named |= chosen
    meta = _model_meta(risk)
    palette = family_colors(list(meta["family"]))
    colors = meta["family"].map(palette).to_numpy()
    ax.errorbar(x[named], y[named], yerr=1.959964 * risk["drop_se"].to_numpy(float)[named],
                fmt="none", ecolor="0.45", elinewidth=0.6, zorder=2)
    ax.scatter(x[named], y[named], s=22, c=colors[named], edgecolors="black", linewidths=0.4,
               zorder=3)
    ax.axvline(np.median(x), color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(np.median(y), color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(0.0, color="0.4", linestyle=":", linewidth=0.8)
    ax.margins(0.05)
    base = schedule_name(str(risk["base_schedule"].iloc[0]))
    most = schedule_name(str(risk["most_schedule"].iloc[0]))
    ax.set_xlabel(f"base score E[S | {base}]")
    ax.set_ylabel(f"drop E[S | {most}] - E[S | {base}]")
    ax.set_title(f"Risk profile of {n:,} models: density (grey), top {len(best)} by base score "
                 "and extremes named; full table: risk_profile.csv", fontsize=10)
    ax.grid(alpha=0.25)
    texts = []
    if not (risk["profile"] == NO_CONTRAST).all():
        style = {"transform": ax.transAxes, "fontsize": 9, "color": "0.35", "style": "italic"}
        texts = [ax.text(0.99 if h == "right" else 0.01, 0.98 if v == "top" else 0.02, text,
                         ha=h, va=v, **style) for (h, v), text in QUADRANTS.items()]
    figure.draw_without_rendering()
    names = risk["display_name"].where(risk["display_name"].astype(bool), risk["model"])
    place_labels(ax, x[named], y[named], list(names.to_numpy()[named]), x[named], y[named],
                 fontsize=6.0, avoid=texts)
    return figure


# -- banded rank heatmap --------------------------------------------------------------------------

def rank_bands(n_models: int, top: int = TOP_NAMED, bands: int = RANK_BANDS) -> np.ndarray:
    """Row of each position 0..n-1 (by expected rank): the top one each, then equal bands."""
    top = min(top, n_models)
    rest = n_models - top
    size = max(1, math.ceil(rest / bands)) if rest else 1
    rows = np.arange(n_models)
    rows[top:] = top + (np.arange(rest) // size)
    return rows


def banded_rank_heatmap_figure(ranks: pd.DataFrame, table: pd.DataFrame,
                               schedules: list[str] | None = None, top: int = TOP_NAMED) -> Figure:
    """P(final rank) for the top models and for bands of the rest, ranks binned (module notes)."""
    order, totals = _ordered_schedules(table)
    panels = schedules or list(dict.fromkeys([order[0], order[-1]]))
    meta = _model_meta(table)
    n = len(meta)
    last = table[table["elimination"] == panels[-1]].set_index("model")
    models = last["expected_rank"].reindex(meta.index).sort_values(kind="stable").index
    row_of_position = rank_bands(n, top)
    n_rows = int(row_of_position[-1]) + 1
    row_of_model = pd.Series(row_of_position, index=models)
    members = np.bincount(row_of_position, minlength=n_rows).astype(float)
    width = max(1, math.ceil(n / RANK_COLUMNS))
    n_columns = math.ceil(n / width)
    labels = list(meta.loc[models[:min(top, n)], "display_name"])
    for row in range(min(top, n), n_rows):
        positions = np.flatnonzero(row_of_position == row)
        labels.append(f"models {positions[0] + 1:,}-{positions[-1] + 1:,} "
                      f"({len(positions)}, mean)")
    height = min(14.0, 1.6 + 0.16 * n_rows)
    figure = new_figure(1.6 + 6.0 * len(panels) + 1.2, height)
    axes = np.atleast_1d(figure.subplots(1, len(panels), sharey=True, squeeze=False)).ravel()
    matrices = []
    for label in panels:
        frame = ranks[ranks["elimination"] == label]
        matrix = np.zeros((n_rows, n_columns))
        np.add.at(matrix, (row_of_model.loc[frame["model"]].to_numpy(),
                           (frame["rank"].to_numpy(int) - 1) // width),
                  frame["probability"].to_numpy(float))
        matrices.append(matrix / members[:, None])
    vmax = max(float(m.max()) for m in matrices) or 1.0
    cmap = colormaps["YlGnBu"].with_extremes(bad="white")
    image = None
    for ax, label, matrix in zip(axes, panels, matrices):
        image = ax.imshow(np.ma.masked_equal(matrix, 0.0), aspect="auto", cmap=cmap, vmin=0.0,
                          vmax=vmax, interpolation="nearest",
                          extent=(0.5, n_columns * width + 0.5, n_rows - 0.5, -0.5))
        expected = table[table["elimination"] == label].set_index("model")["expected_rank"]
        dots = np.bincount(row_of_model.loc[models].to_numpy(),
                           weights=expected.reindex(models).to_numpy(float),
                           minlength=n_rows) / members
        ax.scatter(dots, np.arange(n_rows), s=8, c="white", edgecolors="black",
                   linewidths=0.4, zorder=3)
        ax.axhline(min(top, n) - 0.5, color="0.3", linewidth=0.8)
        ax.set_title(schedule_name(label, totals.get(label)), fontsize=9)
        ax.set_xlabel(f"final rank (bins of {width})" if width > 1 else "final rank")
        ax.tick_params(axis="x", labelsize=7)
    axes[0].set_yticks(np.arange(n_rows))
    axes[0].set_yticklabels(labels, fontsize=6)
    figure.subplots_adjust(top=1 - 0.75 / height, bottom=0.6 / height, left=0.2, wspace=0.08)
    figure.colorbar(image, ax=list(axes), label="P(final rank in bin); white = 0",
                    fraction=0.025, aspect=40, pad=0.02)
    figure.suptitle(f"Final rank distribution of {n:,} models: top {min(top, n)} one row each, "
                    "the rest in bands by expected rank (dot = expected rank; full table: "
                    "rank_distribution.csv)", fontsize=9, y=1 - 0.12 / height, va="top")
    return figure


__all__ = ["LARGE_FIELD", "TOP_NAMED", "banded_rank_heatmap_figure", "is_large",
           "large_risk_profile_figure", "large_sensitivity_figure", "rank_bands",
           "render_sweep_figure"]
