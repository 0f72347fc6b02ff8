"""Temporal backtest: refit on each rolling-origin fold, score the future, compare.

Every fold fits the model and the rule baselines on earlier as-of dates only and
scores the fold's test dates. Metrics come with cluster-bootstrap intervals (children
resampled, not rows). Given the true probabilities of the frame's rows (known on
synthetic data), they are scored on the same rows as ``"best possible"``, so the gap
to the ceiling is visible. Given the probabilities that the records alone allow (the
best achievable from the records, known on synthetic data), they are scored as
``"best achievable"``, and each metric gets the model's share of the gain from the
best rule to that reference (``BacktestResult.achievable_share``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real
from typing import TYPE_CHECKING, Any

import pandas as pd
from numpy.typing import ArrayLike

from riskmodel.evaluation._authorities import (
    authority_metrics,
    own_model_predictions,
    pooled_vs_own,
)
from riskmodel.evaluation._comparison import TOP_SHARE_METRIC, compare
from riskmodel.evaluation._folds import check_reference, check_weights, score_fold
from riskmodel.evaluation._keys import WEIGHT
from riskmodel.evaluation._metric_tables import by_date_table, metrics_table
from riskmodel.evaluation._names import (
    BEST_ACHIEVABLE,
    BEST_POSSIBLE,
    MODEL,
    OWN_MODEL,
    REFERENCES,
)
from riskmodel.evaluation._sample_size import check_fold_size

if TYPE_CHECKING:
    from riskmodel.frame import TrainingFrame

__all__ = [
    "BEST_ACHIEVABLE",
    "BEST_POSSIBLE",
    "MODEL",
    "OWN_MODEL",
    "TOP_SHARE_METRIC",
    "BacktestResult",
    "backtest",
    "default_baselines",
]


def default_baselines() -> dict[str, Any]:
    """Return the rules an authority would otherwise use, as unfitted estimators."""
    from riskmodel.models import RuleBaseline, SingleFeatureRanker

    return {
        "rule: CP plan or 2+ referrals": RuleBaseline(),
        "rule: recent missing episodes": SingleFeatureRanker(),
    }


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` measured.

    Attributes
    ----------
    metrics : pandas.DataFrame
        Tidy: ``model``, ``fold`` (an integer, or ``"overall"`` for all test rows
        pooled), ``metric``, ``value``, ``lower``, ``upper``.
    folds : pandas.DataFrame
        One row per fold: training and test date ranges, rows and positives.
    by_date : pandas.DataFrame
        ``model``, ``as_of_date``, ``roc_auc``, ``average_precision``, ``observed``,
        ``expected``: how each model did at each test as-of date.
    predictions : pandas.DataFrame
        Out-of-fold predictions per (child, as-of date) and model, with the row's
        ``sample_weight`` when the backtest was given one (a row standing for that
        many children). Child-level: for analysis in memory only; never log or
        publish it.
    capacity : int or None
        The capacity used for the capacity metrics (per as-of date).
    top_share : float
        The share of each as-of date's list behind ``precision_at_top_share``
        (:data:`TOP_SHARE_METRIC`; 0.02, the top 2%, by default).
    achievable_share : pandas.DataFrame
        Only with ``achievable=``: the model's share of the achievable gain, a row per
        ``fold`` (and ``"overall"``) and ``metric`` (AUC, average precision, Brier
        score, log loss, top-share precision and, with a capacity, precision and
        recall at capacity): ``best_rule`` (the baseline best on that metric),
        ``model``, ``rule``, ``achievable`` (the three values) and ``share`` =
        (model - rule) / (achievable - rule), computed on the improvement for the
        lower-is-better Brier score and log loss. 0 means no better than the best
        rule, 1 all that the records allow. ``share`` is NaN, with the ``reason``,
        when the achievable is no better than the rule or a value is missing.
    paired : pandas.DataFrame
        The model minus the best rule on each compared metric, all test rows pooled:
        ``metric``, ``best_rule``, ``model``, ``rule``, ``difference``, ``lower``,
        ``upper``. The interval is a paired cluster bootstrap: each resample of
        children scores both on the same rows. Empty without baselines.
    notes : pandas.DataFrame
        ``model``, ``fold``, ``metric``, ``note``: why a metric of the model or a
        baseline has no value or no interval, in words (for example too few care
        entries in a fold to estimate the calibration slope on resamples of
        children, where its interval would otherwise be too narrow), and, in a pooled
        backtest, folds where an authority had no own model.
    by_authority : pandas.DataFrame
        Only for a pooled frame: every model's metrics on each authority's test rows
        (all folds), its lists its own: ``authority``, ``model``, ``metric``,
        ``value``, ``lower``, ``upper``, ``n_test``, ``test_positives``.
    pooled_vs_own : pandas.DataFrame
        Only for a pooled frame with own models: the pooled model minus each
        authority's own model on the test rows both scored: ``authority``,
        ``metric``, ``pooled``, ``own``, ``difference``, ``lower``, ``upper``,
        ``n_test``, ``test_positives``. A positive difference on a higher-is-better
        metric means pooling helped that authority.
    """

    metrics: pd.DataFrame
    folds: pd.DataFrame
    by_date: pd.DataFrame
    predictions: pd.DataFrame = field(repr=False)
    capacity: int | None = None
    top_share: float = 0.02
    achievable_share: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    paired: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    by_authority: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    pooled_vs_own: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def weighted(self) -> bool:
        """Whether the figures are weighted estimates from a sample (``sample_weight``)."""
        return WEIGHT in self.predictions.columns

    def summary(self, fold: Any = "overall") -> pd.DataFrame:
        """One row per model, one column per metric (``value`` only) for a fold."""
        rows = self.metrics[self.metrics["fold"].astype(str) == str(fold)]
        table = rows.pivot(index="model", columns="metric", values="value")
        order = [m for m in rows["model"].unique()]
        return table.loc[order, [m for m in rows["metric"].unique()]]

    def value(self, metric: str, model: str = MODEL, fold: Any = "overall") -> float:
        """Return the point estimate of one metric."""
        m = self.metrics
        hit = m[
            (m["model"] == model) & (m["metric"] == metric) & (m["fold"].astype(str) == str(fold))
        ]
        if hit.empty:
            raise KeyError(f"no {metric!r} for model {model!r}, fold {fold!r}")
        return float(hit["value"].iloc[0])


def backtest(
    model: Any,
    frame: TrainingFrame,
    splitter: Any,
    *,
    capacity: int | None = None,
    baselines: dict[str, Any] | None = None,
    truth: ArrayLike | None = None,
    achievable: ArrayLike | None = None,
    top_share: float = 0.02,
    n_resamples: int = 200,
    random_state: int | None = 0,
    progress: bool = False,
    own_models: bool | None = None,
    sample_weight: ArrayLike | None = None,
) -> BacktestResult:
    """Fit on each temporal fold and measure the model and baselines on the future.

    Parameters
    ----------
    model : estimator
        Cloned and fitted on each fold's training rows, with
        ``feature_spec=frame.spec`` when its ``fit`` accepts it (as
        :class:`~riskmodel.RiskClassifier`'s does); baselines are fitted without.
    frame : TrainingFrame
        From :func:`~riskmodel.build_training_frame` (unlabelled rows dropped).
    splitter : TemporalSplit
        Or any splitter whose ``split(X)`` reads as-of dates from ``X``'s index.
    capacity : int, optional
        Children the service can support from each as-of date's list; adds
        precision, recall and number needed to flag at capacity.
    baselines : dict of str to estimator, optional
        Compared side by side; default :func:`default_baselines`. ``{}`` for none.
    truth : array-like of shape (n_rows,), optional
        The true probability of a care entry for each row of ``frame``, in its
        order; adds the ``"best possible"`` row: these probabilities scored on the
        same rows. On synthetic data,
        ``data.truth.for_keys(frame.keys, horizon_months=frame.horizon_months)``.
    achievable : array-like of shape (n_rows,), optional
        For each row of ``frame``, in its order, the probability of a care entry given
        only what was recorded before its as-of date: the best achievable from the
        records. Adds the ``"best achievable"`` row and
        ``BacktestResult.achievable_share``. On synthetic data,
        ``data.truth.achievable_for_keys(data, frame.keys,
        horizon_months=frame.horizon_months)``.
    top_share : float, default 0.02
        Share of each as-of date's list for ``precision_at_top_share``: the precision
        among each date's top 2%, averaged over the dates (ties at the cut counted at
        their rate; :func:`~riskmodel.metrics.precision_at_top_share`).
    n_resamples : int, default 200
        Cluster-bootstrap resamples per interval (0 for none).
    random_state : int, optional
        Seed for the intervals.
    progress : bool, default False
        Show a progress bar over the folds (on standard error).
    own_models : bool, optional
        Only for a pooled frame (an ``authority`` key): also fit ``model`` on each
        authority's training rows alone, fold by fold, and compare it with the pooled
        model on that authority's test rows (``BacktestResult.pooled_vs_own``; its
        predictions are named ``"own model"``). Default: when the frame pools two or
        more authorities. It about doubles the fitting time.
    sample_weight : array-like of shape (n_rows,), optional
        For a frame that is a sample of a larger one (every care entry and a share
        ``f`` of the other rows, :func:`~riskmodel.frame.sample_negatives`), each
        row's weight: 1 for a care entry, ``1 / f`` for the others. Every model and
        baseline is fitted with its training rows' weights, and every figure is the
        weighted (inverse-probability) estimate of the unsampled frame's: a row of
        weight ``w`` counts as ``w`` children, in each list's capacity and top share
        too, exactly as if it were repeated ``w`` times, and the bootstrap weights
        each row by its child's resample count times its own weight. The weights are
        kept in ``predictions["sample_weight"]``. ``folds`` still counts the sampled
        rows.

    Returns
    -------
    BacktestResult

    Raises
    ------
    SchemaError
        When a fold's training rows hold no care entry.
    ValueError
        When ``truth`` or ``achievable`` does not hold one probability in [0, 1] per
        row of ``frame``, ``sample_weight`` one positive number per row, or
        ``top_share`` is not in (0, 1].
    TypeError
        With ``sample_weight``, when the model or a baseline has a ``fit`` that
        takes no ``sample_weight``.

    Warns
    -----
    DataQualityWarning
        For each fold whose training or test rows hold fewer than
        :data:`~riskmodel.evaluation.MIN_CARE_ENTRIES` care entries, naming the fold,
        its dates and the counts. A metric that the test rows cannot support (for
        example a calibration slope undefined on most resamples of children) raises
        no warning: its value or interval is NaN and ``BacktestResult.notes``
        says why in words.
    """
    models = {MODEL: model, **(default_baselines() if baselines is None else baselines)}
    if isinstance(top_share, bool) or not isinstance(top_share, Real) or not 0 < top_share <= 1:
        raise ValueError(f"top_share must be a number in (0, 1]; got {top_share!r}")
    if frame.y.isna().any():
        raise ValueError(
            "backtest needs labelled rows only: build the frame with drop_unlabelled=True"
        )
    references = {
        BEST_ACHIEVABLE: check_reference(
            achievable, len(frame.y), name="achievable", call="achievable_for_keys(data, "
        ),
        BEST_POSSIBLE: check_reference(truth, len(frame.y)),
    }
    references = {k: v for k, v in references.items() if v is not None}
    weights = check_weights(models, sample_weight, len(frame.y))
    folds, preds = [], []
    fold_splits = list(splitter.split(frame.X))
    splits = fold_splits
    if progress:
        from tqdm.auto import tqdm

        splits = tqdm(splits, desc="backtest folds", unit="fold")
    for i, (train, test) in enumerate(splits, start=1):
        dates = frame.keys["as_of_date"]
        check_fold_size(i, dates, frame.y, train, test)
        folds.append(
            {
                "fold": i,
                "train_start": dates.iloc[train].min(),
                "train_end": dates.iloc[train].max(),
                "test_start": dates.iloc[test].min(),
                "test_end": dates.iloc[test].max(),
                "n_train": len(train),
                "n_test": len(test),
                "train_positives": int(frame.y.iloc[train].sum()),
                "test_positives": int(frame.y.iloc[test].sum()),
            }
        )
        scored = score_fold(models, frame, train, test, references, weights)
        preds.append(scored.assign(fold=i))
    if not preds:
        raise ValueError(f"{splitter!r} produced no folds for this frame")
    predictions = pd.concat(preds, ignore_index=True)
    own = _own_models(model, frame, fold_splits, own_models, weights)
    if own["predictions"] is not None and len(own["predictions"]):
        predictions = pd.concat([predictions, own["predictions"]], ignore_index=True)
    table = metrics_table(predictions, capacity, n_resamples, random_state, top_share)
    compared = compare(
        predictions,
        table,
        names=(MODEL, BEST_ACHIEVABLE, REFERENCES),
        baselines=list(models)[1:],
        capacity=capacity,
        n_resamples=n_resamples,
        random_state=random_state,
        share=top_share,
    )
    if own["notes"] is not None and len(own["notes"]):
        compared["notes"] = pd.concat([compared["notes"], own["notes"]], ignore_index=True)
    return BacktestResult(
        metrics=table,
        folds=pd.DataFrame(folds),
        by_date=by_date_table(predictions),
        predictions=predictions,
        capacity=capacity,
        top_share=top_share,
        **compared,
        **_authority_tables(predictions, own, capacity, n_resamples, random_state, top_share),
    )


def _own_models(model: Any, frame: Any, splits: list, own_models: bool | None, weights) -> dict:
    """Each authority's own model, fold by fold, when asked for (or by default when pooled)."""
    pooled = "authority" in frame.keys.columns
    many = pooled and frame.keys["authority"].nunique() > 1
    if own_models and not many:
        raise ValueError(
            "own_models=True needs a frame that pools two or more authorities "
            "(an authority key: build_training_frame on pool_authorities(...))"
        )
    if not (many if own_models is None else own_models):
        return {"predictions": None, "notes": None, "pooled": pooled}
    predictions, notes = own_model_predictions(model, frame, splits, weights)
    return {"predictions": predictions, "notes": notes, "pooled": pooled}


def _authority_tables(predictions, own, capacity, n_resamples, random_state, share) -> dict:
    """``by_authority`` and ``pooled_vs_own`` for a pooled frame; nothing otherwise."""
    if not own["pooled"]:
        return {}
    options = {"capacity": capacity, "n_resamples": n_resamples, "random_state": random_state}
    out = {"by_authority": authority_metrics(predictions, share=share, **options)}
    if own["predictions"] is not None:
        out["pooled_vs_own"] = pooled_vs_own(predictions, share=share, **options)
    return out
