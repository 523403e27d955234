"""The Python API refuses what the command line refuses, naming the Python argument.

Each case is a value the command line turns away (tests/test_compare.py, tests/test_perturb.py);
here the library must refuse it too, before any simulation, with a :class:`swisssim.InputError`
that names the function and the argument, never a command-line flag.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from swisssim import InputError, Scenario
from swisssim.analysis.compare import compare
from swisssim.analysis.perturb import perturb


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    rng = np.random.default_rng(2)
    names = [f"m{i}" for i in range(5)]
    return Scenario.from_dataframe(pd.DataFrame(rng.random((5, 3)), index=names,
                                                columns=list("abc")))


@pytest.mark.parametrize("option, value, expected", [
    ("elo_k", -1, "positive finite"), ("elo_k", math.nan, "positive finite"),
    ("elo_k", math.inf, "positive finite"), ("elo_k", "16", "positive finite"),
    ("bt_alpha", -5, ">= 0"), ("bt_alpha", math.nan, ">= 0"),
    ("elo_orders", True, "integer"), ("elo_orders", 0, "integer"),
    ("elo_orders", 2.5, "integer"), ("elo_orders", 10**6, "integer"),
])
def test_compare_names_the_bad_argument(scenario, option, value, expected):
    with pytest.raises(InputError) as error:
        compare(scenario, iterations=10, **{option: value})
    text = str(error.value)
    assert text.startswith(f"compare: {option}: ") and expected in text, text
    assert "--" not in text


def test_compare_accepts_the_documented_extremes(scenario):
    result = compare(scenario, iterations=10, elo_orders=1, elo_k=0.5, bt_alpha=0.0)
    assert result.elo_fit is not None


def test_perturb_checks_the_baseline_options_by_its_own_name(scenario):
    with pytest.raises(InputError, match=r"^perturb: elo_k: "):
        perturb(scenario, ["m1"], {"a": 0.0}, iterations=10, elo_k=-1)


@pytest.mark.parametrize("option, value", [
    ("orders", -1), ("orders_iterations", 0), ("bootstrap_replicates", 0),
    ("bootstrap_iterations", -3), ("elo_k", -1), ("elo_orders", True), ("z", math.nan)])
def test_build_report_names_its_own_argument(scenario, option, value):
    from swisssim.report.model import build_report

    extra = {"orders": 2} if option == "orders_iterations" else (
        {"bootstrap_replicates": 2} if option == "bootstrap_iterations" else {})
    with pytest.raises(InputError, match=rf"^build_report: {option}: "):
        build_report(scenario, iterations=10, **{option: value}, **extra)


def test_evaluate_orders_names_samples(scenario):
    from swisssim.analysis.orders import evaluate_orders

    with pytest.raises(InputError, match=r"^evaluate_orders: samples: "):
        evaluate_orders(scenario, samples=0, iterations=10)
