"""Merging the children of one or several CIN census files into canonical tables.

A child appears in every year's census while open to children's social care, so the
same child and the same facts recur from file to file. Person attributes come from
the latest file that knows them; an episode (child and ``CINreferralDate``) restated
in several files keeps the latest census's version, and its disagreements are
reported; identical events are kept once.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from riskmodel.data._cin_child import ChildRecord
from riskmodel.data._cin_events import CODE_FIELDS
from riskmodel.data._cin_restate import restate
from riskmodel.data._codes import ETHNIC_UNKNOWN
from riskmodel.data._issues import RECORD_DROPPED, VALUE_ASSUMED, VALUE_DROPPED, Issue, IssueLog

__all__ = ["merge_events", "merge_persons"]

_EVENT_KEY = ["person_id", "event_date", "event_type", "code"]
_SINGLE_CODE = frozenset({"referral", "cin_closure", "cp_plan_start", "cp_plan_end"})
"""Event types of which a child has one per date: a different code is a correction."""

# (attribute, field named in issues, value meaning "not known")
_ATTRIBUTES = (
    ("date_of_birth", "PersonBirthDate", None),
    ("sex", "Sex", "U"),
    ("ethnicity", "Ethnicity", ETHNIC_UNKNOWN),
    ("disability", "Disabilities", None),
)


def merge_persons(records: list[ChildRecord], log: IssueLog) -> tuple[pd.DataFrame, dict]:
    """Return one ``persons`` row per child, and the children that could not be kept.

    Parameters
    ----------
    records : list of ChildRecord
        Every ``Child`` element read, in order of increasing authority (file rank,
        then position in the file).
    log : IssueLog
        Where issues go.

    Returns
    -------
    persons : pandas.DataFrame
        Canonical columns ``person_id``, ``date_of_birth``, ``sex``, ``ethnicity``,
        ``disability``.
    dropped : dict
        ``person_id`` -> reason, for children with no usable record.
    """
    by_person: dict[str, list[ChildRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda r: r.rank):  # stable: file order within a rank
        if record.person_id is not None:
            by_person[record.person_id].append(record)
    rows, dropped = [], {}
    for pid, group in by_person.items():
        if all(r.date_of_birth is None for r in group):
            for r in group:
                log.add(_birth_issue(r, pid, RECORD_DROPPED))
            dropped[pid] = group[-1].birth_problem[2]
            continue
        for r in group:
            for note in r.notes:
                log.add(note)
            if r.birth_problem is not None:
                also = "; the date of birth of another record of the child is used"
                log.add(_birth_issue(r, pid, VALUE_DROPPED, also))
        row = {"person_id": pid}
        for attribute, field, unknown in _ATTRIBUTES:
            row[attribute] = _resolve(group, attribute, field, unknown, log)
        rows.append(row)
    columns = ["person_id", *(a for a, _, _ in _ATTRIBUTES)]
    persons = pd.DataFrame(rows, columns=columns)
    persons["date_of_birth"] = pd.to_datetime(persons["date_of_birth"])
    persons["disability"] = persons["disability"].astype("boolean")
    return persons, dropped


def _birth_issue(record: ChildRecord, pid: str, consequence: str, also: str = "") -> Issue:
    """Report a record whose date of birth cannot be used."""
    field, value, reason = record.birth_problem
    return Issue(
        file=record.file,
        location=record.location,
        person_id=pid,
        table="persons",
        field=field,
        value=value,
        reason=reason + also,
        consequence=consequence,
    )


def _resolve(group: list[ChildRecord], attribute, field, unknown, log: IssueLog) -> object:
    """Return the latest known value, reporting conflicting known values."""
    known = [(r, getattr(r, attribute)) for r in group]
    known = [(r, v) for r, v in known if v is not None and v != unknown]
    if not known:
        return unknown
    latest, value = known[-1]
    if len({v for _, v in known}) > 1:
        others = "; ".join(f"{_show(v)} in {r.file} ({r.location})" for r, v in known[:-1])
        reason = f"records of the child disagree ({others}); the latest file's value is kept"
        log.add(
            Issue(
                file=latest.file,
                location=latest.location,
                person_id=latest.person_id,
                table="persons",
                field=field,
                value=_show(value),
                reason=reason,
                consequence=VALUE_ASSUMED,
            )
        )
    return value


def _show(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def merge_events(records: list[ChildRecord], dropped: dict, log: IssueLog) -> pd.DataFrame:
    """Return the canonical ``events`` of the children kept, each fact once.

    Events of children that could not be kept are reported as dropped. An episode
    or block restated by several census files keeps its latest version (see
    :mod:`riskmodel.data._cin_restate`). Identical events from several files are
    kept once. When files otherwise disagree on the code of a
    referral, closure or plan start/end of a child on the same date, the latest
    file's (non-missing) code is kept and the others reported.

    Parameters
    ----------
    records : list of ChildRecord
        Every ``Child`` element read.
    dropped : dict
        ``person_id`` -> reason, for children with no usable record.
    log : IssueLog
        Where issues go.

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id``, ``event_date``, ``event_type``, ``code``, sorted.
    """
    for record in records:
        pid = record.person_id
        reason = "no LAchildID" if pid is None else dropped.get(pid)
        if reason is None:
            continue
        for event in record.events:
            why = f"{event.event_type}: the child's record was dropped ({reason})"
            log.add(
                Issue(
                    file=record.file,
                    location=event.location,
                    person_id=pid,
                    table="events",
                    field=event.field,
                    value=event.event_date,
                    reason=why,
                    consequence=RECORD_DROPPED,
                )
            )
    kept = [r for r in records if r.person_id is not None and r.person_id not in dropped]
    rows = restate(kept, log)
    columns = [*_EVENT_KEY, "location", "field", "rank", "file"]
    table = [(*row.event[:6], row.rank, row.file) for row in rows]
    frame = pd.DataFrame(table, columns=columns).astype({"code": "object"})
    frame = frame.sort_values("rank", kind="stable").drop_duplicates(_EVENT_KEY, keep="last")
    frame = _resolve_codes(frame, log)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame = frame.sort_values(_EVENT_KEY, kind="stable", na_position="first")
    return frame[_EVENT_KEY].reset_index(drop=True)


def _resolve_codes(frame: pd.DataFrame, log: IssueLog) -> pd.DataFrame:
    """Keep the latest file's code where files disagree on a single-code event."""
    single = frame[frame["event_type"].isin(_SINGLE_CODE)]
    keys = ["person_id", "event_date", "event_type"]
    files = single.groupby(keys, sort=False)["rank"].transform("nunique")
    conflicts = single[files > 1]
    if conflicts.empty:
        return frame
    drop = []
    for _, group in conflicts.groupby(keys, sort=False):
        coded = group[group["code"].notna()]
        winner = (coded if len(coded) else group).iloc[-1]
        for index, row in group.iterrows():
            if index == winner.name:
                continue
            drop.append(index)
            reason = (
                f"{row['event_type']} on {row['event_date'].isoformat()}: "
                f"{winner['file']} ({winner['location']}) gives code "
                f"{winner['code']}; the latest file's code is kept"
            )
            field = CODE_FIELDS[row["event_type"]]
            log.add(
                Issue(
                    file=row["file"],
                    location=row["location"],
                    person_id=row["person_id"],
                    table="events",
                    field=field,
                    value=row["code"],
                    reason=reason,
                    consequence=VALUE_ASSUMED,
                )
            )
    return frame.drop(index=drop)
