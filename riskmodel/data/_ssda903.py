"""Reading the SSDA903 return (children looked after) into the canonical tables.

Every record of the return either lands in the canonical tables or is reported, with
a reason, in the issues table that the reader returns beside the data.
"""

from __future__ import annotations

import os
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
    missing_or_not,
    overlapping_episodes,
    parse_dates,
    sort_issues,
    upper_codes,
)
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.exceptions import SchemaError

__all__ = ["read_ssda903"]

PathLike = str | os.PathLike[str]

_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"),
    "missing": ("CHILD", "MISSING", "MIS_START"),
    "uasc": ("CHILD", "SEX", "DOB"),
}
"""Columns each file must have; other columns (postcodes, URN, UPN...) are not read."""

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
_SEX_EXPECTED = "a valid code (1, 2, M, F or U)"


def read_ssda903(
    paths: PathLike | Iterable[PathLike] | None = None,
    *,
    header: PathLike | None = None,
    episodes: PathLike | None = None,
    missing: PathLike | None = None,
    uasc: PathLike | None = None,
    extract_date: str | pd.Timestamp | None = None,
) -> tuple[LocalAuthorityData, pd.DataFrame]:
    r"""Read an SSDA903 return (children looked after) into the canonical tables.

    ``header.csv`` becomes ``persons``, ``episodes.csv`` ``care_episodes`` and
    ``missing.csv`` ``events`` of type ``missing_episode`` (dated at ``MIS_START``,
    code ``M`` missing or ``A`` away without authorisation); children listed in
    ``uasc.csv`` get ``uasc = True``. Postcodes, ``URN`` and ``UPN`` are not read.

    Every record either lands in the tables or is reported in the returned issues
    table, so the data pass :meth:`LocalAuthorityData.validate`. A record is dropped
    when its ``CHILD`` is missing or unknown (episodes and missing episodes need a
    child in ``persons``), a required value (``SEX``, ``DOB``, ``DECOM``,
    ``MIS_START``) is missing or invalid, a date is after the extract date, a date
    of birth comes after an episode or missing episode, ``DEC`` is before ``DECOM``,
    an episode starts before the child's previous episode has ended (the earlier
    episode is kept) or a child is listed twice (the first valid row is kept). A
    code not in the 903 code lists is dropped from its episode, and an unknown
    ``ETHNIC`` code is replaced by ``NOBT``. A ``DEC`` after the extract date is
    dropped and the episode kept as open. A ``uasc.csv`` child absent from
    ``header.csv`` is added to ``persons`` with the ``SEX`` and ``DOB`` of
    ``uasc.csv`` and ethnicity ``NOBT``; for a child in both, the ``header.csv``
    values are kept and disagreements reported.

    Dates are read strictly as ``dd/mm/YYYY`` (as in the return) or ``YYYY-MM-DD``;
    ``31/02/2010`` is not a date. ``SEX`` may be coded ``1``/``2`` (returns up to
    2024) or ``M``/``F``/``U`` (from 2025).

    Parameters
    ----------
    paths : path-like or iterable of path-like, optional
        A directory holding ``header.csv``, ``episodes.csv`` and optionally
        ``missing.csv`` and ``uasc.csv`` (names matched case-insensitively), or
        those files themselves.
    header, episodes, missing, uasc : path-like, optional
        The files one by one; each takes precedence over a file found in ``paths``.
        ``header`` and ``episodes`` are required (here or in ``paths``).
    extract_date : str or pandas.Timestamp, optional
        The date the return was extracted; later dates are dropped and reported.
        When not given, the latest ``DECOM``, ``DEC`` or ``MIS_START`` that is not
        after today is used (dates after today are treated as after the extract).

    Returns
    -------
    data : LocalAuthorityData
        The canonical tables, with ``extract_date`` given or inferred.
    issues : pandas.DataFrame
        One row per record or value not used as given, with columns ``file``,
        ``location`` (``"line 17"``), ``person_id``, ``table``, ``field``, ``value``,
        ``reason`` and ``consequence`` (``"record dropped"``, ``"value dropped"`` or
        ``"value assumed"``), in file and line order.

    Raises
    ------
    SchemaError
        If a required file is missing, or a file is empty, not UTF-8, not
        comma-separated, lacks a required column or has rows with the wrong number
        of fields (naming the file, and the line or column).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "header.csv").write_text(
    ...     "CHILD,SEX,DOB,ETHNIC\n1,1,01/05/2008,WBRI\n2,2,31/02/2009,BAFR\n")
    >>> _ = (folder / "episodes.csv").write_text(
    ...     "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n1,01/06/2022,S,C2,N1,U1,,\n")
    >>> data, issues = read_ssda903(folder)
    >>> len(data.persons), len(data.care_episodes), data.extract_date.date()
    (1, 1, datetime.date(2022, 6, 1))
    >>> issues.loc[0, ["location", "reason"]].tolist()
    ['line 3', 'DOB is not a date (dd/mm/YYYY or YYYY-MM-DD, 1900-2199)']
    """
    files = _resolve_paths(paths, header=header, episodes=episodes, missing=missing, uasc=uasc)
    raw = {name: _read(path, name) for name, path in files.items() if path is not None}
    dates = {
        "DECOM": parse_dates(raw["episodes"]["DECOM"]),
        "DEC": parse_dates(raw["episodes"]["DEC"]),
    }
    if "missing" in raw:
        dates["MIS_START"] = parse_dates(raw["missing"]["MIS_START"])
    today = pd.Timestamp.today().normalize()
    extract = _extract_date(extract_date, dates.values(), today)
    limit = extract if extract is not None else today
    ctx = _Context(log=IssueLog(), files=_file_names(files), limit=limit)
    persons = _persons(raw["header"], ctx)
    ctx.header_ids = frozenset(raw["header"]["CHILD"].dropna())
    if "uasc" in raw:
        persons = _apply_uasc(raw["uasc"], persons, ctx)
    ctx.dob = persons.set_index("person_id")["date_of_birth"]
    care_episodes = _care_episodes(raw["episodes"], dates["DECOM"], dates["DEC"], ctx)
    events = pd.DataFrame(columns=["person_id", "event_date", "event_type", "code"])
    if "missing" in raw:
        events = _missing_events(raw["missing"], dates["MIS_START"], ctx)
    data = LocalAuthorityData(
        persons=persons, events=events, care_episodes=care_episodes, extract_date=extract
    )
    return data, sort_issues(ctx.log.to_frame(), list(ctx.files.values()))


@dataclass
class _Context:
    """What the builders share: the issue log, file names and what is known so far."""

    log: IssueLog
    files: dict[str, str]
    limit: pd.Timestamp
    header_ids: frozenset[str] = frozenset()
    dob: pd.Series = field(default_factory=lambda: pd.Series(dtype="datetime64[ns]"))

    def limit_reason(self, name: str) -> str:
        return f"{name} is after the extract date {self.limit.date()}"


def _resolve_paths(
    paths: PathLike | Iterable[PathLike] | None, **given: PathLike | None
) -> dict[str, Path | None]:
    """Map each file name (``header``, ``episodes``, ``missing``, ``uasc``) to its path."""
    found: dict[str, Path] = {}
    listed = paths is not None and not isinstance(paths, str | os.PathLike)
    if paths is not None:
        if listed:
            candidates = [Path(p) for p in paths]
        else:
            folder = Path(paths)
            if not folder.is_dir():
                raise SchemaError(f"{folder}: not a directory of SSDA903 files")
            candidates = sorted(p for p in folder.iterdir() if p.is_file())
        for path in candidates:
            name = path.name.lower()
            if name.removesuffix(".csv") in given and name.endswith(".csv"):
                name = name.removesuffix(".csv")
                if name in found:
                    raise SchemaError(f"two {name}.csv files: {found[name]} and {path}; keep one")
                found[name] = path
            elif listed:
                raise SchemaError(
                    f"{path}: not an SSDA903 file name; expected header.csv, episodes.csv, "
                    "missing.csv or uasc.csv (or pass it as header=, episodes=, ...)"
                )
    files = {name: Path(p) if p is not None else found.get(name) for name, p in given.items()}
    for name in ("header", "episodes"):
        if files[name] is None:
            where = f" in {paths}" if isinstance(paths, str | os.PathLike) else ""
            raise SchemaError(f"no {name}.csv{where}: an SSDA903 return needs header and episodes")
    return files


def _read(path: Path, name: str) -> pd.DataFrame:
    raw = read_csv_text(path, expected_columns=_REQUIRED_COLUMNS[name])
    # object ids: Series.isin against thousands of ids is slow on arrow-backed strings
    raw["CHILD"] = raw["CHILD"].astype("object")
    return raw


def _file_names(files: dict[str, Path | None]) -> dict[str, str]:
    """How issues name each file: its name, or its whole path if two names are the same."""
    paths = {name: path for name, path in files.items() if path is not None}
    names = {name: path.name for name, path in paths.items()}
    if len(set(names.values())) < len(names):
        names = {name: str(path) for name, path in paths.items()}
    return names


def _extract_date(
    given: str | pd.Timestamp | None, dates: Iterable[pd.Series], today: pd.Timestamp
) -> pd.Timestamp | None:
    """Return the given extract date, else the latest date not after today (or None)."""
    if given is not None:
        return pd.Timestamp(given).normalize()
    latest = [d[d <= today].max() for d in dates]
    latest = [d for d in latest if pd.notna(d)]
    return max(latest) if latest else None


def _persons(raw: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    check = RowChecker(raw, ctx.files["header"], "persons", ctx.log)
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
        }
    )


def _apply_uasc(raw: pd.DataFrame, persons: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Flag the children of uasc.csv, adding those not in header.csv to ``persons``."""
    check = RowChecker(raw, ctx.files["uasc"], "persons", ctx.log)
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
    check = RowChecker(raw, ctx.files["episodes"], "care_episodes", ctx.log)
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
    overlap = overlapping_episodes(child, start, end, check.keep)
    check.drop(overlap.notna(), "DECOM", overlap)
    keep = check.keep
    columns = {"person_id": child[keep], "start_date": start[keep], "end_date": end[keep]}
    for column, canonical, codes in _EPISODE_CODES:
        values = upper_codes(raw[column])
        unknown = check.report(
            values.notna() & ~values.isin(codes),
            column,
            f"{column} is not a known code",
            VALUE_DROPPED,
        )
        columns[canonical] = values.mask(unknown)[keep]
    return pd.DataFrame(columns)


def _missing_events(raw: pd.DataFrame, start: pd.Series, ctx: _Context) -> pd.DataFrame:
    check = RowChecker(raw, ctx.files["missing"], "events", ctx.log)
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
        }
    )
