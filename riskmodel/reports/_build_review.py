"""``build_review``: compute the items of the review report from a backtest and its frame."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from riskmodel.cohort import summarise_cohort
from riskmodel.explain import ExplanationSummary
from riskmodel.fairness import audit_backtest
from riskmodel.reports._review import ReviewReport
from riskmodel.reports._sample import kept_share

if TYPE_CHECKING:
    from riskmodel.data import LocalAuthorityData
    from riskmodel.evaluation import BacktestResult
    from riskmodel.fairness import FairnessAudit
    from riskmodel.frame import TrainingFrame

__all__ = ["build_review", "describe_model"]


def _features_line(model: Any, n_columns: int) -> str:
    """How many features the model reads, and which it left out at fit and why."""
    note = "demographic groups are not inputs unless listed"
    dropped = getattr(model, "features_dropped_", None) or {}
    if not dropped:
        return f"{n_columns} ({note})"
    by_reason: dict[str, list[str]] = {}
    for name, reason in dropped.items():
        by_reason.setdefault(reason, []).append(name)
    left_out = "; ".join(f"{reason}: {', '.join(names)}" for reason, names in by_reason.items())
    used = n_columns - len(dropped)
    return f"{used} of {n_columns} ({note}); left out at fit: {left_out}"


def _monotone_line(monotone: Any) -> str:
    if monotone is None:
        return "none"
    if monotone == "domain":
        return (
            "risk never falls with more contacts, referrals, missing episodes, "
            "suspensions or exclusions, youth justice outcomes or child protection plans"
        )
    raised = sum(1 for v in dict(monotone).values() if v)
    return f"{raised} feature(s) constrained by the analyst"


def _training_rows(frame: TrainingFrame, sample_weight: Any) -> str:
    """Describe the training rows; for a sample, the share of the others kept and its weight."""
    rows = f"{len(frame):,} child-dates, {int(frame.y.sum()):,} care entries"
    if sample_weight is None:
        return rows
    weights = np.asarray(sample_weight, dtype=float)
    share = kept_share(weights, frame.y.to_numpy())
    kept = "all" if share is None else f"{share:.0%}"
    return (
        f"{rows}: a sample of every care entry and {kept} of the other child-dates, "
        f"weighted to stand for about {weights.sum():,.0f} child-dates"
    )


def describe_model(model: Any, frame: TrainingFrame, sample_weight: Any = None) -> dict[str, str]:
    """Plain labels for the model card: estimator, calibration, features, training data.

    With ``sample_weight`` (the frame is a weighted sample) the training rows say so.
    """
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    dates = frame.as_of_dates
    out = {"Model": type(model).__name__}
    for key, name in (("estimator", "Estimator"), ("calibration", "Calibration")):
        if key in params:
            out[name] = str(params[key])
    chosen = getattr(model, "calibration_method_", None)
    if params.get("calibration") == "auto" and chosen:
        out["Calibration"] = f"auto (chose {chosen} by log loss on later dates)"
    if "monotone" in params:
        out["Monotone constraints"] = _monotone_line(params["monotone"])
    if getattr(model, "early_stopping_", None):
        out["Early stopping"] = f"{model.early_stopping_}, {model.n_iter_} iterations"
    out["Features"] = _features_line(model, frame.X.shape[1])
    out["Training rows"] = _training_rows(frame, sample_weight)
    if len(dates):
        out["As-of dates"] = f"{len(dates)}, {dates[0].date()} to {dates[-1].date()}"
    out["Outcome"] = f"entering care within {frame.horizon_months} months"
    return out


def build_review(
    data: LocalAuthorityData,
    model: Any,
    frame: TrainingFrame,
    backtest: BacktestResult,
    *,
    capacity: int | None = None,
    audit: FairnessAudit | None = None,
    explanations: ExplanationSummary | None = None,
    explain: bool = True,
    n_resamples: int = 500,
    random_state: int | None = 0,
    sample_weight: Any = None,
) -> ReviewReport:
    """Compute what the review needs from a backtest and its training frame.

    The fairness audit is run on the backtest's out-of-fold predictions of
    ``"model"`` (decisions: the ``capacity`` highest scores at each as-of date),
    with the frame's groups (:func:`~riskmodel.fairness.audit_backtest`); the data
    and cohort are summarised; the model is described from its parameters; the
    explanations are computed with :func:`~riskmodel.explain.summarise_explanations`
    unless given (or ``explain=False``). The data are synthetic when
    ``data.truth`` is set: only then are example reasons about individual children
    kept.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables (summarised; ``data.truth`` marks synthetic data).
    model : estimator
        The fitted model under review (described from ``get_params``).
    frame : TrainingFrame
        The training frame the backtest ran on (groups, cohort, horizon).
    backtest : BacktestResult
        The temporal backtest of ``model``'s configuration.
    capacity : int, optional
        Children flagged per as-of date; default the backtest's capacity.
    audit : FairnessAudit, optional
        A ready audit; computed with :func:`~riskmodel.fairness.audit_backtest` when
        not given.
    explanations : ExplanationSummary, optional
        Ready explanations; computed from ``model`` and ``frame`` when not given and
        ``explain`` is true.
    explain : bool, default True
        Compute the explanations when none are given (needs shap, from the
        ``explain`` extra, and a fitted :class:`~riskmodel.RiskClassifier`). False
        makes the report without them; it then says that they are missing.
    n_resamples : int, default 500
        Bootstrap replicates of the fairness audit.
    random_state : int, optional
        Seed of the bootstrap and of the explanations' sample.
    sample_weight : array-like of shape (n_rows,), optional
        When ``frame`` is a weighted sample (every care entry and a share of the
        other rows), its weights, as the backtest was given them: the model card
        then says so. The backtest's figures say it themselves (its predictions keep
        the weights), and the report says they are weighted estimates from a sample.

    Returns
    -------
    ReviewReport
        Write it with :meth:`ReviewReport.write`.

    Examples
    --------
    >>> report = build_review(data, model, frame, result, capacity=50)  # doctest: +SKIP
    >>> report.write("review.html")  # doctest: +SKIP
    PosixPath('review.html')
    """
    synthetic = getattr(data, "truth", None) is not None
    capacity = capacity if capacity is not None else backtest.capacity
    if audit is None:
        audit = audit_backtest(
            backtest,
            frame.groups,
            capacity=capacity,
            n_resamples=n_resamples,
            random_state=random_state,
        )
    if explanations is None and explain:
        from riskmodel.explain import summarise_explanations

        explanations = summarise_explanations(
            model, frame, synthetic=synthetic, capacity=capacity, random_state=random_state
        )
    if explanations is not None and not synthetic:
        explanations = replace(explanations, reason_examples=None)
    return ReviewReport(
        backtest=backtest,
        audit=audit,
        synthetic=synthetic,
        explanations=explanations,
        data_summary=data.summary(),
        coverage_summary=data.coverage_summary(),
        cohort_summary=summarise_cohort(frame.cohort),
        model_description=describe_model(model, frame, sample_weight),
        capacity=capacity,
        horizon_months=frame.horizon_months,
    )
