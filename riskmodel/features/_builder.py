"""Build a feature table: one row per (child, as-of date), one column per feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.features._asof_rows import AsOfRows, person_index
from riskmodel.features._base import Feature
from riskmodel.features._context import BuildInputs, FeatureContext
from riskmodel.features._default_spec import default_spec
from riskmodel.features._spec import FeatureSpec

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["build_features"]


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
    their product. Each feature computes its own column
    (:meth:`~riskmodel.features.Feature.compute`), a block of rows at a time.

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
        If neither or both of ``as_of_dates`` and ``keys`` are given, a date is
        not a date, or a feature's :meth:`~riskmodel.features.Feature.compute`
        returns other than one value per row (or missing values for an integer or
        bool dtype).
    TypeError
        If ``spec`` is not a :class:`FeatureSpec`, or one of its features does not
        define :meth:`~riskmodel.features.Feature.compute`.
    SchemaError
        If ``persons.person_id`` has missing or repeated ids, or ``keys`` name
        children not in ``data.persons``.

    See Also
    --------
    default_spec : The features built by default.
    feature_descriptions : Each feature's plain-English description.
    Feature : Writing your own feature.

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
    spec = spec if spec is not None else default_spec()
    if not isinstance(spec, FeatureSpec):
        raise TypeError(f"spec must be a FeatureSpec, got {type(spec).__name__}")
    spec = spec.resolve(data.events["event_type"].dropna().unique())
    _check_computable(spec)
    person_ids = person_index(data.persons)
    if keys is None:
        rows = AsOfRows.from_dates(person_ids, as_of_dates)
    else:
        rows = AsOfRows.from_keys(person_ids, keys)
    frame = _compute(spec, BuildInputs(data, person_ids, rows))
    frame.attrs["feature_spec"] = spec
    frame.attrs["feature_descriptions"] = spec.descriptions()
    return frame


def _check_computable(spec: FeatureSpec) -> None:
    """Refuse, before any work, a feature whose class does not define ``compute``."""
    for feature in spec.features:
        if type(feature).compute is Feature.compute:
            name = type(feature).__name__
            raise TypeError(
                f"build_features cannot compute {name} features ({feature.name!r}): {name} "
                "does not define compute(context); see 'Writing your own feature' in the "
                "riskmodel.features.Feature docstring"
            )


def _compute(spec: FeatureSpec, inputs: BuildInputs) -> pd.DataFrame:
    """Compute every feature of ``spec`` into a table with one block per dtype.

    Features are computed a block of rows at a time (whole children, sorted), so that
    temporary arrays stay small whatever the number of rows.
    """
    rows = inputs.rows
    table = _Table(spec.features, len(rows))
    for where in rows.chunks():
        context = FeatureContext(inputs, where)
        for feature in spec.features:
            values = _checked(feature, feature.compute(context), len(context))
            rows.write(table.column(feature), values, where)
    return table.frame(rows.index, pd.Index(spec.names))


def _checked(feature: Feature, values: object, n_rows: int) -> np.ndarray:
    """Return a feature's computed values as its dtype, after checking their shape."""
    values = np.asarray(values)
    if values.shape != (n_rows,):
        raise ValueError(
            f"feature {feature.name!r} ({type(feature).__name__}.compute) returned values of "
            f"shape {values.shape} for {n_rows} rows; expected one value per row"
        )
    if values.dtype.kind == "f" and np.dtype(feature.dtype).kind in "biu":
        if np.isnan(values).any():
            raise ValueError(
                f"feature {feature.name!r} ({type(feature).__name__}.compute) returned "
                f"missing values, which its dtype {feature.dtype} cannot hold; use float64"
            )
    return values.astype(feature.dtype, copy=False)


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
