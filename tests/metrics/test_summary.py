"""summarise: the standard metrics with intervals as one tidy table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from riskmodel.exceptions import DataQualityWarning
from riskmodel.metrics import (
    average_precision,
    bootstrap_metric,
    brier_score,
    calibration_intercept,
    calibration_slope,
    expected_calibration_error,
    log_loss,
    number_needed_to_flag,
    observed_expected_ratio,
    precision_at_k,
    recall_at_k,
    roc_auc,
    summarise,
)

STANDARD = {
    "roc_auc": roc_auc,
    "average_precision": average_precision,
    "brier_score": brier_score,
    "log_loss": log_loss,
    "expected_calibration_error": expected_calibration_error,
    "calibration_slope": calibration_slope,
    "calibration_intercept": calibration_intercept,
    "observed_expected_ratio": observed_expected_ratio,
}
CAPACITY = {
    "precision_at_k": precision_at_k,
    "recall_at_k": recall_at_k,
    "number_needed_to_flag": number_needed_to_flag,
}


def _frame(n_children=300, repeats=2, seed=0):
    rng = np.random.default_rng(seed)
    risk = rng.normal(-1.5, 1.2, n_children)
    person = np.repeat(np.arange(n_children), repeats)
    y = (rng.random(len(person)) < expit(risk[person])).astype(int)
    p = np.round(expit(risk[person] + rng.normal(0, 0.5, len(person))), 3)
    return y, p, person


def test_values_equal_the_metric_functions():
    y, p, _ = _frame()
    table = summarise(y, p, capacity=40, n_resamples=0)
    assert list(table.columns) == ["metric", "value", "lower", "upper"]
    assert table["metric"].tolist() == [*STANDARD, *CAPACITY]
    values = table.set_index("metric")["value"]
    for name, metric in STANDARD.items():
        assert values[name] == pytest.approx(metric(y, p), abs=1e-12), name
    for name, metric in CAPACITY.items():
        assert values[name] == pytest.approx(metric(y, p, 40), abs=1e-12), name
    assert table[["lower", "upper"]].isna().all().all()


def test_options_reach_the_metrics():
    y, p, _ = _frame(seed=1)
    table = summarise(y, p, capacity=30, n_resamples=0, n_bins=4, strategy="uniform", ties="worst")
    values = table.set_index("metric")["value"]
    assert values["expected_calibration_error"] == pytest.approx(
        expected_calibration_error(y, p, n_bins=4, strategy="uniform"), abs=1e-15
    )
    assert values["precision_at_k"] == precision_at_k(y, p, 30, ties="worst")


def test_without_capacity_there_are_no_capacity_rows():
    y, p, _ = _frame(seed=2)
    assert summarise(y, p, n_resamples=0)["metric"].tolist() == list(STANDARD)


def test_intervals_equal_bootstrap_metric_with_the_same_seed():
    y, p, person = _frame(seed=3)
    table = summarise(y, p, capacity=40, clusters=person, n_resamples=200, random_state=5)
    rows = table.set_index("metric")
    for name, metric, kwargs in [
        ("roc_auc", roc_auc, {}),
        ("calibration_slope", calibration_slope, {}),
        ("precision_at_k", precision_at_k, {"k": 40}),
    ]:
        estimate = bootstrap_metric(
            metric, y, p, clusters=person, n_resamples=200, random_state=5, **kwargs
        )
        assert rows.loc[name, "lower"] == pytest.approx(estimate.lower, abs=1e-12)
        assert rows.loc[name, "upper"] == pytest.approx(estimate.upper, abs=1e-12)
    assert (table["lower"] <= table["value"]).all() and (table["value"] <= table["upper"]).all()


def test_undefined_metrics_are_nan_with_a_warning():
    y = np.zeros(40, dtype=int)
    p = np.linspace(0.01, 0.4, 40)
    expected = (
        r"roc_auc, average_precision, calibration_slope, calibration_intercept, recall_at_k "
        r"are undefined on these data and reported as NaN "
        r"\(y_true holds a single class \(0\) in all 40 rows\)"
    )
    with pytest.warns(DataQualityWarning, match=expected):
        table = summarise(y, p, capacity=5, n_resamples=50, random_state=0)
    rows = table.set_index("metric")
    undefined = [
        "roc_auc",
        "average_precision",
        "calibration_slope",
        "calibration_intercept",
        "recall_at_k",
    ]
    assert rows.loc[undefined].isna().all().all()
    defined = rows.drop(index=undefined)
    assert defined.notna().all().all()
    assert rows.loc["observed_expected_ratio", "value"] == 0.0
    assert rows.loc["number_needed_to_flag", "value"] == np.inf


def test_rare_outcomes_warn_about_skipped_resamples():
    y = np.zeros(40, dtype=int)
    y[[5, 20]] = 1  # about 13 % of resamples miss both
    p = np.linspace(0.4, 0.01, 40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summarise(y, p, n_resamples=400, random_state=0)
    messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert any(m.startswith("roc_auc was undefined on") for m in messages)
    assert any(m.startswith("calibration_slope was undefined on") for m in messages)
    assert not any(m.startswith("brier_score") for m in messages)


def test_result_types():
    y, p, _ = _frame(seed=4)
    table = summarise(pd.Series(y), pd.Series(p), n_resamples=20, random_state=0)
    assert isinstance(table, pd.DataFrame)
    assert table["metric"].dtype == "str"
    assert all(table[c].dtype == np.float64 for c in ("value", "lower", "upper"))
    assert table.index.equals(pd.RangeIndex(len(STANDARD)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capacity": 0}, "k must be a positive integer number of rows; got 0"),
        ({"ties": "random"}, "ties must be one of"),
        ({"n_bins": 0}, "n_bins must be a positive integer"),
        ({"n_resamples": -1}, "n_resamples must be at least 0; got -1"),
        ({"confidence": 1.0}, r"confidence must be in \(0, 1\)"),
        ({"clusters": [1, 2]}, "clusters must have one label per row"),
    ],
)
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarise([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.9], **kwargs)


def test_scores_must_be_probabilities():
    with pytest.raises(ValueError, match="must be probabilities in"):
        summarise([0, 1], [0.2, 1.5])


def test_quiet_drops_too_narrow_intervals_without_warnings():
    y = np.zeros(40, dtype=int)
    y[[5, 20]] = 1  # about 13 % of resamples miss both
    p = np.linspace(0.4, 0.01, 40)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        loud = summarise(y, p, n_resamples=400, random_state=0).set_index("metric")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = summarise(y, p, n_resamples=400, random_state=0, undefined="quiet")
    quiet = quiet.set_index("metric")
    pd.testing.assert_series_equal(quiet["value"], loud["value"])
    for name in ["roc_auc", "calibration_slope"]:  # undefined on > 10% of resamples
        assert np.isfinite(quiet.loc[name, "value"]) and np.isnan(quiet.loc[name, "lower"])
    assert quiet.loc["brier_score", "lower"] == loud.loc["brier_score", "lower"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single = summarise(np.zeros(10, int), np.full(10, 0.1), n_resamples=5, undefined="quiet")
    assert np.isnan(single.set_index("metric").loc["roc_auc", "value"])


def test_undefined_must_be_warn_or_quiet():
    with pytest.raises(ValueError, match="undefined must be 'warn' or 'quiet'; got 'drop'"):
        summarise([0, 1], [0.1, 0.2], undefined="drop")
