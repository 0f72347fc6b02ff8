"""Capacity metrics per as-of date, with a bootstrap over children.

A service supports ``k`` families from each month's list, so precision and recall at
capacity are computed within each as-of date and averaged over the dates of a test
window. Intervals resample children (with all their rows), never single rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from riskmodel.metrics._capacity import precision_at_k, recall_at_k

__all__ = ["CAPACITY_METRICS", "capacity_metrics"]

CAPACITY_METRICS: tuple[str, ...] = (
    "precision_at_capacity",
    "recall_at_capacity",
    "nnf_at_capacity",
)
"""Names of the rows :func:`capacity_metrics` returns, in order."""


def _per_date(y: np.ndarray, p: np.ndarray, dates: np.ndarray, k: int) -> np.ndarray:
    """Mean over dates of precision and recall at ``k``; number needed = 1 / precision.

    The number needed to flag is the reciprocal of the mean precision, not the mean
    of per-date reciprocals, which one date with no hits would blow up.
    """
    prec, rec = [], []
    for date in np.unique(dates):
        on = dates == date
        yd, pd_ = y[on], p[on]
        kd = min(k, len(yd))
        if kd:
            prec.append(precision_at_k(yd, pd_, kd))
            if yd.sum():
                rec.append(recall_at_k(yd, pd_, kd))
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
    point = _per_date(y, p, dates, capacity)
    lower = upper = np.full(len(CAPACITY_METRICS), np.nan)
    if n_resamples:
        codes, uniques = pd.factorize(pd.Series(clusters))
        rows_of = pd.Series(np.arange(len(y))).groupby(codes).indices
        rng = np.random.default_rng(random_state)
        draws = []
        for _ in range(n_resamples):
            picked = rng.integers(0, len(uniques), len(uniques))
            idx = np.concatenate([rows_of[c] for c in picked])
            draws.append(_per_date(y[idx], p[idx], dates[idx], capacity))
        alpha = (1 - confidence) / 2
        with warnings.catch_warnings():  # a metric undefined in every resample stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            lower = np.nanquantile(np.asarray(draws), alpha, axis=0)
            upper = np.nanquantile(np.asarray(draws), 1 - alpha, axis=0)
    return pd.DataFrame(
        {"metric": CAPACITY_METRICS, "value": point, "lower": lower, "upper": upper}
    )
