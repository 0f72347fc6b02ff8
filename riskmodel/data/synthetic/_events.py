"""Turning the latent paths and periods of care into the recorded ``events`` table.

Recording runs month by month from two years before the period (so that cases open
at the start of the period have their history, as in the CIN census), after the
latent simulation and without feeding back into it. Three rules keep the recorded
history honest (never informed by the future):

* a row of the natural casework process exists only if the child had not entered
  care by its date: a child who is removed from home does not get the plan that was
  about to start (rows dated on or after the entry are removed);
* the events written on a care entry (a referral and assessment if no CIN episode was
  open, the end of open plans and early help) are dated on the entry day;
* rows before the period are kept only for a CIN episode still open at its start.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._casework import CARE, NEVER, Casework
from riskmodel.data.synthetic._factors import draw_factors
from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._periods import Periods
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS, Population
from riskmodel.data.synthetic._process import LatentPaths
from riskmodel.data.synthetic._signals import Signals
from riskmodel.data.synthetic._sink import KEEP, OUTPUT_TYPES, TYPES, EventSink, take

__all__ = ["record_events"]

REFORM_DATE = np.datetime64("2021-04-01")
"""Assessments authorised from this date use the 2021-22 factor codes (18B/C, 19B/C, 24A)."""

_BITS = 22
_CARE_SOURCES = (
    np.array(list(P.CARE_ENTRY_SOURCES), dtype=object),
    np.array(list(P.CARE_ENTRY_SOURCES.values())),
)
_UASC_SOURCES = (
    np.array(list(P.UASC_SOURCES), dtype=object),
    np.array(list(P.UASC_SOURCES.values())),
)


def record_events(
    pop: Population,
    grid: MonthGrid,
    paths: LatentPaths,
    periods: Periods,
    rngs: dict[str, np.random.Generator],
    bias: np.ndarray,
    bias_household: np.ndarray,
    bias_day: int | None = None,
) -> pd.DataFrame:
    """Simulate the recording process and return the canonical ``events`` frame.

    With ``bias_day`` (a day number, the first of a month), the reporting bias applies
    from that day on. The rows dated before it are then exactly those of the unbiased
    recording: the casework and signals streams are copied and the recording is also
    simulated without bias, because the draws made after the months (assessment
    factors, the events of care entries) depend on everything before them. Until
    ``bias_day`` both recordings are in the same state, so the two parts join up.
    """
    if bias_day is None:
        return _to_frame(_recorded(pop, grid, paths, periods, rngs, bias, bias_household), pop)
    copies = {name: copy.deepcopy(rngs[name]) for name in ("casework", "signals")}
    ones = np.ones_like(bias), np.ones_like(bias_household)
    before = _recorded(pop, grid, paths, periods, copies, *ones)
    after = _recorded(pop, grid, paths, periods, rngs, bias, bias_household, bias_day)
    table = {
        f: np.concatenate(
            [before[f][before["day"] < bias_day], after[f][after["day"] >= bias_day]]
        )
        for f in before
    }
    return _to_frame(table, pop)


def _recorded(pop, grid, paths, periods, rngs, bias, bias_household, bias_day=NEVER) -> dict:
    """Simulate the recording month by month; return the rows kept, as a table."""
    sink = EventSink()
    reform_day = int(REFORM_DATE.astype(np.int64))
    case = Casework(pop, grid, rngs["casework"], sink, bias, reform_day, bias_day)
    signals = Signals(pop, grid, rngs["signals"], sink, bias, bias_household, bias_day)
    first_month = paths.first_month
    _initial_state(case, periods, int(grid.first_day(first_month)))
    entry_month = grid.month_of(periods.start)
    exit_month = grid.month_of(periods.end)
    for m in range(first_month, grid.n_months):
        first, days = int(grid.first_day(m)), int(grid.days_in(m))
        stress_h, level = paths.at(m)
        level = level.astype(np.int64)
        age = m - pop.birth_month
        arrived = ~pop.uasc | (pop.arrival_month < m)
        present = (age >= 0) & (age < AGE_OUT_MONTHS) & arrived & ~case.gone
        in_care = case.case == CARE
        with_family = ~case.permanence & ~in_care
        stress_eff = np.where(with_family, stress_h.astype(np.int64)[pop.household], 0)
        case.month(first, days, present, stress_eff, level, age // 12)
        if m >= 0:
            signals.month(m, present, in_care, with_family, stress_eff, stress_h, level, age)
        entering = np.flatnonzero(entry_month == m)
        case.enter_care(periods.child[entering])
        leaving = np.flatnonzero(exit_month == m)
        case.leave_care(
            periods.child[leaving], periods.end[leaving], periods.outcome[leaving], first
        )
    case.flush()
    table = _drop_after_entries(sink.table(), periods)
    table = _add_entry_events(table, periods, pop, grid, paths, rngs["casework"], reform_day)
    return _retain(table, pop, grid)


def _initial_state(case: Casework, periods: Periods, first_day: int) -> None:
    """Care state of each child when recording starts."""
    before = periods.start < first_day
    case.enter_care(periods.child[before & (periods.end >= first_day)])
    done = np.flatnonzero(before & (periods.end < first_day))
    child = periods.child[done]
    done = done[np.append(child[1:] != child[:-1], True)[: len(done)]]
    case.permanence[periods.child[done]] = periods.history[done] == P.HISTORY_PERMANENCE
    case.gone[periods.child[done]] = periods.history[done] == P.HISTORY_LEFT


def _keys(child: np.ndarray, day: np.ndarray, base: int) -> np.ndarray:
    return (np.asarray(child, np.int64) << _BITS) | (np.asarray(day, np.int64) - base)


def _drop_after_entries(table: dict, periods: Periods) -> dict:
    """Remove natural casework rows dated on or after a care entry that followed them."""
    natural = np.flatnonzero(table["anchor"] != KEEP)
    if not len(periods) or not len(natural):
        return table
    base = int(min(periods.start.min(), table["generated"].min())) - 1
    pkeys = _keys(periods.child, periods.start, base)
    child = table["child"][natural]
    pos = np.searchsorted(pkeys, _keys(child, table["generated"][natural], base), "left")
    found = pos < len(pkeys)
    pos = np.minimum(pos, len(pkeys) - 1)
    found &= periods.child[pos] == child
    drop = found & (periods.start[pos] <= table["anchor"][natural])
    keep = np.ones(len(table["child"]), bool)
    keep[natural[drop]] = False
    return take(table, keep)


def _last_before(table: dict, kind: str, child: np.ndarray, day: np.ndarray, base: int):
    """Day and row of the last ``kind`` row of each child strictly before ``day``."""
    rows = np.flatnonzero(table["kind"] == TYPES[kind])
    keys = _keys(table["child"][rows], table["day"][rows], base)
    order = np.argsort(keys, kind="stable")
    rows, keys = rows[order], keys[order]
    pos = np.searchsorted(keys, _keys(child, day, base), "left") - 1
    valid = pos >= 0
    pos = np.maximum(pos, 0)
    if len(rows):
        valid &= table["child"][rows[pos]] == child
        found = np.where(valid, table["day"][rows[pos]], np.iinfo(np.int64).min)
        return found, np.where(valid, rows[pos], -1)
    return np.full(len(child), np.iinfo(np.int64).min), np.full(len(child), -1)


def _open_at(table: dict, child: np.ndarray, day: np.ndarray, base: int) -> dict:
    """Find what was open for each child just before ``day``: CIN episode, plans, early help."""

    def opened(start_kind, end_kind):
        started, row = _last_before(table, start_kind, child, day, base)
        ended, _ = _last_before(table, end_kind, child, day, base)
        return started > ended, started, row

    episode, referral_day, _ = opened("referral_open", "cin_closure")
    cp, _, cp_row = opened("cp_plan_start", "cp_plan_end")
    return {
        "episode": episode,
        "referral_day": referral_day,
        "cp": cp,
        "cp_code": np.where(cp, table["code"][np.maximum(cp_row, 0)], None),
        "cin": opened("cin_plan_start", "cin_plan_end")[0],
        "early_help": opened("early_help_start", "early_help_end")[0],
    }


def _add_entry_events(table, periods, pop, grid, paths, rng, reform_day) -> dict:
    """Write the events of each care entry, in order of entry for each child."""
    in_window = np.flatnonzero(periods.start >= grid.first_day(paths.first_month))
    if not len(in_window):
        return table
    child = periods.child[in_window]
    rank = np.arange(len(child)) - np.searchsorted(child, child, "left")
    base = int(min(table["day"].min(initial=0), periods.start.min())) - 1
    for k in range(int(rank.max()) + 1):
        sel = in_window[rank == k]
        sink = EventSink()
        state = _open_at(table, periods.child[sel], periods.start[sel], base)
        _entry_rows(sink, sel, periods, state, pop, grid, paths, rng, reform_day)
        new = sink.table()
        table = {f: np.concatenate([table[f], new[f]]) for f in table}
    return table


def _entry_rows(sink, sel, periods, state, pop, grid, paths, rng, reform_day) -> None:
    child, day = periods.child[sel], periods.start[sel]
    uasc = pop.uasc[child]
    new = ~state["episode"]
    rows, days, young = child[new], day[new], uasc[new]
    codes = np.empty(len(rows), dtype=object)
    for flag, (names, p) in ((False, _CARE_SOURCES), (True, _UASC_SOURCES)):
        pick = young == flag
        codes[pick] = rng.choice(names, size=int(pick.sum()), p=p / p.sum())
    sink.add(rows, days, "contact", codes)
    sink.add(rows, days, "referral_open", codes)
    sink.add(rows, days, "assessment_start")
    age = (grid.month_of(days) - pop.birth_month[rows]) // 12
    s47 = ~young & (rng.random(len(rows)) < np.where(age < 10, 0.45, 0.3))
    sink.add(rows[s47], days[s47], "s47_start")
    month = grid.month_of(days) - paths.first_month
    stress = np.where(young, 0, paths.stress[month, pop.household[rows]]).astype(np.int64)
    level = paths.child[month, rows].astype(np.int64)
    authorised = days + rng.integers(10, 41, size=len(rows))
    idx, factor = draw_factors(
        rng,
        day=authorised,
        stress=stress,
        level=level,
        traits=pop.traits[pop.household[rows]],
        age=age,
        male=pop.male[rows],
        disability=pop.disability[rows],
        uasc=young,
        bias=np.ones(len(rows)),
        reform_day=reform_day,
    )
    sink.add(rows[idx], authorised[idx], "assessment_factor", factor)
    for flag, kind in (
        ("cp", "cp_plan_end"),
        ("cin", "cin_plan_end"),
        ("early_help", "early_help_end"),
    ):
        pick = state[flag]
        code = state["cp_code"][pick] if flag == "cp" else None
        sink.add(child[pick], day[pick], kind, code)


def _retain(table: dict, pop: Population, grid: MonthGrid) -> dict:
    """Keep rows in the period, plus earlier rows of a CIN episode open at its start."""
    start = grid.start_day
    early = table["day"] < start
    children = np.unique(table["child"][early])
    keep_from = np.full(pop.n, start, dtype=np.int64)
    if len(children):
        base = int(table["day"].min()) - 1
        state = _open_at(table, children, np.full(len(children), start), base)
        keep_from[children] = np.where(state["episode"], state["referral_day"], start)
    child, day = table["child"], table["day"]
    birthday18 = grid.first_day(pop.birth_month + AGE_OUT_MONTHS)
    keep = (day >= keep_from[child]) & (day <= grid.end_day) & (day <= birthday18[child])
    return take(table, keep)


def _to_frame(table: dict, pop: Population) -> pd.DataFrame:
    kind = table["kind"].astype(np.int64)
    sort_kind = np.where(kind == TYPES["referral_open"], TYPES["referral"], kind)
    order = np.lexsort((sort_kind, table["day"], table["child"]))
    return pd.DataFrame(
        {
            "person_id": pop.person_id[table["child"][order]],
            "event_date": table["day"][order].astype("datetime64[D]").astype("datetime64[ns]"),
            "event_type": OUTPUT_TYPES[kind[order]],
            "code": table["code"][order],
            "value": table["value"][order],
        }
    )
