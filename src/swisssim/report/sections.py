"""Report sections of the comparison, the order sensitivity and the bootstrap.

Part of :mod:`swisssim.report.content` (split for size); each function returns one
:class:`~swisssim.report.doc.Section` built from a :class:`~swisssim.report.model.Report`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from swisssim.analysis.compare import csd_method_name
from swisssim.report.doc import (
    SCROLL_ROWS,
    Figure,
    Paragraph,
    Section,
    Table,
    fmt,
    inline,
    join_inline,
    plain,
    pm,
    prose,
)
from swisssim.report.large import limit_rows
from swisssim.report.model import Report

#: Rank shifts listed per CSD schedule.
TOP_SHIFTS = 10
# Measured figures quoted from the calibration table (docs/method.md, section 7.6).
COVERAGE_RANGE = "93-97%"
FWER_MAX = "0.035"
POWER_TWINS = "19%"


def comparison_section(report: Report) -> Section:
    """Bump chart, correlation heatmap, agreement with CSD, full rankings, biggest shifts."""
    comparison = report.comparison
    base = csd_method_name(report.base_schedule)
    short = {m.name: m.short for m in comparison.methods}
    ranks = comparison.ranks
    ranks.index = comparison.scenario.model_names
    models = comparison.scenario.models
    correlations = comparison.correlations()
    agreement = agreement_rows(comparison, correlations, base)
    order = sorted(ranks.index, key=lambda m: (ranks.at[m, base], m))
    rows = []
    for model in order:
        shift = int(ranks.at[model, "mean"] - ranks.at[model, base])
        rows.append((str(models.at[model, "display_name"]), str(models.at[model, "family"]),
                     *(str(int(ranks.at[model, name])) for name in comparison.method_names),
                     f"{shift:+d}" if shift else "0"))
    header = ("model", "family", *(short[n] for n in comparison.method_names),
              f"shift mean→{short[base]}")
    numeric = (False, False) + (True,) * (len(header) - 2)
    shifts = comparison.shifts()
    moved = shifts[(shifts["method"] == base) & (shifts["shift"] != 0)]
    movers = [inline(plain(r.display_name), f" (#{r.reference_rank} → #{r.rank})")
              for r in moved.head(3).itertuples(index=False)]
    tau = correlations[((correlations.method_a == "mean") & (correlations.method_b == base))
                       | ((correlations.method_b == "mean") & (correlations.method_a == base))]
    tau_text = fmt(float(tau["kendall_tau_b"].iloc[0]), 2) if len(tau) else "–"
    kept = int((ranks["mean"] == ranks[base]).sum())
    text = inline(
        f"Kendall's τ-b between the plain mean and CSD at T={report.base_schedule} is "
        f"**{tau_text}**; {kept} of {len(order)} models keep their rank. ",
        *(("Largest moves from the mean to CSD: ", join_inline(movers), ".") if movers else
          ("No model changes rank.",)))
    shown, notes = limit_rows(tuple(rows), len(order), "compare/rankings.csv")
    groups = comparison.identical_orders()
    same = ("; ".join(", ".join(short[n] for n in g) for g in groups) if groups else "")
    caveats = inline(
        *((identical_text(same, groups, comparison.scenario),) if groups else ()),
        "**Elo's own noise.** Elo depends on the order of the matches; its score is the mean over "
        f"{comparison.elo_fit.orders} random orders, with standard error up to "
        f"{fmt(float(np.nanmax(comparison.elo_fit.std_error)), 2)} rating points "
        "(`elo_se` in `compare/rankings.csv`). "
        f"{int((~comparison.elo_fit.separable()).sum())} of {len(order)} models are not "
        "separable from a rank neighbour at that precision (`elo_separable` false): their Elo "
        "ranks could swap under another seed.")
    from swisssim.plots.names import BUMP_BACKGROUND, BUMP_TOP

    sampled = ""
    if len(order) > BUMP_BACKGROUND + BUMP_TOP:
        sampled = (f" With more than {BUMP_BACKGROUND} unlabelled models, the thin lines are an "
                   "evenly spaced sample of them (the figure's title says which); the CSV lists "
                   "every model.")
    return Section("comparison", "Comparison with other rankings", (
        Paragraph(text),
        Paragraph(caveats),
        Figure("compare/figures/bump_chart.png", "Rank of every model under every method",
               prose("Rank under each method; CSD schedules right of the dashed line "
                     "(`compare/rankings.csv`)." + sampled)),
        Figure("compare/figures/rank_correlations.png", "Rank correlations between methods",
               prose("Rank agreement between methods (`compare/rank_correlations.csv`).")),
        Table("agreement-table", prose(f"Agreement of each method with CSD at "
                                       f"T={report.base_schedule}"),
              ("method", "reads", "Kendall τ-b", "Spearman ρ", "mean |Δrank|", "max |Δrank|"),
              agreement, (False, False, True, True, True, True)),
        Table("rankings-table", prose(f"Rank of every model under every method, by CSD rank at "
                                      f"T={report.base_schedule}; shift = rank by mean − rank "
                                      "by CSD (positive: CSD ranks it higher)"),
              header, shown, numeric, scroll=len(shown) > SCROLL_ROWS),
        *notes,
        Table("shifts-table", prose(f"Biggest rank shifts from the mean to each CSD schedule "
                                    f"(up to {TOP_SHIFTS} each; `compare/rank_shifts.csv`)"),
              ("schedule", "model", "rank by mean", "rank by CSD", "shift", "mean score",
               "E[S]"), shift_rows(comparison, shifts),
              (False, False, True, True, True, True, True)),
    ))


def identical_text(same: str, groups: Any = (), scenario: Any = None) -> str:
    """The report's note on methods that give one order (``same`` lists them), with the reason
    only where a reason holds for these data (generated, not canned).

    * Mean win rate and Borda both count, benchmark by benchmark, the models each model beats
      (ties half), so with no missing score they order the models alike.
    * Bradley-Terry and Copeland read round scores; with one benchmark per round and no missing
      score they see the same complete round robin, and Bradley-Terry's fit on a complete round
      robin orders the models by their total wins.
    Any other coincidence is said to be one of these data.
    """
    text = (f"**Identical orders.** On these data these methods rank every model the same way, "
            f"so they are one opinion, not several: {same}. ")
    if scenario is None:
        return text
    used = [b for r in scenario.rounds for b in r.benchmarks]
    complete = not bool(scenario.scores[used].isna().to_numpy().any())
    one_per_round = all(len(r.benchmarks) == 1 for r in scenario.rounds)
    explained: set[str] = set()
    reasons = []
    for group in groups:
        members = set(group)
        if complete and {"win_rate", "borda"} <= members:
            reasons.append("mean win rate and Borda both count, benchmark by benchmark, the "
                           "models each model beats (ties half), and no score is missing")
            explained |= {"win_rate", "borda"}
        if complete and one_per_round and "bt" in members and members & {"win_rate", "borda"}:
            reasons.append("with one benchmark per round and no missing score, Bradley-Terry is "
                           "fitted on the same complete round robin, whose strengths follow the "
                           "total number of wins")
            explained.add("bt")
    if reasons:
        text += "Why: " + "; ".join(reasons) + ". "
    rest = sorted({m for g in groups for m in g} - explained)
    if rest and reasons:
        text += (f"For {', '.join(rest)} no such rule applies: their agreement is a property "
                 "of these scores. ")
    elif not reasons:
        text += "No rule of the methods makes them agree here: it is a property of these scores. "
    return text


def agreement_rows(comparison: Any, correlations: pd.DataFrame, base: str) -> tuple:
    """One row per method other than ``base``: its Kendall tau-b etc. against ``base``."""
    rows = []
    for method in comparison.methods:
        if method.name == base:
            continue
        pair = correlations[((correlations.method_a == method.name)
                             & (correlations.method_b == base))
                            | ((correlations.method_b == method.name)
                               & (correlations.method_a == base))]
        if not len(pair):
            continue
        r = pair.iloc[0]
        rows.append((method.short, method.description, fmt(r.kendall_tau_b, 3),
                     fmt(r.spearman_rho, 3), fmt(r.mean_abs_rank_diff, 2),
                     str(int(r.max_abs_rank_diff))))
    return tuple(rows)


def shift_rows(comparison: Any, shifts: pd.DataFrame) -> tuple:
    short = {m.name: m.short for m in comparison.methods}
    rows = []
    for method in comparison.csd_methods:
        part = shifts[(shifts["method"] == method) & (shifts["shift"] != 0)].head(TOP_SHIFTS)
        for r in part.itertuples(index=False):
            rows.append((short[method], str(r.display_name), str(r.reference_rank), str(r.rank),
                         f"{int(r.shift):+d}", fmt(r.reference_score), fmt(r.score)))
    return tuple(rows)


def orders_section(report: Report) -> Section:
    """Spread of E[S] and rank over round orders at the base schedule."""
    result = report.orders
    assert result is not None   # the section is built only when orders ran
    label = result.labels[0]
    table = result.sensitivity()
    table = table[table["elimination"] == label]
    taus = result.kendall_taus()[1:, 0]
    finite = taus[np.isfinite(taus)]
    kind = (f"all {result.n_orders} orders of the {result.scenario.n_rounds} rounds"
            if result.exhaustive else
            f"{result.n_orders} orders (the curated one and a random sample of the "
            f"{result.scenario.n_rounds}! possible)")
    tau_text = (f"Kendall's τ-b of each order's ranking against the curated order's: median "
                f"**{fmt(float(np.median(finite)), 3)}**, minimum {fmt(float(finite.min()), 3)}."
                if finite.size else "")
    rows = tuple((str(r.marginal_rank), str(r.display_name), str(r.family),
                  f"{fmt(r.curated_score)} (#{r.curated_rank})", pm(r.mean_score, r.sd_score),
                  f"{fmt(r.min_score)} – {fmt(r.max_score)}", f"{r.best_rank} – {r.worst_rank}",
                  fmt(r.p_rank_first, 3), fmt(r.p_top_k, 3), fmt(r.mc_std_error, 4))
                 for r in table.itertuples(index=False))
    rows, notes = limit_rows(rows, result.scenario.n_models, "orders/order_sensitivity.csv")
    return Section("orders", "Order sensitivity", (
        Paragraph(inline(
            f"The rounds were replayed in {kind}, {result.iterations:,} tournaments each at "
            f"T={label}, with common random numbers. {tau_text} A spread (sd over orders) well "
            "above the Monte Carlo SE is due to the order, not to pairing luck.")),
        Figure("orders/order_spread.png", "Expected win score under each round order",
               prose("E[S] over round orders: dots = orders, red diamond = the curated order, "
                     "bar = mean (`orders/order_sensitivity.csv`).")),
        Table("orders-table", prose(f"By mean E[S] over orders (#); T={label}"),
              ("#", "model", "family", "curated E[S] (rank)", "mean ± sd over orders",
               "range", "ranks", "P(first)", f"P(top {result.top_k})", "MC SE"), rows,
              (True, False, False, True, True, True, True, True, True, True),
              scroll=len(rows) > SCROLL_ROWS),
        *notes,
    ))


def bootstrap_section(report: Report) -> Section:
    """Bootstrap rank intervals, Rank (UB), tiers and label support at the base schedule."""
    boot = report.bootstrap
    assert boot is not None   # the section is built only when the bootstrap ran
    label = report.base_schedule
    table = boot.table()
    tiers = table.groupby("elimination", sort=False)["tier"].max()
    part = table[table["elimination"] == label]
    scheme = ("every round's benchmarks resampled with replacement, n − 1 draws for a round of "
              "n (which makes the spread of a round mean match a fresh draw of n benchmarks)"
              + ("; each one-benchmark round's score shifted by a within-round deviation drawn "
                 "from the other rounds (assumption: benchmarks vary as much there)"
                 if boot.borrowing_rounds else "")
              + ("; every score perturbed by its standard error" if boot.noise else ""))
    rounds = (inline("Rounds with more than one benchmark (the only ones resampling changes): ",
                     plain(", ".join(boot.resampled_rounds)), ".")
              if boot.resampled_rounds else inline("Every round has one benchmark."))
    endpoint = float(np.nanmax(part[["rank_low_mc", "rank_high_mc"]].to_numpy()))
    silent = boot.silent_rounds
    outside = int(((part["expected_score"] < part["score_low"])
                   | (part["expected_score"] > part["score_high"])).sum())
    shifted = (f" {outside} model(s) lie outside their own interval: resampling the benchmarks "
               "moves their replicates (`resampling_shift` in `bootstrap/bootstrap.csv`; a "
               "field's best model usually loses when its benchmarks are redrawn), and the "
               "interval follows them, as the estimate on fresh benchmarks would."
               if outside else "")
    coverage = ("In the calibration (docs/method.md, section 7.6) such intervals cover this "
                f"target in {COVERAGE_RANGE} of datasets (nominal {100 * boot.level:g}%), "
                "one-benchmark rounds included where other rounds lend their spread."
                if boot.calibrated else
                "No calibrated target here: no round has two or more benchmarks, so the data "
                "say nothing about benchmark-to-benchmark variation, and these intervals are "
                "descriptive (`interval_target` in `bootstrap/bootstrap.csv`).")
    used = len({b for r in boot.scenario.rounds for b in r.benchmarks})
    family = boot.scenario.n_models * (boot.scenario.n_models - 1) // 2
    reach = (f"With {used} benchmarks no p-value can be below 2^(1 − {used}), above the first "
             f"Holm threshold 0.05 / {family}: no pair can be significant here, and the pairwise "
             "comparisons are descriptive. "
             if family and 2.0 ** (1 - used) > 0.05 / family else "")
    blocks: list[Any] = [Paragraph(inline(
        f"{boot.replicates} replicates × {boot.iterations:,} tournaments: in each, {scheme}; "
        f"CSD is rerun with the same random numbers. E[S] intervals are {100 * boot.level:g}% "
        "percentile intervals of the replicates, widened around the replicates' mean by "
        f"Student's t with {boot.resampler.degrees_of_freedom} degrees of freedom (the "
        "within-round deviations the spread is estimated from); their target is the mean of "
        f"E[S] over fresh draws of as many benchmarks per round. {coverage}{shifted} Rank "
        "intervals are the "
        "same percentiles of the replicates' ranks; with another set of replicates their ends "
        f"could move by up to {endpoint:g} rank(s) (`rank_low_mc`, `rank_high_mc`). ", rounds)),
        Paragraph(inline(
            "**Pairs, Rank (UB) and tiers.** Every pair of models is tested for "
            "exchangeability: would swapping the two models' scores on any set of benchmarks "
            "leave the data as likely? The statistic is the difference of their mean round win "
            "rates (share of the field beaten per benchmark, rounds weighted equally); its "
            "p-value is exact over all swaps up to 30 differing benchmarks (above, a valid upper "
            "bound, within a few per cent of it wherever the pair could be significant), "
            "Holm-adjusted over all pairs at family-wise "
            "level 0.05, and a pair is "
            "significant when it is rejected and the model placed higher by E[S] has the "
            "higher win rate (`bootstrap/pairwise.csv`). In the calibration (docs/method.md, "
            f"section 7.6) the family-wise error stays at or below 0.05 in every process, "
            f"one-benchmark rounds and score errors included (at most {FWER_MAX}); the tests "
            f"are conservative and find {POWER_TWINS} of the true differences in the calibration's "
            "twin field (abilities half the model-by-benchmark noise apart). ",
            reach, "*Rank (UB)* is 1 + the number of models significantly better. A "
            "*tier boundary* is drawn exactly where every model above it is significantly "
            "better than every model below it, so the tiers do not depend on the direction in "
            "which they are read; members of a tier are not claimed equal. Tiers: "
            + ", ".join(f"T={k}: {int(v)}" for k, v in tiers.items()) + "."))]
    if boot.degenerate:
        blocks.append(Paragraph(inline(
            "The data carry no uncertainty information: every round has one benchmark and the "
            "scenario gives no score errors or item counts, so nothing was resampled, these "
            "intervals show Monte Carlo noise only."), "warning"))
    elif boot.borrowing_rounds:
        blocks.append(Paragraph(inline(
            "These rounds have one benchmark, so their uncertainty is borrowed from the "
            "spread of the benchmarks inside the other rounds (an assumption the data cannot "
            "check): ", plain(", ".join(boot.borrowing_rounds)), "."), "warning"))
    elif silent:
        blocks.append(Paragraph(inline(
            "These rounds have one benchmark and no score errors or item counts, so they "
            "contribute no uncertainty to the intervals: ", plain(", ".join(silent)), "."),
            "warning"))
    support = boot.label_support(report.sweep.z)
    labelled = support[support["profile"] != "average risk"]
    if len(labelled):
        blocks.append(Paragraph(inline(
            f"**Risk labels under resampling.** Of the {len(labelled)} models with a label other "
            "than *average risk*, the label holds in a median of "
            f"{100 * float(labelled['label_support'].median()):.0f}% of the replicates (lowest "
            f"{100 * float(labelled['label_support'].min()):.0f}%); every model's shares are in "
            "`bootstrap/labels.csv`. This is descriptive: on fields of exchangeable models most "
            "datasets give some model a label (docs/method.md, section 7.6).")))
    rows = tuple((str(r.rank), str(r.display_name), str(r.family), str(r.rank_ub), str(r.tier),
                  f"{r.rank_low} – {r.rank_high}", fmt(r.rank_median, 1), fmt(r.expected_score),
                  f"{fmt(r.score_low)} – {fmt(r.score_high)}")
                 for r in part.itertuples(index=False))
    rows, notes = limit_rows(rows, boot.scenario.n_models, "bootstrap/bootstrap.csv")
    blocks += [
        Figure("bootstrap/bootstrap_ranks.png", "Bootstrap rank intervals with tiers",
               prose("Rank intervals per model; shaded bands are tiers (`bootstrap/tiers.csv`).")),
        Table("bootstrap-table", prose(f"Bootstrap intervals at T={label}"),
              ("rank", "model", "family", "rank (UB)", "tier", "rank interval", "median rank",
               "E[S]", "E[S] interval"), rows,
              (True, False, False, True, True, True, True, True, True),
              scroll=len(rows) > SCROLL_ROWS),
        *notes,
    ]
    return Section("bootstrap", "Data uncertainty (bootstrap)", tuple(blocks))


__all__ = ["agreement_rows", "bootstrap_section", "comparison_section", "orders_section",
           "shift_rows"]
