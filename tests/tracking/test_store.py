"""The model store is not trusted to run code: exact allow-list, recorded file hash.

An attacker who can write to the tracking store registers, as ``champion``, a model
that still works as a ``RiskClassifier`` but carries a hidden extra attribute built
by calling ``posix.system`` (or ``numpy.testing._private.utils.runstring``, an
``exec`` wrapper under the ``numpy.`` prefix), and adds that type to the trusted list
in the model's ``MLmodel`` file (or ships the class in the model's ``code/`` folder).
The library must refuse it before anything runs, naming the type and the URI; and it
must refuse a stored file swapped for another one, even of trusted types.
"""

import io
import json
import shutil
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import numpy as np
import pandas as pd
import pytest
import skops.io
import yaml
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import riskmodel as rm
import riskmodel.tracking as tracking
from riskmodel.cli import main
from riskmodel.exceptions import UntrustedModelError

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
]

DATES = pd.date_range("2019-04-01", "2022-04-01", freq="QS-APR")


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    """A small synthetic authority on disk and a RiskClassifier trained on its frame."""
    data = rm.make_local_authority(n_children=1_500, random_state=1)
    folder = rm.write_data(data, tmp_path_factory.mktemp("authority") / "data")
    frame = rm.build_training_frame(data, DATES)
    model = rm.RiskClassifier(random_state=0).fit(frame.X, frame.y)
    return folder, frame, model


def _hidden_call(module: str, name: str, args: tuple) -> dict:
    """A skops node that calls ``module.name(*args)`` while the file loads."""
    args_state = json.loads(_schema(skops.io.dumps(args)))
    args_state.pop("protocol", None)
    args_state.pop("_skops_version", None)
    return {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": args_state,
    }


def _schema(blob: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return archive.read("schema.json")


def _craft(model_dir: Path, hidden: dict, trusted_type: str, code: dict[str, str]) -> None:
    """Add a hidden attribute to the stored model, trust its type in MLmodel, ship code."""
    path = model_dir / "model.skops"
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    schema = json.loads(members["schema.json"])
    attributes = schema["content"]
    attributes["content"]["hidden_"] = hidden
    key_type = {"__class__": "str", "__module__": "builtins", "__loader__": "TypeNode"}
    attributes["key_types"]["content"].append(key_type)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    mlmodel = yaml.safe_load((model_dir / "MLmodel").read_text())
    mlmodel["flavors"]["sklearn"]["skops_trusted_types"].append(trusted_type)
    if code:
        (model_dir / "code").mkdir()
        for name, text in code.items():
            (model_dir / "code" / name).write_text(text)
        mlmodel["flavors"]["sklearn"]["code"] = "code"
    (model_dir / "MLmodel").write_text(yaml.safe_dump(mlmodel))


def _register_as_attacker(model_dir: Path, name: str) -> str:
    """Log a model folder as plain artifacts, register it, make it champion, tag its hash."""
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(model_dir), artifact_path="model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", name).version
    client = mlflow.MlflowClient()
    client.set_registered_model_alias(name, "champion", str(version))
    sha256 = tracking._serialise.file_sha256(model_dir / "model.skops")
    client.set_model_version_tag(name, str(version), tracking.SHA256_TAG, sha256)
    return str(version)


EVIL_MODULE = "riskmodel_test_shipped_code"
EVIL_CODE = """
from pathlib import Path


class Hidden:
    def __setstate__(self, state):
        Path(state["marker"]).write_text("ran")
"""


def _shipped_class(marker: Path) -> dict:
    """A skops node of a class from the model's ``code/`` folder, run by its __setstate__."""
    state = json.loads(_schema(skops.io.dumps({"marker": str(marker)})))
    state.pop("protocol", None)
    state.pop("_skops_version", None)
    return {
        "__class__": "Hidden",
        "__module__": EVIL_MODULE,
        "__loader__": "ObjectNode",
        "content": state,
    }


def _attacks(marker: Path) -> dict[str, tuple[str, dict, dict[str, str]]]:
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')"
    return {
        "posix.system": (
            "posix.system",
            _hidden_call("posix", "system", (f"touch '{marker}'",)),
            {},
        ),
        "runstring": (
            "numpy.testing._private.utils.runstring",
            _hidden_call("numpy.testing._private.utils", "runstring", (code, {})),
            {},
        ),
        "code folder": (
            f"{EVIL_MODULE}.Hidden",
            _shipped_class(marker),
            {f"{EVIL_MODULE}.py": EVIL_CODE},
        ),
    }


def _crafted_champion(tmp_path, model, attack: str) -> tuple[str, Path]:
    marker = tmp_path / f"ran-{attack}"
    trusted_type, hidden, code = _attacks(marker)[attack]
    record = tracking.TrainingRunRecord(model)
    honest = tracking.log_training_run(record, register_as="risk")  # version 1, champion
    model_dir = Path(
        mlflow.artifacts.download_artifacts(artifact_uri=honest.model_uri, dst_path=tmp_path / "m")
    )
    _craft(model_dir, hidden, trusted_type, code)
    _register_as_attacker(model_dir, "risk")  # version 2, now champion
    return trusted_type, marker


@pytest.mark.parametrize("attack", ["posix.system", "runstring", "code folder"])
def test_crafted_champion_is_refused_naming_the_type_and_nothing_runs(
    tracking_uri, tmp_path, authority, attack, monkeypatch
):
    monkeypatch.setattr(sys, "path", list(sys.path))  # MLflow's loader adds code/ to it
    _, frame, model = authority
    trusted_type, marker = _crafted_champion(tmp_path, model, attack)
    uri = "models:/risk@champion"
    with pytest.raises(UntrustedModelError) as refused:
        tracking.load_model(uri)
    assert trusted_type in str(refused.value) and uri in str(refused.value)
    assert not marker.exists()
    assert EVIL_MODULE not in sys.modules  # the shipped code was not even imported

    # the crafted version is a real attack: MLflow's own loader trusts the MLmodel
    # list, runs the hidden call and returns a model that still scores
    try:
        loaded = mlflow.sklearn.load_model(uri)
    finally:
        sys.modules.pop(EVIL_MODULE, None)
    assert marker.exists()
    np.testing.assert_allclose(loaded.predict_proba(frame.X), model.predict_proba(frame.X))

    # the honest version 1 still loads
    assert tracking.load_model("models:/risk/1").version == "1"


def test_crafted_model_cannot_be_registered_through_the_library(tracking_uri, tmp_path, authority):
    _, _, model = authority
    marker = tmp_path / "ran"
    trusted_type, hidden, code = _attacks(marker)["posix.system"]
    honest = tracking.log_training_run(tracking.TrainingRunRecord(model))
    model_dir = Path(
        mlflow.artifacts.download_artifacts(artifact_uri=honest.model_uri, dst_path=tmp_path / "m")
    )
    _craft(model_dir, hidden, trusted_type, code)
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(model_dir), artifact_path="model")
    with pytest.raises(UntrustedModelError, match="posix.system"):
        tracking.register_model(f"runs:/{run.info.run_id}/model", "risk")
    assert not marker.exists()


def test_saving_refuses_a_type_that_a_prefix_would_have_admitted(fitted_model):
    model, _, _ = fitted_model
    runstring = sys.modules["numpy.testing._private.utils"].runstring
    hostile = make_pipeline(FunctionTransformer(runstring), model)
    with pytest.raises(TypeError, match=r"numpy\.testing\._private\.utils\.runstring"):
        tracking.trusted_types(hostile)
    assert not any(name.endswith(".") for name in tracking.TRUSTED_TYPES)  # exact names only


def _stored_model_file(model_uri: str) -> Path:
    logged = mlflow.get_logged_model(model_uri.removeprefix("models:/"))
    return Path(urlparse(logged.artifact_location).path) / "model.skops"


def test_swapped_artifact_of_trusted_types_fails_the_hash_check(tracking_uri, authority):
    _, frame, model = authority
    champion = tracking.log_training_run(tracking.TrainingRunRecord(model), register_as="risk")
    other = rm.RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    other_run = tracking.log_training_run(tracking.TrainingRunRecord(other.fit(frame.X, frame.y)))
    tags = mlflow.MlflowClient().get_model_version("risk", champion.version).tags
    stored = _stored_model_file(champion.model_uri)
    assert tags[tracking.SHA256_TAG] == tracking._serialise.file_sha256(stored)

    shutil.copyfile(_stored_model_file(other_run.model_uri), stored)  # trusted types only
    with pytest.raises(UntrustedModelError, match="SHA-256") as refused:
        tracking.load_model("models:/risk@champion")
    assert "models:/risk@champion" in str(refused.value)
    assert tags[tracking.SHA256_TAG] in str(refused.value)
    with pytest.raises(UntrustedModelError, match="SHA-256"):
        tracking.load_model(champion.model_uri)  # the run's tag holds the hash too
    with pytest.raises(UntrustedModelError, match="changed"):
        tracking.register_model(champion, "risk-again")


def test_a_version_with_no_recorded_hash_is_refused(tracking_uri, authority):
    _, _, model = authority
    run = tracking.log_training_run(tracking.TrainingRunRecord(model))
    version = mlflow.register_model(run.model_uri, "plain").version  # not through riskmodel
    with pytest.raises(UntrustedModelError, match="no SHA-256"):
        tracking.load_model(f"models:/plain/{version}")


def test_score_and_review_commands_exit_2_with_the_message(
    tracking_uri, tmp_path, authority, capsys
):
    folder, _, model = authority
    trusted_type, marker = _crafted_champion(tmp_path, model, "posix.system")
    common = ["--data", str(folder), "--tracking-uri", tracking_uri]
    commands = {
        "score": ["--model", "models:/risk@champion", "--out", str(tmp_path / "scores")],
        "review": ["--model", "models:/risk@champion", "--out", str(tmp_path / "review.html")],
    }
    for command, options in commands.items():
        assert main([command, *common, *options]) == 2
        err = capsys.readouterr().err
        assert f"riskmodel {command}: refused the model" in err
        assert trusted_type in err and "models:/risk@champion" in err
    assert not marker.exists()
    assert not (tmp_path / "scores").exists() and not (tmp_path / "review.html").exists()
