"""On Spark, the training frame equals the local one row for row (Java 17 needed)."""

from __future__ import annotations

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.spark import build_training_frame_spark, collect_training_frame, spark_tables

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]

DATES = pd.date_range("2019-04-01", "2021-04-01", freq="6MS")


def _assert_same(got: rm.TrainingFrame, want: rm.TrainingFrame) -> None:
    pd.testing.assert_frame_equal(got.X, want.X)
    pd.testing.assert_series_equal(got.y, want.y)
    pd.testing.assert_frame_equal(got.keys, want.keys)
    pd.testing.assert_frame_equal(got.groups, want.groups)


def _spark_frame(spark, data, **options):
    tables = spark_tables(spark, data)
    sdf = build_training_frame_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        DATES,
        extract_date=data.end_date,
        **options,
    )
    return sdf


def test_spark_frame_equals_the_local_frame(spark):
    data = rm.make_local_authority(n_children=1_200, random_state=5)
    want = rm.build_training_frame(data, DATES)
    sdf = _spark_frame(spark, data, shard_size=300)
    got = collect_training_frame(sdf, want.spec, want.horizon_months)
    _assert_same(got, want)
    # children in = rows out, counted on Spark
    assert sdf.count() == len(want) + want.n_unlabelled


def test_spark_frame_of_pooled_authorities_with_colliding_ids(spark):
    a = rm.make_local_authority(n_children=700, random_state=5)
    b = rm.make_local_authority(n_children=500, random_state=6)
    pooled = rm.pool_authorities({"E1": a, "E2": b})
    want = rm.build_training_frame(pooled, DATES)
    got = collect_training_frame(_spark_frame(spark, pooled, shard_size=250), want.spec)
    _assert_same(got, want)


@pytest.mark.parametrize("pooled", [False, True], ids=["one authority", "pooled"])
def test_sampling_on_spark_keeps_what_sampling_in_memory_keeps(spark, pooled):
    from riskmodel.frame import sample_negatives
    from riskmodel.spark import sample_negatives_spark, sample_weights

    data = rm.make_local_authority(n_children=900, random_state=5)
    if pooled:
        other = rm.make_local_authority(n_children=500, random_state=6)
        data = rm.pool_authorities({"E1": data, "E2": other})
    want = rm.build_training_frame(data, DATES)
    keep, weights = sample_negatives(want.keys, want.y, 0.3, random_state=2)
    assert 0 < keep.sum() < len(keep)
    sampled = sample_negatives_spark(
        _spark_frame(spark, data, shard_size=300), 0.3, random_state=2
    )
    got = collect_training_frame(sampled, want.spec, want.horizon_months)
    pd.testing.assert_frame_equal(got.X, want.X[keep])
    pd.testing.assert_series_equal(got.y, want.y[keep])
    assert (sample_weights(got.y, 0.3) == weights).all()
