"""Bootstrap intervals: cluster resampling, fast kernels equal to plain resampling, skips."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.special import expit

from riskmodel.exceptions import DataQualityWarning
from riskmodel.metrics import (
    MetricEstimate,
    average_precision,
    bootstrap_metric,
    brier_score,
    calibration_intercept,
    calibration_slope,
    expected_calibration_error,
    log_loss,
    number_needed_to_flag,
    observed_expected_ratio,
    precision_at_k,
    recall_at_k,
    roc_auc,
)


def _children(n_children=400, seed=0):
    rng = np.random.default_rng(seed)
    risk = rng.normal(-1.0, 1.2, n_children)
    y = (rng.random(n_children) < expit(risk)).astype(int)
    p = expit(risk + rng.normal(0, 0.7, n_children))
    return y, p


def test_repeated_rows_need_the_cluster_bootstrap():
    y, p = _children()
    person = np.arange(len(y))
    y5, p5, person5 = np.tile(y, 5), np.tile(p, 5), np.tile(person, 5)
    for metric in (roc_auc, brier_score):
        once = bootstrap_metric(metric, y, p, n_resamples=400, random_state=1)
        rows = bootstrap_metric(metric, y5, p5, n_resamples=400, random_state=1)
        children = bootstrap_metric(
            metric, y5, p5, clusters=person5, n_resamples=400, random_state=1
        )
        assert rows.value == pytest.approx(once.value, abs=1e-12)
        # resampling children of the repeated data is resampling the de-duplicated rows
        assert children.lower == pytest.approx(once.lower, abs=1e-9)
        assert children.upper == pytest.approx(once.upper, abs=1e-9)
        # resampling rows pretends there are five times as many children: ~1/sqrt(5) as wide
        width_rows, width_children = rows.upper - rows.lower, children.upper - children.lower
        assert width_rows < 0.6 * width_children


def test_clusters_may_be_any_labels_in_any_order():
    y, p = _children(200, seed=2)
    person = np.array([f"child-{i}" for i in range(200)])
    y3, p3, person3 = np.repeat(y, 3), np.repeat(p, 3), np.repeat(person, 3)
    by_label = bootstrap_metric(
        roc_auc, y3, p3, clusters=list(person3), n_resamples=300, random_state=4
    )
    once = bootstrap_metric(roc_auc, y, p, n_resamples=300, random_state=4)
    assert (by_label.lower, by_label.upper) == pytest.approx((once.lower, once.upper), abs=1e-9)


def test_every_row_its_own_cluster_is_the_row_bootstrap():
    y, p = _children(150, seed=3)
    rows = bootstrap_metric(roc_auc, y, p, n_resamples=200, random_state=5)
    singletons = bootstrap_metric(
        roc_auc, y, p, clusters=np.arange(150), n_resamples=200, random_state=5
    )
    assert rows == singletons


def test_same_seed_same_interval_and_different_seed_different_interval():
    y, p = _children(300, seed=6)
    first = bootstrap_metric(roc_auc, y, p, n_resamples=300, random_state=7)
    assert bootstrap_metric(roc_auc, y, p, n_resamples=300, random_state=7) == first
    generator = bootstrap_metric(
        roc_auc, y, p, n_resamples=300, random_state=np.random.default_rng(7)
    )
    assert generator == first
    other = bootstrap_metric(roc_auc, y, p, n_resamples=300, random_state=8)
    assert (other.lower, other.upper) != (first.lower, first.upper)


METRICS = [
    (roc_auc, {}),
    (average_precision, {}),
    (brier_score, {}),
    (log_loss, {}),
    (expected_calibration_error, {}),
    (expected_calibration_error, {"n_bins": 5, "strategy": "uniform"}),
    (observed_expected_ratio, {}),
    (calibration_slope, {}),
    (calibration_intercept, {}),
    (precision_at_k, {"k": 25}),
    (precision_at_k, {"top": 0.1, "ties": "worst"}),
    (recall_at_k, {"k": 25, "ties": "best"}),
    (number_needed_to_flag, {"k": 25}),
]


@pytest.mark.parametrize(
    ("metric", "kwargs"), METRICS, ids=lambda v: getattr(v, "__name__", str(v))
)
@pytest.mark.parametrize("clustered", [False, True], ids=["rows", "clusters"])
def test_fast_kernels_equal_calling_the_metric_on_each_resample(metric, kwargs, clustered):
    y, p = _children(300, seed=9)
    p = np.round(p, 2)  # ties at the capacity cut-off and in the bins
    clusters = np.arange(300) // 3 if clustered else None

    def plain(y_true, y_score, **kw):  # not a registered metric: resamples are materialised
        return metric(y_true, y_score, **kw)

    fast = bootstrap_metric(
        metric, y, p, clusters=clusters, n_resamples=150, random_state=10, **kwargs
    )
    slow = bootstrap_metric(
        plain, y, p, clusters=clusters, n_resamples=150, random_state=10, **kwargs
    )
    assert fast.value == slow.value
    assert fast.n_skipped == slow.n_skipped
    assert fast.lower == pytest.approx(slow.lower, rel=1e-9, abs=1e-12)
    assert fast.upper == pytest.approx(slow.upper, rel=1e-9, abs=1e-12)
    assert fast.lower <= fast.value <= fast.upper


def test_narrower_confidence_gives_a_nested_interval():
    y, p = _children(300, seed=11)
    wide = bootstrap_metric(average_precision, y, p, n_resamples=400, random_state=0)
    narrow = bootstrap_metric(
        average_precision, y, p, n_resamples=400, random_state=0, confidence=0.5
    )
    assert wide.lower < narrow.lower <= narrow.value <= narrow.upper < wide.upper
    assert narrow.confidence == 0.5


def test_undefined_resamples_are_skipped_counted_and_warned_about():
    y = np.zeros(30, dtype=int)
    y[0] = 1
    s = np.linspace(0, 1, 30)
    with pytest.warns(
        DataQualityWarning, match=r"roc_auc was undefined on \d+ of 500 bootstrap resamples"
    ):
        estimate = bootstrap_metric(roc_auc, y, s, n_resamples=500, random_state=0)
    # about (29/30)^30 = 36 % of resamples miss the one positive
    assert 0.25 * 500 < estimate.n_skipped < 0.47 * 500
    assert estimate.n_resamples == 500
    assert estimate.lower <= estimate.upper


def test_a_few_undefined_resamples_do_not_warn():
    y = np.array([0, 1] * 15)
    estimate = bootstrap_metric(roc_auc, y, np.linspace(0, 1, 30), n_resamples=200, random_state=0)
    assert estimate.n_skipped == 0


def test_a_metric_undefined_on_every_resample_is_an_error():
    def nothing(y_true, y_score):
        return float("nan")

    with pytest.raises(ValueError, match="nothing was undefined on all 20 bootstrap resamples"):
        bootstrap_metric(nothing, [0, 1], [0.2, 0.4], n_resamples=20, random_state=0)


def test_infinite_values_give_an_interval():
    y = np.array([1] + [0] * 19)
    s = np.linspace(1, 0, 20)
    estimate = bootstrap_metric(number_needed_to_flag, y, s, k=2, n_resamples=200, random_state=0)
    assert estimate.value == 2.0
    assert estimate.upper == np.inf
    assert 1.0 <= estimate.lower <= 2.0


def test_invalid_arguments():
    y, p = [0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]
    with pytest.raises(
        ValueError, match=r"clusters must have one label per row \(4\); got shape \(3,\)"
    ):
        bootstrap_metric(roc_auc, y, p, clusters=[1, 2, 3])
    with pytest.raises(ValueError, match=r"clusters has 1 missing labels \(row 2\)"):
        bootstrap_metric(roc_auc, y, p, clusters=["a", "b", None, "c"])
    with pytest.raises(ValueError, match="n_resamples must be at least 1; got 0"):
        bootstrap_metric(roc_auc, y, p, n_resamples=0)
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\); got 95"):
        bootstrap_metric(roc_auc, y, p, confidence=95)
    with pytest.raises(ValueError, match="y_prob must be probabilities"):
        bootstrap_metric(brier_score, y, [0.1, 1.9, 0.2, 0.8])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        bootstrap_metric(precision_at_k, y, p, k=0)


def test_metric_estimate_is_a_frozen_dataclass():
    estimate = bootstrap_metric(
        roc_auc, [0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], n_resamples=10, random_state=0
    )
    assert isinstance(estimate, MetricEstimate)
    assert [f.name for f in dataclasses.fields(estimate)] == [
        "value",
        "lower",
        "upper",
        "confidence",
        "n_resamples",
        "n_skipped",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.value = 0.0
