"""``riskmodel monitor`` end to end: synth -> train -> score four times -> monitor.

One small synthetic authority and one SQLite store for the module; the model is
trained and scored once, as of four dates whose horizons have (three) and have not
(one) passed by the data's extract date, all into one output folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.monitoring import REALISED_COLUMNS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
    pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning"),
]

AS_OF = ["2022-01-01", "2022-07-01", "2023-01-01", "2023-10-01"]  # the last one partial
CAPACITY = "20"
TRAIN_AS_OF = pd.date_range("2019-01-01", "2021-07-01", freq="QS").strftime("%Y-%m-%d")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """Paths of the data, config, store and scoring output; the model is ``mon`` v1."""
    root = tmp_path_factory.mktemp("monitor")
    data, out, store = root / "data", root / "scores", root / "mlflow.db"
    config = root / "job.yaml"
    config.write_text(  # a small, quick training job: the cost is MLflow's, mostly
        "n_splits: 2\nn_resamples: 20\nhistory_months: 24\ntest_duration_months: 6\n"
        f"as_of_dates: [{', '.join(TRAIN_AS_OF)}]\nmodel: logistic\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # the default artifact root is relative to the cwd
        uri = f"sqlite:///{store}"
        common = ["--tracking-uri", uri, "--config", str(config), "--capacity", CAPACITY]
        assert main(["synth", "--out", str(data), "--n-children", "5000", "--seed", "5"]) == 0
        train = ["train", "--data", str(data), "--out", str(root / "train"), "--register", "mon"]
        assert main([*train, *common]) == 0
        for as_of in AS_OF:
            score = ["score", "--data", str(data), "--model", "models:/mon@champion"]
            assert main([*score, "--as-of", as_of, "--out", str(out), *common]) == 0
        yield {"root": root, "data": data, "out": out, "uri": uri, "config": config}
        mlflow.set_tracking_uri(None)


def _monitor(scored, out, *extra, history=None):
    return main(
        [
            "monitor",
            "--data",
            str(scored["data"]),
            "--history",
            str(history or scored["out"]),
            "--config",
            str(scored["config"]),
            "--out",
            str(out),
            *extra,
        ]
    )


def test_monitor_end_to_end(scored, tmp_path, capsys):
    out = tmp_path / "monitoring"
    assert _monitor(scored, out, "--tracking-uri", scored["uri"]) == 0
    printed = capsys.readouterr().out
    assert "monitored 4 run(s) of mon over a 12-month horizon: 3 complete, 1 partial" in printed
    assert "outside the backtest's interval," in printed and "group disparities" in printed
    assert (out / "monitoring.html").is_file()
    realised = pd.read_csv(out / "realised.csv")
    assert list(realised.columns) == REALISED_COLUMNS
    whole = realised[(realised["attribute"] == "all") & (realised["group"] == "all")]
    pooled = whole["as_of_date"].isna()  # the complete runs pooled
    assert sorted(whole.loc[~pooled, "as_of_date"].unique()) == AS_OF
    whole = whole[~pooled]
    assert whole["promised_value"].notna().any()  # set against the backtest of version 1
    assert str(out / "realised.csv") in printed and str(out / "monitoring.html") in printed

    run_id = printed.split("logged monitoring run ")[1].split()[0]
    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    assert run.data.tags["model_name"] == "mon"
    assert json.loads(run.data.tags["model_versions"]) == ["1"]
    training = client.get_run(client.get_model_version("mon", "1").run_id)
    assert run.info.experiment_id == training.info.experiment_id
    precision = whole[whole["metric"] == "precision_at_capacity"].sort_values("as_of_date")
    logged = client.get_metric_history(run_id, "realised_precision_at_capacity")
    assert sorted(m.step for m in logged) == [int(d.replace("-", "")) for d in AS_OF]
    assert [m.value for m in sorted(logged, key=lambda m: m.step)] == pytest.approx(
        precision["value"].tolist()
    )

    # no person id of the history in anything the monitoring run stored
    history = pd.concat(
        pd.read_parquet(p) for p in (scored["out"] / "history").rglob("scores.parquet")
    )
    local = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=tmp_path / "a"))
    blob = b"".join(p.read_bytes() for p in local.rglob("*") if p.is_file())
    blob += json.dumps([run.data.params, run.data.tags, list(run.data.metrics)]).encode()
    assert not any(p.suffix == ".html" for p in local.rglob("*"))
    assert [pid for pid in history["person_id"].unique() if pid.encode() in blob] == []


def test_monitor_without_tracking_says_there_is_no_promise(scored, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no ./mlflow.db here
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    out = tmp_path / "monitoring"
    assert _monitor(scored, out) == 0
    assert "no backtest promise read" in capsys.readouterr().out
    realised = pd.read_csv(out / "realised.csv")
    assert realised["promised_value"].isna().all()
    assert "No backtest promise was read" in (out / "monitoring.html").read_text()


def test_missing_history_folder_exits_2_naming_it(scored, tmp_path, capsys):
    missing = tmp_path / "no-such-scores"
    assert _monitor(scored, tmp_path / "m", history=missing) == 2
    assert str(missing) in capsys.readouterr().err


def test_history_partition_without_a_column_exits_2_naming_the_file(scored, tmp_path, capsys):
    history = tmp_path / "history"
    shutil.copytree(scored["out"] / "history", history)
    broken = history / f"as_of_date={AS_OF[1]}" / "scores.parquet"
    pd.read_parquet(broken).drop(columns=["risk_score"]).to_parquet(broken)
    assert _monitor(scored, tmp_path / "m", history=history) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "risk_score" in err


def test_monitor_with_a_model_uri_a_horizon_and_two_jobs(scored, tmp_path, capsys):
    out = tmp_path / "monitoring"
    model = ["--model", "models:/mon@champion", "--horizon-months", "5", "--n-jobs", "2"]
    assert _monitor(scored, out, "--tracking-uri", scored["uri"], *model) == 0
    printed = capsys.readouterr().out
    # with 5 months, the list of 2023-10-01 has passed its horizon by 2024-03-31 too
    assert "monitored 4 run(s) of mon over a 5-month horizon: 4 complete, 0 partial" in printed
    realised = pd.read_csv(out / "realised.csv")
    assert realised["promised_value"].notna().any()
