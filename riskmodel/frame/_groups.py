"""Fairness groups of (child, as-of date) rows: sex, ethnicity, disability, deprivation, age."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.data._codes import ETHNIC_GROUPS, SEX_CODES, ethnic_group

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["GROUP_COLUMNS", "age_bands", "demographic_groups"]

GROUP_COLUMNS: tuple[str, ...] = ("sex", "ethnic_group", "disability", "deprivation", "age_band")
"""The demographic columns of ``TrainingFrame.groups``."""

UNKNOWN = "Unknown"
DEPRIVATION_LEVELS: tuple[str, ...] = (
    "Q1 most deprived",
    "Q2",
    "Q3",
    "Q4",
    "Q5 least deprived",
)
"""Deprivation quintiles: IMD deciles 1-2 are Q1 (most deprived), 9-10 are Q5."""
DISABILITY_LEVELS: tuple[str, ...] = ("Yes", "No")
AGE_BAND_YEARS = 3


def _age_bounds(cohort_kwargs: dict[str, Any]) -> dict[str, int | None]:
    return {
        "min_age": cohort_kwargs.get("min_age", 10),
        "max_age": cohort_kwargs.get("max_age", 17),
    }


def demographic_groups(
    data: LocalAuthorityData,
    rows: pd.DataFrame,
    *,
    min_age: int | None = 10,
    max_age: int | None = 17,
) -> pd.DataFrame:
    """Return the fairness groups of (child, as-of date) rows.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables (``persons`` is used).
    rows : pandas.DataFrame
        Columns ``person_id``, ``as_of_date`` and ``age`` (whole years on the as-of
        date), as in the cohort table.
    min_age, max_age : int or None, default 10 and 17
        The cohort's age bounds: age bands are three years wide from ``min_age``
        (0 when None), the last one ending at ``max_age``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(person_id, as_of_date)`` in the order of ``rows``, with the
        string columns of :data:`GROUP_COLUMNS`; ``"Unknown"`` when not recorded.
    """
    persons = data.persons.drop_duplicates("person_id").set_index("person_id")
    person = persons.reindex(pd.Index(rows["person_id"].to_numpy(), dtype="str"))
    sex = person["sex"].astype("object")
    sex = sex.where(sex.isin(SEX_CODES), "U")
    ethnicity = person["ethnicity"].astype("object")
    disability = person["disability"].map({True: "Yes", False: "No"}, na_action="ignore")
    decile = person["imd_decile"].astype("float64").to_numpy()
    quintile = np.where((decile >= 1) & (decile <= 10), np.ceil(decile / 2), np.nan)
    deprivation = [DEPRIVATION_LEVELS[int(q) - 1] if q == q else UNKNOWN for q in quintile]
    groups = pd.DataFrame(
        {
            "sex": sex.to_numpy(),
            "ethnic_group": [ethnic_group(e if isinstance(e, str) else None) for e in ethnicity],
            "disability": disability.astype("object").fillna(UNKNOWN).to_numpy(),
            "deprivation": deprivation,
            "age_band": age_bands(rows["age"], min_age=min_age, max_age=max_age),
        },
        index=pd.MultiIndex.from_frame(rows[["person_id", "as_of_date"]]),
    )
    return groups.astype("str")


def age_bands(
    age: pd.Series | np.ndarray, *, min_age: int | None = 10, max_age: int | None = 17
) -> np.ndarray:
    """Label whole-year ages with three-year bands: ``"10-12"``, ``"13-15"``, ``"16-17"``.

    Parameters
    ----------
    age : array-like of int
        Ages in whole years (missing values give ``"Unknown"``).
    min_age, max_age : int or None, default 10 and 17
        Bands start at ``min_age`` (0 when None); the last ends at ``max_age``.

    Returns
    -------
    numpy.ndarray of str
    """
    ages = pd.to_numeric(pd.Series(np.asarray(age, dtype="object")), errors="coerce")
    low = 0 if min_age is None else min_age
    out = []
    for value in ages.to_numpy(dtype="float64"):
        if np.isnan(value):
            out.append(UNKNOWN)
            continue
        start = low + AGE_BAND_YEARS * int((value - low) // AGE_BAND_YEARS)
        end = start + AGE_BAND_YEARS - 1
        if max_age is not None:
            end = min(end, max_age)
        out.append(f"{start}-{end}" if end > start else f"{start}")
    return np.asarray(out, dtype=object)


def _levels(
    groups: pd.DataFrame, min_age: int | None, max_age: int | None
) -> dict[str, list[str]]:
    """Every level of each group column (age bands from the data only without a max_age)."""
    if max_age is None:
        found = set(groups["age_band"]) - {UNKNOWN}
        bands = sorted(found, key=lambda b: int(b.split("-")[0]))
    else:
        low = 0 if min_age is None else min_age
        starts = range(low, max_age + 1, AGE_BAND_YEARS)
        bands = list(dict.fromkeys(age_bands(starts, min_age=min_age, max_age=max_age)))
    return {
        "sex": list(SEX_CODES),
        "ethnic_group": list(dict.fromkeys(ETHNIC_GROUPS.values())),
        "disability": [*DISABILITY_LEVELS, UNKNOWN],
        "deprivation": [*DEPRIVATION_LEVELS, UNKNOWN],
        "age_band": bands,
    }


def _with_demographics(
    X: pd.DataFrame, groups: pd.DataFrame, *, min_age: int | None, max_age: int | None
) -> pd.DataFrame:
    """Append the groups to the features as 0/1 columns, one per level."""
    columns = {}
    for column, levels in _levels(groups, min_age, max_age).items():
        for level in levels:
            slug = re.sub(r"[^a-z0-9]+", "_", level.lower()).strip("_")
            columns[f"{column}_{slug}"] = (groups[column] == level).to_numpy(dtype="float64")
    clash = sorted(set(columns) & set(X.columns))
    if clash:
        raise ValueError(
            f"include_demographics: feature columns {clash} already exist; rename those "
            "features or leave demographics out"
        )
    return pd.concat([X, pd.DataFrame(columns, index=X.index)], axis=1)
