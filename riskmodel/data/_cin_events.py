"""The dated facts of one CIN census ``Child``: every dated element becomes an event or an issue.

Exactly one of the two, so that counts reconcile: referrals in a file = referral
events + referral issues.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Collection
from typing import TYPE_CHECKING, NamedTuple

from riskmodel.data._cin_xml import looks_like_date, parse_date, text_of
from riskmodel.data._codes import (
    ABUSE_CATEGORY_CODES,
    ASSESSMENT_FACTOR_CODES,
    REASON_FOR_CLOSURE_CODES,
    REFERRAL_SOURCE_CODES,
)
from riskmodel.data._issues import RECORD_DROPPED, VALUE_ASSUMED, VALUE_DROPPED, Issue, IssueLog

if TYPE_CHECKING:
    from riskmodel.data._cin_child import ChildRecord

__all__ = ["CODE_FIELDS", "FACT_FIELDS", "Event", "EventReader", "blocks"]

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}

HANDLED: dict[str, frozenset[str]] = {
    "CINdetails": frozenset({
        "CINreferralDate", "ReferralSource", "ReferralNFA", "CINclosureDate",
        "ReasonForClosure", "DateOfInitialCPC", "Assessments", "CINPlanDates", "Section47",
        "ChildProtectionPlans",
    }),
    "Assessments": frozenset({
        "AssessmentActualStartDate", "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment", "AssessmentFactors",
    }),
    "CINPlanDates": frozenset({"CINPlanStartDate", "CINPlanEndDate"}),
    "Section47": frozenset({"S47ActualStartDate", "DateOfInitialCPC"}),
    "ChildProtectionPlans": frozenset({
        "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
        "CategoryOfAbuse",
    }),
}  # fmt: skip
"""Elements each block's reader uses; any other dated leaf is reported as not mapped."""

CODE_FIELDS: dict[str, str] = {
    "referral": "ReferralSource",
    "cin_closure": "ReasonForClosure",
    "assessment_factor": "AssessmentFactors",
    "cp_plan_start": "InitialCategoryOfAbuse",
    "cp_plan_end": "LatestCategoryOfAbuse",
}
"""The element each event type's ``code`` comes from."""


FACT_FIELDS: tuple[str, ...] = ("PrimaryNeedCode",)
"""Coded facts of a ``CINdetails`` block that are no event's code, compared across years."""


def _facts(element: ET.Element) -> dict[str, str | None]:
    if element.tag != "CINdetails":
        return {}
    return {tag: text_of(element, tag) for tag in FACT_FIELDS}


class Event(NamedTuple):
    """An accepted event, with where in the file it came from.

    ``episode`` identifies the ``CINdetails`` block across census years (its referral
    date) and ``block`` the assessment, plan or enquiry within it (its tag and start
    date), or None for the episode's own facts; see :mod:`riskmodel.data._cin_restate`.
    """

    person_id: str | None
    event_date: dt.date
    event_type: str
    code: str | None
    location: str
    field: str
    episode: object = None
    block: object = None


def blocks(element: ET.Element, tag: str, location: str) -> list[tuple[str, ET.Element]]:
    """Return the sub-elements named ``tag``, each with its location (``"... / tag 2"``)."""
    return [(f"{location} / {tag} {i}", e) for i, e in enumerate(element.findall(tag), 1)]


class EventReader:
    """Turns the ``CINdetails`` of one file's children into events, reporting problems.

    Parameters
    ----------
    file : str
        The file, as named in issues.
    cutoff : datetime.date
        Nothing dated after it is kept (the census reference date, or the extract
        date if earlier).
    cutoff_label : str
        How issues name the cutoff, e.g. ``"the census reference date 2024-03-31"``.
    log : IssueLog
        Where issues go.
    """

    def __init__(self, file: str, cutoff: dt.date, cutoff_label: str, log: IssueLog) -> None:
        self.file = file
        self.cutoff = cutoff
        self.cutoff_label = cutoff_label
        self.log = log
        self._seen: dict[tuple[object, ...], str] = {}
        self._record: ChildRecord | None = None
        self._episode: object = None
        self._block: object = None

    # -- issues and events ---------------------------------------------------------------

    def _issue(self, loc, field, value, reason, consequence=VALUE_DROPPED, table="events"):
        pid = None if self._record is None else self._record.person_id
        self.log.add(
            Issue(
                file=self.file,
                location=loc,
                person_id=pid,
                table=table,
                field=field,
                value=value,
                reason=reason,
                consequence=consequence,
            )
        )

    def _dated(self, loc, field, text, event_type, code=None, after=None) -> dt.date | None:
        """Add the event dated ``text``, or report why not; return the date as read.

        ``after`` is ``(start_date, start_field)`` when the date must not precede a start.
        """
        date = parse_date(text)
        if text is None:
            reason = f"no {field}"
        elif date is None:
            reason = f"{field} is not a date (YYYY-MM-DD)"
        elif after is not None and after[0] is not None and date < after[0]:
            reason = f"{field} is before {after[1]} {after[0].isoformat()}"
        elif date > self.cutoff:
            reason = f"{field} is after {self.cutoff_label}"
        else:
            pid = self._record.person_id
            event = Event(pid, date, event_type, code, loc, field, self._episode, self._block)
            self._accept(event)
            return date
        what = event_type if code is None else f"{event_type} {code}"
        self._issue(loc, field, text, f"{what}: {reason}", RECORD_DROPPED)
        return date

    def _accept(self, event: Event) -> None:
        """Keep the event unless the same child already has it in this file."""
        if event.person_id is None:  # kept for now, reported when the child is dropped
            self._record.events.append(event)
            return
        first = self._seen.setdefault(event[:4], event.location)
        if first == event.location:
            self._record.events.append(event)
        elif event.event_type != "icpc":  # the CINdetails and Section47 ICPC dates agree
            reason = f"{event.event_type}: identical to the event at {first}"
            self._issue(event.location, event.field, event.event_date, reason, RECORD_DROPPED)

    def _code(self, element, tag, valid: Collection[str], loc) -> str | None:
        raw = text_of(element, tag)
        if raw is None or raw.upper() in valid:
            return None if raw is None else raw.upper()
        self._issue(loc, tag, raw, f"not a known {tag} code; the event is kept without it")
        return None

    def _unmapped(self, element: ET.Element, loc: str, handled: Collection[str]) -> None:
        """Report dated leaves that the data model has no place for."""
        counts: dict[str, int] = {}
        for sub in element:
            counts[sub.tag] = counts.get(sub.tag, 0) + 1
            if sub.tag in handled:
                continue
            if len(sub):
                self._unmapped(sub, f"{loc} / {sub.tag} {counts[sub.tag]}", ())
            elif looks_like_date(text := (sub.text or "").strip()):
                table = "events" if "CINdetails" in loc else "persons"
                reason = f"no event type for {sub.tag} in the data model"
                self._issue(loc, sub.tag, text, reason, table=table)

    # -- the blocks of an episode of need ------------------------------------------------

    def _enter(self, element: ET.Element, loc: str, start_tag: str | None) -> None:
        """Start a ``CINdetails`` block (``start_tag`` None) or a block within it.

        Blocks are matched across census years by their start date; one without a
        readable start date matches nothing but itself.
        """
        start = parse_date(text_of(element, start_tag or "CINreferralDate"))
        key = start if start is not None else ("unmatched", self.file, loc)
        if start_tag is None:
            self._episode, self._block = key, None
        else:
            self._block = (element.tag, key)
        self._record.versions.append((self._episode, self._block, loc, _facts(element)))

    def _cin_details(self, element: ET.Element, loc: str) -> None:
        self._enter(element, loc, None)
        text = text_of(element, "CINreferralDate")
        source = self._code(element, "ReferralSource", REFERRAL_SOURCE_CODES, loc)
        referral = self._dated(loc, "CINreferralDate", text, "referral", source)
        nfa = text_of(element, "ReferralNFA")
        if nfa is not None and nfa.lower() in _TRUE:
            self._dated(loc, "CINreferralDate", text, "referral_nfa")
        elif nfa is not None and nfa.lower() not in _FALSE:
            self._issue(loc, "ReferralNFA", nfa, "not true/false/1/0; no referral_nfa event")
        closure = text_of(element, "CINclosureDate")
        reason = self._code(element, "ReasonForClosure", REASON_FOR_CLOSURE_CODES, loc)
        if closure is not None or text_of(element, "ReasonForClosure") is not None:
            after = (referral, "CINreferralDate")
            self._dated(loc, "CINclosureDate", closure, "cin_closure", reason, after)
        for icpc in element.findall("DateOfInitialCPC"):
            text = (icpc.text or "").strip() or None
            # a dated fact of its own, like a block: a later census need not restate it
            self._block = ("DateOfInitialCPC", parse_date(text) or ("unmatched", self.file, loc))
            self._record.versions.append((self._episode, self._block, loc, {}))
            self._dated(loc, "DateOfInitialCPC", text, "icpc")
        self._block = None
        for where, block in blocks(element, "Assessments", loc):
            self._assessment(block, where)
        for where, block in blocks(element, "CINPlanDates", loc):
            self._pair(
                block,
                where,
                "CINPlanStartDate",
                "cin_plan_start",
                "CINPlanEndDate",
                "cin_plan_end",
            )
        for where, block in blocks(element, "Section47", loc):
            self._pair(block, where, "S47ActualStartDate", "s47_start", "DateOfInitialCPC", "icpc")
        for where, block in blocks(element, "ChildProtectionPlans", loc):
            self._protection_plan(block, where)
        self._block = None
        self._unmapped(element, loc, HANDLED["CINdetails"])

    def _pair(self, element, loc, start, start_type, end, end_type) -> None:
        """Read a start event and an optional later one (a plan's end, an ICPC after a s47)."""
        self._enter(element, loc, start)
        begun = self._dated(loc, start, text_of(element, start), start_type)
        if (text := text_of(element, end)) is not None:
            self._dated(loc, end, text, end_type, after=(begun, start))
        self._unmapped(element, loc, HANDLED[element.tag])

    def _assessment(self, element: ET.Element, loc: str) -> None:
        self._enter(element, loc, "AssessmentActualStartDate")
        text = text_of(element, "AssessmentActualStartDate")
        start = self._dated(loc, "AssessmentActualStartDate", text, "assessment_start")
        authorised = text_of(element, "AssessmentAuthorisationDate")
        factors = [(f.text or "").strip() for f in element.iter("AssessmentFactors")]
        factors = [f for f in factors if f]
        for i, raw in enumerate(factors, 1):
            where = f"{loc} / AssessmentFactors {i}"
            if raw.upper() not in ASSESSMENT_FACTOR_CODES:
                self._issue(where, "AssessmentFactors", raw, "not a known assessment factor code")
            elif authorised is None:
                reason = "no AssessmentAuthorisationDate: the factors are not yet known"
                self._issue(where, "AssessmentFactors", raw, reason)
            else:
                after = (start, "AssessmentActualStartDate")
                field = "AssessmentAuthorisationDate"
                self._dated(where, field, authorised, "assessment_factor", raw.upper(), after)
        if authorised is not None and not factors:
            reason = (
                "no factors recorded, and the data model has no event for a completed assessment"
            )
            self._issue(loc, "AssessmentAuthorisationDate", authorised, reason)
        self._unmapped(element, loc, HANDLED["Assessments"])

    def _protection_plan(self, element: ET.Element, loc: str) -> None:
        self._enter(element, loc, "CPPstartDate")
        initial = self._abuse(element, loc, ("InitialCategoryOfAbuse", "CategoryOfAbuse"))
        latest = self._abuse(element, loc, ("LatestCategoryOfAbuse",)) or initial
        text = text_of(element, "CPPstartDate")
        start = self._dated(loc, "CPPstartDate", text, "cp_plan_start", initial)
        end = text_of(element, "CPPendDate")
        if end is not None:
            self._dated(loc, "CPPendDate", end, "cp_plan_end", latest, (start, "CPPstartDate"))
        elif latest != initial:
            reason = "the plan is open, so when the latest category became known is not recorded"
            self._issue(loc, "LatestCategoryOfAbuse", latest, reason)
        self._unmapped(element, loc, HANDLED["ChildProtectionPlans"])

    def _abuse(self, element: ET.Element, loc: str, tags: tuple[str, ...]) -> str | None:
        """Return the category of abuse in ``tags``: MUL when several different ones are given."""
        codes = set()
        for tag in tags:
            for found in element.findall(tag):
                raw = (found.text or "").strip()
                if raw.upper() in ABUSE_CATEGORY_CODES:
                    codes.add(raw.upper())
                elif raw:
                    self._issue(loc, tag, raw, "not a known category of abuse")
        if len(codes) > 1:
            reason = "several categories of abuse; MUL (multiple) assumed"
            self._issue(loc, tags[0], ", ".join(sorted(codes)), reason, VALUE_ASSUMED)
            return "MUL"
        return codes.pop() if codes else None
