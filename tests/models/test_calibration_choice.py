"""calibration="auto" (temporal log loss inside the slice) and "interpolated_isotonic"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss
from threadpoolctl import threadpool_limits

from riskmodel.models import RiskClassifier
from riskmodel.models._auto_calibration import AUTO_CANDIDATES

N_DATES, ROWS_PER_DATE = 14, 500
LOGISTIC = {"estimator": "logistic", "calibration_fraction": 0.3}  # 4 calibration dates


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def _frame(n_dates: int = N_DATES, rows: int = ROWS_PER_DATE, seed: int = 0):
    n = n_dates * rows
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        weights=[0.97],
        flip_y=0.02,
        class_sep=0.5,
        random_state=seed,
    )
    dates = pd.date_range("2020-01-01", periods=n_dates, freq="MS").repeat(rows)
    index = pd.MultiIndex.from_arrays(
        [[f"p{i}" for i in range(n)], dates], names=["person_id", "as_of_date"]
    )
    X = pd.DataFrame(X, index=index, columns=[f"f{i}" for i in range(6)])
    return X, pd.Series(y, index=index)


@pytest.fixture(scope="module")
def frame():
    return _frame()


def _rolling_reference(model, X, y, method):
    """Log loss of scikit-learn's own calibration, fitted on earlier slice dates."""
    dates = X.index.get_level_values("as_of_date")
    cal = np.asarray(dates.isin(model.calibration_dates_))
    frozen = FrozenEstimator(model.base_pipeline_)
    y = y.to_numpy()
    y_true, p = [], []
    for date in np.sort(model.calibration_dates_)[1:]:
        fit = cal & np.asarray(dates < date)
        score = np.asarray(dates == date)
        calibrated = CalibratedClassifierCV(frozen, method=method).fit(X[fit], y[fit])
        y_true.append(y[score])
        p.append(calibrated.predict_proba(X[score])[:, 1])
    return log_loss(np.concatenate(y_true), np.concatenate(p))


def test_auto_scores_every_candidate_on_later_dates_and_keeps_the_best(frame):
    X, y = frame
    model = RiskClassifier(**LOGISTIC, calibration="auto").fit(X, y)
    scores = model.calibration_scores_
    assert list(scores) == list(AUTO_CANDIDATES)
    assert model.calibration_method_ == min(scores, key=scores.get)
    for method in ("sigmoid", "temperature"):
        assert scores[method] == pytest.approx(_rolling_reference(model, X, y, method), rel=1e-6)
    # The chosen map is refitted on the whole slice: the same model as asking for it.
    chosen = RiskClassifier(**LOGISTIC, calibration=model.calibration_method_).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), chosen.predict_proba(X))
    assert chosen.calibration_scores_ is None
    assert chosen.calibration_method_ == model.calibration_method_


def test_auto_prefers_a_shift_when_the_base_rate_is_inflated(frame):
    """Balanced class weights inflate the base risk; temperature cannot shift it back."""
    X, y = frame
    params = {"estimator_params": {"class_weight": "balanced"}, **LOGISTIC}
    model = RiskClassifier(**params, calibration="auto").fit(X, y)
    scores = model.calibration_scores_
    assert scores["temperature"] > 1.5 * min(scores["sigmoid"], scores["interpolated_isotonic"])
    assert model.calibration_method_ != "temperature"


def test_auto_on_a_small_slice_warns_with_the_counts_and_uses_temperature():
    X, y = _frame(n_dates=10, rows=100)  # 2 calibration dates, about 6 outcomes
    with pytest.warns(UserWarning, match=r"needs 10 outcomes.*\(200 rows, \d+ outcomes, 2 as-of"):
        model = RiskClassifier("logistic", calibration="auto").fit(X, y)
    assert model.calibration_method_ == "temperature"
    assert model.calibration_scores_ is None


def test_auto_without_dates_uses_row_folds(frame):
    X, y = frame
    model = RiskClassifier(**LOGISTIC, calibration="auto", random_state=0)
    model.fit(X.to_numpy(), y.to_numpy())
    assert model.calibration_dates_ is None
    assert set(model.calibration_scores_) == set(AUTO_CANDIDATES)


def test_interpolated_isotonic_is_strictly_increasing_and_calibrated_in_the_large(frame):
    X, y = frame
    # trees with many distinct scores (15 leaves of 200 rows), where isotonic ties blocks
    trees = {"max_leaf_nodes": 15, "min_samples_leaf": 200, "l2_regularization": 1.0}
    model = RiskClassifier(
        "hgb", calibration="interpolated_isotonic", estimator_params=trees, random_state=0
    ).fit(X, y)
    plain = RiskClassifier(
        "hgb", calibration="isotonic", estimator_params=trees, random_state=0
    ).fit(X, y)
    cal = np.asarray(X.index.get_level_values("as_of_date").isin(model.calibration_dates_))
    z = model.decision_function(X[cal])
    p = model.predict_proba(X[cal])[:, 1]
    order = np.argsort(z, kind="stable")
    z, p = z[order], p[order]
    assert np.all(np.diff(p) >= 0)  # monotone
    interior = (p > 0) & (p < 1)
    distinct = np.r_[True, np.diff(z[interior]) > 0]
    assert np.all(np.diff(p[interior][distinct]) > 0)  # no two log-odds share a risk
    # Calibrated in the large on the calibration rows: within 5% of the outcome rate.
    assert p.mean() == pytest.approx(y[cal].mean(), rel=0.05)
    # Plain isotonic ties blocks of children at the top of the list; this map ties only
    # where it reaches a risk of 1 (a top block of outcomes only, as on these easy data).
    top = slice(-int(0.02 * cal.sum()), None)
    below_one = p[top] < 1
    assert len(np.unique(p[top][below_one])) == len(np.unique(z[top][below_one]))
    plain_top = np.sort(plain.predict_proba(X[cal])[:, 1])[top]
    assert len(np.unique(plain_top)) < len(np.unique(p[top])) / 5


def test_interpolated_isotonic_with_a_single_block_is_constant():
    from riskmodel.models._calibrator import calibrated_risk, fit_calibrator

    calibrator = fit_calibrator(
        np.array([2.0, 1.0, 0.0, -1.0]), np.zeros(4, bool), "interpolated_isotonic"
    )
    np.testing.assert_array_equal(calibrated_risk(calibrator, np.array([-5.0, 0.5, 9.0])), 0.0)
    calibrator = fit_calibrator(
        np.array([0.0, 1.0, 2.0]), np.array([1, 0, 0], bool), "interpolated_isotonic"
    )
    np.testing.assert_allclose(calibrated_risk(calibrator, np.array([-1.0, 1.0, 3.0])), 1 / 3)
