#!/usr/bin/env python3
"""Generate the synthetic scenario ``paper_synthetic`` (the shape of the paper's experiment).

SYNTHETIC DATA - these are not real models or real benchmark results.

The CSD paper (Liu et al., "LLM Swiss Round", arXiv:2512.21010) ran 29 models over 43 datasets
grouped into 12 rounds of sizes 5,3,2,5,6,4,4,3,3,4,1,3; its score table is not public.  This
script makes a seeded stand-in of exactly that shape, used as the project's speed yardstick and
as a scenario with a known ground truth for the risk profile:

* every model has a latent general ability (family level + size tier + noise);
* rounds get harder from foundational to advanced; each benchmark has its own difficulty and
  discrimination, and a score is ``100 * sigmoid(discrimination * (ability - difficulty))``
  plus small noise, clipped to [0, 100] and rounded to 1 decimal;
* four **aggressive specialists** have a steep positive slope over the rounds (weak in the
  early foundational rounds, among the best in the late advanced ones);
* four **robust generalists** have no slope and very little round-to-round variation;
* seven fictional families of 2 to 6 models share a family level and family round effects.

Writes ``scenarios/paper_synthetic.toml``, ``scenarios/data/paper_synthetic_scores.csv`` and
``scenarios/data/paper_synthetic_models.csv``.  ``--check`` regenerates into a temporary
directory and exits 1, listing differences, if the committed files differ.

Determinism: numpy's ``default_rng(SEED)`` (PCG64) and a fixed order of draws.  numpy does not
formally promise identical ``Generator`` streams across major versions; if ``--check`` ever
fails after a numpy upgrade with no change here, that is the reason.
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
    wrap,
)

SCRIPT = "make_synthetic.py"
NAME = "paper_synthetic"
SEED = 20251224

# The paper's shape: 12 rounds, 43 benchmarks.  Round themes go from foundational to advanced.
ROUND_SPECS: list[tuple[str, int]] = [
    ("language_basics", 5),
    ("commonsense", 3),
    ("instruction_following", 2),
    ("world_knowledge", 5),
    ("reading_comprehension", 6),
    ("multilingual", 4),
    ("math_basics", 4),
    ("coding", 3),
    ("science_reasoning", 3),
    ("advanced_math", 4),
    ("agentic_tasks", 1),
    ("frontier_reasoning", 3),
]

# Fictional families: (name, level of the family's latent ability, number of models).
FAMILIES: list[tuple[str, float, int]] = [
    ("Aster", 0.8, 6),
    ("Birch", 0.5, 5),
    ("Cedar", 0.4, 4),
    ("Dahlia", 0.1, 4),
    ("Elm", -0.1, 4),
    ("Fern", -0.3, 3),
    ("Ginkgo", -0.5, 3),
]
TIERS: list[tuple[str, float]] = [
    ("Ultra", 0.6), ("Pro", 0.3), ("Plus", 0.0), ("Flash", -0.3), ("Mini", -0.6), ("Nano", -0.9),
]
SPECIALISTS = ["Cedar-Ultra", "Cedar-Pro", "Fern-Ultra", "Dahlia-Pro"]
GENERALISTS = ["Aster-Pro", "Birch-Ultra", "Elm-Ultra", "Ginkgo-Ultra"]

N_MODELS = 29
SIZES = [5, 3, 2, 5, 6, 4, 4, 3, 3, 4, 1, 3]


def generate_scenario(seed: int = SEED) -> Scenario:
    assert [n for _, n in ROUND_SPECS] == SIZES and sum(SIZES) == 43
    rng = np.random.default_rng(seed)

    models: list[str] = []
    family: dict[str, str] = {}
    base: list[float] = []
    for fam, level, n in FAMILIES:
        assert 2 <= n <= 6
        for tier, bonus in TIERS[:n]:
            m = f"{fam}-{tier}"
            models.append(m)
            family[m] = fam
            base.append(level + bonus)
    assert len(models) == N_MODELS
    assert set(SPECIALISTS + GENERALISTS) <= set(models)
    n_rounds = len(ROUND_SPECS)
    n_fam = len(FAMILIES)

    # --- latent structure (fixed order of draws) ---------------------------------------
    theta = np.array(base) + rng.normal(0.0, 0.25, N_MODELS)          # general ability
    slope = rng.normal(0.0, 0.2, N_MODELS)                             # early->late tilt
    round_sd = np.full(N_MODELS, 0.25)                                 # per-round wobble
    for i, m in enumerate(models):
        if m in SPECIALISTS:
            slope[i] = 1.5 + 0.4 * rng.random()  # weak early, strong late
            theta[i] += 0.4
        elif m in GENERALISTS:
            slope[i] = 0.0  # same standing in every round
            theta[i] += 0.25
            round_sd[i] = 0.05
    z = np.linspace(-1.0, 1.0, n_rounds)                               # round position
    round_difficulty = np.linspace(-1.5, 1.5, n_rounds)
    fam_round = rng.normal(0.0, 0.2, (n_fam, n_rounds))                # family strengths
    model_round = rng.normal(0.0, 1.0, (N_MODELS, n_rounds)) * round_sd[:, None]
    fam_index = np.array([[f for f, _, _ in FAMILIES].index(family[m]) for m in models])

    benchmarks: list[str] = []
    rounds: list[Round] = []
    cols = []
    for k, (rname, size) in enumerate(ROUND_SPECS):
        names = [f"syn_{rname}_{j + 1}" for j in range(size)]
        benchmarks += names
        rounds.append(Round(rname, names))
        b = round_difficulty[k] + rng.normal(0.0, 0.25, size)          # benchmark difficulty
        a = rng.uniform(1.0, 1.8, size)                                 # discrimination
        ability = theta + slope * z[k] + fam_round[fam_index, k] + model_round[:, k]
        idio = rng.normal(0.0, 0.15, (N_MODELS, size))                  # model x benchmark
        logits = a[None, :] * (ability[:, None] + idio - b[None, :])
        score = 100.0 / (1.0 + np.exp(-logits)) + rng.normal(0.0, 1.5, (N_MODELS, size))
        cols.append(np.clip(score, 0.0, 100.0))
    table = np.round(np.hstack(cols), 1)
    assert table.shape == (N_MODELS, 43)

    scores = {m: [float(v) for v in table[i]] for i, m in enumerate(models)}
    order = sorted(models, key=lambda s: (s.casefold(), s))
    sizes = ",".join(str(n) for n in SIZES)
    fams = ", ".join(f"{f} ({n})" for f, _, n in FAMILIES)
    desc = wrap(f"""
        SYNTHETIC DATA, not real models or results: a seeded stand-in of the shape of the CSD
        paper's experiment (Liu et al., 'LLM Swiss Round', arXiv:2512.21010), whose score table
        is not public: {N_MODELS} fictional models, 43 synthetic benchmarks in 12 rounds of
        sizes {sizes}, scores in [0, 100] with 1 decimal, higher is better, none missing.
        Generated by scripts/make_synthetic.py (numpy default_rng, seed {seed}). Each model has
        a latent general ability (family level + size tier + noise); rounds get harder from
        foundational (language basics, commonsense, instruction following) to advanced
        (advanced maths, agentic tasks, frontier reasoning); a score is
        100 * sigmoid(discrimination * (ability - difficulty)) plus noise. Ground truth for the risk
        profile: the aggressive specialists {', '.join(SPECIALISTS)} are weak in the early
        rounds and strong in the late ones, so elimination should hurt them most; the robust
        generalists {', '.join(GENERALISTS)} have a flat, low-noise profile. Families: {fams}.
        Rounds are in the file's order; the round score is the plain mean of the round's
        benchmarks. This scenario is the project's speed yardstick (29 models x 12 rounds, as
        in the paper).
    """)
    sc = Scenario(
        name=NAME,
        description=desc,
        benchmarks=benchmarks,
        models=order,
        scores=scores,
        decimals=1,
        families=family,
        display_names={m: m.replace("-", " ") for m in models},
        rounds=rounds,
    )
    return sc


def generate() -> dict[str, str]:
    return render(generate_scenario(), SCRIPT)


def main(argv: list[str] | None = None) -> int:
    return generator_main(argv, NAME, generate, f"{N_MODELS} models x 43 benchmarks in 12 rounds")


if __name__ == "__main__":
    sys.exit(main())
