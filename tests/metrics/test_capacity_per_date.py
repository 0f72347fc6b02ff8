"""Capacity metrics within each as-of date's list, with a bootstrap over children."""

import numpy as np
import pytest

from riskmodel.metrics import CAPACITY_METRICS, capacity_metrics, precision_at_k


def test_capacity_is_applied_within_each_as_of_date():
    rng = np.random.default_rng(0)
    dates = np.repeat(np.array(["2020-01-01", "2020-04-01"], dtype="datetime64[ns]"), 500)
    y = rng.random(1000) < 0.05
    p = rng.random(1000)
    ids = np.arange(1000)
    got = capacity_metrics(y, p, dates, ids, 10, n_resamples=0)
    per_date = [precision_at_k(y[dates == d], p[dates == d], 10) for d in np.unique(dates)]
    precision = got.set_index("metric").loc["precision_at_capacity", "value"]
    assert precision == pytest.approx(np.mean(per_date))
    nnf = got.set_index("metric").loc["nnf_at_capacity", "value"]
    assert nnf == pytest.approx(1 / precision)


def test_intervals_resample_children_and_contain_the_estimates():
    rng = np.random.default_rng(1)
    dates = np.repeat(np.array(["2020-01-01", "2020-04-01", "2020-07-01"]), 300)
    ids = np.tile(np.arange(300), 3)
    y = rng.random(900) < 0.1
    p = np.clip(0.1 + 0.5 * (y - 0.1) + rng.normal(0, 0.2, 900), 0, 1)
    got = capacity_metrics(y, p, dates, ids, 20, n_resamples=100, random_state=0)
    assert got["metric"].tolist() == list(CAPACITY_METRICS)
    assert (got["lower"] <= got["value"]).all() and (got["value"] <= got["upper"]).all()
    again = capacity_metrics(y, p, dates, ids, 20, n_resamples=100, random_state=0)
    assert got.equals(again)
