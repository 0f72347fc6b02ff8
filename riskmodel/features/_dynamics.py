"""Features of the dynamics of family stress: recency, activity, change, time since anything.

Each uses only events dated strictly before the as-of date, through
:meth:`FeatureContext.events <riskmodel.features.FeatureContext.events>`, as the
count features do.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, ClassVar

from riskmodel.features._base import Feature
from riskmodel.features._default_families import ANY_EVENT
from riskmodel.features._descriptions import is_missing, period_words, whole_number
from riskmodel.features._event_features import DaysSince, _check_family
from riskmodel.features._family import EventFamily

if TYPE_CHECKING:
    import numpy as np

    from riskmodel.features._context import FeatureContext

__all__ = ["QUARTER_DAYS", "ActiveMonths", "DaysSinceAny", "DecayedCount", "QuarterChange"]

QUARTER_DAYS = 91
"""The last quarter of :class:`QuarterChange`, in days."""
_YEAR_DAYS = 365
_MAX_DAYS = 100 * 366


def check_days(value: object, owner: str, field: str) -> int:
    """Return ``value`` as an int if it is a whole number of days from 1 to 100 years."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not 0 < value <= _MAX_DAYS:
        raise ValueError(
            f"{owner}.{field} must be a whole number of days from 1 to {_MAX_DAYS}, got {value!r}"
        )
    return int(value)


def amount_words(value: float) -> str:
    """Say a non-negative weighted amount: one decimal, "under 0.1" for a trace."""
    if value == 0:
        return "no"
    return "under 0.1" if value < 0.05 else f"{value:.1f}"


def decayed_tail(half_life_days: int) -> str:
    """Return the words after a decayed count's amount and noun."""
    return f"in recent months, weighted towards the latest (half-life {half_life_days} days)"


@dataclass(frozen=True)
class DecayedCount(Feature):
    """A family's events before the as-of date, weighted towards the latest.

    An event ``a`` days before the as-of date counts ``0.5 ** (a / half_life_days)``:
    close to 1 the day before, one half ``half_life_days`` before, a quarter twice
    that. Recent bursts weigh more than old ones, without a window's cliff edge.

    Parameters
    ----------
    family : EventFamily
        The events counted.
    half_life_days : int, default 90
        Days after which an event counts half.

    Notes
    -----
    ``float64``, never missing (0 with no earlier event). Name:
    ``<family>_decayed_<half-life>d``.

    Examples
    --------
    >>> from riskmodel.features import EventFamily
    >>> referral = EventFamily("referral", "referral", "referrals")
    >>> feature = DecayedCount(referral, 90)
    >>> feature.name
    'referral_decayed_90d'
    >>> feature.describe(2.34)
    '2.3 referrals in recent months, weighted towards the latest (half-life 90 days)'
    """

    family: EventFamily
    half_life_days: int = 90

    def __post_init__(self) -> None:
        _check_family(self.family, "DecayedCount")
        days = check_days(self.half_life_days, f"DecayedCount({self.family.name})", "half_life")
        object.__setattr__(self, "half_life_days", days)

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.family.name}_decayed_{self.half_life_days}d"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def _tail(self) -> str:
        return decayed_tail(self.half_life_days)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"{{value}} {self.family.noun} {self._tail}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return f"no {self.family.noun} on record"
        amount = float(value)
        noun = self.family.singular if round(amount, 1) == 1 else self.family.noun
        return f"{amount_words(amount)} {noun} {self._tail}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the decayed count of the family's events before each as-of date."""
        return context.events(self.family).decayed_count(self.half_life_days)


@dataclass(frozen=True)
class ActiveMonths(Feature):
    """How many of the last calendar months hold any recorded event.

    The months are the one holding the day before the as-of date and the
    ``window_months - 1`` before it (for an as-of date on the first of a month,
    the ``window_months`` whole months before it); only events before the as-of date
    count. Many active months say the family's difficulties persist; a single busy
    month says less.

    Parameters
    ----------
    window_months : int, default 12
        Calendar months looked back.
    family : EventFamily, default every event type but school absence rates
        The events that make a month active.

    Notes
    -----
    ``int32`` from 0 to ``window_months``, never missing. Name:
    ``active_months_<window>m`` (``<family>_active_months_<window>m`` for a family
    other than the default).

    Examples
    --------
    >>> feature = ActiveMonths(12)
    >>> feature.name, feature.describe(5)
    ('active_months_12m', 'events recorded in 5 of the last 12 months')
    """

    window_months: int = 12
    family: EventFamily = ANY_EVENT
    dtype: ClassVar[str] = "int32"

    def __post_init__(self) -> None:
        _check_family(self.family, "ActiveMonths")
        w = self.window_months
        if isinstance(w, bool) or not isinstance(w, Integral) or not 0 < w <= 1200:
            raise ValueError(
                f"ActiveMonths.window_months must be a whole number of months from 1 to "
                f"1200, got {w!r}"
            )
        object.__setattr__(self, "window_months", int(w))

    @property
    def name(self) -> str:
        """The column name."""
        prefix = "" if self.family == ANY_EVENT else f"{self.family.name}_"
        return f"{prefix}active_months_{self.window_months}m"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def _noun(self) -> str:
        return "events" if self.family == ANY_EVENT else self.family.noun

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"{self._noun} recorded in {{value}} of the last {self.window_months} months"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        n = whole_number(value)
        if n == 0:
            return f"no {self._noun} recorded in the last {self.window_months} months"
        return self.template.format(value=n)

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the recent calendar months with an event before each as-of date."""
        return context.events(self.family).active_months(self.window_months)


@dataclass(frozen=True)
class QuarterChange(Feature):
    """A family's events in the last quarter against a quarter's share of the year before.

    ``count in the last 91 days - count in the 365 days before those * 91 / 365``:
    positive when events are coming faster than they did, negative when they are
    slowing down.

    Parameters
    ----------
    family : EventFamily
        The events counted.

    Notes
    -----
    ``float64``, never missing. Name: ``<family>_quarter_change``.

    Examples
    --------
    >>> from riskmodel.features import EventFamily
    >>> contact = EventFamily("contact", "contact", "contacts")
    >>> QuarterChange(contact).describe(1.75)
    '1.8 more contacts in the last quarter than a quarter of the year before'
    """

    family: EventFamily

    def __post_init__(self) -> None:
        _check_family(self.family, "QuarterChange")

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.family.name}_quarter_change"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return (
            f"{{value}} {self.family.noun} in the last quarter beyond a quarter of the year before"
        )

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return f"no {self.family.noun} on record"
        change = float(value)
        if round(change, 1) == 0:
            return f"no change in {self.family.noun}: the last quarter against the year before"
        more = "more" if change > 0 else "fewer"
        return (
            f"{abs(change):.1f} {more} {self.family.noun} in the last quarter than a quarter "
            "of the year before"
        )

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the last quarter's count less a quarter of the year before's."""
        events = context.events(self.family)
        recent = events.count(QUARTER_DAYS).astype("float64")
        before = events.count(QUARTER_DAYS + _YEAR_DAYS) - recent
        return recent - before * (QUARTER_DAYS / _YEAR_DAYS)


@dataclass(frozen=True)
class DaysSinceAny(DaysSince):
    """Days from the latest event of any kind before the as-of date to the as-of date.

    Any kind: every event type of the data model except the termly school absence
    rates (see :class:`DaysSince`).

    Parameters
    ----------
    family : EventFamily, default every event type but school absence rates
        The events.
    within_days : int, optional
        Look back this many days only (see :class:`DaysSince`); None (the
        default, and the default specification's) reads the whole record.

    Notes
    -----
    ``float64``, at least 1. **NaN when the child has no event before the as-of
    date** (within ``within_days``; the model handles missing values). Name:
    ``days_since_any_event``, then ``_<within_days>d`` when the look-back is limited.

    Examples
    --------
    >>> DaysSinceAny().describe(200)
    'about 7 months since the last event of any kind'
    >>> DaysSinceAny(within_days=730).describe(float("nan"))
    'no event of any kind in the last 2 years'
    """

    family: EventFamily = ANY_EVENT

    @property
    def name(self) -> str:
        """The column name."""
        if self.family == ANY_EVENT:
            return f"days_since_any_event{self._within}"
        return f"days_since_any_{self.family.name}{self._within}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            if self.within_days is None:
                return f"no {self.family.singular} on record"
            return f"no {self.family.singular} in the last {period_words(self.within_days)}"
        return super().describe(value)
