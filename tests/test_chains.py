"""Commands on what the other commands wrote: the README's shell commands as written, and the
documented chains (sweep -> plot, report -> plot, report then run into one folder,
import -> run -> report, re-import, the Python API on the outputs) on shipped scenarios, each
checked by what it leaves on disk.

Commands run in a temporary copy of the files the README uses, so nothing here writes into the
repository. The README's commands, and the first command of each chain, run as a new process
(``python -m swisssim`` of this checkout, as the console script would); the chains' later steps
run in this process (:func:`here`: the same ``main`` with the same arguments and working folder),
which saves a second of interpreter and library start-up each. The README's commands run at
their full size and are marked ``slow``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO

FAST = ["-n", "2000", "--no-progress"]
PAPER = "paper_synthetic"


def swisssim(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``swisssim ARGS`` of this checkout in ``cwd``; with ``check``, demand exit 0."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "swisssim", *args], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=1800)
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, f"swisssim {' '.join(args)}: {done.stderr}"
    return done


def here(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """:func:`swisssim` in this process: ``main(args)`` with ``cwd`` as the working folder and
    its standard output and error captured; the same result object."""
    from swisssim.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    done = subprocess.CompletedProcess(["swisssim", *args], code, out.getvalue(), err.getvalue())
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, f"swisssim {' '.join(args)}: {done.stderr}"
    return done


def refused(done: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2, one line on stderr naming every fragment."""
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, f"{fragment!r} not in {done.stderr!r}"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def workspace(tmp_path: Path) -> Path:
    """A folder with copies of the repository's ``scenarios/`` (links resolved), ``examples/``
    and the real result files of ``tests/data/real/``: what the README's commands read."""
    root = tmp_path / "clone"
    root.mkdir()
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    shutil.copytree(REPO / "examples", root / "examples")
    shutil.copytree(REPO / "tests" / "data" / "real", root / "tests" / "data" / "real")
    return root


# -- the README's shell commands ------------------------------------------------------------------

def readme_commands() -> list[tuple[int, list[list[str]]]]:
    """The swisssim command lines of each fenced ``bash`` block of the README, as argument lists
    (comments, continuations and ``&&`` chains handled; the set-up steps, the editor and the
    commands of a Dask cluster that is not there are left out)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = []
    for number, block in enumerate(re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)):
        commands = []
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if not words or not words[0].endswith("swisssim"):
                    continue
                if any(w.startswith("tcp://") for w in words):
                    continue      # needs a running Dask scheduler
                commands.append(words[1:])
        if commands:
            blocks.append((number, commands))
    return blocks


def test_the_readme_has_shell_commands_to_run():
    commands = [c for _, block in readme_commands() for c in block]
    names = {c[0] for c in commands}
    assert {"report", "import"} <= names, names
    assert len(commands) >= 5


def _written_by(words: list[str], cwd: Path) -> Path | None:
    if "--out" in words:
        return cwd / words[words.index("--out") + 1]
    return None


#: Output folders of the README's commands run so far (every block reads copies of the same files).
_README_RUNS: dict[tuple[str, ...], Path] = {}


@pytest.mark.slow
@pytest.mark.parametrize("number,commands", readme_commands(),
                         ids=[f"block{n}" for n, _ in readme_commands()])
def test_the_readme_shell_commands_run_as_written(number, commands, tmp_path):
    """Each block's commands in order, in a fresh copy of the files they read: the first one
    run as a new process, the later ones in this process (:func:`here`). A command that an
    earlier block already ran on the same files (the README repeats its first report) is not
    run twice: its folder is copied, and the block's next command is the new process."""
    root = workspace(tmp_path)
    started = False
    for words in commands:
        if "--dask" in words:
            pytest.importorskip("distributed")
        out = _written_by(words, root)
        earlier = _README_RUNS.get(tuple(words))
        if earlier is not None and out is not None and words[0] != "import":
            shutil.copytree(earlier, out, dirs_exist_ok=True)
        else:
            done = (here if started else swisssim)(root, *words)
            started = True
            if out is not None:
                _README_RUNS[tuple(words)] = out
        if words[0] == "import":
            toml = Path(done.stdout.strip().splitlines()[-1])
            assert (root / toml).is_file() and toml.parent == Path(words[words.index("--out") + 1])
        elif out is not None:
            assert (out / "manifest.json").is_file(), f"{words}: no manifest in {out}"
            assert json.loads((out / "manifest.json").read_text())["command"] == words[0]
            if words[0] == "report":
                assert (out / "report.html").stat().st_size > 10_000
                assert (out / "sweep" / "figures" / "risk_profile.png").is_file()
                if "--orders" in words:
                    assert (out / "orders" / "order_sensitivity.csv").is_file()
                if "--bootstrap" in words:
                    assert (out / "bootstrap" / "tiers.csv").is_file()
        else:      # a default folder: swisssim-results/<stem>/<command>/, never results/
            assert not (root / "results").exists()
    assert not list(root.rglob("*.partial-*"))


# -- chains on a shipped scenario -----------------------------------------------------------------

@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """One report of the shipped paper-shaped scenario, by name, into ``rep/``."""
    root = tmp_path_factory.mktemp("chains")
    swisssim(root, "report", PAPER, *FAST, "--no-svg", "--out", "rep")
    return root


def test_sweep_then_plot_into_its_folder_and_twice_into_another(tmp_path):
    swisssim(tmp_path, "sweep", PAPER, *FAST, "--dpi", "60")
    folder = tmp_path / "swisssim-results" / PAPER / "sweep"
    tables = {n: b for n, b in snapshot(folder).items() if n.endswith(".csv")}
    pngs = sorted(p.name for p in (folder / "figures").glob("*.png"))
    assert any(p.name.endswith(".points.json") for p in (folder / "figures").iterdir())
    swisssim(tmp_path, "plot", str(folder))
    assert sorted(p.name for p in (folder / "figures").glob("*.png")) == pngs
    assert {n: b for n, b in snapshot(folder).items() if n.endswith(".csv")} == tables
    for _ in range(2):
        here(tmp_path, "plot", str(folder), "--out", "figs", "--dpi", "60")
        assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == pngs


def test_report_then_plot_its_sweep(reported):
    folder = reported / "rep" / "sweep"
    before = snapshot(reported / "rep")
    here(reported, "plot", str(folder), "--dpi", "60")
    after = snapshot(reported / "rep")
    assert {n for n in after if not n.startswith("sweep/figures/")} == \
        {n for n in before if not n.startswith("sweep/figures/")}
    assert all(after[n] == before[n] for n in before if not n.startswith("sweep/figures/"))
    assert {n for n in after if n.startswith("sweep/figures/") and n.endswith(".png")} == \
        {n for n in before if n.startswith("sweep/figures/") and n.endswith(".png")}


def test_run_into_a_report_folder_is_refused_then_replaces_it_with_replace(reported, tmp_path):
    shutil.copytree(reported / "rep", tmp_path / "rep")
    before = snapshot(tmp_path / "rep")
    done = swisssim(tmp_path, "run", PAPER, *FAST, "--out", "rep", check=False)
    refused(done, "rep", "'swisssim report'", "report.html", "--out", "--replace")
    assert snapshot(tmp_path / "rep") == before
    here(tmp_path, "run", PAPER, *FAST, "--out", "rep", "--replace")
    assert sorted(snapshot(tmp_path / "rep")) == [".swisssim-written.json",  # the record
                                                  "expected_scores.csv", "manifest.json",
                                                  "rank_distribution.csv", "survival.csv"]
    # the same command again replaces its own folder without being asked
    here(tmp_path, "run", PAPER, "-n", "1000", "--no-progress", "--out", "rep")
    manifest = json.loads((tmp_path / "rep" / "manifest.json").read_text())
    assert manifest["command"] == "run" and manifest["simulation"]["iterations"] == 1000


def test_default_folders_never_touch_the_committed_results(tmp_path):
    committed = tmp_path / "results" / PAPER
    committed.mkdir(parents=True)
    shutil.copy(REPO / "results" / PAPER / "manifest.json", committed / "manifest.json")
    (committed / "report.html").write_text("<html>committed</html>")
    before = snapshot(tmp_path / "results")
    for command, run in (("run", swisssim), ("sweep", here), ("report", here)):
        run(tmp_path, command, PAPER, *FAST, *{"sweep": ["--no-figures"],
                                               "report": ["--no-svg"]}.get(command, []))
        assert (tmp_path / "swisssim-results" / PAPER / command / "manifest.json").is_file()
    assert snapshot(tmp_path / "results") == before
    # every command has its own default folder: the run's is still there after the report
    assert (tmp_path / "swisssim-results" / PAPER / "run" / "expected_scores.csv").is_file()


def test_copies_of_one_toml_do_not_overwrite_each_others_results(tmp_path):
    root = workspace(tmp_path)
    scenario = root / "scenarios" / f"{PAPER}.toml"
    for folder in ("a", "b"):
        shutil.copytree(root / "scenarios" / "data", root / folder / "data")
        shutil.copy(scenario, root / folder / "x.toml")
    shutil.copy(scenario, root / "a" / "y.toml")
    swisssim(root, "run", "a/x.toml", *FAST)
    first = snapshot(root / "swisssim-results" / "x" / "run")
    here(root, "run", "a/y.toml", *FAST)                 # another name: a folder of its own
    assert (root / "swisssim-results" / "y" / "run" / "manifest.json").is_file()
    done = here(root, "run", "b/x.toml", *FAST, check=False)       # same stem, other file
    refused(done, "a/x.toml", "--out", "--replace")
    assert snapshot(root / "swisssim-results" / "x" / "run") == first


def test_a_folder_of_the_users_files_is_never_replaced(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.tex").write_text("precious")
    for extra in ([], ["--replace"]):
        done = here(tmp_path, "run", PAPER, *FAST, "--out", "notes", *extra, check=False)
        refused(done, "thesis.tex", "--out")
    assert snapshot(tmp_path / "notes") == {"thesis.tex": b"precious"}


def test_import_then_run_then_report_then_reimport(tmp_path):
    root = workspace(tmp_path)
    lm_eval = ["import", "lm-eval", "examples/lm-eval", "--missing", "drop"]
    swisssim(root, *lm_eval, "--name", "small_lms", "--out", "mine")
    (root / "mine" / "notes.md").write_text("my notes")
    scenario = root / "mine" / "small_lms.toml"
    swisssim(root, "run", "mine/small_lms.toml", *FAST, "--out", "run")
    here(root, "report", "mine/small_lms.toml", *FAST, "--no-svg", "--out", "rep")
    assert "small_lms" in (root / "rep" / "report.md").read_text()
    # re-import over the first (the data fixed): its own files are replaced
    scenario.write_text(scenario.read_text() + "# my edit\n")
    here(root, *lm_eval, "--name", "small_lms", "--out", "mine")
    assert "# my edit" not in scenario.read_text()
    assert scenario.read_text().startswith("# Written by 'swisssim import")
    # a second scenario beside the first; the user's file is never touched
    here(root, "import", "lm-eval", "examples/lm-eval", "--missing", "skip", "--name",
         "other", "--out", "mine")
    names = sorted(p.name for p in (root / "mine").iterdir())
    assert "notes.md" in names and "small_lms.toml" in names and "other.toml" in names
    assert (root / "mine" / "notes.md").read_text() == "my notes"
    assert not [n for n in names if n.startswith(".")]
    # a file of the import's names that no import wrote is refused, then overwritten on request
    (root / "mine" / "third_scores.csv").write_text("model,a\nx,1\n")
    done = here(root, *lm_eval, "--name", "third", "--out", "mine", check=False)
    refused(done, "third_scores.csv", "--replace")
    assert not (root / "mine" / "third.toml").exists()
    here(root, *lm_eval, "--name", "third", "--out", "mine", "--replace")
    assert (root / "mine" / "third.toml").is_file()
    # the imported scenarios still run
    here(root, "run", "mine/other.toml", *FAST, "--out", "run2")


def test_a_reimport_deletes_the_files_its_earlier_version_wrote_and_no_longer_writes(tmp_path):
    table = tmp_path / "long.csv"
    table.write_text("model,benchmark,score,stderr\na,x,0.5,0.01\na,y,0.6,0.02\n"
                     "b,x,0.4,0.01\nb,y,0.7,0.02\n")
    swisssim(tmp_path, "import", "long", str(table), "--name", "s", "--out", "out")
    assert (tmp_path / "out" / "s_score_errors.csv").is_file()
    table.write_text("model,benchmark,score\na,x,0.5\na,y,0.6\nb,x,0.4\nb,y,0.7\n")
    here(tmp_path, "import", "long", str(table), "--name", "s", "--out", "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s.toml", "s_scores.csv"]


# -- the Python API on the outputs ----------------------------------------------------------------

def _same_frame(api: pd.DataFrame, path: Path) -> None:
    """``to_frame()`` has the columns and dtypes ``pandas.read_csv`` gives for the CLI's file,
    and the same values."""
    written = pd.read_csv(path)
    assert list(api.columns) == list(written.columns)
    assert api.dtypes.astype(str).to_dict() == written.dtypes.astype(str).to_dict()
    pd.testing.assert_frame_equal(api.reset_index(drop=True), written, check_exact=False,
                                  rtol=1e-12)


def test_run_to_frame_is_expected_scores_csv_and_schedules_go_by_label(tmp_path):
    from swisssim import InputError, examples, simulate

    swisssim(tmp_path, "run", PAPER, *FAST, "-T", "0", "2", "5", "--out", "run")
    result = simulate(examples.load(PAPER), iterations=2000, elimination=(0, 2, 5),
                      progress=False)
    frame = result.to_frame()
    _same_frame(frame, tmp_path / "run" / "expected_scores.csv")
    assert len(frame[frame.elimination == 5]) == result.scenario.n_models
    drop, _ = result.difference(0, 2)                    # T = 2 against T = 0, by label
    written = pd.read_csv(tmp_path / "run" / "expected_scores.csv")
    by_t = written.pivot(index="model", columns="elimination", values="expected_score")
    np.testing.assert_allclose(drop, (by_t[2] - by_t[0]).loc[result.scenario.model_names],
                               rtol=1e-9, atol=1e-12)
    assert np.array_equal(result.difference("0", "2")[0], drop)
    with pytest.raises(InputError, match=r"'0', '2', '5'.*found 1"):
        result.difference(0, 1)
    with pytest.raises(InputError, match="'0', '2', '5'"):
        result.difference(0, "3")


def test_mixed_schedule_labels_read_back_as_text(tmp_path):
    from swisssim import examples, simulate

    result = simulate(examples.load(PAPER), iterations=500, elimination=(0, "10%"),
                      progress=False)
    assert result.to_frame()["elimination"].tolist()[0] == "0"
    assert result.schedule_index("10%") == 1 and result.schedule_index(0) == 0


def test_every_result_objects_frame_is_its_csv(reported, tmp_path):
    """One check per result object: sweep, comparison, report summary (from the report's
    folder), orders, bootstrap and perturb (from their own commands)."""
    from swisssim import Settings, bootstrap, compare, evaluate_orders, examples, simulate, sweep
    from swisssim.analysis.perturb import perturb
    from swisssim.report.model import build_report

    scenario = examples.load(PAPER)
    settings = Settings(iterations=2000, progress=False)
    rep = reported / "rep"
    _same_frame(sweep(scenario, settings).to_frame(), rep / "sweep" / "sweep.csv")
    _same_frame(compare(scenario, settings).to_frame(), rep / "compare" / "rankings.csv")
    _same_frame(build_report(scenario, settings).to_frame(), rep / "summary.csv")
    here(tmp_path, "orders", PAPER, "--samples", "4", "-n", "500", "--no-progress",
         "--out", "orders")
    _same_frame(evaluate_orders(scenario, Settings(iterations=500, progress=False,
                                                   elimination=(0,)), samples=4).to_frame(),
                tmp_path / "orders" / "order_sensitivity.csv")
    here(tmp_path, "run", "helm_lite", "-n", "500", "--no-progress", "--bootstrap", "20",
         "--bootstrap-iterations", "200", "--out", "boot")
    lite = examples.load("helm_lite")
    reference = simulate(lite, iterations=500, progress=False)
    _same_frame(bootstrap(lite, 20, Settings(iterations=200, progress=False),
                          reference=reference).to_frame(), tmp_path / "boot" / "bootstrap.csv")
    model = scenario.model_names[0]
    bench = scenario.rounds[0].benchmarks[0]
    here(tmp_path, "perturb", PAPER, "--model", model, "--set", f"{bench}=0", "-n", "500",
         "-T", "0", "--elo-orders", "2", "--no-progress", "--out", "perturb")
    probe = perturb(scenario, [model], {bench: "0"}, settings=Settings(
        iterations=500, elimination=(0,), progress=False), elo_orders=2)
    _same_frame(probe.to_frame(), tmp_path / "perturb" / "perturb_summary.csv")


def test_the_api_reads_what_the_commands_wrote(reported):
    from swisssim import load_scenario, simulate
    from swisssim.io.readback import read_sweep_folder

    frames = read_sweep_folder(reported / "rep" / "sweep")
    assert frames is not None
    root = reported
    here(root, "import", "lm-eval", str(REPO / "examples" / "lm-eval"), "--missing", "drop",
         "--name", "api", "--out", "imported")
    scenario = load_scenario(root / "imported" / "api.toml")
    result = simulate(scenario, iterations=300, progress=False)
    assert result.labels == ["0", "1", "2"] and len(result.to_frame()) == 3 * scenario.n_models


# -- settings: one resolution for every command ---------------------------------------------------

def test_every_command_takes_the_scenarios_simulation_table_then_the_flags(tmp_path):
    root = workspace(tmp_path)
    text = (root / "scenarios" / f"{PAPER}.toml").read_text()
    assert "elimination = [0, 1, 2]" in text
    (root / "scenarios" / "own.toml").write_text(
        text.replace("elimination = [0, 1, 2]", "elimination = [0, 3]"))
    for command in ("run", "sweep", "compare", "report"):
        extra = {"sweep": ["--no-figures"], "compare": ["--elo-orders", "2"],
                 "report": ["--no-svg"]}.get(command, [])
        (swisssim if command == "compare" else here)(root, command, "scenarios/own.toml",
                                                      *FAST, *extra)
        manifest = json.loads((root / "swisssim-results" / "own" / command /
                               "manifest.json").read_text())
        labels = [s["label"] for s in manifest["simulation"]["schedules"]]
        assert labels == ["0", "3"], (command, labels)
        assert manifest["settings_sources"] == {
            "iterations": "--iterations", "seed": "scenario [simulation]",
            "elimination": "scenario [simulation]", "tie_break": "default",
            "probabilistic_wins": "default"}, command
    here(root, "sweep", "scenarios/own.toml", *FAST, "--no-figures", "-T", "0", "1")
    manifest = json.loads((root / "swisssim-results" / "own" / "sweep" / "manifest.json")
                          .read_text())
    assert [s["label"] for s in manifest["simulation"]["schedules"]] == ["0", "1"]
    assert manifest["settings_sources"]["elimination"] == "--elimination"


def test_a_method_has_one_name_in_the_csv_files_the_report_the_figures_and_perturb(reported,
                                                                                     tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from swisssim import Settings, compare, examples
    from swisssim.plots.compare import correlation_heatmap

    rankings = pd.read_csv(reported / "rep" / "compare" / "rankings.csv")
    names = [c.removesuffix("_rank") for c in rankings.columns if c.endswith("_rank")]
    assert {"mean_minmax", "win_rate", "csd_T0"} <= set(names)
    correlations = pd.read_csv(reported / "rep" / "compare" / "rank_correlations.csv")
    assert set(correlations["method_a"]) | set(correlations["method_b"]) == set(names)
    report = (reported / "rep" / "report.md").read_text()
    for name in names:
        assert re.search(rf"\b{re.escape(name)}\b", report), name
    assert not re.search(r"\b(minmax|winrate|T0)\b", report.replace("mean_minmax", "")
                         .replace("csd_T0", "").replace("T0 ", "").replace("(T0", ""))
    figure = correlation_heatmap(compare(examples.load(PAPER), Settings(iterations=300,
                                                                        progress=False)))
    ticks = {t.get_text() for ax in figure.axes for t in ax.get_xticklabels()}
    assert set(names) <= ticks, ticks
    scenario = examples.load(PAPER)
    swisssim(tmp_path, "perturb", PAPER, "--model", scenario.model_names[0], "--set",
             f"{scenario.rounds[0].benchmarks[0]}=0", "-n", "300", "-T", "0",
             "--elo-orders", "2", "--no-progress", "--out", "perturb")
    summary = pd.read_csv(tmp_path / "perturb" / "perturb_summary.csv")
    assert set(summary["method"]) <= set(names) and "csd_T0" in set(summary["method"])



def test_files_added_to_a_result_folder_after_its_run_are_never_replaced_away(tmp_path, capsys):
    from swisssim.cli.app import main

    out = tmp_path / "run"
    argv = ["run", PAPER, "-n", "300", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    later = (out / "manifest.json").stat().st_mtime + 3600      # an hour after the run
    (out / "notes.md").write_text("mine")                       # a new file, an edited one
    with (out / "expected_scores.csv").open("a") as handle:
        handle.write("# checked\n")
    for name in ("notes.md", "expected_scores.csv"):
        os.utime(out / name, (later, later))
    before = snapshot(out)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notes.md" in err and "expected_scores.csv" in err
    assert "--replace" in err and snapshot(out) == before
    assert main([*argv, "--replace"]) == 0
    assert not (out / "notes.md").exists()


def test_the_record_of_what_a_run_wrote_is_exact_not_a_time_window(tmp_path, capsys):
    """A file added a second after the run, or an output edited while keeping its old
    modification time, is refused by name on a re-run; the run's own files re-run fine."""
    from swisssim.cli.app import main
    from swisssim.io.staging import RECORD

    out = tmp_path / "run"
    argv = ["run", PAPER, "-n", "300", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    record = json.loads((out / RECORD).read_text())["files"]
    assert sorted(record) == sorted(p.name for p in out.iterdir() if p.name != RECORD)
    assert record["manifest.json"]["sha256"] == hashlib.sha256(
        (out / "manifest.json").read_bytes()).hexdigest()
    os.utime(out / "manifest.json")   # touched, same bytes: still the run's own
    assert main(argv) == 0, capsys.readouterr().err          # the run's own files re-run fine
    written = (out / "manifest.json").stat().st_mtime
    (out / "notes.md").write_text("mine")                        # a second after the run
    os.utime(out / "notes.md", (written + 1, written + 1))
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notes.md" in err and "expected_scores.csv" not in err
    (out / "notes.md").unlink()
    table = out / "survival.csv"                                  # edited, old time kept
    stamp = table.stat()
    table.write_bytes(table.read_bytes().replace(b"0", b"1", 1))
    os.utime(table, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "survival.csv" in err
    assert main([*argv, "--replace"]) == 0


def test_a_folder_written_before_the_record_keeps_the_time_rule(tmp_path, capsys):
    """Without the record (a folder of an earlier swisssim), files modified more than
    WRITTEN_WITHIN seconds after the manifest are the user's; those within it are the run's."""
    from swisssim.cli.app import main
    from swisssim.io.staging import RECORD, WRITTEN_WITHIN

    out = tmp_path / "run"
    argv = ["run", PAPER, "-n", "300", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    (out / RECORD).unlink()
    written = (out / "manifest.json").stat().st_mtime
    (out / "notes.md").write_text("mine")
    os.utime(out / "notes.md", (written + 1, written + 1))       # inside the window: the run's
    assert main(argv) == 0, capsys.readouterr().err
    assert not (out / "notes.md").exists() and (out / RECORD).is_file()
    (out / RECORD).unlink()
    later = (out / "manifest.json").stat().st_mtime + WRITTEN_WITHIN + 60
    (out / "notes.md").write_text("mine")
    os.utime(out / "notes.md", (later, later))
    capsys.readouterr()
    assert main(argv) == 2
    assert "notes.md" in capsys.readouterr().err and (out / "notes.md").exists()


def test_a_sweep_replots_then_reruns_into_its_own_folder(tmp_path, capsys):
    from swisssim.cli.app import main

    out = tmp_path / "sweep"
    argv = ["sweep", PAPER, "-n", "300", "--no-progress", "--dpi", "40", "--out", str(out)]
    assert main(argv) == 0
    assert main(["plot", str(out), "--dpi", "40", "--no-progress"]) == 0
    later = (out / "manifest.json").stat().st_mtime + 3600      # re-plotted an hour later
    for figure in (out / "figures").iterdir():
        os.utime(figure, (later, later))
    assert main(argv) == 0, capsys.readouterr().err
