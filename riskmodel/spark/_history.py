"""The score history on Spark: the change columns by a join, and the history written.

The history folder is the local engine's (see :mod:`riskmodel.scoring._history`):
``history/as_of_date=YYYY-MM-DD/scores.parquet``, one file per run, and on pooled data
one such folder per authority (``authority=CODE/``). A run written by either engine
is read by the other. Here the previous run's file is read as a Spark DataFrame and
joined to the scores on (authority, person_id); its SHA-256 is taken on the driver,
so :func:`~riskmodel.scoring.write_scores`' check of the history applies as well.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.scoring._history import (
    HISTORY_COLUMNS,
    RISING_BANDS,
    PreviousRun,
    history_partitions,
    previous_run,
)
from riskmodel.scoring._pooled import authority_folder

__all__ = [
    "add_changes_spark",
    "authority_history",
    "write_history_spark",
]

_PREVIOUS_SCHEMA = "_p_authority string, _p_person_id string, previous_band bigint, _was boolean"


def authority_history(history: Any, code: str | None, pooled: bool) -> Path | None:
    """Return an authority's history folder.

    ``history`` itself (one authority), its ``authority=CODE`` subfolder (pooled), or
    ``history[code]`` when ``history`` is a mapping of authority to folder; None for none.
    """
    if history is None:
        return None
    if isinstance(history, Mapping):
        found = history.get(code)
        return None if found is None else Path(found)
    return authority_folder(history, str(code)) if pooled else Path(history)


def _previous_rows(spark: Any, folder: Path | None, code: str | None, as_of: pd.Timestamp):
    """Return the latest run before ``as_of`` of one history (rows and run), or (None, None)."""
    from pyspark.sql import functions as F

    found = None if folder is None else previous_run(folder, as_of)
    if found is None:
        return None, None
    # the resolved file of that run folder is never written into (runs replace files)
    path = history_partitions(Path(folder))[found.as_of].resolve()
    rows = spark.read.parquet(str(path)).select(
        F.lit(code).cast("string").alias("_p_authority"),
        F.col("person_id").cast("string").alias("_p_person_id"),
        F.col("risk_band").cast("bigint").alias("previous_band"),
        F.col("flagged").cast("boolean").alias("_was"),
    )
    return rows, found


def add_changes_spark(
    scores: Any,
    history: str | os.PathLike[str] | Mapping[str | None, Any] | None,
    as_of: pd.Timestamp,
    codes: list[str | None],
    *,
    pooled: bool,
) -> tuple[Any, dict[str | None, PreviousRun | None]]:
    """Add the change columns to Spark scores, as :func:`~riskmodel.scoring.add_changes`.

    Each authority's latest run strictly before ``as_of`` in its history is joined to
    its scores on ``person_id`` (a left join: a child not scored then has no previous
    band). ``previous_band`` is that run's band, ``band_change`` the difference,
    ``new_to_list`` is flagged now and not flagged (or not scored) then, ``rising``
    is a change of at least :data:`~riskmodel.scoring._history.RISING_BANDS`.

    Parameters
    ----------
    scores : pyspark.sql.DataFrame
        ``authority``, ``person_id``, ``risk_band`` and ``flagged`` (and the rest).
    history : path-like, mapping or None
        The history folder (on pooled data, the folder of the ``authority=CODE``
        histories, as for :func:`~riskmodel.scoring.score`), or each authority's
        folder by code; None compares with no run.
    as_of : pandas.Timestamp
        This run's as-of date.
    codes : list of str or None
        The authorities scored.
    pooled : bool
        Whether each authority has its own history subfolder.

    Returns
    -------
    (pyspark.sql.DataFrame, dict)
        ``scores`` with ``previous_band``, ``band_change``, ``new_to_list`` and
        ``rising`` after its columns, and each authority's run compared with.
    """
    from pyspark.sql import functions as F

    spark = scores.sparkSession
    parts, runs = [], {}
    for code in codes:
        rows, runs[code] = _previous_rows(
            spark, authority_history(history, code, pooled), code, as_of
        )
        if rows is not None:
            parts.append(rows)
    previous = spark.createDataFrame([], _PREVIOUS_SCHEMA)
    for part in parts:
        previous = previous.unionByName(part)
    on = F.col("authority").eqNullSafe(F.col("_p_authority")) & (
        F.col("person_id") == F.col("_p_person_id")
    )
    change = F.col("risk_band") - F.col("previous_band")
    joined = (
        scores.join(previous, on=on, how="left")
        .withColumn("band_change", change)
        .withColumn("new_to_list", F.col("flagged") & ~F.coalesce(F.col("_was"), F.lit(False)))
        .withColumn("rising", F.coalesce(change >= RISING_BANDS, F.lit(False)))
    )
    columns = [*scores.columns, "previous_band", "band_change", "new_to_list", "rising"]
    return joined.select(*columns), runs


def write_history_spark(scores: Any, history: Path, as_of: pd.Timestamp) -> Path:
    """Write (or replace) the partition of ``as_of`` with Spark, as one Parquet file.

    The same file as :func:`~riskmodel.scoring.append_history` writes
    (``HISTORY_COLUMNS``, in rank order), so either engine reads the other's.
    """
    folder = Path(history) / f"as_of_date={pd.Timestamp(as_of).date()}"
    folder.mkdir(parents=True, exist_ok=True)
    return write_one_parquet(
        scores.orderBy("rank").select(*HISTORY_COLUMNS), folder / "scores.parquet"
    )


def write_one_parquet(sdf: Any, target: Path) -> Path:
    """Write ``sdf`` with Spark as the single Parquet file ``target`` (replaced at once).

    Spark writes one part (``coalesce(1)``, keeping the order of a sorted DataFrame)
    into a hidden folder beside ``target``; the part is then renamed onto ``target``.
    """
    staged = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        sdf.coalesce(1).write.parquet(str(staged))
        parts = sorted(staged.glob("part-*.parquet"))
        if len(parts) != 1:
            raise RuntimeError(f"{target}: Spark wrote {len(parts)} parts, expected one")
        os.replace(parts[0], target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return target
