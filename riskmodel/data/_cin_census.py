"""Reading Children in Need (CIN) census XML returns into the canonical tables."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskmodel.data._cin_child import ChildReader, ChildRecord
from riskmodel.data._cin_merge import merge_events, merge_persons
from riskmodel.data._cin_xml import CinMessage, load_message, stray_text
from riskmodel.data._columns import TABLES, as_extract_date
from riskmodel.data._issues import VALUE_ASSUMED, VALUE_DROPPED, Issue, IssueLog
from riskmodel.data._pooling import pool_authorities, stamp_authority
from riskmodel.data._reader_authority import check_authority, cin_authorities
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.exceptions import SchemaError

__all__ = ["read_cin_census"]

PathLike = str | os.PathLike[str]


def read_cin_census(
    paths: PathLike | Iterable[PathLike],
    *,
    extract_date: object = None,
    authority: str | None = None,
) -> tuple[LocalAuthorityData, pd.DataFrame]:
    """Read CIN census XML files (any year 2017-2026) into the canonical tables.

    Every ``Child`` becomes a ``persons`` row and every dated fact an ``events`` row
    dated when the authority knew it: referrals (code: referral source), referrals
    with no further action, closures (code: reason for closure), assessment starts,
    one ``assessment_factor`` per factor dated at the assessment's authorisation,
    CIN plan starts and ends, section 47 enquiries, initial child protection
    conferences, and child protection plan starts (code: initial category of abuse)
    and ends (code: latest category of abuse). ``care_episodes`` is empty.

    Nothing disappears silently: whatever cannot be used is listed in the issues
    table, so that the ``Child`` elements read equal the ``persons`` rows plus the
    children reported as 'record dropped', and every dated element is either an
    event or an issue.

    Parameters
    ----------
    paths : path-like, directory, or iterable of path-like
        One file, several files (several years of one authority), or a directory
        whose ``*.xml`` files are all read. A file given twice is read once.
    extract_date : str or date-like, optional
        The date of the extract: nothing dated after it is kept. Defaults to the
        latest census ``ReferenceDate``. Each file's events are also cut at its own
        ``ReferenceDate``.
    authority : str, optional
        The authority's code, stamped on every row in place of the files' ``LEA``
        (say, the ``E09000013`` style code of an ``LEA`` number). All the files are
        then read as this one authority's; each file whose ``LEA`` differs is
        reported (field ``LEA``, its value, 'value assumed').

    Returns
    -------
    data : LocalAuthorityData
        ``persons`` (``sex`` from ``GenderCurrent`` 1/2/0/9 or ``Sex`` M/F/U;
        ``disability`` true when any ``Disability`` other than ``NONE``, missing
        when none is recorded; ``uasc`` true when an assessment found factor 9A),
        ``events`` and an empty ``care_episodes``, with the extract date. Every
        table's ``authority`` is ``authority`` if given, else the ``LEA`` of the
        file each row came from (missing if no file has one).
    issues : pandas.DataFrame
        One row per record or value not used as given, with columns ``file``,
        ``location`` (e.g. ``"Child 12 / CINdetails 2 / Assessments 1"``),
        ``person_id``, ``table``, ``field``, ``value``, ``reason`` and
        ``consequence`` ('record dropped', 'value dropped' or 'value assumed').

    Raises
    ------
    SchemaError
        If a file is missing, empty, not UTF-8, not well-formed XML (naming the line
        and column), declares a DTD or entities, nests elements deeper than 32
        levels, is not a CIN census ``Message``, or has no ``ReferenceDate`` and no
        ``extract_date`` is given; if ``extract_date`` is not a date; if
        ``authority`` is not a non-blank string; or if, with no ``authority``, a
        file has no ``LEA`` while the other files name several.

    Notes
    -----
    Where a child appears in several files, each attribute comes from the latest
    census (by ``ReferenceDate``, then the order given) that records it, and
    conflicts are reported ('value assumed'). A CIN episode open on 31 March is
    restated in the next census: across files, the same child and
    ``CINreferralDate`` is one episode, and the same block and start date within it
    (assessment, CIN plan, section 47, child protection plan) one block. The latest
    census holding an episode or block wins; what it repeats is kept once, and what
    it changes (a referral source, primary need or category of abuse, a closure
    that moved or vanished) is reported against the earlier file and never becomes
    an extra event. Blocks a later census does not restate are kept.
    Events that are after the census reference date, or end before their start (a
    plan end before the plan start, an authorisation before the assessment start,
    a closure before the referral, an ICPC before its section 47), are dropped and
    reported. An assessment without an authorisation date has no known factors yet.
    A child's date of death, child protection plan reviews, pre-proceedings and other dated
    elements with no event type in the data model are reported as 'value dropped'.

    **Authorities.** Person ids (``LAchildID``) are unique only within an
    authority. When the files' ``LEA`` differ and no ``authority`` is given, each
    file is reported ('value assumed') and the files are read per ``LEA``:
    children are matched across the files of their own ``LEA`` only, every row
    carries its file's ``LEA``, and the authorities are pooled as by
    :func:`~riskmodel.pool_authorities` (the same ``LAchildID`` under two ``LEA``
    is two children). A file without an ``LEA`` beside files of one ``LEA`` is
    read as that authority's (and reported).

    Examples
    --------
    >>> data, issues = read_cin_census("returns/cin")  # doctest: +SKIP
    >>> issues.groupby("consequence").size()  # doctest: +SKIP
    """
    authority = check_authority(authority)
    files = _resolve_paths(paths)
    messages = [load_message(path) for path in files]
    log = IssueLog()
    extract = _extract_date(messages, extract_date, log)
    codes = cin_authorities(messages, authority, log)
    datasets = {}
    for code in dict.fromkeys(codes):
        own = [m for m, c in zip(messages, codes, strict=True) if c == code]
        datasets[code] = _read_authority(own, extract, log)
    if len(datasets) > 1:
        return pool_authorities(dict(sorted(datasets.items()))), log.to_frame()
    code, data = next(iter(datasets.items()))
    return (data if code is None else stamp_authority(data, code)), log.to_frame()


def _read_authority(
    messages: list[CinMessage], extract: dt.date, log: IssueLog
) -> LocalAuthorityData:
    """Read one authority's files, matching children across them by ``LAchildID``."""
    ranks = sorted(range(len(messages)), key=lambda i: (messages[i].reference_date or extract, i))
    records: list[ChildRecord] = []
    for rank, index in enumerate(ranks):
        records += _read_children(messages[index], rank, extract, log)
    persons, dropped = merge_persons(records, log)
    events = merge_events(records, dropped, log)
    uasc = events.loc[
        (events["event_type"] == "assessment_factor") & (events["code"] == "9A"), "person_id"
    ]
    persons["uasc"] = pd.Series(pd.NA, index=persons.index, dtype="boolean").mask(
        persons["person_id"].isin(uasc), True
    )
    episodes = pd.DataFrame(columns=[c.name for c in TABLES["care_episodes"]])
    return LocalAuthorityData(
        persons, events, episodes, extract_date=extract, population="returns"
    )


def _resolve_paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        raise SchemaError("read_cin_census: no files given")
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            xml = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
            if not xml:
                raise SchemaError(f"{path}: the directory has no *.xml files")
            found += xml
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _extract_date(messages: list[CinMessage], extract_date: object, log: IssueLog) -> dt.date:
    given_date = as_extract_date(extract_date)
    given = None if given_date is None else given_date.date()
    for message in messages:
        if message.reference_date is not None:
            continue
        what = f"{message.reference_text!r} is not a date" if message.reference_text else "missing"
        if given is None:
            raise SchemaError(
                f"{message.path}: Header/CollectionDetails/ReferenceDate is {what}; "
                "pass extract_date= to read the file anyway"
            )
        reason = f"ReferenceDate is {what}; the extract date {given} is used"
        log.add(
            Issue(
                file=message.path,
                location="Header",
                person_id=None,
                table="events",
                field="ReferenceDate",
                value=message.reference_text,
                reason=reason,
                consequence=VALUE_ASSUMED,
            )
        )
    if given is not None:
        return given
    return max(m.reference_date for m in messages)


def _read_children(
    message: CinMessage, rank: int, extract: dt.date, log: IssueLog
) -> list[ChildRecord]:
    reference = message.reference_date or extract
    if reference <= extract:
        cutoff, label = reference, f"the census reference date {reference.isoformat()}"
    else:
        cutoff, label = extract, f"the extract date {extract.isoformat()}"
    file = str(message.path)
    for where, after, text in stray_text(message.root, "Message", skip="Child"):
        log.add(
            Issue(
                file=file,
                location=where,
                person_id=None,
                table="persons",
                field=after,
                value=text,
                reason="stray text between elements",
                consequence=VALUE_DROPPED,
            )
        )
    reader = ChildReader(file, rank, cutoff, label, log)
    return [
        reader.read(child, f"Child {n}") for n, child in enumerate(message.root.iter("Child"), 1)
    ]
