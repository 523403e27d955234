"""Standard errors of scores: item counts give binomial errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swisssim import InputError, Scenario, load_scenario
from swisssim.analysis.bootstrap import bootstrap

SCORES = pd.DataFrame({"acc": [0.5, 0.9, 0.1], "pct": [50.0, 90.0, 0.0], "f1": [0.3, 0.4, 0.5]},
                      index=["a", "b", "c"])


def test_item_counts_give_binomial_errors():
    scenario = Scenario.from_dataframe(SCORES, item_counts={"acc": 100, "pct": 400})
    errors = scenario.score_errors
    np.testing.assert_allclose(errors["acc"], np.sqrt([0.25, 0.09, 0.09]) / 10)
    np.testing.assert_allclose(errors["pct"], 100 * np.sqrt([0.25, 0.09, 0.0]) / 20)
    assert errors["f1"].tolist() == [0.0, 0.0, 0.0]


def test_explicit_errors_win_over_item_counts():
    explicit = pd.DataFrame({"acc": [0.2, 0.0, 0.0]}, index=["a", "b", "c"])
    scenario = Scenario.from_dataframe(SCORES, score_errors=explicit, item_counts={"acc": 100})
    np.testing.assert_allclose(scenario.score_errors["acc"], [0.2, 0.03, 0.03])


@pytest.mark.parametrize("counts,fragment", [
    ({"nope": 10}, "item_counts.nope"),
    ({"acc": 0}, "positive integer"),
    ({"acc": 2.5}, "positive integer"),
    ({"f1": True}, "positive integer"),
])
def test_bad_item_counts(counts, fragment):
    with pytest.raises(InputError, match=fragment):
        Scenario.from_dataframe(SCORES, item_counts=counts)


def test_scores_outside_the_accuracy_range_are_refused():
    frame = SCORES.assign(acc=[0.5, -0.1, 0.2])
    with pytest.raises(InputError, match="accuracies in \\[0, 1\\]"):
        Scenario.from_dataframe(frame, item_counts={"acc": 10})


def test_item_counts_from_a_scenario_file_make_the_bootstrap_informative(write_scenario):
    path = write_scenario('scores = "s.csv"\n[item_counts]\nx = 50\ny = 50\n',
                          "model,x,y\na,0.60,0.50\nb,0.55,0.52\nc,0.20,0.90\nd,0.58,0.49\n",
                          csv_name="s.csv")
    scenario = load_scenario(path)
    assert (scenario.score_errors.to_numpy() > 0).all()
    result = bootstrap(scenario, 20, iterations=500, seed=0, elimination=[0])
    assert not result.degenerate
    table = result.table()
    assert (table.score_high - table.score_low > 0).any()
