"""Batch scoring: every child accounted for, deterministic, no look-ahead, tracked over time."""

import warnings

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.explain import PROTECTED
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.scoring import DriftWarning, profile_features, score

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
AS_OF = pd.Timestamp("2023-04-01")


@pytest.fixture(scope="module")
def fitted():
    data = rm.make_local_authority(n_children=4_000, random_state=1)
    dates = pd.date_range("2017-04-01", "2022-04-01", freq="QS-APR")
    frame = build_training_frame(data, dates, horizon_months=12)
    model = RiskClassifier("hgb", random_state=0).fit(frame.X, frame.y)
    return data, frame, model


def test_every_child_is_scored_or_excluded_with_a_reason(fitted):
    data, _, model = fitted
    result = score(data, model, AS_OF, capacity=25)
    scores, excluded = result.scores, result.exclusions
    assert len(scores) + len(excluded) == len(data.persons)
    assert set(scores["person_id"]).isdisjoint(excluded["person_id"])
    assert excluded["reason"].notna().all()
    assert list(scores.columns[:11]) == [
        "person_id", "as_of_date", "risk_score", "risk_band", "rank", "flagged",
        "reason_1", "reason_2", "reason_3", "model_name", "model_version",
    ]  # fmt: skip
    assert scores["rank"].tolist() == list(range(1, len(scores) + 1))
    assert scores["flagged"].sum() == 25 and scores["flagged"].iloc[:25].all()
    assert scores["risk_band"].between(1, 20).all()
    assert scores["risk_score"].is_monotonic_decreasing
    assert result.counts == {"children_in": len(data.persons), "scored": len(scores),
                             "excluded": len(excluded), "flagged": 25}  # fmt: skip


def test_flagged_children_have_plain_reasons_never_protected(fitted):
    data, _, model = fitted
    flagged = score(data, model, AS_OF, capacity=25).scores.head(25)
    assert (flagged["reason_1"].str.len() > 5).all()
    text = " ".join(flagged[["reason_1", "reason_2", "reason_3"]].fillna("").to_numpy().ravel())
    assert "_" not in text  # plain words, not column names
    for word in ("ethnic", "sex", "disab", "depriv", "imd"):
        assert word not in text.lower()
    assert "ethnicity" in PROTECTED or "ethnic_group" in PROTECTED


def test_events_on_or_after_the_as_of_date_change_nothing(fitted):
    data, _, model = fitted
    before = score(data, model, AS_OF).scores
    ids = before["person_id"].head(50)
    late = pd.DataFrame({"person_id": ids, "event_date": AS_OF, "event_type": "referral"})
    more = rm.LocalAuthorityData(data.persons, pd.concat([data.events, late]), data.care_episodes)
    after = score(more, model, AS_OF).scores
    pd.testing.assert_frame_equal(before, after)


def test_rerun_is_identical_and_next_run_tracks_change(fitted, tmp_path):
    data, _, model = fitted
    first = score(data, model, AS_OF, out=tmp_path, csv=True)
    written = (tmp_path / "scores.csv").read_bytes()
    again = score(data, model, AS_OF, out=tmp_path, csv=True)
    pd.testing.assert_frame_equal(first.scores, again.scores)
    assert (tmp_path / "scores.csv").read_bytes() == written
    assert first.scores["previous_band"].isna().all()
    later = score(data, model, AS_OF + pd.DateOffset(months=3), out=tmp_path)
    on_both = later.scores["previous_band"].notna()
    assert on_both.mean() > 0.8
    change = later.scores["risk_band"] - later.scores["previous_band"]
    assert (later.scores.loc[on_both, "band_change"] == change[on_both]).all()
    assert (later.scores["rising"] == (later.scores["band_change"] >= 3).fillna(False)).all()
    back = pd.read_parquet(tmp_path / "scores.parquet")
    assert len(back) == len(later.scores)
    assert len(list((tmp_path / "history").iterdir())) == 2


def test_out_may_name_the_scores_file(fitted, tmp_path):
    data, _, model = fitted
    result = score(data, model, AS_OF, out=tmp_path / "april.csv")
    assert (tmp_path / "april.csv").exists() and (tmp_path / "april_exclusions.csv").exists()
    assert set(result.files) == {"scores", "exclusions", "list_html", "list_xlsx", "history"}


def test_drift_against_the_training_profile_warns(fitted):
    data, frame, model = fitted
    profile = profile_features(frame.X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        calm = score(data, model, AS_OF, profile=profile)
    assert (calm.drift["status"] != "alert").all()
    shifted = profile_features(frame.X.assign(age_years=frame.X["age_years"] + 5))
    with pytest.warns(DriftWarning, match="age_years"):
        drifted = score(data, model, AS_OF, profile=shifted)
    assert drifted.drift.set_index("feature").loc["age_years", "status"] == "alert"


def test_invalid_data_raise_schema_errors_before_scoring(fitted):
    data, _, model = fitted
    events = data.events.copy()
    events.loc[events.index[0], "person_id"] = "nobody"
    bad = rm.LocalAuthorityData(data.persons, events, data.care_episodes)
    with pytest.raises(rm.SchemaError, match="events.person_id"):
        score(bad, model, AS_OF)


def test_ties_are_ranked_by_person_id():
    from riskmodel.scoring._score import _rank

    ids = np.array(["c", "a", "b"])
    assert _rank(ids, np.array([0.5, 0.5, 0.9])).tolist() == [3, 2, 1]


def test_calibration_ties_are_ordered_by_the_base_log_odds():
    from riskmodel.scoring._score import _rank

    ids = np.array(["a", "b", "c", "d"])
    p = np.array([0.3, 0.3, 0.3, 0.1])  # an isotonic step
    log_odds = np.array([-1.0, 0.5, -0.2, -3.0])
    assert _rank(ids, p, log_odds).tolist() == [3, 1, 2, 4]


def test_scores_within_a_calibration_step_follow_the_base_model(fitted):
    data, _, model = fitted
    scores = score(data, model, AS_OF).scores
    X = rm.build_features(data, spec=None, keys=scores[["person_id", "as_of_date"]])
    X = X.reindex(columns=model.feature_names_in_, fill_value=0)
    log_odds = model.decision_function(X)
    for _, step in pd.Series(log_odds).groupby(scores["risk_score"].to_numpy()):
        assert step.is_monotonic_decreasing
