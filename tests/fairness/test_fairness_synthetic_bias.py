"""End to end: the synthetic authority's reporting-bias knob is revealed by the audit.

Black children's needs are recorded three times as often for the same latent need; their
true risk (and their care entries) are unchanged. A model trained on recorded events
then selects them more often and over-predicts their risk. The audit must flag the
selection-rate disparity with the knob on, and report a larger disparity than with
the knob off (same seed, same true risk).
"""

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.fairness import audit_backtest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")]


def _audit(bias):
    data = rm.make_local_authority(n_children=15_000, random_state=5, reporting_bias=bias)
    dates = pd.date_range("2016-04-01", "2023-01-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates, horizon_months=12)
    result = rm.backtest(
        rm.RiskClassifier("hgb", random_state=0),
        frame,
        rm.TemporalSplit(2, horizon_months=12),
        capacity=100,
        baselines={},
        n_resamples=0,
    )
    audit = audit_backtest(result, frame.groups, capacity=100, n_resamples=200)
    return data, audit


def _ratio(audit, metric):
    d = audit.disparities
    row = d[(d["attribute"] == "ethnic_group") & (d["group"] == "Black") & (d["metric"] == metric)]
    return row.iloc[0]


def test_recorded_need_bias_is_flagged_and_larger_than_without_it():
    fair_data, fair = _audit(None)
    biased_data, biased = _audit({"ethnic_group": "Black", "factor": 3.0})
    # the truth is the same: only the recording differs
    pd.testing.assert_frame_equal(fair_data.care_episodes, biased_data.care_episodes)
    selected = _ratio(biased, "selection_rate")
    assert selected["flagged"] and selected["ratio"] > 1.25
    assert selected["ratio"] > _ratio(fair, "selection_rate")["ratio"]
    # over-prediction: observed/expected for the group falls when recording is inflated
    assert (
        _ratio(biased, "observed_expected")["ratio"] < _ratio(fair, "observed_expected")["ratio"]
    )
