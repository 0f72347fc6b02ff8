"""Calibrated risk classifier and the rule baselines it is compared with.

:class:`RiskClassifier` wraps preprocessing that keeps SHAP values exact, a base
estimator and a calibration fitted on the latest as-of dates of the training data.
:class:`RuleBaseline` and :class:`SingleFeatureRanker` are what an authority would
otherwise use, with the same scikit-learn interface and calibrated scores.
For frames larger than memory, :func:`riskmodel.frame.sample_negatives` keeps every
care entry and a weighted sample of the other rows (``fit(..., sample_weight=...)``).
"""

from riskmodel.models._baselines import RuleBaseline, SingleFeatureRanker
from riskmodel.models._classifier import RiskClassifier

__all__ = ["RiskClassifier", "RuleBaseline", "SingleFeatureRanker"]
