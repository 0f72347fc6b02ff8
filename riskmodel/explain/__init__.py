"""SHAP explanations of risk scores and plain-language reason codes.

:func:`explain` decomposes each child's score (the log-odds of the fitted base model
of a :class:`~riskmodel.models.RiskClassifier`) into one SHAP value per input
feature, exactly additive and in the features the user knows. :func:`reason_codes`
turns each child's largest positive contributions into plain English, never naming
a protected characteristic (:data:`PROTECTED`). :func:`global_importance` ranks
features and :func:`compare_groups` compares mean contributions between groups of
children. :func:`summarise_explanations` gathers what a review report shows (importance,
group comparison, top reasons and, for synthetic children only, example reasons) in
one :class:`ExplanationSummary`.

The result of :func:`explain` is a plain ``shap.Explanation``, so shap's own plots
work on it (draw them headless with ``show=False``):

- ``shap.plots.beeswarm(e)``: every child's contributions, coloured by value;
- ``shap.plots.bar(e)``: mean absolute contributions;
- ``shap.plots.scatter(e[:, "absence_latest"], color=e)``: a dependence plot;
- ``shap.plots.waterfall(e[0])``: one child's score, feature by feature.

shap is imported only when an explanation is computed.
"""

from riskmodel.explain._explanation_summary import (
    ExplanationSummary,
    feature_label,
    summarise_explanations,
)
from riskmodel.explain._global import compare_groups, global_importance
from riskmodel.explain._protected import PROTECTED, is_protected
from riskmodel.explain._reasons import reason_codes
from riskmodel.explain._shap import explain

__all__ = [
    "PROTECTED",
    "ExplanationSummary",
    "compare_groups",
    "explain",
    "feature_label",
    "global_importance",
    "is_protected",
    "reason_codes",
    "summarise_explanations",
]
