"""Person and care features: descriptions, age, periods of care, siblings in care."""

import numpy as np
import pandas as pd
from feature_data import make_data

from riskmodel.features import (
    AgeYears,
    DaysSinceLeftCare,
    FeatureSpec,
    PreviousCarePeriods,
    PreviousCPPlans,
    SiblingsLookedAfter,
    build_features,
)


def test_person_and_care_descriptions():
    assert AgeYears().describe(14.0) == "aged 14"
    assert AgeYears().describe(np.nan) == "age unknown"
    assert PreviousCarePeriods().describe(1) == "1 previous period of care"
    assert PreviousCarePeriods().describe(0) == "no previous periods of care"
    assert DaysSinceLeftCare().describe(np.nan) == "no previous period of care"
    assert DaysSinceLeftCare().describe(200) == "about 7 months since last leaving care"
    assert DaysSinceLeftCare().describe(45) == "45 days since last leaving care"
    assert SiblingsLookedAfter().describe(2) == "2 siblings looked after at the as-of date"
    assert SiblingsLookedAfter().describe(1) == "1 sibling looked after at the as-of date"
    assert PreviousCPPlans().describe(1) == "1 previous child protection plan"
    assert PreviousCPPlans().describe(3) == "3 previous child protection plans"


def test_age_in_whole_years_and_missing_before_birth():
    data = make_data(persons=[("a", "2008-02-29", None), ("b", "2021-01-01", None)])
    features = build_features(
        data, ["2020-02-28", "2020-02-29", "2021-02-28"], FeatureSpec((AgeYears(),))
    )
    age = features["age_years"]
    assert age.loc[("a", pd.Timestamp("2020-02-28"))] == 11
    assert age.loc[("a", pd.Timestamp("2020-02-29"))] == 12
    assert age.loc[("a", pd.Timestamp("2021-02-28"))] == 12  # 29 February: 1 March in 2021
    assert np.isnan(age.loc[("b", pd.Timestamp("2020-02-28"))])
    assert age.loc[("b", pd.Timestamp("2021-02-28"))] == 0


CARE_SPEC = FeatureSpec((PreviousCarePeriods(), DaysSinceLeftCare(), SiblingsLookedAfter()))


def test_previous_periods_count_only_ended_care_entries():
    data = make_data(
        episodes=[
            ("a", "2015-01-01", "2015-03-01", "C2", "X1"),  # one period of two episodes
            ("a", "2015-03-01", "2016-01-01", "C2", "E13"),
            ("a", "2017-01-01", "2017-01-05", "V3", "E13"),  # short breaks only: not counted
            ("a", "2019-06-01", None, "C2", None),  # looked after at the as-of dates
        ]
    )
    features = build_features(data, ["2019-01-01", "2020-01-01"], CARE_SPEC)
    a = features.xs("a", level="person_id")
    assert a["previous_care_periods"].tolist() == [1, 1]  # the open period is not counted
    assert a["days_since_left_care"].tolist() == [1096.0, 1461.0]
    assert features.loc[("b", pd.Timestamp("2020-01-01")), "siblings_looked_after"] == 1
    assert features.loc[("b", pd.Timestamp("2019-01-01")), "siblings_looked_after"] == 0
    assert a["siblings_looked_after"].tolist() == [0, 0]  # the child is not their own sibling


def test_care_history_uses_only_what_was_known_at_the_as_of_date():
    data = make_data(
        episodes=[
            # a short break that continues (X1) into a care order only after the as-of date
            ("a", "2019-01-01", "2019-03-01", "V3", "X1"),
            ("a", "2019-03-01", "2020-06-01", "C2", "E13"),
            # ends on the as-of date: still looked after as far as anyone knew
            ("c", "2019-01-01", "2019-03-01", "C2", "E13"),
        ],
        persons=[
            ("a", "2008-05-01", "h1"),
            ("b", "2010-01-01", "h1"),
            ("c", "2009-01-01", "h2"),
            ("d", "2009-01-01", "h2"),
        ],
    )
    features = build_features(data, ["2019-02-01", "2019-03-01", "2019-03-02"], CARE_SPEC)
    sibling = features["siblings_looked_after"]
    assert sibling.loc[("b", pd.Timestamp("2019-02-01"))] == 0  # a only on a short break then
    assert sibling.loc[("b", pd.Timestamp("2019-03-02"))] == 1
    assert sibling.loc[("d", pd.Timestamp("2019-03-01"))] == 1  # c's end not yet known
    assert sibling.loc[("d", pd.Timestamp("2019-03-02"))] == 0
    assert features.loc[("c", pd.Timestamp("2019-03-01")), "previous_care_periods"] == 0
    assert features.loc[("c", pd.Timestamp("2019-03-02")), "previous_care_periods"] == 1


def test_a_sibling_on_a_short_break_is_not_looked_after():
    data = make_data(
        episodes=[
            ("a", "2019-01-01", "2019-09-19", "C2", None),  # care, then a short break
            ("a", "2019-09-19", None, "V3", None),  # in the same period (same day)
        ]
    )
    features = build_features(data, ["2019-09-19", "2019-09-20"], CARE_SPEC)
    assert features.xs("b", level="person_id")["siblings_looked_after"].tolist() == [1, 0]
