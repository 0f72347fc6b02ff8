"""Rule baselines: the rule as documented, calibrated scores, clear column errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression

from riskmodel.models import RuleBaseline, SingleFeatureRanker


def _features(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    cp_plan = rng.random(n) < 0.05
    referrals = rng.poisson(0.4, n)
    missing = rng.poisson(0.3, n)
    logit = -5 + 2.0 * cp_plan + 0.6 * referrals + 0.8 * missing
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "cp_plan_open": pd.array(cp_plan.astype(int), dtype="Int64"),
            "referral_count_365d": pd.array(referrals, dtype="Int64"),
            "missing_episode_count_180d": missing.astype(float),
            "days_since_missing": np.where(missing > 0, rng.uniform(1, 180, n), np.nan),
            "region": pd.Series(rng.choice(["n", "s"], n), dtype="str"),
        }
    )
    return X, y


def test_default_rule_is_cp_plan_or_two_referrals():
    X, y = _features()
    baseline = RuleBaseline().fit(X, y)
    expected = (X["cp_plan_open"] >= 1) | (X["referral_count_365d"] >= 2)
    np.testing.assert_array_equal(baseline.flag(X), expected.to_numpy())
    assert 0 < expected.sum() < len(X)


def test_rule_scores_are_the_training_rates_of_each_group():
    X, y = _features()
    baseline = RuleBaseline().fit(X, y)
    flagged = baseline.flag(X)
    rates = pd.Series(y).groupby(flagged).mean()
    np.testing.assert_allclose(baseline.rates_, [rates[False], rates[True]])
    proba = baseline.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], np.where(flagged, rates[True], rates[False]))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Calibrated on the training data: mean score equals prevalence.
    assert proba[:, 1].mean() == pytest.approx(y.mean())
    assert rates[True] > rates[False]
    p = proba[:, 1]
    np.testing.assert_allclose(baseline.decision_function(X), np.log(p / (1 - p)))
    np.testing.assert_array_equal(baseline.predict(X), (p > 0.5).astype(int))


def test_rule_spec_callable_and_missing_values():
    X, y = _features()
    X.loc[:9, "cp_plan_open"] = pd.NA
    X.loc[:9, "referral_count_365d"] = 5
    spec = RuleBaseline(rule=(("missing_episode_count_180d", 2), ("referral_count_365d", 3)))
    by_callable = RuleBaseline(
        rule=lambda X: (X["missing_episode_count_180d"] >= 2) | (X["referral_count_365d"] >= 3)
    )
    spec.fit(X, y)
    by_callable.fit(X, y)
    np.testing.assert_array_equal(spec.flag(X), by_callable.flag(X))
    np.testing.assert_allclose(spec.predict_proba(X), by_callable.predict_proba(X))

    # A missing value never meets a condition (it does not hide the other condition).
    default = RuleBaseline().fit(X, y)
    assert default.flag(X)[:10].all()
    X.loc[:9, "referral_count_365d"] = pd.NA
    assert not default.flag(X)[:10].any()


def test_rule_group_without_rows_gets_the_overall_rate():
    X, y = _features()
    baseline = RuleBaseline(rule=(("referral_count_365d", 100),)).fit(X, y)
    np.testing.assert_allclose(baseline.rates_, [y.mean(), y.mean()])


def test_rule_errors_name_the_columns():
    X, y = _features()
    with pytest.raises(ValueError, match=r"'referral_count_365d' is not in X; available columns"):
        RuleBaseline().fit(X.drop(columns="referral_count_365d"), y)
    with pytest.raises(ValueError, match=r"'region' must be numeric or boolean; it has dtype str"):
        RuleBaseline(rule=(("region", 1),)).fit(X, y)
    with pytest.raises(ValueError, match="needs a DataFrame with named columns"):
        RuleBaseline().fit(X[["cp_plan_open", "referral_count_365d"]].to_numpy(float), y)
    with pytest.raises(ValueError, match=r"non-empty sequence of \(column, minimum\) pairs"):
        RuleBaseline(rule=()).fit(X, y)
    with pytest.raises(ValueError, match="one value per row"):
        RuleBaseline(rule=lambda X: [True]).fit(X, y)


def test_rule_on_arrays_by_position():
    X, y = _features()
    array = X[["cp_plan_open", "referral_count_365d"]].to_numpy(float)
    by_position = RuleBaseline(rule=((0, 1), (1, 2))).fit(array, y)
    by_name = RuleBaseline().fit(X, y)
    np.testing.assert_allclose(by_position.predict_proba(array), by_name.predict_proba(X))


def test_ranker_is_isotonic_in_the_feature():
    X, y = _features()
    ranker = SingleFeatureRanker().fit(X, y)
    x = X["missing_episode_count_180d"].to_numpy()
    reference = IsotonicRegression(out_of_bounds="clip").fit(x, y)
    score = ranker.predict_proba(X)[:, 1]
    np.testing.assert_allclose(score, reference.predict(x))

    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(score[order]) >= 0)  # ranks by the feature
    for value in np.unique(x):  # ties in the feature stay ties
        assert np.unique(score[x == value]).size == 1
    assert score.mean() == pytest.approx(y.mean())  # calibrated on training data
    assert score.max() > 3 * y.mean()

    beyond = X.head(1).assign(missing_episode_count_180d=100.0)
    assert ranker.predict_proba(beyond)[0, 1] == pytest.approx(score.max())


def test_ranker_decreasing_feature_with_missing_values():
    X, y = _features()
    ranker = SingleFeatureRanker(column="days_since_missing", increasing=False).fit(X, y)
    days = X["days_since_missing"].to_numpy()
    never = np.isnan(days)
    score = ranker.predict_proba(X)[:, 1]
    assert ranker.missing_rate_ == pytest.approx(y[never].mean())
    np.testing.assert_allclose(score[never], y[never].mean())
    order = np.argsort(days[~never])
    assert np.all(np.diff(score[~never][order]) <= 0)
    assert score.mean() == pytest.approx(y.mean())


def test_ranker_errors_and_clone():
    X, y = _features()
    with pytest.raises(ValueError, match=r"'missing_episode_count_180d' is not in X"):
        SingleFeatureRanker().fit(X.drop(columns="missing_episode_count_180d"), y)
    X["empty"] = np.nan
    with pytest.raises(ValueError, match="'empty' is missing in all 2000 training rows"):
        SingleFeatureRanker(column="empty").fit(X, y)
    ranker = SingleFeatureRanker(column="days_since_missing", increasing=False)
    assert clone(ranker).get_params() == ranker.get_params()


def test_baselines_need_both_classes():
    X, y = _features()
    for baseline in (RuleBaseline(), SingleFeatureRanker()):
        with pytest.raises(ValueError, match="only one class"):
            baseline.fit(X, np.zeros(len(y)))
