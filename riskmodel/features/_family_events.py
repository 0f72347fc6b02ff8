"""One event family's events as each as-of row sees them: counts, latest day, latest value.

Events and rows are day keys (see :mod:`riskmodel.features._day_keys`). For a family's
sorted event keys ``E`` and the rows' sorted keys ``Q`` (a row's key is its child and
as-of date), the number of the child's events before the as-of date is
``less(E, Q) - first(child)``, and the number in the window ``[as_of - w, as_of)`` is
``less(E, Q) - less(E, Q - w)``, where ``less`` counts the keys of ``E`` below each key
of ``Q``. Only events strictly before the as-of date are ever counted. The builder
works through the rows a block of children at a time (:meth:`FamilyEvents.for_rows`),
so temporary arrays stay small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.features._day_keys import count_less, decode_day, encode, to_days
from riskmodel.features._family import EventFamily
from riskmodel.features._recency import active_months, decayed_after_events, decayed_at_rows

__all__ = ["EventIndex", "FamilyEvents", "is_open"]


class FamilyEvents:
    """One event family's events before each row's as-of date, for a block of rows.

    :meth:`FeatureContext.events <riskmodel.features.FeatureContext.events>` gives
    one to a feature's :meth:`~riskmodel.features.Feature.compute`; it is not made
    directly. Every array has one value per row of the block, in its order, and
    counts only events dated strictly before the row's as-of date: later events are
    out of reach, so a feature computed from these cannot leak the future.
    Each array is computed by sorted searches over every row at once (no loop over
    rows), once per block and family.
    """

    def __init__(
        self,
        keys: np.ndarray,
        values: np.ndarray | None,
        rows_keys: np.ndarray,
        rows_person: np.ndarray,
        rows_day: np.ndarray,
        first_person: int = 0,
        n_persons: int = 0,
    ) -> None:
        self._keys = keys
        self._values = values
        self._rows_keys = rows_keys
        self._rows_person = rows_person
        self._rows_day = rows_day
        self._first_person = first_person
        self._n_persons = n_persons
        self._below: np.ndarray | None = None
        self._before: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._decayed: dict[float, np.ndarray] = {}

    @classmethod
    def for_rows(
        cls,
        keys: np.ndarray,
        values: np.ndarray | None,
        rows_keys: np.ndarray,
        rows_person: np.ndarray,
        rows_day: np.ndarray,
    ) -> FamilyEvents:
        """Return the view of rows (sorted, non-empty) on the events of their children.

        Parameters
        ----------
        keys : numpy.ndarray
            The family's sorted event keys (every child's).
        values : numpy.ndarray or None
            The events' values, aligned with ``keys`` (for latest values).
        rows_keys, rows_person, rows_day : numpy.ndarray
            The rows' sorted keys, and their children's positions and day numbers.

        Returns
        -------
        FamilyEvents
        """
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
    def _below_row(self) -> np.ndarray:
        """Per row: index in the keys of the first event on or after the row's key."""
        if self._below is None:
            self._below = count_less(self._keys, self._rows_keys)
        return self._below

    @property
    def n_before(self) -> np.ndarray:
        """Per row: the child's events dated before the as-of date (int64)."""
        if self._before is None:
            persons = np.arange(self._first_person, self._first_person + self._n_persons) << 32
            first = np.searchsorted(self._keys, persons, side="left")
            self._before = self._below_row - first[self._rows_person - self._first_person]
        return self._before

    def count(self, window_days: int | None) -> np.ndarray:
        """Per row: events dated in ``[as_of - window_days, as_of)``.

        Parameters
        ----------
        window_days : int or None
            Window length in days; None counts every earlier event.

        Returns
        -------
        numpy.ndarray of int32
        """
        if window_days is None:
            return self.n_before.astype(np.int32)
        start = count_less(self._keys, self._rows_keys - window_days)
        return (self._below_row - start).astype(np.int32)

    def decayed_count(self, half_life_days: float) -> np.ndarray:
        """Per row: the events before the as-of date, each weighted by how recent it is.

        An event ``a`` days before the as-of date counts ``0.5 ** (a / half_life_days)``:
        1 the day before, one half after ``half_life_days``, a quarter after twice that.

        Parameters
        ----------
        half_life_days : float
            Days after which an event counts half.

        Returns
        -------
        numpy.ndarray of float64
            0 when there is no event before the as-of date; never missing.
        """
        if half_life_days not in self._decayed:
            self._decayed[half_life_days] = decayed_after_events(self._keys, half_life_days)
        return decayed_at_rows(
            self._keys,
            self._decayed[half_life_days],
            self._below_row,
            self.n_before > 0,
            self._rows_day,
            half_life_days,
        )

    def active_months(self, n_months: int) -> np.ndarray:
        """Per row: how many of the last ``n_months`` calendar months hold an event.

        The months are the one holding the day before the as-of date and the
        ``n_months - 1`` months before it; only events before the as-of date count.

        Returns
        -------
        numpy.ndarray of int32
        """
        return active_months(
            self._keys, self._below_row, self._rows_person, self._rows_day, n_months
        )

    @property
    def last_day(self) -> np.ndarray:
        """Per row: day number (days since 1970-01-01) of the latest event before the as-of date.

        The int64 minimum when there is none.
        """
        if self._last is None:
            none = np.iinfo(np.int64).min
            if len(self._keys) == 0:
                self._last = np.full(len(self._rows_keys), none)
            else:
                last = decode_day(self._keys[np.maximum(self._below_row - 1, 0)])
                self._last = np.where(self.n_before > 0, last, none)
        return self._last

    def days_since(self) -> np.ndarray:
        """Per row: days from the latest event to the as-of date.

        Returns
        -------
        numpy.ndarray of float64
            At least 1; NaN when there is no event before the as-of date.
        """
        has = self.n_before > 0
        days = np.where(has, self._rows_day - np.where(has, self.last_day, 0), 0)
        days = days.astype("float64")
        days[~has] = np.nan
        return days

    def latest_value(self) -> np.ndarray:
        """Per row: the ``value`` of the latest event (with a value) before the as-of date.

        Only for events asked for with ``with_values=True``; when several share the
        latest day, the highest value.

        Returns
        -------
        numpy.ndarray of float64
            NaN when there is none.
        """
        out = np.full(len(self._rows_keys), np.nan)
        has = self.n_before > 0
        if self._values is not None and has.any():
            out[has] = self._values[self._below_row[has] - 1]
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
