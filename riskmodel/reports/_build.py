"""``build_review``: compute the audit and summaries from a backtest, then render."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.reports._explanations import feature_label
from riskmodel.reports._numbers import MODEL
from riskmodel.reports._review import review_report

if TYPE_CHECKING:
    from riskmodel._frame import TrainingFrame
    from riskmodel.data import LocalAuthorityData
    from riskmodel.fairness import FairnessAudit

__all__ = ["audit_backtest", "build_review", "summarise_top_reasons"]


def summarise_top_reasons(
    explanation: Any, descriptions: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Count how often each feature is a child's top reason (largest positive contribution).

    Protected characteristics (:data:`riskmodel.explain.PROTECTED`) are never a reason.

    Parameters
    ----------
    explanation : shap.Explanation
        Or any object with ``values`` (one row per child, one column per feature)
        and ``feature_names``; typically the flagged children of one as-of date.
    descriptions : mapping of str to str, optional
        Feature name to description template (``FeatureSpec.descriptions()``), used to
        name the reasons; ``{value}`` is shown as ``N``.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``reason`` and ``children``, most frequent first (ties by
        feature name). Children
        whose contributions are all zero or negative have no top reason and are counted
        under ``"no feature raised the score"``. Aggregate only: no child-level rows.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> e = SimpleNamespace(values=[[0.5, 0.1], [0.2, 0.9], [0.7, 0.0]], feature_names=["a", "b"])
    >>> summarise_top_reasons(e)[["feature", "children"]].to_numpy().tolist()
    [['a', 2], ['b', 1]]
    """
    values = np.asarray(explanation.values, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            f"summarise_top_reasons: explanation.values must be 2-D (children x features), "
            f"got shape {values.shape}"
        )
    names = np.asarray(list(explanation.feature_names), dtype=object)
    if len(names) != values.shape[1]:
        raise ValueError(
            f"summarise_top_reasons: {len(names)} feature names for {values.shape[1]} columns"
        )
    descriptions = dict(descriptions or {})
    if values.shape[0] == 0:
        top = np.array([], dtype=object)
    else:
        from riskmodel.explain import is_protected

        usable = np.array([not is_protected(str(n)) for n in names])
        values = np.where(usable[None, :] & ~np.isnan(values), values, -np.inf)
        best = np.argmax(values, axis=1)
        raised = values[np.arange(len(values)), best] > 0
        top = np.where(raised, names[best], None)
    counts = pd.Series(top, dtype=object).fillna("").value_counts()
    order = sorted(counts.index, key=lambda f: (-counts[f], f == "", f))
    return pd.DataFrame(
        {
            "feature": order,
            "reason": [
                feature_label(f, descriptions.get(f)) if f else "no feature raised the score"
                for f in order
            ],
            "children": counts[order].to_numpy().astype("int64"),
        }
    )


def audit_backtest(
    backtest: Any,
    groups: pd.DataFrame,
    *,
    capacity: int | None = None,
    n_resamples: int = 500,
    random_state: int | None = 0,
) -> FairnessAudit:
    """Audit the fairness of a backtest's out-of-fold predictions of ``"model"``.

    Parameters
    ----------
    backtest : BacktestResult
        From :func:`riskmodel.evaluation.backtest`.
    groups : pandas.DataFrame
        Protected attributes indexed by ``(person_id, as_of_date)``, such as
        ``TrainingFrame.groups``; every predicted row must be found.
    capacity : int, optional
        Children flagged per as-of date; default the backtest's capacity (one of
        them is required).
    n_resamples : int, default 500
        Bootstrap replicates (children resampled with all their rows).
    random_state : int, optional
        Seed of the bootstrap.

    Returns
    -------
    FairnessAudit
    """
    from riskmodel.fairness import audit_fairness

    preds = backtest.predictions[backtest.predictions["model"] == MODEL]
    keys = pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
    found = keys.isin(groups.index)
    if not found.all():
        first = keys[~found][0]
        raise ValueError(
            f"audit_backtest: {int((~found).sum())} predicted rows have no groups, such as "
            f"the row at {pd.Timestamp(first[1]).date()}; pass the frame's groups"
        )
    capacity = capacity if capacity is not None else backtest.capacity
    if not capacity:
        raise ValueError(
            "audit_backtest: give a capacity (children flagged per as-of date); the "
            "backtest was run without one"
        )
    return audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        groups.reindex(keys).reset_index(drop=True),
        capacity=capacity,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        n_resamples=n_resamples,
        random_state=random_state,
    )


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


def describe_model(model: Any, frame: TrainingFrame) -> dict[str, str]:
    """Plain labels for the model card: estimator, calibration, features, training data."""
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    dates = frame.as_of_dates
    out = {"Model": type(model).__name__}
    for key, name in (("estimator", "Estimator"), ("calibration", "Calibration")):
        if key in params:
            out[name] = str(params[key])
    out["Features"] = _features_line(model, frame.X.shape[1])
    out["Training rows"] = f"{len(frame):,} child-dates, {int(frame.y.sum()):,} care entries"
    if len(dates):
        out["As-of dates"] = f"{len(dates)}, {dates[0].date()} to {dates[-1].date()}"
    out["Outcome"] = f"entering care within {frame.horizon_months} months"
    return out


def build_review(
    data: LocalAuthorityData,
    model: Any,
    frame: TrainingFrame,
    backtest: Any,
    *,
    out: str | os.PathLike[str],
    capacity: int | None = None,
    synthetic: bool | None = None,
    audit: FairnessAudit | None = None,
    importance: pd.DataFrame | None = None,
    reason_examples: pd.DataFrame | None = None,
    top_reasons: pd.DataFrame | None = None,
    group_contributions: pd.DataFrame | None = None,
    explain: bool = True,
    n_resamples: int = 500,
    random_state: int | None = 0,
) -> Path:
    """Compute what the review needs from a backtest and write the report.

    The fairness audit is run on the backtest's out-of-fold predictions of
    ``"model"`` (decisions: the ``capacity`` highest scores at each as-of date),
    with the frame's groups; the data and cohort are summarised; the model is
    described from its parameters. Explanations are computed with
    :func:`explanation_inputs` unless given (or ``explain=False``).

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
    out : path-like
        The HTML file to write.
    capacity : int, optional
        Children flagged per as-of date; default the backtest's capacity.
    synthetic : bool, optional
        Whether the data are synthetic; default ``data.truth is not None``. Example
        reasons about individual children are shown only for synthetic data.
    audit : FairnessAudit, optional
        A ready audit; computed with :func:`audit_backtest` when not given.
    importance, reason_examples, top_reasons, group_contributions : DataFrame, optional
        Explanations, as for :func:`review_report`. When none is given and
        ``explain`` is true, all are computed from ``model`` and ``frame``.
    explain : bool, default True
        Compute the explanations when none are given (needs shap, from the
        ``explain`` extra, and a fitted :class:`~riskmodel.RiskClassifier`). False
        writes the report without them; it then says that they are missing.
    n_resamples : int, default 500
        Bootstrap replicates of the fairness audit.
    random_state : int, optional
        Seed of the bootstrap.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    from riskmodel.cohort import summarize_cohort

    synthetic = getattr(data, "truth", None) is not None if synthetic is None else synthetic
    capacity = capacity if capacity is not None else backtest.capacity
    if audit is None:
        audit = audit_backtest(
            backtest,
            frame.groups,
            capacity=capacity,
            n_resamples=n_resamples,
            random_state=random_state,
        )
    given = (importance, reason_examples, top_reasons, group_contributions)
    if explain and all(table is None for table in given):
        from riskmodel.reports._explanations_input import explanation_inputs

        computed = explanation_inputs(
            model, frame, synthetic=synthetic, capacity=capacity, random_state=random_state
        )
        importance = computed["importance"]
        reason_examples = computed["reason_examples"]
        top_reasons = computed["top_reasons"]
        group_contributions = computed["group_contributions"]
    return review_report(
        out,
        backtest=backtest,
        audit=audit,
        synthetic=synthetic,
        importance=importance,
        reason_examples=reason_examples if synthetic else None,
        top_reasons=top_reasons,
        group_contributions=group_contributions,
        data_summary=data.summary(),
        coverage_summary=data.coverage_summary(),
        cohort_summary=summarize_cohort(frame.cohort),
        model_description=describe_model(model, frame),
        capacity=capacity,
        horizon_months=frame.horizon_months,
    )
