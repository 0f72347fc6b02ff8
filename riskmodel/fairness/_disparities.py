"""Disparities: each group's metrics as ratios to a reference group, and their flags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.fairness._group_metrics import AttributeMetrics, concatenate, make_frame
from riskmodel.fairness._inputs import INTERSECTION_SEPARATOR, group_label
from riskmodel.fairness._resample import percentile_interval

DISPARITY_METRICS: tuple[str, ...] = (
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "tnr",
    "precision",
    "fdr",
    "for",
    "npv",
    "auc",
    "observed_expected",
)
"""Metrics compared with the reference group (prevalence and mean score are context)."""

DISPARITY_DTYPES: dict[str, str] = {
    "attribute": "str",
    "group": "str",
    "reference": "str",
    "metric": "str",
    "value": "float64",
    "reference_value": "float64",
    "ratio": "float64",
    "lower": "float64",
    "upper": "float64",
    "flagged": "bool",
}


def _as_name(key: object) -> str:
    if isinstance(key, tuple):
        return INTERSECTION_SEPARATOR.join(_as_name(k) for k in key)
    return key if isinstance(key, str) else group_label(key)


def resolve_references(
    results: Sequence[AttributeMetrics],
    reference: Mapping[object, object] | None,
    *,
    min_group_size: int,
) -> dict[str, str]:
    """Choose the reference group of each attribute: the one named, else the largest.

    Among equally large groups the first in reporting order is the reference. A named
    reference must exist and must not be suppressed.
    """
    if reference is not None and not isinstance(reference, Mapping):
        raise TypeError(
            f"reference must be None or a dict of attribute -> group, got {type(reference)}"
        )
    requested = {_as_name(k): _as_name(v) for k, v in (reference or {}).items()}
    by_name = {r.name: r for r in results}
    unknown = [name for name in requested if name not in by_name]
    if unknown:
        raise SchemaError(
            f"reference: unknown attribute(s) {', '.join(map(repr, unknown))}; the audit "
            f"has {', '.join(map(repr, by_name))}"
        )
    resolved = {}
    for r in results:
        if r.name not in requested:
            resolved[r.name] = r.labels[int(np.argmax(r.n))]
            continue
        group = requested[r.name]
        if group not in r.labels:
            raise SchemaError(
                f"reference: {r.name} has no group {group!r}; its groups are "
                f"{', '.join(map(repr, r.labels))}"
            )
        size = int(r.n[r.labels.index(group)])
        if size < min_group_size:
            raise SchemaError(
                f"reference: {r.name} group {group!r} has {size} rows, fewer than "
                f"min_group_size={min_group_size}, so its metrics are suppressed"
            )
        resolved[r.name] = group
    return resolved


_UNBOUNDED = np.array([m == "observed_expected" for m in DISPARITY_METRICS])


def _varies(values: np.ndarray) -> np.ndarray:
    """Whether a bootstrap can vary each metric: a rate strictly between 0 and 1.

    A rate of 0 (no events) or 1 (no non-events) is the same in every replicate, so
    its interval would be a point and a ratio to it would look certain. For
    observed/expected, the observed count must be positive.
    """
    with np.errstate(invalid="ignore"):
        return (values > 0) & ((values < 1) | _UNBOUNDED)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Ratio with ``x / 0 = inf`` for positive ``x`` and NaN for ``0 / 0`` or NaN input."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    return np.where((denominator == 0) & ~(numerator > 0), np.nan, ratio)


def disparity_table(
    results: Sequence[AttributeMetrics],
    references: Mapping[str, str],
    *,
    min_group_size: int,
    confidence: float,
    parity_range: tuple[float, float],
) -> pd.DataFrame:
    """Build the ``disparities`` table: each non-reference group and metric against the reference.

    A row is flagged when its ratio lies outside ``parity_range``, its bootstrap
    interval excludes 1, and both its rate and the reference's are strictly between
    0 and 1 (see :func:`_varies`). Suppressed groups (or a suppressed reference) get
    NaN and are never flagged.
    """
    parts: dict[str, list[np.ndarray]] = {name: [] for name in DISPARITY_DTYPES}
    n_metrics = len(DISPARITY_METRICS)
    for r in results:
        ref = r.labels.index(references[r.name])
        others = np.array([i for i in range(len(r.labels)) if i != ref], dtype=np.intp)
        hidden = (r.n[others] < min_group_size) | (r.n[ref] < min_group_size)
        value = np.column_stack([r.values[m][others] for m in DISPARITY_METRICS])
        reference_value = np.array([r.values[m][ref] for m in DISPARITY_METRICS])
        ratio = _ratio(value, reference_value[np.newaxis])
        intervals = [
            percentile_interval(
                _ratio(r.replicates[m][:, others], r.replicates[m][:, [ref]]), confidence
            )
            for m in DISPARITY_METRICS
        ]
        lower = np.column_stack([lo for lo, _ in intervals])
        upper = np.column_stack([hi for _, hi in intervals])
        for array in (value, ratio, lower, upper):
            array[hidden] = np.nan
        if r.n[ref] < min_group_size:
            reference_value[:] = np.nan
        outside = (ratio < parity_range[0]) | (ratio > parity_range[1])
        excludes_parity = (lower > 1.0) | (upper < 1.0)
        informative = _varies(value) & _varies(reference_value[np.newaxis])
        n_rows = len(others) * n_metrics
        parts["attribute"].append(np.full(n_rows, r.name, dtype=object))
        parts["group"].append(np.repeat(np.array(r.labels, dtype=object)[others], n_metrics))
        parts["reference"].append(np.full(n_rows, r.labels[ref], dtype=object))
        parts["metric"].append(np.tile(np.array(DISPARITY_METRICS, dtype=object), len(others)))
        parts["value"].append(value.ravel())
        parts["reference_value"].append(np.tile(reference_value, len(others)))
        parts["ratio"].append(ratio.ravel())
        parts["lower"].append(lower.ravel())
        parts["upper"].append(upper.ravel())
        parts["flagged"].append((outside & excludes_parity & informative).ravel())
    return make_frame(concatenate(parts), DISPARITY_DTYPES)
