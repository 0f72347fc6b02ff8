"""Columns that cannot be learned from are left out at fit, and nothing downstream uses them."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.features import AgeYears, Count, DaysSince, EventFamily, FeatureSpec
from riskmodel.models import RiskClassifier
from riskmodel.scoring import DriftWarning, profile_features
from riskmodel.tracking._serialise import trusted_types

ABSENT = ("early_help_start", "early_help_end", "youth_justice_outcome")
AS_OF = pd.Timestamp("2023-04-01")


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def _table(n=2_000, seed=0):
    X, y = make_classification(n_samples=n, n_features=4, weights=[0.9], random_state=seed)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    return frame, y


def _quiet_fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return model.fit(X, y, **kwargs)


@pytest.mark.parametrize("estimator", ["hgb", "logistic"])
def test_empty_and_constant_columns_are_left_out_and_change_nothing(estimator):
    X, y = _table()
    wide = X.assign(
        nothing=np.nan,
        zero=pd.array([0] * len(X), dtype="int32"),
        never=False,
        school="same",
    )
    wide = wide[["a", "nothing", "b", "zero", "c", "never", "d", "school"]]
    with pytest.warns(DataQualityWarning, match="4 of 8 features") as record:
        model = RiskClassifier(estimator, random_state=0).fit(wide, y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "nothing is missing for every training row: left out" in message
    assert "zero is the same for every training row (0): left out" in message
    assert "never is the same for every training row (False)" in message
    assert "school is the same for every training row (same)" in message
    assert model.features_used_ == ["a", "b", "c", "d"]
    assert set(model.features_dropped_) == {"nothing", "zero", "never", "school"}
    assert set(model.feature_groups_.values()) == {"a", "b", "c", "d"}
    assert model.categorical_features_ == []
    assert model.feature_spec_ is None
    reference = RiskClassifier(estimator, random_state=0).fit(X, y)
    assert reference.features_dropped_ == {}
    np.testing.assert_allclose(model.predict_proba(wide), reference.predict_proba(X))
    np.testing.assert_allclose(model.decision_function(wide), reference.decision_function(X))
    with pytest.raises(ValueError, match="nothing"):
        model.predict_proba(wide.drop(columns="nothing"))  # X still needs every column


def test_an_array_with_a_constant_column_works_and_warns():
    X, y = make_classification(n_samples=600, n_features=5, random_state=1)
    X[:, 2] = 7.0
    with pytest.warns(DataQualityWarning, match=r"x2 is the same for every training row \(7\)"):
        model = RiskClassifier("hgb", calibration=None, random_state=0).fit(X, y)
    assert model.features_used_ == ["x0", "x1", "x3", "x4"]
    assert model.features_dropped_ == {"x2": "the same for every training row (7)"}
    reference = RiskClassifier("hgb", calibration=None, random_state=0).fit(X[:, [0, 1, 3, 4]], y)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X[:, [0, 1, 3, 4]]))
    explanation = rm.explain(model, X[:20])
    assert explanation.feature_names == ["x0", "x1", "x3", "x4"]
    np.testing.assert_allclose(explanation.data, X[:20, [0, 1, 3, 4]])


def test_nullable_columns_are_checked_like_the_others():
    X, y = _table()
    X["no_plans"] = pd.array([pd.NA] * len(X), dtype="Int64")
    X["flag"] = pd.array([True] * len(X), dtype="boolean")
    X["some"] = pd.array([1, pd.NA] * (len(X) // 2), dtype="Int64")
    X["kind"] = pd.Series(["a", "b"] * (len(X) // 2), dtype="category")
    X["one_kind"] = pd.Series(["a"] * len(X), dtype="category")
    with pytest.warns(DataQualityWarning, match="3 of 9 features") as record:
        model = RiskClassifier("hgb", random_state=0).fit(X, y)
    assert set(model.features_dropped_) == {"no_plans", "flag", "one_kind"}
    assert "flag is the same for every training row (True)" in str(record[0].message)
    assert model.categorical_features_ == ["kind"]
    explanation = rm.explain(model, X.head(10))
    assert explanation.feature_names == ["a", "b", "c", "d", "some", "kind"]
    assert explanation.display_data[0, -1] == "a"


def test_one_value_and_missing_elsewhere_is_kept():
    X, y = _table()
    X["days_since"] = np.where(np.arange(len(X)) % 3 == 0, 5.0, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = RiskClassifier("hgb", random_state=0).fit(X, y)
    assert "days_since" in model.features_used_ and model.features_dropped_ == {}


def test_nothing_to_learn_from_is_a_clear_error():
    X = pd.DataFrame({"never": np.nan, "zero": 0}, index=range(50))
    with pytest.raises(ValueError, match="nothing to learn from: 2 of 2 features"):
        RiskClassifier("hgb").fit(X, [0, 1] * 25)


def test_a_spec_that_does_not_build_the_columns_is_refused():
    X, y = _table()
    family = EventFamily("referral", "referral", "referrals")
    spec = FeatureSpec((Count(family, 365), AgeYears()))
    with pytest.raises(ValueError, match=r"does not build 4 column\(s\) of X.*a, b, c, d"):
        RiskClassifier("hgb").fit(X, y, feature_spec=spec)
    with pytest.raises(TypeError, match="feature_spec must be a FeatureSpec"):
        RiskClassifier("hgb").fit(X, y, feature_spec="default")


@pytest.fixture(scope="module")
def absent():
    """A synthetic authority that records no early help and no youth justice."""
    data = rm.make_local_authority(n_children=2_500, random_state=0)
    events = data.events[~data.events["event_type"].isin(ABSENT)].reset_index(drop=True)
    data = dataclasses.replace(data, events=events)
    dates = pd.date_range("2018-04-01", "2022-01-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates, horizon_months=12)
    with threadpool_limits(limits=1), pytest.warns(DataQualityWarning) as record:
        model = RiskClassifier("hgb", random_state=0)
        model.fit(frame.X, frame.y, feature_spec=frame.spec)
    return data, frame, model, [str(r.message) for r in record]


def _family_features(frame, family):
    return [f.name for f in frame.spec if f.families and f.families[0].name == family]


def test_the_warning_names_the_absent_families_and_their_features(absent):
    _, frame, model, messages = absent
    assert len(messages) == 1
    early_help = _family_features(frame, "early_help")
    youth = _family_features(frame, "youth_justice")
    assert len(early_help) == 5 and len(youth) == 7  # 3 decayed counts since issue 15
    assert "no early_help events in the training rows: 5 features left out (" in messages[0]
    assert "no youth_justice events in the training rows: 7 features left out (" in messages[0]
    assert all(name in messages[0] for name in early_help + youth[:5])  # 5 named, "2 more"
    dropped = model.features_dropped_
    assert set(early_help + youth) <= set(dropped)
    assert dropped["early_help_open"] == "no early_help events in the training rows"
    assert model.features_used_ == [c for c in frame.X.columns if c not in dropped]
    assert set(model.feature_groups_.values()) == set(model.features_used_)


def test_the_model_carries_the_resolved_spec_as_plain_values(absent):
    _, frame, model, _ = absent
    assert FeatureSpec.from_dict(model.feature_spec_) == frame.spec
    assert frame.spec.count_other_event_types is False  # resolved
    types = trusted_types(model)
    assert not [t for t in types if t.startswith("riskmodel.features")]
    import skops.io

    loaded = skops.io.loads(skops.io.dumps(model), trusted=types)
    assert loaded.feature_spec_ == model.feature_spec_
    assert loaded.features_dropped_ == model.features_dropped_


def test_explanations_reasons_and_importance_use_exactly_the_used_features(absent):
    _, frame, model, _ = absent
    X = frame.X.tail(400)
    explanation = rm.explain(model, X)
    assert explanation.feature_names == model.features_used_
    np.testing.assert_allclose(
        explanation.values.sum(axis=1) + explanation.base_values,
        model.decision_function(X),
        atol=1e-6,
    )
    reasons = rm.reason_codes(explanation, frame.spec, top=3)
    columns = ["reason_feature_1", "reason_feature_2", "reason_feature_3"]
    named = set(reasons[columns].stack().dropna())  # a child may have fewer than 3 reasons
    assert named and named <= set(model.features_used_)
    importance = rm.global_importance(explanation, frame.spec)
    assert sorted(importance["feature"]) == sorted(model.features_used_)


def test_scoring_drift_and_reasons_leave_the_dropped_features_out(absent):
    data, frame, model, _ = absent
    profile = profile_features(frame.X)  # an old profile, with the dropped features too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        result = rm.score(data, model, AS_OF, capacity=20, profile=profile)
    assert sorted(result.drift["feature"]) == sorted(model.features_used_)
    text = " ".join(result.scores[["reason_1", "reason_2", "reason_3"]].fillna("").values.ravel())
    assert "early help" not in text and "youth justice" not in text
    assert len(result.scores) + len(result.exclusions) == len(data.persons)


def test_score_builds_the_model_s_own_custom_features():
    data = rm.make_local_authority(n_children=1_500, random_state=2)
    referral = EventFamily("any_referral", "referral", "referrals")
    missing = EventFamily("missing_episode", "missing_episode", "missing from home episodes")
    spec = FeatureSpec((AgeYears(), Count(referral, 365), DaysSince(missing)))
    dates = pd.date_range("2018-04-01", "2022-01-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates, horizon_months=12, spec=spec)
    model = _quiet_fit(RiskClassifier("logistic", random_state=0), frame.X, frame.y,
                       feature_spec=frame.spec)  # fmt: skip
    scored = rm.score(data, model, AS_OF, capacity=10).scores
    given = rm.score(data, model, AS_OF, capacity=10, spec=frame.spec).scores
    pd.testing.assert_frame_equal(scored, given)
    without = _quiet_fit(RiskClassifier("logistic", random_state=0), frame.X, frame.y)
    assert without.feature_spec_ is None
    with pytest.raises(ValueError, match=r"cannot build 1 feature\(s\).*any_referral_count_365d"):
        rm.score(data, without, AS_OF, capacity=10)  # falls back to the default spec
    wrong = FeatureSpec((AgeYears(), DaysSince(missing)))
    with pytest.raises(ValueError, match="any_referral_count_365d"):
        rm.score(data, model, AS_OF, capacity=10, spec=wrong)  # a given spec wins


def test_a_family_with_some_events_is_not_said_to_have_none():
    X, y = _table()
    s47 = EventFamily("s47", "s47_start", "section 47 enquiries")
    eh = EventFamily("early_help", "early_help_start", "early help episodes")
    spec = FeatureSpec(
        (Count(s47, 90), Count(s47, 365), Count(eh, 365), DaysSince(eh), AgeYears())
    )
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "s47_count_90d": 0,
            "s47_count_365d": rng.integers(0, 3, len(X)),
            "early_help_count_365d": 0,
            "early_help_days_since_last": np.nan,
            "age_years": X["a"].to_numpy(),
        }
    )
    with pytest.warns(DataQualityWarning) as record:
        model = RiskClassifier("hgb", random_state=0).fit(frame, y, feature_spec=spec.to_dict())
    message = str(record[0].message)
    assert "no early_help events in the training rows: 2 features left out" in message
    assert "s47_count_90d is the same for every training row (0): left out" in message
    assert "no s47 events" not in message
    assert model.features_used_ == ["s47_count_365d", "age_years"]
    assert FeatureSpec.from_dict(model.feature_spec_) == spec
