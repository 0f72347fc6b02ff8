"""A pooled training frame is each authority's own frame, keyed by (authority, child)."""

from __future__ import annotations

import pandas as pd
import pytest

import riskmodel as rm

DATES = pd.date_range("2018-04-01", "2021-04-01", freq="QS")


@pytest.fixture(scope="module")
def pooled():
    a = rm.make_local_authority(n_children=800, random_state=0)
    b = rm.make_local_authority(n_children=600, random_state=1)
    data = rm.pool_authorities({"E1": a, "E2": b})
    return a, b, data, rm.build_training_frame(data, DATES)


def test_each_authoritys_rows_equal_its_own_frame(pooled):
    a, b, data, frame = pooled
    assert frame.X.index.names == ["authority", "person_id", "as_of_date"]
    assert list(frame.keys.columns) == ["authority", "person_id", "as_of_date"]
    spec = frame.spec
    for code, alone in (("E1", a), ("E2", b)):
        own = rm.build_training_frame(alone, DATES, spec=spec)
        part = frame.X.xs(code, level="authority")
        pd.testing.assert_frame_equal(part.sort_index(), own.X.sort_index())
        pd.testing.assert_series_equal(
            frame.y.xs(code, level="authority").sort_index(), own.y.sort_index()
        )
        groups = frame.groups.xs(code, level="authority").drop(columns="authority")
        pd.testing.assert_frame_equal(groups.sort_index(), own.groups.sort_index())
    assert frame.groups["authority"].value_counts().to_dict() == {
        code: int((frame.keys["authority"] == code).sum()) for code in ("E1", "E2")
    }


def test_rows_are_ordered_by_date_and_share_one_index(pooled):
    *_, frame = pooled
    dates = frame.keys["as_of_date"]
    assert dates.is_monotonic_increasing
    index = pd.MultiIndex.from_frame(frame.keys)
    assert frame.X.index.equals(index) and frame.y.index.equals(index)
    assert frame.groups.index.equals(index)
    assert frame.y.dtype == "int64" and frame.y.notna().all()


def test_a_model_splits_fits_and_predicts_on_a_pooled_frame(pooled):
    *_, frame = pooled
    split = rm.TemporalSplit(n_splits=1, test_duration=3)
    (train, test), *_ = list(split.split(frame.X))
    model = rm.RiskClassifier(calibration="temperature", random_state=0)
    model.fit(frame.X.iloc[train], frame.y.iloc[train])
    p = model.predict_proba(frame.X.iloc[test])[:, 1]
    assert len(p) == len(test) and ((p > 0) & (p < 1)).all()


def test_an_authority_that_cannot_be_framed_is_named(pooled):
    a, b, *_ = pooled
    empty = rm.LocalAuthorityData(b.persons, b.events, b.care_episodes.iloc[:0])
    data = rm.pool_authorities({"E1": a, "E2": empty})
    with pytest.raises(rm.SchemaError, match="authority E2: labels need the SSDA903"):
        rm.build_training_frame(data, DATES)
