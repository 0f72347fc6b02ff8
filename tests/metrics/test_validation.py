"""Every metric accepts lists, arrays and Series, and rejects bad input with a clear ValueError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel.metrics as rm_metrics
from riskmodel.metrics import (
    average_precision,
    brier_decomposition,
    brier_score,
    calibration_intercept,
    calibration_slope,
    calibration_slope_intercept,
    expected_calibration_error,
    log_loss,
    number_needed_to_flag,
    observed_expected_ratio,
    precision_at_k,
    recall_at_k,
    roc_auc,
)

Y = [0, 1, 0, 1, 1, 0, 0, 1]
P = [0.1, 0.8, 0.3, 0.6, 0.4, 0.2, 0.5, 0.7]

PROBABILITY_METRICS = [
    brier_score,
    log_loss,
    expected_calibration_error,
    brier_decomposition,
    calibration_slope,
    calibration_intercept,
    calibration_slope_intercept,
    observed_expected_ratio,
]


def _capacity(metric):
    def call(y, s):
        return metric(y, s, 3)

    call.__name__ = metric.__name__
    return call


SCORE_METRICS = [
    roc_auc,
    average_precision,
    _capacity(precision_at_k),
    _capacity(recall_at_k),
    _capacity(number_needed_to_flag),
]
ALL_METRICS = SCORE_METRICS + PROBABILITY_METRICS
IDS = [m.__name__ for m in ALL_METRICS]


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_lists_arrays_and_series_give_the_same_value(metric):
    expected = metric(Y, P)
    assert metric(np.array(Y), np.array(P)) == expected
    assert metric(pd.Series(Y, index=list("abcdefgh")), pd.Series(P)) == expected
    assert metric(np.array(Y, dtype=bool), tuple(P)) == expected
    assert metric(pd.Series(Y, dtype="boolean"), pd.Series(P, dtype="Float64")) == expected


@pytest.mark.parametrize("metric", [roc_auc, brier_score, _capacity(precision_at_k)])
def test_scalar_metrics_return_python_floats(metric):
    assert type(metric(np.array(Y), np.array(P))) is float


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_lengths_differ(metric):
    with pytest.raises(
        ValueError, match=r"y_true and y_(score|prob) have different lengths \(8 and 7\)"
    ):
        metric(Y, P[:-1])


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_non_binary_y_true_names_rows_and_values(metric):
    y = [0, 1, 2, 1, 1, 0, 0, -1]
    with pytest.raises(
        ValueError,
        match=r"y_true must be binary .* 2 values are not \(rows 2, 7; values 2.0, -1.0\)",
    ):
        metric(y, P)


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_nan_in_y_true(metric):
    y = pd.Series([0, 1, None, 1, 1, 0, 0, 1], dtype="Int64", index=list("abcdefgh"))
    with pytest.raises(ValueError, match=r"y_true contains NaN in 1 of 8 rows \(row c\)"):
        metric(y, P)


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_nan_in_scores(metric):
    p = list(P)
    p[4] = np.nan
    with pytest.raises(ValueError, match=r"y_(score|prob) contains NaN in 1 of 8 rows \(row 4\)"):
        metric(Y, p)


@pytest.mark.parametrize(
    "metric", PROBABILITY_METRICS, ids=[m.__name__ for m in PROBABILITY_METRICS]
)
def test_probabilities_outside_unit_interval(metric):
    p = list(P)
    p[1], p[6] = 1.2, -0.1
    with pytest.raises(
        ValueError,
        match=r"y_prob must be probabilities in \[0, 1\]; 2 values are outside "
        r"\(rows 1, 6; values 1.2, -0.1\)",
    ):
        metric(Y, p)


@pytest.mark.parametrize("metric", SCORE_METRICS, ids=[m.__name__ for m in SCORE_METRICS])
def test_ranking_metrics_accept_any_real_scores(metric):
    logits = np.log(np.array(P) / (1 - np.array(P)))
    assert metric(Y, logits) == metric(Y, P)
    assert metric(Y, np.where(np.array(P) > 0.75, np.inf, logits)) == metric(Y, P)


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_empty_input(metric):
    with pytest.raises(ValueError, match="y_true is empty"):
        metric([], [])


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_two_dimensional_input(metric):
    with pytest.raises(
        ValueError, match=r"y_(score|prob) must be one-dimensional; got shape \(8, 1\)"
    ):
        metric(Y, np.array(P)[:, None])
    with pytest.raises(ValueError, match="y_true must be one-dimensional; got a DataFrame"):
        metric(pd.DataFrame({"y": Y}), P)


@pytest.mark.parametrize("metric", ALL_METRICS, ids=IDS)
def test_text_labels_are_rejected(metric):
    with pytest.raises(ValueError, match="y_true must be numeric; got dtype"):
        metric(["no", "yes"] * 4, P)


def test_public_names_are_exported():
    for name in rm_metrics.__all__:
        assert getattr(rm_metrics, name).__doc__
    assert sorted(rm_metrics.__all__) == rm_metrics.__all__
