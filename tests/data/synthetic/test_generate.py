"""The synthetic local authority: contract, realism of its population and care, knobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.data import (
    ETHNIC_CODES,
    ETHNIC_GROUPS,
    care_entries,
    periods_of_care,
)
from riskmodel.data.synthetic import (
    GroundTruth,
    ReportingBias,
    children_in_need_on,
    make_local_authority,
)

START, END = pd.Timestamp("2014-04-01"), pd.Timestamp("2024-03-31")

pytestmark = pytest.mark.xdist_group("synthetic")


# --- contract -----------------------------------------------------------------------


def test_small_authority_has_the_canonical_shape(small):
    assert len(small.persons) == 2_000
    assert small.extract_date == END
    assert isinstance(small.truth, GroundTruth)
    assert small.persons["person_id"].is_unique
    assert set(small.events["event_type"]) <= {
        "contact",
        "referral",
        "referral_nfa",
        "assessment_start",
        "assessment_factor",
        "s47_start",
        "icpc",
        "cp_plan_start",
        "cp_plan_end",
        "cin_plan_start",
        "cin_plan_end",
        "cin_closure",
        "early_help_start",
        "early_help_end",
        "missing_episode",
        "suspension",
        "permanent_exclusion",
        "absence_rate",
        "police_domestic_abuse",
        "youth_justice_outcome",
    }
    small.validate()  # warnings are errors in this suite


def test_tables_keep_their_invariants(medium):
    known = set(medium.persons["person_id"])
    assert set(medium.events["person_id"]) <= known
    assert set(medium.care_episodes["person_id"]) <= known
    assert medium.events["event_date"].max() <= END
    assert medium.care_episodes["start_date"].max() <= END
    assert medium.care_episodes["end_date"].max() <= END
    assert medium.persons["date_of_birth"].max() <= END
    eps = medium.care_episodes.sort_values(["person_id", "start_date"])
    assert (eps["end_date"].isna() | (eps["end_date"] >= eps["start_date"])).all()
    same = eps["person_id"].eq(eps["person_id"].shift())
    prev_end = eps["end_date"].shift()
    assert not (same & (prev_end.isna() | (eps["start_date"] < prev_end))).any()
    open_ = eps["end_date"].isna()
    assert eps.loc[open_, "reason_episode_ceased"].isna().all()
    assert eps.loc[~open_, "reason_episode_ceased"].notna().all()


def test_events_before_the_period_belong_to_cin_episodes_open_at_its_start(medium):
    early = medium.events[medium.events["event_date"] < START]
    assert len(early) > 0
    assert set(early["person_id"]) <= set(
        children_in_need_on(medium, START - pd.Timedelta(days=1))
    )
    assert not early["event_type"].isin(["absence_rate", "missing_episode", "suspension"]).any()


def test_no_casework_starts_while_a_child_is_looked_after(medium):
    periods = periods_of_care(medium.care_episodes)
    periods = periods[periods["is_care_entry"]].sort_values("start_date")
    starts = (
        "referral",
        "assessment_start",
        "s47_start",
        "icpc",
        "cp_plan_start",
        "cin_plan_start",
        "early_help_start",
    )
    events = medium.events[medium.events["event_type"].isin(starts)].sort_values("event_date")
    during = pd.merge_asof(
        events,
        periods,
        left_on="event_date",
        right_on="start_date",
        by="person_id",
        direction="backward",
    )
    inside = (during["event_date"] > during["start_date"]) & (
        during["end_date"].isna() | (during["event_date"] < during["end_date"])
    )
    assert not inside.any(), during[inside].head()


def test_same_seed_gives_identical_tables_and_other_seeds_differ():
    a = make_local_authority(n_children=1_000, random_state=42)
    b = make_local_authority(n_children=1_000, random_state=42)
    c = make_local_authority(n_children=1_000, random_state=43)
    for name in ("persons", "events", "care_episodes"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.events.equals(c.events)
    assert not a.persons.equals(c.persons)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_children": 0}, "n_children"),
        ({"n_children": 2.5}, "n_children"),
        ({"start": "2014-04-02"}, "first day of a month"),
        ({"end": "2014-03-01"}, "end must be after start"),
        ({"label_noise": 1.5}, "label_noise"),
        ({"uasc_share": 1.0}, "uasc_share"),
        ({"reporting_bias": {"ethnic_group": "Purple", "factor": 2}}, "ethnic_group"),
        ({"reporting_bias": {"ethnic_group": "Black", "factor": 0}}, "factor"),
        ({"reporting_bias": {"group": "Black", "factor": 2}}, "unknown key"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_local_authority(**{"n_children": 10, **kwargs})


# --- population and care ------------------------------------------------------------


def test_population_looks_like_englands_children(medium):
    persons = medium.persons
    assert 0.48 < (persons["sex"] == "M").mean() < 0.54
    assert 0.06 < persons["disability"].mean() < 0.10
    assert set(persons["ethnicity"]) == set(ETHNIC_CODES)
    shares = persons["ethnicity"].map(ETHNIC_GROUPS).value_counts(normalize=True)
    for group, (lo, hi) in {
        "White": (0.67, 0.77),
        "Mixed": (0.05, 0.09),
        "Asian": (0.08, 0.14),
        "Black": (0.04, 0.08),
        "Other": (0.015, 0.045),
        "Unknown": (0.005, 0.025),
    }.items():
        assert lo < shares[group] < hi, group
    assert persons["imd_decile"].between(1, 10).all()
    assert persons["imd_decile"].le(3).mean() > 0.35  # somewhat deprived
    siblings = persons[persons["household_id"].duplicated(keep=False)]
    assert len(siblings) > 0.3 * len(persons)
    assert (siblings.groupby("household_id")["ethnicity"].nunique() == 1).all()
    counts = [
        (
            (persons["date_of_birth"] <= d)
            & (persons["date_of_birth"] > d - pd.DateOffset(years=18))
        ).sum()
        for d in pd.date_range(START, END, freq="12MS")
    ]
    assert max(counts) / min(counts) < 1.15


def test_uasc_arrive_at_16_or_17_and_enter_care_on_arrival(medium):
    persons = medium.persons.set_index("person_id")
    uasc = persons.index[persons["uasc"].astype(bool)]
    assert len(uasc) > 50
    first = medium.care_episodes.groupby("person_id").first().reindex(uasc)
    age = (first["start_date"] - persons.loc[uasc, "date_of_birth"]).dt.days / 365.25
    assert age.between(16, 18).all()
    assert (first["legal_status"] == "V2").all()
    assert (first["reason_new_episode"] == "S").all()
    events = medium.events[medium.events["person_id"].isin(uasc)]
    arrival = first["start_date"].reindex(events["person_id"]).to_numpy()
    assert (events["event_date"].to_numpy() >= arrival).all()
    assert (events["code"] == "9A").sum() >= 0.9 * len(uasc[first["start_date"] < "2024-01-01"])


def test_uasc_share_zero_gives_no_uasc():
    data = make_local_authority(n_children=3_000, uasc_share=0.0, random_state=1)
    assert not data.persons["uasc"].any()
    assert not (data.events["code"] == "9A").any()


def test_short_breaks_are_periods_of_their_own_and_not_care_entries(medium):
    periods = periods_of_care(medium.care_episodes)
    short = periods[periods["short_breaks_only"]]
    assert len(short) > 0
    assert not short["is_care_entry"].any()
    disabled = medium.persons.set_index("person_id")["disability"]
    assert disabled.reindex(short["person_id"]).all()
    entries = care_entries(medium.care_episodes)
    assert not entries["legal_status"].isin(["V3", "V4"]).any()


def test_episodes_chain_within_periods(medium):
    eps = medium.care_episodes
    eps = eps[~eps["legal_status"].isin(["V3", "V4"])].sort_values(["person_id", "start_date"])
    nxt_same = eps["person_id"].eq(eps["person_id"].shift(-1))
    chained = nxt_same & eps["start_date"].shift(-1).eq(eps["end_date"])
    assert (eps.loc[chained, "reason_episode_ceased"] == "X1").all()
    assert (eps.loc[~chained & eps["end_date"].notna(), "reason_episode_ceased"] != "X1").all()
    first = ~(
        eps["person_id"].eq(eps["person_id"].shift())
        & eps["start_date"].eq(eps["end_date"].shift())
    )
    assert (eps.loc[first, "reason_new_episode"] == "S").all()
    assert set(eps.loc[~first, "reason_new_episode"]) <= {"L", "P", "T", "B", "U"}
    assert set(eps["category_of_need"]) <= {f"N{i}" for i in range(1, 9)}
    entries = care_entries(medium.care_episodes)
    assert (entries["entry_number"] > 1).mean() > 0.05  # some children re-enter care


# --- reporting bias -----------------------------------------------------------------


def test_reporting_bias_changes_recording_but_not_true_entries(medium):
    biased = make_local_authority(
        n_children=30_000, random_state=11, reporting_bias=ReportingBias("Black", 2.0)
    )
    pd.testing.assert_frame_equal(biased.care_episodes, medium.care_episodes)
    ids = medium.persons["person_id"].to_numpy()[::7]
    np.testing.assert_array_equal(
        biased.truth.probability(ids, "2019-05-01"), medium.truth.probability(ids, "2019-05-01")
    )
    black = medium.persons.loc[
        medium.persons["ethnicity"].map(ETHNIC_GROUPS) == "Black", "person_id"
    ]

    def referrals(data, group: bool) -> int:
        refs = data.events[data.events["event_type"] == "referral"]
        return int((refs["person_id"].isin(black) == group).sum())

    # factor 2: the group's recorded referrals roughly double (over-recorded referrals end
    # with no further action, so they rarely block a later needed one), the others' do not move
    assert 1.5 < referrals(biased, True) / referrals(medium, True) < 2.4
    assert 0.92 < referrals(biased, False) / referrals(medium, False) < 1.08


def test_reporting_bias_mapping_equals_dataclass():
    a = make_local_authority(
        n_children=800, random_state=3, reporting_bias={"ethnic_group": "Asian", "factor": 0.5}
    )
    b = make_local_authority(
        n_children=800, random_state=3, reporting_bias=ReportingBias("Asian", 0.5)
    )
    pd.testing.assert_frame_equal(a.events, b.events)
