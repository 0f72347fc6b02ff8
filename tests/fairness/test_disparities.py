"""Disparities against a reference group: planted ones flagged, equal treatment not."""

from __future__ import annotations

import numpy as np

from riskmodel.fairness import audit_fairness


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _calibrated(latent):
    """P(entry | latent) when latent ~ N(-0.2, 1) for entrants, N(-2.2, 1) otherwise."""
    return _sigmoid(np.log(0.1 / 0.9) + 2.0 * latent + 2.4)


def _two_groups(n, shift_b, seed):
    """Calibrated scores, except that group B's entrants score lower by ``shift_b``."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.6, "A", "B")
    y = (rng.random(n) < 0.1).astype(int)
    latent = -2.2 + 2.0 * y + rng.normal(0, 1, n) - shift_b * ((group == "B") & (y == 1))
    return y, _calibrated(latent), group


# With a cut-off at latent -0.724, group A's FNR is about 0.3; a shift of 0.777 on
# group B's entrants makes B's about 0.6, double.
THRESHOLD = float(_calibrated(-0.724))


def test_planted_fnr_disparity_is_flagged():
    y, score, group = _two_groups(40_000, 0.777, seed=1)
    audit = audit_fairness(
        y, score, {"group": group}, threshold=THRESHOLD, n_resamples=200, random_state=0
    )
    assert audit.reference == {"group": "A"}
    fnr = audit.disparities.set_index("metric").loc["fnr"]
    assert fnr["group"] == "B" and fnr["reference"] == "A"
    assert 1.7 < fnr["ratio"] < 2.3
    assert fnr["lower"] > 1.25 and fnr["flagged"]
    assert "fnr" in set(audit.flags()["metric"])
    line = (
        f"group=B: false negative rate {fnr['ratio']:.2f}× the A reference "
        f"({100 * fnr['value']:.2g}% vs {100 * fnr['reference_value']:.2g}%;"
    )
    assert any(text.startswith(line) for text in audit.summary())


def test_equal_treatment_is_not_flagged():
    y, score, group = _two_groups(40_000, 0.0, seed=2)
    audit = audit_fairness(
        y, score, {"group": group}, threshold=THRESHOLD, n_resamples=200, random_state=0
    )
    assert audit.flags().empty
    rates = audit.disparities[audit.disparities["metric"] != "auc"]
    assert ((rates["lower"] <= 1.0) & (rates["upper"] >= 1.0)).mean() > 0.8
    assert audit.summary()[0].startswith("No disparity outside 0.8–1.25")


def test_a_rate_without_events_is_not_flagged_on_a_degenerate_interval():
    rng = np.random.default_rng(4)
    n = 10_000
    group = np.where(np.arange(n) < n // 2, "A", "B")
    y = (rng.random(n) < 0.1).astype(int)
    score = np.where(y == 1, 0.9, rng.choice([0.1, 0.95], n, p=[0.999, 0.001]))
    score[(group == "B") & (y == 0)] = 0.1  # B has no false positives at all
    audit = audit_fairness(
        y, score, {"group": group}, threshold=0.5, n_resamples=100, random_state=0
    )
    fpr = audit.disparities.set_index("metric").loc["fpr"]
    assert fpr["ratio"] == 0.0 and fpr["upper"] == 0.0
    assert not fpr["flagged"]


def test_named_reference_replaces_the_largest_group():
    y, score, group = _two_groups(4000, 0.777, seed=1)
    audit = audit_fairness(
        y,
        score,
        {"group": group},
        threshold=THRESHOLD,
        reference={"group": "B"},
        n_resamples=50,
        random_state=0,
    )
    assert audit.reference == {"group": "B"}
    assert set(audit.disparities["group"]) == {"A"}
    assert set(audit.disparities["reference"]) == {"B"}


def test_intersection_reference_accepts_tuples():
    rng = np.random.default_rng(0)
    n = 2000
    groups = {"sex": rng.choice(["F", "M"], n), "band": rng.choice([1, 2], n)}
    audit = audit_fairness(
        rng.integers(0, 2, n),
        rng.random(n),
        groups,
        threshold=0.5,
        intersections=True,
        reference={("sex", "band"): ("F", 2), "band": 2},
        n_resamples=20,
        random_state=0,
    )
    assert audit.reference["sex & band"] == "F & 2"
    assert audit.reference["band"] == "2"


# --- reporting bias -----------------------------------------------------------------
# The audit detects reporting bias: one group's events are recorded more often.
#
# A direct simulation, independent of the synthetic authority and the model pipeline:
# every child has a latent need ``z`` (same distribution in both groups); the true
# outcome depends on ``z`` only; the authority sees a count of recorded events whose
# rate grows with ``z`` and is ``reporting_bias`` times higher in group G at the same
# ``z``. The score is the group-blind, calibrated probability of the outcome given
# the recorded count (learnt on an independent sample). With bias, G's children look
# needier than they are: the audit must find G over-predicted (observed/expected < 1)
# and over-selected. Without bias, it must find nothing.

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
