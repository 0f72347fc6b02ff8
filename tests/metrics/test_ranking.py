"""ROC AUC and average precision agree with scikit-learn and fail clearly when undefined."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

from riskmodel.metrics import average_precision, roc_auc

FAST = settings(max_examples=60, deadline=None, database=None)


@st.composite
def labelled_scores(draw, min_size=2, max_size=40):
    """Outcomes with both classes and scores from few distinct values (so ties are common)."""
    n = draw(st.integers(min_size, max_size))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda v: 0 < sum(v) < n))
    levels = draw(st.integers(1, n))
    s = draw(st.lists(st.integers(0, levels), min_size=n, max_size=n))
    return np.array(y), np.array(s, dtype=float) / max(levels, 1)


@FAST
@given(labelled_scores())
def test_roc_auc_equals_sklearn(data):
    y, s = data
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


@FAST
@given(labelled_scores())
def test_average_precision_equals_sklearn(data):
    y, s = data
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_large_continuous_scores_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(20_000) < 0.05
    s = y * 0.8 + rng.normal(size=20_000)
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_ranking_metrics_are_invariant_to_monotone_transforms_and_row_order():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300), 2)
    order = rng.permutation(300)
    for metric in (roc_auc, average_precision):
        value = metric(y, s)
        assert metric(y, np.exp(5 * s) - 7) == pytest.approx(value, abs=1e-15)
        assert metric(y[order], s[order]) == pytest.approx(value, abs=1e-15)


def test_perfect_reversed_and_constant_rankings():
    y = [0, 0, 1, 1]
    assert roc_auc(y, [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert roc_auc(y, [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert roc_auc(y, [0.5] * 4) == 0.5
    assert average_precision(y, [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert average_precision(y, [0.5] * 4) == 0.5  # the prevalence


def test_roc_auc_single_class_is_undefined():
    with pytest.raises(
        ValueError, match=r"roc_auc is undefined: y_true holds a single class \(0\) in all 3 rows"
    ):
        roc_auc([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"single class \(1\)"):
        roc_auc([1, 1], [0.1, 0.2])


def test_average_precision_needs_a_positive_but_not_a_negative():
    with pytest.raises(
        ValueError, match="average_precision is undefined: y_true has no positives in 3 rows"
    ):
        average_precision([0, 0, 0], [0.1, 0.2, 0.3])
    assert average_precision([1, 1], [0.1, 0.2]) == 1.0
