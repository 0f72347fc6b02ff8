"""Training runs: aggregates only, never a child-level row in any artifact."""

import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest

import riskmodel.tracking as tracking


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


def test_figures_are_logged_from_displays_or_figures(tracking_uri, fitted_model, tmp_path):
    import matplotlib.pyplot as plt

    from riskmodel.evaluation import ReliabilityDisplay

    model, X, y = fitted_model
    plt.close("all")
    display = ReliabilityDisplay.from_predictions(y, model.predict_proba(X)[:, 1]).plot()
    record = tracking.TrainingRunRecord(
        model, figures={"reliability": display, "same_figure": display.figure_}
    )
    run = tracking.log_training_run(record)
    local = Path(mlflow.artifacts.download_artifacts(run_id=run.run_id, dst_path=tmp_path))
    for name in ("reliability", "same_figure"):
        assert (local / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []
