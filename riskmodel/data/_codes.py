"""Code lists of the SSDA903 return and the CIN census (see the data model)."""

from __future__ import annotations

ETHNIC_CODES: tuple[str, ...] = (
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip
"""The 20 ``ETHNIC`` codes of the SSDA903 return."""

ETHNIC_UNKNOWN = "NOBT"
"""Code assumed when ethnicity is missing or not a known code."""

ETHNIC_GROUPS: dict[str, str] = {
    **{code: "White" for code in ("WBRI", "WIRI", "WOTH", "WIRT", "WROM")},
    **{code: "Mixed" for code in ("MWBC", "MWBA", "MWAS", "MOTH")},
    **{code: "Asian" for code in ("AIND", "APKN", "ABAN", "AOTH")},
    **{code: "Black" for code in ("BCRB", "BAFR", "BOTH")},
    **{code: "Other" for code in ("CHNE", "OOTH")},
    **{code: "Unknown" for code in ("REFU", "NOBT")},
}
"""Major ethnic group of each code, as used in fairness reviews."""

SEX_CODES: tuple[str, ...] = ("M", "F", "U")

LEGAL_STATUS_CODES: tuple[str, ...] = (
    "C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3",
)  # fmt: skip
SHORT_BREAK_LEGAL_STATUSES: frozenset[str] = frozenset({"V3", "V4"})
"""Legal statuses of short breaks; periods made only of these are not care entries."""

PLACEMENT_CODES: tuple[str, ...] = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3",
    "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
    "M2", "M3", "Q1", "Q2",
)  # fmt: skip
"""903 ``PLACE`` codes of current returns, plus M2, M3, Q1 and Q2 of returns before 2015."""

REASON_NEW_EPISODE_CODES: tuple[str, ...] = ("S", "L", "P", "T", "B", "U")

REASON_EPISODE_CEASED_CODES: tuple[str, ...] = (
    "X1", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E45",
    "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9",
)  # fmt: skip
CONTINUES_IN_NEXT_EPISODE = "X1"

CATEGORY_OF_NEED_CODES: tuple[str, ...] = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
"""903 category of need; the CIN census also uses N0 (not stated) and N9."""

CATEGORY_OF_NEED_LABELS: dict[str, str] = {
    "N0": "not stated",
    "N1": "abuse or neglect",
    "N2": "child's disability",
    "N3": "parental illness or disability",
    "N4": "family in acute stress",
    "N5": "family dysfunction",
    "N6": "socially unacceptable behaviour",
    "N7": "low income",
    "N8": "absent parenting",
    "N9": "not a child in need",
}

ABUSE_CATEGORY_CODES: tuple[str, ...] = ("NEG", "PHY", "SAB", "EMO", "MUL")
ABUSE_CATEGORY_LABELS: dict[str, str] = {
    "NEG": "neglect",
    "PHY": "physical abuse",
    "SAB": "sexual abuse",
    "EMO": "emotional abuse",
    "MUL": "multiple categories",
}

ASSESSMENT_FACTOR_LABELS: dict[str, str] = {
    "1": "alcohol misuse",
    "2": "drug misuse",
    "3": "domestic abuse",
    "4": "mental health",
    "5": "learning disability",
    "6": "physical disability or illness",
    "7": "young carer",
    "8": "privately fostered",
    "9": "unaccompanied asylum-seeking child",
    "10": "going missing",
    "11": "child sexual exploitation",
    "12": "trafficking",
    "13": "gangs",
    "14": "socially unacceptable behaviour",
    "15": "self-harm",
    "16": "neglect",
    "17": "emotional abuse",
    "18": "physical abuse",
    "19": "sexual abuse",
    "20": "other",
    "21": "no factors identified",
    "22": "female genital mutilation",
    "23": "abuse linked to faith or belief",
    "24": "child criminal exploitation",
}
"""Assessment factor numbers; codes add a suffix A (child), B (parent/carer), C (other)."""

ASSESSMENT_FACTOR_CODES: frozenset[str] = frozenset(
    {f"{n}{s}" for n in ("1", "2", "3", "4", "5", "6") for s in "ABC"}
    | {"7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A"}
    | {"16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A"}
)
"""Every assessment factor code accepted in any CIN census year 2017-2026."""

REFERRAL_SOURCE_CODES: frozenset[str] = frozenset(
    {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B",
     "5C", "5D", "6", "7", "8", "9", "10"}
)  # fmt: skip

REASON_FOR_CLOSURE_CODES: tuple[str, ...] = tuple(f"RC{i}" for i in range(1, 10))

CIN_CENSUS_EVENT_TYPES: tuple[str, ...] = (
    "referral", "referral_nfa", "assessment_start", "assessment_factor", "s47_start",
    "icpc", "cp_plan_start", "cp_plan_end", "cin_plan_start", "cin_plan_end", "cin_closure",
)  # fmt: skip
"""Event types the CIN census carries (the rest come from the 903 or local extracts)."""

EVENT_TYPES: tuple[str, ...] = (
    "contact",
    "referral",
    "referral_nfa",
    "assessment_start",
    "assessment_factor",
    "s47_start",
    "icpc",
    "cp_plan_start",
    "cp_plan_end",
    "cin_plan_start",
    "cin_plan_end",
    "cin_closure",
    "early_help_start",
    "early_help_end",
    "missing_episode",
    "suspension",
    "permanent_exclusion",
    "absence_rate",
    "police_domestic_abuse",
    "youth_justice_outcome",
)
"""The known event vocabulary. Other event types are kept and get generic features."""


def ethnic_group(code: str | None) -> str:
    """Return the major ethnic group of an ``ETHNIC`` code (``"Unknown"`` if not a code).

    Examples
    --------
    >>> ethnic_group("BAFR")
    'Black'
    """
    return ETHNIC_GROUPS.get(code or ETHNIC_UNKNOWN, "Unknown")
