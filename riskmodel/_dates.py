"""As-of dates, checked and normalised once for the cohort, the features and the frame."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["as_of_index"]


def as_of_index(as_of_dates: object) -> pd.DatetimeIndex:
    """Return as-of dates as a sorted, unique, normalised ``DatetimeIndex``.

    Parameters
    ----------
    as_of_dates : date-like or iterable of date-like
        A single date (``"2020-04-01"``, a ``Timestamp``) or several.

    Returns
    -------
    pandas.DatetimeIndex
        Named ``as_of_date``.

    Raises
    ------
    ValueError
        If there are no dates, or a value is not a date.
    """
    if isinstance(as_of_dates, str | pd.Timestamp | np.datetime64) or not isinstance(
        as_of_dates, Iterable
    ):
        as_of_dates = [as_of_dates]
    values = list(as_of_dates)
    if not values:
        raise ValueError("as_of_dates is empty; give at least one as-of date")
    try:
        index = pd.DatetimeIndex(pd.to_datetime(values, format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"as_of_dates: not all values are dates ({exc})") from None
    if index.hasnans:
        raise ValueError("as_of_dates: missing values are not as-of dates")
    index = index.tz_localize(None) if index.tz is not None else index
    return index.normalize().unique().sort_values().astype("datetime64[ns]").rename("as_of_date")
