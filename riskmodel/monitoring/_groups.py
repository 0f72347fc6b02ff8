"""Realised metrics of each group of a run, by the fairness audit on the run's decisions.

Each run is audited with :func:`riskmodel.fairness.audit_fairness`: its children in
rank order with ``capacity`` equal to the number it flagged, which reproduces exactly
the children the run flagged (checked), so the audit measures the decisions made. Its
small-group suppression, intervals and disparities against a reference group are
kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskmodel.cohort import age_on
from riskmodel.exceptions import SchemaError
from riskmodel.fairness import audit_fairness
from riskmodel.frame import demographic_groups
from riskmodel.monitoring._result import GROUP_METRICS

__all__ = ["GROUP_ROW_COLUMNS", "audit_run", "history_groups"]

GROUP_ROW_COLUMNS: list[str] = [
    "attribute",
    "group",
    "metric",
    "value",
    "lower",
    "upper",
    "n",
    "entrants",
    "suppressed",
    "reference",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "disparity",
]


def history_groups(data: object, history: pd.DataFrame) -> pd.DataFrame:
    """Return the demographic groups of every row of a score history.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables (``persons``: sex, ethnicity, disability, deprivation
        and date of birth, for the age on each as-of date).
    history : pandas.DataFrame
        Rows with ``person_id`` and ``as_of_date``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`riskmodel.frame.demographic_groups` (strings), with
        ``history``'s index; ``"Unknown"`` for a child absent from ``data.persons``.
        A child's groups are computed once per age they had at the runs.
    """
    persons = data.persons.drop_duplicates("person_id").set_index("person_id")
    person = history["person_id"].astype("str")
    dob = pd.DatetimeIndex(persons["date_of_birth"].reindex(pd.Index(person)).to_numpy())
    as_of = pd.DatetimeIndex(history["as_of_date"])
    age = np.full(len(history), np.nan)
    for date in as_of.unique():
        at = np.asarray(as_of == date)
        age[at] = age_on(dob[at], date)
    codes, ids = pd.factorize(person)
    key = codes.astype(np.int64) * 1000 + np.nan_to_num(age, nan=999).astype(np.int64)
    _, first, of_row = np.unique(key, return_index=True, return_inverse=True)
    unique = pd.DataFrame(
        {"person_id": np.asarray(ids)[codes[first]], "as_of_date": pd.NaT, "age": age[first]}
    )
    groups = demographic_groups(data, unique).reset_index(drop=True)
    return groups.iloc[of_row.ravel()].set_axis(history.index, axis=0)


def _check_decisions(run: pd.DataFrame, k: int) -> None:
    """Raise unless the audit's capacity rule reproduces the run's flags exactly."""
    if k == 0:
        return
    # the audit flags the k highest scores, ties broken by row order (here rank order):
    # that is the run's first k rows exactly when none below scores higher than they do
    scores = run["risk_score"].to_numpy(dtype=float)
    flagged = run["flagged"].to_numpy(dtype=bool)
    lowest_flagged = scores[:k].min()
    differ = np.flatnonzero(flagged != (np.arange(len(run)) < k))
    differ = np.union1d(differ, k + np.flatnonzero(scores[k:] > lowest_flagged))
    if len(differ):
        date = pd.Timestamp(run["as_of_date"].iloc[0]).date()
        ranks = run["rank"].to_numpy()[differ][:5].tolist()
        raise SchemaError(
            f"score history, run of {date}: the top {k} scores are not the {k} flagged "
            f"children (ranks {ranks}); risk_score must not increase with rank"
        )


def audit_run(
    run: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    reference: Mapping[str, str] | None,
    min_group_size: int,
    n_resamples: int,
    confidence: float,
    parity_range: tuple[float, float],
    random_state: np.random.Generator,
) -> pd.DataFrame:
    """Audit one run's decisions by group; return its group rows.

    Parameters
    ----------
    run : pandas.DataFrame
        One run's rows in rank order, with ``risk_score``, ``flagged``, ``rank`` and
        ``entered_care``.
    groups : pandas.DataFrame
        One column per attribute, aligned with ``run``.
    reference, min_group_size, n_resamples, confidence, parity_range, random_state
        As :func:`riskmodel.fairness.audit_fairness` takes them.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GROUP_ROW_COLUMNS`, a row per attribute, group and
        :data:`~riskmodel.monitoring.GROUP_METRICS` metric.

    Raises
    ------
    SchemaError
        If the audit's rule (the ``flagged`` count of highest scores, ties broken by
        rank) would not flag exactly the children the run flagged.
    """
    k = int(run["flagged"].sum())
    _check_decisions(run, k)
    rule = {"capacity": k} if k > 0 else {"threshold": 2.0}  # scores are at most 1
    audit = audit_fairness(
        run["entered_care"].to_numpy(dtype=bool),
        run["risk_score"].to_numpy(dtype=float),
        groups.reset_index(drop=True).astype("category"),  # categories: fast to encode
        **rule,
        reference=reference,
        min_group_size=min_group_size,
        n_resamples=n_resamples,
        confidence=confidence,
        parity_range=parity_range,
        random_state=random_state,
    )
    table = audit.by_group
    entrants = table[table["metric"] == "tpr"].set_index(["attribute", "group"])["denominator"]
    rows = table[table["metric"].isin(GROUP_METRICS)].copy()
    rows["entrants"] = entrants.reindex(
        pd.MultiIndex.from_frame(rows[["attribute", "group"]])
    ).to_numpy()
    comparison = audit.disparities[
        ["attribute", "group", "metric", "ratio", "lower", "upper", "flagged"]
    ]
    comparison = comparison.rename(
        columns={"lower": "ratio_lower", "upper": "ratio_upper", "flagged": "disparity"}
    )
    rows = rows.merge(comparison, on=["attribute", "group", "metric"], how="left")
    rows["reference"] = rows["attribute"].map(audit.reference)
    rows["disparity"] = rows["disparity"].astype("boolean").fillna(False).astype(bool)
    return rows[GROUP_ROW_COLUMNS]
