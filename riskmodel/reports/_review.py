"""``review_report``: render the review report (model card) as one self-contained HTML file."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel.reports import _capacity, _context, _explanations, _fairness, _performance
from riskmodel.reports._html import bullets, esc, fmt_date, page, section
from riskmodel.reports._numbers import MODEL, Headlines, headlines

__all__ = ["SECTIONS", "review_report"]

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
"""Section ids and headings of the review report, in order."""


def _banner(synthetic: bool, min_group_size: int) -> str:
    if synthetic:
        return (
            '<div class="banner">Synthetic data. Every number in this report comes from a '
            "simulated local authority: it shows how the review works and says nothing "
            "about any real child or any real model.</div>"
        )
    return (
        '<div class="banner">Aggregates only. This report holds no row about any child; '
        f"groups of fewer than {min_group_size} child-dates are suppressed.</div>"
    )


def _key_points(numbers: Headlines) -> list[str]:
    points = [_context.JUDGEMENT]
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


def _header(numbers: Headlines, synthetic: bool, min_group_size: int) -> str:
    period = (
        f"Test as-of dates {fmt_date(numbers.test_start)} to {fmt_date(numbers.test_end)} "
        f"({numbers.n_dates} dates)"
        if numbers.test_start is not None
        else "No test dates"
    )
    meta = (
        f"{period}; outcome: entering care within {numbers.horizon_months} months"
        + (f"; capacity {numbers.capacity} children per as-of date" if numbers.capacity else "")
        + f". Generated {_dt.date.today().isoformat()}."
    )
    return (
        f'<p class="meta">{esc(meta)}</p>'
        + _banner(synthetic, min_group_size)
        + '<div class="callout key-points"><strong>At a glance</strong>'
        + bullets(_key_points(numbers))
        + "</div>"
    )


def _check_inputs(backtest: Any, audit: Any, capacity: int | None) -> int | None:
    for name, value, attrs in (
        ("backtest", backtest, ("metrics", "folds", "by_date", "predictions")),
        ("audit", audit, ("by_group", "disparities", "calibration_by_band", "flags")),
    ):
        missing = [a for a in attrs if not hasattr(value, a)]
        if missing:
            raise TypeError(
                f"review_report: {name} must be a "
                f"{'BacktestResult' if name == 'backtest' else 'FairnessAudit'}; "
                f"{type(value).__name__} has no {', '.join(missing)}"
            )
    if MODEL not in set(backtest.metrics["model"]):
        raise ValueError(
            f"review_report: the backtest has no rows for {MODEL!r}; models are "
            f"{sorted(set(backtest.metrics['model']))}"
        )
    if capacity is not None and (isinstance(capacity, bool) or int(capacity) < 1):
        raise ValueError(f"review_report: capacity must be a positive integer, got {capacity!r}")
    return capacity if capacity is not None else (backtest.capacity or audit.capacity)


def review_report(
    path: str | os.PathLike[str],
    *,
    backtest: Any,
    audit: Any,
    synthetic: bool,
    importance: pd.DataFrame | None = None,
    reason_examples: pd.DataFrame | None = None,
    top_reasons: pd.DataFrame | None = None,
    group_contributions: pd.DataFrame | None = None,
    data_summary: pd.DataFrame | None = None,
    coverage_summary: pd.DataFrame | None = None,
    cohort_summary: pd.DataFrame | None = None,
    model_description: Mapping[str, Any] | None = None,
    capacity: int | None = None,
    horizon_months: int = 12,
    title: str = "Review of a model of the risk of entering care",
) -> Path:
    """Write the review report (a model card) as one self-contained HTML file.

    The report is for ethics boards, inspectors, families' advocates and social
    workers. Its sections (ids in :data:`SECTIONS`) cover intended and out-of-scope
    uses, data and cohort, the temporal backtest against baselines, calibration
    overall and within groups, capacity trade-offs, fairness with flagged disparities,
    explanations and reasons, limitations, and questions for the ethics review. Every
    figure is an embedded PNG and the CSS is inline: the file opens offline.

    Parameters
    ----------
    path : path-like
        The HTML file to write (written atomically; parent folders are created).
    backtest : BacktestResult
        From :func:`riskmodel.evaluation.backtest`; must include the ``"model"`` rows.
    audit : FairnessAudit
        From :func:`riskmodel.fairness.audit_fairness` on the backtest's
        out-of-fold predictions of ``"model"``.
    synthetic : bool
        Whether the data are synthetic. Only then are ``reason_examples`` shown; for
        real data the report carries aggregates only.
    importance : pandas.DataFrame, optional
        Global importance: ``feature``, ``mean_abs_shap``, ``mean_shap`` and
        optionally ``description`` (``{value}`` is shown as ``N``).
    reason_examples : pandas.DataFrame, optional
        Child-level reasons of flagged synthetic children: columns ``reason_1``,
        ``reason_2``, ... and optionally ``age`` and ``risk_score``. The first six
        rows are shown as "Child A, aged 14"; no other column or index is printed.
    top_reasons : pandas.DataFrame, optional
        Aggregate: ``reason`` (a feature's description) and ``children`` (how many
        flagged children had it as their top reason). Counts below 5 are suppressed
        for real data.
    group_contributions : pandas.DataFrame, optional
        Aggregate contributions by group (for example from ``compare_groups``),
        shown as a table.
    data_summary : pandas.DataFrame, optional
        :meth:`~riskmodel.LocalAuthorityData.summary`.
    coverage_summary : pandas.DataFrame, optional
        :meth:`~riskmodel.LocalAuthorityData.coverage_summary`: shown as a table of event
        families (first and last month, events, children; absent families marked
        "not recorded"). Counts below 5 are suppressed for real data.
    cohort_summary : pandas.DataFrame, optional
        :func:`riskmodel.cohort.summarize_cohort` of the training frame's cohort.
    model_description : mapping, optional
        Label to value, shown under intended use (estimator, calibration, features).
    capacity : int, optional
        Children the service can support from each as-of date's list; default the
        backtest's (or the audit's) capacity.
    horizon_months : int, default 12
        The outcome horizon.
    title : str
        The report's title.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``backtest`` or ``audit`` is not a result of the expected kind.
    ValueError
        If the backtest has no ``"model"`` rows, or ``capacity`` is not positive.

    Examples
    --------
    >>> review_report(  # doctest: +SKIP
    ...     "review.html", backtest=result, audit=audit, synthetic=True, importance=imp
    ... )
    PosixPath('review.html')
    """
    capacity = _check_inputs(backtest, audit, capacity)
    numbers = headlines(backtest, audit, capacity, horizon_months)
    bodies = {
        "intended-use": _context.intended_use(horizon_months, model_description),
        "data": _context.data_and_cohort(
            backtest,
            data_summary,
            cohort_summary,
            horizon_months,
            coverage_summary=coverage_summary,
            synthetic=synthetic,
        ),
        "backtest": _performance.backtest_section(backtest, horizon_months),
        "calibration": _performance.calibration_section(backtest, audit),
        "capacity": _capacity.capacity_section(backtest, numbers, capacity),
        "fairness": _fairness.fairness_section(audit),
        "explanations": _explanations.explanations_section(
            importance, group_contributions, reason_examples, top_reasons, synthetic=synthetic
        ),
        "limitations": _context.limitations(numbers, synthetic, audit.min_group_size),
        "questions": _context.questions(numbers),
    }
    sections = [(sid, head, section(sid, head, bodies[sid])) for sid, head in SECTIONS]
    document = page(title, _header(numbers, synthetic, audit.min_group_size), sections)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(target, lambda tmp: Path(tmp).write_text(document, encoding="utf-8"))
