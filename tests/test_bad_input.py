"""Every bad-input path: one clear line naming file/field/value, exit code 2, no result files."""

from __future__ import annotations

import pytest

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim.cli.app import main

GOOD_TOML = TINY_TOML


def _run(capsys, tmp_path, toml_path, *extra):
    out = tmp_path / "out"
    code = main(["run", str(toml_path), "--no-progress", "--out", str(out), *extra])
    err = capsys.readouterr().err
    return code, err, out


TOML_CASES = {
    "malformed toml": ('name = "x"\nscores = "scores.csv\n', TINY_CSV, ["valid TOML"]),
    "unknown top key": (GOOD_TOML + 'colour = "red"\n', TINY_CSV, ["colour", "unknown key"]),
    "unknown simulation key": (
        'scores = "scores.csv"\n[simulation]\niteration = 5\n', TINY_CSV,
        ["[simulation].iteration", "unknown key"]),
    "missing scores key": ('name = "x"\n', None, ["scores", "no such key"]),
    "missing csv": ('scores = "nope.csv"\n', None, ["nope.csv", "no such file"]),
    "duplicate model": (GOOD_TOML, "model,a\nm1,1\nm1,2\nm3,3\n", ["duplicate", "m1"]),
    "unknown benchmark in round": (
        GOOD_TOML + '[[rounds]]\nname = "r"\nbenchmarks = ["a", "zz"]\n', TINY_CSV,
        ["[[rounds]] #1.benchmarks", "'zz'"]),
    "empty round": (GOOD_TOML + '[[rounds]]\nname = "r"\nbenchmarks = []\n', TINY_CSV,
                    ["[[rounds]] #1.benchmarks", "empty"]),
    "non-numeric score": (GOOD_TOML, "model,a,b\nm1,1,x7\nm2,2,3\n",
                          ["model 'm1'", "benchmark 'b'", "'x7'"]),
    "infinite score": (GOOD_TOML, "model,a,b\nm1,1,inf\nm2,2,3\n", ["model 'm1'", "'inf'"]),
    "missing score": (GOOD_TOML, "model,a,b\nm1,1,\nm2,2,3\n",
                      ["model 'm1'", "benchmark 'b'", "missing"]),
    "one model": (GOOD_TOML, "model,a\nm1,1\n", ["at least 2 models"]),
    "zero iterations": ('scores = "scores.csv"\n[simulation]\niterations = 0\n', TINY_CSV,
                        ["[simulation].iterations", "positive integer", "0"]),
    "negative T": ('scores = "scores.csv"\n[simulation]\nelimination = [0, -1]\n', TINY_CSV,
                   ["[simulation].elimination[1]", "-1"]),
    "per-round list of wrong length": (
        'scores = "scores.csv"\n[simulation]\nelimination = [[1, 1]]\n', TINY_CSV,
        ["[simulation].elimination[0]", "3 non-negative", "2 values"]),
    "unknown tie-break": ('scores = "scores.csv"\n[simulation]\ntie_break = "first"\n', TINY_CSV,
                          ["[simulation].tie_break", "'first'"]),
    "unknown missing policy": ('scores = "scores.csv"\n[scoring]\nmissing = "zero"\n', TINY_CSV,
                               ["[scoring].missing", "'zero'"]),
    "bad header": (GOOD_TOML, "name,a\nm1,1\nm2,2\n", ["header", "'model'"]),
    "malformed csv": (GOOD_TOML, 'model,a\nm1,"1\n', ["scores.csv", "CSV"]),
    "duplicate benchmark column": (GOOD_TOML, "model,a,a\nm1,1,2\nm2,2,1\n", ["repeated", "'a'"]),
    "bad bye points": ('scores = "scores.csv"\n[simulation]\nbye_points = 2\n', TINY_CSV,
                       ["[simulation].bye_points", "0, 0.5 or 1"]),
    "benchmark in two rounds": (
        GOOD_TOML + '[[rounds]]\nbenchmarks = ["a"]\n[[rounds]]\nbenchmarks = ["a", "b"]\n',
        TINY_CSV, ["already in round"]),
    "unknown model metadata": (GOOD_TOML + '[models."ghost"]\nfamily = "x"\n', TINY_CSV,
                               ["ghost"]),
}


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_bad_scenario_files(case, capsys, tmp_path, write_scenario):
    toml_body, csv_text, fragments = TOML_CASES[case]
    path = write_scenario(toml_body, csv_text)
    code, err, out = _run(capsys, tmp_path, path)
    assert_clean_failure(code, err, out, *fragments)


def test_missing_scenario_file(capsys, tmp_path):
    code, err, out = _run(capsys, tmp_path, tmp_path / "absent.toml")
    assert_clean_failure(code, err, out, "absent.toml", "no such file")


def test_unreadable_scenario_file(capsys, tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    code, err, out = _run(capsys, tmp_path, folder)
    assert_clean_failure(code, err, out, "folder.toml", "unreadable")


CLI_CASES = {
    "negative iterations": (["--iterations", "-5"], ["--iterations", "-5"]),
    "negative T": (["--elimination", "-1"], ["--elimination", "-1"]),
    "wrong-length list": (["--elimination", "0,1"], ["--elimination", "2 values"]),
    "percent out of range": (["--elimination", "100%"], ["--elimination", "'100%'"]),
    "garbage schedule": (["--elimination", "two"], ["--elimination", "'two'"]),
    "too many threads": (["--threads", "999"], ["--threads", "999"]),
    "negative seed": (["--seed", "-1"], ["--seed", "-1"]),
    "unknown tie-break": (["--tie-break", "first"], ["invalid choice", "'first'"]),
    "non-integer iterations": (["--iterations", "many"], ["invalid int value", "'many'"]),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_command_line(case, capsys, tmp_path, write_scenario):
    extra, fragments = CLI_CASES[case]
    path = write_scenario(TINY_TOML, TINY_CSV)
    code, err, out = _run(capsys, tmp_path, path, *extra)
    assert_clean_failure(code, err, out, *fragments)


def test_out_is_an_existing_file(capsys, tmp_path, write_scenario):
    path = write_scenario(TINY_TOML, TINY_CSV)
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    code = main(["run", str(path), "--no-progress", "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "an existing file" in err
    assert target.read_text() == "keep me"
