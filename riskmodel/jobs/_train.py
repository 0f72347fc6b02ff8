"""The training job: backtest, fit, review, log and register a model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.jobs._checks import check_training_data, require_children, warn_recording_changes
from riskmodel.jobs._config import JobConfig, choose_as_of_dates, data_records_start
from riskmodel.jobs._sampling import sample_frame, training_weights

__all__ = ["TrainingOutcome", "run_train"]

log = logging.getLogger("riskmodel.jobs")

HEADLINE_METRICS = (
    "roc_auc",
    "average_precision",
    "brier_score",
    "expected_calibration_error",
    "calibration_slope",
    "observed_expected_ratio",
    "precision_at_top_share",
    "precision_at_capacity",
    "recall_at_capacity",
    "nnf_at_capacity",
)


@dataclass(frozen=True)
class TrainingOutcome:
    """What the training job produced."""

    model: Any
    frame: Any
    backtest: Any
    audit: Any
    report: Path
    run_id: str | None
    model_uri: str | None
    version: str | None
    as_of_dates: pd.DatetimeIndex


def _as_of_dates(data: Any, config: JobConfig) -> pd.DatetimeIndex:
    if config.as_of_dates:
        return pd.DatetimeIndex(pd.to_datetime(list(config.as_of_dates)))
    start = data_records_start(data)
    dates = choose_as_of_dates(
        data.end_date,
        start,
        horizon_months=config.horizon_months,
        history_months=config.history_months,
    )
    log.info(
        "as-of dates chosen from the data: event records are complete from %s; "
        "%d quarterly dates, %s to %s",
        start.date(),
        len(dates),
        dates[0].date(),
        dates[-1].date(),
    )
    return dates


def headline_metrics(backtest: Any) -> dict[str, float]:
    """Return the model's pooled out-of-fold metrics, with ``_lower``/``_upper`` ends."""
    rows = backtest.metrics
    rows = rows[(rows["model"] == "model") & (rows["fold"] == "overall")]
    out = {}
    for row in rows.itertuples():
        if row.metric in HEADLINE_METRICS:
            out[row.metric] = row.value
            out[f"{row.metric}_lower"] = row.lower
            out[f"{row.metric}_upper"] = row.upper
    return out


def run_train(data: Any, config: JobConfig, *, track: bool = True) -> TrainingOutcome:
    """Backtest the configured model, fit it on all dates, write the review, log it.

    Parameters
    ----------
    data : LocalAuthorityData
        Validated by the job.
    config : JobConfig
        Settings (horizon, model, capacity, as-of dates, registration name...). With
        ``engine="spark"`` the features are built on Spark and collected to the
        driver, where the model is fitted. With ``negative_fraction`` below 1 the
        frame is every care entry and that share of the other child-dates (sampled on
        Spark before the collect, or in memory; the same rows), and the backtest,
        the final fit and the fairness audit use the rows' weights (1 / fraction for
        a kept child-date without a care entry): the review says its figures are
        weighted estimates from a sample, and MLflow logs the fraction.
    track : bool, default True
        Log the run to MLflow and register the model (``config.register_as``).

    Returns
    -------
    TrainingOutcome

    Raises
    ------
    SchemaError
        For data a model cannot be trained on: no care episodes, no care entry in
        the training rows, fewer than two children, or a backtest fold with no care
        entry among its training rows.

    Warns
    -----
    DataQualityWarning
        When an event family starts or stops inside the training period (a
        recording change, see :func:`~riskmodel.jobs._checks.warn_recording_changes`),
        and when the training set or a backtest fold holds fewer than
        :data:`~riskmodel.evaluation.MIN_CARE_ENTRIES` care entries.
    """
    from riskmodel.frame import build_training_frame
    from riskmodel.models import RiskClassifier

    require_children(data, "train on")
    if track:  # a damaged store is refused now, not after the backtest
        from riskmodel.tracking import set_tracking_uri

        set_tracking_uri(config.tracking_uri)
    data.validate()
    dates = _as_of_dates(data, config)
    warn_recording_changes(data, dates, config.history_months)
    if config.engine == "spark":
        from riskmodel.jobs._spark import spark_training_frame

        frame = spark_training_frame(data, dates, config)
    else:
        frame = build_training_frame(data, dates, horizon_months=config.horizon_months)
        frame = sample_frame(frame, config)
    weights = training_weights(frame, config)
    log.info("training frame (%s engine): %r", config.engine, frame)
    if weights is not None:
        log.info(
            "a sample: every care entry and %.1f%% of the other child-dates, weighted by %g",
            100 * config.negative_fraction,
            1 / config.negative_fraction,
        )
    check_training_data(frame)
    model = RiskClassifier(
        config.model, calibration=config.calibration, random_state=config.random_state
    )
    result, audit = backtest_and_audit(model, data, frame, config, weights)
    log.info("fitting the model on all %d rows", len(frame))
    model.fit(frame.X, frame.y, sample_weight=weights, feature_spec=frame.spec)
    out = Path(config.out) / "review.html"
    report = write_review(data, model, frame, result, audit, config, out, weights)
    run_id = model_uri = version = None
    if track:
        run_id, model_uri, version = _log(data, model, frame, result, audit, report, config)
    return TrainingOutcome(model, frame, result, audit, report, run_id, model_uri, version, dates)


def backtest_and_audit(
    model: Any, data: Any, frame: Any, config: JobConfig, weights: Any = None
) -> tuple[Any, Any]:
    """Backtest ``model``'s settings over the config's temporal folds, then audit fairness.

    With ``weights`` (a sampled frame's) the backtest fits and measures with them, and
    the audit reads them from its predictions.
    """
    from riskmodel.evaluation import backtest
    from riskmodel.fairness import audit_backtest
    from riskmodel.splits import TemporalSplit

    splitter = TemporalSplit(
        config.n_splits,
        test_duration=config.test_duration_months,
        horizon_months=config.horizon_months,
    )
    log.info("backtest: %d temporal folds", config.n_splits)
    result = backtest(
        model,
        frame,
        splitter,
        capacity=config.capacity,
        truth=_true_probabilities(data, frame),
        achievable=_achievable_probabilities(data, frame),
        n_resamples=config.n_resamples,
        random_state=config.random_state,
        progress=True,
        sample_weight=weights,
    )
    audit = audit_backtest(
        result,
        frame.groups,
        capacity=config.capacity,
        n_resamples=config.n_resamples,
        random_state=config.random_state,
    )
    return result, audit


def _true_probabilities(data: Any, frame: Any) -> Any:
    """Return the true probability of each row of ``frame`` on synthetic data, else None."""
    if data.truth is None:
        return None
    return data.truth.for_keys(frame.keys, horizon_months=frame.horizon_months)


def _achievable_probabilities(data: Any, frame: Any) -> Any:
    """Return the best achievable from the records for each row of ``frame``, else None.

    On synthetic data whose ground truth can compute it (``achievable_for_keys``): the
    probability of a care entry given only what was recorded before each as-of date.
    """
    achievable_for_keys = getattr(data.truth, "achievable_for_keys", None)
    if achievable_for_keys is None:
        return None
    log.info("computing the best achievable from the records for %d rows", len(frame.keys))
    return achievable_for_keys(data, frame.keys, horizon_months=frame.horizon_months)


def write_review(
    data, model, frame, result, audit, config: JobConfig, out: Path, weights=None
) -> Path:
    """Write the review report of the fitted ``model``, explanations included."""
    from riskmodel.reports import build_review

    report = build_review(
        data,
        model,
        frame,
        result,
        capacity=config.capacity,
        audit=audit,
        n_resamples=config.n_resamples,
        random_state=config.random_state,
        sample_weight=weights,
    )
    report.write(out)
    log.info("review report written to %s", out)
    return out


def _run_params(model: Any, frame: Any, config: Any) -> dict[str, Any]:
    """Return the training run's parameters: the settings and the frame's extent."""
    return {
        "model": config.model,
        "calibration": config.calibration,
        "horizon_months": config.horizon_months,
        "capacity": config.capacity,
        "as_of_first": str(frame.as_of_dates[0].date()),
        "as_of_last": str(frame.as_of_dates[-1].date()),
        "n_as_of_dates": len(frame.as_of_dates),
        "rows": len(frame),
        "positives": int(frame.y.sum()),
        "negative_fraction": config.negative_fraction,
        "n_splits": config.n_splits,
        "model_params": model.get_params(deep=False),
    }


def _figures(result: Any) -> dict[str, Any]:
    """Return the backtest's reliability, capacity and over-time figures, by name."""
    from riskmodel.evaluation import CapacityDisplay, OverTimeDisplay, ReliabilityDisplay

    return {
        "reliability": ReliabilityDisplay.from_backtest(result).plot(),
        "capacity": CapacityDisplay.from_backtest(result).plot(),
        "over_time": OverTimeDisplay.from_backtest(result).plot(),
    }


def _log(data, model, frame, result, audit, report, config):
    from riskmodel.scoring import profile_features
    from riskmodel.tracking import TrainingRunRecord, log_training_run, set_tracking_uri

    set_tracking_uri(config.tracking_uri)
    flags = [f"{r.attribute}:{r.group}:{r.metric}" for r in audit.flags().itertuples()]
    record = TrainingRunRecord(
        model,
        params=_run_params(model, frame, config),
        metrics=headline_metrics(result),
        fingerprint=_fingerprint(data),
        features=frame.spec.descriptions(),
        tables={
            "backtest": result.metrics,
            "folds": result.folds,
            "fairness_by_group": audit.by_group,
            "fairness_disparities": audit.disparities,
        },
        figures=_figures(result),
        artifacts=(report,),
        json_artifacts={
            # drift is measured on the features the model reads, never on those left out
            "training_profile.json": profile_features(frame.X[model.features_used_]).to_dict(),
            "features_left_out.json": dict(model.features_dropped_),
        },
        fairness_flags=tuple(flags),
        feature_dtypes=frame.X.dtypes,
    )
    run = log_training_run(record, register_as=config.register_as)
    log.info(
        "logged run %s; registered %s version %s", run.run_id, run.registered_name, run.version
    )
    return run.run_id, run.model_uri, run.version


def _fingerprint(data: Any) -> dict[str, object]:
    """Return the data's fingerprint; for SparkData its own, computed on Spark."""
    from riskmodel.spark import SparkData
    from riskmodel.tracking import data_fingerprint

    return data.fingerprint() if isinstance(data, SparkData) else data_fingerprint(data)
