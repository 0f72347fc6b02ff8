"""Features of the child's household: the other children's events and entries into care.

Households are ``persons.household_id``. Each feature sums over the household's
children and subtracts the child's own share, so that it describes the *other*
children (siblings, or others living with them) and never the child. Only events
dated before the as-of date and entries into care that began before it count.
**A child without a household_id gets NaN**; an authority that records no
households gets a column that is missing throughout, which
:class:`~riskmodel.RiskClassifier` leaves out with a warning saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.data._care import periods_of_care
from riskmodel.features._base import Feature
from riskmodel.features._day_keys import decode_day, encode, to_days
from riskmodel.features._descriptions import is_missing, period_words, whole_number
from riskmodel.features._dynamics import amount_words, check_days, decayed_tail
from riskmodel.features._event_features import _check_family
from riskmodel.features._family import EventFamily
from riskmodel.features._recency import decayed_after_events, decayed_at_rows

if TYPE_CHECKING:
    from riskmodel.features._context import BuildInputs, FeatureContext

__all__ = ["HouseholdCareEntries", "HouseholdCount", "HouseholdDecayedCount"]

_NO_HOUSEHOLD = "no household recorded"


class _Keyed:
    """Sorted keys of something dated (events, entries into care), by child and by household."""

    def __init__(self, person: np.ndarray, day: np.ndarray, household: np.ndarray) -> None:
        self.by_person = np.sort(encode(person, day))
        own = household[person]
        self.by_household = np.sort(encode(own[own >= 0], day[own >= 0]))
        self.household = household
        self._decayed: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def events(cls, inputs: BuildInputs, family: EventFamily) -> _Keyed:
        keys, _ = inputs.family_keys(family, False)
        return cls(keys >> 32, decode_day(keys), _households(inputs))

    @classmethod
    def care_entries(cls, inputs: BuildInputs) -> _Keyed:
        periods = periods_of_care(inputs.data.care_episodes)
        periods = periods[periods["is_care_entry"] & periods["care_start_date"].notna()]
        position = inputs.person_ids.get_indexer(pd.Index(periods["person_id"].astype("str")))
        day = to_days(periods["care_start_date"])[position >= 0]
        return cls(position[position >= 0].astype(np.int64), day, _households(inputs))

    def others(self, context: FeatureContext, window_days: int | None) -> np.ndarray:
        """Per row: the household's count in the window less the child's own (NaN: none)."""
        total, own = self._totals(self.by_household, context, window_days, household=True)
        mine, _ = self._totals(self.by_person, context, window_days, household=False)
        out = np.full(len(context), np.nan)
        out[own] = total[own] - mine[own]
        return out

    def _totals(self, keys, context, window_days, *, household):
        group = self.household[context.person] if household else context.person
        known = group >= 0
        query = encode(np.where(known, group, 0), context.day)
        below = np.searchsorted(keys, query)
        if window_days is None:
            start = np.searchsorted(keys, np.where(known, group, 0).astype(np.int64) << 32)
        else:
            start = np.searchsorted(keys, query - window_days)
        return (below - start).astype("float64"), known

    def decayed_others(self, context: FeatureContext, half_life_days: int) -> np.ndarray:
        """Per row: the household's decayed count less the child's own (NaN: none)."""
        if half_life_days not in self._decayed:
            self._decayed[half_life_days] = (
                decayed_after_events(self.by_household, half_life_days),
                decayed_after_events(self.by_person, half_life_days),
            )
        after_household, after_person = self._decayed[half_life_days]
        group = self.household[context.person]
        known = group >= 0
        out = np.full(len(context), np.nan)
        total = self._decayed_rows(
            self.by_household, after_household, group, context, half_life_days
        )
        mine = self._decayed_rows(
            self.by_person, after_person, context.person, context, half_life_days
        )
        out[known] = np.maximum(total[known] - mine[known], 0.0)
        return out

    @staticmethod
    def _decayed_rows(keys, after, group, context, half_life_days):
        safe = np.where(group >= 0, group, 0).astype(np.int64)
        below = np.searchsorted(keys, encode(safe, context.day))
        first = np.searchsorted(keys, safe << 32)
        has = (group >= 0) & (below > first)
        return decayed_at_rows(keys, after, below, has, context.day, half_life_days)


def _households(inputs: BuildInputs) -> np.ndarray:
    """Each child's household number (by position), -1 for none."""
    return inputs.shared(
        "household_codes", lambda i: pd.factorize(i.persons["household_id"])[0].astype(np.int64)
    )


def _others_phrase(n: float, family_noun: str, family_singular: str) -> str:
    return f"{family_singular if n == 1 else family_noun} of other children in the household"


@dataclass(frozen=True)
class HouseholdCount(Feature):
    """Number of a family's events of the *other* children of the household in a window.

    Parameters
    ----------
    family : EventFamily
        The events counted.
    window_days : int or None, default 365
        Count events dated in ``[as_of_date - window_days, as_of_date)``; None counts
        every earlier event.

    Notes
    -----
    ``float64``; **NaN for a child without a household_id**, 0 for a child alone
    in their household. Name: ``household_<family>_count_<window>d`` (or ``_ever``).

    Examples
    --------
    >>> from riskmodel.features import EventFamily
    >>> referral = EventFamily("referral", "referral", "referrals")
    >>> feature = HouseholdCount(referral, 365)
    >>> feature.name
    'household_referral_count_365d'
    >>> feature.describe(2)
    '2 referrals of other children in the household in the last year'
    """

    family: EventFamily
    window_days: int | None = 365

    def __post_init__(self) -> None:
        _check_family(self.family, "HouseholdCount")
        if self.window_days is not None:
            days = check_days(self.window_days, f"HouseholdCount({self.family.name})", "window")
            object.__setattr__(self, "window_days", days)

    @property
    def name(self) -> str:
        """The column name."""
        window = "ever" if self.window_days is None else f"{self.window_days}d"
        return f"household_{self.family.name}_count_{window}"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def reason_slot(self) -> str:
        """The household's events of the family: a concern apart from the child's own."""
        return f"household {self.family.name}"

    @property
    def _when(self) -> str:
        return (
            "ever" if self.window_days is None else f"in the last {period_words(self.window_days)}"
        )

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        noun = _others_phrase(2, self.family.noun, self.family.singular)
        return f"{{value}} {noun} {self._when}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return _NO_HOUSEHOLD
        n = whole_number(value)
        noun = _others_phrase(n, self.family.noun, self.family.singular)
        return f"{n or 'no'} {noun} {self._when}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the other children's events in the window before each as-of date."""
        keyed = context.shared(("household", self.family), lambda i: _Keyed.events(i, self.family))
        return keyed.others(context, self.window_days)


@dataclass(frozen=True)
class HouseholdDecayedCount(Feature):
    """A family's events of the other children of the household, weighted towards the latest.

    The household's :class:`~riskmodel.features.DecayedCount` less the child's own.

    Parameters
    ----------
    family : EventFamily
        The events counted.
    half_life_days : int, default 90
        Days after which an event counts half.

    Notes
    -----
    ``float64``; **NaN for a child without a household_id**. Name:
    ``household_<family>_decayed_<half-life>d``.
    """

    family: EventFamily
    half_life_days: int = 90

    def __post_init__(self) -> None:
        _check_family(self.family, "HouseholdDecayedCount")
        owner = f"HouseholdDecayedCount({self.family.name})"
        object.__setattr__(
            self, "half_life_days", check_days(self.half_life_days, owner, "half_life")
        )

    @property
    def name(self) -> str:
        """The column name."""
        return f"household_{self.family.name}_decayed_{self.half_life_days}d"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def reason_slot(self) -> str:
        """The household's events of the family: a concern apart from the child's own."""
        return f"household {self.family.name}"

    @property
    def _tail(self) -> str:
        return decayed_tail(self.half_life_days)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        noun = _others_phrase(2, self.family.noun, self.family.singular)
        return f"{{value}} {noun} {self._tail}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return _NO_HOUSEHOLD
        amount = float(value)
        noun = _others_phrase(round(amount, 1), self.family.noun, self.family.singular)
        return f"{amount_words(amount)} {noun} {self._tail}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the other children's decayed count before each as-of date."""
        keyed = context.shared(("household", self.family), lambda i: _Keyed.events(i, self.family))
        return keyed.decayed_others(context, self.half_life_days)


@dataclass(frozen=True)
class HouseholdCareEntries(Feature):
    """Entries into care of the other children of the household before the as-of date.

    Entries into care are periods of care that are not only short breaks, dated at
    their first episode that is not a short break (see
    :func:`riskmodel.data.periods_of_care`), counted when that date is before the
    as-of date.

    Notes
    -----
    ``float64``; **NaN for a child without a household_id**. Name:
    ``household_care_entries``.

    Examples
    --------
    >>> HouseholdCareEntries().describe(1)
    '1 entry into care of another child in the household'
    """

    @property
    def name(self) -> str:
        """The column name."""
        return "household_care_entries"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "{value} entries into care of other children in the household"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return _NO_HOUSEHOLD
        n = whole_number(value)
        if n == 1:
            return "1 entry into care of another child in the household"
        return self.template.format(value=n or "no")

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the other children's entries into care before each as-of date."""
        keyed = context.shared("household_care_entries", _Keyed.care_entries)
        return keyed.others(context, None)
