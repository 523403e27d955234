"""Expected win scores of one simulation: a dot with its 95% interval per model."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from swisssim.engine.results import Z95, SimulationResult
from swisssim.plots.style import family_colors, figure_and_axes, label_fontsize, width_for


def expected_scores_figure(result: SimulationResult, schedule: object = None, *,
                           top: int | None = None, ax: Axes | None = None) -> Figure:
    """E[S] of every model with its 95% Monte Carlo interval, best first.

    Parameters
    ----------
    result
        A simulation (:func:`swisssim.simulate`).
    schedule
        The schedule by its label, as :meth:`SimulationResult.schedule_index` takes it (``2``,
        ``"2"``, ``"10%"``; default: the first schedule); an unknown label is an
        :class:`~swisssim.errors.InputError` listing the labels.
    top
        Show only the ``top`` best models (default: all).
    ax
        Axes to draw on (default: a new figure sized for the field).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given).
    """
    s = 0 if schedule is None else result.schedule_index(schedule)
    expected, error = result.expected()[s], result.std_error()[s]
    order = np.lexsort((np.arange(expected.size), -expected))
    if top is not None:
        order = order[:top]
    models = result.scenario.models
    names = [result.scenario.model_names[i] for i in order]
    families = [str(models.at[name, "family"]) for name in names]
    colors = family_colors(families)
    n = len(names)
    figure, ax = figure_and_axes(ax, width_for(n, per_item=0.25), 4.2)
    x = np.arange(n)
    ax.errorbar(x, expected[order], yerr=Z95 * error[order], fmt="none", ecolor="#555555",
                elinewidth=0.8, capsize=0, zorder=1)
    ax.scatter(x, expected[order], c=[colors[f] for f in families], s=18, zorder=2)
    ax.set_xticks(x, [str(models.at[name, "display_name"]) for name in names], rotation=90,
                  fontsize=label_fontsize(n))
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_ylabel("expected win score E[S]")
    ax.set_title(f"{result.scenario.name}: T = {result.labels[s]}, {result.iterations:,} "
                 "tournaments (bars: 95% Monte Carlo interval)", fontsize=9)
    ax.grid(axis="y", color="#eeeeee")
    return figure


__all__ = ["expected_scores_figure"]
