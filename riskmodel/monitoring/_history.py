"""The score history as one checked, tidy table, and a line per scoring run.

:func:`read_score_history` reads the partitions that every scoring run appends (through
:func:`riskmodel.scoring.read_history`) and checks each of them, so that monitoring
never measures a list that was not the list a team received: a child twice in one run,
a band outside 1-20, a flag that is not True/False, or flagged children who are not
the top ranks is an error naming the partition's file, the column, the rows and values.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel._wording import describe_rows
from riskmodel.exceptions import SchemaError
from riskmodel.scoring import read_history
from riskmodel.scoring._history import HISTORY_COLUMNS, HISTORY_FOLDER, history_partitions

__all__ = ["HISTORY_TABLE_COLUMNS", "history_folder", "read_score_history", "summarise_runs"]

HISTORY_TABLE_COLUMNS: list[str] = ["person_id", "as_of_date", *HISTORY_COLUMNS[1:]]
"""Columns of :func:`read_score_history`'s table, in order."""

_N_BANDS = 20


def history_folder(path: str | os.PathLike[str]) -> Path:
    """Return the history folder of an output folder (or the history folder itself).

    Parameters
    ----------
    path : path-like
        A scoring output folder holding ``history/``, or that ``history`` folder.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    SchemaError
        If ``path`` is not a folder.
    """
    path = Path(path)
    if (path / HISTORY_FOLDER).is_dir():
        return path / HISTORY_FOLDER
    if not path.is_dir():
        raise SchemaError(
            f"{path}: no such folder; expected a scoring output folder or its history"
        )
    return path


def _check_columns(files: dict[pd.Timestamp, Path]) -> None:
    import pyarrow.parquet as pq

    problems = []
    for date in sorted(files):
        try:
            names = set(pq.read_schema(files[date]).names)
        except (OSError, ValueError) as exc:
            problems.append(f"{files[date]}: not a readable Parquet file ({exc})")
            continue
        missing = [c for c in HISTORY_COLUMNS if c not in names]
        if missing:
            problems.append(
                f"{files[date]}: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}; a score history partition has {', '.join(HISTORY_COLUMNS)}"
            )
    if problems:
        raise SchemaError("score history: " + "; ".join(problems))


def _run_problems(file: Path, run: pd.DataFrame) -> list[str]:
    """Return what is wrong with one run's rows (in file order), as message parts."""
    problems = []

    def bad(column: str, mask: np.ndarray, what: str) -> None:
        if mask.any():
            rows = np.flatnonzero(mask)
            values = run[column].to_numpy()[rows]
            problems.append(
                f"{file}: {column}: {int(mask.sum())} {what} ({describe_rows(rows, values)})"
            )

    person = run["person_id"]
    bad("person_id", person.isna().to_numpy(), "rows without a person id")
    bad(
        "person_id",
        (person.duplicated(keep=False) & person.notna()).to_numpy(),
        "rows repeat a child already in this run",
    )
    band = pd.to_numeric(run["risk_band"], errors="coerce")
    bad(
        "risk_band",
        ~band.between(1, _N_BANDS).to_numpy() | (band % 1 != 0).to_numpy(),
        "bands outside 1-20",
    )
    score = pd.to_numeric(run["risk_score"], errors="coerce")
    bad("risk_score", ~score.between(0.0, 1.0).to_numpy(), "scores missing or outside [0, 1]")
    rank = pd.to_numeric(run["rank"], errors="coerce")
    bad(
        "rank",
        (rank.isna() | (rank < 1) | (rank % 1 != 0)).to_numpy(),
        "ranks missing or not whole numbers from 1",
    )
    bad("rank", (rank.duplicated(keep=False) & rank.notna()).to_numpy(), "rows share a rank")
    flagged = run["flagged"]
    if pd.api.types.is_bool_dtype(flagged) and not flagged.isna().any():
        is_bool = np.ones(len(flagged), dtype=bool)
    else:
        is_bool = np.array([isinstance(v, bool | np.bool_) for v in flagged], dtype=bool)
    bad("flagged", ~is_bool, "values are not True/False")
    if not problems:
        flags = flagged.to_numpy(dtype=bool)
        k = int(flags.sum())
        not_top = flags != (rank.to_numpy() <= k)
        bad(
            "flagged",
            not_top,
            f"rows break the rule that the {k} flagged children are ranks 1-{k}",
        )
    return problems


def read_score_history(
    path: str | os.PathLike[str], *, once_per_month: bool = True
) -> pd.DataFrame:
    """Read and check every run of a score history: one row per child per run.

    Parameters
    ----------
    path : path-like
        A scoring output folder (holding ``history/``) or its ``history`` folder.
    once_per_month : bool, default True
        Keep only the latest run of each calendar month, so that a month scored twice
        counts each child once (see :func:`riskmodel.scoring.read_history`).

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id`` (str), ``as_of_date``
        (datetime64[ns]), ``risk_score`` (float64), ``risk_band`` and ``rank``
        (int64), ``flagged`` (bool), ``model_name`` and ``model_version`` (str);
        sorted by as-of date, then rank; fresh index.

    Raises
    ------
    SchemaError
        If the folder holds no run, or a partition lacks a column, names a child
        twice, has a band outside 1-20, a score outside [0, 1], missing or repeated
        ranks, a ``flagged`` value that is not True/False, or flagged children who
        are not the top ranks. Every problem names the partition's file, the column,
        the rows (positions in that file) and their values.

    Examples
    --------
    >>> from riskmodel.monitoring import read_score_history
    >>> history = read_score_history("scores-out")  # doctest: +SKIP
    """
    folder = history_folder(path)
    files = history_partitions(folder)
    if not files:
        raise SchemaError(
            f"{folder}: the score history holds no runs (no 'as_of_date=YYYY-MM-DD' partitions)"
        )
    _check_columns(files)
    raw = read_history(folder, once_per_month=once_per_month)
    problems = []
    for date, run in raw.groupby("as_of_date", sort=True):
        problems += _run_problems(files[pd.Timestamp(date)], run.reset_index(drop=True))
    if problems:
        raise SchemaError("score history: " + "; ".join(problems))
    table = pd.DataFrame(
        {
            "person_id": raw["person_id"].astype("str"),
            "as_of_date": pd.to_datetime(raw["as_of_date"]).astype("datetime64[ns]"),
            "risk_score": raw["risk_score"].astype("float64"),
            "risk_band": raw["risk_band"].astype("int64"),
            "rank": raw["rank"].astype("int64"),
            "flagged": raw["flagged"].astype("bool"),
            "model_name": raw["model_name"].astype("str"),
            "model_version": raw["model_version"].astype("str"),
        }
    )
    return table.sort_values(["as_of_date", "rank"], kind="stable").reset_index(drop=True)


def summarise_runs(history: pd.DataFrame) -> pd.DataFrame:
    """Describe each run of a score history in one row.

    Parameters
    ----------
    history : pandas.DataFrame
        As :func:`read_score_history` returns.

    Returns
    -------
    pandas.DataFrame
        One row per as-of date, in date order: ``as_of_date``, ``model_name``,
        ``model_version`` (several joined by ``", "``), ``scored``, ``flagged`` (int64),
        ``lowest_flagged_score`` (float64) and ``lowest_flagged_band`` (Int64; missing
        when the run flagged nobody).

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.monitoring import summarise_runs
    >>> history = pd.DataFrame({
    ...     "person_id": ["a", "b", "c"], "as_of_date": pd.to_datetime(["2024-01-01"] * 3),
    ...     "risk_score": [0.4, 0.2, 0.1], "risk_band": [20, 19, 10], "rank": [1, 2, 3],
    ...     "flagged": [True, True, False], "model_name": "m", "model_version": "1"})
    >>> summarise_runs(history)[["scored", "flagged", "lowest_flagged_band"]].iloc[0].tolist()
    [3, 2, 19]
    """
    by_run = history.groupby("as_of_date", sort=True)
    flagged = history[history["flagged"].astype(bool)].groupby("as_of_date")
    names = by_run["model_name"].agg(lambda v: ", ".join(sorted(map(str, v.unique()))))
    versions = by_run["model_version"].agg(lambda v: ", ".join(sorted(map(str, v.unique()))))
    out = pd.DataFrame(
        {
            "model_name": names.astype("str"),
            "model_version": versions.astype("str"),
            "scored": by_run.size().astype("int64"),
            "flagged": by_run["flagged"].sum().astype("int64"),
            "lowest_flagged_score": flagged["risk_score"].min().reindex(names.index),
            "lowest_flagged_band": flagged["risk_band"].min().reindex(names.index),
        }
    )
    out["lowest_flagged_score"] = out["lowest_flagged_score"].astype("float64")
    out["lowest_flagged_band"] = out["lowest_flagged_band"].astype("Int64")
    out.index.name = "as_of_date"
    return out.reset_index()
