"""Features computed from dated events: counts, days since, ever, open at, latest value.

Every one uses only events dated strictly before the as-of date, through
:meth:`FeatureContext.events <riskmodel.features.FeatureContext.events>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from riskmodel.features._base import Feature
from riskmodel.features._default_families import CP_PLAN, CP_PLAN_END
from riskmodel.features._descriptions import (
    elapsed_words,
    is_missing,
    period_words,
    whole_number,
)
from riskmodel.features._family import EventFamily
from riskmodel.features._family_events import is_open

if TYPE_CHECKING:
    from riskmodel.features._context import FeatureContext

__all__ = ["Count", "DaysSince", "Ever", "LatestValue", "OpenAt", "PreviousCPPlans"]

_MAX_WINDOW_DAYS = 100 * 366


def _check_family(family: object, owner: str, field: str = "family") -> None:
    if not isinstance(family, EventFamily):
        raise TypeError(f"{owner}.{field} must be an EventFamily, got {type(family).__name__}")


def _set_window(feature: Feature, field: str, owner: str) -> None:
    """Check a frozen feature's window of days (None: the whole record) and store it as int."""
    w = getattr(feature, field)
    if w is None:
        return
    if isinstance(w, bool) or not isinstance(w, Integral) or not 0 < w <= _MAX_WINDOW_DAYS:
        raise ValueError(
            f"{owner}.{field} must be a whole number of days from 1 "
            f"to {_MAX_WINDOW_DAYS}, or None for ever; got {w!r}"
        )
    object.__setattr__(feature, field, int(w))


def _count_phrase(n: int, family: EventFamily) -> str:
    if n == 0:
        return f"no {family.noun}"
    return f"{n} {family.singular if n == 1 else family.noun}"


@dataclass(frozen=True)
class Count(Feature):
    """Number of a family's events in a window before the as-of date.

    Parameters
    ----------
    family : EventFamily
        The events counted.
    window_days : int or None, default 365
        Count events dated in ``[as_of_date - window_days, as_of_date)``; None counts
        every earlier event ("ever").

    Notes
    -----
    The column is ``int32`` and never missing. Its name is
    ``<family>_count_<window>d`` or ``<family>_count_ever``.

    Examples
    --------
    >>> from riskmodel.features import EventFamily
    >>> missing = EventFamily("missing_episode", "missing_episode", "missing from home episodes")
    >>> feature = Count(missing, 180)
    >>> feature.name
    'missing_episode_count_180d'
    >>> feature.template
    '{value} missing from home episodes in the last 6 months'
    >>> feature.describe(1)
    '1 missing from home episode in the last 6 months'
    """

    family: EventFamily
    window_days: int | None = 365
    dtype: ClassVar[str] = "int32"

    def __post_init__(self) -> None:
        _check_family(self.family, "Count")
        _set_window(self, "window_days", f"Count({self.family.name})")

    @property
    def name(self) -> str:
        """The column name."""
        window = "ever" if self.window_days is None else f"{self.window_days}d"
        return f"{self.family.name}_count_{window}"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def _when(self) -> str:
        if self.window_days is None:
            return "ever"
        return f"in the last {period_words(self.window_days)}"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"{{value}} {self.family.noun} {self._when}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        return f"{_count_phrase(whole_number(value), self.family)} {self._when}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the family's events in the window before each as-of date."""
        return context.events(self.family).count(self.window_days)


@dataclass(frozen=True)
class DaysSince(Feature):
    """Days from a family's latest event before the as-of date to the as-of date.

    Parameters
    ----------
    family : EventFamily
        The events.
    within_days : int, optional
        Look back this many days only: an event longer ago counts as none. Without
        it, the whole record is read, so the feature's meaning follows how far back
        the records go: at an early training date "none" means none in the few years
        recorded so far, at today's date none in many more, and the scores drift
        from the training rows for that reason alone. Give the history every
        training date has (730 days for the training job's ``history_months`` of
        24) and the feature means the same at every date. The default
        specification does not limit it.

    Notes
    -----
    ``float64``, at least 1 (events on the as-of date are not used). **NaN when the
    child has no such event before the as-of date** (within ``within_days``):
    HistGradientBoosting handles missing values natively, and the model pipeline
    imputes them for linear models. Name: ``<family>_days_since_last``, with
    ``_<within_days>d`` after it when the look-back is limited.
    """

    family: EventFamily
    within_days: int | None = None

    def __post_init__(self) -> None:
        _check_family(self.family, "DaysSince")
        _set_window(self, "within_days", f"DaysSince({self.family.name})")

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.family.name}_days_since_last{self._within}"

    @property
    def _within(self) -> str:
        return "" if self.within_days is None else f"_{self.within_days}d"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"{{value}} days since the last {self.family.singular}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            if self.within_days is None:
                return f"no {self.family.noun} ever"
            return f"no {self.family.noun} in the last {period_words(self.within_days)}"
        return f"{elapsed_words(whole_number(value))} since the last {self.family.singular}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the days since the family's latest event before each as-of date."""
        days = context.events(self.family).days_since()
        if self.within_days is not None:
            days[days > self.within_days] = np.nan
        return days


@dataclass(frozen=True)
class Ever(Feature):
    """Whether the child has any of a family's events before the as-of date.

    Parameters
    ----------
    family : EventFamily
        The events.

    Notes
    -----
    ``bool``, never missing. Name: ``<family>_ever``.
    """

    family: EventFamily
    dtype: ClassVar[str] = "bool"

    def __post_init__(self) -> None:
        _check_family(self.family, "Ever")

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.family.name}_ever"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"at least one {self.family.singular} ever"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        return self.template if bool(whole_number(value)) else f"no {self.family.noun} ever"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return whether the child has any of the family's events before each as-of date."""
        return context.events(self.family).n_before > 0


@dataclass(frozen=True)
class LatestValue(Feature):
    """The ``value`` of a family's latest event (with a value) before the as-of date.

    Parameters
    ----------
    family : EventFamily
        The events, such as termly school absence rates.
    percent : bool, default False
        Describe the value as a percentage (``0.12`` reads "12%").

    Notes
    -----
    ``float64``. **NaN when the child has no such event with a value before the
    as-of date.** When several events share the latest date, the highest value is
    used. Name: ``<family>_latest``.
    """

    family: EventFamily
    percent: bool = False

    def __post_init__(self) -> None:
        _check_family(self.family, "LatestValue")

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.family.name}_latest"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.family,)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return f"latest {self.family.singular}: {{value}}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return f"no {self.family.noun} on record"
        shown = f"{float(value):.0%}" if self.percent else f"{float(value):g}"
        return self.template.format(value=shown)

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the value of the family's latest event before each as-of date."""
        return context.events(self.family, with_values=True).latest_value()


@dataclass(frozen=True)
class OpenAt(Feature):
    """Whether something that starts and ends (a plan, early help) is open at the as-of date.

    Open means the latest ``start`` event before the as-of date is later than the
    latest ``end`` event before it (or there is no end). An end dated on or after the
    as-of date is not yet known, so the plan counts as open. A start and an end on
    the same day count as closed.

    Parameters
    ----------
    start, end : EventFamily
        The events that open and close it.
    state : str, optional
        Phrase for the open state, such as ``"on a child protection plan"``; by
        default ``"an open <start singular>"``.

    Notes
    -----
    ``bool``, never missing. Name: ``<start family>_open``.

    Examples
    --------
    >>> from riskmodel.features import EventFamily
    >>> start = EventFamily("cp_plan", "cp_plan_start", "child protection plans")
    >>> end = EventFamily("cp_plan_end", "cp_plan_end", "ends of child protection plans")
    >>> feature = OpenAt(start, end, "on a child protection plan")
    >>> feature.name, feature.describe(True)
    ('cp_plan_open', 'on a child protection plan at the as-of date')
    >>> feature.describe(False)
    'not on a child protection plan at the as-of date'
    """

    start: EventFamily
    end: EventFamily
    state: str | None = None
    dtype: ClassVar[str] = "bool"

    def __post_init__(self) -> None:
        _check_family(self.start, "OpenAt", "start")
        _check_family(self.end, "OpenAt", "end")

    @property
    def name(self) -> str:
        """The column name."""
        return f"{self.start.name}_open"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.start, self.end)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        state = self.state or f"an open {self.start.singular}"
        return f"{state} at the as-of date"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if bool(whole_number(value)):
            return self.template
        closed = f"not {self.state}" if self.state else f"no open {self.start.singular}"
        return f"{closed} at the as-of date"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return whether the latest start is later than the latest end before each as-of date."""
        return is_open(context.events(self.start), context.events(self.end))


@dataclass(frozen=True)
class PreviousCPPlans(Feature):
    """Number of earlier child protection plans: started before the as-of date and ended.

    Counts the plans (``start`` events) before the as-of date, less one when a plan is
    open at the as-of date (see :class:`OpenAt`), like the CIN census's "number of
    previous child protection plans".

    Parameters
    ----------
    start, end : EventFamily, default CP plan starts and ends
        The events that start and end a plan.

    Notes
    -----
    ``int32``, never missing. Name: ``previous_cp_plans``.
    """

    start: EventFamily = CP_PLAN
    end: EventFamily = CP_PLAN_END
    dtype: ClassVar[str] = "int32"

    def __post_init__(self) -> None:
        _check_family(self.start, "PreviousCPPlans", "start")
        _check_family(self.end, "PreviousCPPlans", "end")

    @property
    def name(self) -> str:
        """The column name."""
        return "previous_cp_plans"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return (self.start, self.end)

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "{value} previous child protection plans"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        n = whole_number(value)
        return f"{n or 'no'} previous child protection plan{'' if n == 1 else 's'}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the plans started before each as-of date, less the one open at it."""
        start, end = context.events(self.start), context.events(self.end)
        return start.n_before - is_open(start, end)
