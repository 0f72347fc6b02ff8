"""The ``train`` and ``score`` jobs on Spark (``--engine spark``).

``train`` builds the training frame's features on Spark and collects them to the
driver, where the model is fitted, backtested and reviewed as on the local engine.
``score`` scores on Spark (:func:`~riskmodel.spark.score_spark`) and writes the
scores and exclusions with Spark as Parquet under the local engine's file names.
The command line reads the tables on Spark (:func:`read_spark_data`, a
:class:`~riskmodel.spark.SparkData`), so the driver holds only small facts about
them; a :class:`~riskmodel.LocalAuthorityData` given to the jobs is handed to
Spark as it is (:func:`~riskmodel.spark.spark_tables`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.jobs._config import JobConfig

__all__ = [
    "SparkScoringRun",
    "read_spark_data",
    "score_with_spark",
    "spark_session",
    "spark_training_frame",
]


@dataclass(frozen=True)
class SparkScoringRun:
    """What ``score --engine spark`` did: the counts (on Spark) and the files written."""

    counts: dict[str, int]
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)


def spark_session(master: str) -> Any:
    """Return the active Spark session, or start one on ``master``.

    The workers run this interpreter, the session's time zone is UTC (dates are
    written as they are read) and pandas exchanges go through Arrow.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("riskmodel")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def read_spark_data(config: JobConfig) -> Any:
    """Read ``config.data`` on Spark (see :func:`~riskmodel.spark.read_tables_spark`).

    A data or region directory (a path or a URI), or ``table:SCHEMA`` for catalogue
    tables; not yet validated (the jobs validate it on Spark).
    """
    from riskmodel.spark import read_tables_spark

    return read_tables_spark(spark_session(config.spark_master), str(config.data))


def _spark_inputs(data: Any, config: JobConfig) -> tuple[dict[str, Any], list[str]]:
    """Return the tables as Spark DataFrames and the data's event types.

    A SparkData's own tables and types (read and counted on Spark); a
    LocalAuthorityData's tables handed to Spark.
    """
    from riskmodel.spark import SparkData, spark_tables

    if isinstance(data, SparkData):
        tables = {n: getattr(data, n) for n in ("persons", "events", "care_episodes")}
        return tables, list(data.event_types)
    tables = spark_tables(spark_session(config.spark_master), data)
    return tables, list(data.events["event_type"].dropna().unique())


def _cohort(data: Any, tables: dict[str, Any], dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Return the review's cohort: counted on Spark for SparkData, else built locally."""
    from riskmodel.spark import SparkData, cohort_counts_spark

    if not isinstance(data, SparkData):
        from riskmodel.cohort import build_cohort

        return build_cohort(data, dates)
    return cohort_counts_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        dates,
        extract_date=data.end_date,
        population=data.population,
    )


def spark_training_frame(data: Any, dates: pd.DatetimeIndex, config: JobConfig) -> Any:
    """Build the training frame's rows on Spark and collect them into a TrainingFrame.

    Equal to :func:`~riskmodel.build_training_frame` row for row (labelled rows).
    The frame's cohort (for the review's cohort summary) is, for a SparkData,
    counted on Spark: one row per authority, date, in or out and reason, with the
    number of ``children`` (see :func:`~riskmodel.spark.cohort_counts_spark`); for a
    LocalAuthorityData, every child at every date, built on the driver. With
    ``config.negative_fraction`` below 1 the rows are sampled on Spark before the
    collect (:func:`~riskmodel.spark.sample_negatives_spark`, seeded by
    ``random_state``): the driver holds every care entry and that share of the
    others, the rows that sampling the local frame keeps.
    """
    from riskmodel.features import default_spec
    from riskmodel.spark import (
        build_training_frame_spark,
        collect_training_frame,
        sample_negatives_spark,
    )

    tables, event_types = _spark_inputs(data, config)
    sdf = build_training_frame_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        dates,
        config.horizon_months,
        extract_date=data.end_date,
        population=data.population,
    )
    if config.negative_fraction < 1:
        sdf = sample_negatives_spark(
            sdf, config.negative_fraction, random_state=config.random_state
        )
    spec = default_spec().resolve(event_types)
    frame = collect_training_frame(sdf, spec, config.horizon_months)
    return dataclasses.replace(frame, cohort=_cohort(data, tables, dates))


def score_with_spark(
    data: Any, loaded: Any, as_of: pd.Timestamp, config: JobConfig, name: str
) -> SparkScoringRun:
    """Score on Spark and write ``scores.parquet`` and ``exclusions.parquet``.

    Parameters
    ----------
    data : SparkData or LocalAuthorityData
        The validated tables.
    loaded : LoadedModel
        The model from the registry.
    as_of : pandas.Timestamp
        The as-of date.
    config : JobConfig
        ``out`` is a directory or a ``.parquet`` scores file, as for the local engine.
    name : str
        The model name written into every row.

    Raises
    ------
    SchemaError
        If ``out`` names a CSV file (the Spark engine writes Parquet) or ``csv`` is on.
    """
    from riskmodel.scoring._write import targets
    from riskmodel.spark import score_spark

    folder, stem, suffix = targets(Path(config.out))
    if suffix != ".parquet" or config.csv:
        raise SchemaError(f"--out {config.out}: the Spark engine writes Parquet only, not CSV")
    tables, _ = _spark_inputs(data, config)
    result = score_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        loaded.model,
        as_of,
        capacity=config.capacity,
        model_name=name,
        model_version=str(loaded.version or "unknown"),
        extract_date=data.end_date,
        population=data.population,
    )
    folder.mkdir(parents=True, exist_ok=True)
    exclusions = "exclusions" if stem == "scores" else f"{stem}_exclusions"
    files = {
        "scores": write_parquet(
            result.scores.orderBy("authority", "rank"), folder / f"{stem}.parquet"
        ),
        "exclusions": write_parquet(
            result.excluded.orderBy("authority", "person_id"), folder / f"{exclusions}.parquet"
        ),
    }
    notes = ["Spark engine: no change-versus-history columns, drift or team list were made"]
    return SparkScoringRun(result.counts, files, notes)


def write_parquet(sdf: Any, target: Path) -> Path:
    """Write ``sdf`` with Spark as the Parquet dataset ``target`` (a folder of parts).

    Written into a hidden folder beside ``target`` first, then renamed onto it, so a
    failed write leaves the earlier ``target`` as it was; an earlier one is removed
    just before the rename. ``pandas.read_parquet(target)`` reads it back.
    """
    staged = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        sdf.coalesce(1).write.parquet(str(staged))
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        os.replace(staged, target)
    finally:
        if staged.exists():
            shutil.rmtree(staged)
    return target
