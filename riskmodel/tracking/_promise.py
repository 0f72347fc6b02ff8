"""What a model's backtest promised: the headline metrics its training run logged.

A registered version's training run holds the backtest's pooled out-of-fold metrics
with their intervals (``precision_at_capacity``, ``precision_at_capacity_lower``,
``precision_at_capacity_upper``...; see :func:`riskmodel.jobs.headline_metrics`) and
the settings it was run with (``capacity``, ``horizon_months``). Monitoring sets each
scoring run's realised figures against the promise of the version that made the list;
the backtest's capacity travels as a promise row of metric ``"capacity"``, so that a
run flagging a different number is named in the caveats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from riskmodel.monitoring import PROMISE_CAPACITY, PROMISE_COLUMNS, PROMISED_METRICS
from riskmodel.tracking._mlflow import import_mlflow

__all__ = ["VersionRun", "backtest_promise", "version_runs"]


@dataclass(frozen=True)
class VersionRun:
    """The training run behind one version of a registered model.

    Attributes
    ----------
    name, version : str
        The registered model and version (``version`` is ``"unknown"`` for a model
        URI that names no registered version, as in the score history).
    run_id : str
        Its training run.
    experiment_id : str
        The run's experiment (monitoring runs are logged beside it).
    metrics : dict of str to float
        The run's metrics.
    params : dict of str to str
        The run's params.
    """

    name: str | None
    version: str
    run_id: str
    experiment_id: str
    metrics: dict[str, float]
    params: dict[str, str]

    def param_int(self, key: str) -> int | None:
        """Return the param ``key`` as a whole number, or None if absent or not one."""
        try:
            return int(float(self.params[key]))
        except (KeyError, TypeError, ValueError):
            return None


def _not_found(exc: Exception) -> bool:
    code = getattr(exc, "error_code", "")
    return code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")


def _run(client: Any, name: str | None, version: str, run_id: str | None) -> VersionRun | None:
    from mlflow.exceptions import MlflowException

    if not run_id:
        return None
    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        if _not_found(exc):
            return None
        raise
    return VersionRun(
        name=name,
        version=version,
        run_id=run_id,
        experiment_id=str(run.info.experiment_id),
        metrics=dict(run.data.metrics),
        params=dict(run.data.params),
    )


def _from_uri(client: Any, uri: str) -> list[VersionRun]:
    from mlflow.exceptions import MlflowException

    from riskmodel.tracking._store import resolve_model_uri

    try:
        source = resolve_model_uri(uri)
    except MlflowException as exc:
        if _not_found(exc):
            return []
        raise
    found = _run(client, source.name, source.version or "unknown", source.run_id)
    return [] if found is None else [found]


def version_runs(models: str | Iterable[str], *, name: str | None = None) -> list[VersionRun]:
    """Return the training run of each model version that has one.

    Parameters
    ----------
    models : str or iterable of str
        A model URI (``models:/NAME@ALIAS``, ``models:/NAME/VERSION``,
        ``runs:/RUN_ID/model``), or version numbers of the registered model ``name``.
    name : str, optional
        The registered model, required when ``models`` are version numbers.

    Returns
    -------
    list of VersionRun
        In the order given; a version that does not exist, or has no run, is left out.

    Raises
    ------
    ValueError
        If version numbers are given without ``name``.
    """
    from mlflow.exceptions import MlflowException

    client = import_mlflow().MlflowClient()
    if isinstance(models, str) and ":/" in models:
        return _from_uri(client, models)
    versions = [models] if isinstance(models, str) else [str(v) for v in models]
    if name is None:
        raise ValueError("backtest_promise: give name= with version numbers (or a model URI)")
    out = []
    for version in dict.fromkeys(versions):
        try:
            found = client.get_model_version(name, version)
        except MlflowException as exc:
            if _not_found(exc):
                continue
            raise
        run = _run(client, name, str(found.version), found.run_id)
        if run is not None:
            out.append(run)
    return out


def _rows(run: VersionRun, metrics: Sequence[str]) -> list[dict[str, Any]]:
    nan = float("nan")
    rows = []
    for metric in metrics:
        value = run.metrics.get(metric)
        if value is None or pd.isna(value):
            continue
        lower = run.metrics.get(f"{metric}_lower", nan)
        upper = run.metrics.get(f"{metric}_upper", nan)
        rows.append([run.version, metric, float(value), lower, upper])
    capacity = run.param_int("capacity")
    if rows and capacity is not None:
        rows.append([run.version, PROMISE_CAPACITY, float(capacity), nan, nan])
    return rows


def backtest_promise(
    models: str | Iterable[str],
    *,
    name: str | None = None,
    metrics: Sequence[str] = PROMISED_METRICS,
) -> pd.DataFrame:
    """Return what each model version's backtest promised, read from its training run.

    Parameters
    ----------
    models : str or iterable of str
        A model URI (``models:/NAME@ALIAS``, ``models:/NAME/VERSION``,
        ``runs:/RUN_ID/model``), or the version numbers that made lists (for example
        the score history's ``model_version`` values) of the registered model ``name``.
    name : str, optional
        The registered model; required with version numbers.
    metrics : sequence of str, default :data:`~riskmodel.monitoring.PROMISED_METRICS`
        Headline metrics to read. Each is logged with ``_lower`` and ``_upper``
        ends (missing ends give NaN).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~riskmodel.monitoring.PROMISE_COLUMNS`, one row per version
        and metric its run logged, then a row of metric ``"capacity"`` whose value is
        the backtest's capacity (the run's param; when it differs from a list's
        flagged count, that list's precision and recall are not like for like). The
        ``promised`` argument of :func:`~riskmodel.monitoring.realised_performance`.
        A version that does not exist, has no training run, or whose run lacks a
        metric gives no row for it (never an error).

    Raises
    ------
    ValueError
        If version numbers are given without ``name``.

    Examples
    --------
    >>> backtest_promise(["1", "2"], name="riskmodel")  # doctest: +SKIP
      model_version                   metric   value  lower  upper
    0             1    precision_at_capacity   0.310  0.270  0.350
    ...
    3             1                 capacity  50.000    NaN    NaN
    """
    rows = [row for run in version_runs(models, name=name) for row in _rows(run, metrics)]
    table = pd.DataFrame(rows, columns=PROMISE_COLUMNS)
    table["model_version"] = table["model_version"].astype(str)
    table["metric"] = table["metric"].astype(str)
    for column in ("value", "lower", "upper"):
        table[column] = table[column].astype(float)
    return table
