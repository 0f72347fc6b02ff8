"""Which rows are one child and which are one list, in a table of predictions.

A backtest on a sample (``backtest(..., sample_weight=...)``) keeps each row's weight
in a ``sample_weight`` column: a row of weight ``w`` stands for ``w`` children.

A service acts on its own list: the children of one authority at one as-of date.
In one authority's predictions a child is its ``person_id`` and a list is an as-of
date. In pooled predictions (an ``authority`` column), person ids repeat across
authorities, so a child is ``(authority, person_id)`` and a list is ``(authority,
as_of_date)``: capacity and the top share are taken within each authority's list,
and bootstrap resamples draw children of every authority, never a merged id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["WEIGHT", "child_ids", "list_ids", "row_keys", "row_weights"]

_SEPARATOR = "/"

WEIGHT = "sample_weight"
"""The column of a backtest's predictions holding each row's sample weight (when sampled)."""


def _pooled(table: pd.DataFrame) -> bool:
    return "authority" in table.columns


def row_keys(table: pd.DataFrame) -> list[str]:
    """Return the columns naming one row: ``[authority,] person_id, as_of_date``."""
    return (["authority"] if _pooled(table) else []) + ["person_id", "as_of_date"]


def child_ids(table: pd.DataFrame) -> np.ndarray:
    """Return one id per row naming its child (``authority/person_id`` when pooled)."""
    person = table["person_id"].astype("str")
    if not _pooled(table):
        return person.to_numpy()
    return (table["authority"].astype("str") + _SEPARATOR + person).to_numpy()


def list_ids(table: pd.DataFrame) -> np.ndarray:
    """Return one id per row naming its list: the as-of date, within authority when pooled."""
    dates = table["as_of_date"]
    if not _pooled(table):
        return dates.to_numpy()
    day = pd.to_datetime(dates).dt.strftime("%Y-%m-%d")
    return (table["authority"].astype("str") + _SEPARATOR + day).to_numpy()


def row_weights(table: pd.DataFrame) -> np.ndarray | None:
    """Return each row's sample weight (a row standing for that many), or None if unsampled."""
    if WEIGHT not in table.columns:
        return None
    return table[WEIGHT].to_numpy(dtype="float64")
