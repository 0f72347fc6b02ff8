"""The audit's inputs: outcomes, scores and groups are checked and named; decisions are made."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.exceptions import SchemaError
from riskmodel.fairness import audit_fairness


@pytest.mark.parametrize(
    ("y_true", "y_score", "message"),
    [
        ([0, 2, 1], [0.1, 0.2, 0.3], r"y_true: 1 value\(s\) are not 0/1 .*row 1; value 2"),
        ([0, None, 1], [0.1, 0.2, 0.3], r"y_true: 1 value\(s\) are not 0/1"),
        ([0, 1, 1], [0.1, 1.2, np.nan], r"y_score: 2 value\(s\) are not probabilities"),
        ([0, 1, 1], [0.1, 0.2], r"y_score: expected 3 values"),
    ],
)
def test_bad_outcomes_and_scores_are_named(y_true, y_score, message):
    with pytest.raises(SchemaError, match=message):
        audit_fairness(y_true, y_score, {"g": ["a", "b", "a"]}, threshold=0.5)


def test_misaligned_pandas_inputs_are_refused():
    y = pd.Series([0, 1, 1], index=[1, 2, 3])
    groups = pd.DataFrame({"g": ["a", "b", "a"]}, index=[3, 2, 1])
    with pytest.raises(SchemaError, match="groups: its index differs from y_true's index"):
        audit_fairness(y, [0.1, 0.2, 0.3], groups, threshold=0.5)


def test_capacity_flags_the_top_scores_and_breaks_ties_by_row_order():
    groups = {"row": ["a", "b", "c", "d", "e", "f"]}
    score = [0.9, 0.5, 0.5, 0.5, 0.1, 0.7]
    audit = audit_fairness(
        [1, 0, 1, 0, 1, 0], score, groups, capacity=3, min_group_size=1, n_resamples=5
    )
    selected = audit.by_group[audit.by_group["metric"] == "selection_rate"]
    assert selected["value"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    per_period = audit_fairness(
        [1, 0, 1, 0, 1, 0],
        score,
        groups,
        capacity=1,
        periods=["2023", "2023", "2023", "2024", "2024", "2024"],
        min_group_size=1,
        n_resamples=5,
    )
    selected = per_period.by_group[per_period.by_group["metric"] == "selection_rate"]
    assert selected["value"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
