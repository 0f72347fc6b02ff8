"""Assessment factors recorded at the end of each assessment (CIN census codes).

Which factors an assessment records depends on the household's lasting problems
(traits: domestic abuse, parental mental health, drug and alcohol misuse, parental
learning disability or illness), its stress level and the child's level, age, sex and
disability in the month of the referral. A reporting bias multiplies the recording
probabilities. Assessments authorised before April 2021 use the old codes 18A / 19A and
have no 24A (criminal exploitation was then often recorded as 13A gangs).
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_factors"]

MISSING_BY_LEVEL = np.array([0.0015, 0.02, 0.20, 0.45])
CSE_BY_LEVEL = np.array([0.002, 0.018, 0.19, 0.42])
GANGS_BY_LEVEL = np.array([0.001, 0.011, 0.10, 0.26])
CCE_BY_LEVEL = np.array([0.003, 0.03, 0.30, 0.60])
BEHAVIOUR_BY_LEVEL = np.array([0.01, 0.08, 0.25, 0.35])
SELF_HARM_BY_LEVEL = np.array([0.01, 0.05, 0.12, 0.18])
TRAFFICKING_BY_LEVEL = np.array([0.0005, 0.002, 0.015, 0.03])
CAP = 0.97


def draw_factors(
    rng: np.random.Generator,
    *,
    day: np.ndarray,
    stress: np.ndarray,
    level: np.ndarray,
    traits: np.ndarray,
    age: np.ndarray,
    male: np.ndarray,
    disability: np.ndarray,
    uasc: np.ndarray,
    bias: np.ndarray,
    reform_day: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the factor codes of ``len(day)`` assessments.

    Returns
    -------
    rows, codes : numpy.ndarray
        The assessment (index into the inputs) and code of each recorded factor; an
        assessment with none records ``"21"`` (no factors identified).
    """
    n = len(day)
    h = stress.astype(float)
    rows: list[np.ndarray] = []
    codes: list[np.ndarray] = []

    def add(mask, code) -> None:
        found = np.flatnonzero(mask)
        rows.append(found)
        codes.append(np.broadcast_to(np.asarray(code, dtype=object), (n,))[found])

    def hits(prob, scale=True) -> np.ndarray:
        p = np.minimum(np.asarray(prob, dtype=float) * (bias if scale else 1.0), CAP)
        return rng.random(n) < p

    for number, prob, (primary, p_primary), others in _family_factors(h, traits):
        present = hits(prob)
        chosen = np.zeros(n, bool)
        for suffix, p in others.items():
            pick = present & (rng.random(n) < p)
            chosen |= pick
            add(pick, f"{number}{suffix}")
        add(present & (~chosen | (rng.random(n) < p_primary)), f"{number}{primary}")
    new_codes = day >= reform_day
    singles = _child_factors(h, level, traits, age, male, disability, uasc, new_codes)
    for code, prob, scale in singles:
        add(hits(prob, scale), code)
    all_rows = np.concatenate(rows)
    none = np.setdiff1d(np.arange(n), all_rows)
    all_codes = np.concatenate([*codes, np.full(len(none), "21", dtype=object)])
    return np.r_[all_rows, none], all_codes


def _family_factors(h: np.ndarray, traits: np.ndarray) -> list[tuple]:
    """Parental factors: (number, probability, (main suffix, its probability), other suffixes)."""
    da, mh, drugs, alcohol = (traits[:, k] for k in range(4))
    return [
        (
            "3",
            np.where(da, 0.50 + 0.07 * h, 0.05 + 0.012 * h),
            ("B", 0.85),
            {"A": 0.35, "C": 0.12},
        ),
        ("4", np.where(mh, 0.48 + 0.07 * h, 0.07 + 0.01 * h), ("B", 1.0), {"C": 0.08}),
        ("2", np.where(drugs, 0.38 + 0.06 * h, 0.012 + 0.004 * h), ("B", 1.0), {"C": 0.15}),
        ("1", np.where(alcohol, 0.36 + 0.06 * h, 0.015 + 0.004 * h), ("B", 1.0), {"C": 0.15}),
    ]


def _child_factors(h, level, traits, age, male, disability, uasc, new_codes) -> list[tuple]:
    """Other factors: (code, probability, scaled by the reporting bias)."""
    da, mh, ld, ill = traits[:, 0], traits[:, 1], traits[:, 4], traits[:, 5]
    adolescent, teen = age >= 10, age >= 12
    gangs = adolescent * GANGS_BY_LEVEL[level] * np.where(male, 1.5, 0.4)
    cce = adolescent * CCE_BY_LEVEL[level] * np.where(male, 1.4, 0.6)
    n = len(h)
    return [
        ("4A", adolescent * (0.04 + 0.08 * level) + uasc * 0.25, True),
        ("2A", teen * (0.01 + 0.07 * level), True),
        ("1A", teen * (0.005 + 0.03 * level), True),
        ("16A", 0.03 + 0.042 * h, True),
        ("17A", 0.04 + 0.03 * h + 0.07 * da, True),
        (np.where(new_codes, "18B", "18A"), 0.02 + 0.015 * h, True),
        ("18C", new_codes * (0.004 + 0.003 * h), True),
        (np.where(new_codes, "19B", "19A"), 0.006 + 0.006 * h, True),
        ("19C", new_codes * 0.003, True),
        ("5B", np.where(ld, 0.5, 0.01), True),
        ("5A", disability * 0.35, True),
        ("6B", np.where(ill, 0.5, 0.01), True),
        ("6A", disability * 0.30, True),
        ("7A", (age >= 8) * (mh | ill) * 0.12, True),
        ("10A", adolescent * MISSING_BY_LEVEL[level] + uasc * 0.05, True),
        ("11A", adolescent * CSE_BY_LEVEL[level] * np.where(male, 0.4, 1.6), True),
        # before 2021-22 criminal exploitation was often recorded as gangs
        ("13A", gangs + ~new_codes * 0.5 * cce, True),
        ("24A", new_codes * cce, True),
        ("14A", (age >= 8) * BEHAVIOUR_BY_LEVEL[level], True),
        ("15A", adolescent * SELF_HARM_BY_LEVEL[level], True),
        ("12A", adolescent * TRAFFICKING_BY_LEVEL[level] + uasc * 0.05, True),
        ("9A", uasc * 1.0, False),
        ("20", np.full(n, 0.07), True),
        ("22A", ~male * 0.001, True),
        ("23A", np.full(n, 0.001), True),
    ]
