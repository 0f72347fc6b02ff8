"""The canonical tables as Spark DataFrames, and a shard's rows back as LocalAuthorityData."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from riskmodel.data._columns import TABLES

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["TABLE_TAG", "local_data", "spark_tables", "table_schema"]

TABLE_TAG = "_table"
"""The column naming which canonical table a row of the long, unioned DataFrame is from."""

_SPARK_TYPES = {
    "str": "string",
    "date": "timestamp",
    "bool": "boolean",
    "int": "bigint",
    "float": "double",
}


def table_schema(name: str) -> str:
    """Return the Spark DDL schema of canonical table ``name`` (every column nullable)."""
    return ", ".join(f"{c.name} {_SPARK_TYPES[c.kind]}" for c in TABLES[name])


def spark_tables(spark: Any, data: LocalAuthorityData) -> dict[str, Any]:
    """Return the three canonical tables of ``data`` as Spark DataFrames.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    data : LocalAuthorityData
        The tables (one authority or pooled).

    Returns
    -------
    dict of str to pyspark.sql.DataFrame
        ``persons``, ``events`` and ``care_episodes``, with the canonical columns and
        the canonical Spark types (dates as timestamps).
    """
    out = {}
    for name in TABLES:
        columns = [c.name for c in TABLES[name]]
        table = getattr(data, name)[columns].astype("object")
        table = table.where(table.notna(), None)
        out[name] = spark.createDataFrame(table, schema=table_schema(name))
    return out


def local_data(rows: pd.DataFrame, **options: Any) -> LocalAuthorityData:
    """Rebuild a :class:`LocalAuthorityData` from a shard's rows of the unioned tables.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of all three tables, with :data:`TABLE_TAG` naming each row's table.
    **options
        Passed on to :class:`LocalAuthorityData` (``extract_date``, ``population``).
    """
    from riskmodel.data._tables import LocalAuthorityData

    tables = {}
    for name in TABLES:
        columns = [c.name for c in TABLES[name]]
        tables[name] = rows.loc[rows[TABLE_TAG] == name, columns].reset_index(drop=True)
    return LocalAuthorityData(**tables, **options)
