"""Reading and checking one SSDA903 return (one year, CSV or XML) into canonical rows.

A return arrives as :class:`RawReturn` (text tables, one row per record, with where
each record is in its file); :func:`check_return` turns it into canonical rows and
reports every record or value it does not use, so that each return is checked the
same way whatever its form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskmodel.data._codes import (
    CATEGORY_OF_NEED_CODES,
    ETHNIC_CODES,
    ETHNIC_UNKNOWN,
    LEGAL_STATUS_CODES,
    PLACEMENT_CODES,
    REASON_EPISODE_CEASED_CODES,
    REASON_NEW_EPISODE_CODES,
)
from riskmodel.data._files import read_csv_text
from riskmodel.data._issues import VALUE_ASSUMED, VALUE_DROPPED, IssueLog
from riskmodel.data._ssda903_checks import (
    DATE_FORMATS,
    RowChecker,
    line_locations,
    missing_or_not,
    no_child_message,
    overlapping_episodes,
    parse_dates,
    refuse_us_dates,
    sort_issues,
    upper_codes,
)
from riskmodel.exceptions import SchemaError

__all__ = ["CheckedReturn", "RawReturn", "check_return", "read_csv_return"]

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"),
    "missing": ("CHILD", "MISSING", "MIS_START"),
    "uasc": ("CHILD", "SEX", "DOB"),
}
"""Columns each table must have; other columns (postcodes, URN, UPN...) are not read."""

_SEX = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U", "0": "U", "9": "U"}
"""903 ``SEX`` 1/2 (up to 2024) and M/F/U (from 2025); ISO 5218 0 and 9 mean unknown."""

_EPISODE_CODES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("RNE", "reason_new_episode", REASON_NEW_EPISODE_CODES),
    ("LS", "legal_status", LEGAL_STATUS_CODES),
    ("CIN", "category_of_need", CATEGORY_OF_NEED_CODES),
    ("PLACE", "placement", PLACEMENT_CODES),
    ("REC", "reason_episode_ceased", REASON_EPISODE_CEASED_CODES),
)
_MISSING_CODES = ("M", "A")
_DATE_COLUMNS = ("DOB", "DECOM", "DEC", "MIS_START", "MIS_END")
_SEX_EXPECTED = "a valid code (1, 2, M, F or U)"


@dataclass
class RawReturn:
    """One return's tables as text, before any check.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``header`` and ``episodes``, optionally ``missing`` and ``uasc``: one row per
        record, every value text or None, with the CSV column names (``CHILD``,
        ``PLACE``, ...).
    files : dict of str to str
        How issues name the file of each table.
    locations : dict of str to pandas.Series
        Where each record of each table is in its file (``"line 17"``,
        ``"CHILD 3 / EPISODE 2"``), indexed like the table.
    positions : dict of (str, str) to int
        Sort position of every ``(file, location)`` whose location is not
        ``"line N"`` (issues are listed in file order).
    source : pathlib.Path
        The folder or file the return came from (its name may carry the year).
    """

    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    locations: dict[str, pd.Series]
    positions: dict[tuple[str, str], int] = field(default_factory=dict)
    source: Path = Path()

    def rename_files(self, names: dict[str, str]) -> None:
        """Name the files differently in issues (``names`` maps old name to new)."""
        self.files = {table: names.get(name, name) for table, name in self.files.items()}
        self.positions = {(names.get(f, f), loc): n for (f, loc), n in self.positions.items()}


@dataclass
class CheckedReturn:
    """One return after its checks: canonical rows, each with its ``file`` and ``location``.

    ``persons``, ``care_episodes`` and ``events`` have the canonical columns plus
    ``file`` and ``location`` of the record each row came from. ``extract_date`` is
    the given or inferred one (None if the return has no dates at all). ``listed``
    holds the child and ``DECOM`` of every episode record, kept or dropped.
    """

    raw: RawReturn
    persons: pd.DataFrame
    care_episodes: pd.DataFrame
    events: pd.DataFrame
    extract_date: pd.Timestamp | None
    issues: pd.DataFrame
    listed: frozenset[tuple[str, pd.Timestamp]] = frozenset()
    year: int | None = None


def read_csv_return(files: dict[str, Path | None]) -> RawReturn:
    """Read one return's CSV tables (``files`` maps table name to path or None)."""
    paths = {name: path for name, path in files.items() if path is not None}
    tables = {name: _read(path, name) for name, path in paths.items()}
    names = {name: path.name for name, path in paths.items()}
    if len(set(names.values())) < len(names):
        names = {name: str(path) for name, path in paths.items()}
    source = paths["episodes"].parent
    locations = {name: line_locations(table.index) for name, table in tables.items()}
    return RawReturn(tables=tables, files=names, locations=locations, source=source)


def _read(path: Path, name: str) -> pd.DataFrame:
    raw = read_csv_text(path, expected_columns=REQUIRED_COLUMNS[name])
    # object ids: Series.isin against thousands of ids is slow on arrow-backed strings
    raw["CHILD"] = raw["CHILD"].astype("object")
    return raw


def check_return(raw: RawReturn, extract_date: str | pd.Timestamp | None) -> CheckedReturn:
    """Check one return's records and turn them into canonical rows (see read_ssda903)."""
    tables = raw.tables
    for name, table in tables.items():
        for column in _DATE_COLUMNS:
            if column in table:
                where = _where(raw, raw.files[name])
                refuse_us_dates(table[column], where, column, raw.locations[name])
    dates = {
        "DECOM": parse_dates(tables["episodes"]["DECOM"]),
        "DEC": parse_dates(tables["episodes"]["DEC"]),
    }
    if "missing" in tables:
        dates["MIS_START"] = parse_dates(tables["missing"]["MIS_START"])
    today = pd.Timestamp.today().normalize()
    extract = _extract_date(extract_date, dates.values(), today)
    limit = extract if extract is not None else today
    ctx = _Context(log=IssueLog(), raw=raw, limit=limit)
    persons = _persons(tables["header"], ctx)
    ctx.header_ids = frozenset(tables["header"]["CHILD"].dropna())
    if "uasc" in tables:
        persons = _apply_uasc(tables["uasc"], persons, ctx)
    if persons.empty:
        header = raw.files["header"]
        issues = ctx.log.to_frame()
        raise SchemaError(
            no_child_message(
                issues[issues["file"] == header],
                _where(raw, header),
                len(tables["header"]),
                ", ".join(REQUIRED_COLUMNS["header"]),
            )
        )
    ctx.dob = persons.set_index("person_id")["date_of_birth"]
    care_episodes = _care_episodes(tables["episodes"], dates["DECOM"], dates["DEC"], ctx)
    events = pd.DataFrame(
        columns=["person_id", "event_date", "event_type", "code", "file", "location"]
    )
    if "missing" in tables:
        events = _missing_events(tables["missing"], dates["MIS_START"], ctx)
    issues = sort_issues(
        ctx.log.to_frame(), list(dict.fromkeys(raw.files.values())), raw.positions
    )
    listed = frozenset(zip(tables["episodes"]["CHILD"], dates["DECOM"], strict=True))
    return CheckedReturn(raw, persons, care_episodes, events, extract, issues, listed)


@dataclass
class _Context:
    """What the builders share: the issue log, the return and what is known so far."""

    log: IssueLog
    raw: RawReturn
    limit: pd.Timestamp
    header_ids: frozenset[str] = frozenset()
    dob: pd.Series = field(default_factory=lambda: pd.Series(dtype="datetime64[ns]"))

    @property
    def files(self) -> dict[str, str]:
        return self.raw.files

    def checker(self, name: str, table: str) -> RowChecker:
        raw = self.raw
        return RowChecker(raw.tables[name], raw.files[name], table, self.log, raw.locations[name])

    def limit_reason(self, name: str) -> str:
        return f"{name} is after the extract date {self.limit.date()}"

    def origin(self, name: str, keep: pd.Series) -> dict[str, object]:
        """Return the ``file`` and ``location`` columns of table ``name``'s kept records."""
        return {"file": self.raw.files[name], "location": self.raw.locations[name][keep]}


def _extract_date(
    given: str | pd.Timestamp | None, dates: Iterable[pd.Series], today: pd.Timestamp
) -> pd.Timestamp | None:
    """Return the given extract date, else the latest date not after today (or None)."""
    if given is not None:
        return pd.Timestamp(given).normalize()
    latest = [d[d <= today].max() for d in dates]
    latest = [d for d in latest if pd.notna(d)]
    return max(latest) if latest else None


def _where(raw: RawReturn, file: str) -> Path:
    """Return the path of one of the return's files (the XML file, or a CSV of its folder)."""
    return raw.source if raw.source.is_file() else raw.source / Path(file).name


def _persons(raw: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    check = ctx.checker("header", "persons")
    child = raw["CHILD"]
    check.drop(child.isna(), "CHILD", "CHILD is missing")
    sex = upper_codes(raw["SEX"]).map(_SEX)
    check.drop(sex.isna(), "SEX", missing_or_not(raw["SEX"], "SEX", _SEX_EXPECTED))
    dob = parse_dates(raw["DOB"])
    check.drop(dob.isna(), "DOB", missing_or_not(raw["DOB"], "DOB", DATE_FORMATS))
    check.drop(dob > ctx.limit, "DOB", ctx.limit_reason("DOB"))
    check.drop_repeated_children()
    ethnic = upper_codes(raw["ETHNIC"])
    unknown = ethnic.notna() & ~ethnic.isin(ETHNIC_CODES)
    check.report(
        unknown, "ETHNIC", f"ETHNIC is not a known code; {ETHNIC_UNKNOWN} assumed", VALUE_ASSUMED
    )
    keep = check.keep
    return pd.DataFrame(
        {
            "person_id": child[keep],
            "date_of_birth": dob[keep],
            "sex": sex[keep],
            "ethnicity": ethnic[keep].where(~unknown[keep] & ethnic[keep].notna(), ETHNIC_UNKNOWN),
            "uasc": False,
            **ctx.origin("header", keep),
        }
    )


def _apply_uasc(raw: pd.DataFrame, persons: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Flag the children of uasc.csv, adding those not in header.csv to ``persons``."""
    check = ctx.checker("uasc", "persons")
    child = raw["CHILD"]
    check.drop(child.isna(), "CHILD", "CHILD is missing")
    known = persons.set_index("person_id")
    _drop_unknown_children(check, ctx, known.index, allow_new=True)
    check.drop_repeated_children()
    sex, dob = upper_codes(raw["SEX"]).map(_SEX), parse_dates(raw["DOB"])
    new = ~child.isin(known.index)
    check.drop(new & sex.isna(), "SEX", missing_or_not(raw["SEX"], "SEX", _SEX_EXPECTED))
    check.drop(new & dob.isna(), "DOB", missing_or_not(raw["DOB"], "DOB", DATE_FORMATS))
    check.drop(new & (dob > ctx.limit), "DOB", ctx.limit_reason("DOB"))
    header = ctx.files["header"]
    for column, value, canonical in (("SEX", sex, "sex"), ("DOB", dob, "date_of_birth")):
        kept = child.map(known[canonical])
        shown = kept.dt.strftime("%d/%m/%Y") if canonical == "date_of_birth" else kept
        differs = ~new & raw[column].notna() & (value.isna() | (value != kept))
        reason = f"{column} differs from {header} (" + shown.astype(str) + "), whose value is kept"
        check.report(differs, column, reason, VALUE_DROPPED)
    added = check.keep & new
    check.report(
        added,
        "CHILD",
        f"child not in {header}: added to persons from this file, ethnicity {ETHNIC_UNKNOWN}",
        VALUE_ASSUMED,
    )
    persons = persons.assign(uasc=persons["person_id"].isin(child[check.keep]))
    extra = pd.DataFrame(
        {
            "person_id": child[added],
            "date_of_birth": dob[added],
            "sex": sex[added],
            "ethnicity": ETHNIC_UNKNOWN,
            "uasc": True,
            **ctx.origin("uasc", added),
        }
    )
    return pd.concat([persons, extra]) if len(extra) else persons


def _drop_unknown_children(
    check: RowChecker, ctx: _Context, known: pd.Index, *, allow_new: bool = False
) -> None:
    """Drop rows whose child is not in ``known`` (or whose header row was dropped)."""
    child = check.raw["CHILD"]
    header = ctx.files["header"]
    in_header = child.isin(ctx.header_ids)
    unknown = ~child.isin(known)
    check.drop(unknown & in_header, "CHILD", f"the child's row in {header} was dropped")
    if not allow_new:
        check.drop(unknown & ~in_header, "CHILD", f"child not in {header}")


def _care_episodes(
    raw: pd.DataFrame, start: pd.Series, end: pd.Series, ctx: _Context
) -> pd.DataFrame:
    check = ctx.checker("episodes", "care_episodes")
    child = raw["CHILD"]
    check.drop(child.isna(), "CHILD", "CHILD is missing")
    _drop_unknown_children(check, ctx, ctx.dob.index)
    check.drop(start.isna(), "DECOM", missing_or_not(raw["DECOM"], "DECOM", DATE_FORMATS))
    check.drop(end.isna() & raw["DEC"].notna(), "DEC", f"DEC is not {DATE_FORMATS}")
    check.drop(start > ctx.limit, "DECOM", ctx.limit_reason("DECOM"))
    check.drop(start < child.map(ctx.dob), "DECOM", "DECOM is before the child's DOB")
    check.drop(end < start, "DEC", "DEC is before DECOM")
    late = check.report(
        end > ctx.limit,
        "DEC",
        ctx.limit_reason("DEC") + "; the episode is kept as open",
        VALUE_DROPPED,
    )
    end = end.mask(late)
    overlap = overlapping_episodes(child, start, end, check.keep, check.locations)
    check.drop(overlap.notna(), "DECOM", overlap)
    keep = check.keep
    columns: dict[str, object] = {
        "person_id": child[keep],
        "start_date": start[keep],
        "end_date": end[keep],
    }
    for column, canonical, codes in _EPISODE_CODES:
        values = upper_codes(raw[column])
        unknown = check.report(
            values.notna() & ~values.isin(codes),
            column,
            f"{column} is not a known code",
            VALUE_DROPPED,
        )
        columns[canonical] = values.mask(unknown)[keep]
    return pd.DataFrame({**columns, **ctx.origin("episodes", keep)})


def _missing_events(raw: pd.DataFrame, start: pd.Series, ctx: _Context) -> pd.DataFrame:
    check = ctx.checker("missing", "events")
    child = raw["CHILD"]
    check.drop(child.isna(), "CHILD", "CHILD is missing")
    _drop_unknown_children(check, ctx, ctx.dob.index)
    check.drop(
        start.isna(), "MIS_START", missing_or_not(raw["MIS_START"], "MIS_START", DATE_FORMATS)
    )
    check.drop(start > ctx.limit, "MIS_START", ctx.limit_reason("MIS_START"))
    dob = child.map(ctx.dob)
    check.drop(start < dob, "MIS_START", "MIS_START is before the child's DOB")
    code = upper_codes(raw["MISSING"])
    unknown = code.notna() & ~code.isin(_MISSING_CODES)
    check.report(unknown, "MISSING", "MISSING is not M or A", VALUE_DROPPED)
    if "MIS_END" in raw:
        end = parse_dates(raw["MIS_END"])
        bad_end = raw["MIS_END"].notna() & (end.isna() | (end < start))
        reason = "MIS_END is not a date on or after MIS_START (MIS_END is not used)"
        check.report(bad_end, "MIS_END", reason, VALUE_DROPPED)
    if "DOB" in raw:
        given = parse_dates(raw["DOB"])
        differs = raw["DOB"].notna() & (given.isna() | (given != dob))
        header = ctx.files["header"]
        check.report(
            differs, "DOB", f"DOB differs from {header}, whose value is used", VALUE_DROPPED
        )
    keep = check.keep
    return pd.DataFrame(
        {
            "person_id": child[keep],
            "event_date": start[keep],
            "event_type": "missing_episode",
            "code": code.mask(unknown)[keep],
            **ctx.origin("missing", keep),
        }
    )
