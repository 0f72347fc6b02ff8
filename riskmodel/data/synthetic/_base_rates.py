"""Measures of an authority's base rates, to compare with the national figures.

These work on any :class:`~riskmodel.data.LocalAuthorityData` (synthetic or real), and
are what the synthetic generator's calibration test asserts on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.data._care import care_entries, looked_after_on

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["base_rates", "children_in_need_on", "on_child_protection_plan_on"]

FACTOR_FAMILIES = {
    "domestic_abuse": ("3A", "3B", "3C"),
    "mental_health": ("4A", "4B", "4C"),
    "drug_misuse": ("2A", "2B", "2C"),
    "alcohol_misuse": ("1A", "1B", "1C"),
    "emotional_abuse": ("17A",),
    "neglect": ("16A",),
    "going_missing": ("10A",),
    "sexual_exploitation": ("11A",),
    "gangs": ("13A",),
    "criminal_exploitation": ("24A",),
}
"""Assessment factor families measured by :func:`base_rates` (any suffix counts)."""

ADOLESCENT_FLAGS = ("10A", "11A", "13A", "24A")


def _last_by_child(events: pd.DataFrame, kind: str, date: pd.Timestamp) -> pd.Series:
    rows = events[(events["event_type"] == kind) & (events["event_date"] <= date)]
    return rows.groupby("person_id")["event_date"].max()


def _opening_referrals(events: pd.DataFrame) -> pd.DataFrame:
    """Referrals that open a CIN episode: those without ``referral_nfa`` on the same day."""
    refs = events.loc[events["event_type"] == "referral", ["person_id", "event_date"]]
    nfa = events.loc[events["event_type"] == "referral_nfa", ["person_id", "event_date"]]
    marked = refs.merge(
        nfa.drop_duplicates().assign(_nfa=True), how="left", on=["person_id", "event_date"]
    )
    return refs[marked["_nfa"].isna().to_numpy()]


def children_in_need_on(data: LocalAuthorityData, date: str | pd.Timestamp) -> pd.Index:
    """Children in need on a date, as counted by the CIN census.

    A child is in need on ``date`` when a CIN episode is open (a referral on or before
    ``date`` that was not closed with no further action at referral, and no
    ``cin_closure`` on or after that referral up to ``date``) or when the child is
    looked after on ``date``.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    date : str or pandas.Timestamp
        The count date (the census uses 31 March).

    Returns
    -------
    pandas.Index
        Sorted person ids.
    """
    date = pd.Timestamp(date)
    events = data.events
    refs = _opening_referrals(events)
    last_ref = refs[refs["event_date"] <= date].groupby("person_id")["event_date"].max()
    last_close = _last_by_child(events, "cin_closure", date).reindex(last_ref.index)
    open_ = last_ref.index[(last_close.isna() | (last_close < last_ref)).to_numpy()]
    looked_after = looked_after_on(data.care_episodes, date)
    return pd.Index(sorted(set(open_) | set(looked_after)), name="person_id")


def on_child_protection_plan_on(events: pd.DataFrame, date: str | pd.Timestamp) -> pd.Index:
    """Children on a child protection plan on a date (latest start not yet ended).

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical ``events`` table.
    date : str or pandas.Timestamp
        The count date.

    Returns
    -------
    pandas.Index
        Sorted person ids.
    """
    date = pd.Timestamp(date)
    start = _last_by_child(events, "cp_plan_start", date)
    end = _last_by_child(events, "cp_plan_end", date).reindex(start.index)
    return pd.Index(sorted(start.index[(end.isna() | (end < start)).to_numpy()]), name="person_id")


def _children_aged(persons: pd.DataFrame, date: pd.Timestamp, lo: int, hi: int) -> pd.Series:
    dob = persons["date_of_birth"]
    return (dob <= date - pd.DateOffset(years=lo)) & (dob > date - pd.DateOffset(years=hi + 1))


def _person_years(dob: pd.Series, lo: int, hi: int, start, end) -> float:
    begin = (dob + pd.DateOffset(years=lo)).clip(lower=start)
    stop = (dob + pd.DateOffset(years=hi + 1)).clip(upper=end)
    return float(((stop - begin).dt.days.clip(lower=0)).sum() / 365.25)


def base_rates(data: LocalAuthorityData, *, first_year: int | None = None) -> pd.Series:
    """Measure the base rates of the data model's national figures.

    Rates are averaged over the census dates (31 March) and years from ``first_year``
    to the end of the data.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    first_year : int, optional
        Year of the first 31 March counted (and start of the window for yearly rates,
        1 April of the year before). Defaults to the last five census years of the
        data, by when a synthetic authority's history has built up.

    Returns
    -------
    pandas.Series
        Named rates: ``cin_per_10k``, ``cp_per_10k``, ``looked_after_per_10k`` (on 31
        March), ``entries_per_10k_per_year``, ``first_entry_rate_10_17`` (non-UASC
        first entries per 10-17-year-old per year), ``entrants_under_10``,
        ``entrants_10_15``, ``entrants_16_plus`` (shares of all entries),
        ``uasc_share_16_plus``, ``care_order_share`` and ``section20_share`` (legal
        status on entry of non-UASC entrants), ``referrals_per_10k_per_year``,
        ``nfa_share``, ``re_referral_share`` (within 12 months),
        ``s47_per_10k_per_year``, ``factor_<family>`` (share of assessments with the
        factor), ``adolescent_entrant_flags`` (share of non-UASC entrants aged 10-17
        with 10A, 11A, 13A or 24A in an assessment from two years before to 60 days
        after entry) and ``all_assessment_flags`` (share of all assessments with
        one), ``persistent_absence_cin`` and ``persistent_absence_all`` (school-age
        children whose absence over the previous year is at least 10%).
    """
    end = data.end_date
    if first_year is None:
        first_year = end.year - 4 if end >= pd.Timestamp(f"{end.year}-03-31") else end.year - 5
    dates = [
        pd.Timestamp(f"{y}-03-31")
        for y in range(first_year, end.year + 1)
        if pd.Timestamp(f"{y}-03-31") <= end
    ]
    window = (pd.Timestamp(f"{first_year - 1}-04-01"), end)
    years = (window[1] - window[0]).days / 365.25
    out, pop = _stock_rates(data, dates)
    out.update(_entry_rates(data, window, years, pop))
    out.update(_front_door_rates(data.events, window, years, pop))
    out.update(_factor_rates(data, window))
    return pd.Series(out, name="value")


def _stock_rates(data, dates) -> tuple[dict[str, float], float]:
    """Children in need, on a CP plan, looked after (per 10,000), persistent absence."""
    persons = data.persons
    stock: dict[str, list] = {"cin": [], "cp": [], "la": [], "pop": [], "pa_cin": [], "pa_all": []}
    for date in dates:
        children = persons.loc[_children_aged(persons, date, 0, 17), "person_id"]
        cin = children_in_need_on(data, date).intersection(children)
        cp = on_child_protection_plan_on(data.events, date).intersection(children)
        absent = _persistent_absence(data.events, date)
        stock["pop"].append(len(children))
        stock["cin"].append(len(cin))
        stock["cp"].append(len(cp))
        stock["la"].append(len(looked_after_on(data.care_episodes, date).intersection(children)))
        stock["pa_cin"].append(absent.reindex(cin).mean())
        stock["pa_all"].append(absent.mean())
    pop = float(np.mean(stock["pop"]))
    out = {
        "cin_per_10k": 1e4 * np.mean(stock["cin"]) / pop,
        "cp_per_10k": 1e4 * np.mean(stock["cp"]) / pop,
        "looked_after_per_10k": 1e4 * np.mean(stock["la"]) / pop,
        "persistent_absence_cin": float(np.nanmean(stock["pa_cin"])),
        "persistent_absence_all": float(np.nanmean(stock["pa_all"])),
    }
    return out, pop


def _entry_rates(data, window, years, pop) -> dict[str, float]:
    persons = data.persons.set_index("person_id")
    entries = care_entries(data.care_episodes)
    entries = entries[entries["entry_date"].between(*window)]
    dob = persons["date_of_birth"].reindex(entries["person_id"]).to_numpy()
    age = (entries["entry_date"].to_numpy() - dob).astype("timedelta64[D]").astype(float) / 365.25
    uasc = persons["uasc"].reindex(entries["person_id"]).fillna(False).to_numpy(bool)
    local = ~persons["uasc"].fillna(False).to_numpy(bool)
    first_teen = (entries["entry_number"].to_numpy() == 1) & ~uasc & (age >= 10) & (age < 18)
    teen_years = _person_years(persons["date_of_birth"][local], 10, 17, *window)
    legal = entries["legal_status"].to_numpy()[~uasc]
    return {
        "entries_per_10k_per_year": 1e4 * len(entries) / years / pop,
        "first_entry_rate_10_17": first_teen.sum() / teen_years,
        "entrants_under_10": float(np.mean(age < 10)),
        "entrants_10_15": float(np.mean((age >= 10) & (age < 16))),
        "entrants_16_plus": float(np.mean(age >= 16)),
        "uasc_share_16_plus": float(uasc[age >= 16].mean()) if (age >= 16).any() else np.nan,
        "care_order_share": float(np.isin(legal, ("C1", "C2")).mean()),
        "section20_share": float((legal == "V2").mean()),
    }


def _front_door_rates(events, window, years, pop) -> dict[str, float]:
    refs = events[(events["event_type"] == "referral")].sort_values(["person_id", "event_date"])
    previous = refs.groupby("person_id")["event_date"].shift()
    gap = (refs["event_date"] - previous).dt.days
    inside = refs["event_date"].between(*window)
    nfa = events[(events["event_type"] == "referral_nfa") & events["event_date"].between(*window)]
    s47 = events[(events["event_type"] == "s47_start") & events["event_date"].between(*window)]
    return {
        "referrals_per_10k_per_year": 1e4 * inside.sum() / years / pop,
        "nfa_share": len(nfa) / max(int(inside.sum()), 1),
        "re_referral_share": float((gap[inside] <= 365).mean()),
        "s47_per_10k_per_year": 1e4 * len(s47) / years / pop,
    }


def _factor_rates(data, window) -> dict[str, float]:
    factors = data.events[data.events["event_type"] == "assessment_factor"]
    factors = factors[factors["event_date"].between(*window)]
    # one assessment = one child's factor rows on one authorisation date
    group = factors.groupby(["person_id", "event_date"], sort=False).ngroup().to_numpy()
    n = int(group.max()) + 1 if len(group) else 0
    codes = factors["code"]

    def share(wanted) -> np.ndarray:
        return np.bincount(group, weights=codes.isin(wanted).to_numpy(), minlength=n) > 0

    out = {f"factor_{family}": float(share(c).mean()) for family, c in FACTOR_FAMILIES.items()}
    flagged = share(ADOLESCENT_FLAGS)
    out["all_assessment_flags"] = float(flagged.mean())
    first = np.unique(group, return_index=True)[1]
    assessments = factors.iloc[first][["person_id", "event_date"]].assign(flag=flagged)
    persons = data.persons.set_index("person_id")
    entries = care_entries(data.care_episodes)
    entries = entries[entries["entry_date"].between(*window)]
    entries = entries[~persons["uasc"].fillna(False).reindex(entries["person_id"]).to_numpy(bool)]
    dob = persons["date_of_birth"].reindex(entries["person_id"]).to_numpy()
    age = (entries["entry_date"].to_numpy() - dob).astype("timedelta64[D]").astype(float) / 365.25
    teens = entries.loc[age >= 10, ["person_id", "entry_date"]].reset_index(drop=True)
    pairs = teens.reset_index().merge(assessments, on="person_id")
    near = pairs["event_date"].between(
        pairs["entry_date"] - pd.DateOffset(years=2), pairs["entry_date"] + pd.Timedelta(days=60)
    )
    hit = pairs[near].groupby("index")["flag"].any().reindex(teens.index, fill_value=False)
    out["adolescent_entrant_flags"] = float(hit.mean()) if len(teens) else np.nan
    return out


def _persistent_absence(events: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    """Per child: whether mean absence over terms ending in the year to ``date`` is >= 10%."""
    rows = events[
        (events["event_type"] == "absence_rate")
        & (events["event_date"] <= date)
        & (events["event_date"] > date - pd.DateOffset(years=1))
    ]
    return rows.groupby("person_id")["value"].mean() >= 0.10
