"""Train (with backtest, review and registry) then score, on authorities that record less.

Real extracts rarely hold every event family of the data model. Each flow removes
coverage from one synthetic authority, runs the training job against a SQLite
tracking store, scores from the registry, and checks that the absent families are
named, that every child is scored or excluded, and that no reason speaks of a
feature the model left out.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.jobs import JobConfig, run_review, run_score, run_train

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning"),
]

CIN_TYPES = (
    "referral", "referral_nfa", "assessment_start", "assessment_factor", "s47_start", "icpc",
    "cp_plan_start", "cp_plan_end", "cin_plan_start", "cin_plan_end", "cin_closure",
)  # fmt: skip
REMOVED = {
    "early help": ("early_help_start", "early_help_end"),
    "youth justice": ("youth_justice_outcome",),
    "CP plans": ("cp_plan_start", "cp_plan_end"),
    "contacts": ("contact",),
}
REMOVED["all four"] = tuple(t for types in REMOVED.values() for t in types)
ABSENT_FAMILIES = {
    "early help": ["early_help"],
    "youth justice": ["youth_justice"],
    "CP plans": ["cp_plan", "cp_plan_end"],  # neglect and abuse still read factors
    "contacts": ["contact"],
    "903 only": ["contact", "referral", "early_help", "youth_justice", "suspension"],
    "CIN census and care": ["contact", "early_help", "youth_justice", "suspension", "absence"],
}
SEMIANNUAL = tuple(str(d.date()) for d in pd.date_range("2016-04-01", "2023-01-01", freq="6MS"))
"""Fewer as-of dates than the job would choose (quarterly), to keep each flow short."""
ABSENT_FAMILIES["all four"] = [f for k in REMOVED if k != "all four" for f in ABSENT_FAMILIES[k]]


@pytest.fixture(autouse=True)
def one_thread():
    # OpenMP threads of HistGradientBoosting slow it tenfold on a busy 2-core machine.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def authority():
    return rm.make_local_authority(n_children=4_000, random_state=4)


@pytest.fixture(scope="module")
def larger_authority():
    # With the 903 alone (missing episodes and care), 4,000 children give 28 care
    # entries in the training rows, and the default's 3-leaf trees rest on age alone,
    # which is never a reason, so no child would have one to check; on 8,000 children
    # the model also reads the missing episodes and the care history.
    return rm.make_local_authority(n_children=8_000, random_state=4)


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory):
    import mlflow

    root = tmp_path_factory.mktemp("tracking")
    yield f"sqlite:///{root / 'mlflow.db'}"
    mlflow.set_tracking_uri(None)


def _variant(data, name):
    events = data.events
    if name in REMOVED:
        events = events[~events["event_type"].isin(REMOVED[name])]
    elif name == "903 only":  # care episodes, missing episodes and persons
        events = events[events["event_type"] == "missing_episode"]
    elif name == "CIN census and care":
        events = events[events["event_type"].isin(CIN_TYPES)]
    elif name == "events four years after care":
        events = events[events["event_date"] >= pd.Timestamp("2018-04-01")]
    return dataclasses.replace(data, events=events.reset_index(drop=True))


def _train_and_score(data, name, tmp_path, uri, *, as_of_dates=SEMIANNUAL, history_months=24):
    register = "cov_" + "".join(c if c.isalnum() else "_" for c in name.lower())
    config = JobConfig(
        out=str(tmp_path / "train"),
        as_of_dates=as_of_dates,
        n_splits=2,
        n_resamples=5,
        history_months=history_months,
        capacity=20,
        register_as=register,
        tracking_uri=uri,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        outcome = run_train(data, config)
    quality = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    others = [w for w in caught if not issubclass(w.category, DataQualityWarning)]
    assert not others, [str(w.message) for w in others]
    score_config = dataclasses.replace(config, out=str(tmp_path / "scores"), as_of="2024-04-01")
    run_score(data, score_config)
    return outcome, quality


def _check_profile_and_review(outcome):
    from riskmodel.tracking import load_run_dict

    model = outcome.model
    profile = load_run_dict(outcome.run_id, "training_profile.json")
    assert sorted(profile["edges"]) == sorted(model.features_used_)  # drift: used only
    assert load_run_dict(outcome.run_id, "features_left_out.json") == model.features_dropped_
    html = outcome.report.read_text()
    used, dropped = len(model.features_used_), len(model.features_dropped_)
    card = f"{used} of {used + dropped} (" if dropped else f"{used} ("  # the model card
    assert card in html and (dropped > 0) == ("left out at fit: " in html)
    html = re.sub(r"left out at fit: [^<]*", "", html)
    assert [name for name in model.features_dropped_ if name in html] == []


def _check_scores(data, model, tmp_path):
    scores = pd.read_parquet(tmp_path / "scores" / "scores.parquet")
    excluded = pd.read_parquet(tmp_path / "scores" / "exclusions.parquet")
    assert len(scores) + len(excluded) == len(data.persons)
    assert set(scores["person_id"]).isdisjoint(excluded["person_id"])
    spec = rm.FeatureSpec.from_dict(model.feature_spec_)
    nouns = {
        phrase
        for name in model.features_dropped_
        for family in spec[name].families
        if all(
            other in model.features_dropped_
            for other in spec.names
            if family in spec[other].families
        )
        for phrase in (family.noun, family.singular)
    }
    text = " | ".join(scores[["reason_1", "reason_2", "reason_3"]].fillna("").values.ravel())
    assert scores["reason_1"].notna().any()
    assert [noun for noun in nouns if noun in text] == []


@pytest.mark.parametrize(
    "name",
    [*REMOVED, "903 only", "CIN census and care"],
)
def test_a_flow_without_some_event_families(request, name, tmp_path, tracking_uri):
    source = "larger_authority" if name == "903 only" else "authority"
    data = _variant(request.getfixturevalue(source), name)
    outcome, quality = _train_and_score(data, name, tmp_path, tracking_uri)
    model = outcome.model
    assert outcome.version is not None and outcome.report.exists()
    named = [m for m in quality if "left out" in m]
    assert len(named) >= 1
    for family in ABSENT_FAMILIES[name]:
        assert f"no {family} events in the training rows" in " ".join(named)
        assert any(r == f"no {family} events in the training rows"
                   for r in model.features_dropped_.values())  # fmt: skip
    _check_scores(data, model, tmp_path)
    _check_profile_and_review(outcome)
    if name == "all four":  # the review job rebuilds the registered model's own features
        config = JobConfig(
            as_of_dates=SEMIANNUAL, n_splits=2, n_resamples=5, capacity=20,
            model_uri=outcome.model_uri, tracking_uri=tracking_uri,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            report = run_review(data, config, tmp_path / "review.html")
        assert "left out at fit: no contact events" in report.read_text()


def test_a_flow_whose_event_records_start_four_years_after_the_care_history(
    authority, tmp_path, tracking_uri
):
    data = _variant(authority, "events four years after care")
    assert data.care_episodes["start_date"].min() < pd.Timestamp("2014-04-01")
    outcome, _ = _train_and_score(
        data, "late events", tmp_path, tracking_uri, as_of_dates=None, history_months=12
    )
    assert outcome.as_of_dates[0] >= pd.Timestamp("2019-04-01")  # 12 months of records
    assert outcome.model.features_used_
    _check_scores(data, outcome.model, tmp_path)
    _check_profile_and_review(outcome)
