"""paired_difference: the difference of two scores' metrics with a paired child bootstrap."""

import numpy as np
import pandas as pd
import pytest

from riskmodel.metrics import (
    average_precision,
    brier_score,
    paired_difference,
    precision_at_top_share,
    roc_auc,
)


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.08).astype(int)
    good = np.clip(0.05 + 0.3 * y + rng.normal(0, 0.1, n), 0, 1)
    weak = np.clip(0.05 + 0.05 * y + rng.normal(0, 0.1, n), 0, 1)
    dates = np.repeat(np.arange(4), n // 4)
    children = np.tile(np.arange(n // 4), 4)
    return y, good, weak, dates, children


def test_differences_equal_the_metrics_computed_one_by_one():
    y, good, weak, dates, children = _data()
    table = paired_difference(
        y, good, weak, groups=dates, clusters=children, n_resamples=0
    ).set_index("metric")
    for name, metric in [
        ("roc_auc", roc_auc),
        ("average_precision", average_precision),
        ("brier_score", brier_score),
    ]:
        assert table.loc[name, "difference"] == pytest.approx(metric(y, good) - metric(y, weak))
    top = precision_at_top_share(y, good, groups=dates) - precision_at_top_share(
        y, weak, groups=dates
    )
    assert table.loc["precision_at_top_share", "difference"] == pytest.approx(top)
    assert table[["lower", "upper"]].isna().all().all()


def test_a_score_against_itself_is_exactly_zero_and_a_better_one_excludes_zero():
    y, good, weak, dates, children = _data(seed=1)
    same = paired_difference(y, good, good, groups=dates, clusters=children, n_resamples=50)
    assert (same[["difference", "lower", "upper"]] == 0).all().all()
    table = paired_difference(
        y,
        good,
        weak,
        groups=dates,
        clusters=children,
        capacity=20,
        n_resamples=100,
        random_state=0,
    ).set_index("metric")
    assert {"precision_at_capacity", "recall_at_capacity"} <= set(table.index)
    for name in ["roc_auc", "average_precision", "precision_at_top_share"]:
        assert table.loc[name, "lower"] > 0
    assert table.loc["brier_score", "upper"] < 0  # lower is better: better = -1
    assert table.loc["brier_score", "better"] == -1


def test_pairing_narrows_the_interval_against_independent_intervals():
    """Two nearly identical scores: the paired interval is far tighter than either's spread."""
    y, good, _, dates, children = _data(seed=2)
    nudged = np.clip(good + np.random.default_rng(5).normal(0, 0.005, len(y)), 0, 1)
    table = paired_difference(
        y, good, nudged, groups=dates, clusters=children, n_resamples=100, random_state=0
    ).set_index("metric")
    from riskmodel.metrics import bootstrap_metric

    alone = bootstrap_metric(roc_auc, y, good, clusters=children, n_resamples=100, random_state=0)
    width = table.loc["roc_auc", "upper"] - table.loc["roc_auc", "lower"]
    assert width < (alone.upper - alone.lower) / 5


def test_result_is_a_frame_with_the_documented_columns():
    y, good, weak, dates, children = _data(seed=3)
    table = paired_difference(y, good, weak, groups=dates, n_resamples=5, random_state=0)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == [
        "metric",
        "first",
        "second",
        "difference",
        "lower",
        "upper",
        "better",
    ]
