"""realised_outcomes: horizon boundaries, partial runs, children absent from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.cohort import build_cohort, care_entry_labels
from riskmodel.data import LocalAuthorityData
from riskmodel.monitoring import realised_outcomes


def _data(entries: dict[str, str], extract_date: str = "2024-03-31") -> LocalAuthorityData:
    ids = ["on_as_of", "last_day", "day_after", "never", "partial"]
    persons = pd.DataFrame(
        {
            "person_id": ids,
            "sex": "F",
            "date_of_birth": pd.to_datetime(["2008-05-01"] * len(ids)),
        }
    )
    episodes = pd.DataFrame(
        {
            "person_id": list(entries),
            "legal_status": "C2",
            "start_date": pd.to_datetime(list(entries.values())),
        }
    )
    events = pd.DataFrame(columns=["person_id", "event_date", "event_type"])
    return LocalAuthorityData(persons, events, episodes, extract_date=extract_date)


def test_horizon_boundaries_partial_runs_and_absent_children():
    data = _data(
        {
            "on_as_of": "2022-01-01",  # on the as-of date: looked after then, not an entry
            "last_day": "2023-01-01",  # the last day of the 12-month horizon: counts
            "day_after": "2023-01-02",  # one day too late
            "partial": "2024-03-15",  # seen in the observed part of a partial run
        }
    )
    history = pd.DataFrame(
        {
            "person_id": ["on_as_of", "last_day", "day_after", "never", "gone", "partial"],
            "as_of_date": pd.to_datetime(["2022-01-01"] * 5 + ["2023-10-01"]),
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    out = realised_outcomes(data, history, horizon_months=12)
    assert out.index.tolist() == history.index.tolist()
    assert out["entered_care"].tolist() == [False, True, False, False, False, True]
    assert out.loc[11, "entry_date"] == pd.Timestamp("2023-01-01")
    assert out.loc[15, "entry_date"] == pd.Timestamp("2024-03-15")
    assert out["entry_date"].isna().tolist() == [True, False, True, True, True, False]
    # 2023-10-01 + 5 months = 2024-03-01 <= 2024-03-31 < 2024-04-01
    assert out["months_observed"].tolist() == [12] * 5 + [5]
    assert out["complete"].tolist() == [True] * 5 + [False]
    assert out["in_data"].tolist() == [True, True, True, True, False, True]


def test_run_whose_horizon_ends_on_the_end_date_is_complete():
    data = _data({"last_day": "2024-03-31"}, extract_date="2024-03-31")
    history = pd.DataFrame(
        {"person_id": ["last_day", "never"], "as_of_date": pd.to_datetime(["2023-03-31"] * 2)}
    )
    out = realised_outcomes(data, history, horizon_months=12)
    assert out["complete"].all() and out["months_observed"].eq(12).all()
    assert out["entered_care"].tolist() == [True, False]


def test_horizon_must_be_whole_months():
    with pytest.raises(ValueError, match="horizon_months"):
        realised_outcomes(
            _data({}), pd.DataFrame({"person_id": [], "as_of_date": []}), horizon_months="12M"
        )


@pytest.mark.slow
def test_complete_runs_equal_the_training_label():
    data = rm.make_local_authority(n_children=3000, random_state=3)
    dates = pd.to_datetime(["2019-04-01", "2023-03-31", "2023-06-01"])
    cohort = build_cohort(data, dates)
    history = cohort.loc[cohort["in_cohort"], ["person_id", "as_of_date"]].reset_index(drop=True)
    out = realised_outcomes(data, history, horizon_months=12)
    labels = care_entry_labels(data, history, horizon_months=12)
    complete = out["complete"].to_numpy()
    assert complete.any() and not complete.all()
    assert np.array_equal(out["entered_care"][complete], labels[complete] == 1.0)
    assert labels[~complete].isna().all()
    assert out["entered_care"].sum() > 0
