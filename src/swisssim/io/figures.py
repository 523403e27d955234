"""Saving figures into result folders: PNG (and SVG) files, optionally as palette PNGs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure


def save_figure(figure: Figure, stage: Any, stem: str, *, dpi: int = 150,
                svg: bool = True) -> list[str]:
    """Write ``<stem>.png`` (and ``<stem>.svg``) into a staging folder; return the names.

    ``stage`` is a :class:`swisssim.io.staging.Staging` or :class:`~swisssim.io.staging.SubStaging`.
    Figures are plain ``matplotlib.figure.Figure`` objects (no pyplot), so nothing needs closing.
    """
    names = []
    for extension in ("png", "svg") if svg else ("png",):
        name = f"{stem}.{extension}"
        figure.savefig(stage.path(name), dpi=dpi, bbox_inches="tight")
        names.append(name)
    return names


def palette_png(path: Path) -> None:
    """Rewrite a PNG in place as a 256-colour palette image (lossless for flat plots' colours,
    about 3x smaller for matplotlib figures)."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        if image.mode == "P":
            return
        rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(background, rgba).convert("RGB")
    quantize = getattr(Image, "Quantize", Image)      # enums since Pillow 9.1
    dither = getattr(Image, "Dither", Image)
    small = flat.quantize(colors=256, method=quantize.MEDIANCUT, dither=dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    path.write_bytes(buffer.getvalue())
