"""Atomic output folders: a result folder is replaced whole, or not at all.

Every command stages its files in a hidden folder beside the destination,
``.<name>.partial-<pid>-<random>``, and only when all of them are written replaces the destination
folder by the staged one with two renames on the same file system. The rule, stated in the
README's "Guarantees":

* **Replaced whole.** After a run, ``out_dir`` holds exactly the files this run wrote, plus the
  *nested result folders* of other runs that this run does not write: a sub-folder (at any depth)
  whose own ``manifest.json`` records another run (another ``command``, ``argv`` or
  ``created_utc``) than the manifest of the folder it sits in. So ``swisssim run`` into
  ``results/x/`` keeps ``results/x/sweep/`` written by ``swisssim sweep``, but a re-run of
  ``swisssim run --bootstrap`` without ``--bootstrap`` leaves no ``bootstrap.csv`` behind, and a
  report without ``--orders`` drops the ``orders/`` sub-folder an earlier report wrote.
* **Only what the same command wrote.** An existing ``out_dir`` is replaced only if the same
  command wrote it (its ``manifest.json`` records that ``command``; for figure folders, it holds
  only the files ``swisssim plot`` and the sweep write: ``.png``, ``.svg``, ``.points.json``) or
  it holds nothing but nested result folders (``results/x/`` after ``swisssim sweep`` wrote
  ``results/x/sweep/``; an empty folder too). Even the same command's folder is refused when it
  holds files added or edited after its run (:func:`changed_since_written`, exact: the run's
  files are recorded with size and SHA-256 in the hidden ``.swisssim-written.json``). A result
  folder of
  *another* command is replaced
  only inside :func:`replacing` (the command line's ``--replace``); a folder of other files is
  never replaced. Either refusal is one line naming what is there and the way out, before
  simulating.
* **Never over an input.** A folder holding an input file of the run (the scenario, its CSV
  files, the tables ``swisssim plot`` reads) or the current working directory is refused.
* **Nothing left behind.** On any exception (an interrupt included) the staged folder is deleted
  and ``out_dir`` is untouched. Stale ``.partial-`` folders of processes that no longer run are
  removed by the next write beside them. The two renames run with SIGINT and SIGTERM deferred;
  only a SIGKILL or a crash in the few milliseconds between them can leave a stale folder.
* **File-system errors** (a full or read-only disk, a name too long, a path through a file)
  become an :class:`~swisssim.errors.OutputError`, one line naming the path, what failed and the
  operating system's text.
"""

from __future__ import annotations

import contextvars
import fcntl
import json
import os
import secrets
import shutil
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import swisssim.interrupts as interrupts  # noqa: PLR0402 (test_layers)
from swisssim.errors import InputError, OutputError

if TYPE_CHECKING:  # pandas is not loaded by the command line's start-up
    import pandas as pd

#: Marker in the names of staging folders (``.<name>.partial-<pid>-<hex>``).
PARTIAL = ".partial-"
#: Marker of the folder an earlier result is moved to while being replaced.
REPLACED = ".replaced-"
#: Characters the staging name adds to the destination's name (dot, markers, pid, random).
STAGING_OVERHEAD = 1 + len(PARTIAL) + 10 + 1 + 8
#: File types a figure folder (``swisssim plot``) may hold: the figures and the hover data
#: (``<figure>.points.json``) written beside them.
FIGURE_SUFFIXES = (".png", ".svg", ".points.json")

#: Whether a result folder written by another command may be replaced (see :func:`replacing`).
_REPLACE_OTHERS: contextvars.ContextVar[bool] = contextvars.ContextVar("swisssim_replace",
                                                                       default=False)


@contextmanager
def replacing(allowed: bool = True) -> Iterator[None]:
    """Within this block, writers may replace a result folder that *another* command wrote
    (the command line's ``--replace``). Folders of files swisssim did not write are still
    refused."""
    token = _REPLACE_OTHERS.set(bool(allowed))
    try:
        yield
    finally:
        _REPLACE_OTHERS.reset(token)

#: Result folders this process has replaced or created (the command line says so when
#: interrupted afterwards).
COMMITTED: list[Path] = []


class Staging:
    """A temporary folder collecting the files of one result folder (see :func:`atomic_output`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` (may contain sub-folders); a safe point
        (:func:`swisssim.interrupts.checkpoint`)."""
        interrupts.checkpoint()
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


# -- checks ----------------------------------------------------------------------------------------

def is_result_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a ``manifest.json`` written by swisssim."""
    return _manifest_identity(folder) is not None


def _manifest_identity(folder: Path) -> tuple[str, str, str] | None:
    """``(command, argv, created_utc)`` of ``folder/manifest.json``, or None if not ours."""
    path = folder / "manifest.json"
    try:
        if not path.is_file() or path.stat().st_size > (16 << 20):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("environment"), dict) or (
            "swisssim" not in data["environment"]) or "command" not in data:
        return None
    return (str(data.get("command")), json.dumps(data.get("argv")), str(data.get("created_utc")))


def written_by(folder: Path) -> str | None:
    """The ``command`` recorded in ``folder/manifest.json``, or None if swisssim did not write it."""
    identity = _manifest_identity(folder)
    return None if identity is None else identity[0]


def only_figures(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but figure files (``.png``, ``.svg`` and the
    ``.points.json`` beside them): a ``plot`` folder, or the ``figures/`` of a sweep."""
    try:
        return all(p.is_file() and not p.is_symlink()
                   and p.name.lower().endswith(FIGURE_SUFFIXES) for p in folder.iterdir())
    except OSError:
        return False


#: The record of what a run wrote, inside its result folder: the relative path, size and SHA-256
#: of every file the run staged (written at commit when the folder has a ``manifest.json``). A
#: dot-file, so that listings and the report's file lists leave it out.
RECORD = ".swisssim-written.json"

#: Fallback for folders written before :data:`RECORD` existed (or whose record is unreadable):
#: seconds after a result folder's ``manifest.json`` within which its files count as written by
#: the run (every writer writes the manifest last; a checkout or copy writes all files within
#: seconds of each other).
WRITTEN_WITHIN = 120.0


def _file_digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_record(folder: Path) -> None:
    """Write :data:`RECORD` into a staged result folder: every file in it (links and the
    record itself left out) with its size and SHA-256. Folders without a ``manifest.json``
    (the figure folders of ``swisssim plot``) get none."""
    if not (folder / "manifest.json").is_file():
        return
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or path == folder / RECORD:
            continue
        files[path.relative_to(folder).as_posix()] = {"size": path.stat().st_size,
                                                      "sha256": _file_digest(path)}
    (folder / RECORD).write_text(json.dumps({"written_by": "swisssim", "files": files},
                                            indent=1) + "\n", encoding="utf-8")


def _read_record(folder: Path) -> dict[str, tuple[int, str]] | None:
    """``{relative path: (size, sha256)}`` of ``folder``'s :data:`RECORD`, or None when it has
    none or it cannot be read."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        return {str(name): (int(entry["size"]), str(entry["sha256"]))
                for name, entry in data["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def changed_since_written(folder: Path, limit: int = 2000) -> list[str]:
    """Files of a result folder added or modified after its run wrote it (relative paths).

    A file counts as the run's own when :data:`RECORD` lists it with the same size and SHA-256;
    any other file (added by the user or another command, or edited, at any time) is reported.
    A folder written before the record existed (no :data:`RECORD`) falls back to modification
    times: a file modified more than :data:`WRITTEN_WITHIN` seconds after its ``manifest.json``
    is reported. Nested result folders of other runs are not looked into (they are kept anyway;
    see :func:`_carry_over`), nor folders of figures only (``swisssim plot`` re-draws them from
    the folder's tables). These are the user's, and replacing the folder would delete them.
    """
    try:
        written = (folder / "manifest.json").stat().st_mtime
    except OSError:
        return []
    record = _read_record(folder)
    identity = _manifest_identity(folder)
    changed: list[str] = []
    stack = [folder]
    seen = 0
    while stack and seen < limit:
        current = stack.pop()
        for child in sorted(_children(current)):
            seen += 1
            if child.is_symlink():
                continue
            if child.is_dir():
                own = _manifest_identity(child)
                if only_figures(child):   # figures ``swisssim plot`` may have re-drawn
                    continue
                if own is None or own == identity:     # part of this run's folder
                    stack.append(child)
                continue
            name = child.relative_to(folder).as_posix()
            if record is not None and name == RECORD:
                continue
            try:
                if record is None:
                    if child.stat().st_mtime > written + WRITTEN_WITHIN:
                        changed.append(name)
                    continue
                expected = record.get(name)
                if expected is None or child.stat().st_size != expected[0] or (
                        _file_digest(child) != expected[1]):
                    changed.append(name)
            except OSError:
                continue
    return changed


def _listing(folder: Path, limit: int = 4) -> str:
    """A few names of what ``folder`` holds, for an error line."""
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in _children(folder))
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit
                                       else "")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def check_output_folder(out_dir: str | Path, inputs: Iterable[str | Path] = (), *,
                        replaceable: Callable[[Path], bool] | None = None,
                        source: str | None = None, command: str | None = None) -> Path:
    """Check, before any work, that :func:`atomic_output` can write ``out_dir``.

    Parameters
    ----------
    out_dir
        The result folder.
    inputs
        Files the run reads; none may lie inside ``out_dir``.
    replaceable
        Extra test accepting an existing non-empty folder (e.g. :func:`only_figures`).
    source
        The name under which errors are reported (default: the path).
    command
        The command that writes the folder (``"run"``, ``"report"``, ...): an existing result
        folder is accepted only if its manifest records the same command, or inside
        :func:`replacing`. None accepts a result folder of any command.

    Returns
    -------
    Path
        ``out_dir`` as a path.

    Raises
    ------
    InputError
        When the folder is an existing file, lies below a file, holds an input of the run or the
        working directory, is a folder of other files or of another command's results, has a
        name too long for the file system, or its nearest existing parent is not writable.
    """
    out_dir = Path(out_dir)
    where = source or str(out_dir)
    try:
        resolved = out_dir.resolve()
    except (OSError, RuntimeError) as error:
        raise InputError(where, "", "a folder path that can be resolved",
                         found_text=f"an error ({error})") from None
    if str(out_dir) in ("", ".") or resolved == resolved.parent:
        raise InputError(where, "", "a result folder other than the working directory or the "
                         "root", found_text=repr(str(out_dir)))
    limit = _name_max(Path(resolved.anchor or "/"))
    for part in resolved.parts:
        if len(os.fsencode(part)) > limit:
            raise InputError(where, "", f"folder names of at most {limit} bytes",
                             found_text=f"a name of {len(os.fsencode(part))} bytes")
    ancestor = resolved
    while not _exists(ancestor):
        ancestor = ancestor.parent
    if ancestor != resolved and not ancestor.is_dir():
        raise InputError(where, "", "a folder path", found_text=f"{str(ancestor)!r}, a file, on "
                         "the way")
    limit = _name_max(ancestor if ancestor.is_dir() else ancestor.parent)
    if len(os.fsencode(resolved.name)) + STAGING_OVERHEAD > limit:
        raise InputError(where, "", f"a folder name of at most {limit - STAGING_OVERHEAD} bytes "
                         "(room for the staging folder's name)",
                         found_text=f"{len(os.fsencode(resolved.name))} bytes")
    for item in inputs:
        path = Path(item).resolve()
        if path.is_relative_to(resolved):
            raise InputError(where, "", "a folder that holds none of the run's input files",
                             found_text=f"one that holds {str(item)!r}")
    if ancestor == resolved:
        _check_existing(resolved, where, replaceable, command)
    parent = resolved.parent if ancestor == resolved else ancestor
    try:  # the real test: create (and remove) a folder where the staging folder will go
        _temporary(parent, resolved.name, PARTIAL).rmdir()
    except OSError as error:
        raise InputError(where, "", "a folder in a writable location",
                         found_text=f"{str(parent)!r}: {error.strerror or error}") from None
    return out_dir


def _check_existing(resolved: Path, where: str,
                    replaceable: Callable[[Path], bool] | None,
                    command: str | None = None) -> None:
    """The checks of an existing destination, under the lock that :func:`commit` takes (so a
    concurrent writer's swap is never seen half-done)."""
    with _parent_locked(resolved.parent):
        if not _exists(resolved):
            return
        if not resolved.is_dir():
            raise InputError(where, "", "a folder", found_text=f"an existing file {str(resolved)!r}")
        if Path.cwd().resolve().is_relative_to(resolved):
            raise InputError(where, "", "a folder that does not hold the working directory",
                             found_text=repr(str(resolved)))
        writer = written_by(resolved)
        if writer is not None:
            if _REPLACE_OTHERS.get():
                return
            if command is None or writer == command:
                changed = changed_since_written(resolved)
                if changed:
                    raise InputError(where, "", "a result folder as its run left it (it is "
                                     "replaced whole)", found_text=(
                                         f"files added or changed after 'swisssim {writer}' "
                                         f"wrote it ({', '.join(changed[:4])}); move them "
                                         "out, write elsewhere with --out DIR, or replace "
                                         "them with --replace"))
                return
            raise InputError(where, "", f"a new folder or one 'swisssim {command}' wrote (it is "
                             "replaced whole)", found_text=(
                                 f"the results of 'swisssim {writer}' ({_listing(resolved)}); "
                                 "write elsewhere with --out DIR, or replace them with "
                                 "--replace"))
        if (replaceable is not None and replaceable(resolved)) or _holds_only_results(resolved):
            return
        raise InputError(where, "", "a new or empty folder, or a result folder swisssim wrote "
                         "(with its manifest.json)", found_text=(
                             f"files swisssim did not write ({_listing(resolved)}), which are "
                             "never replaced; write elsewhere with --out DIR"))


def _owned(folder: Path, replaceable: Callable[[Path], bool] | None) -> bool:
    """The rule for replacing an existing folder (module notes, "Only our own folders")."""
    return (is_result_folder(folder) or (replaceable is not None and replaceable(folder))
            or _holds_only_results(folder))


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def _holds_only_results(folder: Path, depth: int = 3) -> bool:
    """Whether ``folder`` holds nothing but result folders of swisssim (at any depth up to
    ``depth``), e.g. ``results/x/`` after ``swisssim sweep`` wrote ``results/x/sweep/``; an empty
    folder qualifies. Replacing such a folder keeps all of them (see the module notes)."""
    for child in _children(folder):
        if child.is_symlink() or not child.is_dir():
            return False
        if not is_result_folder(child) and (depth <= 1 or not _holds_only_results(child,
                                                                                   depth - 1)):
            return False
    return True


def _children(folder: Path) -> Iterator[Path]:
    try:
        yield from folder.iterdir()
    except OSError:
        return


# -- staging and replacing ------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: Path, name: str) -> list[Path]:
    """Delete ``.<name>.partial-<pid>-*`` / ``.replaced-`` folders of processes no longer running."""
    removed = []
    for prefix in (f".{name}{PARTIAL}", f".{name}{REPLACED}"):
        for path in _children(parent):
            rest = path.name[len(prefix):] if path.name.startswith(prefix) else None
            pid_text = rest.split("-", 1)[0] if rest else ""
            if not pid_text.isdigit() or not path.is_dir() or path.is_symlink():
                continue
            if int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
                continue
            if prefix.endswith(REPLACED) and any(is_result_folder(c) for c in _children(path)
                                                 if c.is_dir()):
                continue  # nested results a failed commit could not move back: kept
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _temporary(parent: Path, name: str, marker: str) -> Path:
    while True:
        path = parent / f".{name}{marker}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends, then deliver them.

    A signal mask would not do: the engine's worker threads may receive a process-wide signal,
    and Python then runs the handler in the main thread at once. So the handlers are swapped for
    ones that only record the signal, and a recorded signal is raised again, under the previous
    handler, once the block is done. (Outside the main thread handlers cannot be changed, and
    nothing is deferred.)
    """
    import threading

    if interrupts.installed():   # the command line's recording handlers: hold them back
        with interrupts.deferred():
            yield
        return
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda n, frame: pending.append(n))
                for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for caught in dict.fromkeys(pending):
            signal.raise_signal(caught)


def _carry_over(old: Path, new: Path, identity: tuple[str, str, str] | None) -> None:
    """Move the nested result folders of other runs from ``old`` into ``new`` (see the module).

    ``identity`` is the run that wrote ``old`` (its manifest), inherited by sub-folders without
    a manifest of their own.
    """
    for child in sorted(_children(old)):
        if child.is_symlink() or not child.is_dir():
            continue
        own = _manifest_identity(child)
        target = new / child.name
        if target.is_dir() and not target.is_symlink():
            _carry_over(child, target, own or identity)
        elif not _exists(target) and own is not None and own != identity:
            os.rename(child, target)


@contextmanager
def _parent_locked(parent: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the parent folder: concurrent commits beside it take turns."""
    with _locked([parent]):
        yield


#: How many folders above a staging folder its creation locks (:func:`_tree_locked`), and how
#: deep a commit looks for the staging folders of other runs inside the folder it replaces.
LOCK_DEPTH = 4


@contextmanager
def _locked(folders: list[Path]) -> Iterator[None]:
    """Exclusive ``flock`` on each of ``folders`` in the given order (top-down everywhere, so
    two writers never wait on each other in a cycle); a folder that cannot be opened is
    skipped."""
    handles = []
    try:
        for folder in folders:
            try:
                handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue
            handles.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        for handle in reversed(handles):
            os.close(handle)


def _tree_locked(parent: Path) -> Any:
    """Locks of ``parent`` and up to ``LOCK_DEPTH`` folders above it, top-down: held while a
    staging folder is created, so that a commit replacing one of those folders (which holds the
    same lock while it looks for other runs' staging folders inside) sees it."""
    resolved = parent.resolve()
    chain = [resolved, *list(resolved.parents)[:LOCK_DEPTH]]
    return _locked(list(reversed(chain)))


def _live_stagings(folder: Path, depth: int = LOCK_DEPTH) -> list[Path]:
    """Staging folders of other running processes inside ``folder`` (a run writing into a
    sub-folder of the folder being replaced: ``sweep --out X/sweep`` while ``run --out X``)."""
    found = []
    for child in _children(folder):
        if child.is_symlink() or not child.is_dir():
            continue
        if PARTIAL in child.name and child.name.startswith("."):
            pid_text = child.name.rsplit(PARTIAL, 1)[1].split("-", 1)[0]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
                found.append(child)
        elif depth > 1:
            found.extend(_live_stagings(child, depth - 1))
    return found


def _identity(path: Path) -> tuple[int, int, int] | None:
    """``(device, inode, type)`` of ``path`` itself (a link is not followed), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_mode & 0o170000)


#: Seconds between two looks at the staging folders of runs writing inside the destination.
WAIT_SECONDS = 0.2


def commit(stage: Path, out_dir: Path, *, seen: tuple[int, int, int] | None | bool = False,
           replaceable: Callable[[Path], bool] | None = None) -> None:
    """Replace ``out_dir`` by the finished folder ``stage`` (same parent), signals deferred.

    The old folder is renamed aside, the new one renamed into place, the nested result folders
    of other runs moved from the old into the new (:func:`_carry_over`) and the old deleted. If
    either rename fails the old folder is put back; if moving a nested result folder fails the
    old folder is kept aside (``.<name>.replaced-...``) and the error reported. Concurrent
    writers of the same folder take turns (a lock on the parent folder); the last to commit wins.

    Nothing is committed after SIGINT or SIGTERM (:func:`swisssim.interrupts.checkpoint`, under
    the lock). The destination is checked again under the lock: ``seen`` is its identity
    (:func:`_identity`) when the run was checked (``False``: not known, the old behaviour); a
    file, link or folder that appeared or changed since is replaced only if it passes the
    ownership rule again (a result folder of swisssim), else the commit is refused with an
    :class:`~swisssim.errors.InputError` and it is left as it is. A run staging inside
    ``out_dir`` (another process's ``.partial-`` folder below it) is waited for, with a note on
    stderr, so that replacing the parent never moves a child's work away.
    """
    import sys
    import time

    shutil.rmtree(stage / ".discarded", ignore_errors=True)
    write_record(stage)
    noted = False
    while True:
        with _signals_deferred(), _locked([out_dir.parent, out_dir]):
            interrupts.checkpoint()
            busy = _live_stagings(out_dir) if out_dir.is_dir() else []
            if not busy:
                _swap(stage, out_dir, seen, replaceable)
                return
        if not noted:
            print(f"swisssim: note: waiting for the run writing {busy[0].parent} to finish "
                  f"before replacing {out_dir}", file=sys.stderr, flush=True)
            noted = True
        time.sleep(WAIT_SECONDS)
        interrupts.checkpoint()


def _swap(stage: Path, out_dir: Path, seen: tuple[int, int, int] | None | bool,
          replaceable: Callable[[Path], bool] | None) -> None:
    """The renames of :func:`commit` (under its lock)."""
    now = _identity(out_dir)
    changed = now is not None and seen is not False and now != seen
    if changed and (out_dir.is_symlink() or not out_dir.is_dir()
                    or not _owned(out_dir, replaceable)):
        raise InputError(str(out_dir), "", "the destination as it was checked before the "
                             "run", found_text="a file or folder that appeared there while the "
                             "results were staged (left untouched; no results were written)")
    if out_dir.is_symlink() or (_exists(out_dir) and not out_dir.is_dir()):
        out_dir.unlink()
    if not _exists(out_dir):
        os.rename(stage, out_dir)
        COMMITTED.append(out_dir)
        return
    replaced = _temporary(out_dir.parent, out_dir.name, REPLACED)
    try:
        os.replace(out_dir, replaced)
    except OSError:
        replaced.rmdir()
        raise
    try:
        os.rename(stage, out_dir)
    except OSError:
        os.rename(replaced, out_dir)
        raise
    COMMITTED.append(out_dir)
    _carry_over(replaced, out_dir, _manifest_identity(replaced))
    shutil.rmtree(replaced, ignore_errors=True)


@contextmanager
def atomic_output(out_dir: str | Path, *, inputs: Iterable[str | Path] = (),
                  replaceable: Callable[[Path], bool] | None = None,
                  command: str | None = None) -> Iterator[Staging]:
    """Stage the files of a result folder, then replace ``out_dir`` with them as a whole.

    Parameters
    ----------
    out_dir
        The result folder (created with its parents; replaced whole if it exists).
    inputs
        Input files of the run, which ``out_dir`` must not hold.
    replaceable
        Extra test accepting an existing folder (see :func:`check_output_folder`).
    command
        The command writing the folder (see :func:`check_output_folder`).

    Yields
    ------
    Staging
        The staging folder to write into.

    Raises
    ------
    InputError
        When ``out_dir`` may not be written (:func:`check_output_folder`).
    OutputError
        On any file-system error while staging or replacing; ``out_dir`` is then untouched.

    Notes
    -----
    The rule for nested result folders, stale staging folders and signals is in the module
    notes; any exception deletes the staged files.
    """
    out_dir = Path(out_dir)
    check_output_folder(out_dir, inputs, replaceable=replaceable, command=command)
    seen = _identity(out_dir)
    stage: Path | None = None
    action = "creating the folder"
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir.parent, out_dir.name)
        with _tree_locked(out_dir.parent):
            stage = _temporary(out_dir.parent, out_dir.name, PARTIAL)
        action = "writing"
        staging = Staging(stage)
        yield staging
        action = "replacing the result folder"
        commit(stage, out_dir, seen=seen, replaceable=replaceable)
        stage = None
    except OSError as error:
        if stage is not None and error.filename is not None:
            error.filename = _shown(Path(os.fsdecode(error.filename)), stage, out_dir)
        raise OutputError.of(error, action, out_dir) from None
    finally:
        if stage is not None:
            _discard(stage)


def _discard(stage: Path) -> None:
    """Delete a staging folder; a second signal meanwhile is held back until it is gone."""
    with interrupts.deferred():
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def atomic_files(folder: str | Path, name: str, *, owned: Iterable[str] = (),
                 source: str = "--out") -> Iterator[Staging]:
    """Stage a few files, then move them into ``folder`` beside whatever else it holds.

    For writers that share a folder with other files (``swisssim import`` writes
    ``NAME.toml`` and its CSV files, and several scenarios may live in one folder). Every file
    staged is moved into ``folder`` (each rename atomic, all of them with signals deferred); the
    files of ``owned`` that this write does not produce again (the earlier version's files) are
    then deleted. Nothing else in ``folder`` is touched.

    Parameters
    ----------
    folder
        The destination folder (created with its parents).
    name
        Names the staging folder (``.<name>.partial-<pid>-<hex>``, inside ``folder``).
    owned
        Names of files in ``folder`` that an earlier write of the same kind produced: they may
        be replaced or deleted. An existing file that this write produces and that is not in
        ``owned`` is refused (one line naming it) unless inside :func:`replacing`.
    source
        The name under which errors are reported.

    Raises
    ------
    InputError
        When ``folder`` is a file, or a file would replace one this kind of write did not make.
    OutputError
        On a file-system error; staged files are deleted.
    """
    folder = Path(folder)
    owned = set(owned)
    if _exists(folder) and not folder.is_dir():
        raise InputError(source, "", "a folder", found_text=f"an existing file {str(folder)!r}")
    stage: Path | None = None
    action = "creating the folder"
    created = [p for p in (folder, *folder.parents) if not _exists(p)]  # removed on failure
    done = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale(folder, name)
        stage = _temporary(folder, name, PARTIAL)
        action = "writing"
        staging = Staging(stage)
        yield staging
        written = sorted(set(staging.names))
        foreign = [n for n in written if n not in owned and _exists(folder / n)]
        if foreign and not _REPLACE_OTHERS.get():
            raise InputError(source, "", "file names no other file in the folder has (or the "
                             f"files of an earlier import of {name!r})",
                             found_text=f"{', '.join(foreign[:4])}, not written by this import; "
                             "write elsewhere with --out DIR, or overwrite with --replace")
        action = "moving the files into place"
        with _signals_deferred(), _parent_locked(folder):
            for item in written:
                os.replace(stage / item, folder / item)
                COMMITTED.append(folder / item)
            for item in sorted(owned - set(written)):
                target = folder / item
                if target.is_file() and not target.is_symlink():
                    target.unlink()
        done = True
    except OSError as error:
        raise OutputError.of(error, action, folder) from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if not done:
            for path in created:   # innermost first; only folders this call made, if empty
                try:
                    path.rmdir()
                except OSError:
                    break


def _shown(path: Path, stage: Path, out_dir: Path) -> str:
    """A staged path shown as where it was going: ``out_dir/<name>``."""
    try:
        return str(out_dir / path.relative_to(stage))
    except ValueError:
        return str(path)


class SubStaging:
    """A view of a staging folder that writes into one of its sub-folders.

    Every writer that takes a :class:`swisssim.io.staging.Staging` (the writers of
    :mod:`swisssim.io.writers`) can write into ``prefix`` through it unchanged. With
    ``keep_svg=False`` :func:`swisssim.io.figures.save_figure` draws no SVG copy (any other
    writer's SVG goes to a scratch folder inside the staging folder, never moved into place);
    with ``palette=True`` it stores PNG figures as 256-colour palette images.
    """

    def __init__(self, parent: Staging, prefix: str, *, keep_svg: bool = True,
                 palette: bool = False) -> None:
        self.parent = parent
        self.prefix = prefix.strip("/") + "/"
        self.keep_svg = keep_svg
        self.palette = palette

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


__all__ = ["COMMITTED", "Staging", "SubStaging", "atomic_files", "atomic_output", "check_output_folder",
           "changed_since_written", "commit", "is_result_folder", "only_figures", "remove_stale",
           "replacing", "write_record", "written_by"]
