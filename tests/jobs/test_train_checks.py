"""The training job's checks: recording changes are warned about and logged."""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.jobs._checks import warn_recording_changes

DATES = pd.date_range("2016-04-01", "2023-01-01", freq="QS")


@pytest.fixture(scope="module")
def authority():
    return rm.make_local_authority(n_children=2_000, random_state=0)


def test_a_family_that_starts_inside_the_training_period_is_warned_and_logged(authority, caplog):
    events = authority.events
    late = (events["event_type"] == "early_help_start") & (events["event_date"] < "2019-07-01")
    data = dataclasses.replace(authority, events=events[~late])
    expected = (
        "early_help_start events start in 2019-07, inside the training period "
        "(2014-04 to 2023-01): its features mean different things in different years"
    )
    with caplog.at_level(logging.WARNING, logger="riskmodel.jobs"):
        with pytest.warns(DataQualityWarning) as caught:
            changes = warn_recording_changes(data, DATES, history_months=24)
    assert [str(w.message) for w in caught] == [expected]
    assert changes["family"].tolist() == ["early_help_start"]
    assert any(expected in record.getMessage() for record in caplog.records)


def test_complete_records_raise_no_warning(authority, recwarn):
    changes = warn_recording_changes(authority, DATES, history_months=24)
    assert changes.empty
    assert not [w for w in recwarn if issubclass(w.category, DataQualityWarning)]


def test_the_period_starts_a_history_before_the_first_as_of_date(authority):
    # a family starting in 2015-01: inside a 24-month history, outside a 12-month one
    events = authority.events
    late = (events["event_type"] == "contact") & (events["event_date"] < "2015-01-01")
    data = dataclasses.replace(authority, events=events[~late])
    with pytest.warns(DataQualityWarning, match="contact events start in 2015-01"):
        warn_recording_changes(data, DATES, history_months=24)
    assert warn_recording_changes(data, DATES, history_months=12).empty
