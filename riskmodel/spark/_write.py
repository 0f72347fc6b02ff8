"""Write Spark scores as the local engine does: the same folders, files and history.

Each authority's run is published by the local writer
(:func:`~riskmodel.scoring._write.publish_run`: the lock, the staged run folder, the
check of the history, one rename), with Spark writing the big tables: the scores,
the exclusions and the history partition, each as one Parquet file under the local
names. The drift table is small and written by pandas; for the team's list, only the
flagged children (at most ``capacity`` per authority) and their rows of the recent
history come to the driver, and the local list writers write ``list.html`` and
``list.xlsx``. Pooled data get one folder per authority, ``out/authority=CODE/``, as
:func:`~riskmodel.scoring.score` writes them.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.scoring._history import recent_runs
from riskmodel.scoring._list import LAST_RUNS, TeamList, _one, build_team_list
from riskmodel.scoring._pooled import authority_folder
from riskmodel.scoring._result import EXCLUSION_COLUMNS, ScoringResult
from riskmodel.scoring._write import RunFiles, history_folder, publish_run
from riskmodel.spark._history import write_history_spark, write_one_parquet

__all__ = ["history_folders", "output_folders", "write_scores_spark"]


def output_folders(out: str | os.PathLike[str], codes: list[str | None]) -> dict[str | None, Path]:
    """Return each authority's output: ``out`` for one authority, else ``out/authority=CODE``.

    Parameters
    ----------
    out : path-like
        The run's output folder.
    codes : list of str or None
        The data's authority codes (``[None]`` for data that name none).

    Returns
    -------
    dict of str or None to pathlib.Path
        Each code's folder, as :func:`~riskmodel.scoring.score` writes them.
    """
    if len(codes) > 1:
        return {code: authority_folder(out, str(code)) for code in codes}
    return {codes[0]: Path(out)}


def history_folders(
    out: str | os.PathLike[str], codes: list[str | None]
) -> dict[str | None, Path]:
    """Return each authority's score history folder inside the output ``out``.

    The folders :func:`~riskmodel.scoring.score` with ``out=`` reads and writes; give
    them to :func:`~riskmodel.spark.score_spark` as ``history``.

    Parameters
    ----------
    out, codes
        As :func:`output_folders`.

    Returns
    -------
    dict of str or None to pathlib.Path
        Each code's ``history`` folder inside its :func:`output_folders` folder.
    """
    return {code: history_folder(folder) for code, folder in output_folders(out, codes).items()}


def write_scores_spark(
    result: Any, out: str | os.PathLike[str], *, team_list: bool = True
) -> tuple[dict[str, Path], list[str]]:
    """Publish Spark scores into ``out`` as :func:`~riskmodel.scoring.write_scores` does.

    Parameters
    ----------
    result : SparkScores
        From :func:`~riskmodel.spark.score_spark`, computed against the history of
        ``out`` (``history=history_folders(out, codes)``) when it has earlier runs.
    out : path-like
        A directory, or a ``.parquet`` scores file (the others then go beside it);
        pooled data get ``out/authority=CODE/`` each.
    team_list : bool, default True
        Write ``list.html`` and ``list.xlsx``.

    Returns
    -------
    (dict of str to pathlib.Path, list of str)
        The files written (keyed ``CODE/name`` on pooled data) and the notes of the
        write (prefixed ``authority CODE:`` on pooled data).

    Raises
    ------
    SchemaError
        If ``out`` names a CSV file, or as :func:`~riskmodel.scoring.write_scores`
        (a run writing there now, or a history changed since the scores were made).
    """
    from riskmodel.exceptions import SchemaError

    if str(out).lower().endswith(".csv"):
        raise SchemaError(f"--out {out}: the Spark engine writes Parquet only, not CSV")
    counts = _authority_counts(result)
    files: dict[str, Path] = {}
    notes: list[str] = []
    for code, folder in output_folders(out, result.authorities).items():
        run = _run_files(result, code, counts[code])
        written, found = publish_run(folder, run, team_list=team_list)
        prefix = f"{code}/" if result.pooled else ""
        files.update({f"{prefix}{k}": v for k, v in written.items()})
        notes.extend(f"authority {code}: {n}" if result.pooled else n for n in found)
    return files, notes


def _of(sdf: Any, code: str | None) -> Any:
    from pyspark.sql import functions as F

    return sdf.filter(F.col("authority").eqNullSafe(F.lit(code))).drop("authority")


def _authority_counts(result: Any) -> dict[str | None, dict[str, int]]:
    """Each authority's children in, scored, excluded and flagged, counted on Spark."""
    from pyspark.sql import functions as F

    scored = result.scores.groupBy("authority").agg(
        F.count(F.lit(1)).alias("n"), F.sum(F.col("flagged").cast("int")).alias("f")
    )
    excluded = result.excluded.groupBy("authority").count()
    out = {code: {"scored": 0, "excluded": 0, "flagged": 0} for code in result.authorities}
    for row in scored.collect():
        out[row["authority"]].update(scored=int(row["n"]), flagged=int(row["f"] or 0))
    for row in excluded.collect():
        out[row["authority"]]["excluded"] = int(row["count"])
    return {code: {"children_in": c["scored"] + c["excluded"], **c} for code, c in out.items()}


def _spark_writer(sdf: Any):
    def write(path: str, fmt: str) -> None:
        if fmt != ".parquet":
            raise ValueError(f"{path}: the Spark engine writes Parquet only")
        write_one_parquet(sdf, Path(path))

    return write


def _drift_of(drift: pd.DataFrame | None, code: str | None) -> pd.DataFrame | None:
    if drift is None:
        return None
    mine = drift["authority"].isna() if code is None else drift["authority"] == code
    return drift[mine].drop(columns="authority").reset_index(drop=True)


def _run_files(result: Any, code: str | None, counts: dict[str, int]) -> RunFiles:
    """Return how one authority's run is written: by Spark (drift and list by pandas)."""
    scores = _of(result.scores, code)
    excluded = _of(result.excluded, code).select(*EXCLUSION_COLUMNS)
    drift = _drift_of(result.drift, code)
    return RunFiles(
        as_of=result.as_of,
        previous_run=result.previous_runs.get(code),
        tables={
            "scores": _spark_writer(scores.orderBy("rank")),
            "exclusions": _spark_writer(excluded.orderBy("person_id")),
            "drift": None if drift is None else (lambda p, fmt: drift.to_parquet(p, index=False)),
        },
        append=lambda history: write_history_spark(scores, history, result.as_of),
        team=lambda history: team_list_spark(scores, history, result.as_of, counts),
    )


def team_list_spark(
    scores: Any, history: Path, as_of: pd.Timestamp, counts: dict[str, int]
) -> TeamList:
    """Build one authority's list from its flagged rows and its history's last runs.

    Only the flagged rows are collected from Spark. The history's last ``LAST_RUNS``
    runs (one authority's partitions) are read by pandas, as the local engine reads
    them, so the list shows the same runs whichever children were scored at each.

    Parameters
    ----------
    scores : pyspark.sql.DataFrame
        The authority's scores with the change columns (no ``authority`` column).
    history : pathlib.Path
        Its score history folder, holding this run's partition.
    as_of : pandas.Timestamp
        The run's as-of date.
    counts : dict of str to int
        The authority's children in, scored, excluded and flagged (the list's header).

    Returns
    -------
    TeamList
        As :func:`~riskmodel.scoring._list.build_team_list` of the whole run.
    """
    from pyspark.sql import functions as F

    flagged = scores.filter(F.col("flagged")).orderBy("rank").toPandas()
    flagged = flagged.astype({"person_id": "str"})
    recent = recent_runs(history, as_of, runs=LAST_RUNS)
    empty = pd.DataFrame(columns=EXCLUSION_COLUMNS)
    team = build_team_list(ScoringResult(flagged, empty, as_of), recent)
    if flagged.empty and counts["scored"]:  # the model's name, as the local list gives it
        named = scores.select("model_name", "model_version").distinct().toPandas()
        team = dataclasses.replace(
            team, model_name=_one(named["model_name"]), model_version=_one(named["model_version"])
        )
    return dataclasses.replace(team, counts=counts)
