"""The issues table that readers return: every record or value they could not use."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ISSUE_COLUMNS", "Issue", "IssueLog"]

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


@dataclass(frozen=True, kw_only=True)
class Issue:
    """One record or value a reader could not use as given (see :data:`ISSUE_COLUMNS`).

    Parameters
    ----------
    file : object
        The file read (a path, or its name).
    location : object
        Where in the file: ``"line 17"``, ``"Child 12 / CINdetails 2"``.
    person_id : object
        The child the record is about, if known.
    table : str
        The canonical table the record was meant for.
    field : str
        The field of the return holding the value.
    value : object
        The value as read (None when the field is missing).
    reason : str
        What is wrong with it.
    consequence : str
        One of :data:`CONSEQUENCES`: what the reader did about it.
    """

    file: object
    location: object
    person_id: object
    table: str
    field: str
    value: object
    reason: str
    consequence: str

    def __post_init__(self) -> None:
        if self.consequence not in CONSEQUENCES:
            raise ValueError(
                f"consequence must be one of {CONSEQUENCES}, got {self.consequence!r}"
            )


@dataclass
class IssueLog:
    """Collects issues while a reader works, then returns them as a table.

    Examples
    --------
    >>> log = IssueLog()
    >>> log.add(
    ...     Issue(
    ...         file="header.csv", location="line 3", person_id="1001", table="persons",
    ...         field="DOB", value="31/02/2010", reason="not a date", consequence=RECORD_DROPPED,
    ...     )
    ... )
    >>> log.to_frame().loc[0, "reason"]
    'not a date'
    """

    rows: list[tuple[object, ...]] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        """Record one issue."""
        self.rows.append(
            (str(issue.file), str(issue.location), _text(issue.person_id), issue.table,
             issue.field, _text(issue.value), issue.reason, issue.consequence)
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
