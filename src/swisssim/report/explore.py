"""What makes ``report.html`` explorable: its one inline script and the per-model data it shows.

The script (``explore.js`` beside this module, no framework, no network) makes every table
sortable (click or Enter on a header; numbers sort as numbers) and filterable (a search box
above it), and shows a model's **rank distribution and survival** when a link ``#model-<i>`` in
a table's ``model`` column is followed. The per-model data are read from the sweep folder of the
report (``sweep/sweep.csv``, ``rank_distribution.csv``, ``survival.csv``; docs/method.md) and
embedded as JSON (``<script type="application/json">``, which is never executed). Rank
probabilities below :data:`MIN_PROBABILITY` are left out to keep large fields small, and
:func:`swisssim.report.html.linked_only` embeds only the models that the page's tables link to
(``null`` for the others: a large field's tables list a few hundred of its models).

Hover titles of figure points come from ``<figure>.points.json`` (written by
:func:`swisssim.io.figures.save_figure`) and are drawn by :mod:`swisssim.report.html` as an
inline SVG over the image, one ``<title>`` per point.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

#: Rank probabilities below this are not embedded in the page.
MIN_PROBABILITY = 5e-4


def script() -> str:
    """The report's inline script."""
    return resources.files("swisssim.report").joinpath("explore.js").read_text(encoding="utf-8")


def script_hash(text: str) -> str:
    """The CSP source ``'sha256-...'`` that allows exactly this inline script."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def model_data(root: Path) -> dict[str, Any] | None:
    """Per-model expected scores, rank distributions and survival from ``root/sweep/``; None
    when the report has no sweep folder.

    Returns ``{"schedules", "rounds", "n_models", "models": [{"name", "display", "family",
    "scores": {label: [E, SE]}, "ranks": {label: [[rank, p], ...]}, "survival": {label:
    [P(active) after round k]}}]}``.
    """
    folder = root / "sweep"
    names = ("sweep.csv", "rank_distribution.csv", "survival.csv")
    if not all((folder / n).is_file() for n in names):
        return None
    read = {"keep_default_na": False, "dtype": {"elimination": str, "model": str}}
    sweep = pd.read_csv(folder / "sweep.csv", **read)
    ranks = pd.read_csv(folder / "rank_distribution.csv", **read)
    survival = pd.read_csv(folder / "survival.csv", **read)
    schedules = list(dict.fromkeys(sweep["elimination"]))
    rounds = list(dict.fromkeys(survival.sort_values("round", kind="stable")["round_name"]))
    models = list(dict.fromkeys(sweep["model"]))
    meta = sweep.drop_duplicates("model").set_index("model")
    ranks = ranks[ranks["probability"] >= MIN_PROBABILITY]
    rank_groups = {key: g for key, g in ranks.groupby(["model", "elimination"], sort=False)}
    survival_groups = {key: g.sort_values("round")["p_active"].round(4).tolist()
                       for key, g in survival.groupby(["model", "elimination"], sort=False)}
    score_rows = {(r.model, r.elimination): [round(float(r.expected_score), 4),
                                             round(float(r.std_error), 4)]
                  for r in sweep.itertuples()}
    out = []
    for model in models:
        display = str(meta.at[model, "display_name"]) if "display_name" in meta else model
        out.append({
            "name": model, "display": display or model,
            "family": str(meta.at[model, "family"]) if "family" in meta else "",
            "scores": {s: score_rows[(model, s)] for s in schedules if (model, s) in score_rows},
            "ranks": {s: [[int(r), round(float(p), 4)] for r, p in
                          zip(rank_groups[(model, s)]["rank"],
                              rank_groups[(model, s)]["probability"])]
                      for s in schedules if (model, s) in rank_groups},
            "survival": {s: survival_groups[(model, s)] for s in schedules
                         if (model, s) in survival_groups},
        })
    return {"schedules": schedules, "rounds": rounds, "n_models": len(models), "models": out}


def embedded_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` are
    written as ``\\u003c``, ``\\u003e`` and ``\\u0026``, so no text of the data can close the
    element or read as markup."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
