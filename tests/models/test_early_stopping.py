"""RiskClassifier(early_stopping=...): temporal validation dates, the random and off modes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from riskmodel.models import RiskClassifier

N_DATES, ROWS_PER_DATE = 12, 400
FORCED = {"early_stopping": True, "max_iter": 300, "learning_rate": 0.2, "min_samples_leaf": 20}


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def _frame(n_dates: int = N_DATES, rows: int = ROWS_PER_DATE, seed: int = 0):
    n = n_dates * rows
    X, y = make_classification(
        n_samples=n, n_features=5, n_informative=3, weights=[0.95], flip_y=0.02, random_state=seed
    )
    dates = pd.date_range("2020-01-01", periods=n_dates, freq="MS").repeat(rows)
    index = pd.MultiIndex.from_arrays(
        [[f"p{i}" for i in range(n)], dates], names=["person_id", "as_of_date"]
    )
    return (
        pd.DataFrame(X, index=index, columns=[f"f{i}" for i in range(5)]),
        pd.Series(y, index=index),
    )


@pytest.fixture(scope="module")
def frame():
    return _frame()


class _Recording(HistGradientBoostingClassifier):
    """HistGradientBoosting that records the row counts each fit is given."""

    calls: list = []  # shared on purpose: clones record here too

    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        _Recording.calls.append((len(X), None if X_val is None else len(X_val)))
        return super().fit(X, y, sample_weight, X_val=X_val, y_val=y_val)


def test_temporal_validation_is_the_latest_base_fit_dates(frame):
    X, y = frame
    model = RiskClassifier(estimator_params=FORCED, early_stopping="temporal", random_state=0)
    model.fit(X, y)
    dates = X.index.get_level_values("as_of_date")
    unique = dates.unique().sort_values()
    # 20% of 12 dates calibrate (2), then 10% of the 10 base-fit dates validate (1).
    assert list(model.calibration_dates_) == list(unique[-2:])
    assert list(model.validation_dates_) == [unique[-3]]
    assert model.early_stopping_ == "temporal"
    hgb = model.base_pipeline_.named_steps["estimator"]
    assert model.n_iter_ == hgb.n_iter_ < FORCED["max_iter"]

    # Exactly a pipeline fitted on the first 9 dates, validated on the 10th, no refit.
    fit, val = dates < unique[-3], dates == unique[-3]
    reference = clone(model.base_pipeline_)
    preprocess, estimator = reference.named_steps.values()
    Xt = preprocess.fit_transform(X[fit])
    estimator.fit(Xt, y[fit], X_val=preprocess.transform(X[val]), y_val=y[val])
    np.testing.assert_array_equal(
        reference.decision_function(X), model.base_pipeline_.decision_function(X)
    )


def test_temporal_refit_grows_the_iterations_found_on_all_base_fit_rows(frame):
    X, y = frame
    temporal = RiskClassifier(estimator_params=FORCED, random_state=0).fit(X, y)
    model = RiskClassifier(
        estimator_params=FORCED, early_stopping="temporal_refit", random_state=0
    )
    model.fit(X, y)
    assert model.early_stopping_ == "temporal_refit"
    assert model.n_iter_ == temporal.n_iter_
    np.testing.assert_array_equal(model.validation_dates_, temporal.validation_dates_)
    base = X.index.get_level_values("as_of_date") < model.calibration_dates_.min()
    reference = clone(temporal.base_pipeline_).set_params(
        estimator__early_stopping=False, estimator__max_iter=temporal.n_iter_
    )
    reference.fit(X[base], y[base])
    np.testing.assert_array_equal(
        reference.decision_function(X), model.base_pipeline_.decision_function(X)
    )


def test_fit_never_sees_test_rows_and_the_slices_do_not_overlap(frame):
    X, y = frame
    dates = X.index.get_level_values("as_of_date")
    unique = dates.unique().sort_values()
    train = dates < unique[-2]  # the last two dates are the test dates
    _Recording.calls = []
    estimator = _Recording(**FORCED, random_state=0)
    model = RiskClassifier(estimator, random_state=0).fit(X[train], y[train])
    # 10 training dates: 2 calibrate, 1 of the other 8 validates, 7 grow the trees; then
    # the refit grows as many on all 8.
    assert _Recording.calls == [(7 * ROWS_PER_DATE, ROWS_PER_DATE), (8 * ROWS_PER_DATE, None)]
    assert model.n_calibration_rows_ == 2 * ROWS_PER_DATE
    used = [*model.validation_dates_, *model.calibration_dates_]
    assert max(used) < unique[-2]
    assert set(model.validation_dates_).isdisjoint(model.calibration_dates_)


def test_random_mode_is_the_estimators_own_split(frame):
    X, y = frame
    model = RiskClassifier(estimator_params=FORCED, early_stopping="random", random_state=0)
    model.fit(X, y)
    assert model.early_stopping_ == "random" and model.validation_dates_ is None
    base = X.index.get_level_values("as_of_date") < model.calibration_dates_.min()
    reference = clone(model.base_pipeline_).fit(X[base], y[base])
    np.testing.assert_array_equal(
        reference.decision_function(X), model.base_pipeline_.decision_function(X)
    )


def test_off_grows_every_iteration(frame):
    X, y = frame
    params = {"max_iter": 30, "early_stopping": True}
    model = RiskClassifier(estimator_params=params, early_stopping=False, random_state=0)
    model.fit(X, y)
    assert model.early_stopping_ == "off" and model.n_iter_ == 30


def test_small_base_fit_keeps_auto_off_and_logistic_is_untouched(frame):
    X, y = frame  # 4,000 base-fit rows: below HistGradientBoosting's 10,000
    model = RiskClassifier(random_state=0).fit(X, y)
    assert model.early_stopping_ == "off" and model.validation_dates_ is None
    logistic = RiskClassifier("logistic").fit(X, y)
    assert logistic.early_stopping_ is None and logistic.n_iter_ is None


def test_arrays_fall_back_to_the_random_split_without_warning(frame):
    X, y = frame
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = RiskClassifier(estimator_params=FORCED, random_state=0).fit(X.to_numpy(), y)
    assert model.early_stopping_ == "random" and model.validation_dates_ is None


def test_validation_dates_without_outcomes_warn_and_fall_back(frame):
    X, y = frame
    y = y.copy()
    unique = X.index.get_level_values("as_of_date").unique().sort_values()
    y[X.index.get_level_values("as_of_date") == unique[-3]] = 0
    with pytest.warns(UserWarning, match=r"validation rows \(400 rows.*random validation split"):
        model = RiskClassifier(estimator_params=FORCED, random_state=0).fit(X, y)
    assert model.early_stopping_ == "random"


def test_validation_fraction_sets_the_share_of_dates(frame):
    X, y = frame
    params = {**FORCED, "validation_fraction": 0.3}
    model = RiskClassifier(estimator_params=params, random_state=0).fit(X, y)
    assert len(model.validation_dates_) == 3  # 30% of the 10 base-fit dates


@pytest.mark.parametrize("value", ["time", True, 0, None])
def test_invalid_early_stopping(frame, value):
    X, y = frame
    with pytest.raises(ValueError, match="early_stopping must be one of"):
        RiskClassifier(early_stopping=value).fit(X, y)


@pytest.mark.parametrize(
    "options",
    [
        {"early_stopping": "random"},
        {"early_stopping": "temporal"},
        {"early_stopping": False},
        {"monotone": "domain"},
        {"monotone": {"f0": 1, "f1": -1}},
        {"calibration": "auto"},
        {"calibration": "interpolated_isotonic"},
    ],
)
def test_options_round_trip_through_clone_and_get_params(frame, options):
    model = RiskClassifier(**options, estimator_params={"max_iter": 10}, random_state=0)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert {k: copy.get_params()[k] for k in options} == options
    X, y = frame
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "auto" may have too few outcomes
        copy.fit(X, y)
    assert not hasattr(model, "base_pipeline_")
    assert copy.set_params(**options).get_params()[next(iter(options))] == next(
        iter(options.values())
    )


def test_a_column_recorded_only_in_the_validation_dates_does_not_break_the_fit(frame):
    # a family recorded only in the latest dates: all missing on the earlier dates the
    # trees are grown on, which HistGradientBoosting's binning cannot take
    X, y = frame
    X = X.copy()
    dates = X.index.get_level_values("as_of_date")
    latest = dates.unique().sort_values()[-3]  # the validation date of the base fit
    X["recent_only"] = np.where(dates >= latest, 1.0, np.nan)
    model = RiskClassifier(estimator_params=FORCED, early_stopping="temporal", random_state=0)
    model.fit(X, y)
    assert list(model.validation_dates_) == [latest]
    assert "recent_only" in model.features_used_
    # no split is possible on it in the earlier dates: the same trees as without it
    without = RiskClassifier(estimator_params=FORCED, early_stopping="temporal", random_state=0)
    without.fit(X.drop(columns="recent_only"), y)
    np.testing.assert_allclose(
        model.predict_proba(X)[:, 1], without.predict_proba(X.drop(columns="recent_only"))[:, 1]
    )
