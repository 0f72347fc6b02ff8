"""Merging sources and pooling authorities' tables (person ids are unique within one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel._wording import describe_rows

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "TABLE_NAMES",
    "child_keys",
    "merge_data",
    "pool_authorities",
    "stamp_authority",
    "with_child_keys",
]

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
    if not datasets:
        raise ValueError("pool_authorities needs at least one authority's data")
    stamped = [stamp_authority(data, str(code)) for code, data in datasets.items()]
    return _concatenated(stamped, type(stamped[0]))


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


def merge_data(*datasets: LocalAuthorityData) -> LocalAuthorityData:
    """Merge the tables of several sources (an SSDA903 and a CIN census read, say).

    A child present in several sources keeps one ``persons`` row: for each column,
    the first non-missing value in the order the datasets are given. Identical
    events and episodes are kept once. Children are matched by
    ``(authority, person_id)``: two authorities' children are never merged into one.

    - When the datasets name one authority between them (the CIN census gives its
      ``LEA``, the 903 none), every table gets that code.
    - When they name several, every row of every dataset must carry its code (see
      :func:`pool_authorities`); otherwise a child without one could be any of them,
      and the merge is refused.

    Parameters
    ----------
    *datasets : LocalAuthorityData
        The data to merge, most trusted first.

    Returns
    -------
    LocalAuthorityData
        With the latest of the datasets' extract dates, and population
        ``"returns"`` if any dataset's is.

    Raises
    ------
    ValueError
        If no data are given, or the datasets name several authorities and some
        rows name none (the message names the datasets, their codes and the rows).
    """
    if not datasets:
        raise ValueError("merge_data needs at least one dataset")
    codes = sorted({code for d in datasets for code in d.authorities})
    if len(codes) == 1:
        datasets = tuple(stamp_authority(d, codes[0]) for d in datasets)
    elif len(codes) > 1:
        _check_every_row_has_an_authority(datasets, codes)
    key = ["authority", "person_id"]
    persons = pd.concat([d.persons for d in datasets], ignore_index=True)
    persons = persons.groupby(key, sort=False, as_index=False, dropna=False).first()
    events = pd.concat([d.events for d in datasets], ignore_index=True).drop_duplicates()
    episodes = pd.concat([d.care_episodes for d in datasets], ignore_index=True)
    extracts = [d.extract_date for d in datasets if d.extract_date is not None]
    return type(datasets[0])(
        persons=persons,
        events=events,
        care_episodes=episodes.drop_duplicates(),
        extract_date=max(extracts) if extracts else None,
        population="returns" if any(d.population == "returns" for d in datasets) else "all",
    )


def _check_every_row_has_an_authority(
    datasets: tuple[LocalAuthorityData, ...], codes: list[str]
) -> None:
    problems = []
    for number, data in enumerate(datasets, start=1):
        for name in TABLE_NAMES:
            table = getattr(data, name)
            missing = table["authority"].isna()
            if missing.any():
                where = describe_rows(table.index[missing], table.loc[missing, "person_id"])
                problems.append(
                    f"dataset {number}'s {name}: {int(missing.sum())} row(s) ({where})"
                )
    if problems:
        named = ", ".join(
            f"dataset {n} {'/'.join(d.authorities) or 'none'}" for n, d in enumerate(datasets, 1)
        )
        raise ValueError(
            f"merge_data: the datasets name several authorities ({', '.join(codes)}; {named}) "
            "but some rows name none, so their children could be any authority's: "
            + "; ".join(problems)
            + ". Give every dataset its code (pool_authorities, or the readers' authority=)"
        )
