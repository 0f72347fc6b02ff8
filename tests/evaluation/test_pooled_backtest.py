"""A pooled backtest reports each authority's own figures and pooling against going alone."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import riskmodel as rm
from riskmodel.evaluation import MODEL
from riskmodel.evaluation._keys import child_ids, list_ids

DATES = pd.date_range("2016-04-01", "2022-04-01", freq="QS")
CAPACITY = 5


def _model():
    return rm.RiskClassifier(estimator="logistic", calibration="sigmoid", random_state=0)


def _split():
    return rm.TemporalSplit(n_splits=2, test_duration=12)


def _backtest(frame, **kwargs):
    """A backtest of small authorities: its folds' small-sample warnings are expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.DataQualityWarning)
        return rm.backtest(_model(), frame, _split(), capacity=CAPACITY, **kwargs)


@pytest.fixture(scope="module")
def region():
    alone = {
        "E1": rm.make_local_authority(n_children=5000, random_state=0),
        "E2": rm.make_local_authority(n_children=3000, random_state=1),
    }
    data = rm.pool_authorities(alone)
    frame = rm.build_training_frame(data, DATES, drop_unlabelled=True)
    result = _backtest(frame, n_resamples=20)
    return alone, frame, result


def test_person_ids_repeat_across_authorities_but_children_do_not(region):
    _, frame, result = region
    preds = result.predictions[result.predictions["model"] == MODEL]
    by_person = preds.groupby("person_id")["authority"].nunique()
    assert (by_person > 1).any(), "the fixture should reuse person ids across authorities"
    children = pd.unique(child_ids(preds))
    assert len(children) == len(preds[["authority", "person_id"]].drop_duplicates())
    lists = pd.unique(list_ids(preds))
    assert len(lists) == len(preds[["authority", "as_of_date"]].drop_duplicates())


def test_each_authoritys_figures_are_its_own_rows(region):
    _, _, result = region
    table = result.by_authority
    assert set(table["authority"]) == {"E1", "E2"}
    preds = result.predictions
    for code in ("E1", "E2"):
        mine = preds[(preds["authority"] == code) & (preds["model"] == MODEL)]
        row = table[(table["authority"] == code) & (table["model"] == MODEL)].set_index("metric")
        assert row.loc["roc_auc", "value"] == pytest.approx(
            roc_auc_score(mine["y_true"], mine["y_score"])
        )
        # capacity is per list: the authority's own top CAPACITY at each date
        per_date = [
            day.nlargest(CAPACITY, "y_score")["y_true"].mean()
            for _, day in mine.groupby("as_of_date")
        ]
        assert row.loc["precision_at_capacity", "value"] == pytest.approx(np.mean(per_date))
        assert row.loc["roc_auc", "n_test"] == len(mine)
        assert row.loc["roc_auc", "test_positives"] == mine["y_true"].sum()


def test_pooled_capacity_is_taken_within_each_authority(region):
    _, _, result = region
    preds = result.predictions[result.predictions["model"] == MODEL]
    per_list = [
        day.nlargest(CAPACITY, "y_score")["y_true"].mean()
        for _, day in preds.groupby(["authority", "as_of_date"])
    ]
    assert result.value("precision_at_capacity") == pytest.approx(np.mean(per_list))


def test_own_model_is_the_authority_backtested_alone(region):
    alone, frame, result = region
    own = result.pooled_vs_own.set_index(["authority", "metric"])
    for code, data in alone.items():
        single = rm.build_training_frame(data, DATES, spec=frame.spec, drop_unlabelled=True)
        by_itself = _backtest(single, baselines={}, n_resamples=0)
        assert own.loc[(code, "average_precision"), "own"] == pytest.approx(
            by_itself.value("average_precision"), rel=1e-6
        )
        assert own.loc[(code, "precision_at_capacity"), "own"] == pytest.approx(
            by_itself.value("precision_at_capacity"), rel=1e-6
        )
    pooled = result.by_authority.set_index(["authority", "model", "metric"])
    for code in alone:
        assert own.loc[(code, "average_precision"), "pooled"] == pytest.approx(
            pooled.loc[(code, MODEL, "average_precision"), "value"]
        )
    difference = own["pooled"] - own["own"]
    np.testing.assert_allclose(own["difference"], difference)
    assert (own["lower"] <= own["difference"]).all() and (own["difference"] <= own["upper"]).all()


def test_an_authority_without_care_entries_in_training_has_no_own_model_and_says_so():
    busy = rm.make_local_authority(n_children=5000, random_state=0)
    quiet = rm.make_local_authority(n_children=150, random_state=5)
    # its episodes all began before the first as-of date: no care entry to learn from
    early = quiet.care_episodes[quiet.care_episodes["start_date"] < DATES[0]]
    quiet = dataclasses.replace(quiet, care_episodes=early)
    data = rm.pool_authorities({"E1": busy, "E9": quiet})
    frame = rm.build_training_frame(data, DATES, drop_unlabelled=True)
    result = _backtest(frame, n_resamples=0)
    notes = result.notes[result.notes["model"] == "own model"]["note"]
    assert notes.str.contains("authority E9: no care entry").any()
    assert set(result.pooled_vs_own["authority"]) == {"E1"}


def test_own_models_need_a_pooled_frame():
    data = rm.make_local_authority(n_children=800, random_state=0)
    frame = rm.build_training_frame(data, DATES, drop_unlabelled=True)
    with pytest.raises(ValueError, match="two or more authorities"):
        _backtest(frame, own_models=True, n_resamples=0)
    result = _backtest(frame, n_resamples=0)
    assert result.by_authority.empty and result.pooled_vs_own.empty
