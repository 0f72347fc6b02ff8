"""Plain-English wording of feature values: windows in words, plurals, numbers."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

__all__ = ["elapsed_words", "is_missing", "period_words", "singular_of", "whole_number"]


def period_words(days: int) -> str:
    """Say a window length in words, as it follows "in the last".

    Whole years come first (365 days a year), then months of 30 days, weeks, and
    otherwise days; a single unit has no number.

    Parameters
    ----------
    days : int
        Window length in days.

    Returns
    -------
    str
        ``"year"`` for 365, ``"2 years"`` for 730, ``"6 months"`` for 180,
        ``"3 months"`` for 90, ``"week"`` for 7, ``"45 days"`` for 45.

    Examples
    --------
    >>> [period_words(d) for d in (90, 180, 365, 730, 14, 1)]
    ['3 months', '6 months', 'year', '2 years', '2 weeks', 'day']
    """
    for unit, size in (("year", 365), ("month", 30), ("week", 7), ("day", 1)):
        if days % size == 0:
            n = days // size
            return unit if n == 1 else f"{n} {unit}s"
    raise AssertionError("unreachable: every whole number of days is a number of days")


def elapsed_words(days: int) -> str:
    """Say how long ago something happened, as precisely as a reader needs.

    Up to 60 days the exact number of days is given; up to two years, the nearest
    whole number of months (of 30.4 days); beyond that, the nearest whole number of
    years. "3818 days" means little to a reader; "about 10 years" does.

    Parameters
    ----------
    days : int
        Days elapsed, zero or more.

    Returns
    -------
    str

    Examples
    --------
    >>> [elapsed_words(d) for d in (1, 40, 200, 729, 730, 3818)]
    ['1 day', '40 days', 'about 7 months', 'about 24 months', 'about 2 years', 'about 10 years']
    """
    if days <= 60:
        return f"{days} day{'' if days == 1 else 's'}"
    if days < 730:
        return f"about {round(days / 30.4375)} months"
    return f"about {round(days / 365.25)} years"


def singular_of(noun: str) -> str:
    """Guess the singular of a plural noun phrase by changing its last word.

    Parameters
    ----------
    noun : str
        A plural noun phrase such as ``"section 47 enquiries"``.

    Returns
    -------
    str
        ``"section 47 enquiry"``. Phrases whose plural word is not the last one
        (``"records of neglect"``) need an explicit singular.
    """
    head, _, last = noun.rpartition(" ")
    if last.endswith("ies") and len(last) > 3:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "ches", "shes", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}" if head else last


def is_missing(value: object) -> bool:
    """Whether a feature value is missing (None, NaN, NaT or ``pandas.NA``)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def whole_number(value: object) -> int:
    """Return a count-like value as an int (``3.0`` becomes ``3``).

    Raises
    ------
    ValueError
        If the value is not a finite number.
    """
    if isinstance(value, bool | np.bool_):
        return int(value)
    if not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"expected a number, got {value!r}")
    return round(float(value))
