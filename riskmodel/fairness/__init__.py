"""Fairness audit: group metrics, disparities against a reference, calibration within groups.

:func:`audit_fairness` compares a risk score's decisions (the top ``capacity`` scores,
or a threshold) and its calibration across groups of protected attributes, with
bootstrap intervals, small-group suppression and aequitas' 0.8-1.25 disparity rule.
:func:`audit_backtest` runs it on a temporal backtest's out-of-fold predictions.
"""

from riskmodel.fairness._audit import FairnessAudit, audit_fairness
from riskmodel.fairness._backtest import audit_backtest

__all__ = ["FairnessAudit", "audit_backtest", "audit_fairness"]
