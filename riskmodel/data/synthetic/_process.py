"""The latent process and the care-entry hazard, and the monthly simulation of care entries.

Each household's stress level (0-5) is a Markov chain whose monthly transition matrix
depends on the household's class (deprivation tier and chronic vulnerability). Each
child also has a child-level component (0-3: adolescent behaviour, going missing,
exploitation, gangs) that is frozen at 0 before age 10 and then moves with monthly
probabilities that rise in adolescence and with the household's stress. The pair
(stress, child level) is a 24-state Markov chain per child.

The monthly care-entry hazard of a child at risk (present, under 18, not looked after
at the start of the month, not UASC) is :func:`hazard` of the current state, age,
fixed effect, care history and label noise. The simulation draws entries from exactly
this hazard, which is what makes :class:`~riskmodel.data.synthetic.GroundTruth` exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._periods import Periods, draw_periods
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS, Population

__all__ = [
    "N_STATES",
    "LatentPaths",
    "child_band",
    "hazard",
    "joint_transition",
    "simulate",
]

N_STATES = P.N_STRESS * P.N_CHILD
STATE_STRESS = np.repeat(np.arange(P.N_STRESS), P.N_CHILD)
STATE_CHILD = np.tile(np.arange(P.N_CHILD), P.N_STRESS)
N_BANDS = 5


@lru_cache(maxsize=1)
def stress_transition() -> np.ndarray:
    """Monthly stress transition matrices, shape (classes, 6, 6)."""
    out = np.zeros((P.N_CLASSES, P.N_STRESS, P.N_STRESS))
    down = P.STRESS_DOWN
    for cls, pi in enumerate(P.STRESS_STATIONARY):
        up = np.r_[pi[1:] * down[1:] / pi[:-1], 0.0]
        for k in range(P.N_STRESS):
            if k > 0:
                out[cls, k, k - 1] = down[k]
            if k < P.N_STRESS - 1:
                out[cls, k, k + 1] = up[k]
            out[cls, k, k] = 1.0 - out[cls, k].sum()
    if (out < 0).any():
        raise ValueError("stress chain parameters give negative transition probabilities")
    return out


@lru_cache(maxsize=1)
def child_transition() -> np.ndarray:
    """Monthly child-level transition matrices, shape (bands, stress levels, 4, 4)."""
    out = np.zeros((N_BANDS, P.N_STRESS, P.N_CHILD, P.N_CHILD))
    out[0] = np.eye(P.N_CHILD)
    for band in range(1, N_BANDS):
        for h in range(P.N_STRESS):
            up = P.CHILD_UP[band] * (1.0 + P.CHILD_STRESS_PUSH * h)
            for k in range(P.N_CHILD):
                if k > 0:
                    out[band, h, k, k - 1] = P.CHILD_DOWN[k]
                if k < P.N_CHILD - 1:
                    out[band, h, k, k + 1] = up[k]
                out[band, h, k, k] = 1.0 - out[band, h, k].sum()
    return out


def child_band(age_months: np.ndarray) -> np.ndarray:
    """Band of the child-level chain: 0 (frozen: under 10 or 18+), then 10-11 ... 16-17."""
    age = np.asarray(age_months)
    band = 1 + (age - 120) // 24
    return np.where((age < 120) | (age >= AGE_OUT_MONTHS), 0, band)


@lru_cache(maxsize=1)
def joint_transition() -> np.ndarray:
    """Return the joint (stress, child level) chain's matrices, shape (classes, bands, 24, 24).

    State ``k`` is stress ``k // 4`` and child level ``k % 4``. The child level moves
    with the stress level of the month it leaves.
    """
    ps, pc = stress_transition(), child_transition()
    out = np.empty((P.N_CLASSES, N_BANDS, N_STATES, N_STATES))
    for cls in range(P.N_CLASSES):
        for band in range(N_BANDS):
            joint = np.einsum("ab,acd->acbd", ps[cls], pc[band])
            out[cls, band] = joint.reshape(N_STATES, N_STATES)
    return out


def _structural(stress, child, age_years, fixed_effect, history) -> np.ndarray:
    # after adoption or special guardianship the birth family's stress no longer counts
    household = np.where(
        history == P.HISTORY_PERMANENCE, P.HAZARD_STRESS[0], P.HAZARD_STRESS[stress]
    )
    return (
        fixed_effect
        * P.HISTORY_MULTIPLIER[history]
        * (
            P.HAZARD_HOUSEHOLD_AGE[age_years] * household
            + P.HAZARD_CHILD_AGE[age_years] * P.HAZARD_CHILD_LEVEL[child]
        )
    )


def hazard(stress, child, age_years, fixed_effect, history, label_noise: float) -> np.ndarray:
    """Monthly probability of a care entry for a child at risk (arrays broadcast).

    ``(1 - label_noise)`` of it comes from the latent state, age, fixed effect and care
    history; ``label_noise`` of it is a baseline that depends on age only, equal to the
    population's average structural hazard at that age.
    """
    age = np.asarray(age_years)
    valid = (age >= 0) & (age < 18)
    age = np.clip(age, 0, 17)
    history = np.asarray(history)
    out = _structural(np.asarray(stress), np.asarray(child), age, fixed_effect, history)
    if label_noise:
        noise = baseline_hazard()[age] * (history != P.HISTORY_LEFT)
        out = (1.0 - label_noise) * out + label_noise * noise
    return np.where(valid, np.minimum(out, P.HAZARD_CAP), 0.0)


@lru_cache(maxsize=1)
def baseline_hazard() -> np.ndarray:
    """Average structural hazard by age in years (children never in care, fixed effect 1)."""
    tier_share = np.array(
        [P.IMD_WEIGHTS[:3].sum(), P.IMD_WEIGHTS[3:7].sum(), P.IMD_WEIGHTS[7:].sum()]
    )
    weights = np.c_[tier_share * (1 - P.VULNERABLE_SHARE), tier_share * P.VULNERABLE_SHARE]
    joint = joint_transition()
    out = np.zeros(18)
    for cls in range(P.N_CLASSES):
        dist = np.zeros(N_STATES)
        dist[:: P.N_CHILD] = P.STRESS_STATIONARY[cls]
        weight = weights[cls // 2, cls % 2]
        for age in range(AGE_OUT_MONTHS):
            per_state = _structural(STATE_STRESS, STATE_CHILD, age // 12, 1.0, 0)
            out[age // 12] += weight * (dist @ per_state) / 12
            dist = dist @ joint[cls, child_band(age + 1)]
    return out


@dataclass(frozen=True)
class LatentPaths:
    """Latent states kept for months ``first_month`` .. the month after the period."""

    first_month: int
    stress: np.ndarray  # (months, households) uint8
    child: np.ndarray  # (months, children) uint8

    def at(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        """Stress per household and level per child in a month."""
        row = month - self.first_month
        return self.stress[row], self.child[row]


class _Chains:
    """The current latent state of every household and child, moved one month at a time."""

    def __init__(self, pop: Population, rng: np.random.Generator) -> None:
        self.rng, self.household, self.cls = rng, pop.household, pop.household_class
        self.cum_stress = np.cumsum(stress_transition(), axis=-1)
        self.cum_child = np.cumsum(child_transition(), axis=-1)
        self.cum_stress[..., -1] = self.cum_child[..., -1] = 1.0
        stationary = np.cumsum(P.STRESS_STATIONARY, axis=1)[self.cls]
        start = (rng.random(pop.n_households)[:, None] > stationary).sum(1)
        self.stress = np.minimum(start, P.N_STRESS - 1).astype(np.int64)
        self.child = np.zeros(pop.n, dtype=np.int64)

    def step(self, next_age: np.ndarray) -> None:
        """Draw next month's states (the child level moves with this month's stress)."""
        band = child_band(next_age)
        moving = np.flatnonzero(band > 0)
        u = self.rng.random(len(moving))[:, None]
        stress_of_child = self.stress[self.household[moving]]
        rows = self.cum_child[band[moving], stress_of_child, self.child[moving]]
        self.child[moving] = np.minimum((u > rows).sum(1), P.N_CHILD - 1)
        u = self.rng.random(len(self.stress))[:, None]
        rows = self.cum_stress[self.cls, self.stress]
        self.stress = np.minimum((u > rows).sum(1), P.N_STRESS - 1)


def simulate(
    pop: Population,
    grid: MonthGrid,
    rngs: dict[str, np.random.Generator],
    label_noise: float,
    first_kept_month: int,
) -> tuple[LatentPaths, Periods]:
    """Run the latent chains and care entries from the oldest child's birth to the last month.

    Returns the latent states of months ``first_kept_month`` to the month after the
    period, and every period of care (each drawn whole on entry).
    """
    chains = _Chains(pop, rngs["latent"])
    n_kept = grid.n_months - first_kept_month + 1
    kept_stress = np.zeros((n_kept, pop.n_households), dtype=np.uint8)
    kept_child = np.zeros((n_kept, pop.n), dtype=np.uint8)
    care_until = np.full(pop.n, np.iinfo(np.int64).min)
    history = np.zeros(pop.n, dtype=np.int64)
    birthday18 = grid.first_day(pop.birth_month + AGE_OUT_MONTHS)
    parts: list[dict] = []
    for m in range(int(min(pop.birth_month.min(), first_kept_month)), grid.n_months):
        if m >= first_kept_month:
            kept_stress[m - first_kept_month] = chains.stress
            kept_child[m - first_kept_month] = chains.child
        first, days = int(grid.first_day(m)), int(grid.days_in(m))
        age = m - pop.birth_month
        at_risk = (age >= 0) & (age < AGE_OUT_MONTHS) & ~pop.uasc & (care_until < first)
        rows, u_day = _draw_entries(rngs["entry"], at_risk, chains, age, pop, history, label_noise)
        arriving = np.flatnonzero(pop.uasc & (pop.arrival_month == m))
        rows = np.r_[rows, arriving]
        u_day = np.r_[u_day, rngs["entry"].random(len(arriving))]
        if len(rows):
            start = first + np.floor(u_day * days).astype(np.int64)
            part = draw_periods(
                rngs["care"],
                rows,
                start,
                age[rows],
                birthday18[rows],
                pop.uasc[rows],
                pop.disability[rows],
                chains.child[rows],
            )
            care_until[rows] = part["end"]
            history[rows] = part["history"]
            parts.append(part)
        chains.step(age + 1)
    kept_stress[-1] = chains.stress
    kept_child[-1] = chains.child
    return LatentPaths(first_kept_month, kept_stress, kept_child), Periods.concatenate(parts)


def _draw_entries(rng, at_risk, chains: _Chains, age, pop, history, label_noise):
    """Children entering care this month and the uniform draw of their entry day.

    A child uses its household's draws with probability ``SIBLING_SHARED`` and its own
    otherwise: each child's draw stays uniform (so its hazard is exact) while siblings
    often enter care together, on the same day.
    """
    hh = pop.household
    u_house = rng.random(pop.n_households)
    v_house = rng.random(pop.n_households)
    idx = np.flatnonzero(at_risk)
    u_own, v_own, shared = rng.random(len(idx)), rng.random(len(idx)), rng.random(len(idx))
    shared = shared < P.SIBLING_SHARED
    u = np.where(shared, u_house[hh[idx]], u_own)
    v = np.where(shared, v_house[hh[idx]], v_own)
    h = hazard(
        chains.stress[hh[idx]],
        chains.child[idx],
        age[idx] // 12,
        pop.fixed_effect[idx],
        history[idx],
        label_noise,
    )
    enter = u < h
    return idx[enter], v[enter]
