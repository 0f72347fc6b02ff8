"""Calibrated constants of the synthetic authority.

Rates are per child-month unless said otherwise. They were tuned so that a generated
authority lands near the national figures of the project's data model (see the
calibration test in ``tests/data/test_synthetic.py`` for the targets and tolerances).
"""

from __future__ import annotations

import numpy as np

# --- population ---------------------------------------------------------------------

ETHNIC_MIX: dict[str, float] = {
    "WBRI": 0.625, "WIRI": 0.003, "WOTH": 0.085, "WIRT": 0.002, "WROM": 0.005,
    "MWBC": 0.018, "MWBA": 0.009, "MWAS": 0.015, "MOTH": 0.028,
    "AIND": 0.033, "APKN": 0.040, "ABAN": 0.017, "AOTH": 0.020,
    "BCRB": 0.010, "BAFR": 0.040, "BOTH": 0.010,
    "CHNE": 0.004, "OOTH": 0.026,
    "REFU": 0.004, "NOBT": 0.006,
}  # fmt: skip
"""Share of each ETHNIC code among local children (England's child population, roughly)."""

UASC_ETHNIC_MIX: dict[str, float] = {
    "AOTH": 0.25, "OOTH": 0.22, "BAFR": 0.25, "BOTH": 0.06, "WOTH": 0.10,
    "MOTH": 0.02, "APKN": 0.02, "REFU": 0.03, "NOBT": 0.05,
}  # fmt: skip

HOUSEHOLD_SIZES = np.array([0.38, 0.37, 0.16, 0.06, 0.03])
"""Probability that a household has 1, 2, 3, 4 or 5 children (over its whole life)."""

TWIN_SHARE = 0.03
SIBLING_GAP_MIN = 12  # months between siblings: 12 + Gamma(2, 12)
SIBLING_GAP_SCALE = 12.0

IMD_WEIGHTS = np.array([0.16, 0.14, 0.12, 0.11, 0.10, 0.09, 0.08, 0.07, 0.07, 0.06])
"""Deprivation decile of local households: the authority is somewhat deprived."""

IMD_GROUP_SHIFT: dict[str, float] = {
    "White": 0.0, "Mixed": 0.10, "Asian": 0.08, "Black": 0.12, "Other": 0.05, "Unknown": 0.0,
}  # fmt: skip
"""Extra tilt towards deprived deciles (weights times exp(-shift * decile))."""

VULNERABLE_SHARE = np.array([0.24, 0.15, 0.09])
"""Share of chronically vulnerable households in deprivation tiers (deciles 1-3, 4-7, 8-10)."""

MALE_SHARE = 0.512
UASC_MALE_SHARE = 0.90
DISABILITY_SHARE = 0.08
DISABILITY_MALE_RATIO = 1.6

TRAITS = ("domestic_abuse", "mental_health", "drugs", "alcohol", "learning_disability",
          "physical_illness")  # fmt: skip
"""Lasting household problems that shape which assessment factors are recorded."""

TRAIT_PREVALENCE = np.array(
    [
        [0.28, 0.28, 0.10, 0.11, 0.04, 0.05],  # resilient households
        [0.65, 0.60, 0.36, 0.38, 0.08, 0.08],  # vulnerable households
    ]
)

# --- latent household stress: a birth-death Markov chain per household class ---------

N_STRESS = 6
N_CHILD = 4
N_CLASSES = 6  # 2 * deprivation tier + vulnerable

STRESS_STATIONARY = np.array(
    [
        [0.560, 0.260, 0.110, 0.048, 0.017, 0.005],  # tier 0 (deciles 1-3), resilient
        [0.180, 0.230, 0.240, 0.180, 0.110, 0.060],  # tier 0, vulnerable
        [0.650, 0.230, 0.080, 0.028, 0.009, 0.003],  # tier 1 (deciles 4-7), resilient
        [0.230, 0.260, 0.230, 0.150, 0.085, 0.045],  # tier 1, vulnerable
        [0.740, 0.180, 0.055, 0.018, 0.005, 0.002],  # tier 2 (deciles 8-10), resilient
        [0.300, 0.290, 0.200, 0.120, 0.060, 0.030],  # tier 2, vulnerable
    ]
)
"""Long-run share of months a household of each class spends at stress levels 0-5."""

STRESS_DOWN = np.array([0.0, 0.035, 0.050, 0.070, 0.100, 0.140])
"""Monthly probability of stress falling one level (up-moves follow from stationarity)."""

# --- latent child component (adolescent behaviour, missing, exploitation, gangs) -----

CHILD_UP = np.array(
    [
        [0.0, 0.0, 0.0],
        [0.0012, 0.012, 0.025],  # age 10-11: up from level 0, 1, 2
        [0.0025, 0.018, 0.035],  # 12-13
        [0.0030, 0.021, 0.038],  # 14-15
        [0.0018, 0.015, 0.028],  # 16-17
    ]
)
CHILD_STRESS_PUSH = 0.45
"""Up-moves of the child component are multiplied by ``1 + push * stress level``."""

CHILD_DOWN = np.array([0.0, 0.040, 0.070, 0.100])

# --- care-entry hazard ---------------------------------------------------------------

HAZARD_STRESS = np.array([0.0, 0.03, 0.20, 1.0, 5.0, 20.0])
"""Relative weight of the household stress levels in the care-entry hazard."""

HAZARD_HOUSEHOLD_AGE = np.array(
    [17.0, 3.82, 3.06, 2.89, 2.72, 2.72, 2.63, 2.63, 2.46, 2.46,
     2.9, 2.8, 2.7, 2.33, 2.15, 1.87, 1.45, 1.1]
) * 1e-4  # fmt: skip
"""Care-entry hazard of a stress weight of 1 by age in years (infants far more)."""

HAZARD_CHILD_LEVEL = np.array([0.0, 0.5, 5.0, 25.0])
HAZARD_CHILD_AGE = np.array([0.0] * 10 + [1.6, 2.3, 3.1, 3.8, 4.2, 4.2, 3.1, 2.4]) * 1e-4

HISTORY_NEVER, HISTORY_RETURNED, HISTORY_PERMANENCE, HISTORY_LEFT = 0, 1, 2, 3
HISTORY_MULTIPLIER = np.array([1.0, 4.0, 0.6, 0.0])
"""Hazard multiplier after a period of care: never in care, went home, left through
adoption / special guardianship / child arrangements order (their birth family's
stress no longer counts), left the authority."""

HAZARD_CAP = 0.5

ETHNIC_GROUP_EFFECT: dict[str, float] = {
    "White": 0.0, "Mixed": 0.45, "Asian": -0.65, "Black": 0.25, "Other": -0.15, "Unknown": 0.3,
}  # fmt: skip
"""Log hazard ratio by ethnic group on top of deprivation (disproportionality)."""

DISABILITY_EFFECT = 0.5
MALE_EFFECT = 0.05
TIER_EFFECT = np.array([0.2, 0.0, -0.2])
FRAILTY_SD = 0.5
SIBLING_SHARED = 0.6
"""Probability that a child's monthly care-entry draw is its household's shared draw, so
that siblings often enter care together (each child's hazard is unchanged)."""

ENTRIES_PER_CHILD_MONTH = 1.86e-4
"""Measured care entries per local child-month present; sets the number of UASC."""

DEFAULT_UASC_SHARE = 0.19
"""UASC arrivals as a share of all care entries (England: two thirds of entrants 16+)."""

# --- recording: front door and casework ------------------------------------------------

REFERRAL_STRESS = np.array([0.00004, 0.00025, 0.0015, 0.009, 0.07, 0.22])
REFERRAL_CHILD = np.array([0.0, 0.001, 0.02, 0.12])
REFERRAL_DISABILITY = 0.0010
NFA_SHARE = 0.07
REFERRAL_KNOWN = 1.2
"""Referral rates are multiplied by this in the year after a referral (known families)."""

CONTACT_STRESS = np.array([0.0015, 0.0050, 0.0120, 0.0250, 0.0450, 0.0700])
CONTACT_CHILD = np.array([0.0, 0.0060, 0.0200, 0.0500])

EARLY_HELP_START = np.array([0.0003, 0.0015, 0.0045, 0.0075, 0.0100, 0.0100])
EARLY_HELP_END = 0.15

S47_STRESS = np.array([0.010, 0.025, 0.06, 0.126, 0.228, 0.33])
S47_CHILD = np.array([0.0, 0.012, 0.06, 0.12])
ICPC_GIVEN_S47 = np.array([0.084, 0.104, 0.136, 0.168, 0.212, 0.232])
CP_GIVEN_ICPC = 0.88
OUTCOME_CIN_PLAN = np.array([0.06, 0.14, 0.26, 0.36, 0.42, 0.45])
OUTCOME_OPEN = np.array([0.14, 0.17, 0.20, 0.21, 0.21, 0.21])
OUTCOME_EARLY_HELP = 0.14
"""After an assessment that does not lead to a CP plan: CIN plan, open without a plan
(services), closed to early help (RC9), otherwise closed with no further action (RC8)."""

CP_END = np.array([0.24, 0.20, 0.143, 0.11, 0.079, 0.055])
CP_STEP_DOWN = 0.55
CIN_END = np.array([0.30, 0.22, 0.15, 0.104, 0.076, 0.062])
OPEN_END = np.array([0.47, 0.37, 0.28, 0.22, 0.17, 0.14])
CIN_ESCALATE = np.array([0.0, 0.001, 0.004, 0.015, 0.045, 0.090])
ICPC_GIVEN_ESCALATION = 0.40
CLOSE_TO_EARLY_HELP = 0.15
RETURN_HOME_CIN_PLAN = 0.55

REFERRAL_SOURCES = {
    "1A": 0.03, "1B": 0.01, "1C": 0.02, "1D": 0.01, "2A": 0.18, "2B": 0.02,
    "3A": 0.03, "3B": 0.03, "3C": 0.01, "3D": 0.02, "3E": 0.03, "3F": 0.04,
    "4": 0.01, "5A": 0.06, "5B": 0.02, "5C": 0.03, "5D": 0.03, "6": 0.29,
    "7": 0.04, "8": 0.03, "9": 0.01, "10": 0.01,
}  # fmt: skip
CARE_ENTRY_SOURCES = {"6": 0.45, "5A": 0.15, "3E": 0.08, "3F": 0.08, "2A": 0.10, "7": 0.08,
                      "5C": 0.06}  # fmt: skip
UASC_SOURCES = {"6": 0.55, "5C": 0.25, "8": 0.15, "10": 0.05}

CP_CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")

# --- recording: signals from other services ------------------------------------------

MISSING_CHILD = np.array([0.0002, 0.005, 0.06, 0.30])
MISSING_IN_CARE = 1.6
AWAY_SHARE_IN_CARE = 0.35
SUSPENSION_CHILD = np.array([0.0050, 0.025, 0.080, 0.150])
SUSPENSION_STRESS = np.array([0.0, 0.0005, 0.0020, 0.0050, 0.0080, 0.0100])
EXCLUSION_CHILD = np.array([0.00002, 0.0004, 0.0030, 0.0100])
ABSENCE_BASE = 0.035
ABSENCE_STRESS = 0.020
ABSENCE_CHILD = 0.050
ABSENCE_DISABILITY = 0.03
ABSENCE_CONCENTRATION = 14.0
TERM_ENDS = ((12, 19), (3, 28), (7, 21))
"""(month, day) at which autumn, spring and summer terms end; absence is known then."""

POLICE_DA_STRESS = np.array([0.0007, 0.0028, 0.0100, 0.030, 0.07, 0.14])
POLICE_DA_WITHOUT_TRAIT = 0.12
YOUTH_JUSTICE_CHILD = np.array([0.0001, 0.0016, 0.010, 0.030])
YOUTH_JUSTICE_MALE = 1.4
YOUTH_JUSTICE_OUTCOMES = ("CR", "YC", "YCC", "RO", "YRO", "DTO")
"""Community resolution, youth caution, youth conditional caution, referral order, youth
rehabilitation order, detention and training order."""
YOUTH_JUSTICE_MIX = np.array(
    [
        [0.55, 0.25, 0.10, 0.07, 0.03, 0.00],
        [0.45, 0.25, 0.12, 0.12, 0.05, 0.01],
        [0.30, 0.20, 0.15, 0.20, 0.12, 0.03],
        [0.20, 0.15, 0.12, 0.25, 0.20, 0.08],
    ]
)
