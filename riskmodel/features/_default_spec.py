"""The default feature specification, and the descriptions of a specification's features."""

from __future__ import annotations

import riskmodel.features._default_families as fam
from riskmodel.features._base import Feature
from riskmodel.features._dynamics import ActiveMonths, DaysSinceAny, DecayedCount, QuarterChange
from riskmodel.features._event_features import (
    Count,
    DaysSince,
    Ever,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
)
from riskmodel.features._family import EventFamily
from riskmodel.features._household_features import (
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
)
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)
from riskmodel.features._spec import FeatureSpec

__all__ = ["DEFAULT_HALF_LIVES", "DEFAULT_WINDOWS", "default_spec", "feature_descriptions"]

DEFAULT_WINDOWS: tuple[int, ...] = (90, 180, 365, 730)
"""Count windows, in days, of the most frequent event families (3, 6, 12 and 24 months)."""

DEFAULT_HALF_LIVES: tuple[int, ...] = (30, 90, 365)
"""Half-lives, in days, of the decayed counts of the families that show family stress."""

_STRESS = (
    fam.REFERRAL,
    fam.CONTACT,
    fam.MISSING,
    fam.DOMESTIC_ABUSE,
    fam.SCHOOL_EXCLUSION,
    fam.YOUTH_JUSTICE,
)
_CHANGING = (fam.REFERRAL, fam.CONTACT)

_FREQUENT = (
    fam.CONTACT,
    fam.REFERRAL,
    fam.ASSESSMENT,
    fam.MISSING,
    fam.DOMESTIC_ABUSE,
    fam.SUSPENSION,
)
_LESS_FREQUENT = (
    fam.REFERRAL_NFA,
    fam.S47,
    fam.ICPC,
    fam.CP_PLAN,
    fam.CIN_PLAN,
    fam.CIN_CLOSURE,
    fam.EARLY_HELP,
    fam.PERMANENT_EXCLUSION,
    fam.YOUTH_JUSTICE,
    fam.EXPLOITATION,
    fam.NEGLECT,
    fam.ABUSE,
    fam.PARENTAL_MENTAL_HEALTH,
    fam.SUBSTANCE_MISUSE,
    fam.CHILD_SUBSTANCE_MISUSE,
    fam.CHILD_MENTAL_HEALTH,
    fam.ASSESSMENT_FACTOR,
)


def _frequent(family: EventFamily) -> tuple[Feature, ...]:
    counts = tuple(Count(family, w) for w in DEFAULT_WINDOWS)
    return (*counts, Count(family, None), DaysSince(family))


def _less_frequent(family: EventFamily) -> tuple[Feature, ...]:
    return (Count(family, 365), Count(family, 730), Ever(family), DaysSince(family))


def _dynamics() -> tuple[Feature, ...]:
    decayed = tuple(DecayedCount(f, h) for f in _STRESS for h in DEFAULT_HALF_LIVES)
    change = tuple(QuarterChange(f) for f in _CHANGING)
    household = (
        HouseholdCount(fam.REFERRAL, 365),
        HouseholdDecayedCount(fam.CONTACT, 90),
        HouseholdCareEntries(),
    )
    return (*decayed, ActiveMonths(12), *change, DaysSinceAny(), *household)


def default_spec() -> FeatureSpec:
    """Return the default feature specification.

    It reads every event type of the data model (:data:`riskmodel.data.EVENT_TYPES`):

    - the child: ``age_years``; care history: ``previous_care_periods``,
      ``days_since_left_care``, ``siblings_looked_after``;
    - frequent events (contacts, referrals, assessments, missing from home episodes,
      records of domestic abuse, school suspensions): counts over the last 90,
      180, 365 and 730 days and ever, and days since the latest;
    - less frequent events (referrals closed with no further action, section 47
      enquiries, conferences, plans, closures, early help, permanent exclusions,
      youth justice outcomes, and assessment factors grouped by concern:
      exploitation, neglect, abuse, parental mental health, parental substance
      misuse, the child's own substance misuse and mental health, and all factors):
      counts over 365 and 730 days, ever, and days since the latest;
    - ``previous_cp_plans``, days since the latest end of a child protection plan,
      whether a child protection plan, a child in need plan or early help is open at
      the as-of date, and the latest school absence rate;
    - the dynamics of family stress: decayed counts (half-lives of 30, 90 and 365
      days) of referrals, contacts, missing from home episodes, records of domestic
      abuse, school suspensions or exclusions and youth justice outcomes; the number
      of the last 12 calendar months with any event; the change in referrals and in
      contacts in the last quarter against the year before; days since the latest
      event of any kind;
    - the household's other children (``persons.household_id``; NaN without one):
      their referrals in the last year, their decayed contacts (half-life 90 days)
      and their entries into care before the as-of date.

    Families combine sources: domestic abuse is police notifications and assessment
    factors 3A/3B/3C; going missing is missing episodes and factor 10A; neglect is
    factor 16A and plans under category NEG (see ``riskmodel.features._default_families``).
    Event types outside the vocabulary get ``other_<type>_count_365d`` when
    features are built.

    Returns
    -------
    FeatureSpec

    Examples
    --------
    >>> spec = default_spec()
    >>> spec.describe("missing_episode_count_180d", 2)
    '2 missing from home episodes in the last 6 months'
    >>> spec.describe("cp_plan_open", True)
    'on a child protection plan at the as-of date'
    """
    features: list[Feature] = [
        AgeYears(),
        PreviousCarePeriods(),
        DaysSinceLeftCare(),
        SiblingsLookedAfter(),
    ]
    for family in _FREQUENT:
        features.extend(_frequent(family))
    for family in _LESS_FREQUENT:
        features.extend(_less_frequent(family))
    features += [
        PreviousCPPlans(fam.CP_PLAN, fam.CP_PLAN_END),
        DaysSince(fam.CP_PLAN_END),
        OpenAt(fam.CP_PLAN, fam.CP_PLAN_END, "on a child protection plan"),
        OpenAt(fam.CIN_PLAN, fam.CIN_PLAN_END, "on a child in need plan"),
        OpenAt(fam.EARLY_HELP, fam.EARLY_HELP_END, "receiving early help"),
        LatestValue(fam.ABSENCE, percent=True),
        *_dynamics(),
    ]
    return FeatureSpec(tuple(features))


def feature_descriptions(spec: FeatureSpec | None = None) -> dict[str, str]:
    """Return each feature's plain-English description template.

    Parameters
    ----------
    spec : FeatureSpec, optional
        The specification; the default one when not given.

    Returns
    -------
    dict of str to str
        Feature name to template, ``{value}`` marking the child's value, such as
        ``"{value} missing from home episodes in the last 6 months"``.

    Examples
    --------
    >>> feature_descriptions()["missing_episode_count_180d"]
    '{value} missing from home episodes in the last 6 months'
    """
    return (spec if spec is not None else default_spec()).descriptions()
