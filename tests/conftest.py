"""Shared fixtures: tiny hand-made tables, the real-format fixture folder, a small backtest."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import riskmodel as rm

matplotlib.use("Agg")

# Fake records in the DfE file formats, from MIT-licensed validator projects (see its README).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_format"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real-format SSDA903 and CIN census files shipped with the tests."""
    if not FIXTURES.is_dir():
        raise FileNotFoundError(f"real-format fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture
def small_tables() -> dict[str, pd.DataFrame]:
    """Three children: one with a care history, one with events only, one quiet."""
    persons = pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "date_of_birth": ["2008-05-01", "2010-01-15", "2012-09-30"],
            "sex": ["M", "F", "U"],
            "ethnicity": ["WBRI", "BAFR", None],
            "disability": [False, True, None],
            "imd_decile": [1, 5, None],
            "household_id": ["h1", "h1", "h2"],
            "uasc": [False, False, False],
        }
    )
    events = pd.DataFrame(
        {
            "person_id": ["a", "a", "b"],
            "event_date": ["2020-01-10", "2020-06-01", "2021-03-01"],
            "event_type": ["referral", "missing_episode", "police_domestic_abuse"],
            "code": ["1A", "M", None],
            "value": [None, None, None],
        }
    )
    episodes = pd.DataFrame(
        {
            "person_id": ["a", "a", "a"],
            "start_date": ["2021-01-01", "2021-03-01", "2022-06-01"],
            "end_date": ["2021-03-01", "2021-09-01", None],
            "reason_new_episode": ["S", "P", "S"],
            "legal_status": ["V2", "C2", "C2"],
            "category_of_need": ["N1", "N1", "N4"],
            "placement": ["U1", "U3", "U1"],
            "reason_episode_ceased": ["X1", "E13", None],
        }
    )
    return {"persons": persons, "events": events, "care_episodes": episodes}


MLFLOW_START_TIMEOUT_S = 90
MLFLOW_STOP_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + MLFLOW_START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def start_mlflow_server():
    """Start real ``mlflow server`` processes on 127.0.0.1; all are stopped at the end.

    Settings from the stack notes: one worker, no job execution, a SQLite store and an
    artifact folder under the given root. Returns ``start(root) -> url``; the waits are
    bounded, and each server's process group gets SIGTERM (then SIGKILL) when done.
    """
    processes: list[subprocess.Popen] = []

    def start(root: Path) -> str:
        port = _free_port()
        env = {
            **os.environ,
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            "MLFLOW_DISABLE_TELEMETRY": "true",
        }
        command = [
            str(Path(sys.executable).with_name("mlflow")),
            "server",
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{root / 'server.db'}",  # root is absolute: four slashes
            "--artifacts-destination",
            str(root / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        if not _wait_until_up(url, process):
            pytest.fail(f"mlflow server did not answer on {url} within {MLFLOW_START_TIMEOUT_S} s")
        return url

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=MLFLOW_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=MLFLOW_STOP_TIMEOUT_S)


# A small real backtest, for the Displays' and the report figures' tests.
_BACKTEST_DATES = pd.date_range("2017-01-01", periods=16, freq="3MS")
_BACKTEST_CHILDREN = 200


def _backtest_frame() -> rm.TrainingFrame:
    """Quarterly rows of 200 children, about 15% positive, with one informative signal."""
    rng = np.random.default_rng(0)
    ids = np.array([f"C{i:04d}" for i in range(_BACKTEST_CHILDREN)])
    rows = pd.DataFrame({"as_of_date": _BACKTEST_DATES}).merge(
        pd.DataFrame({"person_id": ids}), how="cross"
    )
    rows = rows[["person_id", "as_of_date"]]
    y = (rng.random(len(rows)) < 0.15).astype("int64")
    index = pd.MultiIndex.from_frame(rows)
    X = pd.DataFrame({"signal": y + rng.normal(0, 1, len(y))}, index=index)
    return rm.TrainingFrame(
        X=X,
        y=pd.Series(y, index=index, name="care_entry"),
        keys=rows.reset_index(drop=True),
        groups=pd.DataFrame({"sex": "F"}, index=index),
        cohort=rows.assign(age=14, in_cohort=True, reason=None),
        horizon_months=12,
        spec=rm.default_spec(),
    )


@pytest.fixture(scope="session")
def small_backtest() -> rm.BacktestResult:
    """A backtest of a model and a weaker baseline over two yearly folds, capacity 10."""
    return rm.backtest(
        LogisticRegression(),
        _backtest_frame(),
        rm.TemporalSplit(2),
        capacity=10,
        baselines={"weak": LogisticRegression(C=1e-6)},
        n_resamples=0,
    )


@pytest.fixture
def no_open_figures():
    """Start with no pyplot figure open, so a test can check that it opened none."""
    import matplotlib.pyplot as plt

    plt.close("all")
    yield
    plt.close("all")
