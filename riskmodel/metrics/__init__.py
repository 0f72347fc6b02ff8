"""Pure metric functions for judging a risk model: ranking, calibration, capacity.

Every metric is a function ``f(y_true, y_score, *, ...) -> float`` that accepts
lists, numpy arrays or pandas Series and raises ``ValueError`` naming the problem
when the lengths differ, ``y_true`` is not binary (0/1 or False/True), a value is NaN,
or (where probabilities are required) a score is outside [0, 1].

- Ranking: :func:`roc_auc`, :func:`average_precision`.
- Probabilities: :func:`brier_score`, :func:`brier_decomposition`, :func:`log_loss`,
  :func:`expected_calibration_error`, :func:`calibration_slope`,
  :func:`calibration_intercept`, :func:`calibration_slope_intercept`,
  :func:`observed_expected_ratio`.
- Capacity (a service can support k families): :func:`precision_at_k`,
  :func:`recall_at_k`, :func:`number_needed_to_flag`, at ``k`` rows or the ``top``
  share, with ties at the cut-off taken as worst, best or expected; and
  :func:`capacity_metrics`, the same at capacity within each as-of date's list,
  averaged over the dates, with a bootstrap over children; and
  :func:`precision_at_top_share`, the precision among each date's top 2%.
- Comparison: :func:`paired_difference`, one score's metrics minus another's with a
  paired bootstrap over children (both scored on the same resamples).
- Uncertainty: :func:`bootstrap_metric` (row or cluster bootstrap) and
  :func:`summarise`, the standard set as one tidy table.
- Communication: :func:`risk_bands`, AFST-style bands 1-20.
"""

from riskmodel.metrics._bands import risk_bands
from riskmodel.metrics._bootstrap import MetricEstimate, bootstrap_metric
from riskmodel.metrics._calibration import (
    BrierDecomposition,
    brier_decomposition,
    brier_score,
    expected_calibration_error,
    log_loss,
    observed_expected_ratio,
)
from riskmodel.metrics._capacity import number_needed_to_flag, precision_at_k, recall_at_k
from riskmodel.metrics._capacity_per_date import CAPACITY_METRICS, capacity_metrics
from riskmodel.metrics._paired import PAIRED_METRICS, paired_difference
from riskmodel.metrics._ranking import average_precision, roc_auc
from riskmodel.metrics._recalibration import (
    calibration_intercept,
    calibration_slope,
    calibration_slope_intercept,
)
from riskmodel.metrics._summary import summarise
from riskmodel.metrics._top_share import precision_at_top_share

__all__ = [
    "BrierDecomposition",
    "CAPACITY_METRICS",
    "MetricEstimate",
    "PAIRED_METRICS",
    "average_precision",
    "bootstrap_metric",
    "brier_decomposition",
    "brier_score",
    "calibration_intercept",
    "calibration_slope",
    "calibration_slope_intercept",
    "capacity_metrics",
    "expected_calibration_error",
    "log_loss",
    "number_needed_to_flag",
    "observed_expected_ratio",
    "paired_difference",
    "precision_at_k",
    "precision_at_top_share",
    "recall_at_k",
    "risk_bands",
    "roc_auc",
    "summarise",
]
