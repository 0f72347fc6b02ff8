"""Brier score, its decomposition, log loss, ECE and the O/E ratio."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.metrics import brier_score_loss
from sklearn.metrics import log_loss as sk_log_loss

from riskmodel.metrics import (
    BrierDecomposition,
    brier_decomposition,
    brier_score,
    expected_calibration_error,
    log_loss,
    observed_expected_ratio,
)

FAST = settings(max_examples=60, deadline=None, database=None)


def _simulated(n=5_000, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    true_logit = rng.normal(-2.0, 1.0, n)
    y = (rng.random(n) < expit(true_logit)).astype(int)
    return y, expit(spread * true_logit)


@st.composite
def outcomes_and_probabilities(draw):
    n = draw(st.integers(1, 60))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    p = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    return np.array(y), np.array(p)


@FAST
@given(outcomes_and_probabilities())
def test_brier_and_log_loss_equal_sklearn(data):
    y, p = data
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p, labels=[0, 1]), abs=1e-12)
    assert log_loss(y, p) == pytest.approx(sk_log_loss(y, p, labels=[0, 1]), abs=1e-12)


def test_log_loss_clips_certain_wrong_predictions_like_sklearn():
    assert log_loss([1, 0], [0.0, 1.0]) == pytest.approx(-np.log(np.finfo(float).eps), rel=1e-12)
    assert log_loss([1, 0], [1.0, 0.0]) == pytest.approx(
        sk_log_loss([1, 0], [1.0, 0.0]), abs=1e-12
    )


def test_ece_by_hand_with_uniform_bins():
    # bin [0.1, 0.2): mean p 0.15, rate 1/2 -> gap 0.35 on 2 of 5 rows
    # bin [0.8, 0.9): mean p 0.8, rate 2/3 -> gap 2/15 on 3 of 5 rows
    y = [0, 1, 1, 1, 0]
    p = [0.1, 0.2 - 1e-9, 0.8, 0.8, 0.8]
    expected = 2 / 5 * abs(0.5 - (0.3 - 1e-9) / 2) + 3 / 5 * abs(2 / 3 - 0.8)
    assert expected_calibration_error(y, p, n_bins=10, strategy="uniform") == pytest.approx(
        expected, abs=1e-12
    )


def test_uniform_bins_are_closed_on_the_left_and_the_last_on_both_sides():
    # 0.3 belongs with 0.35 in [0.3, 0.4), 1.0 with 0.95 in [0.9, 1.0]
    y, p = [0, 1, 0, 1], [0.3, 0.35, 0.95, 1.0]
    gaps = abs(1 - 0.65) + abs(1 - 1.95)
    assert expected_calibration_error(y, p, strategy="uniform") == pytest.approx(
        gaps / 4, abs=1e-12
    )


def _ece_reference(y, p, n_bins):
    """Quantile ECE written from the definition: inverted-CDF edges, right-closed bins."""
    edges = np.quantile(p, np.arange(1, n_bins) / n_bins, method="inverted_cdf")
    bins = np.searchsorted(edges, p, side="left")
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.sum() * abs(y[inside].mean() - p[inside].mean())
    return total / len(y)


@FAST
@given(outcomes_and_probabilities(), st.integers(1, 12))
def test_quantile_ece_matches_reference(data, n_bins):
    y, p = data
    p = np.round(p, 1)  # ties across bin edges
    assert expected_calibration_error(y, p, n_bins=n_bins) == pytest.approx(
        _ece_reference(y, p, n_bins), abs=1e-12
    )


def test_quantile_bins_keep_ties_together():
    y = np.array([0, 1] * 50)
    p = np.repeat([0.2, 0.5], 50)  # two tied groups, 10 bins requested
    # each group is one bin whose rate is 1/2
    assert expected_calibration_error(y, p) == pytest.approx((50 * 0.3 + 50 * 0.0) / 100)


def test_ece_is_zero_when_calibrated_within_bins():
    y = [0] * 8 + [1] * 2 + [0] * 3 + [1] * 7
    p = [0.2] * 10 + [0.7] * 10
    for strategy in ("quantile", "uniform"):
        assert expected_calibration_error(y, p, strategy=strategy) == pytest.approx(0.0, abs=1e-15)


def test_ece_detects_miscalibration():
    y, p = _simulated()
    calibrated = expected_calibration_error(y, p)
    assert calibrated < 0.02
    assert expected_calibration_error(y, np.clip(p * 1.5, 0, 1)) > calibrated + 0.02


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
def test_brier_decomposition_is_exact_when_probabilities_are_constant_within_bins(strategy):
    rng = np.random.default_rng(1)
    levels = np.array([0.05, 0.15, 0.45, 0.75, 0.95])
    p = np.repeat(levels, 200)  # equal-size groups: every quantile bin holds one level
    y = (rng.random(len(p)) < p + 0.05 * rng.normal(size=len(p))).astype(int)
    parts = brier_decomposition(
        y, p, n_bins=5 if strategy == "quantile" else 10, strategy=strategy
    )
    assert parts.brier == pytest.approx(brier_score(y, p), abs=1e-15)
    assert parts.reliability - parts.resolution + parts.uncertainty == pytest.approx(
        parts.brier, abs=1e-12
    )
    assert parts.uncertainty == pytest.approx(y.mean() * (1 - y.mean()), abs=1e-15)
    assert parts.reliability > 0 and parts.resolution > 0


def test_brier_decomposition_is_approximate_for_continuous_probabilities():
    y, p = _simulated(n=20_000)
    parts = brier_decomposition(y, p, n_bins=20)
    gap = abs(parts.reliability - parts.resolution + parts.uncertainty - parts.brier)
    assert 0 < gap < 0.002
    assert parts.reliability < 0.001  # calibrated by construction


def test_brier_decomposition_is_a_frozen_dataclass():
    parts = brier_decomposition([0, 1, 1], [0.2, 0.6, 0.9])
    assert isinstance(parts, BrierDecomposition)
    assert [f.name for f in dataclasses.fields(parts)] == [
        "reliability",
        "resolution",
        "uncertainty",
        "brier",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        parts.brier = 0.0
    assert all(type(getattr(parts, f.name)) is float for f in dataclasses.fields(parts))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_bins": 0}, "n_bins must be a positive integer; got 0"),
        ({"n_bins": 2.5}, "n_bins must be a positive integer; got 2.5"),
        ({"strategy": "kmeans"}, "strategy must be 'quantile' or 'uniform'; got 'kmeans'"),
    ],
)
def test_binning_arguments_are_checked(kwargs, message):
    for metric in (expected_calibration_error, brier_decomposition):
        with pytest.raises(ValueError, match=message):
            metric([0, 1], [0.2, 0.8], **kwargs)


def test_observed_expected_ratio():
    assert observed_expected_ratio([0, 1, 1, 0], [0.25, 0.5, 0.5, 0.75]) == 1.0
    assert observed_expected_ratio([0, 1, 1, 1], [0.25, 0.25, 0.25, 0.25]) == 3.0
    assert observed_expected_ratio([0, 0], [0.1, 0.3]) == 0.0
    y, p = _simulated(n=20_000)
    assert observed_expected_ratio(y, p) == pytest.approx(1.0, abs=0.05)
    assert observed_expected_ratio(y, p / 2) == pytest.approx(2 * observed_expected_ratio(y, p))
    with pytest.raises(
        ValueError, match="observed_expected_ratio is undefined: every y_prob is 0"
    ):
        observed_expected_ratio([0, 1], [0.0, 0.0])
