"""``calibration="auto"``: choose the calibration map by temporal log loss.

Inside the calibration slice, each candidate map is fitted on its earlier as-of dates
and scored on the next one, rolling forward (fit on the first date, score the second;
fit on the first two, score the third; ...). The method with the lowest log loss over
all scored rows wins and is refitted on the whole slice. Without as-of dates (an
array, a random calibration split) there is no time order to respect, and a 3-fold
stratified split of the slice's rows stands in for the rolling one.

Probabilities are clipped to ``[EPS, 1 - EPS]`` (:data:`~riskmodel.models._probabilities.EPS`)
before taking logs, so a map that gives a child who entered care a risk of exactly 0
is charged about 28 nats for that row rather than an infinite loss.

When the slice is too small to choose (fewer than :data:`MIN_POSITIVES` outcomes on
the scored rows, or no fold whose earlier part holds both classes), the choice falls
back to :data:`FALLBACK` with a :class:`UserWarning` naming the counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from riskmodel.models._calibrator import calibrated_risk, fit_calibrator
from riskmodel.models._probabilities import EPS

__all__ = ["AUTO_CANDIDATES", "FALLBACK", "MIN_POSITIVES", "choose_calibration", "fit_calibration"]

AUTO_CANDIDATES = ("isotonic", "interpolated_isotonic", "sigmoid", "temperature")
FALLBACK = "temperature"
"""The method used when the slice is too small to choose: one parameter, hard to overfit."""
MIN_POSITIVES = 10
"""Outcomes needed on the scored rows before the log losses are compared."""
_N_FOLDS = 3


def _log_loss(positive: np.ndarray, risk: np.ndarray, weights: np.ndarray | None = None) -> float:
    risk = np.clip(risk, EPS, 1.0 - EPS)
    losses = np.where(positive, np.log(risk), np.log1p(-risk))
    return float(-np.average(losses, weights=weights))


def _folds(
    positive: np.ndarray, dates: np.ndarray | None, random_state: Any
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(fit rows, score rows) pairs whose fit rows hold both classes."""
    if dates is not None:
        unique = np.unique(dates)
        pairs = [(np.flatnonzero(dates < d), np.flatnonzero(dates == d)) for d in unique[1:]]
    elif min(positive.sum(), (~positive).sum()) >= _N_FOLDS:
        folds = StratifiedKFold(_N_FOLDS, shuffle=True, random_state=random_state)
        pairs = list(folds.split(positive, positive))
    else:
        pairs = []
    for fit_rows, score_rows in pairs:
        if 0 < positive[fit_rows].sum() < len(fit_rows):
            yield fit_rows, score_rows


def choose_calibration(
    log_odds: np.ndarray,
    positive: np.ndarray,
    dates: np.ndarray | None,
    random_state: Any = None,
    *,
    sample_weight: np.ndarray | None = None,
) -> tuple[str, dict[str, float] | None]:
    """Choose the calibration method by out-of-time log loss inside the slice.

    With ``sample_weight``, each candidate is fitted and scored with the weights.

    Parameters
    ----------
    log_odds : ndarray of shape (n_samples,)
        The base pipeline's log-odds on the calibration rows.
    positive : ndarray of bool
        Whether each calibration row has the risk outcome.
    dates : ndarray or None
        Each row's as-of date; None for a slice without dates.
    random_state : int, RandomState instance or None
        Seeds the row folds used without dates.

    Returns
    -------
    method : str
        One of :data:`AUTO_CANDIDATES`.
    scores : dict of str to float, or None
        Mean log loss per candidate over the scored rows; None when the slice was too
        small (``method`` is then :data:`FALLBACK`, with a warning).
    """
    log_odds = np.asarray(log_odds, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    folds = list(_folds(positive, dates, random_state))
    scored = np.concatenate([rows for _, rows in folds]) if folds else np.array([], int)
    n_scored_positive = int(positive[scored].sum())
    if n_scored_positive < MIN_POSITIVES:
        n_dates = "no" if dates is None else len(np.unique(dates))
        warnings.warn(
            f"calibration='auto' needs {MIN_POSITIVES} outcomes on the rows it scores to "
            f"choose a method; the calibration slice ({len(positive)} rows, "
            f"{int(positive.sum())} outcomes, {n_dates} as-of dates) gives "
            f"{len(scored)} scored rows with {n_scored_positive} outcomes: using "
            f"{FALLBACK!r}",
            UserWarning,
            stacklevel=5,
        )
        return FALLBACK, None
    scores = {}
    for method in AUTO_CANDIDATES:
        risk = np.empty(len(scored))
        start = 0
        for fit_rows, score_rows in folds:
            w = None if sample_weight is None else sample_weight[fit_rows]
            calibrator = fit_calibrator(log_odds[fit_rows], positive[fit_rows], method, w)
            risk[start : start + len(score_rows)] = calibrated_risk(
                calibrator, log_odds[score_rows]
            )
            start += len(score_rows)
        w = None if sample_weight is None else sample_weight[scored]
        scores[method] = _log_loss(positive[scored], risk, w)
    return min(scores, key=scores.__getitem__), scores


def fit_calibration(
    method: str,
    log_odds: np.ndarray,
    positive: np.ndarray,
    dates: np.ndarray | None,
    random_state: Any = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Any, str, dict[str, float] | None]:
    """Fit the calibration map on the whole slice, choosing it first for ``"auto"``.

    Returns
    -------
    calibrator : IsotonicRegression or Pipeline
        From :func:`~riskmodel.models._calibrator.fit_calibrator`.
    method : str
        The method fitted.
    scores : dict of str to float, or None
        The log loss per candidate for ``"auto"`` (see :func:`choose_calibration`).
    """
    scores = None
    if method == "auto":
        method, scores = choose_calibration(
            log_odds, positive, dates, random_state, sample_weight=sample_weight
        )
    return fit_calibrator(log_odds, positive, method, sample_weight), method, scores
