"""Reading the SSDA903 return (children looked after) into the canonical tables.

Every record of the return either lands in the canonical tables or is reported, with
a reason, in the issues table that the reader returns beside the data. A return is
one year's CSV tables or one ``<EXPSSDA903>`` XML file; several years are read one
by one and merged (see :mod:`riskmodel.data._ssda903_years`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskmodel.data._columns import as_extract_date
from riskmodel.data._pooling import stamp_authority
from riskmodel.data._reader_authority import check_authority, ssda903_authority
from riskmodel.data._ssda903_return import (
    CheckedReturn,
    RawReturn,
    check_return,
    read_csv_return,
)
from riskmodel.data._ssda903_xml import read_xml_return
from riskmodel.data._ssda903_years import merge_returns
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.exceptions import SchemaError

__all__ = ["read_ssda903", "ssda903_returns"]

PathLike = str | os.PathLike[str]

_TABLE_NAMES = ("header", "episodes", "missing", "uasc")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:[-_](\d\d))?(?!\d)")
_CANONICAL = {
    "persons": ["person_id", "date_of_birth", "sex", "ethnicity", "uasc"],
    "care_episodes": [
        "person_id", "start_date", "end_date", "reason_new_episode", "legal_status",
        "category_of_need", "placement", "reason_episode_ceased",
    ],
    "events": ["person_id", "event_date", "event_type", "code"],
}  # fmt: skip


def read_ssda903(
    paths: PathLike | Iterable[PathLike] | None = None,
    *,
    header: PathLike | None = None,
    episodes: PathLike | None = None,
    missing: PathLike | None = None,
    uasc: PathLike | None = None,
    extract_date: str | pd.Timestamp | None = None,
    authority: str | None = None,
) -> tuple[LocalAuthorityData, pd.DataFrame]:
    r"""Read SSDA903 returns (children looked after) into the canonical tables.

    A return is one year's CSV tables or one XML file. ``header`` becomes
    ``persons``, ``episodes`` ``care_episodes`` and ``missing`` ``events`` of type
    ``missing_episode`` (dated at ``MIS_START``, code ``M`` missing or ``A`` away
    without authorisation); children listed in ``uasc`` get ``uasc = True``.
    Postcodes, ``URN`` and ``UPN`` are not read.

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
    dropped and the episode kept as open. A ``uasc`` child absent from ``header``
    is added to ``persons`` with the ``SEX`` and ``DOB`` of ``uasc`` and ethnicity
    ``NOBT``; for a child in both, the ``header`` values are kept and disagreements
    reported.

    Dates are read strictly as ``dd/mm/YYYY`` (as in the return) or ``YYYY-MM-DD``;
    ``31/02/2010`` is not a date. ``SEX`` may be coded ``1``/``2`` (returns up to
    2024) or ``M``/``F``/``U`` (from 2025).

    **The XML form** has root ``<EXPSSDA903>`` and one ``<CHILD>`` per child holding
    ``<HEADER>`` (``CHILDID``, ``SEX``, ``DOB``, ``ETHNIC``, ``UPN``, ...), one
    ``<EPISODE>`` per episode (``DECOM``, ``RNE``, ``LS``, ``CIN``, ``PL``, ``DEC``,
    ``REC``, ...), one ``<MISSING>`` per missing episode (``MISSING``,
    ``MIS_START``, ``MIS_END``) and at most one ``<UASC>`` (``SEX``, ``DOB``,
    ``DUC``). Each block is read as a row of the CSV table of the same name, with
    ``CHILD`` from the child's ``HEADER/CHILDID`` and ``PL`` as ``PLACE``, and
    checked in the same way; issues name it as ``"CHILD 12 / EPISODE 2"``. Files
    with a DTD or entity declaration, or nested deeper than 32 elements, are refused.

    **Several years.** Each return is read and checked on its own (with its own
    issues, and its own extract date unless one is given), then the returns are
    merged in collection-year order: the year is the 4-digit year in the folder or
    file name (``2022``, ``SSDA903_2022.xml``; ``2021-22`` means 2022), else the
    collection year (ending 31 March) of the return's latest date. The same child
    and ``DECOM`` is one episode, the same child and ``MIS_START`` one missing
    episode and the same child one person; the latest return's values win, except
    that ``ETHNIC`` is the latest code other than ``NOBT``, and a child is UASC if
    any return says so. Every earlier value that the winning record does not repeat
    (a moved ``DEC``, a changed ``LS``, ``PLACE``, ``RNE``, ``SEX`` or ``DOB``, a
    ``DEC`` given earlier but blank later) is reported at the earlier record as
    ``"value dropped"``; a value blank earlier and given later, or a record restated
    unchanged, is not an issue. An episode open at the end of a return and absent
    from the next year's return (which lists every episode open in its year) is
    dropped and reported; if the next return given is for a later year, it is kept
    as open and reported. Episodes overlapping across returns, and records dated
    before the date of birth given by the latest return, are dropped after the
    merge. The extract date is the given one, else the latest of the returns'. A
    return named twice is read once.

    Parameters
    ----------
    paths : path-like or iterable of path-like, optional
        One year's folder holding ``header.csv``, ``episodes.csv`` and optionally
        ``missing.csv`` and ``uasc.csv`` (names matched case-insensitively), or
        those files themselves; one XML file; a folder of year folders and/or XML
        files; or a list of year folders, XML files and such folders. With several
        returns, issues name CSV files by year folder and name
        (``"2022/episodes.csv"``).
    header, episodes, missing, uasc : path-like, optional
        One year's files one by one; each takes precedence over a file found in
        ``paths``. ``header`` and ``episodes`` are required (here or in ``paths``).
    extract_date : str or pandas.Timestamp, optional
        The date the return was extracted; later dates are dropped and reported.
        When not given, the latest ``DECOM``, ``DEC`` or ``MIS_START`` that is not
        after today is used (dates after today are treated as after the extract).
    authority : str, optional
        The authority's code, stamped on every row. The return carries none (neither
        the CSV tables nor the XML form, whose root holds only ``<CHILD>`` blocks),
        so without it the code is that of the nearest ``authority=CODE`` folder
        above the paths (as :func:`~riskmodel.write_region` writes), else missing.
        A folder naming another code than the one given is reported (field
        ``authority``, the folder's code, 'value assumed').

    Returns
    -------
    data : LocalAuthorityData
        The canonical tables, with ``extract_date`` given or inferred.
    issues : pandas.DataFrame
        One row per record or value not used as given, with columns ``file``,
        ``location`` (``"line 17"`` or ``"CHILD 12 / EPISODE 2"``), ``person_id``,
        ``table``, ``field``, ``value``, ``reason`` and ``consequence`` (``"record
        dropped"``, ``"value dropped"`` or ``"value assumed"``), in file and line
        order (returns in year order).

    Raises
    ------
    SchemaError
        If a required file is missing, or a file is empty, not UTF-8 (UTF-16 is
        named as such), not comma-separated, has no header row, names a column
        twice, lacks a required column or has rows with the wrong number of fields
        (naming the file, and the line or column); if a header table has no rows or
        no usable child (every row dropped, saying why: a ``DOB`` in another
        format, ``SEX`` written ``Male``, ...); if more than 5% of a date column
        fails as ``dd/mm/YYYY`` but reads as ``mm/dd/YYYY`` (US dates, whose other
        values would be read with day and month swapped); if an XML file is not
        well-formed, not ``<EXPSSDA903>``, declares a DTD or nests too deeply; if
        ``extract_date`` is not a date; if a folder holds anything but one
        year's tables, year folders and XML files; if ``authority`` is not a
        non-blank string; or if, with no ``authority``, the paths are in
        ``authority=CODE`` folders of several authorities (one read merges one
        authority's years by ``CHILD``: read each apart and pool them). Issue
        locations are physical lines: a row whose quoted field spans lines is named
        by its first line.

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

    Two years, the episode open on 31 March 2022 closed in the 2023 return:

    >>> years = pathlib.Path(tempfile.mkdtemp())
    >>> for year, dec in (("2022", ""), ("2023", "01/08/2022")):
    ...     (years / year).mkdir()
    ...     _ = (years / year / "header.csv").write_text(
    ...         "CHILD,SEX,DOB,ETHNIC\n1,1,01/05/2008,WBRI\n")
    ...     _ = (years / year / "episodes.csv").write_text(
    ...         f"CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n1,01/06/2021,S,C2,N1,U1,{dec},\n")
    >>> data, issues = read_ssda903(years)
    >>> data.care_episodes[["start_date", "end_date"]].astype(str).values.tolist()
    [['2021-06-01', '2022-08-01']]
    >>> len(issues), data.extract_date.date()
    (0, datetime.date(2022, 8, 1))
    """
    extract_date = as_extract_date(extract_date)
    given = {"header": header, "episodes": episodes, "missing": missing, "uasc": uasc}
    if paths is not None and not isinstance(paths, str | os.PathLike):
        paths = list(paths)  # an iterator is looked at more than once
    code, code_issues = ssda903_authority(paths, given, check_authority(authority))
    returns = ssda903_returns(paths, **given)
    checked = [check_return(raw, extract_date) for raw in returns]
    if len(checked) == 1:
        one = checked[0]
        tables = (one.persons, one.care_episodes, one.events)
        extract, issues = one.extract_date, one.issues
    else:
        checked = _in_year_order(checked)
        *tables, issues = merge_returns(checked)
        extract = _latest_extract(extract_date, checked)
    persons, care_episodes, events = (
        t[_CANONICAL[name]].reset_index(drop=True)
        for name, t in zip(_CANONICAL, tables, strict=True)
    )
    data = LocalAuthorityData(
        persons=persons,
        events=events,
        care_episodes=care_episodes,
        extract_date=extract,
        population="returns",
    )
    if code is not None:
        data = stamp_authority(data, code)
    if len(code_issues):
        issues = pd.concat([code_issues, issues], ignore_index=True)
    return data, issues


def ssda903_returns(
    paths: PathLike | Iterable[PathLike] | None, **given: PathLike | None
) -> list[RawReturn]:
    """Read the raw tables of every return that ``paths`` names (see read_ssda903).

    ``given`` holds the ``header``, ``episodes``, ``missing`` and ``uasc`` keywords,
    which only go with one year's CSV files. A return named twice is read once.
    When there are several returns, each file is named in issues by its folder and
    name (``2022/episodes.csv``) or, for XML, its name (or whole paths if those clash).
    """
    given = {name: given.get(name) for name in _TABLE_NAMES}
    if paths is not None and not isinstance(paths, str | os.PathLike):
        paths = list(paths)  # an iterator is looked at more than once
    if any(p is not None for p in given.values()) or _csv_files_only(paths):
        return [read_csv_return(_resolve_paths(paths, **given))]
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths or ())
    sources: list[Path] = []
    for item in items:
        sources.extend(_expand(Path(item), top=True))
    sources = list({s.resolve(): s for s in sources}.values())
    returns = [
        read_xml_return(s) if s.is_file() else read_csv_return(_resolve_paths(s, **given))
        for s in sources
    ]
    if len(returns) > 1:
        _name_files(returns)
    return returns


def _csv_files_only(paths: PathLike | Iterable[PathLike] | None) -> bool:
    """Whether ``paths`` is one year's CSV files (or a folder of them, or nothing)."""
    if paths is None:
        return True
    if isinstance(paths, str | os.PathLike):
        folder = Path(paths)
        if not folder.is_dir():
            return not _is_xml(folder)
        return any(p.suffix.lower() == ".csv" for p in folder.iterdir() if p.is_file())
    listed = [Path(p) for p in paths]
    return all(not p.is_dir() and not _is_xml(p) for p in listed)


def _is_xml(path: Path) -> bool:
    return path.suffix.lower() == ".xml"


def _expand(path: Path, *, top: bool) -> list[Path]:
    """List the returns under ``path``: itself (an XML file, a year folder) or its entries."""
    if _is_xml(path):
        return [path]
    if not path.is_dir():
        raise SchemaError(
            f"{path}: not a directory of SSDA903 files, a folder of years or an XML file"
        )
    entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
    if any(p.is_file() and p.suffix.lower() == ".csv" for p in entries):
        return [path]  # one year's folder
    if not top:
        raise SchemaError(f"{path}: no header.csv or episodes.csv: not a year's SSDA903 folder")
    stray = [p.name for p in entries if p.is_file() and not _is_xml(p)]
    if stray:
        raise SchemaError(
            f"{path}: {', '.join(stray[:5])} is not an SSDA903 return; a folder of years "
            "holds year folders of CSV tables and XML files only"
        )
    found = [q for p in entries for q in _expand(p, top=False)]
    if not found:
        raise SchemaError(
            f"{path}: not a directory of SSDA903 files: no year folders or XML files"
        )
    return found


def _name_files(returns: list[RawReturn]) -> None:
    """Name each file by folder and name (CSV) or name (XML), or by path if those clash."""
    names = [
        {f: f if _is_xml(r.source) else f"{r.source.name}/{f}" for f in set(r.files.values())}
        for r in returns
    ]
    every = [n for mapping in names for n in mapping.values()]
    if len(set(every)) < len(every):
        names = [
            {f: str(r.source if _is_xml(r.source) else r.source / f) for f in mapping}
            for r, mapping in zip(returns, names, strict=True)
        ]
    for raw, mapping in zip(returns, names, strict=True):
        raw.rename_files(mapping)


def _in_year_order(returns: list[CheckedReturn]) -> list[CheckedReturn]:
    """Give every return its collection year and sort them by it (then as given)."""
    for one in returns:
        one.year = _collection_year(one)
    return sorted(returns, key=lambda one: one.year)  # type: ignore[arg-type, return-value]


def _collection_year(one: CheckedReturn) -> int:
    """Return the year in which the return's collection year ends (31 March YYYY).

    Taken from a 4-digit year in the folder or file name (``2021-22`` and ``2021_22``
    mean 2022), else from the return's latest date.
    """
    source = one.raw.source
    matches = list(_YEAR.finditer(source.stem if _is_xml(source) else source.name))
    if matches:
        start, end = matches[-1].group(1), matches[-1].group(2)
        year = int(start)
        if end is not None and int(end) == (year + 1) % 100:
            year += 1
        return year
    dates = [
        one.care_episodes["start_date"],
        one.care_episodes["end_date"],
        one.events["event_date"],
    ]
    latest = max((d.max() for d in dates if d.notna().any()), default=None)
    if latest is None:
        raise SchemaError(
            f"{one.raw.source}: cannot tell which year this return is for: no 4-digit year "
            "in its name and no dated record"
        )
    return latest.year + (1 if latest.month > 3 else 0)


def _latest_extract(
    given: str | pd.Timestamp | None, returns: list[CheckedReturn]
) -> pd.Timestamp | None:
    if given is not None:
        return pd.Timestamp(given).normalize()
    dates = [r.extract_date for r in returns if r.extract_date is not None]
    return max(dates) if dates else None


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
