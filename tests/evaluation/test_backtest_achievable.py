"""The backtest's four kinds of row, the share of the achievable gain, pairs and notes."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from riskmodel.evaluation import BEST_ACHIEVABLE, BEST_POSSIBLE, MODEL, backtest
from riskmodel.exceptions import DataQualityWarning
from riskmodel.splits import TemporalSplit

SPLIT = TemporalSplit(2, test_duration=12, horizon_months=12)


class Flag(ClassifierMixin, BaseEstimator):
    """A two-level rule: 0.2 where the ``flag`` column is set, else 0.01."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = np.where(X["flag"].to_numpy() > 0, 0.2, 0.01)
        return np.c_[1 - p, p]


def _frame(n_children: int = 150, seed: int = 0):
    dates = pd.date_range("2017-01-01", periods=16, freq="3MS")
    ids = [f"C{i:04d}" for i in range(n_children)]
    keys = pd.DataFrame({"person_id": ids}).merge(pd.DataFrame({"as_of_date": dates}), "cross")
    rng = np.random.default_rng(seed)
    risk = rng.uniform(0.0, 0.3, len(keys))
    y = (rng.random(len(keys)) < risk).astype("int64")
    index = pd.MultiIndex.from_frame(keys)
    X = pd.DataFrame(
        {"signal": risk + rng.normal(0, 0.1, len(keys)), "flag": (risk > 0.25).astype(int)},
        index=index,
    )
    frame = SimpleNamespace(X=X, y=pd.Series(y, index=index), keys=keys, horizon_months=12)
    return frame, risk


def _run(frame, risk, **kwargs):
    achievable = np.clip(risk + np.random.default_rng(1).normal(0, 0.03, len(risk)), 0, 1)
    options = {
        "baselines": {"rule: flag": Flag(), "rule: none": Flag()},
        "truth": risk,
        "achievable": achievable,
        "n_resamples": 30,
        "random_state": 0,
        "capacity": 10,
    }
    return backtest(LogisticRegression(), frame, SPLIT, **{**options, **kwargs})


@pytest.fixture(scope="module")
def result():
    frame, risk = _frame()
    return _run(frame, risk)


def test_four_kinds_of_row_on_the_same_rows(result):
    assert list(result.summary().index) == [
        MODEL,
        "rule: flag",
        "rule: none",
        BEST_ACHIEVABLE,
        BEST_POSSIBLE,
    ]
    preds = result.predictions.set_index(["model", "person_id", "as_of_date"])
    assert preds.loc[BEST_ACHIEVABLE].index.equals(preds.loc[MODEL].index)
    assert "precision_at_top_share" in set(result.metrics["metric"])
    assert result.top_share == 0.02


def test_share_of_the_achievable_gain_is_the_formula(result):
    share = result.achievable_share.set_index(["fold", "metric"])
    for metric in ["roc_auc", "average_precision", "precision_at_top_share"]:
        rules = [result.value(metric, model=r) for r in ("rule: flag", "rule: none")]
        rule = max(rules)
        model, best = result.value(metric), result.value(metric, model=BEST_ACHIEVABLE)
        row = share.loc[("overall", metric)]
        assert row["share"] == pytest.approx((model - rule) / (best - rule))
        assert row["rule"] == pytest.approx(rule)
    brier = share.loc[("overall", "brier_score")]
    assert brier["share"] == pytest.approx(
        (brier["rule"] - brier["model"]) / (brier["rule"] - brier["achievable"])
    )
    assert set(result.achievable_share["fold"]) == {"1", "2", "overall"}


def test_share_is_nan_with_a_reason_when_the_achievable_is_no_better():
    frame, risk = _frame()
    reversed_ = 0.3 - risk  # ranks the wrong way: no gain over the rule is achievable
    result = _run(frame, risk, achievable=reversed_, n_resamples=0)
    row = result.achievable_share.set_index(["fold", "metric"]).loc[("overall", "roc_auc")]
    assert np.isnan(row["share"])
    assert "no better than the best rule" in row["reason"]


def test_paired_difference_is_model_minus_the_best_rule(result):
    paired = result.paired.set_index("metric")
    for metric in ["roc_auc", "average_precision", "precision_at_top_share"]:
        row = paired.loc[metric]
        assert row["difference"] == pytest.approx(
            result.value(metric) - result.value(metric, model=row["best_rule"])
        )
        assert row["lower"] <= row["difference"] <= row["upper"]
    assert {"precision_at_capacity", "recall_at_capacity"} <= set(paired.index)


def test_without_achievable_or_baselines_the_tables_are_empty():
    frame, risk = _frame()
    result = backtest(LogisticRegression(), frame, SPLIT, baselines={}, n_resamples=0)
    assert result.achievable_share.empty and result.paired.empty


def test_the_ground_truth_object_is_refused_with_the_call_that_gives_its_array():
    frame, _ = _frame()
    truth = SimpleNamespace(for_keys=None)
    with pytest.raises(TypeError, match=r"data\.truth\.achievable_for_keys\(data, frame\.keys"):
        backtest(LogisticRegression(), frame, SPLIT, achievable=truth)


def test_a_slope_without_an_interval_is_a_note_not_a_warning():
    """One care entry among the rule's flagged children: most resamples have no slope."""
    frame, risk = _frame(seed=3)
    y = frame.y.to_numpy()
    flag = np.zeros(len(y), dtype=int)
    flag[np.flatnonzero(y == 0)[::40]] = 1  # negatives spread over every date
    test_dates = frame.keys["as_of_date"] >= pd.Timestamp("2019-01-01")
    flag[np.flatnonzero(test_dates & (y == 1))] = 0
    flag[np.flatnonzero(test_dates.to_numpy() & (y == 1))[0]] = 1  # one entrant flagged
    frame.X["flag"] = flag
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        result = backtest(
            LogisticRegression(),
            frame,
            SPLIT,
            baselines={"rule: flag": Flag()},
            n_resamples=100,
            random_state=0,
        )
    notes = result.notes[result.notes["metric"] == "calibration_slope"]
    assert not notes.empty
    assert notes["note"].str.contains(r"too few care entries in .* \(n=\d+\)").all()
    slope = result.metrics.set_index(["model", "fold", "metric"])
    for r in notes.itertuples():
        row = slope.loc[(r.model, r.fold, "calibration_slope")]
        if np.isfinite(row["value"]):  # measured, but most resamples had no slope
            assert np.isnan(row["lower"]) and "an interval for the calibration slope" in r.note
        else:  # not measurable on these rows at all
            assert "to estimate the calibration slope of this score" in r.note
    assert notes["note"].str.contains("an interval for").any()


def test_the_pooled_slope_is_scikit_learn_s_unpenalised_fit_on_logit_p(result):
    from scipy.special import logit

    preds = result.predictions[result.predictions["model"] == MODEL]
    x = logit(np.clip(preds["y_score"].to_numpy(), 1e-15, 1 - 1e-15)).reshape(-1, 1)
    reference = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=200)
    reference.fit(x, preds["y_true"].to_numpy())
    assert result.value("calibration_slope") == pytest.approx(reference.coef_[0, 0], rel=1e-6)


@pytest.mark.parametrize("share", [0, 1.5, True])
def test_top_share_must_be_in_the_unit_interval(share):
    frame, _ = _frame()
    with pytest.raises(ValueError, match=r"top_share must be a number in \(0, 1\]"):
        backtest(LogisticRegression(), frame, SPLIT, top_share=share)
