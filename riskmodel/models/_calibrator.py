"""The calibration map: from the base pipeline's log-odds to a calibrated risk.

The map is fitted once, on the calibration hold-out (see
:mod:`riskmodel.models._holdout`), with public scikit-learn estimators on the base
pipeline's log-odds (its ``decision_function``):

- ``"isotonic"``: :class:`~sklearn.isotonic.IsotonicRegression`, clipped outside the
  training range, as :class:`~sklearn.calibration.CalibratedClassifierCV` fits it;
- ``"interpolated_isotonic"``: the same isotonic fit, then a line through the centre
  of each of its blocks (the block's mean log-odds, at the block's outcome rate),
  continued with the end slopes to the training range's ends and clipped to [0, 1].
  Plain isotonic gives every child of a block the same risk, so whole blocks tie at
  the top of a list; this map is strictly increasing wherever its risk is strictly
  between 0 and 1. It is stored as an ``IsotonicRegression`` fitted on those points
  (an isotonic fit of increasing points is the points themselves), so it predicts by
  the same linear interpolation, clipped outside the training range;
- ``"sigmoid"``: Platt scaling, an unpenalised
  :class:`~sklearn.linear_model.LogisticRegression` with Platt's smoothed targets
  (``(n1 + 1) / (n1 + 2)`` for positives, ``1 / (n0 + 2)`` for negatives), given as
  sample weights on two copies of the rows;
- ``"temperature"``: an unpenalised logistic regression without intercept, which
  rescales the log-odds without shifting them. Its slope is kept within scikit-learn's
  bounds for temperature scaling (an inverse temperature ``beta`` in
  ``[e**-10, e**10]`` on the log-odds pairs ``(-z, z)``, so a slope ``2 * beta`` on
  ``z``): the log loss is convex in the slope, so the bounded optimum is the clipped
  unbounded one, and a badly overfitted base gets the map scikit-learn would fit.

Both logistic maps read the log-odds divided by their largest absolute value on the
calibration rows (a :class:`~sklearn.preprocessing.MaxAbsScaler`): an overfitted
base can give log-odds in the thousands, where the optimiser would stop early. An
unpenalised fit is the same map whatever the scale.

Prediction and the one-pass ranking path apply the same fitted map to the same
log-odds, so the base pipeline runs once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler

__all__ = ["calibrated_risk", "fit_calibrator"]

# lbfgs's gradient tolerance: a two-parameter fit converges in a few dozen steps, and
# agrees with scikit-learn's own Platt and temperature optimisers to about 1e-8.
_TOL = 1e-10
_MAX_ITER = 1000
_TEMPERATURE_SLOPES = (2 * np.exp(-10.0), 2 * np.exp(10.0))


def _platt_targets(positive: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Platt's smoothed targets, which keep the fit finite on separable hold-outs."""
    n_positive = float(weights[positive].sum())
    n_negative = float(weights[~positive].sum())
    return np.where(positive, (n_positive + 1) / (n_positive + 2), 1 / (n_negative + 2))


def _logistic_map(*, fit_intercept: bool) -> Pipeline:
    logistic = LogisticRegression(
        C=np.inf, fit_intercept=fit_intercept, tol=_TOL, max_iter=_MAX_ITER
    )
    return Pipeline([("scale", MaxAbsScaler()), ("logistic", logistic)])


def _bound_temperature(temperature: Pipeline) -> Pipeline:
    """Clip the fitted slope on the (unscaled) log-odds to scikit-learn's bounds."""
    scale = temperature.named_steps["scale"].scale_[0]
    logistic = temperature.named_steps["logistic"]
    low, high = _TEMPERATURE_SLOPES
    logistic.coef_ = np.clip(logistic.coef_, low * scale, high * scale)
    return temperature


def _block_centres(
    log_odds: np.ndarray, fitted: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean log-odds and risk of each block of equal isotonic values, in order."""
    values, block = np.unique(fitted, return_inverse=True)
    centres = np.bincount(block, weights=log_odds * weights) / np.bincount(block, weights=weights)
    return centres, values


def _interpolated_isotonic(
    log_odds: np.ndarray, positive: np.ndarray, weights: np.ndarray
) -> IsotonicRegression:
    """Fit isotonic, then interpolate linearly between the centres of its blocks."""
    target = positive.astype(np.float64)
    isotonic = IsotonicRegression(out_of_bounds="clip").fit(
        log_odds, target, sample_weight=weights
    )
    fitted = isotonic.predict(log_odds)
    centres, values = _block_centres(log_odds, fitted, weights)
    low, high = float(log_odds.min()), float(log_odds.max())
    if len(centres) < 2:  # a single block: a constant map
        return IsotonicRegression(out_of_bounds="clip").fit([low], values)
    first = (values[1] - values[0]) / (centres[1] - centres[0])
    last = (values[-1] - values[-2]) / (centres[-1] - centres[-2])
    inside = (centres > low) & (centres < high)
    x = np.concatenate([[low], centres[inside], [high]])
    y = np.concatenate(
        [
            [values[0] - first * (centres[0] - low)],
            values[inside],
            [values[-1] + last * (high - centres[-1])],
        ]
    )
    return IsotonicRegression(out_of_bounds="clip").fit(x, np.clip(y, 0.0, 1.0))


def fit_calibrator(
    log_odds: np.ndarray,
    positive: np.ndarray,
    method: str,
    sample_weight: np.ndarray | None = None,
) -> IsotonicRegression | Pipeline:
    """Fit the map from the base's log-odds to the probability of the risk outcome.

    Parameters
    ----------
    log_odds : ndarray of shape (n_samples,)
        The base pipeline's log-odds on the calibration rows.
    positive : ndarray of bool, shape (n_samples,)
        Whether each calibration row has the risk outcome (``classes_[1]``).
    method : {"isotonic", "interpolated_isotonic", "sigmoid", "temperature"}
        The calibration method.
    sample_weight : ndarray of shape (n_samples,), optional
        Row weights (for example the inverse sampling fractions of a sampled
        frame); a row of weight 2 counts as that row twice.

    Returns
    -------
    IsotonicRegression or Pipeline
        Fitted; apply it with :func:`calibrated_risk`. The pipeline is a
        ``MaxAbsScaler`` then a ``LogisticRegression`` on one column.
    """
    log_odds = np.asarray(log_odds, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    weighted = sample_weight is not None
    w = np.ones(len(log_odds)) if not weighted else np.asarray(sample_weight, dtype=np.float64)
    if method == "isotonic":
        isotonic = IsotonicRegression(out_of_bounds="clip")
        return isotonic.fit(log_odds, positive.astype(np.float64), sample_weight=w)
    if method == "interpolated_isotonic":
        return _interpolated_isotonic(log_odds, positive, w)
    if method == "sigmoid":
        target = _platt_targets(positive, w)
        n = len(log_odds)
        column = np.concatenate([log_odds, log_odds])[:, np.newaxis]
        labels = np.concatenate([np.ones(n), np.zeros(n)])
        weights = np.concatenate([target * w, (1.0 - target) * w])
        platt = _logistic_map(fit_intercept=True)
        return platt.fit(column, labels, logistic__sample_weight=weights)
    temperature = _logistic_map(fit_intercept=False)
    options = {"logistic__sample_weight": w} if weighted else {}
    temperature.fit(log_odds[:, np.newaxis], positive.astype(np.float64), **options)
    return _bound_temperature(temperature)


def calibrated_risk(calibrator: Any, log_odds: np.ndarray) -> np.ndarray:
    """Apply a map from :func:`fit_calibrator` to log-odds.

    Parameters
    ----------
    calibrator : IsotonicRegression or Pipeline
        Fitted by :func:`fit_calibrator`.
    log_odds : ndarray of shape (n_samples,)
        The base pipeline's log-odds.

    Returns
    -------
    ndarray of shape (n_samples,)
        The calibrated probability of the risk outcome (not yet clipped).
    """
    log_odds = np.asarray(log_odds, dtype=np.float64)
    if isinstance(calibrator, IsotonicRegression):
        return calibrator.predict(log_odds)
    return calibrator.predict_proba(log_odds[:, np.newaxis])[:, 1]
