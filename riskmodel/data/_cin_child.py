"""One CIN census ``Child`` element: the child's attributes, and its events."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from riskmodel.data._cin_events import Event, EventReader, blocks
from riskmodel.data._cin_xml import parse_date, stray_text, text_of
from riskmodel.data._codes import ETHNIC_CODES, ETHNIC_UNKNOWN
from riskmodel.data._issues import RECORD_DROPPED, VALUE_ASSUMED, VALUE_DROPPED, Issue, IssueLog

__all__ = ["ChildReader", "ChildRecord"]

# GenderCurrent (to 2024) is 1/2/0/9; Sex (from 2025) is M/F/U, and some systems send 1/2.
_SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}

_HANDLED = {
    "Child": frozenset({"ChildIdentifiers", "ChildCharacteristics", "CINdetails"}),
    "ChildIdentifiers": frozenset(
        {"PersonBirthDate", "ExpectedPersonBirthDate", "PersonDeathDate"}
    ),
    "ChildCharacteristics": frozenset({"Ethnicity", "Disabilities"}),
}


@dataclass
class ChildRecord:
    """What one ``Child`` element says about a child.

    ``date_of_birth`` is None when ``birth_problem`` (field, value, reason) says why.
    ``sex`` is ``"U"`` and ``ethnicity`` ``"NOBT"`` when not known. ``notes`` are
    issues about the child's attributes, logged only if the child is kept (a dropped
    child gets one 'record dropped' issue instead). ``versions`` lists the child's
    ``CINdetails`` blocks and the blocks within them as (episode, block, location,
    coded facts), for matching them across census years.
    """

    file: str
    location: str
    rank: int
    person_id: str | None
    date_of_birth: dt.date | None = None
    birth_problem: tuple[str, str | None, str] | None = None
    sex: str = "U"
    ethnicity: str = ETHNIC_UNKNOWN
    disability: bool | None = None
    notes: list[Issue] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    versions: list[tuple[object, object, str, dict]] = field(default_factory=list)


class ChildReader(EventReader):
    """Reads the ``Child`` elements of one file, reporting problems in ``log``.

    Parameters
    ----------
    file : str
        The file, as named in issues.
    rank : int
        The file's rank among the files read (a higher rank is a later census).
    cutoff : datetime.date
        Nothing dated after it is kept (the census reference date, or the extract
        date if earlier).
    cutoff_label : str
        How issues name the cutoff, e.g. ``"the census reference date 2024-03-31"``.
    log : IssueLog
        Where issues go.
    """

    def __init__(
        self, file: str, rank: int, cutoff: dt.date, cutoff_label: str, log: IssueLog
    ) -> None:
        super().__init__(file, cutoff, cutoff_label, log)
        self.rank = rank

    def read(self, child: ET.Element, location: str) -> ChildRecord:
        """Return the record of one ``Child`` element; its events are checked and dated."""
        ids = child.find("ChildIdentifiers")
        record = ChildRecord(self.file, location, self.rank, text_of(ids, "LAchildID"))
        self._record = record
        for where, after, text in stray_text(child, location):
            table = "events" if "CINdetails" in where else "persons"
            self._issue(where, after, text, "stray text between elements", table=table)
        if record.person_id is None:
            self._issue(location, "LAchildID", None, "no LAchildID", RECORD_DROPPED, "persons")
        else:
            self._attributes(child, ids, record)
        self._unmapped(child, location, _HANDLED["Child"])
        for where, details in blocks(child, "CINdetails", location):
            self._cin_details(details, where)
        return record

    def _note(self, location, field, value, reason, consequence) -> None:
        record = self._record
        record.notes.append(
            Issue(
                file=self.file,
                location=location,
                person_id=record.person_id,
                table="persons",
                field=field,
                value=value,
                reason=reason,
                consequence=consequence,
            )
        )

    def _attributes(self, child: ET.Element, ids: ET.Element, record: ChildRecord) -> None:
        loc = record.location
        self._birth(ids, record)
        sex_field = "Sex" if text_of(ids, "Sex") is not None else "GenderCurrent"
        raw = text_of(ids, sex_field)
        sex = None if raw is None else _SEX.get(raw.upper())
        if sex is None:
            why = f"no {sex_field}" if raw is None else f"not a known {sex_field} code"
            self._note(loc, sex_field, raw, f"{why}; U (not known) assumed", VALUE_ASSUMED)
        record.sex = sex or "U"
        chars = child.find("ChildCharacteristics")
        raw = text_of(chars, "Ethnicity")
        if raw is not None and raw.upper() in ETHNIC_CODES:
            record.ethnicity = raw.upper()
        else:
            why = "no Ethnicity" if raw is None else "not a known Ethnicity code"
            reason = f"{why}; {ETHNIC_UNKNOWN} (not obtained) assumed"
            self._note(loc, "Ethnicity", raw, reason, VALUE_ASSUMED)
        found = [] if chars is None else chars.findall("Disabilities/Disability")
        codes = [c for c in ((d.text or "").strip().upper() for d in found) if c]
        record.disability = any(c != "NONE" for c in codes) if codes else None
        death = text_of(ids, "PersonDeathDate")
        if death is not None:
            reason = "the data model has no date of death; the child is kept"
            self._note(loc, "PersonDeathDate", death, reason, VALUE_DROPPED)
        for tag in ("ChildIdentifiers", "ChildCharacteristics"):
            for where, block in blocks(child, tag, loc):
                self._unmapped(block, where, _HANDLED[tag])

    def _birth(self, ids: ET.Element, record: ChildRecord) -> None:
        text = text_of(ids, "PersonBirthDate")
        date = parse_date(text)
        expected = text_of(ids, "ExpectedPersonBirthDate")
        if text is None and expected is not None:
            unborn = "an unborn child (only ExpectedPersonBirthDate)"
            record.birth_problem = ("ExpectedPersonBirthDate", expected, unborn)
        elif text is None:
            record.birth_problem = ("PersonBirthDate", None, "no PersonBirthDate")
        elif date is None:
            reason = "PersonBirthDate is not a date (YYYY-MM-DD)"
            record.birth_problem = ("PersonBirthDate", text, reason)
        elif date > self.cutoff:
            reason = f"PersonBirthDate is after {self.cutoff_label}"
            record.birth_problem = ("PersonBirthDate", text, reason)
        else:
            record.date_of_birth = date
