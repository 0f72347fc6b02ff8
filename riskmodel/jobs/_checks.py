"""Checks the training job makes on its data before fitting: recording changes, size."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import pandas as pd

from riskmodel.exceptions import DataQualityWarning, SchemaError

__all__ = ["check_training_data", "require_children", "require_cohort", "warn_recording_changes"]

log = logging.getLogger("riskmodel.jobs")


def require_children(data: Any, task: str) -> None:
    """Raise a SchemaError when the persons table is empty: there is no child to ``task``."""
    persons = data.persons
    if persons.isEmpty() if hasattr(persons, "isEmpty") else persons.empty:
        raise SchemaError(
            f"persons: the table has no rows, so there is no child to {task}; expected one "
            "row per child (from the SSDA903 header or the CIN census)"
        )


def require_cohort(data: Any, as_of: pd.Timestamp) -> None:
    """Raise a SchemaError when no child is in the cohort at ``as_of``, saying why not."""
    from riskmodel.cohort import COHORT_REASONS, summarise_cohort

    counts = summarise_cohort(_cohort_at(data, as_of)).iloc[0]
    if counts["in_cohort"] > 0:
        return
    reasons = counts[list(COHORT_REASONS)]
    raise SchemaError(
        f"no child of the {int(counts['children']):,} in persons is in the cohort at "
        f"{as_of.date()} ("
        + ", ".join(f"{int(n):,} {reason}" for reason, n in reasons[reasons > 0].items())
        + "): check the as-of date; nothing was scored or written"
    )


def _cohort_at(data: Any, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return the cohort at ``as_of``: built locally, or counted on Spark for SparkData."""
    from riskmodel.spark import SparkData

    if isinstance(data, SparkData):
        from riskmodel.spark import cohort_counts_spark

        return cohort_counts_spark(
            data.persons,
            data.events,
            data.care_episodes,
            [as_of],
            extract_date=data.end_date,
            population=data.population,
        )
    from riskmodel.cohort import build_cohort

    return build_cohort(data, [as_of])


def warn_recording_changes(
    data: Any, as_of_dates: pd.DatetimeIndex, history_months: int
) -> pd.DataFrame:
    """Warn about every event family that starts or stops inside the training period.

    The training period runs from ``history_months`` before the first as-of date
    (the history its features read) to the last as-of date. The rule that decides
    what counts as a start or a stop is that of
    :func:`riskmodel.data._coverage.recording_changes`: a family's first (last)
    month falls inside the period and at least a quarter (more for a family recorded
    in few months) after the period starts (before it ends).

    Returns
    -------
    pandas.DataFrame
        The changes found (see ``recording_changes``); each was also warned about
        (:class:`~riskmodel.exceptions.DataQualityWarning`) and logged.
    """
    from riskmodel.data._coverage import recording_changes

    start = as_of_dates.min() - pd.DateOffset(months=history_months)
    changes = recording_changes(data.coverage_summary(), start, as_of_dates.max())
    for message in changes["message"]:
        log.warning("recording change: %s", message)
        warnings.warn(message, DataQualityWarning, stacklevel=3)
    return changes


def check_training_data(frame: Any) -> None:
    """Refuse a training frame a model cannot learn from; warn when it has few care entries.

    See :func:`riskmodel.evaluation._sample_size.check_training_size`; the counts
    are logged too.
    """
    from riskmodel.evaluation._sample_size import MIN_CARE_ENTRIES, check_training_size

    positives = int(frame.y.sum())
    if positives < MIN_CARE_ENTRIES:
        log.warning(
            "training set: %d care entries among %d child-dates (fewer than %d)",
            positives,
            len(frame),
            MIN_CARE_ENTRIES,
        )
    check_training_size(frame.y, frame.keys["person_id"])
