"""Is the tracking store usable? A damaged SQLite file is refused before MLflow opens it.

MLflow meets a truncated or overwritten ``mlflow.db`` with a raw
``sqlalchemy.exc.DatabaseError`` (or, worse, half-way through logging a run). The
check here opens the file read-only, lets SQLite verify every page
(``PRAGMA quick_check``) and raises :class:`~riskmodel.exceptions.TrackingStoreError`
naming the store when it is damaged.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote

from riskmodel.exceptions import TrackingStoreError

__all__ = ["check_tracking_store", "sqlite_store_path"]

_PREFIX = "sqlite:///"


def sqlite_store_path(uri: str) -> Path | None:
    """Return the file of a ``sqlite:///`` tracking URI, or None for any other store.

    Parameters
    ----------
    uri : str
        A tracking URI. ``sqlite:///relative.db`` is relative to the working
        directory, ``sqlite:////abs/path.db`` absolute (SQLAlchemy's rule).

    Returns
    -------
    pathlib.Path or None
        None for non-SQLite stores and in-memory databases.

    Examples
    --------
    >>> str(sqlite_store_path("sqlite:////srv/mlflow.db?timeout=20"))
    '/srv/mlflow.db'
    >>> sqlite_store_path("file:///tmp/mlruns") is None
    True
    """
    if not uri.lower().startswith(_PREFIX):
        return None
    path = unquote(uri[len(_PREFIX) :].split("?", 1)[0])
    if path in ("", ":memory:"):
        return None
    return Path(path)


def _problem(path: Path) -> str | None:
    """Return what SQLite finds wrong with the database at ``path`` (None if nothing)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        return None  # cannot open (permissions, locks): MLflow reports that itself
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError:
        return None  # busy or locked, not damaged
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        connection.close()
    found = [str(row[0]) for row in rows if row and row[0] != "ok"]
    return "; ".join(found[:3]) if found else None


def check_tracking_store(uri: str) -> None:
    """Raise if ``uri`` is a SQLite tracking store whose file is damaged.

    A store that does not exist yet (MLflow creates it) and non-SQLite stores pass.

    Parameters
    ----------
    uri : str
        The tracking URI.

    Raises
    ------
    TrackingStoreError
        If the SQLite file is not a database or fails SQLite's page check.
    """
    path = sqlite_store_path(uri)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    problem = _problem(path)
    if problem is not None:
        raise TrackingStoreError(
            f"the MLflow tracking store {uri} is damaged: its SQLite file {path} fails "
            f"SQLite's check ({problem}). Restore {path.name} from a backup, or point "
            "--tracking-uri (or MLFLOW_TRACKING_URI) at another store; nothing was written"
        )
