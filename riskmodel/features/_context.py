"""The feature context: what a feature reads to compute its column for a block of rows.

:func:`~riskmodel.features.build_features` computes the table a block of rows at a
time (whole children, sorted by child then as-of date) and gives every feature of the
specification a :class:`FeatureContext` for the block. The context reaches only what
was known before each row's as-of date, and computes what the features share (a
family's events, the care history) once per block.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.features._asof_rows import AsOfRows
from riskmodel.features._care_timeline import CareHistory, CareTimeline, HouseholdCare
from riskmodel.features._family import EventFamily
from riskmodel.features._family_events import EventIndex, FamilyEvents

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["BuildInputs", "FeatureContext"]


class BuildInputs:
    """What one :func:`build_features` call reads, prepared once for all its blocks.

    Each part (the sorted events, a family's events, the care timeline, the persons
    table, household care) is made the first time a feature asks for it.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    person_ids : pandas.Index
        Sorted, unique person ids; a child's position in it is their number.
    rows : AsOfRows
        Every row of the table being built.
    """

    def __init__(self, data: LocalAuthorityData, person_ids: pd.Index, rows: AsOfRows) -> None:
        self.data = data
        self.person_ids = person_ids
        self.rows = rows
        self._events: EventIndex | None = None
        self._family_keys: dict[tuple[EventFamily, bool], tuple] = {}
        self._timeline: CareTimeline | None = None
        self._persons: pd.DataFrame | None = None
        self._households: HouseholdCare | None = None
        self._shared: dict[Hashable, Any] = {}

    def shared(self, key: Hashable, make: Callable[[BuildInputs], Any]) -> Any:
        """Return ``make(self)``, made the first time ``key`` is asked for."""
        if key not in self._shared:
            self._shared[key] = make(self)
        return self._shared[key]

    def family_keys(self, family: EventFamily, with_values: bool) -> tuple:
        """Return the family's sorted event keys and values (see :class:`EventIndex`)."""
        key = (family, with_values)
        if key not in self._family_keys:
            if self._events is None:
                self._events = EventIndex(self.data.events, self.person_ids)
            self._family_keys[key] = self._events.family_keys(family, with_values=with_values)
        return self._family_keys[key]

    @property
    def timeline(self) -> CareTimeline:
        """Every child's care timeline."""
        if self._timeline is None:
            self._timeline = CareTimeline.from_episodes(self.data.care_episodes, self.person_ids)
        return self._timeline

    @property
    def persons(self) -> pd.DataFrame:
        """The persons table indexed by ``person_id``, one row per child position."""
        if self._persons is None:
            self._persons = self.data.persons.set_index("person_id").reindex(self.person_ids)
        return self._persons

    @property
    def households(self) -> HouseholdCare:
        """Children looked after per household, at every as-of date of the table."""
        if self._households is None:
            household = pd.factorize(self.persons["household_id"])[0]
            days = np.unique(self.rows.day)
            self._households = HouseholdCare.from_timeline(self.timeline, household, days)
        return self._households


class FeatureContext:
    """What a feature reads to compute its column: a block of as-of rows and their data.

    :func:`~riskmodel.features.build_features` passes one to each feature's
    :meth:`Feature.compute <riskmodel.features.Feature.compute>`; it is not made
    directly. The rows of a block are whole children, sorted by child then as-of
    date; every array the context gives has one value per row, in that order, and
    ``compute`` returns one value per row in the same order. Only what was known
    before each row's as-of date can be reached: events dated strictly before it,
    care episodes that started before it (with later end dates not yet known).
    What several features read (a family's events, the care history) is computed
    once per block, over every row at once.

    Attributes
    ----------
    person : numpy.ndarray of int64
        Each row's child, as a position in :attr:`persons`.
    day : numpy.ndarray of int64
        Each row's as-of date as days since 1970-01-01.

    See Also
    --------
    Feature : Writing your own feature.
    """

    def __init__(self, inputs: BuildInputs, where: slice) -> None:
        self._inputs = inputs
        self.person = inputs.rows.person[where]
        self.day = inputs.rows.day[where]
        self._keys = inputs.rows.keys[where]
        self._events: dict[tuple[EventFamily, bool], FamilyEvents] = {}
        self._care: CareHistory | None = None
        self._household: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def as_of_date(self) -> np.ndarray:
        """Each row's as-of date (``datetime64[ns]``)."""
        return self.day.astype("datetime64[D]").astype("datetime64[ns]")

    @property
    def person_id(self) -> np.ndarray:
        """Each row's ``person_id`` (strings)."""
        return self._inputs.person_ids.to_numpy()[self.person]

    @property
    def persons(self) -> pd.DataFrame:
        """The ``persons`` table indexed by ``person_id``, one row per child position.

        ``persons[column].to_numpy()[context.person]`` gives each row's value, such
        as the date of birth. Demographics are for reviewing a model, not features.
        """
        return self._inputs.persons

    def events(self, family: EventFamily, *, with_values: bool = False) -> FamilyEvents:
        """Return the family's events before each row's as-of date.

        Parameters
        ----------
        family : EventFamily
            The events to read; list it in the feature's
            :attr:`~riskmodel.features.Feature.families`.
        with_values : bool, default False
            Keep only events with a ``value``, for
            :meth:`~riskmodel.features.FamilyEvents.latest_value`.

        Returns
        -------
        FamilyEvents
            Counts, the latest day and the latest value, per row.
        """
        key = (family, with_values)
        if key not in self._events:
            keys, values = self._inputs.family_keys(family, with_values)
            self._events[key] = FamilyEvents.for_rows(
                keys, values, self._keys, self.person, self.day
            )
        return self._events[key]

    def shared(self, key: Hashable, make: Callable[[BuildInputs], Any]) -> Any:
        """Return what features compute once for the whole table, such as household totals.

        Parameters
        ----------
        key : hashable
            Names the result among every block of the table (include the feature's
            own settings, such as its event family).
        make : callable
            ``make(inputs)``, called once per table with what the build reads:
            ``inputs.data`` (the tables), ``inputs.person_ids`` (the sorted ids, a
            child's position being their number), ``inputs.persons``,
            ``inputs.rows`` (every row of the table) and
            ``inputs.family_keys(family, with_values)``.

        Returns
        -------
        object
            ``make``'s result, the same for every block.
        """
        return self._inputs.shared(key, make)

    @property
    def care(self) -> CareHistory:
        """Each row's care history as known at its as-of date."""
        if self._care is None:
            self._care = self._inputs.timeline.at(self.person, self.day, self._keys)
        return self._care

    @property
    def household_looked_after(self) -> np.ndarray:
        """Per row: children of the child's household looked after at the as-of date.

        Households are ``persons.household_id``; the row's own child counts when
        looked after; 0 for a child without a household. Short breaks do not count.
        """
        if self._household is None:
            self._household = self._inputs.households.at(self.person, self.day)
        return self._household
