"""Children, households and their demographics.

Local children belong to households of one to five siblings born one to several years
apart; siblings share the household's ethnicity, deprivation decile, latent stress
process and lasting problems (traits). Birth months are spread so that the number of
0-17-year-olds is about steady over the period. Unaccompanied asylum-seeking children
(UASC) arrive aged 16 or 17 during the period, each in a household of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data._codes import ETHNIC_GROUPS
from riskmodel.data.synthetic._grid import MonthGrid

__all__ = ["AGE_OUT_MONTHS", "Population", "make_population"]

AGE_OUT_MONTHS = 18 * 12
"""A child leaves the population (and can no longer enter care) at 18."""

_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Unknown")


@dataclass(frozen=True)
class Population:
    """Per-child and per-household arrays (children are indexed 0..n-1)."""

    person_id: np.ndarray
    household: np.ndarray
    birth_month: np.ndarray
    male: np.ndarray
    ethnicity: np.ndarray
    group: np.ndarray
    disability: np.ndarray
    uasc: np.ndarray
    arrival_month: np.ndarray
    fixed_effect: np.ndarray
    household_id: np.ndarray
    household_class: np.ndarray
    imd_decile: np.ndarray
    traits: np.ndarray
    fixed_effect_scale: float = 1.0
    """The population normaliser: ``fixed_effect`` is ``exp(log effect) / fixed_effect_scale``."""

    @property
    def n(self) -> int:
        """Number of children."""
        return len(self.person_id)

    @property
    def n_households(self) -> int:
        """Number of households."""
        return len(self.household_id)

    @property
    def child_class(self) -> np.ndarray:
        """Household class of each child."""
        return self.household_class[self.household]


def make_population(
    n_children: int,
    grid: MonthGrid,
    uasc_share: float,
    rng: np.random.Generator,
    deprivation_shift: float = 0.0,
) -> Population:
    """Draw ``n_children`` children (local and UASC) alive in the authority during the period."""
    n_uasc = _uasc_count(n_children, grid, uasc_share)
    local = _local_households(n_children - n_uasc, grid, rng, deprivation_shift)
    uasc = _uasc_children(n_uasc, grid, rng, first_household=len(local["imd"]))
    household = np.concatenate([local["household"], uasc["household"]])
    n_households = len(local["imd"]) + n_uasc
    group_h = np.concatenate([local["group"], uasc["group"]])
    imd = np.concatenate([local["imd"], uasc["imd"]])
    tier = np.digitize(imd, [4, 8])
    vulnerable = np.concatenate([local["vulnerable"], np.zeros(n_uasc, bool)])
    traits = np.concatenate([local["traits"], np.zeros((n_uasc, len(P.TRAITS)), bool)])
    is_uasc = np.r_[np.zeros(len(local["household"]), bool), np.ones(n_uasc, bool)]
    male = np.r_[
        rng.random(len(local["household"])) < P.MALE_SHARE,
        rng.random(n_uasc) < P.UASC_MALE_SHARE,
    ]
    dis_p = P.DISABILITY_SHARE * np.where(male, 2 * P.DISABILITY_MALE_RATIO, 2.0)
    disability = rng.random(len(male)) < dis_p / (1 + P.DISABILITY_MALE_RATIO)
    disability[is_uasc] = rng.random(n_uasc) < 0.02
    frailty = rng.normal(0.0, P.FRAILTY_SD, n_households)
    group = group_h[household]
    log_fe = (
        np.array([P.ETHNIC_GROUP_EFFECT[g] for g in _GROUPS])[_group_index(group)]
        + P.DISABILITY_EFFECT * disability
        + P.MALE_EFFECT * male
        + P.TIER_EFFECT[tier[household]]
        + frailty[household]
    )
    fixed_effect = np.exp(log_fe)
    scale = fixed_effect[~is_uasc].mean() if (~is_uasc).any() else 1.0
    fixed_effect /= scale
    n = len(household)
    return Population(
        person_id=_ids("C", rng.permutation(n), 7),
        household=household,
        birth_month=np.concatenate([local["birth"], uasc["birth"]]),
        male=male,
        ethnicity=np.concatenate([local["ethnicity"][local["household"]], uasc["ethnicity"]]),
        group=group,
        disability=disability,
        uasc=is_uasc,
        arrival_month=np.concatenate([local["birth"], uasc["arrival"]]),
        fixed_effect=fixed_effect,
        household_id=_ids("H", rng.permutation(n_households), 6),
        household_class=2 * tier + vulnerable,
        imd_decile=imd,
        traits=traits,
        fixed_effect_scale=float(scale),
    )


def _uasc_count(n_children: int, grid: MonthGrid, uasc_share: float) -> int:
    """UASC so that they make up ``uasc_share`` of expected care entries."""
    if uasc_share <= 0:
        return 0
    births = np.arange(-AGE_OUT_MONTHS + 1, grid.n_months)
    present = np.minimum(births + AGE_OUT_MONTHS, grid.n_months) - np.maximum(births, 0)
    local_entries_per_child = P.ENTRIES_PER_CHILD_MONTH * present.mean()
    ratio = uasc_share / (1.0 - uasc_share) * local_entries_per_child
    return int(round(n_children * ratio / (1.0 + ratio)))


def _local_households(
    n_local: int, grid: MonthGrid, rng: np.random.Generator, deprivation_shift: float = 0.0
) -> dict:
    lo, hi = -AGE_OUT_MONTHS + 1, grid.n_months - 1
    households, births = [], []
    count, offset = 0, 0
    while count < n_local:
        batch = max(64, int((n_local - count) / 1.3) + 32)
        size = rng.choice(len(P.HOUSEHOLD_SIZES), size=batch, p=P.HOUSEHOLD_SIZES) + 1
        first = rng.integers(lo - 150, hi + 1, size=batch)
        owner = np.repeat(np.arange(batch), size)
        order = np.arange(len(owner)) - np.repeat(np.cumsum(size) - size, size)
        gap = _sibling_gaps(rng, len(owner))
        gap[order == 0] = 0
        birth = first[owner] + _group_cumsum(gap, owner)
        keep = (birth >= lo) & (birth <= hi)
        households.append(owner[keep] + offset)
        births.append(birth[keep])
        count += int(keep.sum())
        offset += batch
    household = np.concatenate(households)[:n_local]
    birth = np.concatenate(births)[:n_local]
    used, household = np.unique(household, return_inverse=True)
    n_h = len(used)
    codes = np.array(list(P.ETHNIC_MIX))
    ethnicity = rng.choice(codes, size=n_h, p=_normalise(list(P.ETHNIC_MIX.values())))
    group = np.array([ETHNIC_GROUPS[c] for c in ethnicity])
    imd = _imd(group, rng, deprivation_shift)
    tier = np.digitize(imd, [4, 8])
    vulnerable = rng.random(n_h) < P.VULNERABLE_SHARE[tier]
    traits = rng.random((n_h, len(P.TRAITS))) < P.TRAIT_PREVALENCE[vulnerable.astype(int)]
    return {
        "household": household,
        "birth": birth,
        "ethnicity": ethnicity,
        "group": group,
        "imd": imd,
        "vulnerable": vulnerable,
        "traits": traits,
    }


def _sibling_gaps(rng: np.random.Generator, size: int) -> np.ndarray:
    """Months between consecutive siblings (occasionally twins)."""
    gap = P.SIBLING_GAP_MIN + rng.gamma(2.0, P.SIBLING_GAP_SCALE, size)
    gap[rng.random(size) < P.TWIN_SHARE] = 0
    return np.round(gap).astype(np.int64)


def _group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each new (contiguous) group."""
    total = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    base = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return total - base


def _imd(group: np.ndarray, rng: np.random.Generator, shift: float = 0.0) -> np.ndarray:
    """Deprivation deciles; ``shift`` > 0 tilts every group towards the deprived end."""
    deciles = np.arange(1, 11)
    out = np.empty(len(group), dtype=np.int64)
    for name in _GROUPS:
        rows = np.flatnonzero(group == name)
        weights = P.IMD_WEIGHTS * np.exp(-(P.IMD_GROUP_SHIFT[name] + shift) * deciles)
        out[rows] = rng.choice(deciles, size=len(rows), p=_normalise(weights))
    return out


def _uasc_children(n: int, grid: MonthGrid, rng: np.random.Generator, first_household: int):
    arrival = rng.integers(0, grid.n_months, size=n)
    age = rng.integers(16 * 12, AGE_OUT_MONTHS, size=n)
    codes = np.array(list(P.UASC_ETHNIC_MIX))
    ethnicity = rng.choice(codes, size=n, p=_normalise(list(P.UASC_ETHNIC_MIX.values())))
    return {
        "household": first_household + np.arange(n),
        "birth": arrival - age,
        "arrival": arrival,
        "ethnicity": ethnicity,
        "group": np.array([ETHNIC_GROUPS[c] for c in ethnicity], dtype=object),
        "imd": rng.choice(np.arange(1, 5), size=n, p=[0.4, 0.3, 0.2, 0.1]),
    }


def _group_index(group: np.ndarray) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(_GROUPS)}
    return np.array([lookup[g] for g in group], dtype=np.int64)


def _normalise(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.array([f"{prefix}{k + 1:0{width}d}" for k in numbers], dtype=object)
