"""Protected characteristics: features that are never given as a reason for a score."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PROTECTED", "is_protected"]

PROTECTED: frozenset[str] = frozenset(
    {
        "sex",
        "gender",
        "ethnicity",
        "ethnic_group",
        "race",
        "religion",
        "sexual_orientation",
        "disability",
        "deprivation",
        "imd",
        "imd_decile",
        "age_band",
        "age_years",
    }
)
"""Names of protected characteristics, matched against feature names.

A feature is protected when its name is one of these or starts with one of them
followed by ``_``: ``sex``, ``sex_f``, ``ethnic_group_black``, ``imd_decile``,
``deprivation_q1_most_deprived``, ``disability_yes`` and ``age_band_10_12`` (the
demographic columns of ``build_training_frame(..., include_demographics=True)``) are
all protected; ``sexual_exploitation_count_365d`` is not.

The list covers the demographic groups of a fairness review (sex, ethnic group,
disability, deprivation, age band), the raw columns they come from (``ethnicity``,
``imd_decile``) and other characteristics of the Equality Act 2010 a local extract
might carry (gender, race, religion, sexual orientation), and the child's exact
age (``age_years`` in the default features): age is a protected characteristic
too, so although it is a model input it is never given as a reason.
"""


def is_protected(name: str, exclude: Iterable[str] = ()) -> bool:
    """Whether a feature must never be given as a reason.

    Parameters
    ----------
    name : str
        A feature name.
    exclude : iterable of str, default ()
        Further names to treat like :data:`PROTECTED` (same matching rule, case
        ignored).

    Returns
    -------
    bool
        True when ``name`` equals a protected name or starts with one followed by
        ``"_"``.

    Examples
    --------
    >>> is_protected("ethnic_group_black"), is_protected("sexual_exploitation_ever")
    (True, False)
    >>> is_protected("age_years"), is_protected("school_id", exclude=["school_id"])
    (True, True)
    """
    key = str(name).lower()
    words = (*PROTECTED, *(str(word).lower() for word in exclude))
    return any(key == word or key.startswith(f"{word}_") for word in words)
