"""Coverage of event families, and the rule that finds recording changes."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.data import EVENT_TYPES, LocalAuthorityData
from riskmodel.data._coverage import CARE_EPISODES, _grace_months, recording_changes


@pytest.fixture(scope="module")
def authority() -> LocalAuthorityData:
    return rm.make_local_authority(n_children=2_000, random_state=0)


def _data(events: list[tuple[str, str, str]], episodes=(), extract="2024-03-31"):
    """Persons a..e; ``events`` as (person_id, date, type); ``episodes`` as (person, start)."""
    persons = pd.DataFrame(
        {
            "person_id": list("abcde"),
            "date_of_birth": ["2008-01-01"] * 5,
            "sex": ["F", "M", "F", "M", "U"],
        }
    )
    table = pd.DataFrame(events, columns=["person_id", "event_date", "event_type"])
    care = pd.DataFrame(list(episodes), columns=["person_id", "start_date"]).assign(
        legal_status="C2"
    )
    return LocalAuthorityData(persons, table, care, extract_date=extract)


def test_counts_match_the_tables(authority):
    table = authority.coverage()
    events = authority.events
    by_family = table.groupby("family")["events"].sum()
    expected = events["event_type"].value_counts()
    assert by_family[expected.index].tolist() == expected.tolist()
    assert by_family[CARE_EPISODES] == len(authority.care_episodes)
    year = events["event_date"].dt.year + (events["event_date"].dt.month >= 4)
    children = events.assign(year=year).groupby(["event_type", "year"])["person_id"].nunique()
    got = table[table["events"] > 0].set_index(["family", "collection_year"])["children"]
    for (family, yr), n in children.items():
        assert got[(family, yr)] == n


def test_every_family_has_every_year(authority):
    table = authority.coverage()
    years = table["collection_year"]
    n_years = int(years.max() - years.min() + 1)
    assert table.groupby("family").size().eq(n_years).all()
    assert not table.duplicated(["family", "collection_year"]).any()


def test_collection_years_end_on_31_march():
    data = _data(
        [("a", "2020-03-31", "referral"), ("b", "2020-04-01", "referral")],
        episodes=[("c", "2019-04-01")],
    )
    table = data.coverage().set_index(["family", "collection_year"])
    assert table.loc[("referral", 2020), "events"] == 1
    assert table.loc[("referral", 2021), "events"] == 1
    assert table.loc[(CARE_EPISODES, 2020), "events"] == 1
    assert str(table.loc[("referral", 2021), "first_month"]) == "2020-04"


def test_absent_and_unknown_families_are_shown():
    data = _data(
        [
            ("a", "2020-05-01", "referral"),
            ("a", "2021-07-10", "referral"),
            ("b", "2021-02-01", "housing_notice"),
        ]
    )
    summary = data.coverage_summary().set_index("family")
    assert list(summary.index[: len(EVENT_TYPES)]) == list(EVENT_TYPES)
    assert summary.loc["contact", "events"] == 0
    assert pd.isna(summary.loc["contact", "first_month"])
    assert not summary.loc["housing_notice", "in_vocabulary"]
    assert summary.loc["housing_notice", "events"] == 1
    assert summary.loc["referral", "months_recorded"] == 2
    assert str(summary.loc["referral", "last_month"]) == "2021-07"
    assert summary.loc[CARE_EPISODES, "events"] == 0
    table = data.coverage()
    assert table.loc[table["family"] == "contact", "events"].eq(0).all()
    assert set(table.loc[table["family"] == "housing_notice", "in_vocabulary"]) == {False}


def test_data_without_records_list_every_family_with_zero():
    data = _data([])
    table, summary = data.coverage(), data.coverage_summary()
    assert len(summary) == len(EVENT_TYPES) + 1
    assert summary["events"].eq(0).all() and summary["children"].eq(0).all()
    assert table["events"].eq(0).all() and table["collection_year"].isna().all()


def test_summary_first_and_last_month_are_the_extremes(authority):
    summary = authority.coverage_summary().set_index("family")
    dates = authority.events.groupby("event_type")["event_date"]
    for family, first in dates.min().items():
        assert summary.loc[family, "first_month"] == first.to_period("M")
    for family, last in dates.max().items():
        assert summary.loc[family, "last_month"] == last.to_period("M")


# ------------------------------------------------------------- the change rule


def _summary(family, first, last, months_recorded, source="events"):
    return pd.DataFrame(
        {
            "family": [family],
            "source": [source],
            "first_month": [pd.Period(first, "M")],
            "last_month": [pd.Period(last, "M")],
            "months_recorded": [months_recorded],
            "events": [10 * months_recorded],
        }
    )


def _monthly(first, last, family="early_help_start"):
    months = len(pd.period_range(first, last, freq="M"))
    return _summary(family, first, last, months)


def test_grace_is_a_quarter_for_monthly_families_and_longer_for_sparse_ones():
    assert _grace_months(1.0, chance=0.001, min_months=3) == 3
    assert _grace_months(0.5, chance=0.001, min_months=3) == 10
    assert _grace_months(0.0, chance=0.001, min_months=3) == math.inf
    # the grace is where a run of empty months becomes rarer than the chance
    for presence in (0.1, 0.3, 0.7):
        k = _grace_months(presence, chance=0.001, min_months=1)
        assert (1 - presence) ** k < 0.001 <= (1 - presence) ** (k - 1)


def test_a_family_that_starts_late_is_named_with_its_month():
    changes = recording_changes(_monthly("2019-07", "2024-03"), "2016-04-01", "2023-01-01")
    assert changes[["family", "change"]].values.tolist() == [["early_help_start", "start"]]
    assert changes["month"].iloc[0] == pd.Period("2019-07", "M")
    assert changes["message"].iloc[0] == (
        "early_help_start events start in 2019-07, inside the training period "
        "(2016-04 to 2023-01): its features mean different things in different years"
    )


def test_the_start_boundary_is_a_quarter_for_a_monthly_family():
    period = ("2016-04-01", "2023-01-01")
    assert recording_changes(_monthly("2016-06", "2024-03"), *period).empty
    assert len(recording_changes(_monthly("2016-07", "2024-03"), *period)) == 1


def test_a_family_that_stops_is_named():
    period = ("2016-04-01", "2023-01-01")
    changes = recording_changes(_monthly("2014-01", "2020-02", "missing_episode"), *period)
    assert changes[["change", "month"]].values.tolist() == [["stop", pd.Period("2020-02", "M")]]
    assert "missing_episode events stop in 2020-02" in changes["message"].iloc[0]
    # features at 2023-01-01 read events to December 2022: three empty months count
    assert recording_changes(_monthly("2014-01", "2022-10"), *period).empty
    assert len(recording_changes(_monthly("2014-01", "2022-09"), *period)) == 1


def test_care_episodes_are_checked_too():
    summary = _monthly("1998-01", "2019-12", CARE_EPISODES).assign(source="care_episodes")
    changes = recording_changes(summary, "2016-04-01", "2023-01-01")
    assert changes["message"].iloc[0].startswith("care episodes stop in 2019-12")


def test_families_outside_the_period_or_sparse_are_not_changes():
    period = ("2016-04-01", "2023-01-01")
    assert recording_changes(_monthly("2023-06", "2024-03"), *period).empty  # after it
    assert recording_changes(_monthly("2010-01", "2015-12"), *period).empty  # before it
    # six records over the years: too few for any run of empty months to mean a change
    assert recording_changes(
        _summary("permanent_exclusion", "2019-12", "2020-08", 6), *period
    ).empty
    absent = _summary("contact", "2019-01", "2019-01", 0).assign(events=0)
    assert recording_changes(absent, *period).empty


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_complete_synthetic_authority_has_no_recording_change(seed):
    data = rm.make_local_authority(n_children=2_000, random_state=seed)
    assert recording_changes(data.coverage_summary(), "2014-04-01", "2023-01-01").empty


def test_recording_changes_are_found_in_a_truncated_authority(authority):
    events = authority.events
    late = (events["event_type"] == "early_help_start") & (events["event_date"] < "2019-07-01")
    gone = (events["event_type"] == "missing_episode") & (events["event_date"] >= "2020-02-01")
    data = dataclasses.replace(authority, events=events[~late & ~gone])
    changes = recording_changes(data.coverage_summary(), "2014-04-01", "2023-01-01")
    found = {(r.family, r.change, str(r.month)) for r in changes.itertuples()}
    assert found == {
        ("early_help_start", "start", "2019-07"),
        ("missing_episode", "stop", "2020-01"),
    }
    assert np.all(changes["message"].str.contains("inside the training period"))


def test_an_event_type_named_like_the_care_row_is_kept_apart():
    data = _data([("a", "2020-05-01", CARE_EPISODES)], episodes=[("b", "2019-01-01")])
    summary = data.coverage_summary().set_index("source")
    assert summary.loc["events"].set_index("family").loc[CARE_EPISODES, "events"] == 1
    assert summary.loc["care_episodes", "events"] == 1
    assert summary.loc["care_episodes", "first_month"] == pd.Period("2019-01", "M")
