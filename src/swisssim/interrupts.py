"""SIGINT and SIGTERM recorded so that none is lost; the work stops at safe points.

Python runs a signal handler between two bytecodes of the main thread, wherever it is. A handler
that only raised ``KeyboardInterrupt`` lost the signal when it ran inside a ``__del__`` method or
a weakref callback (matplotlib and pandas run many): Python reports such an exception as
"Exception ignored in ..." and carries on, and the run went on to replace the earlier result.

So the handler of :func:`install` first **records** the signal, then raises
(``KeyboardInterrupt`` for SIGINT, :class:`Terminated` for SIGTERM) to stop ordinary Python code
at once. Where Python swallows that exception, the record stays: the next **safe point**
(:func:`checkpoint`: between engine chunks, Elo and baseline chunks, bootstrap replicates,
figures, and right before a result folder is committed) raises it again, so nothing is committed
after a signal, and the "Exception ignored" report of a swallowed interrupt is suppressed
(:func:`sys.unraisablehook`). Inside :func:`deferred` the handler only records; the block's end
raises.

Only the first signal raises: while its exception unwinds the command (``finally`` blocks
deleting the staged folder, the command line printing its line), a second signal is only
recorded, so it cannot cut the clean-up short or escape the command line's ``except``. (If
Python swallowed the first exception, nothing is unwinding, and the next signal raises again.)

When the process ends (:func:`ignore`, once the command has returned) both signals are ignored:
Python's shut-down resets every signal with a Python handler to the system's default action
before it collects garbage and tears its modules down (about a second with numba, pandas and
matplotlib loaded), and a signal then would end a finished command with -2 or -15.

Without :func:`install` (the Python API in a notebook) nothing is recorded and
:func:`checkpoint` costs one list test.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: The signals handled: SIGINT (Ctrl-C) and SIGTERM.
SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: Signals received since :func:`install` or :func:`clear`, in order.
RECEIVED: list[int] = []

#: ``hold`` > 0: the handler only records (inside :func:`deferred`, before a command starts and
#: after it has returned). ``raised``: an exception of a recorded signal is unwinding the
#: command, so further signals are only recorded (reset by :func:`clear`, and when Python
#: swallowed that exception).
_state = {"hold": 0, "keep_ignored": 0, "raised": 0}
_previous_hook: list[Any] = []


class Terminated(BaseException):
    """Raised for SIGTERM, so that ``finally`` blocks clean up (like ``KeyboardInterrupt``)."""


def exception_for(signum: int) -> BaseException:
    """``KeyboardInterrupt`` for SIGINT, :class:`Terminated` for anything else."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated()


def _handler(signum: int, frame: FrameType | None) -> None:
    RECEIVED.append(signum)
    if not _state["hold"] and not _state["raised"]:
        _state["raised"] = 1
        raise exception_for(signum)


def _unraisable(unraisable: Any) -> None:
    """Silence the report of an interrupt Python swallowed: it is recorded, and re-raised at
    the next safe point (and the next signal may raise again: nothing is unwinding)."""
    if isinstance(unraisable.exc_value, (KeyboardInterrupt, Terminated)) and RECEIVED:
        _state["raised"] = 0
        return
    hook = _previous_hook[-1] if _previous_hook else sys.__unraisablehook__
    hook(unraisable)


def installed() -> bool:
    """Whether the recording handlers of :func:`install` are in place."""
    return signal.getsignal(signal.SIGINT) is _handler


def install(keep_ignored: bool | None = None) -> dict[int, Any]:
    """Put the recording handlers in place (main thread only); return the previous handlers.

    With ``keep_ignored`` (the entry point: ``python -m swisssim`` and the console script), a
    signal the process was started with ignored stays ignored, as Python itself does for SIGINT
    (a background job of a non-interactive shell ignores Ctrl-C; ``nohup`` and the like); the
    choice is remembered by later calls that do not give it. Otherwise (``main`` called in
    a test or a notebook) both handlers are installed. Installing twice is harmless;
    :func:`restore` with the returned mapping undoes one call.
    """
    if keep_ignored is not None:
        _state["keep_ignored"] = int(keep_ignored)
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {number: signal.getsignal(number) for number in SIGNALS}
    for number in SIGNALS:
        if not (_state["keep_ignored"] and previous[number] == signal.SIG_IGN):
            signal.signal(number, _handler)
    if sys.unraisablehook is not _unraisable:
        _previous_hook.append(sys.unraisablehook)
        sys.unraisablehook = _unraisable
    return previous


def restore(previous: dict[int, Any]) -> None:
    """Put back the handlers :func:`install` returned (and the unraisable hook with them)."""
    if not previous:
        return
    for number, handler in previous.items():
        signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    if previous.get(signal.SIGINT) is not _handler and sys.unraisablehook is _unraisable:
        sys.unraisablehook = _previous_hook.pop() if _previous_hook else sys.__unraisablehook__


def received() -> int | None:
    """The first signal recorded since the last :func:`clear`, or None."""
    return RECEIVED[0] if RECEIVED else None


def clear() -> None:
    """Forget the recorded signals (at the start and the end of a command)."""
    RECEIVED.clear()
    _state["raised"] = 0


def checkpoint() -> None:
    """A safe point: raise the exception of a recorded signal, if any.

    Called between chunks of every long computation and before a result folder is committed;
    cheap enough for any loop whose body takes a millisecond or more.
    """
    if RECEIVED:
        _state["raised"] = 1
        raise exception_for(RECEIVED[0])


@contextmanager
def deferred() -> Iterator[None]:
    """Only record SIGINT and SIGTERM inside the block (the handlers of :func:`install`); at its
    end, raise for a signal recorded before or during it."""
    _state["hold"] += 1
    try:
        yield
    finally:
        _state["hold"] -= 1
    checkpoint()


def record_only() -> None:
    """Record, never raise, until :func:`raising`: used by the entry point from its first line
    (a signal during the imports is answered once the command's error handling is in place)."""
    _state["hold"] += 1


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on: the process is ending (main thread only).

    Called by the entry point once the command has returned, with its results complete (or
    nothing written) and its exit code decided. Recording is not enough there: Python's
    shut-down (``Py_FinalizeEx``) resets every signal that has a Python handler to the
    system's default action, then collects garbage and tears down its modules, which takes
    about a second with numba, pandas and matplotlib loaded; a SIGINT or SIGTERM in that
    window ended a finished command with -2 or -15. An ignored signal stays ignored through
    the shut-down.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    _state["hold"] += 1   # a signal between the two calls below is only recorded
    for number in SIGNALS:
        signal.signal(number, signal.SIG_IGN)


@contextmanager
def raising() -> Iterator[None]:
    """Raise at the signal inside the block (the command's work); a signal recorded before it
    (during start-up) is raised on entry."""
    saved = _state["hold"]
    _state["hold"] = 0
    try:
        checkpoint()
        yield
    finally:
        _state["hold"] = saved


__all__ = ["RECEIVED", "SIGNALS", "Terminated", "checkpoint", "clear", "deferred",
           "exception_for", "ignore", "install", "installed", "raising", "received",
           "record_only", "restore"]
