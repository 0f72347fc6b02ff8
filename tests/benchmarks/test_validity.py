"""The metrics of benchmarks/bench_validity.py against riskmodel's reference metrics."""

import numpy as np
import pytest

from benchmarks._validity import TopShare, paired_difference
from benchmarks.bench_validity import old_default_spec
from riskmodel.metrics import precision_at_k


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.05
    score = np.round(rng.random(n) + 0.5 * y, 1)  # coarse: many ties at every cut
    dates = rng.integers(0, 4, n)
    return y, score, dates


def _reference(y, score, dates, share):
    per_date = []
    for d in np.unique(dates):
        on = dates == d
        per_date.append(precision_at_k(y[on], score[on], max(1, round(share * on.sum()))))
    return np.mean(per_date)


@pytest.mark.parametrize("share", [0.02, 0.1])
def test_top_share_matches_precision_at_k_per_date_with_ties(share):
    y, score, dates = _data()
    assert TopShare(y, score, dates, share).value() == pytest.approx(
        _reference(y, score, dates, share)
    )


def test_weights_equal_repeating_rows():
    y, score, dates = _data(seed=1)
    counts = np.random.default_rng(2).integers(0, 3, len(y))
    rows = np.repeat(np.arange(len(y)), counts)
    expected = _reference(y[rows], score[rows], dates[rows], 0.02)
    assert TopShare(y, score, dates, 0.02).value(counts) == pytest.approx(expected)


def test_paired_difference_of_a_score_with_itself_is_zero_and_better_score_is_positive():
    y, score, dates = _data(seed=3)
    children = np.arange(len(y)) % 500
    assert paired_difference(y, score, score, dates, children, share=0.05, n_resamples=50) == (
        0.0,
        0.0,
        0.0,
    )
    noise = np.random.default_rng(4).random(len(y))
    diff, lower, upper = paired_difference(
        y, y + 0.1 * noise, noise, dates, children, share=0.05, n_resamples=50
    )
    assert lower <= diff <= upper and lower > 0


def test_old_default_spec_holds_the_114_pre_issue_features_the_rules_read():
    old = old_default_spec()
    assert len(old) == 114
    assert {"age_years", "cp_plan_open", "referral_count_365d"} <= set(old.names)
