"""Monitoring reads what scoring writes: a real model's runs, end to end on a small authority."""

from __future__ import annotations

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.cohort import care_entry_labels
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.monitoring import read_score_history, realised_performance
from riskmodel.scoring import score

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
RUNS = ["2022-10-01", "2023-01-01", "2023-10-01"]  # data end 2024-03-31: the last is partial


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    data = rm.make_local_authority(n_children=1_500, random_state=4)
    dates = pd.date_range("2019-04-01", "2021-04-01", freq="QS-APR")
    frame = build_training_frame(data, dates, horizon_months=12)
    model = RiskClassifier("logistic", random_state=0).fit(frame.X, frame.y)
    out = tmp_path_factory.mktemp("scores")
    for as_of in RUNS:
        score(data, model, as_of, capacity=25, reasons=1, out=out, history=out / "history")
    return data, out


@pytest.mark.slow
def test_history_of_written_runs_is_monitored(scored):
    data, out = scored
    history = read_score_history(out)
    assert sorted(history["as_of_date"].dt.date.astype(str).unique()) == RUNS
    latest = pd.read_parquet(out / "scores.parquet")
    last = history[history["as_of_date"] == pd.Timestamp(RUNS[-1])]
    assert last["person_id"].tolist() == latest.sort_values("rank")["person_id"].tolist()
    result = realised_performance(data, history, n_resamples=50, random_state=0)
    runs = result.runs.set_index("as_of_date")
    assert runs["complete"].tolist() == [True, True, False]
    assert runs["flagged"].eq(25).all()
    for as_of in RUNS[:2]:
        run = history[history["as_of_date"] == pd.Timestamp(as_of)]
        label = care_entry_labels(data, run, horizon_months=12).to_numpy() == 1.0
        precision = label[run["flagged"].to_numpy()].mean()
        row = result.overall().set_index(["as_of_date", "metric"])
        assert row.loc[(pd.Timestamp(as_of), "precision_at_capacity"), "value"] == precision
