"""The as-of rows of a feature table: (child, as-of date) pairs, in computing and output order.

Features are computed with rows sorted by person then date (what the sorted searches
need) and returned in the output order: as-of date then person for a grid of dates,
or the order of the keys given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel._wording import describe_rows
from riskmodel.exceptions import SchemaError
from riskmodel.features._day_keys import encode, to_days

__all__ = ["CHUNK_ROWS", "AsOfRows", "person_index"]

_KEY_COLUMNS = ("person_id", "as_of_date")
_ALL = slice(None)
CHUNK_ROWS = 1 << 18
"""Rows per block when computing features (whole children; temporary arrays of a few MB)."""


def person_index(persons: pd.DataFrame) -> pd.Index:
    """Return the sorted person ids; a person's position in it is their number.

    Raises
    ------
    SchemaError
        If a ``person_id`` is missing or repeated.
    """
    ids = persons["person_id"]
    problems = []
    if ids.isna().any():
        where = ids.index[ids.isna()]
        problems.append(
            f"persons.person_id: {len(where)} rows have no id ({describe_rows(where)})"
        )
    repeated = ids.duplicated(keep=False) & ids.notna()
    if repeated.any():
        where = ids.index[repeated]
        problems.append(
            f"persons.person_id: {int(repeated.sum())} rows repeat an id "
            f"({describe_rows(where, ids[repeated])})"
        )
    if problems:
        raise SchemaError("\n".join(problems))
    return pd.Index(ids.astype("str"), name="person_id").sort_values()


@dataclass(frozen=True)
class AsOfRows:
    """The (person, as-of date) rows of a feature table.

    ``person``, ``day`` and ``keys`` are in computing order (sorted by ``keys``).
    """

    person: np.ndarray
    day: np.ndarray
    keys: np.ndarray
    index: pd.MultiIndex
    n_persons: int
    grid: tuple[int, int] | None = None
    order: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def from_dates(cls, person_ids: pd.Index, as_of_dates: object) -> AsOfRows:
        """Return every person at every date, output sorted by as-of date then person id."""
        dates = as_of_index(as_of_dates)
        n_p, n_d = len(person_ids), len(dates)
        person = np.repeat(np.arange(n_p, dtype=np.int64), n_d)
        day = np.tile(to_days(dates), n_p)
        index = pd.MultiIndex(
            levels=[person_ids, dates],
            codes=[np.tile(np.arange(n_p), n_d), np.repeat(np.arange(n_d), n_p)],
            names=list(_KEY_COLUMNS),
            verify_integrity=False,
        )
        return cls(person, day, encode(person, day), index, n_p, grid=(n_p, n_d))

    @classmethod
    def from_keys(cls, person_ids: pd.Index, keys: pd.DataFrame | pd.MultiIndex) -> AsOfRows:
        """Return the given (person_id, as_of_date) rows, output in their order."""
        ids, dates = _key_columns(keys)
        codes, uniques = pd.factorize(ids)
        position = np.append(person_ids.get_indexer(pd.Index(uniques, dtype="str")), -1)[codes]
        if (position < 0).any():
            bad = np.flatnonzero(position < 0)
            raise SchemaError(
                f"keys.person_id: {len(bad)} row{'s' if len(bad) != 1 else ''} name children "
                f"not in persons "
                f"({describe_rows(bad, ids.iloc[bad])})"
            )
        day = to_days(dates)
        date_codes, date_levels = pd.factorize(dates, sort=True)
        index = pd.MultiIndex(
            levels=[person_ids, pd.DatetimeIndex(date_levels).astype("datetime64[ns]")],
            codes=[position, date_codes],
            names=list(_KEY_COLUMNS),
            verify_integrity=False,
        ).remove_unused_levels()
        keys_out = encode(position, day)
        if len(keys_out) < 2 or bool(np.all(keys_out[1:] >= keys_out[:-1])):
            return cls(position.astype(np.int64), day, keys_out, index, len(person_ids))
        order = np.argsort(keys_out, kind="stable")
        return cls(
            position[order].astype(np.int64), day[order], keys_out[order], index,
            len(person_ids), order=order,
        )  # fmt: skip

    def chunks(self, size: int | None = None) -> Iterator[slice]:
        """Yield slices of about ``size`` rows (:data:`CHUNK_ROWS`), in computing order."""
        size = size or CHUNK_ROWS
        step = size if self.grid is None else max(1, size // self.grid[1]) * self.grid[1]
        for start in range(0, len(self), step):
            yield slice(start, min(start + step, len(self)))

    def write(self, out: np.ndarray, values: np.ndarray, where: slice = _ALL) -> None:
        """Write the values of rows ``where`` (computing order) into ``out`` (output order)."""
        if self.grid is not None:
            n_persons, n_dates = self.grid
            start, stop, _ = where.indices(len(self))
            block = out.reshape(n_dates, n_persons)[:, start // n_dates : stop // n_dates]
            block[...] = values.reshape(-1, n_dates).T
        elif self.order is None:
            out[where] = values
        else:
            out[self.order[where]] = values


def _key_columns(keys: pd.DataFrame | pd.MultiIndex) -> tuple[pd.Series, pd.DatetimeIndex]:
    """Return the person ids (str Series) and normalised as-of dates of ``keys``."""
    if isinstance(keys, pd.MultiIndex):
        frame = keys.to_frame(index=False)
    elif isinstance(keys, pd.DataFrame):
        frame = keys
        if not all(c in keys.columns for c in _KEY_COLUMNS) and all(
            c in keys.columns or c in (keys.index.names or []) for c in _KEY_COLUMNS
        ):
            frame = keys.reset_index()
    else:
        raise TypeError(f"keys must be a DataFrame or a MultiIndex, got {type(keys).__name__}")
    missing = [c for c in _KEY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"keys: missing {', '.join(missing)}; expected person_id and as_of_date columns "
            f"or index levels, got {', '.join(map(str, frame.columns))}"
        )
    ids = frame["person_id"].reset_index(drop=True)
    if ids.isna().any():
        bad = np.flatnonzero(ids.isna())
        raise SchemaError(f"keys.person_id: {len(bad)} rows have no id ({describe_rows(bad)})")
    ids = ids.astype("str")
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(frame["as_of_date"].to_numpy()))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"keys.as_of_date: not all values are dates ({exc})") from None
    if dates.hasnans:
        bad = np.flatnonzero(dates.isna())
        raise ValueError(f"keys.as_of_date: {len(bad)} rows have no date ({describe_rows(bad)})")
    dates = dates.tz_localize(None) if dates.tz is not None else dates
    return ids, dates.normalize().astype("datetime64[ns]")
