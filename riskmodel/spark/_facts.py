"""Small facts about the canonical tables, counted on Spark: coverage, months, the cohort."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel.data._coverage import CARE_EPISODES, families_table, summary_table

__all__ = ["coverage_summary_spark", "event_months_spark"]


def _records(events: Any, care_episodes: Any) -> Any:
    """One row per dated record (family, source, person_id, date), as the local coverage."""
    from pyspark.sql import functions as F

    dated_events = events.filter(F.col("event_type").isNotNull() & F.col("event_date").isNotNull())
    dated_episodes = care_episodes.filter(F.col("start_date").isNotNull())
    return dated_events.select(
        F.col("event_type").alias("family"),
        F.lit("events").alias("source"),
        "person_id",
        F.col("event_date").alias("date"),
    ).unionByName(
        dated_episodes.select(
            F.lit(CARE_EPISODES).alias("family"),
            F.lit("care_episodes").alias("source"),
            "person_id",
            F.col("start_date").alias("date"),
        )
    )


def coverage_summary_spark(events: Any, care_episodes: Any) -> pd.DataFrame:
    """Return :meth:`LocalAuthorityData.coverage_summary` of the tables, counted on Spark.

    The counts per family (records, distinct children, first and last month, months
    with a record) are Spark aggregates; the table is then laid out by the local
    :func:`~riskmodel.data._coverage.summary_table`.
    """
    from pyspark.sql import functions as F

    month = F.date_trunc("month", F.col("date"))
    counts = (
        _records(events, care_episodes)
        .groupBy("family", "source")
        .agg(
            F.count(F.lit(1)).alias("events"),
            F.countDistinct("person_id").alias("children"),
            F.min(month).alias("first_month"),
            F.max(month).alias("last_month"),
            F.countDistinct(month).alias("months_recorded"),
        )
        .toPandas()
    )
    seen = counts.loc[counts["source"] == "events", "family"]
    if counts.empty:
        return summary_table(families_table(seen), None)
    for column in ("first_month", "last_month"):
        counts[column] = pd.PeriodIndex(pd.to_datetime(counts[column]), freq="M")
    for column in ("events", "children", "months_recorded"):
        counts[column] = counts[column].astype("int64")
    return summary_table(families_table(seen), counts)


def event_months_spark(events: Any) -> pd.Series:
    """Return the number of dated events in each month that holds any, by ``Period``."""
    from pyspark.sql import functions as F

    counts = (
        events.filter(F.col("event_date").isNotNull())
        .groupBy(F.date_trunc("month", F.col("event_date")).alias("month"))
        .count()
        .toPandas()
    )
    index = pd.PeriodIndex(pd.to_datetime(counts["month"]), freq="M")
    return pd.Series(counts["count"].to_numpy(dtype="int64"), index=index).sort_index()
