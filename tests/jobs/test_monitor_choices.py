"""The monitoring job's choices: which model, which horizon, whether to track; CLI output."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.jobs import load_config
from riskmodel.jobs._monitor import _history_model, _horizon, _registered_name, tracking_on


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


def _promise(horizons: dict[str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model_version": list(horizons),
            "metric": "precision_at_capacity",
            "horizon_months": pd.array(list(horizons.values()), dtype="Int64"),
        }
    )


def test_horizon_given_then_the_models_then_the_configs(caplog):
    config = load_config(horizon_months=9)
    promise = _promise({"1": 12, "2": 6})
    assert _horizon(promise, ["1", "2"], None, config) == 6  # the latest version's
    assert _horizon(promise, ["1"], None, config) == 12
    assert _horizon(_promise({"1": None}), ["1"], None, config) == 9
    assert _horizon(None, ["1"], None, config) == 9
    with caplog.at_level("WARNING", logger="riskmodel.jobs"):
        assert _horizon(promise, ["1", "2"], 18, config) == 18
    assert "trained for 6" in caplog.text


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
