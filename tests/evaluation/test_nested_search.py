"""A settings search inside the backtest: an inner temporal split within each outer fold.

``backtest(GridSearchCV(RiskClassifier(...), grid, cv=TemporalSplit(...)), ...)`` is
the nested measurement of choosing settings by temporal validation: the search sees
only each outer fold's training rows, and its own folds test on the latest of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

import riskmodel as rm

DATES = pd.date_range("2016-04-01", "2022-04-01", freq="QS")
SEEN: list[tuple[pd.Timestamp, pd.Timestamp, int, list]] = []
"""(earliest, latest as-of date, rows, its folds as date pairs) of every X split inside."""


class RecordingSplit(rm.TemporalSplit):
    """A TemporalSplit that notes the dates it is asked to split (module-level list)."""

    def split(self, X=None, y=None, groups=None):
        dates = X.index.get_level_values("as_of_date")
        folds = list(super().split(X, y, groups))
        spans = [(dates[train].max(), dates[test].min()) for train, test in folds]
        SEEN.append((dates.min(), dates.max(), len(X), spans))
        yield from folds


@pytest.fixture(scope="module")
def frame():
    data = rm.make_local_authority(n_children=3000, random_state=3)
    return rm.build_training_frame(data, DATES, drop_unlabelled=True)


@pytest.mark.filterwarnings("ignore:backtest fold:riskmodel.exceptions.DataQualityWarning")
def test_a_search_nested_in_the_backtest_never_sees_the_outer_test_dates(frame):
    SEEN.clear()
    search = GridSearchCV(
        rm.RiskClassifier(random_state=0),
        {
            "estimator_params": [
                {"max_leaf_nodes": 3, "min_samples_leaf": 40},
                {"max_leaf_nodes": 7, "min_samples_leaf": 40},
            ]
        },
        cv=RecordingSplit(n_splits=2, test_duration=12),
        scoring="neg_log_loss",
        error_score="raise",
    )
    outer = rm.TemporalSplit(n_splits=2, test_duration=12)
    result = rm.backtest(search, frame, outer, baselines={}, n_resamples=0)

    folds = list(outer.split(frame.X))
    assert len(SEEN) == len(folds)
    dates = frame.X.index.get_level_values("as_of_date")
    year = pd.DateOffset(months=12) - pd.DateOffset(days=1)
    for (first, last, n_rows, spans), (train, test) in zip(SEEN, folds, strict=True):
        assert n_rows == len(train)
        assert last == dates[train].max() and first == dates[train].min()
        # the outer fold's label windows end before its test dates; the search's too
        assert last < dates[test].min() - year
        assert len(spans) == 2
        for inner_last_train, inner_first_test in spans:
            assert inner_last_train < inner_first_test - year <= last - year

    model = result.metrics[(result.metrics["model"] == "model")]
    assert np.isfinite(model.loc[model["metric"] == "roc_auc", "value"]).all()


def test_every_candidate_of_the_search_gets_a_finite_temporal_score(frame):
    search = GridSearchCV(
        rm.RiskClassifier(random_state=0),
        {"estimator_params": [{"max_leaf_nodes": 3}, {"max_leaf_nodes": 7}]},
        cv=rm.TemporalSplit(n_splits=2, test_duration=12),
        scoring="neg_log_loss",
    )
    search.fit(frame.X, frame.y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # the first candidate's score on the first split is the temporal fold's log loss
    train, test = next(rm.TemporalSplit(n_splits=2, test_duration=12).split(frame.X))
    one = rm.RiskClassifier(random_state=0, estimator_params={"max_leaf_nodes": 3})
    one.fit(frame.X.iloc[train], frame.y.iloc[train])
    want = -log_loss(frame.y.iloc[test], one.predict_proba(frame.X.iloc[test])[:, 1])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(want)
