"""The metrics of benchmarks/bench_validity.py against riskmodel's reference metrics."""

import numpy as np
import pandas as pd
import pytest

from benchmarks._recipes import old_default_spec
from benchmarks._validity import SortedAP, TopShare, gap_shares, paired_difference, where_missed
from riskmodel.metrics import average_precision, precision_at_k


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


def test_where_missed_finds_the_group_the_model_ranks_too_low():
    """The achievable knows a rare flag the model ignores: its rows are the misses."""
    rng = np.random.default_rng(5)
    n = 20_000
    flag = rng.random(n) < 0.004
    other = rng.random(n)
    achievable = 0.002 + 0.3 * flag + 0.01 * other
    model = 0.002 + 0.01 * other  # blind to the flag
    y = (rng.random(n) < achievable).astype(float)
    dates = rng.integers(0, 2, n)
    signed = np.where(flag, 0.1, rng.normal(0, 1, n))  # mean near 0: a ratio means nothing
    X = pd.DataFrame(
        {"flag": flag.astype(float), "other": other, "noise": rng.random(n), "change": signed}
    )
    facts, features = where_missed(y, model, achievable, dates, X, share=0.004, below=0.02)
    top = pd.Series(achievable).groupby(dates).rank(ascending=False, pct=True) <= 0.004
    assert facts["rows"] == int(top.sum())
    assert facts["rate"] == pytest.approx(y[top.to_numpy()].mean())
    assert facts["missed"] > 0.7 * facts["rows"]
    assert facts["missed_achievable"] > 10 * facts["missed_model"]
    assert features.index[0] == "flag" and features.loc["flag", "ratio"] > 100
    assert "change" not in features.index


def test_sorted_ap_matches_average_precision_on_repeated_rows():
    y, score, dates = _data(seed=6)
    counts = np.random.default_rng(7).integers(0, 3, len(y))  # zeros: children not drawn
    rows = np.repeat(np.arange(len(y)), counts)
    ap = SortedAP(y, score)
    assert ap.value() == pytest.approx(average_precision(y, score))
    assert ap.value(counts) == pytest.approx(average_precision(y[rows], score[rows]))


def _authority(seed, n=6000):
    rng = np.random.default_rng(seed)
    risk = rng.random(n) ** 4 * 0.4
    y = (rng.random(n) < risk).astype(float)
    old = risk + rng.normal(0, 0.2, n)
    return {
        "y": y,
        "old": old,
        "new": risk + rng.normal(0, 0.05, n),
        "best": risk,
        "dates": rng.integers(0, 3, n),
        "children": np.arange(n) % 2000,
    }


def test_gap_shares_on_one_authority_is_the_gap_closed_with_an_interval_around_it():
    one = _authority(8)
    shares = gap_shares([one], share=0.05, n_resamples=100)
    ap = {k: SortedAP(one["y"], one[k]).value() for k in ("old", "new", "best")}
    assert shares["ap"][0] == pytest.approx((ap["new"] - ap["old"]) / (ap["best"] - ap["old"]))
    for share, lower, upper in shares.values():
        assert lower <= share <= upper and upper - lower > 0.01
    itself = gap_shares([{**one, "new": one["best"]}], share=0.05, n_resamples=20)
    assert itself == {"ap": (1.0, 1.0, 1.0), "top2": (1.0, 1.0, 1.0)}


def test_gap_shares_pools_authorities_as_a_ratio_of_sums():
    a, b = _authority(9), _authority(10)
    pooled = gap_shares([a, b], share=0.05, n_resamples=10)["top2"][0]
    gain = gap = 0.0
    for x in (a, b):
        t = {k: TopShare(x["y"], x[k], x["dates"], 0.05).value() for k in ("old", "new", "best")}
        gain, gap = gain + t["new"] - t["old"], gap + t["best"] - t["old"]
    assert pooled == pytest.approx(gain / gap)


def test_gap_shares_is_undefined_not_an_error_when_there_is_no_gap():
    one = _authority(11)
    shares = gap_shares([{**one, "best": one["old"]}], share=0.05, n_resamples=10)
    assert all(np.isnan(v).all() for v in shares.values())
