"""Declarative features and the as-of feature builder.

A :class:`FeatureSpec` lists features built from event families (such as domestic
abuse: police notifications and assessment factors 3A/3B/3C) over windows, and from
the child's age and care history. :func:`build_features` computes them for children
at as-of dates using only what was known before each date; every feature has a
stable name and a plain-English description used for reason codes.
"""

from riskmodel.features._build import build_features
from riskmodel.features._default import DEFAULT_WINDOWS, default_spec
from riskmodel.features._event_features import (
    Count,
    DaysSince,
    Ever,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
)
from riskmodel.features._parts import EventFamily, Feature
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)
from riskmodel.features._spec import FeatureSpec, feature_descriptions

__all__ = [
    "DEFAULT_WINDOWS",
    "AgeYears",
    "Count",
    "DaysSince",
    "DaysSinceLeftCare",
    "Ever",
    "EventFamily",
    "Feature",
    "FeatureSpec",
    "LatestValue",
    "OpenAt",
    "PreviousCPPlans",
    "PreviousCarePeriods",
    "SiblingsLookedAfter",
    "build_features",
    "default_spec",
    "feature_descriptions",
]
