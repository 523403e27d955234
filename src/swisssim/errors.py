"""Errors raised for bad input.

Every message names where the problem is (file or argument), the field, what was expected and
what was found, so that the command line can print it as it is, without a traceback.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Invalid user input: a scenario file, a data file or an argument.

    Parameters
    ----------
    source
        The file or argument the problem is in, e.g. ``"scenarios/x.toml"`` or ``"--seed"``.
    field
        The field inside it, e.g. ``"[simulation].iterations"``; empty when not applicable.
    expected
        What a valid value looks like.
    found
        What was found instead (shown with ``repr`` unless it is already a description).
    """

    def __init__(self, source: str, field: str, expected: str, found: Any = None, *,
                 found_text: str | None = None) -> None:
        self.source = source
        self.field = field
        self.expected = expected
        self.found = found
        self.found_text = found_text if found_text is not None else _show(found)
        location = f"{source}: {field}" if field else source
        super().__init__(f"{location}: expected {expected}, found {self.found_text}")

    def renamed(self, source: str, field: str = "") -> InputError:
        """The same error reported under another name (a command-line flag for an argument)."""
        return InputError(source, field, self.expected, self.found, found_text=self.found_text)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


#: The longest error line the command line prints (characters); longer ones are shortened in the
#: middle (:func:`shorten`), so a 100 kB model name or a file of NUL bytes still gives one line.
MAX_LINE = 600


def shorten(text: str, limit: int = MAX_LINE) -> str:
    """``text`` on one printable line of at most ``limit`` characters.

    Control and other unprintable characters (a NUL, a newline, an escape) are shown escaped
    (``\\x00``); a longer text keeps its first two thirds and its last third around ``" ... "``,
    so both the start (the file, the field) and the end (what was found) stay readable.
    """
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) <= limit:
        return text
    keep = max(limit - 5, 2)
    head = (2 * keep) // 3
    return text[:head] + " ... " + text[len(text) - (keep - head):]


def preview(names: list[str], limit: int = 6) -> str:
    """The first few names, comma-separated, for messages that list what was expected."""
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (", ..." if len(names) > limit else "")


class OutputError(InputError):
    """A file-system error while writing results: the path, what failed and the system's text.

    A subclass of :class:`InputError` so that every caller that reports bad input (the command
    line: one line, exit code 2) reports it the same way; the message reads
    ``PATH: ACTION failed: TEXT (errno NAME)``.
    """

    def __init__(self, path: str, action: str, reason: str) -> None:
        self.source = path
        self.field = action
        self.expected = "a writable location"
        self.found = None
        self.found_text = reason
        ValueError.__init__(self, f"{path}: {action} failed: {reason}")

    @classmethod
    def of(cls, error: OSError, action: str, fallback: Any) -> OutputError:
        """The :class:`OutputError` of an ``OSError`` raised while doing ``action``."""
        import errno as _errno

        path = error.filename if error.filename is not None else fallback
        reason = error.strerror or str(error) or type(error).__name__
        if error.errno is not None and error.errno in _errno.errorcode:
            reason += f" ({_errno.errorcode[error.errno]})"
        return cls(str(path), action, reason)

    def renamed(self, source: str, field: str = "") -> InputError:
        return self
