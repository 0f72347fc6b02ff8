"""The children's-services casework process: referrals, assessments, plans, early help.

Each child not looked after is in one casework state: no open case, an open referral
being assessed, open after assessment without a plan, on a child in need (CIN) plan,
or on a child protection (CP) plan. Monthly probabilities that depend on the latent
stress and child level (and, for what is *recorded* at the front door, on the
reporting bias) move children between states, and every move writes the events of
the CIN census: referral (with its source, or no further action), assessment start,
section 47 enquiry, initial child protection conference, plan starts and ends,
closure with its reason, early help starts and ends.

Care entries and exits are not decided here: they come from the latent simulation.
Entering care makes the case "looked after" (the events written on the entry date
are added afterwards, see :mod:`._events`); leaving care closes the case or starts a
CIN plan, with the closure reason matching how the period ended.
"""

from __future__ import annotations

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._factors import draw_factors
from riskmodel.data.synthetic._periods import OUTCOME_NAMES
from riskmodel.data.synthetic._sink import EventSink

__all__ = ["CARE", "Casework"]

NONE, ASSESS, OPEN, CIN, CP, CARE = range(6)
CLOSE, CLOSE_EH, TO_OPEN, TO_CIN, TO_CP, CIN_TO_CP = range(6)
NEVER = np.iinfo(np.int64).min

_SOURCES = np.array(list(P.REFERRAL_SOURCES), dtype=object)
_SOURCE_P = np.array(list(P.REFERRAL_SOURCES.values())) / sum(P.REFERRAL_SOURCES.values())
_CP_MIX = np.array([[0.55, 0.10, 0.05, 0.18, 0.12], [0.30, 0.08, 0.03, 0.47, 0.12]])
_LEAVING = {
    "adoption": ("RC1", "permanence"),
    "sgo": ("RC4", "permanence"),
    "cao": ("RC3", "permanence"),
    "transfer": ("RC5", "gone"),
    "age18": ("RC7", "gone"),
    "age_disputed": ("RC7", "gone"),
    "moved_abroad": ("RC7", "gone"),
}


class Casework:
    """Casework state of every child, advanced month by month (see the module docstring)."""

    def __init__(
        self,
        pop,
        grid,
        rng: np.random.Generator,
        sink: EventSink,
        bias,
        reform_day,
        bias_day=NEVER,
    ):
        n = pop.n
        self.pop, self.grid, self.rng, self.sink = pop, grid, rng, sink
        self.bias = bias
        self.bias_day = bias_day
        self.reform_day = reform_day
        self.case = np.zeros(n, dtype=np.int8)
        self.due = np.zeros(n, dtype=np.int64)
        self.due_outcome = np.zeros(n, dtype=np.int8)
        self.plan_start = np.full(n, NEVER)
        self.busy_until = np.full(n, NEVER)
        self.last_referral = np.full(n, NEVER)
        self.cp_code = np.full(n, None, dtype=object)
        self.eh_open = np.zeros(n, dtype=bool)
        self.eh_start = np.full(n, NEVER)
        self.permanence = np.zeros(n, dtype=bool)
        self.gone = np.zeros(n, dtype=bool)
        self._assessments: list[tuple[np.ndarray, ...]] = []

    def month(self, first: int, days: int, active, stress, level, age_years) -> None:
        """Advance the natural casework of ``active`` children through one month."""
        gen = {"generated": first}
        self._plans(first, days, active, stress, gen)
        self._referrals(first, days, active, stress, level, age_years, gen)
        self._early_help(first, days, active, stress, gen)
        self._resolve(first, days, stress, gen)

    def _days(self, first: int, days: int, size: int) -> np.ndarray:
        return first + np.floor(self.rng.random(size) * days).astype(np.int64)

    def _bias(self, first: int, idx: np.ndarray) -> np.ndarray:
        """Return the reporting bias of children ``idx`` in the month starting ``first``."""
        return self.bias[idx] if first >= self.bias_day else np.ones(len(idx))

    def _plans(self, first, days, active, stress, gen) -> None:
        rng, sink, case = self.rng, self.sink, self.case
        idx = np.flatnonzero(active & (case >= OPEN) & (case <= CP) & (self.plan_start < first))
        if not len(idx):
            return
        h, kind = stress[idx], case[idx]
        u_end, u_esc, u_next = rng.random((3, len(idx)))
        day = self._days(first, days, len(idx))
        cp = kind == CP
        ends = cp & (u_end < P.CP_END[h])
        sink.add(
            idx[ends], day[ends], "cp_plan_end", self.cp_code[idx[ends]], anchor=day[ends], **gen
        )
        down = ends & (u_next < P.CP_STEP_DOWN)
        self._start_cin_plan(idx[down], day[down], anchor=True, gen=gen)
        self._close(idx[ends & ~down], day[ends & ~down], "RC7", gen)
        escalate = ~cp & (u_esc < P.CIN_ESCALATE[h])
        sink.add(idx[escalate], day[escalate], "s47_start", anchor=day[escalate], **gen)
        conf = escalate & (u_next < P.ICPC_GIVEN_ESCALATION)
        icpc = day[conf] + rng.integers(8, 21, size=int(conf.sum()))
        sink.add(idx[conf], icpc, "icpc", anchor=icpc, **gen)
        self.case[idx[conf]] = ASSESS
        self.due[idx[conf]] = icpc
        self.due_outcome[idx[conf]] = np.where(kind[conf] == CIN, CIN_TO_CP, TO_CP)
        end_p = np.where(kind == CIN, P.CIN_END[h], P.OPEN_END[h])
        ends = ~cp & ~escalate & (u_end < end_p)
        planned = ends & (kind == CIN)
        sink.add(idx[planned], day[planned], "cin_plan_end", anchor=day[planned], **gen)
        to_eh = ends & (u_next < P.CLOSE_TO_EARLY_HELP)
        self._close(idx[ends & ~to_eh], day[ends & ~to_eh], "RC7", gen)
        self._close_to_early_help(idx[to_eh], day[to_eh], gen)

    def _referrals(self, first, days, active, stress, level, age_years, gen) -> None:
        """Refer children with no open case.

        A referral is *needed* with a monthly probability set by the latent state
        (higher in the year after a previous referral). Under a reporting bias
        ``f > 1`` the group's children are also referred when not needed, with ``f - 1``
        times that probability; these over-recorded referrals end with no further
        action, at referral or after an assessment. Under ``f < 1`` only a share ``f``
        of needed referrals is recorded.
        """
        rng, sink = self.rng, self.sink
        idx = np.flatnonzero(active & (self.case == NONE) & (self.busy_until < first))
        h, c = stress[idx], level[idx]
        p = (
            P.REFERRAL_STRESS[h]
            + P.REFERRAL_CHILD[c]
            + P.REFERRAL_DISABILITY * self.pop.disability[idx]
        )
        p = p * np.where(first - self.last_referral[idx] < 365, P.REFERRAL_KNOWN, 1.0)
        bias = self._bias(first, idx)
        u = rng.random(len(idx))
        needed = u < p * np.minimum(bias, 1.0)
        extra = ~needed & (u < p * bias)
        hit = needed | extra
        idx, h, c, extra = idx[hit], h[hit], c[hit], extra[hit]
        r = self._days(first, days, len(idx))
        self.last_referral[idx] = r
        source = rng.choice(_SOURCES, size=len(idx), p=_SOURCE_P)
        sink.add(idx, r, "contact", source, anchor=r, **gen)
        nfa = rng.random(len(idx)) < np.where(extra, 0.5, P.NFA_SHARE)
        sink.add(idx[nfa], r[nfa], "referral", source[nfa], anchor=r[nfa], **gen)
        sink.add(idx[nfa], r[nfa], "referral_nfa", anchor=r[nfa], **gen)
        self.busy_until[idx[nfa]] = r[nfa]
        keep = ~nfa
        sink.add(idx[keep], r[keep], "referral_open", source[keep], anchor=r[keep], **gen)
        self._assess(idx[keep], r[keep], h[keep], c[keep], age_years[idx[keep]], extra[keep], gen)

    def _assess(self, idx, r, h, c, age, extra, gen) -> None:
        """Open the referred children's cases: assessment, maybe section 47 and conference.

        The outcome (closure, early help, open without a plan, CIN or CP plan) is decided
        now from the latent state at referral and applied on its due date.
        """
        rng, sink, n = self.rng, self.sink, len(idx)
        stepped_up = self.eh_open[idx]
        sink.add(idx[stepped_up], r[stepped_up], "early_help_end", anchor=r[stepped_up], **gen)
        self.eh_open[idx] = False
        start = r + rng.integers(0, 6, size=n)
        sink.add(idx, start, "assessment_start", anchor=start, **gen)
        s47 = ~extra & (rng.random(n) < np.minimum(P.S47_STRESS[h] + P.S47_CHILD[c], 0.9))
        d47 = r + rng.integers(0, 8, size=n)
        sink.add(idx[s47], d47[s47], "s47_start", anchor=d47[s47], **gen)
        conf = s47 & (rng.random(n) < P.ICPC_GIVEN_S47[h])
        d_icpc = d47 + rng.integers(8, 21, size=n)
        sink.add(idx[conf], d_icpc[conf], "icpc", anchor=d_icpc[conf], **gen)
        authorised = start + rng.integers(10, 46, size=n)
        u = rng.random(n)
        cin, open_ = P.OUTCOME_CIN_PLAN[h], P.OUTCOME_OPEN[h]
        outcome = np.select(
            [u < cin, u < cin + open_, u < cin + open_ + P.OUTCOME_EARLY_HELP],
            [TO_CIN, TO_OPEN, CLOSE_EH],
            CLOSE,
        )
        cp = conf & (rng.random(n) < P.CP_GIVEN_ICPC)
        outcome = np.where(conf, np.where(cp, TO_CP, TO_CIN), np.where(extra, CLOSE, outcome))
        self.case[idx] = ASSESS
        self.due[idx] = np.where(conf, d_icpc, authorised)
        self.due_outcome[idx] = outcome
        self.assessment_factors(idx, authorised, h, c, age, anchor=r, gen=gen)

    def assessment_factors(self, idx, day, h, c, age, anchor, gen) -> None:
        """Queue the assessments of children ``idx`` authorised on ``day`` (see :meth:`flush`)."""
        anchor = np.broadcast_to(np.asarray(anchor, dtype=np.int64), (len(idx),))
        generated = np.full(len(idx), gen["generated"], dtype=np.int64)
        self._assessments.append((idx, day, h, c, age, anchor, generated))

    def flush(self) -> None:
        """Draw and write the factor rows of every queued assessment at once."""
        if not self._assessments:
            return
        idx, day, h, c, age, anchor, generated = (
            np.concatenate(parts) for parts in zip(*self._assessments, strict=True)
        )
        self._assessments = []
        pop, household = self.pop, self.pop.household[idx]
        rows, codes = draw_factors(
            self.rng,
            day=day,
            stress=h,
            level=c,
            traits=pop.traits[household],
            age=age,
            male=pop.male[idx],
            disability=pop.disability[idx],
            uasc=pop.uasc[idx],
            bias=np.where(day >= self.bias_day, self.bias[idx], 1.0),
            reform_day=self.reform_day,
        )
        self.sink.add(
            idx[rows],
            day[rows],
            "assessment_factor",
            codes,
            anchor=anchor[rows],
            generated=generated[rows],
        )

    def _early_help(self, first, days, active, stress, gen) -> None:
        rng, sink = self.rng, self.sink
        ending = np.flatnonzero(active & self.eh_open & (self.eh_start < first))
        ending = ending[rng.random(len(ending)) < P.EARLY_HELP_END]
        day = self._days(first, days, len(ending))
        sink.add(ending, day, "early_help_end", anchor=day, **gen)
        self.eh_open[ending] = False
        idx = np.flatnonzero(
            active & ~self.eh_open & (self.case == NONE) & (self.busy_until < first)
        )
        p = P.EARLY_HELP_START[stress[idx]] * self._bias(first, idx)
        idx = idx[rng.random(len(idx)) < p]
        day = self._days(first, days, len(idx))
        sink.add(idx, day, "early_help_start", anchor=day, **gen)
        self.eh_open[idx] = True
        self.eh_start[idx] = day

    def _resolve(self, first, days, stress, gen) -> None:
        idx = np.flatnonzero(
            (self.case == ASSESS) & (self.due >= first) & (self.due < first + days)
        )
        day, outcome = self.due[idx], self.due_outcome[idx]
        sel = outcome == CLOSE
        self._close(idx[sel], day[sel], "RC8", gen)
        sel = outcome == CLOSE_EH
        self._close_to_early_help(idx[sel], day[sel], gen)
        sel = outcome == TO_OPEN
        self.case[idx[sel]] = OPEN
        self.plan_start[idx[sel]] = day[sel]
        sel = outcome == TO_CIN
        self._start_cin_plan(idx[sel], day[sel], anchor=True, gen=gen)
        sel = (outcome == TO_CP) | (outcome == CIN_TO_CP)
        from_cin = outcome[sel] == CIN_TO_CP
        self.sink.add(
            idx[sel][from_cin],
            day[sel][from_cin],
            "cin_plan_end",
            anchor=day[sel][from_cin],
            **gen,
        )
        rows = idx[sel]
        da = self.pop.traits[self.pop.household[rows], 0].astype(int)
        u = self.rng.random(len(rows))[:, None]
        category = np.array(P.CP_CATEGORIES, dtype=object)[(u > np.cumsum(_CP_MIX[da], 1)).sum(1)]
        self.sink.add(rows, day[sel], "cp_plan_start", category, anchor=day[sel], **gen)
        self.case[rows] = CP
        self.plan_start[rows] = day[sel]
        self.cp_code[rows] = category

    def _start_cin_plan(self, idx, day, anchor: bool, gen) -> None:
        self.sink.add(idx, day, "cin_plan_start", anchor=day if anchor else None, **gen)
        self.case[idx] = CIN
        self.plan_start[idx] = day

    def _close(self, idx, day, reason: str, gen, anchor: bool = True) -> None:
        self.sink.add(idx, day, "cin_closure", reason, anchor=day if anchor else None, **gen)
        self.case[idx] = NONE
        self.busy_until[idx] = day

    def _close_to_early_help(self, idx, day, gen) -> None:
        self._close(idx, day, "RC9", gen)
        new = ~self.eh_open[idx]
        self.sink.add(idx[new], day[new], "early_help_start", anchor=day[new], **gen)
        self.eh_open[idx] = True
        self.eh_start[idx] = day

    def enter_care(self, idx: np.ndarray) -> None:
        """Children ``idx`` became looked after (their entry-day events come later)."""
        self.case[idx] = CARE
        self.eh_open[idx] = False

    def leave_care(self, idx, day, outcome, first: int) -> None:
        """Children ``idx`` stopped being looked after on ``day`` with ``outcome`` (indices)."""
        gen = {"generated": first}
        names = np.array(OUTCOME_NAMES, dtype=object)[outcome]
        self.permanence[idx] = False
        home = np.flatnonzero(names == "return_home")
        plan = home[self.rng.random(len(home)) < P.RETURN_HOME_CIN_PLAN]
        self._start_cin_plan(idx[plan], day[plan], anchor=False, gen=gen)
        done = np.ones(len(idx), bool)
        done[plan] = False
        for name, (reason, flag) in _LEAVING.items():
            sel = names == name
            if name == "age18":
                disabled = self.pop.disability[idx]
                self._close(idx[sel & disabled], day[sel & disabled], "RC6", gen, anchor=False)
                sel &= ~disabled
            self._close(idx[sel], day[sel], reason, gen, anchor=False)
            getattr(self, flag)[idx[names == name]] = True
            done &= names != name
        self._close(idx[done], day[done], "RC7", gen, anchor=False)
        self.gone[idx[self.pop.uasc[idx]]] = True
