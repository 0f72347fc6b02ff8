"""Building the training frame: cohort, as-of features, care-entry labels and groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel.cohort import COHORT_REASONS, build_cohort, care_entry_labels, check_months
from riskmodel.exceptions import SchemaError
from riskmodel.features import FeatureSpec, build_features, default_spec
from riskmodel.frame._groups import _age_bounds, _with_demographics, demographic_groups
from riskmodel.frame._pool import labelled, pool_frames
from riskmodel.frame._training_frame import TrainingFrame

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["NO_CARE_EPISODES", "build_training_frame", "frame_of_rows"]

NO_CARE_EPISODES = "labels need the SSDA903 return (care episodes): the data have none"
"""The error when a training frame is asked of data without care episodes."""


def build_training_frame(
    data: LocalAuthorityData,
    as_of_dates: str | pd.Timestamp | Iterable[str | pd.Timestamp],
    horizon_months: int = 12,
    spec: FeatureSpec | None = None,
    *,
    include_demographics: bool = False,
    drop_unlabelled: bool = True,
    **cohort_kwargs: Any,
) -> TrainingFrame:
    """Join the cohort, as-of features and care-entry labels at several as-of dates.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    as_of_dates : date-like or iterable of date-like
        The as-of dates, for example the first day of every month of some years.
    horizon_months : int, default 12
        Label horizon in whole months.
    spec : FeatureSpec, optional
        The features to build; the default specification when not given.
    include_demographics : bool, default False
        Add the fairness groups to ``X`` as 0/1 columns (``sex_f``,
        ``ethnic_group_black``, ``deprivation_q1_most_deprived``, ...). Off by
        default: demographics are for reviewing a model, not inputs to it.
    drop_unlabelled : bool, default True
        Drop rows whose horizon runs past the end of the data (counted in
        ``n_unlabelled``). When False they are kept with a NaN label, for example to
        score them.
    **cohort_kwargs
        Cohort rules passed to :func:`~riskmodel.cohort.build_cohort`: ``min_age``,
        ``max_age``, ``exclude_looked_after``, ``exclude_uasc``.

    Returns
    -------
    TrainingFrame
        For pooled data (several authorities, see
        :attr:`~riskmodel.data.LocalAuthorityData.is_pooled`), each authority's frame
        built alone with one feature specification resolved on all of them, then
        pooled by :func:`pool_frames`: the index is ``(authority, person_id,
        as_of_date)`` and ``keys`` and ``groups`` gain an ``authority`` column.

    Raises
    ------
    SchemaError
        If the data have no care episodes (labels need the SSDA903 return), no
        child is in the cohort at any as-of date, or (with ``drop_unlabelled``) no
        cohort row can be labelled. ``SchemaError`` is a ``ValueError``.
    ValueError
        If ``horizon_months`` is not a whole number of months of at least 1.

    See Also
    --------
    riskmodel.cohort.build_cohort : Who is in the cohort, and why others are not.
    riskmodel.cohort.care_entry_labels : The label.
    riskmodel.TemporalSplit : Split the frame's rows by as-of date.

    Examples
    --------
    >>> import pandas as pd
    >>> import riskmodel as rm
    >>> data = rm.make_local_authority(n_children=2_000, random_state=0)
    >>> dates = pd.date_range("2019-04-01", "2022-04-01", freq="6MS")
    >>> frame = rm.build_training_frame(data, dates, horizon_months=12)
    >>> frame.X.index.names
    FrozenList(['person_id', 'as_of_date'])
    >>> list(frame.groups.columns)
    ['sex', 'ethnic_group', 'disability', 'deprivation', 'age_band']
    """
    months = check_months(horizon_months)
    if data.care_episodes.empty:
        raise SchemaError(NO_CARE_EPISODES)
    if data.is_pooled:
        options = {"include_demographics": include_demographics, **cohort_kwargs}
        frame = _pooled_frame(data, as_of_dates, months, spec, options)
        return labelled(frame, data.end_date) if drop_unlabelled else frame
    resolved = (spec if spec is not None else default_spec()).resolve(
        data.events["event_type"].dropna().unique()
    )
    frame = frame_of_rows(data, as_of_dates, months, resolved, include_demographics, cohort_kwargs)
    if isinstance(frame, pd.DataFrame):
        raise SchemaError(_empty_cohort_message(frame))
    return labelled(frame, data.end_date) if drop_unlabelled else frame


def frame_of_rows(
    data: LocalAuthorityData,
    as_of_dates: Any,
    months: int,
    resolved: FeatureSpec,
    include_demographics: bool,
    cohort_kwargs: dict[str, Any],
) -> TrainingFrame | pd.DataFrame:
    """Return the frame of every cohort row, labelled or not, or the cohort if it is empty.

    No check of the data as a whole is made here (care episodes present, some row
    labelled), so that a shard of an authority's children is built exactly as the
    same children are within the whole authority.
    """
    cohort = build_cohort(data, as_of_index(as_of_dates), **cohort_kwargs)
    rows = cohort.loc[cohort["in_cohort"], ["person_id", "as_of_date", "age"]]
    if rows.empty:
        return cohort
    rows = rows.reset_index(drop=True)
    labels = care_entry_labels(data, rows, months)
    index = pd.MultiIndex.from_frame(rows[["person_id", "as_of_date"]])
    keys = rows[["person_id", "as_of_date"]]
    X = _aligned(build_features(data, spec=resolved, keys=keys), index)
    bounds = _age_bounds(cohort_kwargs)
    groups = demographic_groups(data, rows, **bounds)
    if include_demographics:
        X = _with_demographics(X, groups, **bounds)
    return TrainingFrame(
        X=X,
        y=pd.Series(labels.to_numpy(), index=index, name="care_entry"),
        keys=keys.reset_index(drop=True),
        groups=groups,
        cohort=cohort,
        horizon_months=months,
        spec=resolved,
        n_unlabelled=int(labels.isna().sum()),
    )


def _empty_cohort_message(cohort: pd.DataFrame) -> str:
    reasons = cohort["reason"].value_counts().reindex(list(COHORT_REASONS)).dropna()
    return (
        f"no child is in the cohort at any of the {cohort['as_of_date'].nunique()} "
        f"as-of date(s) ({len(cohort):,} child-dates: "
        + ", ".join(f"{int(n):,} {reason}" for reason, n in reasons.items())
        + ")"
    )


def _pooled_frame(
    data: LocalAuthorityData,
    as_of_dates: Any,
    months: int,
    spec: FeatureSpec | None,
    options: dict[str, Any],
) -> TrainingFrame:
    resolved = (spec if spec is not None else default_spec()).resolve(
        data.events["event_type"].dropna().unique()
    )
    frames = {}
    for code, part in data.by_authority():
        try:
            frames[code] = build_training_frame(
                part, as_of_dates, months, resolved, drop_unlabelled=False, **options
            )
        except SchemaError as exc:
            raise SchemaError(f"authority {code}: {exc}") from exc
    return pool_frames(frames)


def _aligned(X: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """Return the features in the frame's row order, checking every row is there."""
    if X.index.equals(index):
        return X
    missing = ~index.isin(X.index)
    if missing.any():
        first = index[missing][0]
        raise ValueError(
            f"build_features returned no row for {int(missing.sum())} (child, as-of date) "
            f"pairs, such as {first[0]!r} at {pd.Timestamp(first[1]).date()}"
        )
    return X.reindex(index)
