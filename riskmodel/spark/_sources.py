"""Where the Spark engine reads the canonical tables from: a directory, a region, the catalogue.

Each table is found as one or more *parts*: the file of a data directory (as
:func:`~riskmodel.data.write_data` writes it), the file of each ``authority=CODE``
folder of a region directory, or a catalogue table. The files are found, and
``metadata.json`` read, through :mod:`pyarrow.fs`, so a path may be local or any URI
that both pyarrow and Spark open (``hdfs://``, ``s3://``); the rows are read by Spark.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

import pandas as pd

from riskmodel.data._columns import TABLES
from riskmodel.data._directory import (
    METADATA_FILE,
    REGION_PREFIX,
    check_region_root,
    parse_metadata,
)
from riskmodel.exceptions import SchemaError

__all__ = ["CATALOGUE_PREFIX", "Part", "Source", "find_source"]

CATALOGUE_PREFIX = "table:"
"""A source ``table:SCHEMA`` names the catalogue tables ``SCHEMA.persons``, ... ."""

_NANOS = "spark.sql.legacy.parquet.nanosAsLong"


@dataclass(frozen=True)
class Part:
    """One table's rows from one place.

    Attributes
    ----------
    where : str
        The file or catalogue table, as error messages name it.
    frame : pyspark.sql.DataFrame
        The rows as read (Parquet's types, or text from a CSV file).
    code : str or None
        The authority of an ``authority=CODE`` folder, stamped on its rows.
    first_line : int
        How reading errors number the part's first row: 0 (its position), or 2 for
        a CSV file (the line after the header), as the local readers do.
    nanos : tuple of str
        Columns of nanosecond timestamps (as pandas writes them), read as integers.
    """

    where: str
    frame: Any
    code: str | None = None
    first_line: int = 0
    nanos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """The parts of the three tables, in the local reader's order, and the metadata."""

    label: str
    parts: dict[str, list[Part]]
    extract_date: pd.Timestamp | None
    population: str


def find_source(spark: Any, source: str) -> Source:
    """Return the parts of ``source``: a data or region directory, or ``table:SCHEMA``.

    Raises
    ------
    SchemaError
        With the local reader's message when a table is missing (or given both as
        Parquet and CSV), ``metadata.json`` is invalid, a region directory holds
        tables of its own; or when a catalogue table does not exist.
    """
    source = str(source)
    if source.startswith(CATALOGUE_PREFIX):
        return _catalogue(spark, source.removeprefix(CATALOGUE_PREFIX))
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(_as_uri(source))
    if filesystem.get_file_info(root).type != fs.FileType.Directory:
        raise SchemaError(f"{source}: not a directory")
    entries = filesystem.get_file_info(fs.FileSelector(root))
    folders = sorted(
        (e for e in entries if e.type == fs.FileType.Directory),
        key=lambda e: e.base_name,
    )
    region = [e for e in folders if e.base_name.startswith(REGION_PREFIX)]
    if not region:
        return _directory(spark, filesystem, source, root, entries, None)
    check_region_root(source, [e.base_name for e in entries if e.type == fs.FileType.File])
    parts: dict[str, list[Part]] = {name: [] for name in TABLES}
    extracts, populations = [], []
    for entry in region:
        code = entry.base_name.removeprefix(REGION_PREFIX)
        folder = _join(source, entry.base_name)
        inside = filesystem.get_file_info(fs.FileSelector(entry.path))
        one = _directory(spark, filesystem, folder, entry.path, inside, code)
        for name in TABLES:
            parts[name] += one.parts[name]
        extracts += [one.extract_date] if one.extract_date is not None else []
        populations.append(one.population)
    return Source(
        source,
        parts,
        max(extracts) if extracts else None,
        "returns" if "returns" in populations else "all",
    )


def _as_uri(source: str) -> str:
    """Return a local path as pyarrow opens it (absolute); a URI unchanged."""
    if "://" in source:
        return source
    return posixpath.abspath(source)


def _join(where: str, name: str) -> str:
    return f"{where.rstrip('/')}/{name}"


def _directory(
    spark: Any, filesystem: Any, where: str, root: str, entries: list, code: str | None
) -> Source:
    from pyarrow import fs

    files = {e.base_name: e.path for e in entries if e.type == fs.FileType.File}
    parts = {}
    for name in TABLES:
        found = [f"{name}{ext}" for ext in (".parquet", ".csv") if f"{name}{ext}" in files]
        if not found:
            raise SchemaError(
                f"{where}: no {name}.parquet or {name}.csv; a data directory holds "
                "persons, events and care_episodes"
            )
        if len(found) > 1:
            raise SchemaError(f"{where}: both {found[0]} and {found[1]}; keep one")
        path = files[found[0]]
        label = _join(where, found[0])
        uri = path if "://" not in where else _join(where, found[0])
        if found[0].endswith(".csv"):
            parts[name] = [Part(label, _read_csv(spark, uri), code, first_line=2)]
        else:
            parts[name] = [_read_parquet(spark, filesystem, path, uri, label, code)]
    extract_date, population = None, "all"
    if METADATA_FILE in files:
        with filesystem.open_input_stream(files[METADATA_FILE]) as stream:
            content = stream.read()
        extract_date, population = parse_metadata(content, _join(where, METADATA_FILE))
    return Source(where, parts, extract_date, population)


def _read_csv(spark: Any, uri: str) -> Any:
    frame = (
        spark.read.option("header", True)
        .option("mode", "FAILFAST")
        .option("encoding", "UTF-8")
        .csv(uri)
    )
    return frame.toDF(*[c.strip() for c in frame.columns])


def _read_parquet(
    spark: Any, filesystem: Any, path: str, uri: str, label: str, code: str | None
) -> Part:
    """Read one Parquet file; pandas' nanosecond timestamps come as integers (see Part)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with filesystem.open_input_file(path) as handle:
            schema = pq.read_schema(handle)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise SchemaError(f"{label}: not a readable Parquet file ({exc})") from None
    repeated = sorted({n for n in schema.names if schema.names.count(n) > 1})
    if repeated:
        raise SchemaError(
            f"{label}: column(s) {', '.join(repeated)} appear more than once; "
            "expected each column once"
        )
    nanos = tuple(f.name for f in schema if pa.types.is_timestamp(f.type) and f.type.unit == "ns")
    if not nanos:
        return Part(label, spark.read.parquet(uri), code)
    previous = spark.conf.get(_NANOS, "false")
    spark.conf.set(_NANOS, "true")
    try:
        frame = spark.read.parquet(uri)
    finally:
        spark.conf.set(_NANOS, previous)
    return Part(label, frame, code, nanos=nanos)


def _catalogue(spark: Any, schema: str) -> Source:
    parts = {}
    for name in TABLES:
        table = f"{schema}.{name}" if schema else name
        if not spark.catalog.tableExists(table):
            raise SchemaError(
                f"{table}: no such table in the Spark catalogue; a source {CATALOGUE_PREFIX}"
                f"{schema or 'SCHEMA'} needs the tables persons, events and care_episodes"
            )
        parts[name] = [Part(table, spark.table(table))]
    return Source(f"{CATALOGUE_PREFIX}{schema}", parts, None, "all")
