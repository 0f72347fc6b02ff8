"""Write a scoring run's files as one unit into the output folder, under its lock.

Where the files go (:func:`targets`), which public names a run owns, and the writing
itself: every file into a staged run folder, then one publish (see
:mod:`riskmodel.scoring._outputs`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._csv import write_csv
from riskmodel._warnings import warn_caller
from riskmodel.exceptions import DataQualityWarning
from riskmodel.scoring._history import (
    add_changes,
    append_history,
    previous_scores,
    same_month_runs,
)
from riskmodel.scoring._outputs import OutputFolder

__all__ = ["targets", "write_run"]


def write_run(out: Path, as_of: pd.Timestamp, compute: Callable[[], Any], *, csv: bool) -> Any:
    """Compute a run's results and publish its files at once; return the results.

    When the output folder exists, ``compute`` runs under its lock, so a concurrent
    run is refused before it scores anything; otherwise the folder is created only
    once there is something to write (bad input leaves no folder behind).

    Parameters
    ----------
    out : pathlib.Path
        The output folder, or the path of the scores file (see :func:`targets`).
    as_of : pandas.Timestamp
        The run's as-of date.
    compute : callable
        Returns the run's :class:`~riskmodel.scoring.ScoringResult` (nothing written).
    csv : bool
        Also write CSV copies.

    Returns
    -------
    ScoringResult
        With the change columns added to ``scores`` and the ``files`` written.
    """
    folder, stem, suffix = targets(out)
    result = None if folder.is_dir() else compute()
    with OutputFolder(folder, as_of, _names(stem, suffix)) as dest:
        if result is None:
            result = compute()
        scores, files = _write(dest, stem, suffix, result, as_of, csv)
    return dataclasses.replace(result, scores=scores, files=files)


def targets(out: Path) -> tuple[Path, str, str]:
    """Where to write: ``(folder, scores file stem, format suffix)``.

    ``out`` is a directory (``scores.parquet`` and friends go inside it) or the path of
    the scores file itself (``.parquet`` or ``.csv``), with the exclusions and drift
    files and the ``history/`` folder beside it.
    """
    if out.suffix.lower() in (".parquet", ".csv"):
        return out.parent, out.stem, out.suffix.lower()
    return out, "scores", ".parquet"


def _public_names(stem: str) -> dict[str, str]:
    if stem == "scores":
        return {"scores": "scores", "exclusions": "exclusions", "drift": "drift"}
    return {"scores": stem, "exclusions": f"{stem}_exclusions", "drift": f"{stem}_drift"}


def _names(stem: str, suffix: str) -> list[str]:
    """Every public file name of this stem, in both formats (a run removes the unwritten)."""
    formats = [suffix] + [fmt for fmt in (".parquet", ".csv") if fmt != suffix]
    return [f"{name}{fmt}" for name in _public_names(stem).values() for fmt in formats]


def _write(dest: OutputFolder, stem: str, suffix: str, result: Any, as_of, csv):
    """Write every file of the run into a staged run folder, then publish them at once.

    The staged folder starts as the current set (hard links); this run's files replace
    their names there and the ones it does not write (no drift this time, no CSV
    copies) are removed, so the published set never mixes two runs.
    """
    run = dest.stage()
    history = run / "history"
    _, previous = previous_scores(history, as_of)
    _warn_same_month(history, as_of, result.notes)
    scores = add_changes(result.scores, previous)
    tables = {"scores": scores, "exclusions": result.exclusions, "drift": result.drift}
    names = _public_names(stem)
    formats = {suffix} | ({".csv"} if csv else set())
    files = {}
    for name, table in tables.items():
        for fmt in (".parquet", ".csv"):
            target = run / f"{names[name]}{fmt}"
            target.unlink(missing_ok=True)  # linked from the previous run: never write into it
            if table is not None and fmt in formats:
                table_writer = _writer(table, fmt)
                table_writer(str(target))
                files[name if fmt == suffix else f"{name}_csv"] = dest.folder / target.name
    part = append_history(history, scores, as_of)
    dest.publish(run)
    files["history"] = dest.folder / part.relative_to(run)
    return scores, files


def _warn_same_month(history: Path, as_of: pd.Timestamp, notes: list[str]) -> None:
    others = same_month_runs(history, as_of)
    if not others:
        return
    dates = ", ".join(str(d.date()) for d in others)
    message = (
        f"history: runs as of {dates} and {as_of.date()} are both in {as_of:%B %Y}, so "
        "children scored at both dates appear twice in that month; monitoring should read "
        "read_history(..., once_per_month=True), which keeps the latest run of the month"
    )
    notes.append(message)
    warn_caller(message, DataQualityWarning)


def _writer(table: pd.DataFrame, fmt: str):
    if fmt == ".csv":
        return lambda p: write_csv(table, p, date_format="%Y-%m-%d")
    return lambda p: table.to_parquet(p, index=False)
