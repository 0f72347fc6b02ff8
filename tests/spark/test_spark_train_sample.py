"""``train --engine spark --sample-negatives F``: the rows collected are the local sample's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.jobs import JobConfig
from riskmodel.jobs._sampling import sample_frame, training_weights
from riskmodel.jobs._spark import spark_training_frame

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]

DATES = pd.date_range("2019-04-01", "2021-04-01", freq="6MS")


def test_the_spark_job_collects_the_rows_the_local_job_samples(spark):
    data = rm.make_local_authority(n_children=900, random_state=5)
    config = JobConfig(engine="spark", spark_master="local[2]", negative_fraction=0.4)
    got = spark_training_frame(data, DATES, config)
    full = rm.build_training_frame(data, DATES, horizon_months=config.horizon_months)
    want = sample_frame(full, config)
    assert 0 < len(want.y) < len(full.y) and want.y.sum() == full.y.sum()
    pd.testing.assert_frame_equal(got.X, want.X)
    pd.testing.assert_series_equal(got.y, want.y)
    pd.testing.assert_frame_equal(got.keys, want.keys)
    pd.testing.assert_frame_equal(got.groups, want.groups)
    # a care entry counts once, a kept other child-date for the 1 / 0.4 it stands for
    expected = np.where(want.y.to_numpy() == 1, 1.0, 1 / 0.4)
    np.testing.assert_allclose(training_weights(got, config), expected)
