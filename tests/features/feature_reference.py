"""A naive per-row reference for the feature builder, and hypothesis strategies of small data.

The reference follows each feature's documented definition row by row (filter the
child's events before the as-of date, count, take the latest...), and computes care
features from the episodes truncated to what was known at the as-of date with the
data package's care helpers. It is slow and obviously right; the builder must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dynamics_reference import NEW_KINDS, family_events, reference_value
from hypothesis import strategies as st

from riskmodel.data import LocalAuthorityData
from riskmodel.data._care import care_entries, looked_after_on
from riskmodel.features import (
    AgeYears,
    Count,
    DaysSince,
    DaysSinceLeftCare,
    Ever,
    FeatureSpec,
    LatestValue,
    OpenAt,
    PreviousCarePeriods,
    PreviousCPPlans,
    SiblingsLookedAfter,
)

DAY0 = pd.Timestamp("2019-01-01")
SPAN = 1000
TYPES = (
    "referral",
    "contact",
    "assessment_factor",
    "cp_plan_start",
    "cp_plan_end",
    "early_help_start",
    "early_help_end",
    "missing_episode",
    "absence_rate",
    "police_domestic_abuse",
    "mystery_type",
)
CODES = {
    "assessment_factor": (None, "3A", "3B", "4B", "10A", "16A", "1B", "11A"),
    "cp_plan_start": (None, "NEG", "PHY"),
}


def known_episodes(care_episodes: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Episodes as known at ``as_of``: started before it; a later end is not yet known."""
    known = care_episodes[care_episodes["start_date"] < as_of].copy()
    later = (known["end_date"] >= as_of).to_numpy()
    known.loc[later, "end_date"] = pd.NaT
    known.loc[later, "reason_episode_ceased"] = np.nan
    return known


def whole_years(dob: pd.Timestamp, as_of: pd.Timestamp) -> float:
    if pd.isna(dob) or dob > as_of:
        return np.nan
    return float(as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day)))


class Reference:
    """Per-row reference features of ``data`` (see the module docstring)."""

    def __init__(self, data: LocalAuthorityData, spec: FeatureSpec):
        self.data = data
        self.spec = spec.resolve(data.events["event_type"].dropna().unique())
        ev = data.events[data.events["event_date"].notna()]
        self.person = ev["person_id"].astype("object").to_numpy()
        self.date = ev["event_date"].to_numpy()
        self.value = ev["value"].to_numpy(dtype="float64", na_value=np.nan)
        pairs = zip(ev["event_type"].astype("object"), ev["code"].astype("object"), strict=True)
        pairs = list(pairs)
        self.masks = {
            fam.name: np.array([fam.selects(t, c) for t, c in pairs], dtype=bool)
            for fam in self.spec.families
        }
        self._care: dict[pd.Timestamp, tuple] = {}
        self._events: dict[str, pd.DataFrame] = {}

    def frame(self, keys: pd.DataFrame) -> pd.DataFrame:
        rows = [
            self.row(p, pd.Timestamp(d))
            for p, d in zip(keys["person_id"], keys["as_of_date"], strict=True)
        ]
        index = pd.MultiIndex.from_frame(keys[["person_id", "as_of_date"]])
        return pd.DataFrame(rows, index=index, columns=list(self.spec.names))

    def row(self, person_id: str, as_of: pd.Timestamp) -> list:
        before = (self.person == person_id) & (self.date < as_of.to_datetime64())
        return [self.value_of(f, person_id, as_of, before) for f in self.spec.features]

    def dates(self, family, before) -> np.ndarray:
        return np.sort(self.date[before & self.masks[family.name]])

    def value_of(self, feature, person_id, as_of, before):
        days = lambda d: (as_of - pd.Timestamp(d)).days  # noqa: E731
        if isinstance(feature, Count):
            dates = self.dates(feature.family, before)
            if feature.window_days is None:
                return len(dates)
            return int(sum(days(d) <= feature.window_days for d in dates))
        if isinstance(feature, DaysSince):
            dates = self.dates(feature.family, before)
            return float(days(dates[-1])) if len(dates) else np.nan
        if isinstance(feature, Ever):
            return len(self.dates(feature.family, before)) > 0
        if isinstance(feature, LatestValue):
            mask = before & self.masks[feature.family.name] & ~np.isnan(self.value)
            if not mask.any():
                return np.nan
            latest = self.date[mask].max()
            return float(self.value[mask & (self.date == latest)].max())
        if isinstance(feature, OpenAt | PreviousCPPlans):
            starts = self.dates(feature.start, before)
            ends = self.dates(feature.end, before)
            is_open = len(starts) > 0 and (len(ends) == 0 or ends[-1] < starts[-1])
            return is_open if isinstance(feature, OpenAt) else len(starts) - int(is_open)
        if isinstance(feature, AgeYears):
            dob = self.data.persons.set_index("person_id").loc[person_id, "date_of_birth"]
            return whole_years(dob, as_of)
        if isinstance(feature, NEW_KINDS):
            if feature.families and feature.family.name not in self._events:
                self._events[feature.family.name] = family_events(self.data, feature.family)
            events = self._events.get(feature.family.name) if feature.families else None
            return reference_value(self.data, feature, person_id, as_of, events)
        return self.care(feature, person_id, as_of)

    def care(self, feature, person_id, as_of):
        if as_of not in self._care:
            known = known_episodes(self.data.care_episodes, as_of)
            entries = care_entries(known)
            ended = entries[entries["end_date"].notna()]
            self._care[as_of] = (ended, set(looked_after_on(known, as_of)))
        ended, looked_after = self._care[as_of]
        mine = ended[ended["person_id"] == person_id]
        if isinstance(feature, PreviousCarePeriods):
            return len(mine)
        if isinstance(feature, DaysSinceLeftCare):
            return float(days_between(mine["end_date"].max(), as_of)) if len(mine) else np.nan
        assert isinstance(feature, SiblingsLookedAfter)
        persons = self.data.persons.set_index("person_id")
        household = persons.loc[person_id, "household_id"]
        if pd.isna(household):
            return 0
        siblings = persons.index[(persons["household_id"] == household).to_numpy()]
        return sum(1 for s in siblings if s != person_id and s in looked_after)


def days_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    return (later - earlier).days


def same_values(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Assert equal columns, index and values (NaN equals NaN), naming the first difference.

    Values agree to 1e-9 relative: whole numbers exactly, decayed counts (sums of
    powers of a half, added in another order) to rounding.
    """
    assert list(left.columns) == list(right.columns)
    assert list(left.index) == list(right.index)
    a = left.to_numpy(dtype="float64", na_value=np.nan)
    b = right.to_numpy(dtype="float64", na_value=np.nan)
    differ = ~np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
    if differ.any():
        i, j = np.argwhere(differ)[0]
        raise AssertionError(
            f"{left.columns[j]} differs at {left.index[i]}: {a[i, j]} != {b[i, j]}"
        )


def same_frames(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Like :func:`same_values`, and the dtypes too."""
    assert left.dtypes.astype(str).tolist() == right.dtypes.astype(str).tolist()
    same_values(left, right)


# --- hypothesis strategies ---------------------------------------------------------------


@st.composite
def events_of(draw, n_persons: int, min_day: int = 0, max_day: int = SPAN, max_size: int = 25):
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_persons - 1),
                st.integers(min_day, max_day),
                st.sampled_from(TYPES),
                st.integers(0, 7),
                st.floats(0, 1, allow_nan=False),
            ),
            max_size=max_size,
        )
    )
    out = []
    for person, day, event_type, code, value in rows:
        codes = CODES.get(event_type, (None,))
        out.append(
            {
                "person_id": f"p{person}",
                "event_date": DAY0 + pd.Timedelta(days=day),
                "event_type": event_type,
                "code": codes[code % len(codes)],
                "value": value if event_type == "absence_rate" else np.nan,
            }
        )
    return pd.DataFrame(
        out, columns=["person_id", "event_date", "event_type", "code", "value"]
    ).astype({"event_date": "datetime64[ns]"})


@st.composite
def episodes_of(draw, n_persons: int):
    rows = []
    for person in range(n_persons):
        spells = draw(
            st.lists(
                st.tuples(
                    st.integers(0, 250),  # gap after the previous episode (0: same-day restart)
                    st.integers(1, 300),  # length
                    st.sampled_from(("C2", "V2", "V3", "V4")),
                    st.sampled_from((None, "X1", "E13")),
                ),
                max_size=3,
            )
        )
        day = draw(st.integers(-100, SPAN // 2))
        for k, (gap, length, legal_status, ceased) in enumerate(spells):
            start = day + gap
            open_ = k == len(spells) - 1 and draw(st.booleans())
            day = start + length
            rows.append(
                {
                    "person_id": f"p{person}",
                    "start_date": DAY0 + pd.Timedelta(days=start),
                    "end_date": pd.NaT if open_ else DAY0 + pd.Timedelta(days=day),
                    "legal_status": legal_status,
                    "reason_episode_ceased": None if open_ else ceased,
                }
            )
    columns = ["person_id", "start_date", "end_date", "legal_status", "reason_episode_ceased"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"start_date": "datetime64[ns]", "end_date": "datetime64[ns]"}
    )


@st.composite
def authorities(draw, max_persons: int = 4, max_events: int = 25):
    n = draw(st.integers(1, max_persons))
    persons = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "date_of_birth": [
                DAY0 + pd.Timedelta(days=draw(st.integers(-6500, SPAN))) for _ in range(n)
            ],
            "sex": "F",
            "household_id": [draw(st.sampled_from((None, "h1", "h2"))) for _ in range(n)],
        }
    )
    events = draw(events_of(n, max_size=max_events))
    return LocalAuthorityData(persons, events, draw(episodes_of(n)))


def as_of_dates(min_size: int = 1, max_size: int = 3):
    return st.lists(
        st.integers(0, SPAN + 60).map(lambda d: DAY0 + pd.Timedelta(days=d)),
        min_size=min_size,
        max_size=max_size,
        unique=True,
    )
