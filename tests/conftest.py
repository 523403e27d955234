"""Shared test helpers: the naive twin and the exact oracle live beside the tests."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent

# The suite runs in pytest-xdist workers (``-n auto`` in pyproject.toml). Each worker keeps its
# own numba cache (``.numba-cache/<worker>/``, below NUMBA_CACHE_DIR when that is set, and
# inherited by the commands the tests start): numba's cache is not safe against two processes
# compiling different signatures of one function at once (both pick the same data file name
# from the index they read, so one index can end up naming the other's kernel).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    assert "numba" not in sys.modules, "numba was imported before tests/conftest.py"
    os.environ["NUMBA_CACHE_DIR"] = str(
        Path(os.environ.get("NUMBA_CACHE_DIR") or REPO / ".numba-cache") / _WORKER)

# The signal tests start commands in subprocesses and expect them to start with SIGINT and
# SIGTERM at their usual dispositions. A shell starts a background job (``cmd &``, a CI script's
# runner) with SIGINT ignored, and a child inherits an ignored signal across exec (swisssim keeps
# it ignored, as documented). A caught signal is reset to the default in the child, so the suite
# catches both here; the test of a process started with a signal ignored ignores it itself.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario TOML and its scores CSV into tmp_path; return the TOML path."""

    def write(toml_body: str, csv_text: str | None = None, *, name: str = "tiny",
              csv_name: str = "scores.csv") -> Path:
        if csv_text is not None:
            (tmp_path / csv_name).write_text(csv_text)
        path = tmp_path / f"{name}.toml"
        path.write_text(toml_body)
        return path

    return write


def assert_clean_failure(code: int, err: str, out: Path, *fragments: str) -> None:
    """Bad input: exit code 2, one short message naming ``fragments``, no traceback, no output.

    ``out`` is the result folder the command was given; neither it nor a staging folder beside it
    may exist afterwards.
    """
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("swisssim") and err.count("\n") <= 2, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]


TINY_CSV = "model,a,b,c\nm1,3,1,2\nm2,2,3,1\nm3,1,2,3\nm4,1,1,1\n"
TINY_TOML = 'name = "tiny"\nscores = "scores.csv"\n[simulation]\niterations = 2000\n'


def live_children() -> set[int]:
    """Process ids of this process's live (not zombie) children, from /proc (Linux): what a
    figure batch or worker must leave as it found."""
    me = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs commands at their full documented size "
                            "(minutes); deselect with -m 'not slow'")
