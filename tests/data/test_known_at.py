"""LocalAuthorityData.known_at: the tables as a run at an as-of date saw them."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.cohort import build_cohort
from riskmodel.data import LocalAuthorityData, make_local_authority
from riskmodel.exceptions import SchemaError
from riskmodel.features import build_features

pytestmark = pytest.mark.xdist_group("known_at")

FIRST, LAST = pd.Timestamp("2014-04-01"), pd.Timestamp("2024-04-01")  # LAST: end_date + 1 day
DAYS = (LAST - FIRST).days
TABLES = ("persons", "events", "care_episodes")


@pytest.fixture(scope="module")
def authority() -> LocalAuthorityData:
    return make_local_authority(n_children=2_000, random_state=7)


def _day(offset: int) -> pd.Timestamp:
    return FIRST + pd.Timedelta(days=offset)


def _assert_same_tables(a: LocalAuthorityData, b: LocalAuthorityData) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.extract_date == b.extract_date


@settings(max_examples=6, deadline=None)
@given(offset=st.integers(0, DAYS))
def test_features_at_the_date_are_those_of_the_full_data(authority, offset):
    date = _day(offset)
    then = authority.known_at(date)
    keys = pd.DataFrame({"person_id": then.persons["person_id"], "as_of_date": date})
    pd.testing.assert_frame_equal(
        build_features(then, keys=keys), build_features(authority, keys=keys), check_exact=True
    )


@settings(max_examples=12, deadline=None)
@given(later=st.integers(0, DAYS), earlier=st.integers(0, DAYS))
def test_cutting_again_at_an_earlier_date_is_cutting_once(authority, later, earlier):
    a, b = _day(max(later, earlier)), _day(min(later, earlier))
    _assert_same_tables(authority.known_at(a).known_at(b), authority.known_at(b))


def test_cutting_twice_at_the_same_date_changes_nothing(authority):
    once = authority.known_at("2019-07-01")
    _assert_same_tables(once.known_at("2019-07-01"), once)


@pytest.mark.parametrize("date", ["2014-04-01", "2018-11-17", "2021-04-01", "2024-04-01"])
def test_cut_tables_hold_nothing_after_the_day_before_and_validate(authority, date):
    then = authority.known_at(date).validate()  # warnings are errors in this suite
    cut = pd.Timestamp(date) - pd.Timedelta(days=1)
    assert then.extract_date == cut and then.end_date == cut
    assert (then.events["event_date"] <= cut).all()
    eps = then.care_episodes
    assert (eps["start_date"] <= cut).all()
    assert (eps["end_date"].dropna() <= cut).all()
    assert eps.loc[eps["end_date"].isna(), "reason_episode_ceased"].isna().all()
    assert (then.persons["date_of_birth"] <= cut).all()
    # nothing known by then is lost: every full-data row dated by the cut is kept
    full = authority.events
    assert len(then.events) == int((full["event_date"] <= cut).sum())
    born = authority.persons["date_of_birth"] <= cut
    assert set(then.persons["person_id"]) == set(authority.persons.loc[born, "person_id"])
    assert then.truth is authority.truth


def test_cohort_differs_only_for_care_starting_or_ending_on_the_date(authority):
    date = pd.Timestamp("2020-01-01")
    then = authority.known_at(date)
    full = build_cohort(authority, date).set_index("person_id")["in_cohort"]
    cut = build_cohort(then, date).set_index("person_id")["in_cohort"]
    full = full.loc[cut.index]
    eps = authority.care_episodes
    on_the_day = set(eps.loc[(eps["start_date"] == date) | (eps["end_date"] == date), "person_id"])
    differ = set(cut.index[cut != full])
    assert differ <= on_the_day


def _tiny(population: str = "all") -> LocalAuthorityData:
    persons = pd.DataFrame(
        {
            "person_id": ["a", "b", "u", "q"],
            "date_of_birth": ["2008-05-01", "2009-02-01", "2021-03-01", "2007-01-01"],
            "sex": ["M", "F", "F", "M"],
        }
    )
    events = pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "u", "q"],
            "event_date": ["2019-06-01", "2020-06-01", "2020-12-31", "2020-12-01", "2022-01-01"],
            "event_type": ["referral", "contact", "referral", "assessment_start", "referral"],
        }
    )
    episodes = pd.DataFrame(
        {
            "person_id": ["a", "a", "b"],
            "start_date": ["2019-07-01", "2020-03-01", "2021-02-01"],
            "end_date": ["2020-03-01", "2021-05-01", None],
            "legal_status": ["C2", "C2", "V2"],
            "reason_episode_ceased": ["X1", "E11", None],
        }
    )
    return LocalAuthorityData(
        persons, events, episodes, extract_date="2022-03-31", population=population
    )


def test_open_episodes_unborn_children_and_unnamed_children_on_a_small_example():
    then = _tiny().known_at("2021-01-01")  # cut 2020-12-31
    eps = then.care_episodes
    assert eps["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-07-01", "2020-03-01"]
    assert eps["end_date"].isna().tolist() == [False, True]  # the second ended in 2021
    assert eps["reason_episode_ceased"].isna().tolist() == [False, True]
    assert eps.loc[0, "reason_episode_ceased"] == "X1"
    # "u" is born in 2021: gone with the pre-birth assessment; "q" is named in 2022 only
    assert then.persons["person_id"].tolist() == ["a", "b", "q"]
    assert sorted(then.events["person_id"]) == ["a", "a", "b"]
    returns = _tiny("returns").known_at("2021-01-01")
    assert returns.persons["person_id"].tolist() == ["a", "b"]
    assert returns.population == "returns"


def test_undated_rows_are_kept_for_validation_to_report():
    data = _tiny()
    events = data.events.copy()
    events.loc[1, "event_date"] = pd.NaT
    data = LocalAuthorityData(data.persons, events, data.care_episodes, data.extract_date)
    then = data.known_at("2020-01-01")
    assert then.events["event_date"].isna().sum() == 1
    with pytest.raises(SchemaError, match="events.event_date: 1 row has no event_date"):
        then.validate()


def test_a_date_after_the_end_date_plus_one_day_names_the_dates(authority):
    authority.known_at("2024-04-01")  # the day after the end date: everything is known
    with pytest.raises(
        ValueError, match=r"2024-04-02 is after .* end date 2024-03-31 .*2024-04-01"
    ):
        authority.known_at("2024-04-02")


def test_a_date_that_is_not_a_date_is_a_schema_error(authority):
    with pytest.raises(SchemaError, match="known_at: date '01/02/24' is not a date"):
        authority.known_at("01/02/24")
