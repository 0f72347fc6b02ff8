"""Where the package meets mlflow: importing it, and pointing it at a tracking store.

Every other tracking module imports mlflow through :func:`import_mlflow`, so that its
usage telemetry is off before mlflow is first imported and nothing leaves the machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from riskmodel.tracking._health import check_tracking_store

__all__ = ["default_tracking_uri", "import_mlflow", "set_tracking_uri"]


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

    Parameters
    ----------
    uri : str, optional
        A tracking URI. By default ``MLFLOW_TRACKING_URI``, else
        :func:`default_tracking_uri`.

    Returns
    -------
    str
        The URI MLflow now uses for tracking and for the registry.

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
