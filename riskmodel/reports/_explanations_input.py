"""Compute the explanation inputs of the review report from a fitted model and its frame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["explanation_inputs"]

MAX_GLOBAL_ROWS = 5_000


def explanation_inputs(
    model: Any,
    frame: Any,
    *,
    synthetic: bool,
    capacity: int = 50,
    random_state: int | None = 0,
) -> dict[str, pd.DataFrame | None]:
    """Global importance, group comparison, top reasons and (synthetic only) examples.

    Global views use a random sample of up to 5,000 training rows. Top reasons are
    those of the ``capacity`` highest-scored children at the latest as-of date. Example
    rows (age, score and reasons) are produced only when ``synthetic`` is true; for
    real data the report shows aggregates only.

    Parameters
    ----------
    model : RiskClassifier
        Fitted.
    frame : TrainingFrame
        Its training frame (``X``, ``groups``, ``spec``).
    synthetic : bool
        Whether the children are synthetic (so that examples may be shown).
    capacity : int, default 50
        Children flagged at the latest as-of date.
    random_state : int, optional
        Seed of the sample.

    Returns
    -------
    dict
        Keyword arguments for :func:`build_review`: ``importance``,
        ``group_contributions``, ``top_reasons`` and ``reason_examples``.
    """
    from riskmodel.explain import compare_groups, explain, global_importance, reason_codes
    from riskmodel.reports._build import summarise_top_reasons

    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(frame.X), min(MAX_GLOBAL_ROWS, len(frame.X)), replace=False))
    sample = explain(model, frame.X.iloc[take])
    importance = global_importance(sample, frame.spec)
    contributions = compare_groups(sample, frame.groups.iloc[take])

    latest = frame.keys["as_of_date"] == frame.keys["as_of_date"].max()
    X_latest = frame.X[latest.to_numpy()]
    scores = model.predict_proba(X_latest)[:, 1]
    top = np.argsort(-scores, kind="stable")[:capacity]
    flagged = explain(model, X_latest.iloc[top])
    top_reasons = summarise_top_reasons(flagged, frame.spec.descriptions())
    examples = None
    if synthetic:
        examples = reason_codes(flagged, frame.spec, top=3).reset_index(drop=True)
        examples = examples[
            [
                c
                for c in examples.columns
                if c.startswith("reason_")
                and not c.startswith(("reason_feature", "reason_contribution"))
            ]
        ]
        ages = X_latest.iloc[top]["age_years"] if "age_years" in X_latest else np.nan
        examples.insert(0, "risk_score", scores[top])
        examples.insert(0, "age", np.asarray(ages, dtype=float))
    return {
        "importance": importance,
        "group_contributions": contributions,
        "top_reasons": top_reasons,
        "reason_examples": examples,
    }
