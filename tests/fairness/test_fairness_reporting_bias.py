"""The audit detects reporting bias: one group's events are recorded more often.

A direct simulation, independent of the synthetic authority and the model pipeline:
every child has a latent need ``z`` (same distribution in both groups); the true
outcome depends on ``z`` only; the authority sees a count of recorded events whose
rate grows with ``z`` and is ``reporting_bias`` times higher in group G at the same
``z``. The score is the group-blind, calibrated probability of the outcome given
the recorded count (learnt on an independent sample). With bias, G's children look
needier than they are: the audit must find G over-predicted (observed/expected < 1)
and over-selected. Without bias, it must find nothing.
"""

from __future__ import annotations

import numpy as np

from riskmodel.fairness import audit_fairness

MAX_COUNT = 15


def _simulate(n, reporting_bias, rng):
    in_g = rng.random(n) < 0.3
    need = rng.normal(0, 1, n)
    y = (rng.random(n) < 1 / (1 + np.exp(3.2 - 1.2 * need))).astype(int)
    recording_rate = np.exp(0.3 + 0.8 * need) * np.where(in_g, reporting_bias, 1.0)
    recorded = np.minimum(rng.poisson(recording_rate), MAX_COUNT)
    return np.where(in_g, "G", "other"), y, recorded


def _audit_with_reporting_bias(reporting_bias):
    rng = np.random.default_rng(11)
    _, y_train, count_train = _simulate(50_000, reporting_bias, rng)
    entrants = np.bincount(count_train, weights=y_train, minlength=MAX_COUNT + 1)
    children = np.bincount(count_train, minlength=MAX_COUNT + 1)
    probability_by_count = entrants / np.maximum(children, 1)
    group, y, count = _simulate(20_000, reporting_bias, rng)
    return audit_fairness(
        y,
        probability_by_count[count],
        {"recording": group},
        capacity=1000,
        n_resamples=300,
        random_state=0,
    )


def test_reporting_bias_is_detected_as_overprediction_and_overselection():
    audit = _audit_with_reporting_bias(1.5)
    assert audit.reference == {"recording": "other"}
    calibration = audit.by_group.set_index(["group", "metric"]).loc[("G", "observed_expected")]
    assert calibration["value"] < 1.0 and calibration["upper"] < 1.0
    disparities = audit.disparities.set_index("metric")
    assert disparities.loc["observed_expected", "flagged"]
    assert disparities.loc["observed_expected", "ratio"] < 0.8
    assert disparities.loc["selection_rate", "flagged"]
    assert disparities.loc["selection_rate", "ratio"] > 1.25
    assert {"observed_expected", "selection_rate"} <= set(audit.flags()["metric"])


def test_without_reporting_bias_nothing_is_flagged():
    audit = _audit_with_reporting_bias(1.0)
    assert audit.flags().empty
    disparities = audit.disparities.set_index("metric")
    for metric in ("observed_expected", "selection_rate"):
        assert 0.8 <= disparities.loc[metric, "ratio"] <= 1.25
    calibration = audit.by_group.set_index(["group", "metric"]).loc[("G", "observed_expected")]
    assert calibration["lower"] <= 1.0 <= calibration["upper"]
