"""The event families of the default specification, one per concern a social worker names.

Between them they read every event type of the data model
(:data:`riskmodel.data.EVENT_TYPES`). Assessment factors are grouped by concern (the
suffix says whose: A the child, B a parent or carer, C another household member); a
category of abuse on a child protection plan counts towards neglect or abuse too.
"""

from __future__ import annotations

from riskmodel.data._codes import EVENT_TYPES
from riskmodel.features._family import EventFamily

__all__ = ["DEFAULT_FAMILIES"]

_FACTOR = "assessment_factor"

CONTACT = EventFamily("contact", "contact", "contacts")
REFERRAL = EventFamily("referral", "referral", "referrals")
REFERRAL_NFA = EventFamily(
    "referral_nfa",
    "referral_nfa",
    "referrals closed with no further action",
    "referral closed with no further action",
)
ASSESSMENT = EventFamily("assessment", "assessment_start", "assessments")
S47 = EventFamily("s47", "s47_start", "section 47 enquiries")
ICPC = EventFamily("icpc", "icpc", "initial child protection conferences")
CP_PLAN = EventFamily("cp_plan", "cp_plan_start", "child protection plans")
CP_PLAN_END = EventFamily(
    "cp_plan_end",
    "cp_plan_end",
    "ends of child protection plans",
    "end of a child protection plan",
)
CIN_PLAN = EventFamily("cin_plan", "cin_plan_start", "child in need plans")
CIN_PLAN_END = EventFamily(
    "cin_plan_end", "cin_plan_end", "ends of child in need plans", "end of a child in need plan"
)
CIN_CLOSURE = EventFamily("cin_closure", "cin_closure", "child in need case closures")
EARLY_HELP = EventFamily("early_help", "early_help_start", "early help episodes")
EARLY_HELP_END = EventFamily(
    "early_help_end",
    "early_help_end",
    "ends of early help episodes",
    "end of an early help episode",
)
MISSING = EventFamily(
    "missing_episode",
    ("missing_episode", _FACTOR),
    "missing from home episodes",
    codes={_FACTOR: ("10A",)},
)
SUSPENSION = EventFamily("suspension", "suspension", "school suspensions")
PERMANENT_EXCLUSION = EventFamily(
    "permanent_exclusion",
    "permanent_exclusion",
    "permanent exclusions from school",
    "permanent exclusion from school",
)
ABSENCE = EventFamily("absence", "absence_rate", "school absence rates")
YOUTH_JUSTICE = EventFamily("youth_justice", "youth_justice_outcome", "youth justice outcomes")
DOMESTIC_ABUSE = EventFamily(
    "domestic_abuse",
    ("police_domestic_abuse", _FACTOR),
    "records of domestic abuse",
    "record of domestic abuse",
    codes={_FACTOR: ("3A", "3B", "3C")},
)
PARENTAL_MENTAL_HEALTH = EventFamily(
    "parental_mental_health",
    _FACTOR,
    "records of a parent's or carer's mental ill health",
    "record of a parent's or carer's mental ill health",
    codes=("4B", "4C"),
)
SUBSTANCE_MISUSE = EventFamily(
    "substance_misuse",
    _FACTOR,
    "records of alcohol or drug misuse by a parent or carer",
    "record of alcohol or drug misuse by a parent or carer",
    codes=("1B", "1C", "2B", "2C"),
)
CHILD_SUBSTANCE_MISUSE = EventFamily(
    "child_substance_misuse",
    _FACTOR,
    "records of the child's own alcohol or drug misuse",
    "record of the child's own alcohol or drug misuse",
    codes=("1A", "2A"),
)
CHILD_MENTAL_HEALTH = EventFamily(
    "child_mental_health",
    _FACTOR,
    "records of the child's mental ill health or self-harm",
    "record of the child's mental ill health or self-harm",
    codes=("4A", "15A"),
)
EXPLOITATION = EventFamily(
    "exploitation",
    _FACTOR,
    "records of exploitation, trafficking or gang involvement",
    "record of exploitation, trafficking or gang involvement",
    codes=("11A", "12A", "13A", "24A"),
)
NEGLECT = EventFamily(
    "neglect",
    (_FACTOR, "cp_plan_start"),
    "records of neglect",
    "record of neglect",
    codes={_FACTOR: ("16A",), "cp_plan_start": ("NEG",)},
)
ABUSE = EventFamily(
    "abuse",
    (_FACTOR, "cp_plan_start"),
    "records of physical, sexual or emotional abuse",
    "record of physical, sexual or emotional abuse",
    codes={
        _FACTOR: ("17A", "18A", "18B", "18C", "19A", "19B", "19C", "22A", "23A"),
        "cp_plan_start": ("PHY", "SAB", "EMO", "MUL"),
    },
)
ASSESSMENT_FACTOR = EventFamily(
    "assessment_factor", _FACTOR, "assessment factors recorded", "assessment factor recorded"
)
SCHOOL_EXCLUSION = EventFamily(
    "school_exclusion",
    ("suspension", "permanent_exclusion"),
    "school suspensions or exclusions",
    "school suspension or exclusion",
)
ANY_EVENT = EventFamily(
    "any_event",
    tuple(t for t in EVENT_TYPES if t != "absence_rate"),
    "events of any kind",
    "event of any kind",
)
"""Every event type of the data model but the termly school absence rates (routine
records for every pupil, not events in a family's life)."""

DEFAULT_FAMILIES: tuple[EventFamily, ...] = (
    CONTACT,
    REFERRAL,
    REFERRAL_NFA,
    ASSESSMENT,
    S47,
    ICPC,
    CP_PLAN,
    CP_PLAN_END,
    CIN_PLAN,
    CIN_PLAN_END,
    CIN_CLOSURE,
    EARLY_HELP,
    EARLY_HELP_END,
    MISSING,
    SUSPENSION,
    PERMANENT_EXCLUSION,
    ABSENCE,
    YOUTH_JUSTICE,
    DOMESTIC_ABUSE,
    PARENTAL_MENTAL_HEALTH,
    SUBSTANCE_MISUSE,
    CHILD_SUBSTANCE_MISUSE,
    CHILD_MENTAL_HEALTH,
    EXPLOITATION,
    NEGLECT,
    ABUSE,
    ASSESSMENT_FACTOR,
    SCHOOL_EXCLUSION,
    ANY_EVENT,
)
"""Every family of the default specification, in its order."""
