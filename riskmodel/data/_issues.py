"""The issues table that readers return: every record or value they could not use."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ISSUE_COLUMNS", "IssueLog"]

ISSUE_COLUMNS: tuple[str, ...] = (
    "file",
    "location",
    "person_id",
    "table",
    "field",
    "value",
    "reason",
    "consequence",
)
"""Columns of a reader's issues table.

``location`` is where in the file (``"line 17"``, ``"Child 12 / CINdetails 2"``);
``table`` the canonical table the record was meant for; ``consequence`` one of
:data:`CONSEQUENCES`.
"""

RECORD_DROPPED = "record dropped"
VALUE_DROPPED = "value dropped"
VALUE_ASSUMED = "value assumed"
CONSEQUENCES: tuple[str, ...] = (RECORD_DROPPED, VALUE_DROPPED, VALUE_ASSUMED)


@dataclass
class IssueLog:
    """Collects issues while a reader works, then returns them as a table.

    Examples
    --------
    >>> log = IssueLog()
    >>> log.add("header.csv", "line 3", "1001", "persons", "DOB", "31/02/2010",
    ...         "not a date", RECORD_DROPPED)
    >>> log.to_frame().loc[0, "reason"]
    'not a date'
    """

    rows: list[tuple[object, ...]] = field(default_factory=list)

    def add(
        self,
        file: object,
        location: object,
        person_id: object,
        table: str,
        field: str,
        value: object,
        reason: str,
        consequence: str,
    ) -> None:
        """Record one issue (see :data:`ISSUE_COLUMNS`)."""
        if consequence not in CONSEQUENCES:
            raise ValueError(f"consequence must be one of {CONSEQUENCES}, got {consequence!r}")
        self.rows.append(
            (str(file), str(location), _text(person_id), table, field, _text(value), reason,
             consequence)
        )  # fmt: skip

    def extend(self, frame: pd.DataFrame) -> None:
        """Append the rows of another issues table."""
        self.rows.extend(frame[list(ISSUE_COLUMNS)].itertuples(index=False, name=None))

    def to_frame(self) -> pd.DataFrame:
        """Return the issues as a DataFrame with :data:`ISSUE_COLUMNS` (all text)."""
        return pd.DataFrame(self.rows, columns=list(ISSUE_COLUMNS)).astype("str")


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)
