"""SHAP explanations of a fitted risk classifier, in log-odds, per input feature."""

from __future__ import annotations

import time
import warnings
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from riskmodel.explain._values import feature_values, summing_matrix, used_features
from riskmodel.models._classifier import RiskClassifier
from riskmodel.models._inputs import check_predict_input, take_rows

__all__ = ["explain", "import_shap"]

ADDITIVITY_TOLERANCE = 1e-6
"""Largest allowed gap between the summed SHAP values and the model's log-odds."""

# shap 0.51 configures its colour maps with matplotlib calls that matplotlib 3.11
# has scheduled for deprecation; these warnings are raised once, on import.
_SHAP_IMPORT_WARNINGS = r"The set_(bad|over|under) function will be deprecated"


def import_shap() -> Any:
    """Import shap, silencing the named deprecation notices its import raises.

    Returns
    -------
    module
        The ``shap`` module.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=_SHAP_IMPORT_WARNINGS, category=PendingDeprecationWarning
        )
        import shap

    return shap


def _sample(rows: Any, max_rows: int, random_state: Any) -> Any:
    """At most ``max_rows`` rows, drawn without replacement."""
    n_rows = np.shape(rows)[0]
    if n_rows <= max_rows:
        return rows
    keep = np.sort(check_random_state(random_state).choice(n_rows, max_rows, replace=False))
    return take_rows(rows, keep)


def _kind(estimator: Any) -> str:
    if isinstance(estimator, HistGradientBoostingClassifier | GradientBoostingClassifier):
        return "tree"
    if hasattr(estimator, "coef_") and hasattr(estimator, "intercept_"):
        return "linear"
    raise TypeError(
        "explain supports gradient boosting (HistGradientBoostingClassifier, "
        "GradientBoostingClassifier) and linear classifiers (such as LogisticRegression); "
        f"the model's base estimator is {type(estimator).__name__}"
    )


def _encoded_shap(
    estimator: Any, Z: np.ndarray, background: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """SHAP values of the encoded columns and the expected log-odds.

    ``background`` (encoded rows) is the linear masker's data; trees ignore it.
    """
    shap = import_shap()
    if _kind(estimator) == "tree":
        explainer = shap.TreeExplainer(
            estimator, model_output="raw", feature_perturbation="tree_path_dependent"
        )
        values = explainer.shap_values(Z, check_additivity=False)
    else:
        masker = shap.maskers.Independent(background, max_samples=len(background))
        explainer = shap.LinearExplainer(estimator, masker)
        values = explainer.shap_values(Z)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 3:  # one slice per class: keep the risk class
        values = values[..., -1]
    expected = np.ravel(explainer.expected_value)[-1]
    return values, float(expected)


def _check_additivity(total: np.ndarray, log_odds: np.ndarray) -> None:
    gap = np.abs(total - log_odds)
    bad = np.flatnonzero(gap > ADDITIVITY_TOLERANCE * np.maximum(1.0, np.abs(log_odds)))
    if bad.size:
        raise RuntimeError(
            f"SHAP values do not add up to the model's log-odds in {bad.size} rows "
            f"(rows {', '.join(map(str, bad[:5]))}; largest gap {gap.max():.3g}); the "
            "explainer does not support this base estimator's settings, e.g. native "
            "categorical features of HistGradientBoosting"
        )


def explain(
    model: RiskClassifier,
    X: Any,
    *,
    background: Any = None,
    max_background: int = 1000,
    random_state: Any = 0,
) -> Any:
    """Explain a fitted risk classifier's scores with SHAP values, per input feature.

    The explained quantity is the log-odds of the model's base pipeline,
    ``model.decision_function(X)``: calibration is a monotone map applied after it,
    so children and their reasons rank the same way. For each row,
    ``values.sum(axis=1) + base_values`` equals ``model.decision_function(X)``
    (checked against scikit-learn to 1e-6 on every call).

    Gradient boosting is explained with ``shap.TreeExplainer`` (exact, fast) and
    linear models with ``shap.LinearExplainer`` and an explicit
    ``shap.maskers.Independent`` masker, whose SHAP values are exactly
    ``coef * (x - mean(background))`` on the encoded columns. Values of encoded
    columns (one-hot columns, missing-value indicators) are summed back to the
    feature they come from, so the explanation speaks of ``ethnic_group`` or
    ``absence_latest``, never ``ethnic_group_BAFR``.

    Parameters
    ----------
    model : RiskClassifier
        A fitted classifier with a gradient boosting or linear base estimator.
    X : DataFrame or array-like of shape (n_rows, n_features)
        Rows to explain, with the columns seen in ``fit``.
    background : DataFrame or array-like, optional
        Reference rows (same columns as ``X``, such as the training features) that
        define the expected value the SHAP values of a linear model are measured
        from; when None, the model's mean encoded training row
        (``model.reference_``), so a child's reasons do not depend on which other
        children are explained with them (the rows of ``X`` themselves for a model
        fitted without that reference). Not accepted for gradient
        boosting, which is always explained against the training data as the trees
        recorded it (SHAP's "tree path dependent" algorithm): shap's
        "interventional" algorithm gives values that do not add up for
        HistGradientBoosting.
    max_background : int, default 1000
        At most this many background rows are used, drawn without replacement.
    random_state : int, RandomState instance or None, default 0
        Seeds the draw of background rows.

    Returns
    -------
    shap.Explanation
        One row per row of ``X``, in the same order (keep ``X.index`` to label
        them), one column per input feature the model uses:

        - ``values``: SHAP values in log-odds, shape ``(n_rows, n_features)``;
        - ``base_values``: the expected log-odds, shape ``(n_rows,)``;
        - ``data``: the feature values as numbers (booleans 0/1, missing NaN,
          categories as codes), which shap's plots colour by;
        - ``display_data``: when the model has categorical features, the values as
          given (strings for categories); otherwise None, as ``data`` holds them;
        - ``feature_names``: the input feature names.

        Only the features the model uses (``model.features_used_``) are columns: a
        feature left out at fit (entirely missing or constant on the training
        rows) has no SHAP value, so it is never a reason.

    Raises
    ------
    ValueError
        If ``background`` is given for a gradient boosting model.
    TypeError
        If ``model`` is not a :class:`~riskmodel.models.RiskClassifier` or its base
        estimator is neither gradient boosting nor linear.
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.
    RuntimeError
        If the SHAP values do not add up to the model's log-odds.

    See Also
    --------
    reason_codes : Each child's top reasons in plain English.
    global_importance : Features ranked by mean absolute SHAP value.

    Notes
    -----
    shap's own plots work on the result, for example ``shap.plots.beeswarm(e)``,
    ``shap.plots.bar(e)``, ``shap.plots.waterfall(e[0])`` and the dependence plot
    ``shap.plots.scatter(e[:, "absence_latest"], color=e)``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from riskmodel.models import RiskClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> model = RiskClassifier("hgb", calibration=None, random_state=0).fit(X, y)
    >>> e = explain(model, X[:5])
    >>> e.values.shape
    (5, 20)
    >>> bool(np.allclose(e.values.sum(1) + e.base_values, model.decision_function(X[:5])))
    True
    """
    if not isinstance(model, RiskClassifier):
        raise TypeError(
            f"explain needs a fitted riskmodel RiskClassifier, got {type(model).__name__}"
        )
    check_is_fitted(model)
    if isinstance(max_background, bool) or not isinstance(max_background, Integral):
        raise ValueError(f"max_background must be a whole number; got {max_background!r}")
    if max_background < 1:
        raise ValueError(f"max_background must be at least 1; got {max_background}")
    start = time.perf_counter()
    X = check_predict_input(model, X)
    pipeline = model.base_pipeline_
    preprocess, estimator = pipeline.named_steps["preprocess"], pipeline.named_steps["estimator"]
    reference = getattr(model, "reference_", None)
    if _kind(estimator) == "linear" and background is None and reference is None:
        background = X  # a model fitted before the reference was stored
    if background is not None:
        if _kind(estimator) == "tree":
            raise ValueError(
                "background applies to linear models only: gradient boosting is explained "
                "with the training data as the trees recorded it (shap 0.51's "
                "'interventional' algorithm with background rows gives values that do not "
                "add up to HistGradientBoosting's log-odds)"
            )
        background = check_predict_input(model, background)
        background = preprocess.transform(_sample(background, max_background, random_state))
        background = np.asarray(background, dtype=np.float64)
    elif _kind(estimator) == "linear":
        background = np.asarray(reference, dtype=np.float64)[None, :]
    Z = np.asarray(preprocess.transform(X), dtype=np.float64)
    encoded, expected = _encoded_shap(estimator, Z, background)
    names, _ = used_features(model)
    values = encoded @ summing_matrix(model.feature_groups_, names)
    base_values = np.full(len(values), expected)
    _check_additivity(values.sum(axis=1) + base_values, estimator.decision_function(Z))
    data, display = feature_values(model, X)
    shap = import_shap()
    return shap.Explanation(
        values=values,
        base_values=base_values,
        data=data,
        display_data=display,
        feature_names=names,
        compute_time=time.perf_counter() - start,
    )
