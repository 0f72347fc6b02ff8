"""What became of the children of each run's list: care entries within the horizon.

The history rows are the cohort of their run: only the children scored at a run count
for it. A care entry (:func:`riskmodel.data.care_entries`) counts for a run when it
falls in ``(as_of_date, as_of_date + horizon_months]``, as the training label
(:func:`riskmodel.cohort.care_entry_labels`) counts it. A run whose horizon has not
yet passed by the data's end date is *partial*: its entries so far are those up to the
end date, and how many whole months of the horizon were seen is kept beside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.cohort import check_months
from riskmodel.data import care_entries
from riskmodel.exceptions import SchemaError

__all__ = ["OUTCOME_COLUMNS", "months_seen", "realised_outcomes"]

OUTCOME_COLUMNS: list[str] = [
    "entered_care",
    "entry_date",
    "months_observed",
    "complete",
    "in_data",
]
"""Columns :func:`realised_outcomes` adds to the history rows."""


def months_seen(as_of: pd.Timestamp, end: pd.Timestamp, horizon_months: int) -> int:
    """Return the whole months of the horizon after ``as_of`` that end by ``end``.

    Parameters
    ----------
    as_of : pandas.Timestamp
        The run's as-of date.
    end : pandas.Timestamp
        The last day observed (the data's end date).
    horizon_months : int
        The horizon.

    Returns
    -------
    int
        The largest ``m`` in ``0 .. horizon_months`` with ``as_of + m months <= end``
        (calendar months, as the label counts them).
    """
    seen = 0
    for m in range(1, horizon_months + 1):
        if as_of + pd.DateOffset(months=m) > end:
            break
        seen = m
    return seen


def _first_entries(
    history: pd.DataFrame, entries: pd.DataFrame, window_end: np.ndarray
) -> np.ndarray:
    """Return each row's first care entry in ``(as_of_date, window_end]`` (NaT if none)."""
    rows = pd.DataFrame(
        {
            "row": np.arange(len(history)),
            "person_id": history["person_id"].astype("str").to_numpy(),
            "as_of_date": history["as_of_date"].to_numpy(),
            "window_end": window_end,
        }
    )
    pairs = rows.merge(entries, on="person_id", how="inner")
    inside = (pairs["entry_date"] > pairs["as_of_date"]) & (
        pairs["entry_date"] <= pairs["window_end"]
    )
    first = pairs[inside].groupby("row")["entry_date"].min()
    out = np.full(len(history), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[first.index.to_numpy()] = first.to_numpy(dtype="datetime64[ns]")
    return out


def realised_outcomes(
    data: object, history: pd.DataFrame, *, horizon_months: int = 12
) -> pd.DataFrame:
    """Join to each row of a score history whether the child entered care within the horizon.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables as known now (``care_episodes``, ``persons`` and the
        end date are used).
    history : pandas.DataFrame
        One row per child per run (``person_id``, ``as_of_date``, ...), as
        :func:`~riskmodel.monitoring.read_score_history` returns.
    horizon_months : int, default 12
        The model's horizon, in calendar months.

    Returns
    -------
    pandas.DataFrame
        The history's rows (same order and index) with five columns:
        ``entered_care`` (bool: a care entry in ``(as_of_date, min(as_of_date +
        horizon_months, end_date)]``; an entry on the as-of date itself does not
        count, one on the last day of the horizon does), ``entry_date`` (the first
        such entry, NaT otherwise), ``months_observed`` (int64, whole months of the
        horizon seen by the end date, 0 to ``horizon_months``), ``complete`` (bool,
        ``as_of_date + horizon_months <= end_date``) and ``in_data`` (bool: the child
        is in ``data.persons``; a child who is not has no known outcome and counts as
        not entering care).

    Raises
    ------
    SchemaError
        If ``history`` lacks ``person_id`` or ``as_of_date``.
    ValueError
        If ``horizon_months`` is not a whole number of months of at least 1.

    Notes
    -----
    For a complete run, ``entered_care`` equals
    :func:`riskmodel.cohort.care_entry_labels` of the same rows.
    """
    months = check_months(horizon_months)
    missing = [c for c in ("person_id", "as_of_date") if c not in history.columns]
    if missing:
        raise SchemaError(f"score history: missing column(s) {', '.join(missing)}")
    end = pd.Timestamp(data.end_date)
    as_of = pd.DatetimeIndex(pd.to_datetime(history["as_of_date"])).astype("datetime64[ns]")
    dates = as_of.unique()
    horizon_end = pd.Series(dates + pd.DateOffset(months=months), index=dates)
    seen = pd.Series([months_seen(d, end, months) for d in dates], index=dates, dtype="int64")
    row_horizon_end = horizon_end.reindex(as_of).to_numpy(dtype="datetime64[ns]")
    window_end = np.minimum(row_horizon_end, np.datetime64(end, "ns"))
    entries = care_entries(data.care_episodes)[["person_id", "entry_date"]]
    entries = entries[entries["entry_date"].notna()]
    entry_date = _first_entries(history, entries, window_end)
    out = history.copy()
    out["entered_care"] = ~np.isnat(entry_date)
    out["entry_date"] = entry_date
    out["months_observed"] = seen.reindex(as_of).to_numpy()
    out["complete"] = row_horizon_end <= np.datetime64(end, "ns")
    known = pd.Index(data.persons["person_id"].astype("str").unique())
    out["in_data"] = known.get_indexer(history["person_id"].astype("str")) >= 0
    return out
