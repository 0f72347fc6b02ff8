"""Precision, recall and number needed to flag at a capacity, with triage's tie rules."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.metrics import number_needed_to_flag, precision_at_k, recall_at_k

FAST = settings(max_examples=60, deadline=None, database=None)
TIES = ("worst", "expected", "best")


@st.composite
def tied_cases(draw, max_size=6):
    n = draw(st.integers(1, max_size))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    s = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    k = draw(st.integers(1, n))
    return np.array(y), np.array(s, dtype=float), k


def _hits_over_all_orders(y, s, k):
    """True positives in the top k for every order in which ties could be broken."""
    hits = []
    for perm in itertools.permutations(range(len(y))):
        perm = np.array(perm)
        ranked = perm[np.argsort(-s[perm], kind="stable")]
        hits.append(y[ranked[:k]].sum())
    return np.array(hits, dtype=float)


@FAST
@given(tied_cases())
def test_tie_rules_match_brute_force_over_all_tie_orders(case):
    y, s, k = case
    hits = _hits_over_all_orders(y, s, k)
    assert precision_at_k(y, s, k, ties="worst") == pytest.approx(hits.min() / k, abs=1e-12)
    assert precision_at_k(y, s, k, ties="best") == pytest.approx(hits.max() / k, abs=1e-12)
    assert precision_at_k(y, s, k, ties="expected") == pytest.approx(hits.mean() / k, abs=1e-12)
    if y.sum() > 0:
        assert recall_at_k(y, s, k, ties="expected") == pytest.approx(
            hits.mean() / y.sum(), abs=1e-12
        )


@settings(max_examples=100, deadline=None, database=None)
@given(tied_cases(max_size=40))
def test_worst_expected_best_are_ordered(case):
    y, s, k = case
    worst, expected, best = (precision_at_k(y, s, k, ties=t) for t in TIES)
    assert worst <= expected + 1e-12 <= best + 2e-12
    nnf = [number_needed_to_flag(y, s, k, ties=t) for t in TIES]
    assert nnf[0] >= nnf[1] >= nnf[2]


@FAST
@given(st.integers(1, 60), st.integers(0, 2**32 - 1))
def test_without_ties_all_rules_agree_with_a_direct_sort(n, seed):
    rng = np.random.default_rng(seed)
    y, s = rng.integers(0, 2, n), rng.permutation(n) / n
    k = int(rng.integers(1, n + 1))
    direct = y[np.argsort(-s)[:k]].sum()
    for ties in TIES:
        assert precision_at_k(y, s, k, ties=ties) == direct / k
        assert number_needed_to_flag(y, s, k, ties=ties) == (k / direct if direct else math.inf)
        if y.sum():
            assert recall_at_k(y, s, k, ties=ties) == direct / y.sum()


def test_tied_group_at_the_cut_off_by_hand():
    # top 3: 0.9 (positive) then two of the four tied at 0.5 (one positive among them)
    y = [1, 0, 1, 0, 0, 1]
    s = [0.9, 0.5, 0.5, 0.5, 0.5, 0.1]
    assert precision_at_k(y, s, 3, ties="worst") == pytest.approx(1 / 3)
    assert precision_at_k(y, s, 3, ties="best") == pytest.approx(2 / 3)
    assert precision_at_k(y, s, 3) == pytest.approx((1 + 2 * 1 / 4) / 3)
    assert recall_at_k(y, s, 3) == pytest.approx((1 + 2 * 1 / 4) / 3)
    assert number_needed_to_flag(y, s, 3) == pytest.approx(3 / 1.5)
    assert number_needed_to_flag(y, s, 3, ties="worst") == pytest.approx(3.0)


def test_number_needed_to_flag_is_infinite_without_true_positives():
    assert number_needed_to_flag([0, 0, 1], [0.9, 0.8, 0.1], 2) == math.inf
    assert precision_at_k([0, 0, 1], [0.9, 0.8, 0.1], 2) == 0.0


@pytest.mark.parametrize(
    ("n", "top", "k"),
    [
        (1000, 0.05, 50),
        (100, 0.07, 7),
        (100, 0.29, 29),
        (1010, 0.05, 51),
        (10, 0.01, 1),
        (7, 1.0, 7),
    ],
)
def test_top_share_flags_the_ceiling_without_float_noise(n, top, k):
    rng = np.random.default_rng(n)
    y, s = rng.integers(0, 2, n), rng.random(n)
    assert precision_at_k(y, s, top=top) == precision_at_k(y, s, k)
    assert recall_at_k(y, s, top=top) == recall_at_k(y, s, k)


def test_capacity_beyond_the_population_flags_everyone():
    y, s = [1, 0, 1, 0], [0.4, 0.3, 0.2, 0.1]
    assert precision_at_k(y, s, 50) == 0.5
    assert recall_at_k(y, s, 50) == 1.0
    assert number_needed_to_flag(y, s, 50) == 2.0


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "give exactly one of k"),
        ((3,), {"top": 0.1}, "give exactly one of k"),
        ((0,), {}, "k must be a positive integer number of rows; got 0"),
        ((2.0,), {}, "k must be a positive integer number of rows; got 2.0"),
        ((True,), {}, "k must be a positive integer number of rows; got True"),
        ((), {"top": 0.0}, r"top must be a share of the population in \(0, 1\]; got 0.0"),
        ((), {"top": 5}, r"top must be a share of the population in \(0, 1\]; got 5"),
        (
            (3,),
            {"ties": "random"},
            "ties must be one of 'expected', 'worst', 'best'; got 'random'",
        ),
    ],
)
def test_bad_capacity_arguments(args, kwargs, message):
    for metric in (precision_at_k, recall_at_k, number_needed_to_flag):
        with pytest.raises(ValueError, match=message):
            metric([0, 1, 1], [0.1, 0.2, 0.3], *args, **kwargs)


def test_recall_needs_positives():
    with pytest.raises(
        ValueError, match="recall_at_k is undefined: y_true has no positives in 3 rows"
    ):
        recall_at_k([0, 0, 0], [0.1, 0.2, 0.3], 2)
