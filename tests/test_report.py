"""``swisssim report``: sections, tables, embedded figures, links, escaping, atomic output, and the
committed results (fresh CSVs equal the committed ones)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from conftest import REPO
from swisssim import load_scenario, simulate
from swisssim.analysis.bootstrap import INTERVAL_TARGET
from swisssim.analysis.compare import compare
from swisssim.cli.app import main
from swisssim.io.manifests import file_sha256
from swisssim.io.staging import RECORD
from swisssim.report.doc import Paragraph, inline, plain, prose
from swisssim.report.markdown import code_span, escape, render_block, slug
from swisssim.report.model import build_report, options_from_manifest, report_tables


def _make_results():
    """scripts/make_results.py, loaded from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_results", REPO / "scripts" /
                                                  "make_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_MAKE_RESULTS = _make_results()
compare_csv = _MAKE_RESULTS.compare_csv
kept_in_results = _MAKE_RESULTS.committed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NASTY = '<b>Evil & "Co"</b> | `x` **y**'
SECTIONS = ["scenario", "how-to-read", "headline", "sensitivity", "risk-profile", "survival",
            "comparison", "orders", "bootstrap", "files", "scenario-file", "manifest",
            "citation"]
TABLES = ["rounds-table", "scores-table", "settings-table", "headline-table", "profile-counts",
          "risk-table", "agreement-table", "rankings-table", "shifts-table", "orders-table", "bootstrap-table"]
FIGURES = 8   # sweep 4, compare 2, orders 1, bootstrap 1

SCORES = """model,r1,r2a,r2b,r3,r4
alpha,0.9,0.8,0.7,0.5,0.4
beta,0.5,0.6,0.9,0.8,0.9
gamma,0.7,0.7,0.6,0.6,0.6
delta,0.3,0.4,0.5,0.9,0.8
"{nasty}",0.6,0.5,0.5,0.4,0.3
zeta,0.2,0.3,0.2,0.3,0.2
""".replace("{nasty}", NASTY.replace('"', '""'))
MODELS = 'model,family,display_name\nalpha,A,Alpha\nbeta,B,Beta\ngamma,A,\n"{n}",B,"{n}"\n'.replace(
    "{n}", NASTY.replace('"', '""'))
TOML = '''name = "nasty"
description = "A <script>alert(1)</script> test & more; see *here* and [x](y)."
scores = "scores.csv"
models_file = "models.csv"
[[rounds]]
name = "first"
benchmarks = ["r1"]
[[rounds]]
name = "pair <2>"
benchmarks = ["r2a", "r2b"]
[[rounds]]
name = "third"
benchmarks = ["r3"]
[[rounds]]
name = "fourth"
benchmarks = ["r4"]
[simulation]
iterations = 400
seed = 5
'''


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scenario")
    (root / "scores.csv").write_text(SCORES)
    (root / "models.csv").write_text(MODELS)
    (root / "nasty.toml").write_text(TOML)
    return root / "nasty.toml"


@pytest.fixture(scope="module")
def full(scenario_path, tmp_path_factory) -> Path:
    """A report with every optional section (and the SVG copies)."""
    out = tmp_path_factory.mktemp("reports") / "full"
    assert main(["report", str(scenario_path), "--out", str(out), "--orders", "6",
                 "--bootstrap", "3", "--bootstrap-iterations", "200", "--no-progress",
                 "--svg"]) == 0
    return out


class _Page(HTMLParser):
    """Collect section ids, tables (id, header cells, rows), images and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tables: dict[str, dict] = {}
        self.images: list[dict] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self._table: str | None = None
        self._cell: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(attrs["id"])
        elif tag == "table":
            self._table = attrs["id"]
            self.tables[self._table] = {"header": [], "rows": []}
        elif tag == "tr" and self._table:
            self.tables[self._table]["rows"].append([])
        elif tag in ("th", "td") and self._table:
            self._cell, self._text = tag, ""
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "a":
            self.hrefs.append(attrs.get("href", ""))

    def handle_data(self, data):
        if self._cell:
            self._text += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell:
            table = self.tables[self._table]
            (table["header"] if tag == "th" else table["rows"][-1]).append(self._text)
            self._cell = None
        elif tag == "table":
            self._table = None


def _page(folder: Path) -> _Page:
    page = _Page()
    page.feed((folder / "report.html").read_text(encoding="utf-8"))
    return page


def test_report_has_every_section_and_table(full):
    page = _page(full)
    assert page.sections == SECTIONS
    assert list(page.tables) == TABLES
    headline = page.tables["headline-table"]
    assert headline["header"][:3] == ["#", "model", "family"]
    assert {"E[S] ± SE, T=0", "rank T=1", "E[S] ± SE, T=2", "drop T=0→2", "profile"} <= set(
        headline["header"])
    body = [row for row in headline["rows"] if row]
    assert len(body) == 6 and [row[0] for row in body] == [str(i) for i in range(1, 7)]
    summary = pd.read_csv(full / "summary.csv", keep_default_na=False)
    assert [row[1] for row in body] == list(summary["display_name"])
    assert [r for r in page.tables["rankings-table"]["rows"] if r].__len__() == 6
    assert page.tables["rounds-table"]["rows"][2][1:3] == ["pair <2>", "r2a, r2b"]
    assert_only_the_hashed_script(full / "report.html")


def assert_only_the_hashed_script(path: Path) -> None:
    """One executable inline script, allowed by its SHA-256 in the page's policy (and nothing
    else may run), plus the JSON data block of the model details."""
    text = path.read_text(encoding="utf-8")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, flags=re.S)
    executable = [body for attributes, body in scripts if "application/json" not in attributes]
    assert len(executable) == 1 and all("src=" not in a for a, _ in scripts)
    digest = base64.b64encode(hashlib.sha256(executable[0].encode()).digest()).decode()
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert f"script-src &#x27;sha256-{digest}&#x27;" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1]


def test_linked_figures_are_the_png_files_beside_the_page(scenario_path, tmp_path):
    # --link-figures (results/ uses it): every figure byte is stored once, in its PNG file.
    out = tmp_path / "linked"
    assert main(["report", str(scenario_path), "--out", str(out), "--link-figures", "--no-svg",
                 "--no-progress"]) == 0
    page = _page(out)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert len(page.images) == 6 and "data:image" not in text   # sweep 4, compare 2
    pngs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert sorted(image["src"] for image in page.images) == pngs
    for image in page.images:
        with Image.open(out / image["src"]) as decoded:
            assert [int(image["width"]), int(image["height"])] == [
                round(v * 96 / 150) for v in decoded.size]
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert policy.startswith("default-src &#x27;none&#x27;; img-src &#x27;self&#x27; file: data:")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report"]["figures_embedded"] is False


def test_embedded_images_are_png_and_nothing_is_fetched(full):
    page = _page(full)
    assert len(page.images) == FIGURES
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,")
        data = base64.b64decode(image["src"].split(",", 1)[1], validate=True)
        assert data[:8] == PNG_MAGIC
        with Image.open(io.BytesIO(data)) as decoded:
            decoded.verify()
        assert image["alt"] and int(image["width"]) > 0 and int(image["height"]) > 0
    text = (full / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text
    assert_only_the_hashed_script(full / "report.html")
    external = [h for h in page.hrefs if re.match(r"[a-z]+:", h)]
    assert set(external) == {"https://arxiv.org/abs/2512.21010"}
    for href in page.hrefs:
        if not href.startswith(("#", "https:")):
            assert (full / href).is_file(), href


def test_markdown_links_resolve_and_anchors_match_headings(full):
    text = (full / "report.md").read_text(encoding="utf-8")
    text = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", text, flags=re.M | re.S)  # fenced code
    targets = re.findall(r"(?<!\\)\]\(([^)\s]+)\)", text)
    files = [t for t in targets if not t.startswith(("#", "http"))]
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert len(images) == FIGURES and all(t.endswith(".png") for t in images)
    for target in files:
        assert (full / target).is_file(), target
    headings = {slug(h) for h in re.findall(r"^## (.+)$", text, flags=re.M)}
    anchors = [t[1:] for t in targets if t.startswith("#")]
    assert len(anchors) == len(SECTIONS) and set(anchors) <= headings


def test_text_from_the_data_is_escaped(full):
    html_text = (full / "report.html").read_text(encoding="utf-8")
    assert "<b>Evil" not in html_text and "<script>alert" not in html_text
    assert "&lt;b&gt;Evil &amp; &quot;Co&quot;&lt;/b&gt; | `x` **y**" in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    md = (full / "report.md").read_text(encoding="utf-8")
    prose_md = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", md, flags=re.M | re.S)
    assert "<script>" in md and not re.search(r"(?<!\\)<[A-Za-z/]", prose_md)
    lines = md.splitlines()
    start = lines.index("| # | model | family | E[S] ± SE, T=0 | rank T=0 | E[S] ± SE, T=1 | "
                        "rank T=1 | E[S] ± SE, T=2 | rank T=2 | drop T=0→2 | profile |")
    rows = lines[start + 2:start + 8]
    nasty = [row for row in rows if "Evil" in row]
    assert len(nasty) == 1 and "\\`x\\`" in nasty[0] and "\\*\\*y\\*\\*" in nasty[0]
    for row in rows:   # unescaped pipes delimit exactly the 11 columns
        assert len(re.findall(r"(?<!\\)\|", row)) == 12


def test_manifest_lists_exactly_the_files_and_the_sweep_simulation_is_reused(full):
    manifest = json.loads((full / "manifest.json").read_text())
    assert manifest["command"] == "report"
    assert {"simulation", "sweep", "comparison", "orders", "bootstrap"} <= set(manifest)
    written = sorted(p.relative_to(full).as_posix() for p in full.rglob("*") if p.is_file()
                     and p.name != RECORD)   # the record of what the run wrote: hidden
    assert written == manifest["report"]["files"]
    assert any(name.endswith(".svg") for name in written)
    for folder in ("sweep", "compare", "orders", "bootstrap"):
        part = json.loads((full / folder / "manifest.json").read_text())
        assert part["scenario"] == manifest["scenario"]
    assert manifest["comparison"]["seconds"]["csd"] == manifest["simulation"][
        "simulation_seconds"]
    assert not [p for p in full.parent.iterdir() if ".partial-" in p.name]


def test_written_csvs_equal_a_rebuild_from_the_manifest(full, scenario_path):
    manifest = json.loads((full / "manifest.json").read_text())
    report = build_report(load_scenario(scenario_path), **options_from_manifest(manifest))
    tables = report_tables(report)
    assert sorted(tables) == sorted(n for n in manifest["report"]["files"] if n.endswith(".csv"))
    for name, frame in tables.items():
        fresh = pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False,
                            na_values=[""])
        committed = pd.read_csv(full / name, keep_default_na=False, na_values=[""])
        assert compare_csv(committed, fresh) == [], name


def test_build_report_simulates_once(scenario_path, monkeypatch):
    import swisssim.engine.simulation
    import swisssim.report.model

    calls = []
    original = swisssim.engine.simulation.simulate

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("compare() simulated a second time")

    monkeypatch.setattr(swisssim.report.model, "simulate", counted)
    monkeypatch.setattr(swisssim.engine.simulation, "simulate", refuse)   # what compare() calls
    report = build_report(load_scenario(scenario_path), iterations=100)
    assert len(calls) == 1
    assert report.comparison.simulation is report.sweep.result


def test_optional_sections_appear_only_when_asked(scenario_path, tmp_path):
    out = tmp_path / "plain"     # the defaults: PNG figures only
    assert main(["report", str(scenario_path), "--out", str(out), "-n", "200",
                 "--no-progress"]) == 0
    page = _page(out)
    assert page.sections == [s for s in SECTIONS if s not in ("orders", "bootstrap")]
    assert len(page.images) == FIGURES - 2
    assert not (out / "orders").exists() and not (out / "bootstrap").exists()
    assert not list(out.rglob("*.svg"))
    out = tmp_path / "orders"
    assert main(["report", str(scenario_path), "--out", str(out), "-n", "200", "--no-progress",
                 "--orders", "3", "--palette-png", "--no-svg"]) == 0
    assert "orders" in _page(out).sections and "bootstrap" not in _page(out).sections
    with Image.open(out / "sweep" / "figures" / "sensitivity.png") as image:
        assert image.mode == "P"
    assert not list(out.rglob("*.svg"))    # --no-svg, the default, is still accepted


@pytest.mark.parametrize("extra", [
    ["--orders", "0"], ["--bootstrap", "-1"], ["--bootstrap-iterations", "100"],
    ["--orders-iterations", "100"], ["-n", "0"], ["-T", "1,1"], ["--threads", "999"],
    ["--label-z", "-1"], ["--dpi", "5"], ["--seed", "-3"], ["--tie-break", "sideways"],
])
def test_bad_input_exits_2_and_writes_nothing(scenario_path, tmp_path, capsys, extra):
    out = tmp_path / "out"
    assert main(["report", str(scenario_path), "--out", str(out), "--no-progress", *extra]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_missing_scenario_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "absent.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "absent.toml" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_failure_while_writing_leaves_the_folder_untouched(scenario_path, tmp_path,
                                                         monkeypatch):
    import swisssim.report.writer

    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    (out / "manifest.json").write_text('{"command": "report", "environment": {"swisssim": "0"}}')

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(swisssim.report.writer, "render_html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        main(["report", str(scenario_path), "--out", str(out), "-n", "100", "--no-progress",
              "--no-svg"])
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_compare_reuses_a_given_simulation(scenario_path):
    scenario = load_scenario(scenario_path)
    result = simulate(scenario, iterations=300, seed=2, elimination=[0, 1])
    given = compare(scenario, simulation=result)
    fresh = compare(scenario, iterations=300, seed=2, elimination=[0, 1])
    pd.testing.assert_frame_equal(given.scores, fresh.scores)
    assert given.simulation is result
    with pytest.raises(ValueError, match="iterations"):
        compare(scenario, simulation=result, iterations=300)
    other = load_scenario(REPO / "scenarios" / "helm_capabilities.toml")
    with pytest.raises(ValueError, match="scenario"):
        compare(other, simulation=result)


def test_markdown_escaping_and_code_spans():
    assert escape("a|b", table=True) == "a\\|b"
    assert escape("E[S | T=2] drop_z [x](y) <b> 2*3") == "E[S | T=2] drop_z [x\\](y) \\<b> 2\\*3"
    assert code_span("a`b") == "``a`b``" and code_span("`x") == "`` `x ``"
    assert render_block(Paragraph(inline(plain("- not a list")))) == "\\- not a list"
    assert render_block(Paragraph(inline(plain("12. not a list")))) == "12\\. not a list"
    spans = prose("a **b** *c* `d` [e](f.csv)")
    assert [s.kind for s in spans] == ["text", "strong", "text", "em", "text", "code", "text",
                                       "link"]


# -- the committed results ------------------------------------------------------------------------

SHIPPED = sorted((REPO / "scenarios").glob("*.toml"))


#: Scenarios added on a branch whose results/ folder the lead generates after merging (branches
#: never commit results/). Remove a name once its folder is committed.
RESULTS_PENDING: set[str] = set()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_committed_results_match_the_shipped_scenarios(path):
    folder = REPO / "results" / path.stem
    if path.stem in RESULTS_PENDING and not folder.exists():
        pytest.skip(f"results/{path.stem} is generated after merging (RESULTS_PENDING)")
    n_models = load_scenario(path).n_models
    for name in ("report.html", "report.md", "summary.csv", "manifest.json",
                 "sweep/sweep.csv", "compare/rankings.csv"):
        if kept_in_results(name, n_models):
            assert (folder / name).is_file(), f"results/{path.stem}/{name} is missing"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["sha256"] == file_sha256(path), (
        f"results/{path.stem} is stale: regenerate it with python scripts/make_results.py")
    for data, digest in manifest["scenario"]["data_files"].items():
        assert file_sha256(REPO / data) == digest, data
    assert manifest["simulation"]["seed"] == 0
    assert manifest["simulation"]["iterations"] == load_scenario(path).simulation.iterations
    # exactly what scripts/make_results.py keeps of what the report wrote (results/README.md)
    assert sorted(n for n in manifest["report"]["files"] if kept_in_results(n, n_models)) == (
        sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
               and p.name != RECORD))


#: What results/ may hold (scripts/make_results.py keeps it small): linked figures at 100 dpi,
#: the golden subset of tables, model details only for the models a page links to, and a sampled
#: bump chart for the 4,500-model field (about 9.4 MB; 1.0 MB of it that field's summary.csv).
RESULTS_BUDGET_MB = 10


def test_committed_results_are_affordable():
    # no figure stored twice (report.html links the PNGs), and the whole folder in its budget
    results = REPO / "results"
    total = sum(p.stat().st_size for p in results.rglob("*") if p.is_file())
    embedded = [p.parent.name for p in results.glob("*/report.html")
                if "data:image/png" in p.read_text(encoding="utf-8")]
    if embedded:
        pytest.skip(f"results/ predate --link-figures ({', '.join(embedded)} embed their "
                    "figures): regenerate them with python scripts/make_results.py")
    assert total < RESULTS_BUDGET_MB * 1e6, f"results/ holds {total / 1e6:.1f} MB"


@pytest.mark.slow
def test_regenerated_csvs_equal_the_committed_ones():
    """helm_capabilities at its committed settings (100,000 iterations, 120 orders): seconds."""
    folder = REPO / "results" / "helm_capabilities"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    header = pd.read_csv(folder / "sweep" / "risk_profile.csv", nrows=0).columns
    if "drop_expected" not in header:
        pytest.skip("results/ predate the labels' drop trend (no drop_expected column): "
                    "regenerate them with python scripts/make_results.py")
    scenario = load_scenario(REPO / "scenarios" / "helm_capabilities.toml")
    report = build_report(scenario, **options_from_manifest(manifest))
    tables = report_tables(report)
    assert sorted(tables) == sorted(n for n in manifest["report"]["files"] if n.endswith(".csv"))
    for name, frame in tables.items():
        if not kept_in_results(name, scenario.n_models):   # a bulk table, not committed
            assert not (folder / name).exists(), name
            continue
        fresh = pd.read_csv(io.StringIO(frame.to_csv(index=False)), keep_default_na=False,
                            na_values=[""])
        committed = pd.read_csv(folder / name, keep_default_na=False, na_values=[""])
        assert compare_csv(committed, fresh) == [], name
    expected = pd.read_csv(folder / "sweep" / "sweep.csv", dtype={"elimination": str})
    assert np.array_equal(expected["expected_score"].to_numpy(),
                          report.sweep.table()["expected_score"].to_numpy())


def test_uncertainty_wording_and_files(full):
    text = (full / "report.md").read_text(encoding="utf-8")
    assert "statistically tied" not in text
    assert "Rank (UB)" in text and "significantly better than every model below" in text
    assert "keeps labels from depending on the seed" not in text    # the calibration contradicts it
    assert "exchangeable" in text and "section 7.6" in text
    # One-benchmark rounds borrow the other rounds' spread, and the report names them.
    assert "uncertainty is borrowed" in text and "third, fourth" in text
    boot = pd.read_csv(full / "bootstrap" / "bootstrap.csv")
    assert (boot["interval_target"] == INTERVAL_TARGET).all()
    assert boot["interval_method"].str.contains("n-1 of n").all()
    assert "one opinion, not several" in text or "Elo's own noise" in text
    for name in ("bootstrap.csv", "tiers.csv", "pairwise.csv"):
        assert (full / "bootstrap" / name).is_file(), name
    assert "carry no uncertainty information" not in text   # pair round resampled


def test_report_says_when_the_data_carry_no_uncertainty(tmp_path, write_scenario):
    from conftest import TINY_CSV, TINY_TOML

    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "rep"
    assert main(["report", str(path), "--out", str(out), "-n", "300", "--no-progress"]) == 0
    assert "carry no uncertainty information" in (out / "report.md").read_text(encoding="utf-8")


def test_a_point_estimate_outside_its_interval_is_explained(full):
    """A model whose E[S] lies outside its own percentile interval is counted and
    explained in the report (the interval targets E[S] on fresh benchmarks, and
    ``resampling_shift`` says which way resampling moved it); with none outside, no such
    sentence. The count is recomputed here from bootstrap.csv, not taken from the report."""
    text = (full / "report.md").read_text(encoding="utf-8")
    base = str(pd.read_csv(full / "sweep" / "risk_profile.csv")["base_schedule"].iloc[0])
    boot = pd.read_csv(full / "bootstrap" / "bootstrap.csv", dtype={"elimination": str})
    part = boot[boot["elimination"] == base]
    assert len(part) and "resampling_shift" in boot.columns
    above = part["expected_score"] > part["score_high"]
    below = part["expected_score"] < part["score_low"]
    outside = int((above | below).sum())
    if outside:
        assert f"{outside} model(s) lie outside their own interval" in text
        # Outside above the interval: the replicates moved down, and vice versa.
        assert (part.loc[above, "resampling_shift"] < 0).all()
        assert (part.loc[below, "resampling_shift"] > 0).all()
    else:
        assert "outside their own interval" not in text
    assert "fresh draws of as many benchmarks per round" in text   # the stated target
