"""Write the synthetic lm-evaluation-harness output folders of ``examples/lm-eval/``.

The files follow the layout and keys of lm-evaluation-harness v0.4 ``results_<timestamp>.json``
files (``results``, ``groups``, ``group_subtasks``, ``higher_is_better``, ``n-samples``,
``config``, ``date``, ``model_name``): groups with nested subgroups (``mmlu`` -> ``mmlu_stem`` ->
subjects) and flat ones (``bbh``), several filters per metric (GSM8K's ``strict-match`` and
``flexible-extract``), two metrics per task (HellaSwag's ``acc`` and ``acc_norm``), a
lower-is-better task with ``"N/A"`` standard errors (WikiText perplexities), one model with two
runs (the newer must win) and one model without BBH. The scores are **synthetic** (a fixed
seed), not measurements of the named models; the model names only make the walkthrough concrete.

Run ``python scripts/make_lm_eval_examples.py`` to rewrite them (deterministic).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "examples" / "lm-eval"
MODELS = {  # name: (ability, date of the run)
    "EleutherAI/pythia-410m": (-1.2, 1714650000.5),
    "EleutherAI/pythia-1.4b": (-0.6, 1714736400.25),
    "Qwen/Qwen2.5-0.5B": (0.2, 1714822800.75),
    "meta-llama/Llama-3.2-1B": (0.5, 1714909200.0),
    "HuggingFaceTB/SmolLM2-360M": (-0.1, 1714995600.125),
    "google/gemma-2-2b": (0.9, 1715082000.5),
    "microsoft/phi-2": (0.7, 1715168400.25),
    "allenai/OLMo-1B-hf": (-0.3, 1715254800.0),
}
MMLU = {"mmlu_stem": ["mmlu_abstract_algebra", "mmlu_college_physics", "mmlu_high_school_mathematics"],
        "mmlu_humanities": ["mmlu_formal_logic", "mmlu_world_religions"],
        "mmlu_social_sciences": ["mmlu_econometrics", "mmlu_sociology"]}
MMLU_N = {"mmlu_abstract_algebra": 100, "mmlu_college_physics": 102,
          "mmlu_high_school_mathematics": 270, "mmlu_formal_logic": 126,
          "mmlu_world_religions": 171, "mmlu_econometrics": 114, "mmlu_sociology": 201}
BBH = {"bbh_cot_fewshot_boolean_expressions": 250, "bbh_cot_fewshot_date_understanding": 250,
       "bbh_cot_fewshot_navigate": 250}


def accuracy(rng: np.random.Generator, ability: float, difficulty: float, chance: float) -> float:
    p = chance + (1 - chance) / (1 + math.exp(-(ability - difficulty + rng.normal(0, 0.3))))
    return round(float(p), 4)


def stderr(p: float, n: int) -> float:
    return round(math.sqrt(p * (1 - p) / (n - 1)), 6)


def document(name: str, ability: float, date: float, seed: int, with_bbh: bool) -> dict:
    rng = np.random.default_rng(seed)
    results: dict = {}
    groups: dict = {}
    higher: dict = {}
    samples: dict = {}
    subtasks: dict = {}
    for task, n, difficulty, chance in (("arc_easy", 2376, -1.0, 0.25),
                                        ("hellaswag", 10042, -0.3, 0.25)):
        acc = accuracy(rng, ability, difficulty, chance)
        norm = round(min(0.99, acc + 0.05 + rng.normal(0, 0.01)), 4)
        results[task] = {"alias": task, "acc,none": acc, "acc_stderr,none": stderr(acc, n),
                         "acc_norm,none": norm, "acc_norm_stderr,none": stderr(norm, n)}
        higher[task] = {"acc": True, "acc_norm": True}
        samples[task] = {"original": n, "effective": n}
        subtasks[task] = []
    strict = accuracy(rng, ability, 1.2, 0.0)
    flexible = round(min(1.0, strict + abs(rng.normal(0.02, 0.01))), 4)
    results["gsm8k"] = {"alias": "gsm8k", "exact_match,strict-match": strict,
                        "exact_match_stderr,strict-match": stderr(strict, 1319),
                        "exact_match,flexible-extract": flexible,
                        "exact_match_stderr,flexible-extract": stderr(flexible, 1319)}
    higher["gsm8k"] = {"exact_match": True}
    samples["gsm8k"] = {"original": 1319, "effective": 1319}
    subtasks["gsm8k"] = []
    leaves: dict[str, float] = {}
    for group, members in MMLU.items():
        for task in members:
            acc = accuracy(rng, ability, 0.6, 0.25)
            leaves[task] = acc
            results[task] = {"alias": f"  - {task[5:]}", "acc,none": acc,
                             "acc_stderr,none": stderr(acc, MMLU_N[task])}
            higher[task] = {"acc": True}
            samples[task] = {"original": MMLU_N[task], "effective": MMLU_N[task]}
        mean = round(float(np.average([leaves[t] for t in members],
                                      weights=[MMLU_N[t] for t in members])), 4)
        groups[group] = {"alias": f" - {group[5:]}", "acc,none": mean,
                         "acc_stderr,none": round(0.02 + rng.uniform(0, 0.005), 6)}
        higher[group] = {"acc": True}
        subtasks[group] = list(members)
    overall = round(float(np.average(list(leaves.values()),
                                     weights=[MMLU_N[t] for t in leaves])), 4)
    groups["mmlu"] = {"alias": "mmlu", "acc,none": overall, "acc_stderr,none": 0.0117}
    higher["mmlu"] = {"acc": True}
    subtasks["mmlu"] = list(MMLU)
    if with_bbh:
        scores = []
        for task, n in BBH.items():
            acc = accuracy(rng, ability, 0.9, 0.1)
            scores.append(acc)
            results[task] = {"alias": f" - {task[16:]}", "exact_match,get-answer": acc,
                             "exact_match_stderr,get-answer": stderr(acc, n)}
            higher[task] = {"exact_match": True}
            samples[task] = {"original": n, "effective": n}
        groups["bbh"] = {"alias": "bbh", "exact_match,get-answer": round(float(np.mean(scores)), 4),
                         "exact_match_stderr,get-answer": 0.0161}
        higher["bbh"] = {"exact_match": True}
        subtasks["bbh"] = list(BBH)
    perplexity = round(float(math.exp(3.4 - 0.35 * ability + rng.normal(0, 0.03))), 4)
    results["wikitext"] = {"alias": "wikitext", "word_perplexity,none": perplexity,
                           "word_perplexity_stderr,none": "N/A",
                           "byte_perplexity,none": round(perplexity ** 0.18, 4),
                           "byte_perplexity_stderr,none": "N/A",
                           "bits_per_byte,none": round(math.log2(perplexity ** 0.18), 4),
                           "bits_per_byte_stderr,none": "N/A"}
    higher["wikitext"] = {"word_perplexity": False, "byte_perplexity": False,
                          "bits_per_byte": False}
    samples["wikitext"] = {"original": 62, "effective": 62}
    subtasks["wikitext"] = []
    # lm-eval lists results by task name, groups first in each family
    ordered = dict(sorted(results.items()))
    ordered = {**{k: v for k, v in groups.items()}, **ordered}
    return {"results": ordered, "groups": groups, "group_subtasks": subtasks,
            "configs": {}, "versions": {t: 1.0 for t in ordered},
            "n-shot": {t: 0 for t in ordered}, "higher_is_better": higher,
            "n-samples": samples,
            "config": {"model": "hf", "model_args": f"pretrained={name},dtype=bfloat16",
                       "batch_size": "auto", "device": "cuda:0", "limit": None,
                       "bootstrap_iters": 100000},
            "git_hash": "4600d6bf", "date": date, "model_name": name,
            "model_name_sanitized": name.replace("/", "__")}


def stamp(date: float) -> str:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(date, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H-%M-%S.%f")


def main() -> None:
    for seed, (name, (ability, date)) in enumerate(MODELS.items()):
        folder = OUT / name.replace("/", "__")
        folder.mkdir(parents=True, exist_ok=True)
        runs = [(ability, date, seed)]
        if name == "EleutherAI/pythia-1.4b":  # an older, superseded run of the same model
            runs.append((ability - 0.4, date - 86400 * 3, seed + 100))
        for run_ability, run_date, run_seed in runs:
            data = document(name, run_ability, run_date, run_seed,
                            with_bbh=name != "HuggingFaceTB/SmolLM2-360M")
            path = folder / f"results_{stamp(run_date)}.json"
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            print(path.relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main()
