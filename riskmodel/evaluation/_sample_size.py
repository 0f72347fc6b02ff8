"""Too little to learn from: checks on the care entries a training set or fold holds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from riskmodel.exceptions import DataQualityWarning, SchemaError

__all__ = ["MIN_CARE_ENTRIES", "check_fold_size", "check_training_size"]

MIN_CARE_ENTRIES = 20
"""Care entries (positive rows) below which a training set or a backtest fold is too
small to learn from or to measure on: fewer than 20 entrants make every estimate of
ranking or calibration little better than noise. Such sets get a
:class:`~riskmodel.exceptions.DataQualityWarning` with the counts."""


def _date(value: object) -> str:
    return str(pd.Timestamp(value).date())


def check_training_size(y: pd.Series, person_ids: pd.Series) -> None:
    """Refuse a training set a model cannot learn from; warn when it has few care entries.

    Parameters
    ----------
    y : pandas.Series
        The 0/1 care-entry labels of the training rows.
    person_ids : pandas.Series
        The child of each row.

    Raises
    ------
    SchemaError
        When the rows hold fewer than two children, no care entry, or nothing but
        care entries.

    Warns
    -----
    DataQualityWarning
        When the rows hold fewer than :data:`MIN_CARE_ENTRIES` care entries.
    """
    rows, positives = len(y), int(np.nansum(y.to_numpy(dtype="float64")))
    children = int(pd.Series(person_ids).nunique())
    counts = (
        f"{rows:,} child-dates of {children:,} {'child' if children == 1 else 'children'}, "
        f"{positives:,} care entries"
    )
    if children < 2:
        raise SchemaError(
            f"training set: {counts}: a model cannot learn from fewer than two children; "
            "train on the authority's whole data"
        )
    if positives == 0:
        raise SchemaError(
            f"training set: {counts}: no child in the cohort entered care within the "
            "horizon, so there is nothing to learn from (care_episodes holds no care "
            "entry of a child aged 10 to 17 after the first as-of date)"
        )
    if positives == rows:
        raise SchemaError(f"training set: {counts}: every row is a care entry")
    if positives < MIN_CARE_ENTRIES:
        warnings.warn(
            f"training set: {counts}: fewer than {MIN_CARE_ENTRIES} care entries, so the "
            "model and every measure of it rest on very few entrants",
            DataQualityWarning,
            stacklevel=2,
        )


def check_fold_size(
    fold: int, dates: pd.Series, y: pd.Series, train: np.ndarray, test: np.ndarray
) -> None:
    """Check one backtest fold's training and test rows for enough care entries.

    Parameters
    ----------
    fold : int
        The fold's number (from 1).
    dates : pandas.Series
        The as-of date of every row of the frame.
    y : pandas.Series
        The 0/1 label of every row of the frame.
    train, test : numpy.ndarray
        Positions of the fold's training and test rows.

    Raises
    ------
    SchemaError
        When the training rows hold no care entry (nothing to fit on).

    Warns
    -----
    DataQualityWarning
        When the training or the test rows hold fewer than :data:`MIN_CARE_ENTRIES`.
    """
    labels = y.to_numpy(dtype="float64")
    parts = {}
    for name, rows in (("training", train), ("test", test)):
        part = dates.iloc[rows]
        parts[name] = (
            f"{name} rows {_date(part.min())} to {_date(part.max())}: {len(rows):,} "
            f"child-dates, {int(labels[rows].sum()):,} care entries"
        )
    if int(labels[train].sum()) == 0:
        raise SchemaError(
            f"backtest fold {fold}: {parts['training']}: no care entry to learn from; "
            "use fewer folds (n_splits) or data that reach further back"
        )
    for name, rows in (("training", train), ("test", test)):
        if int(labels[rows].sum()) < MIN_CARE_ENTRIES:
            warnings.warn(
                f"backtest fold {fold}: {parts[name]}: fewer than {MIN_CARE_ENTRIES} care "
                "entries, so this fold's measures are very uncertain",
                DataQualityWarning,
                stacklevel=3,
            )
