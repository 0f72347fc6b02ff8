"""Ship a fitted model to Spark's Python workers once: skops bytes in a broadcast.

The driver serialises the model with skops (every type it holds checked against
:data:`~riskmodel.tracking.TRUSTED_TYPES`, never an arbitrary pickle) and broadcasts
the bytes; each Python worker process rebuilds it at most once, keeping it in a cache
keyed by the bytes' SHA-256. Spark reuses Python workers between tasks
(``spark.python.worker.reuse``, on by default), so every shard a worker scores after
its first uses the model already built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = ["ShippedModel", "ship_model"]

_WORKER_MODELS: dict[str, Any] = {}
"""This process's models, by the SHA-256 of their skops bytes."""


@dataclass(frozen=True)
class ShippedModel:
    """A model on the driver and its broadcast skops bytes for the workers.

    Attributes
    ----------
    model : object or None
        The fitted model (None in the copy sent to the workers).
    payload : pyspark.Broadcast
        The skops bytes.
    sha256 : str
        Their SHA-256, the workers' cache key.
    trusted : tuple of str
        The non-default types the bytes hold, all on the trusted list.
    name, version : str or None
        The registered name and version, for a model loaded from a URI.
    """

    model: Any
    payload: Any
    sha256: str
    trusted: tuple[str, ...]
    name: str | None = None
    version: str | None = None

    def for_workers(self) -> ShippedModel:
        """Return the copy to send in a task: the broadcast handle, not the model."""
        return ShippedModel(None, self.payload, self.sha256, self.trusted, self.name, self.version)

    def load(self) -> Any:
        """Return the model, built from the broadcast bytes at most once per process."""
        if self.model is not None:
            return self.model
        cached = _WORKER_MODELS.get(self.sha256)
        if cached is None:
            import skops.io

            cached = skops.io.loads(self.payload.value, trusted=list(self.trusted))
            _WORKER_MODELS[self.sha256] = cached
        return cached


def ship_model(spark: Any, model: Any) -> ShippedModel:
    """Serialise ``model`` (or load the model URI ``model``) and broadcast it.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session whose executors will score.
    model : RiskClassifier or str
        A fitted model, or a model URI loaded with
        :func:`~riskmodel.tracking.load_model` (hash and allow-list checked).

    Returns
    -------
    ShippedModel

    Raises
    ------
    TypeError
        If the model holds a type off :data:`~riskmodel.tracking.TRUSTED_TYPES`.
    """
    import skops.io

    from riskmodel.tracking._serialise import trusted_types

    name = version = None
    if isinstance(model, str):
        from riskmodel.tracking import load_model

        loaded = load_model(model)
        model, name, version = loaded.model, loaded.name or model, loaded.version
    trusted = tuple(trusted_types(model))
    data = skops.io.dumps(model)
    sha256 = hashlib.sha256(data).hexdigest()
    payload = spark.sparkContext.broadcast(data)
    return ShippedModel(model, payload, sha256, trusted, name, version)
