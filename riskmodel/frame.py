"""The training frame: cohort, as-of features, care-entry labels and fairness groups.

:func:`build_training_frame` joins them into a :class:`TrainingFrame` (``X``, ``y``,
``keys``, ``groups``); both are also at the top level (``riskmodel.build_training_frame``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel.cohort import COHORT_REASONS, build_cohort, care_entry_labels, check_months
from riskmodel.data._codes import ETHNIC_GROUPS, SEX_CODES, ethnic_group
from riskmodel.exceptions import SchemaError
from riskmodel.features import FeatureSpec, build_features, default_spec

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "GROUP_COLUMNS",
    "TrainingFrame",
    "build_training_frame",
    "demographic_groups",
    "pool_frames",
]

GROUP_COLUMNS: tuple[str, ...] = ("sex", "ethnic_group", "disability", "deprivation", "age_band")
"""The demographic columns of ``TrainingFrame.groups``."""

UNKNOWN = "Unknown"
NO_CARE_EPISODES = "labels need the SSDA903 return (care episodes): the data have none"
"""The error when a training frame is asked of data without care episodes."""
DEPRIVATION_LEVELS: tuple[str, ...] = (
    "Q1 most deprived",
    "Q2",
    "Q3",
    "Q4",
    "Q5 least deprived",
)
"""Deprivation quintiles: IMD deciles 1-2 are Q1 (most deprived), 9-10 are Q5."""
DISABILITY_LEVELS: tuple[str, ...] = ("Yes", "No")
AGE_BAND_YEARS = 3


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
        return _labelled(frame, data) if drop_unlabelled else frame
    cohort = build_cohort(data, as_of_index(as_of_dates), **cohort_kwargs)
    rows = cohort.loc[cohort["in_cohort"], ["person_id", "as_of_date", "age"]]
    if rows.empty:
        reasons = cohort["reason"].value_counts().reindex(list(COHORT_REASONS)).dropna()
        raise SchemaError(
            f"no child is in the cohort at any of the {cohort['as_of_date'].nunique()} "
            f"as-of date(s) ({len(cohort):,} child-dates: "
            + ", ".join(f"{int(n):,} {reason}" for reason, n in reasons.items())
            + ")"
        )
    rows = rows.reset_index(drop=True)
    labels = care_entry_labels(data, rows, months)
    unlabelled = labels.isna()
    if drop_unlabelled:
        _check_some_labelled(unlabelled, data, months)
        rows, labels = rows[~unlabelled].reset_index(drop=True), labels[~unlabelled]
    index = pd.MultiIndex.from_frame(rows[["person_id", "as_of_date"]])
    resolved = (spec if spec is not None else default_spec()).resolve(
        data.events["event_type"].dropna().unique()
    )
    keys = rows[["person_id", "as_of_date"]]
    X = _aligned(build_features(data, spec=resolved, keys=keys), index)
    bounds = _age_bounds(cohort_kwargs)
    groups = demographic_groups(data, rows, **bounds)
    if include_demographics:
        X = _with_demographics(X, groups, **bounds)
    y = pd.Series(labels.to_numpy(), index=index, name="care_entry")
    return TrainingFrame(
        X=X,
        y=y.astype("int64") if drop_unlabelled else y,
        keys=keys.reset_index(drop=True),
        groups=groups,
        cohort=cohort,
        horizon_months=months,
        spec=resolved,
        n_unlabelled=int(unlabelled.sum()),
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


def _labelled(frame: TrainingFrame, data: LocalAuthorityData) -> TrainingFrame:
    unlabelled = frame.y.isna()
    _check_some_labelled(unlabelled.reset_index(drop=True), data, frame.horizon_months)
    keep = ~unlabelled.to_numpy()
    return replace(
        frame,
        X=frame.X[keep],
        y=frame.y[keep].astype("int64"),
        keys=frame.keys[keep].reset_index(drop=True),
        groups=frame.groups[keep],
    )


def pool_frames(frames: Mapping[str, TrainingFrame]) -> TrainingFrame:
    """Pool several authorities' training frames into one keyed by (authority, child).

    Parameters
    ----------
    frames : mapping of str to TrainingFrame
        Each authority's code and its frame, all built with the same resolved
        feature specification (the same columns) and horizon.

    Returns
    -------
    TrainingFrame
        Rows ordered by as-of date, then authority, then child. ``X``, ``y`` and
        ``groups`` are indexed by ``(authority, person_id, as_of_date)``; ``keys``,
        ``groups`` and ``cohort`` have an ``authority`` column.

    Raises
    ------
    ValueError
        If no frames are given, or their columns or horizons differ.
    """
    if not frames:
        raise ValueError("pool_frames needs at least one frame")
    first = next(iter(frames.values()))
    for code, frame in frames.items():
        if list(frame.X.columns) != list(first.X.columns) or (
            frame.horizon_months != first.horizon_months
        ):
            raise ValueError(
                f"pool_frames: authority {code}'s frame has other columns or another horizon "
                "than the first; build every authority with one resolved spec and horizon"
            )
    codes = list(frames)

    def stacked(part: str) -> Any:
        return pd.concat(
            [getattr(f, part) for f in frames.values()], keys=codes, names=["authority"]
        )

    keys = pd.concat(
        [f.keys.assign(authority=code) for code, f in frames.items()], ignore_index=True
    )
    order = np.argsort(keys["as_of_date"].to_numpy(), kind="stable")
    groups = stacked("groups")
    groups = groups.assign(authority=groups.index.get_level_values("authority"))
    cohort = pd.concat(
        [f.cohort.assign(authority=c) for c, f in frames.items()], ignore_index=True
    )
    return TrainingFrame(
        X=stacked("X").iloc[order],
        y=stacked("y").iloc[order],
        keys=keys[["authority", "person_id", "as_of_date"]].iloc[order].reset_index(drop=True),
        groups=groups.iloc[order],
        cohort=cohort[["authority", *[c for c in cohort.columns if c != "authority"]]],
        horizon_months=first.horizon_months,
        spec=first.spec,
        n_unlabelled=sum(f.n_unlabelled for f in frames.values()),
    )


def _check_some_labelled(unlabelled: pd.Series, data: LocalAuthorityData, months: int) -> None:
    if unlabelled.all():
        latest = data.end_date - pd.DateOffset(months=months)
        raise SchemaError(
            f"every cohort row's {months}-month horizon runs past the end of the data "
            f"({data.end_date.date()}), so none can be labelled; use as-of dates on or "
            f"before {latest.date()}, or drop_unlabelled=False"
        )


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


def _age_bounds(cohort_kwargs: dict[str, Any]) -> dict[str, int | None]:
    return {
        "min_age": cohort_kwargs.get("min_age", 10),
        "max_age": cohort_kwargs.get("max_age", 17),
    }


def demographic_groups(
    data: LocalAuthorityData,
    rows: pd.DataFrame,
    *,
    min_age: int | None = 10,
    max_age: int | None = 17,
) -> pd.DataFrame:
    """Return the fairness groups of (child, as-of date) rows.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables (``persons`` is used).
    rows : pandas.DataFrame
        Columns ``person_id``, ``as_of_date`` and ``age`` (whole years on the as-of
        date), as in the cohort table.
    min_age, max_age : int or None, default 10 and 17
        The cohort's age bounds: age bands are three years wide from ``min_age``
        (0 when None), the last one ending at ``max_age``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(person_id, as_of_date)`` in the order of ``rows``, with the
        string columns of :data:`GROUP_COLUMNS`; ``"Unknown"`` when not recorded.
    """
    persons = data.persons.drop_duplicates("person_id").set_index("person_id")
    person = persons.reindex(pd.Index(rows["person_id"].to_numpy(), dtype="str"))
    sex = person["sex"].astype("object")
    sex = sex.where(sex.isin(SEX_CODES), "U")
    ethnicity = person["ethnicity"].astype("object")
    disability = person["disability"].map({True: "Yes", False: "No"}, na_action="ignore")
    decile = person["imd_decile"].astype("float64").to_numpy()
    quintile = np.where((decile >= 1) & (decile <= 10), np.ceil(decile / 2), np.nan)
    deprivation = [DEPRIVATION_LEVELS[int(q) - 1] if q == q else UNKNOWN for q in quintile]
    groups = pd.DataFrame(
        {
            "sex": sex.to_numpy(),
            "ethnic_group": [ethnic_group(e if isinstance(e, str) else None) for e in ethnicity],
            "disability": disability.astype("object").fillna(UNKNOWN).to_numpy(),
            "deprivation": deprivation,
            "age_band": age_bands(rows["age"], min_age=min_age, max_age=max_age),
        },
        index=pd.MultiIndex.from_frame(rows[["person_id", "as_of_date"]]),
    )
    return groups.astype("str")


def age_bands(
    age: pd.Series | np.ndarray, *, min_age: int | None = 10, max_age: int | None = 17
) -> np.ndarray:
    """Label whole-year ages with three-year bands: ``"10-12"``, ``"13-15"``, ``"16-17"``.

    Parameters
    ----------
    age : array-like of int
        Ages in whole years (missing values give ``"Unknown"``).
    min_age, max_age : int or None, default 10 and 17
        Bands start at ``min_age`` (0 when None); the last ends at ``max_age``.

    Returns
    -------
    numpy.ndarray of str
    """
    ages = pd.to_numeric(pd.Series(np.asarray(age, dtype="object")), errors="coerce")
    low = 0 if min_age is None else min_age
    out = []
    for value in ages.to_numpy(dtype="float64"):
        if np.isnan(value):
            out.append(UNKNOWN)
            continue
        start = low + AGE_BAND_YEARS * int((value - low) // AGE_BAND_YEARS)
        end = start + AGE_BAND_YEARS - 1
        if max_age is not None:
            end = min(end, max_age)
        out.append(f"{start}-{end}" if end > start else f"{start}")
    return np.asarray(out, dtype=object)


def _levels(
    groups: pd.DataFrame, min_age: int | None, max_age: int | None
) -> dict[str, list[str]]:
    """Every level of each group column (age bands from the data only without a max_age)."""
    if max_age is None:
        found = set(groups["age_band"]) - {UNKNOWN}
        bands = sorted(found, key=lambda b: int(b.split("-")[0]))
    else:
        low = 0 if min_age is None else min_age
        starts = range(low, max_age + 1, AGE_BAND_YEARS)
        bands = list(dict.fromkeys(age_bands(starts, min_age=min_age, max_age=max_age)))
    return {
        "sex": list(SEX_CODES),
        "ethnic_group": list(dict.fromkeys(ETHNIC_GROUPS.values())),
        "disability": [*DISABILITY_LEVELS, UNKNOWN],
        "deprivation": [*DEPRIVATION_LEVELS, UNKNOWN],
        "age_band": bands,
    }


def _with_demographics(
    X: pd.DataFrame, groups: pd.DataFrame, *, min_age: int | None, max_age: int | None
) -> pd.DataFrame:
    """Append the groups to the features as 0/1 columns, one per level."""
    columns = {}
    for column, levels in _levels(groups, min_age, max_age).items():
        for level in levels:
            slug = re.sub(r"[^a-z0-9]+", "_", level.lower()).strip("_")
            columns[f"{column}_{slug}"] = (groups[column] == level).to_numpy(dtype="float64")
    clash = sorted(set(columns) & set(X.columns))
    if clash:
        raise ValueError(
            f"include_demographics: feature columns {clash} already exist; rename those "
            "features or leave demographics out"
        )
    return pd.concat([X, pd.DataFrame(columns, index=X.index)], axis=1)
