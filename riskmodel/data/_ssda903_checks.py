"""Row checks of the SSDA903 reader: strict dates, dropping rows with a reason, overlaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.data._issues import ISSUE_COLUMNS, RECORD_DROPPED, IssueLog
from riskmodel.exceptions import SchemaError

__all__ = [
    "RowChecker",
    "line_locations",
    "missing_or_not",
    "no_child_message",
    "overlapping_episodes",
    "parse_dates",
    "refuse_us_dates",
    "sort_issues",
    "upper_codes",
]

FIRST_DATE = pd.Timestamp("1900-01-01")
LAST_DATE = pd.Timestamp("2199-12-31")
DATE_FORMATS = "a date (dd/mm/YYYY or YYYY-MM-DD, 1900-2199)"
"""What a date must look like, as said in issue reasons."""


class RowChecker:
    """Drops or flags rows of one raw file, logging one issue for each row affected.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file as read by :func:`~riskmodel.data._files.read_csv_text` (index: line
        numbers), with a ``CHILD`` column.
    file : str
        File name given in the issues.
    table : str
        Canonical table the rows are meant for.
    log : IssueLog
        Where issues go.
    locations : pandas.Series, optional
        Where each row is in its file (same index as ``raw``), such as
        ``"CHILD 3 / EPISODE 2"``; by default ``"line N"`` from the index.
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        file: str,
        table: str,
        log: IssueLog,
        locations: pd.Series | None = None,
    ) -> None:
        self.raw, self.file, self.table, self.log = raw, file, table, log
        self.locations = line_locations(raw.index) if locations is None else locations
        self.keep = pd.Series(True, index=raw.index)

    def drop(self, mask: pd.Series, column: str, reason: str | pd.Series) -> None:
        """Drop the kept rows in ``mask``, reporting ``reason`` (per row if a Series)."""
        mask = self.report(mask, column, reason, RECORD_DROPPED)
        self.keep &= ~mask

    def report(
        self, mask: pd.Series, column: str, reason: str | pd.Series, consequence: str
    ) -> pd.Series:
        """Report an issue on ``column`` for the kept rows in ``mask``.

        Returns
        -------
        pandas.Series of bool
            The rows reported: ``mask`` (missing counted as False) among kept rows.
        """
        mask = mask.reindex(self.raw.index).astype("boolean").fillna(False).astype(bool)
        mask &= self.keep
        if mask.any():
            if isinstance(reason, pd.Series):
                reason = reason.reindex(self.raw.index)[mask]
            issues = pd.DataFrame(
                {
                    "file": self.file,
                    "location": self.locations[mask],
                    "person_id": self.raw.loc[mask, "CHILD"],
                    "table": self.table,
                    "field": column,
                    "value": self.raw.loc[mask, column],
                    "reason": reason,
                    "consequence": consequence,
                }
            )
            self.log.extend(issues)
        return mask

    def drop_repeated_children(self) -> None:
        """Drop every kept row whose ``CHILD`` is on an earlier kept row."""
        child = self.raw.loc[self.keep, "CHILD"]
        where = self.locations[self.keep]
        first = where.groupby(child).transform("first")
        reason = "CHILD is listed twice; the row at " + first + " is used"
        self.drop(child.duplicated(), "CHILD", reason)


def line_locations(index: pd.Index) -> pd.Series:
    """Locations ``"line N"`` of rows whose index is their line number in a CSV file."""
    return pd.Series([f"line {n}" for n in index], index=index, dtype="object")


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse ``dd/mm/YYYY`` or ``YYYY-MM-DD`` strictly; anything else (or missing) is NaT.

    Impossible dates (``31/02/2010``, ``2010-13-01``) and years outside 1900-2199 are
    NaT. Each distinct text is parsed once, as returns repeat the same dates.
    """
    codes, distinct = pd.factorize(text.astype("object"))
    distinct = pd.Series(distinct, dtype="object")
    dates = pd.to_datetime(distinct, format="%d/%m/%Y", errors="coerce")
    dates = dates.fillna(pd.to_datetime(distinct, format="%Y-%m-%d", errors="coerce"))
    dates = dates.where((dates >= FIRST_DATE) & (dates <= LAST_DATE))
    # code -1 (a missing text) picks the NaT appended last
    values = np.append(dates.to_numpy("datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(values[codes], index=text.index)


US_DATE_SHARE = 0.05
"""Share of a column's dates failing as dd/mm/YYYY but read as mm/dd/YYYY that stops a read."""


def refuse_us_dates(text: pd.Series, where: str, column: str, locations: pd.Series) -> None:
    """Stop when a date column looks written month first (mm/dd/YYYY, as in the US).

    A US date with a day of 12 or less reads as a valid dd/mm/YYYY date, the day
    and month swapped; only those with a larger day fail. When more than
    :data:`US_DATE_SHARE` of the column's dates fail as dd/mm/YYYY but read as
    mm/dd/YYYY, the column is taken to be month first and the read stops, rather
    than keep the dates that happen to read the wrong way round.

    Raises
    ------
    SchemaError
        Naming the file, the column, how many dates and the first examples.
    """
    given = text.dropna().astype("object")
    if given.empty:
        return
    slashed = given[given.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")]
    distinct = pd.Series(slashed.unique(), dtype="object")
    day_first = pd.to_datetime(distinct, format="%d/%m/%Y", errors="coerce")
    month_first = pd.to_datetime(distinct, format="%m/%d/%Y", errors="coerce")
    swapped = slashed.isin(distinct[day_first.isna() & month_first.notna()])
    if swapped.sum() <= US_DATE_SHARE * len(given):
        return
    shown = ", ".join(f"{locations[i]} {slashed[i]!r}" for i in swapped[swapped].index[:3])
    raise SchemaError(
        f"{where}: {column}: {int(swapped.sum())} of {len(given)} dates are not dd/mm/YYYY "
        f"but read as mm/dd/YYYY ({shown}); the column seems written month first, so its "
        "other dates would be read with day and month swapped. Expected dd/mm/YYYY or "
        f"YYYY-MM-DD: more than {US_DATE_SHARE:.0%} of month-first dates stops the read"
    )


def no_child_message(issues: pd.DataFrame, where: object, rows: int, columns: str) -> str:
    """Say why a return has no usable child: no rows, or why every row was dropped.

    ``issues`` are those of the header file; ``columns`` lists its required columns.
    """
    if not rows:
        return f"{where}: no rows below the header; expected one row per child ({columns})"
    issues = issues[issues["consequence"] == RECORD_DROPPED]
    parts = []
    for reason, group in issues.groupby("reason", sort=False):
        shown = ", ".join(group["location"].head(3))
        values = ", ".join(repr(v) for v in group["value"].head(3))
        more = f" and {len(group) - 3} more" if len(group) > 3 else ""
        parts.append(f"{reason} on {len(group)} row(s) ({shown}{more}; values {values})")
    return (
        f"{where}: no usable row: all {rows} rows were dropped, so the return has no child; "
        + "; ".join(parts)
    )


def upper_codes(raw: pd.Series) -> pd.Series:
    """Return codes as upper-case text (missing stays missing)."""
    return raw.astype("str").str.strip().str.upper()


def missing_or_not(raw: pd.Series, name: str, expected: str) -> pd.Series:
    """Per-row reason: ``"NAME is missing"`` or ``"NAME is not EXPECTED"``."""
    return pd.Series(
        np.where(raw.isna(), f"{name} is missing", f"{name} is not {expected}"), index=raw.index
    )


def overlapping_episodes(
    child: pd.Series,
    start: pd.Series,
    end: pd.Series,
    keep: pd.Series,
    locations: pd.Series | None = None,
) -> pd.Series:
    """Return why each kept episode overlaps the child's previous kept one (NaN if not).

    Episodes are taken in order of start date (then line); an episode is kept when it
    starts on or after the end of the previous kept one, and on a later day than its
    start. Each round drops the first offending episode of every child, so the result
    is the same as walking through each child's episodes one by one; only children
    with an overlap take part in later rounds. Reasons name the earlier episode by
    its entry in ``locations`` (default ``"line N"`` from the index, which must then
    be in file order).
    """
    locations = line_locations(child.index) if locations is None else locations[child.index]
    frame = pd.DataFrame({"child": child, "start": start, "end": end}).rename_axis(None)
    frame["line"] = np.arange(len(frame))
    frame = frame[keep].sort_values(["child", "start", "line"])
    considered = pd.Series(True, index=frame.index)
    reasons = pd.Series(np.nan, index=child.index, dtype="object")
    while True:
        live = frame[considered]
        by_child = live.groupby("child", sort=False)
        prev_end = by_child["end"].shift().fillna(pd.Timestamp.max)  # open: never ends
        prev_start, prev_line = by_child["start"].shift(), by_child["line"].shift()
        clash = prev_line.notna() & ((live["start"] < prev_end) | (live["start"] == prev_start))
        if not clash.any():
            return reasons
        clashing = live.loc[clash, "child"]
        considered &= frame["child"].isin(clashing)
        first = clash[clash].groupby(clashing).head(1).index
        lines = pd.Series(
            locations.to_numpy()[prev_line[first].astype(int)], index=first, dtype="object"
        )
        reasons[first] = np.where(
            live.loc[first, "start"] == prev_start[first],
            "DECOM is the same as that of the child's episode at " + lines,
            "the episode starts before the child's episode at " + lines + " has ended",
        )
        considered[first] = False


def sort_issues(
    issues: pd.DataFrame,
    files: list[str],
    positions: dict[tuple[str, str], int] | None = None,
) -> pd.DataFrame:
    """Order issues by file (in ``files`` order) and position, keeping check order within one.

    The position of a ``(file, location)`` is its entry in ``positions`` (XML
    records: the line of their element), else N of ``"line N"``.
    """
    file_order = issues["file"].map({name: i for i, name in enumerate(files)})
    line = pd.to_numeric(issues["location"].str.removeprefix("line "), errors="coerce")
    if positions and len(issues):
        keys = pd.Series(list(zip(issues["file"], issues["location"], strict=True)))
        found = keys.map(positions).astype("float")
        line = pd.Series(found.to_numpy(), index=issues.index).fillna(line)
    order = pd.DataFrame({"f": file_order, "l": line}).sort_values(["f", "l"], kind="stable")
    return issues.loc[order.index, list(ISSUE_COLUMNS)].reset_index(drop=True)
