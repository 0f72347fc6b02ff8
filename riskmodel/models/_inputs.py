"""Input checks shared by the risk classifier and the rule baselines.

Feature frames keep their pandas dtypes (nullable ``Int64``, ``boolean``, strings) so
that the fitted pipeline sees the same columns at fit and at prediction time. Arrays
(lists, numpy arrays) are validated by scikit-learn and converted to floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_consistent_length, column_or_1d, validate_data

__all__ = [
    "check_binary_target",
    "check_classifier_params",
    "check_fit_input",
    "check_predict_input",
    "check_weight",
    "take_rows",
]


def check_fit_input(estimator: Any, X: Any, y: Any) -> tuple[Any, np.ndarray]:
    """Validate ``X`` and ``y`` for ``fit`` and set the input attributes of ``estimator``.

    Sets ``n_features_in_``, ``feature_names_in_`` (when ``X`` has string column
    names) and ``classes_``. A DataFrame is returned unchanged (its dtypes matter to
    the preprocessing); anything else is returned as a float array with NaN allowed.
    """
    y = _numpy_target(y)
    if isinstance(X, pd.DataFrame):
        validate_data(estimator, X, skip_check_array=True)
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        if pd.isna(y).any():
            raise ValueError(
                f"Input y contains NaN ({int(pd.isna(y).sum())} rows): drop unlabelled "
                "rows before fitting."
            )
    else:
        X, y = validate_data(estimator, X, y, dtype="numeric", ensure_all_finite="allow-nan")
    estimator.classes_ = check_binary_target(y)
    return X, y


def _numpy_target(y: Any) -> Any:
    """Turn a nullable pandas target (``boolean``, ``Int64``) without NA into numpy.

    This keeps its labels: scikit-learn would turn ``True``/``False`` into 1.0/0.0.
    """
    dtype = getattr(y, "dtype", None)
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if isinstance(y, pd.Series | pd.Index) and numpy_dtype is not None and not y.hasnans:
        return y.to_numpy(dtype=numpy_dtype)
    return y


def check_binary_target(y: np.ndarray) -> np.ndarray:
    """Return the two sorted class labels of ``y``, or raise a ValueError.

    Raises
    ------
    ValueError
        If ``y`` is not a classification target ("Unknown label type"), has more
        than two classes ("Only binary classification is supported") or only one.
    """
    check_classification_targets(y)
    y_type = type_of_target(y, input_name="y", raise_unknown=True)
    if y_type != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {y_type}."
        )
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(
            f"y has only one class ({classes[0]!r}): a risk model needs examples of both "
            "classes, e.g. children who entered care and children who did not."
        )
    return classes


def check_predict_input(estimator: Any, X: Any) -> Any:
    """Check that ``X`` has the columns seen in ``fit``; convert arrays to floats."""
    if isinstance(X, pd.DataFrame):
        validate_data(estimator, X, reset=False, skip_check_array=True)
        return X
    return validate_data(estimator, X, reset=False, dtype="numeric", ensure_all_finite="allow-nan")


def take_rows(X: Any, rows: np.ndarray) -> Any:
    """Select rows by position from a DataFrame or an array."""
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def check_classifier_params(
    estimator: Any,
    calibration: Any,
    calibration_fraction: Any,
    estimators: tuple[str, ...],
    calibrations: tuple[str, ...],
) -> None:
    """Raise a ValueError naming the first invalid parameter of a risk classifier."""
    if isinstance(estimator, str):
        if estimator not in estimators:
            raise ValueError(
                f"estimator must be one of {estimators} or a classifier instance; "
                f"got {estimator!r}"
            )
    elif (
        isinstance(estimator, type)
        or not is_classifier(estimator)
        or not hasattr(estimator, "predict_proba")
    ):
        raise ValueError(
            f"estimator must be a scikit-learn classifier with predict_proba; got {estimator!r}"
        )
    if calibration is not None and calibration not in calibrations:
        raise ValueError(f"calibration must be one of {calibrations} or None; got {calibration!r}")
    fraction = calibration_fraction
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float)
        or not (0.0 < fraction < 1.0)
    ):
        raise ValueError(
            f"calibration_fraction must be a number strictly between 0 and 1; got {fraction!r}"
        )


def check_weight(sample_weight: Any, n_rows: int) -> np.ndarray:
    """Return the weights as floats, refusing a wrong length or negative or missing ones."""
    weights = np.asarray(sample_weight, dtype=np.float64).ravel()
    if len(weights) != n_rows:
        raise ValueError(f"sample_weight has {len(weights)} values for {n_rows} rows")
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        raise ValueError(
            f"sample_weight: {int(bad.sum())} value(s) are negative or not finite "
            f"(rows {', '.join(map(str, np.flatnonzero(bad)[:5]))})"
        )
    return weights
