"""Model serialisation for MLflow: skops with an explicit allow-list of trusted types.

MLflow stores scikit-learn models with skops, which refuses to load any type not
trusted at save time. We never trust arbitrary pickles: every type in the model must
come from a module on :data:`TRUSTED_MODULE_PREFIXES`, and the full list is written
next to the model.
"""

from __future__ import annotations

__all__ = ["TRUSTED_MODULE_PREFIXES", "trusted_types"]

TRUSTED_MODULE_PREFIXES: tuple[str, ...] = ("sklearn.", "riskmodel.", "numpy.", "scipy.")
"""Modules whose types a stored model may contain."""


def trusted_types(model: object) -> list[str]:
    """List the types skops would not trust by default, after checking each is allowed.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn compatible model.

    Returns
    -------
    list of str
        Fully qualified type names to pass as ``skops_trusted_types``.

    Raises
    ------
    TypeError
        If the model contains a type from a module outside
        :data:`TRUSTED_MODULE_PREFIXES` (a custom function or an unknown class).
    """
    import skops.io

    untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    refused = [t for t in untrusted if not t.startswith(TRUSTED_MODULE_PREFIXES)]
    if refused:
        raise TypeError(
            "the model contains types that are not on the trusted list "
            f"{TRUSTED_MODULE_PREFIXES}: {', '.join(sorted(refused))}"
        )
    return sorted(untrusted)
