"""Saving figures into result folders: PNG (and SVG) files, optionally as palette PNGs.

A figure whose builder marked its points (:func:`swisssim.plots.style.mark_points`) also gets
``<stem>.points.json``: each point's pixel position in the saved PNG and its title, which the
HTML report turns into hover titles over the image.

Each figure is drawn once (:func:`draw_once`): laid out once (constrained layout, tick
labels, text extents) and rasterised once on a full-size Agg canvas, then cropped to its tight
box. ``figure.savefig(path, bbox_inches="tight")`` would do the same work three times (a layout
pass to find the box, another before printing, then the drawing), and again for each format.

Inside :func:`drawn_together` (the report, ``sweep`` and ``plot`` use it) :func:`save_figure`
builds the figure and reserves its file names; the drawing is shared between this process and
forked helper processes, one at a time, where the machine has two usable CPUs on Linux
(:class:`FigureBatch`): the first figure goes to a helper at once, while this process builds
the next ones, and what is left when the block ends is shared, largest figure first. Drawing
is single-threaded Python, so a report's figures take a little over half the time. The bytes
are the same whichever process draws a figure.
"""

from __future__ import annotations

import contextvars
import io
import json
import math
import os
import signal
import struct
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)


def save_figure(figure: Figure, stage: Any, stem: str, *, dpi: int = 150,
                svg: bool = True) -> list[str]:
    """Write ``<stem>.png`` (and ``<stem>.svg``, and ``<stem>.points.json`` for marked points)
    into a staging folder; return the names.

    ``stage`` is a :class:`swisssim.io.staging.Staging` or :class:`~swisssim.io.staging.SubStaging`.
    Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot), so nothing needs closing.
    A stage whose ``keep_svg`` is false gets no SVG (none is drawn), and one whose ``palette``
    is true gets 256-colour palette PNGs (:func:`palette_bytes`, from the pixels in memory).

    The figure is drawn once for the PNG (:func:`draw_once`); the SVG, when kept, reuses that
    layout and crop box (no second layout pass). Inside :func:`drawn_together` the files are
    written when that block ends.
    """
    svg = svg and getattr(stage, "keep_svg", True)
    interrupts.checkpoint()   # a safe point: each figure
    marked = bool(figure.__dict__.get("swisssim_points"))
    job = FigureJob(figure, dpi, bool(getattr(stage, "palette", False)),
                    stage.path(f"{stem}.png"), stage.path(f"{stem}.svg") if svg else None,
                    stage.path(f"{stem}.points.json") if marked else None)
    names = ([f"{stem}.png"] + ([f"{stem}.svg"] if svg else [])
             + ([f"{stem}.points.json"] if marked else []))
    batch = _BATCH.get()
    if batch is None:
        job.draw()
    else:
        batch.add(job)
    return names


@dataclass
class FigureJob:
    """A built figure and the files it is drawn into (:meth:`draw`)."""

    figure: Figure
    dpi: int
    palette: bool
    png: Path
    svg: Path | None = None
    points: Path | None = None

    @property
    def area(self) -> float:
        """Pixels of the full canvas: :class:`FigureBatch` draws the largest figures first."""
        width, height = self.figure.get_size_inches()
        return float(width * height) * self.dpi ** 2

    def draw(self) -> None:
        """Draw the figure once and write its PNG (and SVG and point positions)."""
        with draw_once(self.figure, self.dpi) as rendered:
            pixels = rendered.pixels
            data = palette_bytes(pixels) if self.palette else png_bytes(pixels, self.dpi)
            self.png.write_bytes(data)
            if self.svg is not None:
                self.figure.savefig(self.svg, format="svg", dpi=self.dpi,
                                    bbox_inches=rendered.box)
            if self.points is not None:
                self.points.write_text(json.dumps(point_positions(
                    self.figure, rendered.box, self.dpi)) + "\n", encoding="utf-8")


class FigureBatch:
    """The figures of a :func:`drawn_together` block, drawn in this process and in forked
    helper processes.

    When the machine allows helpers (:func:`helper_possible`), a figure queued while no helper
    runs goes at once to a new helper (``os.fork``: it has the built figure and draws it while
    this process goes on building the next figures and writing tables). :meth:`finish` shares
    the figures still waiting between this process and one more helper: both take figure
    numbers from one pipe, one byte each (a pipe read is atomic), largest figure first, and the
    helper reports each figure it finished on a second pipe. A helper writes only the files of
    its figures and ends with ``os._exit`` (no interpreter teardown, no stdio flush); its SIGINT
    and SIGTERM take their default action. A figure that no helper reported finished is drawn
    here again (a failure raises its error here), and :meth:`abort` kills and reaps every
    helper still running.
    """

    def __init__(self, parallel: bool) -> None:
        self.jobs: list[FigureJob] = []
        self.pending: list[FigureJob] = []
        self.parallel = parallel
        self.eager: tuple[int, FigureJob] | None = None
        self.sharing: int | None = None
        self.helpers_started = 0

    def __len__(self) -> int:
        return len(self.jobs)

    def add(self, job: FigureJob) -> None:
        """Queue ``job``; hand it to a helper now if none runs."""
        self.jobs.append(job)
        if self.parallel:
            self._reap_eager(block=False)       # a failed helper turns helpers off
        if self.parallel and self.eager is None:
            self.eager = (self._fork(job.draw), job)
        else:
            self.pending.append(job)

    def finish(self) -> None:
        """Draw every queued figure; return when all are drawn and no helper runs."""
        waiting, self.pending = sorted(self.pending, key=lambda j: -j.area), []
        if self.parallel and 1 < len(waiting) < 256:
            self._share(waiting)
        else:
            for job in waiting:
                interrupts.checkpoint()
                job.draw()
        self._reap_eager(block=True)

    def abort(self) -> None:
        """Kill and reap every running helper (their files may be half-written: the caller's
        staging folder is being discarded)."""
        for pid in (self.eager[0] if self.eager else None, self.sharing):
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.eager = self.sharing = None

    def _fork(self, work: Callable[[], None]) -> int:
        """A helper process that runs ``work`` and exits (0 on success); its pid."""
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                work()
                code = 0
            finally:
                os._exit(code)
        self.helpers_started += 1
        return pid

    def _reap_eager(self, *, block: bool) -> None:
        """Reap the eager helper if it ended (waiting for it when ``block``); a figure it did
        not finish is drawn here."""
        if self.eager is None:
            return
        pid, job = self.eager
        done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        if done == 0:
            return
        self.eager = None
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            self.parallel = False
            interrupts.checkpoint()
            job.draw()

    def _share(self, jobs: list[FigureJob]) -> None:
        """Draw ``jobs`` here and in one helper, each taking the next from a pipe."""
        tickets, ticket_writer = os.pipe()
        reports, report_writer = os.pipe()
        still_open = {tickets, ticket_writer, reports, report_writer}

        def close(fd: int) -> None:
            os.close(fd)
            still_open.discard(fd)

        try:
            os.write(ticket_writer, bytes(range(len(jobs))))
            close(ticket_writer)

            def helper() -> None:
                os.close(reports)
                while ticket := os.read(tickets, 1):
                    jobs[ticket[0]].draw()
                    os.write(report_writer, ticket)

            self.sharing = self._fork(helper)
            close(report_writer)
            drawn: set[int] = set()
            while ticket := os.read(tickets, 1):
                interrupts.checkpoint()
                jobs[ticket[0]].draw()
                drawn.add(ticket[0])
            os.waitpid(self.sharing, 0)
            self.sharing = None
            while reported := os.read(reports, 256):
                drawn.update(reported)
            for index in sorted(set(range(len(jobs))) - drawn):
                interrupts.checkpoint()
                jobs[index].draw()                   # what the helper did not finish
        finally:
            for fd in still_open:                    # also if the write or the fork failed
                os.close(fd)


#: The batch of the current :func:`drawn_together` block (None outside one).
_BATCH: contextvars.ContextVar[FigureBatch | None] = contextvars.ContextVar(
    "swisssim_figure_batch", default=None)


@contextmanager
def drawn_together(parallel: bool | None = None) -> Iterator[FigureBatch]:
    """Within the block, :func:`save_figure` queues its figure (:class:`FigureBatch`); when the
    block ends every figure has been drawn. A nested block joins the outer one. If the block
    raises, figures not yet drawn are dropped and a running helper is killed.

    ``parallel``: draw in helper processes too (default: :func:`helper_possible`); the files
    are the same either way.
    """
    outer = _BATCH.get()
    if outer is not None:
        yield outer
        return
    batch = FigureBatch(helper_possible() if parallel is None else parallel)
    token = _BATCH.set(batch)
    try:
        yield batch
        batch.finish()
    finally:
        _BATCH.reset(token)
        batch.abort()


def helper_possible() -> bool:
    """Whether a :class:`FigureBatch` may fork helper processes: on Linux (fork is safe for
    this use there; macOS's system libraries are not fork-safe), from the main thread (the
    helper resets its signal handlers), with two or more usable CPUs."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except OSError:
        return False


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
