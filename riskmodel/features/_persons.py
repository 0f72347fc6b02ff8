"""Person and care-history features: age, previous periods of care, siblings in care.

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
from riskmodel.features._events import count_less, encode, to_days
from riskmodel.features._rows import Rows

__all__ = ["CareTimeline", "age_years", "siblings_looked_after"]

_NO_END = np.iinfo(np.int64).max


def age_years(persons: pd.DataFrame, person_ids: pd.Index, rows: Rows) -> np.ndarray:
    """Whole years from birth to each row's as-of date (NaN if unknown or not yet born)."""
    dob = pd.DatetimeIndex(persons.set_index("person_id")["date_of_birth"].reindex(person_ids))
    days, inverse = np.unique(rows.day, return_inverse=True)
    as_of = pd.DatetimeIndex(days.astype("datetime64[D]"))
    born = np.asarray(dob.notna())
    by, bm, bd = (np.where(born, x, 0) for x in (dob.year, dob.month, dob.day))
    ay, am, ad = (np.asarray(x)[inverse] for x in (as_of.year, as_of.month, as_of.day))
    p = rows.person
    before_birthday = (am < bm[p]) | ((am == bm[p]) & (ad < bd[p]))
    age = (ay - by[p] - before_birthday).astype("float64")
    age[~born[p] | (rows.day < to_days(dob)[p])] = np.nan
    return age


@dataclass(frozen=True)
class CareHistory:
    """Care history of each row as known at its as-of date."""

    previous_periods: np.ndarray
    """Periods of care (not only short breaks) that started and ended before the date."""
    days_since_left: np.ndarray
    """Days since the latest of those ended (NaN if none)."""
    looked_after: np.ndarray
    """Whether the row's child is looked after at the date (not on a short break)."""


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


def siblings_looked_after(
    timeline: CareTimeline,
    persons: pd.DataFrame,
    person_ids: pd.Index,
    rows: Rows,
    own: CareHistory,
) -> np.ndarray:
    """Per row: other children of the child's household looked after at the as-of date."""
    household = pd.factorize(persons.set_index("person_id")["household_id"].reindex(person_ids))[0]
    days = np.unique(rows.day)
    carers = np.unique(timeline.person)
    person, day = np.repeat(carers, len(days)), np.tile(days, len(carers))
    looked_after = timeline.at(person, day, encode(person, day)).looked_after
    which = np.tile(np.arange(len(days)), len(carers))
    counted = looked_after & (household[person] >= 0)
    totals, n = np.unique(
        household[person][counted] * len(days) + which[counted], return_counts=True
    )
    row_household = household[rows.person]
    wanted = row_household * len(days) + np.searchsorted(days, rows.day)
    total = np.zeros(len(rows), dtype=np.int64)
    if len(totals):
        at = np.minimum(np.searchsorted(totals, wanted), len(totals) - 1)
        found = (row_household >= 0) & (totals[at] == wanted)
        total[found] = n[at[found]]
    return (total - (own.looked_after & (row_household >= 0))).astype(np.int32)
