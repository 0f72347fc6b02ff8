"""Base rates: the CIN helpers, and a 100,000-child synthetic authority near national figures."""

from __future__ import annotations

import pandas as pd
import pytest

from riskmodel.data import (
    LocalAuthorityData,
)
from riskmodel.data.synthetic import (
    base_rates,
    children_in_need_on,
    make_local_authority,
    on_child_protection_plan_on,
)

pytestmark = pytest.mark.xdist_group("synthetic")


# --- the CIN helpers ------------------------------------------------------------------


def test_children_in_need_on_counts_open_episodes_and_looked_after_children():
    persons = pd.DataFrame(
        {"person_id": list("abcde"), "sex": "F", "date_of_birth": pd.Timestamp("2010-01-01")}
    )
    events = pd.DataFrame(
        {
            "person_id": ["a", "b", "b", "c", "c", "e", "e"],
            "event_date": pd.to_datetime(
                [
                    "2020-01-01",
                    "2020-02-01",
                    "2020-02-01",
                    "2020-01-01",
                    "2020-03-01",
                    "2020-01-01",
                    "2020-04-01",
                ]
            ),
            "event_type": [
                "referral",
                "referral",
                "referral_nfa",
                "referral",
                "cin_closure",
                "referral",
                "cin_closure",
            ],
        }
    )
    episodes = pd.DataFrame(
        {"person_id": ["d"], "start_date": pd.to_datetime(["2019-06-01"]), "legal_status": ["C2"]}
    )
    data = LocalAuthorityData(persons, events, episodes, extract_date="2020-12-31")
    # a: open; b: no further action; c: closed before; d: looked after; e: closed after
    assert list(children_in_need_on(data, "2020-03-31")) == ["a", "d", "e"]
    cp = pd.DataFrame(
        {
            "person_id": ["a", "a", "b"],
            "event_type": ["cp_plan_start", "cp_plan_end", "cp_plan_start"],
            "event_date": pd.to_datetime(["2020-01-01", "2020-03-31", "2020-02-01"]),
        }
    )
    assert list(on_child_protection_plan_on(cp, "2020-03-31")) == ["b"]


# --- calibration at 100,000 children --------------------------------------------------

# Each tolerance: (low, high), with the national target and its source (the data model).
FIRST_ENTRY_RATE_10_17 = (0.0012, 0.0032)  # 0.2% a year: ONS, 30,000 of 3.8m 10-17s over 4 years
CIN_PER_10K = (230, 450)  # 333 per 10,000 at 31 March: DfE children in need census
CP_PER_10K = (25, 60)  # 41 per 10,000 at 31 March: DfE children in need census
LOOKED_AFTER_PER_10K = (45, 95)  # about 70 per 10,000: DfE children looked after
ENTRANT_AGE_MIX = {"entrants_under_10": 0.45, "entrants_10_15": 0.27, "entrants_16_plus": 0.28}
ENTRANT_AGE_TOLERANCE = 0.08  # +-8 points on each share; DfE starters by age (all, incl. UASC)
CARE_ORDER_SHARE = (0.65, 0.85)  # about three quarters on entry (DfE), non-UASC entrants
SECTION20_SHARE = (0.12, 0.28)  # about a fifth (DfE), non-UASC entrants
UASC_SHARE_16_PLUS = (0.55, 0.78)  # about two thirds of entrants aged 16+ (DfE)
REFERRALS_PER_10K = (380, 680)  # about 517 a year (620,000 for 12m children): DfE
RE_REFERRAL_SHARE = (0.15, 0.35)  # 22% within 12 months: DfE
S47_PER_10K = (130, 260)  # about 190 a year: DfE
FACTOR_SHARES = {  # share of assessments with the factor: DfE children in need census
    "factor_domestic_abuse": (0.30, 0.55),  # 35-50%
    "factor_mental_health": (0.30, 0.55),  # 35-50%
    "factor_drug_misuse": (0.13, 0.26),  # 18-19%
    "factor_alcohol_misuse": (0.13, 0.26),  # 18-19%
    "factor_emotional_abuse": (0.10, 0.30),
    "factor_neglect": (0.10, 0.30),
    "factor_going_missing": (0.005, 0.06),  # rare: 1-4%
    "factor_sexual_exploitation": (0.005, 0.06),
    "factor_gangs": (0.005, 0.06),
    "factor_criminal_exploitation": (0.002, 0.06),  # recorded only from 2021-22
}
ADOLESCENT_FLAG_RATIO = (
    2.5  # missing/CSE/gangs/CCE far more common among adolescent entrants (DfE)
)


@pytest.mark.slow
def test_a_100k_authority_lands_near_the_national_base_rates():
    rates = base_rates(make_local_authority(n_children=100_000, random_state=2024))
    assert FIRST_ENTRY_RATE_10_17[0] < rates["first_entry_rate_10_17"] < FIRST_ENTRY_RATE_10_17[1]
    assert CIN_PER_10K[0] < rates["cin_per_10k"] < CIN_PER_10K[1]
    assert CP_PER_10K[0] < rates["cp_per_10k"] < CP_PER_10K[1]
    assert LOOKED_AFTER_PER_10K[0] < rates["looked_after_per_10k"] < LOOKED_AFTER_PER_10K[1]
    for name, target in ENTRANT_AGE_MIX.items():
        assert abs(rates[name] - target) < ENTRANT_AGE_TOLERANCE, name
    assert CARE_ORDER_SHARE[0] < rates["care_order_share"] < CARE_ORDER_SHARE[1]
    assert SECTION20_SHARE[0] < rates["section20_share"] < SECTION20_SHARE[1]
    assert UASC_SHARE_16_PLUS[0] < rates["uasc_share_16_plus"] < UASC_SHARE_16_PLUS[1]
    assert REFERRALS_PER_10K[0] < rates["referrals_per_10k_per_year"] < REFERRALS_PER_10K[1]
    assert RE_REFERRAL_SHARE[0] < rates["re_referral_share"] < RE_REFERRAL_SHARE[1]
    assert S47_PER_10K[0] < rates["s47_per_10k_per_year"] < S47_PER_10K[1]
    for name, (lo, hi) in FACTOR_SHARES.items():
        assert lo < rates[name] < hi, (name, rates[name])
    assert (
        rates["adolescent_entrant_flags"] > ADOLESCENT_FLAG_RATIO * rates["all_assessment_flags"]
    )
