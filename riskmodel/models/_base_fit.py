"""Fitting the base pipeline: temporal early stopping and monotone constraints.

HistGradientBoosting's own early stopping validates on a random 10% of the rows it
is given. On a training frame of (child, as-of date) rows that mixes later dates into
the rows the trees learn from, and the same child's earlier and later rows across
the two sides. With ``early_stopping="temporal"`` the validation rows are instead the
latest as-of dates of the base-fit rows (HistGradientBoosting's
``validation_fraction`` of those dates, at least one date), passed to its ``fit`` as
``X_val`` and ``y_val``; the trees are grown on the earlier dates only and the fitted
model is used as it is, without a refit. The preprocessing is fitted on the same
earlier dates, as a pipeline fitted on them would be. With
``early_stopping="temporal_refit"`` the number of iterations found that way is then
grown again, without early stopping, on all the base-fit rows (the validation dates
included): about twice the fitting time, and the latest dates inform the trees.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from riskmodel.models._holdout import as_of_dates, latest_dates
from riskmodel.models._inputs import take_rows
from riskmodel.models._monotone import monotonic_cst
from riskmodel.models._preprocess import feature_groups

__all__ = ["EARLY_STOPPING", "BaseFit", "check_fit_options", "fit_base"]

EARLY_STOPPING = ("temporal", "temporal_refit", "random", False)
_AUTO_ROWS = 10_000  # HistGradientBoosting's early_stopping="auto" threshold
_DEFAULT_VALIDATION = 0.1


@dataclass(frozen=True)
class BaseFit:
    """What the base fit did.

    Attributes
    ----------
    early_stopping : {"temporal", "temporal_refit", "random", "off"} or None
        How the boosting iterations were chosen; None for other estimators.
    validation_dates : ndarray or None
        The as-of dates of the temporal validation rows.
    n_iter : int or None
        Boosting iterations of the fitted HistGradientBoosting, else None.
    """

    early_stopping: str | None
    validation_dates: np.ndarray | None
    n_iter: int | None


def check_fit_options(early_stopping: Any, monotone: Any) -> None:
    """Raise a ValueError naming an invalid ``early_stopping`` or ``monotone``."""
    if not (early_stopping is False or early_stopping in EARLY_STOPPING[:3]):
        raise ValueError(f"early_stopping must be one of {EARLY_STOPPING}; got {early_stopping!r}")
    if not (monotone is None or monotone == "domain" or isinstance(monotone, Mapping)):
        raise ValueError(f"monotone must be None, 'domain' or a dict; got {monotone!r}")


def _column_names(X: Any) -> list[str]:
    """Input feature names as :func:`~riskmodel.models._preprocess.feature_groups` gives them."""
    names = list(X.columns) if isinstance(X, pd.DataFrame) else []
    if names and all(isinstance(name, str) for name in names):
        return names
    return [f"x{i}" for i in range(X.shape[1])]


def _would_stop_early(estimator: HistGradientBoostingClassifier, n_rows: int) -> bool:
    if estimator.early_stopping == "auto":
        return n_rows > _AUTO_ROWS
    return bool(estimator.early_stopping)


def _validation_rows(X: Any, y: np.ndarray, estimator: Any) -> tuple[np.ndarray, Any] | None:
    """Positions of the latest-dates validation rows and their dates, or None (warns)."""
    dates = as_of_dates(X)
    if dates is None or dates.nunique() < 2:
        return None
    fraction = estimator.validation_fraction
    if not isinstance(fraction, float) or not 0.0 < fraction < 1.0:
        fraction = _DEFAULT_VALIDATION
    held = latest_dates(dates, fraction)
    is_val = np.asarray(dates.isin(held))
    for part, mask in (("validation", is_val), ("training", ~is_val)):
        if len(np.unique(y[mask])) < 2:
            warnings.warn(
                f"Temporal early stopping: the {part} rows ({int(mask.sum())} rows; "
                f"validation = the latest {len(held)} as-of dates of the base fit) lack "
                "one of the classes; using HistGradientBoosting's random validation split",
                UserWarning,
                stacklevel=5,
            )
            return None
    return np.flatnonzero(is_val), held


def fit_base(
    pipeline: Pipeline,
    X: Any,
    y: np.ndarray,
    *,
    early_stopping: str | bool,
    monotone: str | Mapping[Any, Any] | None,
    categorical: list[Any],
    sample_weight: np.ndarray | None = None,
) -> BaseFit:
    """Fit ``pipeline`` (steps ``"preprocess"``, ``"estimator"``) in place on ``X``, ``y``.

    Parameters
    ----------
    pipeline : Pipeline
        Unfitted base pipeline.
    X, y
        The base-fit rows (already without the calibration slice).
    early_stopping : {"temporal", "temporal_refit", "random", False}
        Applies to HistGradientBoosting estimators only; see the module docstring.
        ``"temporal_refit"`` then refits on all of ``X`` with the iterations found.
        ``"random"`` keeps the estimator's own setting, False turns it off.
    monotone : "domain", dict or None
        Constraints set as the estimator's ``monotonic_cst`` (see
        :mod:`riskmodel.models._monotone`); None keeps the estimator's own.
    categorical : list
        Input features encoded as categories.
    sample_weight : ndarray, optional
        Row weights for the estimator (and its temporal validation rows).

    Returns
    -------
    BaseFit
    """
    w = sample_weight
    estimator = pipeline.named_steps["estimator"]
    if not isinstance(estimator, HistGradientBoostingClassifier):
        pipeline.fit(X, y, **({} if w is None else {"estimator__sample_weight": w}))
        return BaseFit(None, None, None)
    if early_stopping is False:
        estimator.set_params(early_stopping=False)
    split = None
    if str(early_stopping).startswith("temporal") and _would_stop_early(estimator, len(y)):
        split = _validation_rows(X, y, estimator)
    if split is None:
        _fit_steps(pipeline, X, y, monotone, categorical, weights=w)
        used = "random" if estimator.do_early_stopping_ else "off"
        return BaseFit(used, None, int(estimator.n_iter_))
    rows, dates = split
    fit_rows = np.setdiff1d(np.arange(len(y)), rows)
    estimator.set_params(early_stopping=True)
    _fit_steps(
        pipeline,
        take_rows(X, fit_rows),
        y[fit_rows],
        monotone,
        categorical,
        validation=(take_rows(X, rows), y[rows], None if w is None else w[rows]),
        weights=None if w is None else w[fit_rows],
    )
    if early_stopping == "temporal_refit":
        estimator.set_params(early_stopping=False, max_iter=int(estimator.n_iter_))
        _fit_steps(pipeline, X, y, monotone, categorical, weights=w)
    return BaseFit(str(early_stopping), np.asarray(dates), int(estimator.n_iter_))


def _fit_steps(
    pipeline: Pipeline,
    X: Any,
    y: np.ndarray,
    monotone: Any,
    categorical: list[Any],
    validation: tuple[Any, np.ndarray, np.ndarray | None] | None = None,
    weights: np.ndarray | None = None,
) -> None:
    """Fit the preprocessing, set the constraints, fit the estimator (with ``X_val``)."""
    preprocess, estimator = pipeline.named_steps.values()
    X_fit = _without_all_missing(preprocess.fit_transform(X, y))
    if monotone is not None:
        groups = feature_groups(preprocess)
        cst = monotonic_cst(monotone, _column_names(X), groups, categorical)
        estimator.set_params(monotonic_cst=cst)
    if validation is None:
        estimator.fit(X_fit, y, sample_weight=weights)
    else:
        X_val, y_val, w_val = validation
        estimator.fit(
            X_fit,
            y,
            sample_weight=weights,
            X_val=preprocess.transform(X_val),
            y_val=y_val,
            sample_weight_val=w_val,
        )


def _without_all_missing(X_fit: Any) -> Any:
    """Give a column that is missing in every row a constant value instead.

    HistGradientBoosting cannot bin a column with no value at all (a ValueError
    from its binning step, see the stack notes). The columns left to the model are
    never all missing, but the earlier dates that temporal early stopping grows the
    trees on can be: a family recorded only in the latest years. No split is
    possible on such a column either way, so a constant gives the same trees.
    """
    values = X_fit.to_numpy() if isinstance(X_fit, pd.DataFrame) else X_fit
    if not np.issubdtype(np.asarray(values).dtype, np.floating):
        return X_fit
    empty = np.isnan(values).all(axis=0)
    if not empty.any():
        return X_fit
    if isinstance(X_fit, pd.DataFrame):
        X_fit = X_fit.copy()
        X_fit.iloc[:, np.flatnonzero(empty)] = 0.0
        return X_fit
    X_fit = np.array(X_fit, copy=True)
    X_fit[:, empty] = 0.0
    return X_fit
