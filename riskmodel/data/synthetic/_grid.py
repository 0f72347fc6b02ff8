"""The monthly time grid of the synthetic authority, in integer day numbers.

Days are counted from 1970-01-01 (``datetime64[D]`` as integers). Month ``m`` is the
calendar month ``m`` months after the month of ``start`` (``m`` may be negative: the
simulation starts before the data's period). Its days are ``first_day(m)`` up to
``first_day(m + 1) - 1``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MonthGrid"]


class MonthGrid:
    """Calendar months from the month of ``start`` to the month of ``end``.

    Parameters
    ----------
    start, end : numpy.datetime64
        First and last day of the data's period (``start`` is the first of a month).
    """

    def __init__(self, start: np.datetime64, end: np.datetime64) -> None:
        self.start = np.datetime64(start, "D")
        self.end = np.datetime64(end, "D")
        self._month0 = self.start.astype("datetime64[M]")
        self.n_months = int((self.end.astype("datetime64[M]") - self._month0).astype(int)) + 1
        self.start_day = int(self.start.astype(np.int64))
        self.end_day = int(self.end.astype(np.int64))

    def first_day(self, month: np.ndarray | int) -> np.ndarray:
        """Return the day number of the first day of each month index."""
        months = self._month0 + np.asarray(month, dtype=np.int64)
        return months.astype("datetime64[D]").astype(np.int64)

    def month_of(self, day: np.ndarray | int) -> np.ndarray:
        """Return the month index of the month holding each day number."""
        months = np.asarray(day, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
        return (months - self._month0).astype(np.int64)

    def days_in(self, month: np.ndarray | int) -> np.ndarray:
        """Return the number of days of each month index."""
        month = np.asarray(month, dtype=np.int64)
        return self.first_day(month + 1) - self.first_day(month)
