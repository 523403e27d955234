"""Signals cannot be lost (swisssim.interrupts), long loops are chunked, and the commit re-checks
its destination: fault injection for README's Guarantees.

Each signal test delivers SIGINT or SIGTERM at a chosen point (inside a weakref callback or a
``__del__`` method, during start-up, after the command returned, between staging and commit),
so the outcome does not depend on timing. Latencies are measured by
``benchmarks/bench_signals.py``, not here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from conftest import REPO, TINY_CSV, TINY_TOML
from swisssim import interrupts
from swisssim.analysis import baseline_kernels, baselines
from swisssim.cli.app import main
from swisssim.io import staging

RUN = ["--no-progress", "-n", "200", "--seed", "1"]
SIGNALS = [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if staging.PARTIAL in p.name
            or staging.REPLACED in p.name]


@pytest.fixture
def scenario_path(write_scenario):
    return write_scenario(TINY_TOML, TINY_CSV)


class _Signals:
    """A ``__del__`` that raises a signal: the handler runs inside it, where Python swallows
    any exception (``Exception ignored in ...``)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)
        sum(range(1000))   # more bytecode inside the callback: the handler surely runs here


def _in_weakref_callback(signum: int) -> None:
    class Thing:
        pass

    thing = Thing()
    ref = weakref.ref(thing, lambda r: (signal.raise_signal(signum), sum(range(1000))))
    del thing
    assert ref() is None


def _in_del(signum: int) -> None:
    holder = _Signals(signum)
    del holder


@pytest.mark.parametrize("deliver", [_in_weakref_callback, _in_del])
@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_signal_swallowed_by_a_callback_during_report_still_stops_it(
        deliver, signum, code, word, tmp_path, scenario_path, capsys, monkeypatch):
    """The signal lands inside a weakref callback or ``__del__`` while ``report`` saves its
    second figure: the run ends 130/143 with one line, and the earlier report is intact."""
    out = tmp_path / "report"
    assert main(["report", str(scenario_path), *RUN, "--no-svg", "--out", str(out)]) == 0
    earlier = _snapshot(out)
    capsys.readouterr()
    original = FigureCanvasAgg.draw       # once per figure (swisssim.io.drawing.draw_once)
    calls = {"n": 0}

    def draw(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            deliver(signum)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasAgg, "draw", draw)
    result = main(["report", str(scenario_path), *RUN, "--seed", "7", "--no-svg", "--out",
                   str(out)])
    err = capsys.readouterr().err
    assert calls["n"] == 2, "the run went on after the signal"
    assert result == code, err
    assert err.strip().count("\n") == 0 and word in err and "no results were written" in err, err
    assert "Exception ignored" not in err and "Traceback" not in err
    assert _snapshot(out) == earlier and _leftovers(tmp_path) == []


def test_a_signal_recorded_just_before_the_commit_prevents_it(tmp_path):
    """Nothing is committed after a signal, even one whose exception nobody saw."""
    out = tmp_path / "out"
    previous = interrupts.install()
    try:
        with pytest.raises(KeyboardInterrupt), staging.atomic_output(out) as stage:
            stage.write_text("a.txt", "a")
            interrupts.RECEIVED.append(signal.SIGINT)   # as if the exception was swallowed
    finally:
        interrupts.clear()
        interrupts.restore(previous)
    assert not out.exists() and _leftovers(tmp_path) == []


def _python(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NUMBA_NUM_THREADS": "2"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120, check=False)


#: Source lines that run ``python -m swisssim ARGS`` (the script's own arguments) from ``-c``.
_AS_PYTHON_M_SWISSSIM = ("import runpy, sys\n"
                         "sys.argv = ['swisssim', *sys.argv[1:]]\n"
                         "runpy.run_module('swisssim', run_name='__main__', alter_sys=True)\n")


def _signal_at_argparse(signum: int) -> str:
    """Source lines that make the first ``import argparse`` raise ``signum`` first."""
    return ("import builtins, signal, sys\n"
            "real = builtins.__import__\n"
            "def hooked(name, *a, **k):\n"
            "    if name == 'argparse' and not getattr(builtins, '_sent', False):\n"
            f"        builtins._sent = True; signal.raise_signal({int(signum)})\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = hooked\n")


def _assert_answered(done: subprocess.CompletedProcess, code: int, word: str, out: Path,
                     lines: int = 1) -> None:
    """The signal's exit code and ``lines`` lines on stderr naming it, no traceback, no result."""
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == lines and word in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_signal_during_start_up_imports_is_answered_in_one_line(signum, code, word, tmp_path,
                                                                 scenario_path):
    """``python -m swisssim`` with the signal raised while the entry module imports argparse
    (after ``swisssim/__main__.py`` installed the handlers, before ``main`` runs)."""
    inject = _signal_at_argparse(signum) + _AS_PYTHON_M_SWISSSIM
    out = tmp_path / "out"
    done = _python(inject, "run", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    _assert_answered(done, code, word, out)


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_the_console_script_installs_the_handlers_before_importing_the_command_line(
        signum, code, word, tmp_path, scenario_path):
    """The ``swisssim`` console script, as pip writes it (``from MODULE import FUNC;
    sys.exit(FUNC())``, the target read from pyproject.toml), with the signal raised as argparse
    is imported: answered in one line, not by Python's traceback or a silent -15."""
    import tomllib

    target = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, function = target["swisssim"].split(":")
    inject = _signal_at_argparse(signum) + (
        "sys.argv = ['swisssim', *sys.argv[1:]]\n"
        f"from {module} import {function}\n"
        f"sys.exit({function}())\n")
    out = tmp_path / "out"
    done = _python(inject, "run", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    _assert_answered(done, code, word, out)


def test_a_signal_the_process_started_ignoring_stays_ignored(tmp_path, scenario_path):
    """Started with SIGINT ignored (a background job of a script, like Python itself honours),
    ``python -m swisssim`` leaves it ignored: a SIGINT during start-up changes nothing."""
    inject = (
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "import swisssim.cli.app\n"
        "real = swisssim.cli.app.main\n"
        "def main(argv=None):\n"
        "    signal.raise_signal(signal.SIGINT); sum(range(1000))\n"
        "    return real(argv)\n"
        "swisssim.cli.app.main = main\n") + _AS_PYTHON_M_SWISSSIM
    out = tmp_path / "out"
    done = _python(inject, "run", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_after_the_command_returned_keeps_its_success(signum, tmp_path,
                                                              scenario_path):
    """A signal once the results are committed and ``main`` has returned: exit 0, not -15."""
    inject = (
        "import signal, sys\n"
        "from swisssim.cli import app\n"
        "real = app.main\n"
        "def main(argv=None):\n"
        "    code = real(argv)\n"
        f"    signal.raise_signal({int(signum)}); sum(range(1000))\n"
        "    return code\n"
        "app.main = main\n"
        "sys.argv = ['swisssim', *sys.argv[1:]]\n"
        "app.entry()\n")
    out = tmp_path / "out"
    done = _python(inject, "run", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (out / "manifest.json").is_file() and "Traceback" not in done.stderr


_AT_SHUT_DOWN = (
    "import os, signal, sys\n"
    "from swisssim.cli import app\n"
    "class Late:\n"
    "    # a global of __main__: deleted while the interpreter tears down its modules, after\n"
    "    # Python's shut-down reset the handlers it knew of to the default action\n"
    "    # (what it needs is bound now: module globals may be gone by then)\n"
    "    def __del__(self, kill=os.kill, pid=os.getpid(), number=int(sys.argv[1])):\n"
    "        kill(pid, number); sum(range(1000))\n"
    "late = Late()\n"
    "sys.argv = ['swisssim', *sys.argv[2:]]\n"
    "app.entry()\n")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("outcome", ["success", "bad input"])
def test_a_signal_during_the_interpreters_shut_down_keeps_the_exit_code(signum, outcome,
                                                                       tmp_path, scenario_path):
    """The signal lands while Python tears down its modules, after the command returned (the
    window is about a second with numba, pandas and matplotlib loaded): the exit code stays
    that of the command (0, or 2 with its one line), never the default action's -2 / -15."""
    out = tmp_path / "out"
    argv = ["run", str(scenario_path), *RUN, "--out", str(out)]
    if outcome == "bad input":
        argv = ["run", str(tmp_path / "missing.toml"), *RUN, "--out", str(out)]
    done = _python(_AT_SHUT_DOWN, str(int(signum)), *argv, cwd=tmp_path)
    if outcome == "success":
        assert done.returncode == 0, done.stderr
        assert (out / "manifest.json").is_file() and "Traceback" not in done.stderr
    else:
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "missing.toml" in done.stderr, done.stderr


def _second_signal_at(monkeypatch, module, name: str, signum: int) -> dict[str, int]:
    """Raise ``signum`` again as ``module.name`` starts (the clean-up after the first signal)."""
    original = getattr(module, name)
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        signal.raise_signal(signum)
        sum(range(1000))   # the handler surely runs before the clean-up proper
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return calls


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_second_signal_during_the_clean_up_cannot_cut_it_short(signum, code, word, tmp_path,
                                                                scenario_path, capsys,
                                                                monkeypatch):
    """The first signal stops the run while it stages a file; a second one lands as the staged
    folder starts being deleted: the folder is still deleted, the earlier result is intact, and
    the command ends with its one line and 130/143."""
    out = tmp_path / "out"
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0
    earlier = _snapshot(out)
    capsys.readouterr()
    original = staging.Staging.path

    def path(self, name):
        signal.raise_signal(signum)
        sum(range(1000))
        return original(self, name)

    monkeypatch.setattr(staging.Staging, "path", path)
    discards = _second_signal_at(monkeypatch, staging, "_discard", signum)
    result = main(["run", str(scenario_path), *RUN, "--seed", "7", "--out", str(out)])
    err = capsys.readouterr().err
    assert discards["n"] == 1
    assert result == code, err
    assert err.strip().count("\n") == 0 and word in err and "Traceback" not in err, err
    assert _snapshot(out) == earlier and _leftovers(tmp_path) == []


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_signal_turned_into_another_exception_by_c_code_still_decides(
        signum, code, word, tmp_path, scenario_path, capsys, monkeypatch):
    """C code that calls back into Python (an extension importing a module) replaces the
    signal's exception by its own, as ``PyCapsule_Import`` does with an ImportError: the
    recorded signal still ends the command with its line and 130/143."""
    from swisssim.cli import app

    original = app.build_parser

    def build_parser(only=None):
        try:
            signal.raise_signal(signum)
            sum(range(1000))
        except BaseException:   # what the C code does: its own error instead
            raise ImportError('PyCapsule_Import could not import module "datetime"') from None
        return original(only)

    monkeypatch.setattr(app, "build_parser", build_parser)
    out = tmp_path / "out"
    result = main(["run", str(scenario_path), *RUN, "--out", str(out)])
    err = capsys.readouterr().err
    assert result == code, err
    assert err.strip().count("\n") == 0 and word in err and "no results were written" in err
    assert not out.exists()


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_signal_while_numpy_imports_its_extension_is_answered_in_one_line(
        signum, code, word, tmp_path, scenario_path):
    """``python -m swisssim compare``: the signal lands while numpy's C extension imports
    ``datetime`` (``PyCapsule_Import``, which turns any error into ImportError) during the
    command's imports: one line and 130/143, not numpy's ImportError and exit 1."""
    inject = (
        "import builtins, signal, sys\n"
        "real = builtins.__import__\n"
        "state = {'main': False, 'sent': False}\n"
        "def hooked(name, *a, **k):\n"
        "    state['main'] = state['main'] or name == 'argparse'\n"
        "    # imported by C code: the closest Python frame is importlib's, which ran it\n"
        "    if (name == 'datetime' and state['main'] and not state['sent']\n"
        "            and sys._getframe(1).f_code.co_name == '_call_with_frames_removed'):\n"
        "        state['sent'] = True; sys.stderr.write('sent\\n')\n"
        f"        signal.raise_signal({int(signum)})\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = hooked\n") + _AS_PYTHON_M_SWISSSIM
    out = tmp_path / "out"
    done = _python(inject, "compare", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    if not done.stderr.startswith("sent\n"):
        pytest.skip("numpy's extension no longer imports datetime from C at import")
    _assert_answered(done, code, word, out, lines=2)


@pytest.mark.parametrize("signum, code, word", SIGNALS)
def test_a_second_signal_while_the_line_is_printed_changes_nothing(signum, code, word,
                                                                  tmp_path, scenario_path):
    """``python -m swisssim``: the first signal stops the run, the second lands while its line
    is composed: one line, 130/143, no traceback."""
    inject = (
        "import signal, sys\n"
        "from swisssim.cli import app\n"
        "from swisssim.io import staging\n"
        "real_path, real_line = staging.Staging.path, app._interrupted\n"
        f"SIG = {int(signum)}\n"
        "def path(self, name):\n"
        "    signal.raise_signal(SIG); sum(range(1000))\n"
        "    return real_path(self, name)\n"
        "def line(name):\n"
        "    signal.raise_signal(SIG); sum(range(1000))\n"
        "    return real_line(name)\n"
        "staging.Staging.path, app._interrupted = path, line\n"
        "sys.argv = ['swisssim', *sys.argv[1:]]\n"
        "app.entry()\n")
    out = tmp_path / "out"
    done = _python(inject, "run", str(scenario_path), *RUN, "--out", str(out), cwd=tmp_path)
    _assert_answered(done, code, word, out)
    assert _leftovers(tmp_path) == []

# -- long numba loops are chunked ------------------------------------------------------------------

def test_elo_runs_in_short_calls_and_gives_the_same_bits(monkeypatch):
    """Elo is played in calls of at most ELO_CHUNK_MATCHES matches (whole orders grouped, long
    orders sliced), and the ratings are those of one call of the kernel."""
    values = np.round(np.random.default_rng(3).normal(size=(3, 20)), 1)   # 570 matches an order
    whole = baselines._elo_orders(np.random.default_rng([baselines.ELO_STREAM, 5]), values, 12,
                                  16.0, 400.0, 1500.0)
    for limit, expected_calls in ((1_140, ("elo_play_orders", 6)), (200, ("elo_play", 36))):
        calls = {"n": 0}
        name, count = expected_calls
        original = getattr(baseline_kernels, name)

        def counted(*args, original=original, calls=calls):
            calls["n"] += 1
            return original(*args)

        monkeypatch.setattr(baseline_kernels, name, counted)
        monkeypatch.setattr(baselines, "ELO_CHUNK_MATCHES", limit)
        fit = baselines.fit_elo(values, orders=12, seed=5)
        monkeypatch.setattr(baseline_kernels, name, original)
        assert calls["n"] == count
        assert np.array_equal(fit.finals, whole)


def test_elo_stops_at_a_recorded_signal(monkeypatch):
    """A signal recorded while Elo runs stops it at the next chunk."""
    values = np.random.default_rng(1).normal(size=(2, 30))
    monkeypatch.setattr(baselines, "ELO_CHUNK_MATCHES", 870)    # one order per call
    calls = {"n": 0}
    original = baseline_kernels.elo_play_orders

    def play(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            interrupts.RECEIVED.append(signal.SIGTERM)
        return original(*args)

    monkeypatch.setattr(baseline_kernels, "elo_play_orders", play)
    try:
        with pytest.raises(interrupts.Terminated):
            baselines.fit_elo(values, orders=50)
    finally:
        interrupts.clear()
    assert calls["n"] == 3


# -- the commit re-checks its destination ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["file", "folder", "link"])
def test_a_path_that_appears_at_out_while_staging_is_never_deleted(kind, tmp_path, capsys,
                                                                  monkeypatch, scenario_path):
    """Something created at ``--out`` between the check and the commit is left as it is; the
    run fails with one line and nothing else is written."""
    out = tmp_path / "out"
    original = staging.commit

    def commit(stage, out_dir, **kwargs):
        if kind == "file":
            out_dir.write_text("precious")
        elif kind == "folder":
            out_dir.mkdir()
            (out_dir / "thesis.tex").write_text("precious")
        else:
            (tmp_path / "target").mkdir()
            out_dir.symlink_to(tmp_path / "target")
        return original(stage, out_dir, **kwargs)

    monkeypatch.setattr(staging, "commit", commit)
    code = main(["run", str(scenario_path), *RUN, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "appeared there while the results were staged" in err, err
    assert err.strip().count("\n") == 0
    if kind == "file":
        assert out.read_text() == "precious"
    elif kind == "folder":
        assert _snapshot(out) == {"thesis.tex": b"precious"}
    else:
        assert out.is_symlink()
    assert _leftovers(tmp_path) == []


def test_a_result_folder_written_meanwhile_is_replaced_as_usual(tmp_path, scenario_path,
                                                                 capsys, monkeypatch):
    """Another run's result folder that appears meanwhile passes the ownership rule again."""
    out = tmp_path / "out"
    original = staging.commit

    def commit(stage, out_dir, **kwargs):
        out_dir.mkdir()
        (out_dir / "manifest.json").write_text(json.dumps(
            {"command": "run", "argv": [], "created_utc": "x",
             "environment": {"swisssim": "0"}}))
        return original(stage, out_dir, **kwargs)

    monkeypatch.setattr(staging, "commit", commit)
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["command"] == "run"
    assert (out / "expected_scores.csv").is_file()


def test_replacing_a_parent_waits_for_a_child_run_staging_inside_it(tmp_path, monkeypatch,
                                                                  capsys):
    """``run --out X`` while ``sweep --out X/sweep`` stages: the parent's commit waits for the
    child (another live process's ``.partial-`` folder inside X), so the child's work is not
    moved away; both results end up whole."""
    parent, child = tmp_path / "X", tmp_path / "X" / "sweep"
    manifest = {"command": "run", "argv": ["a"], "created_utc": "1",
                "environment": {"swisssim": "0"}}
    with staging.atomic_output(parent) as stage:
        stage.write_json("manifest.json", manifest)
    helper = subprocess.Popen(["sleep", "30"])   # stands for the child process
    fake = child.parent / f".sweep{staging.PARTIAL}{helper.pid}-abcdef01"
    fake.mkdir()
    waited = {"n": 0}

    def sleep(seconds):
        waited["n"] += 1
        if waited["n"] == 3:        # the child commits its folder and ends
            fake.rename(child)
            (child / "manifest.json").write_text(json.dumps({**manifest, "command": "sweep"}))
            helper.kill()
            helper.wait()

    monkeypatch.setattr("time.sleep", sleep)
    try:
        with staging.atomic_output(parent) as stage:
            stage.write_json("manifest.json", {**manifest, "created_utc": "2"})
    finally:
        helper.kill()
        helper.wait()
    assert waited["n"] == 3
    assert "waiting for the run writing" in capsys.readouterr().err
    assert json.loads((parent / "manifest.json").read_text())["created_utc"] == "2"
    assert json.loads((child / "manifest.json").read_text())["command"] == "sweep"
    assert _leftovers(tmp_path) == [] and _leftovers(parent) == []


# -- inputs edited during the run ------------------------------------------------------------------

def test_manifest_hashes_the_bytes_read_and_an_input_edited_mid_run_changes_nothing(
        tmp_path, scenario_path, capsys, monkeypatch):
    """The scenario and its CSV are overwritten (the TOML with invalid TOML) while the run
    simulates: the run completes without a traceback and the manifest records the SHA-256 of
    the bytes that were read, not of the files as they are at the end."""
    import hashlib

    from swisssim.engine import simulation as run_command  # 'run' imports simulate lazily

    csv_path = scenario_path.parent / "scores.csv"
    read = {scenario_path: hashlib.sha256(scenario_path.read_bytes()).hexdigest(),
            csv_path: hashlib.sha256(csv_path.read_bytes()).hexdigest()}
    original = run_command.simulate

    def simulate(*args, **kwargs):
        scenario_path.write_text("this is [[not toml\n")
        csv_path.write_text("model,a\nx,1\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(run_command, "simulate", simulate)
    out = tmp_path / "out"
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0, \
        capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err
    scenario = json.loads((out / "manifest.json").read_text())["scenario"]
    assert scenario["sha256"] == read[scenario_path]
    assert scenario["data_files"] == {str(csv_path): read[csv_path]}


# -- error lines, display names, spreadsheet formulas ----------------------------------------------

def test_an_error_about_a_huge_model_name_is_one_bounded_line(tmp_path, write_scenario, capsys):
    """A 120 kB model name repeated in the scores file: one line of at most MAX_LINE characters,
    with an ellipsis, naming the file."""
    from swisssim.errors import MAX_LINE

    name = "x" * 120_000
    path = write_scenario(TINY_TOML, f"model,a,b\n{name},1,2\n{name},2,1\nm3,1,1\n")
    code = main(["run", str(path), *RUN, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and len(err) <= MAX_LINE + 1, len(err)
    assert " ... " in err and "scores.csv" in err and "Traceback" not in err


def test_an_error_line_never_carries_control_characters(capsys):
    """A NUL, an escape or a newline in a value is shown escaped: the line stays one line."""
    code = main(["run", "no\x00such\x1b[31m\nfile.toml"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "\x00" not in err and "\x1b" not in err and "\\x00" in err


def test_the_shorten_rule():
    from swisssim.errors import shorten

    assert shorten("abc", 10) == "abc"
    long = "start-" + "y" * 1000 + "-end"
    short = shorten(long, 60)
    assert len(short) == 60 and short.startswith("start-") and short.endswith("-end")
    assert " ... " in short
    assert shorten("a\tb\x00", 60) == "a\\tb\\x00"


def test_models_sharing_a_display_name_get_distinct_rows_and_details(tmp_path, write_scenario,
                                                                     capsys):
    """Two models shown as "Twin" in the report: each row names and links to its own model."""
    import re

    toml = (TINY_TOML + '[models."m1"]\ndisplay_name = "Twin"\n'
            '[models."m2"]\ndisplay_name = "Twin"\n')
    path = write_scenario(toml, TINY_CSV)
    out = tmp_path / "report"
    assert main(["report", str(path), *RUN, "--no-svg", "--out", str(out)]) == 0
    capsys.readouterr()
    html = (out / "report.html").read_text()
    links = dict(re.findall(r'href="#model-(\d+)"[^>]*>([^<]*)</a>', html))
    targets = {text: index for index, text in links.items()}
    assert "Twin (m1)" in targets and "Twin (m2)" in targets, sorted(targets)
    assert targets["Twin (m1)"] != targets["Twin (m2)"]
    assert "Twin</a>" not in html


def test_names_that_look_like_formulas_are_written_verbatim_and_read_back(
        tmp_path, write_scenario, capsys):
    """Model names starting with = + - @ go into the CSV files as they are (README: a
    spreadsheet must import them as text); swisssim reads them back unchanged."""
    import pandas as pd

    names = ["=1+1", "+cmd", "-x", "@SUM(A1)"]
    csv = "model,a,b,c\n" + "".join(f'"{n}",{i},{3 - i},{i % 2}\n' for i, n in enumerate(names))
    path = write_scenario(TINY_TOML, csv)
    out = tmp_path / "out"
    assert main(["run", str(path), *RUN, "--out", str(out)]) == 0
    capsys.readouterr()
    table = pd.read_csv(out / "expected_scores.csv", dtype=str, keep_default_na=False)
    assert set(table["model"]) == set(names)


# -- requests bounded or announced up front --------------------------------------------------------

@pytest.mark.parametrize("argv, fragments", [
    (["run", "{s}", "--bootstrap", str(10**7)], ["--bootstrap", "10,000,000 replicates"]),
    (["orders", "{s}", "--samples", str(10**12)], ["--samples", "6 orders"]),
    (["report", "{s}", "--orders", str(10**12)], ["--orders", "6 orders"]),
])
def test_requests_beyond_memory_are_refused_before_anything_runs(argv, fragments, tmp_path,
                                                               scenario_path, capsys,
                                                               monkeypatch):
    """With a memory limit of 1 KiB (SWISSSIM_MEMORY_LIMIT), each request is refused at once
    with its estimate and the limit, and nothing is written. (The tiny scenario has 3 rounds:
    at most 3! = 6 orders exist.)"""
    monkeypatch.setenv("SWISSSIM_MEMORY_LIMIT", "1KiB")
    out = tmp_path / "out"
    line = [a.replace("{s}", str(scenario_path)) for a in argv]
    code = main([*line, "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    for fragment in [*fragments, "fits in memory", "1.0 KiB", "SWISSSIM_MEMORY_LIMIT"]:
        assert fragment in err, (fragment, err)
    assert not out.exists()


def test_thousands_of_schedules_are_refused_with_the_counters_size(tmp_path, write_scenario,
                                                                  capsys):
    """A scenario listing 6,000 schedules: the engine's counters grow with their square; the
    run is refused before simulating, naming the size (here beyond a 64 MiB limit)."""
    import os as _os

    schedules = ", ".join(f'"{a},{b},0"' for a in range(60) for b in range(100))
    toml = ('name = "many"\nscores = "scores.csv"\n[simulation]\niterations = 10\n'
            f"elimination = [{schedules}]\n")
    csv = "model," + ",".join(f"b{k}" for k in range(3)) + "\n" + "".join(
        f"m{i},{i},{(i * 7) % 200},{(i * 3) % 200}\n" for i in range(200))
    path = write_scenario(toml, csv)
    _os.environ["SWISSSIM_MEMORY_LIMIT"] = "64MiB"
    try:
        code = main(["run", str(path), "--no-progress", "--out", str(tmp_path / "out")])
    finally:
        del _os.environ["SWISSSIM_MEMORY_LIMIT"]
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "6,000 schedule(s)" in err and "counters" in err and "GiB" in err, err


def test_repeated_simulations_are_announced_with_their_estimate(scenario_path, capsys):
    """Round orders and bootstrap replicates are announced as a whole when long."""
    from swisssim import load_scenario
    from swisssim.cli import _common
    from swisssim.engine.settings import Settings

    scenario = load_scenario(scenario_path)
    settings = Settings(elimination=[0])
    _common.check_repeated(scenario, settings, 10**5, 10**7, "bootstrap", "--bootstrap")
    err = capsys.readouterr().err
    assert "100,000 bootstrap replicates x 10,000,000 iterations" in err and "may take" in err
    _common.check_repeated(scenario, settings, 10, 10, "bootstrap", "--bootstrap")
    assert capsys.readouterr().err == ""


def test_the_estimate_counts_rounds_linearly_and_schedules_quadratically():
    """The engine's work model: O(M S (K + S/2)) per iteration (tests/test_engine_long.py checks
    that long tournaments still match the twin; the speed is measured by benchmarks)."""
    from swisssim.engine.simulation import estimated_seconds

    base = estimated_seconds(10, 100, 1, 1000, 1)
    assert estimated_seconds(10, 200, 1, 1000, 1) == pytest.approx(2 * base, rel=0.01)
    ratio = estimated_seconds(10, 1, 1000, 1, 1) / estimated_seconds(10, 1, 1, 1, 1)
    assert ratio > 100 * 1000   # linear in the schedules would be 1,000
