"""Group metrics of the audit: definitions, estimates, bootstrap replicates and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel.fairness._inputs import Attribute
from riskmodel.fairness._resample import (
    auc_layout,
    cell_matrix,
    group_auc_numerators,
    group_matrix,
    group_sums,
    percentile_interval,
    poisson_weights,
)

METRICS: tuple[str, ...] = (
    "prevalence",
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
    "mean_score",
    "observed_expected",
)
"""Metrics of every group, in the order of the ``by_group`` table."""

METRIC_LABELS: dict[str, str] = {
    "prevalence": "prevalence",
    "selection_rate": "selection rate",
    "tpr": "true positive rate",
    "fpr": "false positive rate",
    "fnr": "false negative rate",
    "tnr": "true negative rate",
    "precision": "precision",
    "fdr": "false discovery rate",
    "for": "false omission rate",
    "npv": "negative predictive value",
    "auc": "AUC",
    "mean_score": "mean score",
    "observed_expected": "observed/expected",
}
"""Plain-English name of each metric, for summaries and reports."""

N_RISK_BANDS = 20
"""Risk bands are twentieths of the scored population (20 = highest scores)."""

BY_GROUP_DTYPES: dict[str, str] = {
    "attribute": "str",
    "group": "str",
    "metric": "str",
    "value": "float64",
    "lower": "float64",
    "upper": "float64",
    "n": "int64",
    "denominator": "Int64",
    "suppressed": "bool",
}
CALIBRATION_DTYPES: dict[str, str] = {
    "attribute": "str",
    "group": "str",
    "band_from": "int64",
    "band_to": "int64",
    "n": "int64",
    "mean_score": "float64",
    "observed_rate": "float64",
    "lower": "float64",
    "upper": "float64",
    "observed_expected": "float64",
    "suppressed": "bool",
}

# Columns of the per-row feature matrix summed by group.
_ROWS, _POSITIVES, _FLAGGED, _TRUE_POSITIVES, _SCORES = range(5)
_N_BASE = 5


def make_frame(columns: dict[str, object], dtypes: dict[str, str]) -> pd.DataFrame:
    """Build a table with exactly the columns and dtypes of ``dtypes``."""
    return pd.DataFrame(
        {name: pd.Series(columns[name]).astype(dtype) for name, dtype in dtypes.items()}
    )


def row_features(
    y: np.ndarray, flagged: np.ndarray, p: np.ndarray, band_group: np.ndarray, n_band_groups: int
) -> np.ndarray:
    """Per-row quantities whose group sums give every metric (see :func:`rates`)."""
    n = len(y)
    base = np.column_stack([np.ones(n), y, flagged.astype(float), y * flagged, p])
    bands = np.zeros((n, 3 * n_band_groups))
    rows = np.arange(n)
    bands[rows, 3 * band_group] = 1.0
    bands[rows, 3 * band_group + 1] = y
    bands[rows, 3 * band_group + 2] = p
    return np.hstack([base, bands])


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def counts(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Weighted confusion counts from group sums (last axis: features)."""
    n, pos, flagged, tp = (sums[..., i] for i in (_ROWS, _POSITIVES, _FLAGGED, _TRUE_POSITIVES))
    neg, fp, fn = n - pos, flagged - tp, pos - tp
    return {
        "n": n,
        "pos": pos,
        "neg": neg,
        "flagged": flagged,
        "unflagged": n - flagged,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": neg - fp,
        "expected": sums[..., _SCORES],
    }


_DENOMINATORS: dict[str, str] = {
    "prevalence": "n",
    "selection_rate": "n",
    "tpr": "pos",
    "fpr": "neg",
    "fnr": "pos",
    "tnr": "neg",
    "precision": "flagged",
    "fdr": "flagged",
    "for": "unflagged",
    "npv": "unflagged",
    "mean_score": "n",
    "observed_expected": "pos",
}


def rates(sums: np.ndarray, auc_numerators: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric of :data:`METRICS` from group sums; NaN where undefined."""
    c = counts(sums)
    numerators = {
        "prevalence": c["pos"],
        "selection_rate": c["flagged"],
        "tpr": c["tp"],
        "fpr": c["fp"],
        "fnr": c["fn"],
        "tnr": c["tn"],
        "precision": c["tp"],
        "fdr": c["fp"],
        "for": c["fn"],
        "npv": c["tn"],
        "mean_score": c["expected"],
    }
    out = {m: divide(numerators[m], c[_DENOMINATORS[m]]) for m in numerators}
    out["auc"] = divide(auc_numerators, c["pos"] * c["neg"])
    out["observed_expected"] = divide(c["pos"], c["expected"])
    return {m: out[m] for m in METRICS}


def denominators(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Return the count each metric rests on (for AUC, the smaller class of the group)."""
    c = counts(sums)
    out = {m: c[_DENOMINATORS[m]] for m in _DENOMINATORS}
    out["auc"] = np.minimum(c["pos"], c["neg"])
    return out


@dataclass(frozen=True)
class AttributeMetrics:
    """Point estimates and bootstrap replicates of every metric of one attribute."""

    name: str
    labels: tuple[str, ...]
    n: np.ndarray
    values: dict[str, np.ndarray]
    replicates: dict[str, np.ndarray]
    denominators: dict[str, np.ndarray]
    band_sums: np.ndarray
    band_replicates: np.ndarray


def attribute_metrics(
    attributes: Sequence[Attribute],
    features: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    *,
    clusters: tuple[np.ndarray, int],
    n_resamples: int,
    rng: np.random.Generator,
    weights: np.ndarray | None = None,
) -> list[AttributeMetrics]:
    """Estimate every group metric of every attribute, with Poisson-bootstrap replicates.

    Rows are summed once per replicate into cells (the observed combinations of all
    attributes' groups); each attribute's group sums add up its cells. With row
    ``weights`` (a sample's), every sum is weighted, and a replicate's weight of a
    row is its Poisson draw times the row's weight.
    """
    own = np.ones((len(y), 1)) if weights is None else np.asarray(weights, float)[:, None]
    cells, cell_codes = np.unique(
        np.column_stack([a.codes for a in attributes]), axis=0, return_inverse=True
    )
    rows_to_cells = cell_matrix(cell_codes.ravel(), len(cells), features)
    n_features = features.shape[1]
    groupers = [group_matrix(cells[:, i], len(a.labels)) for i, a in enumerate(attributes)]
    layouts = [auc_layout(a.codes, len(a.labels), y, p) for a in attributes]

    def evaluate(weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        cell_sums = rows_to_cells @ weights
        return [
            (group_sums(cell_sums, grouper, n_features), group_auc_numerators(layout, weights))
            for grouper, layout in zip(groupers, layouts, strict=True)
        ]

    points = [(s[0], auc[0]) for s, auc in evaluate(own)]
    sums = [np.empty((n_resamples, len(a.labels), n_features)) for a in attributes]
    aucs = [np.empty((n_resamples, len(a.labels))) for a in attributes]
    for rows, draws in poisson_weights(rng, n_resamples, *clusters):
        for i, (chunk_sums, chunk_aucs) in enumerate(evaluate(draws * own)):
            sums[i][rows] = chunk_sums
            aucs[i][rows] = chunk_aucs
    n_bands = (n_features - _N_BASE) // 3
    return [
        AttributeMetrics(
            name=a.name,
            labels=a.labels,
            n=point[:, _ROWS].round().astype(np.int64),
            values=rates(point, point_auc),
            replicates=rates(rep, rep_auc),
            denominators=denominators(point),
            band_sums=point[:, _N_BASE:].reshape(len(a.labels), n_bands, 3),
            band_replicates=rep[..., _N_BASE:].reshape(n_resamples, len(a.labels), n_bands, 3),
        )
        for a, (point, point_auc), rep, rep_auc in zip(attributes, points, sums, aucs, strict=True)
    ]


def by_group_table(
    results: Sequence[AttributeMetrics], *, min_group_size: int, confidence: float
) -> pd.DataFrame:
    """Build the long ``by_group`` table: one row per attribute, group and metric."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in BY_GROUP_DTYPES}
    n_metrics = len(METRICS)
    for r in results:
        n_groups = len(r.labels)
        suppressed = r.n < min_group_size
        value = np.column_stack([r.values[m] for m in METRICS])
        intervals = [percentile_interval(r.replicates[m], confidence) for m in METRICS]
        lower = np.column_stack([lo for lo, _ in intervals])
        upper = np.column_stack([hi for _, hi in intervals])
        denominator = np.column_stack([r.denominators[m] for m in METRICS]).astype(object)
        for array in (value, lower, upper):
            array[suppressed] = np.nan
        denominator[suppressed] = pd.NA
        parts["attribute"].append(np.full(n_groups * n_metrics, r.name, dtype=object))
        parts["group"].append(np.repeat(np.array(r.labels, dtype=object), n_metrics))
        parts["metric"].append(np.tile(np.array(METRICS, dtype=object), n_groups))
        parts["value"].append(value.ravel())
        parts["lower"].append(lower.ravel())
        parts["upper"].append(upper.ravel())
        parts["n"].append(np.repeat(r.n, n_metrics))
        parts["denominator"].append(denominator.ravel())
        parts["suppressed"].append(np.repeat(suppressed, n_metrics))
    return make_frame(concatenate(parts), BY_GROUP_DTYPES)


def calibration_table(
    results: Sequence[AttributeMetrics], *, min_group_size: int, confidence: float
) -> pd.DataFrame:
    """Mean score against observed rate by group and merged risk bands."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in CALIBRATION_DTYPES}
    for r in results:
        n_groups, n_bands = r.band_sums.shape[:2]
        width = N_RISK_BANDS // n_bands
        count, observed, expected = (r.band_sums[..., i] for i in range(3))
        suppressed = count < min_group_size
        replicate_rate = divide(r.band_replicates[..., 1], r.band_replicates[..., 0])
        lower, upper = percentile_interval(replicate_rate, confidence)
        columns = {
            "mean_score": divide(expected, count),
            "observed_rate": divide(observed, count),
            "lower": lower,
            "upper": upper,
            "observed_expected": divide(observed, expected),
        }
        for name, array in columns.items():
            parts[name].append(np.where(suppressed, np.nan, array).ravel())
        parts["attribute"].append(np.full(n_groups * n_bands, r.name, dtype=object))
        parts["group"].append(np.repeat(np.array(r.labels, dtype=object), n_bands))
        parts["band_from"].append(np.tile(np.arange(n_bands) * width + 1, n_groups))
        parts["band_to"].append(np.tile((np.arange(n_bands) + 1) * width, n_groups))
        parts["n"].append(count.round().astype(np.int64).ravel())
        parts["suppressed"].append(suppressed.ravel())
    return make_frame(concatenate(parts), CALIBRATION_DTYPES)


def concatenate(parts: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """Join each column's pieces (an empty object array when there are none)."""
    return {
        name: np.concatenate(arrays) if arrays else np.array([], dtype=object)
        for name, arrays in parts.items()
    }
