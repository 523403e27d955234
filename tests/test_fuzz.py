"""Property-based fuzzing: any input ends in a result or an ``InputError``, never another exception.

Hypothesis generates scenario TOML documents (structured, with wrong types and unknown keys, and
raw text mutations of a valid one), score CSV text, sweep tables for ``swisssim plot`` and
arguments of the Python API. Each test is bounded (``max_examples``); set
``SWISSSIM_FUZZ_EXAMPLES`` to run a longer campaign, e.g. ``SWISSSIM_FUZZ_EXAMPLES=2000``.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from swisssim import Scenario, load_scenario, simulate
from swisssim.errors import InputError

EXAMPLES = int(os.environ.get("SWISSSIM_FUZZ_EXAMPLES", "0")) or None
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
FUZZ = settings(max_examples=EXAMPLES or 40, deadline=None, derandomize=EXAMPLES is None,
                phases=PHASES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=EXAMPLES or 12, deadline=None, derandomize=EXAMPLES is None,
               phases=PHASES,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

GOOD_CSV = "model,a,b,c\nm1,3,1,2\nm2,2,3,1\nm3,1,2,3\nm4,1,1,1\n"
GOOD_TOML = ('name = "fuzz"\nscores = "scores.csv"\n[scoring]\nnormalization = "minmax"\n'
             '[simulation]\niterations = 50\nelimination = [0, 1]\n'
             '[[rounds]]\nname = "r1"\nbenchmarks = ["a", "b"]\n'
             '[[rounds]]\nname = "r2"\nbenchmarks = ["c"]\n')


def _check_result(scenario: Scenario) -> None:
    """Simulate briefly; the scores must be finite and sum to the points played."""
    result = simulate(scenario, iterations=16, threads=1, elimination=[0, 1])
    expected = result.expected()
    assert np.isfinite(expected).all()
    assert np.isfinite(result.std_error()).all()


def _load_and_run(toml_text: str | bytes, csv_text: str | bytes | None = GOOD_CSV) -> str:
    """Write the files, load and simulate; return ``"ok"`` or ``"input error"``."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if csv_text is not None:
            data = csv_text.encode("utf-8", "surrogatepass") if isinstance(csv_text, str) \
                else csv_text
            (root / "scores.csv").write_bytes(data)
        data = toml_text.encode("utf-8", "surrogatepass") if isinstance(toml_text, str) \
            else toml_text
        (root / "scenario.toml").write_bytes(data)
        try:
            scenario = load_scenario(root / "scenario.toml")
            _check_result(scenario)
        except InputError as error:
            assert str(error).count("\n") == 0 or "\n" in str(error.found_text), str(error)
            return "input error"
        return "ok"


# -- scenario TOML ---------------------------------------------------------------------------------

def _toml_value(value) -> str:
    """A minimal TOML writer for the generated values (strings, numbers, booleans, arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
                             for c in value if ord(c) < 0xD800 or ord(c) > 0xDFFF) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    raise TypeError(type(value))


SCALARS = st.one_of(
    st.integers(-3, 5), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.sampled_from(["", "a", "b", "c", "x", "minmax", "zscore", "rank", "none", "lose",
                     "skip", "drop", "error", "coin", "draw", "random", "index", "10%", "0,1",
                     "1,1", "150%", "scores.csv", "absent.csv", "../scores.csv", "m1"]),
    st.text(max_size=6))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4),
                   st.lists(st.lists(st.integers(-1, 3), max_size=3), max_size=2))
KEYS = {
    "": ["name", "description", "scores", "score_errors", "item_counts", "models_file",
         "colour"],
    "scoring": ["lower_is_better", "normalization", "missing", "ties", "weights"],
    "simulation": ["iterations", "seed", "elimination", "tie_break", "bye_points",
                   "probabilistic_wins", "threads"],
}


@st.composite
def toml_documents(draw) -> str:
    lines = ['scores = "scores.csv"'] if draw(st.booleans()) else []
    for section, keys in KEYS.items():
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=3))
        if section:
            lines.append(f"[{section}]")
        for key in chosen:
            if key == "scores" and lines and lines[0].startswith("scores"):
                continue
            value = draw(VALUES)
            if key == "iterations" and isinstance(value, int) and 3000 < value <= 2**40:
                value = 3000            # valid but slow: keep the fuzzing fast
            lines.append(f"{key} = {_toml_value(value)}")
    for _ in range(draw(st.integers(0, 3))):
        lines.append("[[rounds]]")
        if draw(st.booleans()):
            lines.append(f"name = {_toml_value(draw(SCALARS))}")
        names = draw(st.lists(st.sampled_from(["a", "b", "c", "d", 1]), max_size=3))
        lines.append(f"benchmarks = {_toml_value(names)}")
    if draw(st.booleans()):
        lines.append(f'[models."{draw(st.sampled_from(["m1", "m9"]))}"]')
        lines.append(f"family = {_toml_value(draw(SCALARS))}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(toml_documents())
def test_fuzz_structured_scenario_files(document):
    _load_and_run(document)


@FUZZ
@given(st.integers(0, len(GOOD_TOML)), st.integers(0, 12),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=8))
def test_fuzz_mutated_scenario_text(position, cut, insert):
    text = GOOD_TOML[:position] + insert + GOOD_TOML[position + cut:]
    _load_and_run(text)


@FEW
@given(st.binary(max_size=200))
def test_fuzz_binary_scenario_files(blob):
    _load_and_run(blob)


# -- score CSV -------------------------------------------------------------------------------------

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1.7e308, max_value=1.7e308).map(repr),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.sampled_from(["", " ", "NA", "nan", "n/a", "-", "null", '"', '"1,5"', '""', "1e309",
                     "-1e-320", "0x10", "1_000", "\uff11", "3 ", " 3", "m1", "model"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=5))


@st.composite
def csv_texts(draw) -> str:
    width = draw(st.integers(1, 4))
    header = ["model"] + draw(st.lists(st.sampled_from(["a", "b", "c", "", "a ", "model"]),
                                       min_size=width - 1, max_size=width - 1))
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(CELLS, min_size=1, max_size=4))
    rows = []
    for i in range(draw(st.integers(0, 5))):
        size = width if draw(st.integers(0, 5)) else draw(st.integers(0, 6))
        name = draw(st.sampled_from([f"m{i}", f"m{i}", "m0", "", " m1"]))
        rows.append([name] + draw(st.lists(CELLS, min_size=max(size - 1, 0),
                                           max_size=max(size - 1, 0))))
    newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return newline.join(",".join(r) for r in [header] + rows) + draw(st.sampled_from(["", "\n"]))


CSV_TOML = ('name = "fuzz"\nscores = "scores.csv"\n[scoring]\nnormalization = "{norm}"\n'
            'missing = "{missing}"\n')


@FUZZ
@given(csv_texts(), st.sampled_from(["none", "minmax", "zscore", "rank"]),
       st.sampled_from(["error", "lose", "skip", "drop"]))
def test_fuzz_score_tables(csv_text, norm, missing):
    _load_and_run(CSV_TOML.format(norm=norm, missing=missing), csv_text)


@FUZZ
@given(st.lists(st.lists(st.floats(min_value=-1.7e308, max_value=1.7e308), min_size=3,
                         max_size=3), min_size=2, max_size=6),
       st.sampled_from(["none", "minmax", "zscore", "rank"]))
def test_fuzz_extreme_magnitudes_give_finite_round_scores_in_exact_order(rows, norm):
    """Any finite scores: finite round scores, ordered as exact rational arithmetic orders them
    (for ``none``, the round mean; checked where the exact means differ by more than rounding)."""
    from fractions import Fraction

    from swisssim.data.rounds import round_scores

    frame = pd.DataFrame(rows, columns=["a", "b", "c"])
    frame.insert(0, "model", [f"m{i}" for i in range(len(rows))])
    scenario = Scenario.from_dataframe(frame, rounds={"r": ["a", "b", "c"]}, normalization=norm)
    values = round_scores(scenario)
    assert np.isfinite(values).all()
    if norm != "none":
        return
    exact = [sum(Fraction(v) for v in row) / 3 for row in rows]
    for i in range(len(rows)):
        for j in range(len(rows)):
            gap = exact[i] - exact[j]
            scale = max(abs(exact[i]), abs(exact[j]), Fraction(1, 10**300))
            if gap > scale * Fraction(1, 10**12):
                assert values[0, i] > values[0, j]


# -- sweep tables for plot -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    from swisssim.analysis.sweep import sweep
    from swisssim.io.writers import write_sweep

    frame = pd.read_csv(pd.io.common.StringIO(GOOD_CSV))
    root = tmp_path_factory.mktemp("fuzz_sweep")
    result = sweep(Scenario.from_dataframe(frame, name="fuzz"), iterations=200, seed=1)
    write_sweep(result, root / "sweep", ["test"], figures=False)
    return root / "sweep"


TABLES = ["sweep.csv", "risk_profile.csv", "rank_distribution.csv", "survival.csv"]


@FEW
@given(st.sampled_from(TABLES), st.integers(0, 400), st.integers(0, 30), CELLS,
       st.sampled_from(["set", "drop row", "repeat row", "drop column"]))
def test_fuzz_plot_tables(sweep_folder, table, row, column, cell, action):
    """A corrupted sweep folder: read_sweep_folder refuses it, or every figure is drawn."""
    from swisssim.io.readback import read_sweep_folder
    from swisssim.plots.sweep import render_figures

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in TABLES:
            (copy / name).write_bytes((sweep_folder / name).read_bytes())
        frame = pd.read_csv(copy / table, dtype=str, keep_default_na=False)
        row %= len(frame)
        name = frame.columns[column % len(frame.columns)]
        if action == "set":
            frame.loc[row, name] = cell
        elif action == "drop row":
            frame = frame.drop(index=row)
        elif action == "repeat row":
            frame = pd.concat([frame, frame.iloc[[row]]])
        else:
            frame = frame.drop(columns=[name])
        frame.to_csv(copy / table, index=False)
        try:
            frames = read_sweep_folder(copy)
        except InputError:
            return
        render_figures(frames)


# -- the Python API --------------------------------------------------------------------------------

ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3000),
    st.integers(min_value=2**40 + 1, max_value=2**70), st.integers(max_value=-1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
    st.sampled_from(["random", "index", "10%", "0,1,1", "1", np.int64(2), np.int32(1),
                     np.float64(0.5), np.bool_(True), np.uint64(7), (0, 1), [0, "1"], [[0, 1, 0]],
                     {"a": 1}, b"x", object()]),
    st.lists(st.integers(-1, 3), max_size=3))
API_FIELDS = ["iterations", "seed", "elimination", "tie_break", "probabilistic_wins", "threads",
              "progress", "target_se", "max_iterations"]


@pytest.fixture(scope="module")
def tiny_scenario():
    frame = pd.read_csv(pd.io.common.StringIO(GOOD_CSV))
    return Scenario.from_dataframe(frame, name="fuzz")


@FUZZ
@given(st.dictionaries(st.sampled_from(API_FIELDS), ANYTHING, max_size=4))
def test_fuzz_simulate_arguments(tiny_scenario, arguments):
    arguments.setdefault("iterations", None if "target_se" in arguments else 20)
    if "target_se" in arguments and arguments.get("iterations") is None:
        assume(isinstance(arguments.get("max_iterations"), (int, np.integer))
               and not isinstance(arguments.get("max_iterations"), bool)
               and arguments.get("max_iterations") <= 3000)
    try:
        result = simulate(tiny_scenario, **arguments)
    except InputError:
        return
    assert np.isfinite(result.expected()).all()


SCENARIO_ARGUMENTS = {
    "rounds": st.one_of(ANYTHING, st.just({"r": ["a", "b"]}), st.just({"r": ["zz"]})),
    "name": ANYTHING, "description": ANYTHING, "lower_is_better": ANYTHING,
    "normalization": ANYTHING, "missing": ANYTHING, "ties": ANYTHING,
    "iterations": ANYTHING, "seed": ANYTHING, "elimination": ANYTHING, "tie_break": ANYTHING,
    "bye_points": st.one_of(ANYTHING, st.sampled_from([0, 0.5, 1, np.float64(0.5)])),
    "probabilistic_wins": ANYTHING, "item_counts": st.one_of(ANYTHING, st.just({"a": 10})),
    "models": st.sampled_from([None, pd.DataFrame({"x": [1]}),
                               pd.DataFrame({"model": ["m1"], "family": ["F"]})]),
    "score_errors": st.sampled_from([None, pd.DataFrame({"model": ["m1"], "a": [0.1]})]),
}


@FUZZ
@given(st.fixed_dictionaries({}, optional=SCENARIO_ARGUMENTS))
def test_fuzz_scenario_from_dataframe(arguments):
    frame = pd.read_csv(pd.io.common.StringIO(GOOD_CSV))
    try:
        scenario = Scenario.from_dataframe(frame, **arguments)
        _check_result(scenario)
    except InputError as error:
        assert "--" not in str(error).split(":")[0], str(error)   # names arguments, not flags


@FEW
@given(st.integers(1, 500), st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2]))
def test_numpy_scalars_give_the_results_of_python_ones(tiny_scenario, iterations, seed, quota):
    plain = simulate(tiny_scenario, iterations=iterations, seed=seed, elimination=[quota])
    typed = simulate(tiny_scenario, iterations=np.int64(iterations), seed=np.uint64(seed),
                     elimination=[np.int32(quota)], threads=np.int64(1))
    assert np.array_equal(plain.score_sum, typed.score_sum)
    assert np.array_equal(plain.rank_counts, typed.rank_counts)
