"""AFST-style risk bands: twentieths of the scored population."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.metrics import risk_bands

FAST = settings(max_examples=100, deadline=None, database=None)


def test_distinct_scores_fill_twenty_equal_bands():
    rng = np.random.default_rng(0)
    scores = rng.random(1000)
    bands = risk_bands(scores)
    assert bands.dtype == np.int64
    assert np.bincount(bands, minlength=21)[1:].tolist() == [50] * 20
    # band 20 is the top 5 %
    assert set(np.flatnonzero(bands == 20)) == set(np.argsort(scores)[-50:])


def test_bands_follow_the_input_order_and_index():
    scores = pd.Series([0.9, 0.1, 0.5, 0.3], index=["d", "a", "c", "b"])
    assert risk_bands(scores, n_bands=4).tolist() == [4, 1, 3, 2]


def test_tied_scores_share_the_band_of_their_middle():
    # 50 zeros (ranks 1-50, mid-rank 25.5) then 50 distinct scores
    scores = np.concatenate([np.zeros(50), np.linspace(0.1, 1.0, 50)])
    bands = risk_bands(scores)
    assert set(bands[:50]) == {6}  # ceil(20 * 25.5 / 100)
    assert np.bincount(bands[50:], minlength=21)[11:].tolist() == [5] * 10
    assert risk_bands([0.5] * 7).tolist() == [12] * 7  # ceil(20 * 4 / 7)


def test_small_populations():
    assert risk_bands([0.3]).tolist() == [20]
    assert risk_bands([0.1, 0.5, 0.2, 0.9, 0.4, 0.3, 0.8]).tolist() == [3, 15, 6, 20, 12, 9, 18]
    assert risk_bands([]).tolist() == []


@FAST
@given(st.lists(st.integers(0, 30), min_size=1, max_size=200), st.integers(1, 25))
def test_equal_scores_equal_bands_and_monotone(values, n_bands):
    scores = np.array(values, dtype=float)
    bands = risk_bands(scores, n_bands=n_bands)
    assert bands.min() >= 1 and bands.max() <= n_bands
    order = np.argsort(scores, kind="stable")
    assert np.all(np.diff(bands[order]) >= 0)
    for value in np.unique(scores):
        assert len(set(bands[scores == value])) == 1


@FAST
@given(st.integers(1, 300), st.integers(1, 25))
def test_without_ties_bands_are_as_balanced_as_possible(n, n_bands):
    bands = risk_bands(np.random.default_rng(n).permutation(n), n_bands=n_bands)
    sizes = np.bincount(bands, minlength=n_bands + 1)[1:]
    assert sizes.sum() == n
    if n >= n_bands:
        assert sizes.max() - sizes.min() <= 1
    assert bands.max() == n_bands


def test_invalid_input():
    with pytest.raises(ValueError, match=r"y_score contains NaN in 1 of 3 rows \(row 1\)"):
        risk_bands([0.1, np.nan, 0.2])
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="n_bands must be a positive integer"):
            risk_bands([0.1, 0.2], n_bands=bad)
