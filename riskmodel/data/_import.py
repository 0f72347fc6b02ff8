"""Importing an authority's returns and local extracts into the canonical tables."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from riskmodel.data._cin_census import read_cin_census
from riskmodel.data._cin_upns import UPN_COLUMNS, cin_census_upns
from riskmodel.data._codes import ETHNIC_UNKNOWN, EVENT_TYPES
from riskmodel.data._columns import as_extract_date
from riskmodel.data._extract_mapping import load_mapping
from riskmodel.data._extracts import read_extract
from riskmodel.data._issues import ISSUE_COLUMNS, VALUE_ASSUMED
from riskmodel.data._pooling import merge_data, stamp_authority
from riskmodel.data._ssda903 import read_ssda903
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.exceptions import SchemaError

__all__ = ["ImportResult", "import_returns"]

PathLike = str | os.PathLike[str]
ISSUES_COLUMNS = ["source", *ISSUE_COLUMNS]


@dataclass(frozen=True, eq=False)
class ImportResult:
    """What :func:`import_returns` read: the tables, every record not used, and a summary.

    Attributes
    ----------
    data : LocalAuthorityData
        The canonical tables, validated.
    issues : pandas.DataFrame
        The readers' issues tables together, with a first column ``source``
        (``ssda903``, ``cin_census``, the extract's ``source``, or ``import`` for a
        child whose 903 and CIN census records disagree on the date of birth, sex or
        ethnicity: the 903 value is kept) and then ``file``,
        ``location``, ``person_id``, ``table``, ``field``, ``value``, ``reason``,
        ``consequence``.
    summary : dict
        ``children`` (children in ``persons``), ``children_reported`` (children or
        UPNs in the input that are only in ``issues``), ``care_episodes``, ``events``
        (a table of counts: one row per event type, one column per calendar year),
        ``unknown_event_types`` (event types outside the data model's vocabulary,
        kept with generic features) and ``issues`` (counts by source, reason
        and consequence, with dates, numbers and parenthesised details generalised).
    """

    data: LocalAuthorityData
    issues: pd.DataFrame
    summary: dict = field(repr=False)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"ImportResult({s['children']:,} children, {len(self.data.events):,} events, "
            f"{s['care_episodes']:,} care episodes, {len(self.issues):,} issues)"
        )


def import_returns(
    ssda903: PathLike | Iterable[PathLike] = (),
    cin_census: PathLike | Iterable[PathLike] = (),
    extracts: Mapping[PathLike, PathLike | Mapping[str, object]] | None = None,
    *,
    extract_date: object = None,
    authority: str | None = None,
) -> ImportResult:
    """Read the SSDA903 returns, CIN census files and local extracts into one data set.

    The returns give the children (``persons``); the extracts add events of those
    children, identified by the authority's child id or, for education extracts, by
    the pupil's UPN, which is linked through the UPNs the 903 header (``UPN``) and
    the CIN census (``UPN``, ``FormerUPN``) record. Every record not used is in the
    returned issues, so that the children in the input files are the children in
    the tables plus the children reported.

    Parameters
    ----------
    ssda903 : path-like or iterable of path-like, optional
        What :func:`~riskmodel.data.read_ssda903` reads: a year's folder of CSV
        tables, or several years.
    cin_census : path-like or iterable of path-like, optional
        CIN census XML files or folders (several years at once).
    extracts : mapping, optional
        Extract CSV path -> its mapping (a YAML file, or the same content as a dict).
    extract_date : date-like, optional
        The date of the extract (default: the returns' latest); later records are
        reported and left out.
    authority : str, optional
        The authority's code, given to both readers (see their ``authority``):
        it overrides the CIN census ``LEA`` and any ``authority=CODE`` folder of
        the 903, and each disagreement is in the issues. Without it, the code is
        the one the returns name (the CIN ``LEA``, the 903's folder), else missing.

    Returns
    -------
    ImportResult
        Every table, extract events included, carries the one authority's code
        in ``authority``: the returns are one authority's, so a 903 that names
        none takes the CIN census ``LEA``.

    Raises
    ------
    SchemaError
        If no return is given, a file cannot be read at all (naming the file and,
        where it can, the line), a mapping is invalid, the returns name several
        authorities and no ``authority`` is given (import each authority apart and
        pool them with :func:`~riskmodel.pool_authorities`), or the merged tables
        fail validation.

    Examples
    --------
    >>> result = import_returns(  # doctest: +SKIP
    ...     ssda903="returns/ssda903/2024",
    ...     cin_census="returns/cin_census",
    ...     extracts={"returns/extracts/police.csv": "returns/extracts/police.yaml"},
    ... )
    >>> result.summary["events"]  # doctest: +SKIP
    """
    extract_date = as_extract_date(extract_date)
    ssda903, cin_census = _listed(ssda903), _listed(cin_census)
    if not ssda903 and not cin_census:
        raise SchemaError(
            "import needs the SSDA903 return or the CIN census: they hold the children"
        )
    extracts = dict(extracts or {})
    specs = {path: load_mapping(mapping, path) for path, mapping in extracts.items()}
    merged, issues = _read_returns(ssda903, cin_census, extract_date, authority)
    extract = pd.Timestamp(extract_date) if extract_date is not None else merged.extract_date
    needs_upns = any(spec.upn is not None for spec in specs.values())
    upns = _upns(ssda903, cin_census) if needs_upns else None
    events, reported_upns = [merged.events], set()
    for path, mapping in extracts.items():
        spec = specs[path]
        found_events, found = read_extract(
            path, mapping, upns=upns, persons=merged.persons, extract_date=extract
        )
        events.append(found_events)
        issues.append(found.assign(source=spec.source))
        if spec.upn is not None:
            unlinked = found["person_id"].isna() & (found["field"] == spec.upn)
            reported_upns |= set(found.loc[unlinked, "value"].dropna())
    data = LocalAuthorityData(
        persons=merged.persons,
        events=pd.concat(events, ignore_index=True),
        care_episodes=merged.care_episodes,
        extract_date=extract,
        population="returns",
    )
    if merged.authorities:  # extract events take the returns' authority
        data = stamp_authority(data, merged.authorities[0])
    data.validate()
    table = pd.concat(issues, ignore_index=True)[ISSUES_COLUMNS].reset_index(drop=True)
    return ImportResult(data, table, _summary(data, table, reported_upns))


def _read_returns(
    ssda903: list[PathLike],
    cin_census: list[PathLike],
    extract_date: object,
    authority: str | None,
) -> tuple[LocalAuthorityData, list[pd.DataFrame]]:
    """Read and merge the returns (903 first); return the data and the issues tables."""
    datasets, issues = [], []
    given = {"extract_date": extract_date, "authority": authority}
    if ssda903:
        data, found = read_ssda903(_one_or_list(ssda903), **given)
        datasets.append(data)
        issues.append(found.assign(source="ssda903"))
    if cin_census:
        data, found = read_cin_census(cin_census, **given)
        datasets.append(data)
        issues.append(found.assign(source="cin_census"))
    _check_one_authority(datasets, ssda903, cin_census)
    if len(datasets) == 2:
        issues.append(_person_conflicts(*datasets, ", ".join(map(str, cin_census))))
    return merge_data(*datasets), issues


def _check_one_authority(
    datasets: list[LocalAuthorityData], ssda903: list[PathLike], cin_census: list[PathLike]
) -> None:
    """Refuse returns that name several authorities: an import is one authority's."""
    labels = ["the SSDA903 return's authority=CODE folder"] * bool(ssda903)
    labels += ["the CIN census LEA"] * bool(cin_census)
    paths = [ssda903] * bool(ssda903) + [cin_census] * bool(cin_census)
    codes = sorted({code for data in datasets for code in data.authorities})
    if len(codes) <= 1:
        return
    named = [
        f"{label} {', '.join(data.authorities)} ({', '.join(map(str, files[:3]))})"
        for label, data, files in zip(labels, datasets, paths, strict=True)
        if data.authorities
    ]
    raise SchemaError(
        f"import reads one authority's returns, but they name {len(codes)} authorities: "
        f"{'; '.join(named)}. Pass authority= (--authority) if they are one authority's, "
        "or import each authority apart and pool them with pool_authorities"
    )


# (column, value meaning "not known"): a known value that differs is a disagreement
_COMPARED = (("date_of_birth", None), ("sex", "U"), ("ethnicity", ETHNIC_UNKNOWN))


def _person_conflicts(
    ssda903: LocalAuthorityData, cin: LocalAuthorityData, cin_files: str
) -> pd.DataFrame:
    """Report children whose 903 and CIN census records disagree (the 903 value is kept)."""
    both = ssda903.persons.merge(cin.persons, on="person_id", suffixes=("_903", "_cin"))
    rows = []
    for column, unknown in _COMPARED:
        a, b = both[f"{column}_903"], both[f"{column}_cin"]
        differ = a.notna() & b.notna() & (a != b)
        if unknown is not None:
            differ &= (a != unknown) & (b != unknown)
        for pid, kept, other in zip(both["person_id"][differ], a[differ], b[differ], strict=True):
            kept, other = _text(kept), _text(other)
            reason = (
                f"the SSDA903 return gives {kept} and the CIN census {other}; "
                "the SSDA903 value is kept"
            )
            rows.append(("import", cin_files, "persons", pid, "persons", column, other, reason))
    columns = ["source", "file", "location", "person_id", "table", "field", "value", "reason"]
    frame = pd.DataFrame(rows, columns=columns).assign(consequence=VALUE_ASSUMED)
    return frame[ISSUES_COLUMNS].astype("str")


def _text(value: object) -> str:
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


def _listed(paths: PathLike | Iterable[PathLike] | None) -> list[PathLike]:
    if paths is None:
        return []
    return [paths] if isinstance(paths, str | os.PathLike) else list(paths)


def _one_or_list(paths: list[PathLike]) -> PathLike | list[PathLike]:
    """One path as itself (a year's folder), several as a list (several years)."""
    return paths[0] if len(paths) == 1 else paths


def _upns(ssda903: list[PathLike], cin_census: list[PathLike]) -> pd.DataFrame:
    frames = [pd.DataFrame(columns=UPN_COLUMNS)]
    if ssda903:
        from riskmodel.data._ssda903_upns import ssda903_upns

        frames.append(ssda903_upns(_one_or_list(ssda903)))
    if cin_census:
        frames.append(cin_census_upns(cin_census))
    return pd.concat(frames, ignore_index=True)


_DETAIL = re.compile(r"\s*\([^()]*\)")
_NUMBER = re.compile(r"\d+(?:[-/.:]\d+)*")


def _generalise(reason: str) -> str:
    """Return a reason with its details (dates, numbers, bracketed text) as '#'."""
    text = _DETAIL.sub("", str(reason))
    text = _NUMBER.sub("#", text)
    return re.sub(r"\s+", " ", text).strip()


def _summary(data: LocalAuthorityData, issues: pd.DataFrame, reported_upns: set) -> dict:
    known = set(data.persons["person_id"])
    reported = set(issues["person_id"].dropna()) - known
    events = data.events
    by_year = (
        events.groupby([events["event_type"], events["event_date"].dt.year.rename("year")])
        .size()
        .unstack("year", fill_value=0)
    )
    generic = issues.assign(reason=issues["reason"].map(_generalise))
    counts = (
        generic.groupby(["source", "consequence", "reason"], sort=True)
        .size()
        .rename("issues")
        .reset_index()
        .sort_values(["source", "issues"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )
    unknown = sorted(set(events["event_type"].dropna()) - set(EVENT_TYPES))
    return {
        "children": len(known),
        "children_reported": len(reported) + len(reported_upns),
        "care_episodes": len(data.care_episodes),
        "events": by_year,
        "unknown_event_types": unknown,
        "issues": counts,
    }
