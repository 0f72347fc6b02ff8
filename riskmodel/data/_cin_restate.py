"""CIN episodes restated across census years: one version of each, the latest census's.

A ``CINdetails`` block still open on 31 March reappears in the next year's census,
usually with its closure. Across files, an episode is the same child and
``CINreferralDate``; an assessment, CIN plan, section 47 enquiry or child protection
plan within it is the same block tag and start date (an initial child protection
conference dated in the ``CINdetails`` block counts as a block). The latest census (highest
rank) that holds an episode or block wins: the events of its earlier versions are
kept once where the latest version repeats them, and otherwise reported and left
out, so that a closure that moved or vanished, or a changed code, never becomes an
extra event. A block that the later census does not restate (an assessment finished
in an earlier year, say) is not a disagreement: its latest version is the earlier one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, NamedTuple

from riskmodel.data._cin_events import CODE_FIELDS, Event
from riskmodel.data._issues import RECORD_DROPPED, VALUE_ASSUMED, VALUE_DROPPED, Issue, IssueLog

if TYPE_CHECKING:
    from riskmodel.data._cin_child import ChildRecord

__all__ = ["Row", "restate"]

_SINGLE_CODE = frozenset({"referral", "cin_closure", "cp_plan_start", "cp_plan_end"})
"""Event types of which a version has one per date: a different code is a change of code."""

_BLOCK_NAMES = {
    "Assessments": "assessment",
    "CINPlanDates": "CIN plan",
    "Section47": "section 47 enquiry",
    "ChildProtectionPlans": "child protection plan",
    "DateOfInitialCPC": "initial child protection conference",
}


class Row(NamedTuple):
    """An event of a kept child, with the rank and file of the census it came from."""

    event: Event
    rank: int
    file: str


class _Version(NamedTuple):
    rank: int
    file: str
    location: str
    facts: dict


def restate(records: list[ChildRecord], log: IssueLog) -> list[Row]:
    """Return the events of the latest version of every episode and block.

    Parameters
    ----------
    records : list of ChildRecord
        The ``Child`` elements of the children kept, from every file (their
        ``versions`` say which episodes and blocks each file holds).
    log : IssueLog
        Where the disagreements between versions go.

    Returns
    -------
    list of Row
        The events of each episode's and block's latest version.
    """
    latest, earlier = _versions(records)
    kept: list[Row] = []
    winners: dict[tuple, list[Row]] = defaultdict(list)
    losers: list[tuple[Row, tuple]] = []
    for record in records:
        pid, rank, file = record.person_id, record.rank, record.file
        contested = {(pid, e, b) for e, b, _, _ in record.versions} & earlier.keys()
        if not contested:  # the usual case: nothing of this record is in another file
            kept += [Row(event, rank, file) for event in record.events]
            continue
        for event in record.events:
            row, key = Row(event, rank, file), (pid, event.episode, event.block)
            if key not in contested:
                kept.append(row)
            elif rank >= latest[key].rank:
                kept.append(row)
                winners[key].append(row)
            else:
                losers.append((row, key))
    for row, key in losers:
        _report(row, latest[key], winners[key], log)
    for key, versions in earlier.items():
        _report_facts(key, versions, latest[key], log)
    return kept


def _versions(records: list[ChildRecord]) -> tuple[dict, dict]:
    """Return the latest version of each (child, episode, block), and the earlier ones."""
    latest: dict[tuple, _Version] = {}
    earlier: dict[tuple, list[_Version]] = defaultdict(list)
    for record in records:
        if record.person_id is None:
            continue
        for episode, block, location, facts in record.versions:
            key = (record.person_id, episode, block)
            version = _Version(record.rank, record.file, location, facts)
            best = latest.get(key)
            if best is None or version.rank >= best.rank:
                if best is not None and version.rank > best.rank:
                    earlier[key].append(best)
                latest[key] = version
            else:
                earlier[key].append(version)
    return latest, earlier


def _what(event: Event) -> str:
    episode = event.episode
    text = f"the referral of {episode.isoformat()}" if hasattr(episode, "isoformat") else ""
    if event.block is not None:
        tag, start = event.block
        text += f", {_BLOCK_NAMES.get(tag, tag)} started {start.isoformat()}"
    return text


def _report(row: Row, best: _Version, winners: list[Row], log: IssueLog) -> None:
    """Report an earlier version's event unless the latest version repeats it."""
    event = row.event
    same_type = [w.event for w in winners if w.event.event_type == event.event_type]
    if any((w.event_date, w.code) == (event.event_date, event.code) for w in same_type):
        return  # restated unchanged: kept once
    later = f"the later census {best.file} ({best.location}) restates {_what(event)}"
    date = event.event_date.isoformat()
    same_day = [w for w in same_type if w.event_date == event.event_date]
    if event.event_type in _SINGLE_CODE and same_day:
        field = CODE_FIELDS[event.event_type]
        code = same_day[-1].code or "none"
        reason = f"{event.event_type} on {date}: {later} with {field} {code}"
        consequence, field_name, value = VALUE_ASSUMED, field, event.code
    else:
        if same_type:
            dates = ", ".join(sorted({w.event_date.isoformat() for w in same_type}))
            change = f"with {event.field} {dates}"
        else:
            change = f"without this {event.event_type}"
        reason = f"{event.event_type} on {date}: {later} {change}"
        consequence, field_name, value = RECORD_DROPPED, event.field, date
    log.add(
        Issue(
            file=row.file,
            location=event.location,
            person_id=event.person_id,
            table="events",
            field=field_name,
            value=value,
            reason=f"{reason}; the latest census is kept",
            consequence=consequence,
        )
    )


def _report_facts(key: tuple, versions: list[_Version], best: _Version, log: IssueLog) -> None:
    """Report a primary need that a later census changed (codes of events are in `_report`)."""
    person_id, episode, _ = key
    new = best.facts.get("PrimaryNeedCode")
    for version in versions:
        old = version.facts.get("PrimaryNeedCode")
        if "PrimaryNeedCode" not in version.facts or old == new:
            continue
        reason = (
            f"PrimaryNeedCode of the referral of {_day(episode)}: the later census "
            f"{best.file} ({best.location}) gives {new or 'none'}; the latest census is "
            "kept (the data model has no primary need)"
        )
        log.add(
            Issue(
                file=version.file,
                location=version.location,
                person_id=person_id,
                table="events",
                field="PrimaryNeedCode",
                value=old,
                reason=reason,
                consequence=VALUE_DROPPED,
            )
        )


def _day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
