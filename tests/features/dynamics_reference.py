"""A naive per-row reference for the dynamics and household features.

Each value follows the feature's documented definition with plain Python over the
child's (or the household's other children's) events before the as-of date. It is
slow and obviously right; the builder must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.data._care import periods_of_care
from riskmodel.features import (
    ActiveMonths,
    DaysSinceAny,
    DecayedCount,
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
    QuarterChange,
)

NEW_KINDS = (
    ActiveMonths,
    DaysSinceAny,
    DecayedCount,
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
    QuarterChange,
)
"""The feature kinds this reference computes."""


def family_events(data, family) -> pd.DataFrame:
    ev = data.events[data.events["event_date"].notna()]
    pairs = zip(ev["event_type"].astype("object"), ev["code"].astype("object"), strict=True)
    mask = np.array([family.selects(t, c) for t, c in pairs], dtype=bool)
    return ev.loc[mask, ["person_id", "event_date"]]


def _dates(events: pd.DataFrame, people) -> list[pd.Timestamp]:
    return list(events.loc[events["person_id"].isin(people), "event_date"])


def _count(dates, as_of, days=None):
    return sum(
        1 for d in dates if d < as_of and (days is None or d >= as_of - pd.Timedelta(days=days))
    )


def _decayed(dates, as_of, half_life):
    return sum(0.5 ** ((as_of - d).days / half_life) for d in dates if d < as_of)


def _active(dates, as_of, n):
    last = (as_of - pd.Timedelta(days=1)).to_period("M")
    months = {d.to_period("M") for d in dates if d < as_of}
    return sum(1 for k in range(n) if last - k in months)


def _others(data, person):
    persons = data.persons.set_index("person_id")
    household = persons.loc[person, "household_id"]
    if pd.isna(household):
        return None
    return [p for p in persons.index[persons["household_id"] == household] if p != person]


def reference_value(data, feature, person, as_of, events=None):
    """The feature's value for one (child, as-of date), by its definition."""
    as_of = pd.Timestamp(as_of)
    if isinstance(feature, HouseholdCareEntries):
        others = _others(data, person)
        if others is None:
            return np.nan
        periods = periods_of_care(data.care_episodes)
        entries = periods[periods["is_care_entry"] & periods["person_id"].isin(others)]
        return float((entries["care_start_date"] < as_of).sum())
    events = family_events(data, feature.family) if events is None else events
    if isinstance(feature, HouseholdCount | HouseholdDecayedCount):
        others = _others(data, person)
        if others is None:
            return np.nan
        dates = _dates(events, others)
        if isinstance(feature, HouseholdCount):
            return float(_count(dates, as_of, feature.window_days))
        return _decayed(dates, as_of, feature.half_life_days)
    dates = _dates(events, [person])
    if isinstance(feature, DecayedCount):
        return _decayed(dates, as_of, feature.half_life_days)
    if isinstance(feature, ActiveMonths):
        return _active(dates, as_of, feature.window_months)
    if isinstance(feature, QuarterChange):
        recent = _count(dates, as_of, 91)
        return recent - (_count(dates, as_of, 456) - recent) * 91 / 365
    if isinstance(feature, DaysSinceAny):
        earlier = [d for d in dates if d < as_of]
        return float((as_of - max(earlier)).days) if earlier else np.nan
    raise TypeError(type(feature).__name__)


def reference_table(data, features, as_of_dates) -> pd.DataFrame:
    events = [family_events(data, f.family) if f.families else None for f in features]
    rows = [
        (
            p,
            pd.Timestamp(d),
            *[reference_value(data, f, p, d, e) for f, e in zip(features, events, strict=True)],
        )
        for d in as_of_dates
        for p in sorted(data.persons["person_id"])
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "as_of_date", *[f.name for f in features]])
    return frame.set_index(["person_id", "as_of_date"])
