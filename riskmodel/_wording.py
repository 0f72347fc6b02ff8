"""Wording shared by the error messages of every layer.

Errors say what was expected, what was given and where; the "where" names the first
offending rows and their values the same way whichever layer raises (the tables'
readers, the metrics, the fairness audit, the features).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["describe_rows"]


def describe_rows(
    index: pd.Index | np.ndarray | list, values: object = None, most: int = 5
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

    Returns
    -------
    str
        For example ``"rows 17, 230, 4411; values '2024-05-01', 'x'"``.
    """
    labels = list(index)
    shown = ", ".join(str(label) for label in labels[:most])
    more = f" and {len(labels) - most} more" if len(labels) > most else ""
    text = f"row{'s' if len(labels) != 1 else ''} {shown}{more}"
    if values is not None:
        vals = list(values)[:most]
        shown_values = ", ".join(repr(_plain(v)) for v in vals)
        text += f"; value{'s' if len(vals) != 1 else ''} {shown_values}"
    return text


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
