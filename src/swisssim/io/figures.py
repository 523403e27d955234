"""Saving figures into result folders: PNG (and SVG) files, optionally as palette PNGs.

A figure whose builder marked its points (:func:`swisssim.plots.style.mark_points`) also gets
``<stem>.points.json``: each point's pixel position in the saved PNG and its title, which the
HTML report turns into hover titles over the image.
"""

from __future__ import annotations

import io
import json
from typing import Any

import matplotlib
from matplotlib.figure import Figure

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)


def save_figure(figure: Figure, stage: Any, stem: str, *, dpi: int = 150,
                svg: bool = True) -> list[str]:
    """Write ``<stem>.png`` (and ``<stem>.svg``, and ``<stem>.points.json`` for marked points)
    into a staging folder; return the names.

    ``stage`` is a :class:`swisssim.io.staging.Staging` or :class:`~swisssim.io.staging.SubStaging`.
    Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot), so nothing needs closing.
    A stage whose ``keep_svg`` is false gets no SVG (none is drawn), and one whose ``palette``
    is true gets 256-colour palette PNGs (:func:`palette_bytes`, encoded once, in memory).

    The tight crop is computed once (:func:`tight_box`) and used by every format: with
    ``bbox_inches="tight"`` each ``savefig`` would lay the figure out twice.
    """
    svg = svg and getattr(stage, "keep_svg", True)
    palette = bool(getattr(stage, "palette", False))
    interrupts.checkpoint()   # a safe point: each figure
    names = []
    points = figure.__dict__.get("swisssim_points")
    box = tight_box(figure, dpi)
    for extension in ("png", "svg") if svg else ("png",):
        name = f"{stem}.{extension}"
        if extension == "png" and palette:
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=box)
            stage.path(name).write_bytes(palette_bytes(buffer.getvalue()))
        else:
            figure.savefig(stage.path(name), dpi=dpi, bbox_inches=box)
        names.append(name)
    if points:
        name = f"{stem}.points.json"
        stage.path(name).write_text(json.dumps(point_positions(figure, box, dpi)) + "\n",
                                    encoding="utf-8")
        names.append(name)
    return names


def tight_box(figure: Figure, dpi: int) -> Any:
    """The box (inches) that ``savefig(dpi=dpi, bbox_inches="tight")`` crops to: the figure's
    tight bounding box at ``dpi``, padded by ``savefig.pad_inches``; laid out without
    rendering, as ``savefig`` does."""
    previous = figure.dpi
    figure.dpi = dpi
    try:
        figure.draw_without_rendering()
        box = figure.get_tightbbox(figure.canvas.get_renderer())
    finally:
        figure.dpi = previous
    return box.padded(float(matplotlib.rcParams["savefig.pad_inches"]))


def point_positions(figure: Figure, box: Any, dpi: int) -> dict[str, Any]:
    """Pixel positions (origin top left) of the marked points in the PNG that
    ``savefig(dpi=dpi, bbox_inches=box)`` wrote (``box`` in inches), with their titles.

    Points outside the image are left out.
    """
    width, height = round(box.width * dpi), round(box.height * dpi)
    out = []
    for ax, xs, ys, titles in figure.__dict__["swisssim_points"]:
        pixels = ax.transData.transform(list(zip(xs, ys))) / figure.dpi
        for (x, y), title in zip(pixels, titles):
            px, py = (x - box.x0) * dpi, (box.y1 - y) * dpi
            if 0 <= px <= width and 0 <= py <= height:
                out.append([round(px, 1), round(py, 1), title])
    return {"width": width, "height": height, "points": out}


def palette_bytes(data: bytes) -> bytes:
    """A PNG as a 256-colour palette image (lossless for flat plots' colours, about 3x smaller
    for matplotlib figures); ``data`` itself when it is one already."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode == "P":
            return data
        rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(background, rgba).convert("RGB")
    quantize = getattr(Image, "Quantize", Image)      # enums since Pillow 9.1
    dither = getattr(Image, "Dither", Image)
    small = flat.quantize(colors=256, method=quantize.MEDIANCUT, dither=dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
