"""Shards of children: an authority's households split into parts built one at a time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["DEFAULT_SHARD_SIZE", "iter_shards", "shard_numbers"]

DEFAULT_SHARD_SIZE = 20_000
"""Children per shard by default: a borough's size, a few hundred MB of features."""


def shard_numbers(persons: pd.DataFrame, n_shards: int) -> np.ndarray:
    """Return each child's shard, 0 to ``n_shards - 1``, from a hash of its household.

    A household's children share a shard (sibling and household features then see
    the whole household); a child with no ``household_id`` is its own household. The
    hash is pandas' stable one, not Python's salted :func:`hash`, so the split is the
    same in every process and run.
    """
    household = persons["household_id"].astype("object")
    alone = household.isna()
    household = household.where(~alone, "child:" + persons["person_id"].astype("str"))
    authority = persons["authority"].astype("object").fillna("")
    key = authority.astype("str") + "/" + household.astype("str")
    hashed = pd.util.hash_pandas_object(key, index=False).to_numpy()
    return (hashed % np.uint64(max(1, n_shards))).astype(np.int64)


def iter_shards(
    data: LocalAuthorityData, shard_size: int = DEFAULT_SHARD_SIZE
) -> Iterator[tuple[str | None, int, LocalAuthorityData]]:
    """Yield ``(authority, shard, data)`` for every shard of every authority in ``data``.

    Parameters
    ----------
    data : LocalAuthorityData
        One authority's data, or pooled data (split by authority first).
    shard_size : int, default 20,000
        About how many children go in a shard; each authority gets
        ``ceil(children / shard_size)`` shards.

    Yields
    ------
    authority : str or None
        The shard's authority code.
    shard : int
        The shard's number within its authority.
    data : LocalAuthorityData
        The shard's children and their events and episodes, with the whole data's
        end date as its extract date, so that labels and windows end where the
        whole data's do. Empty shards are skipped.
    """
    if shard_size < 1:
        raise ValueError(f"shard_size must be a positive number of children, got {shard_size!r}")
    end = data.end_date
    for code, part in data.by_authority():
        n_shards = math.ceil(len(part.persons) / shard_size) if len(part.persons) else 0
        if n_shards <= 1:
            if n_shards:
                yield code, 0, replace(part, extract_date=end)
            continue
        numbers = pd.Series(shard_numbers(part.persons, n_shards), index=part.persons.index)
        events_shard = _lookup(part.events, part.persons, numbers)
        episodes_shard = _lookup(part.care_episodes, part.persons, numbers)
        for shard in range(n_shards):
            persons = part.persons[numbers.to_numpy() == shard]
            if persons.empty:
                continue
            yield (
                code,
                shard,
                replace(
                    part,
                    persons=persons,
                    events=part.events[events_shard == shard],
                    care_episodes=part.care_episodes[episodes_shard == shard],
                    extract_date=end,
                ),
            )


def _lookup(table: pd.DataFrame, persons: pd.DataFrame, numbers: pd.Series) -> np.ndarray:
    """Each row's shard through its person_id (-1 for a person not in ``persons``)."""
    by_person = pd.Series(numbers.to_numpy(), index=persons["person_id"].to_numpy())
    return table["person_id"].map(by_person).fillna(-1).to_numpy(dtype=np.int64)
