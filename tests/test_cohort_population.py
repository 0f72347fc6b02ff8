"""The cohort of data that hold only the children the returns name (population "returns").

Such a child is in the data because some return names them, perhaps years after an
as-of date. If that alone put them in earlier cohorts, future care entrants would be in
every cohort and other children only once known: the outcome would leak into training.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.cohort import NOT_YET_KNOWN


@pytest.fixture
def returns_data(small_tables) -> rm.LocalAuthorityData:
    persons = pd.concat(
        [
            small_tables["persons"],
            pd.DataFrame(
                {
                    "person_id": ["d"],
                    "date_of_birth": ["2009-02-01"],
                    "sex": ["F"],
                    "uasc": [False],
                }
            ),
        ],
        ignore_index=True,
    )
    events = pd.concat(
        [
            small_tables["events"],
            pd.DataFrame(
                {
                    "person_id": ["d", "d"],
                    "event_date": ["2019-06-01", "2022-02-01"],
                    "event_type": ["absence_rate", "referral"],
                }
            ),
        ],
        ignore_index=True,
    )
    return rm.LocalAuthorityData(
        persons, events, small_tables["care_episodes"], population="returns"
    )


def test_children_named_only_by_later_records_are_not_in_earlier_cohorts(returns_data):
    cohort = rm.build_cohort(returns_data, ["2020-04-01", "2021-06-01", "2022-06-01"])
    reasons = cohort.set_index(["as_of_date", "person_id"])["reason"]
    # "a" is first named by a referral in January 2020; "b" only by a police record,
    # which no return carries, so never; "d" by a referral in February 2022 (its
    # school record before that is a local extract's, not a return's).
    assert pd.isna(reasons[(pd.Timestamp("2020-04-01"), "a")])
    assert reasons[(pd.Timestamp("2020-04-01"), "d")] == NOT_YET_KNOWN
    assert reasons[(pd.Timestamp("2021-06-01"), "b")] == NOT_YET_KNOWN
    assert pd.isna(reasons[(pd.Timestamp("2022-06-01"), "d")])


@pytest.mark.parametrize("as_of", ["2020-04-01", "2021-02-01", "2022-03-01"])
def test_cohort_at_a_date_depends_only_on_records_before_it(returns_data, as_of):
    as_of = pd.Timestamp(as_of)
    events = returns_data.events[returns_data.events["event_date"] < as_of]
    care = returns_data.care_episodes
    care = care[care["start_date"] < as_of].assign(
        end_date=care["end_date"].where(care["end_date"] < as_of)
    )
    before = dataclasses.replace(returns_data, events=events, care_episodes=care)
    pd.testing.assert_frame_equal(
        rm.build_cohort(before, as_of), rm.build_cohort(returns_data, as_of)
    )


def test_a_whole_population_keeps_the_default_rule(returns_data):
    everyone = dataclasses.replace(returns_data, population="all")
    cohort = rm.build_cohort(everyone, "2020-04-01")
    assert NOT_YET_KNOWN not in set(cohort["reason"].dropna())
    forced = rm.build_cohort(everyone, "2020-04-01", require_known=True)
    assert NOT_YET_KNOWN in set(forced["reason"].dropna())


def test_population_travels_through_write_read_and_merge(returns_data, tmp_path):
    folder = rm.write_data(returns_data, tmp_path / "tables")
    assert rm.read_data(folder, validate=False).population == "returns"
    everyone = dataclasses.replace(returns_data, population="all")
    assert rm.merge_data(everyone, returns_data).population == "returns"
    assert rm.merge_data(everyone).population == "all"
    with pytest.raises(ValueError, match="population must be one of"):
        dataclasses.replace(returns_data, population="everyone")
