"""The ground truth: exact, honest true probabilities of a care entry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskmodel.data import (
    LocalAuthorityData,
    care_entries,
    looked_after_on,
)
from riskmodel.data.synthetic import (
    GroundTruth,
    children_in_need_on,
    make_local_authority,
    on_child_protection_plan_on,
)

pytestmark = pytest.mark.xdist_group("synthetic")


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
