"""Validation of the canonical tables on Spark: the local checks, run on shards of children.

Every row of the three tables goes to the shard of its child (a hash of
``person_id``, or of ``(authority, person_id)`` for pooled data), so each shard
holds all the rows of each of its children: a duplicated ``person_id``, an event of
a person not in ``persons`` and overlapping episodes are all within one shard. Each
shard is checked by the local validator
(:func:`~riskmodel.data._validate.problem_list`, the pandera schemas and the
cross-table checks) in ``applyInPandas``, with the whole data's authorities and
extract date; only each problem's count and first rows (numbered as in the pooled
local tables) and values come back to the driver, where the shards' problems are
merged and worded as :func:`~riskmodel.data.LocalAuthorityData.problems` words them.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pandas as pd

from riskmodel._wording import show_value
from riskmodel.data._columns import TABLES
from riskmodel.data._validate import PROBLEM_COLUMNS, merged_problem, problem_list
from riskmodel.frame._shards import DEFAULT_SHARD_SIZE
from riskmodel.spark._cast import ROW
from riskmodel.spark._tables import TABLE_TAG

__all__ = ["find_problems_spark"]

_SHARD = "_check_shard"
_SCHEMA = (
    "severity string, table string, column string, what string, n_rows bigint, "
    "rows array<bigint>, shown array<string>, position int"
)


def find_problems_spark(
    tables: dict[str, Any],
    authorities: tuple[str, ...],
    extract_date: pd.Timestamp | None,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> pd.DataFrame:
    """Return every problem of the tables, as :meth:`LocalAuthorityData.problems` does.

    Parameters
    ----------
    tables : dict of str to pyspark.sql.DataFrame
        The canonical tables, each with the pooled row number
        (:data:`~riskmodel.spark._cast.ROW`).
    authorities : tuple of str
        The codes in ``persons.authority``: more than one makes the data pooled.
    extract_date : pandas.Timestamp or None
        The data's extract date (None: today's date bounds the dates, as locally).
    shard_size : int, default 20,000
        About how many children a shard holds.

    Returns
    -------
    pandas.DataFrame
        :data:`~riskmodel.data._validate.PROBLEM_COLUMNS`; ``values`` are the values
        as the messages show them. The rows of a problem are its first rows by row
        number (locally, overlapping episodes are listed in the order of the child's
        id); problems are listed in the order the local validator finds them in a
        shard.
    """
    from pyspark.sql import functions as F

    long = _long(tables, len(authorities) > 1)
    n_shards = max(1, math.ceil(tables["persons"].count() / shard_size))
    check = functools.partial(_check_shard, authorities=authorities, extract_date=extract_date)
    found = (
        long.withColumn(_SHARD, F.pmod(F.col("_key"), F.lit(n_shards)))
        .groupBy(_SHARD)
        .applyInPandas(_hinted(check), schema=_SCHEMA)
        .toPandas()
    )
    return pd.DataFrame(_merged(found), columns=PROBLEM_COLUMNS)


def _long(tables: dict[str, Any], pooled: bool) -> Any:
    """Union the tables into one long DataFrame, with each row's child key hashed."""
    from pyspark.sql import functions as F

    authority = F.coalesce(F.col("authority"), F.lit(""))
    key = F.xxhash64(authority, F.col("person_id")) if pooled else F.xxhash64(F.col("person_id"))
    tagged = [
        tables[name].withColumn(TABLE_TAG, F.lit(name)).withColumn("_key", key) for name in TABLES
    ]
    return functools.reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), tagged)


def _hinted(function: Any) -> Any:
    def check(rows: pd.DataFrame) -> pd.DataFrame:
        return function(rows)

    return check


def _check_shard(
    rows: pd.DataFrame, *, authorities: tuple[str, ...], extract_date: pd.Timestamp | None
) -> pd.DataFrame:
    """Check one shard with the local validator; number its problems' rows as pooled."""
    from riskmodel.data._tables import LocalAuthorityData

    tables, numbers = {}, {}
    for name in TABLES:
        part = rows[rows[TABLE_TAG] == name].sort_values(ROW, kind="stable")
        numbers[name] = part[ROW].to_numpy()
        tables[name] = part[[c.name for c in TABLES[name]]].reset_index(drop=True)
    data = LocalAuthorityData(**tables, extract_date=extract_date)
    out = []
    for position, problem in enumerate(problem_list(data, authorities)):
        values = problem["values"]
        out.append(
            {
                "severity": problem["severity"],
                "table": problem["table"],
                "column": problem["column"],
                "what": problem["what"],
                "n_rows": problem["n_rows"],
                "rows": [int(numbers[problem["table"]][r]) for r in problem["rows"]],
                "shown": [show_value(v) for v in values] if values is not None else None,
                "position": position,
            }
        )
    return pd.DataFrame(out, columns=_SCHEMA_COLUMNS)


_SCHEMA_COLUMNS = [field.split()[0] for field in _SCHEMA.split(", ")]


def _merged(found: pd.DataFrame) -> list[dict]:
    """Merge the shards' problems: counts added, the first 20 rows kept, local wording."""
    problems = []
    key = ["severity", "table", "column", "what"]
    if found.empty:
        return problems
    found = found.assign(_first=found.groupby(key)["position"].transform("min"))
    for (severity, table, column, what), group in found.sort_values(
        ["_first", "position"], kind="stable"
    ).groupby(key, sort=False):
        pairs = sorted(
            (int(r), v)
            for rows, shown in zip(group["rows"], group["shown"], strict=True)
            for r, v in zip(list(rows), list(shown) if shown is not None else [None] * len(rows),
                            strict=True)
        )[:20]  # fmt: skip
        shown = [v for _, v in pairs]
        problems.append(
            merged_problem(
                severity,
                table,
                column,
                int(group["n_rows"].sum()),
                [r for r, _ in pairs],
                None if all(v is None for v in shown) else shown,
                what,
            )
        )
    return problems
