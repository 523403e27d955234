"""Figures: matplotlib figure builders that take result objects (or their tables).

Single-panel figures draw on an optional ``ax=`` and multi-panel ones into an optional
``figure=`` (a Figure or SubFigure); each returns the figure drawn on. Figures are plain
``matplotlib.figure.Figure`` objects (no pyplot), so importing this package never switches the
user's backend, and in a notebook a returned figure displays itself.
"""

from __future__ import annotations

from swisssim._lazy import lazy_namespace

_EXPORTS = {
    "expected_scores_figure": "swisssim.plots.scores",
    "sensitivity_figure": "swisssim.plots.sweep",
    "risk_profile_figure": "swisssim.plots.sweep",
    "survival_figure": "swisssim.plots.sweep",
    "rank_heatmap_figure": "swisssim.plots.sweep",
    "bump_chart": "swisssim.plots.compare",
    "correlation_heatmap": "swisssim.plots.compare",
    "probe_chart": "swisssim.plots.compare",
    "order_spread_figure": "swisssim.plots.uncertainty",
    "rank_interval_figure": "swisssim.plots.uncertainty",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_namespace("swisssim.plots", globals(), _EXPORTS)
