"""Model serialisation for MLflow: skops with the library's own allow-list of exact types.

MLflow stores scikit-learn models with skops, which refuses to load a type it does
not trust by default unless the caller trusts it. MLflow reads that list from the
model's own ``MLmodel`` file, so anyone who can write to the artifact store could
trust ``posix.system`` and have it run while the model loads. The library never does
that: it saves and loads with :data:`TRUSTED_TYPES`, a fixed list of exact type names
(no module prefixes: ``numpy.`` would admit ``numpy.testing._private.utils.runstring``,
an ``exec`` wrapper).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

from riskmodel.exceptions import UntrustedModelError

__all__ = [
    "TRUSTED_TYPES",
    "check_trusted",
    "file_sha256",
    "load_skops",
    "trusted_types",
]

TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "numpy.dtype",
        "riskmodel.models._baselines.RuleBaseline",
        "riskmodel.models._baselines.SingleFeatureRanker",
        "riskmodel.models._classifier.RiskClassifier",
        "riskmodel.models._preprocess.to_float",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)
"""Types a stored model may hold beyond those skops trusts by default.

skops itself trusts plain Python values and containers, numpy arrays and ufuncs,
and scikit-learn's public estimators. These are the other types that the library's
own models contain (RiskClassifier with either estimator, every calibration, tree
and linear preprocessing, the baselines), each named exactly.
"""


def trusted_types(model: object) -> list[str]:
    """List the types skops would not trust by default, after checking each is allowed.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn compatible model.

    Returns
    -------
    list of str
        Fully qualified type names to pass as ``skops_trusted_types``, all of them
        on :data:`TRUSTED_TYPES`.

    Raises
    ------
    TypeError
        If the model contains a type that is not on :data:`TRUSTED_TYPES` (a custom
        function or class, or an estimator the library does not store).
    """
    import skops.io

    untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    refused = sorted(set(untrusted) - TRUSTED_TYPES)
    if refused:
        raise TypeError(
            "the model contains types that are not on the trusted list "
            f"(riskmodel.tracking.TRUSTED_TYPES): {', '.join(refused)}"
        )
    return sorted(untrusted)


def check_trusted(path: str | os.PathLike[str], uri: str) -> None:
    """Refuse a skops file that holds any type off :data:`TRUSTED_TYPES`.

    Only the file's schema is read; no object in it is built.

    Parameters
    ----------
    path : path-like
        The skops file (``model.skops``).
    uri : str
        The model URI, for the message.

    Raises
    ------
    UntrustedModelError
        Naming every untrusted type and the URI, or saying that the file is not a
        skops file.
    """
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged zip or schema: say so, build nothing
        raise UntrustedModelError(
            f"model {uri}: {os.fspath(path)!r} is not a readable skops file "
            f"({type(exc).__name__}: {exc}); refusing to load it"
        ) from exc
    refused = _refused(untrusted)
    if refused:
        raise UntrustedModelError(
            f"model {uri} holds types that are not on riskmodel's trusted list: "
            f"{', '.join(refused)}. Refusing to load it: loading could run code. "
            "The trusted list is riskmodel.tracking.TRUSTED_TYPES, never the list in "
            "the model's MLmodel file."
        )


def _refused(types: Iterable[str]) -> list[str]:
    return sorted(set(types) - TRUSTED_TYPES)


def load_skops(path: str | os.PathLike[str], uri: str) -> Any:
    """Load a skops file, trusting only :data:`TRUSTED_TYPES` (and skops's defaults).

    Parameters
    ----------
    path : path-like
        The skops file.
    uri : str
        The model URI, for messages.

    Returns
    -------
    object
        The model.

    Raises
    ------
    UntrustedModelError
        If the file holds a type off the list (checked before anything is built).
    """
    import skops.io

    check_trusted(path, uri)
    return skops.io.load(path, trusted=sorted(TRUSTED_TYPES))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file as 64 hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
