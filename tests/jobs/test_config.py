"""Choosing as-of dates from the data: where records start, and the quarterly grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import SchemaError
from riskmodel.jobs import choose_as_of_dates, records_start


def _dates(spec: dict[str, int], seed: int = 0) -> pd.Series:
    """``spec`` maps a month ("2014-04") to its number of events, spread over the month."""
    rng = np.random.default_rng(seed)
    out = []
    for month, n in spec.items():
        start = pd.Timestamp(f"{month}-01")
        out.append(start + pd.to_timedelta(rng.integers(0, start.days_in_month, n), unit="D"))
    return pd.Series(np.concatenate(out), name="event_date")


def test_back_dated_records_do_not_move_the_start():
    full = {str(m): 100 for m in pd.period_range("2014-04", "2020-03", freq="M")}
    sparse = {"2009-06": 2, "2012-04": 5, "2013-11": 20}
    assert records_start(_dates({**sparse, **full})) == pd.Timestamp("2014-04-01")


def test_a_ramp_starts_where_volume_reaches_half_the_median():
    ramp = {"2014-01": 10, "2014-02": 30, "2014-03": 60}
    full = {str(m): 100 for m in pd.period_range("2014-04", "2019-12", freq="M")}
    assert records_start(_dates({**ramp, **full})) == pd.Timestamp("2014-03-01")
    assert records_start(_dates({**ramp, **full}), share=0.9) == pd.Timestamp("2014-04-01")


def test_a_long_empty_gap_does_not_lower_the_bar():
    # stray early records, then years with none: the bar is set by months with records
    full = {str(m): 50 for m in pd.period_range("2016-01", "2018-12", freq="M")}
    assert records_start(_dates({"2010-01": 20, **full})) == pd.Timestamp("2016-01-01")
    assert records_start(_dates({"2010-01": 40, **full})) == pd.Timestamp("2010-01-01")


def test_no_events_is_a_clear_error():
    with pytest.raises(SchemaError, match="no dated events"):
        records_start(pd.Series([], dtype="datetime64[ns]"))


def test_synthetic_authority_records_start_when_the_simulation_does():
    data = rm.make_local_authority(n_children=2_000, random_state=0)
    start = records_start(data.events["event_date"])
    # plans open at the simulation's start carry earlier dates; care episodes go back
    # to birth years. Neither may pull the start earlier than full recording.
    assert data.events["event_date"].min() < start
    assert data.care_episodes["start_date"].min() < start
    assert start == pd.Timestamp("2014-04-01")  # the generator's default start


def test_quarterly_dates_leave_history_and_a_horizon():
    dates = choose_as_of_dates(
        pd.Timestamp("2024-03-31"),
        pd.Timestamp("2014-04-01"),
        horizon_months=12,
        history_months=24,
    )
    assert dates[0] == pd.Timestamp("2016-04-01")
    assert dates[-1] <= pd.Timestamp("2023-03-31")
    assert (dates.month.isin([1, 4, 7, 10])).all() and (dates.day == 1).all()
    with pytest.raises(SchemaError, match="too short"):
        choose_as_of_dates(
            pd.Timestamp("2016-01-01"),
            pd.Timestamp("2014-04-01"),
            horizon_months=12,
            history_months=24,
        )
