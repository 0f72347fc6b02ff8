"""The calibration hold-out: the latest as-of dates of the training data.

A model is calibrated on data it was not fitted on. For a training frame indexed by
``(person_id, as_of_date)`` the hold-out is the latest as-of dates, so calibration
sees the most recent base rate, as scoring will. Test data never reaches this module:
it only splits the rows passed to ``fit``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

__all__ = [
    "AS_OF_LEVEL",
    "CalibrationSplit",
    "as_of_dates",
    "calibration_split",
    "latest_dates",
    "split_problem",
]

AS_OF_LEVEL = "as_of_date"


@dataclass(frozen=True)
class CalibrationSplit:
    """Row positions for the base fit and for calibration.

    Attributes
    ----------
    base_rows, calibration_rows : ndarray of int
        Sorted row positions into the training data.
    dates : pandas.Index or None
        The as-of dates of the calibration rows, sorted; None for a random split.
    """

    base_rows: np.ndarray
    calibration_rows: np.ndarray
    dates: pd.Index | None


def as_of_dates(X: Any) -> pd.Index | None:
    """Return the ``"as_of_date"`` index level of a DataFrame (one per row), or None."""
    if isinstance(X, pd.DataFrame) and AS_OF_LEVEL in X.index.names:
        dates = X.index.get_level_values(AS_OF_LEVEL)
        if dates.hasnans:
            raise ValueError(
                f"X.index level {AS_OF_LEVEL!r} has {int(dates.isna().sum())} missing "
                "dates; every training row needs its as-of date"
            )
        return dates
    return None


def latest_dates(dates: pd.Index, fraction: float) -> pd.Index:
    """Return the latest ``round(fraction * n)`` distinct dates (at least one, not all).

    ``dates`` must hold at least two distinct dates.
    """
    unique = dates.unique().sort_values()
    n_dates = min(len(unique) - 1, max(1, round(fraction * len(unique))))
    return unique[len(unique) - n_dates :]


def calibration_split(
    X: Any, y: np.ndarray, fraction: float, random_state: Any
) -> CalibrationSplit:
    """Split training rows into a base-fit part and a calibration part.

    With an index level ``"as_of_date"`` on ``X`` (and at least two distinct dates),
    the calibration rows are those at the latest ``round(fraction * n_dates)`` dates
    (at least one date, and at least one date left for the base fit). Otherwise they
    are a random ``fraction`` of the rows, stratified by ``y`` when every class has
    two or more rows, drawn with ``random_state``.

    Parameters
    ----------
    X : DataFrame or ndarray
        Training features.
    y : ndarray
        Training labels.
    fraction : float
        Share of as-of dates (or rows) held out for calibration.
    random_state : int, RandomState instance or None
        Seed for the random split.

    Returns
    -------
    CalibrationSplit
    """
    dates = as_of_dates(X)
    if dates is not None:
        unique = dates.unique().sort_values()
        if len(unique) >= 2:
            held_out = latest_dates(dates, fraction)
            is_held_out = np.asarray(dates.isin(held_out))
            return CalibrationSplit(
                np.flatnonzero(~is_held_out), np.flatnonzero(is_held_out), held_out
            )
        warnings.warn(
            f"X has a single as-of date ({unique[0]}), so the calibration rows are a "
            "random sample of it rather than later dates",
            UserWarning,
            stacklevel=4,
        )
    rows = np.arange(len(y))
    _, counts = np.unique(y, return_counts=True)
    base, held = train_test_split(
        rows,
        test_size=fraction,
        stratify=y if counts.min() >= 2 else None,
        random_state=random_state,
    )
    return CalibrationSplit(np.sort(base), np.sort(held), None)


def split_problem(split: CalibrationSplit, y: np.ndarray, classes: np.ndarray) -> str | None:
    """Describe why a split cannot be used (a slice without a class), or None."""
    where = (
        f"the latest {len(split.dates)} as-of dates"
        if split.dates is not None
        else "a random sample"
    )
    parts = {
        "base-fit slice": split.base_rows,
        f"calibration slice ({where})": split.calibration_rows,
    }
    for part, rows in parts.items():
        for label in classes.tolist():
            if not np.any(y[rows] == label):
                return f"The {part} has no rows with y == {label!r} ({len(rows)} rows)"
    return None
