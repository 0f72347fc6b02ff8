"""Leakage properties: a row at an as-of date depends only on what was known before it."""

import numpy as np
import pandas as pd
from feature_reference import (
    DAY0,
    SPAN,
    TYPES,
    authorities,
    events_of,
    known_episodes,
    same_values,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.data import LocalAuthorityData
from riskmodel.features import Count, EventFamily, FeatureSpec, build_features, default_spec

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
