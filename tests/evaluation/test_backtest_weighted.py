"""A backtest on a weighted sample: its figures are estimates of the unsampled frame's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.evaluation import CapacityDisplay, OverTimeDisplay, ReliabilityDisplay, backtest
from riskmodel.evaluation._metric_tables import metrics_table
from riskmodel.frame import sample_negatives
from riskmodel.metrics import paired_difference
from riskmodel.models import RuleBaseline, SingleFeatureRanker
from riskmodel.splits import TemporalSplit

DATES = pd.date_range("2017-01-01", periods=12, freq="3MS")
SPLIT = TemporalSplit(2, test_duration=12, horizon_months=12)


def _frame(
    n_children: int = 150, seed: int = 0, rate: float = 0.15, dates: pd.DatetimeIndex = DATES
) -> rm.TrainingFrame:
    """Quarterly rows of ``n_children``, ``rate`` of them positive, one informative signal."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:04d}" for i in range(n_children)])
    rows = pd.DataFrame({"as_of_date": dates}).merge(pd.DataFrame({"person_id": ids}), how="cross")
    rows = rows[["person_id", "as_of_date"]]
    y = (rng.random(len(rows)) < rate).astype("int64")
    index = pd.MultiIndex.from_frame(rows)
    signal = np.round(y + rng.normal(0, 1, len(y)), 1)  # ties, as real features have
    return rm.TrainingFrame(
        X=pd.DataFrame({"signal": signal}, index=index),
        y=pd.Series(y, index=index, name="care_entry"),
        keys=rows.reset_index(drop=True),
        groups=pd.DataFrame({"sex": rng.choice(["F", "M"], len(y))}, index=index),
        cohort=rows.assign(age=14, in_cohort=True, reason=None),
        horizon_months=12,
        spec=rm.default_spec(),
    )


def _run(frame, weights=None, *, truth=None, n_resamples=0, **options):
    return backtest(
        SingleFeatureRanker("signal"),
        frame,
        SPLIT,
        capacity=15,
        baselines={"rule": RuleBaseline([("signal", 0.8)])},
        truth=truth,
        top_share=0.1,
        n_resamples=n_resamples,
        sample_weight=weights,
        **options,
    )


def _repeated(frame: rm.TrainingFrame, times: np.ndarray) -> rm.TrainingFrame:
    """Each row repeated ``times`` times, each copy a child of its own (keys stay unique)."""
    take = np.repeat(np.arange(len(frame.y)), times)
    copy = np.concatenate([np.arange(t) for t in times])
    keys = frame.keys.iloc[take].reset_index(drop=True)
    keys["person_id"] = keys["person_id"] + "-" + copy.astype(str)
    index = pd.MultiIndex.from_frame(keys)
    return replace(
        frame,
        X=frame.X.iloc[take].set_axis(index),
        y=frame.y.iloc[take].set_axis(index),
        keys=keys,
        groups=frame.groups.iloc[take].set_axis(index),
    )


def _tables(result):
    return {
        "metrics": result.metrics,
        "paired": result.paired,
        "by_date": result.by_date.drop(columns="n"),
    }


def test_weights_of_one_give_exactly_the_unweighted_backtest():
    frame = _frame()
    truth = np.clip(0.05 + 0.5 * frame.y.to_numpy(), 0, 1)
    plain = _run(frame, truth=truth, n_resamples=20)
    ones = _run(frame, np.ones(len(frame.y)), truth=truth, n_resamples=20)
    for name, table in _tables(plain).items():
        pd.testing.assert_frame_equal(_tables(ones)[name], table, obj=name)
    assert ones.weighted and not plain.weighted
    pd.testing.assert_frame_equal(
        ones.predictions.drop(columns="sample_weight"), plain.predictions
    )
    np.testing.assert_array_equal(ones.by_date["n"], plain.by_date["n"])


def test_integer_weights_give_the_figures_of_the_repeated_rows():
    frame = _frame()
    times = np.random.default_rng(3).integers(1, 4, len(frame.y))
    truth = np.clip(0.05 + 0.5 * frame.y.to_numpy() + 0.01 * frame.X["signal"].to_numpy(), 0, 1)
    weighted = _run(frame, times.astype(float), truth=truth)
    repeated = _run(_repeated(frame, times), truth=np.repeat(truth, times))
    for name, table in _tables(repeated).items():
        got = _tables(weighted)[name]
        pd.testing.assert_frame_equal(got, table, check_exact=False, rtol=1e-9, obj=name)
    np.testing.assert_allclose(weighted.by_date["n"], repeated.by_date["n"])
    # the Displays count weight as repeated rows
    for display in (CapacityDisplay, ReliabilityDisplay):
        got, want = display.from_backtest(weighted).curves, display.from_backtest(repeated).curves
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    over_time = OverTimeDisplay.from_backtest(weighted, metric="observed").values
    assert over_time["value"].sum() == pytest.approx(repeated.by_date["observed"].sum())


def test_capacity_counts_weight_within_each_list():
    """Three rows of weight 5 fill a capacity of 15: the list flags those three rows."""
    frame = _frame()
    weights = np.full(len(frame.y), 5.0)
    result = _run(frame, weights)
    repeated = _run(_repeated(frame, np.full(len(frame.y), 5)))
    got = result.value("precision_at_capacity")
    assert got == pytest.approx(repeated.value("precision_at_capacity"), rel=1e-9)
    assert got != pytest.approx(_run(frame).value("precision_at_capacity"), rel=1e-3)


def test_a_weighted_pooled_backtest_equals_the_repeated_rows_by_authority():
    frames = {code: _frame(150, seed) for code, seed in (("201", 1), ("202", 2))}
    pooled = rm.pool_frames(frames)
    times = np.random.default_rng(4).integers(1, 3, len(pooled.y))
    repeated = _repeated(pooled, times)
    weighted = _run(pooled, times.astype(float))
    plain = _run(repeated)
    for name in ("by_authority", "pooled_vs_own"):
        got, want = getattr(weighted, name), getattr(plain, name)
        value_columns = [c for c in got.columns if c not in ("n_test", "test_positives")]
        pd.testing.assert_frame_equal(
            got[value_columns], want[value_columns], check_exact=False, rtol=1e-9, obj=name
        )


def test_weights_must_be_positive_one_per_row():
    frame = _frame()
    with pytest.raises(ValueError, match="sample_weight has 3 values for 1800 rows"):
        _run(frame, [1.0, 2.0, 3.0])
    bad = np.ones(len(frame.y))
    bad[7] = 0.0
    with pytest.raises(ValueError, match=r"not positive finite numbers \(row 7; value 0.0\)"):
        _run(frame, bad)


def test_a_baseline_that_cannot_take_weights_is_refused():
    class Unweighted(RuleBaseline):
        def fit(self, X, y):
            return super().fit(X, y)

    frame = _frame()
    with pytest.raises(TypeError, match="'unweighted' .* takes no sample_weight"):
        backtest(
            SingleFeatureRanker("signal"),
            frame,
            SPLIT,
            baselines={"unweighted": Unweighted([("signal", 0.8)])},
            sample_weight=np.ones(len(frame.y)),
            n_resamples=0,
        )


@pytest.fixture(scope="module")
def sampled_runs():
    """A frame with 3% care entries, backtested whole and on a third of its negatives."""
    dates = pd.date_range("2015-01-01", periods=20, freq="3MS")
    frame = _frame(2500, seed=5, rate=0.03, dates=dates)
    keep, weights = sample_negatives(frame.keys, frame.y, 1 / 3, random_state=0)
    sample = replace(
        frame,
        X=frame.X[keep],
        y=frame.y[keep],
        keys=frame.keys[keep].reset_index(drop=True),
        groups=frame.groups[keep],
    )
    model = rm.RiskClassifier("logistic", random_state=0)
    options = {"capacity": 100, "baselines": {}, "n_resamples": 0}
    full = backtest(model, frame, SPLIT, **options)
    weighted = backtest(model, sample, SPLIT, sample_weight=weights, **options)
    return full, weighted


def test_a_weighted_sample_estimates_the_full_frames_figures(sampled_runs):
    """Weighted, a third of the negatives gives the full frame's O/E and precision.

    The tolerances: observed/expected within 0.1 of the full frame's (about 0.99) and
    precision at capacity (100 of each date's 2,500 children) within 0.03 of its
    (about 0.18). The sampled model is fitted on other rows than the full one, and
    the weighted figures carry the error of keeping a third of the negatives: over
    four draws measured here the gaps were at most 0.03 and 0.009, so the
    tolerances are about three times the spread. Unweighted, the same predictions
    read the sample's figures, not the frame's: observed/expected above 2.5 and a
    precision about 1.65 times as high.
    """
    full, weighted = sampled_runs
    for metric, tolerance in (("observed_expected_ratio", 0.1), ("precision_at_capacity", 0.03)):
        assert weighted.value(metric) == pytest.approx(full.value(metric), abs=tolerance), metric
    unweighted = metrics_table(
        weighted.predictions.drop(columns="sample_weight"), 100, 0, 0, weighted.top_share
    )
    unweighted = unweighted[(unweighted["model"] == "model") & (unweighted["fold"] == "overall")]
    value = unweighted.set_index("metric")["value"]
    assert value["observed_expected_ratio"] > 2 * full.value("observed_expected_ratio")
    assert value["precision_at_capacity"] > 1.5 * full.value("precision_at_capacity")


def test_the_bootstrap_of_integer_weights_is_that_of_the_repeated_rows():
    """Copies of a row belong to its child, so the resamples of children are the same."""
    frame = _frame()
    times = np.random.default_rng(5).integers(1, 4, len(frame.y))
    predictions = _run(frame, times.astype(float)).predictions
    repeated = predictions.loc[predictions.index.repeat(predictions["sample_weight"].astype(int))]
    repeated = repeated.drop(columns="sample_weight").reset_index(drop=True)
    got = metrics_table(predictions, 15, 40, 0, 0.1)
    want = metrics_table(repeated, 15, 40, 0, 0.1)
    assert got["lower"].notna().sum() > 20
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    model = predictions[predictions["model"] == "model"]
    rule = predictions[predictions["model"] == "rule"]["y_score"].to_numpy()
    paired = {
        "weighted": paired_difference(
            model["y_true"],
            model["y_score"],
            rule,
            groups=model["as_of_date"],
            clusters=model["person_id"],
            capacity=15,
            n_resamples=40,
            random_state=0,
            sample_weight=model["sample_weight"],
        ),
        "repeated": paired_difference(
            *(
                np.repeat(v, model["sample_weight"].astype(int))
                for v in (model["y_true"], model["y_score"], rule)
            ),
            groups=np.repeat(model["as_of_date"], model["sample_weight"].astype(int)),
            clusters=np.repeat(model["person_id"], model["sample_weight"].astype(int)),
            capacity=15,
            n_resamples=40,
            random_state=0,
        ),
    }
    pd.testing.assert_frame_equal(
        paired["weighted"], paired["repeated"], check_exact=False, rtol=1e-9
    )
