"""Saving figures into result folders: PNG (and SVG) files, optionally as palette PNGs.

A figure whose builder marked its points (:func:`swisssim.plots.style.mark_points`) also gets
``<stem>.points.json``: each point's pixel position in the saved PNG and its title, which the
HTML report turns into hover titles over the image. Each figure is drawn once
(:func:`swisssim.io.drawing.draw_once`).

:func:`save_figure` takes a built matplotlib figure or a :class:`FigureRecipe` (the builder's
name and its arguments). Outside :func:`drawn_together` the figure is drawn at once. Inside
(the report, ``sweep`` and ``plot`` use it) it is queued in a :class:`FigureBatch`, and the
drawing is shared between processes where the machine has two usable CPUs on Linux:

* **With a figure worker** (:func:`figure_worker`, started at the beginning of a command,
  before numba, scipy and pandas are imported): the worker imports matplotlib and the figure
  modules while this process imports the rest and simulates, then waits. At the end of the
  block the recipes are sent to it (pickled); it forks one sibling, and the two build and draw
  them, taking job numbers from one pipe. This process never imports matplotlib for them, which
  takes a tenth of ``swisssim report``'s time off its critical path.
* **Otherwise** a figure queued while no helper runs goes to a forked helper at once, while
  this process builds the next ones, and what is left when the block ends is shared between
  this process and one more helper, largest figure first.

Drawing is single-threaded Python, so either way a report's figures take a little over half
the time. The bytes are the same whichever process draws a figure, and a figure that no helper
or worker reported as finished is drawn in this process (so its error is raised here).

This module does not import matplotlib; :mod:`swisssim.io.drawing` does, when a figure is
drawn here.
"""

from __future__ import annotations

import contextvars
import importlib
import json
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: What a figure worker imports while it waits for its jobs: matplotlib's figure and Agg
#: canvas, the drawing module and the figure builders of the result folders.
WORKER_PRELOAD = ("matplotlib.figure", "matplotlib.backends.backend_agg", "swisssim.io.drawing",
                  "swisssim.plots.sweep", "swisssim.plots.large", "swisssim.plots.compare",
                  "swisssim.plots.uncertainty")


@dataclass(frozen=True)
class FigureRecipe:
    """A figure not built yet: ``module.function(*args, **kwargs)``.

    Picklable (a module-level function named by its module, and picklable arguments), so a
    :func:`figure_worker` builds it in the process that draws it. ``points`` states whether the
    figure marks its points (:func:`swisssim.plots.style.mark_points`): the file names are
    reserved before the figure exists, and :meth:`build` checks the statement.
    """

    module: str
    function: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    points: bool = False

    def build(self) -> Figure:
        """Call the builder; raise RuntimeError if it marks points and ``points`` is false, or
        the other way round."""
        builder = getattr(importlib.import_module(self.module), self.function)
        figure = builder(*self.args, **dict(self.kwargs))
        if bool(figure.__dict__.get("swisssim_points")) != self.points:
            raise RuntimeError(f"{self.module}.{self.function} {'did not mark' if self.points else 'marked'} "
                               f"its points, but its recipe says points={self.points}")
        return figure


def save_figure(figure: Figure | FigureRecipe, stage: Any, stem: str, *, dpi: int = 150,
                svg: bool = True) -> list[str]:
    """Write ``<stem>.png`` (and ``<stem>.svg``, and ``<stem>.points.json`` for marked points)
    into a staging folder; return the names.

    ``stage`` is a :class:`swisssim.io.staging.Staging` or :class:`~swisssim.io.staging.SubStaging`.
    ``figure`` is a plain ``matplotlib.figure.Figure`` (no pyplot, so nothing needs closing) or
    a :class:`FigureRecipe`. A stage whose ``keep_svg`` is false gets no SVG (none is drawn),
    and one whose ``palette`` is true gets 256-colour palette PNGs
    (:func:`swisssim.io.drawing.palette_bytes`, from the pixels in memory).

    The figure is drawn once for the PNG (:func:`swisssim.io.drawing.draw_once`); the SVG,
    when kept, reuses that layout and crop box (no second layout pass). Inside
    :func:`drawn_together` the files are written when that block ends.
    """
    svg = svg and getattr(stage, "keep_svg", True)
    interrupts.checkpoint()   # a safe point: each figure
    recipe = figure if isinstance(figure, FigureRecipe) else None
    built = None if recipe is not None else figure
    marked = recipe.points if recipe is not None else bool(
        built.__dict__.get("swisssim_points"))
    job = FigureJob(built, recipe, dpi, bool(getattr(stage, "palette", False)),
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
    """A figure (built, or a recipe built when drawn) and the files it is drawn into."""

    figure: Figure | None
    recipe: FigureRecipe | None
    dpi: int
    palette: bool
    png: Path
    svg: Path | None = None
    points: Path | None = None

    @property
    def area(self) -> float:
        """Pixels of the full canvas (0 for a recipe): :class:`FigureBatch` draws the largest
        figures first."""
        if self.figure is None:
            return 0.0
        width, height = self.figure.get_size_inches()
        return float(width * height) * self.dpi ** 2

    def draw(self) -> None:
        """Build the figure if it is a recipe, draw it once and write its PNG (and SVG and point
        positions)."""
        from swisssim.io.drawing import draw_once, palette_bytes, png_bytes, point_positions

        figure = self.figure
        if figure is None:
            if self.recipe is None:
                raise ValueError("a FigureJob needs a figure or a recipe")
            figure = self.recipe.build()
        with draw_once(figure, self.dpi) as rendered:
            pixels = rendered.pixels
            data = palette_bytes(pixels) if self.palette else png_bytes(pixels, self.dpi)
            self.png.write_bytes(data)
            if self.svg is not None:
                figure.savefig(self.svg, format="svg", dpi=self.dpi, bbox_inches=rendered.box)
            if self.points is not None:
                self.points.write_text(json.dumps(point_positions(
                    figure, rendered.box, self.dpi)) + "\n", encoding="utf-8")


class FigureWorker:
    """Two forked processes that import matplotlib and the figure builders ahead of time, then
    build and draw the :class:`FigureRecipe` jobs of one batch as they come
    (:func:`figure_worker`).

    The worker forks its sibling once the imports are done; both run in the worker's own
    process group (a terminal's Ctrl-C reaches only this process, which ends the group), with
    SIGINT and SIGTERM at their default action. The imports (about 0.5 s: matplotlib, pandas
    and the builders; the builders' modules import neither numba nor scipy) run on a CPU that
    this process leaves idle while it imports its own, so they are done before a simulation
    needs both CPUs.

    Protocol: :meth:`send` pickles a job into a private temporary folder and writes its number,
    one byte, to a ticket pipe (a pipe read of one byte is atomic, so each job goes to one
    process); each finished job's number comes back on a second pipe. :meth:`finish` closes the
    ticket pipe, and the end of file of the second pipe says both processes have exited.
    """

    def __init__(self, preload: Sequence[str] = WORKER_PRELOAD) -> None:
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="swisssim-figures-"))
        tickets, self._tickets = os.pipe()
        self._done, done_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(self._tickets)
                os.close(self._done)
                os.setpgid(0, 0)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _serve(self.folder, preload, tickets, done_write)
                code = 0
            finally:
                os._exit(code)
        with suppress(OSError):         # also here: no race with the child's own call
            os.setpgid(pid, pid)
        os.close(tickets)
        os.close(done_write)
        self.pid: int | None = pid
        self.sent = 0

    def send(self, job: FigureJob) -> bool:
        """Hand ``job`` (a recipe) to the worker; False if it cannot take it (256 sent, an
        argument that does not pickle, or the worker has ended): the caller draws it."""
        if self.sent >= 256 or self._tickets < 0:
            return False
        try:
            data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False               # an argument that does not pickle: drawn here
        (self.folder / f"{self.sent}.pickle").write_bytes(data)
        try:
            os.write(self._tickets, bytes([self.sent]))
        except BrokenPipeError:        # both processes have ended
            return False
        self.sent += 1
        return True

    def finish(self) -> set[int]:
        """Wait until the worker and its sibling have drawn every job sent and ended; return
        the numbers of the jobs they finished (in the order sent)."""
        self._close_tickets()
        done: set[int] = set()
        while True:
            ready, _, _ = select.select([self._done], [], [], 0.05)   # responsive to signals
            interrupts.checkpoint()
            if not ready:
                continue
            chunk = os.read(self._done, 256)
            if not chunk:
                break
            done.update(chunk)
        self._reap()
        return done

    def close(self) -> None:
        """End the worker's process group (if still running), reap the worker and remove the
        job files."""
        import shutil

        self._close_tickets()
        if self.pid is not None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            self._reap()
        if self._done >= 0:
            os.close(self._done)
            self._done = -1
        shutil.rmtree(self.folder, ignore_errors=True)

    def _close_tickets(self) -> None:
        if self._tickets >= 0:
            os.close(self._tickets)
            self._tickets = -1

    def _reap(self) -> None:
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None


def _serve(folder: Path, preload: Sequence[str], tickets: int, done_write: int) -> None:
    """The worker's side of :class:`FigureWorker`: import, fork the sibling, then draw the jobs
    whose tickets come."""
    for name in preload:
        importlib.import_module(name)
    def draw(number: int) -> None:
        job: FigureJob = pickle.loads((folder / f"{number}.pickle").read_bytes())
        job.draw()

    sibling = os.fork()
    if sibling == 0:
        code = 1
        try:
            _draw_tickets(tickets, draw, done_write)
            code = 0
        finally:
            os._exit(code)
    try:
        _draw_tickets(tickets, draw, done_write)
    finally:
        os.waitpid(sibling, 0)


def _draw_tickets(tickets: int, draw: Callable[[int], None], done_write: int) -> None:
    """Draw the jobs whose numbers come from ``tickets`` (one byte each); report each one
    finished on ``done_write``. A figure worker and its sibling, or a sharing helper, run it."""
    while ticket := os.read(tickets, 1):
        draw(ticket[0])
        os.write(done_write, ticket)


class FigureBatch:
    """The figures of a :func:`drawn_together` block, drawn in this process and in forked
    helper processes (the module notes).

    With a :class:`FigureWorker`, each recipe goes to the worker when it is queued, and a
    built figure waits for :meth:`finish`, which draws it here while the worker draws, then
    waits for the worker. Without one, when the machine
    allows helpers (:func:`helper_possible`), a figure queued while no helper runs goes at once
    to a new helper (``os.fork``: it has the figure, or builds it from its recipe, and draws it
    while this process goes on); :meth:`finish` shares the figures still waiting between this
    process and one more helper: both take figure numbers from one pipe, one byte each (a pipe
    read is atomic), largest figure first, and the helper reports each figure it finished on a
    second pipe. A helper writes only the files of its figures and ends with ``os._exit`` (no
    interpreter teardown, no stdio flush); its SIGINT and SIGTERM take their default action. A
    figure that no helper or worker reported finished is drawn here again (a failure raises its
    error here), and :meth:`abort` kills and reaps every helper still running.
    """

    def __init__(self, parallel: bool, worker: FigureWorker | None = None) -> None:
        self.jobs: list[FigureJob] = []
        self.pending: list[FigureJob] = []
        self.parallel = parallel
        self.worker = worker
        self.sent: list[FigureJob] = []
        self.eager: tuple[int, FigureJob] | None = None
        self.sharing: int | None = None
        self.helpers_started = 0

    def __len__(self) -> int:
        return len(self.jobs)

    def add(self, job: FigureJob) -> None:
        """Queue ``job``: send a recipe to the worker, or hand the job to a helper now if none
        runs."""
        self.jobs.append(job)
        if self.worker is not None:
            if job.figure is None and self.worker.send(job):
                self.sent.append(job)
            else:
                self.pending.append(job)
            return
        if self.parallel:
            self._reap_eager(block=False)       # a failed helper turns helpers off
        if self.parallel and self.eager is None:
            self.eager = (self._fork(job.draw), job)
        else:
            self.pending.append(job)

    def finish(self) -> None:
        """Draw every queued figure; return when all are drawn and no helper runs."""
        waiting, self.pending = sorted(self.pending, key=lambda j: -j.area), []
        if self.worker is not None:
            for job in waiting:               # built here, so drawn here, meanwhile
                interrupts.checkpoint()
                job.draw()
            done = self.worker.finish()
            self.worker.close()
            self.worker = None
            for index, job in enumerate(self.sent):
                if index not in done:
                    interrupts.checkpoint()
                    job.draw()                # what the worker did not finish
            return
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
        if self.worker is not None:
            self.worker.close()
            self.worker = None

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
                _draw_tickets(tickets, lambda number: jobs[number].draw(), report_writer)

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
#: The figure worker of the current :func:`figure_worker` block, until a batch takes it.
_WORKER: contextvars.ContextVar[FigureWorker | None] = contextvars.ContextVar(
    "swisssim_figure_worker", default=None)


@contextmanager
def figure_worker(enabled: bool = True,
                  preload: Sequence[str] = WORKER_PRELOAD) -> Iterator[FigureWorker | None]:
    """Start a :class:`FigureWorker` for the block, where helpers are possible
    (:func:`helper_possible`); the block's first :func:`drawn_together` batch of recipes goes
    to it. On exit an unused worker is ended, and a used one has ended already.

    Start it before the heavy imports (the worker imports only what it draws with): a command
    calls it first thing when it will draw figures.
    """
    worker = FigureWorker(preload) if enabled and helper_possible() else None
    token = _WORKER.set(worker)
    try:
        yield worker
    finally:
        _WORKER.reset(token)
        if worker is not None:
            worker.close()


@contextmanager
def drawn_together(parallel: bool | None = None) -> Iterator[FigureBatch]:
    """Within the block, :func:`save_figure` queues its figure (:class:`FigureBatch`); when the
    block ends every figure has been drawn. A nested block joins the outer one. If the block
    raises, figures not yet drawn are dropped and a running helper is killed.

    ``parallel``: draw in helper processes too (default: :func:`helper_possible`); the files
    are the same either way. The batch takes the worker of an enclosing :func:`figure_worker`
    block (one batch per worker), unless ``parallel`` is false.
    """
    outer = _BATCH.get()
    if outer is not None:
        yield outer
        return
    allowed = helper_possible() if parallel is None else parallel
    worker = _WORKER.get() if allowed else None
    if worker is not None:
        _WORKER.set(None)
    batch = FigureBatch(allowed, worker)
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


