import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import riskmodel.tracking as tracking


@pytest.fixture
def tracking_uri(tmp_path, monkeypatch):
    """A fresh SQLite store and artifact folder per test, set explicitly."""
    monkeypatch.chdir(tmp_path)  # the default artifact root is relative to the cwd
    uri = tracking.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    yield uri
    mlflow.set_tracking_uri(None)


@pytest.fixture
def fitted_model():
    rng = np.random.default_rng(0)
    ids = [f"SYN{i:06d}" for i in range(400)]
    X = pd.DataFrame(rng.random((400, 3)), columns=["referral_count_365d", "age", "absence"])
    X.index = pd.Index(ids, name="person_id")
    y = (X["referral_count_365d"] + rng.normal(0, 0.2, 400) > 0.8).astype(int)
    model = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    return model, X, y
