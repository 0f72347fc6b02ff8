"""Weights reach the base model and the calibration; a weighted sample stays calibrated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.frame import sample_negatives
from riskmodel.models._calibrator import calibrated_risk, fit_calibrator

SMALL = {"min_samples_leaf": 20}


def _rows(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * X["a"] - 4)))).astype(int)
    return X, y


@pytest.mark.parametrize("calibration", ["temperature", "sigmoid", "isotonic", "auto"])
def test_unit_weights_change_nothing(calibration):
    X, y = _rows(4_000)
    plain = rm.RiskClassifier(calibration=calibration, estimator_params=SMALL, random_state=0)
    ones = rm.RiskClassifier(calibration=calibration, estimator_params=SMALL, random_state=0)
    plain.fit(X, y)
    ones.fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_allclose(ones.predict_proba(X), plain.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize("method", ["temperature", "sigmoid", "isotonic", "interpolated_isotonic"])
def test_a_weight_of_two_is_the_row_twice_for_the_calibrators(method):
    rng = np.random.default_rng(1)
    log_odds = rng.normal(-3, 1, size=600)
    positive = rng.random(600) < 1 / (1 + np.exp(-log_odds))
    twice = rng.random(600) < 0.3
    weights = np.where(twice, 2.0, 1.0)
    weighted = fit_calibrator(log_odds, positive, method, weights)
    repeated = fit_calibrator(
        np.concatenate([log_odds, log_odds[twice]]),
        np.concatenate([positive, positive[twice]]),
        method,
    )
    grid = np.linspace(-6, 0, 25)
    np.testing.assert_allclose(
        calibrated_risk(weighted, grid), calibrated_risk(repeated, grid), rtol=1e-5, atol=1e-9
    )


def test_bad_weights_are_refused():
    X, y = _rows(500)
    model = rm.RiskClassifier(calibration=None, estimator_params=SMALL)
    with pytest.raises(ValueError, match="sample_weight has 3 values for 500 rows"):
        model.fit(X, y, sample_weight=[1, 2, 3])
    with pytest.raises(ValueError, match=r"1 value\(s\) are negative"):
        model.fit(X, y, sample_weight=np.r_[-1.0, np.ones(499)])


def test_sampling_is_the_same_shard_by_shard():
    keys = pd.DataFrame(
        {
            "person_id": [f"C{i:05d}" for i in range(3_000)],
            "as_of_date": pd.Timestamp("2020-04-01"),
        }
    )
    y = np.zeros(3_000)
    y[::97] = 1
    keep, weights = sample_negatives(keys, y, 0.2, random_state=3)
    parts = [
        sample_negatives(keys.iloc[i : i + 700], y[i : i + 700], 0.2, random_state=3)[0]
        for i in range(0, 3_000, 700)
    ]
    np.testing.assert_array_equal(np.concatenate(parts), keep)
    assert keep[y == 1].all() and 0.15 < keep[y == 0].mean() < 0.25
    assert set(weights) == {1.0, 5.0}
    other, _ = sample_negatives(keys, y, 0.2, random_state=4)
    assert (other != keep).any()


def _observed_over_expected(model, frame, rows) -> float:
    p = model.predict_proba(frame.X.iloc[rows])[:, 1]
    return float(frame.y.iloc[rows].sum() / p.sum())


def test_a_weighted_sample_keeps_held_out_calibration(tmp_path):
    data = rm.make_local_authority(n_children=12_000, random_state=7)
    dates = pd.date_range("2016-04-01", "2022-04-01", freq="QS")
    frame = rm.build_training_frame(data, dates)
    late = frame.keys["as_of_date"] >= pd.Timestamp("2021-04-01")
    train = np.flatnonzero(~late.to_numpy())
    test = np.flatnonzero(late.to_numpy())
    model = dict(calibration="temperature", random_state=0)
    full = rm.RiskClassifier(**model).fit(frame.X.iloc[train], frame.y.iloc[train])
    keep, weights = sample_negatives(frame.keys.iloc[train], frame.y.iloc[train], 0.25)
    rows = train[keep]
    weighted = rm.RiskClassifier(**model).fit(
        frame.X.iloc[rows], frame.y.iloc[rows], sample_weight=weights
    )
    unweighted = rm.RiskClassifier(**model).fit(frame.X.iloc[rows], frame.y.iloc[rows])
    reference = _observed_over_expected(full, frame, test)
    ratio = _observed_over_expected(weighted, frame, test) / reference
    assert 0.9 <= ratio <= 1.1, ratio
    # without the weights the sample's fourfold rate of care entries overstates risk
    assert _observed_over_expected(unweighted, frame, test) / reference < 0.6
