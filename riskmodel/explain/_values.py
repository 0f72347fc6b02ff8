"""From the model's encoded columns back to the features the user knows.

The base pipeline's preprocessing turns each input feature into one or more columns
(one-hot columns, missing-value indicators). SHAP values are additive, so the values
of a feature's columns are summed back to the feature. The feature values shown with
an explanation are the user's own: numbers as numbers, categories as category codes
in ``data`` (for colouring plots) and as the original labels in ``display_data``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskmodel.models._preprocess import to_float

__all__ = ["feature_values", "input_names", "summing_matrix", "used_features"]


def input_names(model: Any) -> list[str]:
    """Names of the model's input features, in the column order of ``X``."""
    if hasattr(model, "feature_names_in_"):
        return [str(name) for name in model.feature_names_in_]
    return [f"x{i}" for i in range(model.n_features_in_)]


def used_features(model: Any) -> tuple[list[str], list[int]]:
    """Return the features the model's base pipeline reads and their positions in ``X``.

    ``features_used_`` leaves out the columns that were entirely missing or constant
    when the model was fitted (they have no SHAP value); a model fitted before that
    attribute existed uses every input column.
    """
    names = input_names(model)
    used = getattr(model, "features_used_", None)
    if used is None:
        return names, list(range(len(names)))
    position = {name: j for j, name in enumerate(names)}
    return list(used), [position[name] for name in used]


def summing_matrix(feature_groups: dict[str, str], names: list[str]) -> np.ndarray:
    """Build the 0/1 matrix that sums encoded columns (rows) into input features (columns).

    Parameters
    ----------
    feature_groups : dict of str to str
        Encoded column name to input feature name, in the encoded column order.
    names : list of str
        Input feature names, in the order wanted for the output.

    Returns
    -------
    ndarray of shape (n_encoded_columns, n_features)

    Raises
    ------
    ValueError
        If the map names a feature not in ``names`` or leaves a feature without columns.
    """
    position = {name: j for j, name in enumerate(names)}
    unknown = sorted(set(feature_groups.values()) - set(position))
    unmapped = [name for name in names if name not in set(feature_groups.values())]
    if unknown or unmapped:
        raise ValueError(
            "the model's feature_groups_ does not match its input features: "
            f"unknown features {unknown}, features without encoded columns {unmapped}"
        )
    matrix = np.zeros((len(feature_groups), len(names)))
    for i, origin in enumerate(feature_groups.values()):
        matrix[i, position[origin]] = 1.0
    return matrix


def _codes(values: Any, categories: np.ndarray) -> np.ndarray:
    """Position of each value among the encoder's categories; NaN if missing or unknown."""
    known = [c for c in categories if not (c is None or (isinstance(c, float) and np.isnan(c)))]
    codes = pd.Index(known, dtype=object).get_indexer(np.asarray(values, dtype=object))
    return np.where(codes < 0, np.nan, codes.astype(np.float64))


def _column(X: Any, key: Any) -> Any:
    if isinstance(X, pd.DataFrame):
        return X[key] if isinstance(key, str) else X.iloc[:, key]
    return np.asarray(X)[:, key]


def feature_values(model: Any, X: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the explained rows' feature values, as numbers and as the user gave them.

    Parameters
    ----------
    model : RiskClassifier
        Fitted.
    X : DataFrame or ndarray
        Rows validated against the model.

    Returns
    -------
    data : ndarray of float64, shape (n_rows, n_used_features)
        The features the model uses (``features_used_``), as numbers (booleans
        as 0/1, missing as NaN); categories as their code in the fitted encoder
        (NaN when missing or not seen in ``fit``).
    display_data : ndarray of object, shape (n_rows, n_used_features), or None
        When the model has categorical features, the values of ``X`` as given
        (strings for categories), missing as NaN; otherwise None, ``data`` being
        the values as given. (shap walks object arrays cell by cell, which would
        cost about as much as the SHAP values themselves.)
    """
    preprocess = model.base_pipeline_.named_steps["preprocess"]
    categorical = list(model.categorical_features_)  # used ones, as the encoder has them
    n_rows, n_cols = np.shape(X)
    keys = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(n_cols))
    if isinstance(X, pd.DataFrame) and not all(isinstance(k, str) for k in keys):
        keys = list(range(n_cols))
    _, used = used_features(model)
    data = np.full((n_rows, n_cols), np.nan)
    numeric = [j for j in used if keys[j] not in categorical]
    if numeric:
        block = X.iloc[:, numeric] if isinstance(X, pd.DataFrame) else np.asarray(X)[:, numeric]
        data[:, numeric] = to_float(block)
    if categorical:
        encoder = preprocess.named_transformers_["categorical"]
        for key, categories in zip(categorical, encoder.categories_, strict=True):
            data[:, keys.index(key)] = _codes(_column(X, key), categories)
    if not categorical:
        return data[:, used], None
    if isinstance(X, pd.DataFrame):
        display = X.iloc[:, used].astype(object)
        display = display.where(display.notna(), np.nan).to_numpy(dtype=object)
    else:
        display = np.asarray(X, dtype=object)[:, used]
    return data[:, used], display
