"""Calibration slope and intercept by logistic recalibration.

Both are maximum-likelihood fits of small logistic models on ``x = logit(y_prob)``:

- slope: ``logit P(y = 1) = a + b * x``; the slope is ``b`` (1 when calibrated, below
  1 when the predictions are too extreme, above 1 when too modest). This is
  unpenalised logistic regression, as ``LogisticRegression(C=numpy.inf)`` fits.
- intercept (calibration-in-the-large): ``logit P(y = 1) = a + x``, the slope fixed at
  1 through an offset; the intercept is ``a`` (0 when calibrated in the large, above 0
  when the model under-predicts).

Newton's method with step halving fits both in a few iterations and accepts row
weights, so the bootstrap can refit each resample quickly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, logit

from riskmodel.metrics._validation import check_binary_scores, dot

__all__ = [
    "calibration_intercept",
    "calibration_slope",
    "calibration_slope_intercept",
    "intercept_kernel",
    "slope_kernel",
]

_EPS = float(np.finfo(np.float64).eps)
_MAX_ITER = 100
_STEP_TOL = 1e-7  # Newton converges quadratically: the returned fit is good to ~1e-14
_TRUST = 1.0


def _loss(beta: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted negative log-likelihood of the logistic model ``beta[0] + beta[1] * x``."""
    eta = beta[0] + beta[1] * x
    return float(dot(w, np.logaddexp(0.0, eta) - y * eta))


def _newton_step(
    beta: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray, fit_slope: bool
) -> np.ndarray | None:
    """Return the Newton step from ``beta``, or None when the Hessian is singular."""
    mu = expit(beta[0] + beta[1] * x)
    residual, variance = w * (y - mu), w * mu * (1.0 - mu)
    if not fit_slope:
        information = variance.sum()
        return np.array([residual.sum() / information, 0.0]) if information > 0 else None
    h00, h01, h11 = variance.sum(), dot(variance, x), dot(variance, x * x)
    determinant = h00 * h11 - h01 * h01
    if determinant <= 1e-12 * h00 * h11:
        return None
    g0, g1 = residual.sum(), dot(residual, x)
    return np.array([h11 * g0 - h01 * g1, h00 * g1 - h01 * g0]) / determinant


def _newton(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, start: np.ndarray, *, fit_slope: bool
) -> np.ndarray:
    """Fit ``a + b x`` (or ``a + x`` when not ``fit_slope``); NaN when there is no finite fit.

    A full Newton step is taken when it moves the linear predictor by at most
    ``_TRUST`` on every row (where the quadratic model is good); a larger step is
    halved until the log-likelihood improves.
    """
    beta = start.astype(np.float64)
    x_ends = np.array([x.min(), x.max()])
    for _ in range(_MAX_ITER):
        step = _newton_step(beta, x, y, w, fit_slope)
        if step is None or not np.all(np.isfinite(step)):
            break
        if np.max(np.abs(step)) < _STEP_TOL * (1.0 + np.max(np.abs(beta))):
            return beta + step
        if np.max(np.abs(step[0] + step[1] * x_ends)) <= _TRUST:
            beta = beta + step
            continue
        loss, size = _loss(beta, x, y, w), 1.0
        while size > 1e-6 and _loss(beta + size * step, x, y, w) > loss:
            size /= 2.0
        if size <= 1e-6:
            break
        beta = beta + size * step
    return np.full(2, np.nan)


def _logit_prob(p: np.ndarray) -> np.ndarray:
    return logit(np.clip(p, _EPS, 1.0 - _EPS))


def _has_both_classes(y: np.ndarray, w: np.ndarray) -> bool:
    positives = float(dot(w, y))
    return 0.0 < positives < float(w.sum())


def slope_kernel(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Weighted calibration slope of rows in any order (NaN when undefined)."""
    if not _has_both_classes(y, w):
        return float("nan")
    return float(_newton(_logit_prob(p), y, w, np.array([0.0, 1.0]), fit_slope=True)[1])


def intercept_kernel(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """Weighted calibration-in-the-large intercept of rows in any order (NaN when undefined).

    Newton's method starts from ``logit(mean(y)) - logit(mean(p))``, the answer when
    ``p`` is constant, and usually converges in two or three steps.
    """
    if not _has_both_classes(y, w):
        return float("nan")
    total = float(w.sum())
    mean_p = min(max(float(dot(w, p)) / total, _EPS), 1.0 - _EPS)
    start = np.array([logit(float(dot(w, y)) / total) - logit(mean_p), 1.0])
    return float(_newton(_logit_prob(p), y, w, start, fit_slope=False)[0])


def _checked(value: float, y: np.ndarray, p: np.ndarray, what: str) -> float:
    if not np.isnan(value):
        return value
    if y.min() == y.max():
        reason = f"y_true holds a single class ({int(y[0])}) in all {len(y)} rows"
    elif what == "calibration_slope" and p.min() == p.max():
        reason = f"y_prob is constant ({float(p[0])!r}), so a slope cannot be estimated"
    else:
        reason = "the fit did not converge (does y_prob separate the classes perfectly?)"
    raise ValueError(f"{what} is undefined: {reason}")


def calibration_slope(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Calibration slope: ``b`` in ``logit P(y = 1) = a + b * logit(y_prob)``.

    An unpenalised logistic regression of the outcome on the logit of the predicted
    probability (probabilities clipped to ``[eps, 1 - eps]``). 1 means the spread of
    the predictions is right; below 1, predictions are too extreme (typical of
    overfitting); above 1, too modest.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    float
        The slope.

    Raises
    ------
    ValueError
        If the inputs are invalid, ``y_true`` holds a single class, ``y_prob`` is
        constant, or the fit does not converge (perfect separation).

    Examples
    --------
    Predictions twice as spread out (in log-odds) as the truth have slope 1/2:

    >>> import numpy as np
    >>> from scipy.special import expit
    >>> from riskmodel.metrics import calibration_slope
    >>> rng = np.random.default_rng(0)
    >>> true_logit = rng.normal(-2.0, 1.0, 20_000)
    >>> y = rng.random(20_000) < expit(true_logit)
    >>> round(calibration_slope(y, expit(2.0 * true_logit)), 1)
    0.5
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    return _checked(slope_kernel(y, p, np.ones_like(y)), y, p, "calibration_slope")


def calibration_intercept(y_true: ArrayLike, y_prob: ArrayLike) -> float:
    """Calibration-in-the-large: ``a`` in ``logit P(y = 1) = a + logit(y_prob)``.

    A logistic model with the logit of the predicted probability as an offset (slope
    fixed at 1). 0 means the average prediction matches the outcome rate; above 0 the
    model under-predicts, below 0 it over-predicts. This is not the intercept of the
    model fitted by :func:`calibration_slope`, which depends on the slope.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    float
        The intercept, in log-odds.

    Raises
    ------
    ValueError
        If the inputs are invalid or ``y_true`` holds a single class.

    Examples
    --------
    >>> from riskmodel.metrics import calibration_intercept
    >>> round(calibration_intercept([0, 1, 0, 0], [0.5, 0.5, 0.5, 0.5]), 4)  # logit(1/4)
    -1.0986
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    return _checked(intercept_kernel(y, p, np.ones_like(y)), y, p, "calibration_intercept")


def calibration_slope_intercept(y_true: ArrayLike, y_prob: ArrayLike) -> tuple[float, float]:
    """Calibration slope and calibration-in-the-large intercept, as a pair.

    See :func:`calibration_slope` and :func:`calibration_intercept` for the two models.
    A calibrated model has slope 1 and intercept 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].

    Returns
    -------
    slope, intercept : float
        The slope of the logistic recalibration model and the intercept of the
        offset model (slope fixed at 1).

    Raises
    ------
    ValueError
        As :func:`calibration_slope` and :func:`calibration_intercept`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import expit
    >>> from riskmodel.metrics import calibration_slope_intercept
    >>> rng = np.random.default_rng(0)
    >>> true_prob = expit(rng.normal(-2.0, 1.0, 20_000))
    >>> y = rng.random(20_000) < true_prob
    >>> slope, intercept = calibration_slope_intercept(y, true_prob)
    >>> round(slope, 1), round(intercept, 1)
    (1.0, 0.0)
    """
    y, p = check_binary_scores(y_true, y_prob, name="y_prob", probabilities=True)
    ones = np.ones_like(y)
    slope = _checked(slope_kernel(y, p, ones), y, p, "calibration_slope")
    intercept = _checked(intercept_kernel(y, p, ones), y, p, "calibration_intercept")
    return slope, intercept
