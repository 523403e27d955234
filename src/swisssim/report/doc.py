"""A tiny document model shared by the HTML and Markdown reports.

The report's content is assembled once as :class:`Document` (sections of paragraphs, lists,
tables, figures and code blocks) and rendered by :mod:`swisssim.report.html` and
:mod:`swisssim.report.markdown`, so both files say the same thing.

Text is a sequence of :class:`Span` objects. Authored prose may use a small markup, parsed by
:func:`prose`: ``**strong**``, ``*emphasis*``, ```code``` and ``[text](url)``. Text from the data
(model names, descriptions, file contents) must be wrapped in :func:`plain`, which is never
parsed; every renderer escapes every span for its own format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

SPAN_KINDS = ("text", "code", "strong", "em", "link")


@dataclass(frozen=True)
class Span:
    """A run of inline text: ``kind`` is one of :data:`SPAN_KINDS`; ``href`` only for links."""

    kind: str
    text: str
    href: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SPAN_KINDS:
            raise ValueError(f"Span: kind: expected one of {SPAN_KINDS}, found {self.kind!r}")


Inline = tuple[Span, ...]
_MARKUP = re.compile(r"\*\*(?P<strong>.+?)\*\*|\*(?P<em>[^*\s][^*]*)\*|`(?P<code>[^`]+)`"
                     r"|\[(?P<label>[^\]]+)\]\((?P<href>[^)\s]+)\)")


def plain(text: object) -> Span:
    """Data text, shown literally (never parsed as markup)."""
    return Span("text", str(text))


def code(text: object) -> Span:
    return Span("code", str(text))


def strong(text: object) -> Span:
    return Span("strong", str(text))


def em(text: object) -> Span:
    return Span("em", str(text))


def link(text: object, href: str) -> Span:
    return Span("link", str(text), href)


def prose(text: str) -> Inline:
    """Parse authored text with ``**strong**``, ``*em*``, ```code``` and ``[text](url)``."""
    spans: list[Span] = []
    position = 0
    for match in _MARKUP.finditer(text):
        if match.start() > position:
            spans.append(Span("text", text[position:match.start()]))
        if match.group("strong") is not None:
            spans.append(Span("strong", match.group("strong")))
        elif match.group("em") is not None:
            spans.append(Span("em", match.group("em")))
        elif match.group("code") is not None:
            spans.append(Span("code", match.group("code")))
        else:
            spans.append(Span("link", match.group("label"), match.group("href")))
        position = match.end()
    if position < len(text):
        spans.append(Span("text", text[position:]))
    return tuple(spans)


def inline(*parts: str | Span | Sequence[Span]) -> Inline:
    """Join parts into one inline run: strings are :func:`prose`, spans are kept as they are."""
    spans: list[Span] = []
    for part in parts:
        if isinstance(part, str):
            spans.extend(prose(part))
        elif isinstance(part, Span):
            spans.append(part)
        else:
            spans.extend(part)
    return tuple(spans)


@dataclass(frozen=True)
class Paragraph:
    spans: Inline
    css_class: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells.

    Attributes
    ----------
    id
        HTML id of the ``<table>`` (tests and links find tables by it).
    caption
        Shown above the table.
    header
        Column headers.
    rows
        Cells as strings (data; escaped by the renderers).
    numeric
        Per column: right-align (numbers).
    scroll
        Put the table in a scroll box with a sticky header (long tables in HTML).
    """

    id: str
    caption: Inline
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    scroll: bool = False

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"Table {self.id}: rows: expected {len(self.header)} cells, "
                                 f"found {len(row)}")


@dataclass(frozen=True)
class Figure:
    """A PNG figure: ``path`` relative to the report folder."""

    path: str
    alt: str
    caption: Inline = ()


@dataclass(frozen=True)
class Code:
    """A preformatted block.

    ``language`` is a hint for Markdown fences; with a ``summary`` the HTML shows the block
    folded (``<details>``) under that line.
    """

    text: str
    language: str = ""
    summary: str = ""


Block = Paragraph | Bullets | Table | Figure | Code


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: Inline
    sections: tuple[Section, ...]

    def section_ids(self) -> list[str]:
        """Ids of every section and subsection, in document order."""
        ids: list[str] = []

        def walk(section: Section) -> None:
            ids.append(section.id)
            for sub in section.subsections:
                walk(sub)

        for section in self.sections:
            walk(section)
        return ids


# -- formatting helpers shared by the report's sections ------------------------------------------

#: Long tables get a scroll box with a sticky header (HTML) above this many rows.
SCROLL_ROWS = 25


def fmt(value: float | None, digits: int = 3) -> str:
    """A number with fixed decimals; ``–`` for None and NaN."""
    return "–" if value is None or not math.isfinite(float(value)) else f"{value:.{digits}f}"


def pm(value: float, error: float, digits: int = 3) -> str:
    """``value ± error`` with fixed decimals."""
    return f"{fmt(value, digits)} ± {fmt(error, digits)}"


def join_inline(parts: Sequence[Inline], last: str = " and ") -> Inline:
    """Inline runs joined by commas and a final ``last``."""
    out: list[Span] = []
    for i, part in enumerate(parts):
        if i:
            out.append(plain(last if i == len(parts) - 1 else ", "))
        out.extend(part)
    return tuple(out)


__all__ = ["SCROLL_ROWS", "Block", "Bullets", "Code", "Document", "Figure", "Inline", "Paragraph",
           "Section", "Span", "Table", "code", "em", "fmt", "inline", "join_inline", "link",
           "plain", "pm", "prose", "strong"]
