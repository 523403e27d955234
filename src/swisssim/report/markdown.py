"""Render a report :class:`~swisssim.report.doc.Document` as GitHub-flavoured Markdown.

Same content as the HTML report; figures are linked relatively (``![...](sweep/figures/x.png)``)
rather than embedded, so ``report.md`` must stay beside its files. Text is escaped with
backslashes wherever Markdown could read it as syntax (:func:`escape`), code spans and fences are
made longer than any backtick run they contain, and ``|`` is escaped in table cells.
"""

from __future__ import annotations

import re

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

_ALWAYS = re.compile(r"([\\`*~])")
_SYNTAX = [
    (re.compile(r"\](?=[(\[:])"), r"\\]"),                   # ](  ][  ]:  would close a link
    (re.compile(r"<(?=[A-Za-z/!?])"), r"\\<"),                 # an HTML tag or autolink
    (re.compile(r"&(?=#?\w+;)"), r"\\&"),                      # an entity reference
    (re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"), r"\\_"),  # emphasis (not intraword)
]
_LINE_START = re.compile(r"^(\s*)([-+=#>]|\d+[.)])")


def escape(text: str, *, table: bool = False) -> str:
    """Backslash-escape what Markdown would read as syntax in data text.

    ``\\ ` * ~`` always; ``]`` before ``(``, ``[`` or ``:``; ``<`` opening a tag; ``&`` opening
    an entity; ``_`` unless inside a word; ``|`` in table cells (``table=True``). Newlines become
    spaces. Line-start syntax (lists, headings, quotes) is handled per paragraph.
    """
    text = _ALWAYS.sub(r"\\\1", " ".join(text.splitlines()))
    for pattern, replacement in _SYNTAX:
        text = pattern.sub(replacement, text)
    return text.replace("|", "\\|") if table else text


def code_span(text: str) -> str:
    """A code span that survives backticks inside ``text``."""
    text = " ".join(text.splitlines())
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def link_target(href: str) -> str:
    """A link destination: spaces and parentheses percent-encoded."""
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def render_inline(spans: Inline) -> str:
    parts = []
    for span in spans:
        if span.kind == "code":
            parts.append(code_span(span.text))
        elif span.kind == "strong":
            parts.append(f"**{escape(span.text)}**")
        elif span.kind == "em":
            parts.append(f"*{escape(span.text)}*")
        elif span.kind == "link":
            parts.append(f"[{escape(span.text)}]({link_target(span.href)})")
        else:
            parts.append(escape(span.text))
    return "".join(parts)


def render_table(table: Table) -> str:
    numeric = table.numeric or (False,) * len(table.header)
    lines = []
    if table.caption:
        lines += [f"*{render_inline(table.caption)}*", ""]
    lines.append("| " + " | ".join(escape(h, table=True) for h in table.header) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(escape(c, table=True) for c in row) + " |"
              for row in table.rows]
    return "\n".join(lines)


def render_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        text = _LINE_START.sub(_escape_line_start, render_inline(block.spans))
        return f"> {text}" if block.css_class == "warning" else text
    if isinstance(block, Bullets):
        return "\n".join(f"- {render_inline(item)}" for item in block.items)
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Figure):
        image = f"![{escape(block.alt)}]({link_target(block.path)})"
        return f"{image}\n\n*{render_inline(block.caption)}*" if block.caption else image
    if isinstance(block, Code):
        runs = [len(r) for r in re.findall(r"`{3,}", block.text)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        return f"{fence}{block.language}\n{block.text.rstrip()}\n{fence}"
    raise TypeError(f"render_block: block: expected a report block, found {type(block).__name__}")


def _escape_line_start(match: re.Match) -> str:
    """``- x`` -> ``\\- x``; ``12. x`` -> ``12\\. x`` (a paragraph must not become a list)."""
    indent, mark = match.group(1), match.group(2)
    if mark[0].isdigit():
        return f"{indent}{mark[:-1]}\\{mark[-1]}"
    return f"{indent}\\{mark}"


def slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.lower())
    return text.replace(" ", "-")


def render_section(section: Section, level: int = 2) -> str:
    parts = [f"{'#' * level} {escape(section.title)}"]
    parts += [render_block(block) for block in section.blocks]
    parts += [render_section(sub, level + 1) for sub in section.subsections]
    return "\n\n".join(parts)


def render_markdown(document: Document) -> str:
    """The whole report as Markdown text (ends with a newline)."""
    contents = "\n".join(f"- [{escape(s.title)}](#{slug(s.title)})" for s in document.sections)
    parts = [f"# {escape(document.title)}", render_inline(document.subtitle),
             "## Contents", contents]
    parts += [render_section(s) for s in document.sections]
    return "\n\n".join(parts) + "\n"


__all__ = ["code_span", "escape", "render_markdown", "slug"]
