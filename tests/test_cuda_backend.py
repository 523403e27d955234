"""The CUDA backend gives the CPU backend's exact answer (docs/method.md sections 4 and 5.1).

These tests run everywhere: numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) executes the
kernels of :mod:`swisssim.engine.cuda` as Python threads. The variable must be set before
numba.cuda is first imported (and numba told to re-read its environment), so this module sets it,
imports the backend at once and restores the environment: the CPU kernels stay jitted (checked
below) and other tests' subprocesses see
the environment they had. Tournaments are tiny, the simulator being slow. One test compiles the
device kernels to PTX for a real GPU (sm_90) in a subprocess when the NVVM library is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numba.core import config as _numba_config

pytest.importorskip("numba_cuda", reason="numba-cuda (the swisssim[cuda] extra) is not installed")

_previous = os.environ.get("NUMBA_ENABLE_CUDASIM")
if "numba.cuda" in sys.modules:
    from numba import cuda as _cuda

    if not hasattr(_cuda, "simulator_init"):
        pytest.skip("numba.cuda was imported before this module without the simulator",
                    allow_module_level=True)
os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
_numba_config.reload_config()   # numba read its environment when other tests imported it
try:
    from swisssim.engine import cuda as device  # imported after the variable is set
finally:
    if _previous is None:
        os.environ.pop("NUMBA_ENABLE_CUDASIM", None)
    else:
        os.environ["NUMBA_ENABLE_CUDASIM"] = _previous
    _numba_config.reload_config()

from conftest import REPO, TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import InputError, Scenario, simulate
from swisssim.analysis.bootstrap import bootstrap
from swisssim.analysis.orders import evaluate_orders
from swisssim.cli.app import main
from swisssim.data.rounds import round_scores
from swisssim.engine import cuda_support, kernels
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import EngineSession

COUNTERS = ("score_sum", "score_cross", "score_counts", "elim_counts", "above_bounds")
SCHEDULES = [0, 2, "30%", "0,1,2,1"]

#: numba's CUDA simulator runs the kernels as Python threads: seconds per test.
pytestmark = [pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
              pytest.mark.slow]


def _scenario(**options) -> Scenario:
    """Seven models, four rounds, scores in {0, 1, 2}: ties, byes and cuts at ties are common."""
    rng = np.random.default_rng(3)
    names = [f"m{i}" for i in range(7)]
    scores = pd.DataFrame(rng.integers(0, 3, (7, 4)).astype(float), index=names,
                          columns=list("wxyz"))
    errors = pd.DataFrame(rng.random((7, 4)) * rng.integers(0, 2, (7, 4)), index=names,
                          columns=list("wxyz"))
    return Scenario.from_dataframe(scores, score_errors=errors, elimination=SCHEDULES, **options)


def _assert_same(cpu, gpu) -> None:
    for name in COUNTERS:
        assert np.array_equal(getattr(cpu, name), getattr(gpu, name)), name
    assert cpu.iterations == gpu.iterations


def test_the_simulator_runs_and_the_cpu_kernels_stay_jitted():
    assert device.SIMULATED
    assert hasattr(kernels.simulate_blocks, "signatures")   # a numba dispatcher, not Python
    assert device._NOISE_SALT == kernels.NOISE_SALT
    # one formula for both targets: the device functions call the CPU kernels' own function
    assert device.units_per_point is kernels.units_per_point
    assert device.units_per_point(True, 2) == 2 and device.units_per_point(False, 1) == 2
    assert device.units_per_point(False, 0) == device.units_per_point(False, 2) == 1


@pytest.mark.parametrize("ties", ["coin", "draw"])
@pytest.mark.parametrize("bye_points", [0, 0.5, 1])
@pytest.mark.parametrize("tie_break", ["random", "index"])
@pytest.mark.parametrize("probabilistic", [False, True])
def test_cuda_counters_equal_the_cpu_for_every_rule(ties, bye_points, tie_break, probabilistic):
    scenario = _scenario(ties=ties, bye_points=bye_points, tie_break=tie_break)
    settings = Settings(iterations=16, seed=7, probabilistic_wins=probabilistic)
    cpu = simulate(scenario, settings)
    gpu = simulate(scenario, settings.replace(backend="cuda"))
    _assert_same(cpu, gpu)
    if ties == "draw":   # ranks vary per score value: the exact replay runs on the device too
        assert np.array_equal(cpu.rank_counts, gpu.rank_counts)


def test_launches_and_progress_chunks_do_not_change_the_counters(monkeypatch):
    scenario = _scenario(ties="draw", bye_points=0.5)
    cpu = simulate(scenario, iterations=50, seed=11)
    monkeypatch.setattr(device, "LAUNCH_ITERATIONS", 7)
    monkeypatch.setattr(device, "PROGRESS_CHUNK", 13)   # chunks of 4 x 8 simulated threads
    calls = []
    original = device.CudaEngine.simulate
    monkeypatch.setattr(device.CudaEngine, "simulate",
                        lambda self, *a: calls.append(a[1:3]) or original(self, *a))
    gpu = simulate(scenario, iterations=50, seed=11, backend="cuda", progress=True)
    # (0, 0) is simulate()'s kernel load before its clock starts (_EngineRun.load)
    assert calls == [(0, 0), (0, 32), (32, 50)]
    _assert_same(cpu, gpu)
    assert np.array_equal(cpu.rank_counts, gpu.rank_counts)


def test_adaptive_stopping_takes_the_same_checkpoints(monkeypatch):
    monkeypatch.setattr("swisssim.engine.simulation.ADAPTIVE_STEP", 20)
    scenario = _scenario()
    cpu = simulate(scenario, seed=2, target_se=0.12, max_iterations=60)
    gpu = simulate(scenario, seed=2, target_se=0.12, max_iterations=60, backend="cuda")
    assert cpu.stopping.checkpoints == gpu.stopping.checkpoints == (20, 60)
    _assert_same(cpu, gpu)


def test_an_engine_session_replays_other_round_orders_on_the_device():
    scenario = _scenario(ties="draw")
    orders = np.array([[0, 1, 2, 3], [3, 1, 0, 2]])
    cpu = evaluate_orders(scenario, orders=orders, iterations=30, seed=4, elimination=[0, 1])
    gpu = evaluate_orders(scenario, orders=orders, iterations=30, seed=4, elimination=[0, 1],
                          backend="cuda")
    assert np.array_equal(cpu.score_sum, gpu.score_sum)
    assert np.array_equal(cpu.std_error, gpu.std_error)


def test_a_late_rank_replay_uses_its_own_runs_round_scores():
    """Ranks under draws are replayed lazily, possibly after the session ran other scores."""
    scenario = _scenario(ties="draw")
    values = round_scores(scenario)
    cpu = EngineSession(scenario, Settings(seed=3, elimination=[0, 2]))
    gpu = EngineSession(scenario, Settings(seed=3, elimination=[0, 2], backend="cuda"))
    cpu_first, gpu_first = cpu.run(values, 20), gpu.run(values, 20)
    cpu.run(values[::-1], 20), gpu.run(values[::-1], 20)
    assert np.array_equal(cpu_first.rank_counts, gpu_first.rank_counts)


def test_bootstrap_replicates_run_on_the_device():
    rng = np.random.default_rng(5)
    names = [f"m{i}" for i in range(5)]
    scores = pd.DataFrame(rng.random((5, 4)).round(1), index=names, columns=list("wxyz"))
    scenario = Scenario.from_dataframe(scores, {"r1": ["w", "x"], "r2": ["y", "z"]})
    cpu = bootstrap(scenario, 2, iterations=20, seed=1, elimination=[0, 1])
    gpu = bootstrap(scenario, 2, iterations=20, seed=1, elimination=[0, 1], backend="cuda")
    assert np.array_equal(cpu.score_sum, gpu.score_sum)


def test_cli_tables_are_byte_identical(write_scenario, tmp_path, capsys):
    path = write_scenario(TINY_TOML.replace("2000", "30"), TINY_CSV)
    written = {}
    for backend in ("cpu", "cuda"):
        out = tmp_path / backend
        code = main(["run", str(path), "--no-progress", "--seed", "5", "-T", "0", "1",
                     "--backend", backend, "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        written[backend] = {p.relative_to(out): p.read_bytes()
                            for p in sorted(out.rglob("*.csv"))}
    assert written["cpu"] and written["cpu"] == written["cuda"]


def test_an_unknown_backend_names_the_field():
    with pytest.raises(InputError, match="backend"):
        Settings(backend="tpu")


@pytest.mark.parametrize("command", [["run"], ["sweep"], ["compare"], ["orders"], ["report"],
                                     ["perturb", "--model", "m1", "--set", "a=0"]])
def test_missing_numba_cuda_is_one_clean_line(command, write_scenario, tmp_path, capsys,
                                              monkeypatch):
    real = cuda_support.importlib.util.find_spec
    monkeypatch.setattr(cuda_support.importlib.util, "find_spec",
                        lambda name, *a: None if name == "numba_cuda" else real(name, *a))
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    code = main([command[0], str(path), *command[1:], "--no-progress", "--backend", "cuda",
                 "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "--backend",
                         "numba-cuda is not installed", "swisssim[cuda]")


def _plain_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


def test_without_a_gpu_the_cli_says_what_is_missing(write_scenario, tmp_path):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "swisssim", "run", str(path), "--no-progress",
                           "--backend", "cuda", "--out", str(out)],
                          check=False, capture_output=True, text=True, env=_plain_env(),
                          timeout=300)
    if done.returncode == 0:
        pytest.skip("this machine has a usable CUDA GPU")
    assert_clean_failure(done.returncode, done.stderr, out, "--backend", "CUDA")


PTX_CHECK = """
import types
import numba.cuda.dispatcher as dispatcher
from numba import cuda, types as t
from numba.cuda.cudadrv import nvvm
if not nvvm.is_available():
    print("NO-NVVM"); raise SystemExit(0)
# Device functions ask the current device for its compute capability: there is none here.
dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(9, 0))
from swisssim.engine import cuda as device
assert device.SCRATCH is __import__("numpy").int32
i8, i4, f8, b = t.int64, t.int32, t.float64, t.boolean
a = lambda dtype, ndim: t.Array(dtype, ndim, "C")
rules = (b, i8, b, b)
head = (t.uint64, i8, i8, a(f8, 2), a(f8, 2), a(i8, 2)) + rules
scratch = (a(i4, 3), a(i4, 3))
kernels = {
    "_simulate_kernel": head + scratch + (a(i4, 3), a(i4, 3), a(f8, 2)) + (a(i8, 3),)
                        + (a(i8, 4),) * 4,
    "_replay_kernel": head + (a(i8, 2), a(i8, 2)) + scratch + (a(i4, 3), a(f8, 2), a(i8, 3)),
    "_fill": (a(i8, 1), i8), "_sum_slots": (a(i8, 2), a(i8, 1)),
    "_bounds_slots": (a(i8, 3), a(i8, 2)),
}
for name, signature in kernels.items():
    try:
        ptx, _ = cuda.compile_ptx(getattr(device, name).py_func, signature, cc=(9, 0))
    except Exception as error:      # NVVM present but not NVRTC (plain numba-cuda, no toolkit)
        if "nvrtc" in str(error).lower():
            print("NO-NVVM"); raise SystemExit(0)
        raise
    assert ".entry" in ptx, name
print("OK")
"""


@pytest.mark.external   # the NVVM library of a CUDA toolkit
def test_device_kernels_compile_for_a_real_gpu():
    done = subprocess.run([sys.executable, "-c", PTX_CHECK], check=False, capture_output=True,
                          text=True, env=_plain_env(), timeout=600, cwd=Path(__file__).parent)
    if "NO-NVVM" in done.stdout:
        pytest.skip("the NVVM or NVRTC library of a CUDA toolkit (numba-cuda[cu13]) is not "
                    "installed")
    assert done.returncode == 0 and "OK" in done.stdout, done.stderr[-3000:]


def test_the_row_stack_guard_restores_the_alias_numba_cuda_overloads(monkeypatch):
    """numba-cuda 0.30 overloads ``np.row_stack`` when its CUDA target loads; NumPy drops the
    name after 2.4. Where it is missing, the guard aliases it to ``np.vstack`` (what it was)."""
    if hasattr(np, "row_stack"):
        monkeypatch.delattr(np, "row_stack")
    cuda_support._guard_row_stack()
    assert np.vstack is np.vstack
    cuda_support._guard_row_stack()   # idempotent
    assert np.vstack is np.vstack
