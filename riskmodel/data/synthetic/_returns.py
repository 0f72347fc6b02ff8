"""Writing what an authority's returns would hold: SSDA903, CIN census and local extracts."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskmodel._version import __version__
from riskmodel.data._codes import CIN_CENSUS_EVENT_TYPES
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.data.synthetic._cin_episodes import build_episodes
from riskmodel.data.synthetic._returns_903 import (
    looked_after_missing,
    write_903_csv,
    write_903_xml,
    year_tables,
)
from riskmodel.data.synthetic._returns_cin import write_cin_census
from riskmodel.data.synthetic._returns_extracts import write_extracts
from riskmodel.data.synthetic._upn import make_upns
from riskmodel.exceptions import DataQualityWarning

__all__ = ["write_returns"]

DEFAULT_LA_CODE = "999"
"""The 3-digit authority number written when ``persons.authority`` holds none."""


def write_returns(
    data: LocalAuthorityData,
    directory: str | os.PathLike[str],
    *,
    years: Iterable[int] | None = None,
) -> Path:
    """Write what each collection year's returns would hold for ``data``.

    For each collection year (1 April to 31 March, named by the year of its 31 March)
    the function writes the SSDA903 return as CSV tables and as XML, and the CIN
    census; the events that no statutory return carries go to local extracts, each
    with the mapping that turns it back into events::

        DIR/ssda903/YYYY/header.csv, episodes.csv, missing.csv, uasc.csv
        DIR/ssda903_xml/SSDA903_YYYY.xml
        DIR/cin_census/CIN_Census_YYYY.xml
        DIR/extracts/NAME.csv, NAME.yaml

    Each year's SSDA903 return holds every care episode open at any time in the year
    (one still open on 31 March has a blank ``DEC`` and ``REC``, and reappears with
    them the next year), a header row for each of their children, and the year's
    missing episodes of looked-after children; ``SEX`` is 1/2 up to 2024 and M/F/U
    from 2025. The CIN census (reference date 31 March) holds each child with an
    episode of need (referral to closure) open at any time in the year, in that year's
    layout: ``GenderCurrent`` up to 2024 and ``Sex`` from 2025, ``CINPlanDates`` from
    2022, and codes a year's census did not have written as its nearest code (18A/19A
    and 18B-C/19B-C across 2021, 24A as 13A before 2022, 5D as 5B and RC9 as RC8
    before 2023). Extracts hold contacts, early help, police notifications, school
    records (by UPN only), youth justice outcomes, the missing episodes of children
    not looked after and any other event types, dated within the years written.

    Every child gets a deterministic, well-formed UPN (with the Department's check
    letter), written in the 903 headers, the CIN census and the school extract; about
    one child in 25 also has a former UPN, which the CIN census gives as
    ``FormerUPN`` and the school extract uses in that child's earlier rows.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority, normally :func:`make_local_authority`'s.
    directory : path-like
        Where to write; created if needed. Files already there are replaced.
    years : iterable of int, optional
        The collection years to write. Default: from the year of the earliest event
        (or care episode) to the last year whose 31 March is on or before the
        extract date.

    Returns
    -------
    pathlib.Path
        ``directory``.

    Raises
    ------
    ValueError
        If no year is given or a year ends after the data's extract date.

    Warns
    -----
    DataQualityWarning
        When CIN events dated within the years written cannot be carried by any
        year's census: an event outside any episode from referral to closure (a
        closure with no referral, factors with no assessment), or a CIN plan that
        began and ended before 2021-22, when the census had no plan dates.

    Examples
    --------
    >>> import tempfile, riskmodel as rm
    >>> data = rm.make_local_authority(n_children=500, random_state=0)
    >>> out = rm.write_returns(data, tempfile.mkdtemp(), years=[2023, 2024])  # doctest: +SKIP
    >>> sorted(p.name for p in (out / "cin_census").iterdir())  # doctest: +SKIP
    ['CIN_Census_2023.xml', 'CIN_Census_2024.xml']
    """
    directory = Path(directory)
    chosen = _years(data, years)
    first, last = pd.Timestamp(chosen[0] - 1, 4, 1), pd.Timestamp(chosen[-1], 3, 31)
    persons, events, care = data.persons, data.events, data.care_episodes
    la_code = _la_code(persons)
    upns = make_upns(persons, la_code)
    people = persons.set_index("person_id").join(upns)
    lac_missing = looked_after_missing(events, care)
    for year in chosen:
        tables = year_tables(year, people, care, events[lac_missing])
        write_903_csv(directory / "ssda903" / str(year), tables)
        (directory / "ssda903_xml").mkdir(parents=True, exist_ok=True)
        write_903_xml(directory / "ssda903_xml" / f"SSDA903_{year}.xml", tables)
    carried = _write_cin(directory / "cin_census", chosen, events, people, la_code)
    window = (events["event_date"] >= first) & (events["event_date"] <= last)
    cin = events["event_type"].isin(CIN_CENSUS_EVENT_TYPES)
    write_extracts(directory / "extracts", events[window & ~cin & ~lac_missing], upns)
    _warn_not_carried(events[window & cin], carried)
    return directory


def _years(data: LocalAuthorityData, years: Iterable[int] | None) -> list[int]:
    extract = pd.Timestamp(data.extract_date)
    last = extract.year if (extract.month, extract.day) >= (3, 31) else extract.year - 1
    if years is None:
        dates = data.events["event_date"]
        if dates.empty:
            dates = data.care_episodes["start_date"]
        if dates.empty:
            raise ValueError("write_returns: the data have no events and no care episodes")
        start = dates.min()
        years = range(start.year + (1 if start.month >= 4 else 0), last + 1)
    chosen = sorted({int(y) for y in years})
    if not chosen:
        raise ValueError("write_returns: no collection years to write")
    late = [y for y in chosen if y > last]
    if late:
        raise ValueError(
            f"write_returns: years {late} end after the data's extract date "
            f"{extract.date()}: their returns would be incomplete (last full year {last})"
        )
    return chosen


def _la_code(persons: pd.DataFrame) -> str:
    if "authority" in persons:
        codes = persons["authority"].dropna().astype(str).unique()
        if len(codes) == 1 and codes[0].isdigit() and len(codes[0]) == 3:
            return codes[0]
    return DEFAULT_LA_CODE


def _write_cin(folder: Path, years: list[int], events, people, la_code: str) -> set:
    folder.mkdir(parents=True, exist_ok=True)
    episodes, _ = build_episodes(events)
    dob = people["date_of_birth"].dt.date
    disability = people["disability"] if "disability" in people else None
    flags = [None] * len(people) if disability is None else disability.tolist()
    persons = {
        pid: (born, sex, ethnicity, None if d is None or pd.isna(d) else bool(d))
        for pid, born, sex, ethnicity, d in zip(
            people.index.tolist(),
            dob.tolist(),
            people["sex"].tolist(),
            people["ethnicity"].fillna("NOBT").tolist(),
            flags,
            strict=True,
        )
    }
    former = [None if pd.isna(f) else str(f) for f in people["former_upn"].tolist()]
    ids = people.index.tolist()
    upns = dict(zip(ids, zip(people["upn"].tolist(), former, strict=True), strict=True))
    carried: set = set()
    for year in years:
        path = folder / f"CIN_Census_{year}.xml"
        carried |= write_cin_census(path, year, episodes, persons, upns, la_code, __version__)
    return carried


def _warn_not_carried(events: pd.DataFrame, carried: set) -> None:
    keys = zip(
        events["person_id"].tolist(),
        events["event_date"].dt.date.tolist(),
        events["event_type"].tolist(),
        strict=True,
    )
    lost = events[[key not in carried for key in keys]]
    if lost.empty:
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in lost["event_type"].value_counts().items())
    warnings.warn(
        f"write_returns: {len(lost)} CIN events dated within the years written are in no "
        f"CIN census ({counts}): they lie outside any episode from referral to closure, "
        "or are CIN plans that began and ended before the census had plan dates (2022)",
        DataQualityWarning,
        stacklevel=2,
    )
