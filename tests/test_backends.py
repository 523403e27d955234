"""The engine's backend interface, rule values and compiled-entry-point dispatch.

Checked against independent references: counters through the compiled entry point against the
same kernel called through numba's own dispatcher, and against the kernel compiled with its
rule flags as constants (``RULE_ARGS``, the alternative ``benchmarks/bench_literal_flags.py``
measures); units per point
against the definition in docs/method.md (half points need two units); contradictory settings
against the rule that Dask workers play on their CPUs.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import numba
import numpy as np
import pandas as pd
import pytest
from numba.core import types

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import Scenario, simulate
from swisssim.cli.app import main
from swisssim.engine import kernels
from swisssim.engine.backends import Backend, CpuBackend, DaskBackend, make_backend
from swisssim.engine.counters import Counters
from swisssim.engine.dispatch import RULE_ARGS, RULE_FLAGS, Specialised
from swisssim.engine.rng import seed_key
from swisssim.engine.settings import Settings
from swisssim.engine.simulation import EngineSession
from swisssim.engine.tournaments import Rules, Tournaments
from swisssim.errors import InputError

COUNTERS = ("score_sum", "score_cross", "score_counts", "elim_counts", "above_bounds")


def _scenario(**options) -> Scenario:
    rng = np.random.default_rng(8)
    names = [f"m{i}" for i in range(6)]
    scores = pd.DataFrame(rng.integers(0, 3, (6, 3)).astype(float), index=names,
                          columns=list("abc"))
    return Scenario.from_dataframe(scores, **options)


@pytest.mark.parametrize("ties, bye_points, units", [
    ("coin", 1, 1), ("coin", 0, 1), ("coin", 0.5, 2), ("draw", 1, 2), ("draw", 0, 2)])
def test_units_per_point_follow_the_half_points(ties, bye_points, units):
    """docs/method.md section 2: draws and half-point byes need half points, hence 2 units."""
    rules = Rules.of(_scenario(ties=ties, bye_points=bye_points))
    assert rules.units_per_point == units
    assert rules.n_values(12) == 12 * units + 1
    assert rules.bye_units == round(2 * bye_points)


def test_rules_name_the_flags_in_the_kernels_order():
    scenario = _scenario(ties="draw", bye_points=0.5)
    rules = Rules.of(scenario, "index", np.ones((3, 6)))
    assert rules == (True, 1, False, True)
    assert Rules.of(scenario, "random", np.zeros((3, 6))).noisy is False   # no noise to draw


def _counters_by(call: Callable, rules: Rules) -> Counters:
    scenario = _scenario()
    values = np.random.default_rng(1).random((3, 6)).round(1)
    quotas = np.array([[0, 0, 0], [1, 2, 0]], np.int64)
    noise = np.full((3, 6), 0.05) if rules.noisy else np.zeros((0, 0))
    counters = Counters.zeros(2, 2, scenario.n_models, 3, rules.n_values(3))
    call(seed_key(4), 0, 300, values, noise, quotas, *rules, counters.score_sum,
         counters.score_cross, counters.score_counts, counters.elim_counts,
         counters.above_bounds)
    return counters


@pytest.mark.parametrize("rules", [Rules(False, 0, True, False), Rules(True, 1, False, True),
                                   Rules(False, 2, False, True), Rules(True, 2, True, False)])
def test_the_compiled_entry_point_gives_the_dispatchers_counters(rules):
    """The shipped dispatch (rule flags at run time, ``RULE_ARGS`` empty), called through the
    stored entry point, fills the counters that numba's dispatcher fills; one compilation
    serves every rule combination."""
    specialised = Specialised(kernels.simulate_blocks)
    first = _counters_by(specialised, rules)
    second = _counters_by(specialised, rules)        # through the stored entry point
    other = _counters_by(specialised, rules._replace(random_ties=not rules.random_ties))
    assert RULE_ARGS == () and len(specialised._entries) == 1
    generic = _counters_by(kernels.simulate_blocks, rules)
    for name in COUNTERS:
        np.testing.assert_array_equal(getattr(first, name), getattr(generic, name), name)
        np.testing.assert_array_equal(getattr(second, name), getattr(generic, name), name)
    # the flag's value reaches the kernel: the other tie-break drops other models at the cuts
    assert not np.array_equal(other.elim_counts, first.elim_counts)


def test_rule_flags_compiled_as_constants_give_the_same_counters():
    """The kernels compiled with all four flags literal (one specialisation per combination)
    are the same arithmetic: the rank windows of the Monte Carlo equal those of the run-time
    flags, bit for bit (checked on the smaller of the two parallel kernels: a literal
    specialisation compiles in seconds)."""
    rules = Rules(True, 1, False, True)
    values = np.random.default_rng(1).random((3, 6)).round(1)
    quotas = np.array([[0, 0, 0], [1, 2, 0]], np.int64)
    noise = np.full((3, 6), 0.05)
    low = np.zeros((2, rules.n_values(3)), np.int64)      # every score's window from rank 1
    offset = np.zeros((2, rules.n_values(3)), np.int64)

    def windows(call):
        window = np.zeros((2, 2, 6, 6), np.int64)
        call(seed_key(4), 0, 300, values, noise, quotas, *rules, low, offset, window)
        return window

    constant = windows(Specialised(kernels.rank_window_blocks, RULE_FLAGS))
    runtime = windows(Specialised(kernels.rank_window_blocks))
    assert (constant.sum(axis=(0, 3)) == 300).all()     # each tournament counts each model once
    np.testing.assert_array_equal(constant, runtime)
    literal_values = [[key[i].literal_value for i in RULE_FLAGS]
                      for key in kernels.rank_window_blocks.overloads
                      if all(isinstance(key[i], types.Literal) for i in RULE_FLAGS)]
    assert list(rules) in literal_values


def _plus(values, flag):
    return values.sum() + flag


def test_the_entry_key_holds_argument_types_and_literal_values():
    """A call with new argument types, or a new value at a literal position, gets its own
    compiled entry; a new value at a run-time position reuses the entry."""
    kernel = numba.njit(_plus)
    runtime = Specialised(kernel, ())
    literal = Specialised(kernel, (1,))
    ones = np.ones(3)
    assert runtime(ones, 1) == 4 and runtime(ones, 2) == 5 and len(runtime._entries) == 1
    assert runtime(ones.astype(np.float32), 2) == 5 and len(runtime._entries) == 2
    assert runtime(ones[::2], 2) == 4 and len(runtime._entries) == 3          # not contiguous
    assert literal(ones, 1) == 4 and literal(ones, 2) == 5 and len(literal._entries) == 2
    assert literal(ones, 2) == 5 and len(literal._entries) == 2


def test_make_backend_chooses_once_from_the_settings():
    scenario = _scenario()
    assert isinstance(EngineSession(scenario, Settings(threads=1)).backend, CpuBackend)
    dask = make_backend(Settings(dask="local:1"), np.zeros((1, 3), np.int64), 6, 4, 1)
    assert isinstance(dask, DaskBackend) and dask.batches and dask.blocks == 1


@pytest.mark.parametrize("cluster", [{"dask": "local:2"}, {"dask": "tcp://127.0.0.1:8786"}])
def test_a_gpu_backend_on_a_dask_cluster_is_refused(cluster):
    with pytest.raises(InputError, match=r"Settings: backend: .*cpu.*cuda"):
        Settings(backend="cuda", **cluster)


def test_the_command_line_refuses_the_contradiction_by_flag(write_scenario, tmp_path, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    code = main(["run", str(path), "--no-progress", "--backend", "cuda", "--dask", "local:2",
                 "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "--backend", "dask")


def test_results_hold_no_reference_to_the_engine():
    """A result is a value: no session, backend or function that calls back into them."""
    scenario = _scenario(ties="draw")
    result = simulate(scenario, iterations=200, seed=3, elimination=[0, 1], threads=1)
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        assert not isinstance(value, (Backend, EngineSession)) and not callable(value), field
    assert isinstance(result.tournaments, Tournaments)
    # draws: ranks were replayed on the backend, and a lazy CPU replay gives the same counts
    assert result.known_ranks is not None
    lazy = dataclasses.replace(result, known_ranks=None)
    np.testing.assert_array_equal(lazy.rank_counts, result.rank_counts)


def test_the_manifest_records_the_backend(write_scenario, tmp_path, capsys):
    path = write_scenario(TINY_TOML.replace("2000", "50"), TINY_CSV)
    out = tmp_path / "out"
    assert main(["run", str(path), "--no-progress", "--threads", "1", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["simulation"]["backend"]["name"] == "cpu"
    assert manifest["simulation"]["backend"]["threads"] == 1


def test_orders_and_bootstrap_record_their_backend():
    from swisssim.analysis.bootstrap import bootstrap
    from swisssim.analysis.orders import evaluate_orders
    from swisssim.io.manifests import bootstrap_manifest, orders_manifest

    scenario = _scenario()
    orders = evaluate_orders(scenario, iterations=50, seed=2, samples=3, threads=1)
    assert orders_manifest(orders)["backend"] == {"name": "cpu", "threads": 1}
    replicates = bootstrap(scenario, 2, iterations=50, seed=2, threads=1)
    assert bootstrap_manifest(replicates)["backend"] == {"name": "cpu", "threads": 1}
