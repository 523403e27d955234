#!/usr/bin/env python3
"""Build the shipped real-leaderboard scenarios from the benchbench wheel.

Source: the PyPI wheel ``benchbench==1.0.1`` (Guanhua Zhang and Moritz Hardt, MIT licence,
https://github.com/socialfoundations/benchbench), which ships leaderboard tables as TSV files.
The wheel is only opened with :mod:`zipfile`; nothing is installed.

Writes, for each scenario ``<name>``, into ``scenarios/``::

    <name>.toml                 scenario file (docs/scenario-format.md)
    data/<name>_scores.csv      wide CSV: model, then one column per benchmark
    data/<name>_models.csv      model, family, display_name
    LICENSES/benchbench-1.0.1-LICENSE.txt   the data's licence, verbatim from the wheel

Output is deterministic (alphabetical model order, source column order, fixed decimals,
``\\n`` line endings), so ``--check`` can regenerate into a temporary directory and compare
byte for byte with the committed files.

Usage::

    python scripts/build_scenarios.py              # download (or reuse cached) wheel, write files
    python scripts/build_scenarios.py --check      # exit 1 and list differences if files are stale
    python scripts/build_scenarios.py --wheel PATH # use a local copy of the wheel

Exit codes: 0 ok, 1 ``--check`` found differences, 3 the wheel could not be obtained
(e.g. no network), 4 the wheel's SHA-256 does not match the pinned one.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scenario_io import (  # noqa: E402
    SCENARIO_DIR,
    Round,
    Scenario,
    check_outputs,
    render,
    wrap,
    write_files,
)

SCRIPT = "build_scenarios.py"
PACKAGE = "benchbench"
VERSION = "1.0.1"
WHEEL_FILE = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
#: Where the benchbench licence (copied verbatim from the wheel) is written, under scenarios/.
LICENSE_FILE = f"LICENSES/{PACKAGE}-{VERSION}-LICENSE.txt"
# SHA-256 of benchbench-1.0.1-py3-none-any.whl as served by PyPI.
WHEEL_SHA256 = "1d35a18e139b19b4e980b174b4d06f20ed48c396ce6c87ad4e9b0a47e48eceb8"

EXIT_DIFF = 1
EXIT_NO_WHEEL = 3
EXIT_BAD_HASH = 4

CREDIT = (
    f"Data as shipped in the benchbench {VERSION} wheel (Guanhua Zhang and Moritz Hardt, "
    "'Inherent Trade-Offs between Diversity and Stability in Multi-Task Benchmarks', ICML 2024; "
    "MIT licence)"
)


class WheelUnavailable(RuntimeError):
    pass


# ----------------------------------------------------------------------------------------
# Wheel access
# ----------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_dir() -> Path:
    env = os.environ.get("SWISSSIM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "swisssim"


def obtain_wheel(explicit: str | None) -> Path:
    """Return a path to the verified wheel: --wheel, else the cache, else ``pip download``."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise WheelUnavailable(f"--wheel {p} does not exist")
        return p
    cached = cache_dir() / WHEEL_FILE
    if cached.is_file() and sha256(cached) == WHEEL_SHA256:
        return cached
    with tempfile.TemporaryDirectory(prefix="swisssim-wheel-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--no-input", "--timeout", "15", "--retries", "1",
            "-d", tmp, f"{PACKAGE}=={VERSION}",
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise WheelUnavailable(f"pip download failed: {e}") from e
        got = Path(tmp) / WHEEL_FILE
        if res.returncode != 0 or not got.is_file():
            tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
            raise WheelUnavailable("pip download failed: " + " | ".join(tail))
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(got, cached)
    return cached


def read_tsv(zf: zipfile.ZipFile, member: str) -> list[list[str]]:
    text = zf.read(member).decode("utf-8")
    return [row for row in csv.reader(io.StringIO(text), delimiter="\t") if row]


# ----------------------------------------------------------------------------------------
# Model families and display names
# ----------------------------------------------------------------------------------------
# Families are derived from the model name only: every rule is tried, and the family is set
# only if exactly one family matches; no match or two families (e.g. "PlatYi-34B-Llama",
# a Yi model in Llama format) leave it empty, because then the name is not clear.
# OPEN_RULES apply to every name; CLOSED_RULES (API-only product lines) only to names that
# are not Hugging Face hub ids ("org/repo"), since a hub repo called e.g. "SamirGPT" or
# "...-gpt4-..." is a fine-tune of some open model, not an OpenAI model.
CLOSED_RULES: list[tuple[str, str]] = [
    (r"(?<![a-z])gpt(?![a-z])|chatgpt|text-davinci|^o[134](?![a-z0-9])", "GPT"),  # OpenAI incl. o-series, gpt-oss
    (r"claude", "Claude"),
    (r"gemini", "Gemini"),
    (r"(?<![a-z])palm(?![a-z])", "PaLM"),
    (r"palmyra", "Palmyra"),
    (r"grok", "Grok"),
    (r"(?<![a-z])nova(?![a-z])", "Nova"),
    (r"(?<![a-z])command(?![a-z])", "Command"),
    (r"jurassic", "Jurassic"),
    (r"luminous", "Luminous"),
    (r"kimi", "Kimi"),
]
OPEN_RULES: list[tuple[str, str]] = [
    (r"openllama", "OpenLLaMA"),
    (r"(?<!open)llama", "Llama"),
    (r"qwen", "Qwen"),
    (r"mistral|mixtral", "Mistral"),
    (r"deepseek", "DeepSeek"),
    (r"(?<![a-z])phi(?![a-z])", "Phi"),
    (r"gemma", "Gemma"),
    (r"glm", "GLM"),
    (r"granite", "Granite"),
    (r"olmo", "OLMo"),
    (r"(?<![a-z])marin(?![a-z])", "Marin"),
    (r"jamba", "Jamba"),
    (r"falcon", "Falcon"),
    (r"(?<![a-z])yi(?![a-z])|(?-i:[a-z]Yi)(?![a-z])", "Yi"),  # "Yi-34B", "PlatYi-34B"
    (r"dbrx", "DBRX"),
    (r"(?<![a-z])arctic(?![a-z])", "Arctic"),
    (r"solar", "Solar"),
    (r"baichuan", "Baichuan"),
    (r"internlm", "InternLM"),
    (r"tigerbot", "TigerBot"),
    (r"aquila", "Aquila"),
    (r"xverse", "XVERSE"),
    (r"(?<![a-z])mpt(?![a-z])", "MPT"),
    (r"skywork", "Skywork"),
    (r"nanbeige", "Nanbeige"),
    (r"(?<![a-z])moss(?![a-z])", "MOSS"),
    (r"rwkv", "RWKV"),
    (r"vicuna", "Vicuna"),
    (r"alpaca", "Alpaca"),
    (r"wizardlm", "WizardLM"),
    (r"xwin", "Xwin-LM"),
    (r"stablebeluga", "StableBeluga"),
    (r"xuanyuan", "XuanYuan"),
    (r"lingowhale", "LingoWhale"),
    (r"yulan", "YuLan"),
    (r"yayi", "YAYI"),
]
_COMPILED = {
    "closed": [(re.compile(p, re.I), f) for p, f in CLOSED_RULES],
    "open": [(re.compile(p, re.I), f) for p, f in OPEN_RULES],
}


def family_of(name: str) -> str:
    """Model family from the name, '' when no rule matches or two families match."""
    hub = "/" in name
    text = name.split("/", 1)[1] if hub else name
    fams = {
        fam
        for kind in (("open",) if hub else ("closed", "open"))
        for rx, fam in _COMPILED[kind]
        if rx.search(text)
    }
    return fams.pop() if len(fams) == 1 else ""


def display_names(models: list[str]) -> dict[str, str]:
    """Readable names: hub ids lose their 'org/' prefix unless that makes two names equal."""
    short = {m: (m.split("/", 1)[1] if "/" in m else m) for m in models}
    counts: dict[str, int] = {}
    for s in short.values():
        counts[s] = counts.get(s, 0) + 1
    return {m: (short[m] if counts[short[m]] == 1 else m) for m in models}


# ----------------------------------------------------------------------------------------
# Table helpers
# ----------------------------------------------------------------------------------------
def to_float(cell: str) -> float | None:
    cell = cell.strip()
    if cell in ("", "-", "N/A", "nan"):
        return None
    return float(cell)


def sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def exact_format(values: list[float | None], decimals: int, what: str) -> None:
    """The fixed-decimal text must reproduce the source value exactly."""
    for v in values:
        if v is not None and float(f"{v:.{decimals}f}") != v:
            raise ValueError(f"{what}: {v!r} is not representable with {decimals} decimals")


def order_preserved(sc: Scenario) -> None:
    """Rounding to sc.decimals must not create or break a tie, nor swap two models."""
    for j, b in enumerate(sc.benchmarks):
        col = [(sc.scores[m][j], m) for m in sc.models if sc.scores[m][j] is not None]
        raw = sorted(col)
        for (v1, _), (v2, _) in zip(raw, raw[1:]):
            r1, r2 = round(v1, sc.decimals), round(v2, sc.decimals)
            if (v1 == v2) != (r1 == r2) or r1 > r2:
                raise ValueError(f"{sc.name}/{b}: rounding changes the order of {v1} and {v2}")


def round_means(sc: Scenario) -> list[float]:
    """Mean raw score over models of each round (for the order rationale in the text)."""
    idx = {b: j for j, b in enumerate(sc.benchmarks)}
    out = []
    for r in sc.rounds or []:
        vals = [sc.scores[m][idx[b]] for m in sc.models for b in r.benchmarks]
        vals = [v for v in vals if v is not None]
        out.append(sum(vals) / len(vals))
    return out


def means_phrase(sc: Scenario, decimals: int) -> str:
    parts = [f"{r.name} {m:.{decimals}f}" for r, m in zip(sc.rounds or [], round_means(sc))]
    return "; ".join(parts)


def single_rounds(order: list[str]) -> list[Round]:
    return [Round(b, [b]) for b in order]


def finish(sc: Scenario) -> Scenario:
    sc.families = {m: family_of(m) for m in sc.models}
    if not sc.display_names:
        sc.display_names = display_names(sc.models)
    order_preserved(sc)
    return sc


# ----------------------------------------------------------------------------------------
# HELM (Capabilities, Lite)
# ----------------------------------------------------------------------------------------
def helm_table(zf: zipfile.ZipFile, member: str, n_meta: int) -> tuple[list[str], dict[str, list]]:
    rows = read_tsv(zf, member)
    header, body = rows[0], rows[1:]
    # "MMLU-Pro - COT correct" -> "MMLU-Pro": the metric name goes to the description.
    benchmarks = [h.split(" - ")[0].strip() for h in header[n_meta:]]
    scores: dict[str, list] = {}
    for r in body:
        name = r[0].strip()
        if name in scores:
            raise ValueError(f"{member}: duplicate model {name!r}")
        vals = [to_float(c) for c in r[n_meta:]]
        exact_format(vals, 3, member)
        scores[name] = vals
    return benchmarks, scores


def build_helm_capabilities(zf: zipfile.ZipFile) -> Scenario:
    benchmarks, scores = helm_table(zf, "benchbench/data/helm_capability/leaderboard.tsv", 2)
    order = ["IFEval", "MMLU-Pro", "WildBench", "GPQA", "Omni-MATH"]
    models = sorted(scores, key=sort_key)
    sc = Scenario(
        name="helm_capabilities",
        description="",
        benchmarks=benchmarks,
        models=models,
        scores=scores,
        decimals=3,
        rounds=single_rounds(order),
    )
    n_missing = sum(v is None for m in models for v in scores[m])
    assert n_missing == 0, "HELM Capabilities was expected to be complete"
    sc.description = wrap(f"""
        HELM Capabilities leaderboard (Stanford CRFM, crfm.stanford.edu/helm/capabilities),
        {len(models)} models x {len(benchmarks)} benchmarks. {CREDIT}, file
        helm_capability/leaderboard.tsv. Scores are HELM's headline metric per benchmark on a
        0-1 scale, all higher-is-better: IFEval strict accuracy, MMLU-Pro and GPQA
        chain-of-thought accuracy, WildBench WB score (rescaled to 0-1 by HELM) and Omni-MATH
        accuracy; HELM's 'Mean score' column is not used. No score is missing. One benchmark per
        round, from foundational to advanced: IFEval (following explicit instructions, a
        precondition for every other task), MMLU-Pro (broad academic knowledge), WildBench
        (open-ended real-user tasks that combine instruction following, knowledge and
        reasoning), GPQA (graduate-level 'Google-proof' science) and Omni-MATH (olympiad
        mathematics). Mean score over the models per round: {means_phrase(sc, 3)}; it falls
        along the order except for WildBench, whose judge-based score is compressed near the
        top. Models are listed alphabetically, so the 'index' elimination tie-break is not
        tied to leaderboard rank.
    """)
    return finish(sc)


def build_helm_lite(zf: zipfile.ZipFile) -> Scenario:
    benchmarks, scores = helm_table(zf, "benchbench/data/helm_lite/leaderboard.tsv", 2)
    order = [
        "OpenbookQA", "NarrativeQA", "NaturalQuestions (open)", "NaturalQuestions (closed)",
        "WMT 2014", "MMLU", "GSM8K", "LegalBench", "MedQA", "MATH",
    ]
    models = sorted(scores, key=sort_key)
    missing = [(m, b) for m in models for b, v in zip(benchmarks, scores[m]) if v is None]
    assert missing == [("Phi-3 (7B)", "GSM8K")], missing
    sc = Scenario(
        name="helm_lite",
        description="",
        benchmarks=benchmarks,
        models=models,
        scores=scores,
        decimals=3,
        rounds=single_rounds(order),
        scoring={"missing": "lose"},
    )
    sc.description = wrap(f"""
        HELM Lite leaderboard (Stanford CRFM, crfm.stanford.edu/helm/lite), {len(models)}
        models x {len(benchmarks)} scenarios. {CREDIT}, file helm_lite/leaderboard.tsv. Scores
        are HELM's headline metric per scenario on a 0-1 scale, all higher-is-better: F1
        (NarrativeQA, NaturalQuestions open- and closed-book), exact match (OpenbookQA, MMLU,
        GSM8K, LegalBench, MedQA), equivalent-answer accuracy with chain of thought (MATH) and
        BLEU-4 (WMT 2014, on a much smaller range, about 0.02-0.26); HELM's 'Mean win rate'
        column is not used. One scenario per round, from foundational to advanced: OpenbookQA
        (elementary science multiple choice), NarrativeQA (reading comprehension),
        NaturalQuestions open-book (answer from a supplied passage), NaturalQuestions
        closed-book (recall facts without context), WMT 2014 (translation), MMLU (academic
        knowledge), GSM8K (multi-step grade-school maths), LegalBench and MedQA (professional
        legal and medical reasoning) and MATH (competition mathematics). Mean score over the
        models per round: {means_phrase(sc, 3)}. Missing scores: exactly one, Phi-3 (7B) has no
        GSM8K result ('-' in the source). scoring.missing = "lose": that model loses every match
        of the GSM8K round, i.e. an absent result counts as no evidence of the ability, while
        the model keeps competing in the other nine rounds; with one benchmark per round "skip"
        behaves identically, and "drop" would remove Phi-3 (7B) from the whole tournament.
        Models are listed alphabetically.
    """)
    return finish(sc)


# ----------------------------------------------------------------------------------------
# Open LLM Leaderboard v1
# ----------------------------------------------------------------------------------------
def build_open_llm_v1(zf: zipfile.ZipFile) -> Scenario:
    rows = read_tsv(zf, "benchbench/data/openllm/leaderboard.tsv")
    header, body = rows[0], rows[1:]
    assert header[:3] == ["T", "Model", "Average"], header[:3]
    benchmarks = header[3:]
    n_rows = len(body)
    entries: list[tuple[str, list[float]]] = []
    seen: set[tuple] = set()
    n_repeats = 0
    for r in body:
        name = r[1].strip()
        vals = [to_float(c) for c in r[3:]]
        exact_format(vals, 2, "openllm")
        key = (name, tuple(vals))
        if key in seen:  # verbatim repeat of an earlier row (scrape artifact)
            n_repeats += 1
            continue
        seen.add(key)
        entries.append((name, vals))
    counts: dict[str, int] = {}
    for name, _ in entries:
        counts[name] = counts.get(name, 0) + 1
    seen_n: dict[str, int] = {}
    scores: dict[str, list] = {}
    for name, vals in entries:  # leaderboard order: (#1) is the better-ranked submission
        if counts[name] > 1:
            seen_n[name] = seen_n.get(name, 0) + 1
            name = f"{name} (#{seen_n[name]})"
        scores[name] = vals
    n_multi = sum(1 for c in counts.values() if c > 1)
    order = ["HellaSwag", "Winogrande", "ARC", "MMLU", "TruthfulQA", "GSM8K"]
    models = sorted(scores, key=sort_key)
    sc = Scenario(
        name="open_llm_v1",
        description="",
        benchmarks=benchmarks,
        models=models,
        scores=scores,
        decimals=2,
        rounds=single_rounds(order),
    )
    lo = min(sum(v) / len(v) for v in scores.values())
    hi = max(sum(v) / len(v) for v in scores.values())
    sc.description = wrap(f"""
        Hugging Face Open LLM Leaderboard v1, a snapshot of its top 100 entries (early 2024).
        {CREDIT}, file openllm/leaderboard.tsv. Six benchmarks in percent, all
        higher-is-better: ARC, HellaSwag, MMLU, TruthfulQA, Winogrande and GSM8K; the
        'Average' and model-type ('T') columns are not used. No score is missing. Cleaning:
        {n_rows} rows give {len(models)} models: {n_repeats} rows repeat an earlier row
        verbatim (a block of five consecutive entries appears twice in the snapshot) and are
        dropped; {n_multi} models were submitted twice with different results and are kept as
        '<name> (#1)' and '<name> (#2)' in leaderboard order. One benchmark per round, from
        foundational to advanced: HellaSwag (commonsense sentence completion), Winogrande
        (commonsense pronoun resolution), ARC (grade-school science reasoning), MMLU (knowledge
        across 57 subjects), TruthfulQA (resisting common misconceptions) and GSM8K (multi-step
        arithmetic word problems). Mean score over the models per round:
        {means_phrase(sc, 1)}. Beware: the snapshot is the very top of the leaderboard (average
        {lo:.1f}-{hi:.1f}), dominated by merges and fine-tunes of a few base models, so many
        matches are decided by hundredths of a point; families are read from the base model
        named in the repository name, when it names one, and are lineage hints, not verified.
        Models are listed alphabetically.
    """)
    return finish(sc)


# ----------------------------------------------------------------------------------------
# BIG-Bench Hard
# ----------------------------------------------------------------------------------------
BBH_ROUNDS = [
    Round("commonsense_and_world_knowledge", [
        "Sports Understanding", "Movie Recommendation", "Date Understanding",
        "Causal Judgement", "Ruin Names",
    ]),
    Round("linguistic_understanding", [
        "Hyperbaton", "Snarks", "Disambiguation QA", "Salient Translation Error Detection",
    ]),
    Round("counting_and_structured_reading", [
        "Object Counting", "Reasoning About Colored Objects", "Penguins In A Table",
    ]),
    Round("logical_deduction", [
        "Boolean Expressions", "Web Of Lies", "Logical Deduction Three Objects",
        "Logical Deduction Five Objects", "Logical Deduction Seven Objects", "Formal Fallacies",
    ]),
    Round("state_tracking", [
        "Navigate", "Temporal Sequences", "Tracking Shuffled Objects Three Objects",
        "Tracking Shuffled Objects Five Objects", "Tracking Shuffled Objects Seven Objects",
    ]),
    Round("algorithmic_symbol_manipulation", [
        "Multistep Arithmetic Two", "Word Sorting", "Geometric Shapes", "Dyck Languages",
    ]),
]


def build_bbh(zf: zipfile.ZipFile) -> Scenario:
    rows = read_tsv(zf, "benchbench/data/bbh/leaderboard.tsv")
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Rank", "Model", "Company", "Release", "Parameters", "Average"]
    benchmarks = header[6:]
    scores: dict[str, list] = {}
    for r in body:
        name = r[1].strip()
        if name in scores:
            raise ValueError(f"bbh: duplicate model {name!r}")
        vals = [to_float(c) for c in r[6:]]
        exact_format(vals, 1, "bbh")
        scores[name] = vals
    models = sorted(scores, key=sort_key)
    n_zero = sum(v == 0 for m in models for v in scores[m])
    worst = max(models, key=lambda m: sum(v == 0 for v in scores[m]))
    worst_n = sum(v == 0 for v in scores[worst])
    sc = Scenario(
        name="bbh",
        description="",
        benchmarks=benchmarks,
        models=models,
        scores=scores,
        decimals=1,
        rounds=BBH_ROUNDS,
    )
    sizes = "+".join(str(len(r.benchmarks)) for r in BBH_ROUNDS)
    sc.description = wrap(f"""
        BIG-Bench Hard (Suzgun et al., 2022) leaderboard snapshot of late 2023: {len(models)}
        models x {len(benchmarks)} tasks (the 23 BBH tasks, with Logical Deduction and Tracking
        Shuffled Objects split into their 3/5/7-object variants). {CREDIT}, file
        bbh/leaderboard.tsv; benchbench does not name the site the table was taken from (it
        has Rank, Company, Release and Parameters columns and mostly open models). Accuracy in
        percent, higher is better; the 'Average' column is not used. No score is missing, but
        {n_zero} cells are exactly 0 (most likely answer-format failures, e.g. {worst} scores 0 on {worst_n}
        tasks); they are kept as published. The tasks are grouped into {len(BBH_ROUNDS)} rounds
        ({sizes} tasks), from foundational to advanced: commonsense and world knowledge,
        linguistic understanding (word order, sarcasm, ambiguity, translation errors), counting
        and reading small tables, logical deduction, tracking state through a sequence of
        events, and algorithmic symbol manipulation (arithmetic, sorting, SVG shapes, Dyck
        languages). The order is conceptual (from knowledge and language to multi-step
        procedures) and agrees with the data: mean score over the models per round
        {means_phrase(sc, 1)}. Models are listed alphabetically.
    """)
    return finish(sc)


# ----------------------------------------------------------------------------------------
# MMLU by subject
# ----------------------------------------------------------------------------------------
MMLU_ROUNDS = [
    Round("general_knowledge", [
        "miscellaneous", "global_facts", "marketing", "management", "nutrition", "human_aging",
    ]),
    Round("high_school_humanities_and_social_sciences", [
        "high_school_geography", "high_school_government_and_politics",
        "high_school_psychology", "high_school_macroeconomics", "high_school_microeconomics",
        "high_school_us_history", "high_school_european_history", "high_school_world_history",
    ]),
    Round("stem_basics", [
        "elementary_mathematics", "conceptual_physics", "astronomy", "high_school_biology",
        "high_school_chemistry", "high_school_physics", "high_school_mathematics",
        "high_school_statistics", "high_school_computer_science",
    ]),
    Round("humanities", [
        "world_religions", "prehistory", "philosophy", "logical_fallacies", "moral_disputes",
        "moral_scenarios", "formal_logic",
    ]),
    Round("social_sciences", [
        "sociology", "human_sexuality", "public_relations", "us_foreign_policy",
        "security_studies", "business_ethics", "econometrics",
    ]),
    Round("health_and_medicine", [
        "anatomy", "medical_genetics", "virology", "clinical_knowledge", "college_medicine",
    ]),
    Round("professional_and_law", [
        "international_law", "jurisprudence", "professional_psychology",
        "professional_accounting", "professional_medicine", "professional_law",
    ]),
    Round("advanced_stem", [
        "college_biology", "college_chemistry", "college_physics", "college_mathematics",
        "college_computer_science", "computer_security", "electrical_engineering",
        "machine_learning", "abstract_algebra",
    ]),
]


def build_mmlu_subjects(zf: zipfile.ZipFile) -> Scenario:
    rows = read_tsv(zf, "benchbench/data/mmlu/leaderboard.tsv")
    header, body = rows[0], rows[1:]
    assert header[1:4] == ["model_name", "split_name", "average_score"], header[:4]
    pat = re.compile(r"^harness\|hendrycksTest-([a-z_]+)\|5$")
    benchmarks = [pat.match(h).group(1) for h in header[4:]]  # type: ignore[union-attr]
    n_rows = len(body)
    runs: list[tuple[str, str, list[float]]] = []
    seen: set[tuple] = set()
    dropped: list[str] = []
    for r in body:
        raw = r[1].strip()
        assert raw.startswith("details_") and "__" in raw, raw
        name = raw[len("details_"):].replace("__", "/", 1)
        stamp = re.sub(r"[:]", "-", r[2].strip()).split(".")[0]  # 2023-12-10T04-42-16
        # fractions -> percent, as benchbench's own loader does
        vals = [float(c) * 100.0 for c in r[4:]]
        key = (name, tuple(vals))
        if key in seen:  # identical re-run of the same model: same model entered twice
            dropped.append(name)
            continue
        seen.add(key)
        runs.append((name, stamp, vals))
    counts: dict[str, int] = {}
    for name, _, _ in runs:
        counts[name] = counts.get(name, 0) + 1
    scores: dict[str, list] = {}
    disp: dict[str, str] = {}
    for name, stamp, vals in runs:
        model = f"{name} (run {stamp})" if counts[name] > 1 else name
        if model in scores:
            raise ValueError(f"mmlu: duplicate run {model!r}")
        scores[model] = vals
        short = name.split("/", 1)[1]
        disp[model] = (f"{short} (run {stamp[:10]} {stamp[11:13]}:{stamp[14:16]})"
                       if counts[name] > 1 else short)
    models = sorted(scores, key=sort_key)
    n_multi = sum(1 for c in counts.values() if c > 1)
    n_multi_rows = sum(c for c in counts.values() if c > 1)
    sc = Scenario(
        name="mmlu_subjects",
        description="",
        benchmarks=benchmarks,
        models=models,
        scores=scores,
        decimals=4,
        rounds=MMLU_ROUNDS,
        display_names=disp,
    )
    sizes = "+".join(str(len(r.benchmarks)) for r in MMLU_ROUNDS)
    first, last = min(r[1] for r in runs), max(r[1] for r in runs)
    dropped_txt = ", ".join(sorted({d.split("/", 1)[1] for d in dropped}))
    sc.description = wrap(f"""
        MMLU (Hendrycks et al., 2021) accuracy per subject (5-shot, acc_norm) of top models of
        the Hugging Face Open LLM Leaderboard v1, collected by benchbench from the leaderboard's
        per-model 'details' datasets (evaluation runs from {first[:7]} to {last[:7]}). {CREDIT},
        file mmlu/leaderboard.tsv. {len(benchmarks)} subjects, converted from fractions to
        percent as benchbench's own loader does (4 decimals; the script checks that this
        rounding keeps every order and every tie); higher is better; no score is missing. Cleaning: {n_rows} rows give
        {len(models)} models: {len(dropped)} runs repeat an earlier run of the same model with
        identical scores on all subjects ({dropped_txt}) and are dropped; {n_multi} models have
        {n_multi_rows} runs with different results, kept as '<org>/<model> (run <timestamp>)'.
        The subjects are grouped by field into {len(MMLU_ROUNDS)} rounds ({sizes}), ordered by
        educational level, from everyday knowledge to expert knowledge, with the most
        reasoning-heavy group last: general knowledge, high-school humanities and social
        sciences, STEM basics (elementary and high-school science and mathematics), humanities
        (philosophy, religion, ethics, logic), social sciences, health and medicine,
        professional exams and law, and finally college-level STEM (college mathematics,
        physics, chemistry, computer science, abstract algebra, machine learning), which is
        also the hardest group in this data. Mean score over the models per round:
        {means_phrase(sc, 1)}. The top of the leaderboard
        is a crowd of fine-tunes and merges of a few base models (Yi-34B, Mixtral-8x7B,
        Llama-2-70B), so differences are small; families are lineage hints read from the
        repository name. Models are listed alphabetically.
    """)
    return finish(sc)


BUILDERS = {
    "helm_capabilities": build_helm_capabilities,
    "helm_lite": build_helm_lite,
    "open_llm_v1": build_open_llm_v1,
    "bbh": build_bbh,
    "mmlu_subjects": build_mmlu_subjects,
}


def generate(wheel: Path) -> dict[str, str]:
    if sha256(wheel) != WHEEL_SHA256:
        raise ValueError(f"{wheel}: SHA-256 differs from the pinned {WHEEL_FILE}")
    files: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as zf:
        for build in BUILDERS.values():
            files.update(render(build(zf), SCRIPT))
        # the data's licence travels with the data (also inside the swisssim wheel)
        files[LICENSE_FILE] = zf.read(f"{PACKAGE}-{VERSION}.dist-info/licenses/LICENSE.txt"
                                      ).decode("utf-8")
    return files


def summary(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        for name, build in BUILDERS.items():
            sc = build(zf)
            n_missing = sum(v is None for m in sc.models for v in sc.scores[m])
            fam = sum(1 for m in sc.models if sc.families[m])
            print(f"{name:18s} {len(sc.models):4d} models x {len(sc.benchmarks):3d} benchmarks, "
                  f"{len(sc.rounds or sc.benchmarks):2d} rounds, {n_missing} missing, "
                  f"family known for {fam}/{len(sc.models)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help=f"path to {WHEEL_FILE} (default: cache, else pip download)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir; exit 1 listing differences if stale")
    ap.add_argument("--out", type=Path, default=SCENARIO_DIR,
                    help="output directory (default: scenarios/)")
    args = ap.parse_args(argv)
    try:
        wheel = obtain_wheel(args.wheel)
    except WheelUnavailable as e:
        print(f"cannot obtain {WHEEL_FILE}: {e}", file=sys.stderr)
        return EXIT_NO_WHEEL
    if sha256(wheel) != WHEEL_SHA256:
        print(f"{wheel}: SHA-256 {sha256(wheel)} differs from pinned {WHEEL_SHA256}",
              file=sys.stderr)
        return EXIT_BAD_HASH
    if args.check:
        return EXIT_DIFF if check_outputs(lambda: generate(wheel), args.out) else 0
    write_files(generate(wheel), args.out)
    summary(wheel)
    print(f"wrote {len(BUILDERS)} scenarios to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
