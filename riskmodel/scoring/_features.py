"""The features a fitted model was trained on, built again for scoring.

A :class:`~riskmodel.RiskClassifier` fitted with ``feature_spec=frame.spec`` carries
the specification's plain description (``feature_spec_``), so the monthly job builds
exactly its features. A spec given by the caller wins; a model without one is scored
with the default specification.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.features import FeatureSpec, default_spec

__all__ = ["align_features", "model_spec", "used_columns"]

_LISTED = 10


def model_spec(model: Any, spec: FeatureSpec | None = None) -> FeatureSpec:
    """Return the specification to build ``model``'s features with.

    Parameters
    ----------
    model : fitted estimator
        Its ``feature_spec_`` (a plain description), when it has one, is used.
    spec : FeatureSpec, optional
        Wins over the model's own.

    Returns
    -------
    FeatureSpec
        ``spec``, else the model's ``feature_spec_``, else :func:`default_spec`.

    Raises
    ------
    ValueError
        If the model's stored description cannot be read.
    """
    if spec is not None:
        return spec
    stored = getattr(model, "feature_spec_", None)
    if stored is None:
        return default_spec()
    try:
        return FeatureSpec.from_dict(stored)
    except ValueError as error:
        raise SchemaError(f"the model's feature_spec_ cannot be read: {error}") from error


def _listing(names: list[str]) -> str:
    more = len(names) - _LISTED
    return ", ".join(names[:_LISTED]) + (f" and {more} more" if more > 0 else "")


def align_features(X: pd.DataFrame, model: Any, notes: list[str]) -> pd.DataFrame:
    """Put ``X`` in the model's columns.

    Generic ``other_<type>_count_365d`` columns the data has no events for are 0
    (noted); columns the model never saw are left out (noted).

    Raises
    ------
    ValueError
        If the model needs features the specification did not build, naming them
        and the features built instead.
    """
    wanted = [str(c) for c in getattr(model, "feature_names_in_", X.columns)]
    absent = [c for c in wanted if c not in X.columns]
    extra = [c for c in X.columns if c not in wanted]
    not_counts = [c for c in absent if not c.startswith("other_")]
    if not_counts:
        built = f"; it built {len(extra)} the model does not know: {_listing(extra)}"
        raise SchemaError(
            f"the feature specification cannot build {len(not_counts)} feature(s) the model "
            f"was trained on: {_listing(not_counts)}{built if extra else ''}. Score with the "
            "spec the model was trained on (fit it with feature_spec=frame.spec to store it "
            "in the model)"
        )
    if absent:
        notes.append(f"no events of the type(s) behind {', '.join(absent)}: counted as 0")
    unseen_types = [c for c in extra if c.startswith("other_")]
    if unseen_types:
        notes.append(f"event types the model never saw were ignored: {', '.join(unseen_types)}")
    if len(unseen_types) < len(extra):
        others = [c for c in extra if not c.startswith("other_")]
        notes.append(f"features the model was not trained on were ignored: {', '.join(others)}")
    return X.reindex(columns=wanted, fill_value=0)


def used_columns(model: Any, X: pd.DataFrame) -> list[str]:
    """Return the columns of ``X`` the model reads (``features_used_``; all when unknown)."""
    used = getattr(model, "features_used_", None)
    return list(X.columns) if used is None else [c for c in used if c in X.columns]


def with_calibration_groups(X: pd.DataFrame, model: Any, authority: str | None) -> pd.DataFrame:
    """Index ``X`` by the authority when the model calibrates within authorities.

    A model fitted with ``calibrate_within="authority"`` shifts each authority's
    probabilities by its own offset, read from an ``authority`` index level (as in a
    pooled training frame). One authority's features are built without it; this
    puts it back. Other models get ``X`` unchanged.
    """
    level = getattr(model, "calibrate_within", None)
    if level != "authority" or level in (X.index.names or []):
        return X
    if authority is None:
        raise SchemaError(
            "the model calibrates within authorities (calibrate_within='authority'), but "
            "the data name no authority: give the tables an authority column, or read "
            "the returns with authority= (e.g. import_returns(..., authority='E09000013'))"
        )
    return X.set_index(
        pd.Index([authority] * len(X), name="authority"), append=True
    ).reorder_levels(["authority", *X.index.names])
