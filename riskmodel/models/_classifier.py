"""The calibrated risk classifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from riskmodel.features import FeatureSpec
from riskmodel.models._base_fit import check_fit_options
from riskmodel.models._calibrator import calibrated_risk
from riskmodel.models._estimators import ESTIMATORS
from riskmodel.models._fitting import fit_calibrated, fit_uncalibrated, make_base_pipeline
from riskmodel.models._group_calibration import apply_within, check_calibrate_within
from riskmodel.models._inputs import (
    check_classifier_params,
    check_fit_input,
    check_predict_input,
    check_weight,
)
from riskmodel.models._preprocess import feature_groups
from riskmodel.models._probabilities import as_probabilities, logit

__all__ = ["CALIBRATIONS", "ESTIMATORS", "RiskClassifier"]

CALIBRATIONS = ("isotonic", "sigmoid", "temperature", "interpolated_isotonic", "auto")


class RiskClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated binary risk classifier: preprocessing, base estimator, calibration.

    ``fit`` holds out the latest as-of dates of the training data, fits the base
    pipeline (preprocessing + estimator) on the earlier dates, then fits a calibration
    map from the base pipeline's log-odds to risk on the held-out dates, without
    refitting the base. Calibration never sees test data: it only uses rows passed to
    ``fit``.

    Parameters
    ----------
    estimator : {"hgb", "logistic"} or classifier, default="hgb"
        ``"hgb"`` is ``HistGradientBoostingClassifier(learning_rate=0.05,
        max_leaf_nodes=3, min_samples_leaf=500, l2_regularization=5.0,
        random_state=random_state)``: regularised for rare outcomes (scikit-learn's
        defaults overfit them), early stopping from 10,000 base-fit rows, and leaves
        of a hundredth of the training rows, within 20-500, unless set in ``estimator_params``.
        ``"logistic"`` is ``LogisticRegression(max_iter=1000)`` (L2, ``C=1``). An
        unfitted scikit-learn classifier is cloned and used as given. Estimators that
        accept NaN get tree preprocessing (numeric columns as they are, categories as
        ordinal codes); the others get median imputation with missing-value
        indicators, standard scaling and one-hot encoding.
    calibration : {"isotonic", "sigmoid", "temperature", "interpolated_isotonic", \
            "auto"} or None, default="temperature"
        Calibration method; None fits the base pipeline on all rows, uncalibrated.
        ``"temperature"`` rescales the log-odds: it keeps the base ranking, gives no
        blocks of tied scores, and held on later dates where isotonic did not
        (``benchmarks/bench_validity.py``, with 7 leaves: calibration slope 1.09
        and observed/expected 0.99 on held-out dates, against 0.85 and 0.92 with
        isotonic; with today's 3 leaves 1.13 and 1.00).
        ``"interpolated_isotonic"`` joins the centres of the isotonic blocks with
        lines, so it is strictly increasing where plain isotonic ties whole blocks.
        ``"auto"`` chooses among isotonic, interpolated isotonic, sigmoid and
        temperature by log loss on later dates inside the calibration slice (each
        fitted on the dates before), then refits the choice on the whole slice.
    calibrate_within : str or None, default=None
        ``"authority"`` for a model pooled across authorities: after the shared
        calibration map, each authority's log-odds are shifted by one offset fitted
        on its own calibration rows (with a prior towards no shift), so each
        authority's probabilities match its own rate. ``X`` must then carry that
        index level (a pooled frame's ``X`` does); an authority not seen in
        fitting keeps the shared map. See ``group_offsets_``.
    calibration_fraction : float, default=0.2
        Share of the distinct as-of dates held out for calibration (the latest
        ones). When ``X`` has no ``"as_of_date"`` index level (e.g. an array), a
        random share of rows instead, stratified by ``y``.
    categorical_features : "auto" or sequence, default="auto"
        Columns to encode as categories. ``"auto"``: object, string and
        ``category`` columns of a DataFrame. All other columns must be numeric or
        boolean; NaN and ``pandas.NA`` mean missing.
    estimator_params : dict or None, default=None
        Parameters set on the (cloned) base estimator, e.g. ``{"max_iter": 200}``.
    early_stopping : {"temporal", "temporal_refit", "random", False}, \
            default="temporal_refit"
        For HistGradientBoosting estimators whose early stopping would be on (it is
        on from 10,000 base-fit rows by default), ``"temporal"`` validates on the
        latest as-of dates of the base-fit rows (``validation_fraction`` of them)
        instead of a random 10% of rows, and grows the trees on the earlier dates.
        ``"temporal_refit"`` then grows that many trees again on all base-fit rows.
        Without as-of dates both are ``"random"``: the estimator's own setting.
        False turns early stopping off. Other estimators are not affected.
    monotone : None, "domain" or dict, default=None
        Monotone constraints for HistGradientBoosting (``monotonic_cst``).
        ``"domain"``: the risk never decreases with more contacts, referrals,
        missing episodes, suspensions or exclusions, youth justice outcomes or child
        protection plans (their ``_count_`` and ``_ever`` features, by name). A dict
        maps input feature names to -1, 0 or 1. Categorical features stay free.
    random_state : int, RandomState instance or None, default=None
        Seeds the random calibration split and the ``"hgb"`` estimator. Passed-in
        estimators keep their own ``random_state``.

    Attributes
    ----------
    base_pipeline_ : Pipeline
        Steps ``"preprocess"`` (a ColumnTransformer) and ``"estimator"``, fitted on
        the rows before the calibration slice (on all rows when uncalibrated). This
        is what explanations explain, in log-odds.
    calibrator_ : IsotonicRegression, Pipeline or None
        The calibration map from the log-odds of ``base_pipeline_``
        (:meth:`decision_function`) to the calibrated risk, fitted on the calibration
        slice: an :class:`~sklearn.isotonic.IsotonicRegression` (``"isotonic"``, as
        :class:`~sklearn.calibration.CalibratedClassifierCV` fits it), or a
        :class:`~sklearn.preprocessing.MaxAbsScaler` and a one-feature
        :class:`~sklearn.linear_model.LogisticRegression` (``"sigmoid"``: Platt
        scaling with Platt's smoothed targets; ``"temperature"``: no intercept).
        None when ``calibration=None`` or when calibration fell back (see Warns).
    feature_groups_ : dict of str to str
        Each column of ``base_pipeline_[:-1].get_feature_names_out()``, in order,
        mapped to the input feature it comes from (one-hot columns and missing
        indicators map to their feature). Only used features appear.
    features_used_ : list of str
        The input columns the base pipeline reads, in the order of ``X``
        (``x0``, ``x1``, ... for an array). Explanations, reasons and drift speak
        of exactly these.
    features_dropped_ : dict of str to str
        The other input columns (entirely missing or constant on the training rows),
        each with the reason, such as ``"no early_help events in the training rows"``.
    feature_spec_ : dict or None
        The plain description (:meth:`~riskmodel.features.FeatureSpec.to_dict`) of
        the ``feature_spec`` passed to ``fit``, limited to the columns of ``X``;
        None when none was given. Scoring builds the model's features from it.
    categorical_features_ : list
        Used input columns encoded as categories.
    calibration_dates_ : numpy.ndarray or None
        The as-of dates of the calibration slice; None for a random split or no
        calibration.
    calibration_method_ : str or None
        The calibration fitted (the one chosen for ``"auto"``); None if uncalibrated.
    group_offsets_ : dict of str to float or None
        With ``calibrate_within``: each group's shift of the calibrated log-odds.
    calibration_scores_ : dict of str to float or None
        For ``"auto"``, the temporal log loss of each candidate; None otherwise or
        when the slice was too small to choose.
    early_stopping_ : {"temporal", "temporal_refit", "random", "off"} or None
        How HistGradientBoosting's iterations were chosen; None for other estimators.
    validation_dates_ : numpy.ndarray or None
        The as-of dates of the temporal early-stopping validation rows.
    n_iter_ : int or None
        Boosting iterations of a HistGradientBoosting base estimator.
    reference_ : numpy.ndarray or None
        For a linear base estimator, the mean encoded training row: the reference its
        explanations are measured from. None for gradient boosting.
    n_calibration_rows_ : int
        Rows used to fit the calibration (0 when uncalibrated).
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the risk outcome.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had string column names.

    Warns
    -----
    DataQualityWarning
        If some columns are entirely missing or constant on the training rows: they
        are left out (see ``features_dropped_``).
    UserWarning
        If the base-fit or calibration slice lacks one of the classes (e.g. no care
        entries at the latest dates). The base pipeline is then fitted on all rows and
        ``calibrator_`` is None, so probabilities are uncalibrated. Also if ``X`` has
        a single as-of date, so the calibration rows are a random sample; if the
        temporal validation rows lack a class; or if ``calibration="auto"`` has too
        few outcomes to choose (it then uses ``"temperature"``).

    See Also
    --------
    RuleBaseline, SingleFeatureRanker : Baselines with the same interface.

    Notes
    -----
    Class imbalance (about 1% positives) is not reweighted or resampled: that would
    distort the probabilities. Capacity (the top k children) is a ranking, and the
    calibrated probabilities keep their meaning. A class weight passed through
    ``estimator_params`` is undone by ``"isotonic"`` or ``"sigmoid"`` calibration,
    but not by ``"temperature"``, which rescales the log-odds without shifting them.

    ``predict`` thresholds the calibrated probability at 0.5, which at low
    prevalence flags almost no one; the model is meant to be used by ranking
    ``predict_proba(X)[:, 1]`` against a capacity. ``score`` is scikit-learn's
    accuracy, which is uninformative at 1% prevalence: evaluate with ranking and
    calibration metrics instead (e.g. ``scoring="average_precision"`` in a search).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> model = RiskClassifier("logistic", calibration="sigmoid", random_state=0).fit(X, y)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        estimator: str | BaseEstimator = "hgb",
        *,
        calibration: str | None = "temperature",
        calibrate_within: str | None = None,
        calibration_fraction: float = 0.2,
        categorical_features: str | Sequence[Any] = "auto",
        estimator_params: Mapping[str, Any] | None = None,
        early_stopping: str | bool = "temporal_refit",
        monotone: str | Mapping[str, int] | None = None,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.calibration = calibration
        self.calibrate_within = calibrate_within
        self.calibration_fraction = calibration_fraction
        self.categorical_features = categorical_features
        self.estimator_params = estimator_params
        self.early_stopping = early_stopping
        self.monotone = monotone
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self) -> None:
        check_classifier_params(
            self.estimator, self.calibration, self.calibration_fraction, ESTIMATORS, CALIBRATIONS
        )
        check_fit_options(self.early_stopping, self.monotone)
        check_calibrate_within(self.calibrate_within, self.calibration)

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        feature_spec: FeatureSpec | Mapping[str, Any] | None = None,
    ) -> RiskClassifier:
        """Fit the base pipeline on earlier as-of dates and calibrate on the latest.

        Columns entirely missing or constant on the training rows (an event family
        the authority never records) are left out of the base pipeline, with one
        :class:`~riskmodel.exceptions.DataQualityWarning` naming them; ``X`` passed
        to prediction still needs every column seen here.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features. A training frame indexed by ``(person_id, as_of_date)`` gets
            the temporal calibration split.
        y : array-like of shape (n_samples,)
            Binary outcome.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights, given to the base estimator, its temporal early stopping
            and the calibration map: for a sampled frame, the inverse of each row's
            sampling fraction (:func:`~riskmodel.frame.sample_negatives`).
        feature_spec : FeatureSpec or dict, optional
            The specification that built ``X`` (``frame.spec``, the resolved one),
            or its :meth:`~riskmodel.features.FeatureSpec.to_dict` description.
            Stored as ``feature_spec_``, so that scoring builds exactly these
            features; the warning about left-out features then speaks of event
            families.

        Returns
        -------
        self : RiskClassifier
            The fitted classifier.

        Raises
        ------
        ValueError
            If every column is entirely missing or constant, or ``feature_spec``
            does not build every column of ``X``.
        """
        self._check_params()
        X, y = check_fit_input(self, X, y)
        weights = None if sample_weight is None else check_weight(sample_weight, len(y))
        base = make_base_pipeline(self, X, feature_spec)
        self.calibrator_ = None
        self.calibration_dates_ = None
        self.n_calibration_rows_ = 0
        self.calibration_method_ = self.calibration_scores_ = self.group_offsets_ = None
        if self.calibration is None:
            fit_uncalibrated(self, base, X, y, weights)
        else:
            fit_calibrated(self, base, X, y, weights)
        self.feature_groups_ = feature_groups(self.base_pipeline_.named_steps["preprocess"])
        return self

    def _log_odds(self, X: Any) -> np.ndarray:
        """Return the base pipeline's log-odds of checked ``X`` (one pass of the base)."""
        if hasattr(self.base_pipeline_, "decision_function"):
            return self.base_pipeline_.decision_function(X)
        return logit(self.base_pipeline_.predict_proba(X)[:, 1])

    def _calibrated(self, X: Any, log_odds: np.ndarray | None = None) -> np.ndarray:
        """Return the probabilities of checked ``X``, from its log-odds if already computed."""
        if self.calibrator_ is None:
            return as_probabilities(self.base_pipeline_.predict_proba(X)[:, 1])
        if log_odds is None:
            log_odds = self._log_odds(X)
        risk = calibrated_risk(self.calibrator_, log_odds)
        if self.group_offsets_ is not None:
            risk = apply_within(risk, X, self.calibrate_within, self.group_offsets_)
        return as_probabilities(risk)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Column 1 is the calibrated risk (probability of ``classes_[1]``). Values
            are clipped to [0, 1]: scikit-learn's calibrators can return round-off
            such as ``-2.2e-16``, which is not a probability.
        """
        check_is_fitted(self)
        return self._calibrated(check_predict_input(self, X))

    def predict(self, X: Any) -> np.ndarray:
        """Class with the larger calibrated probability (a 0.5 threshold).

        At low prevalence this flags almost no one; rank ``predict_proba`` instead.

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

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the uncalibrated base pipeline.

        This is the quantity explanations decompose (SHAP values of
        ``base_pipeline_`` sum to it). It is **not** calibrated: calibration is a
        monotone map applied afterwards, so it ranks children in the same order (up
        to ties that isotonic calibration introduces), but ``decision_function > 0``
        need not agree with ``predict``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``base_pipeline_.decision_function(X)``, or the log-odds of its
            ``predict_proba`` for estimators without a decision function.
        """
        check_is_fitted(self)
        return self._log_odds(check_predict_input(self, X))

    def predict_proba_and_log_odds(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return ``predict_proba(X)`` and ``decision_function(X)`` from one model pass.

        Ranking by calibrated risk and breaking isotonic ties by log-odds needs both;
        computing them separately runs the base pipeline twice. Here the base
        pipeline runs once and the calibration map (``calibrator_``) is applied to its
        log-odds, exactly as :meth:`predict_proba` does. An uncalibrated model calls
        the base pipeline's ``predict_proba`` as well.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Identical to :meth:`predict_proba`.
        log_odds : ndarray of shape (n_samples,)
            Identical to :meth:`decision_function`.
        """
        check_is_fitted(self)
        X = check_predict_input(self, X)
        log_odds = self._log_odds(X)
        return self._calibrated(X, log_odds), log_odds
