"""Preprocessing that keeps SHAP values exact, and the map back to the user's features.

Two recipes, chosen by whether the base estimator accepts missing values:

- **tree** (estimators that accept NaN, such as HistGradientBoosting): numeric columns
  are only cast to float (NaN stays NaN, so "never happened" remains its own branch);
  categorical columns become ordinal codes, with unknown and missing categories coded
  as NaN. Native ``categorical_features`` are deliberately not used: SHAP's tree
  explainer gives silently wrong values for them.
- **linear** (everything else, such as logistic regression): numeric columns are
  median-imputed with a missing-value indicator per column that had gaps, then
  standardised; categorical columns are one-hot encoded (missing is its own category,
  unknown categories encode as all zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

__all__ = ["feature_groups", "make_preprocessor", "split_columns", "to_float"]


def to_float(X: Any) -> np.ndarray:
    """Return ``X`` as a float64 array; pandas ``NA`` in nullable columns becomes NaN.

    Object columns of numbers and ``NA`` (what MLflow's pyfunc passes on for a nullable
    ``Int64`` or ``boolean`` column) are converted too.
    """
    if isinstance(X, pd.DataFrame | pd.Series):
        try:
            return X.to_numpy(dtype=np.float64, na_value=np.nan)
        except TypeError:  # pandas.NA inside an object column
            values = X.to_numpy(dtype=object)
            return np.where(pd.isna(values), np.nan, values).astype(np.float64)
    return np.asarray(X, dtype=np.float64)


def _is_categorical(dtype: Any) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def split_columns(X: Any, categorical_features: str | Sequence[Any]) -> tuple[list, list]:
    """Split the columns of ``X`` into numeric and categorical column keys.

    Keys are column names for a DataFrame with string column names, and positions
    otherwise (so the fitted preprocessor also accepts arrays).

    Parameters
    ----------
    X : DataFrame or ndarray
        Validated training features.
    categorical_features : "auto" or sequence of column names or positions
        ``"auto"`` treats object, string and ``category`` columns of a DataFrame as
        categorical (an array has none). A sequence names the categorical columns.

    Returns
    -------
    numeric, categorical : list
        Column keys, in the order of the columns of ``X``.

    Raises
    ------
    ValueError
        If a named categorical column does not exist, or a column that is not
        categorical is not numeric or boolean (e.g. a date).
    """
    if isinstance(X, pd.DataFrame):
        names = list(X.columns)
        dtypes = list(X.dtypes)
    else:
        names = list(range(X.shape[1]))
        dtypes = [X.dtype] * X.shape[1]
    by_name = all(isinstance(name, str) for name in names)
    keys = names if by_name else list(range(len(names)))
    if isinstance(categorical_features, str) and categorical_features == "auto":
        is_cat = [_is_categorical(dtype) for dtype in dtypes]
    else:
        wanted = list(categorical_features)
        unknown = [key for key in wanted if key not in keys]
        if unknown:
            raise ValueError(
                f"categorical_features {unknown} are not columns of X; available columns: {keys}"
            )
        is_cat = [key in wanted for key in keys]
    bad = [
        f"{key!r} ({dtype})"
        for key, dtype, cat in zip(keys, dtypes, is_cat, strict=True)
        if not cat and not pd.api.types.is_numeric_dtype(dtype)
    ]
    if bad:
        raise ValueError(
            "features must be numeric, boolean or categorical (object, string or "
            f"category); these columns are not: {', '.join(bad)}"
        )
    numeric = [key for key, cat in zip(keys, is_cat, strict=True) if not cat]
    categorical = [key for key, cat in zip(keys, is_cat, strict=True) if cat]
    return numeric, categorical


def make_preprocessor(numeric: list, categorical: list, *, tree: bool) -> ColumnTransformer:
    """Build the (unfitted) preprocessing step of the base pipeline.

    Parameters
    ----------
    numeric, categorical : list
        Column keys from :func:`split_columns`.
    tree : bool
        True for estimators that accept NaN (ordinal codes, no imputation); False
        for the others (imputation with indicators, scaling, one-hot encoding).

    Returns
    -------
    ColumnTransformer
        Output columns are the numeric block then the categorical block.
    """
    cast = FunctionTransformer(to_float, feature_names_out="one-to-one")
    if tree:
        numeric_step: Any = cast
        categorical_step: Any = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
        )
    else:
        numeric_step = Pipeline(
            [
                ("cast", cast),
                (
                    "impute",
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                ),
                ("scale", StandardScaler()),
            ]
        )
        categorical_step = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    transformers = []
    if numeric:
        transformers.append(("numeric", numeric_step, numeric))
    if categorical:
        transformers.append(("categorical", categorical_step, categorical))
    return ColumnTransformer(
        transformers, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=False
    )


def _origins(transformer: Any, columns: list[str]) -> list[str]:
    """Return the original feature behind each output column of a fitted transformer."""
    if isinstance(transformer, OneHotEncoder):
        return [
            column
            for column, categories in zip(columns, transformer.categories_, strict=True)
            for _ in categories
        ]
    if isinstance(transformer, Pipeline):
        imputer = transformer.named_steps["impute"]
        indicated = [] if imputer.indicator_ is None else imputer.indicator_.features_
        return list(columns) + [columns[i] for i in indicated]
    return list(columns)


def feature_groups(preprocessor: ColumnTransformer) -> dict[str, str]:
    """Map each output column of a fitted preprocessor to the feature it came from.

    One-hot columns (``"sex_M"``) and missing-value indicators
    (``"missingindicator_days_since_referral"``) map to their original feature, so
    that per-column SHAP values can be summed back to the user's features.

    Parameters
    ----------
    preprocessor : ColumnTransformer
        A preprocessor built by :func:`make_preprocessor` and fitted.

    Returns
    -------
    dict of str to str
        Keys in the order of ``preprocessor.get_feature_names_out()``.
    """
    if hasattr(preprocessor, "feature_names_in_"):
        names_in = [str(name) for name in preprocessor.feature_names_in_]
    else:
        names_in = [f"x{i}" for i in range(preprocessor.n_features_in_)]
    origins: list[str] = []
    for name, transformer, columns in preprocessor.transformers_:
        if name == "remainder":
            continue
        keys = [names_in[c] if isinstance(c, int | np.integer) else str(c) for c in columns]
        origins.extend(_origins(transformer, keys))
    names_out = list(preprocessor.get_feature_names_out())
    if len(origins) != len(names_out):  # pragma: no cover - guards the mapping logic
        raise RuntimeError(
            f"feature map has {len(origins)} entries for {len(names_out)} output columns"
        )
    return dict(zip(names_out, origins, strict=True))
