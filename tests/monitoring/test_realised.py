"""realised_performance: each figure recomputed independently from history and care entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import riskmodel as rm
from riskmodel.cohort import build_cohort
from riskmodel.data import care_entries
from riskmodel.exceptions import SchemaError
from riskmodel.fairness import audit_fairness
from riskmodel.frame import demographic_groups
from riskmodel.metrics import risk_bands
from riskmodel.monitoring import (
    CALIBRATION_COLUMNS,
    GROUP_METRICS,
    NEAR_CUTOFF_COLUMNS,
    OVERALL_METRICS,
    REALISED_COLUMNS,
    RUN_COLUMNS,
    read_score_history,
    realised_performance,
)
from riskmodel.scoring import append_history

DATES = ["2022-01-01", "2022-07-01", "2023-06-01", "2023-10-01"]  # data end 2024-03-31
CAPACITY = 40
GHOST = "not-in-the-data"


def _run_table(data: rm.LocalAuthorityData, date: str, rng: np.random.Generator) -> pd.DataFrame:
    cohort = build_cohort(data, date)
    cohort = cohort[cohort["in_cohort"]].reset_index(drop=True)
    truth = data.truth.for_keys(cohort[["person_id", "as_of_date"]], horizon_months=12)
    score = np.clip(np.round(truth * rng.lognormal(0, 0.5, len(truth)), 3), 0, 1)
    table = pd.DataFrame({"person_id": cohort["person_id"].astype(str), "risk_score": score})
    if date == DATES[0]:
        table.loc[len(table)] = [GHOST, 0.0]
    table = table.sort_values("risk_score", ascending=False, kind="stable").reset_index(drop=True)
    table["risk_band"] = risk_bands(table["risk_score"].to_numpy())
    table["rank"] = np.arange(1, len(table) + 1)
    table["flagged"] = table["rank"] <= CAPACITY
    table["model_name"] = "m"
    table["model_version"] = "1" if date < "2023" else "2"
    return table


@pytest.fixture(scope="module")
def data() -> rm.LocalAuthorityData:
    return rm.make_local_authority(n_children=12_000, random_state=7)


@pytest.fixture(scope="module")
def history(data, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("monitor")
    rng = np.random.default_rng(0)
    for date in DATES:
        append_history(Path(out) / "history", _run_table(data, date, rng), pd.Timestamp(date))
    return read_score_history(out)


PROMISED = pd.DataFrame(
    {
        "model_version": ["1", "1", "2", "1"],
        "metric": [
            "precision_at_capacity",
            "observed_expected_ratio",
            "precision_at_capacity",
            "capacity",
        ],
        "value": [0.5, 1.0, 0.5, 50],
        "lower": [0.45, 0.9, 0.0, np.nan],
        "upper": [0.55, 1.1, 1.0, np.nan],
    }
)


@pytest.fixture(scope="module")
def result(data, history):
    return realised_performance(data, history, promised=PROMISED, n_resamples=200, random_state=0)


def _plain_outcomes(data, history: pd.DataFrame) -> pd.Series:
    """Entered care: an entry in (as_of, min(as_of + 12 months, end)], by a plain merge."""
    entries = care_entries(data.care_episodes)
    rows = history.reset_index()
    pairs = rows.merge(entries[["person_id", "entry_date"]], on="person_id")
    stop = (pairs["as_of_date"] + pd.DateOffset(months=12)).clip(upper=data.end_date)
    hit = (pairs["entry_date"] > pairs["as_of_date"]) & (pairs["entry_date"] <= stop)
    found = set(pairs.loc[hit, "index"])
    return pd.Series([i in found for i in rows["index"]], index=history.index)


def test_tables_have_their_columns(result):
    assert list(result.realised.columns) == REALISED_COLUMNS
    assert list(result.runs.columns) == RUN_COLUMNS
    assert list(result.calibration.columns) == CALIBRATION_COLUMNS
    assert list(result.near_cutoff.columns) == NEAR_CUTOFF_COLUMNS


def test_whole_list_metrics_equal_a_plain_recomputation(data, history, result):
    y = _plain_outcomes(data, history)
    overall = result.overall().set_index(["as_of_date", "metric"])
    assert y.sum() > 20
    for date, run in history.groupby("as_of_date"):
        yr, flagged, score = y[run.index], run["flagged"], run["risk_score"]
        expected = {
            "precision_at_capacity": yr[flagged].sum() / flagged.sum(),
            "recall_at_capacity": yr[flagged].sum() / yr.sum(),
            "observed_expected_ratio": yr.sum() / score.sum(),
            "roc_auc": roc_auc_score(yr, score),
            "average_precision": average_precision_score(yr, score),
        }
        for metric, value in expected.items():
            assert overall.loc[(date, metric), "value"] == pytest.approx(value, rel=1e-12)
        assert overall.loc[(date, "roc_auc"), "entrants"] == yr.sum()
        assert overall.loc[(date, "roc_auc"), "n"] == len(run)


def test_intervals_hold_the_value(result):
    table = result.realised.dropna(subset=["value", "lower", "upper"])
    assert len(table) > 100
    assert (table["lower"] <= table["value"] + 1e-12).all()
    assert (table["value"] <= table["upper"] + 1e-12).all()


def test_runs_table_and_partial_runs(data, history, result):
    y = _plain_outcomes(data, history)
    runs = result.runs.set_index("as_of_date")
    assert runs["complete"].tolist() == [True, True, False, False]
    assert runs["months_observed"].tolist() == [12, 12, 9, 5]
    assert runs["not_in_data"].tolist() == [1, 0, 0, 0]
    by_run = y.groupby(history["as_of_date"])
    assert runs["entrants"].tolist() == by_run.sum().tolist()
    flagged_entrants = (y & history["flagged"]).groupby(history["as_of_date"]).sum()
    assert runs["entrants_flagged"].tolist() == flagged_entrants.tolist()
    assert runs["flagged"].eq(CAPACITY).all()
    assert any("so far, 5 of 12 months" in line for line in result.caveats)
    assert any("not in the data's persons table" in line for line in result.caveats)
    assert any("assumed a capacity of 50" in line for line in result.caveats)
    partial = result.realised[~result.realised["complete"]]
    assert set(partial["as_of_date"].dt.date.astype(str)) == {"2023-06-01", "2023-10-01"}


def test_pooled_rows_use_complete_runs_only(data, history, result):
    y = _plain_outcomes(data, history)
    pooled = result.overall()[result.overall()["as_of_date"].isna()].set_index("metric")
    assert list(pooled.index) == list(OVERALL_METRICS)
    complete = history["as_of_date"] < pd.Timestamp("2023-01-01")
    flagged = history["flagged"] & complete
    assert pooled["n"].eq(complete.sum()).all()
    assert pooled.loc["precision_at_capacity", "value"] == pytest.approx(
        (y & flagged).sum() / flagged.sum()
    )
    assert pooled.loc["recall_at_capacity", "value"] == pytest.approx(
        (y & flagged).sum() / (y & complete).sum()
    )
    assert pooled["complete"].all() and pooled["model_version"].eq("1").all()


def test_group_rows_equal_the_audit_called_directly(data, history, result):
    date = pd.Timestamp(DATES[1])
    run = history[history["as_of_date"] == date]
    cohort = build_cohort(data, date).set_index("person_id")
    rows = run[["person_id", "as_of_date"]].assign(
        age=cohort["age"].reindex(run["person_id"]).to_numpy()
    )
    groups = demographic_groups(data, rows).reset_index(drop=True)
    y = _plain_outcomes(data, history)[run.index].to_numpy()
    audit = audit_fairness(
        y, run["risk_score"].to_numpy(), groups, capacity=CAPACITY, n_resamples=50, random_state=1
    )
    mine = result.realised[
        (result.realised["as_of_date"] == date) & (result.realised["attribute"] != "all")
    ]
    theirs = audit.by_group[audit.by_group["metric"].isin(GROUP_METRICS)]
    key = ["attribute", "group", "metric"]
    both = mine.merge(theirs, on=key, suffixes=("", "_audit"), validate="one_to_one")
    assert len(both) == len(theirs) == len(mine) > 50
    np.testing.assert_allclose(both["value"], both["value_audit"], rtol=1e-12)
    assert both["n"].equals(both["n_audit"]) and both["suppressed"].equals(
        both["suppressed_audit"]
    )
    ratios = both.merge(audit.disparities, on=key, suffixes=("", "_d"))
    np.testing.assert_allclose(ratios["ratio"], ratios["ratio_d"], rtol=1e-12)
    assert (mine["reference"] == mine["attribute"].map(audit.reference)).all()


def test_given_groups_are_used_and_must_be_aligned(data, history):
    few = history[history["as_of_date"] == pd.Timestamp(DATES[0])]
    groups = pd.DataFrame({"half": np.where(few["rank"] % 2 == 0, "even", "odd")}, index=few.index)
    result = realised_performance(data, few, groups=groups, n_resamples=20, random_state=0)
    assert set(result.realised["attribute"]) == {"all", "half"}
    with pytest.raises(SchemaError, match="groups: expected a DataFrame aligned"):
        realised_performance(data, few, groups=groups.set_axis(few.index + 1), n_resamples=20)


def test_calibration_and_near_cutoff_recomputed(data, history, result):
    y = _plain_outcomes(data, history)
    for date, run in history.groupby("as_of_date"):
        cal = result.calibration[result.calibration["as_of_date"] == date]
        assert cal["n"].sum() == len(run)
        merged = (run["risk_band"] - 1) // 4
        rate = y[run.index].groupby(merged).mean()
        np.testing.assert_allclose(cal["observed_rate"], rate.reindex(range(5)), rtol=1e-12)
        near = result.near_cutoff[result.near_cutoff["as_of_date"] == date].set_index("list")
        below = (run["rank"] > CAPACITY) & (run["rank"] <= 2 * CAPACITY)
        assert near.loc["flagged", "entrants"] == y[run.index][run["flagged"]].sum()
        assert near.loc["just below", "entrants"] == y[run.index][below].sum()
        assert near.loc["just below", "n"] == CAPACITY


def test_promise_join_and_outside_promise(result):
    rows = result.overall().set_index(["as_of_date", "metric"])
    for date, version in zip(DATES, ["1", "1", "2", "2"], strict=True):
        row = rows.loc[(pd.Timestamp(date), "precision_at_capacity")]
        low, high = (0.45, 0.55) if version == "1" else (0.0, 1.0)
        assert (row["promised_lower"], row["promised_upper"]) == (low, high)
        outside = not low <= row["value"] <= high
        assert row["outside_promise"] == (outside and row["complete"])
        assert np.isnan(rows.loc[(pd.Timestamp(date), "roc_auc"), "promised_value"])
    # version 2 promises no O/E: blank, never outside
    oe = rows.xs("observed_expected_ratio", level="metric")
    assert oe["promised_value"].isna().tolist() == [False, False, True, True, False]
    assert not result.realised.loc[result.realised["attribute"] != "all", "outside_promise"].any()
    assert set(result.flags()["outside_promise"] | result.flags()["disparity"]) == {True}


def test_bad_promise_is_an_error(data, history):
    twice = pd.concat([PROMISED, PROMISED.iloc[[0]]], ignore_index=True)
    with pytest.raises(SchemaError, match="appear more than once.*row 0, 4|rows 0, 4"):
        realised_performance(data, history, promised=twice, n_resamples=5)
    with pytest.raises(SchemaError, match="promised: missing column.*upper"):
        realised_performance(data, history, promised=PROMISED.drop(columns="upper"), n_resamples=5)


def test_no_entrants_gives_blank_metrics_not_errors(data, history):
    y = _plain_outcomes(data, history)
    run = history[(history["as_of_date"] == pd.Timestamp(DATES[3])) & ~y].copy()
    run["rank"] = np.arange(1, len(run) + 1)
    result = realised_performance(data, run, n_resamples=20, random_state=0)
    overall = result.overall().set_index("metric")
    assert overall.loc["precision_at_capacity", "value"] == 0.0
    for metric in ("recall_at_capacity", "roc_auc", "average_precision"):
        assert np.isnan(overall.loc[metric, ["value", "lower", "upper"]].astype(float)).all()
    assert any("has entered care yet" in line for line in result.caveats)


def test_flags_that_are_not_the_top_scores_are_refused(data, history):
    run = history[history["as_of_date"] == pd.Timestamp(DATES[1])].copy()
    run["risk_score"] = run["risk_score"].to_numpy()[::-1]
    with pytest.raises(SchemaError, match="run of 2022-07-01: the top 40 scores are not the 40"):
        realised_performance(data, run, n_resamples=5)


def test_summary_says_each_list_in_plain_lines(result):
    lines = result.summary()
    runs = result.runs
    first = runs.iloc[0]
    assert lines[0].startswith(
        f"List of 2022-01-01 (complete): {first.entrants_flagged} of {CAPACITY} flagged"
    )
    assert lines[3].startswith("List of 2023-10-01 (partial, so far 5 of 12 months)")
    assert lines[-len(result.caveats) :] == list(result.caveats)


def test_runs_in_parallel_give_the_same_result(data, history, result):
    """Each run draws from its own stream, so n_jobs does not change a figure."""
    two = realised_performance(
        data, history, promised=PROMISED, n_resamples=200, random_state=0, n_jobs=2
    )
    one = result
    pd.testing.assert_frame_equal(one.realised, two.realised)
    pd.testing.assert_frame_equal(one.calibration, two.calibration)
    pd.testing.assert_frame_equal(one.near_cutoff, two.near_cutoff)
