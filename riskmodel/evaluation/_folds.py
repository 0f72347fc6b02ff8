"""Fitting and scoring a backtest's folds: each estimator on the training rows, with weights.

A backtest on a sample (every care entry and a share of the other rows, as
:func:`~riskmodel.frame.sample_negatives` draws it) fits every model and baseline
with the training rows' sample weights, so that their probabilities estimate the
unsampled population's, and keeps each test row's weight beside its prediction
(the ``sample_weight`` column), for the weighted metrics.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import clone

from riskmodel.evaluation._keys import WEIGHT
from riskmodel.metrics._validation import check_sample_weight, check_scores

__all__ = ["check_reference", "check_weights", "fit_args", "fit_on", "score_fold"]


def fit_args(estimator: Any, frame: Any) -> dict[str, Any]:
    """``feature_spec=frame.spec`` for estimators whose ``fit`` takes it, else nothing.

    The spec is passed only when it builds every column of ``frame.X`` (a frame
    whose columns were added to by hand is fitted without it).
    """
    spec = getattr(frame, "spec", None)
    names = getattr(spec, "names", None)
    if names is None or not set(map(str, frame.X.columns)) <= set(names):
        return {}  # no spec, or one that did not build these columns
    return {"feature_spec": spec} if "feature_spec" in _fit_parameters(estimator) else {}


def _fit_parameters(estimator: Any) -> dict[str, inspect.Parameter]:
    try:
        return dict(inspect.signature(estimator.fit).parameters)
    except (TypeError, ValueError):
        return {}


def check_weights(models: dict[str, Any], sample_weight: ArrayLike | None, n_rows: int):
    """Return the frame's row weights (None when unsampled), refusing unweighted fits.

    Raises
    ------
    ValueError
        When the weights do not hold one positive number per row of the frame.
    TypeError
        When an estimator's ``fit`` takes no ``sample_weight``: fitted without the
        weights, its probabilities would be those of the sample, not the population.
    """
    weights = check_sample_weight(sample_weight, n_rows)
    if weights is None:
        return None
    for name, estimator in models.items():
        parameters = _fit_parameters(estimator)
        takes = "sample_weight" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )
        if not takes:
            raise TypeError(
                f"backtest with sample_weight: {name!r} ({type(estimator).__name__}) has a "
                "fit that takes no sample_weight, so it would learn the sample's rate, not "
                "the population's; pass baselines that accept weights (or baselines={})"
            )
    return weights


def fit_on(estimator: Any, frame: Any, rows: np.ndarray, weights: np.ndarray | None) -> Any:
    """Clone ``estimator`` and fit it on ``rows`` of ``frame`` (with their weights)."""
    fitted = clone(estimator)
    options = fit_args(fitted, frame)
    if weights is not None:
        options["sample_weight"] = weights[rows]
    fitted.fit(frame.X.iloc[rows], frame.y.to_numpy()[rows], **options)
    return fitted


def score_fold(models, frame, train, test, references, weights=None) -> pd.DataFrame:
    """Each model fitted on ``train`` and every reference, scored on the ``test`` rows."""
    X, y = frame.X, frame.y.to_numpy()
    keys = frame.keys.iloc[test].reset_index(drop=True)
    if weights is not None:
        keys = keys.assign(**{WEIGHT: weights[test]})
    out = []
    for name, estimator in models.items():
        fitted = fit_on(estimator, frame, train, weights)
        out.append(
            keys.assign(
                model=name, y_true=y[test], y_score=fitted.predict_proba(X.iloc[test])[:, 1]
            )
        )
    for name, values in references.items():
        out.append(keys.assign(model=name, y_true=y[test], y_score=values[test]))
    return pd.concat(out, ignore_index=True)


def check_reference(
    values: ArrayLike | None, n_rows: int, *, name: str = "truth", call: str = "for_keys("
) -> np.ndarray | None:
    """Return reference probabilities as floats, one per row of the frame, or None."""
    if values is None:
        return None
    if hasattr(values, "for_keys"):
        raise TypeError(
            f"{name} takes the probabilities of the frame's rows, not the ground truth "
            f"itself: pass data.truth.{call}frame.keys, horizon_months=frame.horizon_months)"
        )
    checked = check_scores(values, name=name, probabilities=True)
    if len(checked) != n_rows:
        raise ValueError(
            f"{name} must hold one probability per row of frame ({n_rows} rows); "
            f"got {len(checked)}"
        )
    return checked
