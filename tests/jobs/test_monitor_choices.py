"""The monitoring job's choices: which model, which horizon, whether to track; CLI output."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.jobs import load_config
from riskmodel.jobs._monitor import (
    _history_model,
    _horizon,
    _model_horizon,
    _registered_name,
    tracking_on,
)
from riskmodel.tracking import VersionRun


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("models:/risk@champion", "risk"),
        ("models:/risk/3", "risk"),
        ("models:/m-0123abcd", None),
        ("runs:/abc/model", None),
        (None, None),
    ],
)
def test_registered_name_of_a_model_uri(uri, name):
    assert _registered_name(uri) == name


def test_history_model_is_the_latest_runs_with_its_versions_in_order():
    history = pd.DataFrame(
        {
            "as_of_date": pd.to_datetime(
                ["2023-01-01", "2023-04-01", "2023-07-01", "2022-10-01", "2023-10-01"]
            ),
            "model_name": ["risk", "risk", "other", "risk", "risk"],
            "model_version": ["2", "2", "9", "1", "3"],
        }
    )
    assert _history_model(history) == ("risk", ["1", "2", "3"])
    assert _history_model(history.iloc[:0]) == (None, [])


def test_horizon_given_then_the_models_then_the_configs(caplog):
    config = load_config(horizon_months=9)
    assert _horizon(6, None, config) == 6
    assert _horizon(None, None, config) == 9
    with caplog.at_level("WARNING", logger="riskmodel.jobs"):
        assert _horizon(6, 18, config) == 18
    assert "trained for 6" in caplog.text


def test_model_horizon_is_the_latest_versions_with_one():
    def run(version, horizon):
        params = {} if horizon is None else {"horizon_months": str(horizon)}
        return VersionRun("risk", version, f"run{version}", "0", {}, params)

    assert _model_horizon([run("1", 12), run("2", 6), run("3", None)]) == 6
    assert _model_horizon([run("1", None)]) is None
    assert _model_horizon([]) is None


def test_tracking_is_on_when_configured_or_a_default_store_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert not tracking_on(load_config())
    assert tracking_on(load_config(tracking_uri="sqlite:///x.db"))
    assert tracking_on(load_config(model_uri="models:/risk@champion"))
    (tmp_path / "mlflow.db").write_bytes(b"")
    assert tracking_on(load_config())


def test_score_prints_the_teams_list_files(tmp_path, monkeypatch, capsys):
    files = {
        "scores": tmp_path / "scores.parquet",
        "list_html": tmp_path / "list.html",
        "list_xlsx": tmp_path / "list.xlsx",
    }
    counts = {"scored": 10, "excluded": 2, "children_in": 12, "flagged": 3}
    fake = types.SimpleNamespace(counts=counts, files=files)
    monkeypatch.setattr("riskmodel.data.read_data", lambda *a, **k: None)
    monkeypatch.setattr("riskmodel.jobs.run_score", lambda data, config: fake)
    assert main(["score", "--data", str(tmp_path), "--model", "models:/r@champion"]) == 0
    out = capsys.readouterr().out
    assert f"the team's list: {files['list_html']}, {files['list_xlsx']}" in out
