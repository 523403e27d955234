"""Names, labels and size thresholds of the figures, without importing matplotlib.

The report's text and the writers of result folders need these; importing them from here
keeps matplotlib out of a process whose figures are drawn by a figure worker
(:mod:`swisssim.io.figures`).
"""

from __future__ import annotations

#: The sweep figures and their file stems under ``figures/``.
FIGURE_STEMS = ("sensitivity", "risk_profile", "survival", "rank_distribution")
#: Above this many models the sweep figures switch to their large-field forms
#: (:mod:`swisssim.plots.large`), and the report shows the top rows of its per-model tables.
LARGE_FIELD = 150

#: Models labelled in the bump chart by the sort method (plus the biggest movers).
BUMP_TOP = 15
#: Thin background lines of the bump chart drawn at most: above it, an evenly spaced sample of
#: the other models (one in k, in the order of the sort method). 4,500 lines on 2,400 pixel
#: rows are a texture that shows nothing and costs 2 MB of PNG; a sample keeps the crossings
#: readable.
BUMP_BACKGROUND = 300


def is_large(n_models: int) -> bool:
    """True when a field of ``n_models`` is drawn with the summary figures of
    :mod:`swisssim.plots.large`."""
    return n_models > LARGE_FIELD


def sweep_figure_marks_points(stem: str, n_models: int) -> bool:
    """Whether the sweep figure ``stem`` marks its points for hover titles
    (:func:`swisssim.plots.style.mark_points`): the sensitivity and risk-profile scatters of a
    field drawn model by model. :class:`swisssim.io.figures.FigureRecipe` checks it."""
    return stem in ("sensitivity", "risk_profile") and not is_large(n_models)


def schedule_name(label: str, total: int | None = None) -> str:
    """Legend text for a schedule label: ``T = 1``, ``T = 10% of active``, ``T_k = 0,1,...``."""
    if label.endswith("%"):
        text = f"T = {label} of active"
    elif "," in label:
        text = "T_k = " + (label if len(label) <= 23 else label[:20] + "...")
    else:
        text = f"T = {label}"
    if total is not None:
        text += " (no elimination)" if total == 0 else f" ({total} out)"
    return text
