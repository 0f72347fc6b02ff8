"""The monitoring job: what past lists achieved, set against what the backtest promised.

Reads the score history, the promise of every model version that made a list (from
MLflow, when tracking is on), measures each run's realised performance on the data
now known, writes ``monitoring.html`` and ``realised.csv`` into the output folder and
logs the aggregates as one monitoring run. Child-level tables (misses, persistently
high children, time on the list) go into the report only, never into MLflow.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel._csv import write_csv
from riskmodel.jobs._checks import require_children
from riskmodel.jobs._config import JobConfig

__all__ = ["NO_PROMISE_CAVEAT", "MonitorOutcome", "run_monitor"]

log = logging.getLogger("riskmodel.jobs")

NO_PROMISE_CAVEAT = (
    "No backtest promise was read: {why}. The realised figures stand alone here; "
    "none is compared with the interval the model's backtest gave."
)
"""Caveat added to the result (and so to the report) when no promise could be read."""


@dataclass(frozen=True)
class MonitorOutcome:
    """What the monitoring job produced.

    Attributes
    ----------
    result : MonitoringResult
        Realised performance of every run of the history.
    files : dict of str to pathlib.Path
        ``monitoring_html`` and ``realised_csv``, in the output folder.
    model_name : str or None
        The registered model whose lists were measured.
    horizon_months : int
        The horizon used (the model's, unless one was given).
    promise : pandas.DataFrame or None
        From :func:`~riskmodel.tracking.backtest_promise`; None without tracking.
    run_id : str or None
        The MLflow monitoring run (None without tracking).
    """

    result: Any
    files: dict[str, Path]
    model_name: str | None
    horizon_months: int
    promise: pd.DataFrame | None
    run_id: str | None

    @property
    def flags(self) -> pd.DataFrame:
        """Rows of the realised table outside the promise or showing a disparity."""
        return self.result.flags()


def tracking_on(config: JobConfig) -> bool:
    """Whether the job reads and logs MLflow: a URI or model given, or ``./mlflow.db`` exists."""
    from riskmodel.tracking import default_tracking_uri

    if config.tracking_uri or config.model_uri or os.environ.get("MLFLOW_TRACKING_URI"):
        return True
    return Path(default_tracking_uri().removeprefix("sqlite:///")).is_file()


def _registered_name(uri: str | None) -> str | None:
    """``NAME`` of ``models:/NAME@ALIAS`` or ``models:/NAME/VERSION`` (None otherwise)."""
    if not uri or not uri.startswith("models:/"):
        return None
    ref = uri[len("models:/") :]
    for sep in ("@", "/"):
        if sep in ref:
            return ref.split(sep, 1)[0]
    return None


def _history_model(history: pd.DataFrame) -> tuple[str | None, list[str]]:
    """Return the latest run's model name and the versions it scored with, oldest first."""
    if history.empty:
        return None, []
    latest = history.sort_values("as_of_date").iloc[-1]
    name = str(latest["model_name"])
    mine = history[history["model_name"].astype(str) == name].sort_values("as_of_date")
    return name, [str(v) for v in dict.fromkeys(mine["model_version"].astype(str))]


def _models(config: JobConfig, name: str | None, versions: list[str]) -> str | list[str]:
    """Return what to look up in MLflow: a ``runs:/`` model URI, else the history's versions."""
    uri = config.model_uri
    if uri and _registered_name(uri) is None:  # runs:/... names no registered version
        return uri
    return versions if name is not None else []


def _read_promise(
    config: JobConfig, name: str | None, versions: list[str]
) -> tuple[pd.DataFrame, int | None]:
    """Return the promise of the versions that made lists, and the model's horizon."""
    from riskmodel.tracking import backtest_promise, set_tracking_uri, version_runs

    set_tracking_uri(config.tracking_uri)
    models = _models(config, name, versions)
    horizon = _model_horizon(version_runs(models, name=name or ""))
    promise = backtest_promise(models, name=name or "")
    log.info("promise: %d figures of %d version(s) of %s", len(promise), len(versions), name)
    return promise, horizon


def _model_horizon(runs: list[Any]) -> int | None:
    """Return the horizon the latest version (of those with a run) was trained for."""
    horizons = [h for h in (run.param_int("horizon_months") for run in runs) if h is not None]
    return horizons[-1] if horizons else None


def _horizon(model: int | None, given: int | None, config: JobConfig) -> int:
    """Return the given horizon, else the model's training horizon, else the config's."""
    if given is not None:
        if model is not None and model != given:
            log.warning("horizon %d months given, but the model was trained for %d", given, model)
        return given
    return model if model is not None else config.horizon_months


def _with_promise_caveat(result: Any, promise: pd.DataFrame | None, why: str) -> Any:
    if promise is not None and not promise.empty:
        return result
    caveat = NO_PROMISE_CAVEAT.format(why=why)
    return dataclasses.replace(result, caveats=(*result.caveats, caveat))


def _write_outputs(data, history, result, out: Path, model_name: str | None) -> dict[str, Path]:
    from riskmodel.monitoring import (
        REALISED_COLUMNS,
        build_monitoring_report,
        missed_entrants,
        persistently_high,
        time_on_list,
    )

    out.mkdir(parents=True, exist_ok=True)
    report = build_monitoring_report(
        result,
        misses=missed_entrants(data, history, horizon_months=result.horizon_months),
        persistent=persistently_high(history),
        time_on_list=time_on_list(history),
        model_name=model_name,
    )
    html = report.write(out / "monitoring.html")  # atomic
    table = result.realised[REALISED_COLUMNS]
    csv = atomic_write(out / "realised.csv", lambda p: write_csv(table, p, date_format="%Y-%m-%d"))
    return {"monitoring_html": html, "realised_csv": csv}


def run_monitor(
    data: Any,
    config: JobConfig,
    history: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    horizon_months: int | None = None,
    track: bool | None = None,
) -> MonitorOutcome:
    """Measure what every past list achieved, write the report and log the aggregates.

    Parameters
    ----------
    data : LocalAuthorityData
        The data as known now (outcomes after the runs' as-of dates); validated here.
    config : JobConfig
        ``model_uri`` (optional: by default the versions named in the history are
        looked up under the history's model name), ``tracking_uri``,
        ``horizon_months`` (used when neither ``horizon_months`` nor the model's
        training run gives one), ``n_resamples`` and ``random_state``.
    history : path-like
        A scoring output folder or its ``history/`` folder.
    out : path-like
        Folder for ``monitoring.html`` and ``realised.csv`` (created if needed).
    horizon_months : int, optional
        Overrides the model's horizon (a warning is logged when they differ).
    track : bool, optional
        Read the promise from MLflow and log a monitoring run. By default on when a
        tracking URI or model URI is configured, ``MLFLOW_TRACKING_URI`` is set or
        ``./mlflow.db`` exists. Without it, no promise is read and the report says so.

    Returns
    -------
    MonitorOutcome

    Raises
    ------
    SchemaError
        If the history folder does not exist, holds no run or a partition without
        the columns it needs (naming the file), or the data hold no child.
    """
    from riskmodel.monitoring import read_score_history, realised_performance

    require_children(data, "monitor")
    data.validate()
    scores = read_score_history(history)
    track = tracking_on(config) if track is None else track
    name, versions = _history_model(scores)
    name = _registered_name(config.model_uri) or name
    promise, model_horizon = _read_promise(config, name, versions) if track else (None, None)
    horizon = _horizon(model_horizon, horizon_months, config)
    result = realised_performance(
        data,
        scores,
        horizon_months=horizon,
        promised=promise if promise is not None and not promise.empty else None,
        n_resamples=config.n_resamples,
        random_state=config.random_state,
        n_jobs=config.n_jobs,
    )
    why = (
        f"the training runs of {name} version(s) {', '.join(versions)} logged none"
        if track
        else "no MLflow tracking store was configured (give --tracking-uri or --model)"
    )
    result = _with_promise_caveat(result, promise, why)
    files = _write_outputs(data, scores, result, Path(out), name)
    if track:
        from riskmodel.tracking import log_monitoring_run

        run_id = log_monitoring_run(result, model_name=name or "unknown", versions=versions)
        log.info("logged monitoring run %s", run_id)
    else:
        run_id = None
    return MonitorOutcome(result, files, name, horizon, promise, run_id)
