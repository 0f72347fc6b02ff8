"""Probability metrics: Brier score and its decomposition, log loss, ECE, O/E ratio.

The kernels take weighted rows in any order, so that the bootstrap can evaluate a
resample as a vector of row counts without copying data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from riskmodel.metrics._validation import check_binary_scores, check_n_bins, dot

__all__ = [
    "BrierDecomposition",
    "bin_sums",
    "brier_decomposition",
    "brier_kernel",
    "brier_score",
    "ece_kernel",
    "expected_calibration_error",
    "log_loss",
    "log_loss_kernel",
    "observed_expected_ratio",
    "oe_kernel",
]

_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's decomposition of the Brier score over bins of predicted probability.

    Attributes
    ----------
    reliability : float
        Weighted mean squared gap between each bin's mean probability and its observed
        rate; 0 for a model calibrated within bins. Lower is better.
    resolution : float
        Weighted mean squared gap between each bin's observed rate and the overall
        rate: how far the model separates children from the base rate. Higher is better.
    uncertainty : float
        ``rate * (1 - rate)`` for the overall observed rate; a property of the data.
    brier : float
        The Brier score itself, ``mean((y_prob - y_true) ** 2)``.
    """

    reliability: float
    resolution: float
    uncertainty: float
    brier: float


def bin_sums(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, n_bins: int, strategy: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin total weight, weighted sum of probabilities and of outcomes.

    Parameters
    ----------
    y, p, w : numpy.ndarray
        Outcomes, probabilities and positive weights, in any order.
    n_bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        ``"uniform"``: bins ``[0, 1/n), [1/n, 2/n), ..., [(n-1)/n, 1]``.
        ``"quantile"``: bins ``(-inf, e_1], (e_1, e_2], ..., (e_{n-1}, 1]`` whose edges
        are the (weighted) inverted-CDF quantiles of ``p`` at ``1/n, ..., (n-1)/n``,
        as :func:`numpy.quantile` with ``method="inverted_cdf"``. Tied probabilities
        always share a bin; with many ties some bins are empty.

    Returns
    -------
    weight, sum_p, sum_y : numpy.ndarray
        Arrays of length ``n_bins`` (empty bins hold zeros).
    """
    if strategy == "uniform":
        index = np.searchsorted(np.arange(1, n_bins) / n_bins, p, side="right")
    else:
        ascending = np.argsort(-p, kind="stable")[::-1]
        cumulative = np.cumsum(w[ascending])
        targets = np.arange(1, n_bins) * cumulative[-1] / n_bins
        edges = p[ascending[np.searchsorted(cumulative, targets, side="left")]]
        index = np.searchsorted(edges, p, side="left")
    weight = np.bincount(index, weights=w, minlength=n_bins)
    sum_p = np.bincount(index, weights=w * p, minlength=n_bins)
    sum_y = np.bincount(index, weights=w * y, minlength=n_bins)
    return weight, sum_p, sum_y


def brier_kernel(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Weighted Brier score of rows in any order."""
    return float(dot(w, (p - y) ** 2) / w.sum())


def log_loss_kernel(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Weighted log loss, probabilities clipped to ``[eps, 1 - eps]`` as scikit-learn does."""
    clipped = np.clip(p, _EPS, 1.0 - _EPS)
    losses = -(y * np.log(clipped) + (1.0 - y) * np.log1p(-clipped))
    return float(dot(w, losses) / w.sum())


def oe_kernel(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Weighted observed / expected ratio (NaN when every probability is 0)."""
    expected = float(dot(w, p))
    return float(dot(w, y)) / expected if expected > 0.0 else float("nan")


def ece_kernel(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, *, n_bins: int = 10, strategy: str = "quantile"
) -> float:
    """Weighted expected calibration error of rows in any order."""
    weight, sum_p, sum_y = bin_sums(y, p, w, n_bins, strategy)
    return float(np.abs(sum_y - sum_p).sum() / weight.sum())


def brier_score(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Brier score: the mean squared difference between probability and outcome.

    Equal to :func:`sklearn.metrics.brier_score_loss` for binary outcomes.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    float
        The Brier score, between 0 (perfect) and 1. Lower is better.

    Examples
    --------
    >>> from riskmodel.metrics import brier_score
    >>> round(brier_score([0, 1, 1], [0.2, 0.6, 0.9]), 4)
    0.07
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    return brier_kernel(y, p, np.ones_like(y))


def log_loss(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Log loss (cross-entropy) of predicted probabilities, in nats.

    Equal to :func:`sklearn.metrics.log_loss` with ``labels=[0, 1]``: probabilities are
    clipped to ``[eps, 1 - eps]`` (``eps`` the float64 machine epsilon), so a confident
    wrong prediction costs about 36 rather than infinity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True); a single class is allowed.
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    float
        The mean negative log-likelihood. Lower is better.

    Examples
    --------
    >>> from riskmodel.metrics import log_loss
    >>> round(log_loss([0, 1], [0.5, 0.5]), 4)
    0.6931
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    return log_loss_kernel(y, p, np.ones_like(y))


def observed_expected_ratio(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Ratio of observed to expected positives, ``sum(y_true) / sum(y_prob)``.

    1 for a model calibrated in the large; above 1 when the model under-predicts.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    float
        The O/E ratio.

    Raises
    ------
    ValueError
        If the inputs are invalid or every probability is 0 (nothing is expected).

    Examples
    --------
    >>> from riskmodel.metrics import observed_expected_ratio
    >>> observed_expected_ratio([0, 1, 1, 0], [0.25, 0.5, 0.5, 0.75])
    1.0
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    value = oe_kernel(y, p, np.ones_like(y))
    if np.isnan(value):
        raise ValueError("observed_expected_ratio is undefined: every y_prob is 0")
    return value


def expected_calibration_error(
    y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10, strategy: str = "quantile"
) -> float:
    """Compute the expected calibration error over bins of predicted probability.

    ``sum_k (n_k / n) * |observed rate_k - mean probability_k|``, over non-empty bins.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].
    n_bins : int, default 10
        Number of bins.
    strategy : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: bins of (nearly) equal size, edges at the inverted-CDF
        quantiles of ``y_prob`` so tied probabilities share a bin. ``"uniform"``: bins
        of equal width on [0, 1]. Quantile bins suit the skewed probabilities of a
        rare outcome, where most uniform bins would be empty.

    Returns
    -------
    float
        The ECE, between 0 and 1. Lower is better; it grows with ``n_bins`` even for
        a calibrated model, so compare values computed with the same bins.

    Examples
    --------
    >>> from riskmodel.metrics import expected_calibration_error
    >>> expected_calibration_error([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5])
    0.0
    """
    check_n_bins(n_bins, strategy)
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    return ece_kernel(y, p, np.ones_like(y), n_bins=n_bins, strategy=strategy)


def brier_decomposition(
    y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10, strategy: str = "quantile"
) -> BrierDecomposition:
    """Murphy's decomposition of the Brier score into reliability, resolution, uncertainty.

    With bins ``k`` holding ``n_k`` rows of mean probability ``f_k`` and observed rate
    ``o_k``, and overall rate ``o``::

        reliability = sum_k n_k (f_k - o_k)^2 / n
        resolution  = sum_k n_k (o_k - o)^2 / n
        uncertainty = o (1 - o)

    ``brier = reliability - resolution + uncertainty`` holds exactly when the
    probabilities are constant within each bin (for example a model with at most
    ``n_bins`` distinct values, each in its own bin). Otherwise the identity is
    approximate: the binned terms leave out the spread of probabilities within bins.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].
    n_bins : int, default 10
        Number of bins.
    strategy : {"quantile", "uniform"}, default "quantile"
        How bin edges are chosen, as in :func:`expected_calibration_error`.

    Returns
    -------
    BrierDecomposition
        The three terms and the (unbinned) Brier score.

    Examples
    --------
    >>> from riskmodel.metrics import brier_decomposition
    >>> parts = brier_decomposition([0, 1, 0, 1], [0.2, 0.2, 0.8, 0.8], strategy="uniform")
    >>> round(parts.reliability - parts.resolution + parts.uncertainty, 6) == round(parts.brier, 6)
    True
    """
    check_n_bins(n_bins, strategy)
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    weight, sum_p, sum_y = bin_sums(y, p, np.ones_like(y), n_bins, strategy)
    filled = weight > 0
    weight, mean_p, rate = (
        weight[filled],
        sum_p[filled] / weight[filled],
        sum_y[filled] / weight[filled],
    )
    overall = float(y.mean())
    return BrierDecomposition(
        reliability=float(dot(weight, (mean_p - rate) ** 2) / len(y)),
        resolution=float(dot(weight, (rate - overall) ** 2) / len(y)),
        uncertainty=overall * (1.0 - overall),
        brier=brier_kernel(y, p, np.ones_like(y)),
    )
