"""From raw benchmark scores to round scores and the win tensor.

Liu et al. (arXiv:2512.21010) average a model's raw scores over the benchmarks of a round and then
compare models pairwise: model i beats model j in round k iff its round score is strictly higher.
Margins are discarded on purpose, which is what removes the need to weight benchmarks.

Conventions
-----------
* Direction: benchmarks listed in ``lower_is_better`` are negated first.
* Normalisation (per benchmark, over the models that have a score): ``minmax`` maps to [0, 1],
  ``zscore`` to mean 0 and (population) standard deviation 1, ``rank`` to the average rank (1 =
  worst; tied models share the mean of their ranks). A benchmark on which all models are equal
  maps to 0 under ``minmax`` and ``zscore``.
* Extreme magnitudes: any finite score is accepted. Columns (and round blocks) whose largest
  magnitude lies outside ``[2**-500, 2**500]`` are first multiplied by a power of two
  (:func:`power_of_two_exponent`), which is exact and changes no comparison, so differences, squares
  and sums cannot overflow into ``inf`` or ``nan``.
* Missing scores: under ``lose`` a model missing any benchmark of a round gets round score
  ``-inf`` (it loses every match of the round; two such models tie); under ``skip`` the round score
  is the mean of the available benchmarks, and ``-inf`` when none is available.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from swisssim.data.scenario import Scenario
from swisssim.errors import InputError


def normalized_scores(scenario: Scenario) -> pd.DataFrame:
    """Raw scores after direction and per-benchmark normalisation (NaN stays NaN)."""
    frame = scenario.scores.copy()
    for bench in scenario.scoring.lower_is_better:
        frame[bench] = -frame[bench]
    method = scenario.scoring.normalization
    if method == "none":
        return frame
    for bench in frame.columns:
        frame[bench] = _normalize(frame[bench], method)
    return frame


#: Magnitudes outside ``[2**-SAFE_EXPONENT, 2**SAFE_EXPONENT]`` are rescaled by a power of two
#: before a sum, a difference or a square could overflow (or a square underflow).
SAFE_EXPONENT = 500


def power_of_two_exponent(values: np.ndarray) -> int:
    """An exponent ``e`` such that ``values * 2**-e`` has its largest magnitude in [0.5, 1).

    ``0`` when the largest finite magnitude already lies in the safe range (or there is none).
    Scaling by a power of two (:func:`rescaled`) is exact (barring underflow of values ``2**-500``
    times smaller than the largest), and ``minmax``, ``zscore``, ``rank`` and the order of round
    means are unchanged by a common positive factor, so rescaling changes no result that does not
    overflow; it only keeps finite inputs finite (``docs/method.md`` section 1).
    """
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return 0
    top = float(finite.max())
    if top == 0.0 or 2.0**-SAFE_EXPONENT <= top <= 2.0**SAFE_EXPONENT:
        return 0
    return int(np.frexp(top)[1])


def rescaled(values: np.ndarray, exponent: int) -> np.ndarray:
    """``values * 2**exponent``, exactly, without forming a factor that could overflow."""
    return values if exponent == 0 else np.ldexp(values, exponent)


def _normalize(column: pd.Series, method: str) -> pd.Series:
    if method == "rank":
        return column.rank(method="average")
    values = column.to_numpy(dtype=np.float64)
    column = pd.Series(rescaled(values, -power_of_two_exponent(values)), index=column.index)
    if method == "minmax":
        low, high = column.min(), column.max()
        return (column - low) / (high - low) if high > low else column * 0.0
    spread = column.std(ddof=0)
    return (column - column.mean()) / spread if spread > 0 else column * 0.0


def _mean_over_available(block: np.ndarray, absent: np.ndarray) -> np.ndarray:
    """Per row, the mean of the present values, finite whenever they are (no overflowing sum)."""
    present = np.where(absent, 0.0, block)
    exponent = power_of_two_exponent(present)
    counts = (~absent).sum(axis=1)
    sums = rescaled(present, -exponent).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return rescaled(sums / counts, exponent)


def round_scores(scenario: Scenario) -> np.ndarray:
    """Round scores, shape (K, M), C-contiguous float64; higher is better, ``-inf`` = loses all."""
    frame = normalized_scores(scenario)
    position = {bench: i for i, bench in enumerate(frame.columns)}
    columns = [np.array([position[b] for b in rnd.benchmarks], dtype=np.intp)
               for rnd in scenario.rounds]
    return round_means(frame.to_numpy(dtype=np.float64), columns, scenario.scoring.missing)


def round_means(matrix: np.ndarray, columns: Sequence[np.ndarray], missing: str) -> np.ndarray:
    """Round scores (K, M) from scores (M, benchmarks) and each round's column indices.

    The plain mean over the round's columns (a column may repeat, as in a bootstrap resample);
    ``-inf`` for a model missing any of them, or, under the ``skip`` policy, missing all of them.
    """
    result = np.empty((len(columns), matrix.shape[0]), dtype=np.float64)
    for k, cols in enumerate(columns):
        block = matrix[:, cols]
        absent = np.isnan(block)
        counts = (~absent).sum(axis=1)
        means = _mean_over_available(block, absent)
        if missing == "skip":
            means[counts == 0] = -np.inf
        else:
            means[absent.any(axis=1)] = -np.inf
        result[k] = means
    return np.ascontiguousarray(result)


def round_noise(scenario: Scenario) -> np.ndarray:
    """Standard deviation of each round score from the scenario's ``score_errors``, shape (K, M).

    Used by probabilistic wins. Benchmark errors are taken as independent: a round mean over
    ``n`` available benchmarks has standard deviation ``sqrt(sum(se_b**2)) / n``. Normalisation
    rescales errors like the scores (``minmax`` by 1 / range, ``zscore`` by 1 / sd); ``rank``
    normalisation has no error model and is refused. Without ``score_errors`` all are 0.
    """
    shape = (scenario.n_rounds, scenario.n_models)
    if scenario.score_errors is None:
        return np.zeros(shape)
    method = scenario.scoring.normalization
    if method == "rank":
        raise InputError(str(scenario.path or "scenario"), "[scoring].normalization",
                         "'none', 'minmax' or 'zscore' with probabilistic wins (ranks carry no "
                         "standard error)", method)
    errors = scenario.score_errors.copy()
    for bench in errors.columns:
        column = scenario.scores[bench]
        values = column.to_numpy(dtype=np.float64)
        exponent = power_of_two_exponent(values) if method != "none" else 0
        values = pd.Series(rescaled(values, -exponent))
        if method == "minmax":
            spread = values.max() - values.min()
        elif method == "zscore":
            spread = values.std(ddof=0)
        else:
            spread = 1.0
        scaled = rescaled(errors[bench].to_numpy(dtype=np.float64), -exponent)
        errors[bench] = scaled / spread if spread > 0 else 0.0
    result = np.zeros(shape)
    for k, rnd in enumerate(scenario.rounds):
        present = scenario.scores[list(rnd.benchmarks)].notna().to_numpy()
        block = np.where(present, errors[list(rnd.benchmarks)].to_numpy(dtype=np.float64), 0.0)
        exponent = power_of_two_exponent(block)
        squares = rescaled(block, -exponent) ** 2
        counts = present.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            norms = rescaled(np.sqrt(squares.sum(axis=1)), exponent)
            result[k] = np.where(counts > 0, norms / counts, 0.0)
    return np.ascontiguousarray(result)


def win_tensor(scores_by_round: np.ndarray) -> np.ndarray:
    """The paper's binary win tensor W, shape (M, M, K), dtype bool.

    ``W[i, j, k]`` is True iff model i's round-k score is strictly higher than model j's. Equal
    scores give ``W[i, j, k] == W[j, i, k] == False``: the engine settles such a match with a fair
    coin (or a draw, if the scenario says so).
    """
    values = np.asarray(scores_by_round, dtype=np.float64)
    return np.transpose(values[:, :, None] > values[:, None, :], (1, 2, 0))
