"""Rule baselines an authority would otherwise use, with the classifier's interface.

Both baselines are calibrated on their training data, so their scores are
probabilities and can be compared with a model's on the same metrics. Both produce
many tied scores, as real rules do; capacity metrics handle ties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted

from riskmodel.models._inputs import check_fit_input, check_predict_input, check_weight
from riskmodel.models._probabilities import as_probabilities, logit

__all__ = ["DEFAULT_RULE", "RuleBaseline", "SingleFeatureRanker"]

#: "On a child protection plan, or 2+ referrals in the last year".
DEFAULT_RULE = (("cp_plan_open", 1), ("referral_count_365d", 2))


def _column(X: Any, column: Any, owner: str) -> np.ndarray:
    """One feature column as floats (NaN for missing), with a clear error if absent."""
    if isinstance(X, pd.DataFrame):
        if column not in X.columns:
            raise ValueError(
                f"{owner}: column {column!r} is not in X; available columns: {list(X.columns)}"
            )
        values = X[column]
        if not pd.api.types.is_numeric_dtype(values.dtype):
            raise ValueError(
                f"{owner}: column {column!r} must be numeric or boolean; it has dtype "
                f"{values.dtype}"
            )
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    n_columns = X.shape[1]
    if isinstance(column, bool) or not isinstance(column, int | np.integer):
        raise ValueError(
            f"{owner}: column {column!r} needs a DataFrame with named columns; X is an "
            f"array with {n_columns} columns (name columns by position for arrays)"
        )
    if not -n_columns <= column < n_columns:
        raise ValueError(f"{owner}: column {column} is out of range: X has {n_columns} feature(s)")
    return np.asarray(X[:, column], dtype=np.float64)


def _weights(sample_weight: Any, n_rows: int) -> np.ndarray:
    """Row weights for a baseline's fit: ones when none are given."""
    if sample_weight is None:
        return np.ones(n_rows)
    weights = check_weight(sample_weight, n_rows)
    if not weights.sum() > 0:
        raise ValueError(f"sample_weight: all {n_rows} weights are zero; nothing to fit on")
    return weights


class _ScoreBaseline(ClassifierMixin, BaseEstimator):
    """Shared predict / predict_proba / decision_function from a positive-class score."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.poor_score = True
        return tags

    def _positive_probability(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, calibrated on the training data.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Column 1 is the probability of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = check_predict_input(self, X)
        return as_probabilities(self._positive_probability(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of ``predict_proba(X)[:, 1]`` (clipped to stay finite).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Positive where ``predict`` returns ``classes_[1]``.
        """
        return logit(self.predict_proba(X)[:, 1])

    def predict(self, X: Any) -> np.ndarray:
        """Class with the larger probability (a 0.5 threshold).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted class labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class RuleBaseline(_ScoreBaseline):
    """Flag children by a fixed rule; score each group by its observed risk.

    The default rule is "on a child protection plan, or 2+ referrals in the last
    year". ``predict_proba`` is the rate of the positive class among flagged and
    among unflagged training rows: a calibrated two-level score.

    Parameters
    ----------
    rule : sequence of (column, minimum) pairs, or callable, default=DEFAULT_RULE
        A row is flagged when **any** ``X[column] >= minimum`` (missing values never
        meet a condition). Columns are names for a DataFrame, positions for an
        array. The default is
        ``(("cp_plan_open", 1), ("referral_count_365d", 2))``. A callable
        ``rule(X)`` returns one boolean per row instead.

    Attributes
    ----------
    rates_ : ndarray of shape (2,)
        Training rate of ``classes_[1]`` among unflagged (index 0) and flagged
        (index 1) rows. A group with no training rows gets the overall rate.
    classes_ : ndarray of shape (2,)
        Class labels.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had string column names.

    See Also
    --------
    SingleFeatureRanker : Rank by one feature.
    RiskClassifier : The model these baselines are compared with.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"cp_plan_open": [1, 0, 0, 0], "referral_count_365d": [0, 3, 1, 0]})
    >>> baseline = RuleBaseline().fit(X, [1, 0, 0, 0])
    >>> baseline.flag(X).tolist()
    [True, True, False, False]
    >>> baseline.predict_proba(X)[:, 1].tolist()
    [0.5, 0.5, 0.0, 0.0]
    """

    def __init__(self, rule: Sequence[tuple[Any, float]] | Callable = DEFAULT_RULE) -> None:
        self.rule = rule

    def _flag(self, X: Any) -> np.ndarray:
        if callable(self.rule):
            flagged = np.asarray(self.rule(X))
            if flagged.shape != (X.shape[0],):
                raise ValueError(
                    f"RuleBaseline: rule(X) must return one value per row (shape "
                    f"({X.shape[0]},)); it returned shape {flagged.shape}"
                )
            return flagged.astype(bool)
        conditions = list(self.rule)
        if not conditions or any(len(condition) != 2 for condition in conditions):
            raise ValueError(
                "RuleBaseline: rule must be a callable or a non-empty sequence of "
                f"(column, minimum) pairs; got {self.rule!r}"
            )
        flagged = np.zeros(X.shape[0], dtype=bool)
        for column, minimum in conditions:
            with np.errstate(invalid="ignore"):
                flagged |= _column(X, column, "RuleBaseline") >= minimum
        return flagged

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RuleBaseline:
        """Measure the outcome rate among flagged and unflagged training rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features containing the rule's columns.
        y : array-like of shape (n_samples,)
            Binary outcome.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights (a sampled row standing for that many): the rates are then
            weighted means.

        Returns
        -------
        self : RuleBaseline
            The fitted baseline.
        """
        X, y = check_fit_input(self, X, y)
        w = _weights(sample_weight, len(y))
        positive = (y == self.classes_[1]).astype(np.float64)
        flagged = self._flag(X)
        overall = np.average(positive, weights=w)
        self.rates_ = np.array(
            [
                np.average(positive[group], weights=w[group]) if w[group].sum() > 0 else overall
                for group in (~flagged, flagged)
            ]
        )
        return self

    def flag(self, X: Any) -> np.ndarray:
        """Whether the rule flags each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of bool, shape (n_samples,)
        """
        check_is_fitted(self)
        return self._flag(check_predict_input(self, X))

    def _positive_probability(self, X: Any) -> np.ndarray:
        return self.rates_[self._flag(X).astype(int)]


class SingleFeatureRanker(_ScoreBaseline):
    """Rank children by one feature, calibrated to a probability on the training data.

    The score is an isotonic regression of the outcome on the feature, so it is a
    monotone (non-decreasing, or non-increasing) function of the feature and a
    calibrated probability. Rows with the feature missing score the training rate
    among rows where it was missing.

    Parameters
    ----------
    column : str or int, default="missing_episode_count_180d"
        The feature: a column name for a DataFrame, a position for an array.
    increasing : bool, default=True
        Whether a larger value means more risk (``False`` for e.g. days since an
        event).

    Attributes
    ----------
    isotonic_ : IsotonicRegression
        Fitted on the training rows where the feature is present; predictions are
        clipped to the training range.
    missing_rate_ : float
        Score for a missing value: the training rate of ``classes_[1]`` where the
        feature was missing, or the overall rate if it never was.
    classes_ : ndarray of shape (2,)
        Class labels.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had string column names.

    See Also
    --------
    RuleBaseline : Flag by a fixed rule.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"missing_episode_count_180d": [0, 0, 1, 3]})
    >>> ranker = SingleFeatureRanker().fit(X, [0, 0, 0, 1])
    >>> ranker.predict_proba(X)[:, 1].tolist()
    [0.0, 0.0, 0.0, 1.0]
    """

    def __init__(
        self, column: Any = "missing_episode_count_180d", *, increasing: bool = True
    ) -> None:
        self.column = column
        self.increasing = increasing

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SingleFeatureRanker:
        """Fit the isotonic map from the feature to the outcome rate.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features containing ``column``.
        y : array-like of shape (n_samples,)
            Binary outcome.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights (a sampled row standing for that many), given to the
            isotonic regression and the rate among missing values.

        Returns
        -------
        self : SingleFeatureRanker
            The fitted ranker.

        Raises
        ------
        ValueError
            If the column is absent, not numeric, or missing in every row.
        """
        X, y = check_fit_input(self, X, y)
        w = _weights(sample_weight, len(y))
        values = _column(X, self.column, "SingleFeatureRanker")
        positive = (y == self.classes_[1]).astype(np.float64)
        present = ~np.isnan(values)
        if not present.any():
            raise ValueError(
                f"SingleFeatureRanker: column {self.column!r} is missing in all "
                f"{len(values)} training rows"
            )
        self.isotonic_ = IsotonicRegression(
            y_min=0.0, y_max=1.0, increasing=bool(self.increasing), out_of_bounds="clip"
        ).fit(values[present], positive[present], sample_weight=w[present])
        absent = ~present
        rows = absent if w[absent].sum() > 0 else np.ones(len(y), dtype=bool)
        self.missing_rate_ = float(np.average(positive[rows], weights=w[rows]))
        return self

    def _positive_probability(self, X: Any) -> np.ndarray:
        values = _column(X, self.column, "SingleFeatureRanker")
        present = ~np.isnan(values)
        proba = np.full(values.shape, self.missing_rate_)
        if present.any():
            proba[present] = self.isotonic_.predict(values[present])
        return proba
