"""precision_at_top_share against precision_at_k applied date by date."""

import numpy as np
import pytest

from riskmodel.metrics import precision_at_k, precision_at_top_share
from riskmodel.metrics._top_share import PerDateTop


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.05).astype(int)
    score = np.round(rng.random(n) + 0.5 * y, 1)  # coarse: ties at every cut
    dates = rng.integers(0, 5, n)
    return y, score, dates


def _reference(y, score, dates, share):
    per_date = []
    for d in np.unique(dates):
        on = dates == d
        k = max(1, round(share * on.sum()))
        per_date.append(precision_at_k(y[on], score[on], k, ties="expected"))
    return np.mean(per_date)


@pytest.mark.parametrize("share", [0.02, 0.1, 0.5])
def test_equals_precision_at_k_within_each_date_with_ties(share):
    y, score, dates = _data()
    assert precision_at_top_share(y, score, groups=dates, share=share) == pytest.approx(
        _reference(y, score, dates, share)
    )


def test_without_groups_it_is_precision_at_k_of_one_list():
    y, score, _ = _data(seed=1)
    assert precision_at_top_share(y, score, share=0.05) == pytest.approx(
        precision_at_k(y, score, round(0.05 * len(y)))
    )


def test_weights_equal_repeated_rows_and_zero_weights_drop_rows():
    y, score, dates = _data(seed=2)
    counts = np.random.default_rng(3).integers(0, 3, len(y))
    rows = np.repeat(np.arange(len(y)), counts)
    top = PerDateTop(y, score, dates, share=0.02)
    assert top.precision(counts) == pytest.approx(
        _reference(y[rows], score[rows], dates[rows], 0.02)
    )


def test_fixed_k_recall_per_date():
    y, score, dates = _data(seed=4)
    top = PerDateTop(y, score, dates, k=30)
    expected = []
    for d in np.unique(dates):
        on = dates == d
        expected.append(precision_at_k(y[on], score[on], 30) * 30 / y[on].sum())
    assert top.recall() == pytest.approx(np.mean(expected))


@pytest.mark.parametrize("share", [0, 1.5, True])
def test_share_must_be_in_the_unit_interval(share):
    with pytest.raises(ValueError, match=r"share must be a number in \(0, 1\]"):
        precision_at_top_share([0, 1], [0.1, 0.2], share=share)


def test_groups_must_have_a_label_per_row():
    with pytest.raises(ValueError, match=r"groups must have one label per row \(2\)"):
        precision_at_top_share([0, 1], [0.1, 0.2], groups=[1])
