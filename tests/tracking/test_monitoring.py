"""The backtest's promise read from training runs, and the monitoring run: aggregates only."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

import riskmodel.tracking as tracking
from riskmodel.monitoring import (
    CALIBRATION_COLUMNS,
    NEAR_CUTOFF_COLUMNS,
    OVERALL,
    OVERALL_METRICS,
    PROMISE_COLUMNS,
    PROMISED_METRICS,
    REALISED_COLUMNS,
    RUN_COLUMNS,
    MonitoringResult,
)

PROMISE = {
    "precision_at_capacity": 0.30,
    "precision_at_capacity_lower": 0.25,
    "precision_at_capacity_upper": 0.35,
    "recall_at_capacity": 0.12,
    "recall_at_capacity_lower": 0.10,
    "recall_at_capacity_upper": 0.14,
    "observed_expected_ratio": 1.02,
    "observed_expected_ratio_lower": 0.90,
    "observed_expected_ratio_upper": 1.15,
    "roc_auc": 0.80,
}


def _log(model, metrics, *, capacity=50, experiment="authority-models", name="risk"):
    record = tracking.TrainingRunRecord(
        model, metrics=metrics, params={"capacity": capacity, "horizon_months": 12}
    )
    return tracking.log_training_run(record, register_as=name, experiment=experiment)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One SQLite store for the module: ``risk`` v1 (full promise), v2 (precision only,
    capacity 30) and v3 (registered from a path: no run). Creating a store takes seconds."""
    from sklearn.dummy import DummyClassifier

    root = tmp_path_factory.mktemp("monitoring-store")
    model = DummyClassifier().fit(pd.DataFrame({"age": [0.0, 1.0]}), [0, 1])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # the default artifact root is relative to the cwd
        tracking.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
        first = _log(model, PROMISE)
        second = _log(model, {"precision_at_capacity": 0.4}, capacity=30)
        copied = mlflow.artifacts.download_artifacts(first.model_uri, dst_path=root / "copy")
        client = mlflow.MlflowClient()
        runless = client.create_model_version("risk", copied, run_id=None)
        assert client.get_model_version("risk", runless.version).run_id is None
        yield {"first": first, "second": second, "runless": str(runless.version)}
        mlflow.set_tracking_uri(None)


def test_promise_of_each_version_that_has_a_run(store):
    first, second = store["first"], store["second"]
    versions = [first.version, second.version, store["runless"], "99"]
    promise = tracking.backtest_promise(versions, name="risk")

    assert list(promise.columns) == PROMISE_COLUMNS
    assert set(promise["model_version"]) == {first.version, second.version}
    one = promise[promise["model_version"] == first.version].set_index("metric")
    assert sorted(one.index) == sorted([*PROMISED_METRICS, "capacity"])
    for metric in PROMISED_METRICS:
        expected = (PROMISE[metric], PROMISE[f"{metric}_lower"], PROMISE[f"{metric}_upper"])
        assert tuple(one.loc[metric, ["value", "lower", "upper"]]) == pytest.approx(expected)
    assert (
        one.loc["capacity", "value"] == 50 and one.loc["capacity", ["lower", "upper"]].isna().all()
    )
    two = promise[promise["model_version"] == second.version].set_index("metric")
    assert two.index.tolist() == ["precision_at_capacity", "capacity"]
    assert two["value"].tolist() == pytest.approx([0.4, 30])
    assert two["lower"].isna().all() and two["upper"].isna().all()
    runs = tracking.version_runs(versions, name="risk")
    assert [(r.version, r.run_id) for r in runs] == [
        (first.version, first.run_id),
        (second.version, second.run_id),
    ]
    assert runs[0].param_int("horizon_months") == 12 and runs[0].param_int("nothing") is None


def test_promise_from_a_model_uri_and_of_nothing(store):
    first = store["first"]
    by_alias = tracking.backtest_promise("models:/risk@champion")
    assert set(by_alias["model_version"]) == {first.version}
    by_run = tracking.backtest_promise(f"runs:/{first.run_id}/model")
    assert set(by_run["model_version"]) == {"unknown"} and len(by_run) == 4
    assert tracking.backtest_promise("models:/risk/7").empty
    assert tracking.backtest_promise(["1"], name="nobody").empty
    with pytest.raises(ValueError, match="name="):
        tracking.backtest_promise(["1"])


# --- a hand-made monitoring result: three runs, the last one partial -----------------

DATES = pd.to_datetime(["2022-04-01", "2022-07-01", "2023-10-01"])


def _realised(versions: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for date, version, complete in zip(DATES, versions, [True, True, False], strict=True):
        for metric in OVERALL_METRICS:
            value = rng.uniform(0.1, 0.9)
            rows.append(
                {
                    "as_of_date": date,
                    "attribute": OVERALL,
                    "group": OVERALL,
                    "metric": metric,
                    "value": value,
                    "lower": value - 0.05,
                    "upper": value + 0.05,
                    "complete": complete,
                    "model_version": version,
                    "outside_promise": metric == "recall_at_capacity" and complete,
                }
            )
        rows.append(
            {
                "as_of_date": date,
                "attribute": "sex",
                "group": "F",
                "metric": "fpr",
                "value": 0.02,
                "complete": complete,
                "model_version": version,
                "disparity": True,
            }
        )
    for metric in OVERALL_METRICS:  # the complete runs pooled: no as-of date
        row = {"as_of_date": pd.NaT, "attribute": OVERALL, "group": OVERALL, "metric": metric}
        rows.append({**row, "value": 0.5, "lower": 0.4, "upper": 0.6, "complete": True})
    table = pd.DataFrame(rows).reindex(columns=REALISED_COLUMNS)
    table[["outside_promise", "disparity"]] = (
        table[["outside_promise", "disparity"]].astype("boolean").fillna(False).astype(bool)
    )
    return table


def _result(versions: list[str]) -> MonitoringResult:
    runs = pd.DataFrame(
        {
            "as_of_date": DATES,
            "model_name": "risk",
            "model_version": versions,
            "scored": [900, 950, 1000],
            "flagged": [50, 50, 50],
            "entrants": [30, 28, 9],
            "entrants_flagged": [9, 8, 2],
            "months_observed": [12, 12, 5],
            "horizon_months": 12,
            "complete": [True, True, False],
            "lowest_flagged_score": [0.2, 0.21, 0.19],
            "lowest_flagged_band": 20,
            "not_in_data": 0,
        }
    )[RUN_COLUMNS]
    calibration = pd.DataFrame(
        [[d, 1, 10, 500, 0.01, 0.012, 0.005, 0.02, True] for d in DATES],
        columns=CALIBRATION_COLUMNS,
    )
    near = pd.DataFrame(
        [[d, "flagged", 1, 50, 50, 9, 0.18, 0.1, 0.3, True] for d in DATES],
        columns=NEAR_CUTOFF_COLUMNS,
    )
    return MonitoringResult(
        realised=_realised(versions),
        runs=runs,
        calibration=calibration,
        near_cutoff=near,
        horizon_months=12,
        end_date=pd.Timestamp("2024-03-31"),
        min_group_size=10,
        n_resamples=50,
        confidence=0.95,
        caveats=("Help changes outcomes.",),
    )


def test_monitoring_run_metrics_equal_the_result(store):
    first, second = store["first"], store["second"]
    result = _result([first.version, first.version, second.version])

    run_id = tracking.log_monitoring_run(result, model_name="risk")

    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    training = client.get_run(second.run_id)
    assert run.info.experiment_id == training.info.experiment_id  # beside the model's runs
    assert run.data.tags["model_name"] == "risk"
    assert json.loads(run.data.tags["model_versions"]) == [first.version, second.version]
    for version in (first.version, second.version):
        tags = client.get_model_version("risk", version).tags
        assert tags[tracking.MONITORING_TAG] == run_id
    overall = result.overall().dropna(subset=["as_of_date"])

    def logged(name):
        return sorted((m.step, m.value) for m in client.get_metric_history(run_id, name))

    for metric in OVERALL_METRICS:
        rows = overall[overall["metric"] == metric].sort_values("as_of_date")
        for suffix, column in (("", "value"), ("_lower", "lower"), ("_upper", "upper")):
            steps, values = zip(*logged(f"realised_{metric}{suffix}"), strict=True)
            assert list(steps) == [tracking.as_of_step(d) for d in rows["as_of_date"]]
            np.testing.assert_allclose(values, rows[column].to_numpy())
    assert [s for s, _ in logged("realised_roc_auc")] == [20220401, 20220701, 20231001]
    assert [v for _, v in logged("complete")] == [1.0, 1.0, 0.0]
    months = client.get_metric_history(run_id, "months_observed")
    assert sorted(m.value for m in months) == [5.0, 12.0, 12.0]
    metrics = run.data.metrics
    for metric in OVERALL_METRICS:
        assert metrics[f"pooled_realised_{metric}"] == 0.5
        assert metrics[f"pooled_realised_{metric}_lower"] == 0.4
    assert (metrics["runs_complete"], metrics["runs_partial"]) == (2.0, 1.0)
    assert metrics["flags_outside_promise"] == 2.0 and metrics["flags_disparity"] == 3.0
    assert run.data.params["horizon_months"] == "12"
    assert run.data.params["end_date"] == "2024-03-31"


def test_monitoring_run_without_registered_versions(store):
    result = _result(["unknown"] * 3)
    run_id = tracking.log_monitoring_run(result, model_name="models:/elsewhere", experiment="m")
    run = mlflow.MlflowClient().get_run(run_id)
    assert mlflow.get_experiment(run.info.experiment_id).name == "m"
    assert json.loads(run.data.tags["model_versions"]) == ["unknown"]


def test_monitoring_run_logs_no_person_id(store, tmp_path):
    person_ids = [f"SYN{i:06d}" for i in range(1000)]  # children of the hand-made history
    result = _result([store["first"].version] * 3)
    run_id = tracking.log_monitoring_run(result, model_name="risk")

    local = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=tmp_path / "a"))
    files = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    assert files == [f"tables/{n}.csv" for n in ("calibration", "near_cutoff", "realised", "runs")]
    realised = pd.read_csv(local / "tables" / "realised.csv")
    assert list(realised.columns) == REALISED_COLUMNS and len(realised) == len(result.realised)
    run = mlflow.MlflowClient().get_run(run_id)
    blob = b"".join(p.read_bytes() for p in local.rglob("*") if p.is_file())
    blob += json.dumps([run.data.params, run.data.tags, list(run.data.metrics)]).encode()
    assert [pid for pid in person_ids if pid.encode() in blob] == []


def test_a_child_level_table_is_refused_before_any_run(store):
    before = len(mlflow.search_runs(search_all_experiments=True))
    result = _result(["1"] * 3)
    leaking = result.near_cutoff.assign(person_id="SYN000001")
    bad = MonitoringResult(**{**result.__dict__, "near_cutoff": leaking})
    with pytest.raises(ValueError, match="child-level column.*person_id"):
        tracking.log_monitoring_run(bad, model_name="risk")
    assert len(mlflow.search_runs(search_all_experiments=True)) == before
