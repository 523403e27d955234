"""The content of a report: sections, tables, figures, as a :class:`~swisssim.report.doc.Document`.

:func:`build_document` reads a :class:`~swisssim.report.model.Report` and its manifest and writes the
text (numbers included) once; :mod:`swisssim.report.html` and :mod:`swisssim.report.markdown` render
it. Section ids (HTML anchors) are stable: ``scenario``, ``how-to-read``, ``headline``,
``sensitivity``, ``risk-profile``, ``survival``, ``comparison``, ``orders`` (with ``--orders``),
``bootstrap`` (with ``--bootstrap``), ``files``, ``scenario-file``, ``manifest``, ``citation``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from swisssim._version import __version__
from swisssim.analysis.bootstrap import Resampler
from swisssim.analysis.sweep import (
    AVERAGE_RISK,
    NO_CONTRAST,
    PROFILE_NAMES,
    label_alpha,
    rank_column,
)
from swisssim.data.rounds import round_scores
from swisssim.engine.structure import schedule_phrase
from swisssim.plots.names import schedule_name
from swisssim.report.doc import (
    SCROLL_ROWS,
    Bullets,
    Code,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    code,
    fmt,
    inline,
    join_inline,
    link,
    plain,
    pm,
    prose,
)
from swisssim.report.large import limit_rows
from swisssim.report.model import PAPER, PAPER_URL, Report, summary_frame
from swisssim.report.sections import (
    bootstrap_section,
    comparison_section,
    orders_section,
)

MISSING_RULES = {
    "error": "no score may be missing (a missing score is an error)",
    "lose": "a model missing any benchmark of a round loses every match of that round",
    "skip": "a model's round score is the mean over the benchmarks it has (with none, it loses "
            "the round's matches)",
    "drop": "models with any missing score in a used benchmark are removed before the "
            "simulation",
}

FILE_NOTES = {
    "report.html": "this report as a web page (opens from disk; figures embedded, or linked "
                   "with --link-figures)",
    "report.md": "this report as Markdown (figures linked)",
    "manifest.json": "every setting, seed, version and timing of this report",
    "summary.csv": "the headline table: E[S], SE and rank per schedule, drop, profile",
    "sweep/sweep.csv": "E[S], SE, 95% Monte Carlo interval, expected rank, P(never eliminated) "
                       "per model and schedule",
    "sweep/risk_profile.csv": "base score, drop with paired SE, slope, ranks and profile label",
    "sweep/rank_distribution.csv": "P(final rank = r) per model and schedule",
    "sweep/survival.csv": "P(still active after round k) per model and schedule",
    "compare/rankings.csv": "score and rank of every model under every method",
    "compare/rank_correlations.csv": "Kendall tau-b and Spearman rho for every pair of methods",
    "compare/rank_shifts.csv": "rank changes from the mean to each CSD schedule",
    "orders/order_sensitivity.csv": "per model: spread of E[S] and rank over round orders",
    "orders/order_taus.csv": "per order: Kendall tau-b against the curated order, leader",
    "orders/order_scores.csv": "E[S], SE and rank of every model under every order",
    "bootstrap/bootstrap.csv": "bootstrap intervals of E[S] and rank, Rank (UB), tier, per model",
    "bootstrap/tiers.csv": "tiers: boundaries where every model above is significantly better "
                           "than every model below",
    "bootstrap/pairwise.csv": "every pair: swap test of exchangeability (Holm-adjusted p, "
                              "significant), P(a ranks above b) under resampling",
    "bootstrap/labels.csv": "how often each risk label holds across bootstrap replicates",
}


def build_document(report: Report, manifest: dict[str, Any], files: list[str]) -> Document:
    """Assemble the report's content.

    Parameters
    ----------
    report
        The analyses.
    manifest
        The report's manifest (shown pretty-printed; dates and versions are read from it).
    files
        Every file of the report folder (relative paths), listed in the ``files`` section.
    """
    scenario = report.scenario
    result = report.sweep.result
    schedules = ", ".join(result.labels)
    subtitle = inline(
        "Competitive Swiss-System Dynamics ([Liu et al., arXiv:2512.21010]"
        "(https://arxiv.org/abs/2512.21010)) · "
        f"{scenario.n_models} models × {scenario.n_rounds} rounds · "
        f"{result.iterations:,} tournaments per schedule, seed {result.seed} · "
        f"elimination schedules T = {schedules} · swisssim {__version__}, "
        f"{manifest.get('created_utc', '')}")
    sections = [scenario_section(report), how_to_read_section(report), headline_section(report),
                sensitivity_section(report), risk_section(report), survival_section(report),
                comparison_section(report)]
    if report.orders is not None:
        sections.append(orders_section(report))
    if report.bootstrap is not None:
        sections.append(bootstrap_section(report))
    sections += [files_section(files), scenario_file_section(report),
                 manifest_section(manifest), citation_section()]
    return Document(title=f"CSD report: {scenario.name}", subtitle=subtitle,
                    sections=tuple(sections))


# -- scenario -------------------------------------------------------------------------------------

def scenario_section(report: Report) -> Section:
    scenario = report.scenario
    used = [b for r in scenario.rounds for b in r.benchmarks]
    unused = [b for b in scenario.scores.columns if b not in used]
    values = round_scores(scenario)
    rows = []
    for k, round_ in enumerate(scenario.rounds):
        rows.append((str(k + 1), round_.name, ", ".join(round_.benchmarks),
                     round_mean_text(scenario, k, values[k]),
                     str(int((~np.isfinite(values[k])).sum()))))
    blocks: list[Any] = [
        Paragraph(inline(plain(" ".join(scenario.description.split()))
                         if scenario.description else "No description given.")),
        Paragraph(inline(
            f"**{scenario.n_models} models × {scenario.n_rounds} rounds** ({len(used)} "
            f"benchmarks{f'; {len(unused)} not used' if unused else ''}). The rounds are played "
            "in the order below; a round's score is the plain mean of the model's scores on its "
            "benchmarks" + ("" if scenario.scoring.normalization == "none" else
                            f" after `{scenario.scoring.normalization}` normalisation") + ".")),
        Table("rounds-table", prose("Rounds in playing order (mean score over the models, in "
                                    "the benchmarks' own units; models without a score)"),
              ("#", "round", "benchmarks", "mean score", "missing"), tuple(rows),
              (True, False, False, True, True)),
        *input_scores_blocks(scenario),
        Bullets(scoring_items(scenario)),
        Table("settings-table", prose("Simulation settings"), ("setting", "value"),
              settings_rows(report)),
    ]
    return Section("scenario", "Scenario", tuple(blocks))


def round_mean_text(scenario: Any, k: int, values: np.ndarray) -> str:
    """A round's mean score as a reader knows its benchmarks: the raw values (a latency in
    seconds stays positive, marked lower-is-better) when no normalisation applies and the
    round's benchmarks share one direction; else the mean of the round scores the tournament
    compares (direction-corrected, normalised)."""
    round_ = scenario.rounds[k]
    lower = set(scenario.scoring.lower_is_better)
    directions = {b in lower for b in round_.benchmarks}
    if scenario.scoring.normalization == "none" and len(directions) == 1:
        raw = scenario.scores[list(round_.benchmarks)].mean(axis=1, skipna=True).to_numpy()
        raw = raw[np.isfinite(raw)]
        if not raw.size:
            return "–"
        return fmt(float(raw.mean())) + (" (lower is better)" if directions == {True} else "")
    finite = values[np.isfinite(values)]
    if not finite.size:
        return "–"
    note = ("normalised" if scenario.scoring.normalization != "none" else
            "direction-corrected")
    return f"{fmt(float(finite.mean()))} ({note})"


def input_scores_blocks(scenario: Any) -> tuple:
    """The input scores of every model with its rank on each benchmark (1 = best, in the
    benchmark's own direction; competition ranks; ``–`` = missing), raw values as in the data
    file, so that statements such as "29th on IFEval" can be checked here."""
    used = [b for r in scenario.rounds for b in r.benchmarks]
    raw = scenario.scores[used]
    lower = set(scenario.scoring.lower_is_better)
    ranks = pd.DataFrame({b: raw[b].rank(method="min", ascending=b in lower) for b in used})
    models = scenario.models
    rows = []
    for model in raw.index:
        cells = tuple("–" if not np.isfinite(raw.at[model, b]) else
                      f"{raw.at[model, b]:.4g} (#{int(ranks.at[model, b])})" for b in used)
        rows.append((str(models.at[model, "display_name"]), str(models.at[model, "family"]),
                     *cells))
    header = ("model", "family", *(f"{b} ↓" if b in lower else b for b in used))
    shown, notes = limit_rows(tuple(rows), scenario.n_models, "the scenario's scores file")
    return (Table("scores-table", prose("Input scores as given, with each model's rank on the "
                                        "benchmark in brackets (#1 = best; ↓ = lower is better; "
                                        "– = missing)"),
                  header, shown, (False, False) + (True,) * len(used),
                  scroll=len(shown) > SCROLL_ROWS or len(used) > 8),
            *notes)


def scoring_items(scenario: Any) -> tuple:
    used = [b for r in scenario.rounds for b in r.benchmarks]
    missing = scenario.scores[used].isna()
    cells = [(m, b) for m in missing.index for b in used if missing.at[m, b]]
    shown = "; ".join(f"{m} / {b}" for m, b in cells[:5]) + ("; ..." if len(cells) > 5 else "")
    policy = scenario.scoring.missing
    items = [inline(f"**Missing scores** (`missing = \"{policy}\"`): {MISSING_RULES[policy]}. ",
                    f"{len(cells)} missing cell(s) among the used benchmarks" if cells else
                    "No used score is missing.", plain(f" ({shown}).") if cells else ())]
    if scenario.dropped_models:
        items.append(inline("**Dropped models**: ", plain(", ".join(scenario.dropped_models))))
    ties = ("a fair coin decides the match" if scenario.scoring.ties == "coin"
            else "the match is a draw, half a point each")
    items.append(inline(f"**Equal round scores** (`ties = \"{scenario.scoring.ties}\"`): {ties}."))
    lower = scenario.scoring.lower_is_better
    items.append(inline("**Direction**: ", "every benchmark is higher-is-better." if not lower
                        else plain("lower is better for " + ", ".join(lower) + "; higher for "
                                   "the others.")))
    return tuple(items)


def settings_rows(report: Report) -> tuple:
    result = report.sweep.result
    scenario = report.scenario
    quotas = "; ".join(f"T={s.label}: {','.join(str(int(q)) for q in quota)}"
                       for s, quota in zip(result.schedules, result.quotas))
    return (("iterations (tournaments per schedule)", f"{result.iterations:,}"),
            ("seed", str(result.seed)),
            ("elimination schedules (effective quotas per round)", quotas),
            ("elimination tie-break", result.tie_break),
            ("bye points", f"{scenario.simulation.bye_points:g}"),
            ("probabilistic wins", "yes" if result.probabilistic_wins else "no"),
            ("threads (results do not depend on it)", str(result.threads)),
            ("simulation wall time", f"{result.wall_time:.2f} s"))


# -- how to read ----------------------------------------------------------------------------------

def how_to_read_section(report: Report) -> Section:
    result = report.sweep.result
    scenario = report.scenario
    base, most = report.base_schedule, report.most_schedule
    error = result.std_error()
    z = report.sweep.z
    bye = scenario.simulation.bye_points
    played = schedule_phrase(most, result.quotas[result.labels.index(most)], scenario.n_models)
    rule = "; ".join(f"{tier} tier + {drop} drop = **{name}**"
                     for (tier, drop), name in PROFILE_NAMES.items())
    items = (
        inline("**Expected win score E[S].** One simulated tournament plays the "
               f"{scenario.n_rounds} rounds in order. In each round, models with the same number "
               "of wins so far are paired at random; the higher round score wins the match (+1), "
               f"the loser gets 0, the odd model out of a group gets a bye worth {bye:g}. E[S] is "
               "a model's mean "
               f"final score over {result.iterations:,} tournaments, between 0 and "
               f"{scenario.n_rounds}. Only who wins counts, never by how much."),
        inline("**± standard error (SE).** The Monte Carlo standard error, sample standard "
               "deviation / √N: how much E[S] would move if the pairings were drawn again. Here "
               f"it is at most {fmt(float(error.max()), 4)} points (median "
               f"{fmt(float(np.median(error)), 4)}); E[S] ± 1.96 SE is a 95% Monte Carlo "
               "interval (`mc_ci_low`, `mc_ci_high`), about pairing luck only."),
        inline("**Ranks** are competition ranks: 1 is best, and tied models share the better "
               "rank (1, 2, 2, 4)."),
        inline(f"**The drop under elimination.** {played[:1].upper() + played[1:]}; "
               "eliminated models keep their points but play no more. "
               f"drop = E[S | T={most}] − E[S | T={base}], in points (negative: elimination "
               "costs the model points). A model that loses early, foundational rounds sinks into"
               " the bottom group and may be cut before the rounds it is good at, so its drop is "
               "large; a model that wins steadily from the start barely notices the cut. The "
               "drop's SE is paired (both schedules share their random numbers)."),
        inline("**Profile labels.** Base tier *upper* when "
               f"E[S | T={base}] ≥ the field's median, else *lower*. Stronger models tend to "
               "drop by different amounts than weaker ones, so each drop is read against the "
               "field's trend: the Theil-Sen line of drop on base score (`drop_expected`); the "
               "offset from it (`drop_offset`) says how much more or less a model drops than "
               "models of its base score. A drop is *large* (or *small*) when that offset is at "
               f"least {fmt(report_delta(report), 3)} points, the larger of 10% of the median "
               "drop and "
               "1.5 robust standard deviations of the field's drops (`label_delta`), and that "
               "offset is beyond Monte Carlo noise (tested against its paired SE, Holm-adjusted "
               f"over the models at family-wise level {label_alpha(z):.2g}; `mc_drop_z`, "
               "`mc_drop_p_holm`: more iterations would not move it). Otherwise the drop is "
               f"*typical* (label **{AVERAGE_RISK}**). {rule}. Labels are descriptive positions "
               "in this field, not findings about the models: the test covers pairing luck only, "
               "labels near the threshold can change with the seed, and on fields of "
               "exchangeable models most datasets still label some model (docs/method.md, "
               "section 7.6). Read them with the numbers beside them."),
        inline("**Comparison with the mean.** The same models are ranked by the plain mean of "
               "their benchmark scores and by other aggregates (normalised means, HELM's mean "
               "win rate, Borda, Copeland, Bradley-Terry, Elo). The mean rewards margins and lets"
               " a large lead on one benchmark make up for a weak one; CSD counts round wins, and"
               " the round order decides whom a model meets later. shift = rank by mean − rank "
               "by CSD: positive when CSD ranks the model higher. Kendall's τ-b summarises "
               "agreement (1 = same order)."),
        inline("**Caveats: pairing luck is not data uncertainty.** The SEs cover only the random"
               " pairings of the simulation, and shrink with more iterations. Benchmark scores "
               "are taken as exact: a lead of 0.001 wins a match as surely as a lead of 0.3, and "
               "with many iterations almost every difference is 'significant'. Uncertainty of "
               "the data needs `--bootstrap` (resampling benchmarks, and score errors where the "
               "scenario gives them); the round order is a modelling choice whose influence "
               "`--orders` measures." + no_uncertainty_note(scenario)),
    )
    return Section("how-to-read", "How to read this", (Bullets(items),))


def no_uncertainty_note(scenario: Any) -> str:
    """A plain statement when the data carry no uncertainty information (else empty)."""
    silent = Resampler(scenario).silent_rounds
    if len(silent) < scenario.n_rounds:
        return ""
    return (" **These data carry no uncertainty information:** every round has one benchmark "
            "and the scenario gives no score errors or item counts, so nothing here, bootstrap "
            "included, can say whether two close scores differ beyond noise in the benchmarks.")


def report_delta(report: Report) -> float:
    """The practical threshold of the profile labels in this report's sweep."""
    return float(report.sweep.risk_profile()["label_delta"].iloc[0])


def has_contrast(report: Report) -> bool:
    """True when the sweep has a drop to measure (some profile is not ``no contrast``)."""
    return not (report.sweep.risk_profile()["profile"] == NO_CONTRAST).all()


# -- headline -------------------------------------------------------------------------------------

def headline_section(report: Report) -> Section:

    result = report.sweep.result
    base, most = report.base_schedule, report.most_schedule
    summary = summary_frame(report)
    header = ["#", "model", "family"]
    numeric = [True, False, False]
    for label in result.labels:
        header += [f"E[S] ± SE, T={label}", f"rank T={label}"]
        numeric += [True, True]
    contrast = has_contrast(report)
    if contrast:
        header += [f"drop T={base}→{most}", "profile"]
        numeric += [True, False]
    rows = []
    for position, row in enumerate(summary.itertuples(index=False), start=1):
        values = row._asdict()
        cells = [str(position), str(row.display_name), str(row.family)]
        for label in result.labels:
            stem = rank_column(label).removeprefix("rank_")
            cells += [pm(values[f"expected_score_{stem}"], values[f"std_error_{stem}"]),
                      str(values[f"rank_{stem}"])]
        if contrast:
            cells += [pm(row.drop, row.drop_se), str(row.profile)]
        rows.append(tuple(cells))
    top = summary.head(3)
    stem = rank_column(base).removeprefix("rank_")
    leaders = [inline(plain(r.display_name),
                      f" ({fmt(getattr(r, f'expected_score_{stem}'))})") for r in
               top.itertuples(index=False)]
    text = inline(f"Models ranked by expected win score at T={base}, with the rank at every "
                  "schedule (`summary.csv`). At the top: ", *join_inline(leaders), ".")
    caption = "Expected win score ± SE and rank per schedule" + (
        f"; drop = E[S | T={most}] − E[S | T={base}]" if contrast else "")
    shown, notes = limit_rows(tuple(rows), len(summary), "summary.csv")
    table = Table("headline-table", prose(caption),
                  tuple(header), shown, tuple(numeric), scroll=len(shown) > SCROLL_ROWS)
    return Section("headline", "Expected win scores", (Paragraph(text), table, *notes))


# -- sweep figures --------------------------------------------------------------------------------

def sensitivity_section(report: Report) -> Section:
    most = report.most_schedule
    blocks: list[Any] = [
        Paragraph(inline(f"The paper's figure: models on the x axis ordered by E[S] at "
                         f"{schedule_name(most)}, one marker per schedule (circle, triangle, "
                         "square, ... from the least to the most severe), joined by a line in "
                         "the model family's colour; bars are 95% Monte Carlo intervals. A "
                         "long line means a model whose score depends on the elimination.")),
        Figure("sweep/figures/sensitivity.png", "Expected win score per model and schedule",
               prose("Failure sensitivity: E[S] per elimination schedule.")),
    ]
    blocks += [Paragraph(inline("Note: ", plain(note)), "warning") for note in report.sweep.notes()]
    return Section("sensitivity", "Failure sensitivity", tuple(blocks))


def risk_section(report: Report) -> Section:
    risk = report.sweep.risk_profile()
    base, most = report.base_schedule, report.most_schedule
    counts = risk["profile"].value_counts()
    rules = {name: f"{tier} tier, {drop} drop" for (tier, drop), name in PROFILE_NAMES.items()}
    rules[AVERAGE_RISK] = ("drop not beyond label_delta (and Monte Carlo noise) from the trend of "
                           "drop on base score")
    count_rows = tuple((name, str(int(counts.get(name, 0))), rule) for name, rule in
                       rules.items() if counts.get(name, 0))
    count_rows += tuple((str(name), str(int(n)), "") for name, n in counts.items()
                        if name not in rules)
    order = risk.sort_values(["drop", "model"], kind="stable")
    base_rank, most_rank = rank_column(base), rank_column(most)
    rows = tuple((str(r.display_name), str(r.family), fmt(r.base_score),
                  f"{getattr(r, base_rank)} → {getattr(r, most_rank)}", pm(r.drop, r.drop_se),
                  fmt(100 * r.relative_drop, 1) + "%" if math.isfinite(r.relative_drop) else "–",
                  fmt(r.slope), z_text(r.mc_drop_z, r.drop_se, r.drop), str(r.profile))
                 for r in order.itertuples(index=False))
    largest = [inline(plain(r.display_name), f" ({fmt(r.drop)})")
               for r in order.head(3).itertuples(index=False)]
    smallest = [inline(plain(r.display_name), f" ({fmt(r.drop)})")
                for r in order.tail(3).iloc[::-1].itertuples(index=False)]
    if has_contrast(report):
        text = inline(f"Each model's base score E[S | T={base}] against its drop. Dashed lines are"
                      " the medians; a drop is labelled only if it lies at least "
                      f"{fmt(report_delta(report), 3)} points (label_delta) from the field's "
                      "trend of drop on base score (`drop_expected`) and that offset is beyond "
                      "Monte Carlo noise. Largest drops: ",
                      *join_inline(largest), "; smallest: ", *join_inline(smallest), ".")
    else:
        text = inline("No schedule is more severe than another, so there is no drop to measure "
                      "and no profile is assigned (`no contrast`); sweep two or more schedules, "
                      "e.g. `--elimination 0 1 2`.")
    rows, notes = limit_rows(rows, len(risk), "sweep/risk_profile.csv")
    return Section("risk-profile", "Risk profiles", (
        Paragraph(text),
        Figure("sweep/figures/risk_profile.png", "Risk profile: base score against drop",
               prose("Risk profile (`sweep/risk_profile.csv`).")),
        Table("profile-counts", prose("Profiles in this field"), ("profile", "models", "rule"),
              count_rows, (False, True, False)),
        Table("risk-table", prose(f"Risk metrics, largest drop first; slope = points per model "
                                  f"eliminated per round; rank at T={base} → T={most}"),
              ("model", "family", f"E[S] T={base}", "rank", "drop ± SE", "relative",
               "slope", "MC z", "profile"), rows,
              (False, False, True, True, True, True, True, True, False),
              scroll=len(rows) > SCROLL_ROWS),
        *notes,
    ))


#: A standard error this small (relative to the value) is float residue of a difference that is
#: exactly 0 in every tournament, not a measured error; no z statistic is shown for it.
SE_RESIDUE = 1e-9


def z_text(z: float, se: float, value: float) -> str:
    """A z statistic for a table, or ``–`` when its standard error is zero or float residue
    (a model whose drop is the same in every tournament: z would read 10^9)."""
    if not math.isfinite(se) or se <= SE_RESIDUE * max(1.0, abs(value)):
        return "–"
    return fmt(z, 1)


def survival_section(report: Report) -> Section:
    most = report.most_schedule
    table = report.sweep.table()
    at_most = table[table["elimination"] == most]
    never = at_most.sort_values("p_never_eliminated", ascending=False, kind="stable")
    survivors = [inline(plain(r.display_name), f" ({fmt(r.p_never_eliminated, 2)})")
                 for r in never.head(3).itertuples(index=False)]
    if int(report.sweep.result.quotas.sum()) == 0:
        lead = inline("No schedule eliminates anyone: every model plays every round.")
    else:
        lead = inline("Survival: the probability that a model is still playing after each round,"
                      f" for every schedule that eliminates. Most likely to survive all rounds at"
                      f" T={most}: ", *join_inline(survivors), ".")
    blocks: list[Any] = [
        Paragraph(lead),
        Figure("sweep/figures/survival.png", "Survival curves per schedule",
               prose("P(still active after round k) (`sweep/survival.csv`).")),
        Paragraph(inline("Final rank distribution: each row is a model, each column a final "
                         "rank; darker cells are more likely ranks and the dot marks the "
                         "expected rank. A wide row means the model's rank depends on its "
                         "pairings.")),
        Figure("sweep/figures/rank_distribution.png", "Final rank distribution heatmap",
               prose("P(final rank = r) (`sweep/rank_distribution.csv`).")),
    ]
    return Section("survival", "Survival and rank distributions", tuple(blocks))


# -- files, sources, manifest, citation -----------------------------------------------------------

def files_section(files: list[str]) -> Section:
    items = []
    for name in files:
        note = FILE_NOTES.get(name)
        if note is None and name.endswith("manifest.json"):
            note = "settings and timings of the analyses in this folder"
        if note is None and name.endswith((".png", ".svg")):
            note = "figure" + (" (vector)" if name.endswith(".svg") else "")
        items.append(inline(link(name, name), plain(f": {note}") if note else ()))
    return Section("files", "Files", (
        Paragraph(inline("Everything in this report's folder (links are relative to it):")),
        Bullets(tuple(items))))


def scenario_file_section(report: Report) -> Section:
    path = report.scenario.path
    if path is None:
        return Section("scenario-file", "Scenario file", (Paragraph(inline(
            "This scenario was built in Python (`Scenario.from_dataframe`); there is no file.")),))
    text = Path(path).read_text(encoding="utf-8")
    return Section("scenario-file", "Scenario file", (
        Paragraph(inline("The scenario as read from ", code(Path(path).as_posix()),
                         " (its SHA-256 and its data files' are in the manifest):")),
        Code(text, "toml", summary=f"{Path(path).name} ({len(text.splitlines())} lines)")))


def manifest_section(manifest: dict[str, Any]) -> Section:
    text = json.dumps(manifest, indent=2, default=str)
    return Section("manifest", "Manifest", (
        Paragraph(inline("`manifest.json`, pretty-printed: versions, seeds, settings, timings.")),
        Code(text, "json", summary=f"manifest.json ({len(text.splitlines())} lines)")))


BIBTEX = """@article{liu2025llmswissround,
  title   = {{LLM} Swiss Round: Aggregating Multi-Benchmark Performance via Competitive
             Swiss-System Dynamics},
  author  = {Liu, J. and Wu, J. and Wu, C. and Liu, J. and Wang, Z. and Zhou, H. and
             Huang, W. and Namkoong, H.},
  journal = {arXiv preprint arXiv:2512.21010},
  year    = {2025}
}"""


def citation_section() -> Section:

    return Section("citation", "Citation", (
        Paragraph(inline("The method: ", plain(PAPER + ", "), link(PAPER_URL, PAPER_URL),
                         ". The data belong to the sources named in the scenario description; "
                         "credit them too.")),
        Code(BIBTEX, "bibtex")))


__all__ = ["FILE_NOTES", "MISSING_RULES", "build_document"]
