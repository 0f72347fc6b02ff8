"""Collects event rows as numpy arrays while the months are simulated.

Each row has the child's index, the day number, the event type, a code and a value,
plus two fields used before output: ``anchor`` and ``generated``. A row of the natural
casework process (generated in the month starting on day ``generated``) is removed if
the child enters care on or before its ``anchor`` day (its own date, or for assessment
factors the date of their referral): such a row only exists if the child stays at
home. Rows that must always be kept have an infinite anchor.
"""

from __future__ import annotations

import numpy as np

from riskmodel.data._codes import EVENT_TYPES

__all__ = ["KEEP", "TYPES", "EventSink"]

TYPES: dict[str, int] = {name: i for i, name in enumerate((*EVENT_TYPES, "referral_open"))}
"""Internal event types: the data model's vocabulary plus ``referral_open`` (a referral
that opens a CIN episode; written out as ``referral``)."""

OUTPUT_TYPES = np.array([*EVENT_TYPES, "referral"], dtype=object)
KEEP = np.iinfo(np.int64).max
FIELDS = ("child", "day", "kind", "code", "value", "anchor", "generated")


class EventSink:
    """Append-only store of event rows (see the module docstring)."""

    def __init__(self) -> None:
        self._parts: list[dict[str, np.ndarray]] = []

    def add(self, child, day, kind: str, code=None, value=None, anchor=None, generated=0):
        """Add rows for children ``child`` on days ``day`` (scalars broadcast)."""
        child = np.asarray(child, dtype=np.int64)
        n = len(child)
        if not n:
            return
        part = {
            "child": child,
            "day": _ints(day, n),
            "kind": np.full(n, TYPES[kind], dtype=np.int16),
            "code": _objects(code, n),
            "value": np.full(n, np.nan) if value is None else np.asarray(value, dtype=float),
            "anchor": np.full(n, KEEP, dtype=np.int64) if anchor is None else _ints(anchor, n),
            "generated": _ints(generated, n),
        }
        self._parts.append(part)

    def table(self) -> dict[str, np.ndarray]:
        """All rows so far, as one array per field."""
        if not self._parts:
            return empty_table()
        joined = {f: np.concatenate([p[f] for p in self._parts]) for f in FIELDS}
        self._parts = [joined]
        return joined


def empty_table() -> dict[str, np.ndarray]:
    """Return a table with no rows."""
    return {
        "child": np.empty(0, np.int64),
        "day": np.empty(0, np.int64),
        "kind": np.empty(0, np.int16),
        "code": np.empty(0, object),
        "value": np.empty(0, float),
        "anchor": np.empty(0, np.int64),
        "generated": np.empty(0, np.int64),
    }


def take(table: dict[str, np.ndarray], rows) -> dict[str, np.ndarray]:
    """Return the given rows (a boolean mask or indices) of a table."""
    return {f: v[rows] for f, v in table.items()}


def _ints(values, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.int64)
    return np.full(n, arr.item(), dtype=np.int64) if arr.ndim == 0 else arr


def _objects(code, n: int) -> np.ndarray:
    if code is None:
        return np.full(n, None, dtype=object)
    arr = np.asarray(code, dtype=object)
    return np.full(n, arr.item(), dtype=object) if arr.ndim == 0 else arr
