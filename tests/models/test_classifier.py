"""RiskClassifier: temporal calibration split, calibration quality, preprocessing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.naive_bayes import GaussianNB
from threadpoolctl import threadpool_limits

from riskmodel.models import RiskClassifier

N_DATES = 14  # 10 training as-of dates, 4 later test dates
TRAIN_DATES = 10
ROWS_PER_DATE = 500


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def _frame(n_dates: int = N_DATES, rows_per_date: int = ROWS_PER_DATE, seed: int = 0):
    """About 2% positives, monthly as-of dates, a days-since column with NaN."""
    n = n_dates * rows_per_date
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        weights=[0.98],
        flip_y=0.0,
        random_state=seed,
    )
    dates = pd.date_range("2020-01-01", periods=n_dates, freq="MS").repeat(rows_per_date)
    index = pd.MultiIndex.from_arrays(
        [[f"p{i}" for i in range(n)], dates], names=["person_id", "as_of_date"]
    )
    frame = pd.DataFrame(X, index=index, columns=[f"f{i}" for i in range(6)])
    rng = np.random.default_rng(seed)
    frame["days_since_referral"] = np.where(
        rng.random(n) < 0.5, np.nan, np.abs(frame["f0"].to_numpy()) * 100
    )
    return frame, pd.Series(y, index=index, name="entered_care")


@pytest.fixture(scope="module")
def frame():
    return _frame()


def _split(X, y):
    dates = X.index.get_level_values("as_of_date")
    cutoff = dates.unique().sort_values()[TRAIN_DATES]
    train = dates < cutoff
    return X[train], y[train], X[~train], y[~train]


def _mixed_frame(n: int = 400, seed: int = 0):
    """Every dtype the feature builder or a user may pass, with missing values."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    X = pd.DataFrame(
        {
            "score": risk + rng.normal(scale=0.5, size=n),
            "days_since": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 365, n)),
            "count": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.poisson(2, n)), dtype="Int64"
            ),
            "flag": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.random(n) < 0.4), dtype="boolean"
            ),
            "region": pd.Series(
                np.where(rng.random(n) < 0.1, None, rng.choice(["north", "south", "east"], n)),
                dtype="str",
            ),
            "tier": pd.Categorical(rng.choice(["a", "b"], n)),
        }
    )
    y = (risk + rng.normal(scale=0.5, size=n) > 1.0).astype(int)
    return X, y


def test_calibration_slice_is_the_latest_training_dates(frame):
    X, y, _, _ = _split(*frame)
    model = RiskClassifier(
        "hgb", calibration="isotonic", calibration_fraction=0.2, random_state=0
    ).fit(X, y)

    dates = X.index.get_level_values("as_of_date")
    unique = dates.unique().sort_values()
    assert list(model.calibration_dates_) == list(unique[-2:])  # 20% of 10 dates
    is_cal = dates.isin(model.calibration_dates_)
    assert model.n_calibration_rows_ == is_cal.sum()
    assert dates[~is_cal].max() < model.calibration_dates_.min()

    # The base pipeline is exactly a fit on the earlier dates, the calibrator exactly a
    # calibration of it on the later dates.
    base = clone(model.base_pipeline_).fit(X[~is_cal], y[~is_cal])
    np.testing.assert_allclose(
        base.decision_function(X), model.base_pipeline_.decision_function(X)
    )
    calibrated = CalibratedClassifierCV(FrozenEstimator(base), method="isotonic")
    calibrated.fit(X[is_cal], y[is_cal])
    np.testing.assert_allclose(calibrated.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibration_undoes_class_weights_on_later_dates(frame, method):
    X, y, X_test, y_test = _split(*frame)
    # Balanced class weights inflate the base model's probabilities about 13-fold.
    model = RiskClassifier(
        "logistic", calibration=method, estimator_params={"class_weight": "balanced"}
    ).fit(X, y)
    calibrated = model.predict_proba(X_test)[:, 1]
    uncalibrated = model.base_pipeline_.predict_proba(X_test)[:, 1]

    assert uncalibrated.mean() > 5 * y_test.mean()
    assert calibrated.mean() == pytest.approx(y_test.mean(), abs=0.005)
    assert brier_score_loss(y_test, calibrated) < 0.2 * brier_score_loss(y_test, uncalibrated)


@pytest.mark.parametrize("method", ["isotonic", "sigmoid", "temperature"])
def test_calibration_tames_an_overconfident_base_on_later_dates(frame, method):
    X, y, X_test, y_test = _split(*frame)
    overfit = {
        "learning_rate": 0.5,
        "max_iter": 200,
        "early_stopping": False,
        "l2_regularization": 0.0,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 20,
    }
    model = RiskClassifier(
        "hgb", calibration=method, estimator_params=overfit, random_state=0
    ).fit(X, y)
    calibrated = model.predict_proba(X_test)[:, 1]
    uncalibrated = model.base_pipeline_.predict_proba(X_test)[:, 1]

    assert log_loss(y_test, calibrated) < 0.5 * log_loss(y_test, uncalibrated)
    assert brier_score_loss(y_test, calibrated) < brier_score_loss(y_test, uncalibrated)


def test_default_model_is_calibrated_on_later_dates(frame):
    X, y, X_test, y_test = _split(*frame)
    model = RiskClassifier(random_state=0).fit(X, y)
    proba = model.predict_proba(X_test)[:, 1]
    assert proba.mean() == pytest.approx(y_test.mean(), abs=0.01)
    assert brier_score_loss(y_test, proba) < brier_score_loss(
        y_test, np.full(len(y_test), y.mean())
    )


@pytest.mark.parametrize("kind", ["hgb", "logistic"])
def test_decision_function_is_the_base_pipeline_log_odds(frame, kind):
    X, y, X_test, _ = _split(*frame)
    model = RiskClassifier(kind, random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        model.decision_function(X_test), model.base_pipeline_.decision_function(X_test)
    )
    base_proba = model.base_pipeline_.predict_proba(X_test)[:, 1]
    np.testing.assert_allclose(
        model.decision_function(X_test), np.log(base_proba / (1 - base_proba)), rtol=1e-6
    )


def test_decision_function_without_one_is_the_logit_of_base_probability():
    X, y = _mixed_frame()
    model = RiskClassifier(GaussianNB(), calibration="sigmoid", random_state=0).fit(X, y)
    p = np.clip(model.base_pipeline_.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    np.testing.assert_allclose(model.decision_function(X), np.log(p) - np.log1p(-p))


@pytest.mark.parametrize("kind", ["hgb", "logistic"])
@pytest.mark.parametrize("calibration", ["isotonic", "sigmoid", "temperature", None])
def test_one_pass_gives_exactly_predict_proba_and_decision_function(frame, kind, calibration):
    X, y, X_test, _ = _split(*frame)
    model = RiskClassifier(kind, calibration=calibration, random_state=0).fit(X, y)
    proba, log_odds = model.predict_proba_and_log_odds(X_test)
    np.testing.assert_array_equal(proba, model.predict_proba(X_test))
    np.testing.assert_array_equal(log_odds, model.decision_function(X_test))


def test_one_pass_runs_the_base_pipeline_once(frame, monkeypatch):
    X, y, X_test, _ = _split(*frame)
    model = RiskClassifier("hgb", calibration="isotonic", random_state=0).fit(X, y)
    expected = model.predict_proba(X_test), model.decision_function(X_test)
    calls = []
    estimator = model.base_pipeline_[-1]
    for method in ("decision_function", "predict_proba"):
        original = getattr(estimator, method)
        monkeypatch.setattr(
            estimator, method, lambda X, _f=original, _m=method: calls.append(_m) or _f(X)
        )
    proba, log_odds = model.predict_proba_and_log_odds(X_test)
    assert calls == ["decision_function"]
    np.testing.assert_array_equal(proba, expected[0])
    np.testing.assert_array_equal(log_odds, expected[1])


def test_one_pass_without_decision_function_falls_back_to_both_methods():
    X, y = _mixed_frame()
    model = RiskClassifier(GaussianNB(), calibration="isotonic", random_state=0).fit(X, y)
    proba, log_odds = model.predict_proba_and_log_odds(X)
    np.testing.assert_array_equal(proba, model.predict_proba(X))
    np.testing.assert_array_equal(log_odds, model.decision_function(X))


@pytest.mark.parametrize("kind", ["hgb", "logistic"])
def test_mixed_dtypes_with_missing_values(kind):
    X, y = _mixed_frame()
    model = RiskClassifier(kind, random_state=0).fit(X, y)
    assert model.categorical_features_ == ["region", "tier"]

    new = X.head(5).copy()
    new["region"] = pd.Series(["west", None, "north", "east", "south"], dtype="str")
    proba = model.predict_proba(new)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(new), model.classes_[np.argmax(proba, axis=1)])


def test_hgb_gets_ordinal_codes_not_native_categories():
    X, y = _mixed_frame()
    model = RiskClassifier("hgb", random_state=0).fit(X, y)
    hgb = model.base_pipeline_.named_steps["estimator"]
    assert hgb.is_categorical_ is None or not hgb.is_categorical_.any()
    Xt = model.base_pipeline_.named_steps["preprocess"].transform(X)
    assert Xt.dtype == np.float64
    assert list(model.feature_groups_) == list(X.columns)  # one column per feature
    assert model.feature_groups_ == {name: name for name in X.columns}
    # Missing and unknown categories are NaN (HGB's missing branch), not a made-up code.
    region = Xt[:, list(model.feature_groups_).index("region")]
    np.testing.assert_array_equal(np.isnan(region), X["region"].isna().to_numpy())


def test_logistic_feature_groups_map_one_hot_and_indicator_columns_back():
    X, y = _mixed_frame()
    model = RiskClassifier("logistic", random_state=0).fit(X, y)
    preprocess = model.base_pipeline_.named_steps["preprocess"]
    names = list(preprocess.get_feature_names_out())
    assert list(model.feature_groups_) == names
    expected = {
        "missingindicator_days_since": "days_since",
        "missingindicator_count": "count",
        "missingindicator_flag": "flag",
        "region_north": "region",
        "region_nan": "region",
        "tier_a": "tier",
        "score": "score",
    }
    assert expected.items() <= model.feature_groups_.items()
    assert set(model.feature_groups_.values()) == set(X.columns)
    assert "missingindicator_score" not in names  # no gaps in training, no indicator

    # The transformed columns are exactly what the linear model scores.
    logistic = model.base_pipeline_.named_steps["estimator"]
    Xt = preprocess.transform(X)
    np.testing.assert_allclose(
        Xt @ logistic.coef_.ravel() + logistic.intercept_[0], model.decision_function(X)
    )


def test_explicit_categorical_features_and_bad_columns():
    X, y = _mixed_frame()
    X["imd"] = np.arange(len(X)) % 3 + 1
    listed = ["region", "tier", "imd"]
    model = RiskClassifier("logistic", categorical_features=listed).fit(X, y)
    assert model.categorical_features_ == listed
    assert {"imd_1", "imd_2", "imd_3"} <= set(model.feature_groups_)

    with pytest.raises(ValueError, match=r"\['nope'\] are not columns of X"):
        RiskClassifier(categorical_features=["nope"]).fit(X, y)
    with pytest.raises(ValueError, match=r"not: 'tier' \(category\)"):
        RiskClassifier(categorical_features=["region"]).fit(X, y)
    X["seen"] = pd.Timestamp("2024-01-01")
    with pytest.raises(ValueError, match=r"'seen' \(datetime64"):
        RiskClassifier(categorical_features=["region", "tier"]).fit(X, y)


def test_numpy_input_uses_a_seeded_random_split():
    X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    # 800 base-fit rows: the default's 500-row leaves could not split at all
    small = {"min_samples_leaf": 20}
    first = RiskClassifier(estimator_params=small, random_state=1).fit(X, y)
    again = RiskClassifier(estimator_params=small, random_state=1).fit(X, y)
    other = RiskClassifier(estimator_params=small, random_state=2).fit(X, y)
    assert first.calibration_dates_ is None
    assert first.n_calibration_rows_ == 200
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))
    assert list(first.feature_groups_) == [f"x{i}" for i in range(20)]


def test_no_positives_in_calibration_slice_falls_back_to_uncalibrated(frame):
    X, y, _, _ = _split(*frame)
    y = y.copy()
    late = X.index.get_level_values("as_of_date") >= pd.Timestamp("2020-09-01")
    y[late] = 0
    with pytest.warns(
        UserWarning,
        match=r"calibration slice \(the latest 2 as-of dates\) has no rows with y == 1",
    ):
        model = RiskClassifier("logistic").fit(X, y)
    assert model.calibrator_ is None
    assert model.n_calibration_rows_ == 0
    np.testing.assert_array_equal(model.predict_proba(X), model.base_pipeline_.predict_proba(X))
    reference = clone(model.base_pipeline_).fit(X, y)  # fitted on all rows
    np.testing.assert_allclose(reference.decision_function(X), model.decision_function(X))


def test_single_as_of_date_warns_and_splits_at_random(frame):
    X, y = frame
    one_date = X.index.get_level_values("as_of_date") == pd.Timestamp("2020-01-01")
    with pytest.warns(UserWarning, match="single as-of date"):
        model = RiskClassifier("logistic", random_state=0).fit(X[one_date], y[one_date])
    assert model.calibration_dates_ is None
    assert model.n_calibration_rows_ == 100


def test_uncalibrated_model_fits_on_all_rows(frame):
    X, y, _, _ = _split(*frame)
    model = RiskClassifier("logistic", calibration=None).fit(X, y)
    assert model.calibrator_ is None and model.n_calibration_rows_ == 0
    reference = clone(model.base_pipeline_).fit(X, y)
    np.testing.assert_allclose(reference.predict_proba(X), model.predict_proba(X))


def test_estimator_instance_is_cloned_and_nested_params_round_trip():
    X, y = _mixed_frame()
    given = LogisticRegression(C=0.5)
    model = RiskClassifier(given, calibration="sigmoid", random_state=0)
    assert model.get_params()["estimator__C"] == 0.5
    model.set_params(estimator__C=0.1)
    copy = clone(model)
    assert copy.get_params()["estimator__C"] == 0.1
    assert copy.get_params(deep=False).keys() == model.get_params(deep=False).keys()

    model.fit(X, y)
    assert not hasattr(given, "coef_")
    assert model.base_pipeline_.named_steps["estimator"] is not given
    assert model.base_pipeline_.named_steps["estimator"].C == 0.1


def test_estimator_params_are_applied():
    X, y = _mixed_frame()
    model = RiskClassifier("hgb", estimator_params={"max_iter": 7}, random_state=0).fit(X, y)
    assert model.base_pipeline_.named_steps["estimator"].n_iter_ == 7


def test_boolean_target_series():
    X, y = _mixed_frame()
    model = RiskClassifier("logistic").fit(X, pd.Series(y == 1, dtype="boolean"))
    np.testing.assert_array_equal(model.classes_, [False, True])
    assert model.predict(X).dtype == bool


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"estimator": "forest"}, "estimator must be one of"),
        ({"estimator": LogisticRegression}, "must be a scikit-learn classifier"),
        ({"calibration": "platt"}, "calibration must be one of"),
        ({"calibration_fraction": 1.0}, "strictly between 0 and 1"),
        ({"calibration_fraction": 0}, "strictly between 0 and 1"),
    ],
)
def test_invalid_parameters(params, message):
    X, y = _mixed_frame()
    with pytest.raises(ValueError, match=message):
        RiskClassifier(**params).fit(X, y)


def test_target_must_be_binary_with_both_classes():
    X, y = _mixed_frame()
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        RiskClassifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="only one class"):
        RiskClassifier().fit(X, np.zeros(len(y)))


class _RoundOffCalibrator:
    """Stands in for a fitted calibrator that returns floating-point round-off."""

    def predict_proba(self, X):
        p1 = np.where(np.arange(len(X)) % 2 == 0, -2.220446049250313e-16, 1 + 4e-16)
        return np.column_stack([1 - p1, p1])


def test_probabilities_are_never_outside_zero_one():
    """scikit-learn's isotonic calibration has returned -2.2e-16 here; clip it."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.integers(0, 3, 400).astype(float)})
    y = (X["a"] > 1).astype(int)
    model = RiskClassifier("hgb", calibration="isotonic", random_state=0).fit(X, y)
    model.calibrator_ = _RoundOffCalibrator()
    p = model.predict_proba(X)
    assert p.min() == 0.0 and p.max() == 1.0
    np.testing.assert_array_equal(p.sum(axis=1), 1.0)
