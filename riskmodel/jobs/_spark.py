"""The ``train`` and ``score`` jobs on Spark (``--engine spark``).

``train`` builds the training frame's features on Spark and collects them to the
driver, where the model is fitted, backtested and reviewed as on the local engine.
``score`` scores on Spark (:func:`~riskmodel.spark.score_spark`) and writes the
local engine's files and folders (scores with the change columns, exclusions, drift,
the score history and the team's list), the big tables with Spark. The command line
reads the tables on Spark (:func:`read_spark_data`, a
:class:`~riskmodel.spark.SparkData`), so the driver holds only small facts about
them; a :class:`~riskmodel.LocalAuthorityData` given to the jobs is handed to
Spark as it is (:func:`~riskmodel.spark.spark_tables`).
"""

from __future__ import annotations

import dataclasses
import os
import sys
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
    """What ``score --engine spark`` did: the counts (on Spark), the files and the notes.

    ``drift`` is the local engine's drift table (``authority`` first on pooled data),
    None without a training profile.
    """

    counts: dict[str, int]
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)
    drift: pd.DataFrame | None = None


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
    data: Any,
    loaded: Any,
    as_of: pd.Timestamp,
    config: JobConfig,
    name: str,
    profile: Any = None,
) -> SparkScoringRun:
    """Score on Spark and write the local engine's files, with Spark.

    ``scores.parquet`` (with the change columns against the output's score history),
    ``exclusions.parquet``, ``drift.parquet`` (with a ``profile``), the history
    partition and the team's list, in the local layout (one ``authority=CODE/``
    folder per authority on pooled data; see :func:`~riskmodel.spark.write_scores_spark`).
    The data-quality and feature notes are the local engine's
    (:func:`~riskmodel.jobs._spark_notes.driver_notes`), from counts made on Spark for
    a SparkData.

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
    profile : FeatureProfile or dict, optional
        The training profile, for drift.

    Raises
    ------
    SchemaError
        If ``out`` names a CSV file (the Spark engine writes Parquet) or ``csv`` is on.
    """
    from riskmodel.jobs._spark_notes import driver_notes, engine_notes
    from riskmodel.scoring._write import targets
    from riskmodel.spark import history_folders, score_spark, write_scores_spark

    _, _, suffix = targets(Path(config.out))
    if suffix != ".parquet" or config.csv:
        raise SchemaError(f"--out {config.out}: the Spark engine writes Parquet only, not CSV")
    tables, _ = _spark_inputs(data, config)
    notes = driver_notes(data, tables, loaded.model, as_of)
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
        history=history_folders(config.out, list(data.authorities) or [None]),
        profile=profile,
    )
    files, written = write_scores_spark(result, config.out)
    drift = result.drift
    if drift is not None and not result.pooled:
        drift = drift.drop(columns="authority")
    notes = [*notes, *result.notes, *written, *engine_notes(loaded.model)]
    return SparkScoringRun(result.counts, files, notes, drift)
