"""Shared helpers for the scripts that generate the shipped scenario files.

Used by ``build_scenarios.py`` (real leaderboards from the benchbench wheel) and
``make_synthetic.py`` (the seeded synthetic scenario of the paper's shape).

Every writer here is deterministic: UTF-8, ``\\n`` line endings, fixed float formatting,
no timestamps.  ``check_outputs`` regenerates into a temporary directory and compares
byte for byte with what is committed, which is how the provenance of the shipped data is
checked (``--check`` in both scripts).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import math
import tempfile
import textwrap
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = REPO_ROOT / "scenarios"

# Simulation defaults written into every shipped TOML (see docs/scenario-format.md).
SIMULATION = {"iterations": 100000, "seed": 0, "elimination": [0, 1, 2]}


@dataclass
class Round:
    name: str
    benchmarks: list[str]


@dataclass
class Scenario:
    """Everything needed to write ``<name>.toml``, its scores CSV and its models CSV."""

    name: str
    description: str
    benchmarks: list[str]  # CSV column order (after `model`)
    models: list[str]  # row order
    scores: dict[str, list[float | None]]  # model -> one value per benchmark (None = missing)
    decimals: int  # fixed number of decimals in the scores CSV
    families: dict[str, str] = field(default_factory=dict)  # model -> family ("" = unknown)
    display_names: dict[str, str] = field(default_factory=dict)
    rounds: list[Round] | None = None
    scoring: dict[str, object] = field(default_factory=dict)

    @property
    def scores_file(self) -> str:
        return f"data/{self.name}_scores.csv"

    @property
    def models_file(self) -> str:
        return f"data/{self.name}_models.csv"

    def validate(self) -> None:
        if len(set(self.models)) != len(self.models) or any(not m for m in self.models):
            raise ValueError(f"{self.name}: model names must be unique and non-empty")
        if len(set(self.benchmarks)) != len(self.benchmarks):
            raise ValueError(f"{self.name}: duplicate benchmark names")
        for m in self.models:
            row = self.scores[m]
            if len(row) != len(self.benchmarks):
                raise ValueError(f"{self.name}: row {m!r} has {len(row)} values")
            for v in row:
                if v is not None and not math.isfinite(v):
                    raise ValueError(f"{self.name}: non-finite value for {m!r}")
        if self.rounds is not None:
            used = [b for r in self.rounds for b in r.benchmarks]
            if len(set(used)) != len(used):
                raise ValueError(f"{self.name}: a benchmark is used in two rounds")
            unknown = set(used) - set(self.benchmarks)
            if unknown:
                raise ValueError(f"{self.name}: rounds name unknown benchmarks {sorted(unknown)}")


def format_value(v: float | None, decimals: int) -> str:
    if v is None:
        return ""
    s = f"{v:.{decimals}f}"
    if float(s) == 0.0:  # never write "-0.0"
        s = f"{0.0:.{decimals}f}"
    return s


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue()


def scores_csv_text(sc: Scenario) -> str:
    rows = [["model", *sc.benchmarks]]
    for m in sc.models:
        rows.append([m, *(format_value(v, sc.decimals) for v in sc.scores[m])])
    return _csv_text(rows)


def models_csv_text(sc: Scenario) -> str:
    rows = [["model", "family", "display_name"]]
    for m in sc.models:
        rows.append([m, sc.families.get(m, ""), sc.display_names.get(m, m)])
    return _csv_text(rows)


def _toml_str(s: str) -> str:
    # JSON string escapes (\" \\ \n \uXXXX) are valid TOML basic-string escapes.
    return json.dumps(s, ensure_ascii=False)


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _toml_multiline(text: str, width: int = 96) -> str:
    """A TOML multi-line basic string that parses back to exactly ``text``.

    Lines are wrapped at spaces and end with a backslash (line-ending backslash), so the
    newline and the indentation are trimmed by the TOML parser and the value stays one
    paragraph.  Each wrapped line keeps its leading space *before* the backslash break.
    """
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    words = esc.split(" ")
    lines: list[str] = []
    cur = ""
    for w in words:
        cand = w if not cur else cur + " " + w
        if len(cand) > width and cur:
            lines.append(cur + " \\")  # keep the space, then line-ending backslash
            cur = w
        else:
            cur = cand
    lines.append(cur)
    return '"""\\\n' + "\n".join(lines) + '"""'


def toml_text(sc: Scenario, script_name: str) -> str:
    out = [
        f"# Generated by scripts/{script_name}; do not edit by hand (edit the script and rerun it).",
        f"name = {_toml_str(sc.name)}",
        f"description = {_toml_multiline(sc.description)}",
        f"scores = {_toml_str(sc.scores_file)}",
        f"models_file = {_toml_str(sc.models_file)}",
    ]
    if sc.scoring:
        out += ["", "[scoring]"]
        out += [f"{k} = {_toml_value(v)}" for k, v in sc.scoring.items()]
    for r in sc.rounds or []:
        out += ["", "[[rounds]]", f"name = {_toml_str(r.name)}"]
        if len(r.benchmarks) <= 3:
            out.append(f"benchmarks = {_toml_value(r.benchmarks)}")
        else:
            out.append("benchmarks = [")
            out += [f"    {_toml_str(b)}," for b in r.benchmarks]
            out.append("]")
    out += ["", "[simulation]"]
    out += [f"{k} = {_toml_value(v)}" for k, v in SIMULATION.items()]
    text = "\n".join(out) + "\n"
    # Self-check: the file must parse and give back exactly what we meant.
    parsed = tomllib.loads(text)
    assert parsed["description"] == sc.description, "description did not round-trip"
    assert parsed["name"] == sc.name
    if sc.rounds is not None:
        assert [r["benchmarks"] for r in parsed["rounds"]] == [r.benchmarks for r in sc.rounds]
    return text


def render(sc: Scenario, script_name: str) -> dict[str, str]:
    """Relative path (under scenarios/) -> file content."""
    sc.validate()
    return {
        f"{sc.name}.toml": toml_text(sc, script_name),
        sc.scores_file: scores_csv_text(sc),
        sc.models_file: models_csv_text(sc),
    }


def write_files(files: dict[str, str], out_dir: Path) -> None:
    for rel, text in sorted(files.items()):
        p = out_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


def check_outputs(generate: Callable[[], dict[str, str]], committed_dir: Path = SCENARIO_DIR) -> int:
    """Regenerate into a temporary directory and compare with the committed files.

    Returns 0 if identical, 1 otherwise (differences are printed).
    """
    files = generate()
    bad = 0
    with tempfile.TemporaryDirectory(prefix="swisssim-check-") as tmp:
        tmp_dir = Path(tmp)
        write_files(files, tmp_dir)
        for rel in sorted(files):
            new = (tmp_dir / rel).read_bytes()
            old_path = committed_dir / rel
            if not old_path.exists():
                print(f"MISSING  scenarios/{rel}")
                bad += 1
                continue
            old = old_path.read_bytes()
            if old == new:
                print(f"ok       scenarios/{rel}")
                continue
            bad += 1
            print(f"DIFFERS  scenarios/{rel}")
            diff = difflib.unified_diff(
                old.decode("utf-8", "replace").splitlines(),
                new.decode("utf-8", "replace").splitlines(),
                "committed", "regenerated", n=0, lineterm="",
            )
            for i, line in enumerate(diff):
                if i >= 12:
                    print("         ... (more differences)")
                    break
                print("         " + line[:200])
    if bad:
        print(f"{bad} file(s) differ from a fresh regeneration")
        return 1
    print("all generated files match")
    return 0


def wrap(text: str) -> str:
    """Collapse whitespace of a triple-quoted paragraph written in the scripts."""
    return " ".join(textwrap.dedent(text).split())


def generator_main(argv: list[str] | None, name: str, generate: Callable[[], dict[str, str]],
                   shape: str) -> int:
    """The command line of a scenario generator: write the files, or ``--check`` them.

    ``shape`` describes the field in the closing line (e.g. "29 models x 43 benchmarks in 12
    rounds").
    """
    ap = argparse.ArgumentParser(description=f"Generate the synthetic scenario {name}.")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir; exit 1 listing differences if stale")
    ap.add_argument("--out", type=Path, default=SCENARIO_DIR,
                    help="output directory (default: scenarios/)")
    args = ap.parse_args(argv)
    if args.check:
        return 1 if check_outputs(generate, args.out) else 0
    write_files(generate(), args.out)
    print(f"wrote {name}: {shape} to {args.out}")
    return 0
