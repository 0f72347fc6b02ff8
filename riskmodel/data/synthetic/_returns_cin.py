"""Writing the CIN census of one collection year, in that year's layout.

A child is in a year's census when one of its episodes of need (referral to closure)
is open at any time in the year (1 April to 31 March). An episode still open on
31 March is written without its closure and restated, with it, the next year. Inside
an episode, an assessment, enquiry or plan is written when it is open at some time in
the year, with its end when that is on or before 31 March.

The layout follows the census of each year (the schemas of 2017 to 2026):
``GenderCurrent`` 1/2/0 up to 2024 and ``Sex`` M/F/U from 2025; ``CINPlanDates``
from 2022; true/false flags written 1/0 from 2025. A code that a year's census did not
yet (or no longer) have is written as that year's nearest code (:func:`recode`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from riskmodel._atomic import atomic_write
from riskmodel.data.synthetic._cin_episodes import Block, Episode

__all__ = ["CinLayout", "cin_layout", "recode", "write_cin_census"]

_DISABILITIES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT")
_GENDER = {"M": "1", "F": "2", "U": "0"}
_NO_SOURCE = "10"
"""Referral source written when the canonical referral has none (the census requires one)."""
_NO_CATEGORY = "MUL"


@dataclass(frozen=True)
class CinLayout:
    """What the CIN census of one year can hold.

    Attributes
    ----------
    year : int
        The census year (reference date 31 March ``year``).
    sex_element : str
        ``GenderCurrent`` (1/2/0, up to 2024) or ``Sex`` (M/F/U, from 2025).
    cin_plans : bool
        Whether ``CINPlanDates`` exist (from 2022).
    split_abuse_factors : bool
        Factors 18B/18C and 19B/19C instead of 18A and 19A (from 2021).
    criminal_exploitation : bool
        Factor 24A (from 2022).
    early_help_codes : bool
        Referral source 5D and closure reason RC9 (from 2023).
    flags : tuple of str
        How true and false are written (``1``/``0`` from 2025).
    min_previous_plans : int
        Smallest ``NumberOfPreviousCPP`` the schema accepts (1 up to 2024, then 0).
    """

    year: int
    sex_element: str
    cin_plans: bool
    split_abuse_factors: bool
    criminal_exploitation: bool
    early_help_codes: bool
    flags: tuple[str, str]
    min_previous_plans: int


def cin_layout(year: int) -> CinLayout:
    """Return the layout of the CIN census with reference date 31 March ``year``."""
    return CinLayout(
        year=year,
        sex_element="Sex" if year >= 2025 else "GenderCurrent",
        cin_plans=year >= 2022,
        split_abuse_factors=year >= 2021,
        criminal_exploitation=year >= 2022,
        early_help_codes=year >= 2023,
        flags=("1", "0") if year >= 2025 else ("true", "false"),
        min_previous_plans=0 if year >= 2025 else 1,
    )


def recode(layout: CinLayout, field: str, code: str) -> str:
    """Write ``code`` of ``field`` as the nearest code of the year's census.

    Factors 18B/18C and 19B/19C become 18A and 19A before 2021, and 18A and 19A become
    18C and 19C (abuse by an adult) from 2021; 24A becomes 13A (gangs) before 2022.
    Before 2023, referral source 5D (early help) becomes 5B (other internal LA
    service) and closure reason RC9 (referred to early help) becomes RC8.
    """
    if field == "AssessmentFactors":
        if layout.split_abuse_factors:
            code = {"18A": "18C", "19A": "19C"}.get(code, code)
        else:
            code = {"18B": "18A", "18C": "18A", "19B": "19A", "19C": "19A"}.get(code, code)
        if not layout.criminal_exploitation and code == "24A":
            code = "13A"
    elif not layout.early_help_codes:
        code = {"ReferralSource": {"5D": "5B"}, "ReasonForClosure": {"RC9": "RC8"}}.get(
            field, {}
        ).get(code, code)
    return code


def write_cin_census(
    path: Path,
    year: int,
    episodes: list[Episode],
    persons: dict[str, tuple],
    upns: dict[str, tuple[str, str | None]],
    la_code: str,
    release: str,
) -> set[tuple[str, dt.date, str]]:
    """Write the CIN census of ``year`` to ``path``.

    Parameters
    ----------
    path : pathlib.Path
        The XML file to write.
    year : int
        The census year (reference date 31 March ``year``).
    episodes : list of Episode
        Every episode of the authority, in order of child.
    persons : dict
        ``person_id`` -> (date of birth, sex, ethnicity, disability or None).
    upns : dict
        ``person_id`` -> (UPN, former UPN or None).
    la_code : str
        The authority's 3-digit number (``LEA``).
    release : str
        The writing software's version (``Release``).

    Returns
    -------
    set
        ``(person_id, date, event_type)`` of every event the file carries.
    """
    layout = cin_layout(year)
    first, reference = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    by_child: dict[str, list[Episode]] = defaultdict(list)
    plans: dict[str, list[dt.date]] = defaultdict(list)
    for episode in episodes:
        end = episode.last_day()
        if episode.referral <= reference and (end is None or end >= first):
            by_child[episode.person_id].append(episode)
        plans[episode.person_id] += [b.start for b in episode.blocks if b.kind == "cp"]
    previous_plans: dict[tuple[str, dt.date], int] = {}
    for pid, starts in plans.items():
        for n, start in enumerate(sorted(starts)):
            previous_plans.setdefault((pid, start), n)
    parts = [_header(layout, reference, la_code, release), "<Children>\n"]
    writer = _ChildWriter(layout, first, reference, persons, upns, previous_plans)
    for pid, child_episodes in by_child.items():
        parts.append(writer.child(pid, child_episodes))
    parts.append("</Children>\n</Message>\n")
    text = "".join(parts)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return writer.carried


def _header(layout: CinLayout, reference: dt.date, la_code: str, release: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header>\n'
        f"<CollectionDetails><Collection>CIN</Collection><Year>{layout.year}</Year>"
        f"<ReferenceDate>{reference.isoformat()}</ReferenceDate></CollectionDetails>\n"
        f"<Source><SourceLevel>L</SourceLevel><LEA>{la_code}</LEA>"
        "<SoftwareCode>riskmodel synthetic authority</SoftwareCode>"
        f"<Release>{escape(release)}</Release><SerialNo>001</SerialNo>"
        f"<DateTime>{layout.year}-05-01T09:00:00</DateTime></Source>\n</Header>\n"
    )


def _el(tag: str, value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"<{tag}>{escape(text)}</{tag}>"


class _ChildWriter:
    """Writes the ``Child`` elements of one year's census."""

    def __init__(self, layout, first, reference, persons, upns, previous_plans) -> None:
        self.layout, self.first, self.reference = layout, first, reference
        self.persons, self.upns = persons, upns
        self.previous_plans = previous_plans
        self.carried: set[tuple[str, dt.date, str]] = set()
        self._pid = ""

    def _mark(self, day: dt.date, kind: str) -> None:
        self.carried.add((self._pid, day, kind))

    def _in_year(self, start: dt.date, end: dt.date | None) -> bool:
        return start <= self.reference and (end is None or end >= self.first)

    def _by_reference(self, day: dt.date | None) -> bool:
        return day is not None and day <= self.reference

    def child(self, pid: str, episodes: list[Episode]) -> str:
        self._pid = pid
        born, sex, ethnicity, disability = self.persons[pid]
        upn, former = self.upns[pid]
        ids = [_el("LAchildID", pid), _el("UPN", upn)]
        if former is not None:
            ids.append(_el("FormerUPN", former))
        ids.append(_el("PersonBirthDate", born))
        sex = sex if sex in _GENDER else "U"
        code = _GENDER[sex] if self.layout.sex_element == "GenderCurrent" else sex
        ids.append(_el(self.layout.sex_element, code))
        chars = [_el("Ethnicity", ethnicity)]
        if disability is not None:
            chars.append(f"<Disabilities>{_el('Disability', _disability(pid, disability))}"
                         "</Disabilities>")  # fmt: skip
        details = "".join(self._details(e) for e in episodes)
        return (
            f"<Child>\n<ChildIdentifiers>{''.join(ids)}</ChildIdentifiers>\n"
            f"<ChildCharacteristics>{''.join(chars)}</ChildCharacteristics>\n{details}</Child>\n"
        )

    def _details(self, e: Episode) -> str:
        lay = self.layout
        out = [_el("CINreferralDate", e.referral)]
        self._mark(e.referral, "referral")
        if e.nfa:
            self._mark(e.referral, "referral_nfa")
        out.append(_el("ReferralSource", recode(lay, "ReferralSource", e.source or _NO_SOURCE)))
        if self._by_reference(e.closure):
            out.append(_el("CINclosureDate", e.closure))
            self._mark(e.closure, "cin_closure")
            if e.reason is not None:
                out.append(_el("ReasonForClosure", recode(lay, "ReasonForClosure", e.reason)))
        if self._by_reference(e.icpc):
            out.append(_el("DateOfInitialCPC", e.icpc))
            self._mark(e.icpc, "icpc")
        blocks = [b for b in e.blocks if self._in_year(b.start, b.last_day())]
        out += [self._assessment(b) for b in blocks if b.kind == "assessment"]
        if lay.cin_plans:
            out += [self._cin_plan(b) for b in blocks if b.kind == "cin"]
        out += [self._s47(b) for b in blocks if b.kind == "s47"]
        out.append(_el("ReferralNFA", lay.flags[0] if e.nfa else lay.flags[1]))
        out += [self._cp_plan(e.person_id, b) for b in blocks if b.kind == "cp"]
        return f"<CINdetails>{''.join(out)}</CINdetails>\n"

    def _assessment(self, b: Block) -> str:
        out = _el("AssessmentActualStartDate", b.start)
        self._mark(b.start, "assessment_start")
        if self._by_reference(b.end) and b.factors:
            self._mark(b.end, "assessment_factor")
            codes = dict.fromkeys(recode(self.layout, "AssessmentFactors", f) for f in b.factors)
            factors = "".join(_el("AssessmentFactors", c) for c in codes)
            out += _el("AssessmentAuthorisationDate", b.end)
            out += f"<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment>"
        return f"<Assessments>{out}</Assessments>"

    def _cin_plan(self, b: Block) -> str:
        out = _el("CINPlanStartDate", b.start)
        self._mark(b.start, "cin_plan_start")
        if self._by_reference(b.end):
            out += _el("CINPlanEndDate", b.end)
            self._mark(b.end, "cin_plan_end")
        return f"<CINPlanDates>{out}</CINPlanDates>"

    def _s47(self, b: Block) -> str:
        out = _el("S47ActualStartDate", b.start)
        self._mark(b.start, "s47_start")
        if self._by_reference(b.end):
            out += _el("DateOfInitialCPC", b.end)
            self._mark(b.end, "icpc")
        not_required = b.end is None
        out += _el("ICPCnotRequired", self.layout.flags[0 if not_required else 1])
        return f"<Section47>{out}</Section47>"

    def _cp_plan(self, pid: str, b: Block) -> str:
        initial = b.code or _NO_CATEGORY
        out = _el("CPPstartDate", b.start)
        self._mark(b.start, "cp_plan_start")
        latest = initial
        if self._by_reference(b.end):
            out += _el("CPPendDate", b.end)
            self._mark(b.end, "cp_plan_end")
            latest = b.end_code or initial
        previous = max(self.previous_plans.get((pid, b.start), 0), self.layout.min_previous_plans)
        out += _el("InitialCategoryOfAbuse", initial) + _el("LatestCategoryOfAbuse", latest)
        out += _el("NumberOfPreviousCPP", previous)
        return f"<ChildProtectionPlans>{out}</ChildProtectionPlans>"


def _disability(pid: str, disabled: bool) -> str:
    """Return a disabled child's (deterministic) type of disability; ``NONE`` otherwise."""
    if not disabled:
        return "NONE"
    digest = hashlib.blake2b(pid.encode(), digest_size=2).digest()
    return _DISABILITIES[int.from_bytes(digest, "big") % len(_DISABILITIES)]
