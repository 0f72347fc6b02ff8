"""A small real backtest of two models, for the Displays' tests."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import riskmodel as rm

DATES = pd.date_range("2017-01-01", periods=16, freq="3MS")
N_CHILDREN = 200


def _frame() -> rm.TrainingFrame:
    """Quarterly rows of 200 children, about 15% positive, with one informative signal."""
    rng = np.random.default_rng(0)
    ids = np.array([f"C{i:04d}" for i in range(N_CHILDREN)])
    rows = pd.DataFrame({"as_of_date": DATES}).merge(pd.DataFrame({"person_id": ids}), how="cross")
    rows = rows[["person_id", "as_of_date"]]
    y = (rng.random(len(rows)) < 0.15).astype("int64")
    index = pd.MultiIndex.from_frame(rows)
    X = pd.DataFrame({"signal": y + rng.normal(0, 1, len(y))}, index=index)
    return rm.TrainingFrame(
        X=X,
        y=pd.Series(y, index=index, name="care_entry"),
        keys=rows.reset_index(drop=True),
        groups=pd.DataFrame({"sex": "F"}, index=index),
        cohort=rows.assign(age=14, in_cohort=True, reason=None),
        horizon_months=12,
        spec=rm.default_spec(),
    )


@pytest.fixture(scope="session")
def small_backtest() -> rm.BacktestResult:
    """A backtest of a model and a weaker baseline over two yearly folds, capacity 10."""
    return rm.backtest(
        LogisticRegression(),
        _frame(),
        rm.TemporalSplit(2),
        capacity=10,
        baselines={"weak": LogisticRegression(C=1e-6)},
        n_resamples=0,
    )


@pytest.fixture
def no_open_figures():
    """Start with no pyplot figure open, so a test can check that it opened none."""
    plt.close("all")
    yield
    plt.close("all")
