"""The standard set of metrics with bootstrap intervals, as one tidy table."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import riskmodel.metrics._calibration as _calibration
import riskmodel.metrics._capacity as _capacity
import riskmodel.metrics._ranking as _ranking
import riskmodel.metrics._recalibration as _recalibration
from riskmodel.exceptions import DataQualityWarning
from riskmodel.metrics._bootstrap import (
    MAX_SKIPPED_SHARE,
    check_bootstrap_args,
    check_clusters,
    percentile_interval,
    resample_values,
    warn_skipped,
)
from riskmodel.metrics._validation import (
    check_binary_scores,
    check_n_bins,
    check_sample_weight,
    resolve_k,
    sort_descending,
)

__all__ = ["summarise"]

Kernel = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def _kernels(
    capacity: int | None, n_bins: int, strategy: str, ties: str
) -> dict[str, Callable[..., float]]:
    """Name each metric of the standard set and bind its options."""

    def ece(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
        return _calibration.ece_kernel(y, s, w, n_bins=n_bins, strategy=strategy)

    kernels: dict[str, Kernel] = {
        "roc_auc": _ranking.auc_kernel,
        "average_precision": _ranking.average_precision_kernel,
        "brier_score": _calibration.brier_kernel,
        "log_loss": _calibration.log_loss_kernel,
        "expected_calibration_error": ece,
        "calibration_slope": _recalibration.slope_kernel,
        "calibration_intercept": _recalibration.intercept_kernel,
        "observed_expected_ratio": _calibration.oe_kernel,
    }
    if capacity is not None:
        for name, kernel in (
            ("precision_at_k", _capacity.precision_kernel),
            ("recall_at_k", _capacity.recall_kernel),
            ("number_needed_to_flag", _capacity.nnf_kernel),
        ):
            kernels[name] = _bind_capacity(kernel, capacity, ties)
    return kernels


def _bind_capacity(kernel: Callable[..., float], capacity: int, ties: str) -> Kernel:
    def bound(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> float:
        return kernel(y, s, w, k=capacity, ties=ties)

    return bound


def _check_options(capacity: int | None, ties: str, n_bins: int, strategy: str) -> None:
    if capacity is not None:
        resolve_k(capacity, None, np.inf)
    if ties not in _capacity.TIES:
        raise ValueError(
            f"ties must be one of {', '.join(map(repr, _capacity.TIES))}; got {ties!r}"
        )
    check_n_bins(n_bins, strategy)


def summarise(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    capacity: int | None = None,
    clusters: ArrayLike | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    n_bins: int = 10,
    strategy: str = "quantile",
    ties: str = "expected",
    undefined: str = "warn",
    sample_weight: ArrayLike | None = None,
) -> pd.DataFrame:
    """Compute the standard metrics of a risk model with bootstrap intervals.

    The rows, in order: ``roc_auc``, ``average_precision``, ``brier_score``,
    ``log_loss``, ``expected_calibration_error``, ``calibration_slope``,
    ``calibration_intercept``, ``observed_expected_ratio`` and, when ``capacity`` is
    given, ``precision_at_k``, ``recall_at_k`` and ``number_needed_to_flag`` with
    ``k=capacity``. Each is the function of that name in :mod:`riskmodel.metrics`.
    All intervals come from the same resamples, drawn exactly as
    :func:`bootstrap_metric` draws them, so a row's interval equals
    ``bootstrap_metric`` of that metric with the same seed.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].
    capacity : int, optional
        Number of children the service can support; adds the capacity metrics.
    clusters : array-like of shape (n_samples,), optional
        A label per row (e.g. ``person_id``) for a cluster bootstrap; see
        :func:`bootstrap_metric`.
    n_resamples : int, default 1000
        Bootstrap resamples; 0 skips the intervals (``lower`` and ``upper`` are NaN).
    confidence : float, default 0.95
        Nominal coverage of the intervals.
    random_state : int, numpy.random.Generator or None, default None
        Seed for reproducible intervals.
    n_bins : int, default 10
        Bins of the expected calibration error.
    strategy : {"quantile", "uniform"}, default "quantile"
        Binning of the expected calibration error.
    ties : {"expected", "worst", "best"}, default "expected"
        Handling of ties at the capacity cut-off.
    undefined : {"warn", "quiet"}, default "warn"
        Metrics undefined on the data are NaN either way. ``"warn"`` warns about them,
        and keeps and warns about the interval of a metric undefined on more than
        10 % of the resamples (an interval that rests on the easier resamples and is
        too narrow). ``"quiet"`` reports such an interval as NaN and warns about
        neither, so that the caller can say why in words (as
        :func:`~riskmodel.backtest` does in its ``notes``).
    sample_weight : array-like of shape (n_samples,), optional
        A positive weight per row, for a sample of a larger population (``1 /
        fraction`` for a row kept with probability ``fraction``): every metric is
        then the weighted (inverse-probability) estimate of its value on the
        population, a row of weight ``w`` counting as ``w`` rows (so ``capacity``
        counts weight). In the bootstrap a row's weight is its cluster's count
        times its own weight.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric`` (str), ``value``, ``lower`` and ``upper`` (float), a row
        per metric. A metric undefined on these data (e.g. ``roc_auc`` with a single
        class) has NaN throughout.

    Warns
    -----
    DataQualityWarning
        When some metrics are undefined on the data, or (both only with ``undefined="warn"``)
        undefined on more than 10 % of the resamples.

    Examples
    --------
    >>> from riskmodel.metrics import summarise
    >>> table = summarise([0, 1, 0, 1, 1, 0], [0.2, 0.3, 0.4, 0.6, 0.7, 0.8], n_resamples=0)
    >>> table["metric"].tolist()[:4]
    ['roc_auc', 'average_precision', 'brier_score', 'log_loss']
    >>> round(float(table.loc[0, "value"]), 4)
    0.5556
    """
    check_bootstrap_args(n_resamples, confidence, allow_zero=True)
    _check_options(capacity, ties, n_bins, strategy)
    if undefined not in ("warn", "quiet"):
        raise ValueError(f"undefined must be 'warn' or 'quiet'; got {undefined!r}")
    y, s = check_binary_scores(y_true, y_score, probabilities=True)
    codes = check_clusters(clusters, len(y))
    weights = check_sample_weight(sample_weight, len(y))
    kernels = _kernels(capacity, n_bins, strategy, ties)

    def evaluate(y_: np.ndarray, s_: np.ndarray, w_: np.ndarray) -> np.ndarray:
        return np.array([kernel(y_, s_, w_) for kernel in kernels.values()])

    own = np.ones_like(y) if weights is None else weights
    s_sorted, y_sorted, w_sorted = sort_descending(y, own, by=s)
    values = evaluate(y_sorted, s_sorted, w_sorted)
    nan = [name for name, value in zip(kernels, values, strict=True) if np.isnan(value)]
    if nan and undefined == "warn":
        warnings.warn(
            f"{', '.join(nan)} {'is' if len(nan) == 1 else 'are'} undefined on "
            f"these data and reported as NaN ({_reason(y)})",
            DataQualityWarning,
            stacklevel=2,
        )
    lower, upper = np.full(len(kernels), np.nan), np.full(len(kernels), np.nan)
    if n_resamples > 0:
        draws = resample_values(evaluate, y, s, codes, n_resamples, random_state, weights)
        for j, name in enumerate(kernels):
            usable = draws[~np.isnan(draws[:, j]), j]
            if np.isnan(values[j]) or len(usable) == 0:
                continue
            n_skipped = n_resamples - len(usable)
            if undefined == "quiet" and n_skipped > MAX_SKIPPED_SHARE * n_resamples:
                continue
            warn_skipped(name, n_skipped, n_resamples)
            lower[j], upper[j] = percentile_interval(usable, confidence)
    return pd.DataFrame(
        {
            "metric": pd.Series(list(kernels), dtype="str"),
            "value": values,
            "lower": lower,
            "upper": upper,
        }
    )


def _reason(y: np.ndarray) -> str:
    if y.min() == y.max():
        return f"y_true holds a single class ({int(y[0])}) in all {len(y)} rows"
    return "y_prob is constant, separates the classes perfectly, or is 0 throughout"
