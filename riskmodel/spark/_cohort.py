"""The cohort on Spark, counted: each shard's cohort built by the local rules, then summed."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel.cohort import build_cohort
from riskmodel.frame._shards import DEFAULT_SHARD_SIZE
from riskmodel.spark._frame import SHARD, end_date, long_table
from riskmodel.spark._tables import local_data

__all__ = ["cohort_counts_spark"]

_KEYS = ["authority", "as_of_date", "in_cohort", "reason"]
_SCHEMA = (
    "authority string, as_of_date timestamp, in_cohort boolean, reason string, children bigint"
)


def cohort_counts_spark(
    persons: Any,
    events: Any,
    care_episodes: Any,
    as_of_dates: Any,
    *,
    extract_date: Any = None,
    population: str = "all",
    shard_size: int = DEFAULT_SHARD_SIZE,
    **cohort_kwargs: Any,
) -> pd.DataFrame:
    """Count the children in and out of the cohort at each as-of date, on Spark.

    Each shard of households (those of
    :func:`~riskmodel.spark.build_training_frame_spark`) gets its cohort from
    :func:`~riskmodel.cohort.build_cohort`, as within the whole data; the children
    are counted per shard and the counts summed on Spark. Only the counts (at most
    authorities x dates x reasons rows) reach the driver.

    Parameters
    ----------
    persons, events, care_episodes : pyspark.sql.DataFrame
        The canonical tables.
    as_of_dates : date-like or sequence of them
        The as-of dates.
    extract_date : date-like, optional
        The data's extract date; by default the latest date in the tables.
    population : {"all", "returns"}, default "all"
        Who ``persons`` holds.
    shard_size : int, default 20,000
        About how many children a shard holds.
    **cohort_kwargs
        Passed to :func:`~riskmodel.cohort.build_cohort`.

    Returns
    -------
    pandas.DataFrame
        A counted cohort: ``authority``, ``as_of_date``, ``in_cohort``, ``reason``
        (missing in the cohort) and ``children``, one row per group, which
        :func:`~riskmodel.cohort.summarise_cohort` summarises as it does the cohort.
    """
    from pyspark.sql import functions as F

    end = (
        pd.Timestamp(extract_date) if extract_date is not None else end_date(events, care_episodes)
    )
    dates = list(as_of_index(as_of_dates))
    options = {"extract_date": end, "population": population}

    def count(rows: pd.DataFrame) -> pd.DataFrame:
        return _count_shard(rows, dates=dates, options=options, cohort_kwargs=cohort_kwargs)

    long = long_table(persons, events, care_episodes, shard_size)
    counted = long.groupBy("authority", SHARD).applyInPandas(count, schema=_SCHEMA)
    summed = counted.groupBy(*_KEYS).agg(F.sum("children").alias("children")).toPandas()
    summed["children"] = summed["children"].astype("int64")
    summed["in_cohort"] = summed["in_cohort"].astype("bool")
    summed["as_of_date"] = summed["as_of_date"].astype("datetime64[ns]")
    return summed.sort_values(
        ["authority", "as_of_date", "reason"], na_position="first"
    ).reset_index(drop=True)


def _count_shard(
    rows: pd.DataFrame, *, dates: list, options: dict, cohort_kwargs: dict
) -> pd.DataFrame:
    data = local_data(rows, **options)
    code = data.authorities[0] if data.authorities else None
    cohort = build_cohort(data, dates, **cohort_kwargs)
    counts = cohort.groupby(["as_of_date", "in_cohort", "reason"], dropna=False).size()
    out = counts.rename("children").reset_index().assign(authority=code)
    out["reason"] = out["reason"].astype("object").where(out["reason"].notna(), None)
    return out[_KEYS + ["children"]]
