"""Pooling several authorities' tables, where person ids are unique only within an authority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel._wording import describe_rows

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["TABLE_NAMES", "child_keys", "pool_authorities", "stamp_authority", "with_child_keys"]

TABLE_NAMES = ("persons", "events", "care_episodes")
KEY_SEPARATOR = "/"
"""Joins authority and person id in :func:`with_child_keys` (``E09000013/C0000001``)."""


def stamp_authority(data: LocalAuthorityData, code: str) -> LocalAuthorityData:
    """Return ``data`` with ``code`` in the ``authority`` column of all three tables.

    Raises
    ------
    ValueError
        If a table already names another authority.
    """
    tables = {}
    for name in TABLE_NAMES:
        table = getattr(data, name)
        other = table["authority"].notna() & (table["authority"] != code)
        if other.any():
            where = describe_rows(table.index[other], table.loc[other, "authority"])
            raise ValueError(
                f"{name}.authority: {int(other.sum())} row(s) already name another authority "
                f"than {code!r} ({where})"
            )
        tables[name] = table.assign(authority=code)
    return replace(data, **tables)


def pool_authorities(datasets: Mapping[str, LocalAuthorityData]) -> LocalAuthorityData:
    """Pool several authorities' data into one, each child keyed by (authority, person).

    Parameters
    ----------
    datasets : mapping of str to LocalAuthorityData
        Each authority's code (the LA code, or the CIN ``LEA`` number) and its data.
        Person ids may repeat between authorities: they stay different children.

    Returns
    -------
    LocalAuthorityData
        Every table with its ``authority`` column filled; the latest extract date;
        population ``"returns"`` if any authority's is. Synthetic truths are not
        pooled (``truth`` is None): use each authority's own.

    Raises
    ------
    ValueError
        If no data are given, or a table already names another authority.

    Examples
    --------
    >>> import riskmodel as rm
    >>> a = rm.make_local_authority(n_children=200, random_state=0)
    >>> b = rm.make_local_authority(n_children=200, random_state=1)
    >>> pooled = rm.pool_authorities({"E09000001": a, "E09000002": b})
    >>> pooled.authorities, len(pooled.persons)
    (('E09000001', 'E09000002'), 400)
    """
    from riskmodel.data._tables import LocalAuthorityData

    if not datasets:
        raise ValueError("pool_authorities needs at least one authority's data")
    stamped = [stamp_authority(data, str(code)) for code, data in datasets.items()]
    return _concatenated(stamped, LocalAuthorityData)


def _concatenated(datasets: Sequence[LocalAuthorityData], cls: type) -> LocalAuthorityData:
    extracts = [d.extract_date for d in datasets if d.extract_date is not None]
    return cls(
        **{
            name: pd.concat([getattr(d, name) for d in datasets], ignore_index=True)
            for name in TABLE_NAMES
        },
        extract_date=max(extracts) if extracts else None,
        population="returns" if any(d.population == "returns" for d in datasets) else "all",
    )


def child_keys(table: pd.DataFrame) -> pd.Series:
    """Return one string per row naming its child as ``authority/person_id``."""
    authority = table["authority"].fillna("").astype("str")
    return authority + KEY_SEPARATOR + table["person_id"].astype("str")


def with_child_keys(data: LocalAuthorityData) -> LocalAuthorityData:
    """Return ``data`` with ``person_id`` replaced by ``authority/person_id`` in every table.

    The row order and row numbers are kept, so checks written for one authority
    (unique persons, events naming a known person, overlapping episodes) run on
    pooled data unchanged and name the same rows.
    """
    keyed = {
        name: getattr(data, name).assign(person_id=child_keys(getattr(data, name)))
        for name in TABLE_NAMES
    }
    return replace(data, **keyed)
