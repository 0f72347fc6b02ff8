"""Global views of an explanation: feature ranking and comparison between groups."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.explain._protected import is_protected
from riskmodel.explain._reasons import check_explanation
from riskmodel.features import FeatureSpec, default_spec

__all__ = ["compare_groups", "global_importance"]


def global_importance(explanation: Any, spec: FeatureSpec | None = None) -> pd.DataFrame:
    """Rank features by their mean absolute SHAP value.

    Parameters
    ----------
    explanation : shap.Explanation
        From :func:`explain`.
    spec : FeatureSpec, optional
        Gives each feature's description template; the default specification when
        not given (features it does not know get no description).

    Returns
    -------
    pandas.DataFrame
        One row per feature, most important first, indexed by ``rank`` (1 = most
        important), with columns ``feature``, ``mean_abs_shap`` (mean absolute
        contribution to the log-odds), ``mean_shap`` (mean signed contribution),
        ``description`` (template with ``{value}`` for the value, NaN when unknown)
        and ``protected`` (whether it is a protected characteristic, see
        :data:`PROTECTED`).

    See Also
    --------
    compare_groups : Mean contributions within groups of children.

    Notes
    -----
    ``shap.plots.bar(explanation)`` draws the same ranking and
    ``shap.plots.beeswarm(explanation)`` shows every child's contribution,
    coloured by the feature's value.
    """
    values, names = check_explanation(explanation)
    templates = (spec if spec is not None else default_spec()).descriptions()
    table = pd.DataFrame(
        {
            "feature": pd.Series(names, dtype="str"),
            "mean_abs_shap": np.abs(values).mean(axis=0),
            "mean_shap": values.mean(axis=0),
            "description": pd.Series([templates.get(name) for name in names], dtype="str"),
            "protected": [is_protected(name) for name in names],
        }
    )
    table = table.sort_values("mean_abs_shap", ascending=False, kind="stable")
    return table.set_index(pd.RangeIndex(1, len(table) + 1, name="rank"))


def _as_frame(groups: Any, n_rows: int) -> pd.DataFrame:
    if isinstance(groups, pd.Series):
        groups = groups.to_frame(groups.name if groups.name is not None else "group")
    elif not isinstance(groups, pd.DataFrame):
        groups = pd.DataFrame({"group": np.asarray(groups, dtype=object)})
    if len(groups) != n_rows:
        raise ValueError(
            f"groups has {len(groups)} rows for {n_rows} explained rows; give one group "
            "label per explained row, in the same order"
        )
    return groups


def _children(groups: pd.DataFrame) -> np.ndarray | None:
    """Child identifiers of the rows (the ``person_id`` index level), if any."""
    if "person_id" in (groups.index.names or []):
        return np.asarray(groups.index.get_level_values("person_id"))
    return None


def _summaries(
    values: np.ndarray, labels: pd.Series, children: np.ndarray | None
) -> list[tuple[Any, int, int, np.ndarray, np.ndarray]]:
    """(group, rows, children, mean SHAP, mean |SHAP|) for each group, in label order."""
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    out = []
    for code, group in enumerate(uniques):
        rows = codes == code
        n_children = int(rows.sum()) if children is None else len(set(children[rows]))
        block = values[rows]
        out.append(
            (group, int(rows.sum()), n_children, block.mean(axis=0), np.abs(block).mean(axis=0))
        )
    return out


def compare_groups(explanation: Any, groups: Any, *, min_count: int = 10) -> pd.DataFrame:
    """Mean contribution of each feature within groups of children.

    Shows, for instance, whether the model's risk for one ethnic group rests on
    different features than for another. Groups with fewer than ``min_count``
    children are suppressed (their figures are missing), so that no small group
    can be singled out.

    Parameters
    ----------
    explanation : shap.Explanation
        From :func:`explain`.
    groups : pandas.Series, pandas.DataFrame or array-like
        One label per explained row, in the explanation's row order (such as
        ``frame.groups["ethnic_group"]``); a DataFrame compares the groups of each of
        its columns (such as all of ``frame.groups``). When its index has a
        ``person_id`` level, groups are counted in distinct children, otherwise in
        rows.
    min_count : int, default 10
        Smallest number of children a group must have to be shown.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per (column, group, feature), features ordered by
        overall mean absolute SHAP value: ``column`` (the grouping column's name,
        ``"group"`` when unnamed), ``group``, ``feature``, ``n_rows``,
        ``n_children``, ``mean_shap``, ``mean_abs_shap`` and ``suppressed``
        (counts and means of suppressed groups are missing). Missing group labels
        form a group of their own. Pivot it for a table:
        ``table.pivot(index="feature", columns="group", values="mean_shap")``.

    Raises
    ------
    ValueError
        If ``groups`` does not have one row per explained row, or ``min_count``
        is not a whole number.
    """
    if isinstance(min_count, bool) or not isinstance(min_count, numbers.Integral):
        raise ValueError(f"min_count must be a whole number; got {min_count!r}")
    values, names = check_explanation(explanation)
    groups = _as_frame(groups, len(values))
    children = _children(groups)
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")
    parts = []
    for column in groups.columns:
        labels = pd.Series(groups[column].to_numpy(dtype=object))
        for group, n_rows, n_children, mean, mean_abs in _summaries(values, labels, children):
            hidden = n_children < min_count
            parts.append(
                pd.DataFrame(
                    {
                        "column": str(column),
                        "group": [group] * len(order),
                        "feature": [names[j] for j in order],
                        "n_rows": pd.array([pd.NA if hidden else n_rows] * len(order), "Int64"),
                        "n_children": pd.array(
                            [pd.NA if hidden else n_children] * len(order), "Int64"
                        ),
                        "mean_shap": np.nan if hidden else mean[order],
                        "mean_abs_shap": np.nan if hidden else mean_abs[order],
                        "suppressed": hidden,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)
