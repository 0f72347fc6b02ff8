"""Build a feature table: one row per (child, as-of date), one column per feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.features._event_features import (
    Count,
    DaysSince,
    Ever,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
)
from riskmodel.features._events import EventIndex, FamilyEvents, is_open
from riskmodel.features._parts import EventFamily, Feature
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)
from riskmodel.features._persons import CareTimeline, age_years, siblings_looked_after
from riskmodel.features._rows import Rows, person_index
from riskmodel.features._spec import FeatureSpec

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["build_features"]

_CARE = (PreviousCarePeriods, DaysSinceLeftCare, SiblingsLookedAfter)
_EVENT_FEATURES = (Count, DaysSince, Ever, LatestValue, OpenAt, PreviousCPPlans)


def build_features(
    data: LocalAuthorityData,
    as_of_dates: object = None,
    spec: FeatureSpec | None = None,
    *,
    keys: pd.DataFrame | pd.MultiIndex | None = None,
) -> pd.DataFrame:
    """Compute features for children at as-of dates, using only what was known before them.

    Only events dated strictly before the as-of date are used, care episodes that
    started before it, and end dates before it (a later end is not yet known). The
    work grows with the number of events plus rows (sorted searches), not with
    their product.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables. Demographics (sex, ethnicity, disability,
        deprivation) are never features.
    as_of_dates : date-like or iterable of date-like, optional
        Build a row for every child in ``data.persons`` at every date (times of day
        are dropped; duplicates kept once). Give this or ``keys``.
    spec : FeatureSpec, optional
        The features; :func:`default_spec` when not given. Event types in the data
        that the spec does not know get ``other_<type>_count_365d`` columns (see
        :meth:`FeatureSpec.resolve`).
    keys : pandas.DataFrame or pandas.MultiIndex, optional
        Build only these rows: ``person_id`` and ``as_of_date`` columns (or index
        levels), such as the rows of a cohort. Every ``person_id`` must be in
        ``data.persons``.

    Returns
    -------
    pandas.DataFrame
        Indexed by a MultiIndex (``person_id``, ``as_of_date``): sorted by as-of
        date then person id with ``as_of_dates``, in the order of ``keys``
        otherwise. One column per feature in spec order, typed as the feature's
        ``dtype`` (``int32`` counts, ``bool`` flags, ``float64`` otherwise).
        Missing values occur only where a feature documents them: "days since"
        features when nothing happened before the as-of date, the latest value
        when there is none, the age when the date of birth is unknown.
        ``attrs["feature_spec"]`` holds the resolved spec and
        ``attrs["feature_descriptions"]`` each column's description template.

    Raises
    ------
    ValueError
        If neither or both of ``as_of_dates`` and ``keys`` are given, or a date is
        not a date.
    SchemaError
        If ``persons.person_id`` has missing or repeated ids, or ``keys`` name
        children not in ``data.persons``.

    See Also
    --------
    default_spec : The features built by default.
    feature_descriptions : Each feature's plain-English description.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.data import LocalAuthorityData
    >>> from riskmodel.features import Count, EventFamily, FeatureSpec, build_features
    >>> data = LocalAuthorityData(
    ...     persons=pd.DataFrame({"person_id": ["a", "b"], "sex": ["F", "M"],
    ...         "date_of_birth": pd.to_datetime(["2008-01-01", "2009-01-01"])}),
    ...     events=pd.DataFrame({"person_id": ["a", "a", "b"], "event_type": "referral",
    ...         "event_date": pd.to_datetime(["2019-06-01", "2020-01-01", "2020-02-01"])}),
    ...     care_episodes=pd.DataFrame(columns=["person_id", "start_date"]),
    ... )
    >>> referral = EventFamily("referral", "referral", "referrals")
    >>> spec = FeatureSpec((Count(referral, 365),))
    >>> build_features(data, ["2020-01-01", "2020-03-01"], spec).reset_index()
      person_id as_of_date  referral_count_365d
    0         a 2020-01-01                    1
    1         b 2020-01-01                    0
    2         a 2020-03-01                    2
    3         b 2020-03-01                    1
    """
    if (as_of_dates is None) == (keys is None):
        raise ValueError("give either as_of_dates or keys (a frame of person_id, as_of_date)")
    spec = spec if spec is not None else FeatureSpec.default()
    if not isinstance(spec, FeatureSpec):
        raise TypeError(f"spec must be a FeatureSpec, got {type(spec).__name__}")
    spec = spec.resolve(data.events["event_type"].dropna().unique())
    person_ids = person_index(data.persons)
    if keys is None:
        rows = Rows.from_dates(person_ids, as_of_dates)
    else:
        rows = Rows.from_keys(person_ids, keys)
    frame = _compute(spec, data, person_ids, rows)
    frame.attrs["feature_spec"] = spec
    frame.attrs["feature_descriptions"] = spec.descriptions()
    return frame


def _compute(
    spec: FeatureSpec, data: LocalAuthorityData, person_ids: pd.Index, rows: Rows
) -> pd.DataFrame:
    """Compute every feature of ``spec`` into a table with one block per dtype.

    Event features are computed a chunk of rows at a time (whole children, sorted), so
    that temporary arrays stay small whatever the number of rows.
    """
    table = _Table(spec.features, len(rows))
    care = _care(spec, data, person_ids, rows)
    for feature in spec.features:
        if feature.name in care:
            rows.write(table.column(feature), care.pop(feature.name))
        elif isinstance(feature, AgeYears):
            rows.write(table.column(feature), age_years(data.persons, person_ids, rows))
        elif not isinstance(feature, _EVENT_FEATURES):
            raise _cannot(feature)
    with_events = [f for f in spec.features if isinstance(f, _EVENT_FEATURES)]
    if with_events:
        families = _Families(EventIndex(data.events, person_ids))
        for where in rows.chunks():
            family = families.at(rows, where)
            for feature in with_events:
                values = _event_feature(feature, family).astype(feature.dtype, copy=False)
                rows.write(table.column(feature), values, where)
    return table.frame(rows.index, pd.Index(spec.names))


class _Table:
    """The feature table's storage: one (columns, rows) array per dtype, filled in place."""

    def __init__(self, features: tuple[Feature, ...], n_rows: int) -> None:
        where: dict[str, list[int]] = {}
        self.slot = {}
        for i, feature in enumerate(features):
            where.setdefault(feature.dtype, []).append(i)
            self.slot[feature.name] = (feature.dtype, len(where[feature.dtype]) - 1)
        self.blocks = {t: np.empty((len(cols), n_rows), dtype=t) for t, cols in where.items()}
        self.where = {t: np.asarray(cols, dtype=np.intp) for t, cols in where.items()}

    def column(self, feature: Feature) -> np.ndarray:
        dtype, k = self.slot[feature.name]
        return self.blocks[dtype][k]

    def frame(self, index: pd.Index, columns: pd.Index) -> pd.DataFrame:
        from pandas.api.internals import create_dataframe_from_blocks

        blocks = [(self.blocks[t], self.where[t]) for t in self.blocks]
        return create_dataframe_from_blocks(blocks, index=index, columns=columns)


class _Families:
    """Each event family's sorted keys (made once), and their view from a chunk of rows."""

    def __init__(self, index: EventIndex) -> None:
        self.index = index
        self.keys: dict[tuple[str, bool], tuple] = {}

    def at(self, rows: Rows, where: slice) -> Callable[..., FamilyEvents]:
        """Return ``family(fam, with_values=False) -> FamilyEvents`` for rows ``where``."""
        seen: dict[tuple[str, bool], FamilyEvents] = {}

        def family(fam: EventFamily, with_values: bool = False) -> FamilyEvents:
            key = (fam.name, with_values)
            if key not in self.keys:
                self.keys[key] = self.index.family_keys(fam, with_values=with_values)
            if key not in seen:
                keys, values = self.keys[key]
                seen[key] = FamilyEvents.for_rows(
                    keys, values, rows.keys[where], rows.person[where], rows.day[where]
                )
            return seen[key]

        return family


def _care(
    spec: FeatureSpec, data: LocalAuthorityData, person_ids: pd.Index, rows: Rows
) -> dict[str, np.ndarray]:
    """Compute the spec's care features (in computing order), by feature name."""
    wanted = [f for f in spec.features if isinstance(f, _CARE)]
    if not wanted:
        return {}
    timeline = CareTimeline.from_episodes(data.care_episodes, person_ids)
    history = timeline.at(rows.person, rows.day, rows.keys)
    out = {}
    for feature in wanted:
        if isinstance(feature, PreviousCarePeriods):
            out[feature.name] = history.previous_periods
        elif isinstance(feature, DaysSinceLeftCare):
            out[feature.name] = history.days_since_left
        else:
            out[feature.name] = siblings_looked_after(
                timeline, data.persons, person_ids, rows, history
            )
    return out


def _event_feature(feature: Feature, family: Callable[..., FamilyEvents]) -> np.ndarray:
    """Compute one event feature in computing order."""
    if isinstance(feature, Count):
        return family(feature.family).count(feature.window_days)
    if isinstance(feature, DaysSince):
        return family(feature.family).days_since()
    if isinstance(feature, Ever):
        return family(feature.family).n_before > 0
    if isinstance(feature, LatestValue):
        return family(feature.family, with_values=True).latest_value()
    if isinstance(feature, OpenAt):
        return is_open(family(feature.start), family(feature.end))
    if isinstance(feature, PreviousCPPlans):
        start, end = family(feature.start), family(feature.end)
        return start.n_before - is_open(start, end)
    raise _cannot(feature)


def _cannot(feature: Feature) -> TypeError:
    return TypeError(
        f"build_features cannot compute {type(feature).__name__} features ({feature.name!r}); "
        "use the feature classes of riskmodel.features"
    )
