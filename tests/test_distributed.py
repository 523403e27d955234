"""Dask clusters: results bit-identical to local runs, faults, bad addresses (loopback only).

One LocalCluster of two single-threaded worker processes on 127.0.0.1 serves the module (no
other network). Every comparison is against a local run of the same seed, bit for bit: the
integer counters, or the CSV files byte for byte.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, assert_clean_failure
from swisssim import Scenario, load_scenario, simulate
from swisssim.analysis.bootstrap import bootstrap
from swisssim.analysis.orders import evaluate_orders
from swisssim.cli.app import main
from swisssim.engine import distributed as dist
from swisssim.engine.settings import Settings
from swisssim.errors import InputError

#: Starts local Dask clusters (worker processes).
pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")

PAPER = REPO / "scenarios" / "paper_synthetic.toml"
BBH = REPO / "scenarios" / "bbh.toml"
COUNTERS = ("score_sum", "score_cross", "score_counts", "elim_counts", "above_bounds")
DRAWS_CSV = ("model,a,b,c,d\nm1,1,2,2,1\nm2,1,1,2,2\nm3,2,1,1,2\nm4,2,2,1,1\nm5,1,2,1,2\n"
             "m6,2,1,2,1\nm7,1,1,1,1\n")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       silence_logs=50)
    client = distributed.Client(cluster, set_as_default=False)
    client.wait_for_workers(2, timeout=60)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def small_tasks(monkeypatch):
    """Tasks of ~10^5 model-rounds, so that even small runs make many tasks."""
    monkeypatch.setattr(dist, "MIN_TASK_WORK", 1e5)
    monkeypatch.setattr(dist, "MAX_TASK_WORK", 1e5)


def assert_same_counters(a, b) -> None:
    for name in COUNTERS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.iterations == b.iterations


# ----------------------------------------------------------------------------- the task plan


@pytest.mark.parametrize("n_items, iterations, work, threads", [
    (1, 100_000, 29 * 12 * 3, 2), (500, 10_000, 29 * 12, 2), (7, 3, 10, 1000),
    (1000, 100_000, 4500 * 6 * 3, 1600), (1, 1, 1, 1)])
def test_plan_covers_every_matrix_and_iteration_once(n_items, iterations, work, threads):
    plan = dist.plan_tasks(n_items, 5, 5 + iterations, work, threads)
    covered = np.zeros(n_items, np.int64)
    for task in plan:
        assert 5 <= task.lo < task.hi <= 5 + iterations
        for p in task.items:
            covered[p] += task.hi - task.lo
    assert (covered == iterations).all()
    pieces = sorted((p, t.lo, t.hi) for t in plan for p in t.items)
    for (p, _, hi), (q, lo, _) in itertools.pairwise(pieces):
        assert p != q or hi == lo       # contiguous, no overlap
    sizes = [len(t.items) * (t.hi - t.lo) * work for t in plan]
    total = n_items * iterations * work
    if total >= 2 * dist.MAX_TASK_WORK:
        # The rule: no task above the cap (up to one matrix-iteration of rounding) ...
        assert max(sizes) <= dist.MAX_TASK_WORK * 1.01 + work
    if min(sizes) < dist.MIN_TASK_WORK / 2.01:
        # ... and none far below the floor unless the whole job is that small.
        assert len(plan) == 1 or iterations * work < dist.MIN_TASK_WORK


# ----------------------------------------------------------------------------- equal to local


def test_run_equals_local_run_bit_for_bit(client, small_tasks):
    scenario = load_scenario(PAPER)
    local = simulate(scenario, iterations=3_000, seed=11, elimination=[0, 1, "10%"])
    remote = simulate(scenario, Settings(client=client), iterations=3_000, seed=11,
                      elimination=[0, 1, "10%"])
    assert_same_counters(local, remote)
    assert remote.cluster.workers == 2 and remote.cluster.tasks > 10
    assert remote.cluster.scheduler == client.scheduler.address


def test_draws_replay_ranks_on_the_cluster(client, small_tasks):
    scenario = Scenario.from_dataframe(pd.read_csv(pd.io.common.StringIO(DRAWS_CSV)),
                                       ties="draw")
    local = simulate(scenario, iterations=4_000, seed=5, elimination=[0, 1])
    remote = simulate(scenario, Settings(client=client), iterations=4_000, seed=5,
                      elimination=[0, 1])
    assert_same_counters(local, remote)
    lr, rr = local.ranks, remote.ranks
    assert not np.array_equal(local.above_bounds[..., 0], local.above_bounds[..., 1])
    for name in ("schedule", "model", "rank", "count"):
        np.testing.assert_array_equal(getattr(lr, name), getattr(rr, name))


def test_adaptive_run_equals_local(client, small_tasks):
    scenario = load_scenario(PAPER)
    local = simulate(scenario, target_se=0.02, seed=2, elimination=[1])
    remote = simulate(scenario, Settings(client=client), target_se=0.02, seed=2,
                      elimination=[1])
    assert local.stopping == remote.stopping
    assert_same_counters(local, remote)


def test_orders_and_bootstrap_equal_local(client, small_tasks):
    scenario = load_scenario(PAPER)
    settings = Settings(iterations=1_000, seed=4)
    local = evaluate_orders(scenario, settings, samples=30)
    remote = evaluate_orders(scenario, settings.replace(client=client), samples=30)
    np.testing.assert_array_equal(local.score_sum, remote.score_sum)
    np.testing.assert_array_equal(local.std_error, remote.std_error)
    assert remote.cluster is not None and local.cluster is None
    boot_scenario = load_scenario(BBH)
    local_boot = bootstrap(boot_scenario, 5, iterations=400, seed=9, elimination=[0, 2])
    remote_boot = bootstrap(boot_scenario, 5, Settings(client=client), iterations=400, seed=9,
                            elimination=[0, 2])
    np.testing.assert_array_equal(local_boot.score_sum, remote_boot.score_sum)
    assert_same_counters(local_boot.reference, remote_boot.reference)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".csv"}


@pytest.mark.parametrize("command", [
    ["run", str(BBH), "-n", "300", "-T", "0", "2", "--bootstrap", "3"],
    ["sweep", str(PAPER), "-n", "2000", "--no-figures"],
    ["orders", str(PAPER), "--samples", "20", "-n", "500"],
])
def test_command_csvs_are_byte_identical(client, small_tasks, tmp_path, command, capsys):
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main([*command, "--seed", "3", "--no-progress", "--out", str(local)]) == 0
    assert main([*command, "--seed", "3", "--no-progress", "--out", str(remote),
                 "--dask", client.scheduler.address]) == 0
    capsys.readouterr()
    local_files, remote_files = _files(local), _files(remote)
    assert local_files and local_files == remote_files
    manifest = json.loads((remote / "manifest.json").read_text())
    section = manifest["orders"] if command[0] == "orders" else manifest["simulation"]
    assert section["cluster"]["scheduler"] == client.scheduler.address
    assert section["cluster"]["workers"] == 2 and section["cluster"]["threads"] == 2
    assert "do not depend" in section["cluster"]["note"]
    if command[0] == "run":
        assert manifest["bootstrap"]["cluster"]["tasks"] >= 2


def test_local_n_starts_and_closes_its_own_cluster(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(PAPER), "-n", "500", "-T", "1", "--seed", "1", "--no-progress",
                 "--out", str(out), "--dask", "local:1"]) == 0
    capsys.readouterr()
    cluster = json.loads((out / "manifest.json").read_text())["simulation"]["cluster"]
    assert cluster["workers"] == 1 and cluster["scheduler"].startswith("tcp://127.0.0.1:")
    local = simulate(load_scenario(PAPER), iterations=500, seed=1, elimination=[1])
    table = pd.read_csv(out / "expected_scores.csv")
    np.testing.assert_array_equal(table.expected_score.to_numpy(), local.expected()[0])


# ----------------------------------------------------------------------------- faults


def test_worker_killed_mid_run_costs_only_its_tasks(client, monkeypatch):
    monkeypatch.setattr(dist, "MIN_TASK_WORK", 6e6)    # about 35 tasks of 0.05 s
    monkeypatch.setattr(dist, "MAX_TASK_WORK", 6e6)
    scenario = load_scenario(PAPER)
    settings = Settings(iterations=300_000, seed=8, elimination=(0, 2))
    local = simulate(scenario, settings)
    outcome: dict = {}

    def remote_run() -> None:
        try:
            outcome["result"] = simulate(scenario, settings.replace(client=client))
        except BaseException as error:  # noqa: BLE001 (reported by the asserts below)
            outcome["error"] = error

    pids = client.run(os.getpid)
    thread = threading.Thread(target=remote_run)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not client.run_on_scheduler(
            lambda dask_scheduler: sum(ts.state == "memory" for ts in
                                       dask_scheduler.tasks.values()
                                       if str(ts.key).startswith("counters_task"))):
        time.sleep(0.05)
    victim = min(pids.values())
    assert thread.is_alive(), "the run finished before a worker could be killed"
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=120)
    assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    assert_same_counters(local, outcome["result"])
    client.wait_for_workers(2, timeout=60)
    assert victim not in client.run(os.getpid).values()


def test_unreachable_scheduler_is_one_line_exit_2_no_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "res"
    started = time.monotonic()
    code = main(["run", str(PAPER), "-n", "100", "--no-progress", "--out", str(out),
                 "--dask", "tcp://127.0.0.1:1"])
    assert time.monotonic() - started < 15
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "tcp://127.0.0.1:1",
                         "reachable Dask scheduler")


def test_malformed_address_is_rejected_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["orders", str(PAPER), "--out", str(out), "--dask", "local:zero"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "local:N")
    with pytest.raises(InputError, match="client"):
        Settings(client="tcp://127.0.0.1:8786")


def test_missing_extra_names_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    out = tmp_path / "res"
    code = main(["sweep", str(PAPER), "--out", str(out), "--dask", "local:2"])
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "swisssim[distributed]")


def test_workers_of_another_version_or_engine_are_refused(client, tmp_path, capsys,
                                                          monkeypatch):
    address = client.scheduler.address
    out = tmp_path / "res"
    monkeypatch.setattr(dist, "__version__", "0.0.1")
    code = main(["run", str(PAPER), "-n", "100", "--out", str(out), "--dask", address])
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "swisssim 0.0.1",
                         "swisssim 0.1.0 on worker")
    monkeypatch.undo()
    monkeypatch.setattr(dist, "_ENGINE_SOURCES", ("kernels.py",))
    code = main(["run", str(PAPER), "-n", "100", "--out", str(out), "--dask", address])
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "engine source")
    monkeypatch.undo()
    monkeypatch.setattr(dist, "_VERSION_PROBE", "__import__('swisssim_missing').x")
    code = main(["run", str(PAPER), "-n", "100", "--out", str(out), "--dask", address])
    assert_clean_failure(code, capsys.readouterr().err, out, "--dask", "import swisssim",
                         "ModuleNotFoundError")


def test_a_task_failing_on_the_cluster_is_one_line_exit_2_no_files(client, tmp_path, capsys,
                                                                   monkeypatch):
    def broken(inputs, task):
        raise RuntimeError("worker out of memory")

    monkeypatch.setattr(dist, "counters_task", broken)
    out = tmp_path / "res"
    code = main(["orders", str(PAPER), "--samples", "5", "-n", "200", "--no-progress",
                 "--out", str(out), "--dask", client.scheduler.address])
    assert_clean_failure(code, capsys.readouterr().err, out, "Dask cluster that completes",
                         "worker out of memory")


def test_interrupt_cancels_the_cluster_tasks_and_writes_nothing(client, tmp_path, capsys,
                                                                monkeypatch):
    monkeypatch.setattr(dist, "MIN_TASK_WORK", 2e6)    # about 70 tasks
    monkeypatch.setattr(dist, "MAX_TASK_WORK", 2e6)
    calls = []

    def interrupted(total, part):
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(dist, "add_into", interrupted)
    out = tmp_path / "res"
    code = main(["orders", str(PAPER), "--samples", "200", "-n", "2000", "--no-progress",
                 "--out", str(out), "--dask", client.scheduler.address])
    assert code == 130 and calls == [1]
    assert "no results were written" in capsys.readouterr().err
    assert not out.exists()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and client.run_on_scheduler(
            lambda dask_scheduler: len(dask_scheduler.tasks)):
        time.sleep(0.1)
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
    # The library, on a client that stays connected: the traceback keeps the futures alive,
    # so only the cancellation can have released the cluster's tasks.
    with pytest.raises(KeyboardInterrupt) as caught:
        evaluate_orders(load_scenario(PAPER), Settings(client=client, iterations=2_000),
                        samples=200)
    assert caught.traceback
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and client.run_on_scheduler(
            lambda dask_scheduler: len(dask_scheduler.tasks)):
        time.sleep(0.1)
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


def test_every_simulating_command_takes_dask():
    from swisssim.cli.app import build_parser

    parser = build_parser()
    for command in (["run", "s.toml"], ["sweep", "s.toml"], ["compare", "s.toml"],
                    ["perturb", "s.toml"], ["orders", "s.toml"], ["report", "s.toml"]):
        args = parser.parse_args([*command, "--dask", "local:3"])
        assert args.dask == "local:3", command
