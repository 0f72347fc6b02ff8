"""The training frame on Spark: each shard of households built by the local builder."""

from __future__ import annotations

import functools
import math
from typing import Any

import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel.cohort import check_months
from riskmodel.features import FeatureSpec, default_spec
from riskmodel.frame import TrainingFrame, pool_frames
from riskmodel.frame._build import frame_of_rows
from riskmodel.frame._shards import DEFAULT_SHARD_SIZE
from riskmodel.frame._stream import GROUP_PREFIX, LABEL, flatten, frame_from_flat
from riskmodel.spark._tables import TABLE_TAG, local_data

__all__ = [
    "SHARD",
    "build_training_frame_spark",
    "collect_training_frame",
    "end_date",
    "long_table",
]

SHARD = "_shard"
_X_TYPES = {"int32": "int", "int64": "bigint", "float64": "double", "bool": "boolean"}


def build_training_frame_spark(
    persons: Any,
    events: Any,
    care_episodes: Any,
    as_of_dates: Any,
    horizon_months: int = 12,
    spec: FeatureSpec | None = None,
    *,
    extract_date: Any = None,
    population: str = "all",
    shard_size: int = DEFAULT_SHARD_SIZE,
    **cohort_kwargs: Any,
) -> Any:
    """Build the training frame's rows on Spark, with the same builder as the local path.

    Every child gets a shard from a hash of (authority, household); the three tables
    are unioned into one long DataFrame and grouped by shard, and each group is
    handed to the in-memory builder (``groupBy(...).applyInPandas``). The feature
    spec is resolved once on the driver from the distinct event types, and the end
    of the data is the whole data's, so every shard is built as within the whole.

    Parameters
    ----------
    persons, events, care_episodes : pyspark.sql.DataFrame
        The canonical tables (see :func:`~riskmodel.spark.spark_tables`).
    as_of_dates, horizon_months, spec, **cohort_kwargs
        As for :func:`~riskmodel.build_training_frame` (demographic columns in ``X``
        are not built here: the groups come as ``group:`` columns).
    extract_date : date-like, optional
        The data's extract date; by default the latest date in the tables.
    population : {"all", "returns"}, default "all"
        Who ``persons`` holds (see :class:`~riskmodel.data.LocalAuthorityData`).
    shard_size : int, default 20,000
        About how many children a shard holds.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per cohort row (labelled or not: ``care_entry`` is null past the
        data's end): ``authority``, ``person_id``, ``as_of_date``, the features, the
        label and the ``group:`` columns. :func:`collect_training_frame` turns it into
        a :class:`~riskmodel.TrainingFrame`.
    """
    months = check_months(horizon_months)
    types = [r[0] for r in events.select("event_type").distinct().collect() if r[0] is not None]
    resolved = (spec if spec is not None else default_spec()).resolve(types)
    end = (
        pd.Timestamp(extract_date) if extract_date is not None else end_date(events, care_episodes)
    )
    long = long_table(persons, events, care_episodes, shard_size)
    build = _shard_builder(
        as_of_dates=list(as_of_index(as_of_dates)),
        months=months,
        spec=resolved.to_dict(),
        options={"extract_date": end, "population": population},
        cohort_kwargs=cohort_kwargs,
    )
    schema = _output_schema(resolved)
    return long.groupBy("authority", SHARD).applyInPandas(build, schema=schema)


def long_table(persons: Any, events: Any, care_episodes: Any, shard_size: int) -> Any:
    """Union the three tables into one long DataFrame, each row with its child's shard.

    Every child gets a shard from a hash of (authority, household) (see
    :func:`_with_shards`); events and episodes take their child's shard by a join on
    (authority, person_id), and :data:`~riskmodel.spark._tables.TABLE_TAG` names each
    row's table. Grouping by ``("authority", SHARD)`` then hands whole households of
    one authority to a pandas function.
    """
    from pyspark.sql import functions as F

    shards = _with_shards(persons, shard_size)
    child = shards.select(
        F.col("authority").alias("_child_authority"), F.col("person_id").alias("_child_id"), SHARD
    )
    tagged = [shards.withColumn(TABLE_TAG, F.lit("persons"))]
    for name, table in (("events", events), ("care_episodes", care_episodes)):
        same_child = table["authority"].eqNullSafe(child["_child_authority"]) & (
            table["person_id"] == child["_child_id"]
        )
        joined = table.join(child, on=same_child, how="inner").drop(
            "_child_authority", "_child_id"
        )
        tagged.append(joined.withColumn(TABLE_TAG, F.lit(name)))
    return functools.reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), tagged)


def end_date(events: Any, care_episodes: Any) -> pd.Timestamp:
    """Return the latest event, episode start or episode end date in the tables."""
    from pyspark.sql import functions as F

    latest = [
        events.agg(F.max("event_date")).first()[0],
        care_episodes.agg(F.max("start_date")).first()[0],
        care_episodes.agg(F.max("end_date")).first()[0],
    ]
    return max(pd.Timestamp(d) for d in latest if d is not None)


def _with_shards(persons: Any, shard_size: int) -> Any:
    """Add each child's shard: a hash of (authority, household), within its authority."""
    from pyspark.sql import functions as F

    counts = persons.groupBy("authority").count().collect()
    sizes = {r["authority"]: max(1, math.ceil(r["count"] / shard_size)) for r in counts}
    n_shards = F.lit(sizes.get(None, 1))
    for code, n in sizes.items():
        if code is not None:
            n_shards = F.when(F.col("authority") == code, F.lit(n)).otherwise(n_shards)
    household = F.coalesce(F.col("household_id"), F.concat(F.lit("child:"), F.col("person_id")))
    key = F.xxhash64(F.coalesce(F.col("authority"), F.lit("")), household)
    return persons.withColumn(SHARD, F.pmod(key, n_shards))


def _shard_builder(**settings: Any) -> Any:
    """Return the function applyInPandas calls on each shard.

    A plain function: Spark reads its type hints, which a partial does not have.
    """

    def build(rows: pd.DataFrame) -> pd.DataFrame:
        return _build_shard(rows, **settings)

    return build


def _build_shard(
    rows: pd.DataFrame,
    *,
    as_of_dates: list,
    months: int,
    spec: dict,
    options: dict,
    cohort_kwargs: dict,
) -> pd.DataFrame:
    resolved = FeatureSpec.from_dict(spec)
    data = local_data(rows, **options)
    code = data.authorities[0] if data.authorities else None
    frame = frame_of_rows(data, as_of_dates, months, resolved, False, cohort_kwargs)
    if not isinstance(frame, TrainingFrame):
        return pd.DataFrame()
    flat = flatten(frame, code)
    return flat if "authority" in flat else flat.assign(authority=None)


def _output_schema(resolved: FeatureSpec) -> str:
    """Return the output DDL: keys, each feature by its dtype, the label and the groups."""
    from riskmodel.frame._groups import GROUP_COLUMNS

    fields = ["authority string", "person_id string", "as_of_date timestamp"]
    fields += [f"`{f.name}` {_X_TYPES[f.dtype]}" for f in resolved.features]
    fields += [f"{LABEL} double"]
    fields += [f"`{GROUP_PREFIX}{g}` string" for g in GROUP_COLUMNS]
    return ", ".join(fields)


def collect_training_frame(
    sdf: Any, spec: FeatureSpec, horizon_months: int = 12, *, drop_unlabelled: bool = True
) -> TrainingFrame:
    """Collect the rows of :func:`build_training_frame_spark` into a TrainingFrame.

    For training on the driver when the frame fits there (or after sampling). The
    rows and order equal :func:`~riskmodel.build_training_frame`'s; the cohort of
    children not in the frame is not collected (``cohort`` is empty).
    """
    flat = sdf.toPandas()
    columns = [c for c in sdf.columns if c not in ("authority", "person_id", "as_of_date", LABEL)]
    features = [c for c in columns if not c.startswith(GROUP_PREFIX)]
    groups = [c[len(GROUP_PREFIX) :] for c in columns if c.startswith(GROUP_PREFIX)]
    codes = sorted(flat["authority"].dropna().unique())
    frames = {}
    for code in codes or [None]:
        part = flat if code is None else flat[flat["authority"] == code]
        frames[code] = frame_from_flat(
            part.drop(columns="authority"), features, groups, spec, horizon_months
        )
    frame = pool_frames(frames) if len(codes) > 1 else next(iter(frames.values()))
    if not drop_unlabelled:
        return frame
    from riskmodel.frame._pool import labelled

    return labelled(frame, pd.Timestamp(flat["as_of_date"].max()))
