"""Scoring data with no events, or no care episodes, warns loudly instead of looking normal.

Both still rank every child and flag the top ``capacity``; without a warning the run
looks like any other. Each case must raise a DataQualityWarning that says what is
missing and what it means, and put the same message in the result's notes.
"""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.scoring import score

AS_OF = pd.Timestamp("2023-04-01")


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        data = rm.make_local_authority(n_children=1_500, random_state=4)
        frame = rm.build_training_frame(data, pd.date_range("2019-04-01", "2022-04-01", freq="QS"))
        model = rm.RiskClassifier("logistic", random_state=0).fit(frame.X, frame.y)
    return data, model


def _score(data, model, **kwargs):
    """Score, returning the result and the DataQualityWarning messages raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = score(data, model, AS_OF, **kwargs)
    messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    return result, messages


def test_ordinary_data_give_no_such_warning(fitted):
    data, model = fitted
    result, messages = _score(data, model)
    assert not [m for m in messages if "events:" in m or "care_episodes:" in m]
    assert not [n for n in result.notes if "events:" in n or "care_episodes:" in n]


def test_no_events_at_all_warns_and_notes(fitted):
    data, model = fitted
    empty = dataclasses.replace(data, events=data.events.iloc[:0])
    result, messages = _score(empty, model)
    found = [m for m in messages if m.startswith("events: no event is recorded before")]
    assert len(found) == 1 and "has no rows" in found[0] and "CIN census" in found[0]
    assert found[0] in result.notes
    assert result.scores["flagged"].sum() == 50  # still scored: the warning is the signal


def test_events_only_after_the_as_of_date_warn_too(fitted):
    data, model = fitted
    late = data.events.assign(event_date=AS_OF + pd.Timedelta(days=3))
    result, messages = _score(dataclasses.replace(data, events=late), model)
    found = [m for m in messages if m.startswith("events: no event is recorded before")]
    assert len(found) == 1 and "all on or after it" in found[0]
    assert found[0] in result.notes


def test_no_care_episodes_at_all_warns_and_notes(fitted):
    data, model = fitted
    empty = dataclasses.replace(data, care_episodes=data.care_episodes.iloc[:0])
    result, messages = _score(empty, model)
    found = [m for m in messages if m.startswith("care_episodes: the table has no rows")]
    assert len(found) == 1 and "SSDA903" in found[0] and "already" in found[0]
    assert found[0] in result.notes
    assert not [m for m in messages if m.startswith("events:")]


def test_the_warning_points_at_the_caller(fitted):
    data, model = fitted
    empty = dataclasses.replace(data, care_episodes=data.care_episodes.iloc[:0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score(empty, model, AS_OF)
    ours = [w for w in caught if str(w.message).startswith("care_episodes:")]
    assert ours and ours[0].filename == __file__
