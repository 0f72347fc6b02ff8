"""Declarative features and the as-of feature builder.

A :class:`FeatureSpec` lists features built from event families (such as domestic
abuse: police notifications and assessment factors 3A/3B/3C) over windows, and from
the child's age and care history. :func:`build_features` computes them for children
at as-of dates using only what was known before each date; every feature has a
stable name and a plain-English description used for reason codes.

Each feature computes itself (:meth:`Feature.compute`) from a :class:`FeatureContext`:
a block of as-of rows with each event family's earlier events (:class:`FamilyEvents`)
and the care history known at each date (:class:`CareHistory`). A feature of your own
is a subclass of :class:`Feature` (see "Writing your own feature" there).

:func:`fit_latent_states` learns latent states of the monthly event counts without
labels (a Poisson hidden Markov model); :meth:`LatentStates.extend` adds their
filtered probabilities at the as-of date to a specification.
"""

from riskmodel.features._base import Feature
from riskmodel.features._builder import build_features
from riskmodel.features._care_timeline import CareHistory
from riskmodel.features._context import FeatureContext
from riskmodel.features._default_spec import DEFAULT_WINDOWS, default_spec, feature_descriptions
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
from riskmodel.features._family_events import FamilyEvents
from riskmodel.features._household_features import (
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
)
from riskmodel.features._latent import LATENT_FAMILIES, LatentStates
from riskmodel.features._latent_feature import LatentState
from riskmodel.features._latent_fit import fit_latent_states
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)
from riskmodel.features._spec import FeatureSpec
from riskmodel.features._spec_dict import register_feature

__all__ = [
    "DEFAULT_WINDOWS",
    "ActiveMonths",
    "AgeYears",
    "CareHistory",
    "Count",
    "DaysSince",
    "DaysSinceAny",
    "DaysSinceLeftCare",
    "DecayedCount",
    "Ever",
    "EventFamily",
    "FamilyEvents",
    "Feature",
    "FeatureContext",
    "FeatureSpec",
    "HouseholdCareEntries",
    "HouseholdCount",
    "HouseholdDecayedCount",
    "LATENT_FAMILIES",
    "LatentState",
    "LatentStates",
    "LatestValue",
    "OpenAt",
    "PreviousCPPlans",
    "PreviousCarePeriods",
    "QuarterChange",
    "SiblingsLookedAfter",
    "build_features",
    "default_spec",
    "feature_descriptions",
    "fit_latent_states",
    "register_feature",
]
