"""Dynamics and household features: against a naive reference, and their invariances."""

import numpy as np
import pandas as pd
import pytest
from dynamics_reference import NEW_KINDS, reference_table
from feature_data import REFERRAL, make_data, small_chunks

import riskmodel as rm
from riskmodel.features import (
    ActiveMonths,
    DaysSinceAny,
    DecayedCount,
    EventFamily,
    FeatureSpec,
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
    QuarterChange,
    build_features,
    default_spec,
)
from riskmodel.features._recency import decayed_after_events

CONTACT = EventFamily("contact", "contact", "contacts")
DATES = ["2019-04-01", "2020-01-15", "2021-03-01"]


def new_features(spec=None):
    return tuple(f for f in (spec or default_spec()) if isinstance(f, NEW_KINDS))


def only(features):
    return FeatureSpec(tuple(features), count_other_event_types=False)


@pytest.fixture(scope="module")
def authority():
    return rm.make_local_authority(
        n_children=120, start="2016-04-01", end="2021-03-31", random_state=3
    )


HAND_EVENTS = [
    ("a", "2019-01-01", "referral", None, None),
    ("a", "2019-01-01", "referral", None, None),  # same day
    ("a", "2019-12-31", "referral", None, None),
    ("a", "2020-01-01", "referral", None, None),  # on the as-of date: not counted
    ("a", "2020-02-01", "referral", None, None),  # after it
    ("a", "2019-06-10", "contact", None, None),
    ("b", "2018-03-05", "referral", None, None),
    ("b", "2019-11-20", "contact", None, None),
    ("c", "2019-12-01", "referral", None, None),
]
HAND_PERSONS = [("a", "2008-05-01", "h1"), ("b", "2010-01-01", "h1"), ("c", "2011-01-01", None)]
HAND_EPISODES = [
    ("b", "2019-02-01", "2019-05-01", "C2", "E13"),
    ("b", "2019-09-01", None, "V3", None),  # short breaks only: not an entry
    ("a", "2020-06-01", None, "C2", None),
]


def test_decayed_count_equals_the_sum_of_halvings_on_a_hand_made_table():
    data = make_data(HAND_EVENTS, HAND_EPISODES, HAND_PERSONS)
    spec = only([DecayedCount(REFERRAL, 30), DecayedCount(REFERRAL, 365)])
    got = build_features(data, ["2020-01-01"], spec).loc[("a", pd.Timestamp("2020-01-01"))]
    expected_30 = 2 * 0.5 ** (365 / 30) + 0.5 ** (1 / 30)
    expected_365 = 2 * 0.5 ** (365 / 365) + 0.5 ** (1 / 365)
    assert got["referral_decayed_30d"] == pytest.approx(expected_30, rel=1e-12)
    assert got["referral_decayed_365d"] == pytest.approx(expected_365, rel=1e-12)


def test_hand_made_household_features_count_the_other_children_only():
    data = make_data(HAND_EVENTS, HAND_EPISODES, HAND_PERSONS)
    spec = only(
        [
            HouseholdCount(REFERRAL, 365),
            HouseholdCount(REFERRAL, None),
            HouseholdDecayedCount(CONTACT, 90),
            HouseholdCareEntries(),
        ]
    )
    got = build_features(data, ["2020-01-01"], spec).xs(pd.Timestamp("2020-01-01"), level=1)
    assert got.loc["a", "household_referral_count_365d"] == 0  # b's referral is older
    assert got.loc["a", "household_referral_count_ever"] == 1
    assert got.loc["b", "household_referral_count_365d"] == 3  # a's, before the date
    assert got.loc["a", "household_contact_decayed_90d"] == pytest.approx(0.5 ** (42 / 90))
    assert got.loc["b", "household_contact_decayed_90d"] == pytest.approx(0.5 ** (205 / 90))
    assert got.loc["a", "household_care_entries"] == 1  # b's entry; the short break is not
    assert got.loc["b", "household_care_entries"] == 0  # a enters care later
    assert got.loc["c"].isna().all()  # no household


def test_the_prefix_scan_matches_a_loop_over_many_events():
    rng = np.random.default_rng(0)
    group = np.sort(rng.integers(0, 5, 3000))
    day = np.concatenate([np.sort(rng.integers(0, 20000, (group == g).sum())) for g in range(5)])
    keys = (group.astype(np.int64) << 32) + day + (1 << 31)
    expected, previous = np.empty(len(keys)), None
    for i in range(len(keys)):
        same = previous is not None and group[i] == group[i - 1]
        step = 0.5 ** ((day[i] - day[i - 1]) / 30) if same else 0.0
        expected[i] = 1 + (previous * step if same else 0.0)
        previous = expected[i]
    np.testing.assert_allclose(decayed_after_events(keys, 30), expected, rtol=1e-12)


@pytest.mark.parametrize("chunk", [None, 7])
def test_every_new_default_feature_equals_the_reference(authority, chunk):
    features = new_features()
    with small_chunks(chunk or 1 << 18):
        got = build_features(authority, DATES, only(features))
    expected = reference_table(authority, features, DATES).reindex(got.index)
    for feature in features:
        np.testing.assert_allclose(
            got[feature.name].to_numpy(dtype=float),
            expected[feature.name].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-12,
            err_msg=feature.name,
        )


def _with_events(data, extra):
    events = pd.concat([data.events, extra], ignore_index=True)
    return rm.LocalAuthorityData(data.persons, events, data.care_episodes)


def test_events_on_or_after_the_as_of_date_change_nothing(authority):
    spec = only(new_features())
    before = build_features(authority, DATES, spec)
    rng = np.random.default_rng(1)
    people = authority.persons["person_id"].to_numpy()
    as_of = pd.Timestamp(DATES[0])
    types = ["referral", "contact", "missing_episode", "police_domestic_abuse", "suspension"]
    later = pd.DataFrame(
        {
            "person_id": rng.choice(people, 300),
            "event_date": as_of + pd.to_timedelta(rng.integers(0, 40, 300), unit="D"),
            "event_type": rng.choice(types, 300),
        }
    )
    episodes = authority.care_episodes
    late_entry = episodes.iloc[:0].reindex(range(5))
    late_entry["person_id"] = people[:5]
    late_entry["start_date"] = as_of
    late_entry["legal_status"] = "C2"
    data = _with_events(authority, later)
    data = rm.LocalAuthorityData(data.persons, data.events, pd.concat([episodes, late_entry]))
    after = build_features(data, [DATES[0]], spec)
    pd.testing.assert_frame_equal(after, before.loc[after.index])


def test_an_earlier_event_never_lowers_a_count(authority):
    counts = [f for f in new_features() if not isinstance(f, QuarterChange | DaysSinceAny)]
    spec = only([*counts, DaysSinceAny()])
    before = build_features(authority, DATES, spec)
    people = authority.persons["person_id"].to_numpy()[:40]
    extra = pd.DataFrame(
        {"person_id": people, "event_type": "contact", "event_date": pd.Timestamp("2019-12-20")}
    )
    after = build_features(_with_events(authority, extra), DATES, spec)
    for feature in counts:
        assert (after[feature.name].fillna(0) >= before[feature.name].fillna(0) - 1e-12).all()
    since = "days_since_any_event"
    assert (after[since].fillna(np.inf) <= before[since].fillna(np.inf)).all()
    at = after.xs(pd.Timestamp(DATES[1]), level="as_of_date")
    assert (at.loc[people, since] <= 26).all()


def test_household_features_exclude_the_child_itself(authority):
    spec = only([f for f in new_features() if f.name.startswith("household_")])
    before = build_features(authority, DATES, spec)
    persons = authority.persons
    child = persons.loc[persons["household_id"].duplicated(keep=False), "person_id"].iloc[0]
    extra = pd.DataFrame(
        {
            "person_id": [child] * 6,
            "event_type": ["referral"] * 3 + ["contact"] * 3,
            "event_date": pd.Timestamp("2020-01-01"),
        }
    )
    after = build_features(_with_events(authority, extra), DATES, spec)
    pd.testing.assert_frame_equal(after.loc[[child]], before.loc[[child]])
    household = persons.loc[persons["person_id"] == child, "household_id"].iloc[0]
    siblings = persons.loc[
        (persons["household_id"] == household) & (persons["person_id"] != child), "person_id"
    ]
    at = pd.Timestamp(DATES[1])
    changed = after.xs(at, level=1).loc[list(siblings), "household_referral_count_365d"]
    unchanged = before.xs(at, level=1).loc[list(siblings), "household_referral_count_365d"]
    assert len(siblings) and (changed == unchanged + 3).all()


def test_without_household_ids_household_features_are_missing_with_a_reason(authority):
    persons = authority.persons.assign(household_id=pd.NA)
    data = rm.LocalAuthorityData(persons, authority.events, authority.care_episodes)
    spec = default_spec()
    household = [f for f in spec if f.name.startswith("household_")]
    assert len(household) == 3
    table = build_features(data, DATES, spec)
    assert table[[f.name for f in household]].isna().all().all()
    for feature in household:
        assert feature.describe(np.nan) == "no household recorded"
    others = [n for n in spec.names if "household_" not in n and n != "siblings_looked_after"]
    with_households = build_features(authority, DATES, spec)
    pd.testing.assert_frame_equal(table[others], with_households[others])


@pytest.mark.parametrize("removed", ["referral", "contact", "police_domestic_abuse", "suspension"])
def test_removing_a_family_leaves_the_features_that_do_not_read_it_alone(authority, removed):
    spec = only(new_features())
    before = build_features(authority, DATES, spec)
    events = authority.events[authority.events["event_type"] != removed]
    after = build_features(
        rm.LocalAuthorityData(authority.persons, events, authority.care_episodes), DATES, spec
    )
    for feature in spec:
        if removed not in {t for fam in feature.families for t in fam.event_types}:
            pd.testing.assert_series_equal(after[feature.name], before[feature.name])


def test_new_default_features_have_descriptions_and_travel_with_a_model():
    spec = default_spec()
    features = new_features(spec)
    assert 15 <= len(features) <= 25
    descriptions = spec.descriptions()
    for feature in features:
        assert "{value}" in descriptions[feature.name]
        for value in (0, 0.02, 1, 2.5, -1.5) if feature.dtype == "float64" else (0, 1, 5):
            text = feature.describe(value)
            assert text and "{" not in text
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    assert spec.describe("referral_decayed_90d", 2.34) == (
        "2.3 referrals in recent months, weighted towards the latest (half-life 90 days)"
    )
    assert spec.describe("active_months_12m", 1) == "events recorded in 1 of the last 12 months"
    assert spec.describe("referral_quarter_change", -0.5) == (
        "0.5 fewer referrals in the last quarter than a quarter of the year before"
    )
    assert spec.describe("days_since_any_event", np.nan) == "no event of any kind on record"


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "90"])
def test_bad_half_lives_and_windows_are_refused(bad):
    with pytest.raises(ValueError, match="half_life must be a whole number of days"):
        DecayedCount(REFERRAL, bad)
    with pytest.raises(ValueError, match="window_months must be a whole number"):
        ActiveMonths(bad)
    with pytest.raises(TypeError, match="must be an EventFamily"):
        QuarterChange("referral")


def test_a_model_fitted_without_household_ids_leaves_the_household_features_out():
    data = rm.make_local_authority(n_children=1500, start="2016-04-01", end="2021-03-31",
                                   random_state=0)  # fmt: skip
    data = rm.LocalAuthorityData(
        data.persons.assign(household_id=pd.NA), data.events, data.care_episodes
    )
    dates = pd.date_range("2017-04-01", "2020-01-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates, horizon_months=12)
    with pytest.warns(rm.DataQualityWarning) as record:
        model = rm.RiskClassifier("logistic", calibration=None, random_state=0)
        model.fit(frame.X, frame.y, feature_spec=frame.spec)
    household = [n for n in frame.spec.names if n.startswith("household_")]
    message = " ".join(str(r.message) for r in record)
    for name in household:
        assert model.features_dropped_[name] == "missing for every training row"
        assert f"{name} is missing for every training row" in message
