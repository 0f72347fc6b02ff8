"""Periods of care: how each care entry unfolds (legal status, length, how it ends).

A period is drawn whole at the moment of entry, from the child's age, disability,
child-level latent state and UASC status: the legal status on entry, the outcome (went
home, adoption, special guardianship, child arrangements order, leaving care at 18,
...), the length, the category of need and the final reason episode ceased. The
period's end decides when the child is at risk of a new care entry again; the outcome
decides the child's care history class used by the care-entry hazard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import riskmodel.data.synthetic._params as P

__all__ = ["Periods", "draw_periods"]

# outcome: (care history class afterwards, {REC code: probability}, (median days, sigma))
OUTCOMES: dict[str, tuple[int, dict[str, float], tuple[float, float]]] = {
    "return_home": (P.HISTORY_RETURNED, {"E4A": 0.55, "E4B": 0.15, "E13": 0.30}, (0, 1.0)),
    "adoption": (P.HISTORY_PERMANENCE, {"E11": 0.4, "E12": 0.6}, (620, 0.3)),
    "sgo": (
        P.HISTORY_PERMANENCE,
        {"E45": 0.45, "E46": 0.10, "E47": 0.35, "E48": 0.10},
        (540, 0.5),
    ),
    "cao": (P.HISTORY_PERMANENCE, {"E41": 1.0}, (420, 0.5)),
    "age18": (
        P.HISTORY_LEFT,
        {"E17": 0.25, "E5": 0.40, "E6": 0.12, "E8": 0.13, "E13": 0.07, "E7": 0.03},
        (0, 0.0),
    ),  # fmt: skip
    "independent": (P.HISTORY_RETURNED, {"E5": 0.7, "E6": 0.3}, (200, 0.6)),
    "custody": (P.HISTORY_RETURNED, {"E9": 1.0}, (120, 0.8)),
    "remand_ended": (P.HISTORY_RETURNED, {"E14": 1.0}, (45, 0.8)),
    "transfer": (P.HISTORY_LEFT, {"E3": 1.0}, (240, 0.9)),
    "other": (P.HISTORY_RETURNED, {"E8": 1.0}, (200, 1.0)),
    "age_disputed": (P.HISTORY_LEFT, {"E15": 1.0}, (60, 0.8)),
    "moved_abroad": (P.HISTORY_LEFT, {"E16": 1.0}, (200, 0.8)),
}
OUTCOME_NAMES = tuple(OUTCOMES)
_O = {name: i for i, name in enumerate(OUTCOME_NAMES)}

RETURN_HOME_MEDIAN_DAYS = np.array([330.0, 370.0, 330.0, 210.0, 125.0])
"""Median length of a period ending in a return home, by age band at entry."""

AGE_BANDS_MONTHS = (12, 60, 120, 192)
"""Entry age bands: under 1, 1-4, 5-9, 10-15, 16-17."""

OUTCOME_MIX = {
    0: {"return_home": 0.25, "adoption": 0.35, "sgo": 0.22, "cao": 0.03, "age18": 0.10,
        "transfer": 0.02, "other": 0.03},
    1: {"return_home": 0.35, "adoption": 0.18, "sgo": 0.22, "cao": 0.05, "age18": 0.15,
        "transfer": 0.02, "other": 0.03},
    2: {"return_home": 0.42, "adoption": 0.02, "sgo": 0.18, "cao": 0.05, "age18": 0.28,
        "transfer": 0.02, "other": 0.03},
    3: {"return_home": 0.52, "sgo": 0.05, "cao": 0.03, "age18": 0.30, "custody": 0.02,
        "transfer": 0.02, "other": 0.04, "independent": 0.02},
    4: {"return_home": 0.30, "age18": 0.55, "independent": 0.08, "custody": 0.02,
        "transfer": 0.02, "other": 0.03},
    "uasc": {"age18": 0.80, "transfer": 0.10, "age_disputed": 0.05, "moved_abroad": 0.02,
             "other": 0.03},
}  # fmt: skip

ENTRY_LEGAL_MIX = {
    0: {"C1": 0.70, "C2": 0.07, "V2": 0.15, "L1": 0.04, "L2": 0.04},
    1: {"C1": 0.60, "C2": 0.10, "V2": 0.22, "L1": 0.04, "J1": 0.02, "J2": 0.02},
    2: {"C1": 0.48, "C2": 0.10, "V2": 0.30, "L1": 0.04, "J1": 0.05, "J2": 0.03},
}
"""Legal status on entry by age (under 10, 10-15, 16-17) for local children."""

NEED_MIX = {
    "general": {"N1": 0.66, "N5": 0.13, "N4": 0.10, "N3": 0.04, "N7": 0.01, "N8": 0.04,
                "N2": 0.02},
    "adolescent": {"N6": 0.25, "N5": 0.25, "N4": 0.20, "N1": 0.25, "N3": 0.05},
    "uasc": {"N8": 0.92, "N4": 0.04, "N1": 0.04},
}  # fmt: skip


@dataclass(frozen=True)
class Periods:
    """Periods of care (one row per care entry, UASC arrivals included)."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    outcome: np.ndarray
    history: np.ndarray
    legal: np.ndarray
    need: np.ndarray
    rec: np.ndarray
    age_months: np.ndarray
    uasc: np.ndarray

    @classmethod
    def concatenate(cls, parts: list[dict]) -> Periods:
        """Join per-month draws into one table sorted by child and start day."""
        names = list(cls.__dataclass_fields__)
        if not parts:
            empty = {
                n: np.empty(0, dtype=object if n in ("legal", "need", "rec") else np.int64)
                for n in names
            }
            empty["uasc"] = np.empty(0, dtype=bool)
            return cls(**empty)
        joined = {n: np.concatenate([p[n] for p in parts]) for n in names}
        order = np.lexsort((joined["start"], joined["child"]))
        return cls(**{n: v[order] for n, v in joined.items()})

    def __len__(self) -> int:
        return len(self.child)


def draw_periods(
    rng: np.random.Generator,
    child: np.ndarray,
    start: np.ndarray,
    age_months: np.ndarray,
    birthday18: np.ndarray,
    uasc: np.ndarray,
    disability: np.ndarray,
    child_level: np.ndarray,
) -> dict:
    """Draw the whole period of care of each entering child (see the module docstring)."""
    n = len(child)
    band = np.digitize(age_months, AGE_BANDS_MONTHS)
    outcome = np.empty(n, dtype=np.int64)
    for key in (0, 1, 2, 3, 4, "uasc"):
        rows = np.flatnonzero(uasc if key == "uasc" else (band == key) & ~uasc)
        outcome[rows] = _choose(rng, OUTCOME_MIX[key], len(rows), _O)
    legal = _entry_legal(rng, age_months, uasc)
    youth = np.isin(legal, ("J1", "J2"))
    draw = rng.random(n)
    outcome[youth & (draw < 0.65)] = _O["remand_ended"]
    outcome[youth & (draw >= 0.65) & (draw < 0.85)] = _O["custody"]
    length = _length(rng, outcome, band)
    emergency = np.isin(legal, ("L1", "L2")) & (rng.random(n) < 0.3)
    outcome[emergency] = _O["return_home"]
    length[emergency] = rng.integers(2, 9, size=int(emergency.sum()))
    end = start + np.maximum(length, 1)
    capped = (end >= birthday18) | (outcome == _O["age18"])
    end[capped] = birthday18[capped]
    outcome[capped] = _O["age18"]
    history = np.array([OUTCOMES[name][0] for name in OUTCOME_NAMES])[outcome]
    history[uasc] = P.HISTORY_LEFT
    rec = np.empty(n, dtype=object)
    for i, name in enumerate(OUTCOME_NAMES):
        rows = np.flatnonzero(outcome == i)
        codes = OUTCOMES[name][1]
        rec[rows] = rng.choice(list(codes), size=len(rows), p=list(codes.values()))
    return {
        "child": child,
        "start": start,
        "end": end,
        "outcome": outcome,
        "history": history,
        "legal": legal,
        "need": _need(rng, age_months, uasc, disability, child_level),
        "rec": rec,
        "age_months": age_months,
        "uasc": uasc,
    }


def _choose(rng: np.random.Generator, mix: dict, size: int, index: dict | None = None):
    keys = list(mix)
    p = np.asarray(list(mix.values()), dtype=float)
    picked = rng.choice(len(keys), size=size, p=p / p.sum())
    if index is None:
        return np.array(keys, dtype=object)[picked]
    return np.array([index[k] for k in keys], dtype=np.int64)[picked]


def _entry_legal(rng: np.random.Generator, age_months: np.ndarray, uasc: np.ndarray):
    legal = np.empty(len(age_months), dtype=object)
    group = np.digitize(age_months, (120, 192))
    for g in (0, 1, 2):
        rows = np.flatnonzero((group == g) & ~uasc)
        legal[rows] = _choose(rng, ENTRY_LEGAL_MIX[g], len(rows))
    legal[uasc] = "V2"
    return legal


def _length(rng: np.random.Generator, outcome: np.ndarray, band: np.ndarray) -> np.ndarray:
    median = np.array([OUTCOMES[name][2][0] for name in OUTCOME_NAMES], dtype=float)[outcome]
    sigma = np.array([OUTCOMES[name][2][1] for name in OUTCOME_NAMES])[outcome]
    home = outcome == _O["return_home"]
    median[home] = RETURN_HOME_MEDIAN_DAYS[band[home]]
    length = median * np.exp(sigma * rng.standard_normal(len(outcome)))
    return np.round(length).astype(np.int64)


def _need(rng, age_months, uasc, disability, child_level) -> np.ndarray:
    n = len(age_months)
    need = _choose(rng, NEED_MIX["general"], n)
    adolescent = (age_months >= 120) & (child_level >= 2)
    need[adolescent] = _choose(rng, NEED_MIX["adolescent"], int(adolescent.sum()))
    disabled = disability & (age_months >= 60) & (rng.random(n) < 0.3)
    need[disabled] = "N2"
    need[uasc] = _choose(rng, NEED_MIX["uasc"], int(uasc.sum()))
    return need
