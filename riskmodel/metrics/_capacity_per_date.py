"""Capacity metrics per as-of date, with a bootstrap over children.

A service supports ``k`` families from each month's list, so precision and recall at
capacity are computed within each as-of date and averaged over the dates of a test
window. Intervals resample children (with all their rows), never single rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from riskmodel.metrics._bootstrap import draw_counts
from riskmodel.metrics._capacity import capacity_kernel
from riskmodel.metrics._validation import check_sample_weight, sort_descending

__all__ = ["CAPACITY_METRICS", "capacity_metrics", "per_date_at_k"]

CAPACITY_METRICS: tuple[str, ...] = (
    "precision_at_capacity",
    "recall_at_capacity",
    "nnf_at_capacity",
)
"""Names of the rows :func:`capacity_metrics` returns, in order."""


def per_date_at_k(
    y: np.ndarray, p: np.ndarray, dates: np.ndarray, k: int, w: np.ndarray | None = None
) -> np.ndarray:
    """Mean over dates of precision and recall at ``k``; number needed = 1 / precision.

    Each date flags its ``k`` highest scores (all its rows when it has fewer), ties at
    the cut counted at their expected rate (``ties="expected"``). With row weights
    ``w`` a row of weight ``w`` counts as ``w`` rows, so ``k`` counts weight. Recall
    is averaged over the dates with a positive. The number needed to flag is the
    reciprocal of the mean precision, not the mean of per-date reciprocals, which
    one date with no hits would blow up. Each date is measured by ``capacity_kernel``,
    as ``precision_at_k`` measures a single list.
    """
    weights = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    prec, rec = [], []
    for date in np.unique(dates):
        on = (dates == date) & (weights > 0)
        s_sorted, y_sorted, w_sorted = sort_descending(y[on], weights[on], by=p[on])
        if w_sorted.sum() > 0:
            kd, hits, positives = capacity_kernel(y_sorted, s_sorted, w_sorted, k=k)
            prec.append(hits / kd)
            if positives > 0:
                rec.append(hits / positives)
    mean_prec = float(np.mean(prec)) if prec else np.nan
    mean_rec = float(np.mean(rec)) if rec else np.nan
    nnf = 1.0 / mean_prec if mean_prec > 0 else np.inf
    return np.array([mean_prec, mean_rec, nnf])


def capacity_metrics(
    y_true: np.ndarray,
    y_score: np.ndarray,
    dates: np.ndarray,
    clusters: np.ndarray,
    capacity: int,
    *,
    n_resamples: int = 200,
    confidence: float = 0.95,
    random_state: int | None = None,
    sample_weight: np.ndarray | None = None,
) -> pd.DataFrame:
    """Precision, recall and number needed to flag at ``capacity``, per as-of date.

    Parameters
    ----------
    y_true, y_score, dates, clusters : numpy.ndarray
        Aligned outcomes, scores, as-of dates and child ids.
    capacity : int
        Children the service can support from each as-of date's list.
    n_resamples : int, default 200
        Cluster-bootstrap resamples (children drawn with replacement).
    confidence : float, default 0.95
        Coverage of the percentile intervals.
    random_state : int, optional
        Seed.
    sample_weight : numpy.ndarray, optional
        A positive weight per row, for a sample of the lists (``1 / fraction`` for
        a row kept with probability ``fraction``): a row of weight ``w`` counts as
        ``w`` children, in the capacity too, so the figures estimate those of the
        unsampled lists. In the bootstrap a row's weight is its child's count times
        its own weight.

    Returns
    -------
    pandas.DataFrame
        Rows ``precision_at_capacity``, ``recall_at_capacity``, ``nnf_at_capacity``
        (:data:`CAPACITY_METRICS`) with columns ``metric``, ``value``, ``lower``,
        ``upper``.

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.metrics import capacity_metrics
    >>> y = np.array([1, 0, 0, 0, 1, 1, 0, 0])
    >>> score = np.array([0.9, 0.8, 0.1, 0.2, 0.7, 0.3, 0.6, 0.1])
    >>> dates = np.repeat(["2020-01-01", "2020-04-01"], 4)
    >>> ids = np.array(["a", "b", "c", "d", "a", "b", "c", "d"])
    >>> table = capacity_metrics(y, score, dates, ids, capacity=1, n_resamples=0)
    >>> table.set_index("metric")["value"].round(2).tolist()
    [1.0, 0.75, 1.0]
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_score, dtype=float)
    dates = np.asarray(dates)
    weights = check_sample_weight(sample_weight, len(y))
    own = np.ones(len(y)) if weights is None else weights
    point = per_date_at_k(y, p, dates, capacity, own)
    lower = upper = np.full(len(CAPACITY_METRICS), np.nan)
    if n_resamples:
        codes, uniques = pd.factorize(pd.Series(clusters))
        draws = [
            per_date_at_k(y, p, dates, capacity, counts[codes] * own)
            for counts in draw_counts(len(uniques), n_resamples, random_state)
        ]
        alpha = (1 - confidence) / 2
        with warnings.catch_warnings():  # a metric undefined in every resample stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            lower = np.nanquantile(np.asarray(draws), alpha, axis=0)
            upper = np.nanquantile(np.asarray(draws), 1 - alpha, axis=0)
    return pd.DataFrame(
        {"metric": CAPACITY_METRICS, "value": point, "lower": lower, "upper": upper}
    )
