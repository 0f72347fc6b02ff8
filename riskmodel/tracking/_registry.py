"""The model registry: versions, the ``champion`` and ``challenger`` aliases, promotion.

The first version registered under a name becomes ``champion``; later versions become
``challenger``. :func:`promote` moves ``champion`` to a challenger only when it is at
least as good on the agreed metric and raises no new fairness flag, unless a written
reason for overriding is given, which is kept as a tag on the version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riskmodel.exceptions import UntrustedModelError
from riskmodel.tracking._mlflow import import_mlflow
from riskmodel.tracking._store import (
    SHA256_TAG,
    load_verified,
    resolve_model_uri,
    stored_model_sha256,
)

if TYPE_CHECKING:
    from riskmodel.tracking._runs import TrainingRun

__all__ = ["LoadedModel", "PromotionDecision", "load_model", "promote", "register_model"]

CHAMPION = "champion"
CHALLENGER = "challenger"
DEFAULT_PROMOTION_METRIC = "precision_at_capacity"


@dataclass(frozen=True)
class PromotionDecision:
    """The outcome of :func:`promote`, with the figures it was based on."""

    name: str
    version: str
    promoted: bool
    metric: str
    challenger_value: float | None
    champion_version: str | None
    champion_value: float | None
    new_fairness_flags: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class LoadedModel:
    """A model loaded from the registry, with the name, version and run it came from."""

    model: Any
    name: str | None
    version: str | None
    uri: str
    run_id: str | None = None


def _client() -> Any:
    return import_mlflow().MlflowClient()


def _alias_version(client: Any, name: str, alias: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def register_model(run: TrainingRun | str, name: str) -> str:
    """Register a logged model; the first version of a name becomes ``champion``.

    The stored ``model.skops`` is checked against
    :data:`~riskmodel.tracking.TRUSTED_TYPES`, and its SHA-256 is recorded as the
    version's tag ``riskmodel.model_sha256``; :func:`load_model` refuses the version
    if its file changes later.

    Parameters
    ----------
    run : TrainingRun or str
        The run from :func:`log_training_run`, or a model URI.
    name : str
        Registered model name.

    Returns
    -------
    str
        The new version number. It carries the ``challenger`` alias, or
        ``champion`` when it is the first version of ``name``.

    Raises
    ------
    UntrustedModelError
        If the model holds a type off the allow-list, is not a skops model, or its
        file differs from the one whose hash its training run recorded.
    """
    uri = run if isinstance(run, str) else run.model_uri
    sha256 = stored_model_sha256(uri)
    logged = resolve_model_uri(uri) if isinstance(run, str) else None
    recorded = (
        logged.sha256
        if logged is not None
        else _client().get_run(run.run_id).data.tags.get(SHA256_TAG)
    )
    if recorded and recorded != sha256:
        raise UntrustedModelError(
            f"model {uri}: its file has SHA-256 {sha256}, but its run recorded {recorded} "
            "when it was logged. The stored artifact was changed; refusing to register it."
        )
    version = import_mlflow().register_model(uri, name, tags={SHA256_TAG: sha256}).version
    client = _client()
    alias = CHAMPION if _alias_version(client, name, CHAMPION) is None else CHALLENGER
    client.set_registered_model_alias(name, alias, str(version))
    return str(version)


def _version_facts(client: Any, version: Any, metric: str) -> tuple[float | None, set[str]]:
    run = client.get_run(version.run_id)
    value = run.data.metrics.get(metric)
    flags = set(json.loads(run.data.tags.get("riskmodel.fairness_flags", "[]")))
    return value, flags


def promote(
    name: str,
    version: str | int,
    *,
    metric: str = DEFAULT_PROMOTION_METRIC,
    override_reason: str | None = None,
) -> PromotionDecision:
    """Move the ``champion`` alias to ``version`` if it is at least as good.

    The challenger must score at least the champion's value on ``metric`` (higher is
    better; the metric is read from each version's training run) and must raise no
    fairness flag that the champion did not.

    Parameters
    ----------
    name : str
        Registered model name.
    version : str or int
        The candidate version.
    metric : str, default "precision_at_capacity"
        Run metric compared.
    override_reason : str, optional
        Promote even if the rules say no. The reason is stored on the version as
        the tag ``promotion_override_reason``.

    Returns
    -------
    PromotionDecision
        Whether the alias moved, and why.
    """
    client = _client()
    version = str(version)
    candidate = client.get_model_version(name, version)
    value, flags = _version_facts(client, candidate, metric)
    champion = _alias_version(client, name, CHAMPION)
    if champion is None or str(champion.version) == version:
        ok, why, champ_value, new_flags = True, "no other champion", None, set()
    else:
        champ_value, champ_flags = _version_facts(client, champion, metric)
        new_flags = flags - champ_flags
        worse = value is None or (champ_value is not None and value < champ_value)
        ok = not worse and not new_flags
        why = _explain(metric, value, champ_value, new_flags)
    if not ok and override_reason:
        client.set_model_version_tag(name, version, "promotion_override_reason", override_reason)
        ok, why = True, f"overridden: {override_reason} (rules said: {why})"
    if ok:
        client.set_registered_model_alias(name, CHAMPION, version)
        challenger = _alias_version(client, name, CHALLENGER)
        if challenger is not None and str(challenger.version) == version:
            client.delete_registered_model_alias(name, CHALLENGER)
    return PromotionDecision(
        name=name,
        version=version,
        promoted=ok,
        metric=metric,
        challenger_value=value,
        champion_version=None if champion is None else str(champion.version),
        champion_value=champ_value,
        new_fairness_flags=tuple(sorted(new_flags)),
        reason=why,
    )


def _explain(metric: str, value: float | None, champ: float | None, new_flags: set[str]) -> str:
    parts = []
    if value is None:
        parts.append(f"the challenger's run has no metric {metric!r}")
    elif champ is not None and value < champ:
        parts.append(f"{metric} {value:.4f} is below the champion's {champ:.4f}")
    if new_flags:
        parts.append(f"new fairness flags: {', '.join(sorted(new_flags))}")
    return "; ".join(parts) or f"{metric} at least as good and no new fairness flag"


def load_model(uri: str) -> LoadedModel:
    """Load a model from MLflow, e.g. ``models:/NAME@champion``, if it can be trusted.

    The model file is read with skops and the library's own allow-list of exact
    types (:data:`~riskmodel.tracking.TRUSTED_TYPES`), never the list in the model's
    ``MLmodel`` file, and nothing from the model's ``code/`` folder is imported.
    Before anything is built, the file's SHA-256 must equal the one recorded when it
    was logged (run tag) or registered (version tag).

    Parameters
    ----------
    uri : str
        ``models:/NAME@ALIAS`` or ``models:/NAME/VERSION`` (which also resolve the
        name and version), ``models:/MODEL_ID`` or ``runs:/RUN_ID/model``.

    Returns
    -------
    LoadedModel

    Raises
    ------
    UntrustedModelError
        If the file holds a type off the allow-list, differs from the recorded hash,
        has no recorded hash (for example a path or a run that riskmodel did not log),
        or is not a skops model. The message names the URI and the types or hashes.
    """
    source = resolve_model_uri(uri)
    model = load_verified(source)
    return LoadedModel(
        model=model, name=source.name, version=source.version, uri=uri, run_id=source.run_id
    )
