"""The sharded, streamed training frame has exactly the rows of the in-memory one."""

from __future__ import annotations

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.frame import iter_shards

DATES = pd.date_range("2018-04-01", "2022-04-01", freq="6MS")


@pytest.fixture(scope="module")
def authority():
    return rm.make_local_authority(n_children=1_500, random_state=3)


def _assert_same(got: rm.TrainingFrame, want: rm.TrainingFrame) -> None:
    pd.testing.assert_frame_equal(got.X, want.X)
    pd.testing.assert_series_equal(got.y, want.y)
    pd.testing.assert_frame_equal(got.keys, want.keys)
    pd.testing.assert_frame_equal(got.groups, want.groups)
    pd.testing.assert_frame_equal(got.cohort, want.cohort)
    assert got.n_unlabelled == want.n_unlabelled
    assert got.spec.to_dict() == want.spec.to_dict()


def test_shards_keep_households_whole_and_every_child_once(authority):
    shards = list(iter_shards(authority, shard_size=300))
    assert len(shards) == 5
    ids = pd.concat([s.persons["person_id"] for *_, s in shards])
    assert ids.is_unique and set(ids) == set(authority.persons["person_id"])
    households = [set(s.persons["household_id"].dropna()) for *_, s in shards]
    for i, a in enumerate(households):
        for b in households[i + 1 :]:
            assert not a & b  # no household in two shards
    assert sum(len(s.events) for *_, s in shards) == len(authority.events)
    assert all(s.extract_date == authority.end_date for *_, s in shards)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sharded_frame_equals_the_in_memory_frame(authority, tmp_path, n_jobs):
    want = rm.build_training_frame(authority, DATES)
    manifest = rm.write_training_frame(
        authority, tmp_path / "frame", DATES, shard_size=300, n_jobs=n_jobs
    )
    assert len(manifest["shards"]) == 5
    assert sum(s["rows"] for s in manifest["shards"]) == len(want) + want.n_unlabelled
    got = rm.read_training_frame(tmp_path / "frame")
    _assert_same(got, want)
    kept = rm.read_training_frame(tmp_path / "frame", drop_unlabelled=False)
    full = rm.build_training_frame(authority, DATES, drop_unlabelled=False)
    _assert_same(kept, full)


def test_sharded_pooled_frame_equals_the_in_memory_pooled_frame(authority, tmp_path):
    other = rm.make_local_authority(n_children=700, random_state=4)
    pooled = rm.pool_authorities({"E1": authority, "E2": other})
    want = rm.build_training_frame(pooled, DATES)
    rm.write_training_frame(pooled, tmp_path / "frame", DATES, shard_size=400)
    got = rm.read_training_frame(tmp_path / "frame")
    _assert_same(got, want)
    only = rm.read_training_frame(tmp_path / "frame", authorities=["E2"])
    assert set(only.keys["authority"]) == {"E2"}  # still keyed by authority
    alone = rm.build_training_frame(other, DATES, spec=want.spec)
    pd.testing.assert_frame_equal(only.X.droplevel("authority"), alone.X)


def test_a_region_directory_is_read_one_authority_at_a_time(authority, tmp_path):
    other = rm.make_local_authority(n_children=700, random_state=4)
    for code, data in (("E1", authority), ("E2", other)):
        rm.write_data(data, tmp_path / "region" / f"authority={code}")
    want = rm.build_training_frame(rm.pool_authorities({"E1": authority, "E2": other}), DATES)
    rm.write_training_frame(tmp_path / "region", tmp_path / "frame", DATES, shard_size=500)
    _assert_same(rm.read_training_frame(tmp_path / "frame"), want)


@pytest.mark.parametrize("pooled", [False, True], ids=["one authority", "pooled"])
def test_sampled_read_keeps_what_sampling_the_whole_frame_keeps(authority, tmp_path, pooled):
    from riskmodel.frame import read_training_sample, sample_negatives

    data = authority
    if pooled:
        other = rm.make_local_authority(n_children=700, random_state=4)
        data = rm.pool_authorities({"E1": authority, "E2": other})
    rm.write_training_frame(data, tmp_path / "frame", DATES, shard_size=300)
    whole = rm.build_training_frame(data, DATES)
    keep, weights = sample_negatives(whole.keys, whole.y, 0.3, random_state=5)
    assert 0 < keep.sum() < len(keep) and whole.y[keep].sum() == whole.y.sum()
    got, got_weights = read_training_sample(tmp_path / "frame", 0.3, random_state=5)
    pd.testing.assert_frame_equal(got.X, whole.X[keep])
    pd.testing.assert_series_equal(got.y, whole.y[keep])
    pd.testing.assert_frame_equal(got.keys, whole.keys[keep].reset_index(drop=True))
    pd.testing.assert_frame_equal(got.groups, whole.groups[keep])
    assert got.cohort.empty
    assert (got_weights == weights).all()
