"""Day keys: one sorted int64 per (child, day), so that features are sorted searches.

A child's position in the sorted person ids and a day number (days since 1970-01-01)
are packed as ``person << 32 | (day + 2**31)``. Sorting the keys sorts by child, then
by day, so events, care episodes and as-of rows of every child can be matched with
:func:`numpy.searchsorted`: the work grows with events plus rows, not their product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["count_less", "decode_day", "encode", "to_days"]

_OFFSET = 1 << 31


def encode(person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return the int64 key of each (person position, day number) pair."""
    return (person.astype(np.int64) << 32) + (day.astype(np.int64) + _OFFSET)


def decode_day(keys: np.ndarray) -> np.ndarray:
    """Return the day numbers of encoded keys."""
    return (keys & 0xFFFFFFFF) - _OFFSET


def to_days(dates: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Return dates as int64 days since 1970-01-01 (NaT becomes the int64 minimum)."""
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def count_less(events: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For sorted ``events`` and sorted ``queries``, count the events below each query.

    When events are fewer than queries, each event is placed among the queries and
    the counts are a cumulative sum (a pass over the queries plus a search per
    event); otherwise each query is searched among the events.
    """
    if len(events) < len(queries):
        slots = np.searchsorted(queries, events, side="right")
        return np.cumsum(np.bincount(slots, minlength=len(queries) + 1)[: len(queries)])
    return np.searchsorted(events, queries, side="left").astype(np.int64, copy=False)
