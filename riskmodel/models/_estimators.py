"""The risk classifier's base estimators: the named ones and their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

__all__ = ["ESTIMATORS", "HGB_DEFAULTS", "base_estimator"]

ESTIMATORS = ("hgb", "logistic")

# scikit-learn's HistGradientBoosting defaults (31 leaves, 20 rows per leaf) chase
# noise when about 1 row in 500 is positive: on a synthetic authority they ranked
# test dates worse than chance. Fewer, larger, regularised leaves are the default:
# 7 leaves of at least 500 rows with l2 5 (issue 15: on benchmarks/bench_validity's
# held-out dates, average precision 0.082 against 0.034 with 15 leaves x 200, l2 1).
HGB_DEFAULTS = {
    "learning_rate": 0.05,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 500,
    "l2_regularization": 5.0,
}


def base_estimator(
    estimator: str | BaseEstimator,
    params: Mapping[str, Any] | None,
    random_state: Any,
    monotone: Any,
) -> BaseEstimator:
    """Return a new unfitted base estimator: a named one, or a clone of the one given.

    Raises
    ------
    ValueError
        If ``monotone`` is set and the estimator is not a HistGradientBoosting.
    """
    if estimator == "hgb":
        made = HistGradientBoostingClassifier(**HGB_DEFAULTS, random_state=random_state)
    elif estimator == "logistic":
        made = LogisticRegression(max_iter=1000)
    else:
        made = clone(estimator)
    if params:
        made.set_params(**params)
    if monotone is not None and not isinstance(made, HistGradientBoostingClassifier):
        raise ValueError(
            f"monotone={monotone!r} needs a HistGradientBoosting estimator; "
            f"got {type(made).__name__}"
        )
    return made
