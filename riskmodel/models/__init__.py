"""Calibrated risk classifier and the rule baselines it is compared with.

:class:`RiskClassifier` wraps preprocessing that keeps SHAP values exact, a base
estimator and a calibration fitted on the latest as-of dates of the training data.
:class:`RuleBaseline` and :class:`SingleFeatureRanker` are what an authority would
otherwise use, with the same scikit-learn interface and calibrated scores.
:func:`sample_negatives` keeps every care entry and a weighted sample of the other
rows, for frames larger than memory.
"""

from riskmodel.models._baselines import RuleBaseline, SingleFeatureRanker
from riskmodel.models._classifier import RiskClassifier
from riskmodel.models._sampling import sample_negatives

__all__ = ["RiskClassifier", "RuleBaseline", "SingleFeatureRanker", "sample_negatives"]
