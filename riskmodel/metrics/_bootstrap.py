"""Bootstrap confidence intervals, resampling rows or whole clusters (children).

A training frame holds one row per (child, as-of date), so one child appears many
times. Resampling rows treats those repeats as independent evidence and gives
intervals that are too narrow; resampling children (``clusters``) and taking all
their rows does not.

Each resample is drawn as a count per cluster, which becomes a weight per row. The
package's own metrics have weighted kernels, so a resample costs one pass over the
rows sorted once by score; any other callable is evaluated on the materialised
resample (rows repeated by their counts).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import riskmodel.metrics._calibration as _calibration
import riskmodel.metrics._capacity as _capacity
import riskmodel.metrics._ranking as _ranking
import riskmodel.metrics._recalibration as _recalibration
from riskmodel._wording import describe_rows
from riskmodel.exceptions import DataQualityWarning
from riskmodel.metrics._validation import check_binary_scores

__all__ = [
    "KERNELS",
    "MetricEstimate",
    "bootstrap_metric",
    "check_bootstrap_args",
    "check_clusters",
    "draw_counts",
    "percentile_interval",
    "resample_values",
    "warn_skipped",
]

MAX_SKIPPED_SHARE = 0.10
"""Warn when the metric is undefined on more than this share of resamples."""

KERNELS: dict[Callable[..., float], Callable[..., float]] = {
    _ranking.roc_auc: _ranking.auc_kernel,
    _ranking.average_precision: _ranking.average_precision_kernel,
    _calibration.brier_score: _calibration.brier_kernel,
    _calibration.log_loss: _calibration.log_loss_kernel,
    _calibration.expected_calibration_error: _calibration.ece_kernel,
    _calibration.observed_expected_ratio: _calibration.oe_kernel,
    _recalibration.calibration_slope: _recalibration.slope_kernel,
    _recalibration.calibration_intercept: _recalibration.intercept_kernel,
    _capacity.precision_at_k: _capacity.precision_kernel,
    _capacity.recall_at_k: _capacity.recall_kernel,
    _capacity.number_needed_to_flag: _capacity.nnf_kernel,
}
"""The package's metrics and their weighted kernels (rows sorted by decreasing score)."""


@dataclass(frozen=True)
class MetricEstimate:
    """A metric's value on the data with a bootstrap percentile interval.

    Attributes
    ----------
    value : float
        The metric on all the data (not a bootstrap average).
    lower, upper : float
        The bounds of the percentile interval.
    confidence : float
        The interval's nominal coverage, e.g. 0.95.
    n_resamples : int
        Resamples drawn.
    n_skipped : int
        Resamples on which the metric was undefined (for example a single class in
        ``y_true``); the interval uses the other ``n_resamples - n_skipped``.
    """

    value: float
    lower: float
    upper: float
    confidence: float
    n_resamples: int
    n_skipped: int


def check_bootstrap_args(n_resamples: int, confidence: float, *, allow_zero: bool) -> None:
    """Check the number of resamples and the confidence level.

    Parameters
    ----------
    n_resamples : int
        Resamples to draw; at least 1 (or 0 when ``allow_zero``).
    confidence : float
        Nominal coverage, strictly between 0 and 1.
    allow_zero : bool
        Whether ``n_resamples=0`` (no interval) is allowed.

    Raises
    ------
    ValueError
        If either is out of range.
    """
    least = 0 if allow_zero else 1
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, Integral):
        raise ValueError(f"n_resamples must be an integer; got {n_resamples!r}")
    if n_resamples < least:
        raise ValueError(f"n_resamples must be at least {least}; got {n_resamples}")
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise ValueError(f"confidence must be a number in (0, 1); got {confidence!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1); got {confidence!r}")


def check_clusters(clusters: ArrayLike | None, n_rows: int) -> np.ndarray:
    """Return integer cluster codes, in order of first appearance, one per row.

    Parameters
    ----------
    clusters : array-like of shape (n_rows,) or None
        A label per row (e.g. ``person_id``); ``None`` makes every row its own cluster.
    n_rows : int
        Number of rows of the data.

    Returns
    -------
    numpy.ndarray of int
        Codes ``0 .. n_clusters - 1``.

    Raises
    ------
    ValueError
        If the length differs from ``n_rows`` or a label is missing.
    """
    if clusters is None:
        return np.arange(n_rows)
    labels = clusters if isinstance(clusters, pd.Series | pd.Index) else np.asarray(clusters)
    if labels.ndim != 1 or len(labels) != n_rows:
        raise ValueError(
            f"clusters must have one label per row ({n_rows}); got shape {np.shape(labels)}"
        )
    codes, _ = pd.factorize(labels, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        where = describe_rows(np.flatnonzero(missing))
        raise ValueError(f"clusters has {int(missing.sum())} missing labels ({where})")
    return codes


def draw_counts(
    n_clusters: int, n_resamples: int, random_state: int | np.random.Generator | None
) -> Iterator[np.ndarray]:
    """Yield, for each resample, how many times each cluster is drawn.

    ``n_clusters`` clusters are drawn with replacement; every row of a drawn cluster
    comes with it, so a row's weight in the resample is its cluster's count.

    Parameters
    ----------
    n_clusters : int
        Number of clusters (rows, for a row bootstrap).
    n_resamples : int
        Number of resamples.
    random_state : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same resamples.

    Yields
    ------
    numpy.ndarray of int
        Count per cluster code.
    """
    rng = np.random.default_rng(random_state)
    for _ in range(n_resamples):
        yield np.bincount(rng.integers(0, n_clusters, size=n_clusters), minlength=n_clusters)


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval from order statistics, rounded outwards.

    Parameters
    ----------
    values : numpy.ndarray
        The metric on each usable resample (may include ``inf``).
    confidence : float
        Nominal coverage.

    Returns
    -------
    lower, upper : float
        The ``(1 - confidence) / 2`` quantile rounded down to an observed value, and
        the ``(1 + confidence) / 2`` quantile rounded up, so the interval holds at
        least ``confidence`` of the resamples.
    """
    tail = (1.0 - confidence) / 2.0
    lower = np.quantile(values, tail, method="lower")
    upper = np.quantile(values, 1.0 - tail, method="higher")
    return float(lower), float(upper)


def warn_skipped(name: str, n_skipped: int, n_resamples: int) -> None:
    """Warn (DataQualityWarning) when a metric was undefined on too many resamples."""
    if n_skipped > MAX_SKIPPED_SHARE * n_resamples:
        warnings.warn(
            f"{name} was undefined on {n_skipped} of {n_resamples} bootstrap resamples "
            f"({n_skipped / n_resamples:.0%}; e.g. a single class in y_true); the interval "
            "uses the others and may be too narrow",
            DataQualityWarning,
            stacklevel=3,
        )


def resample_values(
    evaluate: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    y: np.ndarray,
    s: np.ndarray,
    codes: np.ndarray,
    n_resamples: int,
    random_state: int | np.random.Generator | None,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Evaluate kernels on each resample of rows sorted once by decreasing score.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(y, s, w)`` on rows sorted by decreasing score with positive weights,
        returning one value per metric (NaN where undefined).
    y, s : numpy.ndarray
        Outcomes and scores, in the caller's row order.
    codes : numpy.ndarray of int
        Cluster code per row.
    n_resamples : int
        Number of resamples.
    random_state : int, numpy.random.Generator or None
        Seed or generator, as in :func:`draw_counts`.
    sample_weight : numpy.ndarray, optional
        A positive weight per row (a sampled row standing for several): a row's
        weight in a resample is its cluster's count times its own weight.

    Returns
    -------
    numpy.ndarray of shape (n_resamples, n_metrics)
        The values; a row per resample.
    """
    order = np.argsort(-s, kind="stable")
    y_sorted, s_sorted, codes_sorted = y[order], s[order], codes[order]
    own = None if sample_weight is None else np.asarray(sample_weight, np.float64)[order]
    rows = []
    for counts in draw_counts(int(codes.max()) + 1, n_resamples, random_state):
        w = counts[codes_sorted]
        keep = w > 0
        w_kept = w[keep].astype(np.float64)
        if own is not None:
            w_kept = w_kept * own[keep]
        rows.append(np.atleast_1d(evaluate(y_sorted[keep], s_sorted[keep], w_kept)))
    return np.vstack(rows)


def _callable_values(
    metric: Callable[..., float],
    y: np.ndarray,
    s: np.ndarray,
    codes: np.ndarray,
    n_resamples: int,
    random_state: int | np.random.Generator | None,
    kwargs: dict,
) -> np.ndarray:
    """Call ``metric`` on each materialised resample; NaN where it raises ValueError."""
    rows = np.arange(len(y))
    values = np.empty(n_resamples)
    for i, counts in enumerate(draw_counts(int(codes.max()) + 1, n_resamples, random_state)):
        taken = np.repeat(rows, counts[codes])
        try:
            values[i] = float(metric(y[taken], s[taken], **kwargs))
        except ValueError:
            values[i] = np.nan
    return values


def bootstrap_metric(
    metric: Callable[..., float],
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    clusters: ArrayLike | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    **metric_kwargs: object,
) -> MetricEstimate:
    """Estimate a metric with a bootstrap percentile confidence interval.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_score, **metric_kwargs) -> float``, e.g. :func:`roc_auc` or
        :func:`precision_at_k`. The package's metrics use fast weighted kernels; any
        other callable is called on each resample.
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores or probabilities, as ``metric`` requires.
    clusters : array-like of shape (n_samples,), optional
        A label per row, e.g. ``person_id`` when a child has a row per as-of date.
        Clusters are resampled with replacement and all their rows taken (a cluster
        bootstrap), so repeated rows of one child do not shrink the interval. By
        default every row is its own cluster.
    n_resamples : int, default 1000
        Resamples to draw.
    confidence : float, default 0.95
        Nominal coverage of the interval.
    random_state : int, numpy.random.Generator or None, default None
        Seed for reproducible intervals.
    **metric_kwargs
        Passed to ``metric`` (e.g. ``k=50``, ``ties="worst"``, ``n_bins=20``).

    Returns
    -------
    MetricEstimate
        The value on all the data and the percentile interval.

    Raises
    ------
    ValueError
        If the inputs are invalid for ``metric``, ``clusters`` does not match them, or
        the metric is undefined on every resample.

    Warns
    -----
    DataQualityWarning
        When the metric is undefined (raises ``ValueError`` or returns NaN, e.g. AUC on
        a resample with a single class) on more than 10 % of the resamples. Those
        resamples are skipped and counted in ``n_skipped``; with rare outcomes and
        few clusters the interval is then too narrow.

    Notes
    -----
    The interval is the percentile interval taken from order statistics and rounded
    outwards: the largest resample value at or below the ``(1 - confidence) / 2``
    quantile and the smallest at or above the ``(1 + confidence) / 2`` quantile. It
    holds at least ``confidence`` of the usable resamples and copes with infinite
    values (``number_needed_to_flag`` when a resample flags no positive).

    Each resample has as many clusters as the data, so with a cluster bootstrap its
    number of rows varies. A capacity given as ``top`` (a share) is applied to each
    resample's size; a capacity given as ``k`` stays fixed.

    A callable that is not one of the package's metrics receives float64 arrays
    (``y_true`` as 0.0/1.0) holding the resample's rows, repeated by their counts.

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.metrics import bootstrap_metric, roc_auc
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> score = y + rng.normal(size=200)
    >>> estimate = bootstrap_metric(roc_auc, y, score, n_resamples=200, random_state=0)
    >>> bool(estimate.lower < estimate.value < estimate.upper)
    True
    """
    check_bootstrap_args(n_resamples, confidence, allow_zero=False)
    value = float(metric(y_true, y_score, **metric_kwargs))
    y, s = check_binary_scores(y_true, y_score)
    codes = check_clusters(clusters, len(y))
    kernel = KERNELS.get(metric)
    if kernel is None:
        values = _callable_values(metric, y, s, codes, n_resamples, random_state, metric_kwargs)
    else:
        values = resample_values(
            lambda y_, s_, w_: kernel(y_, s_, w_, **metric_kwargs),
            y,
            s,
            codes,
            n_resamples,
            random_state,
        )[:, 0]
    usable = values[~np.isnan(values)]
    n_skipped = n_resamples - len(usable)
    name = getattr(metric, "__name__", "the metric")
    if len(usable) == 0:
        raise ValueError(f"{name} was undefined on all {n_resamples} bootstrap resamples")
    warn_skipped(name, n_skipped, n_resamples)
    lower, upper = percentile_interval(usable, confidence)
    return MetricEstimate(value, lower, upper, float(confidence), n_resamples, n_skipped)
