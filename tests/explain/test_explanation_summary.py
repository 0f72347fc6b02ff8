"""The explanation summary of a review: top reasons counted, examples only for synthetic data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riskmodel.explain import ExplanationSummary, feature_label, summarise_explanations
from riskmodel.explain._explanation_summary import count_top_reasons
from riskmodel.features import default_spec
from riskmodel.frame import TrainingFrame
from riskmodel.models import RiskClassifier


def test_count_top_reasons_counts_largest_positive_contribution():
    explanation = SimpleNamespace(
        values=np.array(
            [[0.5, 0.1, -1], [0.2, 0.9, 0], [-0.1, -0.2, -0.3], [0.3, np.nan, 0.4], [2, 0, 1]]
        ),
        feature_names=["referral_count_365d", "cp_plan_open", "noise"],
    )
    table = count_top_reasons(
        explanation, {"referral_count_365d": "{value} referrals in the last year"}
    )
    assert table.to_dict("list") == {
        "feature": ["referral_count_365d", "cp_plan_open", "noise", ""],
        "reason": [
            "N referrals in the last year",
            "cp plan open",
            "noise",
            "no feature raised the score",
        ],
        "children": [2, 1, 1, 1],
    }
    with pytest.raises(ValueError, match="2 feature names for 3 columns"):
        count_top_reasons(SimpleNamespace(values=np.zeros((2, 3)), feature_names=["a", "b"]))


def test_a_protected_characteristic_is_never_a_top_reason():
    explanation = SimpleNamespace(
        values=[[0.9, 0.1], [0.8, -0.1]], feature_names=["age_years", "a"]
    )
    table = count_top_reasons(explanation)
    assert table.to_dict("list") == {
        "feature": ["a", ""],
        "reason": ["a", "no feature raised the score"],
        "children": [1, 1],
    }


def test_feature_label_shows_the_value_as_n():
    assert (
        feature_label("x", "{value}  referrals\nin the last year")
        == "N referrals in the last year"
    )
    assert feature_label("cp_plan_open", None) == "cp plan open"


@pytest.fixture(scope="module")
def fitted():
    """300 children at three as-of dates; the model is fitted on all of them."""
    rng = np.random.default_rng(0)
    ids = [f"QX{i:04d}Z" for i in range(300)]
    dates = pd.to_datetime(["2021-01-01", "2021-07-01", "2022-01-01"])
    index = pd.MultiIndex.from_product([ids, dates], names=["person_id", "as_of_date"])
    n = len(index)
    X = pd.DataFrame(
        {
            "referral_count_365d": rng.poisson(1.0, n).astype(float),
            "cp_plan_open": (rng.random(n) < 0.1).astype(float),
            "age_years": rng.integers(10, 18, n).astype(float),
        },
        index=index,
    )
    logit = -3 + 0.8 * X["referral_count_365d"] + 1.5 * X["cp_plan_open"]
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int64"), index=index)
    keys = index.to_frame(index=False)
    groups = pd.DataFrame({"sex": rng.choice(["F", "M"], n)}, index=index)
    cohort = keys.assign(in_cohort=True, reason=None)
    frame = TrainingFrame(
        X=X, y=y, keys=keys, groups=groups, cohort=cohort, horizon_months=12, spec=default_spec()
    )
    model = RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    return model.fit(frame.X, frame.y, feature_spec=frame.spec), frame


def test_summary_of_synthetic_children_has_examples_without_identifiers(fitted):
    model, frame = fitted
    summary = summarise_explanations(model, frame, synthetic=True, capacity=20)
    assert isinstance(summary, ExplanationSummary)
    assert set(summary.importance["feature"]) == set(frame.X.columns)
    assert summary.top_reasons["children"].sum() == 20
    assert "age_years" not in set(summary.top_reasons["feature"])  # protected
    examples = summary.reason_examples
    assert len(examples) == 20
    assert list(examples.columns[:2]) == ["age", "risk_score"]
    assert all(c.startswith("reason_") for c in examples.columns[2:])
    assert examples["risk_score"].is_monotonic_decreasing
    ids = set(frame.keys["person_id"])
    assert not ids & set(map(str, examples.index)) and not ids & set(examples.to_numpy().ravel())
    assert set(summary.group_contributions["group"]) == {"F", "M"}


def test_summary_of_real_children_holds_aggregates_only(fitted):
    model, frame = fitted
    summary = summarise_explanations(model, frame, synthetic=False, capacity=20)
    assert summary.reason_examples is None
    assert summary.top_reasons is not None and summary.importance is not None
