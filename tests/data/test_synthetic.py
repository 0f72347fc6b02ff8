"""The synthetic local authority: contract, realism, honesty of the ground truth, knobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskmodel.data import (
    ETHNIC_CODES,
    ETHNIC_GROUPS,
    LocalAuthorityData,
    care_entries,
    looked_after_on,
    periods_of_care,
)
from riskmodel.data.synthetic import (
    GroundTruth,
    ReportingBias,
    base_rates,
    children_in_need_on,
    make_local_authority,
    on_child_protection_plan_on,
)

pytestmark = pytest.mark.xdist_group("synthetic")

START, END = pd.Timestamp("2014-04-01"), pd.Timestamp("2024-03-31")


@pytest.fixture(scope="module")
def small() -> LocalAuthorityData:
    return make_local_authority(n_children=2_000, random_state=0)


@pytest.fixture(scope="module")
def medium() -> LocalAuthorityData:
    return make_local_authority(n_children=30_000, random_state=11)


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


# --- ground truth ---------------------------------------------------------------------


def _yearly_rows(data: LocalAuthorityData, dates, min_age=0, local_only=False) -> pd.DataFrame:
    """(child, as-of) rows of children present and not looked after, with truth and label."""
    persons = data.persons.set_index("person_id")
    entries = care_entries(data.care_episodes)
    frames = []
    for as_of in dates:
        age = (as_of - persons["date_of_birth"]).dt.days / 365.25
        keep = (age >= min_age) & (age < 18)
        if local_only:
            keep &= ~persons["uasc"].astype(bool)
        ids = persons.index[keep]
        ids = ids[~ids.isin(looked_after_on(data.care_episodes, as_of))]
        window = entries[
            (entries["entry_date"] > as_of)
            & (entries["entry_date"] <= as_of + pd.DateOffset(months=12))
        ]
        frames.append(
            pd.DataFrame(
                {
                    "person_id": ids,
                    "as_of": as_of,
                    "truth": data.truth.probability(ids, as_of),
                    "y": ids.isin(window["person_id"]),
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    return rows[rows["truth"].notna()]  # UASC not yet arrived


def test_truth_agrees_with_observed_care_entries(medium):
    rows = _yearly_rows(medium, pd.date_range("2015-04-01", "2022-04-01", freq="12MS"))
    expected, observed = rows["truth"].sum(), rows["y"].sum()
    assert expected > 150
    # windows of one child are disjoint: entries are close to independent Poisson counts
    assert abs(observed - expected) < 4 * np.sqrt(expected)
    top = rows["truth"] >= rows["truth"].quantile(0.95)
    for part in (top, ~top):
        e, o = rows.loc[part, "truth"].sum(), rows.loc[part, "y"].sum()
        assert abs(o - e) < 4 * np.sqrt(e) + 3


def test_truth_is_a_probability(medium):
    """Survival is 1 - sum of state masses, whose round-off once gave -2.2e-16."""
    rows = _yearly_rows(medium, pd.date_range("2015-04-01", "2022-04-01", freq="12MS"))
    truth = rows["truth"].dropna()
    assert len(truth) > 1000
    assert truth.min() >= 0.0 and truth.max() <= 1.0


def test_truth_ranks_better_than_any_single_recorded_feature(medium):
    dates = pd.date_range("2016-04-01", "2022-10-01", freq="6MS")
    rows = _yearly_rows(medium, dates, min_age=10, local_only=True)
    events = medium.events
    features = {}
    for as_of, part in rows.groupby("as_of"):
        past = events[
            (events["event_date"] < as_of)
            & (events["event_date"] >= as_of - pd.DateOffset(years=1))
        ]
        ids = part["person_id"]
        f = pd.DataFrame(index=part.index)
        for kind in (
            "referral",
            "contact",
            "missing_episode",
            "police_domestic_abuse",
            "suspension",
        ):
            counts = past[past["event_type"] == kind].groupby("person_id").size()
            f[kind] = counts.reindex(ids, fill_value=0).to_numpy()
        recorded = past[past["event_type"] != "absence_rate"].groupby("person_id").size()
        f["events"] = recorded.reindex(ids, fill_value=0).to_numpy()
        absence = past[past["event_type"] == "absence_rate"].groupby("person_id")["value"].mean()
        f["absence"] = absence.reindex(ids, fill_value=0).to_numpy()
        f["in_need"] = ids.isin(
            children_in_need_on(medium, as_of - pd.Timedelta(days=1))
        ).to_numpy()
        f["cp_plan"] = ids.isin(
            on_child_protection_plan_on(past, as_of - pd.Timedelta(days=1))
        ).to_numpy()
        features[as_of] = f
    features = pd.concat(features.values()).loc[rows.index]
    assert rows["y"].sum() > 60
    truth_auc = roc_auc_score(rows["y"], rows["truth"])
    for name, values in features.items():
        assert truth_auc > roc_auc_score(rows["y"], values.astype(float)) + 0.03, name


def _monte_carlo(truth: GroundTruth, child: int, as_of: pd.Timestamp, horizon: int, draws, rng):
    """Re-simulate the model forward from the as-of state (a reference for the exact sum)."""
    from riskmodel.data.synthetic._process import child_band, hazard, joint_transition

    grid, paths = truth._grid, truth._paths
    day = int(np.datetime64(as_of.date(), "D").astype(np.int64))
    end = int(np.datetime64((as_of + pd.DateOffset(months=horizon)).date(), "D").astype(np.int64))
    month, last = int(grid.month_of(day + 1)), int(grid.month_of(end))
    row = month - paths.first_month
    state = np.full(
        draws, paths.stress[row, truth._household[child]] * 4 + paths.child[row, child]
    )
    kept, entered = np.ones(draws, bool), np.zeros(draws, bool)
    cumulative = np.cumsum(joint_transition()[truth._class[child]], axis=-1)
    for m in range(month, last + 1):
        age = m - truth._birth_month[child]
        h = hazard(
            state // 4, state % 4, age // 12, truth._fixed_effect[child], 0, truth.label_noise
        )
        enters = rng.random(draws) < h
        entry_day = grid.first_day(m) + np.floor(rng.random(draws) * grid.days_in(m))
        if m == month:
            kept &= ~(enters & (entry_day <= day))  # condition on no entry up to the as-of date
        entered |= enters & (entry_day > day) & (entry_day <= end)
        rows = cumulative[child_band(age + 1)][state]
        state = np.minimum((rng.random(draws)[:, None] > rows).sum(1), 23)
    return entered[kept].mean(), kept.sum()


def test_truth_equals_forward_resimulation(medium):
    truth = medium.truth
    as_of = pd.Timestamp("2019-06-17")  # mid-month: both partial months matter
    never = ~medium.persons["person_id"].isin(medium.care_episodes["person_id"])
    ids = medium.persons.loc[never, "person_id"]
    p = truth.probability(ids, as_of, horizon_months=12)
    high = ids[np.nan_to_num(p) > 0.01].to_numpy()[:25]
    assert len(high) >= 10
    rng = np.random.default_rng(0)
    for pid in high:
        child = truth.person_ids.get_loc(pid)
        for horizon in (3, 12):
            exact = truth.probability([pid], as_of, horizon_months=horizon)[0]
            estimate, n = _monte_carlo(truth, child, as_of, horizon, 40_000, rng)
            assert abs(estimate - exact) < 4.5 * np.sqrt(exact * (1 - exact) / n) + 1e-4


def test_truth_is_nan_for_looked_after_zero_after_18_and_grows_with_horizon(medium):
    truth, persons = medium.truth, medium.persons
    as_of = pd.Timestamp("2020-01-15")
    looked_after = looked_after_on(medium.care_episodes, as_of)
    assert np.isnan(truth.probability(looked_after[:20], as_of)).all()
    adults = persons.loc[persons["date_of_birth"] < as_of - pd.DateOffset(years=18), "person_id"]
    assert (truth.probability(adults[:20], as_of) == 0).all()
    ids = persons.loc[persons["date_of_birth"] < as_of - pd.DateOffset(years=1), "person_id"][:500]
    short, long = truth.probability(ids, as_of, 6), truth.probability(ids, as_of, 24)
    ok = ~np.isnan(short)
    assert (long[ok] >= short[ok] - 1e-12).all() and (long[ok] > short[ok]).any()
    state = truth.latent_state(ids, as_of)
    assert (
        state["household_stress"].between(0, 5).all() and state["child_level"].between(0, 3).all()
    )


def test_truth_refuses_unknown_children_and_dates_outside_the_period(small):
    pid = small.persons["person_id"].iloc[0]
    with pytest.raises(ValueError, match="not children of this synthetic authority"):
        small.truth.probability(["nobody", pid], "2020-01-01")
    with pytest.raises(ValueError, match="outside the simulated period"):
        small.truth.probability([pid], "2030-01-01")
    with pytest.raises(ValueError, match="horizon_months"):
        small.truth.probability([pid], "2020-01-01", horizon_months=0)


def test_truth_for_keys_is_the_probability_of_each_key_row(small):
    ids = small.persons["person_id"].to_numpy()[:40]
    dates = np.repeat(pd.to_datetime(["2019-04-01", "2021-07-15"]).to_numpy(), 20)
    keys = pd.DataFrame({"as_of_date": dates, "person_id": ids, "other": 1})
    got = small.truth.for_keys(keys, horizon_months=6)
    np.testing.assert_array_equal(got, small.truth.probability(ids, dates, horizon_months=6))
    assert got.shape == (40,)
    with pytest.raises(
        ValueError, match="keys must have columns person_id and as_of_date; missing as_of_date"
    ):
        small.truth.for_keys(keys[["person_id"]], horizon_months=12)


def test_full_label_noise_makes_truth_depend_on_age_only():
    data = make_local_authority(n_children=3_000, label_noise=1.0, random_state=2)
    as_of = pd.Timestamp("2019-01-01")
    persons = data.persons[~data.persons["person_id"].isin(data.care_episodes["person_id"])]
    p = pd.Series(data.truth.probability(persons["person_id"], as_of), index=persons.index)
    spread = p.groupby(persons["date_of_birth"]).agg(lambda x: x.max() - x.min())
    assert (spread.dropna() < 1e-12).all()
    assert p.groupby(persons["date_of_birth"]).mean().dropna().nunique() > 100


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
