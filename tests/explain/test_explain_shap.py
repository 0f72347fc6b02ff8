"""explain: exact additivity against scikit-learn, values per user feature, the shap traps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import SGDClassifier
from threadpoolctl import threadpool_limits

from riskmodel.explain import explain
from riskmodel.models import RiskClassifier

# shap 0.51's import configures colour maps with matplotlib calls that matplotlib 3.11
# has scheduled for deprecation (explain() silences them itself; `import shap` does not).
pytestmark = pytest.mark.filterwarnings(
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning"
)

N_ROWS = 1200
AREAS = ["north", "south", "east", "west"]
AREA_EFFECT = {"north": 1.5, "south": -1.0, "east": 0.3, "west": 0.0}


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def make_frame(n: int = N_ROWS, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Missing values, a string category (with gaps), a boolean and a nullable count."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-01", periods=6, freq="MS").repeat(n // 6)
    index = pd.MultiIndex.from_arrays(
        [[f"p{i}" for i in range(n)], dates], names=["person_id", "as_of_date"]
    )
    X = pd.DataFrame(
        {
            "referral_count_365d": rng.poisson(1.0, n).astype("int32"),
            "absence_latest": np.where(rng.random(n) < 0.3, np.nan, rng.beta(2, 12, n)),
            "area": pd.array(rng.choice(AREAS, n), dtype="str"),
            "cp_plan_open": rng.random(n) < 0.2,
            "siblings": pd.array(rng.integers(0, 3, n), dtype="Int64"),
        },
        index=index,
    )
    X.loc[rng.random(n) < 0.1, "area"] = np.nan
    X.loc[X.index[rng.random(n) < 0.05], "siblings"] = pd.NA
    logit = (
        -2.0
        + 0.8 * X["referral_count_365d"].to_numpy()
        + 6.0 * X["absence_latest"].fillna(0.3).to_numpy()
        + X["area"].map(AREA_EFFECT).fillna(0.5).to_numpy()
        + 1.2 * X["cp_plan_open"].to_numpy()
    )
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int), index=index)
    return X, y


@pytest.fixture(scope="module")
def data():
    return make_frame()


@pytest.fixture(scope="module", params=["hgb", "logistic"])
def fitted(request, data):
    X, y = data
    with threadpool_limits(limits=1):
        model = RiskClassifier(request.param, random_state=0).fit(X, y)
    return model, explain(model, X)


def test_values_add_up_to_sklearn_log_odds(fitted, data):
    model, e = fitted
    X, _ = data
    reference = model.base_pipeline_.decision_function(X)
    np.testing.assert_allclose(e.values.sum(axis=1) + e.base_values, reference, atol=1e-6, rtol=0)
    np.testing.assert_allclose(model.decision_function(X), reference)


def test_one_column_per_user_feature(fitted, data):
    model, e = fitted
    X, _ = data
    assert e.values.shape == X.shape
    assert list(e.feature_names) == list(X.columns)
    assert e.base_values.shape == (len(X),)
    # the linear pipeline has one-hot and indicator columns; none leaks into the names
    assert len(model.feature_groups_) >= X.shape[1]


def test_data_holds_values_and_codes(fitted, data):
    model, e = fitted
    X, _ = data
    names = list(e.feature_names)
    absence = e.data[:, names.index("absence_latest")]
    np.testing.assert_array_equal(absence, X["absence_latest"].to_numpy())
    np.testing.assert_array_equal(e.data[:, names.index("cp_plan_open")], X["cp_plan_open"])
    siblings = e.data[:, names.index("siblings")]
    assert np.isnan(siblings).sum() == X["siblings"].isna().sum()
    area = e.data[:, names.index("area")]
    assert np.array_equal(np.isnan(area), X["area"].isna().to_numpy())
    codes = {label: code for label, code in zip(X["area"], area, strict=True) if code == code}
    assert sorted(codes) == sorted(AREAS) and sorted(codes.values()) == [0.0, 1.0, 2.0, 3.0]
    shown = e.display_data[:, names.index("area")]
    assert set(shown[X["area"].notna().to_numpy()]) == set(AREAS)


def test_linear_values_are_coefficients_times_centred_columns(data):
    """Reference: with an independent masker, SHAP = coef * (z - mean(background))."""
    X, y = data
    model = RiskClassifier("logistic", calibration=None).fit(X, y)
    background = X.iloc[:400]
    e = explain(model, X, background=background)
    preprocess, estimator = model.base_pipeline_.named_steps.values()
    Z, Zb = preprocess.transform(X), preprocess.transform(background)
    coef = estimator.coef_.ravel()
    encoded = coef * (Z - Zb.mean(axis=0))
    origins = np.array(list(model.feature_groups_.values()))
    expected = np.column_stack([encoded[:, origins == name].sum(axis=1) for name in X.columns])
    np.testing.assert_allclose(e.values, expected, atol=1e-10)
    # all 400 background rows are used (shap would silently sample 100 by default)
    base = estimator.intercept_[0] + coef @ Zb.mean(axis=0)
    np.testing.assert_allclose(e.base_values, base, atol=1e-10)
    area = np.column_stack([encoded[:, i] for i, o in enumerate(origins) if o == "area"])
    assert area.shape[1] == len(AREAS) + 1  # four areas and "missing" summed into one


def test_linear_reasons_are_measured_from_the_training_mean_whoever_is_explained(data):
    """Without a background, a child's values do not depend on the rows explained with it."""
    X, y = data
    w = np.where(y.to_numpy() == 1, 1.0, 3.0)
    model = RiskClassifier("logistic", calibration=None).fit(X, y, sample_weight=w)
    preprocess, estimator = model.base_pipeline_.named_steps.values()
    Z = np.asarray(preprocess.transform(X), dtype=float)
    np.testing.assert_allclose(model.reference_, w @ Z / w.sum(), atol=1e-12)
    whole, part = explain(model, X), explain(model, X.iloc[:7])
    np.testing.assert_allclose(part.values, whole.values[:7], atol=1e-12)
    np.testing.assert_allclose(part.base_values, whole.base_values[:7], atol=1e-12)
    base = estimator.intercept_[0] + estimator.coef_.ravel() @ model.reference_
    np.testing.assert_allclose(whole.base_values, base, atol=1e-10)
    # gradient boosting stores none (its explanations follow the trees)
    assert RiskClassifier("hgb", calibration=None).fit(X, y).reference_ is None


def test_linear_background_is_sampled_reproducibly(data):
    X, y = data
    model = RiskClassifier("logistic", calibration=None).fit(X, y)
    rows = X.iloc[:50]
    first = explain(model, rows, background=X, max_background=100, random_state=3)
    again = explain(model, rows, background=X, max_background=100, random_state=3)
    other = explain(model, rows, background=X, max_background=100, random_state=4)
    full = explain(model, rows, background=X, max_background=len(X))
    np.testing.assert_array_equal(first.values, again.values)
    assert len({first.base_values[0], other.base_values[0], full.base_values[0]}) == 3
    np.testing.assert_allclose(
        first.values.sum(1) + first.base_values, model.decision_function(X.iloc[:50]), atol=1e-9
    )


def test_unseen_category_and_all_missing_rows_still_add_up(fitted, data):
    model, _ = fitted
    X, _ = data
    odd = X.iloc[:4].copy()
    odd["area"] = ["centre", np.nan, "north", "centre"]
    odd.iloc[1, [0, 1]] = [0, np.nan]
    e = explain(model, odd)
    np.testing.assert_allclose(
        e.values.sum(1) + e.base_values, model.decision_function(odd), atol=1e-6, rtol=0
    )
    assert np.isnan(e.data[[0, 1, 3], list(e.feature_names).index("area")]).all()


def test_arrays_get_positional_names():
    X, y = make_frame()
    array = X[["referral_count_365d", "absence_latest"]].to_numpy(dtype=float)
    model = RiskClassifier("hgb", calibration=None, random_state=0).fit(array, y.to_numpy())
    e = explain(model, array[:20])
    assert list(e.feature_names) == ["x0", "x1"]
    assert e.display_data is None
    np.testing.assert_allclose(
        e.values.sum(1) + e.base_values, model.decision_function(array[:20]), atol=1e-6
    )


@pytest.mark.parametrize(
    "estimator",
    [GradientBoostingClassifier(n_estimators=20), SGDClassifier(loss="log_loss", random_state=0)],
    ids=["gradient_boosting", "sgd_logistic"],
)
def test_other_boosting_and_linear_estimators(estimator, data):
    X, y = data
    model = RiskClassifier(estimator, calibration=None).fit(X, y)
    e = explain(model, X)
    np.testing.assert_allclose(
        e.values.sum(1) + e.base_values, model.decision_function(X), atol=1e-6, rtol=0
    )


def test_native_categorical_trees_are_refused_not_silently_wrong(data):
    """shap's tree explainer is wrong for native categories: the sklearn check catches it."""
    X, y = data
    position = 4  # the ordinal-coded "area" column comes after the four numeric ones
    model = RiskClassifier(
        "hgb",
        calibration=None,
        random_state=0,
        estimator_params={"categorical_features": [position]},
    ).fit(X, y)
    with pytest.raises(RuntimeError, match=r"do not add up to the model's log-odds in \d+ rows"):
        explain(model, X)


def test_rejects_what_it_cannot_explain(data):
    X, y = data
    with pytest.raises(TypeError, match="needs a fitted riskmodel RiskClassifier"):
        explain(HistGradientBoostingClassifier().fit(X[["absence_latest"]], y), X)
    with pytest.raises(NotFittedError):
        explain(RiskClassifier(), X)
    forest = RiskClassifier(RandomForestClassifier(n_estimators=5), calibration=None).fit(X, y)
    with pytest.raises(TypeError, match="base estimator is RandomForestClassifier"):
        explain(forest, X)
    hgb = RiskClassifier("hgb", calibration=None, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="background applies to linear models only"):
        explain(hgb, X, background=X)
    with pytest.raises(ValueError, match="absence_latest"):
        explain(hgb, X.drop(columns="absence_latest"))
    with pytest.raises(ValueError, match="max_background must be at least 1; got 0"):
        explain(hgb, X, max_background=0)
