"""The model store as the library trusts it: one skops file, its recorded SHA-256.

A logged model's ``model.skops`` is hashed right after it is stored; the hash is a
tag of the training run and, at registration, of the model version. Loading finds the
hash recorded for the URI, downloads the model, refuses a file whose hash differs
(a swapped artifact, even one of trusted types) or that holds an untrusted type, and
only then builds it with the library's own allow-list.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskmodel.exceptions import UntrustedModelError
from riskmodel.tracking._mlflow import import_mlflow
from riskmodel.tracking._serialise import check_trusted, file_sha256, load_skops

__all__ = [
    "SHA256_TAG",
    "ModelSource",
    "load_verified",
    "resolve_model_uri",
    "stored_model_sha256",
]

SHA256_TAG = "riskmodel.model_sha256"
"""Tag holding the SHA-256 of ``model.skops``, on the training run and the model version."""
MODEL_FILE = "model.skops"


@dataclass(frozen=True)
class ModelSource:
    """Where a model URI points, and the hash recorded for it (None if there is none)."""

    uri: str
    download_uri: str
    name: str | None
    version: str | None
    run_id: str | None
    sha256: str | None
    recorded_in: str


def _registry_source(client: Any, uri: str, ref: str) -> ModelSource | None:
    if "@" in ref:
        name, alias = ref.split("@", 1)
        found = client.get_model_version_by_alias(name, alias)
    elif "/" in ref:
        name, number = ref.split("/", 1)
        found = client.get_model_version(name, number)
    else:
        return None
    version = str(found.version)
    return ModelSource(
        uri=uri,
        # pinned to the number, so the file checked is the one the tag describes
        download_uri=f"models:/{name}/{version}",
        name=name,
        version=version,
        run_id=found.run_id,
        sha256=(found.tags or {}).get(SHA256_TAG),
        recorded_in=f"tag {SHA256_TAG} of version {version} of registered model {name!r}",
    )


def _run_source(client: Any, uri: str, run_id: str | None) -> ModelSource:
    tags = client.get_run(run_id).data.tags if run_id else {}
    return ModelSource(
        uri=uri,
        download_uri=uri,
        name=None,
        version=None,
        run_id=run_id,
        sha256=tags.get(SHA256_TAG),
        recorded_in=f"tag {SHA256_TAG} of run {run_id}" if run_id else "nowhere",
    )


def resolve_model_uri(uri: str) -> ModelSource:
    """Find the registered version or run behind a model URI and its recorded hash.

    Parameters
    ----------
    uri : str
        ``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``models:/MODEL_ID`` (a
        logged model) or ``runs:/RUN_ID/PATH``. Any other URI has no run or version
        to hold a hash, so its :attr:`ModelSource.sha256` is None.

    Returns
    -------
    ModelSource
    """
    mlflow = import_mlflow()
    client = mlflow.MlflowClient()
    if uri.startswith("models:/"):
        ref = uri[len("models:/") :]
        source = _registry_source(client, uri, ref)
        if source is not None:
            return source
        return _run_source(client, uri, mlflow.get_logged_model(ref).source_run_id)
    if uri.startswith("runs:/"):
        return _run_source(client, uri, uri[len("runs:/") :].split("/", 1)[0])
    return _run_source(client, uri, None)


def _model_file(uri: str, directory: str) -> Path:
    """Download the model at ``uri`` into ``directory``; return its skops file."""
    import yaml

    local = Path(
        import_mlflow().artifacts.download_artifacts(artifact_uri=uri, dst_path=directory)
    )
    mlmodel = local / "MLmodel"
    if not mlmodel.is_file():
        raise UntrustedModelError(f"model {uri}: no MLmodel file; it is not an MLflow model")
    flavor = (yaml.safe_load(mlmodel.read_text(encoding="utf-8")) or {}).get("flavors", {})
    sklearn = flavor.get("sklearn") or {}
    form = sklearn.get("serialization_format")
    if form != "skops" or sklearn.get("pickled_model") != MODEL_FILE:
        raise UntrustedModelError(
            f"model {uri} is not a scikit-learn model stored as {MODEL_FILE} in the skops "
            f"format (serialization format: {form!r}); riskmodel loads no other kind"
        )
    path = local / MODEL_FILE
    if path.is_symlink() or not path.is_file():
        raise UntrustedModelError(f"model {uri}: {MODEL_FILE} is missing or not a plain file")
    return path


def stored_model_sha256(uri: str) -> str:
    """Return the SHA-256 of the stored ``model.skops`` at ``uri``, after checking its types.

    Raises
    ------
    UntrustedModelError
        If the file holds a type off :data:`~riskmodel.tracking.TRUSTED_TYPES`, or is
        not a skops model.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = _model_file(uri, tmp)
        check_trusted(path, uri)
        return file_sha256(path)


def load_verified(source: ModelSource) -> Any:
    """Load the model of ``source`` if its file has the recorded hash and trusted types.

    Raises
    ------
    UntrustedModelError
        If no hash is recorded, the file's hash differs, or it holds an untrusted
        type. Nothing from the file is built before these checks pass.
    """
    uri = source.uri
    if not source.sha256:
        raise UntrustedModelError(
            f"model {uri}: no SHA-256 of its file is recorded ({source.recorded_in} is "
            "missing), so a changed file could not be told apart. Log it with "
            "riskmodel.tracking.log_training_run, or register its run's model again with "
            "riskmodel.tracking.register_model, which records one."
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = _model_file(source.download_uri, tmp)
        actual = file_sha256(path)
        if actual != source.sha256:
            raise UntrustedModelError(
                f"model {uri}: its file {MODEL_FILE} has SHA-256 {actual}, but "
                f"{source.sha256} was recorded ({source.recorded_in}). The stored "
                "artifact was changed after it was logged; refusing to load it."
            )
        return load_skops(path, uri)
