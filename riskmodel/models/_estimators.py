"""The risk classifier's base estimators: the named ones and their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

__all__ = ["ESTIMATORS", "HGB_DEFAULTS", "base_estimator", "leaf_size"]

ESTIMATORS = ("hgb", "logistic")

# scikit-learn's HistGradientBoosting defaults (31 leaves, 20 rows per leaf) chase
# noise when about 1 row in 500 is positive: on a synthetic authority they ranked
# test dates worse than chance. Few, large, regularised leaves are the default:
# 3 leaves (a split and one more) of at least 500 rows with l2 5. Issue 15, on
# benchmarks/bench_validity's held-out dates: 7 leaves gave average precision 0.082
# against 0.034 with 15 leaves x 200, l2 1, on the 60,000 children it was chosen on;
# on nine authorities of 20,000 children (a borough's size: about 75 children entering
# care in the training dates) 3 leaves beat 7 on eight in average precision and on
# eight in top-2% precision, and on nine of 60,000 they were level (see the "Smaller
# trees" section of docs/guide/scaling.md). scikit-learn's max_iter=100 is kept on
# purpose: early stopping often reaches it, but allowed 500 trees it stopped late on
# boroughs' few validation entries and lost average precision (scaling.md, "Other
# tree settings").
HGB_DEFAULTS = {
    "learning_rate": 0.05,
    "max_leaf_nodes": 3,
    "min_samples_leaf": 500,
    "l2_regularization": 5.0,
}

# Leaves of 500 rows suit a borough's 100,000+ training rows, but on a small authority
# (or one that records few event families) they allow hardly a split: a 4,000-child
# authority with missing episodes only gave nobody a reason. So the default leaf size
# follows the training rows: a hundredth of them, between 20 and 500 (a two-hundredth
# was tried: on 5,000 children its top SHAP features missed the child-level signals).
LEAF_SIZE_DIVISOR = 100
LEAF_SIZE_BOUNDS = (20, 500)


def leaf_size(n_rows: int) -> int:
    """Return the default ``min_samples_leaf`` for ``n_rows`` training rows.

    ``n_rows // 100``, clipped to 20-500: 500 from 50,000 rows, 20 below 2,000.

    Examples
    --------
    >>> leaf_size(1_000), leaf_size(27_000), leaf_size(500_000)
    (20, 270, 500)
    """
    low, high = LEAF_SIZE_BOUNDS
    return int(min(high, max(low, n_rows // LEAF_SIZE_DIVISOR)))


def base_estimator(
    estimator: str | BaseEstimator,
    params: Mapping[str, Any] | None,
    random_state: Any,
    monotone: Any,
    n_rows: int | None = None,
) -> BaseEstimator:
    """Return a new unfitted base estimator: a named one, or a clone of the one given.

    The named ``"hgb"`` gets ``min_samples_leaf=leaf_size(n_rows)`` when ``n_rows``
    is given and ``params`` does not set it.

    Raises
    ------
    ValueError
        If ``monotone`` is set and the estimator is not a HistGradientBoosting.
    """
    if estimator == "hgb":
        made = HistGradientBoostingClassifier(**HGB_DEFAULTS, random_state=random_state)
        if n_rows is not None:
            made.set_params(min_samples_leaf=leaf_size(n_rows))
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
