import contextlib

import numpy as np
import pandas as pd
import pytest
from feature_reference import Reference, as_of_dates, authorities, same_frames, same_values
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.data import LocalAuthorityData
from riskmodel.exceptions import SchemaError
from riskmodel.features import (
    AgeYears,
    Count,
    DaysSince,
    DaysSinceLeftCare,
    EventFamily,
    Ever,
    Feature,
    FeatureSpec,
    LatestValue,
    OpenAt,
    PreviousCarePeriods,
    PreviousCPPlans,
    SiblingsLookedAfter,
    _asof_rows,
    build_features,
    default_spec,
)
from riskmodel.features._day_keys import count_less


@contextlib.contextmanager
def small_chunks(rows):
    saved, _asof_rows.CHUNK_ROWS = _asof_rows.CHUNK_ROWS, rows
    try:
        yield
    finally:
        _asof_rows.CHUNK_ROWS = saved


REFERRAL = EventFamily("referral", "referral", "referrals")
EH = EventFamily("early_help", "early_help_start", "early help episodes")
EH_END = EventFamily("early_help_end", "early_help_end", "ends of early help episodes")
ABSENCE = EventFamily("absence", "absence_rate", "school absence rates")
EPISODE_COLUMNS = ["person_id", "start_date", "end_date", "legal_status", "reason_episode_ceased"]


def make_data(events=(), episodes=(), persons=None):
    persons = (
        persons if persons is not None else [("a", "2008-05-01", "h1"), ("b", "2010-01-01", "h1")]
    )
    return LocalAuthorityData(
        persons=pd.DataFrame(
            [(p, pd.Timestamp(d), "F", h) for p, d, h in persons],
            columns=["person_id", "date_of_birth", "sex", "household_id"],
        ),
        events=pd.DataFrame(
            [(p, pd.Timestamp(d), t, c, v) for p, d, t, c, v in events],
            columns=["person_id", "event_date", "event_type", "code", "value"],
        ),
        care_episodes=pd.DataFrame(
            [
                (p, pd.Timestamp(s), pd.Timestamp(e) if e else pd.NaT, ls, rec)
                for p, s, e, ls, rec in episodes
            ],
            columns=EPISODE_COLUMNS,
        ),
    )


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


def test_rows_sorted_by_date_then_person_with_spec_columns_and_dtypes():
    data = make_data(persons=[("b", "2008-01-01", None), ("a", "2009-01-01", None)])
    features = build_features(data, ["2021-01-01", "2020-01-01", "2020-01-01 13:00"])
    assert features.index.names == ["person_id", "as_of_date"]
    assert features.index.tolist() == [
        ("a", pd.Timestamp("2020-01-01")),
        ("b", pd.Timestamp("2020-01-01")),
        ("a", pd.Timestamp("2021-01-01")),
        ("b", pd.Timestamp("2021-01-01")),
    ]
    spec = default_spec()
    assert list(features.columns) == list(spec.names)
    assert [str(t) for t in features.dtypes] == [f.dtype for f in spec.features]
    assert features.attrs["feature_spec"] == spec.resolve([])
    assert features.attrs["feature_descriptions"] == spec.descriptions()
    assert features._mgr.nblocks == 3  # one block per dtype: adding a column does not warn
    features["extra"] = 1.0


def test_features_the_builder_does_not_know_are_refused():
    class Shoe(Feature):
        name = "shoe_size"

    with pytest.raises(TypeError, match="cannot compute Shoe features"):
        build_features(make_data(), ["2020-01-01"], FeatureSpec((Shoe(),)))


def test_missing_values_only_in_documented_features():
    data = make_data(events=[("a", "2019-03-01", "contact", None, np.nan)])
    features = build_features(data, ["2020-01-01"])
    with_nan = set(features.columns[features.isna().any()])
    nan_kinds = (DaysSince, LatestValue, DaysSinceLeftCare, AgeYears)
    allowed = {f.name for f in default_spec().features if isinstance(f, nan_kinds)}
    assert with_nan and with_nan <= allowed


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


def test_unknown_event_types_get_yearly_counts_in_sorted_order():
    data = make_data(
        events=[
            ("a", "2019-06-01", "Zebra Crossing", None, np.nan),
            ("a", "2019-06-01", "housing_referral", None, np.nan),
            ("b", "2019-07-01", "housing_referral", None, np.nan),
        ]
    )
    features = build_features(data, ["2020-01-01"])
    assert list(features.columns[-2:]) == [
        "other_housing_referral_count_365d",
        "other_zebra_crossing_count_365d",
    ]
    assert features["other_housing_referral_count_365d"].tolist() == [1, 1]
    assert features["other_zebra_crossing_count_365d"].tolist() == [1, 0]
    resolved = features.attrs["feature_spec"]
    assert (
        resolved.describe("other_zebra_crossing_count_365d", 1)
        == "1 'Zebra Crossing' event in the last year"
    )
    # the resolved spec keeps its columns, whatever types new data bring
    assert list(build_features(make_data(), ["2020-01-01"], resolved).columns) == list(
        features.columns
    )
    own = FeatureSpec((Count(REFERRAL, 365),), count_other_event_types=False)
    assert list(build_features(data, ["2020-01-01"], own).columns) == ["referral_count_365d"]


def test_events_of_unknown_persons_and_without_dates_are_ignored():
    data = make_data(
        events=[
            ("zz", "2019-06-01", "referral", None, np.nan),
            ("a", "2019-06-01", "referral", None, np.nan),
        ]
    )
    data.events.loc[1, "event_date"] = pd.NaT
    features = build_features(data, ["2020-01-01"], FeatureSpec((Count(REFERRAL, None),)))
    assert features["referral_count_ever"].tolist() == [0, 0]


def test_errors_name_the_problem():
    data = make_data()
    with pytest.raises(ValueError, match="either as_of_dates or keys"):
        build_features(data)
    keys = pd.DataFrame(
        {"person_id": ["a", "nobody"], "as_of_date": pd.to_datetime(["2020-01-01"] * 2)}
    )
    with pytest.raises(ValueError, match="either as_of_dates or keys"):
        build_features(data, ["2020-01-01"], keys=keys)
    with pytest.raises(
        SchemaError,
        match=r"keys.person_id: 1 row name children not in persons \(row 1; value 'nobody'\)",
    ):
        build_features(data, keys=keys)
    with pytest.raises(ValueError, match="keys: missing as_of_date"):
        build_features(data, keys=keys[["person_id"]])
    twice = make_data(persons=[("a", "2008-01-01", None), ("a", "2009-01-01", None)])
    with pytest.raises(SchemaError, match="persons.person_id: 2 rows repeat an id"):
        build_features(twice, ["2020-01-01"])
    with pytest.raises(TypeError, match="spec must be a FeatureSpec"):
        build_features(data, ["2020-01-01"], spec=[Count(REFERRAL)])


def test_no_persons_or_no_events_give_empty_or_zero_tables():
    empty = make_data(persons=[])
    features = build_features(empty, ["2020-01-01"])
    assert features.shape == (0, len(default_spec()))
    assert [str(t) for t in features.dtypes] == [f.dtype for f in default_spec().features]
    assert len(build_features(make_data(), ["2020-01-01"])) == 2


@settings(deadline=None)
@given(
    events=st.lists(st.integers(0, 40), max_size=30),
    queries=st.lists(st.integers(0, 40), max_size=30),
)
def test_count_less_counts_strictly_smaller_keys_either_way(events, queries):
    # count_less places events among queries when they are fewer, else searches queries
    e, q = np.sort(np.array(events, dtype=np.int64)), np.sort(np.array(queries, dtype=np.int64))
    assert count_less(e, q).tolist() == [int((e < x).sum()) for x in q]


@settings(max_examples=40, deadline=None)
@given(data=authorities(), dates=as_of_dates(), chunk=st.sampled_from([1, 5, 1 << 18]))
def test_builder_equals_the_naive_reference(data, dates, chunk):
    with small_chunks(chunk):  # several chunks of rows exercise the chunked computation
        features = build_features(data, dates)
    keys = features.index.to_frame(index=False)
    same_values(features, Reference(data, default_spec()).frame(keys))


@settings(max_examples=20, deadline=None)
@given(data=authorities(), dates=as_of_dates(), seed=st.integers(0, 2**32 - 1))
def test_keys_give_the_same_rows_as_dates_in_the_keys_order(data, dates, seed):
    grid = build_features(data, dates)
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(grid))[: max(1, len(grid) // 2)]
    keys = grid.index.to_frame(index=False).iloc[pick]
    with small_chunks(3):
        by_keys = build_features(data, keys=keys)
    assert by_keys.index.tolist() == list(grid.index[pick])
    same_frames(by_keys, grid.iloc[pick])
    same_frames(build_features(data, keys=grid.index[pick]), by_keys)
