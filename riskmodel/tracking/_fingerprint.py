"""Fingerprints of the input data: counts, date ranges and a hash of each table.

A fingerprint identifies the data a model was trained on without storing any
child-level row: it holds only aggregates and a one-way hash.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from riskmodel.data import LocalAuthorityData

__all__ = ["data_fingerprint", "table_hash"]

_DATE_COLUMNS = {
    "persons": "date_of_birth",
    "events": "event_date",
    "care_episodes": "start_date",
}


def table_hash(table: pd.DataFrame) -> str:
    """Return a SHA-256 hex digest of a table's columns and values (row order matters).

    Parameters
    ----------
    table : pandas.DataFrame
        Any table.

    Returns
    -------
    str
        64 hexadecimal characters; equal tables give equal digests.
    """
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, table.columns)).encode("utf-8"))
    row_hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
    digest.update(row_hashes.tobytes())
    return digest.hexdigest()


def data_fingerprint(data: LocalAuthorityData) -> dict[str, object]:
    """Summarise the data a run used: rows, children, date range and hash of each table.

    Parameters
    ----------
    data : LocalAuthorityData
        The canonical tables.

    Returns
    -------
    dict
        Flat keys such as ``"events.rows"``, ``"events.first_date"``,
        ``"events.sha256"`` and ``"extract_date"``; values are numbers or strings.
    """
    out: dict[str, object] = {
        "extract_date": None if data.extract_date is None else str(data.extract_date.date())
    }
    for name, date_col in _DATE_COLUMNS.items():
        table = getattr(data, name)
        dates = table[date_col]
        out[f"{name}.rows"] = int(len(table))
        out[f"{name}.children"] = int(table["person_id"].nunique())
        out[f"{name}.first_date"] = None if dates.isna().all() else str(dates.min().date())
        out[f"{name}.last_date"] = None if dates.isna().all() else str(dates.max().date())
        out[f"{name}.sha256"] = table_hash(table)
    return out
