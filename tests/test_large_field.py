"""Large fields: the figures switch to their summary forms and the report says what it left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swisssim import Scenario
from swisssim.analysis.sweep import sweep
from swisssim.io.readback import read_sweep_folder
from swisssim.io.writers import write_sweep
from swisssim.plots.large import (
    LARGE_FIELD,
    TOP_NAMED,
    banded_rank_heatmap_figure,
    is_large,
    rank_bands,
)
from swisssim.report.doc import Paragraph
from swisssim.report.large import TABLE_ROWS, limit_rows

N_MODELS = LARGE_FIELD + 90


def _scenario(n_models: int) -> Scenario:
    rng = np.random.default_rng(5)
    ability = rng.normal(size=n_models)
    scores = ability[:, None] + rng.normal(0.0, 0.7, size=(n_models, 6))
    names = [f"org{i % 17}/Model-{i:04d}" for i in range(n_models)]
    frame = pd.DataFrame(scores, columns=[f"b{j}" for j in range(6)])
    frame.insert(0, "model", names)
    return Scenario.from_dataframe(frame, name="large_field")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("large") / "sweep"
    write_sweep(sweep(_scenario(N_MODELS), iterations=200, seed=3), root, ["test"])
    return root


def test_threshold():
    assert not is_large(LARGE_FIELD) and is_large(LARGE_FIELD + 1)


def test_every_summary_figure_is_written(folder):
    for stem in ("sensitivity", "risk_profile", "survival", "rank_distribution"):
        png = folder / "figures" / f"{stem}.png"
        assert png.is_file() and png.stat().st_size > 10_000


def test_rank_bands_keep_the_top_and_cover_the_rest_in_order():
    rows = rank_bands(1_000, top=30, bands=40)
    assert rows[:30].tolist() == list(range(30))
    assert np.all(np.diff(rows) >= 0) and np.all(np.diff(rows) <= 1)
    assert rows[-1] + 1 <= 30 + 40
    assert rank_bands(10, top=30).tolist() == list(range(10))


def test_banded_heatmap_rows_are_probability_distributions(folder):
    frames = read_sweep_folder(folder)
    figure = banded_rank_heatmap_figure(frames.ranks, frames.sweep)
    image = figure.axes[0].images[0].get_array()
    totals = np.asarray(image.filled(0.0)).sum(axis=1)
    # each row (a model, or the mean of a band) sums to one over the rank bins
    np.testing.assert_allclose(totals, 1.0, atol=1e-9)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == len(totals) and labels[TOP_NAMED].startswith("models 31-")


def test_report_tables_of_a_large_field_are_cut_with_a_note():
    rows = tuple((str(i),) for i in range(N_MODELS))
    shown, notes = limit_rows(rows, N_MODELS, "summary.csv")
    assert shown == rows[:TABLE_ROWS]
    assert len(notes) == 1 and isinstance(notes[0], Paragraph)
    text = "".join(span.text for span in notes[0].spans)
    assert f"leaves out {N_MODELS - TABLE_ROWS}" in text and "summary.csv" in text
    small = rows[:LARGE_FIELD]
    assert limit_rows(small, LARGE_FIELD, "summary.csv") == (small, ())


def test_the_page_embeds_details_only_for_the_models_it_links_to(folder):
    """A large field's tables list a few hundred models; the model-detail JSON holds those and
    ``null`` for the rest (the page has no way to show them), with indices unchanged."""
    import json
    import re

    from swisssim.report.doc import Document, Section, Table
    from swisssim.report.html import render_html

    names = read_sweep_folder(folder).sweep.drop_duplicates("model")["model"].tolist()
    shown = [names[0], names[7], names[-1]]
    table = Table(id="t", caption=(), header=("model",), rows=tuple((n,) for n in shown))
    page = render_html(Document("large", (), (Section("s", "S", (table,)),)), folder.parent)
    data = json.loads(re.search(r'id="model-data">(.*?)</script>', page, re.S).group(1))
    assert data["n_models"] == len(data["models"]) == N_MODELS
    kept = [i for i, m in enumerate(data["models"]) if m is not None]
    assert kept == [0, 7, N_MODELS - 1]
    assert [data["models"][i]["name"] for i in kept] == shown
    links = sorted(int(i) for i in re.findall(r'href="#model-(\d+)"', page))
    assert links == kept
