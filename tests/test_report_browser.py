"""``report.html`` in headless Chromium: it loads from disk without console or page errors and
without any network request, every image decodes, the key tables are there, and the page is not
blank.

Needs the ``playwright`` Python package (the ``test`` extra) and a Chromium binary: Debian's
``chromium`` package (``.ci/run`` installs it), ``chromium-browser``, or the path in
``SWISSSIM_CHROMIUM``. Playwright's own browser downloads are never used. Without either, the
tests skip and say why.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from swisssim.cli.app import main

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed "
    "(pip install -e '.[test]')")


def chromium_binary() -> str | None:
    """``$SWISSSIM_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH."""
    for candidate in (os.environ.get("SWISSSIM_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


CHROMIUM = chromium_binary()
pytestmark = [pytest.mark.external, pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium binary found: install Debian's 'chromium' package "
    "(apt-get install chromium), or set SWISSSIM_CHROMIUM to a Chromium executable")]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The report of helm_capabilities (3,000 iterations, orders and a bootstrap) in Chromium."""
    out = tmp_path_factory.mktemp("browser") / "helm"
    assert main(["report", str(REPO / "scenarios" / "helm_capabilities.toml"), "--out", str(out),
                 "-n", "3000", "--orders", "6", "--orders-iterations", "1000", "--bootstrap", "3",
                 "--bootstrap-iterations", "500", "--no-svg", "--no-progress"]) == 0
    events: dict[str, list] = {"console": [], "pageerror": [], "requests": [], "failed": []}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: events["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: events["pageerror"].append(str(e)))
            page.on("request", lambda r: events["requests"].append(r.url))
            page.on("requestfailed", lambda r: events["failed"].append(r.url))
            page.goto((out / "report.html").as_uri(), wait_until="load")
            state = page.evaluate("""() => ({
                images: Array.from(document.images).map(i => ({
                    complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
                    alt: i.alt})),
                tables: Object.fromEntries(Array.from(document.querySelectorAll('table')).map(
                    t => [t.id, {header: Array.from(t.querySelectorAll('thead th')).map(
                        th => th.textContent), rows: t.querySelectorAll('tbody tr').length}])),
                sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
                title: document.title,
                height: document.documentElement.scrollHeight,
            })""")
            screenshot = page.screenshot(full_page=True)
            explored = explore(page)
        finally:
            browser.close()
    return {"out": out, "events": events, "state": state, "screenshot": screenshot,
            "explored": explored}


def column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{index}].textContent.trim())")


def explore(page) -> dict:
    """Sort, filter, hover and follow a model link, recording what the page shows."""
    out: dict = {}
    header = page.eval_on_selector_all("#headline-table thead th", "t => t.map(h => h.textContent)")
    es = header.index("E[S] ± SE, T=2")
    out["before"] = column(page, "headline-table", es)
    page.click(f"#headline-table thead th:nth-child({es + 1})")
    out["ascending"] = column(page, "headline-table", es)
    page.click(f"#headline-table thead th:nth-child({es + 1})")
    out["descending"] = column(page, "headline-table", es)
    name = header.index("model")
    page.click(f"#headline-table thead th:nth-child({name + 1})")
    out["by_name"] = column(page, "headline-table", name)
    out["by_name_expected"] = page.evaluate("n => n.slice().sort((a, b) => a.localeCompare(b))",
                                            out["by_name"])
    out["aria_sort"] = page.get_attribute(f"#headline-table thead th:nth-child({name + 1})",
                                          "aria-sort")
    out["filters"] = page.eval_on_selector_all("input.table-filter", "b => b.length")
    out["tables"] = page.eval_on_selector_all("main table", "t => t.length")
    box = page.locator("#headline-table-caption + .table-tools input, "
                       ".table-tools:has(+ .table-wrap #headline-table) input").first
    box.fill("claude")
    out["filtered"] = column(page, "headline-table", name)
    box.fill("")
    out["unfiltered"] = column(page, "headline-table", name)
    point = page.locator("#fig-sweep-figures-risk_profile svg.points circle").first
    out["risk_titles"] = page.eval_on_selector_all(
        "#fig-sweep-figures-risk_profile svg.points circle title", "t => t.map(x => x.textContent)")
    out["sensitivity_points"] = page.eval_on_selector_all(
        "#fig-sweep-figures-sensitivity svg.points circle", "c => c.length")
    point.hover()
    out["hovered"] = page.evaluate("() => { const c = document.querySelector("
                                   "'#fig-sweep-figures-risk_profile svg.points circle:hover');"
                                   " return c ? c.querySelector('title').textContent : null; }")
    link = page.locator("#headline-table a.model-link").first
    out["link_text"] = link.text_content()
    link.click()
    page.wait_for_selector("#model-detail:not([hidden]) h3")
    out["detail_title"] = page.text_content("#model-detail h3")
    out["detail_charts"] = page.eval_on_selector_all("#model-detail svg.detail-chart",
                                                     "c => c.length")
    out["detail_bars"] = page.eval_on_selector_all("#model-detail svg.detail-chart rect",
                                                   "r => r.length")
    return out


def test_page_loads_without_errors_or_network(loaded):
    events = loaded["events"]
    errors = [text for kind, text in events["console"] if kind == "error"]
    assert errors == [] and events["pageerror"] == [] and events["failed"] == []
    assert [url for url in events["requests"] if not url.startswith(("file:", "data:"))] == []
    assert loaded["state"]["title"] == "CSD report: helm_capabilities"


def test_every_image_loads(loaded):
    images = loaded["state"]["images"]
    assert len(images) == 8
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image["alt"]


def test_key_tables_are_present(loaded):
    tables = loaded["state"]["tables"]
    headline = tables["headline-table"]
    assert headline["header"][:3] == ["#", "model", "family"]
    assert "E[S] ± SE, T=0" in headline["header"] and "profile" in headline["header"]
    for name in ("headline-table", "risk-table", "rankings-table", "orders-table",
                 "bootstrap-table"):
        assert tables[name]["rows"] == 65, name
    assert tables["agreement-table"]["rows"] == 10
    assert {"rounds-table", "settings-table", "profile-counts", "shifts-table"} <= set(tables)
    assert loaded["state"]["sections"][:3] == ["scenario", "how-to-read", "headline"]


def test_screenshot_is_not_blank(loaded):
    from PIL import Image

    with Image.open(io.BytesIO(loaded["screenshot"])) as image:
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.shape[1] == 1280 and pixels.shape[0] >= 0.9 * loaded["state"]["height"]
    assert pixels.std() > 20
    assert (pixels < 200).mean() > 0.02


def number(cell: str) -> float:
    return float(cell.split(" ")[0])


def test_tables_sort_by_any_column(loaded):
    explored = loaded["explored"]
    values = [number(c) for c in explored["ascending"]]
    assert values == sorted(values) and len(values) == 65
    assert [number(c) for c in explored["descending"]] == sorted(values, reverse=True)
    assert sorted(explored["before"]) == sorted(explored["ascending"])
    assert explored["by_name"] == explored["by_name_expected"]  # the browser's collation
    assert explored["aria_sort"] == "ascending"


def test_tables_filter_with_a_search_box(loaded):
    explored = loaded["explored"]
    assert explored["filters"] == explored["tables"] >= 10
    summary = pd.read_csv(loaded["out"] / "summary.csv", keep_default_na=False)
    claude = {n for n in summary["display_name"] if "claude" in n.lower()}
    assert set(explored["filtered"]) == claude and len(claude) >= 3
    assert len(explored["unfiltered"]) == 65


def test_figure_points_name_their_model_on_hover(loaded):
    explored = loaded["explored"]
    titles = explored["risk_titles"]
    assert len(titles) == 65
    risk = pd.read_csv(loaded["out"] / "sweep" / "risk_profile.csv", keep_default_na=False)
    assert {t.split(": base")[0] for t in titles} == set(risk["display_name"])
    assert explored["hovered"] in titles
    assert explored["sensitivity_points"] == 65 * 3


def test_a_model_row_links_to_its_rank_distribution_and_survival(loaded):
    explored = loaded["explored"]
    assert explored["detail_title"].startswith(explored["link_text"])
    assert explored["detail_charts"] == 3 + 1  # a rank distribution per schedule, survival
    assert explored["detail_bars"] >= 3


def test_a_report_that_links_its_figures_shows_them_from_disk(tmp_path):
    # --link-figures (results/): the images are the PNG files beside the page; the page's
    # policy must let Chromium load them from disk, and still nothing from the network.
    out = tmp_path / "linked"
    assert main(["report", str(REPO / "scenarios" / "helm_capabilities.toml"), "--out", str(out),
                 "-n", "500", "--no-svg", "--link-figures", "--no-progress"]) == 0
    requests, failed, console = [], [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.goto((out / "report.html").as_uri(), wait_until="load")
            images = page.evaluate("() => Array.from(document.images).map(i => "
                                   "[i.getAttribute('src'), i.complete, i.naturalWidth])")
        finally:
            browser.close()
    assert len(images) == 6   # sweep 4, compare 2
    assert all(complete and width > 0 and (out / src).is_file()
               for src, complete, width in images), images
    assert failed == [] and [t for kind, t in console if kind == "error"] == []
    assert [url for url in requests if not url.startswith("file:")] == []
