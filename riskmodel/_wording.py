"""Wording shared by the error messages of every layer.

Errors say what was expected, what was given and where; the "where" names the first
offending rows and their values the same way whichever layer raises (the tables'
readers, the metrics, the fairness audit, the features).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["describe_rows", "show_value"]


def describe_rows(
    index: pd.Index | np.ndarray | list,
    values: object = None,
    most: int = 5,
    *,
    shown: list[str] | None = None,
    total: int | None = None,
) -> str:
    """Format the first offending rows (and their values) for an error message.

    Parameters
    ----------
    index : array-like
        Row labels of the offending rows.
    values : array-like, optional
        The offending values, aligned with ``index``.
    most : int, default 5
        How many rows to name.
    shown : list of str, optional
        The values already written by :func:`show_value` (instead of ``values``),
        for values that travelled as text (from Spark's workers, say).
    total : int, optional
        How many rows offend, when ``index`` holds only the first of them.

    Returns
    -------
    str
        For example ``"rows 17, 230, 4411; values '2024-05-01', 'x'"``.
    """
    labels = list(index)
    n = len(labels) if total is None else total
    first = ", ".join(str(label) for label in labels[:most])
    more = f" and {n - most} more" if n > most else ""
    text = f"row{'s' if n != 1 else ''} {first}{more}"
    if values is not None:
        shown = [show_value(v) for v in list(values)[:most]]
    if shown is not None:
        vals = list(shown)[:most]
        text += f"; value{'s' if len(vals) != 1 else ''} {', '.join(vals)}"
    return text


def show_value(value: object) -> str:
    """Write one offending value as :func:`describe_rows` shows it (``'x'``, ``'2024-05-01'``)."""
    return repr(_plain(value))


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
