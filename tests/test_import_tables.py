"""``swisssim import long|transposed`` and ``Scenario.from_long``: tables with missing cells,
standard errors and item counts, checked cell by cell against the input rows."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_failure
from swisssim import Scenario
from swisssim.cli.app import main
from swisssim.data.importers import import_long, import_transposed
from swisssim.data.scenario import load_scenario
from swisssim.errors import InputError

LONG_CSV = """model,benchmark,score,stderr,n
alpha,arc,0.61,0.010,1000
alpha,gsm8k,0.42,0.014,1319
alpha,mmlu,0.55,,14042
beta,arc,0.70,0.009,1000
beta,gsm8k,0.38,0.013,1319
beta,mmlu,0.58,0.004,14042
gamma,arc,0.52,0.011,1000
gamma,mmlu,0.49,0.004,14042
delta,arc,0.66,0.010,1000
delta,gsm8k,,,1319
delta,mmlu,0.60,0.004,14042
"""


def test_long_table_is_pivoted_cell_by_cell(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG_CSV)
    imported = import_long([path])
    rows = pd.read_csv(path)
    assert list(imported.scores.index) == ["alpha", "beta", "gamma", "delta"]
    assert list(imported.scores.columns) == ["arc", "gsm8k", "mmlu"]
    for row in rows.itertuples():
        assert (imported.scores.at[row.model, row.benchmark] == row.score
                or (math.isnan(row.score) and math.isnan(imported.scores.at[row.model,
                                                                              row.benchmark])))
        if not math.isnan(row.stderr):
            assert imported.errors.at[row.model, row.benchmark] == row.stderr
    assert math.isnan(imported.scores.at["gamma", "gsm8k"])  # no row at all
    assert imported.item_counts == {"arc": 1000, "gsm8k": 1319, "mmlu": 14042}
    assert imported.missing() == {"gamma": ["gsm8k"], "delta": ["gsm8k"]}
    assert imported.suggested_missing() == "skip"  # 2 of 4 models: dropping would cost half


def test_from_long_equals_from_dataframe():
    rows = pd.read_csv(pd.io.common.StringIO(LONG_CSV))
    scenario = Scenario.from_long(rows, stderr="stderr", n="n", missing="lose", name="x")
    wide = rows.pivot(index="model", columns="benchmark", values="score").loc[
        ["alpha", "beta", "gamma", "delta"], ["arc", "gsm8k", "mmlu"]]
    errors = rows.pivot(index="model", columns="benchmark", values="stderr").loc[wide.index,
                                                                                  wide.columns]
    direct = Scenario.from_dataframe(wide, missing="lose", name="x", score_errors=errors,
                                     item_counts={"arc": 1000, "gsm8k": 1319, "mmlu": 14042})
    pd.testing.assert_frame_equal(scenario.scores, direct.scores)
    pd.testing.assert_frame_equal(scenario.score_errors, direct.score_errors)
    # alpha's empty mmlu stderr is filled by the binomial error of its 14042 items
    p = 0.55
    assert scenario.score_errors.at["alpha", "mmlu"] == pytest.approx(math.sqrt(p * (1 - p) / 14042))


def test_from_long_rejects_repeated_pairs_and_unknown_columns():
    rows = pd.DataFrame({"model": ["a", "a", "b"], "benchmark": ["x", "x", "x"],
                         "score": [1, 2, 3]})
    with pytest.raises(InputError, match="one row per \\(model, benchmark\\)"):
        Scenario.from_long(rows)
    with pytest.raises(InputError, match="a score column named 'value'"):
        Scenario.from_long(rows, score="value")


def test_import_long_then_run(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    path.write_text(LONG_CSV.replace("model,benchmark,score", "system,task,value"))
    out = tmp_path / "scenario"
    assert main(["import", "long", str(path), "--name", "mine", "--out", str(out),
                 "--model-column", "system", "--benchmark-column", "task",
                 "--score-column", "value"]) == 0
    err = capsys.readouterr().err
    assert "gamma: gsm8k" in err and "suggested [scoring].missing = 'skip'" in err
    scenario = load_scenario(out / "mine.toml")
    assert scenario.scoring.missing == "skip" and scenario.n_models == 4
    assert main(["run", str(out / "mine.toml"), "-n", "300", "--out", str(tmp_path / "run"),
                 "--no-progress"]) == 0


def test_parquet_without_pyarrow_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    path = tmp_path / "scores.parquet"
    path.write_bytes(b"PAR1")
    out = tmp_path / "out"
    code = main(["import", "long", str(path), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "swisssim[parquet]")


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    rows = pd.read_csv(pd.io.common.StringIO(LONG_CSV))
    rows.to_parquet(tmp_path / "scores.parquet")
    (tmp_path / "scores.csv").write_text(LONG_CSV)
    a = import_long([tmp_path / "scores.parquet"])
    b = import_long([tmp_path / "scores.csv"])
    pd.testing.assert_frame_equal(a.scores, b.scores)


OPENCOMPASS = """dataset,version,metric,mode,model-a,model-b,model-c
ceval,2daf24,accuracy,gen,61.2,55.0,48.9
mmlu,4d595a,naive_average,gen,70.1,66.3,-
gsm8k,1d7fe4,accuracy,gen,58.0,62.5,40.2
math,393424,accuracy,gen,20.4,-,12.0
humaneval,8e312c,humaneval_pass@1,gen,45.1,50.6,30.5
"""


def test_transposed_opencompass_summary(tmp_path):
    path = tmp_path / "summary.csv"
    path.write_text(OPENCOMPASS)
    imported = import_transposed(path)
    table = pd.read_csv(path, na_values="-").set_index("dataset")
    assert list(imported.scores.index) == ["model-a", "model-b", "model-c"]
    assert list(imported.scores.columns) == list(table.index)
    for model in imported.scores.index:
        np.testing.assert_array_equal(imported.scores.loc[model].to_numpy(),
                                      table[model].to_numpy())
    assert imported.missing() == {"model-b": ["math"], "model-c": ["mmlu"]}
    assert [r for r, _ in imported.rounds] == list(table.index)


def test_transposed_rounds_by_row_index(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("dataset,m1,m2,m3\n" + "\n".join(
        f"b{i},{i / 10},{1 - i / 10},{(i % 3) / 3}" for i in range(7)) + "\n")
    imported = import_transposed(path, round_size=3)
    assert imported.rounds == (("round 1", ("b0", "b1", "b2")), ("round 2", ("b3", "b4", "b5")),
                               ("round 3", ("b6",)))
    out = tmp_path / "out"
    assert main(["import", "transposed", str(path), "--name", "rows", "--out", str(out),
                 "--round-size", "3"]) == 0
    scenario = load_scenario(out / "rows.toml")
    assert [r.benchmarks for r in scenario.rounds] == [b for _, b in imported.rounds]


@pytest.mark.parametrize("text, fragments", [
    ("dataset,m1,m2\nx,0.5,high\n", ["'high'", "a finite number"]),
    ("dataset,m1,m2\nx,0.5,\ny,,0.4\n", ["at least one benchmark scored for every model"]),
    ("dataset,m1,m2\nx,0.5,0.2\nx,0.1,0.3\n", ["one row per benchmark", "'x'"]),
])
def test_bad_transposed_tables_fail_cleanly(tmp_path, capsys, text, fragments):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out = tmp_path / "out"
    code = main(["import", "transposed", str(path), "--name", "x", "--out", str(out)])
    assert_clean_failure(code, capsys.readouterr().err, out, "bad.csv", *fragments)
