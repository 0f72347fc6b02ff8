"""Cohort membership, exclusion reasons and care-entry labels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.cohort import (
    COHORT_REASONS,
    build_cohort,
    care_entry_labels,
    check_months,
    summarise_cohort,
)
from riskmodel.data import LocalAuthorityData
from riskmodel.data._care import care_entries

EXTRACT = "2024-03-31"


def make_data(persons, episodes=(), events=(), extract_date=EXTRACT):
    """Build data from short row tuples.

    persons: (person_id, date_of_birth[, uasc]); episodes: (person_id, start, end,
    legal_status, reason_episode_ceased); events: (person_id, event_date, event_type).
    """
    persons = pd.DataFrame(
        [(p[0], p[1], "F", p[2] if len(p) > 2 else False) for p in persons],
        columns=["person_id", "date_of_birth", "sex", "uasc"],
    )
    episodes = pd.DataFrame(
        list(episodes),
        columns=["person_id", "start_date", "end_date", "legal_status", "reason_episode_ceased"],
    )
    events = pd.DataFrame(list(events), columns=["person_id", "event_date", "event_type"])
    return LocalAuthorityData(persons, events, episodes, extract_date=extract_date)


def cohort_row(data, as_of, **kwargs):
    cohort = build_cohort(data, as_of, **kwargs)
    return cohort.set_index("person_id")


# --- cohort -----------------------------------------------------------------------


def test_one_row_per_child_and_date_with_documented_columns():
    data = make_data([("b", "2008-01-01"), ("a", "2012-06-30"), ("c", "2030-01-01")])
    cohort = build_cohort(data, ["2021-04-01", "2020-04-01", "2021-04-01"])
    assert list(cohort.columns) == ["person_id", "as_of_date", "age", "in_cohort", "reason"]
    assert len(cohort) == 3 * 2
    assert cohort["as_of_date"].is_monotonic_increasing
    assert cohort.groupby("as_of_date")["person_id"].apply(list).tolist() == [["a", "b", "c"]] * 2
    assert cohort["in_cohort"].dtype == bool
    assert (cohort["in_cohort"] == cohort["reason"].isna()).all()
    assert set(cohort["reason"].dropna()) <= set(COHORT_REASONS)


@pytest.mark.parametrize(
    ("dob", "as_of", "age"),
    [
        ("2010-04-01", "2020-04-01", 10),
        ("2010-04-01", "2020-03-31", 9),
        ("2010-04-02", "2020-04-01", 9),
        ("2010-12-31", "2021-01-01", 10),
        ("2008-02-29", "2018-02-28", 9),  # leap-day birthdays fall on 1 March
        ("2008-02-29", "2018-03-01", 10),
        ("2008-02-29", "2020-02-29", 12),
        ("2020-04-01", "2020-04-01", 0),
    ],
)
def test_age_is_whole_years_exact_at_birthdays(dob, as_of, age):
    cohort = build_cohort(make_data([("a", dob)]), as_of, min_age=None, max_age=None)
    assert cohort.loc[0, "age"] == age


def test_reasons_follow_the_documented_order():
    persons = [
        ("unborn", "2021-01-01"),
        ("young", "2012-01-01"),
        ("old_and_in_care", "2001-01-01"),
        ("in_care_and_uasc", "2006-01-01", True),
        ("uasc", "2006-01-01", True),
        ("left_care", "2008-01-01"),
        ("in", "2008-01-01"),
        ("no_dob", None),
    ]
    episodes = [
        ("old_and_in_care", "2019-01-01", None, "C2", None),
        ("in_care_and_uasc", "2019-01-01", None, "V2", None),
        ("left_care", "2018-01-01", "2019-06-01", "C2", "E13"),
    ]
    row = cohort_row(make_data(persons, episodes), "2020-04-01")
    assert row["reason"].fillna("(in cohort)").to_dict() == {
        "in": "(in cohort)",
        "in_care_and_uasc": "looked after on the as-of date",
        "left_care": "(in cohort)",
        "no_dob": "date of birth unknown",
        "old_and_in_care": "too old",
        "uasc": "unaccompanied asylum-seeking child",
        "unborn": "born after the as-of date",
        "young": "too young",
    }
    assert row.loc[["in", "left_care"], "in_cohort"].all()
    assert row.loc[["unborn", "no_dob"], "age"].isna().all()
    assert row["in_cohort"].sum() == 2


def test_looked_after_boundaries_and_short_breaks():
    persons = [("starts", "2008-01-01"), ("ends", "2008-01-01"), ("respite", "2008-01-01")]
    episodes = [
        ("starts", "2020-04-01", None, "C2", None),  # looked after from the as-of date
        ("ends", "2019-01-01", "2020-04-01", "C2", "E13"),  # went home on the as-of date
        ("respite", "2020-03-01", None, "V3", None),  # short breaks only
    ]
    row = cohort_row(make_data(persons, episodes), "2020-04-01")
    assert row.loc["starts", "reason"] == "looked after on the as-of date"
    assert row.loc["ends", "in_cohort"]
    assert row.loc["respite", "in_cohort"]


def test_every_rule_is_a_parameter():
    persons = [("nine", "2011-01-01"), ("eighteen", "2002-01-01"), ("uasc", "2006-01-01", True)]
    episodes = [("in_care", "2019-01-01", None, "C2", None)]
    data = make_data([*persons, ("in_care", "2008-01-01")], episodes)
    default = cohort_row(data, "2020-04-01")
    assert not default["in_cohort"].any()
    everyone = cohort_row(
        data,
        "2020-04-01",
        min_age=None,
        max_age=None,
        exclude_looked_after=False,
        exclude_uasc=False,
    )
    assert everyone["in_cohort"].all()
    wider = cohort_row(data, "2020-04-01", min_age=9, max_age=18)
    assert wider.loc[["nine", "eighteen"], "in_cohort"].all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_age": 12, "max_age": 11}, "min_age"),
        ({"min_age": -1}, "min_age"),
        ({"max_age": 17.5}, "max_age"),
    ],
)
def test_bad_age_bounds_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_cohort(make_data([("a", "2008-01-01")]), "2020-04-01", **kwargs)


@pytest.mark.parametrize("bad", [[], ["2020-04-01", "not a date"], [None]])
def test_bad_as_of_dates_raise(bad):
    with pytest.raises(ValueError, match="as_of_dates"):
        build_cohort(make_data([("a", "2008-01-01")]), bad)


def test_summary_counts_every_child_once_per_date():
    persons = [("a", "2008-01-01"), ("b", "2015-01-01"), ("c", "2008-01-01", True)]
    data = make_data(persons, [("a", "2020-06-01", None, "C2", None)])
    cohort = build_cohort(data, ["2020-04-01", "2020-07-01"])
    summary = summarise_cohort(cohort)
    assert list(summary.columns) == ["children", "in_cohort", "excluded", *COHORT_REASONS]
    assert (summary["children"] == 3).all()
    assert (summary["children"] == summary["in_cohort"] + summary["excluded"]).all()
    assert (summary["excluded"] == summary[list(COHORT_REASONS)].sum(axis=1)).all()
    assert summary["in_cohort"].tolist() == [1, 0]
    assert summary["looked after on the as-of date"].tolist() == [0, 1]
    assert summary["too young"].tolist() == [1, 1]
    assert summary["too old"].tolist() == [0, 0]


def anniversary(dob: dt.date, years: int) -> dt.date:
    """The date a child born on ``dob`` attains ``years`` (1 March for 29 February)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dt.date(dob.year + years, 3, 1)


@settings(max_examples=60, deadline=None)
@given(dob=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2015, 12, 31)))
def test_inclusion_changes_exactly_at_the_10th_and_18th_birthdays(dob):
    tenth, eighteenth = anniversary(dob, 10), anniversary(dob, 18)
    one_day = dt.timedelta(days=1)
    dates = [tenth - one_day, tenth, eighteenth - one_day, eighteenth]
    cohort = build_cohort(make_data([("a", dob.isoformat())]), dates)
    assert cohort["in_cohort"].tolist() == [False, True, True, False]
    assert cohort["reason"].tolist()[::3] == ["too young", "too old"]
    assert cohort["age"].tolist() == [9, 10, 17, 18]


# --- labels -----------------------------------------------------------------------


def keys_for(person_ids, dates):
    return pd.DataFrame({"person_id": person_ids, "as_of_date": pd.to_datetime(dates)})


@pytest.mark.parametrize(
    ("entry", "label"),
    [
        ("2020-04-01", 0.0),  # on the as-of date: already looked after, not an entry ahead
        ("2020-04-02", 1.0),
        ("2021-04-01", 1.0),  # last day of the horizon
        ("2021-04-02", 0.0),
        ("2019-01-01", 0.0),
    ],
)
def test_label_window_is_open_at_the_as_of_date_and_closed_at_the_horizon(entry, label):
    data = make_data([("a", "2008-01-01")], [("a", entry, None, "C2", None)])
    labels = care_entry_labels(data, keys_for(["a"], ["2020-04-01"]), horizon_months=12)
    assert labels.tolist() == [label]


def test_horizon_uses_calendar_months():
    data = make_data([("a", "2008-01-01")], [("a", "2020-02-29", None, "C2", None)])
    keys = keys_for(["a", "a"], ["2020-01-31", "2020-01-30"])
    assert care_entry_labels(data, keys, horizon_months=1).tolist() == [1.0, 1.0]
    data = make_data([("a", "2008-01-01")], [("a", "2020-03-01", None, "C2", None)])
    assert care_entry_labels(data, keys, horizon_months=1).tolist() == [0.0, 0.0]


def test_only_care_entries_count():
    persons = [("respite", "2008-01-01"), ("continuing", "2008-01-01"), ("re_entry", "2008-01-01")]
    episodes = [
        ("respite", "2020-06-01", "2020-06-03", "V3", "E13"),
        ("continuing", "2019-01-01", "2020-06-01", "C2", "X1"),
        ("continuing", "2020-06-01", None, "C2", None),  # same period: not an entry
        ("re_entry", "2018-01-01", "2019-01-01", "C2", "E13"),
        ("re_entry", "2020-06-01", None, "C2", None),  # went home, came back: an entry
    ]
    data = make_data(persons, episodes)
    keys = keys_for(["respite", "continuing", "re_entry"], ["2020-04-01"] * 3)
    assert care_entry_labels(data, keys).tolist() == [0.0, 0.0, 1.0]


def test_rows_whose_horizon_runs_past_the_data_are_unlabelled():
    data = make_data(
        [("a", "2008-01-01"), ("b", "2008-01-01")],
        [("a", "2023-06-01", None, "C2", None)],
        extract_date="2024-03-31",
    )
    keys = keys_for(["a", "b", "a", "b"], ["2023-03-31", "2023-03-31", "2023-04-01", "2023-04-01"])
    labels = care_entry_labels(data, keys, horizon_months=12)
    # the 2023-04-01 horizon ends 2024-04-01, after the extract: unlabelled even though
    # child a's entry was seen (keeping only seen positives would inflate late prevalence)
    assert labels.tolist()[:2] == [1.0, 0.0]
    assert labels.iloc[2:].isna().all()


def test_end_of_data_is_the_latest_date_without_an_extract_date():
    data = make_data(
        [("a", "2008-01-01")],
        [("a", "2020-06-01", "2021-04-01", "C2", "E13")],
        events=[("a", "2021-05-01", "contact")],
        extract_date=None,
    )
    keys = keys_for(["a", "a"], ["2020-05-01", "2020-05-02"])
    assert care_entry_labels(data, keys).tolist()[0] == 1.0
    assert np.isnan(care_entry_labels(data, keys).tolist()[1])


def test_labels_keep_the_order_and_index_of_the_keys():
    data = make_data(
        [("a", "2008-01-01"), ("b", "2008-01-01")], [("b", "2020-06-01", None, "C2", None)]
    )
    keys = keys_for(["b", "a", "b"], ["2020-04-01", "2020-04-01", "2019-01-01"])
    keys.index = [10, 5, 7]
    labels = care_entry_labels(data, keys)
    assert labels.name == "care_entry"
    assert labels.index.tolist() == [10, 5, 7]
    assert labels.tolist() == [1.0, 0.0, 0.0]
    multi = pd.MultiIndex.from_frame(keys)
    from_index = care_entry_labels(data, multi)
    assert from_index.index.equals(multi)
    assert from_index.tolist() == [1.0, 0.0, 0.0]
    assert care_entry_labels(data, keys.set_index(["person_id", "as_of_date"])).tolist() == [
        1.0,
        0.0,
        0.0,
    ]


def test_keys_without_the_key_columns_raise():
    data = make_data([("a", "2008-01-01")])
    with pytest.raises(ValueError, match="keys: missing as_of_date"):
        care_entry_labels(data, pd.DataFrame({"person_id": ["a"]}))


@pytest.mark.parametrize(("value", "months"), [(12, 12), (np.int64(6), 6), (24, 24)])
def test_horizon_is_a_whole_number_of_months(value, months):
    assert check_months(value) == months


@pytest.mark.parametrize("value", [0, -3, "12M", "12D", "twelve", 1.5, True])
def test_bad_horizons_raise(value):
    with pytest.raises(ValueError, match="horizon_months must be a whole number of months"):
        check_months(value)
    data = make_data([("a", "2008-01-01")])
    with pytest.raises(ValueError, match="horizon_months must be a whole number of months"):
        care_entry_labels(data, keys_for(["a"], ["2020-04-01"]), horizon_months=value)


# --- label properties ---------------------------------------------------------------

DAY0 = pd.Timestamp("2016-01-01")
AS_OF = st.integers(min_value=0, max_value=8 * 365).map(lambda d: DAY0 + pd.Timedelta(days=d))


@st.composite
def episode_histories(draw, person_id="a"):
    """Non-overlapping episodes of one child, as tuples for :func:`make_data`."""
    rows, day = [], draw(st.integers(0, 400))
    for _ in range(draw(st.integers(0, 5))):
        start = DAY0 + pd.Timedelta(days=day)
        length = draw(st.integers(1, 500))
        end = start + pd.Timedelta(days=length)
        legal = draw(st.sampled_from(["C2", "V2", "V3", "E1"]))
        rec = draw(st.sampled_from(["X1", "E13", None]))
        rows.append((person_id, start, end, legal, rec))
        day += length + draw(st.integers(0, 300))
    if rows and draw(st.booleans()):
        rows[-1] = (*rows[-1][:2], None, rows[-1][3], None)  # the last episode is open
    return rows


def reference_labels(data, keys, horizon):
    entries = care_entries(data.care_episodes)
    out = []
    for person_id, as_of in keys.itertuples(index=False):
        end = as_of + pd.DateOffset(months=horizon)
        dates = entries.loc[entries["person_id"] == person_id, "entry_date"]
        if end > data.end_date:
            out.append(np.nan)
        else:
            out.append(float(((dates > as_of) & (dates <= end)).any()))
    return out


@settings(max_examples=30, deadline=None)
@given(
    a=episode_histories("a"),
    b=episode_histories("b"),
    dates=st.lists(AS_OF, min_size=1, max_size=6),
    horizon=st.sampled_from([1, 6, 12, 18]),
)
def test_labels_match_a_row_by_row_reference(a, b, dates, horizon):
    data = make_data([("a", "2006-01-01"), ("b", "2006-01-01")], a + b)
    keys = keys_for(["a", "b"] * len(dates), [d for d in dates for _ in "ab"])
    got = care_entry_labels(data, keys, horizon)
    np.testing.assert_array_equal(got.to_numpy(), reference_labels(data, keys, horizon))


@settings(max_examples=25, deadline=None)
@given(
    history=episode_histories("a"),
    later=episode_histories("a"),
    as_of=AS_OF,
    horizon=st.sampled_from([3, 12]),
    n_events=st.integers(0, 20),
)
def test_labels_ignore_events_and_episodes_after_the_horizon(
    history, later, as_of, horizon, n_events
):
    """Labels ignore events, and episodes that start new periods after the horizon.

    The added episodes must start a new period: one continuing (``X1``) a period that
    began as short breaks would turn that period into a care entry dated at its start.
    """
    if history and history[-1][4] == "X1":
        history = [*history[:-1], (*history[-1][:4], "E13")]
    keys = keys_for(["a"], [as_of])
    base = care_entry_labels(make_data([("a", "2006-01-01")], history), keys, horizon)
    # shift a second history to start after the horizon (and after the first history)
    window_end = as_of + pd.DateOffset(months=horizon)
    last = max([window_end] + [e[2] or e[1] for e in history])
    shift = last - DAY0 + pd.Timedelta(days=1)
    moved = [(p, s + shift, None if e is None else e + shift, ls, r) for p, s, e, ls, r in later]
    events = [("a", DAY0 + pd.Timedelta(days=7 * i), "contact") for i in range(n_events)]
    changed = make_data([("a", "2006-01-01")], history + moved, events=events)
    pd.testing.assert_series_equal(care_entry_labels(changed, keys, horizon), base)


@settings(max_examples=40, deadline=None)
@given(as_of=AS_OF, offset=st.integers(-400, 800), horizon=st.sampled_from([1, 12, 24]))
def test_moving_the_entry_in_and_out_of_the_horizon_flips_the_label(as_of, offset, horizon):
    entry = as_of + pd.Timedelta(days=offset)
    data = make_data([("a", "2006-01-01")], [("a", entry, None, "C2", None)])
    label = care_entry_labels(data, keys_for(["a"], [as_of]), horizon).iloc[0]
    window_end = as_of + pd.DateOffset(months=horizon)
    if window_end > pd.Timestamp(EXTRACT):
        assert np.isnan(label)
    else:
        assert label == float(as_of < entry <= window_end)
