"""How a :class:`~riskmodel.RiskClassifier` is fitted: base pipeline, then calibration slice.

The estimator's ``fit`` checks its input and hands over to these steps, which set the
fitted attributes on it:

- :func:`make_base_pipeline`: which columns are usable, and the preprocessing and base
  estimator for them;
- :func:`fit_uncalibrated`: the base pipeline on the given rows, with temporal early
  stopping (:mod:`riskmodel.models._base_fit`), and for a linear base model the mean
  encoded training row (:func:`encoded_mean`), the reference of its explanations;
- :func:`fit_calibrated`: the base pipeline on the earlier as-of dates, then the
  calibration map on the latest (chosen by temporal log loss with ``"auto"``) and,
  with ``calibrate_within``, one shift per authority
  (:mod:`riskmodel.models._group_calibration`).
"""

from __future__ import annotations

import warnings
from dataclasses import astuple
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags

from riskmodel.models._auto_calibration import fit_calibration
from riskmodel.models._base_fit import fit_base
from riskmodel.models._calibrator import calibrated_risk
from riskmodel.models._estimators import base_estimator
from riskmodel.models._group_calibration import fit_within
from riskmodel.models._holdout import as_of_dates, calibration_split, split_problem
from riskmodel.models._inputs import take_rows
from riskmodel.models._preprocess import make_preprocessor, split_columns
from riskmodel.models._usable import usable_columns

__all__ = ["encoded_mean", "fit_calibrated", "fit_uncalibrated", "make_base_pipeline"]

_CHUNK = 50_000


def make_base_pipeline(model: Any, X: Any, feature_spec: Any) -> Pipeline:
    """Build the unfitted base pipeline and set the column attributes of ``model``."""
    estimator = base_estimator(
        model.estimator, model.estimator_params, model.random_state, model.monotone, len(X)
    )
    numeric, categorical = split_columns(X, model.categorical_features)
    columns = usable_columns(X, numeric, categorical, feature_spec)
    numeric, categorical = columns.numeric, columns.categorical
    model.feature_spec_ = columns.spec
    model.features_used_, model.features_dropped_ = columns.used, columns.dropped
    model.categorical_features_ = categorical
    tree = get_tags(estimator).input_tags.allow_nan
    preprocess = make_preprocessor(numeric, categorical, tree=tree)
    return Pipeline([("preprocess", preprocess), ("estimator", estimator)])


def fit_uncalibrated(
    model: Any, base: Pipeline, X: Any, y: np.ndarray, w: np.ndarray | None
) -> None:
    """Fit the base pipeline on ``X`` (with temporal early stopping) and set its attributes."""
    options = {"early_stopping": model.early_stopping, "monotone": model.monotone}
    categorical = model.categorical_features_
    fitted = fit_base(base, X, y, **options, categorical=categorical, sample_weight=w)
    model.base_pipeline_ = base
    model.early_stopping_, model.validation_dates_, model.n_iter_ = astuple(fitted)
    tree = get_tags(base.named_steps["estimator"]).input_tags.allow_nan
    model.reference_ = None if tree else encoded_mean(base.named_steps["preprocess"], X, w)


def encoded_mean(preprocess: Any, X: Any, w: np.ndarray | None) -> np.ndarray:
    """Return the (weighted) mean of ``X``'s rows as ``preprocess`` encodes them.

    Computed in chunks of rows, so that the encoded copy of a large frame is never
    held whole. A linear model's SHAP values are ``coef * (z - reference)``: with
    this mean as the reference, every child's reasons are measured from the same
    average training child, whichever rows are scored together (a whole cohort
    locally, one shard on Spark).
    """
    total, weight = None, 0.0
    for start in range(0, len(X), _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, len(X)))
        Z = np.asarray(preprocess.transform(take_rows(X, rows)), dtype=np.float64)
        r = np.ones(len(rows)) if w is None else np.asarray(w, dtype=np.float64)[rows]
        part = r @ Z
        total = part if total is None else total + part
        weight += float(r.sum())
    return total / weight


def fit_calibrated(
    model: Any, base: Pipeline, X: Any, y: np.ndarray, w: np.ndarray | None
) -> None:
    """Fit the base pipeline on the earlier dates, then the calibration on the latest."""
    split = calibration_split(X, y, model.calibration_fraction, model.random_state)
    problem = split_problem(split, y, model.classes_)
    if problem is not None:
        warnings.warn(
            f"{problem}; fitting the base model on all {len(y)} rows without "
            "calibration, so probabilities are uncalibrated",
            UserWarning,
            stacklevel=3,
        )
        fit_uncalibrated(model, base, X, y, w)
        return
    base_w = None if w is None else w[split.base_rows]
    fit_uncalibrated(model, base, take_rows(X, split.base_rows), y[split.base_rows], base_w)
    held = split.calibration_rows
    X_held = take_rows(X, held)
    log_odds = model._log_odds(X_held)
    positive = y[held] == model.classes_[1]
    dates = None if split.dates is None else np.asarray(as_of_dates(X_held))
    held_w = None if w is None else w[held]
    model.calibrator_, model.calibration_method_, model.calibration_scores_ = fit_calibration(
        model.calibration, log_odds, positive, dates, model.random_state, held_w
    )
    if model.calibrate_within is not None:
        risk = calibrated_risk(model.calibrator_, log_odds)
        model.group_offsets_ = fit_within(risk, positive, X_held, model.calibrate_within, held_w)
    # a plain numpy array: skops (MLflow's format) cannot store pandas objects
    model.calibration_dates_ = None if split.dates is None else np.asarray(split.dates)
    model.n_calibration_rows_ = len(held)
