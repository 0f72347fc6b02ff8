"""The temporal backtest: what it measures, and that the model earns its place."""

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.evaluation import (
    BEST_POSSIBLE,
    CapacityDisplay,
    OverTimeDisplay,
    ReliabilityDisplay,
    backtest,
)
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.splits import TemporalSplit

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")


@pytest.fixture(scope="module")
def mid_sized():
    """A mid-sized synthetic authority, quarterly as-of dates 2016-2023."""
    data = rm.make_local_authority(n_children=20_000, random_state=0)
    dates = pd.date_range("2016-04-01", "2023-01-01", freq="QS-APR")
    frame = build_training_frame(data, dates, horizon_months=12)
    result = backtest(
        RiskClassifier("hgb", random_state=0),
        frame,
        TemporalSplit(3, test_duration=12, horizon_months=12),
        capacity=20,
        truth=data.truth.for_keys(frame.keys, horizon_months=frame.horizon_months),
        n_resamples=50,
    )
    return data, frame, result


@pytest.mark.slow
def test_calibrated_model_beats_the_rule_and_is_calibrated(mid_sized):
    _, _, result = mid_sized
    model_ap = result.value("average_precision")
    rule_ap = result.value("average_precision", model="rule: CP plan or 2+ referrals")
    assert model_ap > rule_ap
    assert 0.8 <= result.value("observed_expected_ratio") <= 1.25
    # the ground truth is the ceiling: no model beats it on the same rows
    assert result.value("roc_auc", model=BEST_POSSIBLE) > result.value("roc_auc")


@pytest.mark.slow
def test_folds_are_temporal_and_pooled_rows_are_the_test_rows(mid_sized):
    _, frame, result = mid_sized
    folds = result.folds
    assert (folds["train_end"] < folds["test_start"]).all()
    # a whole horizon between the last training date and the first test date
    assert (folds["test_start"] - folds["train_end"] >= pd.Timedelta(days=365)).all()
    preds = result.predictions[result.predictions["model"] == "model"]
    assert len(preds) == folds["n_test"].sum()
    assert not preds.duplicated(["person_id", "as_of_date"]).any()
    assert set(result.metrics["fold"]) == {"1", "2", "3", "overall"}


@pytest.mark.slow
def test_intervals_contain_the_estimates(mid_sized):
    _, _, result = mid_sized
    m = result.metrics.dropna(subset=["lower", "upper"])
    assert len(m) > 50
    assert (m["lower"] <= m["value"] + 1e-12).all() and (m["value"] <= m["upper"] + 1e-12).all()


@pytest.mark.slow
def test_displays_draw(mid_sized):
    _, _, result = mid_sized
    assert len(ReliabilityDisplay.from_backtest(result).plot().ax_.lines) >= 4
    assert len(CapacityDisplay.from_backtest(result).plot().ax_.lines) >= 8
    assert len(OverTimeDisplay.from_backtest(result, metric="roc_auc").plot().ax_.lines) == 4


def test_unlabelled_rows_are_refused(small_tables):
    frame = type("F", (), {"y": pd.Series([1.0, np.nan])})()
    with pytest.raises(ValueError, match="labelled rows only"):
        backtest(RiskClassifier(), frame, TemporalSplit(1))


def test_folds_are_fitted_with_the_frame_s_spec_when_it_built_the_frame():
    from types import SimpleNamespace

    from riskmodel.evaluation._folds import fit_args as _fit_args
    from riskmodel.features import default_spec
    from riskmodel.models import RuleBaseline

    spec = default_spec()
    frame = SimpleNamespace(X=pd.DataFrame(columns=list(spec.names[:3])), spec=spec)
    assert _fit_args(RiskClassifier(), frame) == {"feature_spec": spec}
    assert _fit_args(RuleBaseline(), frame) == {}  # its fit takes no spec
    frame.X["noise"] = []
    assert _fit_args(RiskClassifier(), frame) == {}  # a column the spec did not build
    assert _fit_args(RiskClassifier(), SimpleNamespace(X=frame.X, spec=None)) == {}


def _quarterly_frame(n_children: int = 150):
    """Quarterly rows of ``n_children`` with a true risk per row, and that risk."""
    from types import SimpleNamespace

    dates = pd.date_range("2017-01-01", periods=16, freq="3MS")
    ids = [f"C{i:04d}" for i in range(n_children)]
    keys = pd.DataFrame({"person_id": ids}).merge(pd.DataFrame({"as_of_date": dates}), "cross")
    rng = np.random.default_rng(0)
    risk = rng.uniform(0.0, 0.3, len(keys))
    y = (rng.random(len(keys)) < risk).astype("int64")
    index = pd.MultiIndex.from_frame(keys)
    X = pd.DataFrame({"signal": risk + rng.normal(0, 0.1, len(keys))}, index=index)
    frame = SimpleNamespace(X=X, y=pd.Series(y, index=index), keys=keys, horizon_months=12)
    return frame, risk


def test_truth_is_scored_on_the_same_rows_as_the_model():
    from sklearn.linear_model import LogisticRegression

    frame, risk = _quarterly_frame()
    split = TemporalSplit(2, test_duration=12, horizon_months=12)
    result = backtest(
        LogisticRegression(), frame, split, baselines={}, truth=list(risk), n_resamples=0
    )
    preds = result.predictions.set_index(["model", "person_id", "as_of_date"])
    best, model = preds.loc[BEST_POSSIBLE], preds.loc["model"]
    assert best.index.equals(model.index)
    assert (best["y_true"] == model["y_true"]).all()
    expected = pd.Series(risk, index=frame.X.index).reindex(best.index)
    np.testing.assert_array_equal(best["y_score"].to_numpy(), expected.to_numpy())
    assert result.value("roc_auc", model=BEST_POSSIBLE) > 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r[:-1], r"truth must hold one probability per row of frame \(2400 rows\); "),
        (lambda r: np.r_[1.5, r[1:]], r"truth must be probabilities in \[0, 1\]; 1 values"),
        (lambda r: np.r_[np.nan, r[1:]], r"truth contains NaN in 1 of 2400 rows \(row 0\)"),
        (lambda r: np.c_[r, r], "truth must be one-dimensional"),
    ],
)
def test_truth_must_be_one_probability_per_row(change, message):
    frame, risk = _quarterly_frame()
    with pytest.raises(ValueError, match=message):
        backtest(RiskClassifier(), frame, TemporalSplit(2), truth=change(risk))


def test_the_ground_truth_itself_is_refused_with_the_call_that_gives_its_array():
    frame, _ = _quarterly_frame()
    data = rm.make_local_authority(n_children=200, random_state=0)
    with pytest.raises(TypeError, match=r"data\.truth\.for_keys\(frame\.keys, horizon_months="):
        backtest(RiskClassifier(), frame, TemporalSplit(2), truth=data.truth)
