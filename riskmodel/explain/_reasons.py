"""Reason codes: each child's features that push the risk up most, in plain English."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.explain._protected import is_protected
from riskmodel.features import FeatureSpec, default_spec

__all__ = ["check_explanation", "fallback_description", "reason_codes"]


def check_explanation(explanation: Any) -> tuple[np.ndarray, list[str]]:
    """Return the values (n_rows, n_features) and feature names of an explanation.

    Raises
    ------
    TypeError
        If ``explanation`` has no ``values`` or ``feature_names``.
    ValueError
        If its values are not two-dimensional or do not match its feature names.
    """
    values = getattr(explanation, "values", None)
    names = getattr(explanation, "feature_names", None)
    if values is None or names is None:
        raise TypeError(
            "expected a shap.Explanation with values and feature_names, such as "
            f"explain(model, X) returns; got {type(explanation).__name__}"
        )
    values = np.asarray(values, dtype=np.float64)
    names = [str(name) for name in np.atleast_1d(names)]
    if values.ndim != 2 or values.shape[1] != len(names):
        raise ValueError(
            "expected an explanation of several rows with one column per feature "
            f"(values of shape (n_rows, {len(names)})); got values of shape {values.shape}"
        )
    return values, names


def fallback_description(name: str, value: object) -> str:
    """Describe a feature the specification does not know: ``"school type: academy"``.

    Parameters
    ----------
    name : str
        Feature name; underscores become spaces.
    value : object
        The child's value; missing values read "missing".

    Returns
    -------
    str
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        shown = "missing"
    elif isinstance(value, bool | np.bool_):
        shown = "yes" if value else "no"
    elif isinstance(value, numbers.Real):
        shown = f"{float(value):g}"
    else:
        shown = str(value)
    return f"{name.replace('_', ' ')}: {shown}"


class _Describer:
    """Describe (feature, value) pairs with the spec, caching repeated pairs."""

    def __init__(self, spec: FeatureSpec, names: list[str]) -> None:
        known = set(spec.names)
        self.spec = spec
        self.known = [name in known for name in names]
        self.names = names
        self.cache: dict[tuple[int, object], str] = {}
        self.family = [spec[name].reason_slot if name in known else name for name in self.names]

    def __call__(self, j: int, value: object) -> str:
        key = (j, value if isinstance(value, str) or not pd.isna(value) else None)
        text = self.cache.get(key)
        if text is None:
            text = fallback_description(self.names[j], value)
            if self.known[j]:
                try:
                    text = self.spec.describe(self.names[j], value)
                except (TypeError, ValueError):
                    pass  # a value the feature cannot word (e.g. a missing count)
            self.cache[key] = text
        return text


def _check_top(top: object) -> int:
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ValueError(f"top must be a whole number of reasons, at least 1; got {top!r}")
    return int(top)


def _pick(
    row: np.ndarray, order: np.ndarray, family: list[str], top: int, one_per_family: bool
) -> list[int]:
    """Columns of the row's top reasons: positive, allowed, at most one per family."""
    picked: list[int] = []
    seen: set[str] = set()
    for j in order:
        if not row[j] > 0 or len(picked) == top:
            break
        if one_per_family and family[j] in seen:
            continue
        seen.add(family[j])
        picked.append(int(j))
    return picked


def reason_codes(
    explanation: Any,
    spec: FeatureSpec | None = None,
    *,
    top: int = 3,
    exclude: Iterable[str] = (),
    one_per_family: bool = True,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """Each child's features that push the risk up most, as plain English.

    Only features with a positive SHAP value (raising the log-odds above the
    expected value) are reasons, largest first. Protected characteristics
    (:data:`PROTECTED`: sex, ethnicity, disability, deprivation, age band and the
    like) never appear, even when they are model inputs; neither do features named
    in ``exclude``. The wording comes from the feature specification with the
    child's own value: "3 records of domestic abuse in the last year", "on a child
    protection plan at the as-of date".

    Parameters
    ----------
    explanation : shap.Explanation
        From :func:`explain`: one row per child, one column per feature. The values
        described are ``display_data`` (the values as given), else ``data``.
    spec : FeatureSpec, optional
        The features' specification (such as ``frame.spec``); the default one when
        not given. Features it does not know are worded ``"<name>: <value>"``, with
        underscores as spaces; so are values a feature cannot word.
    top : int, default 3
        Number of reasons per child.
    exclude : iterable of str, default ()
        More features never to give as reasons, matched like :data:`PROTECTED`
        (a name also excludes the features it prefixes, such as ``"age"``).
    one_per_family : bool, default True
        At most one reason per event family: the counts over several windows, the
        days since the latest event and whether one is open all measure one
        concern, so "2 missing from home episodes in the last 3 months" is not
        followed by the same episodes over 6 months. The reason given is the
        family's feature with the largest contribution. The household's events
        and the latent states are concerns of their own (each feature's
        ``reason_slot``), so they never take the place of the child's own events.
    index : pandas.Index, optional
        Labels of the rows (such as ``X.index``); a RangeIndex when not given.

    Returns
    -------
    pandas.DataFrame
        One row per row of the explanation, in its order, with columns
        ``reason_1`` ... ``reason_{top}`` (text), ``reason_feature_1`` ... (feature
        names) and ``reason_contribution_1`` ... (SHAP values, log-odds). When
        fewer than ``top`` allowed features push a child's risk up, the remaining
        columns are missing (NaN).

    Raises
    ------
    ValueError
        If ``top`` is not a positive whole number or ``index`` has the wrong length.

    See Also
    --------
    explain : The explanation this reads.
    PROTECTED : The characteristics never given as reasons.

    Notes
    -----
    Contributions are those of the base model's log-odds. Calibration is monotone,
    so it changes neither the order of children nor the order of reasons.
    """
    values, names = check_explanation(explanation)
    top = _check_top(top)
    n_rows = len(values)
    if index is None:
        index = pd.RangeIndex(n_rows)
    elif len(index) != n_rows:
        raise ValueError(f"index has {len(index)} labels for {n_rows} explained rows")
    shown = explanation.display_data if explanation.display_data is not None else explanation.data
    shown = np.asarray(shown).reshape(n_rows, len(names))
    describe = _Describer(spec if spec is not None else default_spec(), names)
    allowed = np.array([not is_protected(name, exclude) for name in names], dtype=bool)
    scores = np.where(allowed & (values > 0), values, 0.0)
    order = np.argsort(-scores, axis=1, kind="stable")
    text = np.full((n_rows, top), np.nan, dtype=object)
    feature = np.full((n_rows, top), np.nan, dtype=object)
    contribution = np.full((n_rows, top), np.nan)
    for i in range(n_rows):
        for k, j in enumerate(_pick(scores[i], order[i], describe.family, top, one_per_family)):
            text[i, k] = describe(j, shown[i, j])
            feature[i, k] = names[j]
            contribution[i, k] = values[i, j]
    columns: dict[str, Any] = {}
    for label, block in (("reason", text), ("reason_feature", feature)):
        for k in range(top):
            columns[f"{label}_{k + 1}"] = pd.Series(block[:, k], index=index, dtype="str")
    for k in range(top):
        columns[f"reason_contribution_{k + 1}"] = pd.Series(contribution[:, k], index=index)
    return pd.DataFrame(columns, index=index)
