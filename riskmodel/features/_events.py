"""Event features by sorted searches, so that the work grows with events plus rows.

Events and rows are encoded as one sorted int64 key per (person, day):
``person << 32 | (day + 2**31)``. For a family's sorted event keys ``E`` and the
rows' sorted keys ``Q`` (a row's key is its person and as-of date), the number of
the person's events before the as-of date is ``less(E, Q) - first(person)``, and
the number in the window ``[as_of - w, as_of)`` is ``less(E, Q) - less(E, Q - w)``,
where ``less`` counts the keys of ``E`` below each key of ``Q``. Only events
strictly before the as-of date are ever counted. The builder works through the rows
a chunk of children at a time (:meth:`FamilyEvents.for_rows`), so temporary arrays
stay small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskmodel.features._parts import EventFamily

__all__ = ["EventIndex", "FamilyEvents", "encode", "to_days"]

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


@dataclass
class FamilyEvents:
    """One family's events against the rows: counts and latest events before each as-of.

    Parameters
    ----------
    keys : numpy.ndarray
        The family's sorted event keys.
    values : numpy.ndarray or None
        The events' values, aligned with ``keys`` (for latest-value features).
    rows_keys, rows_person, rows_day : numpy.ndarray
        The rows' sorted keys, and their person positions and day numbers.
    first_person, n_persons : int
        The rows' persons are ``first_person`` to ``first_person + n_persons - 1``;
        ``keys`` must hold all their events (see :meth:`for_rows`).
    """

    keys: np.ndarray
    values: np.ndarray | None
    rows_keys: np.ndarray
    rows_person: np.ndarray
    rows_day: np.ndarray
    first_person: int = 0
    n_persons: int = 0
    _below: np.ndarray | None = field(default=None, repr=False)
    _before: np.ndarray | None = field(default=None, repr=False)
    _last: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def for_rows(
        cls,
        keys: np.ndarray,
        values: np.ndarray | None,
        rows_keys: np.ndarray,
        rows_person: np.ndarray,
        rows_day: np.ndarray,
    ) -> FamilyEvents:
        """Return the view of the rows (sorted, non-empty) on the events of their persons."""
        first, last = int(rows_person[0]), int(rows_person[-1])
        lo, hi = np.searchsorted(keys, [first << 32, (last + 1) << 32])
        return cls(
            keys[lo:hi],
            None if values is None else values[lo:hi],
            rows_keys,
            rows_person,
            rows_day,
            first,
            last - first + 1,
        )

    @property
    def below(self) -> np.ndarray:
        """Per row: index in ``keys`` of the first event on or after the row's key."""
        if self._below is None:
            self._below = count_less(self.keys, self.rows_keys)
        return self._below

    @property
    def n_before(self) -> np.ndarray:
        """Per row: the person's events dated before the as-of date."""
        if self._before is None:
            persons = np.arange(self.first_person, self.first_person + self.n_persons) << 32
            first = np.searchsorted(self.keys, persons, side="left")
            self._before = self.below - first[self.rows_person - self.first_person]
        return self._before

    def count(self, window_days: int | None) -> np.ndarray:
        """Per row: events in ``[as_of - window_days, as_of)`` (ever when None)."""
        if window_days is None:
            return self.n_before.astype(np.int32)
        start = count_less(self.keys, self.rows_keys - window_days)
        return (self.below - start).astype(np.int32)

    @property
    def last_day(self) -> np.ndarray:
        """Per row: day number of the latest event before the as-of date (int64 min if none)."""
        if self._last is None:
            none = np.iinfo(np.int64).min
            if len(self.keys) == 0:
                self._last = np.full(len(self.rows_keys), none)
            else:
                last = decode_day(self.keys[np.maximum(self.below - 1, 0)])
                self._last = np.where(self.n_before > 0, last, none)
        return self._last

    def days_since(self) -> np.ndarray:
        """Per row: days from the latest event to the as-of date (NaN if none)."""
        has = self.n_before > 0
        days = np.where(has, self.rows_day - np.where(has, self.last_day, 0), 0).astype("float64")
        days[~has] = np.nan
        return days

    def latest_value(self) -> np.ndarray:
        """Per row: value of the latest event before the as-of date (NaN if none)."""
        out = np.full(len(self.rows_keys), np.nan)
        has = self.n_before > 0
        if self.values is not None and has.any():
            out[has] = self.values[self.below[has] - 1]
        return out


def is_open(start: FamilyEvents, end: FamilyEvents) -> np.ndarray:
    """Per row: the latest start is later than the latest end (both before the as-of date)."""
    return (start.n_before > 0) & (start.last_day > end.last_day)


class EventIndex:
    """The events sorted by person and date, split into families on request.

    Events of persons not in ``person_ids`` and events without a date are left out.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical ``events`` table.
    person_ids : pandas.Index
        Sorted, unique person ids; a person's position is their number.
    """

    def __init__(self, events: pd.DataFrame, person_ids: pd.Index) -> None:
        codes, uniques = pd.factorize(events["person_id"], use_na_sentinel=True)
        position = np.append(person_ids.get_indexer(uniques), -1)[codes]
        day = to_days(events["event_date"])
        keep = (position >= 0) & events["event_date"].notna().to_numpy()
        keys = encode(position[keep], day[keep])
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        types, type_names = pd.factorize(events["event_type"])
        codes, code_names = pd.factorize(events["code"])
        width = len(code_names) + 1
        kind = (types.astype(np.int64) + 1) * width + (codes + 1)
        pair, kinds = pd.factorize(kind[keep][order])
        self.pair = pair.astype(np.int32)
        self.pairs = [
            (
                type_names[k // width - 1] if k // width else None,
                code_names[k % width - 1] if k % width else None,
            )
            for k in kinds
        ]
        self.values = events["value"].to_numpy(dtype="float64", na_value=np.nan)[keep][order]

    def family_keys(self, family: EventFamily, *, with_values: bool = False) -> tuple:
        """Return the family's sorted keys (and values, for events that have one).

        Returns
        -------
        tuple
            ``(keys, values)``; ``values`` is None unless ``with_values``, in which
            case events without a value are left out and events on the same day
            are sorted by value.
        """
        lookup = np.array([family.selects(t, c) for t, c in self.pairs], dtype=bool)
        mask = lookup[self.pair] if len(lookup) else np.zeros(len(self.keys), dtype=bool)
        keys = self.keys[mask]
        if not with_values:
            return keys, None
        values = self.values[mask]
        known = ~np.isnan(values)
        keys, values = keys[known], values[known]
        order = np.lexsort((values, keys))
        return keys[order], values[order]
