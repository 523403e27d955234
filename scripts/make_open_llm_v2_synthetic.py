#!/usr/bin/env python3
"""Generate ``open_llm_v2_synthetic``: a large field of the Open LLM Leaderboard v2's shape.

SYNTHETIC DATA - these are not real models or real benchmark results.

The Open LLM Leaderboard v2 (Hugging Face, 2024-2025) ranked about 4,500 models on six benchmark
families: IFEval, BBH (24 subtasks), MATH level 5 (7 subjects), GPQA (3 subsets), MuSR (3 tasks)
and MMLU-Pro, 39 score columns in all. Its table cannot be downloaded on the machines this
project is built on, so this script makes a seeded stand-in of exactly that shape, used to test
and measure swisssim on a large field:

* 4,500 models named ``org/model`` like hub repositories: fictional organisations and fictional
  base lineages (``Aurel``, ``Borin``, ...), with version, size, tuning and merge suffixes;
  ``family`` is the base lineage;
* scores in [0, 1] with 3 decimals: a benchmark has a chance level ``c`` (0.25 for GPQA's
  four-way choice, 0 for generation tasks, ...), a difficulty and a discrimination; a model's
  score is ``c + (1 - c) * sigmoid(disc * (ability + strength[family of benchmark] - diff))``
  plus small noise, clipped to [0, 1];
* ``ability`` is a common factor (lineage level + log size + tuning + noise); ``strength`` is a
  model's own strength per benchmark family (instruction following, reasoning, maths, ...),
  shared with its lineage in part, so rankings differ between rounds;
* rounds are the six benchmark families, from foundational to advanced:
  IFEval, BBH, MuSR, MMLU-Pro, GPQA, MATH.

Writes ``scenarios/open_llm_v2_synthetic.toml`` and its two CSVs under ``scenarios/data/``.
``--check`` regenerates into a temporary directory and exits 1, listing differences, if the
committed files differ. Determinism: numpy ``default_rng(SEED)`` and a fixed order of draws.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scenario_io import (  # noqa: E402
    Round,
    Scenario,
    generator_main,
    render,
)

SCRIPT = "make_open_llm_v2_synthetic.py"
NAME = "open_llm_v2_synthetic"
SEED = 20_250_612
N_MODELS = 4_500

BBH_TASKS = [
    "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa",
    "formal_fallacies", "geometric_shapes", "hyperbaton", "logical_deduction_five_objects",
    "logical_deduction_seven_objects", "logical_deduction_three_objects", "movie_recommendation",
    "navigate", "object_counting", "penguins_in_a_table", "reasoning_about_colored_objects",
    "ruin_names", "salient_translation_error_detection", "snarks", "sports_understanding",
    "temporal_sequences", "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects",
    "web_of_lies",
]
MATH_SUBJECTS = ["algebra", "counting_and_prob", "geometry", "intermediate_algebra", "num_theory",
                 "prealgebra", "precalculus"]
# (round name, benchmark columns, chance level, mean difficulty)
FAMILIES: list[tuple[str, list[str], float, float]] = [
    ("IFEval", ["ifeval"], 0.0, -0.3),
    ("BBH", [f"bbh_{t}" for t in BBH_TASKS], 0.3, 0.9),
    ("MuSR", ["musr_murder_mysteries", "musr_object_placements", "musr_team_allocation"],
     0.33, 1.8),
    ("MMLU-Pro", ["mmlu_pro"], 0.1, 0.9),
    ("GPQA", ["gpqa_diamond", "gpqa_extended", "gpqa_main"], 0.25, 2.6),
    ("MATH", [f"math_{s}_hard" for s in MATH_SUBJECTS], 0.0, 2.4),
]

ORG_START = ["al", "be", "cor", "da", "el", "fen", "gal", "hu", "is", "jor", "ka", "lu", "mer",
             "no", "or", "pra", "qui", "ro", "sa", "tem", "ul", "vel", "wi", "xan", "yo", "zer"]
ORG_END = ["bit", "core", "dyn", "ex", "forge", "gen", "hub", "ion", "lab", "labs", "mind",
           "net", "nova", "ops", "ai", "sys", "tek", "vox", "works", "zen"]
LINEAGES = ["Aurel", "Borin", "Calyx", "Dorado", "Eskar", "Fjord", "Galen", "Helio", "Istra",
            "Juno", "Kestrel", "Lumen", "Marl", "Nimbus", "Orca", "Pallas"]
SIZES = np.array([0.5, 1.5, 3, 7, 8, 9, 12, 14, 22, 32, 34, 70, 72])
SIZE_P = np.array([4, 6, 10, 22, 10, 6, 8, 8, 4, 7, 4, 8, 3], float)
TUNINGS = ["", "-Instruct", "-Chat", "-DPO", "-SFT", "-ORPO", "-it"]
TUNING_P = np.array([20, 30, 8, 14, 10, 6, 12], float)
EXTRAS = ["", "-merge", "-slerp", "-TIES", "-abliterated", "-GGUF-fp16", "-v2", "-v0.3",
          "-test", "-final"]
EXTRA_P = np.array([45, 12, 8, 6, 5, 3, 8, 6, 4, 3], float)


def _organisations(rng: np.random.Generator, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        name = rng.choice(ORG_START) + rng.choice(ORG_END)
        if rng.random() < 0.3:
            name = name.capitalize() + rng.choice(["AI", "-Research", "Labs", "_ml"])
        if rng.random() < 0.2:
            name += str(int(rng.integers(1, 99)))
        names.add(str(name))
    return sorted(names)


def generate_scenario(seed: int = SEED) -> Scenario:
    rng = np.random.default_rng(seed)
    orgs = _organisations(rng, 900)
    org_weight = rng.pareto(1.2, len(orgs)) + 0.05  # a few very active organisations
    org_weight /= org_weight.sum()
    n_lineages = len(LINEAGES)
    n_families = len(FAMILIES)
    lineage_level = rng.normal(0.0, 0.6, n_lineages)
    lineage_strength = rng.normal(0.0, 0.35, (n_lineages, n_families))
    lineage_p = rng.dirichlet(np.full(n_lineages, 1.5))

    models: list[str] = []
    families: dict[str, str] = {}
    display: dict[str, str] = {}
    ability = np.empty(N_MODELS)
    lineage_of = np.empty(N_MODELS, np.int64)
    while len(models) < N_MODELS:
        lineage = int(rng.choice(n_lineages, p=lineage_p))
        size = float(rng.choice(SIZES, p=SIZE_P / SIZE_P.sum()))
        tuning = str(rng.choice(TUNINGS, p=TUNING_P / TUNING_P.sum()))
        extra = str(rng.choice(EXTRAS, p=EXTRA_P / EXTRA_P.sum()))
        version = ["", "-2", "-2.5", "-3", "-3.1"][int(rng.integers(0, 5))]
        size_text = f"{size:g}B".replace(".", "_") if rng.random() < 0.1 else f"{size:g}B"
        repo = f"{LINEAGES[lineage]}{version}-{size_text}{tuning}{extra}"
        name = f"{orgs[int(rng.choice(len(orgs), p=org_weight))]}/{repo}"
        level = (lineage_level[lineage] + 0.55 * np.log(size) + (0.3 if tuning else 0.0)
                 + 0.15 * ("-3" in version) + rng.normal(0.0, 0.45))
        if name in families:
            continue
        index = len(models)
        models.append(name)
        families[name] = LINEAGES[lineage]
        display[name] = repo
        ability[index] = level
        lineage_of[index] = lineage
    ability = (ability - ability.mean()) / ability.std()

    strength = lineage_strength[lineage_of] + rng.normal(0.0, 0.3, (N_MODELS, n_families))
    benchmarks: list[str] = []
    columns: list[np.ndarray] = []
    rounds: list[Round] = []
    for f, (round_name, names, chance, difficulty) in enumerate(FAMILIES):
        rounds.append(Round(round_name, list(names)))
        for bench in names:
            diff = difficulty + rng.normal(0.0, 0.35)
            disc = rng.uniform(0.7, 1.1)
            latent = disc * (ability + strength[:, f] - diff)
            value = chance + (1.0 - chance) / (1.0 + np.exp(-latent))
            value = value + rng.normal(0.0, 0.025, N_MODELS)
            benchmarks.append(bench)
            columns.append(np.clip(value, 0.0, 1.0))
    table = np.column_stack(columns)

    order = sorted(range(N_MODELS), key=lambda i: (models[i].lower(), models[i]))
    names_sorted = [models[i] for i in order]
    scores = {models[i]: [round(float(v), 3) for v in table[i]] for i in order}
    description = (
        "SYNTHETIC DATA made by scripts/make_open_llm_v2_synthetic.py (numpy default_rng, seed "
        f"{SEED}); no real model or result. It has the shape of the Hugging Face Open LLM "
        "Leaderboard v2 (about 4,500 models; IFEval, BBH with 24 subtasks, MATH level 5 with 7 "
        "subjects, GPQA with 3 subsets, MuSR with 3 tasks, MMLU-Pro: 39 score columns in [0, 1]), "
        f"whose table cannot be downloaded here: {N_MODELS} fictional models named org/model "
        "(fictional organisations and base lineages, which are the families), scores from a "
        "common ability factor plus model strengths per benchmark family, above each "
        "benchmark's chance level. Rounds are the six benchmark families, from foundational to "
        "advanced: IFEval, BBH, MuSR, MMLU-Pro, GPQA, MATH. Used to test and measure large fields."
    )
    return Scenario(
        name=NAME,
        description=description,
        benchmarks=benchmarks,
        models=names_sorted,
        scores=scores,
        decimals=3,
        families=families,
        display_names=display,
        rounds=rounds,
    )


def generate() -> dict[str, str]:
    return render(generate_scenario(), SCRIPT)


def main(argv: list[str] | None = None) -> int:
    return generator_main(argv, NAME, generate, f"{N_MODELS} models x 39 benchmarks in 6 rounds")


if __name__ == "__main__":
    sys.exit(main())
