"""The explanation summary a review shows: importance, groups, top reasons, examples.

:func:`summarise_explanations` computes, from a fitted model and its training frame,
every explanation the review report shows, as one :class:`ExplanationSummary`.
Everything in it is an aggregate over many children except ``reason_examples``,
which is produced only for synthetic children.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.explain._global import compare_groups, global_importance
from riskmodel.explain._protected import is_protected
from riskmodel.explain._reasons import reason_codes
from riskmodel.explain._shap import explain

__all__ = [
    "MAX_GLOBAL_ROWS",
    "ExplanationSummary",
    "count_top_reasons",
    "feature_label",
    "summarise_explanations",
]

MAX_GLOBAL_ROWS = 5_000
"""Training rows sampled for the global views (importance, comparison between groups)."""

NO_REASON = "no feature raised the score"
"""The reason counted for children whose contributions are all zero or negative."""


def feature_label(feature: str, description: object = None) -> str:
    """Label a feature for readers: its description, with its value placeholder shown as ``N``.

    Parameters
    ----------
    feature : str
        The feature's column name, used (underscores as spaces) when there is no
        description.
    description : str, optional
        The feature's description template (``FeatureSpec.descriptions()``), such as
        ``"{value} referrals in the last year"``.

    Returns
    -------
    str

    Examples
    --------
    >>> feature_label("referral_count_365d", "{value} referrals in the last year")
    'N referrals in the last year'
    >>> feature_label("cp_plan_open")
    'cp plan open'
    """
    if isinstance(description, str) and description.strip():
        return re.sub(r"\s+", " ", description.replace("{value}", "N")).strip()
    return str(feature).replace("_", " ")


def count_top_reasons(
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
        Feature name to description template, used to name the reasons.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``reason`` and ``children``, most frequent first (ties by
        feature name). Children whose contributions are all zero or negative have no
        top reason and are counted under ``"no feature raised the score"``.
    """
    values = np.asarray(explanation.values, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            f"top reasons: explanation.values must be 2-D (children x features), "
            f"got shape {values.shape}"
        )
    names = np.asarray(list(explanation.feature_names), dtype=object)
    if len(names) != values.shape[1]:
        raise ValueError(f"top reasons: {len(names)} feature names for {values.shape[1]} columns")
    descriptions = dict(descriptions or {})
    if values.shape[0] == 0:
        top = np.array([], dtype=object)
    else:
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
            "reason": [feature_label(f, descriptions.get(f)) if f else NO_REASON for f in order],
            "children": counts[order].to_numpy().astype("int64"),
        }
    )


@dataclass(frozen=True, eq=False)
class ExplanationSummary:
    """The explanations of a model that a review report shows.

    Attributes
    ----------
    importance : pandas.DataFrame or None
        Global importance, as :func:`~riskmodel.explain.global_importance`:
        ``feature``, ``mean_abs_shap``, ``mean_shap`` and optionally ``description``.
    reason_examples : pandas.DataFrame or None
        Child-level reasons of flagged children, for synthetic data only: columns
        ``age``, ``risk_score``, ``reason_1``, ``reason_2``, ... and no identifier.
    top_reasons : pandas.DataFrame or None
        Aggregate: ``reason`` (a feature's description) and ``children`` (how many
        flagged children had it as their top reason).
    group_contributions : pandas.DataFrame or None
        Mean contributions within groups, as :func:`~riskmodel.explain.compare_groups`.
    """

    importance: pd.DataFrame | None = None
    reason_examples: pd.DataFrame | None = None
    top_reasons: pd.DataFrame | None = None
    group_contributions: pd.DataFrame | None = None


def _reason_examples(
    flagged: Any, X_flagged: pd.DataFrame, scores: np.ndarray, spec: Any
) -> pd.DataFrame:
    """Age, score and worded reasons of the flagged children: no identifier, no other column."""
    examples = reason_codes(flagged, spec, top=3).reset_index(drop=True)
    examples = examples[
        [
            c
            for c in examples.columns
            if c.startswith("reason_")
            and not c.startswith(("reason_feature", "reason_contribution"))
        ]
    ]
    ages = X_flagged["age_years"] if "age_years" in X_flagged else np.nan
    examples.insert(0, "risk_score", scores)
    examples.insert(0, "age", np.asarray(ages, dtype=float))
    return examples


def summarise_explanations(
    model: Any,
    frame: Any,
    *,
    synthetic: bool,
    capacity: int | None = 50,
    random_state: int | None = 0,
) -> ExplanationSummary:
    """Summarise a fitted model's explanations for a review: aggregates, and examples if synthetic.

    Global importance and the comparison between groups use a random sample of up to
    5,000 training rows. Top reasons are those of the ``capacity`` highest-scored
    children at the frame's latest as-of date. Example rows (age, score and reasons)
    are produced only when ``synthetic`` is true; for real data the summary holds
    aggregates only.

    Parameters
    ----------
    model : RiskClassifier
        Fitted (needs shap, from the ``explain`` extra).
    frame : TrainingFrame
        Its training frame (``X``, ``keys``, ``groups``, ``spec``).
    synthetic : bool
        Whether the children are synthetic (so that examples may be shown).
    capacity : int, default 50
        Children flagged at the latest as-of date; None explains all of them.
    random_state : int, optional
        Seed of the sample.

    Returns
    -------
    ExplanationSummary
        ``reason_examples`` is None unless ``synthetic``.

    Examples
    --------
    >>> summary = summarise_explanations(model, frame, synthetic=True)  # doctest: +SKIP
    >>> summary.top_reasons.head(3)  # doctest: +SKIP
    """
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(frame.X), min(MAX_GLOBAL_ROWS, len(frame.X)), replace=False))
    sample = explain(model, frame.X.iloc[take])
    latest = (frame.keys["as_of_date"] == frame.keys["as_of_date"].max()).to_numpy()
    X_latest = frame.X[latest]
    scores = model.predict_proba(X_latest)[:, 1]
    top = np.argsort(-scores, kind="stable")[:capacity]
    flagged = explain(model, X_latest.iloc[top])
    examples = (
        _reason_examples(flagged, X_latest.iloc[top], scores[top], frame.spec)
        if synthetic
        else None
    )
    return ExplanationSummary(
        importance=global_importance(sample, frame.spec),
        reason_examples=examples,
        top_reasons=count_top_reasons(flagged, frame.spec.descriptions()),
        group_contributions=compare_groups(sample, frame.groups.iloc[take]),
    )
