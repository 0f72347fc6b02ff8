"""Reading a source's parts into the canonical tables on Spark, with the local coercion.

Every part is read as it is stored and handed, batch by batch
(``mapInPandas``), to the local reader's own coercion
(:func:`~riskmodel.data._columns.coerce_column`), so a value is read on Spark exactly
as :func:`~riskmodel.read_data` reads it. Only what went wrong (the column, the row
and the value of each value that cannot be read, and of each row of an
``authority=CODE`` folder naming another authority) is aggregated on Spark and
brought to the driver. Each row is numbered as in the pooled local table
(:data:`ROW`): reading errors name the part's own rows, validation the pooled rows.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from riskmodel._wording import describe_rows, show_value
from riskmodel.data._columns import KIND_DTYPES, TABLES, coerce_column, coerce_table
from riskmodel.exceptions import SchemaError
from riskmodel.spark._sources import Part, Source
from riskmodel.spark._tables import table_schema

__all__ = ["ROW", "canonical_tables"]

ROW = "_row"
"""A row's number in its pooled table (0-based, parts in order), as validation names it."""

_PART, _PID, _K = "_part", "_pid", "_k"
_PARTITIONS = 1 << 31  # more partitions than a scan can have: (part, partition) as one key
_LOST, _SHOWN, _OTHER = "_lost", "_shown", "_other"
_NUMBERS = {"tinyint", "smallint", "int", "bigint", "float", "double", "decimal"}
_READABLE = {
    "str": {"string", "boolean", "date", "timestamp", "timestamp_ntz", *_NUMBERS},
    "date": {"string", "date", "timestamp", "timestamp_ntz"},
    "bool": {"string", "boolean", *_NUMBERS},
    "int": {"string", "boolean", *_NUMBERS},
    "float": {"string", "boolean", *_NUMBERS},
}
"""The Spark types (``DataFrame.dtypes``) each kind of column can be read from."""


def canonical_tables(source: Source) -> dict[str, Any]:
    """Return the three tables of ``source`` in the canonical types, each row numbered.

    Every table gets the canonical columns (:func:`~riskmodel.spark._tables.table_schema`)
    and :data:`ROW`; the rows of an ``authority=CODE`` folder get ``CODE`` in
    ``authority``. The tables are persisted (memory and disk): they are read once.

    Raises
    ------
    SchemaError
        When a part lacks a required column or repeats one, holds a column of a type
        that cannot be read as its canonical type (a struct, say), holds values that
        cannot be read (every such column with its first rows and values, as
        :func:`~riskmodel.data._columns.coerce_table` names them), or when a folder's
        rows name another authority than the folder.
    """
    tables, problems = {}, []
    for name in TABLES:
        parts = source.parts[name]
        for part in parts:
            _check_columns(name, part)
        coerced = [_coerced(name, i, part) for i, part in enumerate(parts)]
        union = functools.reduce(lambda a, b: a.unionByName(b), coerced).persist(_storage())
        numbered = _numbered(union)
        problems += _problems(name, numbered, parts)
        tables[name] = numbered.drop(_LOST, _SHOWN, _OTHER, _PART, _PID, _K, "_pos")
    if problems:
        raise SchemaError("\n".join(problems))
    return tables


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def _check_columns(name: str, part: Part) -> None:
    """Refuse a part with a repeated or missing required column, or a column of a wrong type."""
    coerce_table(name, pd.DataFrame(columns=part.frame.columns), source=part.where)
    types = dict(part.frame.dtypes)
    wrong = []
    for col in TABLES[name]:
        kind = types.get(col.name)
        if kind is None or col.name in part.nanos or kind.split("(")[0] in _READABLE[col.kind]:
            continue
        wrong.append(
            f"{part.where}.{col.name}: the column holds {kind} values, which cannot be "
            f"read as {col.kind} values; expected text or {col.kind} values"
        )
    if wrong:
        raise SchemaError("\n".join(wrong))


def _coerced(name: str, index: int, part: Part) -> Any:
    """Coerce one part on Spark, each row keeping its partition and position in it."""
    from pyspark.sql import functions as F

    present = [c.name for c in TABLES[name] if c.name in part.frame.columns]
    frame = part.frame.select(*present).withColumns(
        {_PID: F.spark_partition_id(), _K: F.monotonically_increasing_id()}
    )
    schema = (
        f"{table_schema(name)}, {_PID} int, {_K} bigint, "
        f"{_LOST} array<string>, {_SHOWN} array<string>, {_OTHER} string"
    )
    coerce = functools.partial(_coerce_batches, name=name, nanos=part.nanos, code=part.code)
    return frame.mapInPandas(_hinted(coerce), schema=schema).withColumn(_PART, F.lit(index))


def _hinted(function: Any) -> Any:
    """Wrap ``function`` in a plain function (mapInPandas reads no hints off a partial)."""

    def batches(iterator):
        return function(iterator)

    return batches


def _coerce_batches(batches: Any, *, name: str, nanos: tuple, code: str | None) -> Any:
    for raw in batches:
        yield _coerce_batch(raw, name, nanos, code)


def _coerce_batch(raw: pd.DataFrame, name: str, nanos: tuple, code: str | None) -> pd.DataFrame:
    """Coerce a batch with the local reader's rules; say which values could not be read."""
    out, lost_columns = {}, []
    for col in TABLES[name]:
        if col.name not in raw:
            out[col.name] = pd.Series(None, index=raw.index, dtype=KIND_DTYPES[col.kind])
            continue
        values = raw[col.name]
        if col.name in nanos:
            values = pd.to_datetime(values.astype("Int64"), unit="ns")
        out[col.name], lost = coerce_column(col.kind, values)
        lost_columns.append((col.name, lost, values))
    table = pd.DataFrame(out, index=raw.index)
    lost = pd.Series([None] * len(raw), index=raw.index, dtype="object")
    shown = pd.Series([None] * len(raw), index=raw.index, dtype="object")
    for column, mask, values in lost_columns:
        for i in raw.index[mask.to_numpy()]:
            lost[i] = [*(lost[i] or []), column]
            shown[i] = [*(shown[i] or []), show_value(values[i])]
    other = pd.Series(None, index=raw.index, dtype="object")
    if code is not None:
        foreign = table["authority"].notna() & (table["authority"] != code)
        other[foreign] = [show_value(v) for v in table.loc[foreign, "authority"]]
        table["authority"] = code
    table = table.astype({c.name: "object" for c in TABLES[name] if c.kind == "str"})
    table = table.where(table.notna(), None) if len(table) else table
    return table.assign(
        **{_PID: raw[_PID], _K: raw[_K], _LOST: lost, _SHOWN: shown, _OTHER: other}
    )


def _numbered(union: Any) -> Any:
    """Add :data:`ROW` (in the pooled table) and ``_pos`` (in the part) to every row.

    A row's part, its partition in the part's scan and its position there (from
    ``monotonically_increasing_id``, evaluated below the union, so per part) number
    it: the partitions of a single-file scan follow the file's order. The rows per
    partition are counted on Spark; only those counts come to the driver.
    """
    from pyspark.sql import functions as F

    key = F.col(_PART).cast("bigint") * _PARTITIONS + F.col(_PID)
    counts = union.groupBy(_PART, _PID).count().orderBy(_PART, _PID).collect()
    starts, part_starts, total = {}, {}, 0
    for row in counts:
        starts[row[_PART] * _PARTITIONS + row[_PID]] = total
        part_starts.setdefault(row[_PART], total)
        total += row["count"]
    start = _lookup(starts, key)
    part_start = _lookup(part_starts, F.col(_PART))
    within = F.col(_K) - F.shiftleft(F.col(_PID).cast("bigint"), 33)
    return union.withColumn(ROW, start + within).withColumn("_pos", F.col(ROW) - part_start)


def _lookup(mapping: dict, key: Any) -> Any:
    from pyspark.sql import functions as F

    if not mapping:
        return F.lit(0).cast("bigint")
    pairs = [F.lit(x) for k, v in mapping.items() for x in (k, int(v))]
    return F.element_at(F.create_map(*pairs), key).cast("bigint")


def _problems(name: str, numbered: Any, parts: list[Part]) -> list[str]:
    """Describe every unreadable value and foreign authority, per part and column."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    bad = numbered.filter(F.col(_LOST).isNotNull() | F.col(_OTHER).isNotNull())
    lost = bad.select(_PART, "_pos", F.explode(F.arrays_zip(_LOST, _SHOWN)).alias("_x")).select(
        _PART, "_pos", F.col("_x." + _LOST).alias("_c"), F.col("_x." + _SHOWN).alias("_v")
    )
    other = bad.filter(F.col(_OTHER).isNotNull()).select(
        _PART,
        "_pos",
        F.lit("authority").alias("_c"),
        F.col(_OTHER).alias("_v"),
    )
    both = lost.withColumn("_o", F.lit(False)).unionByName(other.withColumn("_o", F.lit(True)))
    group = Window.partitionBy(_PART, "_o", "_c")
    ranked = both.withColumn("_n", F.count(F.lit(1)).over(group)).withColumn(
        "_i", F.row_number().over(group.orderBy("_pos"))
    )
    rows = ranked.filter(F.col("_i") <= 5).orderBy(_PART, "_o", "_c", "_pos").collect()
    found: dict[tuple, list] = {}
    for r in rows:
        found.setdefault((r[_PART], r["_o"], r["_c"]), []).append(r)
    kinds = {c.name: c.kind for c in TABLES[name]}
    order = {c.name: i for i, c in enumerate(TABLES[name])}
    messages = []
    for (index, foreign, column), hits in sorted(
        found.items(), key=lambda kv: (kv[0][1], kv[0][0], order[kv[0][2]])
    ):
        part, n = parts[index], hits[0]["_n"]
        if foreign:
            where = describe_rows(
                [h["_pos"] for h in hits], shown=[h["_v"] for h in hits], total=n
            )
            folder = part.where.rsplit("/", 1)[0]
            messages.append(
                f"{folder}: {name}.authority: {n} row(s) already name another authority "
                f"than {part.code!r} ({where})"
            )
            continue
        lines = [h["_pos"] + part.first_line for h in hits]
        where = describe_rows(lines, shown=[h["_v"] for h in hits], total=n)
        messages.append(
            f"{part.where}.{column}: {n} value(s) are not a valid {kinds[column]} ({where})"
        )
    return messages
