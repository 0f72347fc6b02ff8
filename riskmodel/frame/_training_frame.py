"""The training frame's container: features, labels, keys and fairness groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskmodel.features import FeatureSpec

__all__ = ["TrainingFrame"]


@dataclass(frozen=True, eq=False)
class TrainingFrame:
    """Model inputs, labels, keys and fairness groups of one row per (child, as-of date).

    ``X``, ``y``, ``keys`` and ``groups`` have the same rows in the same order
    (as-of date, then child); ``X``, ``y`` and ``groups`` share the index.

    Parameters
    ----------
    X : pandas.DataFrame
        Features, indexed by a MultiIndex ``(person_id, as_of_date)``. Demographic
        columns are included only when asked for (``include_demographics=True``).
    y : pandas.Series
        ``care_entry``: 1 when the child entered care within the horizon after the
        as-of date. ``int64`` when unlabelled rows were dropped (the default),
        otherwise float with NaN for rows whose horizon runs past the data.
    keys : pandas.DataFrame
        Columns ``person_id`` and ``as_of_date``, one row per row of ``X``.
    groups : pandas.DataFrame
        Columns ``GROUP_COLUMNS`` (strings, ``"Unknown"`` when not recorded):
        ``sex``, ``ethnic_group`` (major group), ``disability`` (``"Yes"``/``"No"``),
        ``deprivation`` (IMD quintile, ``"Q1 most deprived"`` ... ``"Q5 least
        deprived"``) and ``age_band`` (such as ``"10-12"``). For fairness reviews;
        not model inputs.
    cohort : pandas.DataFrame
        Every child at every as-of date, with whether they are in the cohort and
        why not (see :func:`~riskmodel.cohort.build_cohort`).
    horizon_months : int
        The label horizon.
    spec : FeatureSpec
        The (resolved) feature specification that produced ``X``; pass it when
        building features of new data so that the columns match.
    n_unlabelled : int, default 0
        Cohort rows whose horizon runs past the end of the data: dropped from the
        frame, or kept with a NaN label when ``drop_unlabelled=False``.
    """

    X: pd.DataFrame
    y: pd.Series
    keys: pd.DataFrame
    groups: pd.DataFrame
    cohort: pd.DataFrame
    horizon_months: int
    spec: FeatureSpec
    n_unlabelled: int = 0

    def __len__(self) -> int:
        return len(self.X)

    def __repr__(self) -> str:
        labelled = self.y.notna()
        positives = int(self.y[labelled].sum())
        dates = self.as_of_dates
        span = f"{dates[0].date()} to {dates[-1].date()}" if len(dates) else "none"
        return (
            f"TrainingFrame(rows={len(self):,}, features={self.X.shape[1]}, "
            f"positives={positives:,}, unlabelled={self.n_unlabelled:,}, "
            f"as_of_dates={len(dates)} ({span}), horizon_months={self.horizon_months})"
        )

    @property
    def as_of_dates(self) -> pd.DatetimeIndex:
        """The distinct as-of dates of the frame's rows, sorted."""
        return pd.DatetimeIndex(self.keys["as_of_date"].unique()).sort_values()
