"""Paired, child-clustered bootstrap of the difference between two scores' metrics.

Each resample draws children with replacement (all their rows come with them) and
evaluates both scores on that same resample, so what the two scores share (the same
hard-to-predict children, the same dates) cancels in the difference and the
interval is the interval of the difference, not of either score.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import riskmodel.metrics._calibration as _calibration
import riskmodel.metrics._ranking as _ranking
from riskmodel.metrics._bootstrap import (
    check_bootstrap_args,
    check_clusters,
    draw_counts,
    percentile_interval,
)
from riskmodel.metrics._top_share import PerDateTop
from riskmodel.metrics._validation import check_binary_scores, check_sample_weight

__all__ = ["PAIRED_METRICS", "paired_difference"]

PAIRED_METRICS: dict[str, int] = {
    "roc_auc": 1,
    "average_precision": 1,
    "brier_score": -1,
    "log_loss": -1,
    "precision_at_top_share": 1,
    "precision_at_capacity": 1,
    "recall_at_capacity": 1,
}
"""Metrics :func:`paired_difference` compares, with +1 where higher is better, -1 lower."""

_SORTED_KERNELS = {
    "roc_auc": _ranking.auc_kernel,
    "average_precision": _ranking.average_precision_kernel,
    "brier_score": _calibration.brier_kernel,
    "log_loss": _calibration.log_loss_kernel,
}

Evaluator = Callable[[np.ndarray], float]


def _evaluators(
    y: np.ndarray, s: np.ndarray, groups: np.ndarray, share: float, capacity: int | None
) -> dict[str, Evaluator]:
    """Each metric of one score as a function of the row weights (caller's order)."""
    order = np.argsort(-s, kind="stable")
    y_sorted, s_sorted = y[order], s[order]

    def sorted_kernel(kernel: Callable[..., float]) -> Evaluator:
        def evaluate(w: np.ndarray) -> float:
            w_sorted = w[order]
            keep = w_sorted > 0
            return float(kernel(y_sorted[keep], s_sorted[keep], w_sorted[keep]))

        return evaluate

    out = {name: sorted_kernel(kernel) for name, kernel in _SORTED_KERNELS.items()}
    out["precision_at_top_share"] = PerDateTop(y, s, groups, share=share).precision
    if capacity is not None:
        at_capacity = PerDateTop(y, s, groups, k=capacity)
        out["precision_at_capacity"] = at_capacity.precision
        out["recall_at_capacity"] = at_capacity.recall
    return out


def paired_difference(
    y_true: ArrayLike,
    first: ArrayLike,
    second: ArrayLike,
    *,
    groups: ArrayLike,
    clusters: ArrayLike | None = None,
    share: float = 0.02,
    capacity: int | None = None,
    n_resamples: int = 200,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    sample_weight: ArrayLike | None = None,
) -> pd.DataFrame:
    """Metrics of ``first`` minus those of ``second``, with paired cluster-bootstrap intervals.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    first, second : array-like of shape (n_samples,)
        Two probabilities for the same rows (e.g. a model and a rule).
    groups : array-like of shape (n_samples,)
        The list of each row (its as-of date), for the per-date top-of-list metrics.
    clusters : array-like of shape (n_samples,), optional
        A label per row (``person_id``): children are resampled, not rows.
    share : float, default 0.02
        Share of each date's list flagged for ``precision_at_top_share``.
    capacity : int, optional
        Children flagged at each date; adds ``precision_at_capacity`` and
        ``recall_at_capacity`` (per date, averaged over dates).
    n_resamples : int, default 200
        Resamples; 0 gives the differences without intervals.
    confidence : float, default 0.95
        Coverage of the percentile intervals.
    random_state : int, numpy.random.Generator or None
        Seed of the resamples.
    sample_weight : array-like of shape (n_samples,), optional
        A positive weight per row, for a sample (``1 / fraction`` for a row kept
        with probability ``fraction``): both scores' metrics are then weighted
        estimates of the population's, a row of weight ``w`` counting as ``w`` rows
        (in the capacity and the top share too). In each resample a row's weight is
        its child's count times its own weight.

    Returns
    -------
    pandas.DataFrame
        A row per metric (:data:`PAIRED_METRICS`, capacity ones only with
        ``capacity``): ``metric``, ``first``, ``second``, ``difference``
        (``first - second``), ``lower``, ``upper``, ``better`` (+1 where a higher
        value is better, -1 where lower is).

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.metrics import paired_difference
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(2000) < 0.1
    >>> good, noise = np.clip(0.1 + 0.3 * y + rng.normal(0, 0.1, 2000), 0, 1), rng.random(2000)
    >>> table = paired_difference(y, good, noise, groups=np.zeros(2000), random_state=0)
    >>> bool(table.set_index("metric").loc["roc_auc", "lower"] > 0)
    True
    """
    check_bootstrap_args(n_resamples, confidence, allow_zero=True)
    y, a = check_binary_scores(y_true, first, name="first", probabilities=True)
    _, b = check_binary_scores(y_true, second, name="second", probabilities=True)
    labels = np.asarray(groups)
    if labels.ndim != 1 or len(labels) != len(y):
        raise ValueError(f"groups must have one label per row ({len(y)}); got {labels.shape}")
    codes = check_clusters(clusters, len(y))
    weights = check_sample_weight(sample_weight, len(y))
    own = np.ones(len(y)) if weights is None else weights
    ea = _evaluators(y, a, labels, share, capacity)
    eb = _evaluators(y, b, labels, share, capacity)
    rows = []
    values_a = {name: f(own) for name, f in ea.items()}
    values_b = {name: f(own) for name, f in eb.items()}
    draws = np.full((n_resamples, len(ea)), np.nan)
    for i, counts in enumerate(draw_counts(int(codes.max()) + 1, n_resamples, random_state)):
        w = counts[codes] * own
        draws[i] = [ea[name](w) - eb[name](w) for name in ea]
    for j, name in enumerate(ea):
        usable = draws[:, j][np.isfinite(draws[:, j])]
        lower, upper = percentile_interval(usable, confidence) if len(usable) else (np.nan,) * 2
        rows.append(
            {
                "metric": name,
                "first": values_a[name],
                "second": values_b[name],
                "difference": values_a[name] - values_b[name],
                "lower": lower,
                "upper": upper,
                "better": PAIRED_METRICS[name],
            }
        )
    return pd.DataFrame(rows)
