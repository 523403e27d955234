"""Drawing one figure: laid out and rasterised once, cropped in memory, encoded as PNG.

``figure.savefig(path, bbox_inches="tight")`` lays a figure out three times (a layout pass to
find the box, another before printing, then the drawing), and again for each format.
:func:`draw_once` lays it out and rasterises it once on a full-size Agg canvas, then crops the
pixels to the tight box; :func:`png_bytes` and :func:`palette_bytes` encode them. This is the
only module of :mod:`swisssim.io` that imports matplotlib: :mod:`swisssim.io.figures` (which
decides where and when figures are drawn) imports it only when a figure is drawn in this
process, so a command whose figures are drawn by a figure worker never loads matplotlib.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox


@dataclass
class Rendered:
    """A figure drawn by :func:`draw_once`: the RGBA pixels (rows top first) of the PNG that
    ``savefig(dpi=dpi, bbox_inches=box)`` writes, and ``box`` (inches)."""

    pixels: np.ndarray
    box: Bbox


@contextmanager
def draw_once(figure: Figure, dpi: int) -> Iterator[Rendered]:
    """Draw ``figure`` once at ``dpi`` and crop it to its tight box.

    The figure is laid out and rasterised once on a full-size Agg canvas; the crop box is the
    tight box that ``savefig(bbox_inches="tight")`` uses (:meth:`Figure.get_tightbbox`, padded by
    ``savefig.pad_inches``), widened outwards to whole pixels so that the crop is exact: the
    pixels equal those of ``savefig(dpi=dpi, bbox_inches=box)``, except inside a legend of the
    figure itself, which savefig centres on the crop box rather than on the figure (a shift of
    about a pixel; tests/test_figure_layout.py compares every figure of the report). Inside the
    ``with`` block the figure keeps that layout (its layout engine is off), so a
    ``savefig(bbox_inches=rendered.box)`` for another format lays nothing out again; on exit
    the figure's dpi, canvas and layout engine are restored.

    When the tight box reaches outside the figure (content drawn beyond its edge, e.g. a wide
    legend without a layout engine) or the figure is not saved on an opaque background, the PNG
    is drawn a second time, by ``savefig`` with the same box.
    """
    saved_dpi, saved_canvas, engine = figure.dpi, figure.canvas, figure.get_layout_engine()
    try:
        figure.dpi = dpi
        canvas = FigureCanvasAgg(figure)
        canvas.draw()                       # the layout engine runs here, once
        if engine is not None:              # keep this layout for every later draw
            with matplotlib.rc_context({"figure.autolayout": False,
                                        "figure.constrained_layout.use": False}):
                figure.set_layout_engine(None)
        tight = figure.get_tightbbox(canvas.get_renderer())
        box = _pixel_box(tight.padded(float(matplotlib.rcParams["savefig.pad_inches"])), dpi)
        pixels = _crop(figure, canvas, tight, box, dpi)
        figure.dpi = saved_dpi
        if pixels is None:                  # draw again, as savefig does
            from PIL import Image

            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=box)
            with Image.open(buffer) as image:
                pixels = np.asarray(image.convert("RGBA"))
        yield Rendered(pixels, box)
    finally:
        figure.dpi = saved_dpi
        figure.set_canvas(saved_canvas)
        if engine is not None:
            figure.set_layout_engine(engine)


def _pixel_box(box: Bbox, dpi: int) -> Bbox:
    """``box`` (inches) widened outwards to whole pixels at ``dpi``."""
    x0, y0 = (math.floor(round(v * dpi, 6)) for v in (box.x0, box.y0))
    x1, y1 = (math.ceil(round(v * dpi, 6)) for v in (box.x1, box.y1))
    return Bbox.from_extents(x0 / dpi, y0 / dpi, x1 / dpi, y1 / dpi)


def _crop(figure: Figure, canvas: FigureCanvasAgg, tight: Bbox, box: Bbox,
          dpi: int) -> np.ndarray | None:
    """The pixels of ``box`` cut from the drawn ``canvas`` (padding outside the figure filled
    with its background); None where that would differ from what ``savefig`` draws: content
    outside the figure, or a background savefig would not paint the same."""
    params = matplotlib.rcParams
    face = figure.patch.get_facecolor()
    if (params["savefig.transparent"] or params["savefig.facecolor"] != "auto"
            or params["savefig.edgecolor"] != "auto" or figure.patch.get_linewidth() > 0
            or not figure.patch.get_visible() or face[3] < 1):
        return None
    width, height = figure.get_size_inches()
    slack = 0.5 / dpi
    if (tight.x0 < -slack or tight.y0 < -slack or tight.x1 > width + slack
            or tight.y1 > height + slack):
        return None
    drawn = np.asarray(canvas.buffer_rgba())
    rows, cols = drawn.shape[:2]
    x0, x1 = round(box.x0 * dpi), round(box.x1 * dpi)
    top, bottom = rows - round(box.y1 * dpi), rows - round(box.y0 * dpi)
    pixels = np.empty((bottom - top, x1 - x0, 4), np.uint8)
    inner_top, inner_bottom = max(top, 0) - top, min(bottom, rows) - top
    inner_left, inner_right = max(x0, 0) - x0, min(x1, cols) - x0
    pixels[inner_top:inner_bottom, inner_left:inner_right] = \
        drawn[top + inner_top:top + inner_bottom, x0 + inner_left:x0 + inner_right]
    background = np.round(np.asarray(to_rgba(face)) * 255).astype(np.uint8)
    pixels[:inner_top] = pixels[inner_bottom:] = background         # the padding outside
    pixels[:, :inner_left] = pixels[:, inner_right:] = background   # the figure's edges
    return pixels


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


def png_bytes(pixels: np.ndarray, dpi: int) -> bytes:
    """RGBA pixels (rows top first) as a PNG file, with matplotlib's metadata (``Software``)
    and the resolution; stored as RGB when every pixel is opaque, as a figure on its background
    is.

    Every row uses PNG's "Up" filter (each byte minus the byte above it), then zlib at level 6:
    for figures (flat colours, horizontal runs) that compresses a little better than the
    per-row filter choice of Pillow and matplotlib, in about 60% of their time.
    """
    opaque = bool((pixels[..., 3] == 255).all())
    data = np.ascontiguousarray(pixels[..., :3] if opaque else pixels, dtype=np.uint8)
    height, width, channels = data.shape
    rows = data.reshape(height, width * channels)
    filtered = np.empty((height, width * channels + 1), np.uint8)
    filtered[:, 0] = 2                                  # filter type 2: Up
    filtered[:1, 1:] = rows[:1]                         # the row above the first is zeros
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])   # modulo 256, as PNG wants
    per_metre = round(dpi / 0.0254)
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6,
                                        0, 0, 0)),
        _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _png_chunk(b"tEXt", b"Software\0" + software.encode("latin-1")),
        _png_chunk(b"IDAT", zlib.compress(filtered.tobytes(), 6)),
        _png_chunk(b"IEND", b""),
    ])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def palette_bytes(data: bytes | np.ndarray) -> bytes:
    """A PNG as a 256-colour palette image (lossless for flat plots' colours, about 3x smaller
    for matplotlib figures), from PNG bytes or from RGBA pixels (rows top first); PNG bytes
    that are a palette image already are returned as they are."""
    from PIL import Image

    if isinstance(data, np.ndarray):
        rgba = Image.fromarray(np.ascontiguousarray(data))     # (rows, columns, 4): RGBA
    else:
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
