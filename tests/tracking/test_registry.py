"""The registry: champion and challenger aliases, promotion rules, written overrides."""

import mlflow
import numpy as np

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
