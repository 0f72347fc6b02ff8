"""The review report: a model card for ethics boards, inspectors and practitioners.

:func:`review_report` renders already computed results (a temporal backtest, a
fairness audit, explanations) as one self-contained HTML file with embedded figures
that opens offline. :func:`build_review` computes the fairness audit and the data and
cohort summaries from a backtest and a training frame, then renders the report.
"""

from riskmodel.reports._build import audit_backtest, build_review, summarise_top_reasons
from riskmodel.reports._explanations_input import explanation_inputs
from riskmodel.reports._review import SECTIONS, review_report

__all__ = [
    "SECTIONS",
    "audit_backtest",
    "build_review",
    "explanation_inputs",
    "review_report",
    "summarise_top_reasons",
]
