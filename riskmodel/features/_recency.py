"""Recency arithmetic on sorted day keys: decayed counts and months with any event.

Both work on the sorted keys of one event family (see
:mod:`riskmodel.features._day_keys`), grouped by their high half: a child, or a
household for household features. A decayed count gives each earlier event the weight
``0.5 ** (age_in_days / half_life_days)``. It is computed exactly and stably: along each
group's events, the decayed count just after event ``i`` is
``D_i = 1 + D_(i-1) * 0.5 ** (gap_i / half_life)`` (a linear recurrence, solved for every
event at once by a prefix scan in ``log2(events per group)`` passes, every factor at
most 1), and a row's value is ``D`` at its latest earlier event, decayed to the as-of
date. No weight is ever above 1, so there is no overflow and no cancellation whatever
the half-life and the span of the records.
"""

from __future__ import annotations

import numpy as np

from riskmodel.features._day_keys import decode_day, encode

__all__ = ["active_months", "decayed_after_events", "decayed_at_rows", "month_of", "month_start"]


def decayed_after_events(keys: np.ndarray, half_life_days: float) -> np.ndarray:
    """Per event: its group's decayed count just after it (itself counting 1).

    Parameters
    ----------
    keys : numpy.ndarray of int64
        Sorted event keys (group in the high 32 bits, day in the low).
    half_life_days : float
        Days after which an event counts half.

    Returns
    -------
    numpy.ndarray of float64
        ``D_i = sum over the group's events j <= i of 0.5 ** ((day_i - day_j) / half_life)``.
    """
    n = len(keys)
    total = np.ones(n)
    if n < 2:
        return total
    day, group = decode_day(keys), keys >> 32
    factor = np.zeros(n)
    factor[1:] = np.exp2(-(day[1:] - day[:-1]) / half_life_days)
    factor[1:][group[1:] != group[:-1]] = 0.0
    shift = 1
    while shift < n and factor[shift:].any():
        total[shift:] = total[shift:] + factor[shift:] * total[:-shift]
        factor[shift:] = factor[shift:] * factor[:-shift]
        shift *= 2
    return total


def decayed_at_rows(
    keys: np.ndarray,
    after: np.ndarray,
    below: np.ndarray,
    has: np.ndarray,
    rows_day: np.ndarray,
    half_life_days: float,
) -> np.ndarray:
    """Per row: the decayed count of its group's events before its day.

    Parameters
    ----------
    keys : numpy.ndarray
        Sorted event keys.
    after : numpy.ndarray
        :func:`decayed_after_events` of ``keys``.
    below : numpy.ndarray
        Per row: the number of keys below the row's key (its latest earlier event is
        ``below - 1``).
    has : numpy.ndarray of bool
        Per row: whether its group has an event before its day.
    rows_day : numpy.ndarray
        Per row: its day number.
    half_life_days : float
        As for :func:`decayed_after_events`.

    Returns
    -------
    numpy.ndarray of float64
        0 where ``has`` is False.
    """
    out = np.zeros(len(rows_day))
    if len(keys) == 0 or not has.any():
        return out
    latest = below[has] - 1
    age = rows_day[has] - decode_day(keys[latest])
    out[has] = after[latest] * np.exp2(-age / half_life_days)
    return out


def month_of(day: np.ndarray) -> np.ndarray:
    """Return calendar months since January 1970 of day numbers."""
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(month: np.ndarray) -> np.ndarray:
    """Return the day number of the first day of each month (months since January 1970)."""
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def active_months(
    keys: np.ndarray,
    below: np.ndarray,
    rows_group: np.ndarray,
    rows_day: np.ndarray,
    n_months: int,
) -> np.ndarray:
    """Per row: how many of the last ``n_months`` calendar months hold an event before its day.

    The months are the one holding the day before the row's day and the
    ``n_months - 1`` before it; in that latest month only events before the row's
    day count (an as-of date on the first of a month makes it the previous month, in
    full).

    Parameters
    ----------
    keys : numpy.ndarray
        Sorted event keys.
    below : numpy.ndarray
        Per row: the number of keys below the row's key.
    rows_group, rows_day : numpy.ndarray
        Per row: its group and day number.
    n_months : int
        Months looked back.

    Returns
    -------
    numpy.ndarray of int32
    """
    if len(keys) == 0:
        return np.zeros(len(rows_day), dtype=np.int32)
    months = np.unique(encode(keys >> 32, month_of(decode_day(keys))))
    last = month_of(rows_day - 1)
    whole = np.searchsorted(months, encode(rows_group, last)) - np.searchsorted(
        months, encode(rows_group, last - n_months + 1)
    )
    latest_month = below - np.searchsorted(keys, encode(rows_group, month_start(last))) > 0
    return (whole + latest_month).astype(np.int32)
