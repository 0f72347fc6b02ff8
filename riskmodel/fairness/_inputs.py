"""Checking and encoding the inputs of the fairness audit.

Everything the audit computes works on plain numpy arrays: outcomes as 0/1 floats,
scores as floats in [0, 1], decisions as booleans and each attribute as integer group
codes with string labels. Encoding happens here once, so that the result never
depends on whether the caller passed lists, numpy arrays or pandas objects.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from riskmodel._wording import describe_rows
from riskmodel.exceptions import SchemaError

MISSING_GROUP = "(missing)"
"""Label of the group of rows whose attribute value is missing."""

INTERSECTION_SEPARATOR = " & "
"""Joins attribute names and group labels of an intersection: ``"sex & age_band"``."""


@dataclass(frozen=True)
class Attribute:
    """One protected attribute (or intersection) encoded as group codes.

    Parameters
    ----------
    name : str
        Attribute name as reported (``"sex"``, ``"sex & age_band"``).
    codes : numpy.ndarray
        Integer group code of every row, ``0 .. len(labels) - 1``.
    labels : tuple of str
        Group labels in reporting order.
    """

    name: str
    codes: np.ndarray
    labels: tuple[str, ...]


def _index_of(values: object, n: int) -> pd.Index:
    if isinstance(values, pd.Series | pd.DataFrame):
        return values.index
    return pd.RangeIndex(n)


def _one_dimensional(values: object, name: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise SchemaError(f"{name}: expected one column, got {values.shape[1]}")
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        values = values.astype("object").where(values.notna(), np.nan)
    array = np.asarray(values, dtype=object)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise SchemaError(f"{name}: expected a one-dimensional array, got shape {array.shape}")
    return array


def check_outcomes(y_true: object) -> tuple[np.ndarray, pd.Index]:
    """Return the outcomes as a float array of 0.0 and 1.0, and their row labels."""
    raw = _one_dimensional(y_true, "y_true")
    index = _index_of(y_true, len(raw))
    if len(raw) == 0:
        raise SchemaError("y_true: no rows; the audit needs at least one row")
    numeric = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(float)
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        raise SchemaError(
            f"y_true: {int(bad.sum())} value(s) are not 0/1 or True/False "
            f"({describe_rows(index[bad], raw[bad])})"
        )
    return numeric, index


def check_scores(y_score: object, n: int) -> np.ndarray:
    """Return the scores as a float array of probabilities in [0, 1]."""
    raw = _one_dimensional(y_score, "y_score")
    index = _index_of(y_score, len(raw))
    if len(raw) != n:
        raise SchemaError(f"y_score: expected {n} values (one per row of y_true), got {len(raw)}")
    numeric = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(float)
    bad = ~((numeric >= 0.0) & (numeric <= 1.0))
    if bad.any():
        raise SchemaError(
            f"y_score: {int(bad.sum())} value(s) are not probabilities between 0 and 1 "
            f"({describe_rows(index[bad], raw[bad])})"
        )
    return numeric


def check_aligned(index: pd.Index, other: object, name: str) -> None:
    """Raise if a pandas argument's index differs from ``y_true``'s pandas index."""
    if not isinstance(other, pd.Series | pd.DataFrame):
        return
    if not other.index.equals(index):
        raise SchemaError(
            f"{name}: its index differs from y_true's index; the audit pairs rows by "
            "position, so align them first (for example with .loc[y_true.index])"
        )


def _group_columns(groups: object) -> dict[str, object]:
    if isinstance(groups, pd.DataFrame):
        columns = {str(c): groups[c] for c in groups.columns}
        if len(columns) != groups.shape[1]:
            raise SchemaError("groups: column names are not unique once turned into text")
        return columns
    if isinstance(groups, pd.Series):
        return {str(groups.name) if groups.name is not None else "group": groups}
    if isinstance(groups, Mapping):
        return {str(k): v for k, v in groups.items()}
    array = np.asarray(groups, dtype=object)
    if array.ndim != 1:
        raise SchemaError(
            f"groups: a {array.ndim}-dimensional array has no attribute names; pass a "
            "DataFrame with one column per attribute, a Series, or a dict"
        )
    return {"group": groups}


def group_label(value: object) -> str:
    """Text label of a group value; whole numbers without a decimal point."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _sorted_uniques(series: pd.Series) -> list[object]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    uniques = list(pd.unique(series.dropna()))
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=group_label)


def encode_attribute(name: str, values: object, n: int) -> Attribute:
    """Encode one attribute's values as group codes in a stable, natural order.

    Groups are ordered by the categories of a categorical, otherwise by sorting the
    values (numbers numerically); missing values form the last group,
    ``"(missing)"``. Labels are text; whole numbers are written without a decimal
    point, so ``1``, ``1.0`` and ``"1"`` name the same group.
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        series = values.reset_index(drop=True)
    else:
        series = pd.Series(_one_dimensional(values, f"groups.{name}"), dtype=object)
    if len(series) != n:
        raise SchemaError(
            f"groups.{name}: expected {n} values (one per row of y_true), got {len(series)}"
        )
    labels: list[str] = []
    mapping: dict[object, str] = {}
    for value in _sorted_uniques(series):
        label = group_label(value)
        mapping[value] = label
        if label not in labels:
            labels.append(label)
    missing = series.isna().to_numpy()
    row_labels = series.astype(object).map(mapping).to_numpy(dtype=object)
    if missing.any():
        labels.append(MISSING_GROUP)
        row_labels[missing] = MISSING_GROUP
    codes = pd.Categorical(row_labels, categories=labels).codes.astype(np.intp)
    return Attribute(name, codes, tuple(labels))


def encode_groups(groups: object, n: int, index: pd.Index) -> list[Attribute]:
    """Encode every attribute of ``groups`` (DataFrame, Series, dict or 1-D array)."""
    check_aligned(index, groups, "groups")
    columns = _group_columns(groups)
    if not columns:
        raise SchemaError("groups: no attributes given; expected at least one column")
    return [encode_attribute(name, values, n) for name, values in columns.items()]


def intersection_names(
    attributes: Sequence[Attribute], intersections: bool | Iterable[Sequence[str]]
) -> list[tuple[str, ...]]:
    """Resolve the ``intersections`` argument to tuples of attribute names."""
    names = [a.name for a in attributes]
    if intersections is True:
        return list(combinations(names, 2))
    if intersections is False or intersections is None:
        return []
    if isinstance(intersections, str):
        raise SchemaError(
            f"intersections: expected True, False or a list of attribute tuples, got "
            f"{intersections!r}"
        )
    resolved = []
    for combo in intersections:
        combo = (combo,) if isinstance(combo, str) else tuple(combo)
        unknown = [c for c in combo if c not in names]
        if unknown or len(combo) < 2 or len(set(combo)) != len(combo):
            raise SchemaError(
                f"intersections: {combo!r} must name two or more different attributes "
                f"of groups ({', '.join(names)})"
            )
        resolved.append(combo)
    return resolved


def intersect(attributes: Sequence[Attribute]) -> Attribute:
    """Combine attributes into one whose groups are the observed combinations."""
    n_groups = [len(a.labels) for a in attributes]
    combined = np.ravel_multi_index([a.codes for a in attributes], n_groups)
    present, codes = np.unique(combined, return_inverse=True)
    parts = np.unravel_index(present, n_groups)
    labels = tuple(
        INTERSECTION_SEPARATOR.join(
            a.labels[part[i]] for a, part in zip(attributes, parts, strict=True)
        )
        for i in range(len(present))
    )
    name = INTERSECTION_SEPARATOR.join(a.name for a in attributes)
    return Attribute(name, codes.astype(np.intp), labels)


def encode_clusters(clusters: object, n: int, index: pd.Index) -> tuple[np.ndarray, int]:
    """Return a cluster code per row and the number of clusters (rows when ``None``)."""
    if clusters is None:
        return np.arange(n), n
    check_aligned(index, clusters, "clusters")
    raw = _one_dimensional(clusters, "clusters")
    if len(raw) != n:
        raise SchemaError(f"clusters: expected {n} values (one per row of y_true), got {len(raw)}")
    missing = pd.isna(raw)
    if missing.any():
        raise SchemaError(
            f"clusters: {int(missing.sum())} value(s) are missing "
            f"({describe_rows(index[missing])}); every row needs a cluster (person) id"
        )
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object), sort=False)
    return codes.astype(np.intp), len(uniques)


def decide(
    y_score: np.ndarray,
    *,
    capacity: int | None,
    threshold: float | None,
    periods: object,
    index: pd.Index,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Return the flag decision of every row under a capacity or a threshold rule.

    With a capacity of ``k`` the ``k`` highest scores (within each period, when
    ``periods`` is given) are flagged. Ties at the cut-off are broken by row order:
    among equal scores the earlier row is flagged, so exactly ``min(k, rows)`` rows
    are flagged per period. With row ``weights`` (a row standing for that many) the
    capacity counts weight, and the share of each row flagged is returned (a float
    in [0, 1]; the row at the cut is flagged in part), exactly as if each row were
    repeated by its weight.
    """
    if (capacity is None) == (threshold is None):
        raise ValueError("give exactly one of capacity (top-k flagged) or threshold (score >= t)")
    if threshold is not None:
        if not isinstance(threshold, numbers.Real) or not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number, got {threshold!r}")
        if periods is not None:
            raise ValueError("periods applies only with capacity (the top k within each period)")
        return y_score >= float(threshold)
    if isinstance(capacity, bool) or not isinstance(capacity, numbers.Integral) or capacity < 1:
        raise ValueError(f"capacity must be a positive whole number, got {capacity!r}")
    n = len(y_score)
    if periods is None:
        period_codes = np.zeros(n, dtype=np.intp)
    else:
        check_aligned(index, periods, "periods")
        period_codes = encode_attribute("periods", periods, n).codes
    order = np.lexsort((np.arange(n), -y_score, period_codes))
    sorted_periods = period_codes[order]
    first = np.searchsorted(sorted_periods, sorted_periods, side="left")
    if weights is not None:
        cumulative = np.cumsum(weights[order])
        before = cumulative - weights[order]
        before_period = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
        taken = np.clip(int(capacity) - (before - before_period), 0.0, weights[order])
        share = np.zeros(n)
        share[order] = taken / weights[order]
        return share
    rank_in_period = np.arange(n) - first
    flagged = np.zeros(n, dtype=bool)
    flagged[order[rank_in_period < int(capacity)]] = True
    return flagged
