"""Atomic output folders.

Every command stages its files in a temporary folder beside the destination and moves them into
place only once all of them are written, so a failure never leaves half-written results.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


class Staging:
    """A temporary folder collecting the files of one result folder (see :func:`atomic_output`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` (may contain sub-folders)."""
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.names.append(name)
        return target

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.path(name), index=False, lineterminator="\n")

    def write_json(self, name: str, data: Any) -> None:
        self.path(name).write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n",
                                   encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")


@contextmanager
def atomic_output(out_dir: str | Path) -> Iterator[Staging]:
    """Stage files, then move each into ``out_dir`` with an atomic rename.

    Files of ``out_dir`` that the run does not write are left alone. On any exception the staged
    files are deleted and ``out_dir`` is untouched.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        staging = Staging(stage)
        yield staging
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in staging.names:
            destination = out_dir / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / name, destination)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


class SubStaging:
    """A view of a staging folder that writes into one of its sub-folders.

    Every writer that takes a :class:`swisssim.io.staging.Staging` (the writers of
    :mod:`swisssim.io.writers`) can write into ``prefix`` through it unchanged. With
    ``keep_svg=False`` SVG copies of figures are written to a scratch folder inside the staging
    folder and never moved into place.
    """

    def __init__(self, parent: Staging, prefix: str, *, keep_svg: bool = True) -> None:
        self.parent = parent
        self.prefix = prefix.strip("/") + "/"
        self.keep_svg = keep_svg

    @property
    def root(self) -> Path:
        return self.parent.root / self.prefix

    def path(self, name: str) -> Path:
        """Where to write ``name`` (relative to the sub-folder)."""
        if not self.keep_svg and name.lower().endswith(".svg"):
            target = self.parent.root / ".discarded" / self.prefix / name
            target.parent.mkdir(parents=True, exist_ok=True)
            return target
        return self.parent.path(self.prefix + name)

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.path(name), index=False, lineterminator="\n")

    def write_json(self, name: str, data: Any) -> None:
        self.path(name).write_text(json.dumps(data, indent=2, default=str) + "\n",
                                   encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")
