"""Any MLflow client can use the registered model: pyfunc from a real server.

A real ``mlflow server`` on 127.0.0.1 (settings from the stack notes) holds a model
trained on the library's own frame and logged through ``log_training_run``. The
standard consumer path, ``mlflow.pyfunc.load_model("models:/NAME@champion")``, must
accept that frame unchanged (``bool`` and ``int32`` columns, and int columns with
missing values) and give the calibrated probabilities of ``RiskClassifier``.
"""

import mlflow
import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
import riskmodel.tracking as tracking

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_uri(tmp_path_factory, start_mlflow_server):
    url = start_mlflow_server(tmp_path_factory.mktemp("pyfunc-server"))
    try:
        yield url
    finally:
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)


@pytest.fixture(scope="module")
def trained():
    data = rm.make_local_authority(n_children=2_000, random_state=0)
    dates = pd.date_range("2019-04-01", "2022-04-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates)
    model = rm.RiskClassifier(random_state=0).fit(frame.X, frame.y)
    return frame, model


def test_pyfunc_from_a_real_server_scores_the_librarys_frame(server_uri, trained):
    frame, model = trained
    X = frame.X
    assert {"bool", "int32", "float64"} <= {str(d) for d in X.dtypes}  # the frame as built
    tracking.set_tracking_uri(server_uri)
    params = {"horizon_months": 12}
    record = tracking.TrainingRunRecord(model, feature_dtypes=X.dtypes, params=params)
    run = tracking.log_training_run(record, register_as="riskmodel")
    assert run.version == "1"

    pyfunc = mlflow.pyfunc.load_model("models:/riskmodel@champion")
    expected = model.predict_proba(X)
    np.testing.assert_allclose(np.asarray(pyfunc.predict(X)), expected, rtol=0, atol=1e-12)

    # an int column with gaps (float with NaN, or nullable Int32 with <NA>) is accepted
    gappy = X.copy()
    rows = np.arange(len(gappy)) % 7 == 0
    gappy["referral_count_365d"] = gappy["referral_count_365d"].astype("float64").mask(rows)
    gappy["contact_count_90d"] = gappy["contact_count_90d"].astype("Int32").mask(rows)
    np.testing.assert_allclose(
        np.asarray(pyfunc.predict(gappy)), model.predict_proba(gappy), rtol=0, atol=1e-12
    )

    # the library's own loader reads the same version through the server
    loaded = tracking.load_model("models:/riskmodel@champion")
    assert (loaded.name, loaded.version) == ("riskmodel", "1")
    np.testing.assert_array_equal(loaded.model.predict_proba(X), expected)


def test_signature_types_follow_the_dtypes():
    from mlflow.types.schema import AnyType

    expected = {
        "bool": "boolean",
        "int32": "double",
        "Int32": "double",
        "int64": "long",
        "float32": "float",
        "float64": "double",
        "Float64": "double",
        "object": "string",
        "string": "string",
    }
    assert {d: tracking.column_type(d) for d in expected} == expected
    for unconvertible in ("Int64", "boolean", "category", "datetime64[ns]", None):
        assert tracking.column_type(unconvertible) == AnyType()


def test_pyfunc_accepts_nullable_and_categorical_columns(tracking_uri):
    rng = np.random.default_rng(0)
    n = 2_000
    dates = pd.to_datetime(["2020-04-01", "2020-07-01", "2020-10-01", "2021-01-01"])
    index = pd.MultiIndex.from_product(
        [[f"c{i}" for i in range(n // 4)], dates], names=["person_id", "as_of_date"]
    )
    gaps = rng.random(n) < 0.2
    X = pd.DataFrame(
        {
            "score": rng.random(n),
            "visits": pd.array(np.where(gaps, None, rng.integers(0, 9, n)), dtype="Int64"),
            "flag": pd.array(np.where(gaps[::-1], None, rng.random(n) > 0.5), dtype="boolean"),
            "team": pd.Categorical(rng.choice(["north", "south", "east"], n)),
            "source": rng.choice(np.array(["phone", "email", None], dtype=object), n),
        },
        index=index,
    )
    y = (X["score"] + 0.1 * (X["team"] == "north") + rng.normal(0, 0.3, n) > 1.0).astype(int)
    model = rm.RiskClassifier(random_state=0).fit(X, y)
    run = tracking.log_training_run(tracking.TrainingRunRecord(model, feature_dtypes=X.dtypes))
    pyfunc = mlflow.pyfunc.load_model(run.model_uri)
    np.testing.assert_allclose(
        np.asarray(pyfunc.predict(X)), model.predict_proba(X), rtol=0, atol=1e-12
    )
