"""The default tree's leaf size follows the number of training rows (small authorities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.models._estimators import HGB_DEFAULTS, leaf_size


@pytest.mark.parametrize(
    ("n_rows", "expected"), [(0, 20), (1_999, 20), (27_000, 270), (50_000, 500), (10**7, 500)]
)
def test_leaf_size_is_a_hundredth_of_the_rows_within_bounds(n_rows, expected):
    assert leaf_size(n_rows) == expected


def _rows(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 5, size=n).astype(float)})
    y = (rng.random(n) < 1 / (1 + np.exp(-(X["a"] * 2 - 3)))).astype(int)
    return X, y


def _fitted_leaf(model: rm.RiskClassifier) -> int:
    return model.base_pipeline_.named_steps["estimator"].min_samples_leaf


def test_a_small_fit_gets_small_leaves_and_a_large_one_the_default():
    X, y = _rows(6_000)
    small = rm.RiskClassifier(calibration=None, random_state=0).fit(X, y)
    assert _fitted_leaf(small) == 60
    X, y = _rows(120_000)
    large = rm.RiskClassifier(calibration=None, random_state=0).fit(X, y)
    assert _fitted_leaf(large) == HGB_DEFAULTS["min_samples_leaf"]


def test_estimator_params_override_the_rows_rule():
    X, y = _rows(6_000)
    model = rm.RiskClassifier(
        calibration=None, estimator_params={"min_samples_leaf": 77}, random_state=0
    ).fit(X, y)
    assert _fitted_leaf(model) == 77
    # the parameter itself is never changed by fit (scikit-learn's contract)
    assert model.estimator_params == {"min_samples_leaf": 77}
