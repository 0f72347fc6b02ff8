"""Logging a monitoring call to MLflow: realised aggregates only, never a child.

One MLflow run per call of :func:`~riskmodel.monitoring.realised_performance`, in
the experiment of the model's training runs, tagged with the model name and the
versions whose lists it measured. Each scoring run's realised whole-list metrics are
MLflow metrics whose *step* is that run's as-of date as ``yyyymmdd`` (20240401), so
the MLflow UI draws them as a trend in date order. The aggregate tables of the result
are artifacts, after the same check as training tables (no identifier column). The
child-level tables (misses, persistently high children, time on the list, the score
history) and ``monitoring.html`` never go to MLflow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from riskmodel.monitoring import OVERALL, MonitoringResult
from riskmodel.tracking._mlflow import import_mlflow
from riskmodel.tracking._promise import version_runs
from riskmodel.tracking._runs import (
    DEFAULT_EXPERIMENT,
    _check_aggregate,
    _log_tables_and_figures,
)

__all__ = ["MONITORING_TAG", "as_of_step", "log_monitoring_run"]

MONITORING_TAG = "riskmodel.monitoring_run"
"""Tag set to the latest monitoring run's id on each registered version it measured."""

_RUN_COUNTS = ("scored", "flagged", "entrants", "entrants_flagged", "months_observed")


def as_of_step(as_of_date: Any) -> int:
    """Return the MLflow step of an as-of date: ``yyyymmdd`` as a whole number.

    Parameters
    ----------
    as_of_date : date-like

    Returns
    -------
    int

    Examples
    --------
    >>> as_of_step("2024-04-01")
    20240401
    """
    return int(pd.Timestamp(as_of_date).strftime("%Y%m%d"))


def _step_metrics(result: MonitoringResult) -> dict[int | None, dict[str, float]]:
    """``{step: {name: value}}``: realised whole-list metrics and counts of each run.

    The pooled rows of the complete runs (no as-of date) are under step None, named
    ``pooled_realised_<metric>``.
    """
    out: dict[int | None, dict[str, float]] = {}
    for row in result.overall().itertuples():
        pooled = pd.isna(row.as_of_date)
        values = out.setdefault(None if pooled else as_of_step(row.as_of_date), {})
        prefix = "pooled_realised_" if pooled else "realised_"
        for suffix, value in (("", row.value), ("_lower", row.lower), ("_upper", row.upper)):
            if pd.notna(value):
                values[f"{prefix}{row.metric}{suffix}"] = float(value)
    for row in result.runs.itertuples():
        values = out.setdefault(as_of_step(row.as_of_date), {})
        values["complete"] = float(bool(row.complete))
        for name in _RUN_COUNTS:
            value = getattr(row, name)
            if pd.notna(value):
                values[name] = float(value)
    return out


def _summary(result: MonitoringResult) -> dict[str, float]:
    complete = result.runs["complete"].astype(bool)
    flags = result.flags()
    whole = (flags["attribute"] == OVERALL) & (flags["group"] == OVERALL)
    return {
        "runs_complete": float(complete.sum()),
        "runs_partial": float((~complete).sum()),
        "flags_outside_promise": float(flags["outside_promise"].astype(bool).sum()),
        "flags_disparity": float(flags["disparity"].astype(bool).sum()),
        "flags_whole_list": float(whole.sum()),
    }


def _versions_seen(result: MonitoringResult, versions: Iterable[str] | None) -> list[str]:
    seen = [] if versions is None else [str(v) for v in versions]
    if "model_version" in result.runs.columns:
        seen += [str(v) for v in result.runs["model_version"].dropna()]
    return sorted(dict.fromkeys(seen), key=lambda v: (not v.isdigit(), v.zfill(12)))


def _experiment_id(model_name: str, versions: list[str], experiment: str | None) -> str:
    mlflow = import_mlflow()
    if experiment is not None:
        return mlflow.set_experiment(experiment).experiment_id
    runs = version_runs(versions, name=model_name) if versions else []
    if runs:  # beside the training run of the latest version seen
        return mlflow.set_experiment(experiment_id=runs[-1].experiment_id).experiment_id
    return mlflow.set_experiment(DEFAULT_EXPERIMENT).experiment_id


def _tag_versions(model_name: str, versions: list[str], run_id: str) -> None:
    from mlflow.exceptions import MlflowException

    client = import_mlflow().MlflowClient()
    for version in versions:
        try:
            client.set_model_version_tag(model_name, version, MONITORING_TAG, run_id)
        except MlflowException:  # not a registered version (e.g. "unknown"): nothing to link
            continue


def _params(result: MonitoringResult) -> dict[str, Any]:
    dates = pd.to_datetime(result.runs["as_of_date"])
    return {
        "horizon_months": result.horizon_months,
        "end_date": str(pd.Timestamp(result.end_date).date()),
        "min_group_size": result.min_group_size,
        "n_resamples": result.n_resamples,
        "confidence": result.confidence,
        "n_runs": len(result.runs),
        "as_of_first": str(dates.min().date()) if len(dates) else "",
        "as_of_last": str(dates.max().date()) if len(dates) else "",
    }


def log_monitoring_run(
    result: MonitoringResult,
    *,
    model_name: str,
    versions: Iterable[str] | None = None,
    experiment: str | None = None,
    run_name: str | None = None,
) -> str:
    """Log one monitoring call as an MLflow run: realised aggregates, never a child.

    Parameters
    ----------
    result : MonitoringResult
        From :func:`~riskmodel.monitoring.realised_performance`.
    model_name : str
        The registered model whose lists were measured (tag ``model_name``).
    versions : iterable of str, optional
        Versions to link besides those in ``result.runs["model_version"]``. Each
        registered version seen gets the tag ``riskmodel.monitoring_run`` (this run's id).
    experiment : str, optional
        MLflow experiment. By default that of the training run of the latest version
        seen, so the monitoring run sits beside the model's runs ("riskmodel" if none).
    run_name : str, optional
        Defaults to ``"monitor <first as-of> to <last as-of>"``.

    Returns
    -------
    str
        The run id.

    Raises
    ------
    ValueError
        If a table of ``result`` has a child-level column (``person_id``...).

    Notes
    -----
    Logged: params (horizon, end date, group size, resamples, confidence, runs);
    tags ``model_name``, ``model_versions`` (JSON list), ``riskmodel.kind`` =
    ``"monitoring"`` and ``caveats`` (JSON list); per scoring run, at step
    :func:`as_of_step` of its as-of date, ``realised_<metric>`` (and ``_lower``,
    ``_upper``) for every whole-list metric, ``complete`` (1 or 0), ``scored``,
    ``flagged``, ``entrants``, ``entrants_flagged``, ``months_observed``; once,
    ``pooled_realised_<metric>`` (the complete runs pooled, when the result has
    them), ``runs_complete``, ``runs_partial`` and flag counts; artifacts
    ``tables/realised.csv``, ``runs.csv``, ``near_cutoff.csv``, ``calibration.csv``.
    """
    mlflow = import_mlflow()
    seen = _versions_seen(result, versions)
    tables = {
        "realised": result.realised,
        "runs": result.runs,
        "near_cutoff": result.near_cutoff,
        "calibration": result.calibration,
    }
    for table_name, table in tables.items():  # refused before a run is opened
        _check_aggregate(table_name, table)
    params = _params(result)
    experiment_id = _experiment_id(model_name, seen, experiment)
    name = run_name or f"monitor {params['as_of_first']} to {params['as_of_last']}"
    with mlflow.start_run(run_name=name, experiment_id=experiment_id) as run:
        mlflow.set_tags(
            {
                "model_name": model_name,
                "model_versions": json.dumps(seen),
                "riskmodel.kind": "monitoring",
                "caveats": json.dumps(list(result.caveats))[:5000],
            }
        )
        mlflow.log_params(params)
        by_step = _step_metrics(result)
        mlflow.log_metrics({**by_step.pop(None, {}), **_summary(result)})
        for step, values in sorted(by_step.items()):
            mlflow.log_metrics(values, step=step)
        _log_tables_and_figures(tables, None, None)
    _tag_versions(model_name, seen, run.info.run_id)
    return run.info.run_id
