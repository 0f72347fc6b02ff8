"""Features of the child and their care history: age, periods of care, siblings in care.

Care features read the ``care_episodes`` table as it was known at the as-of date:
episodes that started before it, with end dates on or after it treated as not yet
ended (see :func:`riskmodel.data.periods_of_care`), through
:attr:`FeatureContext.care <riskmodel.features.FeatureContext.care>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from riskmodel.features._base import Feature
from riskmodel.features._day_keys import to_days
from riskmodel.features._descriptions import elapsed_words, is_missing, whole_number

if TYPE_CHECKING:
    from riskmodel.features._context import FeatureContext

__all__ = ["AgeYears", "DaysSinceLeftCare", "PreviousCarePeriods", "SiblingsLookedAfter"]


@dataclass(frozen=True)
class AgeYears(Feature):
    """The child's age in whole years on the as-of date.

    A child attains an age on the anniversary of their birth (children born on
    29 February on 1 March in years that are not leap years), as in the cohort rules.

    Notes
    -----
    ``float64``. **NaN when the date of birth is missing or after the as-of date.**
    Name: ``age_years``.
    """

    @property
    def name(self) -> str:
        """The column name."""
        return "age_years"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "aged {value}"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        return "age unknown" if is_missing(value) else f"aged {whole_number(value)}"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the whole years from birth to each as-of date."""
        return age_years(context.persons["date_of_birth"], context.person, context.day)


@dataclass(frozen=True)
class PreviousCarePeriods(Feature):
    """Number of periods of care that started and ended before the as-of date.

    Periods made only of short breaks (``V3``/``V4``) are not counted. A period that
    ends on or after the as-of date has not ended yet, so a child looked after at
    the as-of date has their current period left out of the count (cohort children
    are not looked after at the as-of date).

    Notes
    -----
    ``int32``, never missing. Name: ``previous_care_periods``.
    """

    dtype: ClassVar[str] = "int32"

    @property
    def name(self) -> str:
        """The column name."""
        return "previous_care_periods"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "{value} previous periods of care"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        n = whole_number(value)
        return f"{n or 'no'} previous period{'' if n == 1 else 's'} of care"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the periods of care ended before each as-of date."""
        return context.care.previous_periods


@dataclass(frozen=True)
class DaysSinceLeftCare(Feature):
    """Days since the child's latest period of care ended (before the as-of date).

    Counts the same periods as :class:`PreviousCarePeriods`.

    Notes
    -----
    ``float64``, at least 1. **NaN when no period of care ended before the as-of
    date** (never looked after, or still in a first period).
    Name: ``days_since_left_care``.
    """

    @property
    def name(self) -> str:
        """The column name."""
        return "days_since_left_care"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "{value} days since last leaving care"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return "no previous period of care"
        return f"{elapsed_words(whole_number(value))} since last leaving care"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the days since the latest period of care ended before each as-of date."""
        return context.care.days_since_left


@dataclass(frozen=True)
class SiblingsLookedAfter(Feature):
    """Number of other children of the child's household looked after at the as-of date.

    Siblings are the other children with the same ``persons.household_id``. Looked
    after at the as-of date means an episode of care that started before it and
    had not ended before it (the day before the as-of date, in
    :func:`riskmodel.data.looked_after_on`'s terms); short-break episodes
    (``V3``/``V4``) do not count.

    Notes
    -----
    ``int32``, never missing: 0 for a child without a ``household_id``.
    Name: ``siblings_looked_after``.
    """

    dtype: ClassVar[str] = "int32"

    @property
    def name(self) -> str:
        """The column name."""
        return "siblings_looked_after"

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return "{value} siblings looked after at the as-of date"

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        n = whole_number(value)
        return f"{n or 'no'} sibling{'' if n == 1 else 's'} looked after at the as-of date"

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Count the other children of the household looked after at each as-of date."""
        has_household = context.persons["household_id"].notna().to_numpy()[context.person]
        own = context.care.looked_after & has_household
        return (context.household_looked_after - own).astype(np.int32)


def age_years(date_of_birth: pd.Series, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return the whole years from birth to each row's day (NaN if unknown or not yet born).

    Parameters
    ----------
    date_of_birth : pandas.Series
        Each child's date of birth, by position.
    person, day : numpy.ndarray
        Each row's child position and day number.
    """
    dob = pd.DatetimeIndex(date_of_birth)
    days, inverse = np.unique(day, return_inverse=True)
    as_of = pd.DatetimeIndex(days.astype("datetime64[D]"))
    born = np.asarray(dob.notna())
    by, bm, bd = (np.where(born, x, 0) for x in (dob.year, dob.month, dob.day))
    ay, am, ad = (np.asarray(x)[inverse] for x in (as_of.year, as_of.month, as_of.day))
    p = person
    before_birthday = (am < bm[p]) | ((am == bm[p]) & (ad < bd[p]))
    age = (ay - by[p] - before_birthday).astype("float64")
    age[~born[p] | (day < to_days(dob)[p])] = np.nan
    return age
