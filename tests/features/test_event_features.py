"""Event features: names, descriptions, and what each computes from earlier events."""

import numpy as np
import pandas as pd
import pytest
from feature_data import ABSENCE, CP, CP_END, POLICE, REFERRAL, S47, make_data

from riskmodel.features import (
    Count,
    DaysSince,
    EventFamily,
    Ever,
    FeatureSpec,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
    build_features,
)


def test_count_names_templates_and_descriptions():
    feature = Count(POLICE, 365)
    assert feature.name == "police_da_count_365d"
    assert feature.template == "{value} police domestic-abuse notifications in the last year"
    assert feature.describe(3) == "3 police domestic-abuse notifications in the last year"
    assert feature.describe(np.int32(1)) == "1 police domestic-abuse notification in the last year"
    assert feature.describe(0.0) == "no police domestic-abuse notifications in the last year"
    ever = Count(S47, None)
    assert ever.name == "s47_count_ever"
    assert ever.describe(1) == "1 section 47 enquiry ever"
    assert Count(S47, 90).describe(2) == "2 section 47 enquiries in the last 3 months"
    assert Count(S47, np.int64(730)).name == "s47_count_730d"


@pytest.mark.parametrize("window", [0, -5, 1.5, True, "365", 10**6])
def test_count_rejects_bad_windows(window):
    with pytest.raises(ValueError, match="window_days must be a whole number of days"):
        Count(S47, window)


def test_days_since_ever_open_and_latest_descriptions():
    since = DaysSince(S47)
    assert since.name == "s47_days_since_last"
    assert since.describe(40.0) == "40 days since the last section 47 enquiry"
    assert since.describe(1) == "1 day since the last section 47 enquiry"
    assert since.describe(200) == "about 7 months since the last section 47 enquiry"
    assert since.describe(3818.0) == "about 10 years since the last section 47 enquiry"
    assert since.describe(np.nan) == "no section 47 enquiries ever"
    ever = Ever(S47)
    assert (ever.name, ever.dtype) == ("s47_ever", "bool")
    assert ever.describe(True) == "at least one section 47 enquiry ever"
    assert ever.describe(np.False_) == "no section 47 enquiries ever"
    assert ever.describe(1.0) == ever.template
    plan = OpenAt(CP, CP_END, "on a child protection plan")
    assert plan.template == "on a child protection plan at the as-of date"
    assert plan.describe(False) == "not on a child protection plan at the as-of date"
    unnamed = OpenAt(CP, CP_END)
    assert unnamed.describe(1) == "an open child protection plan at the as-of date"
    assert unnamed.describe(0) == "no open child protection plan at the as-of date"
    absence = EventFamily("absence", "absence_rate", "school absence rates")
    latest = LatestValue(absence, percent=True)
    assert latest.name == "absence_latest"
    assert latest.describe(0.123) == "latest school absence rate: 12%"
    assert latest.describe(np.nan) == "no school absence rates on record"
    assert LatestValue(absence).describe(0.5) == "latest school absence rate: 0.5"


def test_window_counts_include_the_window_start_and_exclude_the_as_of_date():
    data = make_data(
        events=[
            ("a", "2019-01-01", "referral", None, np.nan),  # 365 days before: inside
            ("a", "2018-12-31", "referral", None, np.nan),  # 366 days before: outside
            ("a", "2019-12-31", "referral", None, np.nan),  # the day before
            ("a", "2020-01-01", "referral", None, np.nan),  # the as-of date: never used
        ]
    )
    spec = FeatureSpec(
        (Count(REFERRAL, 365), Count(REFERRAL, None), DaysSince(REFERRAL), Ever(REFERRAL))
    )
    row = build_features(data, "2020-01-01", spec).loc[("a", pd.Timestamp("2020-01-01"))]
    assert row.tolist() == [2, 3, 1.0, True]
    other = build_features(data, "2020-01-01", spec).loc[("b", pd.Timestamp("2020-01-01"))]
    assert other.iloc[:2].tolist() == [0, 0] and np.isnan(other.iloc[2]) and not other.iloc[3]


def test_days_since_within_a_look_back_ignores_older_events():
    within = DaysSince(REFERRAL, within_days=365)
    assert within.name == "referral_days_since_last_365d"
    assert within.describe(np.nan) == "no referrals in the last year"
    assert within.describe(30) == "30 days since the last referral"
    events = [
        ("a", "2019-01-01", "referral", None, np.nan),  # 365 days before: inside
        ("b", "2018-12-31", "referral", None, np.nan),  # 366 days before: outside
    ]
    spec = FeatureSpec((within, Count(REFERRAL, None)))
    before = build_features(make_data(events=events), "2020-01-01", spec)
    assert before[within.name].tolist()[0] == 365.0 and np.isnan(before[within.name].iloc[1])
    # property: events older than the look-back never change the feature
    older = [
        ("a", "2010-05-05", "referral", None, np.nan),
        ("b", "2001-01-01", "referral", None, np.nan),
    ]
    after = build_features(make_data(events=events + older), "2020-01-01", spec)
    pd.testing.assert_series_equal(after[within.name], before[within.name])
    assert (after["referral_count_ever"] == before["referral_count_ever"] + 1).all()
    with pytest.raises(ValueError, match="within_days must be a whole number of days"):
        DaysSince(REFERRAL, within_days=0)


def test_open_at_and_previous_plans():
    cp = EventFamily("cp_plan", "cp_plan_start", "child protection plans")
    cp_end = EventFamily("cp_plan_end", "cp_plan_end", "ends of child protection plans")
    data = make_data(
        events=[
            ("a", "2018-01-01", "cp_plan_start", "NEG", np.nan),
            ("a", "2018-06-01", "cp_plan_end", None, np.nan),
            ("a", "2019-06-01", "cp_plan_start", "PHY", np.nan),
            ("a", "2020-01-01", "cp_plan_end", None, np.nan),  # ends on the as-of date: not known
            ("b", "2019-02-01", "cp_plan_start", None, np.nan),
            ("b", "2019-02-01", "cp_plan_end", None, np.nan),  # same-day end: closed
        ]
    )
    spec = FeatureSpec((OpenAt(cp, cp_end), PreviousCPPlans(cp, cp_end)))
    features = build_features(data, ["2020-01-01", "2020-01-02"], spec)
    assert features["cp_plan_open"].tolist() == [True, False, False, False]
    assert features["previous_cp_plans"].tolist() == [1, 1, 2, 1]


def test_latest_value_uses_the_latest_dated_value_before_the_as_of_date():
    data = make_data(
        events=[
            ("a", "2019-07-20", "absence_rate", None, 0.10),
            ("a", "2019-12-20", "absence_rate", None, 0.30),
            ("a", "2019-12-20", "absence_rate", None, 0.20),  # same day: the highest is used
            ("a", "2019-12-25", "absence_rate", None, np.nan),  # no value: skipped
            ("a", "2020-01-01", "absence_rate", None, 0.90),  # on the as-of date: not used
        ]
    )
    features = build_features(data, ["2020-01-01"], FeatureSpec((LatestValue(ABSENCE),)))
    assert features["absence_latest"].iloc[0] == 0.30
    assert np.isnan(features["absence_latest"].iloc[1])
