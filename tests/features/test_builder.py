"""build_features: rows, columns and dtypes, errors, the reference, and leakage."""

import numpy as np
import pandas as pd
import pytest
from feature_data import REFERRAL, make_data, small_chunks
from feature_reference import (
    DAY0,
    SPAN,
    TYPES,
    Reference,
    as_of_dates,
    authorities,
    events_of,
    known_episodes,
    same_frames,
    same_values,
)
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
    FeatureSpec,
    LatestValue,
    build_features,
    default_spec,
)


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


def test_missing_values_only_in_documented_features():
    data = make_data(events=[("a", "2019-03-01", "contact", None, np.nan)])
    features = build_features(data, ["2020-01-01"])
    with_nan = set(features.columns[features.isna().any()])
    nan_kinds = (DaysSince, LatestValue, DaysSinceLeftCare, AgeYears)
    allowed = {f.name for f in default_spec().features if isinstance(f, nan_kinds)}
    assert with_nan and with_nan <= allowed


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


# counts of each event type, after the default features (for the default spec's columns too)
COUNTS = tuple(
    Count(EventFamily(f"t_{t}", t, f"{t} events"), w) for t in TYPES for w in (None, 90)
)


SPEC = FeatureSpec(default_spec().resolve(TYPES).features + COUNTS, count_other_event_types=False)


def rows_at(data, as_of, spec):
    keys = pd.DataFrame({"person_id": data.persons["person_id"], "as_of_date": as_of})
    return build_features(data, keys=keys, spec=spec)


def with_events(data, events):
    return LocalAuthorityData(data.persons, events, data.care_episodes)


@st.composite
def data_and_day(draw):
    data = draw(authorities())
    day = draw(st.integers(1, SPAN))
    return data, day, DAY0 + pd.Timedelta(days=day)


@settings(max_examples=30, deadline=None)
@given(case=data_and_day(), st_data=st.data())
def test_adding_removing_or_changing_later_events_never_changes_the_row(case, st_data):
    data, day, as_of = case
    spec = SPEC  # fixed columns, whatever types the data hold
    later = st_data.draw(events_of(len(data.persons), min_day=day, max_day=day + 400))
    on_the_day = st_data.draw(events_of(len(data.persons), min_day=day, max_day=day, max_size=3))
    later = pd.concat([later, on_the_day])
    kept = data.events[data.events["event_date"] < as_of]
    before = rows_at(data, as_of, spec)
    # replace everything on or after the as-of date by other events (adds, removes, changes)
    same_values(rows_at(with_events(data, pd.concat([kept, later])), as_of, spec), before)
    # or only add some
    same_values(rows_at(with_events(data, pd.concat([data.events, later])), as_of, spec), before)


@settings(max_examples=30, deadline=None)
@given(case=data_and_day(), dates=st.lists(st.integers(1, SPAN + 60), min_size=1, max_size=2))
def test_data_truncated_to_what_was_known_gives_the_same_rows(case, dates):
    data, _, _ = case
    full = build_features(data, [DAY0 + pd.Timedelta(days=d) for d in dates])
    spec = full.attrs["feature_spec"]
    for as_of, rows in full.groupby(level="as_of_date", sort=False):
        events_before = with_events(data, data.events[data.events["event_date"] < as_of])
        same_values(rows_at(events_before, as_of, spec), rows)
        known = LocalAuthorityData(
            data.persons, events_before.events, known_episodes(data.care_episodes, as_of)
        )
        same_values(rows_at(known, as_of, spec), rows)


@settings(max_examples=30, deadline=None)
@given(
    case=data_and_day(),
    event_type=st.sampled_from(TYPES),
    later=st.integers(0, 300),
    earlier=st.integers(1, 90),
    who=st.integers(0, 3),
)
def test_moving_an_event_before_the_as_of_date_changes_the_row(
    case, event_type, later, earlier, who
):
    data, day, as_of = case
    person = data.persons["person_id"].iloc[who % len(data.persons)]
    event = pd.DataFrame(
        {
            "person_id": [person],
            "event_date": [as_of + pd.Timedelta(days=later)],
            "event_type": [event_type],
            "value": [0.5],
        }
    )
    data = with_events(data, pd.concat([data.events, event], ignore_index=True))
    moved_events = data.events.copy()
    moved_events.loc[len(moved_events) - 1, "event_date"] = as_of - pd.Timedelta(days=earlier)
    moved = with_events(data, moved_events)

    one, two = rows_at(data, as_of, SPEC), rows_at(moved, as_of, SPEC)
    counts = [f.name for f in COUNTS]
    diff = two[counts].astype(int) - one[counts].astype(int)
    changed = diff.loc[person].iloc[0]
    expected = {f"t_{event_type}_count_ever": 1, f"t_{event_type}_count_90d": 1}
    assert changed[changed != 0].to_dict() == expected
    assert (diff.drop(index=person, level="person_id").to_numpy() == 0).all()
    if event_type not in ("cp_plan_end", "early_help_end", "absence_rate"):  # not counted
        default = list(default_spec().resolve(TYPES).names)
        before = one.loc[person, default].to_numpy(dtype=float)
        after = two.loc[person, default].to_numpy(dtype=float)
        assert not np.array_equal(before, after, equal_nan=True)
