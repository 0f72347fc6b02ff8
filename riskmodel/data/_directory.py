"""Reading and writing a data directory: the three tables as Parquet or CSV, and metadata."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel.data._columns import TABLES, as_extract_date, coerce_table
from riskmodel.data._tables import POPULATIONS, LocalAuthorityData
from riskmodel.exceptions import SchemaError

__all__ = [
    "METADATA_FILE",
    "REGION_PREFIX",
    "check_region_root",
    "parse_metadata",
    "read_data",
    "region_folders",
    "write_data",
]

METADATA_FILE = "metadata.json"
REGION_PREFIX = "authority="


def _find_table(directory: Path, name: str) -> Path:
    found = [directory / f"{name}{ext}" for ext in (".parquet", ".csv")]
    found = [p for p in found if p.exists()]
    if not found:
        raise SchemaError(
            f"{directory}: no {name}.parquet or {name}.csv; a data directory holds "
            "persons, events and care_episodes"
        )
    if len(found) > 1:
        raise SchemaError(f"{directory}: both {found[0].name} and {found[1].name}; keep one")
    return found[0]


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return _read_parquet(path)
    from riskmodel.data._files import read_csv_text

    return read_csv_text(path)


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet table; a repeated column or an unreadable file is a SchemaError."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        repeated = sorted({n for n in names if names.count(n) > 1})
        if not repeated:
            return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise SchemaError(f"{path}: not a readable Parquet file ({exc})") from None
    raise SchemaError(
        f"{path}: column(s) {', '.join(repeated)} appear more than once; expected each column once"
    )


def region_folders(directory: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """Return ``(code, folder)`` for each ``authority=CODE`` folder of ``directory``, by code.

    Empty when ``directory`` is not a region directory (as
    :func:`~riskmodel.write_region` writes).
    """
    folders = sorted(
        p for p in Path(directory).iterdir() if p.is_dir() and p.name.startswith(REGION_PREFIX)
    )
    return [(p.name.removeprefix(REGION_PREFIX), p) for p in folders]


def read_data(directory: str | os.PathLike[str], *, validate: bool = True) -> LocalAuthorityData:
    """Read the canonical tables from a directory of Parquet or CSV files.

    Parameters
    ----------
    directory : path-like
        Holds ``persons``, ``events`` and ``care_episodes`` as ``.parquet`` or
        ``.csv`` (UTF-8, ISO dates), and optionally ``metadata.json`` with the
        ``extract_date`` and the ``population`` (see :class:`LocalAuthorityData`).
        Or a region directory: one such directory per authority, named
        ``authority=CODE`` (as :func:`~riskmodel.write_region` writes), which
        are read one by one and pooled with :func:`~riskmodel.pool_authorities`.
    validate : bool, default True
        Run :meth:`LocalAuthorityData.validate` before returning (on each
        authority of a region).

    Returns
    -------
    LocalAuthorityData
        For a region, every authority's tables with its ``CODE`` in
        ``authority``, the latest extract date, and population ``"returns"`` if
        any authority's is.

    Raises
    ------
    SchemaError
        If a table is missing or unreadable (not UTF-8, no header row, a column
        named twice, ...), if ``metadata.json`` is not a JSON object or its
        ``extract_date`` is not a date (``YYYY-MM-DD`` or ``dd/mm/YYYY``), or (with
        ``validate``) if the data are invalid; for a region, if the directory also
        holds tables of its own, or an authority's tables name another authority
        than their folder (each message names the folder).

    Notes
    -----
    A region is held in memory whole, every authority at once. To work through a
    region too large for that, one authority at a time, use
    :func:`~riskmodel.data.synthetic.iter_region`.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise SchemaError(f"{directory}: not a directory")
    region = region_folders(directory)
    if region:
        return _read_region(directory, region, validate=validate)
    tables = {}
    for name in TABLES:
        path = _find_table(directory, name)
        tables[name] = coerce_table(name, _read_table(path), source=str(path))
    meta_path = directory / METADATA_FILE
    extract_date, population = None, "all"
    if meta_path.exists():
        extract_date, population = parse_metadata(meta_path.read_bytes(), str(meta_path))
    data = LocalAuthorityData(**tables, extract_date=extract_date, population=population)
    return data.validate() if validate else data


def parse_metadata(content: bytes, where: str) -> tuple[pd.Timestamp | None, str]:
    """Return the ``extract_date`` and ``population`` of a ``metadata.json``'s bytes.

    Raises
    ------
    SchemaError
        Naming ``where`` (the file), when the file is not a JSON object, its
        ``extract_date`` not a date or its ``population`` not one of
        :data:`~riskmodel.data.POPULATIONS`.
    """
    try:
        meta = json.loads(content.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise SchemaError(
            f"{where}: holds a JSON {type(meta).__name__}; expected an object such "
            'as {"extract_date": "2024-03-31", "population": "all"}'
        )
    extract_date = as_extract_date(meta.get("extract_date"), f"{where}: extract_date")
    population = meta.get("population", "all")
    if population not in POPULATIONS:
        raise SchemaError(
            f"{where}: population {population!r} is not one of {', '.join(POPULATIONS)}"
        )
    return extract_date, population


def check_region_root(directory: object, names: list[str]) -> None:
    """Refuse a region directory that also holds tables of its own (``names``: its files)."""
    own = [n for n in names if Path(n).stem in TABLES]
    if own:
        raise SchemaError(
            f"{directory}: holds both authority=CODE folders and tables of its own "
            f"({', '.join(sorted(own))}); a region directory holds only the folders"
        )


def _read_region(
    directory: Path, region: list[tuple[str, Path]], *, validate: bool
) -> LocalAuthorityData:
    from riskmodel.data._pooling import pool_authorities, stamp_authority

    check_region_root(directory, [p.name for p in directory.iterdir() if p.is_file()])
    datasets = {}
    for code, folder in region:
        data = read_data(folder, validate=validate)
        try:
            datasets[code] = stamp_authority(data, code)
        except ValueError as exc:  # the tables name another authority than the folder
            raise SchemaError(f"{folder}: {exc}") from None
    return pool_authorities(datasets)


def write_data(
    data: LocalAuthorityData, directory: str | os.PathLike[str], *, format: str = "parquet"
) -> Path:
    """Write the canonical tables to a directory, each file atomically.

    Parameters
    ----------
    data : LocalAuthorityData
        The tables to write.
    directory : path-like
        Created if needed.
    format : {"parquet", "csv"}, default "parquet"
        File format of the tables.

    Returns
    -------
    pathlib.Path
        The directory.
    """
    if format not in ("parquet", "csv"):
        raise ValueError(f"format must be 'parquet' or 'csv', got {format!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        table = getattr(data, name)
        target = directory / f"{name}.{format}"
        if format == "parquet":
            atomic_write(target, lambda p, t=table: t.to_parquet(p, index=False))
        else:
            atomic_write(
                target, lambda p, t=table: t.to_csv(p, index=False, date_format="%Y-%m-%d")
            )
    meta = {
        "extract_date": None if data.extract_date is None else str(data.extract_date.date()),
        "population": data.population,
    }
    atomic_write(directory / METADATA_FILE, lambda p: Path(p).write_text(json.dumps(meta)))
    return directory
