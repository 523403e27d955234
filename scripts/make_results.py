#!/usr/bin/env python3
"""Regenerate ``results/<scenario>/`` for every shipped scenario, with fixed seeds.

Each folder is written by ``swisssim report`` (run in-process, so the manifest records the exact
command line) with the scenario's own settings (seed 0, 100,000 iterations, T = 0, 1, 2) plus:

* order sensitivity (10,000 iterations per order): all ``K!`` orders when there are at most
  ``ALL_ORDERS_UP_TO`` = 120 (``helm_capabilities``: 5! = 120), else a seeded sample of
  ``ORDERS`` = 60 orders including the curated one;
* a bootstrap, ``--bootstrap 1000 --bootstrap-iterations 20000`` (1,000 replicates, the CLI's
  default, so that rank interval ends are stable between seeds), only where it measures something:
  scenarios with a round of several benchmarks (or with score errors). With one benchmark per
  round and no score errors the bootstrap has nothing to resample (``helm_capabilities``,
  ``helm_lite``, ``open_llm_v1``).

Fields of more than ``DEFAULTS_ONLY_ABOVE`` = 1,000 models (``open_llm_v2_synthetic``, 4,500) get
the report at its defaults (sweep and comparison): order sensitivity and the bootstrap would
replay the whole field hundreds of times, and their figures list every model.

Size: ``--no-svg --palette-png --dpi 120`` (PNG only, as 256-colour palette images, about 3x
smaller and visually the same, at 120 instead of 150 dpi) keeps ``results/`` at about 40 MB (21 MB of
it the 4,500-model field: its CSVs list every model) although
``report.html`` embeds the same PNG bytes again.

Usage::

    python scripts/make_results.py                 # all scenarios into results/
    python scripts/make_results.py --only bbh      # one scenario
    python scripts/make_results.py --check         # recompute the CSVs (no figures) and compare
                                                   # them with the committed ones; exit 1 if any
                                                   # value differs

Then ``results/README.md`` is rewritten (not with ``--check``). Manifests and reports carry
timestamps and timings, so only CSV values are expected to be identical between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
RESULTS = REPO / "results"

ALL_ORDERS_UP_TO = 120
ORDERS = 60
BOOTSTRAP = 1000
BOOTSTRAP_ITERATIONS = 20_000
DPI = 120
DEFAULTS_ONLY_ABOVE = 1_000
COMMAND = "python scripts/make_results.py"


def scenario_paths(only: list[str] | None = None) -> list[Path]:
    """The shipped scenario files, sorted by name (optionally only the named ones)."""
    paths = sorted(SCENARIOS.glob("*.toml"))
    if only:
        unknown = sorted(set(only) - {p.stem for p in paths})
        if unknown:
            raise SystemExit(f"make_results.py: --only: unknown scenario(s) {unknown}; "
                             f"expected names among {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in only]
    return paths


def orders_for(path: Path) -> int:
    """``K!`` when at most ``ALL_ORDERS_UP_TO`` (every order), else ``ORDERS`` (a sample)."""
    import math

    from swisssim import load_scenario

    count = math.factorial(load_scenario(path).n_rounds)
    return count if count <= ALL_ORDERS_UP_TO else ORDERS


def wants_bootstrap(path: Path) -> bool:
    """True when a bootstrap can change anything: a round of several benchmarks, or score errors."""
    from swisssim import load_scenario

    scenario = load_scenario(path)
    return scenario.score_errors is not None or any(len(r.benchmarks) > 1
                                                    for r in scenario.rounds)


def report_argv(path: Path, out: Path) -> list[str]:
    """The ``swisssim report`` command line of one scenario."""
    from swisssim import load_scenario

    argv = ["report", str(path.relative_to(REPO)), "--out", str(out), "--no-svg",
            "--palette-png", "--dpi", str(DPI), "--no-progress"]
    if load_scenario(path).n_models > DEFAULTS_ONLY_ABOVE:
        return argv
    argv[-1:-1] = ["--orders", str(orders_for(path))]
    if wants_bootstrap(path):
        argv += ["--bootstrap", str(BOOTSTRAP), "--bootstrap-iterations", str(BOOTSTRAP_ITERATIONS)]
    return argv


def generate(paths: list[Path], results: Path) -> dict[str, float]:
    """Write every report; return the seconds each took."""
    from swisssim.cli.app import main

    seconds = {}
    for path in paths:
        started = time.perf_counter()
        out = results / path.stem
        argv = report_argv(path, out.relative_to(REPO) if out.is_relative_to(REPO) else out)
        print(f"swisssim {' '.join(argv)}", file=sys.stderr)
        code = main(argv)
        if code != 0:
            raise SystemExit(f"make_results.py: swisssim report failed for {path.name} "
                             f"(exit {code})")
        seconds[path.stem] = time.perf_counter() - started
        print(f"  {path.stem}: {seconds[path.stem]:.1f} s", file=sys.stderr)
    return seconds


def compare_csv(committed: pd.DataFrame, fresh: pd.DataFrame, rtol: float = 1e-9) -> list[str]:
    """Differences between two tables: columns, row count, text cells, numbers (to ``rtol``)."""
    if list(committed.columns) != list(fresh.columns):
        return [f"columns differ: {list(committed.columns)} vs {list(fresh.columns)}"]
    if len(committed) != len(fresh):
        return [f"{len(committed)} rows vs {len(fresh)}"]
    problems = []
    for column in committed.columns:
        a, b = committed[column], fresh[column]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            same = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=rtol, atol=1e-12,
                              equal_nan=True)
        else:
            same = (a.fillna("").astype(str) == b.fillna("").astype(str)).to_numpy()
        if not same.all():
            row = int(np.flatnonzero(~same)[0])
            problems.append(f"column {column!r}: {int((~same).sum())} cell(s) differ, first at "
                            f"row {row}: {a.iloc[row]!r} vs {b.iloc[row]!r}")
    return problems


def check(paths: list[Path], results: Path) -> int:
    """Recompute every CSV of the committed folders at their recorded settings and compare."""
    from swisssim import load_scenario
    from swisssim.report.model import build_report, options_from_manifest, report_tables

    failures = 0
    for path in paths:
        folder = results / path.stem
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        report = build_report(load_scenario(path), **options_from_manifest(manifest))
        for name, fresh in report_tables(report).items():
            committed_path = folder / name
            if not committed_path.is_file():
                print(f"{path.stem}/{name}: missing from the committed results")
                failures += 1
                continue
            roundtrip = pd.read_csv(_csv_text(fresh), keep_default_na=False, na_values=[""])
            committed = pd.read_csv(committed_path, keep_default_na=False, na_values=[""])
            problems = compare_csv(committed, roundtrip)
            failures += bool(problems)
            for problem in problems:
                print(f"{path.stem}/{name}: {problem}")
        print(f"{path.stem}: checked in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print("all CSV values equal" if not failures else f"{failures} file(s) differ",
          file=sys.stderr)
    return 1 if failures else 0


def _csv_text(frame: pd.DataFrame):
    import io

    return io.StringIO(frame.to_csv(index=False, lineterminator="\n"))


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def write_readme(paths: list[Path], results: Path) -> None:
    """``results/README.md``: what is there and the one command that regenerates it."""
    from swisssim import load_scenario
    from swisssim.report.markdown import escape

    rows = []
    for path in paths:
        folder = results / path.stem
        if not (folder / "manifest.json").is_file():
            continue
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        scenario = load_scenario(path)
        summary = pd.read_csv(folder / "summary.csv", keep_default_na=False)
        top = ", ".join(escape(str(n), table=True) for n in summary["display_name"].head(3))
        extras = ["orders"] + (["bootstrap"] if "bootstrap" in manifest else [])
        rows.append(f"| [`{path.stem}`]({path.stem}/report.html) ([md]({path.stem}/report.md)) "
                    f"| {scenario.n_models} × {scenario.n_rounds} | {', '.join(extras)} "
                    f"| {top} | {folder_size(folder) / 1e6:.1f} MB |")
    total = sum(folder_size(results / p.stem) for p in paths if (results / p.stem).is_dir())
    text = README.format(rows="\n".join(rows), total=total / 1e6, orders=ORDERS,
                         all_orders=ALL_ORDERS_UP_TO,
                         bootstrap=BOOTSTRAP, bootstrap_iterations=f"{BOOTSTRAP_ITERATIONS:,}",
                         dpi=DPI,
                         command=COMMAND)
    (results / "README.md").write_text(text, encoding="utf-8")


README = """# Committed results

Generated by `swisssim report` for every shipped scenario (`scenarios/*.toml`). Regenerate all of
them with one command (about two minutes on two cores):

```sh
{command}
```

Settings: the scenarios' own (seed 0, 100,000 tournaments per schedule, elimination
T = 0, 1, 2, random elimination tie-break).

- Order sensitivity at T = 0, 10,000 tournaments per order: every round order when there are at
  most {all_orders} (`helm_capabilities`: 5! = 120), else a seeded sample of {orders} orders that
  includes the curated one.
- Bootstrap, {bootstrap} replicates x {bootstrap_iterations} tournaments, only where rounds group
  several benchmarks: with one benchmark per round and no score errors it would have nothing to
  resample.

Every setting, seed and version is in each folder's `manifest.json`.

| scenario | models × rounds | extra analyses | top 3 at T = 0 | size |
|---|---|---|---|---:|
{rows}

Total: {total:.1f} MB.

Each folder holds `report.html` (self-contained: open it from disk), `report.md` (the same, with
figures linked), `summary.csv` (the headline table), `manifest.json`, and the sub-folders
`sweep/`, `compare/`, `orders/` and (where run) `bootstrap/` with their CSV files, figures and
manifests; the layout is described in `src/swisssim/report/writer.py`.

Figures are PNG only, at {dpi} dpi, stored as 256-colour palette images (`--no-svg --palette-png
--dpi {dpi}`), to keep this folder small enough for git: SVG copies would add about 1 MB per
scenario, and `swisssim report` (PNG at 150 dpi + SVG by default) or `swisssim plot DIR/sweep`
make full-quality figures on demand.

**Checking.** Same seed, same numbers. This command recomputes every CSV of the committed
folders at the settings recorded in their manifests (no figures) and compares the values:

```sh
{command} --check
```

`tests/test_report.py` does the same for `helm_capabilities`. Manifests and reports contain
timestamps and timings, so only the CSV files (and, on the same platform, the PNG figures) are
expected to be identical.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these scenarios")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder (default: "
                                                                  "results/)")
    parser.add_argument("--check", action="store_true",
                        help="recompute the CSVs and compare them with the committed ones")
    args = parser.parse_args(argv)
    paths = scenario_paths(args.only)
    results = args.out.resolve()
    if args.check:
        return check(paths, results)
    started = time.perf_counter()
    previous = Path.cwd()
    os.chdir(REPO)          # manifests record repository-relative paths
    try:
        seconds = generate(paths, results)
    finally:
        os.chdir(previous)
    write_readme(scenario_paths(), results)
    print(f"{len(seconds)} report(s) in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
