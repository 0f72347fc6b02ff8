"""The command line end to end against a real MLflow server on 127.0.0.1.

The server is started by the test (settings from the stack notes) and stopped by
its PID. One flow: synth -> train (register, champion) -> score -> review, then the
run's artifacts are scanned for any synthetic person id.
"""

import pandas as pd
import pytest

from riskmodel.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
    pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning"),
]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory, start_mlflow_server):
    root = tmp_path_factory.mktemp("mlflow-server")
    return start_mlflow_server(root), root / "artifacts"


def test_synth_train_score_review_through_a_real_server(mlflow_server, tmp_path, capsys):
    url, artifacts = mlflow_server
    data = tmp_path / "data"
    assert main(["synth", "--out", str(data), "--n-children", "6000", "--seed", "3"]) == 0
    config = tmp_path / "train.yaml"
    config.write_text("n_splits: 2\nn_resamples: 20\nhistory_months: 24\n")
    common = ["--tracking-uri", url, "--config", str(config)]
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--out",
                str(tmp_path / "out"),
                "--register",
                "e2e",
                "--capacity",
                "20",
                *common,
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "as-of dates:" in printed and "registered e2e version 1" in printed

    scores_file = tmp_path / "scores" / "april.parquet"
    assert (
        main(
            [
                "score",
                "--data",
                str(data),
                "--model",
                "models:/e2e@champion",
                "--as-of",
                "2024-04-01",
                "--capacity",
                "20",
                "--out",
                str(scores_file),
                *common,
            ]
        )
        == 0
    )
    scores = pd.read_parquet(scores_file)
    excluded = pd.read_parquet(tmp_path / "scores" / "april_exclusions.parquet")
    persons = pd.read_parquet(data / "persons.parquet")
    assert len(scores) + len(excluded) == len(persons)
    assert scores["flagged"].sum() == 20
    assert set(scores["model_name"]) == {"e2e"} and set(scores["model_version"]) == {"1"}

    report = tmp_path / "review.html"
    assert (
        main(
            [
                "review",
                "--data",
                str(data),
                "--model",
                "models:/e2e@champion",
                "--out",
                str(report),
                *common,
            ]
        )
        == 0
    )
    assert report.read_text().count("<section") >= 9

    # no child-level row anywhere in what the server stored
    blob = b"".join(p.read_bytes() for p in artifacts.rglob("*") if p.is_file())
    assert b"MLmodel" in blob or any(p.name == "MLmodel" for p in artifacts.rglob("*"))
    leaked = [pid for pid in persons["person_id"] if pid.encode() in blob]  # "C0001234"
    assert leaked == []


def test_bad_input_exits_2_naming_the_file(tmp_path, capsys):
    (tmp_path / "persons.csv").write_text("person_id,date_of_birth,sex\nA1,2010-02-31,F\n")
    (tmp_path / "events.csv").write_text("person_id,event_date,event_type\n")
    (tmp_path / "care_episodes.csv").write_text("person_id,start_date\n")
    assert main(["validate", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "persons.csv.date_of_birth" in err and "2010-02-31" in err
