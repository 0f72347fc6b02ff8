"""Scoring pooled data: each authority is scored, ranked and written as if alone."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.scoring import score

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
AS_OF = pd.Timestamp("2023-04-01")
DATES = pd.date_range("2017-04-01", "2022-04-01", freq="QS-APR")


@pytest.fixture(scope="module")
def region():
    data = rm.pool_authorities(
        {
            "E1": rm.make_local_authority(n_children=2500, random_state=1),
            "E2": rm.make_local_authority(n_children=1500, random_state=2),
        }
    )
    alone = dict(data.by_authority())  # each authority's own tables, its code on them
    frame = rm.build_training_frame(data, DATES)
    return alone, data, frame


@pytest.fixture(scope="module")
def model(region):
    *_, frame = region
    return rm.RiskClassifier(random_state=0).fit(frame.X, frame.y, feature_spec=frame.spec)


def test_each_authority_is_ranked_and_flagged_within_itself(region, model):
    alone, data, _ = region
    pooled = score(data, model, AS_OF, capacity=10)
    assert list(pooled.scores.columns[:2]) == ["authority", "person_id"]
    assert len(pooled.scores) + len(pooled.exclusions) == len(data.persons)
    for code, own_data in alone.items():
        own = score(own_data, model, AS_OF, capacity=10).scores
        mine = pooled.scores[pooled.scores["authority"] == code].drop(columns="authority")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), own)
        assert mine["flagged"].sum() == 10
        excluded = pooled.exclusions[pooled.exclusions["authority"] == code]
        assert len(mine) + len(excluded) == len(own_data.persons)


def test_each_authority_gets_its_own_folder_and_history(region, model, tmp_path):
    _, data, _ = region
    result = score(data, model, AS_OF, capacity=10, out=tmp_path, team_list=False)
    for code in ("E1", "E2"):
        folder = tmp_path / f"authority={code}"
        written = pd.read_parquet(result.files[f"{code}/scores"])
        assert result.files[f"{code}/scores"].is_relative_to(folder)
        assert set(written["person_id"]) == set(
            result.scores.loc[result.scores["authority"] == code, "person_id"]
        )
    later = score(data, model, AS_OF + pd.DateOffset(months=3), capacity=10, out=tmp_path)
    assert later.scores["previous_band"].notna().any()  # each authority's own history


def test_a_model_calibrated_within_authority_scores_with_each_offset(region):
    alone, _, frame = region
    within = rm.RiskClassifier(random_state=0, calibrate_within="authority")
    with warnings.catch_warnings():  # small authorities: few care entries to calibrate on
        warnings.filterwarnings("ignore", "calibrate_within", DataQualityWarning)
        within.fit(frame.X, frame.y, feature_spec=frame.spec)
    shared = rm.RiskClassifier(random_state=0).fit(frame.X, frame.y, feature_spec=frame.spec)
    for code, own_data in alone.items():
        a = score(own_data, within, AS_OF).scores.sort_values("person_id")
        b = score(own_data, shared, AS_OF).scores.sort_values("person_id")
        ratio = a["risk_score"].to_numpy() / b["risk_score"].to_numpy()
        # one shift of the log-odds per authority: higher or lower for every child alike
        assert (np.sign(np.log(ratio)) == np.sign(within.group_offsets_[code])).all()
    unnamed = rm.make_local_authority(n_children=300, random_state=3)
    with pytest.raises(rm.SchemaError, match="name no authority"):
        score(unnamed, within, AS_OF)
