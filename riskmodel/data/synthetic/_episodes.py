"""SSDA903 episodes: each period of care split by legal status and placement changes.

Within a period, a police protection or emergency protection order becomes an interim
care order (C1) within days; some section 20 (V2) periods become C1; an interim care
order becomes a full care order (C2) months later; a period ending in adoption gets a
placement order (E1) and an adoption placement (A5/A6) before it ends. Placements
change at a rate that rises with age. Each change starts a new episode whose reason
(RNE) says what changed; every episode but the last ends with REC ``X1``.

Some disabled children also have short breaks: series of 2-4 night stays (V3) or
agreements of several months (V4). These form periods of their own, never touching a
real period of care, and are not care entries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._periods import _O, Periods
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS, Population

__all__ = ["build_care_episodes"]

LEGAL = np.array(["C1", "C2", "E1", "V2", "L1", "L2", "J1", "J2", "V3", "V4"], dtype=object)
_L = {code: i for i, code in enumerate(LEGAL)}
PLACES = np.array(
    ["U1", "U3", "U4", "U5", "U6", "K1", "K2", "R1", "R3", "R5", "P1", "P2", "H5", "S1", "Z1",
     "A5", "A6"], dtype=object,
)  # fmt: skip
_P = {code: i for i, code in enumerate(PLACES)}
PLACE_MIX = [
    {"U4": 0.12, "U6": 0.45, "U1": 0.05, "U3": 0.15, "U5": 0.10, "P1": 0.05, "R3": 0.08},
    {"U4": 0.25, "U6": 0.45, "U1": 0.08, "U3": 0.15, "P1": 0.04, "K2": 0.03},
    {"U4": 0.20, "U6": 0.40, "U1": 0.05, "U3": 0.10, "K2": 0.17, "R1": 0.02, "P1": 0.03,
     "S1": 0.02, "Z1": 0.01},
    {"U6": 0.30, "U4": 0.10, "H5": 0.30, "K2": 0.17, "U3": 0.07, "P2": 0.03, "Z1": 0.03},
    {"H5": 0.50, "U6": 0.30, "U4": 0.05, "K2": 0.10, "P2": 0.05},  # UASC
    {"K1": 0.25, "R5": 0.15, "U6": 0.35, "K2": 0.25},  # remanded
]  # fmt: skip
MOVES_PER_YEAR = np.array([0.35, 0.45, 1.0, 1.2, 0.6])
SHORT_BREAK_SHARE = 0.06
"""Share of disabled children aged 4-17 who have short breaks."""


def build_care_episodes(periods: Periods, pop: Population, grid: MonthGrid, rng) -> pd.DataFrame:
    """Episodes of all periods of care and of short breaks, as a ``care_episodes`` frame."""
    care = _episodes(periods, rng)
    breaks = _short_breaks(periods, pop, grid, rng)
    cols = {k: np.concatenate([care[k], breaks[k]]) for k in care}
    cols = {k: v[cols["start"] <= grid.end_day] for k, v in cols.items()}
    open_ = cols["end"] > grid.end_day
    end = cols["end"].astype("datetime64[D]").astype("datetime64[ns]")
    end[open_] = np.datetime64("NaT")
    rec = cols["rec"].copy()
    rec[open_] = None
    frame = pd.DataFrame(
        {
            "person_id": pop.person_id[cols["child"]],
            "start_date": cols["start"].astype("datetime64[D]").astype("datetime64[ns]"),
            "end_date": end,
            "reason_new_episode": cols["rne"],
            "legal_status": cols["legal"],
            "category_of_need": cols["need"],
            "placement": cols["place"],
            "reason_episode_ceased": rec,
        }
    )
    return frame.sort_values(["person_id", "start_date"], kind="stable").reset_index(drop=True)


def _placement_group(age_months, uasc, legal) -> np.ndarray:
    group = np.digitize(age_months, (60, 120, 192))
    group = np.where(uasc, 4, group)
    return np.where(np.isin(legal, ("J1", "J2")), 5, group)


def _draw_places(rng, group: np.ndarray) -> np.ndarray:
    out = np.empty(len(group), dtype=np.int64)
    for g, mix in enumerate(PLACE_MIX):
        rows = np.flatnonzero(group == g)
        p = np.array(list(mix.values()))
        out[rows] = np.array([_P[c] for c in mix])[rng.choice(len(mix), len(rows), p=p / p.sum())]
    return out


def _changes(periods: Periods, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Change points: (period, day, new legal status or -1, new placement or -1)."""
    s, t, n = periods.start, periods.end, len(periods)
    legal0 = periods.legal
    parts = []

    def add(rows, day, legal=-1, place=-1):
        rows = np.flatnonzero(rows)
        parts.append(
            (
                rows,
                day[rows],
                np.broadcast_to(legal, (n,))[rows],
                np.broadcast_to(place, (n,))[rows],
            )
        )

    never = np.full(n, np.iinfo(np.int64).max)
    emergency = np.isin(legal0, ("L1", "L2")) & (t - s > 8)
    day = s + rng.integers(1, 9, size=n)
    add(emergency, day, _L["C1"])
    c1_from = np.where(legal0 == "C1", s, np.where(emergency, day, never))
    day = s + rng.integers(30, 241, size=n)
    v2 = (legal0 == "V2") & ~periods.uasc & (rng.random(n) < 0.25) & (day < t)
    add(v2, day, _L["C1"])
    c1_from = np.where(v2, day, c1_from)
    adoption = periods.outcome == _O["adoption"]
    e1_day = t - rng.integers(200, 331, size=n)
    adoption &= e1_day > s + 30
    c2_day = c1_from + rng.integers(90, 301, size=n)
    limit = np.where(adoption, e1_day, t)
    add((c1_from < never) & (c2_day < limit) & (rng.random(n) < 0.85), c2_day, _L["C2"])
    add(adoption, e1_day, _L["E1"])
    placed = t - rng.integers(60, 181, size=n)
    placed_ok = adoption & (placed > e1_day)
    add(placed_ok, placed, -1, np.where(rng.random(n) < 0.6, _P["A5"], _P["A6"]))
    band = np.where(periods.uasc, 4, np.digitize(periods.age_months, (60, 120, 192)))
    moves = rng.poisson(MOVES_PER_YEAR[band] * (t - s) / 365.25)
    moves = np.minimum(moves, 12) * ~placed_ok
    owner = np.repeat(np.arange(n), moves)
    day = s[owner] + 1 + np.floor(rng.random(len(owner)) * np.maximum(t[owner] - s[owner] - 1, 1))
    day = day.astype(np.int64)
    age_at = periods.age_months[owner] + (day - s[owner]) // 30
    group = _placement_group(age_at, periods.uasc[owner], legal0[owner])
    parts.append((owner, day, np.full(len(owner), -1), _draw_places(rng, group)))
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(4))


def _episodes(periods: Periods, rng) -> dict[str, np.ndarray]:
    n = len(periods)
    s, t = periods.start, periods.end
    group = _placement_group(periods.age_months, periods.uasc, periods.legal)
    cp, cday, clegal, cplace = _changes(periods, rng)
    inside = (cday > s[cp]) & (cday < t[cp])
    cp, cday, clegal, cplace = cp[inside], cday[inside], clegal[inside], cplace[inside]
    key = np.r_[np.arange(n), cp]
    day = np.r_[s, cday]
    legal = np.r_[[_L[c] for c in periods.legal], clegal].astype(np.int64)
    place = np.r_[_draw_places(rng, group), cplace].astype(np.int64)
    base = np.r_[np.ones(n, bool), np.zeros(len(cp), bool)]
    order = np.lexsort((~base, day, key))
    key, day, legal, place, base = key[order], day[order], legal[order], place[order], base[order]
    # merge change points on the same day of the same period
    first = np.r_[True, (key[1:] != key[:-1]) | (day[1:] != day[:-1])][: len(key)]
    starts = np.flatnonzero(first)
    if len(starts):
        legal = np.maximum.reduceat(legal, starts)
        place = np.maximum.reduceat(place, starts)
    key, day, base = key[starts], day[starts], base[starts]
    idx = np.arange(len(key))
    legal_f = legal[np.maximum.accumulate(np.where(legal >= 0, idx, 0))]
    place_f = place[np.maximum.accumulate(np.where(place >= 0, idx, 0))]
    prev_legal = np.r_[-1, legal_f[:-1]]
    prev_place = np.r_[-1, place_f[:-1]]
    legal_changed = ~base & (legal_f != prev_legal)
    place_changed = ~base & (place_f != prev_place)
    keep = base | legal_changed | place_changed
    key, day, legal_f, place_f = key[keep], day[keep], legal_f[keep], place_f[keep]
    legal_changed, place_changed, base = legal_changed[keep], place_changed[keep], base[keep]
    same_carer = rng.random(len(key)) < 0.1
    rne = np.select(
        [base, legal_changed & place_changed, legal_changed, place_changed & same_carer],
        ["S", np.where(same_carer, "U", "B"), "L", "T"],
        "P",
    ).astype(object)
    last = np.r_[key[1:] != key[:-1], True][: len(key)]
    end = np.where(last, t[key], np.r_[day[1:], 0])
    rec = np.where(last, periods.rec[key], "X1").astype(object)
    return {
        "child": periods.child[key],
        "start": day,
        "end": end,
        "rne": rne,
        "legal": LEGAL[legal_f],
        "need": periods.need[key],
        "place": PLACES[place_f],
        "rec": rec,
    }


def _short_breaks(periods: Periods, pop: Population, grid: MonthGrid, rng) -> dict:
    eligible = np.flatnonzero(pop.disability & ~pop.uasc)
    chosen = eligible[rng.random(len(eligible)) < SHORT_BREAK_SHARE]
    lo = np.maximum(grid.first_day(pop.birth_month[chosen] + 48), grid.start_day)
    hi = np.minimum(grid.first_day(pop.birth_month[chosen] + AGE_OUT_MONTHS) - 1, grid.end_day)
    ok = hi - lo > 60
    chosen, lo, hi = chosen[ok], lo[ok], hi[ok]
    if not len(chosen):
        return _stays(
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, bool),
            rng,
        )
    agreements = rng.random(len(chosen)) < 0.4
    gap_lo = np.where(agreements, 30, 60)
    gap_hi = np.where(agreements, 90, 150)
    n_max = ((hi - lo) // gap_lo + 1).astype(np.int64)
    owner = np.repeat(np.arange(len(chosen)), n_max)
    gaps = gap_lo[owner] + np.floor(rng.random(len(owner)) * (gap_hi - gap_lo)[owner])
    length = np.where(
        agreements[owner], rng.integers(150, 366, len(owner)), rng.integers(2, 5, len(owner))
    )
    step = gaps + length
    total = np.cumsum(step)
    first_row = np.r_[0, np.cumsum(n_max)[:-1]]
    cum = total - np.repeat(total[first_row] - step[first_row], n_max)
    start = lo[owner] + (cum - length).astype(np.int64)
    end = start + length
    keep = end <= hi[owner]
    owner, start, end = owner[keep], start[keep], end[keep]
    child = chosen[owner]
    clash = _touches_care(periods, child, start, end)
    child, start, end = child[~clash], start[~clash], end[~clash]
    return _stays(child, start, end, agreements[owner[~clash]], rng)


def _stays(child, start, end, agreement, rng) -> dict:
    k = len(child)
    return {
        "child": child,
        "start": start,
        "end": end,
        "rne": np.full(k, "S", dtype=object),
        "legal": np.where(agreement, "V4", "V3").astype(object),
        "need": np.full(k, "N2", dtype=object),
        "place": np.where(rng.random(k) < 0.6, "K2", "U6").astype(object),
        "rec": np.full(k, "E4A", dtype=object),
    }


def _touches_care(periods: Periods, child, start, end) -> np.ndarray:
    """Whether each stay overlaps or touches (within a day) a period of care of the child."""
    if not len(periods) or not len(child):
        return np.zeros(len(child), bool)
    base = min(int(periods.start.min()), int(start.min())) - 2
    pkey = (periods.child << 22) | (periods.start - base)
    pos = np.searchsorted(pkey, (child << 22) | (end + 1 - base), "right") - 1
    valid = pos >= 0
    pos = np.maximum(pos, 0)
    same = valid & (periods.child[pos] == child)
    return same & (periods.end[pos] + 1 >= start)
