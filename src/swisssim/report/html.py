"""Render a report :class:`~swisssim.report.doc.Document` as one self-contained HTML file.

The page needs nothing but itself: figures are embedded as base64 PNG data URIs, the CSS is
inline, and a Content-Security-Policy forbids every request except data-URI images (links to the
CSV files beside the report only act when clicked). Every text is escaped with
:func:`html.escape`. Tables stay readable for 100+ models: compact type, zebra rows, and long
tables in a scroll box with a sticky header.

The page is explorable (:mod:`swisssim.report.explore`): one small inline script, allowed by its
SHA-256 in the policy and by nothing else, sorts every table by any column and filters it with a
search box; names in a table's ``model`` column link to that model's rank distribution and
survival; figures with marked points (risk profile, sensitivity) carry an inline SVG over the
image with one ``<title>`` per point, so hovering a point names the model.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
from collections.abc import Mapping
from pathlib import Path

from swisssim.report.doc import (
    Block,
    Bullets,
    Code,
    Document,
    Figure,
    Inline,
    Paragraph,
    Section,
    Table,
)
from swisssim.report.explore import embedded_json, model_data, script, script_hash

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: The policy of a report that links its figures (``embed=False``): images may also come from
#: the report's own folder (``'self'`` when served, ``file:`` when opened from disk).
CSP_LINKED = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'"

CSS = """
:root { --ink: #1d2327; --muted: #5f6b74; --rule: #d5dbe0; --band: #f4f6f8; --accent: #1f5f99; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer, nav { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; border-bottom: 2px solid var(--accent); }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.35em; margin: 34px 0 8px; padding-bottom: 3px;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1em; margin: 22px 0 6px; }
p.subtitle { color: var(--muted); margin: 0 0 14px; }
p.note { color: var(--muted); font-size: 0.92em; }
p.warning { background: #fff4e5; border-left: 4px solid #e08a00; padding: 6px 10px; }
a { color: var(--accent); }
code { font: 0.9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--band); padding: 0 3px; border-radius: 3px; }
pre { background: var(--band); border: 1px solid var(--rule); padding: 10px; overflow: auto;
  max-height: 36em; font-size: 12px; line-height: 1.35; }
pre code { background: none; padding: 0; }
nav#contents { margin-top: 12px; }
nav#contents ol { columns: 2; margin: 4px 0; padding-left: 22px; font-size: 0.95em; }
nav#contents li { margin: 0 0 2px; break-inside: avoid; }
nav#contents h2 { font-size: 1.05em; border: 0; margin: 10px 0 0; }
figure { margin: 14px 0 22px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 0.9em; margin-top: 4px; }
.table-wrap { margin: 0 0 18px; overflow-x: auto; }
.table-wrap.scroll { max-height: 34em; overflow-y: auto; border: 1px solid var(--rule); }
table { border-collapse: collapse; font-size: 12.5px; line-height: 1.3; }
p.caption { color: var(--muted); font-size: 13px; margin: 14px 0 3px; }
th, td { padding: 2px 7px; border-bottom: 1px solid #e6eaee; white-space: nowrap;
  text-align: left; vertical-align: top; }
th { background: #e9eef2; font-weight: 600; position: sticky; top: 0; z-index: 1; }
tbody tr:nth-child(even) { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
ul { padding-left: 22px; }
li { margin: 2px 0; }
details { margin: 6px 0 14px; }
summary { cursor: pointer; color: var(--accent); }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " \\2195"; color: #9aa5ae; font-weight: 400; }
th[aria-sort="ascending"]::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"]::after { content: " \\2193"; color: var(--ink); }
.table-tools { margin: 2px 0 4px; font-size: 12.5px; }
.table-tools input { font: inherit; padding: 2px 6px; width: 16em; }
.filter-count { color: var(--muted); margin-left: 8px; }
.hover-figure { position: relative; display: inline-block; max-width: 100%; }
.hover-figure svg.points { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.hover-figure circle { fill: transparent; stroke: none; cursor: help; }
.hover-figure circle:hover { stroke: #e08a00; stroke-width: 3; }
a.model-link { color: inherit; text-decoration: underline dotted; }
#model-detail .detail-chart { display: block; max-width: 100%; height: auto; margin: 2px 0 8px; }
footer { color: var(--muted); font-size: 0.85em; margin-top: 40px; padding-bottom: 30px;
  border-top: 1px solid var(--rule); padding-top: 8px; }
"""


def escape(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(text, quote=True)


def render_inline(spans: Inline) -> str:
    """Spans as escaped HTML."""
    parts = []
    for span in spans:
        text = escape(span.text)
        if span.kind == "code":
            parts.append(f"<code>{text}</code>")
        elif span.kind == "strong":
            parts.append(f"<strong>{text}</strong>")
        elif span.kind == "em":
            parts.append(f"<em>{text}</em>")
        elif span.kind == "link":
            parts.append(f'<a href="{escape(span.href)}">{text}</a>')
        else:
            parts.append(text)
    return "".join(parts)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk.

    Raises
    ------
    ValueError
        If ``data`` is not a PNG.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("png_size: data: expected a PNG file, found other bytes")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def render_block(block: Block, root: Path, dpi: int = 150,
                 models: Mapping[str, int] | None = None, *, embed: bool = True) -> str:
    """One block as HTML; figures are read from ``root`` and embedded, or linked
    (:func:`render_figure`); ``models`` maps names in a table's ``model`` column to their
    detail index."""
    if isinstance(block, Paragraph):
        css = f' class="{escape(block.css_class)}"' if block.css_class else ""
        return f"<p{css}>{render_inline(block.spans)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{render_inline(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        return render_table(block, models)
    if isinstance(block, Figure):
        return render_figure(block, root, dpi, embed=embed)
    if isinstance(block, Code):
        pre = f"<pre><code>{escape(block.text)}</code></pre>"
        if block.summary:
            return f"<details><summary>{escape(block.summary)}</summary>{pre}</details>"
        return pre
    raise TypeError(f"render_block: block: expected a report block, found {type(block).__name__}")


def render_table(table: Table, models: Mapping[str, int] | None = None) -> str:
    """A table; with ``models``, cells of a column headed ``model`` link to ``#model-<i>``."""
    numeric = table.numeric or (False,) * len(table.header)
    linked = [h == "model" and bool(models) for h in table.header]

    def cell(tag: str, text: str, is_number: bool, link: bool = False) -> str:
        css = ' class="num"' if is_number else ""
        content = escape(text)
        if link and models is not None and text in models:
            # no per-link title: the detail panel says what it shows (a title on each of
            # several hundred links added 30-40 KB per page)
            content = f'<a class="model-link" href="#model-{models[text]}">{content}</a>'
        return f"<{tag}{css}>{content}</{tag}>"

    head = "".join(cell("th", h, n) for h, n in zip(table.header, numeric))
    body = "\n".join("<tr>" + "".join(cell("td", c, n, k) for c, n, k in
                                       zip(row, numeric, linked)) + "</tr>"
                     for row in table.rows)
    wrap = "table-wrap scroll" if table.scroll else "table-wrap"
    ident = escape(table.id)
    caption, described = "", ""
    if table.caption:
        caption = f'<p class="caption" id="{ident}-caption">{render_inline(table.caption)}</p>'
        described = f' aria-describedby="{ident}-caption"'
    return (f'{caption}<div class="{wrap}"><table id="{ident}"{described}>'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>")


def render_figure(figure: Figure, root: Path, dpi: int = 150, *, embed: bool = True) -> str:
    """A figure as an ``<img>`` with a base64 PNG data URI, or (``embed=False``) linking the
    PNG file beside the page, so that its bytes are stored once.

    The image is shown at its printed size (pixels x 96 / ``dpi``, the CSS pixel density), or
    narrower when the page is narrower.
    """
    data = (root / figure.path).read_bytes()
    width, height = png_size(data)
    scale = 96.0 / dpi
    source = ("data:image/png;base64," + base64.b64encode(data).decode("ascii") if embed
              else escape(Path(figure.path).as_posix()))
    stem = Path(figure.path).with_suffix("").as_posix().replace("/", "-")
    caption = render_inline(figure.caption)
    file_link = f' (file: <a href="{escape(figure.path)}">{escape(figure.path)}</a>)'
    image = (f'<img src="{source}" alt="{escape(figure.alt)}" '
             f'width="{round(width * scale)}" height="{round(height * scale)}">')
    points = root / Path(figure.path).with_suffix(".points.json")
    if points.is_file():
        image = hover_overlay(image, json.loads(points.read_text(encoding="utf-8")),
                              width, height)
    return (f'<figure id="fig-{escape(stem)}">{image}'
            f"<figcaption>{caption}{file_link}</figcaption></figure>")


def hover_overlay(image: str, points: dict, width: int, height: int) -> str:
    """The image under an inline SVG of the same size with one titled circle per point.

    ``points`` is a ``<figure>.points.json`` document: pixel positions in the PNG (origin top
    left) and a title each; the SVG's view box is the PNG's pixel grid, so the circles stay on
    their points at any displayed size.
    """
    radius = max(4.0, min(width, height) / 120)
    circles = "".join(f'<circle cx="{x}" cy="{y}" r="{radius:.1f}"><title>{escape(title)}'
                      f"</title></circle>" for x, y, title in points.get("points", []))
    return (f'<div class="hover-figure">{image}<svg class="points" viewBox="0 0 {width} '
            f'{height}" preserveAspectRatio="none" role="group" aria-label="points, '
            f'named on hover">{circles}</svg></div>')


def render_section(section: Section, root: Path, level: int = 2, dpi: int = 150,
                   models: Mapping[str, int] | None = None, *, embed: bool = True) -> str:
    parts = [f'<section id="{escape(section.id)}">',
             f"<h{level}>{escape(section.title)}</h{level}>"]
    parts += [render_block(block, root, dpi, models, embed=embed) for block in section.blocks]
    parts += [render_section(sub, root, level + 1, dpi, models, embed=embed)
              for sub in section.subsections]
    parts.append("</section>")
    return "\n".join(parts)


def linked_only(data: dict, html: str) -> dict:
    """``data`` (:func:`~swisssim.report.explore.model_data`) with the details of the models
    that no ``#model-<i>`` link of ``html`` leads to replaced by ``null``: the page cannot show
    them (a large field's tables list a few hundred of its models), so they are not embedded."""
    linked = {int(i) for i in re.findall(r'href="#model-(\d+)"', html)}
    return {**data, "models": [m if i in linked else None for i, m in enumerate(data["models"])]}


def render_html(document: Document, root: Path, *, dpi: int = 150, embed: bool = True) -> str:
    """The whole page.

    Parameters
    ----------
    document
        The report's content.
    root
        The report folder: figure paths are relative to it.
    dpi
        Resolution the figures were drawn at (sets their displayed size).
    embed
        Embed the figures as data URIs (one self-contained file), or link the PNG files in
        ``root`` (the page then needs its folder; no figure byte is stored twice).
    """
    contents = "".join(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a></li>'
                       for s in document.sections)
    data = model_data(root)
    models: dict[str, int] = {}
    detail = ""
    if data is not None:
        for i, model in enumerate(data["models"]):
            models.setdefault(model["display"], i)
            models.setdefault(model["name"], i)
    sections = "\n".join(render_section(s, root, dpi=dpi, models=models, embed=embed)
                         for s in document.sections)
    if data is not None:
        data = linked_only(data, sections)
        detail = ('<aside id="model-detail" hidden><h2>Model detail</h2>'
                  '<p class="note">Rank distribution (competition ranks, probabilities under '
                  f"{len(data['schedules'])} elimination schedule(s)) and survival of the model "
                  'whose name was followed in a table.</p><div id="model-detail-body"></div>'
                  '</aside>\n<script type="application/json" id="model-data">'
                  f"{embedded_json(data)}</script>")
    code = script()
    policy = f"{CSP if embed else CSP_LINKED}; script-src {script_hash(code)}"
    where = ("figures are embedded, no network access is\nneeded. The CSV files and PNG figures "
             "it refers to are in the same folder." if embed else
             "figures are the PNG files in this folder, no\nnetwork access is needed; keep the "
             "folder together. The CSV files it refers to are here too.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">
<title>{escape(document.title)}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>{escape(document.title)}</h1>
<p class="subtitle">{render_inline(document.subtitle)}</p></header>
<nav id="contents"><h2>Contents</h2><ol>{contents}</ol></nav>
<main>
{sections}
{detail}
</main>
<footer>Self-contained report written by swisssim: {where} Click a column header
to sort a table, type in the box above it to filter, follow a model's name for its rank
distribution and survival, and hover a point of the risk-profile or sensitivity figure to see
which model it is.</footer>
<script>{code}</script>
</body>
</html>
"""


__all__ = ["CSP", "CSP_LINKED", "CSS", "escape", "hover_overlay", "png_size", "render_html",
           "render_inline"]
