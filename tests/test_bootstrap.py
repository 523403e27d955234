"""Bootstrap over benchmarks and score noise, rank intervals, tiers, score_errors, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import TINY_CSV, TINY_TOML, assert_clean_failure
from swisssim import Scenario, load_scenario, simulate
from swisssim.analysis.bootstrap import RESAMPLE_SCHEMES, Resampler, bootstrap, rank_tiers
from swisssim.cli.app import main
from swisssim.data.rounds import normalized_scores, round_scores
from swisssim.errors import InputError

TWO_BENCH_CSV = ("model,a1,a2,b1,b2,c\n"
                 "m1,0.9,0.1,0.5,0.6,0.3\nm2,0.2,0.8,0.4,0.7,0.6\n"
                 "m3,0.5,0.5,0.9,0.1,0.2\nm4,0.4,0.3,0.2,0.3,0.9\nm5,0.7,0.6,0.3,0.8,0.5\n")
ROUNDS = {"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c"]}


def _scenario(**kwargs) -> Scenario:
    frame = pd.read_csv(pd.io.common.StringIO(TWO_BENCH_CSV))
    return Scenario.from_dataframe(frame, rounds=ROUNDS, **kwargs)


def test_zero_noise_and_one_benchmark_per_round_give_zero_width_intervals():
    scenario = Scenario.from_dataframe(pd.read_csv(pd.io.common.StringIO(TINY_CSV)))
    result = bootstrap(scenario, 6, iterations=500, seed=2, elimination=[0, 1])
    assert result.degenerate and result.resampled_rounds == () and not result.noise
    reference = simulate(scenario, iterations=500, seed=2, elimination=[0, 1])
    assert np.array_equal(result.reference.score_sum, reference.score_sum)
    bounds = result.intervals()
    np.testing.assert_array_equal(bounds["score_low"], bounds["score_high"])
    np.testing.assert_array_equal(bounds["score_low"], reference.expected())
    np.testing.assert_array_equal(bounds["rank_low"], bounds["rank_high"])
    table = result.table()
    assert (table["rank"] == table.rank_low).all() and (table["rank"] == table.rank_high).all()


def test_explicit_zero_score_errors_change_nothing():
    zeros = pd.DataFrame(0.0, index=[f"m{i}" for i in range(1, 6)], columns=["a1", "c"])
    scenario = _scenario(score_errors=zeros)
    plain = bootstrap(_scenario(), 4, iterations=300, seed=1, elimination=[0])
    with_zeros = bootstrap(scenario, 4, iterations=300, seed=1, elimination=[0])
    assert not with_zeros.noise
    assert np.array_equal(plain.score_sum, with_zeros.score_sum)


def test_identity_replicate_reproduces_the_round_scores_exactly():
    csv = "model,a,b,c\nm1,3,,2\nm2,2,3,1\nm3,1,2,\nm4,1,1,1\n"
    frame = pd.read_csv(pd.io.common.StringIO(csv))
    for missing in ("skip", "lose"):
        scenario = Scenario.from_dataframe(frame, rounds={"r1": ["a", "b"], "r2": ["c"]},
                                           missing=missing, normalization="minmax")
        np.testing.assert_array_equal(Resampler(scenario).values(None), round_scores(scenario))


@pytest.mark.parametrize("scheme", RESAMPLE_SCHEMES)
def test_resampling_stays_inside_each_round_and_is_seeded(scheme):
    """Each scheme's replicate, against the list of every value it may take: ``n`` draws
    average two of a round's two benchmarks, ``n-1`` draws take one; the one-benchmark round is
    kept, or (``n-1``) shifted by a within-round deviation of another round scaled by sqrt(2)."""
    scenario = _scenario()
    resampler = Resampler(scenario, scheme)
    assert resampler.resampled_rounds == ("A", "B")
    assert resampler.degrees_of_freedom == 2
    scores = normalized_scores(scenario)
    seen = set()
    deviations = [np.sqrt(2.0) * (scores[x] - (scores[x] + scores[y]) / 2).to_numpy()
                  for x, y in [("a1", "a2"), ("a2", "a1"), ("b1", "b2"), ("b2", "b1")]]
    for b in range(60):
        values = resampler.values(resampler.generator(7, b))
        for k, (x, y) in enumerate([("a1", "a2"), ("b1", "b2")]):
            options = [scores[x], scores[y]] + ([(scores[x] + scores[y]) / 2]
                                                if scheme == "n" else [])
            match = [j for j, o in enumerate(options) if np.allclose(values[k], o.to_numpy())]
            assert match
            seen.add((k, match[0]))
        lent = [scores["c"].to_numpy() + d for d in deviations] if scheme == "n-1" else [
            scores["c"].to_numpy()]
        match = [j for j, o in enumerate(lent) if np.allclose(values[2], o)]
        assert match
        seen.add((2, match[0]))
    assert len(seen) == {"n-1": 8, "n-1 kept": 5, "n": 7}[scheme]
    assert resampler.borrowing_rounds == (("C",) if scheme == "n-1" else ())
    again = resampler.values(resampler.generator(7, 3))
    np.testing.assert_array_equal(again, resampler.values(resampler.generator(7, 3)))


def test_n_minus_one_draws_make_the_variance_of_a_round_mean_unbiased():
    """Over many replicates, the variance of a round score is s**2 / n (s**2 the sample
    variance of the round's benchmarks): what a fresh draw of n benchmarks has on average."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(3, 5)), index=["m1", "m2", "m3"],
                         columns=[f"b{j}" for j in range(5)])
    frame.index.name = "model"
    scenario = Scenario.from_dataframe(frame, rounds={"A": list(frame.columns)},
                                       normalization="none")
    resampler = Resampler(scenario)
    values = np.stack([resampler.values(resampler.generator(1, b))[0] for b in range(20000)])
    expected = frame.to_numpy().var(axis=1, ddof=1) / 5
    assert np.allclose(values.var(axis=0), expected, rtol=0.05)
    classic = Resampler(scenario, "n")
    values = np.stack([classic.values(classic.generator(1, b))[0] for b in range(20000)])
    assert np.allclose(values.var(axis=0), expected * 4 / 5, rtol=0.05)   # biased low
    with pytest.raises(InputError, match="scheme"):
        Resampler(scenario, "jackknife")


def test_replicates_do_not_depend_on_their_number():
    short = bootstrap(_scenario(), 3, iterations=200, seed=4, elimination=[0])
    long = bootstrap(_scenario(), 5, iterations=200, seed=4, elimination=[0])
    assert np.array_equal(short.score_sum, long.score_sum[:3])


def test_score_errors_perturb_the_scores():
    errors = pd.DataFrame(0.05, index=[f"m{i}" for i in range(1, 6)], columns=["c"])
    frame = pd.read_csv(pd.io.common.StringIO(TWO_BENCH_CSV))
    scenario = Scenario.from_dataframe(frame, rounds={"A": ["a1"], "B": ["b1"], "C": ["c"]},
                                       score_errors=errors)
    result = bootstrap(scenario, 30, iterations=300, seed=3, elimination=[0])
    assert result.noise and not result.degenerate
    resampler = Resampler(scenario)
    values = resampler.values(resampler.generator(3, 0))
    np.testing.assert_array_equal(values[:2], round_scores(scenario)[:2])  # no error there
    assert not np.array_equal(values[2], round_scores(scenario)[2])
    bounds = result.intervals()
    assert np.all(bounds["score_low"] <= bounds["score_high"])
    assert np.any(bounds["score_high"] - bounds["score_low"] > 0)


def test_rank_tiers_on_hand_built_intervals():
    low = [1, 1, 3, 5, 5, 8]
    high = [2, 3, 4, 6, 7, 8]
    assert rank_tiers(low, high).tolist() == [1, 1, 1, 2, 2, 3]
    # Overlap chains: [1,2] and [3,4] do not overlap but [2,3] links them.
    assert rank_tiers([1, 2, 3], [2, 3, 4]).tolist() == [1, 1, 1]
    assert rank_tiers([1, 2, 3], [1, 2, 3]).tolist() == [1, 2, 3]
    # Ties in rank share a tier; the input order does not matter.
    assert rank_tiers([1, 1, 3], [1, 1, 3]).tolist() == [1, 1, 2]
    permutation = [4, 0, 5, 2, 1, 3]
    shuffled = rank_tiers(np.take(low, permutation), np.take(high, permutation))
    assert shuffled.tolist() == np.take([1, 1, 1, 2, 2, 3], permutation).tolist()
    with pytest.raises(InputError, match="low <= high"):
        rank_tiers([3], [2])


def test_tier_table_is_consistent_with_the_pairwise_tests():
    result = bootstrap(_scenario(), 20, iterations=300, seed=5, elimination=[0, 1])
    tiers = result.tiers()
    pairs = result.pairwise()
    assert len(tiers) == 5 * 2
    assert len(pairs) == 10 * 2   # every pair of 5 models, per schedule
    significant = {(r.elimination, frozenset((r.model_a, r.model_b)))
                   for r in pairs.itertuples() if r.significant}
    for label, group in tiers.groupby("elimination"):
        assert group.tier.iloc[0] == 1
        assert (group.tier.diff().dropna() >= 0).all()
        names = list(group.model)          # by tier, then rank: positions best first
        tier_of = dict(zip(group.model, group.tier))
        for _tier, members in group.groupby("tier"):
            assert (members.tier_size == len(members)).all()
        # A boundary after position p exactly when every model above is significantly better
        # than every model below (complete separation), whichever way one looks at it.
        for p in range(len(names) - 1):
            separated = all((label, frozenset((a, b))) in significant
                            for a in names[:p + 1] for b in names[p + 1:])
            assert separated == (tier_of[names[p]] != tier_of[names[p + 1]])
        table = result.table()
        for row in table[table.elimination == label].itertuples():
            above = sum(1 for r in pairs.itertuples() if r.elimination == label
                        and r.model_b == row.model and r.significant and r.difference > 0)
            assert row.rank_ub == 1 + above


def test_score_errors_file_is_loaded_and_validated(write_scenario, tmp_path):
    toml = 'name = "tiny"\nscores = "scores.csv"\nscore_errors = "se.csv"\n'
    (tmp_path / "se.csv").write_text("model,b\nm4,0.5\nm2,\nm1,0.1\nm3,0\n")
    scenario = load_scenario(write_scenario(toml, TINY_CSV))
    assert scenario.score_errors.index.tolist() == ["m1", "m2", "m3", "m4"]
    assert scenario.score_errors.columns.tolist() == ["a", "b", "c"]
    assert scenario.score_errors["b"].tolist() == [0.1, 0.0, 0.0, 0.5]
    assert scenario.score_errors["a"].eq(0).all()
    bad = {"model,b\nm1,-0.1\nm2,0\nm3,0\nm4,0\n": ["standard error", "'m1'", "-0.1"],
           "model,zz\nm1,1\nm2,0\nm3,0\nm4,0\n": ["se.csv", "header", "'zz'"],
           "model,b\nm1,1\nm2,0\nm3,0\n": ["se.csv", "m4"],
           "model,b\nm1,1\nm2,0\nm3,0\nm4,0\nm9,1\n": ["se.csv", "m9"],
           "model,b\nm1,x\nm2,0\nm3,0\nm4,0\n": ["'x'"]}
    for text, fragments in bad.items():
        (tmp_path / "se.csv").write_text(text)
        with pytest.raises(InputError) as info:
            load_scenario(tmp_path / "tiny.toml")
        for fragment in fragments:
            assert fragment in str(info.value)


def test_run_bootstrap_end_to_end(tmp_path, write_scenario, capsys):
    path = write_scenario('name = "tiny"\nscores = "scores.csv"\n', TWO_BENCH_CSV)
    out = tmp_path / "res"
    assert main(["run", str(path), "-n", "300", "-T", "0", "1", "--bootstrap", "8",
                 "--no-progress", "--out", str(out)]) == 0
    assert "bootstrap: 8 replicates" in capsys.readouterr().err
    for name in ("bootstrap.csv", "tiers.csv", "pairwise.csv", "bootstrap_ranks.png",
                 "bootstrap_ranks.svg", "expected_scores.csv", "manifest.json"):
        assert (out / name).exists(), name
    table = pd.read_csv(out / "bootstrap.csv", dtype={"elimination": str})
    assert len(table) == 5 * 2
    assert (table.rank_low <= table.rank_high).all()
    assert (table.score_low <= table.score_high).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["bootstrap"]["replicates"] == 8
    assert manifest["bootstrap"]["iterations_per_replicate"] == 300
    assert "significantly better than every model below" in manifest["bootstrap"]["tier_rule"]
    assert "exchangeable" in manifest["bootstrap"]["pairwise"]["null"]
    assert "Holm" in manifest["bootstrap"]["pairwise"]["multiplicity"]
    pairs = pd.read_csv(out / "pairwise.csv", dtype={"elimination": str})
    assert list(pairs.columns[:3]) == ["model_a", "model_b", "elimination"]
    assert {"p_a_above_b", "significant"} <= set(pairs.columns) and len(pairs) == 10 * 2
    assert (table.rank_ub >= 1).all() and (table.rank_ub <= table["rank"]).all()


def test_run_bootstrap_warns_when_nothing_is_resampled(tmp_path, write_scenario, capsys):
    path = write_scenario(TINY_TOML, TINY_CSV)
    assert main(["run", str(path), "-n", "100", "--bootstrap", "2", "--no-progress",
                 "--out", str(tmp_path / "r")]) == 0
    assert "nothing to resample" in capsys.readouterr().err


@pytest.mark.parametrize("extra, fragments", [
    (["--bootstrap", "0"], ["--bootstrap", "integer >= 1", "0"]),
    (["--bootstrap", "-2"], ["--bootstrap", "-2"]),
    (["--bootstrap-iterations", "10"], ["--bootstrap-iterations", "--bootstrap B"]),
    (["--bootstrap", "2", "--bootstrap-iterations", "0"], ["--bootstrap-iterations", "0"]),
])
def test_run_bootstrap_bad_input(tmp_path, write_scenario, capsys, extra, fragments):
    path = write_scenario(TINY_TOML, TINY_CSV)
    out = tmp_path / "out"
    code = main(["run", str(path), "--no-progress", "--out", str(out), *extra])
    assert_clean_failure(code, capsys.readouterr().err, out, *fragments)


def test_api_rejects_bad_replicates_and_level():
    with pytest.raises(InputError, match="replicates"):
        bootstrap(_scenario(), 0)
    with pytest.raises(InputError, match="level"):
        bootstrap(_scenario(), 2, level=1.5)


def test_label_support_is_one_without_resampling_and_shares_sum_to_one():
    scenario = Scenario.from_dataframe(pd.read_csv(pd.io.common.StringIO(TWO_BENCH_CSV)))
    still = bootstrap(scenario, 4, iterations=400, seed=3, elimination=[0, 1, 2])
    assert still.degenerate
    support = still.label_support()
    assert (support["label_support"] == 1.0).all()   # every replicate is the data as given
    moving = bootstrap(_scenario(), 25, iterations=400, seed=3, elimination=[0, 1, 2])
    support = moving.label_support()
    shares = support.filter(like="share_").to_numpy()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    reference = support["profile"].str.replace(" ", "_")
    for row, name in zip(support.itertuples(index=False), reference):
        assert row.label_support == getattr(row, "share_" + name)
    assert len(bootstrap(_scenario(), 2, iterations=100, seed=3,
                         elimination=[0]).label_support()) == 0   # one schedule: no contrast
