"""Speed of ``swisssim import lm-eval`` and size of the explorable report's additions. Prints
figures; asserts nothing.

Run: ``python benchmarks/bench_import.py [--models M] [--subjects S] [--repeats R]``.

1. Import of M synthetic lm-evaluation-harness v0.4 results files (one per model; an ``mmlu``
   group of S subjects in three subgroups, plus GSM8K with two filters and HellaSwag with two
   metrics), then writing the scenario (staged, loaded back, moved into place): best of R.
2. The explorable parts of ``report.html`` for a field of M models (model details as JSON, one
   hover circle per model and schedule): bytes, from a synthetic sweep folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim.data.importers import import_lm_eval
from swisssim.io.scenario_files import write_imported
from swisssim.report.explore import embedded_json, model_data


def write_results(folder: Path, n_models: int, n_subjects: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    subjects = [f"mmlu_subject_{k:03d}" for k in range(n_subjects)]
    groups = {f"mmlu_part_{g}": subjects[g::3] for g in range(3)}
    for i in range(n_models):
        ability = rng.normal()
        results, higher, samples = {}, {}, {}
        for task in subjects:
            p = float(1 / (1 + np.exp(-(ability + rng.normal(0, 0.5)))))
            results[task] = {"alias": task, "acc,none": round(p, 4),
                             "acc_stderr,none": round((p * (1 - p) / 200) ** 0.5, 6)}
            higher[task] = {"acc": True}
            samples[task] = {"original": 200, "effective": 200}
        p = float(1 / (1 + np.exp(-ability)))
        results["gsm8k"] = {"exact_match,strict-match": p, "exact_match_stderr,strict-match": 0.01,
                            "exact_match,flexible-extract": p, "exact_match_stderr,flexible-extract":
                            0.01}
        results["hellaswag"] = {"acc,none": p, "acc_stderr,none": 0.005, "acc_norm,none": p,
                                "acc_norm_stderr,none": 0.005}
        higher.update(gsm8k={"exact_match": True}, hellaswag={"acc": True, "acc_norm": True})
        document = {"results": results, "groups": {"mmlu": {"acc,none": p}},
                    "group_subtasks": {**groups, "mmlu": list(groups)},
                    "higher_is_better": higher, "n-samples": samples,
                    "model_name": f"org/model-{i:05d}", "date": 1.7e9 + i}
        path = folder / f"org__model-{i:05d}" / "results_2024-01-01T00-00-00.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(document))


def sweep_folder(root: Path, n_models: int, n_rounds: int = 10, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    models = [f"model-{i:05d}" for i in range(n_models)]
    rows, ranks, survival = [], [], []
    for label in ("0", "1", "2"):
        for model in models:
            rows.append((model, label, rng.uniform(0, n_rounds), 0.01, "", model))
            for rank in sorted(set(rng.integers(1, n_models + 1, size=20))):
                ranks.append((model, label, int(rank), 0.05))
            for k in range(n_rounds):
                survival.append((model, label, k + 1, f"round {k + 1}", 1.0 - 0.01 * k, 0.01 * k))
    folder = root / "sweep"
    folder.mkdir(parents=True)
    pd.DataFrame(rows, columns=["model", "elimination", "expected_score", "std_error", "family",
                                "display_name"]).to_csv(folder / "sweep.csv", index=False)
    pd.DataFrame(ranks, columns=["model", "elimination", "rank", "probability"]).to_csv(
        folder / "rank_distribution.csv", index=False)
    pd.DataFrame(survival, columns=["model", "elimination", "round", "round_name", "p_active",
                                    "p_eliminated"]).to_csv(folder / "survival.csv", index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--subjects", type=int, default=57)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    header()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "lm-eval"
        write_results(source, args.models, args.subjects)
        times = []
        for repeat in range(args.repeats):
            started = time.perf_counter()
            imported = import_lm_eval([source])
            write_imported(imported, Path(tmp) / f"out{repeat}", "bench")
            times.append(time.perf_counter() - started)
        print(f"import lm-eval: {args.models} files x {imported.scores.shape[1]} benchmarks, "
              f"read + write + load back: best {min(times):.2f} s of {args.repeats} "
              f"({', '.join(f'{t:.2f}' for t in times)})")
        sweep_folder(Path(tmp) / "report", args.models)
        started = time.perf_counter()
        data = model_data(Path(tmp) / "report")
        text = embedded_json(data)
        elapsed = time.perf_counter() - started
        circle = len('<circle cx="1234.5" cy="678.9" r="8.3"><title>model-00000 (T = 0): E[S] = '
                     '1.234 ± 0.012 (95% CI)</title></circle>')
        print(f"explorable report for {args.models} models x 3 schedules: model-detail JSON "
              f"{len(text.encode()) / 1e6:.2f} MB built in {elapsed:.2f} s (20 ranks per model "
              f"and schedule); hover circles about {circle * args.models * 4 / 1e6:.2f} MB "
              "(risk profile + 3 schedules of the sensitivity figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
