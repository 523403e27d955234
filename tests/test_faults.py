"""Every fault ends cleanly: file-system errors, interrupts, folders replaced whole.

Fault injection (a failing write at each stage, a signal while simulating, while writing and
while replacing the folder), the folder rule of :mod:`swisssim.io.staging` and the checks made
before simulating. Each failure must end in one line on stderr, exit 2 / 130 / 143, no
traceback, the previous result folder intact and no staging folder left behind.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, TINY_CSV, TINY_TOML
from swisssim import load_scenario, simulate
from swisssim.cli.app import main
from swisssim.engine.simulation import chunk_iterations, max_engine_iterations, next_chunk
from swisssim.errors import InputError, OutputError
from swisssim.io import staging
from swisssim.io.staging import Staging, atomic_output

RUN = ["--no-progress", "-n", "200", "--seed", "1"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes), the record of what the run wrote
    (``staging.RECORD``, tested in tests/test_chains.py) left out."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != staging.RECORD}


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if staging.PARTIAL in p.name
            or staging.REPLACED in p.name]


def _one_line_failure(code: int, err: str, expected_code: int = 2, *fragments: str) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    assert err.startswith("swisssim") and err.strip().count("\n") == 0, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


@pytest.fixture
def scenario_path(write_scenario):
    return write_scenario(TINY_TOML, TINY_CSV)


@pytest.fixture
def earlier(tmp_path, scenario_path, capsys):
    """A result folder from an earlier successful run, and its files."""
    out = tmp_path / "out"
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0
    capsys.readouterr()
    return out, _snapshot(out)


# -- the folder is replaced whole ------------------------------------------------------------------

def test_rerun_with_fewer_outputs_leaves_no_file_of_the_earlier_run(tmp_path, scenario_path,
                                                                    capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario_path), *RUN, "--bootstrap", "2", "--out", str(out)]) == 0
    assert (out / "bootstrap.csv").exists() and (out / "tiers.csv").exists()
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0
    capsys.readouterr()
    names = sorted(p.name for p in out.iterdir())
    assert names == [staging.RECORD, "expected_scores.csv", "manifest.json",
                     "rank_distribution.csv", "survival.csv"]
    assert "bootstrap" not in json.loads((out / "manifest.json").read_text())
    assert _leftovers(tmp_path) == []


def test_nested_result_folders_of_other_commands_are_kept(tmp_path, scenario_path, capsys):
    out = tmp_path / "results" / "tiny"
    assert main(["sweep", str(scenario_path), *RUN, "--no-figures",
                 "--out", str(out / "sweep")]) == 0
    sweep_files = _snapshot(out / "sweep")
    assert main(["run", str(scenario_path), *RUN, "--out", str(out)]) == 0
    (out / "scratch").mkdir()                         # no manifest: part of the run's folder
    (out / "scratch" / "note.txt").write_text("x")    # not the run's (its record): refused
    capsys.readouterr()
    assert main(["run", str(scenario_path), *RUN, "--seed", "2", "--out", str(out)]) == 2
    assert "scratch/note.txt" in capsys.readouterr().err
    assert main(["run", str(scenario_path), *RUN, "--seed", "2", "--out", str(out),
                 "--replace"]) == 0
    capsys.readouterr()
    assert _snapshot(out / "sweep") == sweep_files    # another command's result: kept as is
    assert not (out / "scratch").exists()             # not a result folder: replaced away
    assert json.loads((out / "manifest.json").read_text())["simulation"]["seed"] == 2


def _manifest(command: str, created: str) -> str:
    return json.dumps({"command": command, "argv": [command], "created_utc": created,
                       "environment": {"swisssim": "0"}})


def test_sub_folders_of_the_same_earlier_run_are_dropped_others_kept(tmp_path):
    """The rule of io/staging.py on hand-made folders: a report's own orders/ goes, a separate
    result nested anywhere stays, a sub-folder the new run writes is replaced whole."""
    out = tmp_path / "out"
    for folder, manifest in ((out, _manifest("report", "t1")),
                             (out / "orders", _manifest("report", "t1")),
                             (out / "compare", _manifest("report", "t1")),
                             (out / "compare" / "mine", _manifest("compare", "t0")),
                             (out / "theirs", _manifest("sweep", "t0"))):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(manifest)
        (folder / "old.csv").write_text("old")
    with atomic_output(out) as stage:
        stage.write_json("manifest.json", json.loads(_manifest("report", "t2")))
        stage.write_text("compare/new.csv", "new")
    assert sorted(_snapshot(out)) == sorted([
        "manifest.json", "compare/new.csv", "compare/mine/manifest.json", "compare/mine/old.csv",
        "theirs/manifest.json", "theirs/old.csv"])
    assert _leftovers(tmp_path) == []


def test_a_folder_of_other_files_is_refused_before_simulating(tmp_path, scenario_path, capsys,
                                                              monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious")
    monkeypatch.setattr("swisssim.engine.simulation.simulate", _must_not_run)
    code = main(["run", str(scenario_path), *RUN, "--out", str(folder)])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "thesis.tex", "never replaced")
    assert (folder / "thesis.tex").read_text() == "precious"
    code = main(["run", str(scenario_path), *RUN, "--out", str(folder), "--replace"])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "thesis.tex", "never replaced")
    assert (folder / "thesis.tex").read_text() == "precious"


def _must_not_run(*args, **kwargs):
    raise AssertionError("simulated although the output folder was refused")


@pytest.mark.parametrize("where", ["scenario folder", "working directory", "above cwd"])
def test_inputs_and_the_working_directory_are_never_written_over(where, tmp_path, scenario_path,
                                                                 capsys, monkeypatch):
    before = _snapshot(tmp_path)
    monkeypatch.setattr("swisssim.engine.simulation.simulate", _must_not_run)
    inside = tmp_path / "deeper"
    inside.mkdir()
    if where == "working directory":
        monkeypatch.chdir(tmp_path)
        target = "."
    elif where == "above cwd":
        monkeypatch.chdir(inside)
        target = ".."
    else:
        target = str(tmp_path)
    code = main(["run", str(scenario_path.resolve()), *RUN, "--out", target])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out")
    assert _snapshot(tmp_path) == before


def test_plot_never_writes_over_the_tables_it_reads(tmp_path, scenario_path, capsys):
    folder = tmp_path / "sweep"
    assert main(["sweep", str(scenario_path), *RUN, "--no-figures", "--out", str(folder)]) == 0
    capsys.readouterr()
    before = _snapshot(folder)
    code = main(["plot", str(folder), "--out", str(folder)])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "input")
    assert _snapshot(folder) == before


def test_stale_staging_folders_of_dead_processes_are_removed(tmp_path, scenario_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out{staging.PARTIAL}{dead.pid}-0badcafe"
    stale.mkdir()
    (stale / "half.csv").write_text("x")
    alive = tmp_path / f".out{staging.PARTIAL}{os.getppid()}-0badcafe"   # a live process's
    alive.mkdir()
    assert main(["run", str(scenario_path), *RUN, "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert not stale.exists() and alive.exists()


# -- checks before simulating ----------------------------------------------------------------------

def test_a_name_too_long_is_refused_before_simulating(tmp_path, scenario_path, capsys,
                                                      monkeypatch):
    monkeypatch.setattr("swisssim.engine.simulation.simulate", _must_not_run)
    code = main(["run", str(scenario_path), *RUN, "--out", str(tmp_path / ("x" * 300))])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "bytes")


def test_the_longest_scenario_file_name_still_has_its_default_folder(
        tmp_path, write_scenario, capsys, monkeypatch):
    # The default folder is swisssim-results/<file stem>/<command>/: the staging folder's
    # longer name is made beside <command>, so any stem the file system holds fits.
    path = write_scenario(TINY_TOML, TINY_CSV, name="n" * 250)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), *RUN]) == 0
    capsys.readouterr()
    assert (tmp_path / "swisssim-results" / ("n" * 250) / "run" / "manifest.json").is_file()


def test_an_out_path_through_a_file_is_refused_before_simulating(tmp_path, scenario_path,
                                                                 capsys, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr("swisssim.engine.simulation.simulate", _must_not_run)
    code = main(["run", str(scenario_path), *RUN, "--out", str(tmp_path / "file" / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "a file")


def test_an_unwritable_location_is_refused_before_simulating(tmp_path, scenario_path, capsys,
                                                             monkeypatch):
    """A read-only file system, simulated: creating the staging folder fails with EROFS."""
    def read_only(parent, name, marker):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(parent / name))

    monkeypatch.setattr(staging, "_temporary", read_only)
    monkeypatch.setattr("swisssim.engine.simulation.simulate", _must_not_run)
    code = main(["run", str(scenario_path), *RUN, "--out", str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "--out", "Read-only file system")


# -- file-system errors while writing --------------------------------------------------------------

def _failing_after(monkeypatch, target, name, calls: int, error: OSError):
    """Make ``target.name`` raise ``error`` on its ``calls``-th call (0-based)."""
    original = getattr(target, name)
    count = {"n": 0}

    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] - 1 == calls:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return count


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("stage", range(5))
def test_a_full_disk_at_each_write_of_run_leaves_the_earlier_result(stage, tmp_path,
                                                                   scenario_path, earlier,
                                                                   capsys, monkeypatch):
    """Writes of ``run``: three tables, then the manifest (stage 4: the folder swap)."""
    out, files = earlier
    if stage < 3:
        _failing_after(monkeypatch, Staging, "write_csv", stage, ENOSPC)
    elif stage == 3:
        _failing_after(monkeypatch, Staging, "write_json", 0, ENOSPC)
    else:
        _failing_after(monkeypatch, staging.os, "replace", 0, ENOSPC)
    code = main(["run", str(scenario_path), *RUN, "--seed", "9", "--out", str(out)])
    _one_line_failure(code, capsys.readouterr().err, 2, str(out), "No space left on device",
                      "ENOSPC")
    assert _snapshot(out) == files
    assert _leftovers(tmp_path) == []


def test_a_failing_figure_write_of_sweep_leaves_nothing(tmp_path, scenario_path, capsys,
                                                        monkeypatch):
    from matplotlib.figure import Figure

    original = Figure.savefig

    def savefig(figure, target, *args, **kwargs):
        # one figure's SVG fails in whichever process draws it (this one or a forked helper,
        # io/figures.py): the helper's failure hands the figure back here, where it fails too
        if str(target).endswith("survival.svg"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), "x.svg")
        return original(figure, target, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    out = tmp_path / "sweep"
    code = main(["sweep", str(scenario_path), *RUN, "--out", str(out)])
    _one_line_failure(code, capsys.readouterr().err, 2, "Input/output error", "writing")
    assert not out.exists() and _leftovers(tmp_path) == []


def test_output_errors_name_the_destination_not_the_staging_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError) as caught, atomic_output(out) as stage:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(stage.root / "a.csv"))
    assert str(caught.value).startswith(f"{out / 'a.csv'}: writing failed: No space left")
    assert isinstance(caught.value, InputError) and _leftovers(tmp_path) == []


# -- signals ---------------------------------------------------------------------------------------

def _sending(monkeypatch, target, name, signum: int, at_call: int = 0):
    original = getattr(target, name)
    count = {"n": 0}

    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] - 1 == at_call:
            os.kill(os.getpid(), signum)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_writing_leaves_the_earlier_result(signum, code, tmp_path, scenario_path,
                                                         earlier, capsys, monkeypatch):
    out, files = earlier
    _sending(monkeypatch, Staging, "write_csv", signum, at_call=1)
    result = main(["run", str(scenario_path), *RUN, "--seed", "9", "--out", str(out)])
    _one_line_failure(result, capsys.readouterr().err, code, "no results were written")
    assert _snapshot(out) == files and _leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None) or signum == signal.SIGINT


def test_a_signal_while_replacing_the_folder_waits_for_the_swap(tmp_path, scenario_path, earlier,
                                                               capsys, monkeypatch):
    """SIGINT and SIGTERM are held back during the two renames: the new folder is complete."""
    out, files = earlier
    _sending(monkeypatch, staging.os, "replace", signal.SIGINT, at_call=0)
    result = main(["run", str(scenario_path), *RUN, "--seed", "9", "--out", str(out)])
    _one_line_failure(result, capsys.readouterr().err, 130, "complete in", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["simulation"]["seed"] == 9
    assert sorted(_snapshot(out)) == sorted(files) and _leftovers(tmp_path) == []


@pytest.mark.parametrize("signum, code, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])
def test_a_signal_stops_a_long_simulation(signum, code, word, tmp_path, scenario_path):
    """A run of 10**11 iterations (hours) with --no-progress stops at the signal, cleanly.

    The command announces its estimate before simulating; the signal is sent once that line is
    out and the engine has been running for half a second. The 20 s limit only detects a run
    that ignores the signal; the latency itself is measured by benchmarks/bench_signals.py.
    """
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NUMBA_NUM_THREADS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "swisssim", "run", str(scenario_path), "--no-progress",
         "-n", str(10**11), "--out", str(out)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        line = process.stderr.readline()
        assert "may take about" in line, line
        time.sleep(0.5)
        process.send_signal(signum)
        process.wait(timeout=20)
    finally:
        process.kill()
        process.wait()
    err = process.stderr.read()
    assert process.returncode == code, err
    assert err.count("\n") == 1 and word in err and "no results were written" in err, err
    assert "Traceback" not in err
    assert not out.exists() and _leftovers(tmp_path) == []


def test_engine_chunks_are_short_whatever_the_field():
    assert chunk_iterations(4, 3, 3) == 5_000
    assert chunk_iterations(1_000, 50, 3) * 1_000 * 50 * 3 <= 30_000_000
    assert chunk_iterations(100_000, 1_000, 10) == 1
    assert next_chunk(1_000, 0.15) == 2_000                 # aimed at CHUNK_SECONDS = 0.3 s
    assert next_chunk(1_000, 1e-9) == 16_000                # at most 16 times the last
    assert next_chunk(1_000, 60.0) == 500                   # at least half the last
    assert next_chunk(1, 60.0) == 1


def test_results_do_not_depend_on_the_chunking(monkeypatch):
    from swisssim.engine import simulation

    scenario = load_scenario(REPO / "scenarios" / "paper_synthetic.toml")
    whole = simulate(scenario, iterations=3_000, seed=5, elimination=[0, 2])
    monkeypatch.setattr(simulation, "PROGRESS_CHUNK", 7)
    monkeypatch.setattr(simulation, "next_chunk", lambda done, seconds: 97)
    pieces = simulate(scenario, iterations=3_000, seed=5, elimination=[0, 2])
    assert (whole.score_sum == pieces.score_sum).all()
    assert (whole.score_cross == pieces.score_cross).all()
    assert (whole.rank_counts == pieces.rank_counts).all()
    assert (whole.elim_counts == pieces.elim_counts).all()


# -- numeric limits --------------------------------------------------------------------------------

@pytest.mark.parametrize("rounds, units", [(1, 1), (12, 1), (12, 2), (3_000, 2), (10**6, 1)])
def test_the_iteration_limit_keeps_every_counter_inside_64_bits(rounds, units):
    limit = max_engine_iterations(rounds, units)
    largest_cross = limit * (rounds * units) ** 2         # sum of products of final scores
    largest_stream = limit * rounds                       # iteration * K + k
    assert largest_cross < 2**63 and largest_stream < 2**63
    assert limit == 2**40 or (limit + 1) * (rounds * units) ** 2 >= 2**63 or (
        (limit + 1) * rounds >= 2**63)


def test_iterations_beyond_the_engine_limit_are_input_errors(tmp_path, write_scenario, capsys):
    columns = [f"b{k}" for k in range(3_000)]
    csv = "model," + ",".join(columns) + "\n" + "".join(
        f"m{i}," + ",".join(str((i * k) % 7) for k in range(3_000)) + "\n" for i in range(3))
    path = write_scenario('name = "wide"\nscores = "scores.csv"\n[scoring]\nties = "draw"\n', csv)
    scenario = load_scenario(path)
    with pytest.raises(InputError, match="simulate: iterations: .*64-bit"):
        simulate(scenario, iterations=2**40)
    code = main(["run", str(path), "--no-progress", "-n", str(2**40), "--out",
                 str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "--iterations", "64-bit")
    code = main(["run", str(path), "--no-progress", "-n", str(2**64 + 1), "--out",
                 str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "--iterations")


# -- strict tables and bounded reading -------------------------------------------------------------

TABLE_CASES = {
    "row longer than the header": ("model,a,b,c\nm1,3,1,2,9\nm2,2,3,1\n", ["line 2", "4"]),
    "row shorter than the header": ("model,a,b,c\nm1,3,1\nm2,2,3,1\n", ["line 2", "2"]),
    "unnamed column": ("model,a,,c\nm1,3,1,2\nm2,2,3,1\n", ["column 3 unnamed"]),
    "repeated column": ("model,a,a\nm1,3,1\nm2,2,3\n", ["repeated", "'a'"]),
    "binary file": ("model,a\nm1,\x003\nm2,2\n", ["binary", "NUL"]),
    "empty file": ("", ["empty file"]),
    "unterminated quote": ('model,a\nm1,"3\n', ["well-formed"]),
    "score too large for a float": ("model,a\nm1," + "9" * 400 + "\nm2,1\n", ["'m1'"]),
}


@pytest.mark.parametrize("case", sorted(TABLE_CASES))
def test_malformed_tables_are_refused_not_guessed(case, tmp_path, write_scenario, capsys):
    csv, fragments = TABLE_CASES[case]
    path = write_scenario(TINY_TOML, csv)
    code = main(["run", str(path), *RUN, "--out", str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "scores.csv", *fragments)
    assert not (tmp_path / "out").exists()


def test_repeated_rows_of_the_models_file_are_refused(tmp_path, write_scenario, capsys):
    (tmp_path / "models.csv").write_text("model,family\nm1,A\nm2,B\nm1,C\n")
    path = write_scenario('name = "tiny"\nscores = "scores.csv"\nmodels_file = "models.csv"\n',
                          TINY_CSV)
    code = main(["run", str(path), *RUN, "--out", str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "models.csv", "one row per model", "m1")


def test_repeated_rows_of_a_models_dataframe_are_refused():
    from swisssim import Scenario

    scores = pd.DataFrame({"model": ["m1", "m2"], "a": [1.0, 2.0]})
    models = pd.DataFrame({"model": ["m1", "m1"], "family": ["A", "B"]})
    with pytest.raises(InputError, match="one row per model.*m1"):
        Scenario.from_dataframe(scores, models=models)


def test_oversized_files_are_refused_before_being_read(tmp_path, write_scenario, capsys,
                                                       monkeypatch):
    from swisssim.data import tables

    path = write_scenario(TINY_TOML, TINY_CSV)
    monkeypatch.setattr(tables, "MAX_CSV_BYTES", 16)
    read = _failing_after(monkeypatch, tables.csv, "reader", 0, AssertionError("read whole"))
    code = main(["run", str(path), *RUN, "--out", str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "scores.csv", "at most 0 MiB")
    assert read["n"] == 0
    monkeypatch.setattr(tables, "MAX_TOML_BYTES", 16)
    code = main(["run", str(path), *RUN, "--out", str(tmp_path / "out")])
    _one_line_failure(code, capsys.readouterr().err, 2, "tiny.toml", "MiB")


PLOT_CASES = {
    "probability not a number": ("rank_distribution.csv", "probability", 0, "often",
                                 ["probability, row 1", "a number"]),
    "probability above 1": ("rank_distribution.csv", "probability", 0, "1.5",
                            ["probability, row 1", "from 0 to 1"]),
    "rank beyond the field": ("rank_distribution.csv", "rank", 0, "99", ["rank, row 1"]),
    "infinite score": ("sweep.csv", "expected_score", 0, "inf", ["finite"]),
    "unknown model": ("survival.csv", "model", 0, "ghost", ["survival.csv", "ghost"]),
    "unknown schedule": ("rank_distribution.csv", "elimination", 0, "7", ["'7'"]),
    "negative standard error": ("risk_profile.csv", "drop_se", 0, "-1", ["drop_se"]),
}


@pytest.mark.parametrize("case", sorted(PLOT_CASES))
def test_plot_checks_the_tables_it_reads(case, tmp_path, scenario_path, capsys):
    folder = tmp_path / "sweep"
    assert main(["sweep", str(scenario_path), *RUN, "--no-figures", "--out", str(folder)]) == 0
    capsys.readouterr()
    name, column, row, value, fragments = PLOT_CASES[case]
    table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(folder / name, index=False)
    code = main(["plot", str(folder)])
    _one_line_failure(code, capsys.readouterr().err, 2, *fragments)
    assert not (folder / "figures").exists()


def test_plot_refuses_repeated_rows(tmp_path, scenario_path, capsys):
    folder = tmp_path / "sweep"
    assert main(["sweep", str(scenario_path), *RUN, "--no-figures", "--out", str(folder)]) == 0
    capsys.readouterr()
    text = (folder / "survival.csv").read_text()
    (folder / "survival.csv").write_text(text + text.splitlines()[1] + "\n")
    code = main(["plot", str(folder)])
    _one_line_failure(code, capsys.readouterr().err, 2, "survival.csv", "repeated row")


def test_concurrent_writers_leave_one_whole_folder(tmp_path):
    """Four writers replace the same folder 5 times each: every commit is whole, none is lost
    half-way, and nothing is left beside the folder."""
    import threading

    out = tmp_path / "out"
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for attempt in range(5):
                with atomic_output(out) as stage:
                    stage.write_json("manifest.json", json.loads(_manifest("run", f"{number}")))
                    for part in range(number + 1):
                        stage.write_text(f"part{part}.txt", f"{number}-{attempt}")
        except BaseException as error:  # noqa: BLE001 (any failure is reported below)
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    files = _snapshot(out)
    number = int(json.loads(files["manifest.json"])["created_utc"])
    assert sorted(files) == sorted(["manifest.json"] + [f"part{p}.txt" for p in range(number + 1)])
    assert len({files[f"part{p}.txt"] for p in range(number + 1)}) == 1
    assert _leftovers(tmp_path) == []
