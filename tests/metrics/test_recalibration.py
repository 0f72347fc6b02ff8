"""Calibration slope (logistic recalibration) and calibration-in-the-large intercept."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from riskmodel.metrics import (
    calibration_intercept,
    calibration_slope,
    calibration_slope_intercept,
)


def _simulated(n, seed, shift=0.0, spread=1.0):
    rng = np.random.default_rng(seed)
    true_logit = rng.normal(-2.0, 1.0, n)
    y = (rng.random(n) < expit(true_logit)).astype(int)
    return y, expit(spread * true_logit + shift)


def _sklearn_slope(y, p):
    x = logit(np.clip(p, np.finfo(float).eps, 1 - np.finfo(float).eps))[:, None]
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=200)
    return float(model.fit(x, y).coef_[0, 0])


@pytest.mark.parametrize(("seed", "spread"), [(0, 1.0), (1, 0.6), (2, 1.7)])
def test_slope_equals_unpenalised_sklearn_logistic_regression(seed, spread):
    y, p = _simulated(3_000, seed, spread=spread)
    assert calibration_slope(y, p) == pytest.approx(_sklearn_slope(y, p), abs=1e-9)


def test_slope_handles_probabilities_of_exactly_zero_and_one():
    y, p = _simulated(2_000, 3)
    p = p.copy()
    p[:5], p[5:10] = 0.0, 1.0
    assert calibration_slope(y, p) == pytest.approx(_sklearn_slope(y, p), abs=1e-9)


def test_intercept_solves_the_offset_score_equation():
    y, p = _simulated(3_000, 4, shift=0.4)
    a = calibration_intercept(y, p)
    # maximum likelihood with offset logit(p): sum(y) = sum(expit(a + logit(p)))
    assert np.sum(expit(a + logit(p))) == pytest.approx(y.sum(), rel=1e-10)
    assert a == pytest.approx(-0.4, abs=0.1)


def test_intercept_with_constant_probability_is_the_log_odds_gap():
    y = [0, 1, 0, 0, 1, 0, 0, 0]
    assert calibration_intercept(y, [0.5] * 8) == pytest.approx(
        logit(0.25) - logit(0.5), abs=1e-12
    )
    assert calibration_intercept(y, [0.1] * 8) == pytest.approx(
        logit(0.25) - logit(0.1), abs=1e-12
    )


def test_calibrated_predictions_have_slope_one_and_intercept_zero():
    y, p = _simulated(50_000, 5)
    slope, intercept = calibration_slope_intercept(y, p)
    assert slope == pytest.approx(1.0, abs=0.05)
    assert intercept == pytest.approx(0.0, abs=0.03)


def test_too_extreme_and_too_modest_predictions():
    y, p = _simulated(50_000, 6, spread=2.0)
    assert calibration_slope(y, p) == pytest.approx(0.5, abs=0.04)
    y, p = _simulated(50_000, 6, spread=0.5)
    assert calibration_slope(y, p) == pytest.approx(2.0, abs=0.15)


def test_pair_equals_the_single_functions():
    y, p = _simulated(1_000, 7, shift=-0.3, spread=1.2)
    assert calibration_slope_intercept(y, p) == (
        calibration_slope(y, p),
        calibration_intercept(y, p),
    )


def test_undefined_cases_raise_clear_errors():
    with pytest.raises(
        ValueError, match=r"calibration_slope is undefined: y_true holds a single class \(0\)"
    ):
        calibration_slope([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(
        ValueError, match=r"calibration_intercept is undefined: y_true holds a single class \(1\)"
    ):
        calibration_intercept([1, 1], [0.1, 0.2])
    with pytest.raises(
        ValueError, match=r"calibration_slope is undefined: y_prob is constant \(0.3\)"
    ):
        calibration_slope([0, 1, 0], [0.3, 0.3, 0.3])
    with pytest.raises(
        ValueError, match="calibration_slope is undefined: the fit did not converge"
    ):
        calibration_slope([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    with pytest.raises(ValueError, match="calibration_slope is undefined"):
        calibration_slope_intercept([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
