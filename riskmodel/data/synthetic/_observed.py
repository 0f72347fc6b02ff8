"""What the records show, month by month: the evidence of the achievable-risk filter.

The canonical tables of a synthetic authority are binned into one row per child and
one column per month of the period (month 0 is the data's start): the counts of each
signal family the generator draws from the latent state (see :mod:`._signals`), the
referrals and whether a referral could have been made that month (no CIN case open
at the month's start, see :mod:`._casework`), and the child's care status (at home,
entering care, looked after, after permanence, gone) from its periods of care.

Only months before each as-of month are ever read from these arrays, so what is
recorded on or after an as-of date cannot reach the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import riskmodel.data.synthetic._params as P
from riskmodel.data._codes import ETHNIC_GROUPS

__all__ = ["CARE", "ENTRY", "GONE", "HOME", "Evidence", "Persons", "read_evidence", "take"]

HOME, ENTRY, CARE, GONE = range(4)
"""Care status of a child in a month: at home and at risk, entering care that month,
looked after for the whole month's recording, gone (left the authority)."""

_COUNTED = (
    "contact",
    "referral",
    "police_domestic_abuse",
    "missing_episode",
    "suspension",
    "early_help_start",
    "cp_plan_end",
    "cin_plan_end",
    "s47_start",
)
_YJ_CODES = {code: i for i, code in enumerate(P.YOUTH_JUSTICE_OUTCOMES)}
_OPEN_RANK = {"cin_closure": 0, "referral": 1, "referral_nfa": 2}
_OPENS = ("referral", "cin_plan_start", "cp_plan_start")
_BITS = 22


@dataclass(frozen=True)
class Persons:
    """What ``persons`` records of each child, in the truth's child order."""

    birth_month: np.ndarray
    male: np.ndarray
    disability: np.ndarray
    tier: np.ndarray
    log_effect: np.ndarray  # log fixed effect before frailty and the normaliser
    uasc: np.ndarray
    recorded: np.ndarray
    group: np.ndarray
    household: np.ndarray


@dataclass(frozen=True)
class Evidence:
    """Evidence of a batch of children, arrays of shape (children, months)."""

    counts: dict[str, np.ndarray]
    exclusion: np.ndarray
    youth_justice: np.ndarray  # (children, months, outcome codes)
    eligible: np.ndarray
    known: np.ndarray
    help_closed: np.ndarray
    s47_usable: np.ndarray
    s47_seen: np.ndarray
    on_cp: np.ndarray  # on a child protection plan at the month's start
    on_cin: np.ndarray  # on a CIN plan at the month's start, with no enquiry since it began
    status: np.ndarray
    permanence: np.ndarray
    history: np.ndarray


def take(ev: Evidence, rows) -> Evidence:
    """Return the evidence of some of the children (rows of every array)."""
    fields = {name: getattr(ev, name) for name in Evidence.__dataclass_fields__}
    fields = {
        k: v[rows] if k != "counts" else {c: a[rows] for c, a in v.items()}
        for k, v in fields.items()
    }
    return Evidence(**fields)


def read_persons(persons: pd.DataFrame, person_ids: pd.Index, grid) -> Persons:
    """Read the children's demographics from ``persons`` (``recorded``: the child is there)."""
    table = persons.drop_duplicates("person_id")
    table = table.set_index(table["person_id"].astype(str))
    recorded = person_ids.isin(table.index)
    table = table.reindex(person_ids)
    dob = table["date_of_birth"].fillna(pd.Timestamp("1970-01-01"))
    day = dob.to_numpy().astype("datetime64[D]").astype(np.int64)
    no_household = pd.Series(index=table.index, dtype=object)
    group = table["ethnicity"].map(ETHNIC_GROUPS).fillna("Unknown")
    male = (table["sex"] == "M").to_numpy()
    disability = table["disability"].fillna(False).to_numpy(dtype=bool)
    tier = np.digitize(table["imd_decile"].fillna(5).to_numpy(dtype=np.int64), [4, 8])
    log_effect = (
        group.map(P.ETHNIC_GROUP_EFFECT).to_numpy(dtype=float)
        + P.DISABILITY_EFFECT * disability
        + P.MALE_EFFECT * male
        + P.TIER_EFFECT[tier]
    )
    return Persons(
        birth_month=grid.month_of(day),
        male=male,
        disability=disability,
        tier=tier,
        log_effect=log_effect,
        uasc=table["uasc"].fillna(False).to_numpy(dtype=bool),
        recorded=recorded,
        group=group.to_numpy(dtype=object),
        household=_households(table.get("household_id", no_household)),
    )


def _households(household_id: pd.Series) -> np.ndarray:
    """Integer household codes; a child with no household id is a household of its own."""
    codes = pd.factorize(household_id)[0]
    alone = np.flatnonzero(codes < 0)
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(len(alone))
    return codes


def event_arrays(events: pd.DataFrame, person_ids: pd.Index) -> dict[str, np.ndarray]:
    """Child index, day, type and code of every event of a child of the authority."""
    child = person_ids.get_indexer(events["person_id"].astype(str))
    keep = child >= 0
    day = events["event_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    kind = events["event_type"].astype(str).to_numpy()
    code = events["code"].astype(object).to_numpy()
    order = np.argsort(child[keep], kind="stable")
    return {
        "child": child[keep][order],
        "day": day[keep][order],
        "kind": kind[keep][order],
        "code": code[keep][order],
    }


def read_evidence(events: dict, children: np.ndarray, n_months: int, grid, truth) -> Evidence:
    """Bin the events and care periods of ``children`` (truth indices) by month."""
    n = len(children)
    local = np.full(len(truth.person_ids), -1)
    local[children] = np.arange(n)
    lo = np.searchsorted(events["child"], children, "left")
    hi = np.searchsorted(events["child"], children, "right")
    rows = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)] or [[]])
    rows = rows.astype(np.int64)
    who, day = local[events["child"][rows]], events["day"][rows]
    kind, code = events["kind"][rows], events["code"][rows]
    month = grid.month_of(day)
    inside = (month >= 0) & (month < n_months)
    flat = who * n_months + month

    def count(mask) -> np.ndarray:
        sel = mask & inside
        out = np.bincount(flat[sel], minlength=n * n_months).reshape(n, n_months)
        return out.astype(np.int32)

    counts = {name: count(kind == name) for name in _COUNTED}
    counts["contact"] = np.maximum(counts["contact"] - counts["referral"], 0)
    youth = np.zeros((n, n_months, len(_YJ_CODES)), dtype=np.int32)
    for name, k in _YJ_CODES.items():
        youth[..., k] = count((kind == "youth_justice_outcome") & (code == name))
    first = grid.first_day(np.arange(n_months))
    case_open = _open_at(who, day, kind, _OPENS, ("cin_closure", "referral_nfa"), n, first)
    help_open = _open_at(who, day, kind, ("early_help_start",), ("early_help_end",), n, first)
    on_cp = _open_at(who, day, kind, ("cp_plan_start",), ("cp_plan_end",), n, first)
    on_cin = _open_at(who, day, kind, ("cin_plan_start",), ("cin_plan_end",), n, first)
    on_cin &= _last_day(who, day, kind, "s47_start", n, first) < _last_day(
        who, day, kind, "cin_plan_start", n, first
    )
    usable, seen = _enquiries(who, day, kind, n, n_months, grid)
    status, permanence, history = _care_status(truth, children, local, n_months, grid)
    return Evidence(
        counts=counts,
        exclusion=np.minimum(count(kind == "permanent_exclusion"), 1),
        youth_justice=youth,
        eligible=~case_open,
        known=_known(who, day, kind, n, first),
        help_closed=~help_open,
        on_cp=on_cp,
        on_cin=on_cin,
        s47_usable=usable,
        s47_seen=seen,
        status=status,
        permanence=permanence,
        history=history,
    )


def _open_at(who, day, kind, opens, closes, n, first) -> np.ndarray:
    """Whether the last of ``opens``/``closes`` before each month's start opened, (n, months).

    On the same day, closing events count before opening ones, except that a
    referral with no further action (``referral`` then ``referral_nfa``) closes.
    """
    queries = (np.arange(n)[:, None] << _BITS) | (first[None, :] - 1 - _BASE)
    mark = np.isin(kind, (*opens, *closes))
    if not mark.any():
        return np.zeros(queries.shape, bool)
    rank = np.array([_OPEN_RANK.get(k, 1 if k in opens else 0) for k in kind[mark]])
    keys = (who[mark] << _BITS) | (day[mark] - _BASE)
    order = np.lexsort((rank, keys))
    keys, opened = keys[order], np.isin(kind[mark][order], opens)
    pos = np.searchsorted(keys, queries, "right") - 1
    safe = np.maximum(pos, 0)
    return (pos >= 0) & ((keys[safe] >> _BITS) == np.arange(n)[:, None]) & opened[safe]


def _last_day(who, day, kind, name, n, first) -> np.ndarray:
    """Day of the last ``name`` event before each month's start (far past if none)."""
    queries = (np.arange(n)[:, None] << _BITS) | (first[None, :] - 1 - _BASE)
    sel = kind == name
    out = np.full(queries.shape, np.iinfo(np.int64).min)
    if not sel.any():
        return out
    keys = np.sort((who[sel] << _BITS) | (day[sel] - _BASE))
    pos = np.searchsorted(keys, queries, "right") - 1
    safe = np.maximum(pos, 0)
    valid = (pos >= 0) & ((keys[safe] >> _BITS) == np.arange(n)[:, None])
    return np.where(valid, (keys[safe] & ((1 << _BITS) - 1)) + _BASE, out)


def _known(who, day, kind, n, first) -> np.ndarray:
    """Return whether a referral was made in the 365 days before each month's start."""
    queries = (np.arange(n)[:, None] << _BITS) | (first[None, :] - 1 - _BASE)
    ref = kind == "referral"
    if not ref.any():
        return np.zeros(queries.shape, bool)
    keys = np.sort((who[ref] << _BITS) | (day[ref] - _BASE))
    pos = np.searchsorted(keys, queries, "right") - 1
    safe = np.maximum(pos, 0)
    valid = (pos >= 0) & ((keys[safe] >> _BITS) == np.arange(n)[:, None])
    last = (keys[safe] & ((1 << _BITS) - 1)) + _BASE
    return valid & (first[None, :] - last < 365)


def _enquiries(who, day, kind, n, n_months, grid) -> tuple[np.ndarray, np.ndarray]:
    """Section 47 enquiries after a referral that opened a case, (n, months) each.

    ``usable``: the month's referral opened a case and its enquiry window (the
    referral day and 7 days after) ends within the month (the referral day carries
    no information about the state, so this choice leaves the filter honest);
    ``seen``: an enquiry started in that window.
    """
    usable = np.zeros((n, n_months), bool)
    seen = np.zeros((n, n_months), bool)
    nfa = (who[kind == "referral_nfa"] << _BITS) | (day[kind == "referral_nfa"] - _BASE)
    ref = kind == "referral"
    c, r = who[ref], day[ref]
    m = grid.month_of(r)
    keep = (m >= 0) & (m < n_months) & (r + 7 < grid.first_day(m + 1))
    keep &= ~np.isin((c << _BITS) | (r - _BASE), nfa)
    c, r, m = c[keep], r[keep], m[keep]
    s47 = np.sort((who[kind == "s47_start"] << _BITS) | (day[kind == "s47_start"] - _BASE))
    lo = np.searchsorted(s47, (c << _BITS) | (r - _BASE), "left")
    hi = np.searchsorted(s47, (c << _BITS) | (r + 7 - _BASE), "right")
    usable[c, m] = True
    seen[c, m] = hi > lo
    return usable, seen


_BASE = int(np.datetime64("1900-01-01", "D").astype(np.int64))


def _care_status(truth, children, local, n_months, grid):
    """Status, permanence and care history of each child in each month, from its periods."""
    n = len(children)
    status = np.full((n, n_months), HOME, dtype=np.int8)
    permanence = np.zeros((n, n_months), bool)
    history = np.full((n, n_months), P.HISTORY_NEVER, dtype=np.int64)
    mine = np.flatnonzero(local[truth._period_child] >= 0)
    entry = grid.month_of(truth._period_start[mine])
    leave = grid.month_of(truth._period_end[mine])
    for i, em, xm, hist in zip(
        local[truth._period_child[mine]], entry, leave, truth._period_history[mine], strict=True
    ):
        if 0 <= em < n_months:
            status[i, em] = ENTRY
        status[i, max(em + 1, 0) : max(xm + 1, 0)] = CARE
        after = max(xm + 1, 0)
        history[i, after:] = hist
        permanence[i, after:] = hist == P.HISTORY_PERMANENCE
        if hist == P.HISTORY_LEFT:
            status[i, after:] = GONE
    return status, permanence, history
