"""Monotone constraints: where the domain says more of something never lowers the risk.

``monotone="domain"`` constrains the risk to be non-decreasing in the counts and
"ever" flags of the event families below, read from the feature names that
:mod:`riskmodel.features` gives them (``<family>_count_<window>d``,
``<family>_count_ever``, ``<family>_ever``), and in ``previous_cp_plans`` and
``cp_plan_open``. Days-since features, rates, changes and everything else are left
free: "more days since" has no direction the domain guarantees. The mapping lives
here, by name, so the feature specification stays free of modelling choices.

Constraints are set on HistGradientBoosting's ``monotonic_cst``, one value per column
of the preprocessed data: a numeric column gets its input feature's constraint,
categorical (ordinal-coded) columns get 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["DOMAIN_INCREASING_FAMILIES", "domain_constraints", "monotonic_cst"]

DOMAIN_INCREASING_FAMILIES = (
    "contact",
    "referral",
    "missing_episode",
    "suspension",
    "permanent_exclusion",
    "youth_justice",
    "cp_plan",
)
"""Event families whose counts never lower the risk under ``monotone="domain"``.

Contacts, referrals, missing-from-home episodes, school suspensions and permanent
exclusions, youth justice outcomes and child protection plans."""

_DOMAIN_EXTRA = ("previous_cp_plans", "cp_plan_open")
_PATTERN = re.compile(
    r"^(?P<family>{})_(count_(\d+d|ever)|ever)$".format("|".join(DOMAIN_INCREASING_FAMILIES))
)


def domain_constraints(columns: list[str]) -> dict[str, int]:
    """Return ``{column: 1}`` for the columns the domain says never lower the risk.

    Parameters
    ----------
    columns : list of str
        Input feature names.

    Returns
    -------
    dict of str to int
        Only the constrained columns, each mapped to 1.

    Examples
    --------
    >>> domain_constraints(["referral_count_90d", "referral_days_since_last", "cp_plan_ever"])
    {'referral_count_90d': 1, 'cp_plan_ever': 1}
    """
    return {
        column: 1
        for column in columns
        if isinstance(column, str) and (_PATTERN.match(column) or column in _DOMAIN_EXTRA)
    }


def _check_dict(monotone: Mapping[Any, Any], columns: list[str]) -> dict[str, int]:
    unknown = [key for key in monotone if key not in columns]
    if unknown:
        raise ValueError(f"monotone names {unknown}, which are not columns of X")
    bad = {key: value for key, value in monotone.items() if value not in (-1, 0, 1)}
    if bad:
        raise ValueError(f"monotone values must be -1, 0 or 1; got {bad}")
    return {key: int(value) for key, value in monotone.items()}


def monotonic_cst(
    monotone: str | Mapping[Any, Any],
    columns: list[str],
    groups: Mapping[str, str],
    categorical: list[Any],
) -> np.ndarray:
    """Constraints on the preprocessed columns, from constraints on the input features.

    Parameters
    ----------
    monotone : "domain" or dict
        ``"domain"`` (see :func:`domain_constraints`) or ``{input feature: -1, 0 or
        1}``; features not named are unconstrained.
    columns : list of str
        The input feature names of ``X`` (``x0``, ``x1``, ... for an array).
    groups : dict of str to str
        Each preprocessed column mapped to its input feature, in order
        (:func:`~riskmodel.models._preprocess.feature_groups`).
    categorical : list
        Input features encoded as categories: their columns get 0.

    Returns
    -------
    ndarray of int8, one value per preprocessed column

    Raises
    ------
    ValueError
        If the dict names a column that is not in ``X``, gives a value other than
        -1, 0 or 1, or constrains a categorical feature.
    """
    if isinstance(monotone, str):
        wanted = domain_constraints(columns)
    else:
        wanted = _check_dict(monotone, columns)
        named = {str(key) for key, value in wanted.items() if value != 0}
        clash = sorted(named & {str(c) for c in categorical})
        if clash:
            raise ValueError(
                f"monotone constrains categorical features {clash}; categories have no order"
            )
    wanted = {str(key): value for key, value in wanted.items()}
    is_categorical = {columns[c] if isinstance(c, int) else str(c) for c in categorical}
    return np.array(
        [
            0 if origin in is_categorical or name != origin else wanted.get(origin, 0)
            for name, origin in groups.items()
        ],
        dtype=np.int8,
    )
