"""Signals recorded by other services: contacts, police, schools, missing, youth justice.

Every month, each child present in the authority may generate events whose monthly
rates depend on the latent state in force that month: contacts to the front door and
police domestic abuse notifications (household stress, scaled by the reporting bias),
missing episodes, suspensions and permanent exclusions, youth justice outcomes
(child level), and at the end of each school term the fraction of sessions missed
(average stress and child level over the term). The household's stress does not count
for children who are looked after or who left care through adoption, special
guardianship or a child arrangements order: they no longer live there.
"""

from __future__ import annotations

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._sink import EventSink

__all__ = ["Signals"]

_SOURCES = np.array(list(P.REFERRAL_SOURCES), dtype=object)
_SOURCE_P = np.array(list(P.REFERRAL_SOURCES.values())) / sum(P.REFERRAL_SOURCES.values())
_YJ = np.array(P.YOUTH_JUSTICE_OUTCOMES, dtype=object)
_YJ_CUM = np.cumsum(P.YOUTH_JUSTICE_MIX, axis=1)


class Signals:
    """Monthly signal events (see the module docstring)."""

    def __init__(
        self,
        pop,
        grid,
        rng: np.random.Generator,
        sink: EventSink,
        bias,
        bias_household,
        bias_day: int = np.iinfo(np.int64).min,
    ):
        self.pop, self.grid, self.rng, self.sink = pop, grid, rng, sink
        self.bias, self.bias_household = bias, bias_household
        self.bias_day = bias_day
        self.in_force = False  # set each month
        self.sum_stress = np.zeros(pop.n)
        self.sum_level = np.zeros(pop.n)
        self.months = np.zeros(pop.n)

    def month(
        self,
        m: int,
        present,
        in_care,
        with_family,
        stress_eff,
        stress_household,
        level,
        age_months,
    ):
        """Write the signals of month ``m`` for children ``present``.

        ``with_family`` marks children living with their household (not looked after,
        not adopted or under a special guardianship or child arrangements order).
        """
        first, days = int(self.grid.first_day(m)), int(self.grid.days_in(m))
        self.in_force = first >= self.bias_day  # the reporting bias applies this month
        calendar_month = (
            int(np.datetime64(first, "D").astype("datetime64[M]").astype(int) % 12) + 1
        )
        age = age_months // 12
        home = present & ~in_care
        self._counts(
            home,
            P.CONTACT_STRESS[stress_eff] + P.CONTACT_CHILD[level],
            first,
            days,
            "contact",
            bias=True,
            codes=(_SOURCES, _SOURCE_P),
        )
        missing = np.where(age >= 10, 1.0, np.where(age >= 8, 0.2, 0.0)) * P.MISSING_CHILD[level]
        self._missing(
            present, missing * np.where(in_care, P.MISSING_IN_CARE, 1.0), in_care, first, days
        )
        school = present & (age >= 5) & (age <= 15)
        if calendar_month != 8:
            rate = P.SUSPENSION_CHILD[level] + P.SUSPENSION_STRESS[stress_eff]
            self._counts(school, rate, first, days, "suspension")
            out = np.flatnonzero(school & (self.rng.random(len(level)) < P.EXCLUSION_CHILD[level]))
            self.sink.add(out, self._days(first, days, len(out)), "permanent_exclusion")
        youth = present & (age >= 10)
        rate = P.YOUTH_JUSTICE_CHILD[level] * np.where(self.pop.male, P.YOUTH_JUSTICE_MALE, 0.7)
        self._youth_justice(youth, rate, level, first, days)
        self._police(present & with_family, stress_household, first, days)
        self._absence(present, school, in_care, stress_eff, level, first, days, calendar_month)

    def _days(self, first: int, days: int, size: int) -> np.ndarray:
        return first + np.floor(self.rng.random(size) * days).astype(np.int64)

    def _draw(self, mask, rate, bias: bool = False) -> np.ndarray:
        idx = np.flatnonzero(mask)
        lam = np.asarray(rate)[idx] * (self.bias[idx] if bias and self.in_force else 1.0)
        counts = self.rng.poisson(lam)
        return np.repeat(idx, counts)

    def _counts(self, mask, rate, first, days, kind, bias=False, codes=None) -> None:
        rows = self._draw(mask, rate, bias)
        code = None if codes is None else self.rng.choice(codes[0], size=len(rows), p=codes[1])
        self.sink.add(rows, self._days(first, days, len(rows)), kind, code)

    def _missing(self, present, rate, in_care, first, days) -> None:
        rows = self._draw(present, rate)
        away = in_care[rows] & (self.rng.random(len(rows)) < P.AWAY_SHARE_IN_CARE)
        self.sink.add(
            rows,
            self._days(first, days, len(rows)),
            "missing_episode",
            np.where(away, "A", "M").astype(object),
        )

    def _youth_justice(self, youth, rate, level, first, days) -> None:
        rows = self._draw(youth, rate)
        u = self.rng.random(len(rows))[:, None]
        codes = _YJ[np.minimum((u > _YJ_CUM[level[rows]]).sum(1), len(_YJ) - 1)]
        self.sink.add(rows, self._days(first, days, len(rows)), "youth_justice_outcome", codes)

    def _police(self, at_home, stress_household, first, days) -> None:
        """Domestic abuse notifications: one per household incident, one row per child there."""
        pop = self.pop
        households = np.unique(pop.household[at_home])
        h = stress_household[households]
        da = pop.traits[households, 0]
        lam = P.POLICE_DA_STRESS[h] * np.where(da, 1.0, P.POLICE_DA_WITHOUT_TRAIT)
        scale = self.bias_household[households] if self.in_force else 1.0
        counts = self.rng.poisson(lam * scale)
        incident_household = np.repeat(households, counts)
        incident_day = self._days(first, days, len(incident_household))
        children = np.flatnonzero(at_home)
        children = children[np.argsort(pop.household[children], kind="stable")]
        sorted_h = pop.household[children]
        lo = np.searchsorted(sorted_h, incident_household, "left")
        hi = np.searchsorted(sorted_h, incident_household, "right")
        size = hi - lo
        which = np.repeat(np.arange(len(lo)), size)
        offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        rows = children[lo[which] + offset]
        self.sink.add(rows, incident_day[which], "police_domestic_abuse")

    def _absence(self, present, school, in_care, stress_eff, level, first, days, cal_month):
        self.sum_stress += np.where(present, stress_eff, 0)
        self.sum_level += np.where(present, level, 0)
        self.months += present
        ends = [d for mo, d in P.TERM_ENDS if mo == cal_month]
        if not ends:
            return
        day = first + ends[0] - 1
        rows = np.flatnonzero(school & (self.months > 0))
        mean_h = self.sum_stress[rows] / self.months[rows]
        mean_c = self.sum_level[rows] / self.months[rows]
        mean = (
            P.ABSENCE_BASE
            + P.ABSENCE_STRESS * mean_h
            + P.ABSENCE_CHILD * mean_c
            + P.ABSENCE_DISABILITY * self.pop.disability[rows]
        )
        mean = np.clip(mean, 0.005, 0.9)
        value = self.rng.beta(mean * P.ABSENCE_CONCENTRATION, (1 - mean) * P.ABSENCE_CONCENTRATION)
        self.sink.add(rows, day, "absence_rate", value=np.round(value, 3))
        self.sum_stress[:] = 0
        self.sum_level[:] = 0
        self.months[:] = 0
