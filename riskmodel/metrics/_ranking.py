"""Ranking metrics: area under the ROC curve and average precision.

Each public function validates its inputs and calls a weighted kernel. The kernels
take rows sorted by decreasing score with positive weights, so that the bootstrap can
sort once and evaluate each resample as a vector of row counts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from riskmodel.metrics._validation import check_binary_scores, dot, sort_descending

__all__ = ["auc_kernel", "average_precision", "average_precision_kernel", "roc_auc"]


def tie_group_sums(s_desc: np.ndarray, *columns: np.ndarray) -> list[np.ndarray]:
    """Sum each column within groups of equal score.

    Parameters
    ----------
    s_desc : numpy.ndarray
        Scores sorted in decreasing order.
    *columns : numpy.ndarray
        Arrays aligned with ``s_desc``.

    Returns
    -------
    list of numpy.ndarray
        One array per column, holding the sum over each group of tied scores, groups
        in decreasing order of score.
    """
    new_group = np.empty(len(s_desc), dtype=bool)
    new_group[0] = True
    np.not_equal(s_desc[1:], s_desc[:-1], out=new_group[1:])
    if new_group.all():
        return list(columns)
    starts = np.flatnonzero(new_group)
    return [np.add.reduceat(column, starts) for column in columns]


def auc_kernel(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
    """Weighted ROC AUC of rows sorted by decreasing score (NaN if a class is absent).

    Parameters
    ----------
    y, s, w : numpy.ndarray
        Outcomes (0.0/1.0), scores in decreasing order, and positive weights.

    Returns
    -------
    float
        The probability that a random positive outscores a random negative, ties
        counting one half.
    """
    pos, neg = tie_group_sums(s, w * y, w * (1.0 - y))
    total_pos, total_neg = pos.sum(), neg.sum()
    if total_pos <= 0.0 or total_neg <= 0.0:
        return float("nan")
    neg_below = total_neg - np.cumsum(neg)
    return float(dot(pos, neg_below + 0.5 * neg) / (total_pos * total_neg))


def average_precision_kernel(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
    """Weighted average precision of rows sorted by decreasing score (NaN without positives).

    Parameters
    ----------
    y, s, w : numpy.ndarray
        Outcomes (0.0/1.0), scores in decreasing order, and positive weights.

    Returns
    -------
    float
        The mean over positives of the precision at the threshold that includes them.
    """
    pos, neg = tie_group_sums(s, w * y, w * (1.0 - y))
    total_pos = pos.sum()
    if total_pos <= 0.0:
        return float("nan")
    true_pos = np.cumsum(pos)
    precision = true_pos / (true_pos + np.cumsum(neg))
    return float(dot(pos, precision) / total_pos)


def roc_auc(y_true: ArrayLike, y_score: ArrayLike) -> float:
    """Area under the ROC curve.

    Equal to :func:`sklearn.metrics.roc_auc_score` for binary outcomes: the
    probability that a randomly chosen positive is scored above a randomly chosen
    negative, ties counting one half.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning more likely positive; any real values.

    Returns
    -------
    float
        The AUC, between 0 and 1.

    Raises
    ------
    ValueError
        If the inputs are invalid (see the package docstring) or ``y_true`` holds a
        single class, where the AUC is undefined.

    Examples
    --------
    >>> from riskmodel.metrics import roc_auc
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, s = check_binary_scores(y_true, y_score)
    s, y = sort_descending(y, by=s)
    value = auc_kernel(y, s, np.ones_like(y))
    if np.isnan(value):
        raise ValueError(
            f"roc_auc is undefined: y_true holds a single class ({int(y[0])}) in all {len(y)} rows"
        )
    return value


def average_precision(y_true: ArrayLike, y_score: ArrayLike) -> float:
    """Average precision: the area under the precision-recall step curve.

    Equal to :func:`sklearn.metrics.average_precision_score` for binary outcomes:
    ``sum((R_n - R_{n-1}) * P_n)`` over decreasing score thresholds, without
    interpolation.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning more likely positive; any real values.

    Returns
    -------
    float
        The average precision, between 0 and 1. Its chance level is the prevalence.

    Raises
    ------
    ValueError
        If the inputs are invalid or ``y_true`` has no positives, where average
        precision is undefined.

    Examples
    --------
    >>> from riskmodel.metrics import average_precision
    >>> round(average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y, s = check_binary_scores(y_true, y_score)
    s, y = sort_descending(y, by=s)
    value = average_precision_kernel(y, s, np.ones_like(y))
    if np.isnan(value):
        raise ValueError(
            f"average_precision is undefined: y_true has no positives in {len(y)} rows"
        )
    return value
