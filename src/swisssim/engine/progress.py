"""A progress bar for the phases around the simulation (baselines, figures, documents), on stderr.

The simulation shows its own bar (:mod:`swisssim.engine.simulation`); the other phases of a
command that can take seconds (the comparison's baselines, drawing figures, writing a report's
documents) get one too: a step per method, figure or document, named as it starts. Like the
engine's bar it is tqdm on stderr, hidden when
``show`` is false (``--no-progress``) and when stderr is not a terminal (tqdm's ``disable=None``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Steps:
    """Advance a phase bar one named step at a time (a no-op without a bar)."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.started = False

    def __call__(self, name: str) -> None:
        """Mark the previous step done and show ``name`` as the current one."""
        if self.bar is None:
            return
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_postfix_str(name, refresh=True)

    def done(self) -> None:
        if self.bar is not None and self.started:
            self.bar.update(1)
            self.started = False


@contextmanager
def phase(description: str, total: int, show: bool) -> Iterator[Steps]:
    """A bar of ``total`` named steps (see :class:`Steps`); nothing at all when ``show`` is
    false."""
    if not show:
        yield Steps(None)
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=description, unit="step", file=sys.stderr, disable=None,
              leave=False, dynamic_ncols=True) as bar:
        steps = Steps(bar)
        yield steps
        steps.done()


__all__ = ["Steps", "phase"]
