"""Too little to learn from: small training sets and backtest folds are said, not crashed on."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from riskmodel.evaluation import MIN_CARE_ENTRIES, backtest
from riskmodel.evaluation._sample_size import check_training_size
from riskmodel.exceptions import DataQualityWarning, SchemaError
from riskmodel.features import default_spec
from riskmodel.frame import TrainingFrame
from riskmodel.splits import TemporalSplit

DATES = pd.date_range("2017-01-01", periods=16, freq="3MS")
SPLIT = TemporalSplit(2, test_duration=12, horizon_months=12)


def _frame(positives_at: dict[str, int], n_children: int = 200) -> TrainingFrame:
    """Quarterly rows of ``n_children``; ``positives_at`` maps an as-of date to its entrants."""
    ids = np.array([f"C{i:04d}" for i in range(n_children)])
    rows = pd.DataFrame({"as_of_date": DATES}).merge(pd.DataFrame({"person_id": ids}), how="cross")
    rows = rows[["person_id", "as_of_date"]]
    y = np.zeros(len(rows), dtype="int64")
    for date, n in positives_at.items():
        at = np.flatnonzero(rows["as_of_date"].to_numpy() == np.datetime64(pd.Timestamp(date)))
        y[at[:n]] = 1
    index = pd.MultiIndex.from_frame(rows)
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": y + rng.normal(0, 1, len(y))}, index=index)
    groups = pd.DataFrame({"sex": "F"}, index=index)
    cohort = rows.assign(age=14, in_cohort=True, reason=None)
    return TrainingFrame(
        X=X,
        y=pd.Series(y, index=index, name="care_entry"),
        keys=rows.reset_index(drop=True),
        groups=groups,
        cohort=cohort,
        horizon_months=12,
        spec=default_spec(),
    )


def _run(frame):
    return backtest(LogisticRegression(), frame, SPLIT, baselines={}, n_resamples=0)


def test_the_threshold_is_twenty_care_entries():
    assert MIN_CARE_ENTRIES == 20


def test_enough_care_entries_in_every_fold_is_silent(recwarn):
    frame = _frame({str(d.date()): 10 for d in DATES})
    result = _run(frame)
    assert not [w for w in recwarn if issubclass(w.category, DataQualityWarning)]
    assert (result.folds[["train_positives", "test_positives"]] >= MIN_CARE_ENTRIES).all().all()


def test_a_fold_with_few_test_entries_is_named_with_its_dates_and_counts():
    # 5 entrants a quarter: the test years hold 20, the last fold's tests are thin
    frame = _frame(
        {**{str(d.date()): 10 for d in DATES[:12]}, **{str(d.date()): 1 for d in DATES[12:]}}
    )
    with pytest.warns(DataQualityWarning) as caught:
        result = _run(frame)
    messages = [str(w.message) for w in caught]
    fold2 = result.folds.iloc[1]
    expected = (
        f"backtest fold 2: test rows {fold2['test_start'].date()} to {fold2['test_end'].date()}: "
        f"{int(fold2['n_test']):,} child-dates, {int(fold2['test_positives'])} care entries: "
        f"fewer than {MIN_CARE_ENTRIES} care entries"
    )
    assert any(m.startswith(expected) for m in messages), messages
    assert not any(m.startswith("backtest fold 1: test") for m in messages)


def test_a_fold_with_few_training_entries_warns():
    frame = _frame({str(DATES[0].date()): 5, **{str(d.date()): 10 for d in DATES[8:]}})
    with pytest.warns(DataQualityWarning) as caught:
        _run(frame)
    messages = [str(w.message) for w in caught]
    expected = "backtest fold 1: training rows 2017-01-01 to 2018-01-01: 1,000 child-dates, "
    assert any(m.startswith(expected + "5 care entries: fewer than 20") for m in messages)


def test_no_entries_in_a_fold_s_training_rows_is_an_error_naming_the_fold():
    frame = _frame({str(d.date()): 10 for d in DATES[10:]})
    folds = list(SPLIT.split(frame.X))
    dates = frame.keys["as_of_date"].iloc[folds[0][0]]
    message = (
        f"backtest fold 1: training rows {dates.min().date()} to {dates.max().date()}: "
        f"{len(folds[0][0]):,} child-dates, 0 care entries: no care entry to learn from"
    )
    with pytest.raises(SchemaError, match=re.escape(message)):
        _run(frame)


def test_a_training_set_of_one_child_is_refused():
    y = pd.Series([0, 1, 0, 0])
    with pytest.raises(
        SchemaError, match=r"4 child-dates of 1 child, 1 care entries: .*two children"
    ):
        check_training_size(y, pd.Series(["a"] * 4))


def test_a_training_set_without_care_entries_is_refused():
    with pytest.raises(
        SchemaError, match=r"3 child-dates of 3 children, 0 care entries: no child"
    ):
        check_training_size(pd.Series([0, 0, 0]), pd.Series(["a", "b", "c"]))
    with pytest.raises(SchemaError, match="every row is a care entry"):
        check_training_size(pd.Series([1, 1]), pd.Series(["a", "b"]))


def test_a_training_set_with_few_care_entries_warns_with_the_counts():
    y = pd.Series([1] * 19 + [0] * 81)
    ids = pd.Series([f"c{i}" for i in range(100)])
    with pytest.warns(
        DataQualityWarning,
        match=r"100 child-dates of 100 children, 19 care entries: fewer than 20",
    ):
        check_training_size(y, ids)


def test_a_fold_without_test_entries_warns_and_measures_nothing_it_cannot():
    frame = _frame({str(d.date()): 10 for d in DATES[:12]})
    with pytest.warns(DataQualityWarning) as caught:
        result = _run(frame)
    pattern = re.compile(r"backtest fold 2: test rows .* 0 care entries: fewer than 20")
    assert any(pattern.match(str(w.message)) for w in caught)
    assert np.isnan(result.value("roc_auc", fold=2))
    assert result.value("observed_expected_ratio", fold=2) == 0
