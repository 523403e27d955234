"""The ``run`` command end to end: files, columns, manifest, atomic writes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO, TINY_CSV, TINY_TOML
from swisssim.cli.app import main
from swisssim.io.staging import atomic_output


def test_run_writes_the_documented_files(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "res"
    assert main(["run", str(path), "-n", "500", "--seed", "3", "-T", "0", "1,0,1",
                 "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "T=0" in printed and "T=1,0,1" in printed
    scores = pd.read_csv(out / "expected_scores.csv", dtype={"elimination": str})
    assert list(scores.columns[:6]) == ["model", "elimination", "expected_score", "std_error",
                                        "mc_ci_low", "mc_ci_high"]
    assert sorted(scores.elimination.unique()) == ["0", "1,0,1"]
    assert len(scores) == 2 * 4
    assert (scores.mc_ci_low <= scores.expected_score).all()
    ranks = pd.read_csv(out / "rank_distribution.csv", dtype={"elimination": str})
    assert ranks.groupby(["model", "elimination"]).probability.sum().round(12).eq(1).all()
    survival = pd.read_csv(out / "survival.csv", dtype={"elimination": str})
    assert len(survival) == 2 * 4 * 3
    manifest = json.loads((out / "manifest.json").read_text())
    sim = manifest["simulation"]
    assert sim["seed"] == 3 and sim["iterations"] == 500 and sim["tie_break"] == "random"
    assert [s["label"] for s in sim["schedules"]] == ["0", "1,0,1"]
    assert sim["threads"] >= 1 and sim["simulation_seconds"] > 0
    assert len(manifest["scenario"]["sha256"]) == 64
    assert set(manifest["environment"]) >= {"swisssim", "numba", "numpy"}
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_default_output_folder_is_per_scenario_file_and_command(tmp_path, write_scenario,
                                                               monkeypatch):
    path = write_scenario(TINY_TOML, TINY_CSV)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), "-n", "100", "--no-progress"]) == 0
    assert (tmp_path / "swisssim-results" / "tiny" / "run" / "expected_scores.csv").exists()
    assert not (tmp_path / "results").exists()      # never the repository's committed results/


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old")
    manifest = json.dumps({"command": "run", "environment": {"swisssim": "0"}})
    (out / "manifest.json").write_text(manifest)
    with pytest.raises(RuntimeError), atomic_output(out) as stage:
        stage.write_text("old.csv", "new")
        stage.write_text("half.csv", "x")
        raise RuntimeError("disk full")
    assert (out / "old.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "old.csv"]


def test_python_dash_m_and_help():
    done = subprocess.run([sys.executable, "-m", "swisssim", "--help"], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 0 and "run" in done.stdout
    done = subprocess.run([sys.executable, "-m", "swisssim", "run", "absent.toml"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2
    assert "absent.toml" in done.stderr and "Traceback" not in done.stderr



_ENTRY_WITH_ATEXIT = """
import atexit, sys, threading
atexit.register(print, "atexit ran")
if sys.argv[1] == "thread":      # a thread Python waits for: the ordinary exit, after it
    threading.Thread(target=lambda: (__import__("time").sleep(0.3), print("thread done"))).start()
sys.argv = ["swisssim", *sys.argv[2:]]
from swisssim.cli.app import entry
entry()
"""


@pytest.mark.parametrize("thread", ["none", "thread"])
@pytest.mark.parametrize("argv, code", [(["scenarios"], 0), (["run", "absent.toml"], 2)])
def test_the_process_exit_keeps_the_code_the_output_and_the_atexit_functions(argv, code,
                                                                            thread):
    """entry() skips the interpreter's teardown (cli/app._exit_now) but not what matters."""
    done = subprocess.run([sys.executable, "-c", _ENTRY_WITH_ATEXIT, thread, *argv],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == code, done.stderr
    assert done.stdout.rstrip().endswith("atexit ran")
    assert ("helm_capabilities" in done.stdout) == (code == 0)
    assert ("thread done" in done.stdout) == (thread == "thread")
    assert "Traceback" not in done.stderr

#: What --help must not load (benchmarks/bench_startup.py measures the time it saves).
HEAVY = ("numpy", "numba", "pandas", "matplotlib", "scipy")

_LOADED_BY_HELP = """
import sys
from swisssim.cli.app import main
try:
    main(sys.argv[1:] + ["--help"])
except SystemExit as done:
    assert done.code == 0, done.code
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


@pytest.mark.parametrize("command", ["", "run", "sweep", "compare", "perturb", "orders",
                                     "report", "plot", "import", "scenarios"])
def test_help_loads_no_numerical_library(command):
    # A fresh interpreter: this test process has numpy loaded already. The command list is
    # checked against the application's own below, so a new subcommand cannot be missed.
    done = subprocess.run([sys.executable, "-c", _LOADED_BY_HELP, *command.split()],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.splitlines()[-1].split())
    assert "swisssim" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_test_covers_every_subcommand():
    from swisssim.cli.app import command_names

    marker = test_help_loads_no_numerical_library.pytestmark[0]
    assert sorted(c for c in marker.args[1] if c) == sorted(n.rstrip("_") for n in command_names())


def test_the_cli_defaults_are_the_library_defaults():
    # One home (swisssim.defaults); the library modules re-export it under their old names.
    from swisssim import defaults
    from swisssim.analysis import baselines, bootstrap, orders, sweep
    from swisssim.data import scenario
    from swisssim.engine import backends, results, simulation

    assert bootstrap.DEFAULT_REPLICATES is defaults.DEFAULT_REPLICATES
    assert baselines.ELO_K is defaults.ELO_K and baselines.ELO_ORDERS is defaults.ELO_ORDERS
    assert orders.ORDERS_ITERATIONS is defaults.ORDERS_ITERATIONS
    assert sweep.DEFAULT_SCHEDULES is defaults.DEFAULT_SCHEDULES
    assert scenario.MISSING_POLICIES is defaults.MISSING_POLICIES
    assert backends.BACKENDS is defaults.BACKENDS and simulation.TARGETS is defaults.TARGETS
    assert pytest.approx(1.959964, abs=1e-6) == results.Z95
