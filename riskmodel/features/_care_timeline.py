"""The care timeline: each child's care history as known at any date, by sorted search.

Care features must use the episodes as known at the as-of date: those that started
before it, with end dates on or after it not yet known. Because a child's episodes
do not overlap, the known history at a date ``d`` is fixed by the child's last
episode starting before ``d``: every earlier period of care is over and fully
known; the current period is known up to that episode, which has ended when its
end date is before ``d``. :class:`CareTimeline` records, for each episode, the
history known from its start on, and looks rows up by sorted search like events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel.data._care import periods_of_care
from riskmodel.data._codes import SHORT_BREAK_LEGAL_STATUSES
from riskmodel.features._day_keys import count_less, encode, to_days

__all__ = ["CareHistory", "CareTimeline", "HouseholdCare"]

_NO_END = np.iinfo(np.int64).max


@dataclass(frozen=True)
class CareHistory:
    """Each row's care history as known at its as-of date.

    :attr:`FeatureContext.care <riskmodel.features.FeatureContext.care>` gives one
    for a block of rows; every array has one value per row, in the block's order.
    Episodes that start on or after the as-of date are not yet known, nor are end
    dates on or after it.

    Attributes
    ----------
    previous_periods : numpy.ndarray of int32
        Periods of care (not only short breaks, legal status ``V3``/``V4``) that
        started and ended before the as-of date.
    days_since_left : numpy.ndarray of float64
        Days since the latest of those ended (NaN if none).
    looked_after : numpy.ndarray of bool
        Whether the child is looked after at the as-of date (not on a short break).
    """

    previous_periods: np.ndarray
    days_since_left: np.ndarray
    looked_after: np.ndarray


@dataclass(frozen=True)
class CareTimeline:
    """Per episode (sorted by child and start), the care history known from its start on.

    Use :meth:`from_episodes` to build one.
    """

    keys: np.ndarray
    person: np.ndarray
    short: np.ndarray
    entry_so_far: np.ndarray
    end: np.ndarray
    previous: np.ndarray
    previous_end: np.ndarray

    @classmethod
    def from_episodes(cls, care_episodes: pd.DataFrame, person_ids: pd.Index) -> CareTimeline:
        """Build the timeline of the episodes of the children in ``person_ids``."""
        eps = care_episodes[care_episodes["start_date"].notna()]
        position = person_ids.get_indexer(pd.Index(eps["person_id"].astype("str")))
        eps, position = eps[position >= 0], position[position >= 0]
        keys = encode(position, to_days(eps["start_date"]))
        order = np.argsort(keys, kind="stable")
        keys, position, eps = keys[order], position[order], eps.iloc[order]
        periods = _periods(eps, person_ids)
        period = count_less(periods["keys"], keys + 1) - 1  # the last period starting by then
        short = eps["legal_status"].astype("object").isin(SHORT_BREAK_LEGAL_STATUSES).to_numpy()
        care = np.cumsum(~short)
        first = np.searchsorted(period, period, side="left")
        entry_so_far = care - (care[first] - ~short[first]) > 0
        end = to_days(eps["end_date"])
        end[eps["end_date"].isna().to_numpy()] = _NO_END
        return cls(
            keys,
            position.astype(np.int64),
            short,
            entry_so_far,
            end,
            periods["previous"][period],
            periods["previous_end"][period],
        )

    def at(self, person: np.ndarray, day: np.ndarray, keys: np.ndarray) -> CareHistory:
        """Look up the history at each (person, day); ``keys`` (their encoding) sorted."""
        if len(self.keys) == 0:
            n = len(keys)
            return CareHistory(np.zeros(n, np.int32), np.full(n, np.nan), np.zeros(n, bool))
        last = count_less(self.keys, keys) - 1
        j = np.maximum(last, 0)
        has = (last >= 0) & (self.person[j] == person)
        entry = has & self.entry_so_far[j]
        ended = entry & (self.end[j] < day)
        previous = np.where(has, self.previous[j] + ended, 0).astype(np.int32)
        last_end = np.where(ended, self.end[j], np.where(has, self.previous_end[j], np.nan))
        looked_after = has & ~self.short[j] & (self.end[j] >= day)
        return CareHistory(previous, day - last_end, looked_after)


def _periods(eps: pd.DataFrame, person_ids: pd.Index) -> dict[str, np.ndarray]:
    """Return the periods' sorted start keys, and their child's earlier care entries.

    ``previous`` counts the child's earlier periods that are care entries and
    ``previous_end`` is the end day of the latest of them (NaN if none).
    """
    periods = periods_of_care(eps)
    position = person_ids.get_indexer(pd.Index(periods["person_id"].astype("str")))
    keys = encode(position, to_days(periods["start_date"]))
    order = np.argsort(keys, kind="stable")
    keys, position = keys[order], position[order]
    entry = periods["is_care_entry"].to_numpy(dtype=bool)[order]
    end = to_days(periods["end_date"])[order].astype("float64")
    end[periods["end_date"].isna().to_numpy()[order]] = np.nan
    first = np.searchsorted(position, position, side="left")
    before = np.cumsum(entry) - entry
    latest = (
        np.maximum.accumulate(np.where(entry, np.arange(len(entry)), -1)) if len(entry) else entry
    )
    latest_before = np.r_[-1, latest[:-1]] if len(entry) else latest
    known = latest_before >= first
    return {
        "keys": keys,
        "previous": before - before[first],
        "previous_end": np.where(known, end[np.maximum(latest_before, 0)], np.nan),
    }


@dataclass(frozen=True)
class HouseholdCare:
    """How many children of each household are looked after at each of some days.

    Use :meth:`from_timeline` to build one.
    """

    days: np.ndarray
    household: np.ndarray
    totals: np.ndarray
    counts: np.ndarray

    @classmethod
    def from_timeline(
        cls, timeline: CareTimeline, household: np.ndarray, days: np.ndarray
    ) -> HouseholdCare:
        """Count, per (household, day), the children looked after on that day.

        Parameters
        ----------
        timeline : CareTimeline
            Every child's care history.
        household : numpy.ndarray
            Each child's household code (by person position), -1 for none.
        days : numpy.ndarray
            The sorted, distinct day numbers to count on.
        """
        carers = np.unique(timeline.person)
        person, day = np.repeat(carers, len(days)), np.tile(days, len(carers))
        looked_after = timeline.at(person, day, encode(person, day)).looked_after
        which = np.tile(np.arange(len(days)), len(carers))
        counted = looked_after & (household[person] >= 0)
        totals, counts = np.unique(
            household[person][counted] * len(days) + which[counted], return_counts=True
        )
        return cls(days, household, totals, counts)

    def at(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Per row: children of the row's household looked after on its day (0 if none).

        The row's own child counts when looked after; ``day`` must be among ``days``.
        """
        row_household = self.household[person]
        wanted = row_household * len(self.days) + np.searchsorted(self.days, day)
        total = np.zeros(len(person), dtype=np.int64)
        if len(self.totals):
            at = np.minimum(np.searchsorted(self.totals, wanted), len(self.totals) - 1)
            found = (row_household >= 0) & (self.totals[at] == wanted)
            total[found] = self.counts[at[found]]
        return total
