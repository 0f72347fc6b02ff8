"""Report inputs shared by the report's tests: a backtest, an audit and rendered pages."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from report_pages import CAPACITY, MIN_GROUP, render, simulate

from riskmodel.evaluation import backtest
from riskmodel.fairness import audit_fairness
from riskmodel.models import RiskClassifier
from riskmodel.splits import TemporalSplit


def _achievable(truth):
    """Stand-in for the best achievable from the records: the truth, blurred."""
    noise = np.random.default_rng(1).normal(0, 0.6, len(truth))
    return 1 / (1 + np.exp(-(np.log(truth / (1 - truth)) + noise)))


@pytest.fixture(scope="session")
def inputs():
    frame, truth = simulate()
    result = backtest(
        RiskClassifier("logistic", calibration="sigmoid", random_state=0),
        frame,
        TemporalSplit(n_splits=2, test_duration=12),
        capacity=CAPACITY,
        truth=truth,
        achievable=_achievable(truth),
        n_resamples=40,
    )
    preds = result.predictions[result.predictions["model"] == "model"]
    keys = pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
    audit = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        frame.groups.reindex(keys).reset_index(drop=True),
        capacity=CAPACITY,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        min_group_size=MIN_GROUP + 1,
        n_resamples=60,
        random_state=0,
    )
    return SimpleNamespace(frame=frame, truth=truth, backtest=result, audit=audit)


@pytest.fixture(scope="session")
def synthetic_html(inputs, tmp_path_factory) -> str:
    return render(inputs, tmp_path_factory.mktemp("report") / "review.html")


@pytest.fixture(scope="session")
def real_html(inputs, tmp_path_factory) -> str:
    return render(inputs, tmp_path_factory.mktemp("report") / "review.html", synthetic=False)
