"""The monthly scoring job and the review job, loading the approved model from MLflow."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.jobs._checks import require_children, require_cohort
from riskmodel.jobs._config import JobConfig

__all__ = ["model_uri", "run_review", "run_score"]

log = logging.getLogger("riskmodel.jobs")


def model_uri(config: JobConfig) -> str:
    """Return the configured model URI, by default ``models:/NAME@champion``."""
    if config.model_uri:
        return config.model_uri
    if not config.register_as:
        raise SchemaError(
            "job settings: give model_uri (--model), or register_as to use models:/NAME@champion"
        )
    return f"models:/{config.register_as}@champion"


def run_score(data: Any, config: JobConfig) -> Any:
    """Score the cohort at ``config.as_of`` with the registered model and log the run.

    With no ``as_of``, the day after the data's extract date is used, so that every
    recorded event counts. The features are those the model was trained on, built
    from the specification it carries (``feature_spec_``; the default
    specification for a model without one). Outputs go to ``config.out``: ``scores.parquet``,
    ``exclusions.parquet``, ``drift.parquet``, the score ``history/`` and the team's
    list; with ``engine="spark"`` the same files, scored and written by Spark (see
    :mod:`riskmodel.jobs._spark`).

    Returns
    -------
    ScoringResult or SparkScoringRun
    """
    from riskmodel.scoring import score
    from riskmodel.tracking import load_model, load_run_dict, set_tracking_uri

    require_children(data, "score")
    as_of = pd.Timestamp(config.as_of) if config.as_of else data.end_date + pd.Timedelta(days=1)
    require_cohort(data, as_of)
    set_tracking_uri(config.tracking_uri)
    uri = model_uri(config)
    loaded = load_model(uri)
    log.info("loaded %s (version %s)", uri, loaded.version)
    profile = load_run_dict(loaded.run_id, "training_profile.json") if loaded.run_id else None
    if config.engine == "spark":
        from riskmodel.jobs._spark import score_with_spark

        data.validate()
        result = score_with_spark(data, loaded, as_of, config, loaded.name or uri, profile)
        _log_run(loaded, uri, as_of, result)
        return result
    result = score(
        data,
        loaded.model,
        as_of,
        capacity=config.capacity,
        model_name=loaded.name or uri,
        model_version=loaded.version or "unknown",
        profile=profile,
        out=config.out,
        csv=config.csv,
    )
    _log_run(loaded, uri, as_of, result)
    return result


def _log_run(loaded: Any, uri: str, as_of: pd.Timestamp, result: Any) -> None:
    from riskmodel.tracking import log_scoring_run

    log_scoring_run(
        model_name=loaded.name or uri,
        model_version=str(loaded.version),
        as_of=str(as_of.date()),
        counts=result.counts,
        drift=getattr(result, "drift", None),
        warnings_raised=result.notes,
    )
    for note in result.notes:
        log.warning(note)


def run_review(data: Any, config: JobConfig, out: str | Path) -> Path:
    """Backtest the registered model's settings on ``data`` and write the review report.

    The features are built from the registered model's own specification
    (``feature_spec_``; the default one for a model without it). The backtest refits
    clones of the registered model on each temporal fold; the explanations and
    example reasons are those of the registered model itself.
    """
    from riskmodel.frame import build_training_frame
    from riskmodel.jobs._train import _as_of_dates, backtest_and_audit, write_review
    from riskmodel.scoring._features import model_spec
    from riskmodel.tracking import load_model, set_tracking_uri

    require_children(data, "review the model on")
    set_tracking_uri(config.tracking_uri)
    model = load_model(model_uri(config)).model
    data.validate()
    frame = build_training_frame(
        data,
        _as_of_dates(data, config),
        horizon_months=config.horizon_months,
        spec=model_spec(model),
    )
    result, audit = backtest_and_audit(model, data, frame, config)
    return write_review(data, model, frame, result, audit, config, Path(out))
