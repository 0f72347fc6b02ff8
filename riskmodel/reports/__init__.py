"""The review report: a model card for ethics boards, inspectors and practitioners.

:class:`ReviewReport` holds the plain results a review shows (a temporal backtest, a
fairness audit, an explanation summary, data and cohort summaries) and writes them
as one self-contained HTML file with embedded figures that opens offline.
:func:`build_review` computes those items from a backtest and its training frame.
"""

from riskmodel.reports._build_review import build_review
from riskmodel.reports._review import AUTHORITIES_SECTION, SECTIONS, ReviewReport

__all__ = ["AUTHORITIES_SECTION", "SECTIONS", "ReviewReport", "build_review"]
