"""``ReviewReport``: the review report (model card) of plain results, as one offline HTML file."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from riskmodel.reports._blocks import Block, Bullets
from riskmodel.reports._format import fmt_date
from riskmodel.reports._html import render, write_page
from riskmodel.reports._numbers import MODEL, Headlines, headlines
from riskmodel.reports._section_authorities import authorities_section, has_authorities
from riskmodel.reports._section_backtest import backtest_section
from riskmodel.reports._section_calibration import calibration_section
from riskmodel.reports._section_capacity import capacity_section
from riskmodel.reports._section_data import data_section
from riskmodel.reports._section_explanations import explanations_section
from riskmodel.reports._section_fairness import fairness_section
from riskmodel.reports._section_intended_use import JUDGEMENT, intended_use
from riskmodel.reports._section_limitations import limitations_section
from riskmodel.reports._section_questions import questions_section

if TYPE_CHECKING:
    from riskmodel.evaluation import BacktestResult
    from riskmodel.explain import ExplanationSummary
    from riskmodel.fairness import FairnessAudit

__all__ = ["AUTHORITIES_SECTION", "SECTIONS", "ReviewReport", "sections_of"]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("intended-use", "Intended use and out-of-scope uses"),
    ("data", "Data and cohort"),
    ("backtest", "Temporal backtest"),
    ("calibration", "Calibration, overall and within groups"),
    ("capacity", "Capacity: whom the list finds and whom it misses"),
    ("fairness", "Fairness across groups"),
    ("explanations", "Explanations and reason codes"),
    ("limitations", "Limitations"),
    ("questions", "Questions for the ethics review"),
)
"""Section ids and headings of every review report, in order."""

AUTHORITIES_SECTION = (
    "authorities",
    "Each authority: its own figures, and pooling against going alone",
)
"""The section a pooled backtest adds after ``backtest`` (each authority on its own rows)."""


def sections_of(backtest: Any) -> tuple[tuple[str, str], ...]:
    """Section ids and headings of a report of ``backtest``, in order.

    :data:`SECTIONS`, with :data:`AUTHORITIES_SECTION` after the backtest when the
    backtest pooled authorities (``by_authority`` has rows).
    """
    if not has_authorities(backtest):
        return SECTIONS
    at = [sid for sid, _ in SECTIONS].index("backtest") + 1
    return (*SECTIONS[:at], AUTHORITIES_SECTION, *SECTIONS[at:])


TITLE = "Review of a model of the risk of entering care"
"""The report's default title."""


def _key_points(numbers: Headlines) -> list[str]:
    points = [JUDGEMENT]
    rule = (
        f", against {numbers.best_rule_auc.prose()} for the best simple rule "
        f"('{numbers.best_rule}')"
        if numbers.best_rule
        else ""
    )
    points.append(f"Ranking on future data (AUC): {numbers.auc.prose()}{rule}.")
    if numbers.capacity:
        points.append(numbers.flagged_text(numbers.capacity))
    calibration = numbers.observed_expected.prose()
    points.append(f"Calibration (observed/expected entrants): {calibration}.")
    n = numbers.n_flags
    points.append(
        f"Fairness: {n} disparit{'y' if n == 1 else 'ies'} flagged; see the fairness section."
        if n
        else "Fairness: no disparity flagged, though intervals are wide."
    )
    return points


def _meta(numbers: Headlines) -> str:
    period = (
        f"Test as-of dates {fmt_date(numbers.test_start)} to {fmt_date(numbers.test_end)} "
        f"({numbers.n_dates} dates)"
        if numbers.test_start is not None
        else "No test dates"
    )
    return (
        f"{period}; outcome: entering care within {numbers.horizon_months} months"
        + (f"; capacity {numbers.capacity} children per as-of date" if numbers.capacity else "")
        + f". Generated {_dt.date.today().isoformat()}."
    )


def _check_results(backtest: Any, audit: Any) -> None:
    for name, value, attrs in (
        ("backtest", backtest, ("metrics", "folds", "by_date", "predictions")),
        ("audit", audit, ("by_group", "disparities", "calibration_by_band", "flags")),
    ):
        missing = [a for a in attrs if not hasattr(value, a)]
        if missing:
            raise TypeError(
                f"ReviewReport: {name} must be a "
                f"{'BacktestResult' if name == 'backtest' else 'FairnessAudit'}; "
                f"{type(value).__name__} has no {', '.join(missing)}"
            )
    if MODEL not in set(backtest.metrics["model"]):
        raise ValueError(
            f"ReviewReport: the backtest has no rows for {MODEL!r}; models are "
            f"{sorted(set(backtest.metrics['model']))}"
        )


@dataclass(frozen=True, eq=False, kw_only=True)
class ReviewReport:
    """The review report (a model card) of a model's results, written as one HTML file.

    The report is for ethics boards, inspectors, families' advocates and social
    workers. Its sections (ids in :data:`SECTIONS`) cover intended and out-of-scope
    uses, data and cohort, the temporal backtest against baselines, calibration
    overall and within groups, capacity trade-offs, fairness with flagged disparities,
    explanations and reasons, limitations, and questions for the ethics review. A
    backtest that pooled authorities adds :data:`AUTHORITIES_SECTION` after the
    backtest: each authority's own figures, and the pooled model against each
    authority's own model. Every
    figure is an embedded PNG and the CSS is inline: the file opens offline.

    :func:`build_review` computes every item from a backtest and its training frame;
    anyone who has the items can make the report directly.

    Parameters
    ----------
    backtest : BacktestResult
        From :func:`riskmodel.evaluation.backtest`; must include the ``"model"`` rows.
    audit : FairnessAudit
        From :func:`riskmodel.fairness.audit_backtest` (or
        :func:`~riskmodel.fairness.audit_fairness` on the backtest's out-of-fold
        predictions of ``"model"``).
    synthetic : bool
        Whether the data are synthetic. Only then are example reasons about individual
        children kept and shown; for real data the report holds aggregates only
        (``explanations.reason_examples`` is dropped) and counts below 5 are suppressed.
    explanations : ExplanationSummary, optional
        From :func:`riskmodel.explain.summarise_explanations`. Without it the report
        says that explanations are missing.
    data_summary : pandas.DataFrame, optional
        :meth:`~riskmodel.LocalAuthorityData.summary`.
    coverage_summary : pandas.DataFrame, optional
        :meth:`~riskmodel.LocalAuthorityData.coverage_summary`: shown as a table of event
        families (first and last month, events, children; absent families marked
        "not recorded").
    cohort_summary : pandas.DataFrame, optional
        The cohort summary of the training frame's cohort
        (:func:`riskmodel.cohort.summarise_cohort`).
    model_description : mapping of str to str, optional
        Label to value, shown under intended use (estimator, calibration, features).
    capacity : int, optional
        Children the service can support from each as-of date's list; default the
        backtest's (or the audit's) capacity, which this attribute then holds.
    horizon_months : int, default 12
        The outcome horizon.
    title : str
        The report's title.

    Raises
    ------
    TypeError
        If ``backtest`` or ``audit`` is not a result of the expected kind.
    ValueError
        If the backtest has no ``"model"`` rows, or ``capacity`` is not positive.

    Examples
    --------
    >>> report = ReviewReport(backtest=result, audit=audit, synthetic=True)  # doctest: +SKIP
    >>> report.write("review.html")  # doctest: +SKIP
    PosixPath('review.html')
    """

    backtest: BacktestResult
    audit: FairnessAudit
    synthetic: bool
    explanations: ExplanationSummary | None = None
    data_summary: pd.DataFrame | None = None
    coverage_summary: pd.DataFrame | None = None
    cohort_summary: pd.DataFrame | None = None
    model_description: Mapping[str, str] | None = None
    capacity: int | None = None
    horizon_months: int = 12
    title: str = TITLE

    def __post_init__(self) -> None:
        _check_results(self.backtest, self.audit)
        capacity = self.capacity
        if capacity is not None and (isinstance(capacity, bool) or int(capacity) < 1):
            raise ValueError(
                f"ReviewReport: capacity must be a positive integer, got {capacity!r}"
            )
        if capacity is None:
            capacity = self.backtest.capacity or self.audit.capacity
        object.__setattr__(self, "capacity", capacity)
        if not self.synthetic and self.explanations is not None:
            object.__setattr__(
                self, "explanations", replace(self.explanations, reason_examples=None)
            )

    def _sections(self, numbers: Headlines) -> dict[str, tuple[Block, ...]]:
        """Build the blocks of every section, by section id."""
        return {
            "intended-use": intended_use(self.horizon_months, self.model_description),
            "data": data_section(
                self.backtest,
                self.data_summary,
                self.cohort_summary,
                self.horizon_months,
                coverage_summary=self.coverage_summary,
                synthetic=self.synthetic,
            ),
            "backtest": backtest_section(self.backtest, self.horizon_months),
            "authorities": authorities_section(self.backtest, synthetic=self.synthetic),
            "calibration": calibration_section(self.backtest, self.audit),
            "capacity": capacity_section(self.backtest, numbers, self.capacity),
            "fairness": fairness_section(self.audit),
            "explanations": explanations_section(self.explanations, synthetic=self.synthetic),
            "limitations": limitations_section(numbers, self.synthetic, self.audit.min_group_size),
            "questions": questions_section(numbers),
        }

    def to_html(self) -> str:
        """Render the report as one self-contained HTML document.

        Returns
        -------
        str
            The page: inline CSS, figures embedded as PNG data URIs, no scripts and
            no external resources; every piece of text is escaped.
        """
        numbers = headlines(self.backtest, self.audit, self.capacity, self.horizon_months)
        bodies = self._sections(numbers)
        return render(
            "review.html.j2",
            title=self.title,
            meta=_meta(numbers),
            synthetic=self.synthetic,
            min_group_size=self.audit.min_group_size,
            key_points=Bullets.of(_key_points(numbers)),
            sections=[
                {"id": i, "heading": h, "blocks": bodies[i]} for i, h in sections_of(self.backtest)
            ],
        )

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the report to an HTML file, atomically (parent folders are created).

        The page is rendered first and then written to a temporary file that replaces
        ``path``, so a failure leaves any previous report as it was.

        Parameters
        ----------
        path : path-like
            The HTML file to write.

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        return write_page(path, self.to_html())
