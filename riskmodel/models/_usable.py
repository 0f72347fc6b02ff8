"""Which input columns a model can learn from: none entirely missing or constant.

An authority that never records an event family gets columns with nothing in them:
counts that are always 0, "days since" that are always missing. HistGradientBoosting
refuses an all-missing column, and no estimator learns anything from a constant one,
so such columns are left out of the base pipeline at fit, and one warning says which
and why, grouped by event family when the feature specification is known.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from riskmodel.exceptions import DataQualityWarning
from riskmodel.features import FeatureSpec

__all__ = ["UsableColumns", "describe_dropped", "unusable_columns", "usable_columns"]

MISSING = "missing for every training row"
_NOTHING = (
    MISSING,
    "the same for every training row (0)",
    "the same for every training row (False)",
)
"""What a feature of a family with no events at all is (counts 0, flags False)."""
_LISTED = 5
"""Features named in full in a warning line; the rest are counted."""


def _shown(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def unusable_columns(X: Any, names: list[str]) -> dict[str, str]:
    """Map each entirely missing or constant column of ``X`` to the reason.

    A column with a single value on some rows and missing on the others is kept:
    missing then tells the rows apart (it is how "no such event" reads).

    Parameters
    ----------
    X : DataFrame or ndarray
        Training features.
    names : list of str
        The name of each column, in order, used in the result.

    Returns
    -------
    dict of str to str
        Feature name to reason, in column order.
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    missing = frame.isna()
    empty = missing.all(axis=0).to_numpy()
    complete = ~missing.any(axis=0).to_numpy()
    single = np.zeros(len(names), dtype=bool)
    numeric = [j for j, dtype in enumerate(frame.dtypes) if pd.api.types.is_numeric_dtype(dtype)]
    if numeric:
        block = frame.iloc[:, numeric]
        lows, highs = block.min(axis=0).to_numpy(object), block.max(axis=0).to_numpy(object)
        single[numeric] = [
            not (pd.isna(low) or pd.isna(high)) and bool(low == high)
            for low, high in zip(lows, highs, strict=True)
        ]
    for j in sorted(set(range(len(names))) - set(numeric)):  # categories: few columns
        single[j] = frame.iloc[:, j].nunique(dropna=True) == 1
    out = {}
    for j, name in enumerate(names):
        if empty[j]:
            out[name] = MISSING
        elif single[j] and complete[j]:
            out[name] = f"the same for every training row ({_shown(frame.iat[0, j])})"
    return out


def _listing(features: list[str]) -> str:
    shown = ", ".join(features[:_LISTED])
    more = len(features) - _LISTED
    return f"{shown}, and {more} more" if more > 0 else shown


def describe_dropped(
    dropped: dict[str, str], names: list[str], families: Mapping[str, str] | None = None
) -> tuple[dict[str, str], str]:
    """Group dropped features by event family and word the warning.

    A family all of whose features show nothing (missing, 0 or False for every
    training row: no such event was recorded before any as-of date) is one line,
    "no early_help events in the training rows: 4 features left out (...)"; other
    dropped features get a line each.

    Parameters
    ----------
    dropped : dict of str to str
        From :func:`unusable_columns`.
    names : list of str
        Every input feature name.
    families : mapping of str to str, optional
        Feature name to the (first) event family it reads, from the feature
        specification; features not in it are worded one by one.

    Returns
    -------
    reasons : dict of str to str
        Feature name to the reason stored in ``features_dropped_``.
    message : str
        The warning.
    """
    family = dict(families or {})
    members: dict[str, list[str]] = {}
    for name in names:
        if name in family:
            members.setdefault(family[name], []).append(name)
    reasons, lines, done = dict(dropped), [], set()
    for fam, features in members.items():
        if all(dropped.get(f) in _NOTHING for f in features):
            reason = f"no {fam} events in the training rows"
            reasons.update(dict.fromkeys(features, reason))
            n = len(features)
            lines.append(
                f"{reason}: {n} feature{'' if n == 1 else 's'} left out ({_listing(features)})"
            )
            done.update(features)
    for name, reason in dropped.items():
        if name not in done:
            lines.append(f"{name} is {reason}: left out")
    total = len(dropped)
    head = (
        f"{total} of {len(names)} features cannot be learned from and were left out of "
        "the model (entirely missing or constant on the training rows)"
    )
    return reasons, head + ": " + "; ".join(lines)


def column_keys(X: Any) -> tuple[list, list[str]]:
    """Column keys of ``X`` (names when all are strings, else positions) and their names.

    Names are the column names, or ``x0``, ``x1``, ... for positions, as in the
    fitted preprocessor's output names.
    """
    columns = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(X.shape[1]))
    if all(isinstance(c, str) for c in columns):
        return columns, list(columns)
    return list(range(len(columns))), [f"x{i}" for i in range(len(columns))]


def check_feature_spec(feature_spec: Any, names: list[str]) -> tuple[dict | None, dict[str, str]]:
    """Check a feature specification against the training columns.

    Parameters
    ----------
    feature_spec : FeatureSpec, dict or None
        The specification that built ``X`` (or its plain description).
    names : list of str
        The training column names.

    Returns
    -------
    description : dict or None
        The plain description of the spec's features that are columns of ``X``
        (in the spec's order), to store as ``feature_spec_``.
    families : dict of str to str
        Feature name to the first event family it reads.

    Raises
    ------
    ValueError
        If some columns of ``X`` are not features of the spec (scoring could not
        build them), or the description cannot be read.
    TypeError
        If ``feature_spec`` is neither a FeatureSpec, a dict nor None.
    """
    if feature_spec is None:
        return None, {}
    if isinstance(feature_spec, Mapping):
        feature_spec = FeatureSpec.from_dict(dict(feature_spec))
    if not isinstance(feature_spec, FeatureSpec):
        raise TypeError(
            "feature_spec must be a FeatureSpec (such as frame.spec), its to_dict() "
            f"description or None; got {type(feature_spec).__name__}"
        )
    built = set(feature_spec.names)
    unknown = [name for name in names if name not in built]
    if unknown:
        raise ValueError(
            f"feature_spec does not build {len(unknown)} column(s) of X, so the model could "
            f"not be scored from the spec: {_listing(unknown)}. Pass the spec that built X "
            "(frame.spec), as a DataFrame with its column names"
        )
    wanted = set(names)
    kept = FeatureSpec(
        tuple(f for f in feature_spec if f.name in wanted),
        count_other_event_types=feature_spec.count_other_event_types,
    )
    families = {f.name: f.families[0].name for f in kept if f.families}
    return kept.to_dict(), families


class UsableColumns(NamedTuple):
    """The columns a base pipeline reads, and the others with their reasons."""

    numeric: list
    categorical: list
    used: list[str]
    dropped: dict[str, str]
    spec: dict | None


def usable_columns(X: Any, numeric: list, categorical: list, feature_spec: Any) -> UsableColumns:
    """Leave out the columns of ``X`` that cannot be learned from, warning once.

    Parameters
    ----------
    X : DataFrame or ndarray
        Validated training features.
    numeric, categorical : list
        Column keys from :func:`~riskmodel.models._preprocess.split_columns`.
    feature_spec : FeatureSpec, dict or None
        Checked with :func:`check_feature_spec`.

    Returns
    -------
    UsableColumns
        The used numeric and categorical keys, the used names (in column order),
        the dropped names with reasons and the spec's plain description.

    Warns
    -----
    DataQualityWarning
        Naming the dropped columns and why, by event family when the spec is known.

    Raises
    ------
    ValueError
        If every column would be dropped.
    """
    keys, names = column_keys(X)
    spec, families = check_feature_spec(feature_spec, names)
    dropped = unusable_columns(X, names)
    if dropped:
        dropped, message = describe_dropped(dropped, names, families)
        if len(dropped) == len(names):
            raise ValueError(f"nothing to learn from: {message}")
        warnings.warn(message, DataQualityWarning, stacklevel=4)
    used = {key for key, name in zip(keys, names, strict=True) if name not in dropped}
    return UsableColumns(
        [key for key in numeric if key in used],
        [key for key in categorical if key in used],
        [name for name in names if name not in dropped],
        dropped,
        spec,
    )
