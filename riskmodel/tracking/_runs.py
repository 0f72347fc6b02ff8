"""Logging training and scoring runs to MLflow, with no child-level row anywhere.

A run holds parameters, aggregates, figures, the feature list with descriptions and
the model. Never per-child rows: no ``input_example``, no per-child explanations,
no scored lists. :func:`log_training_run` checks tables it is given for identifier
columns and refuses them.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._csv import write_csv
from riskmodel.tracking._health import check_tracking_store
from riskmodel.tracking._serialise import trusted_types
from riskmodel.tracking._signature import model_signature

__all__ = [
    "DEFAULT_EXPERIMENT",
    "TrainingRun",
    "default_tracking_uri",
    "log_scoring_run",
    "load_run_dict",
    "log_training_run",
    "set_tracking_uri",
]

DEFAULT_EXPERIMENT = "riskmodel"
FLAGS_TAG = "riskmodel.fairness_flags"
_CHILD_LEVEL_COLUMNS = frozenset({"person_id", "household_id", "date_of_birth"})
PIP_REQUIREMENTS_PACKAGES = ("scikit-learn", "numpy", "pandas", "scipy", "skops")


@dataclass(frozen=True)
class TrainingRun:
    """What :func:`log_training_run` logged: the run, the model and its registered version."""

    run_id: str
    model_uri: str
    registered_name: str | None = None
    version: str | None = None


def import_mlflow() -> Any:
    """Import mlflow with its usage telemetry switched off (nothing leaves the machine)."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow
    import mlflow.sklearn  # registers the flavour on the mlflow module

    return mlflow


def default_tracking_uri(directory: str | os.PathLike[str] | None = None) -> str:
    """Return the embedded default: a SQLite store ``mlflow.db`` in ``directory``.

    Parameters
    ----------
    directory : path-like, optional
        Defaults to the current working directory (the project directory).

    Returns
    -------
    str
        An absolute ``sqlite:////...`` URI (four slashes: MLflow reads three as relative).
    """
    path = Path(directory or os.getcwd()).resolve() / "mlflow.db"
    return f"sqlite:///{path}"


def set_tracking_uri(uri: str | None = None) -> str:
    """Point MLflow at ``uri`` (or the embedded default) and return the URI used.

    Raises
    ------
    riskmodel.exceptions.TrackingStoreError
        If the store is a SQLite file that is damaged (see ``check_tracking_store``).
    """
    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri()
    check_tracking_store(uri)
    mlflow = import_mlflow()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def _code_version() -> dict[str, str]:
    import riskmodel

    out = {"riskmodel.version": riskmodel.__version__}
    package_dir = Path(riskmodel.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=package_dir,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        out["riskmodel.git_commit"] = commit
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def _pip_requirements() -> list[str]:
    from importlib.metadata import version

    return [f"{pkg}=={version(pkg)}" for pkg in PIP_REQUIREMENTS_PACKAGES]


def _check_aggregate(name: str, table: pd.DataFrame) -> None:
    leaking = _CHILD_LEVEL_COLUMNS & {str(c) for c in table.columns}
    leaking |= _CHILD_LEVEL_COLUMNS & {str(n) for n in table.index.names if n is not None}
    if leaking:
        raise ValueError(
            f"refusing to log table {name!r}: it has child-level column(s) "
            f"{', '.join(sorted(leaking))}; log aggregates only"
        )


def _log_tables_and_figures(tables, figures, artifacts) -> None:
    mlflow = import_mlflow()
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in (tables or {}).items():
            _check_aggregate(name, table)
            path = Path(tmp) / f"{name}.csv"
            write_csv(table, path)
            mlflow.log_artifact(str(path), artifact_path="tables")
    for name, figure in (figures or {}).items():
        mlflow.log_figure(getattr(figure, "figure_", figure), f"figures/{name}.png")
    for path in artifacts or ():
        mlflow.log_artifact(str(path))


def log_training_run(
    model: Any,
    *,
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    fingerprint: Mapping[str, Any] | None = None,
    features: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    figures: Mapping[str, Any] | None = None,
    artifacts: list[str | os.PathLike[str]] | None = None,
    dicts: Mapping[str, Mapping[str, Any]] | None = None,
    fairness_flags: list[str] | None = None,
    register_as: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
    feature_dtypes: Mapping[str, Any] | pd.Series | None = None,
) -> TrainingRun:
    """Log a trained model and everything needed to review it, as one MLflow run.

    Parameters
    ----------
    model : fitted estimator
        Logged in MLflow's skops format with the types it needs, each checked
        against :data:`~riskmodel.tracking.TRUSTED_TYPES`, a signature of the
        columns in ``feature_names_in_`` and ``predict_proba`` as the pyfunc method.
        No input example is logged. The SHA-256 of the stored model file is kept
        as the run's tag ``riskmodel.model_sha256``.
    params : mapping, optional
        Settings of the run (model parameters, horizon, as-of dates...).
    metrics : mapping of str to float, optional
        Aggregate metrics, e.g. ``{"precision_at_capacity": 0.21, ...}``.
    fingerprint : mapping, optional
        From :func:`~riskmodel.tracking.data_fingerprint`; logged as ``data.*`` params
        and as ``data_fingerprint.json``.
    features : mapping of str to str, optional
        Feature name to plain-English description (the feature specification).
    tables : mapping of str to pandas.DataFrame, optional
        Aggregate tables (a backtest, a fairness audit) logged as CSV. A table with a
        child-level column (``person_id``, ``household_id``, ``date_of_birth``) is refused.
    figures : mapping of str to matplotlib.figure.Figure or Display, optional
        Logged as PNG; a drawn Display (such as
        :class:`~riskmodel.evaluation.ReliabilityDisplay`) is logged by its ``figure_``.
    artifacts : list of path-like, optional
        Files to attach, such as the review report.
    dicts : mapping of str to dict, optional
        Aggregate JSON artifacts by file name, such as the training feature profile
        (``{"training_profile.json": profile.to_dict()}``) used to measure drift.
    fairness_flags : list of str, optional
        Flagged disparities ("attribute:group:metric"), stored as a tag so that
        :func:`~riskmodel.tracking.promote` can compare versions.
    register_as : str, optional
        Register the model under this name (see :func:`register_model`).
    experiment : str, default "riskmodel"
        MLflow experiment name.
    run_name : str, optional
        Name of the run.
    feature_dtypes : mapping of str to dtype, or pandas.Series, optional
        The pandas dtype of each input column as the model was trained on it, e.g.
        ``frame.X.dtypes``, so that the signature accepts the frames the library
        builds (``bool``, ``int32``...) through any MLflow client. Columns not given
        are declared ``Any`` (unchecked). Only dtypes are read: no value is logged.

    Returns
    -------
    TrainingRun

    Raises
    ------
    TypeError
        If the model holds a type that is not on the trusted list.
    """
    from riskmodel.tracking._registry import register_model
    from riskmodel.tracking._store import SHA256_TAG, stored_model_sha256

    mlflow = import_mlflow()
    mlflow.set_experiment(experiment)
    feature_names = [str(n) for n in getattr(model, "feature_names_in_", [])]
    dtypes = feature_dtypes if feature_dtypes is not None else {}
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.set_tags({**_code_version(), FLAGS_TAG: json.dumps(sorted(fairness_flags or []))})
        if params:
            mlflow.log_params({k: _param_value(v) for k, v in params.items()})
        if fingerprint:
            mlflow.log_params({f"data.{k}": _param_value(v) for k, v in fingerprint.items()})
            mlflow.log_dict(dict(fingerprint), "data_fingerprint.json")
        if metrics:
            mlflow.log_metrics({k: float(v) for k, v in metrics.items() if pd.notna(v)})
        if features:
            mlflow.log_dict(dict(features), "feature_spec.json")
        for file_name, content in (dicts or {}).items():
            mlflow.log_dict(dict(content), file_name)
        _log_tables_and_figures(tables, figures, artifacts)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format="skops",
            skops_trusted_types=trusted_types(model),
            signature=model_signature(feature_names, dtypes) if feature_names else None,
            pip_requirements=_pip_requirements(),
            pyfunc_predict_fn="predict_proba",
        )
        mlflow.set_tag(SHA256_TAG, stored_model_sha256(info.model_uri))
    result = TrainingRun(run_id=run.info.run_id, model_uri=info.model_uri)
    if register_as:
        version = register_model(result, register_as)
        result = TrainingRun(run.info.run_id, info.model_uri, register_as, version)
    return result


def load_run_dict(run_id: str, file_name: str) -> dict[str, Any]:
    """Return a JSON artifact of a run, e.g. ``"training_profile.json"``."""
    return import_mlflow().artifacts.load_dict(f"runs:/{run_id}/{file_name}")


def _param_value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return json.dumps(value, default=str)[:6000]


def log_scoring_run(
    *,
    model_name: str,
    model_version: str,
    as_of: str,
    counts: Mapping[str, int],
    drift: pd.DataFrame | None = None,
    warnings_raised: list[str] | None = None,
    experiment: str = DEFAULT_EXPERIMENT + "-scoring",
) -> str:
    """Log a batch-scoring run: counts, model version and drift, never the scores.

    Parameters
    ----------
    model_name, model_version : str
        The registered model used.
    as_of : str
        The as-of date scored.
    counts : mapping of str to int
        E.g. children in, scored, excluded, flagged.
    drift : pandas.DataFrame, optional
        Per-feature drift table (no child-level columns).
    warnings_raised : list of str, optional
        Drift or data-quality warnings, stored as a tag.
    experiment : str
        MLflow experiment name.

    Returns
    -------
    str
        The run id.
    """
    mlflow = import_mlflow()
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=f"score {as_of}") as run:
        mlflow.set_tags(
            {
                "model_name": model_name,
                "model_version": str(model_version),
                "as_of": as_of,
                "warnings": json.dumps(warnings_raised or []),
            }
        )
        mlflow.log_metrics({k: float(v) for k, v in counts.items()})
        if drift is not None:
            _log_tables_and_figures({"drift": drift}, None, None)
            if "psi" in drift.columns and len(drift):
                mlflow.log_metric("max_psi", float(drift["psi"].max()))
    return run.info.run_id
