"""Temporal (rolling-origin) splits: ordering, gap, errors, scikit-learn use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_validate
from threadpoolctl import threadpool_limits

from riskmodel.exceptions import LeakageError
from riskmodel.splits import TemporalSplit


def monthly(n, start="2018-04-01"):
    return pd.Series(pd.date_range(start, periods=n, freq="MS"))


def frame_over(dates, per_date=3, seed=0):
    """A small frame indexed by (person_id, as_of_date) like TrainingFrame.X."""
    rng = np.random.default_rng(seed)
    dates = pd.DatetimeIndex(dates)
    index = pd.MultiIndex.from_arrays(
        [
            [f"c{i}" for i in range(per_date)] * len(dates),
            np.repeat(dates.to_numpy(), per_date),
        ],
        names=["person_id", "as_of_date"],
    )
    x = rng.normal(size=len(index))
    y = pd.Series((x + rng.normal(size=len(index)) > 1).astype(int), index=index)
    return pd.DataFrame({"x": x, "noise": rng.normal(size=len(index))}, index=index), y


def fold_dates(cv, dates):
    dates = pd.Series(pd.DatetimeIndex(dates))
    return [
        (pd.DatetimeIndex(dates[tr].unique()), pd.DatetimeIndex(dates[te].unique()))
        for tr, te in cv.split(None, groups=dates)
    ]


def test_folds_on_monthly_dates_match_a_hand_worked_example():
    dates = monthly(48)  # 2018-04 .. 2022-03
    folds = fold_dates(TemporalSplit(3, test_duration=6, horizon_months=12), dates)
    assert len(folds) == 3
    expected_tests = [
        ("2020-10-01", "2021-03-01"),
        ("2021-04-01", "2021-09-01"),
        ("2021-10-01", "2022-03-01"),
    ]
    for (train, test), (first, last) in zip(folds, expected_tests, strict=True):
        assert (test.min(), test.max()) == (pd.Timestamp(first), pd.Timestamp(last))
        assert len(test) == 6
        assert train.min() == pd.Timestamp("2018-04-01")
        assert train.max() == test.min() - pd.DateOffset(months=12)


def test_split_yields_integer_positions_covering_rows_of_the_chosen_dates():
    X, _ = frame_over(monthly(30), per_date=4)
    for train, test in TemporalSplit(2, test_duration=3, horizon_months=6).split(X):
        assert train.dtype.kind == "i" and test.dtype.kind == "i"
        assert len(np.intersect1d(train, test)) == 0
        dates = X.index.get_level_values("as_of_date")
        assert dates[train].max() < dates[test].min()
        # every row of a chosen date is taken
        assert len(test) == 4 * dates[test].nunique()


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.sets(st.integers(0, 120), min_size=1, max_size=60),
    n_splits=st.integers(1, 4),
    test_duration=st.integers(1, 18),
    horizon=st.integers(1, 24),
    extra_gap=st.integers(0, 6),
    max_train=st.one_of(st.none(), st.integers(1, 36)),
)
@example(offsets={98, 102}, n_splits=1, test_duration=1, horizon=1, extra_gap=0, max_train=3)
def test_every_fold_trains_strictly_before_its_test_with_the_gap(
    offsets, n_splits, test_duration, horizon, extra_gap, max_train
):
    dates = pd.DatetimeIndex(
        [pd.Timestamp("2015-01-31") + pd.DateOffset(months=o) for o in offsets]
    )
    cv = TemporalSplit(
        n_splits,
        test_duration=test_duration,
        gap=horizon + extra_gap,
        horizon_months=horizon,
        max_train_duration=max_train,
    )
    try:
        folds = fold_dates(cv, dates)
    except ValueError as exc:
        assert "as-of date" in str(exc)
        return
    assert len(folds) == n_splits == cv.get_n_splits()
    last = dates.max()
    assert last in folds[-1][1]
    for k, (train, test) in enumerate(reversed(folds)):
        window_end = last - pd.DateOffset(months=k * test_duration)
        window_start = last - pd.DateOffset(months=(k + 1) * test_duration)
        assert ((test > window_start) & (test <= window_end)).all()
        assert len(train) >= 1
        assert train.max() < test.min()
        # no training label window (as_of, as_of + horizon] reaches past the test start
        assert train.max() + pd.DateOffset(months=horizon + extra_gap) <= test.min()
        if max_train is not None:
            # months back from the last allowed training date, as documented (month ends
            # do not add up: 2023-07-31 - 1 month - 3 months != 2023-07-31 - 4 months)
            train_end = test.min() - pd.DateOffset(months=horizon + extra_gap)
            assert train.min() > train_end - pd.DateOffset(months=max_train)
    starts = [test.min() for _, test in folds]
    assert starts == sorted(starts)


def test_a_gap_shorter_than_the_horizon_is_leakage():
    with pytest.raises(
        LeakageError, match="gap of 6 months is shorter than the label horizon of 12"
    ):
        TemporalSplit(gap=6, horizon_months=12)
    with pytest.raises(LeakageError):
        TemporalSplit(gap="11M", horizon_months=12)
    with pytest.raises(LeakageError):
        TemporalSplit(gap=0)
    assert TemporalSplit(gap=12, horizon_months=12).gap_months_ == 12
    assert TemporalSplit(horizon_months=18).gap_months_ == 18


@pytest.mark.parametrize("value", ["12M", "1Y", 0, 1.5, True])
def test_the_horizon_is_a_whole_number_of_months(value):
    with pytest.raises(ValueError, match="horizon_months must be a whole number of months"):
        TemporalSplit(horizon_months=value)


def test_a_larger_gap_moves_training_further_back():
    dates = monthly(48)
    ((train12, test12),) = fold_dates(TemporalSplit(1, horizon_months=12), dates)
    ((train18, test18),) = fold_dates(TemporalSplit(1, gap=18, horizon_months=12), dates)
    assert test12.equals(test18)
    assert train12.max() - pd.DateOffset(months=6) == train18.max()


def test_max_train_duration_and_min_train_dates():
    dates = monthly(48)
    ((train, test),) = fold_dates(
        TemporalSplit(1, horizon_months=12, max_train_duration=12), dates
    )
    assert len(train) == 12
    assert train.max() == test.min() - pd.DateOffset(months=12)
    with pytest.raises(ValueError, match="needs at least 30"):
        list(TemporalSplit(1, horizon_months=12, min_train_dates=30).split(None, groups=dates))


def test_too_few_dates_for_the_folds_raises_a_clear_error():
    cv = TemporalSplit(3, test_duration=12, horizon_months=12)
    with pytest.raises(ValueError, match=r"not enough as-of dates for 3 folds: fold 1 .* has 0"):
        list(cv.split(None, groups=monthly(40)))
    annual = pd.Series(pd.date_range("2019-04-01", periods=3, freq="12MS"))
    with pytest.raises(ValueError, match="test window"):
        list(TemporalSplit(2, test_duration=6).split(None, groups=annual.iloc[[0, 2]]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_splits": 0}, "n_splits"),
        ({"n_splits": 2.5}, "n_splits"),
        ({"min_train_dates": 0}, "min_train_dates"),
        ({"test_duration": "2W"}, "test_duration"),
        ({"max_train_duration": 0}, "max_train_duration"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TemporalSplit(**kwargs)


def test_dates_come_from_groups_index_level_or_column():
    X, _ = frame_over(monthly(30))
    cv = TemporalSplit(2, test_duration=3)
    from_index = [tuple(map(list, f)) for f in cv.split(X)]
    flat = X.reset_index()
    from_column = [tuple(map(list, f)) for f in cv.split(flat)]
    from_groups = [
        tuple(map(list, f))
        for f in cv.split(flat.drop(columns="as_of_date").to_numpy(), groups=flat["as_of_date"])
    ]
    assert from_index == from_column == from_groups
    with pytest.raises(ValueError, match="needs the as-of date of each row"):
        list(cv.split(X.to_numpy()))
    with pytest.raises(ValueError, match="got numbers"):
        list(cv.split(X, groups=np.arange(len(X))))
    with pytest.raises(ValueError, match="groups: expected the as-of date"):
        list(cv.split(X, groups=["c1"] * len(X)))


def test_works_as_cv_in_scikit_learn():
    X, y = frame_over(monthly(36), per_date=40)
    cv = TemporalSplit(3, test_duration=6, horizon_months=12)
    result = cross_validate(LogisticRegression(), X, y, cv=cv, scoring="roc_auc")
    assert len(result["test_score"]) == 3
    assert (result["test_score"] > 0.7).all()


def test_folds_table_describes_each_fold():
    X, _ = frame_over(monthly(36), per_date=5)
    table = TemporalSplit(2, test_duration=6, horizon_months=12).folds(X)
    assert table["fold"].tolist() == [1, 2]
    assert table["n_test_dates"].tolist() == [6, 6]
    assert (table["n_test"] == 5 * table["n_test_dates"]).all()
    assert (table["n_train"] == 5 * table["n_train_dates"]).all()
    assert table.loc[1, "test_end"] == pd.Timestamp("2021-03-01")
    assert (table["train_end"] + pd.DateOffset(months=12) == table["test_start"]).all()


def drifting_frame(n_children=800, n_months=48, seed=0):
    """Monthly rows of the same children with a care-entry label and a drifting signal.

    About 30% of children enter care once, at a random month; a row is positive when
    the entry falls in the next 12 months. ``signal`` tells positives apart, but less
    and less well over time (recording practice drifts); ``trait`` is a stable
    attribute of each child that says nothing about risk in general.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2018-04-01", periods=n_months, freq="MS")
    entry = np.where(
        rng.random(n_children) < 0.3, rng.integers(1, n_months + 12, n_children), 10**6
    )
    child = np.repeat(np.arange(n_children), n_months)
    month = np.tile(np.arange(n_months), n_children)
    y = ((entry[child] > month) & (entry[child] <= month + 12)).astype(int)
    strength = np.linspace(2.0, 0.3, n_months)[month]
    index = pd.MultiIndex.from_arrays(
        [pd.Index([f"c{i}" for i in child]), dates[month]], names=["person_id", "as_of_date"]
    )
    X = pd.DataFrame(
        {
            "signal": strength * y + rng.normal(size=len(y)),
            "trait": rng.normal(size=n_children)[child],
        },
        index=index,
    )
    return X, pd.Series(y, index=index)


def test_a_random_split_flatters_the_model_compared_with_the_temporal_split():
    """A random split reports a better ROC AUC than the temporal split on drifting data.

    Why the random split is optimistic: each child appears at every monthly as-of
    date, and a child who enters care is positive at the twelve as-of dates before
    the entry. A random split puts some of those rows in training and the rest in
    testing, so the model recognises the child (here through the stable ``trait``)
    instead of predicting anything. It also trains on rows from after its test rows,
    when the relationship between ``signal`` and the outcome is different, which
    never happens in use. The temporal split trains only on the past, as deployment
    does, and gives the honest (lower) estimate: that is why it is the default.
    """
    X, y = drifting_frame()
    model = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    random_cv = KFold(n_splits=3, shuffle=True, random_state=0)
    temporal_cv = TemporalSplit(3, test_duration=6, horizon_months=12)
    with threadpool_limits(1):  # OpenMP threads crawl on a busy two-core machine
        random_auc = cross_validate(model, X, y, cv=random_cv, scoring="roc_auc")["test_score"]
        temporal_auc = cross_validate(model, X, y, cv=temporal_cv, scoring="roc_auc")["test_score"]
    assert random_auc.mean() > temporal_auc.mean() + 0.08
    assert random_auc.min() > temporal_auc.max()
