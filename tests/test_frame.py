"""The training frame: cohort, features, labels and fairness groups joined row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.cohort import build_cohort, care_entry_labels, summarise_cohort
from riskmodel.data import LocalAuthorityData
from riskmodel.data._care import looked_after_on
from riskmodel.features import FeatureSpec
from riskmodel.frame import (
    GROUP_COLUMNS,
    TrainingFrame,
    age_bands,
    build_training_frame,
    demographic_groups,
)
from riskmodel.splits import TemporalSplit

DATES = pd.date_range("2019-04-01", "2023-04-01", freq="6MS")


def random_authority(n_children=300, seed=0, extract_date="2023-09-30"):
    """Children aged 5-20 over the period, some events, some care entries."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i:04d}" for i in range(n_children)]
    dob = pd.Timestamp("2002-01-01") + pd.to_timedelta(rng.integers(0, 15 * 365, n_children), "D")
    persons = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": dob,
            "sex": rng.choice(["M", "F", "U"], n_children, p=[0.49, 0.49, 0.02]),
            "ethnicity": rng.choice(["WBRI", "BAFR", "MWBC", "APKN", "CHNE", None], n_children),
            "disability": rng.choice(np.array([True, False, None], dtype=object), n_children),
            "imd_decile": rng.choice(
                np.array([1, 2, 3, 5, 8, 10, None], dtype=object), n_children
            ),
            "uasc": rng.random(n_children) < 0.03,
        }
    )
    n_events = 4 * n_children
    events = pd.DataFrame(
        {
            "person_id": rng.choice(ids, n_events),
            "event_date": pd.Timestamp("2017-01-01")
            + pd.to_timedelta(rng.integers(0, 6 * 365, n_events), "D"),
            "event_type": rng.choice(["referral", "missing_episode", "contact"], n_events),
        }
    )
    entrants = rng.choice(ids, n_children // 5, replace=False)
    start = pd.Timestamp("2017-01-01") + pd.to_timedelta(
        rng.integers(0, 6 * 365, len(entrants)), "D"
    )
    episodes = pd.DataFrame(
        {
            "person_id": entrants,
            "start_date": start,
            "end_date": start + pd.to_timedelta(rng.integers(30, 400, len(entrants)), "D"),
            "legal_status": rng.choice(["C2", "V2", "V3"], len(entrants)),
            "reason_episode_ceased": "E13",
        }
    )
    episodes.loc[episodes["end_date"] > pd.Timestamp(extract_date), "end_date"] = pd.NaT
    return LocalAuthorityData(persons, events, episodes, extract_date=extract_date)


@pytest.fixture(scope="module")
def data():
    return random_authority()


@pytest.fixture(scope="module")
def frame(data):
    return build_training_frame(data, DATES, horizon_months=12)


def test_rows_are_the_labelled_cohort_rows_in_order(data, frame):
    cohort = build_cohort(data, DATES)
    in_cohort = cohort[cohort["in_cohort"]].reset_index(drop=True)
    labels = care_entry_labels(data, in_cohort, 12)
    expected = in_cohort.loc[labels.notna().to_numpy(), ["person_id", "as_of_date"]]
    pd.testing.assert_frame_equal(frame.keys, expected.reset_index(drop=True))
    assert frame.n_unlabelled == int(labels.isna().sum()) > 0
    index = pd.MultiIndex.from_frame(frame.keys)
    assert frame.X.index.equals(index)
    assert frame.y.index.equals(index)
    assert frame.groups.index.equals(index)
    assert len(frame) == len(frame.keys)
    pd.testing.assert_frame_equal(frame.cohort, cohort)


def test_labels_are_the_care_entry_labels(data, frame):
    assert frame.y.name == "care_entry"
    assert frame.y.dtype == "int64"
    expected = care_entry_labels(data, frame.keys, 12)
    np.testing.assert_array_equal(frame.y.to_numpy(), expected.to_numpy())
    assert 0 < frame.y.sum() < len(frame.y)
    assert frame.horizon_months == 12
    # no kept row's horizon runs past the data
    assert (frame.keys["as_of_date"] + pd.DateOffset(months=12) <= data.end_date).all()


def test_unlabelled_rows_can_be_kept(data, frame):
    kept = build_training_frame(data, DATES, horizon_months=12, drop_unlabelled=False)
    assert kept.y.dtype == "float64"
    assert int(kept.y.isna().sum()) == kept.n_unlabelled == frame.n_unlabelled
    assert len(kept) == len(frame) + frame.n_unlabelled
    late = pd.DatetimeIndex(kept.keys["as_of_date"]) + pd.DateOffset(months=12) > data.end_date
    np.testing.assert_array_equal(kept.y.isna().to_numpy(), late)


def test_features_follow_the_spec_and_exclude_demographics_by_default(frame):
    assert isinstance(frame.spec, FeatureSpec)
    assert list(frame.X.columns) == list(frame.spec.names)
    assert not set(frame.X.columns) & set(GROUP_COLUMNS)
    assert not any(c.startswith(("sex_", "ethnic_group_", "deprivation_")) for c in frame.X)


def test_demographics_are_added_only_when_asked(data, frame):
    with_demo = build_training_frame(data, DATES, include_demographics=True)
    added = [c for c in with_demo.X.columns if c not in frame.X.columns]
    pd.testing.assert_frame_equal(with_demo.X[frame.X.columns], frame.X)
    assert "sex_f" in added and "ethnic_group_black" in added
    assert "deprivation_q1_most_deprived" in added and "age_band_16_17" in added
    for group in GROUP_COLUMNS:
        one_hot = with_demo.X[[c for c in added if c.startswith(group + "_")]]
        assert (one_hot.sum(axis=1) == 1).all(), group
    black = with_demo.groups["ethnic_group"] == "Black"
    np.testing.assert_array_equal(with_demo.X["ethnic_group_black"].to_numpy(), black.to_numpy())


def test_groups_code_each_demographic():
    persons = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d"],
            "date_of_birth": pd.to_datetime(["2008-01-01"] * 4),
            "sex": ["F", "M", "U", "F"],
            "ethnicity": ["BAFR", "WIRI", None, "XXXX"],
            "disability": [True, False, None, False],
            "imd_decile": [1, 4, None, 10],
        }
    )
    data = LocalAuthorityData(
        persons,
        pd.DataFrame(columns=["person_id", "event_date", "event_type"]),
        pd.DataFrame(columns=["person_id", "start_date"]),
    )
    rows = pd.DataFrame(
        {
            "person_id": ["d", "a", "b", "c"],
            "as_of_date": pd.Timestamp("2020-04-01"),
            "age": [10, 13, 16, None],
        }
    )
    groups = demographic_groups(data, rows)
    assert list(groups.columns) == list(GROUP_COLUMNS)
    assert groups.index.get_level_values("person_id").tolist() == ["d", "a", "b", "c"]
    assert groups.to_dict("list") == {
        "sex": ["F", "F", "M", "U"],
        "ethnic_group": ["Unknown", "Black", "White", "Unknown"],
        "disability": ["No", "Yes", "No", "Unknown"],
        "deprivation": ["Q5 least deprived", "Q1 most deprived", "Q2", "Unknown"],
        "age_band": ["10-12", "13-15", "16-17", "Unknown"],
    }


def test_age_bands_follow_the_cohort_bounds():
    assert age_bands([10, 12, 13, 15, 16, 17]).tolist() == [
        "10-12",
        "10-12",
        "13-15",
        "13-15",
        "16-17",
        "16-17",
    ]
    assert age_bands([11, 14, 15], min_age=11, max_age=15).tolist() == ["11-13", "14-15", "14-15"]
    assert age_bands([17], min_age=11, max_age=17).tolist() == ["17"]
    assert age_bands([4, 40], min_age=None, max_age=None).tolist() == ["3-5", "39-41"]


def test_cohort_rules_pass_through(data, frame):
    older = build_training_frame(data, DATES, min_age=14, max_age=17, exclude_uasc=False)
    uasc = set(data.persons.loc[data.persons["uasc"].fillna(False), "person_id"])
    assert uasc & set(older.keys["person_id"])
    assert not uasc & set(frame.keys["person_id"])
    ages = older.cohort.set_index(["person_id", "as_of_date"]).loc[
        pd.MultiIndex.from_frame(older.keys), "age"
    ]
    assert ages.between(14, 17).all()
    assert set(older.groups["age_band"]) == {"14-16", "17"}


def test_no_cohort_or_no_labels_raise_clear_errors(data):
    with pytest.raises(
        ValueError, match=r"no child is in the cohort .*300 born after the as-of date"
    ):
        build_training_frame(data, ["1990-01-01"])
    with pytest.raises(ValueError, match=r"use as-of dates on or before 2022-09-30"):
        build_training_frame(data, ["2023-01-01"], horizon_months=12)


def test_the_horizon_is_a_whole_number_of_months(data):
    with pytest.raises(ValueError, match="horizon_months must be a whole number of months"):
        build_training_frame(data, DATES, horizon_months="12M")


def test_repr_summarises_the_frame(frame):
    text = repr(frame)
    assert text.startswith("TrainingFrame(rows=")
    assert f"unlabelled={frame.n_unlabelled:,}" in text
    assert "horizon_months=12" in text
    assert frame.as_of_dates.is_monotonic_increasing
    assert isinstance(frame, TrainingFrame)


def test_temporal_split_reads_the_frame_dates(frame):
    cv = TemporalSplit(2, test_duration=6, horizon_months=frame.horizon_months)
    dates = frame.keys["as_of_date"]
    for train, test in cv.split(frame.X, frame.y):
        assert dates.iloc[train].max() + pd.DateOffset(months=12) <= dates.iloc[test].min()


def test_frame_on_a_synthetic_authority():
    from riskmodel.data.synthetic import make_local_authority

    data = make_local_authority(n_children=1500, random_state=1)
    dates = pd.date_range("2016-04-01", "2024-03-01", freq="3MS")
    frame = build_training_frame(data, dates, horizon_months=12)
    summary = summarise_cohort(frame.cohort)
    assert (summary["children"] == len(data.persons)).all()
    assert len(frame) + frame.n_unlabelled == summary["in_cohort"].sum()
    assert frame.keys["as_of_date"].max() == pd.Timestamp("2023-01-01")
    uasc = data.persons.loc[data.persons["uasc"].fillna(False), "person_id"]
    assert not frame.keys["person_id"].isin(uasc).any()
    for as_of, rows in frame.keys.groupby("as_of_date"):
        assert not rows["person_id"].isin(looked_after_on(data.care_episodes, as_of)).any()
    ages = frame.cohort.set_index(["person_id", "as_of_date"])["age"]
    assert ages.reindex(frame.X.index).between(10, 17).all()
    assert not frame.groups.isna().any().any()
    assert frame.y.sum() > 0
