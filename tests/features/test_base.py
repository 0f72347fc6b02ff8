"""Feature: a feature computes itself, and a feature of your own builds like the others."""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from feature_data import REFERRAL, make_data, small_chunks
from feature_reference import DAY0, SPAN, as_of_dates, authorities, events_of, same_values
from hypothesis import given, settings
from hypothesis import strategies as st

import riskmodel as rm
from riskmodel.data import LocalAuthorityData
from riskmodel.explain import global_importance, reason_codes
from riskmodel.features import (
    AgeYears,
    Count,
    EventFamily,
    Feature,
    FeatureSpec,
    build_features,
    default_spec,
    register_feature,
)


def test_features_the_builder_does_not_know_are_refused():
    class Shoe(Feature):
        name = "shoe_size"

    with pytest.raises(TypeError, match="cannot compute Shoe features"):
        build_features(make_data(), ["2020-01-01"], FeatureSpec((Shoe(),)))


@dataclass(frozen=True)
class EventKinds(Feature):
    """A feature of one's own: how many of some event types the child had in a window."""

    event_types: tuple[str, ...]
    window_days: int = 365
    dtype: ClassVar[str] = "int32"

    @property
    def name(self):
        return f"event_kinds_{self.window_days}d"

    @property
    def families(self):
        return tuple(EventFamily(f"kind_{t}", t, f"{t} events") for t in self.event_types)

    @property
    def template(self):
        return f"{{value}} kinds of event in the last {self.window_days} days"

    def describe(self, value):
        return f"{int(value)} kinds of event in the last {self.window_days} days"

    def compute(self, context):
        kinds = np.zeros(len(context), dtype=np.int32)
        for family in self.families:
            kinds += context.events(family).count(self.window_days) > 0
        return kinds


KINDS = EventKinds(("referral", "contact", "missing_episode", "police_domestic_abuse"), 90)


def naive_kinds(data, keys, feature):
    """Per row, the distinct event types among the feature's in its window (a plain loop)."""
    events = data.events[data.events["event_date"].notna()]
    out = []
    for person_id, as_of in zip(keys["person_id"], keys["as_of_date"], strict=True):
        start = as_of - pd.Timedelta(days=feature.window_days)
        mine = events[
            (events["person_id"] == person_id)
            & (events["event_date"] >= start)
            & (events["event_date"] < as_of)
        ]
        out.append(len(set(mine["event_type"]) & set(feature.event_types)))
    return out


@settings(max_examples=30, deadline=None)
@given(data=authorities(), dates=as_of_dates(), chunk=st.sampled_from([1, 3, 1 << 18]))
def test_a_feature_of_ones_own_builds_through_build_features(data, dates, chunk):
    spec = FeatureSpec((KINDS, AgeYears(), Count(REFERRAL, 90)), count_other_event_types=False)
    with small_chunks(chunk):
        features = build_features(data, dates, spec)
    assert list(features.columns) == ["event_kinds_90d", "age_years", "referral_count_90d"]
    assert str(features.dtypes.iloc[0]) == "int32"
    keys = features.index.to_frame(index=False)
    assert features["event_kinds_90d"].tolist() == naive_kinds(data, keys, KINDS)
    # the built-in features beside it are unchanged by it
    alone = build_features(data, dates, FeatureSpec(spec.features[1:], False))
    same_values(features[alone.columns], alone)
    assert features.attrs["feature_descriptions"]["event_kinds_90d"] == KINDS.template


@settings(max_examples=30, deadline=None)
@given(data=authorities(), day=st.integers(1, SPAN), st_data=st.data())
def test_a_feature_of_ones_own_never_sees_events_on_or_after_the_as_of_date(data, day, st_data):
    as_of = DAY0 + pd.Timedelta(days=day)
    keys = pd.DataFrame({"person_id": data.persons["person_id"], "as_of_date": as_of})
    spec = FeatureSpec((KINDS,), count_other_event_types=False)
    before = build_features(data, keys=keys, spec=spec)
    later = st_data.draw(events_of(len(data.persons), min_day=day, max_day=day + 400))
    kept = data.events[data.events["event_date"] < as_of]
    for events in (pd.concat([kept, later]), pd.concat([data.events, later])):
        changed = LocalAuthorityData(data.persons, events, data.care_episodes)
        same_values(build_features(changed, keys=keys, spec=spec), before)


@pytest.fixture(scope="module")
def frame():
    data = rm.make_local_authority(n_children=1_500, random_state=0)
    dates = pd.date_range("2019-04-01", "2022-04-01", freq="6MS")
    spec = FeatureSpec((*default_spec().features, KINDS))
    return data, rm.build_training_frame(data, dates, spec=spec)


def test_a_feature_of_ones_own_builds_through_the_training_frame(frame):
    data, frame = frame
    assert "event_kinds_90d" in frame.X.columns and frame.spec["event_kinds_90d"] == KINDS
    assert frame.X["event_kinds_90d"].dtype == "int32"
    assert frame.X["event_kinds_90d"].max() > 0
    sample = frame.keys.iloc[::25]
    got = frame.X["event_kinds_90d"].iloc[::25].tolist()
    assert got == naive_kinds(data, sample, KINDS)


def test_a_feature_of_ones_own_is_described_in_reasons(frame):
    shap = pytest.importorskip("shap")
    _, frame = frame
    X = frame.X.iloc[:50]
    names = ["event_kinds_90d", "referral_count_90d"]
    explanation = shap.Explanation(
        values=np.tile([1.0, 0.5], (len(X), 1)),
        base_values=np.zeros(len(X)),
        data=X[names].to_numpy(dtype=float),
        feature_names=names,
    )
    reasons = reason_codes(explanation, frame.spec, top=1, index=X.index)
    expected = [KINDS.describe(v) for v in X["event_kinds_90d"]]
    assert reasons["reason_1"].tolist() == expected
    assert global_importance(explanation, frame.spec).loc[1, "description"] == KINDS.template


def test_a_feature_of_ones_own_has_no_plain_description_naming_its_class():
    with pytest.raises(TypeError, match="feature 'event_kinds_90d' is a .*EventKinds"):
        FeatureSpec((KINDS,)).to_dict()


@register_feature
@dataclass(frozen=True)
class RegisteredKinds(EventKinds):
    """The same feature, registered so that it travels with a fitted model."""

    family: EventFamily = EventFamily("referral_like", ("referral",), "referrals")


REGISTERED = RegisteredKinds(("referral", "contact"), 90)


def test_a_registered_feature_of_ones_own_round_trips_through_its_description():
    spec = FeatureSpec((REGISTERED, Count(REFERRAL, 90)), count_other_event_types=False)
    description = spec.to_dict()
    kinds = [f["kind"] for f in description["features"]]
    assert kinds == [f"{__name__}.RegisteredKinds", "Count"]
    assert description["features"][0]["event_types"] == ["referral", "contact"]
    assert description["features"][0]["family"] == {"event_family": "referral_like"}
    assert FeatureSpec.from_dict(description) == spec


def test_registering_refuses_what_cannot_be_described():
    class NotADataclass(Feature):
        name = "plain"

    with pytest.raises(TypeError, match="expected a dataclass subclassing Feature"):
        register_feature(NotADataclass)

    @dataclass(frozen=True)
    class Count(Feature):  # the name clash is the point
        name = "clash"

    with pytest.raises(TypeError, match="shares its name with the package's own feature kind"):
        register_feature(Count)


def test_an_unregistered_kind_in_a_description_is_refused_not_imported():
    description = FeatureSpec((REGISTERED,), False).to_dict()
    description["features"][0]["kind"] = "os.system"
    with pytest.raises(ValueError, match="unknown kind 'os.system'.*register_feature"):
        FeatureSpec.from_dict(description)


@pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
def test_a_registered_feature_of_ones_own_is_fitted_backtested_and_scored():
    data = rm.make_local_authority(n_children=1_500, random_state=0)
    dates = pd.date_range("2019-04-01", "2022-04-01", freq="6MS")
    spec = FeatureSpec((*default_spec().features, REGISTERED))
    frame = rm.build_training_frame(data, dates, spec=spec)
    model = rm.RiskClassifier(estimator="logistic", calibration="sigmoid", random_state=0)
    result = rm.backtest(model, frame, rm.TemporalSplit(1), n_resamples=0, baselines={})
    assert {"model"} == set(result.metrics["model"])
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    assert FeatureSpec.from_dict(model.feature_spec_)["event_kinds_90d"] == REGISTERED
    scores = rm.score(data, model, "2023-04-01", capacity=10).scores
    assert len(scores) > 0 and scores["risk_score"].between(0, 1).all()


class _Wrong(Feature):
    def __init__(self, values, dtype="int32"):
        self.values, self.dtype = values, dtype

    name = "wrong"
    template = "wrong: {value}"

    def compute(self, context):
        return self.values(len(context))


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        (_Wrong(lambda n: np.zeros(n + 1)), r"returned values of shape \(3,\) for 2 rows"),
        (_Wrong(lambda n: np.zeros((n, 2))), r"shape \(2, 2\) for 2 rows"),
        (_Wrong(lambda n: np.full(n, np.nan)), "missing values, which its dtype int32"),
    ],
)
def test_computed_values_must_fit_the_rows_and_the_dtype(feature, message):
    with pytest.raises(ValueError, match=message):
        build_features(make_data(), ["2020-01-01"], FeatureSpec((feature,), False))
    nan_ok = _Wrong(lambda n: np.full(n, np.nan), dtype="float64")
    assert (
        build_features(make_data(), ["2020-01-01"], FeatureSpec((nan_ok,), False))
        .isna()
        .all()
        .all()
    )
