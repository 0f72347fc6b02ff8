import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import riskmodel.tracking as tracking


def _log(model, metric, flags=(), name="risk"):
    record = tracking.TrainingRunRecord(
        model,
        metrics={"precision_at_capacity": metric},
        fairness_flags=tuple(flags),
        params={"horizon_months": 12, "as_of_dates": ["2020-04-01", "2020-07-01"]},
    )
    return tracking.log_training_run(record, register_as=name)


def test_first_version_is_champion_then_challengers(tracking_uri, fitted_model):
    model, X, _ = fitted_model
    first = _log(model, 0.20)
    second = _log(model, 0.25)
    client = mlflow.MlflowClient()
    assert str(client.get_model_version_by_alias("risk", "champion").version) == first.version
    assert str(client.get_model_version_by_alias("risk", "challenger").version) == second.version
    loaded = tracking.load_model("models:/risk@champion")
    assert (loaded.name, loaded.version, loaded.run_id) == ("risk", first.version, first.run_id)
    np.testing.assert_allclose(loaded.model.predict_proba(X), model.predict_proba(X))


def test_promotion_rules(tracking_uri, fitted_model):
    model, _, _ = fitted_model
    _log(model, 0.20, flags=["sex:F:fnr"])
    worse = _log(model, 0.19)
    decision = tracking.promote("risk", worse.version)
    assert not decision.promoted and "below the champion's 0.2000" in decision.reason

    flagged = _log(model, 0.30, flags=["sex:F:fnr", "ethnic_group:Black:fnr"])
    decision = tracking.promote("risk", flagged.version)
    assert not decision.promoted
    assert decision.new_fairness_flags == ("ethnic_group:Black:fnr",)

    better = _log(model, 0.21, flags=["sex:F:fnr"])  # an existing flag is not new
    decision = tracking.promote("risk", better.version)
    assert decision.promoted and decision.champion_version == "1"
    client = mlflow.MlflowClient()
    champion = client.get_model_version_by_alias("risk", "champion")
    assert str(champion.version) == better.version
    assert champion.aliases == ["champion"]  # no longer also the challenger


def test_override_needs_and_keeps_a_written_reason(tracking_uri, fitted_model):
    model, _, _ = fitted_model
    _log(model, 0.20)
    worse = _log(model, 0.10)
    decision = tracking.promote("risk", worse.version, override_reason="board approved, memo 12")
    assert decision.promoted and decision.reason.startswith("overridden: board approved")
    tags = mlflow.MlflowClient().get_model_version("risk", worse.version).tags
    assert tags["promotion_override_reason"] == "board approved, memo 12"


def test_untrusted_types_are_refused(fitted_model):
    model, X, y = fitted_model
    custom = make_pipeline(FunctionTransformer(_local_function), model)
    with pytest.raises(TypeError, match="not on the trusted list"):
        tracking.trusted_types(custom)


def _local_function(x):
    return x


def test_child_level_tables_are_refused(tracking_uri, fitted_model):
    model, X, _ = fitted_model
    with pytest.raises(ValueError, match="child-level column"):
        record = tracking.TrainingRunRecord(model, tables={"scores": X.reset_index()})
        tracking.log_training_run(record)


def test_no_person_id_reaches_any_artifact(tracking_uri, fitted_model, tmp_path):
    model, X, _ = fitted_model
    aggregate = pd.DataFrame({"fold": [1, 2], "metric": ["roc_auc"] * 2, "value": [0.7, 0.8]})
    record = tracking.TrainingRunRecord(
        model,
        tables={"backtest": aggregate},
        features={c: f"description of {c}" for c in X.columns},
        fingerprint={"events.rows": 10},
        json_artifacts={"training_profile.json": {"n_rows": 400}},
    )
    run = tracking.log_training_run(record, register_as="risk")
    assert tracking.load_run_dict(run.run_id, "training_profile.json") == {"n_rows": 400}
    local = Path(mlflow.artifacts.download_artifacts(run_id=run.run_id, dst_path=tmp_path / "a"))
    stored = Path(
        mlflow.artifacts.download_artifacts(artifact_uri=run.model_uri, dst_path=tmp_path / "m")
    )
    files = [p for folder in (local, stored) for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "MLmodel" for p in files)
    blob = b"".join(p.read_bytes() for p in files)
    leaked = [pid for pid in X.index if pid.encode() in blob]
    assert leaked == []
    assert json.loads((local / "feature_spec.json").read_text())["age"] == "description of age"


def test_fingerprint_changes_with_data():
    import riskmodel as rm

    persons = pd.DataFrame({"person_id": ["a"], "date_of_birth": ["2010-01-01"], "sex": ["F"]})
    events = pd.DataFrame(
        {"person_id": ["a"], "event_date": ["2020-01-01"], "event_type": ["referral"]}
    )
    episodes = pd.DataFrame(columns=["person_id", "start_date"])
    one = tracking.data_fingerprint(rm.LocalAuthorityData(persons, events, episodes))
    events2 = events.assign(event_date=["2020-01-02"])
    two = tracking.data_fingerprint(rm.LocalAuthorityData(persons, events2, episodes))
    assert one["events.rows"] == two["events.rows"] == 1
    assert one["events.sha256"] != two["events.sha256"]
    assert one["persons.sha256"] == two["persons.sha256"]
